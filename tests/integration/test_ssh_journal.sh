#!/bin/bash
# test_ssh_journal.sh: following a server's systemd journal over SSH
# (console/intake/jfollow.c, jexport.c) with `mailcon watch --headless --lines`
# against a real sshd on loopback (sshd.sh) and real journal files written
# by systemd-journal-remote into a directory (journal_directory), which
# the remote journalctl -f -D follows:
#
#  1. entries of the mail facility arrive as lines (others do not);
#  2. a hijack-like burst of logins is flagged critical;
#  3. the sshd session is killed mid-stream while entries are appended:
#     every entry arrives exactly once, in order, after the reconnect;
#  4. a MESSAGE with an escape, a newline and invalid UTF-8 is one line,
#     shown escaped;
#  5. the journal files deleted while disconnected: a gap, printed, and
#     the new entries follow;
#  6. a directory that does not exist, a user without permission to read
#     the journal, and sudo = yes where sudo wants a password, are each a
#     clear state;
#  7. mailcon act finds an account's logins in the journal, and says when
#     it cannot read it.
#
# Every server logs in as the test user SSHD_USER (sshd.sh), never root:
# the journal files are mode 644, in directories it may read but for the
# one that tests a refusal.
#
# Environment: MAILCON (the binary).  Needs root, sshd, python3 and
# systemd-journal-remote (tests/deps.sh).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/sshd.sh"
export LC_ALL=C
MAILCON=${MAILCON:-$HERE/../../build/mailcon}
JREMOTE=/lib/systemd/systemd-journal-remote

T=$(mktemp -d /tmp/mcsshj.XXXXXX) || exit 1
chmod 755 "$T"
failed=0
WATCH_PIDS=

cleanup()
{
	stop_pids $WATCH_PIDS
	[ -d "$T/sshd" ] && sshd_stop "$T/sshd"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -x "$JREMOTE" ] || die "no $JREMOTE (apt-get install systemd-journal-remote)"

# jadd FILE KIND ARGS...: append entries to journal file FILE.
jadd()
{
	local f=$1
	shift
	python3 "$HERE/jentries.py" "$@" | "$JREMOTE" --output="$f" - \
	    2>>"$T/jremote.err" || die "systemd-journal-remote failed: $(tail -3 "$T/jremote.err")"
	# the test user reads it (the directory decides: $T/k stays closed)
	chmod 644 "$f"
}

# The [server] keys that put a server behind our sshd.
ssh_keys()
{
	(
		. "$T/sshd/env"
		printf 'host = 127.0.0.1\nport = %s\nuser = %s\n' "$SSHD_PORT" \
		    "${1:-$SSHD_USER}"
		printf 'key = %s\nknown_hosts = %s\n' "$SSHD_KEY" \
		    "$SSHD_KNOWN_HOSTS"
		printf 'keepalive = 1s\nqueue_command = off\n'
	)
}

# check_seq FROM TO: r1 delivered seq FROM..TO each once, in order.
check_seq()
{
	sshd_check_seq "$T/r1.out" r1 "$1" "$2"
}

sshd_start "$T/sshd" 1 || die "sshd did not start"
(
	echo "SSHD_PORT=$SSHD_PORT"
	echo "SSHD_KEY=$SSHD_KEY"
	echo "SSHD_KNOWN_HOSTS=$SSHD_KNOWN_HOSTS"
) >"$T/sshd/env"

mkdir -p "$T/j" "$T/k" "$T/q"
jadd "$T/j/a.journal" seq 1 5
jadd "$T/q/a.journal" seq 1 3	# q1: quiet until a disconnect
jadd "$T/j/a.journal" other
jadd "$T/k/a.journal" seq 1 1

{
	echo "[server r1]"
	ssh_keys
	echo "journal = yes"
	echo "journal_directory = $T/j"
	echo "[server q1]"
	ssh_keys
	echo "journal = yes"
	echo "journal_directory = $T/q"
	echo "[server nodir]"
	ssh_keys
	echo "journal = yes"
	echo "journal_directory = $T/nonexistent"
	echo "[server noperm]"
	ssh_keys "$SSHD_USER"
	echo "journal = yes"
	echo "journal_directory = $T/k"
	echo "[server nosudo]"
	ssh_keys "$SSHD_USER"
	echo "journal = yes"
	echo "sudo = yes"
	echo "journal_directory = $T/k"
} >"$T/config"
# SSHD_USER may not read it (not root, not in group systemd-journal)
chmod 700 "$T/k"

XDG_STATE_HOME=$T/state "$MAILCON" watch --headless --lines \
    --config "$T/config" >"$T/r1.out" 2>"$T/r1.err" &
WATCH_PIDS="$WATCH_PIDS $!"
wait_file "watching" "$T/r1.out" 10 || die "watch did not start: $(cat "$T/r1.err")"
wait_file "server r1 is live" "$T/r1.out" 15 || fail "r1 never live: $(grep -v 'line ' "$T/r1.out")"
wait_file "server q1 is live" "$T/r1.out" 15 || fail "q1 never live: $(grep -v 'line ' "$T/r1.out")"

# --- 1. entries arrive as lines; old ones are not replayed (from now) ---
jadd "$T/j/a.journal" seq 6 20
jadd "$T/j/a.journal" other
wait_file "seq 20" "$T/r1.out" 10 || fail "seq 20 never came"
grep 'line r1: .*seq [1-5]$' "$T/r1.out" >"$T/replayed" &&
    fail "entries older than the start were replayed: $(head -3 "$T/replayed")"
grep -q 'not mail' "$T/r1.out" && fail "an entry of another facility was delivered"
grep -m1 -F 'line r1:' "$T/r1.out" | grep -q 'T[0-9:.]*+00:00 mx1 postfix/cleanup\[77\]: seq 6$' ||
    fail "line form: $(grep -m1 -F 'line r1:' "$T/r1.out")"

# --- 2. a hijack-like burst is flagged critical ---
jadd "$T/j/a.journal" hijack carol@example.test 60
wait_file "critical carol@example.test on r1" "$T/r1.out" 15 ||
    fail "the burst was not flagged: $(grep -v 'line ' "$T/r1.out" | tail -5)"

# --- 3. every entry once across a killed session, appends meanwhile ---
(
	for i in $(seq 21 120); do
		jadd "$T/j/a.journal" seq $i $i
		[ $((i % 10)) = 0 ] && sleep 0.1
	done
) &
APP=$!
sleep 0.5
kill -KILL $(sshd_sessions "$T/sshd") 2>/dev/null
jadd "$T/q/a.journal" seq 1001 1003	# q1 saw no entry before the kill
wait $APP
jadd "$T/j/b.journal" seq 121 130	# a new file in the same directory
wait_file "seq 130" "$T/r1.out" 30 || fail "seq 130 never came after the kill"
grep -q "server r1 is down" "$T/r1.out" || fail "the kill was not seen"
check_seq 6 130
# q1 had nothing to resume from but its start's anchor: the entries of the
# disconnect arrive, once, and the ones from before its start never
wait_file "seq 1003" "$T/r1.out" 30 || fail "q1: seq 1003 never came"
sshd_check_seq "$T/r1.out" q1 1001 1003
grep -q 'line q1: .*seq [0-9]$' "$T/r1.out" &&
    fail "q1 replayed entries from before its start: $(grep 'line q1:' "$T/r1.out" | head -3)"

# --- 4. a hostile MESSAGE is one line, escaped ---
jadd "$T/j/b.journal" hostile
wait_file "hostile" "$T/r1.out" 10 || fail "the hostile entry never came"
got=$(grep -F 'hostile' "$T/r1.out")
case "$got" in
*'hostile \x1b[31mred\x0asecond line \xff\xfe end') echo "ok: hostile MESSAGE on one line, escaped" ;;
*) fail "hostile line: $got" ;;
esac
grep -q '^second line' "$T/r1.out" && fail "the MESSAGE's newline split the line"
printf '%s' "$(cat "$T/r1.out")" | grep -q $'\x1b' && fail "a raw escape reached the output"

# --- 5. journal files deleted while disconnected: a gap ---
L=$(head -1 "$T/sshd/sshd.pids" | awk '{ print $2 }')
kill -STOP "$L"
kill -KILL $(sshd_sessions "$T/sshd") 2>/dev/null
wait_file "server r1 is down" "$T/r1.out" 10
sleep 1
rm -f "$T/j"/*.journal
jadd "$T/j/c.journal" seq 131 135
kill -CONT "$L"
wait_file "seq 135" "$T/r1.out" 30 || fail "seq 135 never came after the files were deleted"
wait_file "gap in journal $T/j on r1" "$T/r1.out" 30 ||
    fail "no gap reported: $(grep -v 'line ' "$T/r1.out" | tail -5)"
check_seq 131 135

# --- 6. clear states ---
wait_file "server nodir is down" "$T/r1.out" 10 || fail "nodir: no down state"
grep "server nodir is down" "$T/r1.out" | head -1 | grep -q "Failed to open $T/nonexistent" ||
    fail "nodir: $(grep 'server nodir' "$T/r1.out" | head -1)"
grep "server noperm is down" "$T/r1.out" | head -1 | grep -q "Permission denied" ||
    fail "noperm: $(grep 'server noperm' "$T/r1.out" | head -1)"
# sudo = yes wraps journalctl in sudo -n, which wants a password here
grep "server nosudo is down" "$T/r1.out" | head -1 | grep -q "sudo: a password is required" ||
    fail "nosudo: $(grep 'server nosudo' "$T/r1.out" | head -1)"
grep 'server nodir is down\|server noperm is down\|server nosudo is down' "$T/r1.out" |
    sort -u -k2,3 | head -3 | sed 's/^/  /'

# --- 7. mailcon act reads the journal for the account's logins ---
# No Postfix on this "server": its queue is a file of postqueue -j lines
# read over SSH, dave's three messages (ids of his logins in the journal,
# envelope senders forged) and one of someone else's.  The hold itself
# fails (the test user has no postsuper); what matters is that it chose
# exactly dave's three, which only his logins in the journal could show.
jadd "$T/j/c.journal" hijack dave@example.test 3
for id in A00001B A00002B A00003B C0FFEE1; do
	printf '{"queue_name": "deferred", "queue_id": "%s", "arrival_time": 1795000000, "message_size": 400, "forced_expire": false, "sender": "ceo@bank.test", "recipients": [{"address": "x@remote.test", "delay_reason": "connect refused"}]}\n' "$id"
done >"$T/queue.jsonl"
chmod 644 "$T/queue.jsonl"
{
	echo "[server r1]"
	ssh_keys | grep -v '^queue_command'
	echo "journal = yes"
	echo "journal_directory = $T/j"
	echo "queue_command = cat $T/queue.jsonl"
	echo "[server noperm]"
	ssh_keys "$SSHD_USER"
	echo "journal = yes"
	echo "journal_directory = $T/k"
} >"$T/act.config"
act()
{
	XDG_STATE_HOME=$T/state "$MAILCON" act hold --yes --timeout 10 \
	    --config "$T/act.config" "$@" >"$T/act.out" 2>"$T/act.err"
}
act --server r1 --account dave@example.test
rc=$?
[ "$rc" = 1 ] || fail "act hold of dave: exit $rc, not 1 (its postsuper fails)"
grep -q "^hold dave@example.test on r1: FAILED" "$T/act.out" &&
    grep -q "(0 of 3 done)" "$T/act.out" ||
    fail "act did not choose dave's 3 messages by his logins in the journal: $(cat "$T/act.out" "$T/act.err")"
grep -q "has no logins\|cannot read all" "$T/act.err" &&
    fail "act could not read dave's logins in the journal: $(cat "$T/act.err")"
act --server r1 --account erin@example.test
rc=$?
grep -q "erin@example.test has no logins" "$T/act.err" ||
    fail "act: an account not in the journal: $(cat "$T/act.err")"
[ "$rc" = 0 ] && grep -q "no queued messages of erin@example.test" "$T/act.out" ||
    fail "act: erin (no logins, no mail of hers): exit $rc: $(cat "$T/act.out")"
act --server noperm --account dave@example.test
grep -q "cannot read all of the server's logs (.*Permission denied" "$T/act.err" ||
    fail "act: an unreadable journal: $(cat "$T/act.err")"
grep -q "cannot read all" "$T/act.err" && sed 's/^/  /' "$T/act.err" | head -2

[ $failed = 0 ] && echo "test_ssh_journal.sh: all passed"
exit $failed
