#!/bin/bash
# test_ssh_console.sh: a fleet behind SSH in the console (tmux, 80x24) and
# in the headless watch, against real sshd instances on loopback:
#
#  1. SSH_FLEET (50) servers, each with its own log, followed at once over one sshd:
#     every line of every server arrives exactly once (watch --lines); the
#     console shows "50 servers" all live and keeps answering keys while
#     all of them stream;
#  2. an unknown host key: the console asks once, showing the fingerprint
#     ssh-keygen gives; No leaves it parked and writes nothing; A asks
#     again; y writes mailcon's own known_hosts and the server goes live;
#  3. a changed host key is a hard stop showing both fingerprints, and a
#     closed port is "retrying in N s" with the reason, in the servers
#     view, with the fleet total counting what is live.
#
# Environment: MAILCON (the binary).  Needs root, sshd, tmux.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/sshd.sh"
. "$HERE/tmuxlib.sh"
export LC_ALL=C.UTF-8
MAILCON=${MAILCON:-$HERE/../../build/mailcon}
case $MAILCON in /*) ;; *) MAILCON=$(pwd)/$MAILCON ;; esac
N=${SSH_FLEET:-50}

T=$(mktemp -d /tmp/mcsshc.XXXXXX) || exit 1
chmod 755 "$T"		# the fleet's user reads the logs in here
SOCK="mailcon-sshc-$$"
failed=0
WATCH_PID=
WRITERS=

cleanup()
{
	stop_pids $WATCH_PID $WRITERS
	tmux_stop
	sshd_stop "$T/sshd"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# console SESSION CONFIG [ARGS]: the console in a fresh tmux session.
console()
{
	local name=$1 conf=$2
	shift 2
	console_run "$name" 80 24 XDG_STATE_HOME="$T/state" \
	    MAILCON_STATS="$T/$name.stats" "$MAILCON" --config "$conf" "$@"
}

# server NAME LOG [KNOWN_HOSTS [PORT]]: a [server] section behind the sshd.
server()
{
	printf '[server %s]\nhost = 127.0.0.1\nport = %s\nuser = %s\n' \
	    "$1" "${4:-$SSHD_PORT}" "$SSHD_USER"
	printf 'key = %s\nknown_hosts = %s\nlogs = %s\n' "$SSHD_KEY" \
	    "${3:-$SSHD_KNOWN_HOSTS}" "$2"
	printf 'keepalive = 2s\nqueue_command = off\n'
}

# A line that makes an account: a SASL login from its own address.
login_line()
{
	printf 'Nov 28 12:00:00 mx postfix/smtpd[%d]: 4A%08X: client=unknown[127.0.1.%d], sasl_method=PLAIN, sasl_username=%s\n' \
	    "$1" "$2" "$(($1 % 250 + 1))" "$3"
}

sshd_start "$T/sshd" 1 >/dev/null || die "sshd did not start"
mkdir -p "$T/logs"

# --- 1. 50 servers at once ---------------------------------------------------
: >"$T/fleet.conf"
for i in $(seq "$N"); do
	: >"$T/logs/s$i.log"
	server "s$i" "$T/logs/s$i.log" >>"$T/fleet.conf"
done
XDG_STATE_HOME=$T/wstate "$MAILCON" watch --headless --lines \
    --config "$T/fleet.conf" >"$T/fleet.out" 2>"$T/fleet.err" &
WATCH_PID=$!
console c "$T/fleet.conf"
wait_screen "| $N servers |" 60 || fail "not all $N servers live on screen: $(screen)"
live=0
for i in $(seq 60); do
	live=$(grep -c "is live: following" "$T/fleet.out")
	[ "$live" -ge "$N" ] && break
	sleep 0.5
done
[ "$live" -ge "$N" ] || fail "headless: $live of $N servers live"
# every server streams 40 lines (5 a second each: 8 s, longer than the
# 6 s of keys) while keys are pressed
for i in $(seq "$N"); do
	(
		for k in $(seq 40); do
			login_line "$k" "$((i * 100 + k))" "u$k@s$i.test" >>"$T/logs/s$i.log"
			sleep 0.2
		done
	) &
	WRITERS="$WRITERS $!"
done
for key in 3 2 1 G g '?'; do
	tmux -L "$SOCK" send-keys -t c "$key"
	sleep 1
done
wait_screen "| help |" 30 ||
    fail "help (?) did not open while $N servers streamed: $(screen)"
tmux -L "$SOCK" send-keys -t c q 2 '\' 'u40@' Enter
wait_screen "u40@s" 30 || fail "the accounts of the last lines never showed: $(screen)"
for pid in $WRITERS; do
	while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
done
WRITERS=
# exactly once, every server
for i in $(seq 60); do
	got=$(grep -c "sasl_username=u40@s" "$T/fleet.out")
	[ "$got" -ge "$N" ] && break
	sleep 0.5
done
bad=0
for i in $(seq "$N"); do
	n=$(grep -cF "line s$i: " "$T/fleet.out")
	d=$(grep -F "line s$i: " "$T/fleet.out" | sed 's/^[^ ]* //' | sort | uniq -d | wc -l)
	if [ "$n" != 40 ] || [ "$d" != 0 ]; then
		bad=$((bad + 1))
		[ $bad -le 3 ] && fail "s$i: $n lines (want 40), $d repeated"
	fi
done
[ $bad = 0 ] && echo "ok: $N servers, 40 lines each, every line once"
tmux -L "$SOCK" send-keys -t c q
sleep 1
[ -s "$T/c.stats" ] && echo "console with $N servers: $(tr '\n' ' ' <"$T/c.stats")"
grep -q "^lines $((N * 40))$" "$T/c.stats" 2>/dev/null ||
    fail "the console read $(grep '^lines' "$T/c.stats" 2>/dev/null) lines, want $((N * 40))"
kill "$WATCH_PID"
wait "$WATCH_PID"
WATCH_PID=

# --- 2. an unknown host key: asked, refused, asked again, trusted -------------
: >"$T/empty_known_hosts"
: >"$T/logs/new.log"
server new "$T/logs/new.log" "$T/empty_known_hosts" >"$T/new.conf"
fp=$(ssh-keygen -lf "$T/sshd/s1/host_ecdsa.pub" | awk '{ print $2 }')
fp2=$(ssh-keygen -lf "$T/sshd/s1/host_ed25519.pub" | awk '{ print $2 }')
rm -rf "$T/state"
console k "$T/new.conf"
if wait_screen "Trust the host key of new?" 15 k; then
	screen k | grep -qF -e "$fp" -e "$fp2" ||
	    fail "the dialog does not show the server's fingerprint: $(screen k)"
	tmux -L "$SOCK" send-keys -t k n
	wait_screen "host key not trusted" 30 k || fail "No was not taken: $(screen k)"
	[ -s "$T/state/mailcon/known_hosts" ] && fail "a refused key was written"
	sleep 1
	screen k | grep -q "Trust the host key" && fail "asked again without A"
	tmux -L "$SOCK" send-keys -t k 1 A
	wait_screen "Trust the host key of new?" 30 k || fail "A did not ask again: $(screen k)"
	tmux -L "$SOCK" send-keys -t k y
	wait_screen "| 1 server |" 15 k || fail "trusted, but not live: $(screen k)"
	grep -q "^\[127.0.0.1\]:$SSHD_PORT " "$T/state/mailcon/known_hosts" ||
	    fail "mailcon's known_hosts has no entry: $(cat "$T/state/mailcon/known_hosts" 2>&1)"
	[ -s "$T/empty_known_hosts" ] && fail "the user's known_hosts was written"
	login_line 1 1 trusted@new.test >>"$T/logs/new.log"
	tmux -L "$SOCK" send-keys -t k 2
	wait_screen "trusted@new.test" 10 k || fail "no line after trusting: $(screen k)"
else
	fail "no host key dialog: $(screen k)"
fi
tmux -L "$SOCK" send-keys -t k q

# --- 3. a changed key, a closed port: states in the servers view -------------
ssh-keygen -q -t ecdsa -N '' -f "$T/other" || die "ssh-keygen failed"
printf '[127.0.0.1]:%s %s\n' "$SSHD_PORT" "$(cut -d' ' -f1-2 "$T/other.pub")" >"$T/wrong_known_hosts"
closed=$(_stack_free_ports 127.0.0.1 1)
{
	server changed "$T/logs/new.log" "$T/wrong_known_hosts"
	server closed "$T/logs/new.log" "$SSHD_KNOWN_HOSTS" "$closed"
	server fine "$T/logs/new.log"
} >"$T/states.conf"
rm -rf "$T/state"
console_run s 200 24 XDG_STATE_HOME="$T/state" "$MAILCON" \
    --config "$T/states.conf"
wait_screen "| 3 servers, 1 live |" 20 s || fail "fleet total: $(screen s | head -2)"
wait_screen "retrying in" 10 s || fail "closed port: $(screen s)"
screen s | grep "closed" | grep -q "refused" || fail "closed port has no reason: $(screen s | grep closed)"
screen s | grep "changed" | grep -q "hostkey-mismatch" ||
    fail "changed key not a mismatch: $(screen s | grep changed)"
screen s | grep "changed" | grep -qF "$(ssh-keygen -lf "$T/other.pub" | awk '{ print $2 }')" ||
    fail "the known (wrong) fingerprint is not shown: $(screen s | grep changed)"
screen s | grep "changed" | grep -qF "$fp" ||
    fail "the offered fingerprint is not shown: $(screen s | grep changed)"
screen s | grep -q "Trust the host key" && fail "a changed key was offered for trust"
screen s | sed 's/^/  /'
tmux -L "$SOCK" send-keys -t s q

[ "$failed" = 0 ] && echo "PASS: test_ssh_console"
exit "$failed"
