#!/bin/bash
# test_alerts_live.sh: the headless watch replays the recorded incident
# (tests/fixtures/demo: a hijack of judy from 200 addresses) on a private
# D-Bus session bus with a notification service (notify_server.py): the
# desktop must be told once that judy turned critical, urgency critical,
# app name mailcon, and nothing about the accounts that stayed ok; then
# a log file goes away and the desktop is told once that the server is
# no longer live.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
ROOT=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3
: "${MAILCON:=$ROOT/build/mailcon}"
export LC_ALL=C

# Inside the private bus: the service, then the watch until judy is
# critical (at most 30 s); everything started here is stopped by pid.
if [ "${1:-}" = --inside ]; then
	T=$2
	"$PY" "$HERE/notify_server.py" "$T/notify.log" "$T/ready" \
	    >"$T/server.err" 2>&1 &
	srv=$!
	for _ in $(seq 100); do [ -e "$T/ready" ] && break; sleep 0.1; done
	"$MAILCON" watch --headless --from-start --config "$T/config" \
	    >"$T/watch.out" 2>&1 &
	w=$!
	for _ in $(seq 300); do
		grep -q "critical judy@example.test" "$T/watch.out" && break
		sleep 0.1
	done
	# the worker hands it to the bus, in its own time (a loaded
	# machine's notification service may take seconds to answer)
	wait_text "$T/notify.log" "judy@example.test" 30
	# a log file goes away: the server is no longer live
	rm -f "$T/postfix.log"
	for _ in $(seq 50); do
		grep -q "server mx is partial" "$T/watch.out" && break
		sleep 0.1
	done
	wait_text "$T/notify.log" "server mx is partial" 30
	sleep 1		# anything told twice comes now
	kill "$w" "$srv" 2>/dev/null
	wait "$w" "$srv" 2>/dev/null
	exit 0
fi

T=$(mktemp -d /tmp/mcalert.XXXXXX) || exit 1
failed=0
bus=
cleanup()
{
	[ -n "$bus" ] && kill "$bus" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$PY" -c 'import gi' 2>/dev/null || { echo "$PY has no gi module"; exit 1; }
gzip -dc "$ROOT/tests/fixtures/demo/postfix.log.gz" >"$T/postfix.log"
gzip -dc "$ROOT/tests/fixtures/demo/dovecot.log.gz" >"$T/dovecot.log"
cat >"$T/config" <<CFG
[console]
history = $T/history.db
[logs]
timezone = UTC
year = 2026
[server mx]
logs = $T/postfix.log, $T/dovecot.log
CFG

timeout 120 dbus-run-session -- bash "$0" --inside "$T" &
bus=$!
wait "$bus"
bus=

grep -q "critical judy@example.test on mx" "$T/watch.out" ||
    fail "the watch did not find judy critical: $(cat "$T/watch.out")"
"$PY" - "$T/notify.log" <<'PY' || fail "notifications: see above"
import json, sys
calls = [json.loads(l) for l in open(sys.argv[1])]
for c in calls:
    print("notify:", c["urgency"], c["summary"], "|", c["body"][:100])
judy = [c for c in calls if "judy@example.test" in c["summary"] + c["body"]
        and "critical" in (c["summary"] + c["body"]).lower()]
if not (len(judy) == 1):
    sys.exit("FAIL: %s: %s" % ('len(judy) == 1', "judy critical told %d times" % len(judy)))
if not (judy[0]["urgency"] == 2):
    sys.exit("FAIL: %s: %s" % ('judy[0]["urgency"] == 2', judy[0]))
if not (judy[0]["app"] == "mailcon"):
    sys.exit("FAIL: %s: %s" % ('judy[0]["app"] == "mailcon"', judy[0]))
ok = [c for c in calls if "ivan@example.test" in c["summary"] + c["body"]]
if not (not ok):
    sys.exit("FAIL: %s: %s" % ('not ok', "an ok account was notified: %r" % ok))
for c in calls:
    if not ("<" not in c["body"].replace("&lt;", "")):
        sys.exit("FAIL: %s: %s" % ('"<" not in c["body"].replace("&lt;", "")', c))
stale = [c for c in calls if "server mx is partial" in c["body"]]
if not (len(stale) == 1):
    sys.exit("FAIL: %s: %s" % ('len(stale) == 1', "server partial told %d times" % len(stale)))
if not ("postfix.log" in stale[0]["body"]):
    sys.exit("FAIL: %s: %s" % ('"postfix.log" in stale[0]["body"]', stale[0]))
PY

[ $failed -eq 0 ] && echo "alerts live: all checks passed"
exit $failed
