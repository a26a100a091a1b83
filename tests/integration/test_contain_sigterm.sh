#!/bin/bash
# test_contain_sigterm.sh: where a session's connection cannot be cut, a
# suspension ends it with a signal to its smtpd, and to nothing else, on a
# real Postfix + Dovecot (tests/integration/stack.sh), without a policy
# service.
#
# Two clients of the test's authenticate (judy, carol), send one message
# each and keep their sessions open (tests/integration/slowclient.py);
# two processes of the test (sleep) are named in forged log lines as
# judy's and carol's smtpd.  Both sessions are opened before any signal: a SIGTERMed smtpd in
# its first session makes the master spawn no new smtpd for a while.
#
#  1. No ss in PATH (a stand-in that is "not found"): `mailcon act suspend`
#     of judy ends her session by a signal, and says so; her next message
#     is refused (the connection is gone); the forged pid survives, and
#     so does carol's smtpd.
#  2. An ss that lists sockets but cannot destroy them (a kernel without
#     sock_destroy): the suspension of carol ends her session by a
#     signal, and says so; the forged pids still survive.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/stack.sh"
stack_test sigt
export STACK_AUTH_PENALTY=0
SLOW1= SLOW2= FORGED1= FORGED2=

test_cleanup()
{
	[ -n "$SLOW1" ] && kill "$SLOW1" 2>/dev/null
	[ -n "$SLOW2" ] && kill "$SLOW2" 2>/dev/null
	[ -n "$FORGED1" ] && kill "$FORGED1" 2>/dev/null
	[ -n "$FORGED2" ] && kill "$FORGED2" 2>/dev/null
}

[ -x "$MAILCON" ] || { echo "no $MAILCON (run make)"; exit 1; }
SS=$(command -v ss) || { echo "no ss (iproute2) here"; exit 1; }
. "$HERE/actlib.sh"

# PATH stand-ins for ss: "not found", and one that cannot destroy sockets
mkdir -p "$T/noss" "$T/nokill"
printf '#!/bin/sh\necho "ss: not found" >&2\nexit 127\n' >"$T/noss/ss"
cat >"$T/nokill/ss" <<EOF
#!/bin/sh
for a; do
	case "\$a" in
	-K|-*K*) echo "\$*" >>"$T/nokill.calls"; exit 1 ;;
	esac
done
exec "$SS" "\$@"
EOF
chmod 755 "$T/noss/ss" "$T/nokill/ss"

stack_start "$S" || die "the mail stack did not start"
DOM=$STACK_DOMAIN
J=judy@$DOM C=carol@$DOM
pw() { awk -v u="$1" '$1 == u { print $2 }' "$STACK_USERS"; }
CFG=$T/config
{
	printf '[console]\nhistory = %s\n' "$T/history.db"
	stack_mailcon_server mx
} >"$CFG"

# gone PID: up to 30 s until the process has exited.
gone()
{
	for _ in $(seq 300); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# open_session LOGIN SRC STATUS GO: a slow session (its client's pid in
# SPID), served by the smtpd whose pid is put in SMTPD
open_session()
{
	local qid
	python3 "$HERE/slowclient.py" "$STACK_SUBMIT_PORT" "$1" "$(pw "$1")" \
	    "$2" "$3" "$4" </dev/null >/dev/null 2>"$3.err" &
	SPID=$!
	wait_for "$3" "^first 250 [0-9A-F]" ||
	    die "the slow client of $1 sent nothing: $(cat "$3" "$3.err")"
	qid=$(awk '$1 == "first" { print $3 }' "$3")
	wait_for "$STACK_POSTFIX_LOG" "$qid: client=.*sasl_username=$1" ||
	    die "no login line of $1's slow session in the log"
	SMTPD=$(sed -n "s/.*smtpd\[\([0-9]*\)\]: $qid: client=.*/\1/p" \
	    "$STACK_POSTFIX_LOG" | tail -n 1)
}

open_session "$J" 127.0.9.1 "$T/slow1" "$T/go1"
SLOW1=$SPID P1=$SMTPD
open_session "$C" 127.0.9.2 "$T/slow2" "$T/go2"
SLOW2=$SPID P2=$SMTPD
[ -n "$P1" ] && [ -n "$P2" ] && [ "$P1" != "$P2" ] ||
    die "not two smtpd pids: '$P1' '$P2'"

# processes of ours, named in forged lines as judy's and carol's smtpd
sleep 300 &
FORGED1=$!
sleep 300 &
FORGED2=$!
forge()		# LOGIN PID
{
	grep "client=.*sasl_username=$1\$" "$STACK_POSTFIX_LOG" | tail -n 1 |
	    sed "s/smtpd\[[0-9]*\]/smtpd[$2]/;
	    s/\]: [0-9A-F]*: client=/]: ABCDEF12345: client=/" \
	    >>"$STACK_POSTFIX_LOG"
	grep -q "smtpd\[$2\]: ABCDEF12345: client=.*sasl_username=$1\$" \
	    "$STACK_POSTFIX_LOG" || die "the forged line of $1 is not in the log"
}
forge "$J" "$FORGED1"
forge "$C" "$FORGED2"

# --- 1. no ss: judy's session ended by a signal ---------------------------
PATH="$T/noss:$PATH" act suspend --account "$J" --config "$CFG"
rc=$?
[ "$rc" = 0 ] || check_fail "suspend judy without ss: exit $rc: $(said)"
grep -q "^suspend $J on mx: done" "$T/out" || check_fail "not done: $(said)"
grep -q "1 open SMTP session ended, 1 process id of the log left alone.* (1 by a signal to its process" \
    "$T/out" ||
    check_fail "the result does not say one ended by a signal, one left alone: $(said)"
kill -0 "$FORGED1" 2>/dev/null ||
    check_fail "the process named by judy's forged line was signalled (no ss)"
kill -0 "$P2" 2>/dev/null ||
    check_fail "carol's smtpd $P2 was signalled by judy's suspension"
touch "$T/go1"
wait_for "$T/slow1" "^second" || check_fail "judy's slow client never tried again"
grep -q "^second closed" "$T/slow1" ||
    check_fail "judy's open session sent on after the suspension: $(cat "$T/slow1")"
gone "$P1" || check_fail "judy's smtpd $P1 is still running"

# --- 2. ss that cannot destroy: carol's session ended by a signal ---------
PATH="$T/nokill:$PATH" act suspend --account "$C" --config "$CFG"
rc=$?
[ "$rc" = 0 ] || check_fail "suspend carol, ss -K failing: exit $rc: $(said)"
grep -q "^suspend $C on mx: done" "$T/out" || check_fail "not done: $(said)"
[ -s "$T/nokill.calls" ] || check_fail "ss -K was never tried: $(said)"
grep -q "1 open SMTP session ended, 1 process id of the log left alone.* (1 by a signal to its process" \
    "$T/out" ||
    check_fail "the result does not say one ended by a signal, one left alone: $(said)"
kill -0 "$FORGED1" 2>/dev/null && kill -0 "$FORGED2" 2>/dev/null ||
    check_fail "a process named by a forged line was signalled (ss -K failing)"
touch "$T/go2"
wait_for "$T/slow2" "^second" || check_fail "carol's slow client never tried again"
grep -q "^second closed" "$T/slow2" ||
    check_fail "carol's open session sent on after the suspension: $(cat "$T/slow2")"
n=$(audit_q "SELECT count(*) FROM audit WHERE account = ? AND
    action = 'suspend' AND state = 'done' AND
    command LIKE '%mailcon-smtpd-end%$FORGED2%'" "$C")
[ "$n" = 1 ] || check_fail "no audited smtpd-end step naming carol's pids: $n"
gone "$P2" || check_fail "carol's smtpd $P2 is still running"
wait "$SLOW1" "$SLOW2" 2>/dev/null
SLOW1= SLOW2=

[ $failed -eq 0 ] && echo "contain sigterm: all checks passed"
exit $failed
