#!/bin/bash
# test_policy_headless.sh: the policy service inside `watch --headless`
# ([policy] enabled = yes).  A followed log file and a suspend_command
# script of the test's (slow on purpose: 4 s); no mail system is needed,
# the service is asked directly:
#  - before anything, duo@ gets DUNNO;
#  - duo@ goes critical on two kinds of evidence: the containment decides
#    to suspend it, and the service refuses duo@ from that moment, while
#    the suspend script still runs ("suspended by the headless
#    containment"); alice@ still gets DUNNO; the refusal is in the output
#    and the audit;
#  - early@: requests with a login from 25 new addresses, one message
#    each, and no log line at all: the detector saw them (the policy's
#    "not contained yet" line names early@), which it can only have from
#    the service;
#  - a server without a deny list is said, not fatal.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/stack.sh"	# wait_file, _stack_free_ports; no stack is started
. "$HERE/policylib.sh"
CLIENT=$HERE/policy_client.py
test_init polh

ask()
{
	python3 "$CLIENT" ask "127.0.0.1:$PORT" "$1"
}
REJECT="action=REJECT 5.7.1 account suspended; contact your mail administrator"

PORT=$(_stack_free_ports 127.0.0.1 1) || die "no free port"
policy_watch 4 "" "[policy]" "enabled = yes" "listen = 127.0.0.1:$PORT"
wait_file "policy: serving mx on 127.0.0.1:$PORT" "$T/out" 20 ||
    die "the policy service did not start: $(cat "$T/out" "$T/err")"
grep -q "refusing only what this watch decides" "$T/out" ||
    fail "no word on the missing deny list: $(cat "$T/out")"
[ "$(ask duo@example.test)" = "action=DUNNO" ] || fail "duo@ refused early"

policy_lines duo@example.test 60 20 3 >>"$T/mail.log"
wait_file "duo@example.test on mx: policy: contain at critical" "$T/out" 30 ||
    die "duo was not contained: $(cat "$T/out" "$T/err")"
# the decision counts before the script is done
got=$(ask duo@example.test)
[ -s "$T/suspended" ] &&
    fail "the suspend script ended before the check (the test was too slow)"
[ "$got" = "$REJECT" ] ||
    fail "duo@ not refused once the containment decided: $got"
[ "$(ask alice@example.test)" = "action=DUNNO" ] || fail "alice@ refused"
wait_file "policy: refused RCPT <x@deferred.test> of duo@example.test from 127.31.0.9 on mx: suspended by the headless containment" \
    "$T/out" 10 || fail "the refusal is not in the output: $(cat "$T/out")"
wait_file "suspend duo@example.test on mx: done" "$T/out" 30 ||
    fail "the suspension did not finish: $(cat "$T/out")"
# done, and no list says otherwise: still refused
[ "$(ask duo@example.test)" = "$REJECT" ] ||
    fail "duo@ not refused after the suspension"

# early@: only the policy service tells of it
python3 - "$PORT" <<'PY' || fail "early@'s requests were not answered DUNNO"
import socket, sys
for i in range(25):
    c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    c.sendall(b"request=smtpd_access_policy\nprotocol_state=RCPT\n"
              b"client_address=10.%d.%d.7\nrecipient=r%d@gmail.test\n"
              b"recipient_count=0\nsasl_username=early@example.test\n\n"
              % (100 + i, i, i))
    buf = b""
    while not buf.endswith(b"\n\n"):
        d = c.recv(100)
        if not d:
            break
        buf += d
    assert buf == b"action=DUNNO\n\n", buf
    c.close()
PY
wait_file "early@example.test on mx reached critical: not contained yet" \
    "$T/out" 30 ||
    fail "the detector did not see the service's requests: $(cat "$T/out")"
grep -q "early@example.test" "$T/mail.log" && fail "early@ in the log"

stop_pids $pids
pids=
n=$(python3 - "$T/state/mailcon/history.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("select count(*) from audit where action = 'policy-refuse'"
                 " and account = 'duo@example.test' and state = 'done'")
      .fetchone()[0])
PY
)
[ "$n" = 2 ] || fail "the audit has $n policy-refuse rows for duo@, want 2"
grep -q "policy: .* requests, 2 refused" "$T/out" ||
    fail "the final counts: $(tail -n 3 "$T/out")"
exit $failed
