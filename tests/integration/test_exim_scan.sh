#!/bin/bash
# test_exim_scan.sh: `mailcon scan --json` on the main log of a real Exim
# (Debian 12's 4.96, tests/integration/exim.sh).  Ordinary users, a
# legitimate bulk sender (grace), a user who mistypes his password twice
# (ivan) and a hijacked account (judy, AUTH LOGIN from 200 addresses)
# submit mail; only judy may come out suspicious or critical, with the
# right address count, and ivan's failures are counted.
#
# Environment: MAILCON (the binary, required); MAILCON_KEEP_LOGS (a
# directory: the real main log is copied there); MAILCON_E2E_TZ (the zone
# Exim logs in and the scan reads in; default a non-UTC zone, so local-time
# bugs show); EXIM_CACHE (where exim.sh keeps the unpacked package).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/exim.sh"
. "$HERE/story.sh"
exim_test exim	# T mode 755: Exim's deliveries run as Debian-exim
export TZ=${MAILCON_E2E_TZ:-EST5EDT,M3.2.0,M11.1.0}

t0=$(date +%s)
t0_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)
[ -x "$MAILCON" ] || die "MAILCON=$MAILCON is not an executable"
# The ordinary users' and grace's mail is delivered (smtp-sink); judy's
# spam goes to the closed port and stays deferred.
EXIM_SINK_DOMAINS="example.test elsewhere.test family.test customer.test \
    vendor.test news.test" exim_start "$S" || die "Exim did not start"
echo "exim $EXIM_VERSION on port $EXIM_PORT, log $EXIM_MAINLOG"

# Run mailgen with PLAN on stdin; die when a job did not go as planned.
# Its socket timeout only bounds a hung Exim: on a loaded machine a reply
# waits for Exim's fsync of the spool (30 s, mailgen's default, was not
# always enough).
submit()
{
	local out
	out=$(python3 "$MAILGEN" --port "$EXIM_PORT" -j 8 --timeout 300 \
	    "$@" 2>&1) || die "mailgen: $out"
	echo "mailgen: $out"
}

# Wait until Exim logged a delivery outcome for every recipient of every
# authenticated arrival: a "Completed" line, or one "==" per recipient.
# Only a log that stops growing for 120 s is a failure: the deliveries of
# 718 messages may take longer than that in all on a loaded machine.
wait_logged()
{
	python3 - "$EXIM_MAINLOG" "$1" <<'EOF' || die "Exim did not log all the mail"
import os, re, sys, time
log, want = sys.argv[1], int(sys.argv[2])
arr = re.compile(r" ([0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}) <= "
                 r".* A=dovecot_\w+:\S+ .* for (.*)$")
t0 = time.time()
size, grew = -1, t0
while True:
    nrcpt, done, defer = {}, set(), {}
    with open(log, errors="replace") as f:
        for line in f:
            m = arr.search(line)
            if m:
                nrcpt[m.group(1)] = len(m.group(2).split())
                continue
            p = line.split()
            if len(p) >= 5 and p[4] == "Completed":
                done.add(p[3])
            elif len(p) >= 5 and p[4] == "==":
                defer[p[3]] = defer.get(p[3], 0) + 1
    missing = [q for q, n in nrcpt.items()
               if q not in done and defer.get(q, 0) < n]
    if len(nrcpt) >= want and not missing:
        print("all %d logged after %.1f s" % (want, time.time() - t0))
        sys.exit(0)
    now = time.time()
    if os.path.getsize(log) != size:
        size, grew = os.path.getsize(log), now
    elif now - grew > 120:
        print("the log did not grow for 120 s: %d of %d arrivals, %d "
              "without an outcome, e.g. %s"
              % (len(nrcpt), want, len(missing), missing[:5]))
        sys.exit(1)
    time.sleep(0.2)
EOF
}

# --- Part A: ordinary users, grace (bulk), ivan (mistypes) ----------------
story_plan_ordinary "$EXIM_USERS" >"$T/plan-a"
submit "$T/plan-a"
wait_logged "$STORY_ORDINARY_MESSAGES"
cp "$EXIM_MAINLOG" "$T/a-mainlog"

# --- Part B: judy's account used from 200 addresses, over AUTH LOGIN ------
story_plan_hijack "$EXIM_USERS" >"$T/plan-b"
submit --auth login "$T/plan-b"
wait_logged $((STORY_ORDINARY_MESSAGES + STORY_HIJACK_MESSAGES))
exim_stop "$S"
t1_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)

if [ -n "${MAILCON_KEEP_LOGS:-}" ]; then
	mkdir -p "$MAILCON_KEEP_LOGS" &&
	cp "$EXIM_MAINLOG" "$MAILCON_KEEP_LOGS/exim-mainlog" &&
	echo "TZ=$TZ" >"$MAILCON_KEEP_LOGS/exim-TZ" &&
	echo "log kept in $MAILCON_KEEP_LOGS (TZ=$TZ)" ||
	fail "cannot copy the log to $MAILCON_KEEP_LOGS"
fi

# --- The harness itself: does the real log say what we did? ---------------
python3 - "$EXIM_MAINLOG" <<'EOF' || fail "the real Exim log is not what the harness expects"
import re, sys
log = open(sys.argv[1], errors="replace").read()
bad = []
ok = re.findall(r" <= \S+ H=\(\S+\) \[([0-9.]+)\]:\d+ I=\[127\.0\.0\.1\]:\d+ "
                r"P=esmtpa A=(dovecot_\w+):(\S+) S=\d+", log)
judy = [ip for ip, a, u in ok if u == "judy@example.test"]
if len(judy) != 400 or len(set(judy)) != 200:
    bad.append("judy: %d arrivals from %d addresses, want 400 from 200"
               % (len(judy), len(set(judy))))
if {a for ip, a, u in ok if u == "judy@example.test"} != {"dovecot_login"}:
    bad.append("judy did not log in through dovecot_login (AUTH LOGIN)")
grace = [ip for ip, a, u in ok if u == "grace@example.test"]
if len(grace) != 300 or set(grace) != {"127.0.2.1"}:
    bad.append("grace: %d arrivals from %s" % (len(grace), set(grace)))
if {a for ip, a, u in ok if u != "judy@example.test"} != {"dovecot_plain"}:
    bad.append("the others did not log in through dovecot_plain (AUTH PLAIN)")
fails = re.findall(r" dovecot_plain authenticator failed for "
                   r"\(\S+\) \[127\.0\.3\.1\]:\d+ I=\[127\.0\.0\.1\]:\d+: "
                   r"535 Incorrect authentication data "
                   r"\(set_id=ivan@example\.test\)", log)
if len(fails) != 2:
    bad.append("ivan: %d failed logins logged, want 2" % len(fails))
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
EOF

# --- mailcon scan on the whole log -----------------------------------------
"$MAILCON" scan --json "$EXIM_MAINLOG" >"$T/scan.json" 2>"$T/scan.err"
rc=$?
[ "$rc" = 1 ] || fail "scan exit status $rc, want 1 (something suspicious); stderr: $(head -c 2000 "$T/scan.err")"

python3 "$HERE/story_check.py" whole "$T/scan.json" "$t0_utc" "$t1_utc" ||
    fail "scan --json output (whole log)"

# --- mailcon scan on part A only: nobody is suspicious ---------------------
"$MAILCON" scan --json "$T/a-mainlog" >"$T/scan-a.json" 2>"$T/scan-a.err"
rc=$?
[ "$rc" = 0 ] || fail "scan of the ordinary part: exit status $rc, want 0; stderr: $(head -c 2000 "$T/scan-a.err")"
python3 "$HERE/story_check.py" ordinary "$T/scan-a.json" ||
    fail "scan --json output (ordinary part)"

echo "exim scan: $(( $(date +%s) - t0 )) s"
[ "$failed" = 0 ]
