#!/bin/bash
# test_exim_fleet.sh: one console, a mixed fleet: a real Postfix + Dovecot
# (stack.sh) and a real Exim (exim.sh) side by side, in tmux at 80x24.
#
#  1. local: both servers followed from their logs (the Exim server named
#     with backend = exim); ordinary mail on both, then judy's account on
#     the Exim server used from 60 addresses: she turns critical on screen,
#     her row names exim, the servers view names each server's MTA, the
#     filter "exim" keeps the Exim server's accounts only, and the Postfix
#     server's accounts stay ok; mailcon scan of both servers' logs in
#     one run finds the same;
#  2. over SSH, backend = auto on both: one sshd on this machine (Postfix
#     installed), another in a private mount namespace where /usr/sbin
#     holds Debian's exim4 and no Postfix tool, as on a Debian exim4 host.
#     The probe over SSH must settle the second server as exim and the
#     first as postfix; the Exim main log is followed through the same SSH
#     source; carol's account, hijacked on the Exim server, turns critical
#     with her row naming exim.
#
# Environment: MAILCON (the binary).  Needs root, unshare (util-linux),
# sshd, tmux, and what stack.sh and exim.sh need.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/exim.sh"
. "$HERE/sshd.sh"
. "$HERE/tmuxlib.sh"
MAILGEN=$HERE/mailgen.py
: "${MAILCON:?set MAILCON to the mailcon binary}"
case $MAILCON in /*) ;; *) MAILCON=$(pwd)/$MAILCON ;; esac
export LC_ALL=C.UTF-8

T=$(mktemp -d /tmp/mceximfleet.XXXXXX) || exit 1
chmod 755 "$T"		# Exim's deliveries, Postfix, and the SSH user
SOCK="mailcon-eximfleet-$$"
SCREEN_SESSION=fleet
failed=0

cleanup()
{
	tmux_stop
	sshd_stop "$T/sshd-ex"
	sshd_stop "$T/sshd-pf"
	exim_stop "$T/x"
	stack_stop "$T/s"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -x "$MAILCON" ] || die "MAILCON=$MAILCON is not an executable"
stack_start "$T/s" || die "the Postfix stack did not start"
EXIM_SINK_DOMAINS="example.test" exim_start "$T/x" || die "Exim did not start"
echo "postfix on $STACK_SUBMIT_PORT, exim $EXIM_VERSION on $EXIM_PORT"
# The SSH user reads both servers' logs, as an admin's account would.
chmod 755 "$EXIM_DIR/log" && chmod 644 "$EXIM_MAINLOG" \
    "$STACK_POSTFIX_LOG" "$STACK_DOVECOT_LOG" || die "cannot open the logs"

pfpw() { awk -v u="$1@example.test" '$1 == u { print $2 }' "$STACK_USERS"; }
expw() { awk -v u="$1@example.test" '$1 == u { print $2 }' "$EXIM_USERS"; }

# mail PORT [MAILGEN ARGS]: run mailgen with the plan on stdin.
mail()
{
	local port=$1
	shift
	python3 "$MAILGEN" --port "$port" -j 8 "$@" >/dev/null 2>"$T/mg" ||
	    die "mailgen on port $port: $(cat "$T/mg")"
}

# hijack LOGIN NET: 60 messages from 60 addresses 127.NET.x.y to the Exim.
hijack()
{
	python3 - "$1@example.test" "$(expw "$1")" "$2" <<'PY' >"$T/plan"
import sys
for i in range(60):
    print("send %s %s 127.%s.%d.%d 1 1 x%d@d%d.spam.test"
          % (sys.argv[1], sys.argv[2], sys.argv[3], i // 20, i % 20 + 1, i, i))
PY
	mail "$EXIM_PORT" --auth login <"$T/plan"
}

# row TEXT: the screen's first line holding TEXT.
row()
{
	screen | grep -F -- "$1" | head -n 1
}

# key KEYS...: send keys and let the console draw.
key()
{
	tmux -L "$SOCK" send-keys -t fleet "$@"
	sleep 0.5
}

# --- 1. local: Postfix and Exim in one console --------------------------------
mkdir -p "$T/cfg/mailcon"
cat >"$T/cfg/mailcon/config" <<CFG
[server mx-pf]
logs = $STACK_POSTFIX_LOG, $STACK_DOVECOT_LOG
queue_command = postqueue -c $STACK_POSTFIX_CONF -j
queue_interval = 2s

[server mx-ex]
backend = exim
logs = $EXIM_MAINLOG
CFG
console_run fleet 80 24 XDG_CONFIG_HOME="$T/cfg" XDG_STATE_HOME="$T/state" \
    "$MAILCON"
wait_screen "2 servers" 10 ||
    die "console did not start: $(screen) $(cat "$T/fleet.err")"
key 2		# a fleet opens on the servers view

echo "send alice@example.test $(pfpw alice) 127.0.1.1 3 1 bob@example.test" |
    mail "$STACK_SUBMIT_PORT"
echo "send bob@example.test $(expw bob) 127.0.1.3 2 1 alice@example.test" |
    mail "$EXIM_PORT"
wait_screen "alice@example.test" 10 || fail "alice (Postfix) not on screen: $(screen)"
wait_screen "bob@example.test" 10 || fail "bob (Exim) not on screen: $(screen)"

hijack judy 202
if wait_screen "critical  judy@example.test" 20; then
	echo "local: $(row 'judy@example.test')"
else
	fail "judy (Exim) not critical on screen: $(screen)"
fi
row 'judy@example.test' | grep -qE ' exim +[0-9]' ||
    fail "judy's row does not name exim: $(row 'judy@example.test')"
row 'alice@example.test' | grep -qE '^ +ok .* postfix( |$)' ||
    fail "alice's row is not ok on postfix: $(row 'alice@example.test')"
row 'bob@example.test' | grep -qE ' exim( |$)' ||
    fail "bob's row does not name exim: $(row 'bob@example.test')"
screen | grep -qE '(critical|suspicious) +(alice|bob)@' &&
    fail "an ordinary user flagged: $(screen)"

# mailcon scan of both servers' logs in one run: each account's mail from
# its own MTA's log, the hijack found with its 60 addresses
"$MAILCON" scan --json "$STACK_POSTFIX_LOG" "$STACK_DOVECOT_LOG" \
    "$EXIM_MAINLOG" >"$T/scan.json" 2>"$T/scan.err"
rc=$?
[ "$rc" = 1 ] || fail "scan of both logs: exit $rc, want 1: $(head -c 500 "$T/scan.err")"
python3 - "$T/scan.json" <<'PY' || fail "scan of both logs: $(head -c 3000 "$T/scan.json")"
import json, sys
d = json.load(open(sys.argv[1]))
by = {a["account"]: a for a in d["accounts"]}
want = {"judy@example.test": ("critical", 60, 60),
        "alice@example.test": ("ok", 3, 1), "bob@example.test": ("ok", 2, 1)}
bad = []
for acct, (level, msgs, ips) in want.items():
    a = by.get(acct)
    got = a and (a["level"], a["messages"], a["auth_ips"])
    if got != (level, msgs, ips):
        bad.append("%s: %s, want %s" % (acct, got, (level, msgs, ips)))
flagged = sorted(a["account"] for a in d["accounts"]
                 if a["level"] in ("critical", "suspicious"))
if flagged != ["judy@example.test"]:
    bad.append("flagged: %s" % flagged)
for b in bad:
    print("    " + b)
sys.exit(1 if bad else 0)
PY
echo "scan of the Postfix and Exim logs together: judy critical, 60 addresses"

# the filter: the MTA's name keeps its server's accounts
key '\' e x i m Enter
if screen | grep -q 'judy@example.test' && ! screen | grep -q 'alice@'; then
	echo "filter exim: $(screen | grep -c '@example.test') accounts"
else
	fail "filter 'exim' does not keep the Exim accounts only: $(screen)"
fi
key Escape

# the servers view: each row names its MTA, the Exim one is critical
key 1
sleep 1
echo "servers: $(row 'mx-ex')"
row 'mx-pf' | grep -qE '^ +mx-pf +postfix +live ' ||
    fail "the Postfix server's row: '$(row 'mx-pf')' $(screen)"
row 'mx-ex' | grep -qE '^!! mx-ex +exim +live ' ||
    fail "the Exim server's row (critical, exim, live): '$(row 'mx-ex')'"
# its detail names both roles
key j Enter
wait_screen "MTA: exim; logins: dovecot" 5 ||
    fail "the Exim server's detail does not name its MTA: $(screen)"
key q
tmux -L "$SOCK" kill-session -t fleet 2>/dev/null

# --- 2. over SSH, backend = auto, the probe telling Exim from Postfix ---------
# The Exim host: a private mount namespace where /usr/sbin holds what this
# machine's does, but exim4 (Debian's binary) in place of Postfix's tools.
cat >"$T/eximhost.sh" <<'SH'
#!/bin/sh
# eximhost.sh DIR EXIM_BIN COMMAND...: COMMAND on a view of this machine
# whose /usr/sbin has Exim and no Postfix (run under unshare -m).
set -e
d=$1 bin=$2
shift 2
mkdir -p "$d/orig"
mount --bind /usr/sbin "$d/orig"
mount -t tmpfs -o mode=755 mailcon-eximhost /usr/sbin
for f in "$d"/orig/*; do
	case ${f##*/} in post*|sendmail|smtp-sink|smtp-source) continue ;; esac
	ln -s "$f" "/usr/sbin/${f##*/}"
done
cp "$bin" /usr/sbin/exim4
exec "$@"
SH
command -v unshare >/dev/null || die "unshare (util-linux) is missing"
sshd_start "$T/sshd-pf" >/dev/null || die "sshd (Postfix host) did not start"
PF_PORT=$SSHD_PORT PF_KNOWN=$SSHD_KNOWN_HOSTS PF_KEY=$SSHD_KEY
SSHD_WRAP="unshare -m sh $T/eximhost.sh $T/eximhost $EXIM_BIN" \
    sshd_start "$T/sshd-ex" >/dev/null || die "sshd (Exim host) did not start"
EX_PORT=$SSHD_PORT EX_KNOWN=$SSHD_KNOWN_HOSTS EX_KEY=$SSHD_KEY
# the harness itself: the Exim host has exim4 and no postqueue
pid=$(awk '{ print $2; exit }' "$T/sshd-ex/sshd.pids")
nsenter -t "$pid" -m sh -c 'test -x /usr/sbin/exim4 && ! test -e /usr/sbin/postqueue' ||
    die "the Exim host's /usr/sbin is not what the test made"
test -e /usr/sbin/postqueue || die "the mount namespace leaked to this machine"

# ssh_server NAME PORT KEY KNOWN_HOSTS LOGS: a [server] behind an sshd,
# its mail systems left to the probe.
ssh_server()
{
	printf '[server %s]\nbackend = auto\nhost = 127.0.0.1\nport = %s\n' \
	    "$1" "$2"
	printf 'user = %s\nkey = %s\nknown_hosts = %s\nlogs = %s\n' \
	    "$SSHD_USER" "$3" "$4" "$5"
	printf 'queue_command = off\n\n'
}
{
	ssh_server mx-pf "$PF_PORT" "$PF_KEY" "$PF_KNOWN" \
	    "$STACK_POSTFIX_LOG, $STACK_DOVECOT_LOG"
	ssh_server mx-ex "$EX_PORT" "$EX_KEY" "$EX_KNOWN" "$EXIM_MAINLOG"
} >"$T/cfg/mailcon/config"
console_run fleet 80 24 XDG_CONFIG_HOME="$T/cfg" XDG_STATE_HOME="$T/state2" \
    "$MAILCON"
wait_screen "2 servers" 10 ||
    die "console (SSH) did not start: $(screen) $(cat "$T/fleet.err")"
key 1
i=0
until row 'mx-ex' | grep -qE ' exim +live ' &&
    row 'mx-pf' | grep -qE ' postfix +live '; do
	i=$((i + 1))
	[ $i -lt 150 ] || break
	sleep 0.1
done
echo "ssh servers: $(row 'mx-ex')"
row 'mx-ex' | grep -qE '^ +mx-ex +exim +live ' ||
    fail "the Exim host over SSH is not probed as exim, live: '$(row 'mx-ex')' $(cat "$T/fleet.err")"
row 'mx-pf' | grep -qE '^ +mx-pf +postfix +live ' ||
    fail "the Postfix host over SSH: '$(row 'mx-pf')'"

key 2
echo "send alice@example.test $(pfpw alice) 127.0.1.1 2 1 bob@example.test" |
    mail "$STACK_SUBMIT_PORT"
wait_screen "alice@example.test" 15 ||
    fail "alice (Postfix over SSH) not on screen: $(screen)"
hijack carol 203
if wait_screen "critical  carol@example.test" 25; then
	echo "ssh: $(row 'carol@example.test')"
else
	fail "carol (Exim over SSH) not critical on screen: $(screen) $(cat "$T/fleet.err")"
fi
row 'carol@example.test' | grep -qE ' exim +[0-9]' ||
    fail "carol's row does not name exim: $(row 'carol@example.test')"
row 'alice@example.test' | grep -qE ' postfix( |$)' ||
    fail "alice's row does not name postfix: $(row 'alice@example.test')"

[ $failed -eq 0 ] && echo "exim fleet: all checks passed"
exit $failed
