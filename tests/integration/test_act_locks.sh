#!/bin/bash
# test_act_locks.sh: many `mailcon act` at once against the real Postfix +
# Dovecot stack (stack.sh): every read-modify-write of the deny file, the
# sasl_access map and the passwd-file is serialised by a lock beside the
# file, and verified.  The rules are in concurlib.sh.
#
#  1. 7 suspends of 7 accounts at once, then 7 unsuspends: all done and
#     verified, every one in effect (files, postmap -q, AUTH 535 / 235).
#  2. 7 suspends of one account at once, then 7 unsuspends of it.
#  3. 4 password resets of 4 accounts at once: every password shown works
#     (doveadm pw -t and AUTH), every old one is refused, the other lines
#     of the passwd-file are as they were.
#  4. 4 resets of one account at once: one live password, one of those
#     shown; none shown unverified; the old one refused.
#  5. 7 acts at once on a history that does not exist yet: none fails on
#     the schema (issue 13 item 3), and the history has its tables.
#  6. a reset holding the passwd-file's lock (its doveadm waits for the
#     test): a second reset is "busy" (naming the file and the holder's
#     pid) and changes nothing; the admin replaces the passwd-file under
#     the first one, which notices, edits the new file again, and nothing
#     of the admin's is lost.
#  7. a stale lock: the reset holding it is killed (SIGKILL); the next one
#     takes the lock over, says so with the dead pid, removes its
#     temporary file; a hand-made stale note on the deny file the same.
#  8. a lock in a directory the login cannot write (as nobody): a clear
#     error naming the directory, exit 1, nothing changed.
#  9. a reset replaced before its check: reset A has set its password and
#     let the lock go, its check waits; reset B of the same account runs
#     and shows its password; then A's check finds B's hash: A shows no
#     password, says it is not in use, exit 1; B's is the live one.
#
# Prints "measure: ..." lines: effective out of attempted.
#
# Environment: MAILCON (the binary).  Needs root, python3, Postfix, Dovecot.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/stack.sh"
stack_test lock
export STACK_AUTH_PENALTY=0

[ -x "$MAILCON" ] || { echo "no $MAILCON (run make)"; exit 1; }

. "$HERE/actlib.sh"
. "$HERE/concurlib.sh"

# auth_codes: lines "LOGIN PASSWORD" on stdin; prints "LOGIN CODE" for an
# SMTP AUTH PLAIN of each (from its own 127.0.3.x address).
cat >"$T/auth.py" <<'EOF'
import base64, smtplib, sys
port = int(sys.argv[1])
for n, line in enumerate(sys.stdin):
    login, pw = line.split()
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="h.example.test",
                     timeout=30, source_address=("127.0.3.%d" % (n + 1), 0))
    s.ehlo()
    tok = base64.b64encode(("\0%s\0%s" % (login, pw)).encode()).decode()
    print(login, s.docmd("AUTH", "PLAIN " + tok)[0])
    s.quit()
EOF
auth_codes()
{
	python3 "$T/auth.py" "$STACK_SUBMIT_PORT"
}

# expect_auth CODE LOGIN...: every LOGIN's AUTH with its password (from
# STACK_USERS) gets CODE.
expect_auth()
{
	local code=$1 a
	shift
	for a in "$@"; do
		echo "$a $(pw "$a")"
	done | auth_codes >"$T/codes"
	for a in "$@"; do
		grep -qxF "$a $code" "$T/codes" ||
		    fail "AUTH as $a: $(grep -F "$a " "$T/codes" | cut -d' ' -f2), not $code"
	done
}

stack_start "$S" || exit 1
D=$STACK_DOMAIN
ALL7="alice@$D bob@$D carol@$D dave@$D grace@$D ivan@$D judy@$D"
pw() { awk -v u="$1" '$1 == u { print $2 }' "$STACK_USERS"; }
CFG=$T/act.conf
{
	printf '[console]\nhistory = %s\n' "$T/history.db"
	stack_mailcon_server lab
} >"$CFG"

# The history exists before sections 1-4, so they measure the files alone.
"$MAILCON" act hold --account "nobody@$D" --config "$CFG" \
    >"$T/prime.out" 2>&1 </dev/null ||
    die "the first act (making the history) failed: $(cat "$T/prime.out")"

# ===== 1. 7 suspends of 7 accounts, then 7 unsuspends =====================
# shellcheck disable=SC2086
acts_at_once sus suspend $ALL7
runs_verified sus 7
# shellcheck disable=SC2086
eff=$(count_state suspended $ALL7)
echo "measure: 7 suspends at once (7 accounts): $eff of 7 in effect, $VERIFIED of 7 done and verified"
[ "$eff" = 7 ] || fail "only $eff of 7 suspensions in effect: deny [$(tr '\n' ' ' <"$STACK_DENY")]"
[ "$(wc -l <"$STACK_DENY")" = 7 ] || fail "the deny file has $(wc -l <"$STACK_DENY") lines, not 7"
wait_dovecot_sees "$STACK_DENY"
wait_dovecot_sees "$STACK_SASL_ACCESS"
# shellcheck disable=SC2086
expect_auth 535 $ALL7

# shellcheck disable=SC2086
acts_at_once uns unsuspend $ALL7
runs_verified uns 7
# shellcheck disable=SC2086
eff=$(count_state unsuspended $ALL7)
echo "measure: 7 unsuspends at once (7 accounts): $eff of 7 in effect, $VERIFIED of 7 done and verified"
[ "$eff" = 7 ] || fail "only $eff of 7 unsuspensions in effect: deny [$(tr '\n' ' ' <"$STACK_DENY")]"
[ -s "$STACK_DENY" ] && fail "the deny file is not empty: $(tr '\n' ' ' <"$STACK_DENY")"
wait_dovecot_sees "$STACK_DENY"
# shellcheck disable=SC2086
expect_auth 235 $ALL7
no_leftovers "$STACK_DENY" "$STACK_SASL_ACCESS"

# ===== 2. one account, 7 times at once =====================================
A=alice@$D
acts_at_once sus1 suspend "$A" "$A" "$A" "$A" "$A" "$A" "$A"
runs_verified sus1 7
echo "measure: 7 suspends at once (1 account): $(count_state suspended "$A") of 1 in effect, $VERIFIED of 7 done and verified"
suspended "$A" || fail "alice is not suspended exactly once after 7 suspends"
acts_at_once uns1 unsuspend "$A" "$A" "$A" "$A" "$A" "$A" "$A"
runs_verified uns1 7
echo "measure: 7 unsuspends at once (1 account): $(count_state unsuspended "$A") of 1 in effect, $VERIFIED of 7 done and verified"
unsuspended "$A" || fail "alice is still suspended after 7 unsuspends"

# ===== 3. 4 resets of 4 accounts ===========================================
R4="bob@$D carol@$D dave@$D grace@$D"
grep -v -e "^bob@" -e "^carol@" -e "^dave@" -e "^grace@" "$STACK_PASSWD" \
    >"$T/others.before"
# shellcheck disable=SC2086
acts_at_once rst reset-password $R4
runs_verified rst 4
i=0 eff=0
for a in $R4; do
	i=$((i + 1))
	new=$(shown_pw rst "$i" "$a")
	if [ "${#new}" -lt 12 ]; then
		fail "reset $i of $a showed no password: $(run_said rst "$i")"
		continue
	fi
	if pw_live "$a" "$new"; then
		eff=$((eff + 1))
	else
		fail "the password reset $i showed for $a is refused by doveadm pw -t"
	fi
	pw_live "$a" "$(pw "$a")" && fail "$a's old password is live again"
	# later checks log in with the new one
	awk -v u="$a" -v p="$new" '$1 == u { $2 = p } { print }' "$STACK_USERS" \
	    >"$T/users" && cat "$T/users" >"$STACK_USERS"
done
echo "measure: 4 resets at once (4 accounts): $eff of 4 passwords live afterwards, $VERIFIED of 4 done and verified"
grep -v -e "^bob@" -e "^carol@" -e "^dave@" -e "^grace@" "$STACK_PASSWD" |
    cmp -s - "$T/others.before" || fail "the resets changed other lines of the passwd-file"
[ "$(wc -l <"$STACK_PASSWD")" = 7 ] || fail "the passwd-file has $(wc -l <"$STACK_PASSWD") lines, not 7"
wait_dovecot_sees "$STACK_PASSWD"
# shellcheck disable=SC2086
expect_auth 235 $R4
no_leftovers "$STACK_PASSWD"

# ===== 4. 4 resets of one account ==========================================
I=ivan@$D
OLD=$(pw "$I")
acts_at_once rst1 reset-password "$I" "$I" "$I" "$I"
live=0 shown=0 unverified=0
for i in 1 2 3 4; do
	new=$(shown_pw rst1 "$i" "$I")
	rc=$(cat "$T/rst1.$i.rc")
	if [ -n "$new" ]; then
		shown=$((shown + 1))
		[ "$rc" = 0 ] || { unverified=$((unverified + 1))
		    fail "reset $i of ivan showed a password but exited $rc: $(run_said rst1 "$i")"; }
		pw_live "$I" "$new" && { live=$((live + 1)); LIVE=$new; }
	else
		[ "$rc" = 1 ] ||
		    fail "reset $i of ivan showed no password and exited $rc, not 1: $(run_said rst1 "$i")"
		grep -q "not in use" "$T/rst1.$i.out" ||
		    fail "reset $i of ivan showed no password without saying why: $(run_said rst1 "$i")"
	fi
done
echo "measure: 4 resets at once (1 account): $shown shown, $live live afterwards, $unverified shown unverified"
[ "$live" = 1 ] || fail "$live of the passwords shown for ivan are live, not exactly 1"
pw_live "$I" "$OLD" && fail "ivan's old password is live again"
if [ "$live" = 1 ]; then
	wait_dovecot_sees "$STACK_PASSWD"
	echo "$I $LIVE" | auth_codes >"$T/codes"
	grep -qxF "$I 235" "$T/codes" || fail "ivan's live password gets AUTH $(cat "$T/codes")"
fi

# ===== 5. 7 acts at once on a new history ==================================
CFG=$T/fresh.conf
sed "s|^history = .*|history = $T/fresh/history.db|" "$T/act.conf" >"$CFG"
# shellcheck disable=SC2086
acts_at_once hist hold $ALL7
for i in $(seq 7); do
	[ "$(cat "$T/hist.$i.rc")" = 0 ] ||
	    fail "act $i on a new history: exit $(cat "$T/hist.$i.rc"): $(run_said hist "$i")"
done
grep -l "schema\|move the file away" "$T"/hist.*.err "$T"/hist.*.out >/dev/null 2>&1 &&
    fail "an act on a new history talks of the schema: $(cat "$T"/hist.*.err | head -3)"
[ -s "$T/fresh/history.db" ] || fail "no history made"
n=$(T=$T/fresh audit_q "SELECT count(*) FROM sqlite_schema WHERE name IN
    ('sessions', 'audit')")
[ "$n" = 2 ] || fail "the new history lacks its tables ($n of sessions, audit)"

# ===== 6. busy, and a passwd-file replaced while locked ===================
CFG=$T/act.conf
# Wait (at most 60 s) until FILE exists.
wait_exists()
{
	for _ in $(seq 600); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
# a doveadm whose `pw -s` waits for the test (bounded: 120 s)
cat >"$T/slow-doveadm" <<EOF
#!/bin/sh
case " \$* " in
*" pw -s "*)
	echo \$\$ >"$T/slow.pid"
	: >"$T/slow.in"
	i=0
	while [ ! -e "$T/slow.go" ] && [ \$i -lt 1200 ]; do
		sleep 0.1
		i=\$((i + 1))
	done ;;
esac
exec doveadm "\$@"
EOF
chmod 755 "$T/slow-doveadm"
sed "s|^doveadm = doveadm |doveadm = $T/slow-doveadm |" "$CFG" >"$T/slow.conf"
grep -q "^doveadm = $T/slow-doveadm -c " "$T/slow.conf" ||
    die "no slow doveadm in $T/slow.conf"
J=judy@$D G=grace@$D
LOCK=$STACK_PASSWD.mailcon.lock

# Start a reset of judy whose doveadm waits (slow=its pid); return once it
# holds the passwd-file's lock and waits.
slow_reset()
{
	rm -f "$T/slow.in" "$T/slow.go"
	timeout 240 "$MAILCON" act reset-password --account "$J" \
	    --config "$T/slow.conf" --yes >"$T/slow.out" 2>"$T/slow.err" \
	    </dev/null &
	slow=$!
	wait_exists "$T/slow.in" ||
	    die "the reset's doveadm never started: $(cat "$T/slow.out" "$T/slow.err")"
}

slow_reset
holder=
read -r holder _ <"$LOCK"
[ -n "$holder" ] && kill -0 "$holder" 2>/dev/null ||
    fail "the lock's note names no live holder: [$(cat "$LOCK")]"
grep "^$G:" "$STACK_PASSWD" >"$T/grace.before"
act reset-password --account "$G" --config "$CFG" --yes --timeout 4
rc=$?
[ "$rc" = 1 ] || fail "a reset while another holds the lock: exit $rc, not 1: $(said)"
grep -qF "busy: another mailcon is changing $STACK_PASSWD (pid $holder on " "$T/out" ||
    fail "no 'busy: another mailcon is changing FILE (pid ...)': $(said)"
grep -q "new password" "$T/out" && fail "the busy reset showed a password"
grep "^$G:" "$STACK_PASSWD" | cmp -s - "$T/grace.before" ||
    fail "the busy reset changed grace's line"

# the admin replaces the file (a new inode, one more user) under the lock
cp -p "$STACK_PASSWD" "$T/passwd.admin"
echo "newbie@$D:{PLAIN}Newbie-pw-1::::::" >>"$T/passwd.admin"
mv "$T/passwd.admin" "$STACK_PASSWD"
: >"$T/slow.go"
wait "$slow"
rc=$?
cp "$T/slow.out" "$T/out"; cp "$T/slow.err" "$T/err"
[ "$rc" = 0 ] || fail "the reset whose file was replaced: exit $rc, not 0: $(said)"
grep -q "was changed by another program while mailcon held its lock: edited again" "$T/out" ||
    fail "the reset did not say the file changed under it: $(said)"
grep -q "^newbie@$D:{PLAIN}Newbie-pw-1:" "$STACK_PASSWD" ||
    fail "the admin's new line is lost"
new=$(sed -n "s/^new password for $J (shown once, never stored): //p" "$T/out")
[ -n "$new" ] && pw_live "$J" "$new" ||
    fail "judy's new password is not live after the replaced file: $(said)"
[ "$(wc -l <"$STACK_PASSWD")" = 8 ] || fail "the passwd-file has $(wc -l <"$STACK_PASSWD") lines, not 8"
[ -s "$LOCK" ] && fail "the lock still has a note after its holder ended: $(cat "$LOCK")"
no_leftovers "$STACK_PASSWD"

# ===== 7. stale locks ======================================================
slow_reset
dead=
read -r dead _ <"$LOCK"
[ -n "$dead" ] || die "no holder in the lock's note"
# a temporary copy as a killed edit leaves one
: >"$STACK_PASSWD.mailcon.$dead.XyZ123"
kill -KILL "$dead" "$(cat "$T/slow.pid")"
wait "$slow"
act reset-password --account "$J" --config "$CFG" --yes
rc=$?
[ "$rc" = 0 ] || fail "the reset after a killed one: exit $rc, not 0: $(said)"
grep -qF "took over a stale lock of $STACK_PASSWD: pid $dead (no longer running) took it " "$T/out" ||
    fail "the stale lock was not reported with its pid: $(said)"
[ -e "$STACK_PASSWD.mailcon.$dead.XyZ123" ] &&
    fail "the killed holder's temporary file is still there"
new=$(sed -n "s/^new password for $J (shown once, never stored): //p" "$T/out")
[ -n "$new" ] && pw_live "$J" "$new" || fail "judy's password after the stale lock is not live"

sh -c 'exit 0' &
gone=$!
wait "$gone"
printf '%s %s %s\n' "$gone" "$(($(date +%s) - 3600))" "$(uname -n)" >"$STACK_DENY.mailcon.lock"
act suspend --account "$A" --config "$CFG" --no-hold
rc=$?
[ "$rc" = 0 ] || fail "suspend after a stale deny lock: exit $rc: $(said)"
grep -qE "took over a stale lock of $STACK_DENY: pid $gone \(no longer running\) took it 36[0-9][0-9] s ago" "$T/out" ||
    fail "the stale deny lock was not reported with its pid and age: $(said)"
suspended "$A" || fail "alice is not suspended after the stale lock"
act unsuspend --account "$A" --config "$CFG"
[ "$?" = 0 ] || fail "unsuspend after the stale lock: $(said)"

# ===== 8. a lock in a directory the login cannot write ====================
NB=$T/nobody
# (the map, refused first, in a directory the login may write: the deny
# file's lock is what this is about; its failure undoes the map)
mkdir -p "$T/ro" "$NB/state" "$NB/map"
cp "$STACK_DENY" "$T/ro/deny"
cp "$STACK_SASL_ACCESS" "$NB/map/sasl_access"
chown nobody "$T/ro/deny" "$NB" "$NB/state" "$NB/map" "$NB/map/sasl_access"
chmod 755 "$T/ro"
sed -e "s|^deny_file = .*|deny_file = $T/ro/deny|" \
    -e "s|^sasl_access_map = .*|sasl_access_map = $NB/map/sasl_access|" \
    -e "s|^history = .*|history = $NB/history.db|" "$CFG" >"$T/ro.conf"
chmod 644 "$T/ro.conf"
cp -p "$T/ro/deny" "$T/ro.deny.before"
cp -p "$NB/map/sasl_access" "$T/ro.map.before"
runuser -u nobody -- env HOME="$NB" XDG_STATE_HOME="$NB/state" \
    timeout 120 "$MAILCON" act suspend --account "$A" --config "$T/ro.conf" \
    --no-hold >"$T/out" 2>"$T/err" </dev/null
rc=$?
[ "$rc" = 1 ] || fail "suspend with the lock in a read-only directory: exit $rc, not 1: $(said)"
grep -qF "cannot lock $T/ro/deny: cannot create $T/ro/deny.mailcon.lock (Permission denied): mailcon needs to write in $T/ro: not changed" "$T/out" ||
    fail "no clear error for the read-only directory: $(said)"
cmp -s "$T/ro/deny" "$T/ro.deny.before" || fail "the deny file changed"
cmp -s "$NB/map/sasl_access" "$T/ro.map.before" || fail "the map changed"
[ -e "$T/ro/deny.mailcon.lock" ] && fail "a lock file was made in the read-only directory"
[ -z "$(ls "$T/ro" | grep -v '^deny$')" ] || fail "files left in $T/ro: $(ls "$T/ro")"

# ===== 9. a reset replaced before its check ===============================
# a doveadm whose second `pw -t` (the check after the set's own) waits
cat >"$T/late-doveadm" <<EOF
#!/bin/sh
case " \$* " in
*" pw -t "*)
	echo x >>"$T/late.n"
	if [ "\$(wc -l <"$T/late.n")" = 2 ]; then
		: >"$T/late.in"
		i=0
		while [ ! -e "$T/late.go" ] && [ \$i -lt 1200 ]; do
			sleep 0.1
			i=\$((i + 1))
		done
	fi ;;
esac
exec doveadm "\$@"
EOF
chmod 755 "$T/late-doveadm"
sed "s|^doveadm = doveadm |doveadm = $T/late-doveadm |" "$CFG" >"$T/late.conf"
I=ivan@$D
timeout 240 "$MAILCON" act reset-password --account "$I" --config "$T/late.conf" \
    --yes >"$T/late.out" 2>"$T/late.err" </dev/null &
late=$!
wait_exists "$T/late.in" ||
    die "the first reset's check never started: $(cat "$T/late.out" "$T/late.err")"
act reset-password --account "$I" --config "$CFG" --yes
rc=$?
[ "$rc" = 0 ] || fail "the second reset: exit $rc, not 0: $(said)"
second=$(sed -n "s/^new password for $I (shown once, never stored): //p" "$T/out")
: >"$T/late.go"
wait "$late"
rc=$?
cp "$T/late.out" "$T/out"; cp "$T/late.err" "$T/err"
[ "$rc" = 1 ] || fail "the replaced reset: exit $rc, not 1: $(said)"
grep -q "^new password for " "$T/out" && fail "the replaced reset showed its password: $(said)"
grep -q "not in use" "$T/out" || fail "the replaced reset does not say its password is not in use: $(said)"
[ -n "$second" ] && pw_live "$I" "$second" ||
    fail "the second reset's password is not the live one"

[ "$failed" = 0 ] && echo "ok: concurrent suspends, unsuspends, resets, new history, busy, replaced file, stale locks, read-only directory, a reset replaced before its check"
exit "$failed"
