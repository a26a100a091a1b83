#!/bin/bash
# test_contain_tail.sh: a suspension ends the account's sessions that are
# already open, on a real Postfix + Dovecot (tests/integration/stack.sh),
# without a policy service.
#
#  1. A client of the test's authenticates as judy, sends one message and
#     keeps its session open (tests/integration/slowclient.py); a process
#     of the test (sleep) is named in a forged log line as judy's smtpd.
#     `mailcon act suspend` ends the real session by cutting its
#     connection (its smtpd is not killed): its next message is
#     refused (the connection is gone), the message it had queued is held,
#     and the forged pid is left alone (it is not this Postfix's smtpd):
#     the process survives.  The audit has the step; the result says
#     what it did in numbers.  A session of judy's that ended before
#     ("disconnect from") is not hers any more: its smtpd is left alone.
#     A session of alice's that authenticated and sent nothing yet (no
#     line names its smtpd; Dovecot's auth line names its address) is
#     ended too: its first message is refused (the connection is gone).
#  2. A pid that exited between the log line and the suspension is
#     skipped, not an error.
#  3. Purge with one queue read: exactly carol's messages go, forged
#     senders included, the others stay; checked by postsuper's own
#     report (and with --verify by a second read).  A purge killed with
#     kill -9 mid-way is in the audit (intent, no outcome); a second
#     purge finishes the job and counts only what it removed.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/stack.sh"
stack_test tail
export STACK_AUTH_PENALTY=0
SLOW_PID= FORGED_PID=

test_cleanup()
{
	[ -n "$SLOW_PID" ] && kill "$SLOW_PID" 2>/dev/null
	[ -n "$FORGED_PID" ] && kill "$FORGED_PID" 2>/dev/null
}

[ -x "$MAILCON" ] || { echo "no $MAILCON (run make)"; exit 1; }
. "$HERE/actlib.sh"

stack_start "$S" || die "the mail stack did not start"
DOM=$STACK_DOMAIN
J=judy@$DOM
pw() { awk -v u="$1" '$1 == u { print $2 }' "$STACK_USERS"; }
CFG=$T/config
{
	printf '[console]\nhistory = %s\n' "$T/history.db"
	stack_mailcon_server mx
} >"$CFG"

# --- 1. an open session ended; a forged pid left alone --------------------
python3 "$HERE/slowclient.py" "$STACK_SUBMIT_PORT" "$J" "$(pw "$J")" \
    127.0.7.1 "$T/slow" "$T/go" 2>"$T/slow.err" &
SLOW_PID=$!
wait_for "$T/slow" "^first 250 [0-9A-F]" ||
    die "the slow client sent nothing: $(cat "$T/slow" "$T/slow.err")"
QID=$(awk '$1 == "first" { print $3 }' "$T/slow")
echo "$QID" >"$T/slow.qid"
wait_for "$STACK_POSTFIX_LOG" "$QID: client=.*sasl_username=$J" ||
    die "no login line of the slow session in the log"

# a process of ours, named in a forged line as judy's smtpd
sleep 300 &
FORGED_PID=$!
grep "$QID: client=.*sasl_username=$J" "$STACK_POSTFIX_LOG" | tail -n 1 |
    sed "s/smtpd\[[0-9]*\]/smtpd[$FORGED_PID]/; s/$QID/ABCDEF12345/" \
    >>"$STACK_POSTFIX_LOG"
grep -q "smtpd\[$FORGED_PID\]" "$STACK_POSTFIX_LOG" ||
    die "the forged line is not in the log"

# a session of judy's that ended ("disconnect from"): its smtpd, idle now
# (or serving another client), is not hers any more and is left alone
echo "send $J $(pw "$J") 127.0.7.2 1 1 q@remote.test" | mailgen "$T/qquick" ||
    die "mailgen: $(cat "$T/gen")"
QQ=$(awk '{ print $1 }' "$T/qquick")
wait_for "$STACK_POSTFIX_LOG" "$QQ: client=.*sasl_username=$J" ||
    die "no login line of the ended session in the log"
IDLE=$(sed -n "s/.*smtpd\[\([0-9]*\)\]: $QQ: client=.*/\1/p" \
    "$STACK_POSTFIX_LOG" | tail -n 1)
wait_for "$STACK_POSTFIX_LOG" "smtpd\[$IDLE\]: disconnect from" ||
    die "no end of the ended session in the log"
kill -0 "$IDLE" 2>/dev/null || die "the ended session's smtpd $IDLE is gone"

act suspend --account "$J" --config "$CFG"
rc=$?
[ "$rc" = 0 ] || check_fail "suspend judy: exit $rc: $(said)"
grep -q "^suspend $J on mx: done" "$T/out" || check_fail "not done: $(said)"
grep -q "1 open SMTP session ended, 1 process id of the log left alone" \
    "$T/out" || check_fail "the result does not say one ended, one left alone: $(said)"
kill -0 "$IDLE" 2>/dev/null ||
    check_fail "the smtpd of judy's ended session ($IDLE) was signalled"
# the open session ended by cutting its connection: no smtpd killed (the
# master would spawn no new smtpd for service_throttle_time)
grep -E "smtpd pid [0-9]+ killed by signal|smtpd: bad command startup" \
    "$STACK_POSTFIX_LOG" >"$T/killed" &&
    check_fail "an smtpd was killed: $(cat "$T/killed")"
grep -q "by a signal" "$T/out" &&
    check_fail "a session was ended by a signal: $(said)"
grep -q "messages queued after it was flagged\|messages queued in all" \
    "$T/out" || check_fail "the result has no numbers: $(said)"
kill -0 "$FORGED_PID" 2>/dev/null ||
    check_fail "the process named by the forged line was signalled"
touch "$T/go"
wait_for "$T/slow" "^second" || check_fail "the slow client never tried again"
grep -q "^second closed" "$T/slow" ||
    check_fail "the open session sent on after the suspension: $(cat "$T/slow")"
wait "$SLOW_PID" 2>/dev/null
SLOW_PID=
[ "$(ids_in_queue hold "$T/slow.qid")" = "$QID" ] ||
    check_fail "the open session's message is not on hold: $(queue_list)"
n=$(audit_q "SELECT count(*) FROM audit WHERE account = ? AND
    action = 'suspend' AND state = 'done' AND
    command LIKE '%mailcon-smtpd-end%$FORGED_PID%'" "$J")
[ "$n" = 1 ] || check_fail "no audited smtpd-end step naming the pids: $n"

# an idle session of alice's: authenticated, nothing sent
A=alice@$DOM
python3 "$HERE/slowclient.py" "$STACK_SUBMIT_PORT" "$A" "$(pw "$A")" \
    127.0.7.3 "$T/idle" "$T/idle.go" idle 2>"$T/idle.err" &
SLOW_PID=$!
wait_for "$T/idle" "^first 235" ||
    die "the idle client did not log in: $(cat "$T/idle" "$T/idle.err")"
wait_for "$STACK_DOVECOT_LOG" "($A,127\.0\.7\.3)" ||
    die "no auth line of the idle session in Dovecot's log"
# the instance's directories configured: the step takes them (no
# postconf) and the checks still find this instance's master and smtpd
QDIR=$(postconf -c "$STACK_POSTFIX_CONF" -h queue_directory)
DDIR=$(postconf -c "$STACK_POSTFIX_CONF" -h daemon_directory)
{
	cat "$CFG"
	printf 'postfix_queue_directory = %s\n' "$QDIR"
	printf 'postfix_daemon_directory = %s\n' "$DDIR"
} >"$T/config.dirs"
act suspend --account "$A" --config "$T/config.dirs"
rc=$?
[ "$rc" = 0 ] || check_fail "suspend alice: exit $rc: $(said)"
grep -q "1 open SMTP session ended" "$T/out" ||
    check_fail "alice's idle session was not ended: $(said)"
n=$(audit_q "SELECT count(*) FROM audit WHERE account = ? AND
    action = 'suspend' AND state = 'done' AND
    command LIKE '%mailcon-smtpd-end%' AND command LIKE ?" "$A" "%$QDIR%")
[ "$n" = 1 ] || check_fail "no smtpd-end step given the queue directory: $n"
touch "$T/idle.go"
wait_for "$T/idle" "^second" || check_fail "the idle client never sent"
# closed, not refused at RCPT: its connection was cut
grep -q "^second closed" "$T/idle" && ! grep -q "Refused" "$T/idle" ||
    check_fail "the idle session was not cut: $(cat "$T/idle")"
wait "$SLOW_PID" 2>/dev/null
SLOW_PID=
act unsuspend --account "$A" --config "$CFG" ||
    check_fail "unsuspend alice: $(said)"

# a wrong daemon directory: no master of it there, nothing ended, said
sed "s|^postfix_daemon_directory = .*|postfix_daemon_directory = $T/nodaemon|" \
    "$T/config.dirs" >"$T/config.bad"
act suspend --account "$A" --config "$T/config.bad"
grep -q "no Postfix master running for $QDIR.* from $T/nodaemon/master" \
    "$T/out" "$T/err" ||
    check_fail "a wrong daemon directory was not reported: $(said)"
act unsuspend --account "$A" --config "$CFG" ||
    check_fail "unsuspend alice again: $(said)"

# --- 2. a pid that exited since its line: skipped -------------------------
kill "$FORGED_PID"
wait "$FORGED_PID" 2>/dev/null
act suspend --account "$J" --config "$CFG"
rc=$?
[ "$rc" = 0 ] || check_fail "suspend again: exit $rc: $(said)"
grep -q "0 open SMTP sessions ended, [0-9]* process ids\? of the log left alone" \
    "$T/out" || check_fail "exited pids not skipped: $(said)"

# --- 3. purge: one read, exact, killed mid-way, finished ------------------
C=carol@$DOM B=bob@$DOM
{
	echo "send $C $(pw "$C") 127.0.8.1 1500 500 x@remote.test"
	echo "sendas $C $(pw "$C") 127.0.8.2 500 500 y@remote.test ceo@bank.test"
	echo "send $B $(pw "$B") 127.0.8.3 200 100 z@remote.test"
} | mailgen "$T/qids" || die "mailgen: $(cat "$T/gen")"
wait_settled "$T/qids" || die "the mail did not settle"
ids_of_login "$C" "$T/qids" >"$T/carol"
ids_of_login "$B" "$T/qids" >"$T/bob"
[ "$(wc -l <"$T/carol")" = 2000 ] || die "carol queued $(wc -l <"$T/carol")"

# killed once its intent is durable (postsuper may have started)
timeout 120 "$MAILCON" act purge --account "$C" --config "$CFG" --yes \
    >"$T/out1" 2>&1 </dev/null &
act_pid=$!
for _ in $(seq 200); do
	[ "$(audit_q "SELECT count(*) FROM audit WHERE account = ? AND
	    action = 'purge' AND state = 'intent'" "$C")" = 1 ] && break
	sleep 0.05
done
kill -9 "$act_pid" 2>/dev/null
wait "$act_pid" 2>/dev/null
[ "$(audit_q "SELECT count(*) FROM audit WHERE account = ? AND
    action = 'purge' AND state = 'intent'" "$C")" = 1 ] ||
    check_fail "the killed purge has no intent row in the audit"
# postsuper, in its own process group, may still be finishing its batch
for _ in $(seq 100); do
	pgrep -f "postsuper -c $STACK_POSTFIX_CONF -d" >/dev/null || break
	sleep 0.1
done
left=$(ids_in_queue any "$T/carol" | wc -l)
act purge --account "$C" --config "$CFG" --yes
rc=$?
[ "$rc" = 0 ] || check_fail "the second purge: exit $rc: $(said)"
if [ "$left" = 0 ]; then
	grep -q "no queued messages of $C to purge" "$T/out" ||
	    check_fail "nothing left, yet: $(said)"
else
	grep -q "$left of $left queued messages\? purged" "$T/out" ||
	    check_fail "the second purge does not count the $left it removed: $(said)"
	grep -q "verification: postsuper's report: all $left removed" "$T/out" ||
	    check_fail "not checked by postsuper's report: $(said)"
fi
[ -z "$(ids_in_queue any "$T/carol")" ] ||
    check_fail "carol's mail is still queued: $(ids_in_queue any "$T/carol" | wc -l)"
[ "$(ids_in_queue any "$T/bob")" = "$(cat "$T/bob")" ] ||
    check_fail "bob's mail was touched"
echo "purge: the killed run left $left of carol's 2000, the second removed them"

# --verify: a second read checks every id
echo "send $C $(pw "$C") 127.0.8.5 20 20 v@remote.test" |
    mailgen "$T/qids2" || die "mailgen: $(cat "$T/gen")"
wait_settled "$T/qids2" || die "the mail did not settle"
act purge --account "$C" --config "$CFG" --yes --verify
grep -q "verification: postqueue -j: none of the 20 is queued any more" \
    "$T/out" || check_fail "--verify did not read the queue again: $(said)"

[ $failed -eq 0 ] && echo "contain tail: all checks passed"
exit $failed
