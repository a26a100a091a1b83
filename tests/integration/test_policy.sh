#!/bin/bash
# test_policy.sh: `watch --headless` contains only an account that is
# critical backed by two kinds of evidence, never on one kind (and never
# on volume alone), and prints the policy and the evidence with the action.
# A followed log file gets, stamped now:
#  - lone@: 25 addresses log in one after another, one message each, a
#    minute apart at most two: critical on where it logs in from alone:
#    told once that it is not contained yet, never suspended;
#  - bulk@: a steady 300 messages in a minute from its one address (a
#    newsletter): volume alone, watch, nothing said or done;
#  - duo@: 20 addresses then 60 messages in one minute: critical on logins
#    and volume: suspended (a suspend_command script notes the name), its
#    action line carrying the policy and both kinds of evidence;
#  - then lone@ sends 60 messages in a minute: the second kind came, and
#    it is contained too.
# No mail system is needed: the suspend is a script of the test's.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/stack.sh"	# wait_file; no stack is started
. "$HERE/policylib.sh"
test_init policy

policy_watch 0
wait_file "server mx is live" "$T/out" 20 ||
    die "watch did not start: $(cat "$T/out" "$T/err")"

# lone@: 25 addresses, a few seconds apart: one kind
for k in 0 5 10 15 20; do
	policy_lines lone@example.test $((1 + k)) 5 1 >>"$T/mail.log"
	sleep 2
done
wait_file "lone@example.test on mx reached critical: not contained yet" \
    "$T/out" 20 || fail "lone: no 'not contained yet': $(cat "$T/out")"
grep -q "lone@example.test on mx reached critical: not contained yet: the policy acts on critical backed by two kinds of evidence, and it has logins from many or new places" "$T/out" ||
    fail "lone: the line does not say which evidence: $(grep lone "$T/out")"
# bulk@: one address, 300 messages
policy_lines bulk@example.test 150 1 300 >>"$T/mail.log"
# duo@: 20 addresses, three messages each, then 60 more from the last
policy_lines duo@example.test 60 20 3 >>"$T/mail.log"
wait_file "suspend duo@example.test on mx: done" "$T/out" 30 ||
    fail "duo was not contained: $(cat "$T/out" "$T/err")"
grep "suspend duo@example.test on mx: done" "$T/out" |
    grep -q "policy: contain at critical backed by two kinds of evidence; evidence: logins from many or new places, volume: .*authenticated in 10 min.*msgs in one minute" ||
    fail "duo: the action line lacks the policy or its evidence: $(grep duo "$T/out")"
grep -q "duo@example.test on mx: policy: contain at critical" "$T/out" ||
    fail "duo: no policy line before the action: $(grep duo "$T/out")"
# lone@ gets its second kind: 60 messages in a minute from its addresses
policy_lines lone@example.test 1 20 3 >>"$T/mail.log"
wait_file "suspend lone@example.test on mx: done" "$T/out" 30 ||
    fail "lone was not contained when a second kind came: $(cat "$T/out")"
sleep 1
stop_pids $pids
pids=
[ "$(sort "$T/suspended")" = "duo@example.test
lone@example.test" ] || fail "suspended: $(cat "$T/suspended")"
[ "$(grep -c "lone@example.test on mx reached critical: not contained yet" "$T/out")" = 1 ] ||
    fail "lone: 'not contained yet' said more than once: $(grep lone "$T/out")"
if grep -E "bulk@example.test" "$T/out" | grep -Eq "suspicious|critical|suspend"; then
	fail "bulk: volume alone was flagged or contained: $(grep bulk "$T/out")"
fi
[ $failed -eq 0 ] && echo "policy: all checks passed"
exit $failed
