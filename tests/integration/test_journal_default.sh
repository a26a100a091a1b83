#!/bin/bash
# test_journal_default.sh: a server on this machine with no log file
# follows the journal of its mail units (console/config/discover.c), and a
# server with nothing to read is a loud state (console/live/server.c, the
# header of every view in console/tui/ui.c):
#
#  1. [server] with journal_directory and no logs: `watch --headless`
#     says it follows the journal (journalctl -f ... -D DIR -u UNIT...), the
#     entries of the Postfix and Dovecot units written after the start
#     arrive as lines, an entry of another unit does not, and a hijack-like
#     burst of logins is flagged critical;
#  2. a journal directory that is not there: "NO LOG SOURCE" in the
#     headless output, naming the server and the directory;
#  3. a log file that is not there: the accounts view at 80x24 says
#     "NO LOG SOURCE: <server>" in its header and why in its body, and so
#     does the log view (every view has the header).
#
# Real journal files are written by systemd-journal-remote (jentries.py);
# the local journalctl reads them with -D.
#
# Environment: MAILCON (the binary).  Needs python3, tmux and
# systemd-journal-remote (tests/deps.sh).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
export LC_ALL=C
MAILCON=${MAILCON:-$HERE/../../build/mailcon}
JREMOTE=/lib/systemd/systemd-journal-remote

T=$(mktemp -d /tmp/mcjdef.XXXXXX) || exit 1
SOCK=mcjdef$$
. "$HERE/tmuxlib.sh"
WATCH_PIDS=

cleanup()
{
	stop_pids $WATCH_PIDS
	tmux_stop
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -x "$JREMOTE" ] || die "no $JREMOTE (apt-get install systemd-journal-remote)"

# jadd UNIT KIND ARGS...: append entries of UNIT to the journal in $T/j.
jadd()
{
	local unit=$1
	shift
	JENTRIES_UNIT=$unit python3 "$HERE/jentries.py" "$@" |
	    "$JREMOTE" --output="$T/j/mail.journal" - 2>>"$T/jremote.err" ||
	    die "systemd-journal-remote failed: $(tail -3 "$T/jremote.err")"
}

mkdir -p "$T/j"
# an entry from before the start: the journal is there, and -n 0 skips it
jadd postfix@-.service seq 1 1

# 1. the journal of the mail units, chosen and said
cat >"$T/j.conf" <<EOF
[server here]
journal = yes
journal_directory = $T/j
queue = off
EOF
"$MAILCON" watch --headless --lines --config "$T/j.conf" \
    >"$T/j.out" 2>"$T/j.err" &
WATCH_PIDS="$WATCH_PIDS $!"
wait_text "$T/j.out" "following the journal" 30 ||
    fail "1: no word of the journal: $(head -3 "$T/j.out" "$T/j.err")"
grep -qF -- "-D $T/j -u postfix@-.service -u postfix.service -u dovecot.service" \
    "$T/j.out" || fail "1: the journal command is not said: $(head -2 "$T/j.out")"
wait_text "$T/j.out" "server here is live" 30 ||
    fail "1: the server is not live: $(cat "$T/j.out")"
sleep 1
jadd postfix@-.service seq 2 3
jadd dovecot.service seq 4 4
jadd cron.service seq 5 5
jadd postfix@-.service hijack judy@example.test 60
wait_text "$T/j.out" "critical" 60 ||
    fail "1: the hijack from the journal is not critical: $(tail -5 "$T/j.out")"
for n in 2 3 4; do
	grep -q "postfix/cleanup\[77\]: seq $n\$" "$T/j.out" ||
	    fail "1: the entry seq $n of a mail unit is not a line"
done
grep -q "seq 5\$" "$T/j.out" && fail "1: an entry of cron.service is a line"
grep -q "seq 1\$" "$T/j.out" && fail "1: an entry from before the start is a line"
grep -q "NO LOG SOURCE" "$T/j.out" && fail "1: a journal with entries said NO LOG SOURCE"

# 2. a journal directory that is not there: loud, headless
cat >"$T/n.conf" <<EOF
[server quiet]
journal = yes
journal_directory = $T/nonexistent
queue = off
EOF
"$MAILCON" watch --headless --config "$T/n.conf" >"$T/n.out" 2>"$T/n.err" &
WATCH_PIDS="$WATCH_PIDS $!"
wait_text "$T/n.out" "NO LOG SOURCE" 30 ||
    fail "2: no NO LOG SOURCE in the headless output: $(cat "$T/n.out" "$T/n.err")"
grep -q "server quiet is down: NO LOG SOURCE" "$T/n.out" ||
    fail "2: the server's state line does not say NO LOG SOURCE: $(cat "$T/n.out")"
grep -qF "$T/nonexistent" "$T/n.out" ||
    fail "2: the missing journal directory is not named: $(cat "$T/n.out")"

# 3. a log file that is not there: the header of every view says so
cat >"$T/f.conf" <<EOF
[console]
history = off
[server gone]
logs = $T/missing/mail.log
queue = off
EOF
console_run c 80 24 "$MAILCON" --config "$T/f.conf"
wait_screen "NO LOG SOURCE: gone" 30 ||
    fail "3: the accounts view's header does not say NO LOG SOURCE: $(screen)"
screen | head -1 | grep -q "accounts" ||
    fail "3: the loud header is not the accounts view's: $(screen | head -1)"
screen | grep -q "server gone: NO LOG SOURCE: .*missing/mail.log" ||
    fail "3: the accounts view does not say why: $(screen)"
screen | grep -q "nothing yet" && fail "3: the accounts view says \"nothing yet\""
tmux -L "$SOCK" send-keys -t c 3
sleep 0.5
screen | head -1 | grep -q "NO LOG SOURCE: gone" ||
    fail "3: the log view's header does not say NO LOG SOURCE: $(screen | head -2)"

exit "$failed"
