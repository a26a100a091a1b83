#!/bin/bash
# tests/bench/rbl.sh [MAILCON]: the DNSBL check's speed.  256 addresses
# (203.0.113.0/24) against 10 zones served by dnsmasq on a free loopback
# port (started and stopped by pid here; every zone has its RFC 5782 test
# entries and lists every 16th address), timed as:
#
#   mailcon rbl --json                 (c-ares, 32 queries in flight)
#   mailcon rbl --concurrency 1        (the same code, one at a time)
#   dnsstub.py query                   (the reference: python, one UDP
#                                      query at a time, the same 2,560 names;
#                                      no dig/host/nslookup is installed here)
#
# and prints wall time, queries/s and mailcon's peak concurrency; then the
# console in tmux checks the same 256 addresses (r, one query in flight so
# that it lasts) while keys arrive every 20 ms, and prints its frame and
# key-to-screen times from MAILCON_STATS: the screen must not wait for DNS.
# Figures
# are reported, never asserted; the script fails only when a run errors or
# mailcon's verdicts are wrong (160 listed, 2,400 clean, nothing else).
#
# Run by `make bench` (tests/bench/run.sh; BENCH_RBL=0 skips it) or alone:
# bash tests/bench/rbl.sh build/mailcon.  Needs /usr/sbin/dnsmasq, python3.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MAILCON=${1:-$ROOT/build/mailcon}
STUB=$ROOT/tests/integration/dnsstub.py
DNSMASQ=${DNSMASQ:-/usr/sbin/dnsmasq}
NZONES=10
export LC_ALL=C

die()
{
	echo "bench rbl: $*" >&2
	exit 1
}

[ -x "$MAILCON" ] || die "$MAILCON: not an executable (run make first)"
[ -x "$DNSMASQ" ] || die "no $DNSMASQ (package dnsmasq-base)"
T=$(mktemp -d /tmp/mcbrbl.XXXXXX) || exit 1
cleanup()
{
	[ -f "$T/dnsmasq.pid" ] && kill "$(cat "$T/dnsmasq.pid")" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", p))
print(p)')

# The zones, the addresses and the names the reference asks.
{
	printf 'port=%s\nlisten-address=127.0.0.1\nbind-interfaces\n' "$PORT"
	printf 'no-resolv\nno-hosts\ncache-size=0\n'
	for z in $(seq 0 $((NZONES - 1))); do
		printf 'local=/bl%d.test/\n' "$z"
		printf 'host-record=2.0.0.127.bl%d.test,127.0.0.2\n' "$z"
		for i in $(seq 0 16 255); do
			printf 'host-record=%d.113.0.203.bl%d.test,127.0.0.2\n' \
			    "$i" "$z"
		done
	done
} > "$T/dnsmasq.conf"
"$DNSMASQ" -C "$T/dnsmasq.conf" --pid-file="$T/dnsmasq.pid" ||
    die "dnsmasq did not start"
for _ in $(seq 50); do
	[ -s "$T/dnsmasq.pid" ] && break
	sleep 0.05
done
IPS=$(seq 0 255 | sed 's/^/203.0.113./')
ZONES=$(seq 0 $((NZONES - 1)) | sed 's/^/bl/; s/$/.test/' | paste -sd,)
for z in $(seq 0 $((NZONES - 1))); do
	for i in $(seq 0 255); do
		echo "$i.113.0.203.bl$z.test"
	done
done > "$T/names"
NQ=$(wc -l < "$T/names")

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# run_mailcon NAME ARGS...: time one mailcon run; checks its verdicts.
run_mailcon()
{
	name=$1
	shift
	t0=$(now)
	# shellcheck disable=SC2086
	"$MAILCON" rbl --json --resolver "127.0.0.1:$PORT" --zones "$ZONES" \
	    "$@" $IPS > "$T/$name.json" 2> "$T/$name.err"
	rc=$?
	t1=$(now)
	[ "$rc" -eq 1 ] || die "$name: exit $rc (expected 1): $(head -c 500 "$T/$name.err")"
	python3 - "$T/$name.json" <<'EOF' || die "$name: wrong verdicts"
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
if (s["listed"], s["clean"], s["unknown"], s["error"]) != (160, 2400, 0, 0):
    print("bench rbl: verdicts %s" % s)
    sys.exit(1)
EOF
	eval "${name}_T=$(secs "$t0" "$t1")"
	eval "${name}_Q=$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["summary"]["queries"])' "$T/$name.json")"
	eval "${name}_P=$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["summary"]["peak_inflight"])' "$T/$name.json")"
}

echo "bench rbl: 256 addresses x $NZONES zones on dnsmasq 127.0.0.1:$PORT"
run_mailcon par
run_mailcon seq --concurrency 1

t0=$(now)
python3 "$STUB" query "$PORT" "$T/names" > "$T/ref.out" 2> "$T/ref.err" ||
    die "reference client failed: $(cat "$T/ref.err")"
t1=$(now)
REF_T=$(secs "$t0" "$t1")
[ "$(grep -c ' 0 127.0.0.2$' "$T/ref.out")" -eq 160 ] ||
    die "reference: not 160 listed"

echo
printf '%-36s %8s %9s %10s %6s\n' tool "wall s" queries "queries/s" peak
row()
{
	awk -v t="$1" -v w="$2" -v q="$3" -v p="$4" 'BEGIN {
		printf "%-36s %8.3f %9d %10.0f %6s\n", t, w, q,
		    (w > 0 ? q / w : 0), p }'
}
row "mailcon rbl (concurrency 32)" "$par_T" "$par_Q" "$par_P"
row "mailcon rbl --concurrency 1" "$seq_T" "$seq_Q" "$seq_P"
row "python, one query at a time" "$REF_T" "$NQ" 1
awk -v a="$par_T" -v b="$seq_T" -v r="$REF_T" 'BEGIN {
	printf "\nmailcon 32 vs 1 in flight: %.1fx; vs the python reference: %.1fx\n",
	    b / a, r / a }'
echo "(wall times include process start and, for mailcon, the zones' health" \
    "probes and TXT queries for listed entries)"

# --- the console stays responsive while it checks ------------------------------
if command -v tmux >/dev/null; then
	{
		printf '[console]\nhistory = off\n[rbl]\nzones = %s\n' "$ZONES"
		printf 'resolver = 127.0.0.1:%s\nconcurrency = 1\ninterval = off\n' "$PORT"
		# 32 servers of 8 addresses (inih cuts lines at 200 bytes)
		for g in $(seq 0 31); do
			printf '[server mx%d]\nlogs = %s/empty.log\n' "$g" "$T"
			printf 'outbound_ips = %s\n' "$(seq $((g * 8)) \
			    $((g * 8 + 7)) | sed 's/^/203.0.113./' | paste -sd,)"
		done
	} > "$T/console.conf"
	: > "$T/empty.log"
	SOCK=mcbrbl-$$
	tmux -L "$SOCK" new-session -d -x 120 -y 30 "env TERM=xterm-256color \
	    MAILCON_STATS=$T/stats $MAILCON --config $T/console.conf; sleep 5"
	sleep 1
	tmux -L "$SOCK" send-keys r
	for _ in $(seq 100); do
		tmux -L "$SOCK" send-keys j
		sleep 0.02
		tmux -L "$SOCK" capture-pane -p | grep -q "DNSBL at" && break
	done
	line=$(tmux -L "$SOCK" capture-pane -p | grep -o "DNSBL at.*in [0-9]* ms" | head -1)
	tmux -L "$SOCK" send-keys q
	sleep 0.5
	tmux -L "$SOCK" kill-server 2>/dev/null
	echo
	echo "console, r on 256 addresses (32 servers) x $NZONES zones, one query in flight:"
	echo "  ${line:-no result line seen}"
	[ -s "$T/stats" ] && awk '{ printf "  %s %s\n", $1, $2 }' "$T/stats" |
	    grep -E "frames|draw_ms|keys|key_ms"
fi
