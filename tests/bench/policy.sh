#!/bin/bash
# tests/bench/policy.sh MAILCON: the policy service (`mailcon policy`)
# under load, beside Debian's postfwd (postfwd2) and policyd-rate-limit
# answering the same requests, then the time it adds to a real submission.
#
# 1. Each service listens on loopback TCP; tests/bench/policyload.c plays
#    smtpd: 50 connections, one request outstanding on each, full RCPT-state
#    requests (about 30 attributes, 1,000 logins, 1% of them suspended) on
#    a fixed schedule of BENCH_POLICY_RATE (5,000) a second for
#    BENCH_POLICY_SECS (5) seconds; a service that cannot keep up is given
#    up on 10 s later and what it answered is reported.  Answer time is
#    from the moment a request was due (no coordinated omission): p50, p99,
#    max, the rate achieved, and the CPU the service used per request
#    (its whole process tree, from /proc), which the machine's load does
#    not inflate as it does wall times.  mailcon answers from a deny list
#    (the file the suspension writes); postfwd from rules
#    "sasl_username==LOGIN; action=REJECT" for the same suspended logins;
#    policyd-rate-limit counts each login in its sqlite database (what it
#    is for: it has no deny list) and answers dunno.  With
#    BENCH_POLICY_RT=1 (default, when root and chrt is there) the generator
#    and every service run at SCHED_FIFO priority 50, so that the shared
#    machine's other work does not decide the percentiles.
# 2. On the real stack (tests/integration/stack.sh, root): a second
#    submission listener with check_policy_service pointing at mailcon;
#    tests/bench/policysubmit.py sends BENCH_POLICY_SUBMIT (200) messages
#    through each listener alternately and prints the added time (p50,
#    p90) of MAIL..DATA.
#
# Targets (reported, never asserted): p99 under 1 ms at 5,000 requests a
# second; at most 1 ms added to a submission.  Fails only when mailcon
# answers wrongly (a suspended login not refused, another one refused) or
# a tool errors.  Needs cc, python3; postfwd and policyd-rate-limit are
# installed by `make bench` (tests/deps.sh), skipped with a reason when
# missing or when they do not start.
set -u

MAILCON=${1:?usage: bash tests/bench/policy.sh MAILCON}
case $MAILCON in /*) ;; *) MAILCON=$(pwd)/$MAILCON ;; esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
IT=$ROOT/tests/integration
. "$IT/stack.sh"
RATE=${BENCH_POLICY_RATE:-5000}
SECS=${BENCH_POLICY_SECS:-5}
CONNS=50
SUBMIT=${BENCH_POLICY_SUBMIT:-200}
export LC_ALL=C

T=$(mktemp -d /tmp/mcpbench.XXXXXX) || exit 1
chmod 755 "$T"
LOAD=$T/policyload
pids=
pidfiles=
rc=0

cleanup()
{
	local p f
	for p in $pids; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for f in $pidfiles; do
		[ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	[ -n "${STACK_DIR:-}" ] && stack_stop "$T/s"
	sleep 1
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "bench: policy: $*"; }

# port_open PORT: something listens on 127.0.0.1:PORT.
port_open()
{
	{ exec 9<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
	exec 9<&- 9>&-
}

${CC:-cc} -O2 -std=c11 -o "$LOAD" "$ROOT/tests/bench/policyload.c" || { say "cannot build policyload"; exit 1; }

RT= GEN=
if [ "${BENCH_POLICY_RT:-1}" = 1 ] && [ "$(id -u)" = 0 ] &&
    command -v chrt >/dev/null 2>&1; then
	RT="chrt -f 50" GEN="chrt -f 50"
	if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
		RT="taskset -c 1 $RT" GEN="taskset -c 0 $GEN"
	fi
	say "generator and services at SCHED_FIFO 50, on cores of their own when there are two ($GEN / $RT; BENCH_POLICY_RT=0: off)"
fi

# tree_cpu PID: CPU seconds of PID and every descendant still running.
tree_cpu()
{
	python3 - "$1" <<'PY'
import os, sys
hz = os.sysconf("SC_CLK_TCK")
kids, cpu = {}, {}
for d in os.listdir("/proc"):
    if not d.isdigit():
        continue
    try:
        s = open("/proc/%s/stat" % d).read()
    except OSError:
        continue
    f = s[s.rindex(")") + 2:].split()
    kids.setdefault(int(f[1]), []).append(int(d))
    cpu[int(d)] = (int(f[11]) + int(f[12])) / hz
todo, tot = [int(sys.argv[1])], 0.0
while todo:
    p = todo.pop()
    tot += cpu.get(p, 0.0)
    todo += kids.get(p, [])
print("%.3f" % tot)
PY
}

# load NAME PID PORT RUNS: the load on one service, RUNS times, a line of
# figures each.
load()
{
	local name=$1 pid=$2 port=$3 runs=$4 c0 c1 out answered r
	$GEN "$LOAD" 127.0.0.1 "$port" 200 1 "$CONNS" >/dev/null 2>&1	# warm up
	for r in $(seq "$runs"); do
		c0=$(tree_cpu "$pid")
		out=$($GEN "$LOAD" 127.0.0.1 "$port" "$RATE" "$SECS" "$CONNS" \
		    $((SECS + 10)) 2>&1)
		c1=$(tree_cpu "$pid")
		answered=$(echo "$out" |
		    sed -n 's/.* answered \([0-9]*\) .*/\1/p')
		printf '%-20s %s cpu_us_per_request %s\n' "$name" "$out" \
		    "$(awk -v a="$c0" -v b="$c1" -v n="${answered:-0}" \
		    'BEGIN { printf "%.1f", (n > 0 ? (b - a) * 1e6 / n : 0) }')"
	done
}

set -- $(_stack_free_ports 127.0.0.1 3)
P_MC=$1 P_PF=$2 P_PRL=$3
: >"$T/deny"
for i in $(seq 0 999); do
	# the generator's logins user0..user999; every hundredth suspended
	[ $((i % 100)) -eq 7 ] && echo "user$i@example.test" >>"$T/deny"
done

# --- mailcon policy ----------------------------------------------------------
XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/cfg $RT "$MAILCON" policy \
    --deny-file "$T/deny" --listen "127.0.0.1:$P_MC" >"$T/mc.out" 2>&1 &
mcpid=$!
pids="$pids $mcpid"
wait_file "policy: serving" "$T/mc.out" 20 || { say "mailcon policy did not start: $(cat "$T/mc.out")"; exit 1; }
printf 'request=smtpd_access_policy\nsasl_username=user7@example.test\n\nrequest=smtpd_access_policy\nsasl_username=user8@example.test\n\n' |
    python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(sys.stdin.buffer.read())
b = b""
while b.count(b"\n\n") < 2:
    d = s.recv(512)
    if not d: break
    b += d
sys.stdout.write(b.decode())' "$P_MC" >"$T/check"
if ! grep -q "^action=REJECT" "$T/check" ||
    [ "$(grep -c '^action=DUNNO' "$T/check")" != 1 ]; then
	say "mailcon answered wrongly: $(cat "$T/check")"
	exit 1
fi
echo "bench: policy: $RATE requests/s for ${SECS}s, $CONNS connections (target: mailcon p99 < 1000 us)"
load "mailcon policy" "$mcpid" "$P_MC" "${BENCH_POLICY_RUNS:-3}"

# --- postfwd2 ----------------------------------------------------------------
if command -v postfwd2 >/dev/null 2>&1; then
	sed 's/.*/id=R_&; sasl_username==&; action=REJECT account suspended/' \
	    "$T/deny" >"$T/postfwd.cf"
	pidfiles="$pidfiles $T/postfwd.pid"
	# one child per connection, as smtpd keeps them open
	if $RT postfwd2 --file "$T/postfwd.cf" --interface 127.0.0.1 \
	    --port "$P_PF" --pidfile "$T/postfwd.pid" --nodns --perfmon \
	    --min_servers $CONNS --max_servers $((CONNS + 10)) \
	    --user nobody --group nogroup >"$T/postfwd.out" 2>&1 &&
	    _stack_wait 20 test -s "$T/postfwd.pid" &&
	    _stack_wait 20 port_open "$P_PF"; then
		load "postfwd2 $(postfwd2 -V 2>/dev/null | awk 'NR==1{print $2}')" \
		    "$(cat "$T/postfwd.pid")" "$P_PF" 1
	else
		say "postfwd2 did not start: $(head -3 "$T/postfwd.out")"
	fi
else
	say "postfwd2 skipped: not installed (Debian package postfwd)"
fi

# --- policyd-rate-limit ------------------------------------------------------
if [ -x /usr/bin/policyd-rate-limit ]; then
	cat >"$T/prl.yaml" <<YAML
debug: False
user: "root"
group: "root"
pidfile: "$T/prl.pid"
sqlite_config:
    database: "$T/prl.sqlite3"
backend: 0
SOCKET: ["127.0.0.1", $P_PRL]
socket_permission: 0666
limits:
    - [1000000000, 60]
limits_by_id: {}
limit_by_sasl: True
limit_by_sender: False
limit_by_ip: False
limited_networks: []
success_action: "dunno"
fail_action: "REJECT account suspended"
db_error_action: "dunno"
report: False
YAML
	pidfiles="$pidfiles $T/prl.pid"
	$RT /usr/bin/policyd-rate-limit --file "$T/prl.yaml" \
	    </dev/null >"$T/prl.out" 2>&1 &
	prlpid=$!
	pids="$pids $prlpid"
	if _stack_wait 20 test -s "$T/prl.pid" &&
	    _stack_wait 20 port_open "$P_PRL"; then
		load "policyd-rate-limit" "$(cat "$T/prl.pid")" "$P_PRL" 1
	else
		say "policyd-rate-limit did not start: $(head -3 "$T/prl.out")"
	fi
else
	say "policyd-rate-limit skipped: not installed (Debian package policyd-rate-limit)"
fi

# --- the time added to a real submission ------------------------------------
if [ "$(id -u)" != 0 ]; then
	say "submission skipped: the test stack needs root"
	exit $rc
fi
export STACK_AUTH_PENALTY=0
stack_start "$T/s" >"$T/stack.out" 2>&1 || { say "the stack did not start: $(cat "$T/stack.out")"; exit 1; }
P_SUB2=$(_stack_free_ports 127.0.0.1 1)
postconf -c "$STACK_POSTFIX_CONF" -e \
    "smtpd_policy_service_default_action = DUNNO" \
    "smtpd_policy_service_timeout = 1s" &&
postconf -c "$STACK_POSTFIX_CONF" -M "127.0.0.1:$P_SUB2/inet = 127.0.0.1:$P_SUB2 inet n - n - - smtpd -o syslog_name=postfix/submission -o smtpd_sasl_auth_enable=yes -o smtpd_recipient_restrictions=check_policy_service,inet:127.0.0.1:$P_MC,permit" &&
postfix -c "$STACK_POSTFIX_CONF" reload >/dev/null 2>&1 &&
_stack_wait 10 _stack_banner_has "$P_SUB2" ESMTP ||
    { say "the second listener did not come up"; exit 1; }
out=$(python3 "$ROOT/tests/bench/policysubmit.py" "$STACK_SUBMIT_PORT" \
    "$P_SUB2" "$STACK_USERS" "$SUBMIT" 2>&1) || { say "submission: $out"; exit 1; }
echo "bench: policy: a real submission (MAIL..DATA), $SUBMIT each, alternating (target: added p50 <= 1 ms)"
echo "submission           $out"
grep -q "policy: refused" "$T/mc.out" || { say "mailcon refused nothing under load"; rc=1; }
exit $rc
