#!/bin/bash
# test_postsuper.sh: hold, release and purge one account's queued mail
# through console/act/queue_op.c, as Postfix's backend describes it, against
# a real Postfix (tests/integration/stack.sh).  alice and bob queue mail (the
# relayhost is closed, so it stays deferred); alice's queue ids, taken from postqueue -j by sender, are held,
# released and purged by postsuper_driver.c; postqueue -j must show exactly
# those moved and bob's untouched.  Also: a list with "ALL" in it is refused
# and changes nothing; a non-root run fails with Postfix's own message.
#
# Environment: MAILCON (the binary; build/libmailcon.a is looked for next
# to it, else in build/).  Needs root, cc, pkg-config, python3.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/stack.sh"
stack_test ps

LIB=$ROOT/build/libmailcon.a
[ -f "$(dirname "$MAILCON")/libmailcon.a" ] &&
    LIB=$(dirname "$MAILCON")/libmailcon.a

# Print "QUEUE_NAME QUEUE_ID SENDER" for every queued message.
queue_list()
{
	postqueue -c "$STACK_POSTFIX_CONF" -j | python3 -c '
import json, sys
for line in sys.stdin:
    j = json.loads(line)
    print(j["queue_name"], j["queue_id"], j["sender"] or "<>")'
}

# Sorted queue ids of SENDER in the queue QUEUE ("any" for all).
ids_of()
{
	queue_list | awk -v s="$1" -v q="$2" \
	    '$3 == s && (q == "any" || $1 == q) { print $2 }' | sort
}

# Wait up to 20 s until N messages are queued, all of them deferred.
wait_deferred()
{
	local n=$1
	for _ in $(seq 200); do
		[ "$(queue_list | awk '$1 == "deferred"' | wc -l)" = "$n" ] &&
		    [ "$(queue_list | wc -l)" = "$n" ] && return 0
		sleep 0.1
	done
	return 1
}

# Run the driver: OP, ids on stdin; its summary line in $T/out.
driver()
{
	"$T/driver" -c "$STACK_POSTFIX_CONF" -t 30000 "$@" >"$T/out" 2>"$T/err"
}

[ -f "$LIB" ] || { echo "no $LIB (run make)"; exit 1; }
# shellcheck disable=SC2046
cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
    -I"$ROOT/console" -I"$ROOT" -o "$T/driver" \
    "$HERE/postsuper_driver.c" "$LIB" \
    $(make -s --no-print-directory -C "$ROOT" print-libs) ||
    { echo "cannot build the driver"; exit 1; }

stack_start "$S" || exit 1
A=alice@$STACK_DOMAIN
B=bob@$STACK_DOMAIN
C=carol@$STACK_DOMAIN
pw() { awk -v u="$1" '$1 == u { print $2 }' "$STACK_USERS"; }
{
	echo "send $A $(pw "$A") 127.0.0.11 30 10 x@remote.test"
	echo "send $B $(pw "$B") 127.0.0.12 20 10 y@remote.test"
	echo "send $C $(pw "$C") 127.0.0.13 1 1 z@remote.test"
} | python3 "$MAILGEN" --port "$STACK_SUBMIT_PORT" -j 3 >"$T/gen" ||
    { cat "$T/gen"; echo "mailgen failed"; exit 1; }
wait_deferred 51 || { queue_list; echo "mail did not settle in deferred"; exit 1; }

ids_of "$A" any >"$T/alice"
ids_of "$B" any >"$T/bob"
[ "$(wc -l <"$T/alice")" = 30 ] || check_fail "alice has $(wc -l <"$T/alice") queued, not 30"
[ "$(wc -l <"$T/bob")" = 20 ] || check_fail "bob has $(wc -l <"$T/bob") queued, not 20"

# A list with ALL (or any bad id) in it: refused, nothing changes.
{ head -n 5 "$T/alice"; echo ALL; } | driver delete
rc=$?
[ "$rc" = 2 ] || check_fail "a list with ALL: exit $rc, not 2"
grep -q '"ALL"' "$T/err" || check_fail "the refusal does not name ALL: $(cat "$T/err")"
[ "$(queue_list | wc -l)" = 51 ] || check_fail "the refused list changed the queue"

# Hold alice's: exactly those are in hold, bob's untouched.
driver hold <"$T/alice" || check_fail "hold failed: $(cat "$T/err")"
grep -q '^requested=30 done=30 not_done=0 lines=30 errors=0 batches=1/1 exit=0$' \
    "$T/out" || check_fail "hold: $(cat "$T/out")"
[ "$(queue_list | awk '$1 == "hold" { print $2 }' | sort)" = "$(cat "$T/alice")" ] ||
    check_fail "hold queue is not exactly alice's mail: $(queue_list | grep hold)"
[ "$(ids_of "$B" deferred)" = "$(cat "$T/bob")" ] ||
    check_fail "bob's mail moved during the hold"

# Held again: nothing to do, reported as not done, still a success.
driver hold <"$T/alice" || check_fail "second hold failed: $(cat "$T/err")"
grep -q '^requested=30 done=0 not_done=30 ' "$T/out" ||
    check_fail "second hold: $(cat "$T/out")"

# One message: Postfix says "1 message".
ids_of "$C" any | driver hold || check_fail "carol's hold failed: $(cat "$T/err")"
grep -q '^requested=1 done=1 ' "$T/out" || check_fail "carol's hold: $(cat "$T/out")"

# Release: alice's leave hold (deferred or active again), all still there.
driver release <"$T/alice" || check_fail "release failed: $(cat "$T/err")"
grep -q '^requested=30 done=30 not_done=0 lines=30 ' "$T/out" ||
    check_fail "release: $(cat "$T/out")"
[ -z "$(ids_of "$A" hold)" ] || check_fail "alice's mail is still held"
[ "$(ids_of "$A" any)" = "$(cat "$T/alice")" ] ||
    check_fail "alice's mail is not all queued after the release"
[ "$(ids_of "$B" deferred)" = "$(cat "$T/bob")" ] ||
    check_fail "bob's mail moved during the release"

# Not root: Postfix refuses, the run fails with its message.
command -v setpriv >/dev/null ||
    check_fail "no setpriv (util-linux): the non-root purge cannot run as nobody"
if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$T/driver" -c "$STACK_POSTFIX_CONF" delete <"$T/alice" \
	    >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" = 1 ] || check_fail "non-root purge: exit $rc, not 1"
	grep -q 'reserved for the superuser' "$T/err" ||
	    check_fail "non-root purge: $(cat "$T/err")"
	grep -q ' done=0 ' "$T/out" || check_fail "non-root purge: $(cat "$T/out")"
	[ "$(ids_of "$A" any)" = "$(cat "$T/alice")" ] ||
	    check_fail "the failed purge removed mail"
fi

# Purge: alice's are gone, bob's and carol's remain.
driver delete <"$T/alice" || check_fail "purge failed: $(cat "$T/err")"
grep -q '^requested=30 done=30 not_done=0 lines=30 errors=0 batches=1/1 exit=0$' \
    "$T/out" || check_fail "purge: $(cat "$T/out")"
[ -z "$(ids_of "$A" any)" ] || check_fail "alice's mail is still queued: $(ids_of "$A" any)"
[ "$(ids_of "$B" deferred)" = "$(cat "$T/bob")" ] ||
    check_fail "bob's mail changed during the purge"
[ "$(ids_of "$C" hold | wc -l)" = 1 ] || check_fail "carol's held message changed"

# Purged again: none found, none done.
driver delete <"$T/alice" || check_fail "second purge failed: $(cat "$T/err")"
grep -q '^requested=30 done=0 not_done=30 ' "$T/out" ||
    check_fail "second purge: $(cat "$T/out")"

[ "$failed" = 0 ] && echo "ok: hold, release, purge of one account's 30 messages"
exit "$failed"
