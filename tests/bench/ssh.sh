#!/bin/bash
# tests/bench/ssh.sh MAILCON: the SSH fleet benchmark (run by run.sh at the
# end of `make bench`; BENCH_SSH=0 skips it there).
#
# First the transport alone (tests/integration/ssh_driver.c, the figures
# test_ssh.sh used to assert): BENCH_SSH_SESSIONS (50) connections at once
# over two sshd instances, each running a one-second command (target: all
# done within 30 s), then as many 2000-line streams with a command beside
# each on the same connection (target: 40 s).
#
# Then one real sshd on a loopback port (tests/integration/sshd.sh; the fleet
# logs in as its SSHD_USER).  For 1, 10 and 50 servers (BENCH_SSH_SERVERS),
# each with its own log written at BENCH_SSH_RATE (10) lines/s for
# BENCH_SSH_SECONDS (30), tests/bench/sshfleet.py runs:
#
#   mailcon    the console in tmux following every server over SSH:
#              marker line written -> drawn on screen (tmux capture-pane),
#              CPU of mailcon while streaming, RSS at the stream's start and
#              end, lines counted against lines written;
#   reference  N OpenSSH clients, `ssh HOST tail -F -n 0 LOG`: marker
#              written -> read from the client's stdout, CPU and RSS summed
#              over the N clients.
#
# Figures are printed beside the targets (latency < 2 s; CPU and RSS
# reported with how they grow per server), never asserted: the script fails
# only when a tool errors (mailcon never shows every server live, a client
# dies, a transport command fails).  Needs root (sshd), tmux, python3, ssh,
# cc and build/libmailcon.a (next to MAILCON).
set -u

MAILCON=${1:?usage: bash tests/bench/ssh.sh MAILCON}
case $MAILCON in /*) ;; *) MAILCON=$(pwd)/$MAILCON ;; esac
export MAILCON
HERE=$(cd "$(dirname "$0")" && pwd)
SERVERS=${BENCH_SSH_SERVERS:-1 10 50}
RATE=${BENCH_SSH_RATE:-10}
SECS=${BENCH_SSH_SECONDS:-30}

die() {
	echo "bench ssh: $*" >&2
	exit 1
}

[ -x "$MAILCON" ] || die "$MAILCON: not an executable (run make first)"
for t in tmux python3 ssh; do
	command -v "$t" >/dev/null 2>&1 || die "$t not found"
done
. "$HERE/../integration/sshd.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/mailcon-bench-ssh.XXXXXX") ||
    die "cannot create a temporary directory"
chmod 755 "$T"
cleanup() {
	sshd_stop "$T/sshd2"
	sshd_stop "$T/sshd"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# --- the transport: many sessions, many streams (ssh_driver) -----------------
NSESS=${BENCH_SSH_SESSIONS:-50}
ROOT=$(cd "$HERE/../.." && pwd)
LIB=$(dirname "$MAILCON")/libmailcon.a
[ -f "$LIB" ] || die "no $LIB (run make)"
# shellcheck disable=SC2046
cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I"$ROOT/console" \
    -I"$ROOT" -o "$T/driver" "$ROOT/tests/integration/ssh_driver.c" \
    "$LIB" $(make -s --no-print-directory -C "$ROOT" print-libs) ||
    die "cannot build tests/integration/ssh_driver.c"
sshd_start "$T/sshd2" 2 >/dev/null || die "sshd did not start"
P2=${SSHD_PORTS#* }
mkdir "$T/meet" || die "cannot make $T/meet"
start=$(date +%s.%N)
"$T/driver" -k "$SSHD_KEY" -K "$SSHD_KNOWN_HOSTS" -n "$NSESS" 127.0.0.1 \
    "$SSHD_PORT,$P2" 'echo "n=$$"; sleep 1' >"$T/sessions.out" 2>&1 ||
    die "$NSESS sessions failed: $(grep -v ' out=' "$T/sessions.out" | tail -5)"
sess=$(echo "$(date +%s.%N) - $start" | bc -l)
start=$(date +%s.%N)
"$T/driver" -k "$SSHD_KEY" -K "$SSHD_KNOWN_HOSTS" -n "$NSESS" -S 2000 \
    -F "$T/meet" 127.0.0.1 "$SSHD_PORT,$P2" \
    'i=0; while [ $i -lt 300 ]; do echo s$i; i=$((i+1)); done' \
    >"$T/streams.out" 2>&1 ||
    die "$NSESS streams failed: $(grep -v ' out=' "$T/streams.out" | tail -5)"
streams=$(echo "$(date +%s.%N) - $start" | bc -l)
sshd_stop "$T/sshd2"
printf 'bench ssh: %d sessions at once, a 1 s command each: %.1f s (target <= 30 s)\n' \
    "$NSESS" "$sess"
printf 'bench ssh: %d streams of 2000 lines, a command beside each: %.1f s (target <= 40 s)\n\n' \
    "$NSESS" "$streams"

sshd_start "$T/sshd" 1 >/dev/null || die "sshd did not start"
echo "bench ssh: sshd on 127.0.0.1:$SSHD_PORT; $RATE lines/s per server" \
    "for $SECS s, a marker every 0.25 s"

# get KEY "key value ..." : the value of KEY.
get() {
	awk -v k="$1" '{ for (i = 1; i < NF; i += 2) if ($i == k) print $(i + 1) }' <<<"$2"
}

printf '\n%-9s %7s %8s %8s %8s %6s %7s %9s %9s %11s\n' tool servers \
    "lat p50" "lat p95" "lat max" lost "CPU %" "RSS0 MB" "RSS1 MB" \
    "lines"
declare -A CPU RSS
for n in $SERVERS; do
	for mode in console ref; do
		out=$(python3 "$HERE/sshfleet.py" "$mode" "$T/$mode$n" "$n" \
		    "$RATE" "$SECS") || die "$mode with $n servers failed"
		name=$([ "$mode" = console ] && echo mailcon || echo ssh+tail)
		printf '%-9s %7d %7.3fs %7.3fs %7.3fs %6d %7.1f %9.1f %9.1f %5d/%-5d\n' \
		    "$name" "$n" "$(get lat_p50 "$out")" \
		    "$(get lat_p95 "$out")" "$(get lat_max "$out")" \
		    "$(get lat_lost "$out")" "$(get cpu_pct "$out")" \
		    "$(echo "$(get rss0_kb "$out") / 1024" | bc -l)" \
		    "$(echo "$(get rss1_kb "$out") / 1024" | bc -l)" \
		    "$(get counted "$out")" "$(get written "$out")"
		[ "$mode" = console ] && printf '%-9s %7s connect %.1f s, frames avg %.2f ms max %.1f ms\n' \
		    "" "" "$(get connect_s "$out")" "$(get frame_ms_avg "$out")" \
		    "$(get frame_ms_max "$out")"
		CPU[$mode$n]=$(get cpu_pct "$out")
		RSS[$mode$n]=$(get rss1_kb "$out")
	done
done

# Growth: from the fewest servers to the most, per added server.
lo=${SERVERS%% *}
hi=${SERVERS##* }
if [ "$lo" != "$hi" ]; then
	echo
	for mode in console ref; do
		name=$([ "$mode" = console ] && echo mailcon || echo ssh+tail)
		awk -v m="$name" -v lo="$lo" -v hi="$hi" \
		    -v c0="${CPU[$mode$lo]}" -v c1="${CPU[$mode$hi]}" \
		    -v r0="${RSS[$mode$lo]}" -v r1="${RSS[$mode$hi]}" 'BEGIN {
			printf "%s: %d -> %d servers: CPU +%.3f %% and RSS +%.0f kB per server\n",
			    m, lo, hi, (c1 - c0) / (hi - lo), (r1 - r0) / (hi - lo) }'
	done
fi
echo "targets: line-to-screen under 2 s at every size; none lost; lines counted = written"
