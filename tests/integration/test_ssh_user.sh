#!/bin/bash
# test_ssh_user.sh: who the SSH tests log in as.  Every sshd the tests
# start (sshd.sh) refuses root, so an SSH test that logs in as root fails
# by itself, and none can depend on root's login shell or dotfiles (a
# tester's ~/.bashrc that runs `pyenv init` or prints on stderr):
#
#  1. a login as root with the tests' own key is refused, and sshd's log
#     says it was refused for root (DenyUsers), never "Accepted publickey
#     for root";
#  2. SSHD_USER logs in with that key: not uid 0, login shell /bin/sh, and
#     a command's stderr is exactly its own (no start-up file says
#     anything);
#  3. the harness's own sessions list (sshd_sessions) names every sshd
#     process of a session, the login's own included, and killing them
#     cuts it.
#
# Environment: none.  Needs root, sshd, ssh (the OpenSSH client).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/sshd.sh"

T=$(mktemp -d /tmp/mcsshu.XXXXXX) || exit 1
chmod 755 "$T"	# SSHD_USER reads the authorized_keys in here
failed=0
HOLD=

cleanup()
{
	stop_pids $HOLD
	sshd_stop "$T/sshd"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v ssh >/dev/null || die "no ssh client (apt-get install openssh-client)"
sshd_start "$T/sshd" 1 >/dev/null || die "sshd did not start"

# ssh_as USER COMMAND: the OpenSSH client with the tests' key and nothing
# of this machine's ssh configuration.
ssh_as()
{
	ssh -F /dev/null -i "$SSHD_KEY" -o IdentitiesOnly=yes \
	    -o BatchMode=yes -o UserKnownHostsFile="$SSHD_KNOWN_HOSTS" \
	    -o StrictHostKeyChecking=yes -o ConnectTimeout=20 \
	    -p "$SSHD_PORT" "$1@127.0.0.1" "$2"
}

# --- 1. root is refused -------------------------------------------------------
if ssh_as root 'echo in' >"$T/root.out" 2>"$T/root.err"; then
	fail "root logged in: $(cat "$T/root.out")"
fi
grep -q '^in$' "$T/root.out" && fail "a command ran as root"
for _ in $(seq 50); do
	grep -q 'User root from 127.0.0.1 not allowed because listed in DenyUsers' \
	    "$SSHD_LOG" && break
	sleep 0.1
done
grep -q 'User root from 127.0.0.1 not allowed because listed in DenyUsers' \
    "$SSHD_LOG" || fail "sshd's log does not say root was refused: $(tail -5 "$SSHD_LOG")"
grep -q 'Accepted publickey for root' "$SSHD_LOG" &&
    fail "sshd accepted a root login: $(grep 'Accepted publickey for root' "$SSHD_LOG")"

# --- 2. the test user ----------------------------------------------------------
ssh_as "$SSHD_USER" 'id -u; echo "$SHELL $HOME"; echo own >&2' \
    >"$T/user.out" 2>"$T/user.err"
rc=$?
[ "$rc" = 0 ] || fail "$SSHD_USER: exit $rc: $(cat "$T/user.err")"
uid=$(head -1 "$T/user.out")
[ -n "$uid" ] && [ "$uid" != 0 ] || fail "$SSHD_USER runs as uid '$uid'"
[ "$(sed -n 2p "$T/user.out")" = "/bin/sh /" ] ||
    fail "$SSHD_USER's shell and home: $(sed -n 2p "$T/user.out")"
[ "$(cat "$T/user.err")" = own ] ||
    fail "$SSHD_USER's stderr is not the command's own: $(cat -v "$T/user.err")"
grep -q "Accepted publickey for $SSHD_USER from 127.0.0.1" "$SSHD_LOG" ||
    fail "sshd's log has no login of $SSHD_USER"

# --- 3. sshd_sessions names the whole session ---------------------------------
before=$(sshd_sessions "$T/sshd" | sort)
ssh_as "$SSHD_USER" 'echo up; exec sleep 60' >"$T/hold.out" 2>&1 &
HOLD=$!
for _ in $(seq 100); do
	grep -q up "$T/hold.out" && break
	sleep 0.1
done
new=$(sshd_sessions "$T/sshd" | sort | comm -13 <(echo "$before") -)
n=0
for p in $new; do
	[ "$(stat -c %U "/proc/$p" 2>/dev/null)" = "$SSHD_USER" ] && n=$((n + 1))
done
[ "$n" -ge 1 ] || fail "sshd_sessions misses the login's own sshd: $new"
kill -KILL $new 2>/dev/null
for _ in $(seq 100); do
	kill -0 "$HOLD" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$HOLD" 2>/dev/null && fail "killing sshd_sessions' processes did not cut the session"
stop_pids $HOLD
HOLD=

[ "$failed" = 0 ] && echo "test_ssh_user: root refused; $SSHD_USER (uid $uid, /bin/sh) logs in; sessions cut whole"
exit "$failed"
