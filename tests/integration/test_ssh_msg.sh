#!/bin/bash
# test_ssh_msg.sh: what mailcon says when an SSH login goes wrong, against
# real sshd instances on loopback (sshd.sh), logging in as the test user
# ($SSHD_USER) or a login of this test's own (never root), through
# ssh_driver.c, `mailcon watch --headless`, `mailcon act` and the console:
#
#  1. known_hosts holds the server's ed25519 key, the server offers only
#     ecdsa (HostKeyAlgorithms): "a key of another type is already known"
#     with both keys, a hard stop, never offered for trust (the driver's
#     accept, the headless watch, act, the console's A);
#  2. a host key @revoked in known_hosts: said revoked, its fingerprint
#     once, not "known X, offered X"; the client's key in the server's
#     RevokedKeys: refused, RevokedKeys named beside authorized_keys;
#  3. a server that takes only passwords and keyboard-interactive: it
#     offers no public-key login at all, said with the methods it offers;
#  4. a login whose shell is nologin, and a ForceCommand: the remote's own
#     words, the server named, "no command can run" (the follower, and act
#     which must not blame postqueue);
#  5. ssh-agent with ten keys, the right one last, against MaxAuthTries 6:
#     the server closed after 6 tries (its own words), the keys not tried
#     named, parked rather than retried;
#  6. the session killed mid-command: plain words, none of libssh2's own
#     ("transport read", "socket disconnect");
#  7. the headless watch prints a server's state lines in the order they
#     happened: live before the lines it reads, down before the lines
#     read after the reconnect.
#
# Environment: MAILCON (the binary; build/libmailcon.a is looked for next
# to it, else in build/).  Needs root (sshd, useradd), cc, ssh-agent,
# ssh-keygen, tmux.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
test_init sshm
. "$HERE/sshd.sh"
. "$HERE/tmuxlib.sh"
export LC_ALL=C.UTF-8

SOCK="mailcon-sshm-$$"
NOLOGIN=mcnolog$$
made_user=0
PIDS=
WATCH=

test_cleanup()
{
	stop_pids $PIDS
	tmux_stop
	for d in "$T"/d-*; do
		[ -d "$d" ] && sshd_stop "$d"
	done
	[ "$made_user" = 1 ] && users_locked userdel "$NOLOGIN" 2>/dev/null
}

# Does $T/out have a line matching the extended regexp?
has()
{
	grep -Eq -- "$1" "$T/out"
}

# drv ARGS: the driver as the test user; output in $T/out, status in $rc.
drv()
{
	timeout 90 "$T/driver" -u "${DRV_USER:-$SSHD_USER}" "$@" >"$T/out" 2>&1
	rc=$?
}

# use NAME: the variables of sshd instance NAME (sshd.sh's SSHD_*).
use()
{
	. "$T/d-$1/sshd.env"
}

# server NAME SSHD [USER [KNOWN_HOSTS]]: a [server] section behind sshd
# instance SSHD, following $T/logs/NAME.log.
server()
{
	(
		use "$2"
		printf '[server %s]\nhost = 127.0.0.1\nport = %s\nuser = %s\n' \
		    "$1" "$SSHD_PORT" "${3:-$SSHD_USER}"
		printf 'key = %s\nknown_hosts = %s\nlogs = %s\n' "$SSHD_KEY" \
		    "${4:-$SSHD_KNOWN_HOSTS}" "$T/logs/$1.log"
		printf 'keepalive = 1s\nqueue_command = off\n'
		printf 'postfix_config = /etc/postfix\n'
	)
	: >>"$T/logs/$1.log"
	chmod 644 "$T/logs/$1.log"
}

# watch_start CONFIG OUT [ARGS]: a headless watch in the background.
watch_start()
{
	local conf=$1 out=$2
	shift 2
	XDG_STATE_HOME=$T/state "$MAILCON" watch --headless --lines "$@" \
	    --config "$conf" >"$out" 2>"$out.err" &
	WATCH=$!
	PIDS="$PIDS $WATCH"
	wait_file "watching" "$out" 10 ||
	    fail "watch on $conf did not start: $(cat "$out.err")"
}

# watch_stop: stop the watch watch_start started last.
watch_stop()
{
	stop_pids $WATCH
}

# kill_sessions DIR BEFORE: SIGKILL the sshd sessions of DIR that are
# not in BEFORE, with their sshd children.
kill_sessions()
{
	local new
	new=$(sshd_sessions "$1" | sort | comm -13 <(echo "$2") -)
	[ -n "$new" ] || return 1
	kill -KILL $(sshd_session_tree $new)
}

# fp FILE: the SHA256 fingerprint of a public key file.
fp()
{
	ssh-keygen -lf "$1" | awk '{ print $2 }'
}

[ -x "$MAILCON" ] || { echo "no $MAILCON (run make)"; exit 1; }
sshd_build_driver "$T/driver" || die "cannot build the driver"

mkdir -p "$T/logs"
chmod 755 "$T/logs"
sshd_start "$T/d-plain" 1 >/dev/null || die "sshd did not start"
SSHD_EXTRA='HostKeyAlgorithms ecdsa-sha2-nistp256' \
    sshd_start "$T/d-ecdsa" 1 >/dev/null || die "ecdsa-only sshd did not start"
# sshd takes the first value of a keyword, but a Match block overrides
SSHD_EXTRA='Match All
	PubkeyAuthentication no
	PasswordAuthentication yes
	KbdInteractiveAuthentication yes' \
    sshd_start "$T/d-kbd" 1 >/dev/null || die "keyboard-interactive sshd did not start"
SSHD_EXTRA='ForceCommand echo "This server only runs backups."' \
    sshd_start "$T/d-forced" 1 >/dev/null || die "forced-command sshd did not start"
SSHD_EXTRA="RevokedKeys $T/revoked_keys" \
    sshd_start "$T/d-revkeys" 1 >/dev/null || die "RevokedKeys sshd did not start"

# --- 1. a key of another type is known --------------------------------------
use ecdsa
grep ' ssh-ed25519 ' "$SSHD_KNOWN_HOSTS" >"$T/kh_ed25519"
known=$(fp "$SSHD_DIR/s1/host_ed25519.pub")
offered=$(fp "$SSHD_DIR/s1/host_ecdsa.pub")
: >"$T/own"
drv -k "$SSHD_KEY" -K "$T/kh_ed25519" -O "$T/own" -A "$offered" \
    127.0.0.1 "$SSHD_PORT" 'echo should-not-run'
has '^conn 0 state=hostkey-mismatch ' ||
    fail "other type: not a hard stop: $(cat "$T/out")"
has 'key of another type is already known' ||
    fail "other type: not said: $(cat "$T/out")"
grep '^conn 0 error=' "$T/out" | grep -F -- "$known" | grep -qF -- "$offered" ||
    fail "other type: both keys ($known, $offered) not shown: $(cat "$T/out")"
has 'accept-error=' || has 'state=hostkey-unknown' &&
    fail "other type: the key was offered for trust: $(cat "$T/out")"
has 'should-not-run|^exec' && fail "other type: a command ran"
[ -s "$T/own" ] && fail "other type: a key was written: $(cat "$T/own")"

server other ecdsa "" "$T/kh_ed25519" >"$T/other.conf"
watch_start "$T/other.conf" "$T/other.out"
wait_file "server other is down: hostkey-mismatch" "$T/other.out" 15 ||
    fail "other type, headless: $(cat "$T/other.out")"
grep 'server other is down' "$T/other.out" | grep -F -- "$known" |
    grep -qF -- "$offered" ||
    fail "other type, headless: both keys not shown: $(cat "$T/other.out")"
grep -Eq 'unknown host key|accept it' "$T/other.out" &&
    fail "other type, headless: offered for trust: $(cat "$T/other.out")"
watch_stop
XDG_STATE_HOME=$T/state "$MAILCON" act hold --account bob@example.test \
    --config "$T/other.conf" >"$T/out" 2>&1
rc=$?
[ "$rc" = 2 ] || fail "other type, act: exit $rc: $(cat "$T/out")"
has 'key of another type is already known' ||
    fail "other type, act: not said: $(cat "$T/out")"
has 'ssh-keyscan|accept it' &&
    fail "other type, act: trust suggested: $(cat "$T/out")"
console_run c 200 24 XDG_STATE_HOME="$T/cstate" "$MAILCON" --config "$T/other.conf"
sleep 1
tmux -L "$SOCK" send-keys -t c 1
wait_screen "hostkey-mismatch" 20 c || fail "other type, console: $(screen c)"
tmux -L "$SOCK" send-keys -t c A
wait_screen "no unknown host key to accept" 30 c ||
    fail "other type, console: A did not refuse: $(screen c)"
sleep 0.5
screen c | grep -q "Trust the host key" &&
    fail "other type, console: a trust dialog: $(screen c)"
screen c | grep "other" | grep -F -- "$known" | grep -qF -- "$offered" ||
    fail "other type, console: both keys not on the row: $(screen c)"
tmux -L "$SOCK" send-keys -t c q
[ -s "$T/cstate/mailcon/known_hosts" ] &&
    fail "other type, console: a key was written"

# --- 2. a revoked host key ---------------------------------------------------
use plain
revoked=$(fp "$SSHD_DIR/s1/host_ed25519.pub")
{
	cat "$SSHD_KNOWN_HOSTS"
	printf '@revoked [127.0.0.1]:%s %s\n' "$SSHD_PORT" \
	    "$(cut -d' ' -f1-2 "$SSHD_DIR/s1/host_ed25519.pub")"
} >"$T/kh_revoked"
server rev plain "" "$T/kh_revoked" >"$T/rev.conf"
watch_start "$T/rev.conf" "$T/rev.out"
wait_file "server rev is down: hostkey-mismatch" "$T/rev.out" 15 ||
    fail "revoked: $(cat "$T/rev.out")"
line=$(grep 'server rev is down' "$T/rev.out" | head -1)
case $line in *REVOKED*) ;; *) fail "revoked: not said: $line" ;; esac
n=$(printf '%s\n' "$line" | grep -oF -- "$revoked" | wc -l)
[ "$n" = 1 ] || fail "revoked: the fingerprint shown $n times: $line"
case $line in *"known $revoked, offered $revoked"*)
	fail "revoked: known and offered the same key: $line" ;; esac
watch_stop

# the client's key revoked by the server (RevokedKeys): refused, and the
# message points there too, not only at authorized_keys
use revkeys
cp "$SSHD_KEY.pub" "$T/revoked_keys" && chmod 644 "$T/revoked_keys"
drv -k "$SSHD_KEY" -K "$SSHD_KNOWN_HOSTS" 127.0.0.1 "$SSHD_PORT" true
has '^conn 0 state=auth-failed ' && has 'refused the key' &&
    has 'RevokedKeys' || fail "RevokedKeys: $(cat "$T/out")"

# --- 3. no public-key login offered -----------------------------------------
use kbd
drv -k "$SSHD_KEY" -K "$SSHD_KNOWN_HOSTS" 127.0.0.1 "$SSHD_PORT" true
has '^conn 0 state=auth-failed ' || fail "kbd only: $(cat "$T/out")"
has 'no public-key login' && has 'keyboard-interactive' && has 'password' ||
    fail "kbd only: the methods offered are not said: $(cat "$T/out")"
has 'refused the key|check authorized_keys' &&
    fail "kbd only: blames the key: $(cat "$T/out")"

# --- 4. no command can run: nologin, ForceCommand -----------------------------
if users_locked useradd --system --no-create-home --home-dir / \
    --shell /usr/sbin/nologin \
    --comment "mailcon tests (test_ssh_msg.sh)" "$NOLOGIN"; then
	made_user=1
	users_locked usermod -p '*' "$NOLOGIN" || fail "cannot unlock $NOLOGIN"
else
	fail "cannot create the user $NOLOGIN"
fi
{
	server nolog plain "$NOLOGIN"
	server forced forced
} >"$T/nolog.conf"
watch_start "$T/nolog.conf" "$T/nolog.out"
wait_file "server nolog is down: no-commands" "$T/nolog.out" 20 ||
    fail "nologin: $(cat "$T/nolog.out")"
grep 'server nolog is down: no-commands' "$T/nolog.out" |
    grep 'This account is currently not available' |
    grep 'no command can run' | grep -q "$NOLOGIN" ||
    fail "nologin: the remote's words, the login or the verdict missing: $(grep nolog "$T/nolog.out")"
wait_file "server forced is down: no-commands" "$T/nolog.out" 20 ||
    fail "ForceCommand: $(grep forced "$T/nolog.out")"
grep 'server forced is down: no-commands' "$T/nolog.out" |
    grep -q 'This server only runs backups' ||
    fail "ForceCommand: the remote's words missing: $(grep forced "$T/nolog.out")"
watch_stop
XDG_STATE_HOME=$T/state "$MAILCON" act hold --account bob@example.test \
    --server nolog --config "$T/nolog.conf" >"$T/out" 2>&1
rc=$?
[ "$rc" = 2 ] || fail "nologin, act: exit $rc: $(cat "$T/out")"
has 'This account is currently not available' && has 'no command can run' &&
    has 'nolog' || fail "nologin, act: $(cat "$T/out")"
has 'postqueue' && fail "nologin, act: blames postqueue: $(cat "$T/out")"

# --- 5. ten keys in the agent, MaxAuthTries 6 ---------------------------------
use plain
ssh-agent -D -a "$T/agent" >/dev/null 2>&1 &
PIDS="$PIDS $!"
for _ in $(seq 50); do
	[ -S "$T/agent" ] && break
	sleep 0.1
done
for i in $(seq 9); do
	ssh-keygen -q -t ed25519 -N '' -C "stranger$i" -f "$T/k$i" &&
	    SSH_AUTH_SOCK=$T/agent ssh-add -q "$T/k$i" 2>/dev/null ||
	    fail "cannot add key $i to the agent"
done
SSH_AUTH_SOCK=$T/agent ssh-add -q "$SSHD_KEY" 2>/dev/null ||
    fail "cannot add the client key to the agent"
SSH_AUTH_SOCK=$T/agent drv -K "$SSHD_KNOWN_HOSTS" 127.0.0.1 "$SSHD_PORT" true
has '^conn 0 state=auth-failed ' ||
    fail "MaxAuthTries: not parked as auth-failed: $(cat "$T/out")"
has 'closed the connection after 6 ' ||
    fail "MaxAuthTries: the tries are not counted: $(cat "$T/out")"
has 'Too many authentication failures' ||
    fail "MaxAuthTries: the server's words missing: $(cat "$T/out")"
has 'mailcon-test' && has 'key = ' ||
    fail "MaxAuthTries: the keys not tried, or what to set, missing: $(cat "$T/out")"
has 'Waiting for USERAUTH|Unable to send' &&
    fail "MaxAuthTries: libssh2's own words: $(cat "$T/out")"

# --- 6. the session killed mid-command ------------------------------------------
use plain
before=$(sshd_sessions "$SSHD_DIR" | sort)
timeout 90 "$T/driver" -u "$SSHD_USER" -R -k "$SSHD_KEY" -K "$SSHD_KNOWN_HOSTS" \
    127.0.0.1 "$SSHD_PORT" 'echo started; sleep 30' >"$T/kill" 2>&1 &
drvpid=$!
for _ in $(seq 100); do
	[ -n "$(sshd_sessions "$SSHD_DIR" | sort | comm -13 <(echo "$before") -)" ] &&
	    break
	sleep 0.1
done
sleep 0.5
kill_sessions "$SSHD_DIR" "$before" || fail "killed session: no session to kill"
wait "$drvpid"
cp "$T/kill" "$T/out"
has '^exec 0 error=connection to test lost: ' ||
    fail "killed session: $(cat "$T/out")"
has 'transport read|socket disconnect|Would block|_libssh2|Unable to' &&
    fail "killed session: libssh2's own words: $(grep error "$T/out")"
has '^exec 0 error=connection to test lost: (the server closed the connection|the connection broke)' ||
    fail "killed session: no plain reason: $(grep error "$T/out")"

# --- 7. state lines in the order they happened -----------------------------------
use plain
server order plain >"$T/order.conf"
for i in 1 2 3; do
	echo "Nov 28 12:00:00 mx postfix/cleanup[77]: seq $i"
done >>"$T/logs/order.log"
before=$(sshd_sessions "$SSHD_DIR" | sort)
watch_start "$T/order.conf" "$T/order.out" --from-start
wait_file "seq 3" "$T/order.out" 15 || fail "order: no lines: $(cat "$T/order.out")"
live=$(grep -n 'server order is live' "$T/order.out" | head -1 | cut -d: -f1)
first=$(grep -n 'line order:' "$T/order.out" | head -1 | cut -d: -f1)
[ -n "$live" ] && [ "$live" -lt "$first" ] ||
    fail "order: the lines came before 'live': $(cat "$T/order.out")"
kill_sessions "$SSHD_DIR" "$before" || fail "order: no session to kill"
echo "Nov 28 12:00:00 mx postfix/cleanup[77]: seq 4" >>"$T/logs/order.log"
wait_file "seq 4" "$T/order.out" 20 || fail "order: no line after the kill"
awk '/server order is down/ { d = NR } /server order is live/ && d { l = NR }
    /seq 4$/ { s = NR } END { exit !(d && l && d < l && l < s) }' \
    "$T/order.out" ||
    fail "order: not down, live, then the line: $(grep -v 'seq [123]$' "$T/order.out")"
watch_stop

[ "$failed" = 0 ] && echo "test_ssh_msg: all checks passed"
exit "$failed"
