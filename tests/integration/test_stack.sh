#!/bin/bash
# test_stack.sh: the test mail stack itself (stack.sh) reads nothing of the
# machine's Postfix configuration: its services are exactly those of the
# master.cf shipped beside stack.sh plus the two loopback listeners, none
# chrooted, whatever /etc/postfix/master.cf holds; and it starts, takes an
# authenticated message and stops by pid.
#
# Environment: none.  Needs root, Postfix, Dovecot, python3 (tests/deps.sh).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/stack.sh"
stack_test stack

stack_start "$S" || die "the mail stack did not start"

# service/type of each line of a master.cf on stdin (no continuation lines)
services()
{
	awk '!/^#/ && !/^[ \t]/ && NF { print $1 "/" $2 }' | sort
}

want=$( { services <"$HERE/master.cf"
	echo "127.0.0.1:$STACK_SMTP_PORT/inet"
	echo "127.0.0.1:$STACK_SUBMIT_PORT/inet"; } | sort)
got=$(postconf -c "$STACK_POSTFIX_CONF" -M | services)
[ "$got" = "$want" ] ||
    fail "the stack's services are not the shipped master.cf's: $(diff <(echo "$want") <(echo "$got") | grep '^[<>]' | tr '\n' ' ')"
postconf -c "$STACK_POSTFIX_CONF" -F '*/*/chroot' | grep -v ' = n$' |
    grep . && fail "a service of the stack runs chrooted"

pw=$(awk '$1 == "alice@example.test" { print $2 }' "$STACK_USERS")
echo "send alice@example.test $pw 127.0.0.33 1 1 x@remote.test" |
    python3 "$HERE/mailgen.py" --port "$STACK_SUBMIT_PORT" >"$T/mg" 2>&1 ||
    fail "an authenticated message was not taken: $(cat "$T/mg")"
daemons=$(awk '{ print $2 }' "$STACK_PIDS")
stack_stop "$S"
for p in $daemons; do
	kill -0 "$p" 2>/dev/null && fail "stack_stop left pid $p running"
done

[ "$failed" = 0 ] && echo "test_stack: shipped master.cf, no chroot, mail taken, stopped by pid"
exit "$failed"
