#!/bin/bash
# test_ssh_act.sh: `mailcon act` on a [server] behind SSH, against the real
# Postfix + Dovecot stack (stack.sh) reached through a real sshd on
# loopback (sshd.sh).  The stack runs on this machine, so "remote" means:
# every command went over the SSH connection; the checks see that in the
# sshd log and the audit, and in what happens when the connection cannot
# be made (nothing runs, here or there).
#
#  1. suspend bob over SSH: his AUTH fails (535), alice still sends, exactly
#     his queued messages are held, forged envelope senders included (found
#     by the queue ids of his logins, read from the server's logs over
#     SSH); unsuspend lets him in again; release, hold, release and purge
#     change exactly his messages (postqueue -j before and after).
#  2. reset-password over SSH: the new password works, the old one fails;
#     the password crossed on stdin, it is in no audit row.
#  3. --dry-run --verbose prints the remote command lines ("on lab over
#     SSH", sudo -n -- first with sudo = yes, none without) and changes
#     nothing (its read-only checks do open SSH sessions).
#  4. injection: bad accounts refused (exit 2), nothing changed.
#  5. connection failures run nothing: a changed host key (both
#     fingerprints shown), an unknown one (never trusted, nothing written,
#     ssh-keyscan suggested), a refused client key, a closed port.
#  6. sudo = yes as a login without a sudoers entry: "sudo on lab wants a
#     password", nothing changed; with NOPASSWD, hold and release work
#     through sudo; without sudo that login's PATH has no postqueue: the
#     exit 127 is told plainly.
#  7. a remote command that hangs meets its deadline (--timeout) with a
#     clear message; nothing is printed as done.
#
# Sections 1-5 and 7 log in as the test user SSHD_USER (sshd.sh: login
# shell /bin/sh, never root, so nobody's dotfiles run) with sudo = yes,
# allowed by a sudoers entry of this test that names exactly the commands
# the README lists for sudo (removed at the end).
#
# Environment: MAILCON (the binary).  Needs root, python3, Postfix, Dovecot,
# sshd, sudo, useradd (tests/deps.sh).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
test_init sact
. "$HERE/sshd.sh"
. "$HERE/actlib.sh"
export STACK_AUTH_PENALTY=0

S=$T/s
D=$T/d
# a login of our own for the sudo checks; removed at the end
SUDO_USER_NAME=mcsact$$
SUDOERS=/etc/sudoers.d/mailcon-test-$$
SSH_SUDOERS=/etc/sudoers.d/mailcon-test-ssh-$$
made_user=0

test_cleanup()
{
	rm -f "$SUDOERS" "$SSH_SUDOERS"
	[ "$made_user" = 1 ] && users_locked userdel "$SUDO_USER_NAME" 2>/dev/null
	stack_stop "$S"
	sshd_stop "$D"
}

[ -x "$MAILCON" ] || { echo "no $MAILCON (run make)"; exit 1; }
for tool in sudo useradd userdel sshd; do
	command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] ||
	    { echo "no $tool (run tests/deps.sh)"; exit 1; }
done

# Sorted ids held now.
held()
{
	queue_list | awk '$1 == "hold" { print $2 }'
}

# hold then release LOGIN's mail with CONFIG: held must be exactly the ids
# in FILE in between, and nothing after.  WHAT names the case.
hold_release()
{
	act hold --account "$1" --config "$2"
	rc=$?
	[ "$rc" = 0 ] || check_fail "hold $4: exit $rc: $(said)"
	[ "$(held)" = "$(cat "$3")" ] ||
	    check_fail "hold $4: held is not exactly the $(wc -l <"$3") of $1"
	act release --account "$1" --config "$2"
	rc=$?
	[ "$rc" = 0 ] || check_fail "release $4: exit $rc: $(said)"
	[ -z "$(held)" ] || check_fail "release $4 left mail held"
}

# Sessions sshd accepted so far (its log).
sessions()
{
	grep -c 'Accepted publickey' "$SSHD_LOG"
}

# A config for the stack over SSH: KEY VALUE pairs override the [server
# lab] keys ("" drops one); written to FILE.
mkconf()
{
	local out=$1
	shift
	{
		printf '[console]\nhistory = %s\n' "$T/history.db"
		stack_mailcon_server lab
		printf 'host = 127.0.0.1\nport = %s\nuser = %s\nsudo = yes\n' \
		    "$SSHD_PORT" "$SSHD_USER"
		printf 'key = %s\nknown_hosts = %s\n' "$SSHD_KEY" \
		    "$SSHD_KNOWN_HOSTS"
	} >"$out.tmp"
	while [ $# -ge 2 ]; do
		awk -v k="$1" -v v="$2" 'index($0, k " = ") == 1 { seen = 1
		    if (v != "") print k " = " v; next } { print }
		    END { if (!seen && v != "") print k " = " v }' \
		    "$out.tmp" >"$out.tmp2" && mv "$out.tmp2" "$out.tmp"
		shift 2
	done
	mv "$out.tmp" "$out"
}

# mailcon's own known_hosts and history stay in $T.
export XDG_STATE_HOME=$T/state
mkdir -p "$XDG_STATE_HOME"

stack_start "$S" || exit 1
sshd_start "$D" || exit 1
# SSHD_USER may run what the README lists for sudo = yes, as root.
echo "$SSHD_USER ALL=(root) NOPASSWD: /bin/sh, /usr/sbin/postqueue, /usr/sbin/postsuper, /usr/sbin/postmap, /usr/bin/doveadm" >"$SSH_SUDOERS"
chmod 440 "$SSH_SUDOERS"
visudo -cq -f "$SSH_SUDOERS" || die "the sudoers entry for $SSHD_USER is refused by visudo"
# The login of section 6 reads the one authorized_keys of this sshd.
chmod 755 "$D"
chmod 644 "$D/authorized_keys"
DOM=$STACK_DOMAIN
A=alice@$DOM B=bob@$DOM I=ivan@$DOM
pw() { awk -v u="$1" '$1 == u { print $2 }' "$STACK_USERS"; }
CFG=$T/ssh.conf
mkconf "$CFG"

# --- the mail: bob (some with forged senders) and alice; all deferred.
{
	echo "send $B $(pw "$B") 127.0.0.40 6 3 y@remote.test"
	echo "sendas $B $(pw "$B") 127.0.0.41 3 3 z@remote.test ceo@bank.test"
	echo "send $A $(pw "$A") 127.0.0.42 5 5 x@remote.test"
} | mailgen "$T/qids" || { cat "$T/gen"; echo "mailgen failed"; exit 1; }
wait_settled "$T/qids" || { echo "mail did not settle"; exit 1; }
ids_of_login "$B" "$T/qids" >"$T/bob"
ids_of_login "$A" "$T/qids" >"$T/alice"
[ "$(wc -l <"$T/bob")" = 9 ] || check_fail "bob queued $(wc -l <"$T/bob"), not 9"

# ===== 1. suspend, unsuspend, release, hold, release, purge ===============
s0=$(sessions)
act suspend --account "$B" --config "$CFG"
rc=$?
[ "$rc" = 0 ] || check_fail "suspend bob over SSH: exit $rc, not 0: $(said)"
grep -q "^suspend $B on lab: done" "$T/out" || check_fail "suspend not done: $(said)"
grep -q "has no logins" "$T/err" &&
    check_fail "the logs read over SSH did not show bob's logins: $(said)"
[ "$(sessions)" -gt "$s0" ] || check_fail "suspend opened no SSH session"
grep -qxF "$B" "$STACK_DENY" || check_fail "bob is not in the deny file"
wait_dovecot_sees "$STACK_DENY"
echo "fail $B $(pw "$B") 127.0.0.43 1" | mailgen "$T/qids.x" ||
    check_fail "suspended bob could still AUTH: $(cat "$T/gen")"
echo "send $A $(pw "$A") 127.0.0.44 1 1 x@remote.test" | mailgen "$T/qids.a2" ||
    check_fail "alice cannot send while bob is suspended: $(cat "$T/gen")"
[ "$(held)" = "$(cat "$T/bob")" ] ||
    check_fail "held is not exactly bob's 9 (forged senders included): $(held | wc -l) held"
n=$(audit_q "SELECT count(*) FROM audit WHERE account = ? AND
    action = 'suspend' AND state = 'done' AND verified = 'ok' AND
    target LIKE '%over SSH as $SSHD_USER@127.0.0.1 port $SSHD_PORT through sudo%' AND
    command NOT LIKE '%mailcon-smtpd-end%'" "$B")
# refuse logins, mail; doveadm kick; hold.  Bob's sessions all ended (their
# "disconnect from" is in the log), so no smtpd is his and none is touched
# (the step may look, by the addresses of his logins, and end none): the
# ending of an open session over SSH is test_loghost.sh's
[ "$n" = 4 ] || check_fail "bob's suspend: $n of 4 steps audited done, verified, over SSH: $(python3 - "$T/history.db" "$B" <<'EOF2'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for r in db.execute("SELECT state, verified, substr(command, 1, 60), substr(target, 1, 40) FROM audit WHERE account = ? AND action = 'suspend'", sys.argv[2:]):
    print(" | ".join(str(x) for x in r))
EOF2
)"
grep -q "[1-9][0-9]* open SMTP sessions\? ended" "$T/out" &&
    check_fail "bob's suspend ended SMTP sessions when none was open: $(said)"
n=$(audit_q "SELECT count(*) FROM audit WHERE account = ? AND
    action = 'suspend' AND state = 'done' AND command LIKE '%mailcon-kick%' AND
    target LIKE '%over SSH as $SSHD_USER@127.0.0.1 port $SSHD_PORT through sudo%'" "$B")
[ "$n" = 1 ] || check_fail "bob's suspend: no doveadm kick done over SSH: $n"

act unsuspend --account "$B" --config "$CFG"
rc=$?
[ "$rc" = 0 ] || check_fail "unsuspend bob: exit $rc: $(said)"
grep -qxF "$B" "$STACK_DENY" && check_fail "bob is still in the deny file"
wait_dovecot_sees "$STACK_DENY"
echo "send $B $(pw "$B") 127.0.0.45 1 1 y@remote.test" | mailgen "$T/qids.b2" ||
    check_fail "bob cannot AUTH after unsuspend: $(cat "$T/gen")"
[ "$(held)" = "$(cat "$T/bob")" ] || check_fail "unsuspend changed what is held"

act release --account "$B" --config "$CFG"
rc=$?
[ "$rc" = 0 ] || check_fail "release bob: exit $rc: $(said)"
[ -z "$(held)" ] || check_fail "still held after release: $(held | wc -l)"

cat "$T/qids.b2" "$T/qids.a2" >"$T/qids.later"
wait_settled "$T/qids.later" || check_fail "the later mail did not settle"
ids_of_login "$B" "$T/qids.later" >>"$T/bob"
sort -o "$T/bob" "$T/bob"
hold_release "$B" "$CFG" "$T/bob" "over SSH"

queue_state >"$T/before"
act purge --account "$B" --config "$CFG" --yes
rc=$?
[ "$rc" = 0 ] || check_fail "purge bob: exit $rc: $(said)"
awk 'NR == FNR { b[$1] = 1; next } !($1 in b)' "$T/bob" "$T/before" >"$T/expect"
queue_state | cmp -s - "$T/expect" ||
    check_fail "purge over SSH did not remove exactly bob's: $(queue_state | diff "$T/expect" - | grep '^[<>]' | head -4 | tr '\n' ' ')"

# ===== 2. reset-password ===================================================
OLD=$(pw "$I")
act reset-password --account "$I" --config "$CFG" --yes
rc=$?
[ "$rc" = 0 ] || check_fail "reset ivan over SSH: exit $rc: $(said)"
NEW=$(sed -n "s/^new password for $I (shown once, never stored): //p" "$T/out")
if [ "${#NEW}" -lt 12 ]; then
	check_fail "reset over SSH printed no new password: $(said)"
else
	wait_dovecot_sees "$STACK_PASSWD"
	echo "fail $I $OLD 127.0.0.70 1" | mailgen "$T/qids.x" ||
	    check_fail "ivan's old password still works: $(cat "$T/gen")"
	echo "send $I $NEW 127.0.0.71 1 1 x@remote.test" | mailgen "$T/qids.i" ||
	    check_fail "ivan's new password does not work: $(cat "$T/gen")"
	for f in "$T"/history.db*; do
		grep -a -q -F -- "$NEW" "$f" &&
		    check_fail "the new password is in $(basename "$f")"
	done
fi

# ===== 3. dry run ==========================================================
snap_files
s0=$(sessions)
act suspend --account "$A" --config "$CFG" --dry-run --verbose
rc=$?
[ "$rc" = 0 ] || check_fail "dry-run over SSH: exit $rc: $(said)"
grep -q "^# on lab over SSH as $SSHD_USER@127.0.0.1 port $SSHD_PORT, through sudo" "$T/out" ||
    check_fail "dry-run does not say it would run on lab over SSH through sudo: $(said)"
grep -qF "sudo -n -- postsuper -c $STACK_POSTFIX_CONF -h -" "$T/out" ||
    check_fail "dry-run does not show the postsuper command: $(said)"
mkconf "$T/nosudo.conf" sudo ""
act suspend --account "$A" --config "$T/nosudo.conf" --dry-run --verbose
grep -qF "postsuper -c $STACK_POSTFIX_CONF -h -" "$T/out" ||
    check_fail "dry-run without sudo does not show the postsuper command: $(said)"
grep -q "sudo -n" "$T/out" && check_fail "dry-run shows sudo without sudo = yes: $(said)"
act purge --account "$A" --config "$CFG" --dry-run --verbose
grep -qF "sudo -n -- postsuper -c $STACK_POSTFIX_CONF -d -" "$T/out" ||
    check_fail "dry-run with sudo = yes does not show sudo -n --: $(said)"
grep -q "through sudo" "$T/out" || check_fail "dry-run header does not name sudo"
# a dry run reads the server (its checks: the wiring, the queue), changes
# nothing
[ "$(sessions)" -gt "$s0" ] || check_fail "a dry run made no check on the server"
same_files "--dry-run"

# ===== 4. injection ========================================================
for acct in "o'brien@$DOM" "$A;touch $T/canary" "\$(touch $T/canary)" \
    "-$A" "ALL" "a b@$DOM"; do
	for action in suspend purge reset-password; do
		act "$action" --account="$acct" --config "$CFG" --yes
		rc=$?
		# a purge moves ids: an account named ALL owns none here
		if [ "$action/$acct" = purge/ALL ]; then
			[ "$rc" = 0 ] || check_fail "purge of ALL: exit $rc: $(said)"
			continue
		fi
		[ "$rc" = 2 ] || check_fail "$action of [$acct]: exit $rc, not 2: $(said)"
		grep -qi refused "$T/out" "$T/err" ||
		    check_fail "$action of [$acct]: no 'refused': $(said)"
	done
done
[ -e "$T/canary" ] && check_fail "the canary exists: an account reached a shell"
same_files "the refused accounts"

# ===== 5. connection failures: nothing runs ================================
# another key for [127.0.0.1]:PORT
ssh-keygen -q -t ed25519 -N '' -f "$T/other" || exit 1
printf '[127.0.0.1]:%s %s\n' "$SSHD_PORT" "$(cut -d' ' -f1-2 "$T/other.pub")" >"$T/kh.other"
mkconf "$T/mismatch.conf" known_hosts "$T/kh.other"
act suspend --account "$A" --config "$T/mismatch.conf"
rc=$?
[ "$rc" = 2 ] || check_fail "host key mismatch: exit $rc, not 2: $(said)"
grep -q "HOST KEY CHANGED" "$T/err" || check_fail "mismatch not said: $(said)"
[ "$(grep -o 'SHA256:[A-Za-z0-9+/]*' "$T/err" | sort -u | wc -l)" -ge 2 ] ||
    check_fail "mismatch does not show both fingerprints: $(said)"
grep -q "nothing run" "$T/err" || check_fail "mismatch: no 'nothing run': $(said)"
# no entry at all: unknown, never trusted unattended
: >"$T/kh.empty"
mkconf "$T/unknown.conf" known_hosts "$T/kh.empty"
act suspend --account "$A" --config "$T/unknown.conf"
rc=$?
[ "$rc" = 2 ] || check_fail "unknown host key: exit $rc, not 2: $(said)"
grep -q "unknown host key" "$T/err" || check_fail "unknown key not said: $(said)"
grep -q "ssh-keyscan -p $SSHD_PORT 127.0.0.1" "$T/err" ||
    check_fail "unknown key: ssh-keyscan not suggested: $(said)"
[ -s "$T/state/mailcon/known_hosts" ] &&
    check_fail "mailcon act wrote a host key it was never told to trust"
# a client key sshd does not know
ssh-keygen -q -t ed25519 -N '' -f "$T/stranger" || exit 1
mkconf "$T/wrongkey.conf" key "$T/stranger"
act suspend --account "$A" --config "$T/wrongkey.conf"
rc=$?
[ "$rc" = 2 ] || check_fail "wrong key: exit $rc, not 2: $(said)"
grep -q "auth failed" "$T/err" || check_fail "wrong key: no 'auth failed': $(said)"
# a closed port
closed=$(_stack_free_ports 127.0.0.1 1)
mkconf "$T/closed.conf" port "$closed"
act suspend --account "$A" --config "$T/closed.conf"
rc=$?
[ "$rc" = 2 ] || check_fail "closed port: exit $rc, not 2: $(said)"
grep -q "unreachable" "$T/err" || check_fail "closed port: no 'unreachable': $(said)"
same_files "the failed connections"

# ===== 6. sudo =============================================================
users_locked useradd -M -d /nonexistent -s /bin/sh "$SUDO_USER_NAME" &&
    made_user=1 ||
    { echo "useradd failed"; exit 1; }
# not locked: sshd (UsePAM no) refuses accounts whose password is "!"
users_locked usermod -p '*' "$SUDO_USER_NAME" || exit 1
mkconf "$T/sudo.conf" user "$SUDO_USER_NAME" sudo yes
act suspend --account "$A" --config "$T/sudo.conf"
rc=$?
[ "$rc" = 1 ] || check_fail "sudo wanting a password: exit $rc, not 1: $(said)"
grep -q "sudo on lab wants a password: give $SUDO_USER_NAME NOPASSWD for these commands, or connect as root" "$T/out" ||
    check_fail "no plain 'sudo wants a password' message: $(said)"
grep -q "^suspend $A on lab: done" "$T/out" && check_fail "suspend said done without sudo"
same_files "the suspend whose sudo wanted a password"
# without sudo, that login's PATH has no postqueue (/usr/sbin): exit 127
mkconf "$T/nosudo.conf" user "$SUDO_USER_NAME" sudo ""
act hold --account "$A" --config "$T/nosudo.conf"
rc=$?
[ "$rc" = 1 ] || check_fail "postqueue not in PATH: exit $rc, not 1: $(said)"
grep -q "not found on lab (exit 127: sh: 1: postqueue: not found)" "$T/out" ||
    check_fail "exit 127 not told plainly: $(said)"
# with NOPASSWD, the same login holds and releases alice's mail via sudo
ids_of_login "$A" "$T/qids" >"$T/alice"
ids_of_login "$A" "$T/qids.a2" >>"$T/alice"
sort -o "$T/alice" "$T/alice"
echo "$SUDO_USER_NAME ALL=(root) NOPASSWD: ALL" >"$SUDOERS"
chmod 440 "$SUDOERS"
hold_release "$A" "$T/sudo.conf" "$T/alice" "through sudo"
rm -f "$SUDOERS"

# ===== 7. a hanging remote command =========================================
snap_files
cat >"$T/hang-doveadm" <<'EOF'
#!/bin/sh
sleep 20
EOF
chmod 755 "$T/hang-doveadm"
mkconf "$T/hang.conf" doveadm "$T/hang-doveadm"
act reset-password --account "$I" --config "$T/hang.conf" --yes --timeout 2
rc=$?
[ "$rc" = 1 ] || check_fail "hanging command: exit $rc, not 1: $(said)"
# the deadline ended it and said so (not how long that took: without the
# deadline the 20 s sleep ends by itself and this line is missing)
grep -q "mailcon-passwd-set on lab timed out after 2000 ms" "$T/out" ||
    check_fail "hanging command: no 'timed out after 2000 ms': $(said)"
grep -q "new password for" "$T/out" && check_fail "the timed-out reset printed a password"
same_files "the timed-out reset"

n=$(audit_q "SELECT count(*) FROM audit WHERE state = 'intent'")
[ "$n" = 0 ] || check_fail "$n audit rows stuck in state intent"

[ "$failed" = 0 ] && echo "ok: suspend/unsuspend/hold/release/purge/reset over SSH, dry run, injection, host keys, auth, sudo, exit 127, deadline"
exit "$failed"
