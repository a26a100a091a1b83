#!/bin/bash
# test_clock.sh: a wrong clock must not make ordinary accounts look hijacked.
# clockgen.py writes three hours of Postfix submission lines (a traveller
# on eight addresses over 160 minutes, a steady bulk sender, three quiet
# users, two hijacks); the same story is then told with one line stamped
# three hours ahead and the server clock stepped back an hour.
#  1. scan: every account's level is the one of the clean log, the
#     anomaly and the step are reported (text and JSON), also with the
#     lines split over two files merged by scan;
#  2. scan: a log whose every stamp is three hours ahead is consistent:
#     same levels, no anomaly;
#  3. watch --headless, [watch] contain = suspend, the lines appended to a
#     followed file: only the hijacked accounts are suspended, the clock
#     findings are printed; the same with every stamp in the future;
#  4. the console with --from-start over what that headless watch handled
#     (same history): judy and mallory have one incident each, in the
#     history file and in the history view;
#  5. scan of an empty file says there were no timestamped lines (JSON:
#     null times).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/stack.sh"	# wait_file; no stack is started
. "$HERE/tmuxlib.sh"
SOCK="mailcon-clock-$$"
: "${MAILCON:?set MAILCON to the mailcon binary}"
GEN=$HERE/clockgen.py
export LC_ALL=C

T=$(mktemp -d /tmp/mcclock.XXXXXX) || exit 1
pids=
cleanup()
{
	tmux_stop
	stop_pids $pids
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# levels FILE.json: "account level" lines, sorted.
levels()
{
	python3 -c 'import json,sys
for a in json.load(open(sys.argv[1]))["accounts"]:
    print(a["account"], a["level"])' "$1" | sort
}

# json_summary FILE.json KEY: a summary value.
json_summary()
{
	python3 -c 'import json,sys
print(json.load(open(sys.argv[1]))["summary"][sys.argv[2]])' "$1" "$2"
}

S=1795000000
python3 "$GEN" --start $S --out "$T/clean.log" || die "clockgen failed"
python3 "$GEN" --start $S --out "$T/bad.log" --spike --step
python3 "$GEN" --start $S --out "$T/bad1.log" --split "$T/bad2.log" \
    --spike --step
python3 "$GEN" --start $S --out "$T/future.log" --future 10800

"$MAILCON" scan --quiet --json "$T/clean.log" >"$T/clean.json"
[ $? = 1 ] || fail "scan of the clean log: exit status is not 1"
levels "$T/clean.json" >"$T/clean.levels"
want="alice@example.test ok
bob@example.test ok
bulk@example.test ok
carol@example.test ok
judy@example.test critical
mallory@example.test critical
traveller@example.test ok"
[ "$(cat "$T/clean.levels")" = "$want" ] ||
    die "the clean story is not what this test expects: $(cat "$T/clean.levels")"

# 1. a line three hours ahead and a step back, one file and two
for v in bad bad1+bad2; do
	files=$T/${v%+*}.log
	[ "$v" = bad1+bad2 ] && files="$T/bad1.log $T/bad2.log"
	# shellcheck disable=SC2086
	"$MAILCON" scan --quiet --json $files >"$T/$v.json"
	levels "$T/$v.json" >"$T/$v.levels"
	diff -u "$T/clean.levels" "$T/$v.levels" >"$T/$v.diff" ||
	    fail "scan $v: levels differ from the clean log: $(cat "$T/$v.diff")"
	[ "$(json_summary "$T/$v.json" clock_anomalies)" = 1 ] ||
	    fail "scan $v: clock_anomalies is not 1"
	[ "$(json_summary "$T/$v.json" clock_steps)" -ge 1 ] ||
	    fail "scan $v: no clock step in the JSON"
done
"$MAILCON" scan --quiet "$T/bad.log" >"$T/bad.txt"
grep -q "^Clock: 1 line stamped far from the lines around them, 1 step" \
    "$T/bad.txt" || fail "scan text: no clock summary: $(tail -4 "$T/bad.txt")"
grep -q "bad.log: 1 line stamped far from the lines around it (the latest 3h .* ahead)" "$T/bad.txt" ||
    fail "scan text: the anomaly is not named: $(tail -4 "$T/bad.txt")"
[ "$(json_summary "$T/clean.json" clock_anomalies)" = 0 ] ||
    fail "the clean log has a clock anomaly"

# 2. every stamp in the future: its own time, consistent
"$MAILCON" scan --quiet --json "$T/future.log" >"$T/future.json"
levels "$T/future.json" >"$T/future.levels"
diff -u "$T/clean.levels" "$T/future.levels" >"$T/future.diff" ||
    fail "scan future: levels differ: $(cat "$T/future.diff")"
[ "$(json_summary "$T/future.json" clock_anomalies)" = 0 ] &&
    [ "$(json_summary "$T/future.json" clock_steps)" = 0 ] ||
    fail "scan future: a consistent clock was reported as jumping"

# 3. watch --headless with containment, following a file
cat >"$T/suspend" <<EOF
#!/bin/sh
echo "\$1" >>"$T/suspended"
EOF
chmod +x "$T/suspend"
# watch CASE GENERATOR-ARGS...: follow CASE.log while the story is
# appended (stamps ending now), until mallory, the last lines, is critical.
watch()
{
	local c=$1 pid
	shift
	mkdir -p "$T/$c/cfg/mailcon"
	: >"$T/$c.log"
	: >"$T/suspended"
	cat >"$T/$c/cfg/mailcon/config" <<EOF
[server mx]
logs = $T/$c.log
suspend_command = $T/suspend %{account}

[watch]
level = suspicious
contain = suspend
EOF
	XDG_CONFIG_HOME=$T/$c/cfg XDG_STATE_HOME=$T/$c/state \
	    "$MAILCON" watch --headless >"$T/$c.out" 2>"$T/$c.err" &
	pid=$!
	pids="$pids $pid"
	wait_file "server mx is live" "$T/$c.out" 20 ||
	    fail "$c: watch did not start: $(cat "$T/$c.err")"
	python3 "$GEN" --start $(($(date +%s) - 10800)) --out "$T/$c.gen" "$@"
	cat "$T/$c.gen" >>"$T/$c.log"
	wait_file "suspend mallory@example.test on mx: done" "$T/$c.out" 30 ||
	    fail "$c: mallory was not contained: $(cat "$T/$c.out")"
	stop_pids "$pid"
	sort "$T/suspended" >"$T/$c.suspended"
	[ "$(cat "$T/$c.suspended")" = "judy@example.test
mallory@example.test" ] || fail "$c: suspended $(cat "$T/$c.suspended")"
	if grep -E "(suspicious|critical) (traveller|bulk|alice|bob|carol)" \
	    "$T/$c.out"; then
		fail "$c: an ordinary account was flagged"
	fi
}
watch live --spike --step
grep -q "clock anomaly: 1 line stamped 3h .* ahead of the lines around it" \
    "$T/live.out" || fail "headless: the anomaly was not printed: $(cat "$T/live.out")"
grep -q "clock stepped back .* and stayed there" "$T/live.out" ||
    fail "headless: the step was not printed"
watch future --future 10800
if grep -q "clock of " "$T/future.out"; then
	fail "headless: a clock wrong from the start was reported: $(grep "clock of " "$T/future.out")"
fi

# 4. the console reads again what watch --headless handled
incidents()
{
	sqlite3 "$T/live/state/mailcon/history.db" "SELECT a.name, count(*)
	    FROM incidents AS i JOIN accounts AS a ON a.id = i.account
	    GROUP BY a.name ORDER BY a.name"
}
[ "$(incidents)" = "judy@example.test|1
mallory@example.test|1" ] || fail "headless history: $(incidents)"
console_run c 120 30 XDG_CONFIG_HOME=$T/live/cfg XDG_STATE_HOME=$T/live/state \
    "$MAILCON" --from-start";" echo console ended
wait_screen "(earlier)" 20 || fail "console: no earlier incidents: $(screen)"
tmux -L "$SOCK" send-keys -t c 2
wait_screen "mallory@example.test" 20 ||
    fail "console: the log was not read again: $(screen)"
tmux -L "$SOCK" send-keys -t c 4
wait_screen "judy@example.test" 10 || fail "no history view: $(screen)"
n=$(screen | grep -c "judy@example.test")
[ "$n" = 1 ] || fail "console: judy has $n rows in the history view: $(screen)"
tmux -L "$SOCK" send-keys -t c q
wait_screen "console ended" 10 || { tmux -L "$SOCK" send-keys -t c q;
    wait_screen "console ended" 10; } || fail "console did not quit: $(screen)"
[ "$(incidents)" = "judy@example.test|1
mallory@example.test|1" ] || fail "history after the console: $(incidents)"

# 5. an empty file
: >"$T/empty.log"
"$MAILCON" scan --quiet "$T/empty.log" >"$T/empty.txt"
grep -q "^No line had a timestamp\.$" "$T/empty.txt" ||
    fail "empty scan: $(cat "$T/empty.txt")"
grep -q "1970" "$T/empty.txt" && fail "empty scan names 1970"
"$MAILCON" scan --quiet --json "$T/empty.log" >"$T/empty.json"
[ "$(json_summary "$T/empty.json" first)" = None ] &&
    [ "$(json_summary "$T/empty.json" last)" = None ] ||
    fail "empty scan JSON: first/last are not null: $(cat "$T/empty.json")"

exit "$failed"
