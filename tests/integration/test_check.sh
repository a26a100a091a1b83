#!/bin/bash
# test_check.sh: the wiring of the actions against a real Postfix + Dovecot
# stack (tests/integration/stack.sh), locally and over SSH
# (tests/integration/sshd.sh, as its test user, sudo = yes): `mailcon
# check`, the results of `mailcon act`, and the dry run.
#
#  1. wired (the stack's check_sasl_access and deny passdb): `mailcon
#     check` exits 0 and says both are read, here and over SSH (connected,
#     sudo tried); a suspend is done and verified.
#  2. check_sasl_access gone from main.cf (Postfix reloaded): check exits
#     1 with the exact line to add; `act suspend` says "files updated",
#     the line to add, PARTLY DONE, exit 1, never "logins and mail
#     refused".
#  3. the deny passdb gone too (Dovecot reloaded): check and act say
#     Dovecot does not read the deny file; over SSH the same; and truly,
#     the "suspended" account still logs in and sends.
#  4. the dry run: a numbered summary (which file gets which line) and its
#     checks; with main.cf missing, the dry run finds it, nothing changes.
#  5. the machine's part: a GeoIP database (a real one, written by the
#     fixture's writer, then a missing one) and the [rbl] resolver (a real
#     dnsmasq that answers, then a port where none listens: "does not
#     answer").
#
# Environment: MAILCON (the binary; default build/mailcon).  Needs root,
# python3, Postfix, Dovecot, sshd, sudo (tests/deps.sh).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
test_init check
. "$HERE/sshd.sh"
. "$HERE/actlib.sh"
. "$HERE/dnslib.sh"
export STACK_AUTH_PENALTY=0

S=$T/s
D=$T/d
SSH_SUDOERS=/etc/sudoers.d/mailcon-test-check-$$

test_cleanup()
{
	rm -f "$SSH_SUDOERS"
	dns_stop "$T/dns"
	stack_stop "$S"
	sshd_stop "$D"
}

[ -x "$MAILCON" ] || die "no $MAILCON (run make)"

# `mailcon check ARGS...` into $T/out, $T/err; its status in rc.
chk()
{
	timeout 120 "$MAILCON" check "$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
}

# Does $T/out hold the line LINE exactly?
has_line()
{
	grep -qxF -- "$1" "$T/out"
}

pw() { awk -v u="$1" '$1 == u { print $2 }' "$STACK_USERS"; }

export XDG_STATE_HOME=$T/state
mkdir -p "$XDG_STATE_HOME"
stack_start "$S" || die "the stack did not start"
sshd_start "$D" || die "sshd did not start"
echo "$SSHD_USER ALL=(root) NOPASSWD: /bin/sh, /usr/sbin/postqueue, /usr/sbin/postsuper, /usr/sbin/postmap, /usr/bin/doveadm" >"$SSH_SUDOERS"
chmod 440 "$SSH_SUDOERS"
visudo -cq -f "$SSH_SUDOERS" || die "the sudoers entry is refused by visudo"
# the test user reads the logs over SSH
chmod 755 "$S"
chmod 644 "$STACK_POSTFIX_LOG" "$STACK_DOVECOT_LOG" 2>/dev/null

DOM=$STACK_DOMAIN
MAP=$STACK_SASL_ACCESS
CFG=$T/local.conf
{
	printf '[console]\nhistory = %s\n' "$T/history.db"
	stack_mailcon_server mx1
} >"$CFG"
SCFG=$T/ssh.conf
{
	printf '[console]\nhistory = %s\n' "$T/history.db"
	stack_mailcon_server lab
	printf 'host = 127.0.0.1\nport = %s\nuser = %s\nsudo = yes\n' \
	    "$SSHD_PORT" "$SSHD_USER"
	printf 'key = %s\nknown_hosts = %s\n' "$SSHD_KEY" "$SSHD_KNOWN_HOSTS"
} >"$SCFG"

# ===== 1. wired ============================================================
chk --config "$CFG"
[ "$rc" = 0 ] || fail "check, wired: exit $rc, not 0: $(cat "$T/out" "$T/err")"
has_line "mx1: ok    Postfix reads the map $MAP (check_sasl_access hash:$MAP in smtpd_relay_restrictions)" ||
    fail "check, wired: the map is not said read: $(cat "$T/out")"
has_line "mx1: ok    Dovecot reads the deny file $STACK_DENY (a deny passdb, before the others)" ||
    fail "check, wired: the deny file is not said read: $(cat "$T/out")"
grep -q "^mx1: ok    queue read: " "$T/out" || fail "check: no queue read: $(cat "$T/out")"
grep -q "^mx1: ok    log $STACK_POSTFIX_LOG read: " "$T/out" ||
    fail "check: the Postfix log not read: $(cat "$T/out")"
tail -1 "$T/out" | grep -q "^mailcon check: all is well" ||
    fail "check, wired: no 'all is well': $(tail -1 "$T/out")"

chk --config "$SCFG"
[ "$rc" = 0 ] || fail "check over SSH, wired: exit $rc: $(cat "$T/out" "$T/err")"
has_line "lab: ok    connected over SSH as $SSHD_USER@127.0.0.1 port $SSHD_PORT (host key known, logged in)" ||
    fail "check over SSH: not said connected: $(cat "$T/out")"
has_line "lab: ok    sudo -n runs /bin/sh there (the actions' scripts)" ||
    fail "check over SSH: sudo not tried: $(cat "$T/out")"
has_line "lab: ok    Postfix reads the map $MAP (check_sasl_access hash:$MAP in smtpd_relay_restrictions)" ||
    fail "check over SSH, wired: the map is not said read: $(cat "$T/out")"

act suspend --account "bob@$DOM" --config "$CFG" --no-hold
[ $? = 0 ] || fail "suspend bob, wired: not exit 0: $(said)"
grep -q "^suspend bob@$DOM on mx1: done: logins and mail refused" "$T/out" ||
    fail "suspend bob, wired: $(said)"
act unsuspend --account "bob@$DOM" --config "$CFG"

# the dry run, wired: numbered, which file gets which line, checks passed
act suspend --account "alice@$DOM" --config "$CFG" --dry-run
[ $? = 0 ] || fail "dry run: not exit 0: $(said)"
has_line "  1. $STACK_DENY gets the line \"alice@$DOM\": refuse its logins (Dovecot deny passdb) (mailcon-deny-add)" ||
    fail "dry run: no item 1 naming the deny file and its line: $(cat "$T/out")"
grep -q "^  2\. $MAP gets the line \"alice@$DOM" "$T/out" ||
    fail "dry run: no item 2 naming the map: $(cat "$T/out")"
grep -q "^  3\. hold 0 queued messages of alice@$DOM: postsuper -c $STACK_POSTFIX_CONF -h -" "$T/out" ||
    fail "dry run: no item 3 naming the postsuper command: $(cat "$T/out")"
has_line "All checks passed." || fail "dry run, wired: not all checks passed: $(cat "$T/out")"
grep -q "mailcon-deny-add" "$T/out" && grep -q "^/bin/sh" "$T/out" &&
    fail "dry run without --verbose shows the scripts"
[ -s "$STACK_DENY" ] && fail "the dry run changed the deny file"

# ===== 2. check_sasl_access gone ==========================================
postconf -c "$STACK_POSTFIX_CONF" -e \
    "smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination" ||
    die "postconf -e failed"
postfix -c "$STACK_POSTFIX_CONF" reload >/dev/null 2>&1 || die "postfix reload failed"
FIXMAP="add check_sasl_access hash:$MAP to smtpd_recipient_restrictions (first, before permit_sasl_authenticated)"
chk --config "$CFG"
[ "$rc" = 1 ] || fail "check, no check_sasl_access: exit $rc, not 1: $(cat "$T/out")"
has_line "mx1: FAIL  Postfix does not read the map $MAP: $FIXMAP" ||
    fail "check: the missing check_sasl_access is not said with the line to add: $(cat "$T/out")"
has_line "mx1: ok    Dovecot reads the deny file $STACK_DENY (a deny passdb, before the others)" ||
    fail "check: the deny passdb is no longer said read: $(cat "$T/out")"

act suspend --account "carol@$DOM" --config "$CFG" --no-hold
rc=$?
[ "$rc" = 1 ] || fail "suspend, no check_sasl_access: exit $rc, not 1: $(said)"
grep -qF "suspend carol@$DOM on mx1: PARTLY DONE: files updated; Postfix does not read the map $MAP: $FIXMAP; its mail is NOT refused" "$T/out" ||
    fail "suspend, no check_sasl_access: not said: $(said)"
grep -q "logins and mail refused" "$T/out" &&
    fail "suspend said 'logins and mail refused' with Postfix not reading the map: $(said)"
grep -q "^verification: not in effect: Postfix does not read the map $MAP" "$T/out" ||
    fail "suspend, no check_sasl_access: verified: $(said)"
act unsuspend --account "carol@$DOM" --config "$CFG"

# ===== 3. the deny passdb gone too ========================================
python3 - "$STACK_DOVECOT_CONF" <<'PY' || die "cannot drop the deny passdb"
import re, sys
p = sys.argv[1]
s = open(p).read()
s2 = re.sub(r"passdb \{\n  driver = passwd-file\n  deny = yes\n  args = [^\n]*\n\}\n", "", s)
assert s2 != s
open(p, "w").write(s2)
PY
doveadm -c "$STACK_DOVECOT_CONF" reload || die "doveadm reload failed"
sleep 1
FIXDENY="add, first among the passdbs: passdb { driver = passwd-file  deny = yes  args = $STACK_DENY }"
chk --config "$CFG"
[ "$rc" = 1 ] || fail "check, no deny passdb: exit $rc, not 1"
has_line "mx1: FAIL  Dovecot does not read the deny file $STACK_DENY (no deny passdb on it): $FIXDENY" ||
    fail "check: the missing deny passdb is not said with the lines to add: $(cat "$T/out")"
tail -1 "$T/out" | grep -qx "mailcon check: 2 problems found" ||
    fail "check: not 2 problems: $(tail -1 "$T/out")"

chk --config "$SCFG"
[ "$rc" = 1 ] || fail "check over SSH, unwired: exit $rc, not 1"
has_line "lab: FAIL  Dovecot does not read the deny file $STACK_DENY (no deny passdb on it): $FIXDENY" ||
    fail "check over SSH: the missing deny passdb is not said: $(cat "$T/out")"
has_line "lab: FAIL  Postfix does not read the map $MAP: $FIXMAP" ||
    fail "check over SSH: the missing check_sasl_access is not said: $(cat "$T/out")"
chk --config "$SCFG" --server nosuch
[ "$rc" = 1 ] && grep -q 'no server "nosuch"' "$T/out" ||
    fail "check --server nosuch: exit $rc: $(cat "$T/out")"

act suspend --account "dave@$DOM" --config "$CFG" --no-hold
rc=$?
[ "$rc" = 1 ] || fail "suspend, nothing wired: exit $rc, not 1: $(said)"
grep -qF "files updated; Dovecot does not read the deny file $STACK_DENY (no deny passdb on it): $FIXDENY; Postfix does not read the map $MAP: $FIXMAP; its logins and mail are NOT refused" "$T/out" ||
    fail "suspend, nothing wired: not said: $(said)"
grep -qxF "dave@$DOM" "$STACK_DENY" || fail "dave is not in the deny file"
# and it is the truth: the "suspended" login still logs in and sends
wait_dovecot_sees "$STACK_DENY"
echo "send dave@$DOM $(pw "dave@$DOM") 127.0.0.60 1 1 x@remote.test" |
    mailgen "$T/qids.dave" ||
    fail "dave could not send: the control of 'NOT refused' failed: $(cat "$T/gen")"

act suspend --account "ivan@$DOM" --config "$SCFG" --no-hold
rc=$?
[ "$rc" = 1 ] || fail "suspend over SSH, nothing wired: exit $rc, not 1: $(said)"
grep -qF "suspend ivan@$DOM on lab: PARTLY DONE: files updated; Dovecot does not read the deny file" "$T/out" ||
    fail "suspend over SSH, nothing wired: not said: $(said)"

# ===== 4. the dry run finds a missing main.cf ==============================
cp "$STACK_DENY" "$T/deny.before"
mv "$STACK_POSTFIX_CONF/main.cf" "$T/main.cf.away"
act suspend --account "grace@$DOM" --config "$CFG" --dry-run
grep -qF "  FAIL  Postfix's configuration could not be read (postconf -nx: postconf: fatal: open $STACK_POSTFIX_CONF/main.cf: No such file or directory)" "$T/out" ||
    fail "dry run: the missing main.cf is not found: $(cat "$T/out")"
grep -q "^  FAIL  the queue could not be read" "$T/out" ||
    fail "dry run: the queue read's failure is not said: $(cat "$T/out")"
grep -q "^[0-9]* checks FAILED" "$T/out" || fail "dry run: no FAILED summary: $(cat "$T/out")"
cmp -s "$STACK_DENY" "$T/deny.before" || fail "the dry run changed the deny file"
act suspend --account "grace@$DOM" --config "$CFG" --dry-run --verbose
grep -q "mailcon-deny-add grace@$DOM" "$T/out" ||
    fail "dry run --verbose: no commands: $(cat "$T/out")"
mv "$T/main.cf.away" "$STACK_POSTFIX_CONF/main.cf"

# ===== 5. GeoIP and the resolver ==========================================
mkdir -p "$T/dns"
dport=$(dns_free_port)
{ dns_conf_head "$dport"; echo "local=/example.org/"; } >"$T/dns/dnsmasq.conf"
dns_start "$T/dns" --conf-file="$T/dns/dnsmasq.conf" || die "dnsmasq did not start"
dead=$(dns_free_port)
perl "$ROOT/tests/fixtures/geo/mkmmdb.pl" "$ROOT/tests/fixtures/geo/networks.tsv" \
    "$T/geo.mmdb" || die "cannot write the GeoIP database"
machine()
{
	printf '[detect]\ngeoip = %s\n[rbl]\ninterval = 1h\nresolver = 127.0.0.1:%s\n' \
	    "$1" "$2" >"$T/machine.conf"
}
machine "$T/geo.mmdb" "$dport"
chk --config "$T/machine.conf"
[ "$rc" = 0 ] || fail "check, GeoIP and resolver there: exit $rc: $(cat "$T/out" "$T/err")"
has_line "geoip: ok    $T/geo.mmdb opened" || fail "check: the GeoIP database: $(cat "$T/out")"
grep -q "^dns: ok    127.0.0.1:$dport answers (the DNSBL checks (\[rbl\]); for mailcon-check.example.org: no such host)" "$T/out" ||
    fail "check: the resolver that answers: $(cat "$T/out")"
machine "$T/no.mmdb" "$dead"
chk --config "$T/machine.conf"
[ "$rc" = 1 ] || fail "check, no GeoIP, dead resolver: exit $rc, not 1"
grep -q "^geoip: FAIL  $T/no.mmdb: cannot read it" "$T/out" ||
    fail "check: the missing GeoIP database: $(cat "$T/out")"
grep -q "^dns: FAIL  the resolver 127.0.0.1:$dead does not answer" "$T/out" ||
    fail "check: the resolver that does not answer: $(cat "$T/out")"

[ "$failed" = 0 ] && echo "ok: mailcon check, act results and dry run against the wiring, here and over SSH"
exit "$failed"
