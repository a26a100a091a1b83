#!/bin/bash
# test_contain_now.sh: the headless policy acts on the evaluation that
# confirms an account (critical backed by two kinds of evidence), not on
# the next refresh of the accounts snapshot (half a second later, when a
# hijack at 100 messages a second has sent 50 more).
#
# A log read from its start holds judy's hijack (30 addresses, 90
# messages in half a minute), then ivan's.  With -v --trace, the policy's
# suspend of judy must start before the detector has seen a line of
# ivan's: it acted while reading her lines.  (The suspend itself fails
# here, with no Postfix configured; what is checked is when it started.)
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
test_init now

[ -x "$MAILCON" ] || { echo "no $MAILCON (run make)"; exit 1; }

python3 - "$T/mail.log" <<'PY'
import sys, time
t0 = int(time.time()) - 120
out = []
n = 0
def stamp(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(t))
def submit(t, user, ip, pid):
    global n
    n += 1
    qid = "%X" % (0xA0000000 + n)
    out.append("%s mx postfix/submission/smtpd[%d]: %s: client=unknown[%s], "
               "sasl_method=PLAIN, sasl_username=%s" % (stamp(t), pid, qid, ip, user))
    out.append("%s mx postfix/qmgr[99]: %s: from=<%s>, size=400, nrcpt=1 "
               "(queue active)" % (stamp(t), qid, user))
for i in range(90):
    submit(t0 + i // 3, "judy@example.test", "127.30.0.%d" % (i // 3 + 1), 1000 + i // 3)
for i in range(90):
    submit(t0 + 40 + i // 3, "ivan@example.test", "127.31.0.%d" % (i // 3 + 1), 2000 + i // 3)
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY
touch "$T/deny" "$T/sasl_access" "$T/passwd"
mkdir "$T/postfix"
cat >"$T/config" <<CONF
[console]
history = $T/history.db
[server mx]
logs = $T/mail.log
postfix_config = $T/postfix
deny_file = $T/deny
sasl_access_map = $T/sasl_access
passwd_file = $T/passwd
[watch]
level = critical
contain = suspend
CONF

timeout 20 "$MAILCON" watch --headless --from-start --config "$T/config" \
    -v --trace "$T/trace" >"$T/out" 2>&1 &
pid=$!
for _ in $(seq 100); do
	grep -q "action suspend of ivan@example.test on mx: started" \
	    "$T/trace" 2>/dev/null && break
	sleep 0.1
done
kill -TERM "$pid" 2>/dev/null
wait "$pid" 2>/dev/null

started=$(grep -n "action suspend of judy@example.test on mx: started" \
    "$T/trace" | head -n 1 | cut -d: -f1)
ivan=$(grep -n "detector mx: ivan@example.test: ok -> " "$T/trace" |
    head -n 1 | cut -d: -f1)
if [ -z "$started" ] || [ -z "$ivan" ]; then
	fail "no suspend of judy or no level of ivan's in the trace: $(cat "$T/trace" "$T/out" | head -n 30)"
elif [ "$started" -gt "$ivan" ]; then
	fail "the policy acted on judy only after reading ivan's lines (trace line $started, ivan's first level at $ivan): $(head -n 12 "$T/trace")"
fi
grep -q "judy@example.test on mx: policy: contain at critical" "$T/out" ||
    fail "the policy did not say why it acted: $(cat "$T/out")"

[ $failed -eq 0 ] && echo "contain now: the policy acted on the evaluation that confirmed judy"
exit $failed
