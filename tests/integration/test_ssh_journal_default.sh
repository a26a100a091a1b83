#!/bin/bash
# test_ssh_journal_default.sh: a server behind SSH with no logs and no
# journal key follows its /var/log/mail.log by default; when the server
# answers that the file is not there (a Debian 12 without rsyslog), it
# follows the server's journal instead (the ssh-journal source) and says
# so once (console/live/server.c, server_journal_fallback), against a real
# sshd on loopback (sshd.sh), logged in as SSHD_USER, never root.
#
# The server is this machine: the test needs it without /var/log/mail.log
# and says so when it has one (rsyslog running).
#
# Environment: MAILCON (the binary).  Needs root and sshd (tests/deps.sh).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/sshd.sh"
export LC_ALL=C
MAILCON=${MAILCON:-$HERE/../../build/mailcon}

T=$(mktemp -d /tmp/mcsshjd.XXXXXX) || exit 1
chmod 755 "$T"
WATCH_PIDS=

cleanup()
{
	stop_pids $WATCH_PIDS
	[ -d "$T/sshd" ] && sshd_stop "$T/sshd"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -e /var/log/mail.log ] &&
    die "this machine has /var/log/mail.log: the test needs a server without it"

sshd_start "$T/sshd" 1 || die "sshd did not start"
cat >"$T/r.conf" <<EOF
[server r1]
host = 127.0.0.1
port = $SSHD_PORT
user = $SSHD_USER
key = $SSHD_KEY
known_hosts = $SSHD_KNOWN_HOSTS
queue = off
EOF
"$MAILCON" watch --headless --config "$T/r.conf" >"$T/r.out" 2>"$T/r.err" &
WATCH_PIDS="$WATCH_PIDS $!"
wait_text "$T/r.out" "r1: no /var/log/mail.log there; following its journal" 60 ||
    fail "the missing default log did not turn into the journal: $(cat "$T/r.out" "$T/r.err")"
# the journal is what it follows now: its state names the journal, not
# the missing file (this machine's journal may be empty or unreadable)
sleep 2
tail -1 "$T/r.out" | grep -q "mail.log: no such file" &&
    fail "the state still names the missing file: $(tail -3 "$T/r.out")"
n=$(grep -c "following its journal" "$T/r.out")
[ "$n" -eq 1 ] || fail "the switch was said $n times, not once: $(cat "$T/r.out")"

exit "$failed"
