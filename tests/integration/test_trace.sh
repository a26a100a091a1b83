#!/bin/bash
# test_trace.sh: `mailcon watch --headless -vv --trace FILE` writes to FILE,
# time-stamped, the state changes of a local log follower and of a server
# followed over SSH (a real sshd on loopback, sshd.sh, logging in as
# $SSHD_USER): the SSH connection's steps, its loss and its return, the
# local log deleted and created again, the detector's level change of an
# account that logs in from four addresses, and with -vv the remote
# follower's starts; and no secret: the Dovecot password lines written to
# both logs (the forms test_secrets.sh uses) leave no password in the
# trace, and no control byte reaches it.  -v alone has no -vv detail;
# -v without --trace, and a trace file that cannot be written, are
# refused with a clear error.
#
# Environment: MAILCON (the binary).  Needs root and sshd (tests/deps.sh).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/sshd.sh"
export LC_ALL=C TZ=UTC
MAILCON=${MAILCON:-$HERE/../../build/mailcon}

T=$(mktemp -d /tmp/mctrace.XXXXXX) || exit 1
chmod 755 "$T"
WATCH=
cleanup()
{
	stop_pids $WATCH
	[ -d "$T/sshd" ] && sshd_stop "$T/sshd"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_re REGEX FILE SECS: until a line of FILE matches REGEX (grep -E).
wait_re()
{
	local i
	for i in $(seq $(($3 * 10))); do
		grep -qE -- "$1" "$2" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# --- bad input: clear errors, nothing started ---------------------------
: >"$T/empty.conf"
"$MAILCON" watch --headless -v --config "$T/empty.conf" >"$T/bad.out" 2>&1
rc=$?
[ "$rc" = 2 ] || fail "-v without --trace: exit $rc, want 2"
grep -q -- "-v needs --trace FILE" "$T/bad.out" ||
    fail "-v without --trace: $(cat "$T/bad.out")"
"$MAILCON" watch --headless --trace "$T/no/such/dir/trace" \
    --config "$T/empty.conf" >"$T/bad.out" 2>&1
rc=$?
[ "$rc" = 2 ] || fail "unwritable trace: exit $rc, want 2"
grep -q "cannot write the trace to $T/no/such/dir/trace: No such file" \
    "$T/bad.out" || fail "unwritable trace: $(cat "$T/bad.out")"

# --- a local log and a log over SSH, traced at -vv --------------------------
sshd_start "$T/sshd" 1 >/dev/null || die "sshd did not start"
. "$T/sshd/sshd.env"
mkdir -p "$T/l" "$T/r"
chmod 755 "$T/l" "$T/r"
LOGS="$T/l/mail.log $T/r/mail.log"
for f in $LOGS; do
	: >"$f"
	chmod 644 "$f"
done
cat >"$T/conf" <<EOF
[server l]
logs = $T/l/mail.log
queue_command = off

[server r]
logs = $T/r/mail.log
host = 127.0.0.1
port = $SSHD_PORT
user = $SSHD_USER
key = $SSHD_KEY
known_hosts = $SSHD_KNOWN_HOSTS
keepalive = 1s
queue_command = off
EOF
TR=$T/trace
OUT=$T/watch.out
XDG_STATE_HOME=$T/state "$MAILCON" watch --headless -vv --trace "$TR" \
    --config "$T/conf" >"$OUT" 2>"$OUT.err" &
WATCH=$!
wait_file "server l is live" "$OUT" 15 || die "l not live: $(cat "$OUT" "$OUT.err")"
wait_file "server r is live" "$OUT" 20 || die "r not live: $(cat "$OUT" "$OUT.err")"

# One account logs in from four addresses on each server (watch at 3), and
# Dovecot writes passwords it was given into both logs.
PW1='Xq7plainHunter2'
PW2='Zr8debugSecret9'
HASH='$6$Qs8saltSalt$Hh9hashOfTheStoredPassword'
for f in $LOGS; do
	for i in 1 2 3 4; do
		printf 'Nov 28 12:00:0%d mx postfix/smtpd[7]: 4A0B0C0D0E%d: client=unknown[127.9.0.%d], sasl_method=PLAIN, sasl_username=judy@example.test\n' \
		    "$i" "$i" "$i" >>"$f"
	done
	cat >>"$f" <<LOG
Nov 28 12:00:05 mx dovecot: auth: Info: passwd-file(judy@example.test,127.9.9.1): Password mismatch (given password: $PW1)
Nov 28 12:00:05 mx dovecot: auth: Debug: passwd-file(judy@example.test,127.9.9.3): SHA512-CRYPT($PW2) != '$HASH'
Nov 28 12:00:06 mx postfix/smtpd[7]: connect from unknown[127.9.0.9]
LOG
done
wait_re "detector l: judy@example.test: ok -> watch" "$TR" 15 ||
    fail "no level change of judy on l in the trace"
wait_re "detector r: judy@example.test: ok -> watch" "$TR" 15 ||
    fail "no level change of judy on r in the trace"

# The local log deleted, then written again: missing, then live.
rm "$T/l/mail.log"
wait_re "server l: source $T/l/mail.log: live -> missing" "$TR" 15 ||
    fail "the local log's loss is not in the trace"
printf 'Nov 28 12:00:07 mx postfix/smtpd[7]: connect from unknown[127.9.0.8]\n' \
    >"$T/l/mail.log"
chmod 644 "$T/l/mail.log"
wait_re "server l: source $T/l/mail.log: missing -> live" "$TR" 15 ||
    fail "the local log's return is not in the trace"

# The SSH session cut: the connection is lost, then live again.
kill -KILL $(sshd_sessions "$T/sshd") 2>/dev/null
wait_re "ssh r: (live|stale) -> retrying: " "$TR" 30 ||
    fail "the SSH connection's loss is not in the trace"
for i in $(seq 300); do
	[ "$(grep -cE 'ssh r: [a-z]+ -> live' "$TR")" -ge 2 ] && break
	sleep 0.1
done
[ "$(grep -cE 'ssh r: [a-z]+ -> live' "$TR")" -ge 2 ] ||
    fail "the SSH connection's return is not in the trace"
wait_re "remote follower started at inode [0-9]+ offset [0-9]+" "$TR" 15 ||
    fail "-vv: the remote follower's restart is not in the trace"
stop_pids $WATCH
WATCH=

echo "the trace:"
sed 's/^/  /' "$TR" | head -60
# Every line: a UTC time to the millisecond, the level, the text.
bad=$(grep -cvE '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} [12] ' "$TR")
[ "$bad" = 0 ] || fail "$bad trace lines without a time and a level"
grep -qE "mailcon [0-9.]+ trace, level 2, pid [0-9]+" "$TR" ||
    fail "no header line"
grep -q "trace ends" "$TR" || fail "the trace does not say it ended"
grep -qE "ssh r: (connecting|handshake|authenticating) -> " "$TR" ||
    fail "no step of the SSH connection"
grep -qE "server r: source $T/r/mail.log: starting -> live" "$TR" ||
    fail "the remote source's start is not in the trace"
grep -qE "server [lr]: (starting|down|partial) -> live" "$TR" ||
    fail "no server state in the trace"
# No secret, no control byte.
for s in "$PW1" "$PW2" Qs8saltSalt Hh9hashOfTheStored; do
	! grep -qF -- "$s" "$TR" || fail "a secret in the trace: $s"
done
! grep -qP '[\x00-\x08\x0b-\x1f\x7f]' "$TR" || fail "a control byte in the trace"
[ "$(stat -c %a "$TR")" = 600 ] || fail "the trace is mode $(stat -c %a "$TR")"

# --- -v alone: the changes, not the detail -----------------------------------
XDG_STATE_HOME=$T/state "$MAILCON" watch --headless -v --trace "$T/trace1" \
    --config "$T/conf" >"$T/watch1.out" 2>&1 &
WATCH=$!
wait_file "server r is live" "$T/watch1.out" 20 ||
    fail "r not live: $(cat "$T/watch1.out")"
wait_re "server r: source $T/r/mail.log: starting -> live" "$T/trace1" 15 ||
    fail "-v: the remote source's start is not in the trace"
stop_pids $WATCH
WATCH=
grep -qE "trace, level 1," "$T/trace1" || fail "-v: not level 1"
! grep -qE '^[^ ]+ [^ ]+ 2 ' "$T/trace1" ||
    fail "-v: -vv detail in the trace: $(grep -E '^[^ ]+ [^ ]+ 2 ' "$T/trace1" | head -3)"

[ "$failed" = 0 ] && echo "PASS: test_trace"
exit "$failed"
