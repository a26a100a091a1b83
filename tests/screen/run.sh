#!/bin/bash
# tests/screen/run.sh MAILCON: screen tests of the console, driven in tmux
# (a private tmux server on its own socket, killed at the end): the main
# views at 80x24 against expected screens, help, a filter, the too-small
# screen, the mono theme, live detection from a log file fed line by line,
# log text that tries to drive the terminal, a restart that lists the
# last session's incident and log gap; text.sh, views.sh (every view
# at 80x24 and 160x45), fleet.sh (a central log host's servers) and
# demo_act.sh (the demo's suspend and purge on its sandbox) follow.
#
# MAILCON_UPDATE_SCREENS=1 rewrites tests/screen/expected/ from this run:
# each rewritten screen says UPDATED (never PASS) and the run exits 1, so
# an update is never mistaken for a passing run; run again to compare.
#
# Nothing of the tester's machine is read: the script runs itself again
# under env -i with a HOME of its own, PATH=/usr/sbin:/usr/bin:/sbin:/bin
# (Debian's packages, no pyenv shim), TZ=UTC and LC_ALL unset (each
# console gets its LANG), and tmux reads no configuration file (-f
# /dev/null).
#
# Nothing here asserts on time: the live check waits for the account to
# turn critical on screen (30 s at most: a bound for a hang) and prints
# how long it took.  How far behind the writer the console reads (README,
# mailcon(1): a line is on screen within 2 s of being written) is measured
# by tests/bench/console.sh.
set -u
MAILCON=${1:?usage: run.sh MAILCON}
case $MAILCON in /*) ;; *) MAILCON=$(pwd)/$MAILCON ;; esac
here=$(cd "$(dirname "$0")" && pwd)
# No system config of this machine's (/usr/local/etc/mailcon/mailcon.conf
# after a `make install`) may change what the tests see.
MAILCON_SYSCONFDIR=/nonexistent/mailcon-tests
export MAILCON_SYSCONFDIR
T=$(mktemp -d /tmp/mailcon-screen.XXXXXX)
if [ -z "${MAILCON_SCREEN_CLEAN:-}" ]; then
	mkdir -p "$T/home"
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$T/home" TZ=UTC \
	    MAILCON_SCREEN_CLEAN=1 \
	    ${MAILCON_UPDATE_SCREENS:+MAILCON_UPDATE_SCREENS=$MAILCON_UPDATE_SCREENS} \
	    bash "$here/run.sh" "$MAILCON" "$T"
	rc=$?
	rm -rf "$T"
	exit $rc
fi
rmdir "$T"
T=${2:?}
SOCK="mailcon-screen-$$"
pass=0
fail=0
updated=0
trap 'tmux -L "$SOCK" kill-server 2>/dev/null' EXIT INT TERM

tm() { tmux -f /dev/null -L "$SOCK" "$@"; }
ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; shift; [ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/    /'; }

# start NAME COLS LINES ARGS...: the console in a fresh session.
start() {
	name=$1 cols=$2 rows=$3; shift 3
	tm kill-session -t "$name" 2>/dev/null
	tm new-session -d -s "$name" -x "$cols" -y "$rows" \
	    "env TERM=xterm-256color LANG=C.UTF-8 XDG_CONFIG_HOME=$T/cfg XDG_STATE_HOME=$T/state $MAILCON $* 2>$T/$name.err; sleep 60"
}

# Block elements of the sparklines, as bytes (whatever the locale).
BLOCKS=$(printf '\342\226[\201-\210]')

# capture NAME: the screen, with what changes from run to run masked
# (clocks, the demo's directory, sparklines and the busiest minute's
# count, which depend on where a minute boundary fell: the demo stamps
# its lines with the wall clock as it replays them, and a loaded machine
# replays a minute's lines over two; tests/unit/test_demo.c pins that
# count).
capture() {
	tm capture-pane -p -t "$1" | LC_ALL=C sed -e "s/$BLOCKS/#/g" |
	    LC_ALL=C sed -E \
	    -e 's/(live|partial) +[0-9]+ [# ]{12,20}/\1 N SPARKLINE/' \
	    -e 's/[0-9]+ msgs in one minute/N msgs in one minute/g' \
	    -e 's/[0-9]{2}:[0-9]{2}:[0-9]?$/HH:MM:SS/' \
	    -e 's/[0-9]{2}:[0-9]{2}:[0-9]{2}Z/HH:MM:SSZ/g' \
	    -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}/YYYY-MM-DD HH:MM:SS/g' \
	    -e 's/[0-9]{2}:[0-9]{2}:[0-9]{2}/HH:MM:SS/g' \
	    -e 's#/tmp/mailcon-demo\.[A-Za-z0-9]+#/tmp/mailcon-demo.X#g' \
	    -e 's/[A-Z][a-z]{2} [ 0-9][0-9] HH:MM:SS/MMM DD HH:MM:SS/g'
}

# wait_for NAME TEXT [TRIES]: poll the screen until TEXT shows (0.1 s steps).
wait_for() {
	i=0
	while [ $i -lt "${3:-100}" ]; do
		tm capture-pane -p -t "$1" | grep -qF -- "$2" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# compare VIEW: $T/VIEW.txt against expected/VIEW.txt (or, in update
# mode, over it: UPDATED, counted as not passed).
compare() {
	if [ "${MAILCON_UPDATE_SCREENS:-0}" = 1 ]; then
		mkdir -p "$here/expected"
		cp "$T/$1.txt" "$here/expected/$1.txt"
		updated=$((updated + 1))
		echo "UPDATED screen $1 (tests/screen/expected/$1.txt)"
	elif diff -u "$here/expected/$1.txt" "$T/$1.txt" >"$T/$1.diff" 2>&1; then
		ok "screen $1"
	else
		bad "screen $1" "$(head -40 "$T/$1.diff")"
	fi
}

# settled VIEW CMD...: run CMD (it writes $T/VIEW.txt from the screen)
# until that matches expected/VIEW.txt, at most 5 s: a key's 0.4 s is no
# promise that a loaded machine has redrawn (once in update mode).
settled() {
	local view=$1 i=0
	shift
	while :; do
		"$@"
		[ "${MAILCON_UPDATE_SCREENS:-0}" = 1 ] && return
		cmp -s "$here/expected/$view.txt" "$T/$view.txt" && return
		[ $i -ge 50 ] && return
		sleep 0.1
		i=$((i + 1))
	done
}

# expect NAME VIEW [SED-SCRIPT]: compare the masked screen (or the part
# the sed script keeps) with expected/VIEW.txt.
expect() {
	settled "$2" _expect_read "$@"
	compare "$2"
}

# The screen as expect reads it, into $T/VIEW.txt.
_expect_read() {
	capture "$1" | sed -n "${3:-p}" >"$T/$2.txt"
}

# expect_digits NAME VIEW SED-SCRIPT: the lines the sed script keeps, with
# only their digits masked (each by 9: widths, clocks and cut columns
# still count), against expected/VIEW.txt.  An address in columns 1-15
# (the detail's, whose first row depends on which logins fell in the same
# second of the replay) becomes ADDRESS, its field's width kept.
expect_digits() {
	settled "$2" _expect_digits_read "$@"
	compare "$2"
}

# The screen as expect_digits reads it, into $T/VIEW.txt.
_expect_digits_read() {
	tm capture-pane -p -t "$1" | sed -n "$3" | sed 's/[0-9]/9/g' |
	    awk '{ f = substr($0, 2, 15)
		if (f ~ /^[9.]+ *$/) $0 = substr($0, 1, 1) "ADDRESS        " substr($0, 17)
		print }' >"$T/$2.txt"
}

key() { tm send-keys -t "$1" "$2"; sleep 0.4; }

# eventually CMD...: CMD until it succeeds, 5 s at most (0.1 s steps): a
# check of the screen after a key, whose 0.4 s is no promise that a loaded
# machine has redrawn.
eventually() {
	local i=0
	until "$@"; do
		[ $i -ge 50 ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# --- the demo: every view at 80x24 -----------------------------------------
start demo 80 24 --demo --speed 20
if wait_for demo "demo: replay finished" 300; then
	sleep 1.2	# one more refresh, so every row is final
	expect demo accounts
	# to the addresses' title, without the timing's sparkline; then
	# the first address (how many reasons there are moves them)
	key demo Enter;		expect demo detail '1,/^ LOGIN IP/{/^ msgs per/!p;}'
	expect_digits demo detail-row '/^ LOGIN IP/{n;p;}'
	key demo q
	key demo 1;		expect demo servers
	key demo 4;		expect demo history
	key demo '?';		expect demo help
	key demo q
	key demo 2
	key demo '\';	tm send-keys -t demo 'ivan' Enter; sleep 0.4
	expect demo filter
	key demo Escape
	key demo '/';	tm send-keys -t demo 'dave' Enter; sleep 0.4
	if tm capture-pane -p -e -t demo | grep 'dave@example.test' | grep -q $'\033\\[[0-9;]*7m\|\033\\[[0-9;]*4[0-9;]*m'; then
		ok "search selects the match"
	else
		bad "search selects the match" "$(tm capture-pane -p -e -t demo | grep -a dave | cat -v)"
	fi
	tm resize-window -t demo -x 60 -y 20; sleep 0.5
	expect demo too-small
	tm resize-window -t demo -x 100 -y 30; sleep 0.5
	if capture demo | grep -q 'judy@example.test'; then ok "resize back"
	else bad "resize back" "$(capture demo)"; fi
	key demo q
	sleep 0.3
	if tm capture-pane -p -t demo | grep -q 'mailcon'; then
		bad "q quits" "$(capture demo)"
	else ok "q quits"; fi
else
	bad "demo starts" "$(capture demo)" "$(cat "$T/demo.err")"
fi

# --- a locale without UTF-8: said once, text still shown -------------------
tm new-session -d -s latin -x 80 -y 24 \
    "env TERM=xterm-256color LANG=C LC_ALL=C XDG_CONFIG_HOME=$T/cfg XDG_STATE_HOME=$T/state $MAILCON --demo --speed 2; sleep 60"
if wait_for latin "not UTF-8" 300 && wait_for latin "judy@example.test" 900; then
	ok "non-UTF-8 locale: console runs and says so"
else
	bad "non-UTF-8 locale: console runs and says so" "$(capture latin)"
fi
tm kill-session -t latin

# --- mono theme: attributes only, no colour ---------------------------------
start mono 80 24 --demo --speed 20 --theme mono
if wait_for mono "judy@example.test" 300; then
	sleep 1
	tm capture-pane -p -e -t mono >"$T/mono.ansi"
	if grep -qE $'\033\\[[0-9;]*(3[0-7]|4[0-7]|38;5|48;5)[;m]' "$T/mono.ansi"; then
		bad "mono theme has no colours" "$(grep -aoE $'\033\\[[0-9;]*m' "$T/mono.ansi" | sort -u | head)"
	elif ! grep -qE $'\033\\[[0-9;]*1[;m]' "$T/mono.ansi"; then
		bad "mono theme uses bold" "$(head -5 "$T/mono.ansi")"
	else
		ok "mono theme: attributes only"
	fi
else
	bad "mono starts" "$(capture mono)"
fi
NO_COLOR=1 tm kill-session -t mono 2>/dev/null

# --- live: a log fed line by line, the account turns critical on screen ---
log="$T/live.log"
: >"$log"
mkdir -p "$T/cfg/mailcon"
cat >"$T/cfg/mailcon/config" <<CFG
[server live]
logs = $log
queue_command = off
CFG
start live 200 30
wait_for live "nothing yet" 50 || wait_for live "ACCOUNT" 300
stamp() { date '+%b %e %H:%M:%S'; }
i=1
while [ $i -le 19 ]; do
	echo "$(stamp) mx postfix/submission/smtpd[$((1000 + i))]: 1A2B3C4D$(printf %03d $i): client=unknown[127.77.0.$i], sasl_method=PLAIN, sasl_username=victim@example.test" >>"$log"
	i=$((i + 1))
done
if wait_for live "victim@example.test" 300 && sleep 1 &&
    capture live | grep -q 'suspicious victim@example.test' &&
    ! capture live | grep -q 'critical  victim@example.test'; then
	ok "live: 19 addresses in one /24: suspicious, not critical"
else
	bad "live: 19 addresses in one /24: suspicious, not critical" "$(capture live)"
fi
# the twentieth address crosses auth_ips' critical threshold (20)
echo "$(stamp) mx postfix/submission/smtpd[1020]: 1A2B3C4D020: client=unknown[127.77.0.20], sasl_method=PLAIN, sasl_username=victim@example.test" >>"$log"
t0=$(date +%s%N)
if wait_for live "critical  victim@example.test" 300; then
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	echo "    live: critical on screen ${ms} ms after the line was" \
	    "written (not asserted: tests/bench/console.sh)"
	ok "live: the twentieth address: critical on screen"
else
	bad "live: the twentieth address: critical on screen" "$(capture live)"
fi

# --- hostile text: an escape sequence in a login never reaches the terminal
printf '%s mx postfix/submission/smtpd[2001]: warning: unknown[127.66.6.6]: SASL PLAIN authentication failed: (reason unavailable), sasl_username=\033]0;PWNED\007\033[2Jevil\n' "$(stamp)" >>"$log"
key live 3
if wait_for live 'PWNED' 300; then
	tm capture-pane -p -e -t live >"$T/hostile.ansi"
	title=$(tm display-message -p -t live '#{pane_title}')
	if grep -q 'PWNED' "$T/hostile.ansi" && grep -qF '\x1b]0;PWNED\x07' "$T/hostile.ansi" &&
	    ! grep -q "$(printf '\033')]0;" "$T/hostile.ansi" && [ "$title" != PWNED ]; then
		ok "hostile: ESC shown escaped, title untouched"
	else
		bad "hostile: ESC shown escaped, title untouched" "title=$title" "$(grep -a PWNED "$T/hostile.ansi" | cat -v | head -3)"
	fi
else
	bad "hostile line shown in the log view" "$(capture live)"
fi

# --- restart: the incident of the last session is listed first ----------
key live q
sleep 0.5
# A gap the last session noticed (a log rotated away while an SSH link was
# down; a local file never loses lines, so it is written here), its words
# trying to set the terminal's title.
python3 - "$T/state/mailcon/history.db" "$log" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT INTO gaps (session, at, server, path, why) VALUES "
    "((SELECT max(id) FROM sessions), ?, 'live', ?, ?)",
    (int(time.time()), sys.argv[2], "rotated \x1b]0;GAPPWN\x07away"))
# victim's minutes two days back: a history long enough for addresses new
# to it to count (new_ip_min_history, a day; history starts at its first
# minute kept)
db.execute("UPDATE minutes SET minute = minute - 2 * 1440")
# and the addresses it used then with them, or the history would say it
# took up 20 new ones minutes ago
db.execute("UPDATE ips SET first_seen = first_seen - 2 * 86400, "
    "last_seen = last_seen - 2 * 86400")
db.commit()
PY
start live2 200 30
if wait_for live2 "since your last session" 300 &&
    capture live2 | grep -q "victim@example.test .*(earlier)"; then
	ok "restart: earlier incident listed first"
else
	bad "restart: earlier incident listed first" "$(capture live2)"
fi
tm capture-pane -p -e -t live2 >"$T/gap.ansi"
if capture live2 | grep -q "1 incident and 1 log gap since your last session" &&
    capture live2 | grep -qF -- "-- YYYY-MM-DD HH:MM:SS gap        -                            live            -  (earlier) lost lines in $log: rotated \x1b]0;GAPPWN\x07away" &&
    ! grep -q "$(printf '\033')]0;GAPPWN" "$T/gap.ansi" &&
    [ "$(tm display-message -p -t live2 '#{pane_title}')" != GAPPWN ]; then
	ok "restart: earlier log gap listed, its text escaped"
else
	bad "restart: earlier log gap listed, its text escaped" "$(capture live2)"
fi
# its history came back too: the account is known, with its 20 messages
key live2 2
if capture live2 | grep -Eq "victim@example.test +[0-9.]+ +20 "; then
	ok "restart: account history (baseline) restored"
else
	bad "restart: account history (baseline) restored" "$(capture live2)"
fi
# and the addresses it used: one of those is not new, seven others are
# (new_ips is at watch from 6 new in 6 h)
for ip in 127.77.0.5 127.79.0.1 127.79.0.2 127.79.0.3 127.79.0.4 \
    127.79.0.5 127.79.0.6 127.79.0.7; do
	echo "$(stamp) mx postfix/submission/smtpd[4001]: 1A2B3C4E$(echo $ip | tr -d .): client=unknown[$ip], sasl_method=PLAIN, sasl_username=victim@example.test" >>"$log"
done
key live2 g
key live2 Enter
if wait_for live2 "7 addresses new to this account in 6 h" 300; then
	ok "restart: known addresses restored (7 new of 8)"
else
	bad "restart: known addresses restored (7 new of 8)" "$(capture live2)"
fi
key live2 q
if [ -f "$T/state/mailcon/history.db" ]; then ok "history database in XDG_STATE_HOME"
else bad "history database in XDG_STATE_HOME" "$(ls -R "$T/state" 2>&1)"; fi
key live2 q
# an unusable database: the console runs on and says so
mkdir -p "$T/badstate/mailcon"
echo "this is not a database" >"$T/badstate/mailcon/history.db"
tm new-session -d -s badhist -x 120 -y 24 \
    "env TERM=xterm-256color LANG=C.UTF-8 XDG_CONFIG_HOME=$T/cfg XDG_STATE_HOME=$T/badstate $MAILCON; sleep 60"
wait_for badhist "history off:" 300
echo "$(stamp) mx postfix/submission/smtpd[3001]: 1A2B3C4DF01: client=unknown[127.78.0.1], sasl_method=PLAIN, sasl_username=after@example.test" >>"$log"
# the warnings take turns on the status line (history off, actions off)
if wait_for badhist "history off:" 300 && wait_for badhist "after@example.test" 300; then
	ok "bad database: history off, console runs"
else
	bad "bad database: history off, console runs" "$(capture badhist)"
fi
if [ "$(cat "$T/badstate/mailcon/history.db")" = "this is not a database" ]; then
	ok "bad database: left untouched"
else bad "bad database: left untouched"; fi

# --- bad input: TERM unknown, a config naming a missing log ---------------
if env TERM=no-such-terminal "$MAILCON" --demo </dev/null >"$T/out" 2>"$T/err"; then
	bad "unknown TERM refused" "$(cat "$T/err")"
elif grep -q 'no-such-terminal' "$T/err"; then ok "unknown TERM: clear error"
else bad "unknown TERM: clear error" "$(cat "$T/err")"; fi
if env -u TERM "$MAILCON" --demo </dev/null >"$T/out" 2>"$T/err"; then
	bad "TERM unset refused" "$(cat "$T/err")"
elif grep -q 'TERM is not set' "$T/err"; then ok "TERM unset: clear error"
else bad "TERM unset: clear error" "$(cat "$T/err")"; fi
cat >"$T/missing.ini" <<CFG
[server gone]
logs = $T/no-such.log
CFG
start missing 132 24 --config "$T/missing.ini"	# room for the path
key missing 1
if wait_for missing "no-such.log" 300; then ok "missing log: shown as a state"
else bad "missing log: shown as a state" "$(capture missing)"; fi

# --- a log that is a command's output (journalctl -f on journald systems)
cat >"$T/cmd.ini" <<CFG
[server viacmd]
log_command = tail -n +1 -F $log

[server broken]
log_command = false
CFG
start cmdsrc 100 24 --config "$T/cmd.ini"
key cmdsrc 2
if wait_for cmdsrc "victim@example.test" 300; then ok "log_command: lines read from a command"
else bad "log_command: lines read from a command" "$(capture cmdsrc)"; fi
key cmdsrc 1
if wait_for cmdsrc "false exited with status 1; retrying in" 300; then
	ok "log_command: a failing command is a state with its reason"
else
	bad "log_command: a failing command is a state with its reason" "$(capture cmdsrc)"
fi

# --- rotation under the console: rename, then copytruncate; no line lost
# or read twice (the account's message count says so) ----------------------
start rot 120 24
key rot 2
sub() {	# sub QID: one submission by rotor@example.test
	echo "$(stamp) mx postfix/submission/smtpd[5001]: $1: client=unknown[127.80.0.1], sasl_method=PLAIN, sasl_username=rotor@example.test" >>"$log"
}
sub 5A0000000A1
wait_for rot "rotor@example.test" 300
mv "$log" "$log.1"					# rename rotation
echo "$(stamp) mx postfix/submission/smtpd[5001]: 5A0000000A2: client=unknown[127.80.0.1], sasl_method=PLAIN, sasl_username=rotor@example.test" >>"$log.1"	# a daemon still writing the old file
: >"$log"
sub 5A0000000A3
# until the third is counted (30 s at most: truncated before it is read,
# it would be lost)
i=0
while [ $i -lt 300 ] && ! capture rot | grep -Eq "rotor@example.test +[0-9.]+ +3 "; do
	sleep 0.1; i=$((i + 1))
done
cp "$log" "$log.2"; : >"$log"				# copytruncate
# The new first line is shorter than the one read before, so the file is
# smaller than the offset read whenever the console looks.  A line as long
# leaves it the size it was: no change, as far as a size can tell, and the
# line was lost when the console looked only after it came (a loaded
# machine: 3 of 4 counted).
echo "$(stamp) mx postfix/submission/smtpd[51]: 5A0000000A4: client=unknown[127.80.0.1], sasl_method=PLAIN, sasl_username=rotor@example.test" >>"$log"
# until the fourth is counted (30 s at most: a fixed 2 s was too short on
# a loaded machine), then 2 s more for a line read twice
i=0
while [ $i -lt 300 ] && ! capture rot | grep -Eq "rotor@example.test +[0-9.]+ +4 "; do
	sleep 0.1; i=$((i + 1))
done
if sleep 2 && capture rot | grep -Eq "rotor@example.test +[0-9.]+ +4 "; then
	ok "rotation: rename and copytruncate, 4 of 4 lines, none twice"
else
	bad "rotation: rename and copytruncate, 4 of 4 lines, none twice" "$(capture rot)"
fi

# text on the screen: escapes, passwords, warnings (text.sh)
. "$here/text.sh"

# the views at 80x24 and 160x45 (views.sh)
. "$here/views.sh"

# a fleet through a central log host's file (fleet.sh)
. "$here/fleet.sh"

# the demo's action keys on its sandbox (demo_act.sh)
. "$here/demo_act.sh"

if [ "$updated" -gt 0 ]; then
	echo "screen: $pass passed, $fail failed, $updated UPDATED (compare again without MAILCON_UPDATE_SCREENS)"
	exit 1
fi
echo "screen: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
