#!/bin/bash
# tests/bench/ssh.sh MAILCON: the SSH fleet benchmark (run by run.sh at the
# end of `make bench`; BENCH_SSH=0 skips it there).
#
# One real sshd on a loopback port (tests/integration/sshd.sh; the fleet
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
# dies).  Needs root (sshd), tmux, python3, ssh.
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
	sshd_stop "$T/sshd"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

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
