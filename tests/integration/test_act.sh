#!/bin/bash
# test_act.sh: `mailcon act` against a real Postfix + Dovecot stack
# (tests/integration/stack.sh), one stack for the whole test.
#
#  1. suspend: alice (many source addresses) and bob queue mail (the
#     relayhost is closed, so it stays deferred); after `act suspend` alice's
#     AUTH fails (535), bob still sends, exactly alice's messages are held;
#     unsuspend lets her log in again and leaves them held; release puts them
#     back in the queue.
#  2. reset-password: the old password and an empty one fail, the new one
#     (printed once on stdout) works and is nowhere in history.db (nor -wal,
#     -shm, nor any audit row).
#  3. purge exactness: carol's mail, forged envelope senders included (found
#     by the queue ids of her sessions in the logs), is exactly what goes;
#     everyone else's ids stay.  Unconfirmed purge (no --yes, no tty): exit 2,
#     nothing removed.  hold/release of dave: same ids, on hold in between.
#  4. injection: accounts with quotes, ';', $(...), `...`, a space, a
#     newline, a leading '-', or exactly ALL are refused (exit 2) by suspend,
#     reset-password and purge (ALL only by the first two: a purge moves
#     queue ids, and an account named ALL owns none here, so nothing goes);
#     nothing runs, no file or message changes.
#     --dry-run prints the postsuper command and changes nothing.
#  5. failing commands are reported as failed (exit 1) with their stderr,
#     never as done: a missing doveadm, a read-only passwd-file, an unknown
#     account, a failing postmap
#     (mail is refused first, so nothing else runs: the account can still
#     log in); a server without
#     deny_file is refused (exit 2) naming the key.  The audit table has the
#     failed rows with stderr, and done+verified rows for the suspend.
#
# Environment: MAILCON (the binary; default build/mailcon).  Needs root,
# python3, Postfix and Dovecot (tests/deps.sh installs them).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/stack.sh"
stack_test act
# Failed AUTHs are part of the story; no 4-15 s penalty for the next AUTH.
export STACK_AUTH_PENALTY=0

test_cleanup()
{
	[ -n "${STACK_PASSWD:-}" ] && chmod 644 "$STACK_PASSWD" 2>/dev/null
}

[ -x "$MAILCON" ] || { echo "no $MAILCON (run make)"; exit 1; }

# check_fail, queue_*, ids_*, mailgen, settled, act, said, audit_q, ...
. "$HERE/actlib.sh"

# The config with KEY VALUE pairs replaced ("" drops the key) into OUT.
mkconf()
{
	local out=$1 k v
	shift
	cp "$CFG" "$out.tmp"
	while [ $# -ge 2 ]; do
		k=$1 v=$2
		shift 2
		awk -v k="$k" -v v="$v" 'index($0, k " = ") == 1 {
		    if (v != "") print k " = " v; next } { print }' \
		    "$out.tmp" >"$out.tmp2" && mv "$out.tmp2" "$out.tmp"
	done
	mv "$out.tmp" "$out"
}

stack_start "$S" || exit 1
D=$STACK_DOMAIN
A=alice@$D B=bob@$D C=carol@$D DV=dave@$D G=grace@$D I=ivan@$D J=judy@$D
pw() { awk -v u="$1" '$1 == u { print $2 }' "$STACK_USERS"; }
MAP=$STACK_SASL_ACCESS
CFG=$T/act.conf
{
	printf '[console]\nhistory = %s\n' "$T/history.db"
	stack_mailcon_server lab
} >"$CFG"

# --- the mail: alice from 12 addresses, bob, carol (forged senders too),
# dave and grace.  Everything stays deferred.
{
	for i in $(seq 21 32); do
		echo "send $A $(pw "$A") 127.0.0.$i 2 1 x@remote.test"
	done
	echo "send $B $(pw "$B") 127.0.0.40 10 5 y@remote.test"
	echo "send $C $(pw "$C") 127.0.0.50 3 3 z@remote.test"
	echo "sendas $C $(pw "$C") 127.0.0.51 4 2 z@remote.test ceo@bank.test"
	echo "sendas $C $(pw "$C") 127.0.0.52 2 1 w@remote.test $B"
	echo "sendas $C $(pw "$C") 127.0.0.53 2 2 v@remote.test <>"
	echo "send $DV $(pw "$DV") 127.0.0.60 6 3 d@remote.test"
	echo "send $G $(pw "$G") 127.0.0.61 4 4 g@remote.test"
} | mailgen "$T/qids" || { cat "$T/gen"; echo "mailgen failed"; exit 1; }
wait_settled "$T/qids" ||
    { queue_list | head; echo "mail did not settle (deferred and logged)"; exit 1; }
ids_of_login "$A" "$T/qids" >"$T/alice"
ids_of_login "$B" "$T/qids" >"$T/bob"
ids_of_login "$C" "$T/qids" >"$T/carol"
ids_of_login "$DV" "$T/qids" >"$T/dave"
[ "$(wc -l <"$T/alice")" = 24 ] || check_fail "alice queued $(wc -l <"$T/alice"), not 24"
[ "$(wc -l <"$T/carol")" = 11 ] || check_fail "carol queued $(wc -l <"$T/carol"), not 11"
# carol's forged senders are really in the queue (else check 3 proves little)
[ "$(queue_list | awk 'NR == FNR { c[$1] = 1; next }
    ($2 in c) && $3 != "'"$C"'"' "$T/carol" - | wc -l)" = 8 ] ||
    check_fail "not 8 of carol's messages have a forged sender: $(queue_list | grep -v "$C" | head -3)"

# ===== 1. suspend, unsuspend, release ======================================
act suspend --account "$A" --config "$CFG"
rc=$?
[ "$rc" = 0 ] || check_fail "suspend alice: exit $rc, not 0: $(said)"
grep -q "^suspend $A on lab: done" "$T/out" || check_fail "suspend alice not done: $(said)"
grep -qxF "$A" "$STACK_DENY" || check_fail "alice is not in the deny file: $(cat "$STACK_DENY")"
grep -q "^$A	REJECT" "$MAP" || check_fail "no '$A<TAB>REJECT' in $MAP: $(cat "$MAP")"
case $(postmap -c "$STACK_POSTFIX_CONF" -q "$A" "hash:$MAP") in
REJECT*) ;;
*) check_fail "postmap -q $A finds no REJECT (map not rebuilt)" ;;
esac
wait_dovecot_sees "$STACK_DENY"
echo "fail $A $(pw "$A") 127.0.0.33 1" | mailgen "$T/qids.x" ||
    check_fail "suspended alice could still AUTH (or not 535): $(cat "$T/gen")"
echo "send $B $(pw "$B") 127.0.0.41 2 2 y@remote.test" | mailgen "$T/qids.b2" ||
    check_fail "bob cannot send while alice is suspended: $(cat "$T/gen")"
# exactly alice's messages are held: all of hers, none of bob's (or others')
[ "$(queue_list | awk '$1 == "hold" { print $2 }')" = "$(cat "$T/alice")" ] ||
    check_fail "held messages are not exactly alice's 24: $(queue_list | awk '$1 == "hold"' | wc -l) held, $(ids_in_queue hold "$T/alice" | wc -l) of hers"
[ -z "$(ids_in_queue hold "$T/bob")" ] || check_fail "bob's mail was held"
[ -z "$(ids_in_queue hold "$T/qids.b2")" ] || check_fail "bob's new mail was held"

act unsuspend --account "$A" --config "$CFG"
rc=$?
[ "$rc" = 0 ] || check_fail "unsuspend alice: exit $rc, not 0: $(said)"
grep -qxF "$A" "$STACK_DENY" && check_fail "alice is still in the deny file"
grep -q "^$A[[:space:]]" "$MAP" && check_fail "alice is still in $MAP"
[ -z "$(postmap -c "$STACK_POSTFIX_CONF" -q "$A" "hash:$MAP")" ] ||
    check_fail "postmap -q still finds alice after unsuspend"
wait_dovecot_sees "$STACK_DENY"
echo "send $A $(pw "$A") 127.0.0.34 1 1 x@remote.test" | mailgen "$T/qids.a2" ||
    check_fail "alice cannot AUTH/send after unsuspend: $(cat "$T/gen")"
[ "$(ids_in_queue hold "$T/alice")" = "$(cat "$T/alice")" ] ||
    check_fail "unsuspend released alice's held mail (held: $(ids_in_queue hold "$T/alice" | wc -l))"

act release --account "$A" --config "$CFG"
rc=$?
[ "$rc" = 0 ] || check_fail "release alice: exit $rc, not 0: $(said)"
[ -z "$(ids_in_queue hold "$T/alice")" ] ||
    check_fail "alice's mail still on hold after release: $(ids_in_queue hold "$T/alice" | wc -l)"
[ "$(ids_in_queue any "$T/alice")" = "$(cat "$T/alice")" ] ||
    check_fail "alice's mail is not all queued after release"
[ -z "$(queue_list | awk '$1 == "hold"')" ] || check_fail "something is still held after release"

# ===== 2. reset-password ===================================================
OLD=$(pw "$I")
grep "^$I:" "$STACK_PASSWD" >"$T/ivan.before"
act reset-password --account "$I" --config "$CFG" --yes
rc=$?
[ "$rc" = 0 ] || check_fail "reset ivan: exit $rc, not 0: $(said)"
NEW=$(sed -n "s/^new password for $I (shown once, never stored): //p" "$T/out")
if [ "${#NEW}" -lt 12 ]; then
	check_fail "reset ivan printed no new password: $(said)"
else
	grep "^$I:" "$STACK_PASSWD" | cmp -s - "$T/ivan.before" &&
	    check_fail "ivan's passwd-file line did not change"
	wait_dovecot_sees "$STACK_PASSWD"
	echo "fail $I $OLD 127.0.0.70 1" | mailgen "$T/qids.x" ||
	    check_fail "ivan's old password still works: $(cat "$T/gen")"
	echo "send $I $NEW 127.0.0.71 1 1 x@remote.test" | mailgen "$T/qids.i" ||
	    check_fail "ivan's new password does not work: $(cat "$T/gen")"
	code=$(auth_code "$I" "" 127.0.0.72)
	[ "$code" = 535 ] ||
	    check_fail "ivan's EMPTY password gets AUTH $code, not 535"
	for f in "$T"/history.db*; do
		grep -a -q -F -- "$NEW" "$f" &&
		    check_fail "the new password is in $(basename "$f")"
	done
	[ -f "$T/history.db" ] || check_fail "no history.db after the reset"
	[ "$(python3 - "$T/history.db" "$NEW" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT * FROM audit").fetchall()
print(sum(sys.argv[2] in repr(r) for r in rows), len(rows))
EOF
)" = "0 $(audit_q 'SELECT count(*) FROM audit')" ] ||
	    check_fail "the new password is in an audit row"
	[ "$(audit_q "SELECT count(*) FROM audit WHERE account = ? AND
	    action = 'reset-password' AND state = 'done'" "$I")" -ge 1 ] ||
	    check_fail "no done audit row for ivan's reset"
fi

# ===== 3. purge exactness, hold/release round trip =========================
cat "$T/qids.b2" "$T/qids.a2" "$T/qids.i" >"$T/qids.later" 2>/dev/null
[ -s "$T/qids.later" ] && ! wait_settled "$T/qids.later" &&
    check_fail "the mail of sections 1-2 did not settle"
queue_state >"$T/before"
# no --yes, stdin not a tty: refused, nothing removed
act purge --account "$C" --config "$CFG"
rc=$?
[ "$rc" = 2 ] || check_fail "unconfirmed purge: exit $rc, not 2: $(said)"
queue_state | cmp -s - "$T/before" || check_fail "the unconfirmed purge changed the queue"

act purge --account "$C" --config "$CFG" --yes
rc=$?
[ "$rc" = 0 ] || check_fail "purge carol: exit $rc, not 0: $(said)"
queue_state >"$T/after"
[ -z "$(ids_in_queue any "$T/carol")" ] ||
    check_fail "carol's mail survived the purge: $(ids_in_queue any "$T/carol" |
	awk 'NR == FNR { s[$1] = $2; next } { print $1, s[$1] }' "$T/before" - | tr '\n' ' ')"
awk 'NR == FNR { c[$1] = 1; next } !($1 in c)' "$T/carol" "$T/before" >"$T/expect"
cmp -s "$T/expect" "$T/after" ||
    check_fail "after the purge, the others' mail differs: $(diff "$T/expect" "$T/after" | grep '^[<>]' | head -5 | tr '\n' ' ')"

[ "$(wc -l <"$T/dave")" = 6 ] || check_fail "dave queued $(wc -l <"$T/dave"), not 6"
act hold --account "$DV" --config "$CFG"
rc=$?
[ "$rc" = 0 ] || check_fail "hold dave: exit $rc, not 0: $(said)"
[ "$(queue_list | awk '$1 == "hold" { print $2 }')" = "$(cat "$T/dave")" ] ||
    check_fail "held messages are not exactly dave's: $(queue_list | awk '$1 == "hold"' | tr '\n' ' ')"
act release --account "$DV" --config "$CFG"
rc=$?
[ "$rc" = 0 ] || check_fail "release dave: exit $rc, not 0: $(said)"
[ -z "$(queue_list | awk '$1 == "hold"')" ] || check_fail "messages still held after releasing dave's"
queue_state | cmp -s - "$T/after" ||
    check_fail "the hold/release of dave changed the set of queued messages"

# ===== 4. injection, dry run ===============================================
snap_files()
{
	for f in "$STACK_DENY" "$MAP" "$MAP.db" "$STACK_PASSWD"; do
		cp -p "$f" "$T/snap.$(basename "$f")"
	done
	queue_state >"$T/snap.queue"
}
same_files()	# WHAT
{
	for f in "$STACK_DENY" "$MAP" "$MAP.db" "$STACK_PASSWD"; do
		cmp -s "$f" "$T/snap.$(basename "$f")" ||
		    check_fail "$1 changed $f"
	done
	queue_state | cmp -s - "$T/snap.queue" || check_fail "$1 changed the queue"
}
snap_files
bad=(
	"o'brien@$D"
	"$C;touch $T/canary"
	"\$(touch $T/canary)"
	"\`touch $T/canary\`"
	"car ol@$D"
	"$C
touch $T/canary"
	"-$C"
	"--$C"
	"ALL"
	"all"
)
for action in suspend reset-password purge; do
	for acct in "${bad[@]}"; do
		case $action/$acct in
		purge/ALL|purge/all)
			# any login the detector tracks: its own mail only
			act purge --account="$acct" --config "$CFG" --yes
			rc=$?
			[ "$rc" = 0 ] && grep -q "no queued messages of $acct" "$T/out" ||
			    check_fail "purge of $acct: exit $rc: $(said)"
			continue ;;
		esac
		shown=$(printf '%s' "$acct" | od -An -c | tr -s ' \n' ' ')
		act "$action" --account="$acct" --config "$CFG" --yes
		rc=$?
		[ "$rc" = 2 ] || check_fail "$action of [$shown]: exit $rc, not 2: $(said)"
		grep -qi refused "$T/out" "$T/err" ||
		    check_fail "$action of [$shown]: no 'refused': $(said)"
		grep -q "new password" "$T/out" &&
		    check_fail "$action of [$shown] printed a new password"
	done
done
[ -e "$T/canary" ] && check_fail "the canary file exists: an account reached a shell"
same_files "the refused accounts"

act suspend --account "$DV" --config "$CFG" --dry-run --verbose
rc=$?
[ "$rc" = 0 ] || check_fail "suspend --dry-run: exit $rc, not 0: $(said)"
grep -qF "postsuper -c $STACK_POSTFIX_CONF -h -" "$T/out" ||
    check_fail "suspend --dry-run does not print the postsuper -h command: $(said)"
act purge --account "$DV" --config "$CFG" --dry-run --verbose
rc=$?
[ "$rc" = 0 ] || check_fail "purge --dry-run: exit $rc, not 0: $(said)"
grep -qF "postsuper -c $STACK_POSTFIX_CONF -d -" "$T/out" ||
    check_fail "purge --dry-run does not print the postsuper -d command: $(said)"
act reset-password --account "$DV" --config "$CFG" --dry-run --verbose
rc=$?
[ "$rc" = 0 ] || check_fail "reset --dry-run: exit $rc, not 0: $(said)"
grep -q "new password for" "$T/out" && check_fail "reset --dry-run printed a new password"
same_files "--dry-run"
[ -e "$T/canary" ] && check_fail "the canary file exists after the dry runs"

# ===== 5. failing commands =================================================
mkconf "$T/nodoveadm.conf" doveadm /nonexistent/doveadm
act reset-password --account "$G" --config "$T/nodoveadm.conf" --yes
rc=$?
[ "$rc" = 1 ] || check_fail "reset with a missing doveadm: exit $rc, not 1: $(said)"
grep -q "FAILED" "$T/out" || check_fail "reset with a missing doveadm is not FAILED: $(said)"
grep -q "/nonexistent/doveadm" "$T/out" "$T/err" ||
    check_fail "reset with a missing doveadm does not name it: $(said)"
grep -q "new password" "$T/out" && check_fail "the failed reset printed a password"
same_files "the reset with a missing doveadm"

chmod 444 "$STACK_PASSWD"
act reset-password --account "$G" --config "$CFG" --yes
rc=$?
chmod 644 "$STACK_PASSWD"
[ "$rc" = 1 ] || check_fail "reset with a read-only passwd-file: exit $rc, not 1: $(said)"
grep -q "FAILED" "$T/out" || check_fail "reset with a read-only passwd-file is not FAILED: $(said)"
grep -q "read-only" "$T/out" "$T/err" ||
    check_fail "reset with a read-only passwd-file does not say read-only: $(said)"
same_files "the reset with a read-only passwd-file"

act reset-password --account "nope@$D" --config "$CFG" --yes
rc=$?
[ "$rc" = 1 ] || check_fail "reset of an unknown account: exit $rc, not 1: $(said)"
grep -q "FAILED" "$T/out" || check_fail "reset of an unknown account is not FAILED: $(said)"
grep -q "no account nope@$D" "$T/out" "$T/err" ||
    check_fail "reset of an unknown account does not say so: $(said)"
same_files "the reset of an unknown account"

mkdir "$T/emptycf"
mkconf "$T/nopostmap.conf" postfix_config "$T/emptycf"
act suspend --account "$J" --config "$T/nopostmap.conf"
rc=$?
[ "$rc" = 1 ] || check_fail "suspend with a failing postmap: exit $rc, not 1: $(said)"
grep -q "FAILED" "$T/out" || check_fail "suspend with a failing postmap is not FAILED: $(said)"
grep -q "postmap" "$T/out" "$T/err" ||
    check_fail "suspend with a failing postmap does not mention postmap: $(said)"
grep -qxF "$J" "$STACK_DENY" && check_fail "judy kept in the deny file after the failed suspend"
same_files "the suspend with a failing postmap"
wait_dovecot_sees "$STACK_DENY"
if echo "send $J $(pw "$J") 127.0.0.80 1 1 j@remote.test" | mailgen "$T/qids.j"; then
	wait_settled "$T/qids.j" || check_fail "judy's message did not settle"
else
	check_fail "judy cannot send after the failed (undone) suspend: $(cat "$T/gen")"
fi
snap_files

mkconf "$T/nodeny.conf" deny_file ""
grep -q deny_file "$T/nodeny.conf" && check_fail "mkconf did not drop deny_file"
act suspend --account "$J" --config "$T/nodeny.conf"
rc=$?
[ "$rc" = 2 ] || check_fail "suspend without deny_file: exit $rc, not 2: $(said)"
grep -q "deny_file" "$T/out" "$T/err" ||
    check_fail "suspend without deny_file does not name the key: $(said)"
same_files "the suspend without deny_file"

# --- the audit
n=$(audit_q "SELECT count(*) FROM audit WHERE account = ? AND
    action = 'reset-password' AND state = 'failed' AND stderr LIKE ?" \
    "$G" "%/nonexistent/doveadm%")
[ "$n" -ge 1 ] || check_fail "no failed audit row with the missing doveadm's stderr"
n=$(audit_q "SELECT count(*) FROM audit WHERE account = ? AND
    action = 'reset-password' AND state = 'failed' AND stderr LIKE ?" \
    "$G" "%read-only%")
[ "$n" -ge 1 ] || check_fail "no failed audit row saying read-only"
n=$(audit_q "SELECT count(*) FROM audit WHERE account = ? AND
    state = 'failed' AND stderr LIKE ?" "nope@$D" "%no account nope@$D%")
[ "$n" -ge 1 ] || check_fail "no failed audit row for the unknown account"
n=$(audit_q "SELECT count(*) FROM audit WHERE account = ? AND
    action = 'suspend' AND state = 'failed' AND stderr LIKE ?" "$J" "%postmap%")
[ "$n" -ge 1 ] || check_fail "no failed audit row with postmap's stderr for judy"
n=$(audit_q "SELECT count(*) FROM audit WHERE account = ? AND
    action = 'suspend' AND command LIKE 'mailcon-deny-add %'" "$J")
[ "$n" = 0 ] || check_fail "judy's logins were touched after refusing her mail failed"
n=$(audit_q "SELECT count(*) FROM audit WHERE account IN (?, ?) AND
    action = 'reset-password' AND state <> 'failed'" "$G" "nope@$D")
[ "$n" = 0 ] || check_fail "$n failed resets are not audited as failed"
OPERATOR=$(id -un)
[ "$(id -u)" = 0 ] && [ -n "${SUDO_USER:-}" ] && OPERATOR=$SUDO_USER
n=$(audit_q "SELECT count(*) FROM audit WHERE action = 'suspend' AND
    account = ? AND state = 'done' AND operator = ? AND server = 'lab' AND
    verified = 'ok' AND exit_status = 0 AND finished IS NOT NULL AND
    (command LIKE 'mailcon-deny-add %' OR command LIKE 'mailcon-map-add %' OR
    command LIKE 'postsuper % -h -')" "$A" "$OPERATOR")
[ "$n" = 3 ] || check_fail "alice's suspend: $n of 3 steps audited done+verified (deny, map, hold)"
n=$(audit_q "SELECT count(*) FROM audit WHERE state = 'intent'")
[ "$n" = 0 ] || check_fail "$n audit rows stuck in state intent"
n=$(audit_q "SELECT count(*) FROM audit WHERE account LIKE '%canary%' OR
    account = 'ALL' OR account LIKE '%''%'")
[ "$n" = 0 ] || check_fail "a refused account has audit rows"

[ "$failed" = 0 ] && echo "ok: suspend, unsuspend, reset, purge, hold/release, injection, failures"
exit "$failed"
