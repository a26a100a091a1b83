#!/bin/bash
# test_ssh_follow.sh: following logs over SSH (console/intake/rfollow.c,
# app_ssh.c) with `mailcon watch --headless --lines` against real sshd
# instances on loopback (sshd.sh) and the real Postfix + Dovecot stack
# (stack.sh):
#
#  1. a live hijack on the stack, its logs read over SSH only, is flagged
#     critical;
#  2. numbered lines are appended at a steady pace while the sshd session
#     is killed, while it is stopped (SIGSTOP: a half-open connection the
#     keepalive must notice), and while the log is rotated during a
#     disconnect (the listener stopped meanwhile): every line arrives
#     exactly once, in order;
#  3. the log rotated away (renamed out of reach) during a disconnect is a
#     gap, printed and kept in the history, and the new file is read from
#     its start;
#  4. bad servers, each a clear state and never a stall of the others: an
#     unknown host key (never trusted headless, nothing written), a closed
#     port, a server whose command prints garbage, one whose command hangs,
#     one that drops the session right after auth, and a log the login
#     may not read (named with its owner, mode and the group to join).
#
# Every server logs in as the test user SSHD_USER (sshd.sh), never root;
# the logs it follows are mode 644 in directories of mode 755.
#
# Environment: MAILCON (the binary).  Needs root, sshd, python3, Postfix
# and Dovecot (tests/deps.sh).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/sshd.sh"
export LC_ALL=C
MAILCON=${MAILCON:-$HERE/../../build/mailcon}

T=$(mktemp -d /tmp/mcsshf.XXXXXX) || exit 1
chmod 755 "$T"	# the stack's daemons must reach their files under it
failed=0
WATCH_PIDS=
STOPPED=

cleanup()
{
	local pid
	for pid in $STOPPED; do
		kill -CONT "$pid" 2>/dev/null
	done
	stop_pids $WATCH_PIDS
	for d in "$T"/sshd*; do
		[ -d "$d" ] && sshd_stop "$d"
	done
	[ -d "$T/stack" ] && stack_stop "$T/stack"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The [server] keys that put NAME behind the sshd of env file $1.
ssh_keys()
{
	(
		. "$1"
		printf 'host = 127.0.0.1\nport = %s\nuser = %s\n' "$SSHD_PORT" \
		    "$SSHD_USER"
		printf 'key = %s\nknown_hosts = %s\n' "$SSHD_KEY" \
		    "$SSHD_KNOWN_HOSTS"
		printf 'keepalive = 1s\nqueue_command = off\n'
	)
}

# Start a headless watch on config $1, output in $2.
watch_start()
{
	XDG_STATE_HOME=$T/state "$MAILCON" watch --headless --lines \
	    --config "$1" >"$2" 2>"$2.err" &
	WATCH_PIDS="$WATCH_PIDS $!"
	wait_file "watching" "$2" 10 || fail "watch on $1 did not start: $(cat "$2.err")"
}

# seq_lines FROM TO FILE MS: append "seq N" lines, ten every 10 x MS ms
# (a sleep per line cost more in forks than in sleeping on a busy
# machine: 300 lines took 8 s rather than 3).
seq_lines()
{
	local i
	for i in $(seq "$1" "$2"); do
		echo "Nov 28 12:00:00 mx postfix/cleanup[77]: seq $i" >>"$3"
		[ $((i % 10)) = 9 ] && sleep "0.$4"
	done
	return 0
}

# check_seq FROM TO: the lines r1 delivered with seq FROM..TO, each once,
# in order, and nothing else in that range (sshd.sh).
check_seq()
{
	sshd_check_seq "$T/r1.out" r1 "$1" "$2"
}

listener()
{
	awk 'NR == 1 { print $2 }' "$1/sshd.pids"
}

sshd_start "$T/sshd" 1 >/dev/null || die "sshd did not start"
cp "$T/sshd/sshd.env" "$T/main.env"

# --- 2. every line once across a killed, a stopped session and a rotation --
LOG=$T/logs/mail.log
mkdir -p "$T/logs"
: >"$LOG"
{
	printf '[server r1]\nlogs = %s\n' "$LOG"
	ssh_keys "$T/main.env"
} >"$T/r1.conf"
watch_start "$T/r1.conf" "$T/r1.out"
wait_file "server r1 is live" "$T/r1.out" 15 || die "r1 not live: $(cat "$T/r1.out" "$T/r1.out.err")"
seq_lines 0 0 "$LOG" 1
wait_file "seq 0" "$T/r1.out" 15 || die "no line over SSH: $(cat "$T/r1.out" "$T/r1.out.err")"

# a killed session mid-stream
seq_lines 1 300 "$LOG" 1 &
writer=$!
sleep 1
kill -KILL $(sshd_sessions "$T/sshd") 2>/dev/null
wait $writer
wait_file "seq 300" "$T/r1.out" 20 || fail "seq 300 never came after the kill"
grep -q "server r1 is down" "$T/r1.out" || fail "the kill was not seen: $(grep -v 'line r1' "$T/r1.out")"
check_seq 1 300

# a half-open connection: the session's sshd processes stopped
seq_lines 301 600 "$LOG" 1 &
writer=$!
sleep 1
STOPPED=$(sshd_sessions "$T/sshd")
[ -n "$STOPPED" ] || fail "no session to stop"
kill -STOP $STOPPED
wait $writer
wait_file "seq 600" "$T/r1.out" 30 || fail "seq 600 never came after SIGSTOP"
grep -q "stale" "$T/r1.out" || fail "the stopped session was not seen stale"
kill -KILL $STOPPED 2>/dev/null
STOPPED=
check_seq 301 600

# rotation while disconnected: the listener stopped, the session killed,
# lines in the old file after the rename, then in the new one
L=$(listener "$T/sshd")
kill -STOP "$L"
STOPPED=$L
kill -KILL $(sshd_sessions "$T/sshd") 2>/dev/null
seq_lines 601 650 "$LOG" 1
mv "$LOG" "$LOG.1"
seq_lines 651 700 "$LOG.1" 1
seq_lines 701 750 "$LOG" 1
kill -CONT "$L"
STOPPED=
wait_file "seq 750" "$T/r1.out" 30 || fail "seq 750 never came after the rotation"
check_seq 601 750
grep -q "gap in" "$T/r1.out" && fail "a gap where none was: $(grep 'gap in' "$T/r1.out")"

# --- 3. rotated out of reach while disconnected: a gap ----------------------
kill -STOP "$L"
STOPPED=$L
kill -KILL $(sshd_sessions "$T/sshd") 2>/dev/null
seq_lines 751 760 "$LOG" 1
mv "$LOG" "$T/logs/archived"
seq_lines 761 780 "$LOG" 1
kill -CONT "$L"
STOPPED=
wait_file "seq 780" "$T/r1.out" 30 || fail "seq 780 never came after the gap"
wait_file "gap in $LOG on r1" "$T/r1.out" 30 || fail "no gap reported: $(grep -v 'line r1' "$T/r1.out")"
check_seq 761 780
if grep -q 'seq 75[1-9]$\|seq 760$' "$T/r1.out"; then
	fail "lines of the unreachable file arrived"
fi
# ... and a row in the history, for the history view and later sessions
gap_row=
for _ in $(seq 50); do
	gap_row=$(python3 - "$T/state/mailcon/history.db" <<'EOF'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
for server, path, why in db.execute("SELECT server, path, why FROM gaps"):
    print("%s|%s|%s" % (server, path, why))
EOF
	)
	[ -n "$gap_row" ] && break
	sleep 0.2
done
case $gap_row in
"r1|$LOG|"?*) ;;
*) fail "no gap of r1 in $LOG in the history: '$gap_row'" ;;
esac

# --- 4. bad servers, all in one watch beside a good one ---------------------
SSHD_EXTRA='ForceCommand printf "<html>garbage\\n"' sshd_start "$T/sshd-garbage" 1 >/dev/null ||
    fail "garbage sshd did not start"
SSHD_EXTRA='ForceCommand exec sleep 600' sshd_start "$T/sshd-hang" 1 >/dev/null ||
    fail "hanging sshd did not start"
SSHD_EXTRA='ChrootDirectory /nonexistent-mailcon-test' sshd_start "$T/sshd-drop" 1 >/dev/null ||
    fail "dropping sshd did not start"
closed=$(_stack_free_ports 127.0.0.1 1)
: >"$T/empty_known_hosts"
: >"$T/logs/good.log"
: >"$T/logs/private.log"
chmod 640 "$T/logs/private.log"		# root:root: not for SSHD_USER
{
	printf '[server good]\nlogs = %s\n' "$T/logs/good.log"
	ssh_keys "$T/main.env"
	printf '[server unknown]\n'
	ssh_keys "$T/main.env" | sed "s|^known_hosts = .*|known_hosts = $T/empty_known_hosts|"
	printf '[server closed]\n'
	ssh_keys "$T/main.env" | sed "s|^port = .*|port = $closed|"
	printf '[server private]\nlogs = %s\n' "$T/logs/private.log"
	ssh_keys "$T/main.env"
	for b in garbage hang drop; do
		printf '[server %s]\n' "$b"
		ssh_keys "$T/sshd-$b/sshd.env"
	done
} >"$T/bad.conf"
watch_start "$T/bad.conf" "$T/bad.out"
wait_file "server good is live" "$T/bad.out" 15 || fail "good not live: $(cat "$T/bad.out")"
seq_lines 1 3 "$T/logs/good.log" 1
wait_file "line good: Nov 28 12:00:00 mx postfix/cleanup[77]: seq 3" "$T/bad.out" 15 ||
    fail "the good server stalled beside the bad ones: $(cat "$T/bad.out")"
wait_file "server unknown: unknown host key SHA256:" "$T/bad.out" 10 ||
    fail "unknown host key not reported: $(cat "$T/bad.out")"
wait_file "server closed is down: retrying in" "$T/bad.out" 10 ||
    fail "closed port not reported: $(cat "$T/bad.out")"
grep "server closed is down" "$T/bad.out" | grep -q "refused" ||
    fail "closed port: no plain reason: $(grep 'server closed' "$T/bad.out")"
wait_file "server garbage is down: /var/log/mail.log: the remote follower said something unexpected" \
    "$T/bad.out" 15 || fail "garbage not reported: $(grep 'garbage' "$T/bad.out")"
# (sshd cannot enter the chroot of the login's session: it closes the
# connection right after authentication.  How libssh2 sees that close
# varies, "the server closed the connection" or its own words: what is
# checked is a down state that retries, beside the others.)
wait_file "server drop is down: retrying in " "$T/bad.out" 15 ||
    fail "dropped session not reported: $(grep 'drop' "$T/bad.out")"
wait_file "server hang is down: /var/log/mail.log: the remote follower did not start within 20 s" \
    "$T/bad.out" 30 || fail "hanging command not reported: $(grep 'hang' "$T/bad.out")"
wait_file "server private is down: cannot read $T/logs/private.log as $SSHD_USER: it is root:root mode 640; add $SSHD_USER to group root" \
    "$T/bad.out" 15 || fail "unreadable log not explained: $(grep 'private' "$T/bad.out")"
[ -e "$T/state/mailcon/known_hosts" ] && [ -s "$T/state/mailcon/known_hosts" ] &&
    fail "headless wrote a host key: $(cat "$T/state/mailcon/known_hosts")"
[ -s "$T/empty_known_hosts" ] && fail "the user's known_hosts was written"
grep -q "line unknown:" "$T/bad.out" && fail "lines from a server whose key is unknown"
# the good one still follows, after all that
seq_lines 4 6 "$T/logs/good.log" 1
wait_file "seq 6" "$T/bad.out" 10 || fail "the good server stopped following"
grep "server " "$T/bad.out" | grep -v "^.*line " | sed 's/^/  /'

# --- 1. live detection over SSH --------------------------------------------
stack_start "$T/stack" >/dev/null 2>&1 || die "the mail stack did not start"
# the daemons make their logs 0600; SSHD_USER reads them
_stack_wait 10 test -f "$STACK_POSTFIX_LOG" || die "no $STACK_POSTFIX_LOG"
chmod 644 "$STACK_POSTFIX_LOG" "$STACK_DOVECOT_LOG" || die "cannot open the stack's logs"
{
	stack_mailcon_server mx
	ssh_keys "$T/main.env"
} >"$T/mx.conf"
watch_start "$T/mx.conf" "$T/mx.out"
pw=$(awk '$1 == "ivan@example.test" { print $2 }' "$STACK_USERS")
wait_file "server mx is live" "$T/mx.out" 15 || fail "mx not live: $(cat "$T/mx.out")"
python3 "$HERE/hijack.py" --port "$STACK_SUBMIT_PORT" --login ivan@example.test \
    --password "$pw" --rate 30 --per-conn 3 --net 127.0.9 --max 150 >"$T/hijack" ||
    fail "hijack.py failed"
wait_file "critical ivan@example.test on mx" "$T/mx.out" 20 ||
    fail "the hijack was not flagged over SSH: $(grep -v 'line mx' "$T/mx.out" | tail)"
grep "critical ivan@example.test on mx" "$T/mx.out" | head -1 | sed 's/^/  /'

[ "$failed" = 0 ] && echo "PASS: test_ssh_follow"
exit "$failed"
