#!/bin/bash
# test_scan_e2e.sh: `mailcon scan --json` on logs made by a real Postfix +
# Dovecot.  Ordinary users, a legitimate bulk sender (grace), a user who
# mistypes his password (ivan) and a hijacked account (judy, 200 addresses)
# submit mail; only judy may come out suspicious or critical.
#
# Environment: MAILCON (the binary, required); MAILCON_KEEP_LOGS (a directory:
# the real logs are copied there); MAILCON_E2E_TZ (time zone the daemons and
# the scan run in; default a non-UTC zone, so local-time bugs show).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/stack.sh"
. "$HERE/story.sh"
stack_test e2e
# The daemons and the scan see the same zone; it is not UTC on purpose.
export TZ=${MAILCON_E2E_TZ:-EST5EDT,M3.2.0,M11.1.0}

t0=$(date +%s)
t0_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)
[ -x "$MAILCON" ] || die "MAILCON=$MAILCON is not an executable"
# Mail to the ordinary users' and grace's correspondents is delivered
# (smtp-sink, status=sent); everything else, judy's spam, goes to the closed
# relayhost and stays deferred, as spam to dead or greylisting domains does.
STACK_SINK=1 STACK_SINK_DOMAINS="example.test elsewhere.test family.test \
    customer.test vendor.test news.test" stack_start "$S" ||
    die "the mail stack did not start"

# Run mailgen with PLAN on stdin; die when a job did not go as planned.
submit()
{
	local out
	out=$(python3 "$MAILGEN" --port "$STACK_SUBMIT_PORT" -j 8 \
	    --qids "$T/qids" "$@" 2>&1) || die "mailgen: $out"
	echo "mailgen: $out"
}

# Wait until Postfix logged the qmgr line of every queued message in
# $T/qids and a delivery status (sent or deferred) for every recipient.
wait_logged()
{
	python3 - "$STACK_POSTFIX_LOG" "$T/qids" <<'EOF' || die "Postfix did not log all the mail"
import re, sys, time
log, qidfile = sys.argv[1], sys.argv[2]
want = {}
for line in open(qidfile):
    q, _, _, n = line.split()
    want[q] = int(n)
qmgr = re.compile(r" postfix/qmgr\[\d+\]: ([0-9A-F]+): from=<")
# Deferrals to a destination already marked dead come from postfix/error.
defer = re.compile(r" postfix/(?:smtp|error)\[\d+\]: ([0-9A-F]+): to=<.*"
                   r"status=(?:sent|deferred|bounced)")
deadline = time.time() + 60
while True:
    seen, deferred = set(), {}
    with open(log, errors="replace") as f:
        for line in f:
            m = qmgr.search(line)
            if m:
                seen.add(m.group(1))
                continue
            m = defer.search(line)
            if m:
                deferred[m.group(1)] = deferred.get(m.group(1), 0) + 1
    missing = [q for q in want if q not in seen or deferred.get(q, 0) < want[q]]
    if not missing:
        sys.exit(0)
    if time.time() > deadline:
        print("not logged after 60 s: %d of %d messages, e.g. %s"
              % (len(missing), len(want), missing[:5]))
        sys.exit(1)
    time.sleep(0.2)
EOF
}

# --- Part A: ordinary users, grace (bulk), ivan (mistypes) ----------------
story_plan_ordinary "$STACK_USERS" >"$T/plan-a"
submit "$T/plan-a"
wait_logged
cp "$STACK_POSTFIX_LOG" "$T/a-postfix.log"
cp "$STACK_DOVECOT_LOG" "$T/a-dovecot.log"

# --- Part B: judy's account used from 200 addresses ------------------------
story_plan_hijack "$STACK_USERS" >"$T/plan-b"
submit "$T/plan-b"
wait_logged
stack_stop "$S"
t1_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)

if [ -n "${MAILCON_KEEP_LOGS:-}" ]; then
	mkdir -p "$MAILCON_KEEP_LOGS" &&
	cp "$S/postfix.log" "$MAILCON_KEEP_LOGS/e2e-postfix.log" &&
	cp "$S/dovecot.log" "$MAILCON_KEEP_LOGS/e2e-dovecot.log" &&
	cp "$T/a-postfix.log" "$MAILCON_KEEP_LOGS/e2e-a-postfix.log" &&
	cp "$T/a-dovecot.log" "$MAILCON_KEEP_LOGS/e2e-a-dovecot.log" &&
	echo "TZ=$TZ" >"$MAILCON_KEEP_LOGS/e2e-TZ" &&
	echo "logs kept in $MAILCON_KEEP_LOGS (TZ=$TZ)" ||
	check_fail "cannot copy the logs to $MAILCON_KEEP_LOGS"
fi

# --- The harness itself: do the real logs say what we did? -----------------
python3 - "$S/postfix.log" "$S/dovecot.log" <<'EOF' || check_fail "the real logs are not what the harness expects"
import re, sys
pf = open(sys.argv[1], errors="replace").read()
dv = open(sys.argv[2], errors="replace").read()
bad = []
ok = re.findall(r"client=unknown\[([0-9.]+)\], sasl_method=PLAIN, "
                r"sasl_username=(\S+)", pf)
judy = [ip for ip, u in ok if u == "judy@example.test"]
if len(judy) != 400 or len(set(judy)) != 200:
    bad.append("judy: %d messages from %d addresses, want 400 from 200"
               % (len(judy), len(set(judy))))
grace = [ip for ip, u in ok if u == "grace@example.test"]
if len(grace) != 300 or set(grace) != {"127.0.2.1"}:
    bad.append("grace: %d messages from %s" % (len(grace), set(grace)))
pfail = re.findall(r"warning: unknown\[127\.0\.3\.1\]: SASL PLAIN "
                   r"authentication failed: \(reason unavailable\), "
                   r"sasl_username=ivan@example\.test", pf)
dfail = re.findall(r"auth: Info: passwd-file\(ivan@example\.test,127\.0\.3\.1\)"
                   r": Password mismatch", dv)
if len(pfail) != 2 or len(dfail) != 2:
    bad.append("ivan: %d Postfix and %d Dovecot failures, want 2 and 2"
               % (len(pfail), len(dfail)))
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
EOF

# --- mailcon scan on the whole logs ----------------------------------------
"$MAILCON" scan --json "$S/postfix.log" "$S/dovecot.log" >"$T/scan.json" 2>"$T/scan.err"
rc=$?
[ "$rc" = 1 ] || check_fail "scan exit status $rc, want 1 (something suspicious); stderr: $(head -c 2000 "$T/scan.err")"

python3 "$HERE/story_check.py" whole "$T/scan.json" "$t0_utc" "$t1_utc" ||
    check_fail "scan --json output (whole logs)"

# --- mailcon scan on part A only: nobody is suspicious ---------------------
"$MAILCON" scan --json "$T/a-postfix.log" "$T/a-dovecot.log" >"$T/scan-a.json" 2>"$T/scan-a.err"
rc=$?
[ "$rc" = 0 ] || check_fail "scan of the ordinary part: exit status $rc, want 0; stderr: $(head -c 2000 "$T/scan-a.err")"
python3 "$HERE/story_check.py" ordinary "$T/scan-a.json" ||
    check_fail "scan --json output (ordinary part)"

echo "e2e: $(( $(date +%s) - t0 )) s"
[ "$failed" = 0 ]
