#!/bin/bash
# test_ssh.sh: the SSH transport (console/net/ssh_conn.c, ssh_exec.c) against
# real sshd instances on loopback (tests/integration/sshd.sh), driven by
# ssh_driver.c:
#
#  1. a command's stdout, stderr and exit status; stdin delivered (cat);
#     the fingerprint shown is the one ssh-keygen -lf gives.
#  2. host keys: another key for [127.0.0.1]:PORT is a hard stop showing
#     both fingerprints; no entry is "unknown" and nothing is written
#     (headless never trusts); accepting the shown fingerprint writes
#     mailcon's own file, and the next run is live from it alone.
#  3. a refused client key is auth-failed, and so are a key file with a
#     passphrase (pointing to ssh-agent) and a missing one; key = agent
#     says what is wrong with the agent (no SSH_AUTH_SOCK, no socket, no
#     key, only refused keys) and logs in with the right key added; a port
#     that answers HTTP is "not an SSH server" with what it said; a
#     listener that never speaks hits the handshake deadline.
#  4. a hanging command (sleep 60) hits its 1.5 s deadline, long before it
#     would end; killing the sshd session process mid-command fails the
#     command and the connection retries.
#  5. 50 connections at once (SSH_SESSIONS) over two sshd instances, each
#     running a command, all complete, with nothing on stderr.
#  6. the log follower's pattern on as many connections: each streams 2000
#     lines to a callback, and a short command runs beside the stream on
#     the same connection; every line arrives, in order, every short
#     command's output is whole, and no stderr.  (How long 5 and 6 take is
#     measured by tests/bench/ssh.sh, never asserted here.)
#  7. commands one after the other on one connection: each is opened in
#     the step that starts it, never after a timer (ssh_conn_wait_ms is 0).
#  8. packets left half-sent (a tiny socket send buffer, 3 MB of input
#     echoed back while a stream runs): no call may send meanwhile, reads
#     go on, and nothing is lost (stdout and stderr compared byte for
#     byte).
#
# Every login is the test user SSHD_USER (sshd.sh; login shell /bin/sh),
# never root: nothing here depends on a shell start-up file, so stderr is
# compared exactly everywhere.
#
# Environment: MAILCON (the binary; build/libmailcon.a is looked for next
# to it, else in build/).  Needs root, cc, python3, sshd, ssh-keygen.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
# T is mode 755: SSHD_USER meets the driver on FIFOs in it
test_init ssh
. "$HERE/sshd.sh"

LIB=$ROOT/build/libmailcon.a
[ -f "$(dirname "$MAILCON")/libmailcon.a" ] &&
    LIB=$(dirname "$MAILCON")/libmailcon.a

D=$T/sshd
helpers=

test_cleanup()
{
	stop_pids $helpers
	sshd_stop "$D"
}

# Does $T/out have a line matching the extended regexp?
has()
{
	grep -Eq -- "$1" "$T/out"
}

# Run the driver with ARGS; its output in $T/out, exit status in $rc.
drv()
{
	timeout 90 "$T/driver" "$@" >"$T/out" 2>&1
	rc=$?
	# timeout(1) only turns a hang into a failure, named
	[ "$rc" != 124 ] || check_fail "ssh_driver $*: hung (killed after 90 s)"
}

# Start a python TCP listener on PORT: MODE http (says an HTTP error and
# closes) or silent (accepts, never speaks).  Its pid joins $helpers.
listener()
{
	python3 "$T/listener.py" "$1" "$2" </dev/null >/dev/null 2>&1 &
	helpers="$helpers $!"
	for _ in $(seq 300); do	# 30 s: a bound for a hang
		{ exec 8<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null &&
		    { exec 8<&- 8>&-; return 0; }
		sleep 0.1
	done
	return 1
}

cat >"$T/listener.py" <<'PY'
import socket, sys
port, mode = int(sys.argv[1]), sys.argv[2]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(16)
held = []
while True:
    c, _ = s.accept()
    if mode == "http":
        c.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        c.close()
    else:
        held.append(c)
PY

[ -f "$LIB" ] || { echo "no $LIB (run make)"; exit 1; }
# shellcheck disable=SC2046
cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
    -I"$ROOT/console" -I"$ROOT" -o "$T/driver" \
    "$HERE/ssh_driver.c" "$LIB" \
    $(make -s --no-print-directory -C "$ROOT" print-libs) ||
    { echo "cannot build the driver"; exit 1; }

sshd_start "$D" 2 || exit 1
P=$SSHD_PORT
P2=${SSHD_PORTS#* }
K=$SSHD_KEY
KH=$SSHD_KNOWN_HOSTS

# 1. Output, status, stdin, fingerprint.
drv -k "$K" -K "$KH" 127.0.0.1 "$P" 'echo hi; echo err >&2; exit 3'
has '^conn 0 state=live ' || check_fail "not live: $(cat "$T/out")"
has '^exec 0 result=-1 status=3 signal=$' ||
    check_fail "exit 3 not seen: $(cat "$T/out")"
has '^exec 0 out=hi\\x0a err=err\\x0a$' ||
    check_fail "stdout/stderr wrong: $(cat "$T/out")"
has '^exec 0 error=exited with status 3: err$' ||
    check_fail "no plain error for exit 3: $(cat "$T/out")"
[ "$rc" = 1 ] || check_fail "driver exit $rc for a failed command"
fp=$(sed -n 's/^conn 0 state=live fp=\(SHA256:[^ ]*\) .*/\1/p' "$T/out")
real=$(for f in "$D"/s1/host_*.pub; do ssh-keygen -lf "$f"; done |
    awk '{ print $2 }')
printf '%s\n' "$real" | grep -qxF -- "${fp:-none}" ||
    check_fail "fingerprint $fp is not one of the host's: $real"

drv -k "$K" -K "$KH" -i "$(printf 'line one\nit'\''s $(two)')" \
    127.0.0.1 "$P" cat
has "^exec 0 out=line one\\\\x0ait's \\\$\\(two\\) err=\$" ||
    check_fail "stdin not delivered: $(cat "$T/out")"
has '^exec 0 result=1 status=0 ' || check_fail "cat failed: $(cat "$T/out")"
[ "$rc" = 0 ] || check_fail "driver exit $rc for a good command"

# 2. Host keys: changed, unknown, accepted.
for t in ed25519 ecdsa; do
	ssh-keygen -q -t "$t" -N '' -f "$T/other_$t" || exit 1
	printf '[127.0.0.1]:%s %s\n' "$P" "$(cut -d' ' -f1-2 "$T/other_$t.pub")"
done >"$T/kh_other"
drv -k "$K" -K "$T/kh_other" 127.0.0.1 "$P" 'echo should-not-run'
has '^conn 0 state=hostkey-mismatch ' ||
    check_fail "changed key not refused: $(cat "$T/out")"
has 'should-not-run|^exec' && check_fail "a command ran on a changed key"
known=$(sed -n 's/.* known=\(SHA256:.*\)$/\1/p' "$T/out")
others=$(for t in ed25519 ecdsa; do ssh-keygen -lf "$T/other_$t.pub"; done |
    awk '{ print $2 }')
printf '%s\n' "$others" | grep -qxF -- "${known:-none}" ||
    check_fail "known fingerprint '$known' is not the file's: $others"
offered=$(sed -n 's/.* fp=\(SHA256:[^ ]*\) .*/\1/p' "$T/out")
printf '%s\n' "$real" | grep -qxF -- "${offered:-none}" ||
    check_fail "offered fingerprint '$offered' is not the server's"
grep -F -- "$known" "$T/out" | grep -qF -- "$offered" ||
    check_fail "the error does not show both fingerprints: $(cat "$T/out")"
has 'error=hostkey-mismatch: HOST KEY CHANGED' ||
    check_fail "no plain mismatch message: $(cat "$T/out")"

: >"$T/own"
drv -k "$K" -O "$T/own" 127.0.0.1 "$P" 'echo should-not-run'
has '^conn 0 state=hostkey-unknown fp=SHA256:' ||
    check_fail "unknown host not refused: $(cat "$T/out")"
has 'should-not-run|^exec' && check_fail "a command ran on an unknown key"
[ -s "$T/own" ] && check_fail "headless wrote a key: $(cat "$T/own")"
[ "$rc" = 1 ] || check_fail "driver exit $rc for an unknown host"
ufp=$(sed -n 's/^conn 0 state=hostkey-unknown fp=\(SHA256:[^ ]*\) .*/\1/p' \
    "$T/out")
drv -k "$K" -O "$T/own" -A "SHA256:not-the-key" 127.0.0.1 "$P" true
has 'accept-error=.*not the one accepted' ||
    check_fail "a different fingerprint was accepted: $(cat "$T/out")"
[ -s "$T/own" ] && check_fail "a wrong accept wrote a key"
drv -k "$K" -O "$T/own" -A "$ufp" 127.0.0.1 "$P" 'echo accepted'
has '^exec 0 out=accepted' || check_fail "accept did not connect: $(cat "$T/out")"
grep -q "^\[127.0.0.1\]:$P " "$T/own" ||
    check_fail "accepted key not written as [127.0.0.1]:$P: $(cat "$T/own")"
drv -k "$K" -O "$T/own" 127.0.0.1 "$P" 'echo again'
has '^exec 0 out=again' || check_fail "own known_hosts not used: $(cat "$T/out")"

# 3. Wrong key, not SSH, silent listener.
ssh-keygen -q -t ed25519 -N '' -f "$T/stranger" || exit 1
drv -k "$T/stranger" -K "$KH" 127.0.0.1 "$P" true
has '^conn 0 state=auth-failed ' || check_fail "wrong key: $(cat "$T/out")"
has 'error=auth-failed: auth failed: the server refused the key' ||
    check_fail "no plain auth message: $(cat "$T/out")"

cp "$K" "$T/locked" && chmod 600 "$T/locked" &&
    ssh-keygen -q -p -N secret -f "$T/locked" >/dev/null ||
    check_fail "cannot make a key with a passphrase"
drv -k "$T/locked" -K "$KH" 127.0.0.1 "$P" true
has "cannot use the key file $T/locked .*a key with a passphrase goes through ssh-agent" ||
    check_fail "key with a passphrase: $(cat "$T/out")"
drv -k "$T/no-such-key" -K "$KH" 127.0.0.1 "$P" true
has "cannot read the key file $T/no-such-key: No such file or directory" ||
    check_fail "missing key file: $(cat "$T/out")"

# 3b. key = agent (no -k): each way ssh-agent cannot serve is named, and
# a key added to it logs in.
env -u SSH_AUTH_SOCK "$T/driver" -K "$KH" 127.0.0.1 "$P" true >"$T/out" 2>&1
has '^conn 0 state=auth-failed ' && has 'SSH_AUTH_SOCK is not set' ||
    check_fail "agent without SSH_AUTH_SOCK: $(cat "$T/out")"
SSH_AUTH_SOCK=$T/no-agent drv -K "$KH" 127.0.0.1 "$P" true
has "cannot reach ssh-agent at $T/no-agent" ||
    check_fail "agent socket missing: $(cat "$T/out")"
ssh-agent -D -a "$T/agent" >/dev/null 2>&1 &
helpers="$helpers $!"
for _ in $(seq 300); do
	[ -S "$T/agent" ] && break
	sleep 0.1
done
SSH_AUTH_SOCK=$T/agent drv -K "$KH" 127.0.0.1 "$P" true
has "ssh-agent at $T/agent holds no key: ssh-add one" ||
    check_fail "empty agent: $(cat "$T/out")"
SSH_AUTH_SOCK=$T/agent ssh-add -q "$T/stranger" 2>/dev/null ||
    check_fail "ssh-add of the stranger key failed"
SSH_AUTH_SOCK=$T/agent drv -K "$KH" 127.0.0.1 "$P" true
has "auth failed: the server accepted no key from ssh-agent for $SSHD_USER" ||
    check_fail "agent with only a refused key: $(cat "$T/out")"
SSH_AUTH_SOCK=$T/agent ssh-add -q "$K" 2>/dev/null ||
    check_fail "ssh-add of the client key failed"
SSH_AUTH_SOCK=$T/agent drv -K "$KH" 127.0.0.1 "$P" 'echo via-agent'
has '^exec 0 out=via-agent' ||
    check_fail "agent with the right key (second) did not log in: $(cat "$T/out")"

set -- $(_stack_free_ports 127.0.0.1 2)
HTTP=$1 SILENT=$2
listener "$HTTP" http || check_fail "http listener did not start"
listener "$SILENT" silent || check_fail "silent listener did not start"
drv -k "$K" -K "$KH" 127.0.0.1 "$HTTP" true
has '^conn 0 state=retrying ' || check_fail "HTTP port: $(cat "$T/out")"
has 'not an SSH server: port [0-9]+ said "HTTP/1.1 400 Bad Request"' ||
    check_fail "HTTP port not named as such: $(cat "$T/out")"
# the listener never speaks: the handshake deadline says so (not how long
# that took: without the deadline the driver's own 60 s guard ends the
# wait, and this fails)
drv -k "$K" -K "$KH" -H 1500 127.0.0.1 "$SILENT" true
has 'retrying in [0-9]+ s: SSH handshake timed out after 1 s \(the server never greeted\)' ||
    check_fail "silent listener: $(cat "$T/out")"

# 4. A hanging command; the session killed mid-command.  The remote
# sleep outlives its closed channel: it says its pid, to be stopped here.
mkdir "$T/remote" && chown "$SSHD_USER" "$T/remote" ||
    die "cannot make $T/remote for $SSHD_USER"
drv -k "$K" -K "$KH" -t 1500 127.0.0.1 "$P" \
    "echo before; echo \$\$ >$T/remote/hang.pid; exec sleep 60"
[ -s "$T/remote/hang.pid" ] && kill "$(cat "$T/remote/hang.pid")" 2>/dev/null
# the deadline ended it, said so (not how long that took: without the
# deadline the driver's own 60 s guard ends the wait, and this fails)
has '^exec 0 error=timed out after 1500 ms; its channel was closed$' ||
    check_fail "hang not cut: $(cat "$T/out")"
has '^exec 0 out=before' || check_fail "output before the hang lost"

# Once the command runs (it says so in a file), every sshd process of its
# session (the monitor and the login's own) is killed.
before=$(sshd_sessions "$D" | sort)
timeout 90 "$T/driver" -R -k "$K" -K "$KH" 127.0.0.1 "$P" \
    "echo started; echo \$\$ >$T/remote/kill.pid; exec sleep 30" \
    >"$T/kill" 2>&1 &
drvpid=$!
for _ in $(seq 300); do
	[ -s "$T/remote/kill.pid" ] && break
	sleep 0.1
done
victim=$(sshd_sessions "$D" | sort | comm -13 <(echo "$before") -)
if [ -z "$victim" ]; then
	check_fail "no sshd session process appeared"
else
	kill -KILL $victim
fi
wait "$drvpid"
[ -s "$T/remote/kill.pid" ] && kill "$(cat "$T/remote/kill.pid")" 2>/dev/null
cp "$T/kill" "$T/out"
has '^exec 0 result=-1 ' || check_fail "killed session: $(cat "$T/out")"
has '^exec 0 error=connection to test lost: ' ||
    check_fail "no clear error for the killed session: $(cat "$T/out")"
has '^conn 0 after=retrying status=retrying in [0-9]+ s: ' ||
    check_fail "connection not retrying: $(cat "$T/out")"

# 5. Many at once (SSH_SESSIONS): every one prints its pid, and nothing
# on stderr.
NSESS=${SSH_SESSIONS:-50}
start=$(date +%s)
drv -k "$K" -K "$KH" -n "$NSESS" 127.0.0.1 "$P,$P2" 'echo "n=$$"; sleep 1'
secs=$(($(date +%s) - start))
has "^summary live=$NSESS ok=$NSESS failed=0\$" ||
    check_fail "$NSESS sessions: $(grep -v '^exec .* out=' "$T/out" | tail -20)"
n=$(grep -c '^exec [0-9]* out=n=[0-9]*\\x0a err=$' "$T/out")
[ "$n" = "$NSESS" ] || check_fail "$n of $NSESS commands printed their pid and nothing on stderr: $(grep "^exec [0-9]* out=" "$T/out" | grep -v "out=n=[0-9]*\\\\x0a err=$" | head -5)"
echo "$NSESS sessions in ${secs}s (not asserted: tests/bench/ssh.sh)"

# 6. A stream and a command beside it on each of NSESS connections.
mkdir "$T/meet" || exit 1
want=$(for i in $(seq 0 299); do printf 's%d\\x0a' "$i"; done)
start=$(date +%s)
drv -k "$K" -K "$KH" -n "$NSESS" -S 2000 -F "$T/meet" 127.0.0.1 "$P,$P2" \
    'i=0; while [ $i -lt 300 ]; do echo s$i; i=$((i+1)); done'
secs=$(($(date +%s) - start))
has "^summary live=$NSESS ok=$NSESS failed=0 streams=$NSESS\$" ||
    check_fail "streams: $(grep -v '^exec .* out=' "$T/out" | tail -20)"
n=$(grep -c '^stream [0-9]* result=1 lines=2000 bad=0 errbytes=0$' "$T/out")
[ "$n" = "$NSESS" ] ||
    check_fail "$n of $NSESS streams whole, nothing on stderr: $(grep '^stream' "$T/out" | grep -v 'result=1 lines=2000 bad=0 errbytes=0$' | head -5)"
n=$(sed -n 's/^exec [0-9]* out=//p' "$T/out" | grep -cxF -- "$want err=")
[ "$n" = "$NSESS" ] ||
    check_fail "$n of $NSESS commands beside a stream whole, nothing on stderr: $(grep '^exec [0-9]* out=' "$T/out" | grep -vxF -- "out=$want err=" | cut -c1-200 | head -3)"
echo "$NSESS streams with a command beside each in ${secs}s (not asserted: tests/bench/ssh.sh)"

# 7. Ten commands in a row on one connection.
drv -k "$K" -K "$KH" -q 10 127.0.0.1 "$P" 'echo "n=$$"'
has '^seq 0 runs=10 failed=0 ms=[0-9]+$' ||
    check_fail "commands in a row: $(cat "$T/out")"
has 'start-wait=' && check_fail "a start waited for a timer: $(grep start-wait "$T/out" | head -3)"
has '^summary live=1 ok=1 failed=0$' || check_fail "the last in a row: $(cat "$T/out")"
ms=$(sed -n 's/^seq 0 runs=10 failed=0 ms=\([0-9]*\)$/\1/p' "$T/out")
echo "10 commands in a row in ${ms:-?} ms"

# 8. Half-sent packets: 3 MB in and back out beside a stream.
rm -f "$T"/meet/*
drv -k "$K" -K "$KH" -n 8 -b 4096 -I 3000000 -S 20000 -F "$T/meet" \
    127.0.0.1 "$P,$P2" 'tee /dev/stderr | wc -c'
has '^summary live=8 ok=8 failed=0 streams=8$' ||
    check_fail "half-sent packets: $(grep -v '^exec .* out=' "$T/out" | tail -20)"
# stderr is the input echoed back: its first SSH_EXEC_OUT_MAX (8192)
# bytes are kept, 128 lines of 63 x.
errwant=$(awk 'BEGIN { s = sprintf("%63s", ""); gsub(/ /, "x", s)
    for (i = 0; i < 128; i++) printf "%s\\x0a", s }')
n=$(sed -n 's/^exec [0-9]* out=//p' "$T/out" | grep -cxF -- "3000000\\x0a err=$errwant")
[ "$n" = 8 ] || check_fail "$n of 8 commands got all 3 MB of input and echoed it on stderr: $(grep '^exec [0-9]* out=' "$T/out" | cut -c1-100 | head -3)"
n=$(grep -c '^stream [0-9]* result=1 lines=20000 bad=0 errbytes=0$' "$T/out")
[ "$n" = 8 ] || check_fail "$n of 8 streams beside the echo whole: $(grep '^stream' "$T/out" | head -3)"

[ "$failed" = 0 ] && echo "test_ssh: all checks passed"
exit "$failed"
