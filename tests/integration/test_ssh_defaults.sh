#!/bin/bash
# test_ssh_defaults.sh: what a [server] behind SSH does without being told,
# against a real sshd (sshd.sh) and a real Postfix (stack.sh) on loopback,
# logging in as the test user SSHD_USER with a HOME of the test's own:
#
#  1. no key =: ~/.ssh/id_ed25519 logs in, as ssh(1) would (no agent);
#     no queue_command: the console reads the server's queue by itself
#     (postqueue -c postfix_config -j on it, through sudo -n) and shows
#     the deferred messages in the servers view;
#  2. the default keys are tried in turn: a refused ~/.ssh/id_ed25519,
#     then ~/.ssh/id_rsa (the authorized one) logs in;
#  3. only refused default keys and no agent: auth-failed, naming the
#     key refused and the missing agent; no key at all: says so;
#  4. key = a file that is not there: the watch and act stop at start
#     (exit 2), naming the server and the path, and nothing connects.
# (queue = off, and which command is run, are tests/unit/test_server_queue.c.)
#
# The sudoers entry (postqueue only, for SSHD_USER) is the test's own and
# removed at the end.
#
# Environment: MAILCON (the binary).  Needs root, python3, Postfix, sshd,
# sudo, tmux.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/sshd.sh"
. "$HERE/tmuxlib.sh"
MAILGEN=$HERE/mailgen.py
export LC_ALL=C.UTF-8
export STACK_AUTH_PENALTY=0
MAILCON=${MAILCON:-$HERE/../../build/mailcon}
case $MAILCON in /*) ;; *) MAILCON=$(pwd)/$MAILCON ;; esac

T=$(mktemp -d /tmp/mcsshd.XXXXXX) || exit 1
chmod 755 "$T"
SOCK="mailcon-sshd-$$"
SUDOERS=/etc/sudoers.d/mailcon-test-defaults-$$
failed=0
pids=

cleanup()
{
	stop_pids $pids
	tmux_stop
	rm -f "$SUDOERS"
	sshd_stop "$T/d"
	stack_stop "$T/s"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stack_start "$T/s" || die "the mail stack did not start"
sshd_start "$T/d" >/dev/null || die "sshd did not start"
echo "$SSHD_USER ALL=(root) NOPASSWD: /usr/sbin/postqueue" >"$SUDOERS"
chmod 440 "$SUDOERS"
visudo -cq -f "$SUDOERS" || die "visudo refuses the test's sudoers entry"
: >"$T/lab.log"
chmod 644 "$T/lab.log"

# Three messages, deferred for good (the relayhost is a closed port).
pw=$(awk '$1 == "alice@example.test" { print $2 }' "$STACK_USERS")
echo "send alice@example.test $pw 127.0.0.44 3 3 x@remote.test" |
    python3 "$MAILGEN" --port "$STACK_SUBMIT_PORT" --qids "$T/qids" \
    >"$T/gen" 2>&1 || die "mailgen: $(cat "$T/gen")"
for _ in $(seq 100); do
	[ "$(postqueue -c "$STACK_POSTFIX_CONF" -j 2>/dev/null |
	    grep -c '"queue_name": "deferred"')" = 3 ] && break
	sleep 0.2
done

# home NAME KEYFILE...: a HOME with these files in ~/.ssh (as SRC:NAME).
home()
{
	local h=$T/home-$1 pair
	shift
	mkdir -p "$h/.ssh"
	chmod 700 "$h" "$h/.ssh"
	for pair in "$@"; do
		cp "${pair%%:*}" "$h/.ssh/${pair##*:}"
		chmod 600 "$h/.ssh/${pair##*:}"
	done
	echo "$h"
}

# conf [LINES]: the server lab, no key and no queue_command unless LINES.
conf()
{
	printf '[console]\nhistory = off\n[server lab]\nhost = 127.0.0.1\n'
	printf 'port = %s\nuser = %s\nknown_hosts = %s\nlogs = %s\n' \
	    "$SSHD_PORT" "$SSHD_USER" "$SSHD_KNOWN_HOSTS" "$T/lab.log"
	printf 'postfix_config = %s\nsudo = yes\nqueue_interval = 1s\n' \
	    "$STACK_POSTFIX_CONF"
	printf 'keepalive = 2s\n%b' "${1:-}"
}

# watch NAME HOME CONFIG: the headless watch, output in $T/NAME.out.
watch()
{
	env -u SSH_AUTH_SOCK -u DBUS_SESSION_BUS_ADDRESS HOME="$2" \
	    XDG_STATE_HOME="$T/state-$1" "$MAILCON" watch --headless \
	    --config "$3" >"$T/$1.out" 2>&1 &
	pids="$pids $!"
}

ssh-keygen -q -t ed25519 -N '' -C stranger -f "$T/stranger" ||
    die "ssh-keygen failed"
conf >"$T/lab.conf"

# --- 1. ~/.ssh/id_ed25519 logs in; the queue is read by default --------------
H1=$(home one "$SSHD_KEY:id_ed25519")
console_run c 80 24 HOME="$H1" XDG_STATE_HOME="$T/state-c" \
    "$MAILCON" --config "$T/lab.conf"
sleep 1
tmux -L "$SOCK" send-keys -t c 1
for _ in $(seq 300); do
	screen | grep -Eq '^ *lab +([a-z-]+ +)?live ' && break
	sleep 0.1
done
screen | grep -Eq '^ *lab +([a-z-]+ +)?live ' ||
    fail "default key: lab not live: $(screen) $(cat "$T/c.err")"
for _ in $(seq 150); do
	screen | grep -Eq '^ *lab +([a-z-]+ +)?live .* 3 +3 ' && break
	sleep 0.1
done
screen | grep -Eq '^ *lab +([a-z-]+ +)?live .* 3 +3 ' ||
    fail "no queue read by default (QUEUE and DEFER should be 3): $(screen)"
tmux -L "$SOCK" send-keys -t c q

# --- 2. the defaults in turn: a refused id_ed25519, then id_rsa -----------------
# --- 3. refused defaults and no agent; no key at all -----------------------------
# (three watches of their own, side by side)
H2=$(home two "$T/stranger:id_ed25519" "$SSHD_KEY:id_rsa")
H3=$(home three "$T/stranger:id_ed25519")
H4=$(home four)
watch two "$H2" "$T/lab.conf"
watch three "$H3" "$T/lab.conf"
watch four "$H4" "$T/lab.conf"
wait_file "server lab is live" "$T/two.out" 30 ||
    fail "id_rsa after a refused id_ed25519: not live: $(cat "$T/two.out")"
wait_file "server lab is down" "$T/three.out" 30 ||
    fail "a refused default key: not down: $(cat "$T/three.out")"
grep -q "auth-failed.*the server refused $H3/.ssh/id_ed25519 for $SSHD_USER; SSH_AUTH_SOCK is not set" \
    "$T/three.out" || fail "a refused default key: $(grep 'lab is' "$T/three.out")"
wait_file "server lab is down" "$T/four.out" 30 ||
    fail "no key: not down: $(cat "$T/four.out")"
grep -q "auth-failed.*no key = and no default key (~/.ssh/id_ed25519, id_ecdsa, id_rsa); SSH_AUTH_SOCK is not set" \
    "$T/four.out" || fail "no key: $(grep 'lab is' "$T/four.out")"
stop_pids $pids
pids=

# --- 4. key = a file that is not there: stop at start, naming the server --------
before=$(grep -c "Accepted publickey\|Connection from\|connection from" "$SSHD_LOG")
conf "key = $T/missing_key\n" >"$T/missing.conf"
env -u SSH_AUTH_SOCK HOME="$H1" XDG_STATE_HOME="$T/state-m" timeout 20 \
    "$MAILCON" watch --headless --config "$T/missing.conf" >"$T/m.out" 2>&1
rc=$?
[ "$rc" = 2 ] || fail "missing key, watch: exit $rc, not 2: $(cat "$T/m.out")"
grep -q "\[server lab\]: key $T/missing_key: No such file or directory" "$T/m.out" ||
    fail "missing key, watch: $(cat "$T/m.out")"
env -u SSH_AUTH_SOCK HOME="$H1" XDG_STATE_HOME="$T/state-m" timeout 20 \
    "$MAILCON" act hold --yes --account alice@example.test \
    --config "$T/missing.conf" >"$T/ma.out" 2>&1
rc=$?
[ "$rc" = 2 ] || fail "missing key, act: exit $rc, not 2: $(cat "$T/ma.out")"
grep -q "refused, nothing run: \[server lab\]: key $T/missing_key: No such file" \
    "$T/ma.out" || fail "missing key, act: $(cat "$T/ma.out")"
after=$(grep -c "Accepted publickey\|Connection from\|connection from" "$SSHD_LOG")
[ "$before" = "$after" ] || fail "missing key: something connected to sshd"
[ "$(postqueue -c "$STACK_POSTFIX_CONF" -j | grep -c '"queue_name": "deferred"')" = 3 ] ||
    fail "missing key: the queue changed"

[ "$failed" = 0 ] && echo "test_ssh_defaults: all checks passed"
exit "$failed"
