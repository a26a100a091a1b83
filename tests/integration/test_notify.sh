#!/bin/bash
# test_notify.sh: desktop notifications through console/alert/notify.c against a
# real D-Bus session bus (dbus-run-session) and a notification service
# that owns org.freedesktop.Notifications and logs each Notify call
# (notify_server.py), with dbus-monitor as a second witness on the bus.
#
# notify_driver.c posts a sequence of alerts: each expected notification
# must arrive exactly once, hostile markup escaped, with the urgency of its
# level and app name mailcon; duplicates are dropped, a level rise goes
# out, the rate limit's held-back alerts are told as "and N more alerts"
# in the next one and in a summary of their own.  Then the fallbacks, each
# ending by itself with its reason: no notification service on the bus, a
# service that never answers (the console's own deadline ends the wait),
# no bus at all (DBUS_SESSION_BUS_ADDRESS unset), and a bus address that
# leads nowhere.  How long a fallback takes is not asserted: a loaded
# machine is slow; the timeout(1) around each driver only turns a hang
# into a failure.
#
# Environment: MAILCON (the binary; build/libmailcon.a is looked for next
# to it, else in build/).  Needs cc, dbus-run-session, dbus-monitor and
# /usr/bin/python3 with gi.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
ROOT=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3
export LC_ALL=C

# Inside the private bus (dbus-run-session runs this script again): the
# phases that need the bus; results go to files in $2 for the checks.
if [ "${1:-}" = --inside ]; then
	T=$2
	pids=
	stop_started()
	{
		for p in $pids; do
			kill "$p" 2>/dev/null
			wait "$p" 2>/dev/null
		done
		pids=
	}
	trap stop_started EXIT
	# wait_ready FILE: the service owns its name (at most 30 s: a bound
	# for a hang)
	wait_ready()
	{
		for _ in $(seq 300); do
			[ -e "$1" ] && return 0
			sleep 0.1
		done
		return 1
	}

	# 1. a bus without a notification service (-w: the driver waits at
	# most 30 s for the state, a bound for a hang, not a speed)
	printf 'post\t0\tstale\twatch\tmx1\t-\t-\tno service yet\t-\n' |
	    timeout 60 "$T/driver" -w 30000 >"$T/noservice.out" 2>&1

	# 2. the service and the witness, then the sequence
	dbus-monitor --session \
	    "type='method_call',interface='org.freedesktop.Notifications',member='Notify'" \
	    "type='signal',interface='test.Mailcon'" \
	    >"$T/monitor.log" 2>&1 &
	pids="$pids $!"
	"$PY" "$HERE/notify_server.py" "$T/notify.log" "$T/ready" \
	    >"$T/server.err" 2>&1 &
	pids="$pids $!"
	wait_ready "$T/ready" || echo "service never owned its name" \
	    >"$T/inside.err"
	# a monitor once it gave up its name (not after a fixed while: a
	# loaded machine may take longer)
	wait_text "$T/monitor.log" "member=NameLost" 30 ||
	    echo "dbus-monitor never became a monitor" >"$T/inside.err"
	timeout 60 "$T/driver" -s -r 6 -d 600 <"$T/script" >"$T/scenario.out" \
	    2>&1
	echo "rc=$?" >>"$T/scenario.out"
	# the monitor has printed every call once it prints a signal sent
	# after the last of them was answered
	dbus-send --session --type=signal / test.Mailcon.End
	wait_text "$T/monitor.log" "member=End" 30 ||
	    echo "dbus-monitor did not print the end marker" >"$T/inside.err"
	stop_started

	# 3. a service that owns the name and never answers
	"$PY" "$HERE/notify_server.py" "$T/hang.log" "$T/ready2" --hang \
	    >"$T/server2.err" 2>&1 &
	pids="$pids $!"
	wait_ready "$T/ready2"
	# -u: the post to it stays unanswered for good, so the driver waits
	# for the state only (30 s at most: a bound for a hang)
	printf 'post\t0\tstale\tcritical\tmx1\t-\t-\twedged\t-\n' |
	    timeout 60 "$T/driver" -u -w 30000 >"$T/hang.out" 2>&1
	echo "rc=$?" >>"$T/hang.out"
	stop_started
	exit 0
fi

LIB=$ROOT/build/libmailcon.a
[ -n "${MAILCON:-}" ] && [ -f "$(dirname "$MAILCON")/libmailcon.a" ] &&
    LIB=$(dirname "$MAILCON")/libmailcon.a

T=$(mktemp -d /tmp/mcnotify.XXXXXX) || exit 1
failed=0
bus_pid=
cleanup()
{
	if [ -n "$bus_pid" ]; then
		kill "$bus_pid" 2>/dev/null
		wait "$bus_pid" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# expect FILE PATTERN WHAT: a line of FILE matches the fixed PATTERN.
expect()
{
	grep -qF -- "$2" "$1" || check_fail "$3 (no \"$2\" in $(basename "$1"))"
}

for tool in dbus-run-session dbus-monitor cc; do
	command -v "$tool" >/dev/null || { echo "no $tool"; exit 1; }
done
"$PY" -c 'import gi' 2>/dev/null || { echo "$PY has no gi module"; exit 1; }
[ -f "$LIB" ] || { echo "no $LIB (run make)"; exit 1; }
# shellcheck disable=SC2046
cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
    -I"$ROOT/console" -I"$ROOT" -o "$T/driver" \
    "$HERE/notify_driver.c" "$LIB" \
    $(make -s --no-print-directory -C "$ROOT" print-libs) ||
    { echo "cannot build the driver"; exit 1; }

# The sequence: post OFFSET KIND LEVEL SERVER ACCOUNT KEY TITLE BODY.
HOSTILE='<a href="http://evil.example/x">reset</a> &amp; \x1b[31mred\x1b[0m \xe2\x80\xae!'
{
	printf 'post\t0\taccount\tcritical\tmx1\talice@example.org\t-\t-\t%s\n' "$HOSTILE"
	printf 'post\t1\taccount\tcritical\tmx1\talice@example.org\t-\t-\tagain\n'
	printf 'post\t2\taccount\tsuspicious\tmx1\tbob@example.org\t-\t-\t40 msgs/min\n'
	printf 'post\t3\tlisted\twatch\tmx1\t-\tlisted|192.0.2.25\tmx1 192.0.2.25 listed\tzen.spamhaus.org: https://check.spamhaus.org/\n'
	printf 'post\t4\taccount\tcritical\tmx1\tbob@example.org\t-\t-\t300 msgs/min\n'
	printf 'post\t5\taccount\tcritical\tmx1\teve"<i>@example.org\t-\t-\tx\n'
	printf 'post\t6\tcontainment\tcritical\tmx1\talice@example.org\t-\tcontainment ran for alice\theld 1200\n'
	for i in 2 3 4 5 6; do
		printf 'post\t1%s\tstale\twatch\tmx%s\t-\t-\t-\tquiet\n' "$i" "$i"
	done
	printf 'post\t60000\tstale\tsuspicious\tmx7\t-\t-\t-\tcarrier\n'
	printf 'post\t60000\tstale\twatch\tmx8\t-\t-\t-\tquiet\n'
	printf 'post\t60000\tstale\tcritical\tmx9\t-\t-\t-\tquiet\n'
	printf 'post\t60000\tstale\twatch\tmx10\t-\t-\t-\tquiet\n'
	printf 'poll\t120000\n'
} >"$T/script"

# The phases on a private bus, with a watchdog on it: a bound for a hang
# (each phase has its own timeout(1) inside), not a speed.
dbus-run-session -- bash "$0" --inside "$T" >"$T/session.out" 2>&1 &
bus_pid=$!
for _ in $(seq 3000); do
	kill -0 "$bus_pid" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$bus_pid" 2>/dev/null; then
	check_fail "the session phases hung (still running after 300 s)"
	kill "$bus_pid"
fi
wait "$bus_pid" 2>/dev/null
bus_pid=
[ -s "$T/inside.err" ] && check_fail "$(cat "$T/inside.err")"

# -- No notification service on the bus: unavailable, the alert unshown.
expect "$T/noservice.out" "event state unavailable: no desktop notifications: no notification service answers on the session bus" \
    "no service: the reason"
expect "$T/noservice.out" "event unshown: no service yet" \
    "no service: the alert is told unshown"
expect "$T/noservice.out" "state unavailable:" "no service: the end state"

# -- The sequence against the service.
S=$T/scenario.out
expect "$S" "rc=0" "the driver ran"
expect "$S" "state available: testnotifyd 1.0 (mailcon-tests)" \
    "the service was found"
expect "$S" "post 2 duplicate" "the same alert again is a duplicate"
expect "$S" "post 5 posted" "a level rise goes out"
[ "$(grep -c ' limited$' "$S")" = 8 ] ||
    check_fail "8 alerts held back by the rate, got $(grep -c ' limited$' "$S")"
[ "$(grep -c ' posted$' "$S")" = 7 ] ||
    check_fail "7 alerts posted, got $(grep -c ' posted$' "$S")"
grep -q "event unshown" "$S" && check_fail "an alert was not shown"

# What the service got, by summary, checked in Python (JSON lines).
"$PY" - "$T/notify.log" <<'EOF' || failed=1
import json, sys
try:
    got = [json.loads(l) for l in open(sys.argv[1])]
except OSError:
    print("FAIL: the service logged no Notify call"); sys.exit(1)
bad = 0
def fail(msg):
    global bad
    print("FAIL:", msg); bad = 1
by = {}
for n in got:
    by.setdefault(n["summary"], []).append(n)
want = {
    "alice@example.org is critical on mx1": 2,
    "bob@example.org is suspicious on mx1": 1,
    "mx1 192.0.2.25 listed": 0,
    "bob@example.org is critical on mx1": 2,
    "eve&quot;&lt;i&gt;@example.org is critical on mx1": 2,
    "containment ran for alice": 2,
    "mx7 is stale": 1,
    "mailcon: 3 more alerts": 2,
}
if len(got) != len(want):
    fail("%d notifications, expected %d: %s" % (len(got), len(want),
         [n["summary"] for n in got]))
for s, urg in want.items():
    if len(by.get(s, [])) != 1:
        fail("%r arrived %d times, expected once" % (s, len(by.get(s, []))))
        continue
    n = by[s][0]
    if n["urgency"] != urg:
        fail("%r urgency %r, expected %d" % (s, n["urgency"], urg))
for n in got:
    if n["app"] != "mailcon":
        fail("app name %r" % n["app"])
    for f in ("summary", "body"):
        t = n[f]
        if "<" in t or ">" in t or '"' in t or "\x1b" in t or "\u202e" in t:
            fail("%s not escaped: %r" % (f, t))
a = by.get("alice@example.org is critical on mx1", [{"body": ""}])[0]
esc = ('&lt;a href=&quot;http://evil.example/x&quot;&gt;reset&lt;/a&gt; '
       '&amp;amp; \\x1b[31mred\\x1b[0m \\u{202e}!')
if a["body"] != esc:
    fail("hostile body: got %r, expected %r" % (a["body"], esc))
c = by.get("mx7 is stale", [{"body": ""}])[0]
if c["body"] != "carrier\nand 5 more alerts":
    fail("the next one out: %r" % c["body"])
m = by.get("mailcon: 3 more alerts", [{"body": ""}])[0]
if not m["body"].startswith("and 3 more alerts"):
    fail("the summary: %r" % m["body"])
for s in by:
    if "quiet" in "".join(n["body"] for n in by[s]):
        fail("a held-back alert was shown: %r" % s)
sys.exit(bad)
EOF
# The bus itself saw each Notify call once (not only what the service logged).
calls=$(grep -c 'member=Notify' "$T/monitor.log" 2>/dev/null)
[ "$calls" = 8 ] || check_fail "dbus-monitor saw $calls Notify calls, expected 8"

# -- A service that never answers: unavailable by the console's own
# deadline (its reason says so), never a hang.  Without that deadline the
# driver's wait ends (30 s) with the state still starting.
H=$T/hang.out
expect "$H" "the D-Bus session bus did not answer within 5 s" \
    "wedged service: the reason"
expect "$H" "state unavailable:" "wedged service: the end state"
expect "$H" "rc=0" "wedged service: the driver ended by itself"

# run_driver WHAT OUT SCRIPT [VAR=VALUE | -u VAR]...: the driver with that
# environment, SCRIPT on stdin; it must end by itself (timeout(1) only
# turns a hang into a failure), having stopped waiting for the desktop.
run_driver()
{
	local what=$1 out=$2 script=$3 rc
	shift 3
	# shellcheck disable=SC2059  # the script is a printf format
	printf "$script" | env "$@" timeout 60 "$T/driver" -w 30000 >"$out" 2>&1
	rc=$?
	if [ "$rc" = 124 ]; then
		check_fail "$what: the driver hung (killed after 60 s)"
	elif [ "$rc" != 0 ]; then
		check_fail "$what: the driver exited $rc"
	fi
	grep -q "drain timed out" "$out" &&
	    check_fail "$what: still waiting for the desktop after 30 s"
}

# -- No bus at all (over SSH): unavailable at once, said once.
run_driver "no bus" "$T/nobus.out" \
    'post\t0\tstale\tcritical\tmx1\t-\t-\tno bus\t-\npost\t1\tstale\tcritical\tmx2\t-\t-\tno bus 2\t-\n' \
    -u DBUS_SESSION_BUS_ADDRESS
expect "$T/nobus.out" "event state unavailable: no desktop notifications: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set, as over SSH); alerts ring the terminal bell" \
    "no bus: the reason"
expect "$T/nobus.out" "post 1 fallback" "no bus: the alert falls back"
expect "$T/nobus.out" "post 2 fallback" "no bus: the next too"
[ "$(grep -c '^event state' "$T/nobus.out")" = 1 ] ||
    check_fail "no bus: the state was not told exactly once"

# -- A bus address that leads nowhere.
run_driver "bus nowhere" "$T/nowhere.out" \
    'post\t0\tstale\tcritical\tmx1\t-\t-\tnowhere\t-\n' \
    DBUS_SESSION_BUS_ADDRESS="unix:path=$T/no-such-bus"
expect "$T/nowhere.out" "event state unavailable: no desktop notifications: cannot reach the D-Bus session bus" \
    "bus nowhere: the reason"
expect "$T/nowhere.out" "event unshown: nowhere" "bus nowhere: the alert is told unshown"

if [ "$failed" -ne 0 ]; then
	for f in noservice.out scenario.out hang.out nobus.out nowhere.out \
	    session.out server.err; do
		[ -s "$T/$f" ] && { echo "--- $f"; cat "$T/$f"; }
	done
	exit 1
fi
echo "notifications: all checks passed"
