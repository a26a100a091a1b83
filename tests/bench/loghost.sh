#!/bin/bash
# tests/bench/loghost.sh MAILCON: the central log host benchmark (run by
# run.sh at the end of `make bench`; BENCH_LOGHOST=0 skips it there).
#
# A real rsyslogd on loopback (tests/integration/rsyslog.sh) is the log
# host; BENCH_LOGHOST_SERVERS (500) servers pose as its senders (RFC 5424
# over TCP, tests/bench/loghost.py) and the console follows rsyslog's
# aggregated file with the same number of [server] sections (loghost =,
# ten groups).  For each rate of BENCH_LOGHOST_RATES (lines/s, from 5000
# up; it stops after the first rate mailcon falls behind at) for
# BENCH_LOGHOST_SECONDS (60):
#
#   mailcon    the console in tmux, its log view filtered to marker lines:
#              send -> drawn on screen latency p50/p95 (capture-pane every
#              20 ms), lines rsyslog wrote and mailcon read, CPU, RSS;
#   reference  tail -F | grep on the same file: send -> printed latency,
#              lines counted, CPU and RSS of the pipelines.
#
# Then, at the first rate, the console on the servers view (500 rows,
# grouped): frame time (MAILCON_STATS).  "Falls behind": mailcon read
# fewer lines than rsyslog wrote 3 s after the stream ended, or its own
# share of a marker's latency (rsyslog's write, seen by a tail -F, to the
# screen) over 2 s at p95.  rsyslog's own limit shows as written < sent:
# the rounds stop there too (mailcon cannot be fed faster).
#
# "seen" is how many markers were ever on the screen: at 40,000 lines/s the
# log view's ring (5,000 lines) holds an eighth of a second, and a marker
# pushed out before a frame is never drawn; its latency is in no
# percentile.
#
# Figures are printed beside the targets (keep up with what rsyslog writes,
# frames < 5 ms, RSS < 256 MB, latency < 2 s), never asserted: the script
# fails only when a tool fails.  Needs root (rsyslog.sh), rsyslog, tmux,
# python3.
set -u

MAILCON=${1:?usage: bash tests/bench/loghost.sh MAILCON}
case $MAILCON in /*) ;; *) MAILCON=$(pwd)/$MAILCON ;; esac
export MAILCON
HERE=$(cd "$(dirname "$0")" && pwd)
N=${BENCH_LOGHOST_SERVERS:-500}
RATES=${BENCH_LOGHOST_RATES:-5000 10000 20000 40000 80000}
SECS=${BENCH_LOGHOST_SECONDS:-60}

die() {
	echo "bench loghost: $*" >&2
	exit 1
}

[ -x "$MAILCON" ] || die "$MAILCON: not an executable (run make first)"
for t in tmux python3 rsyslogd; do
	command -v "$t" >/dev/null 2>&1 || die "$t not found"
done
. "$HERE/../integration/rsyslog.sh"
# one output file: rsyslog's pace as a log host set up for mailcon writes
export RSYSLOG_ONLY_ALL=1

T=$(mktemp -d "${TMPDIR:-/tmp}/mailcon-bench-loghost.XXXXXX") ||
    die "cannot create a temporary directory"
chmod 755 "$T"
cleanup() {
	rsyslog_stop "$T/rs"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

rsyslog_start "$T/rs" || die "the central rsyslogd did not start"
{
	printf '[console]\nhistory = off\n'
	printf '[loghost central]\nlogs = %s\n' "$RSYSLOG_ALL"
	for i in $(seq 1 "$N"); do
		printf '[server mx%03d]\nloghost = central\ngroup = dc%d\nqueue = off\n' \
		    "$i" $((i % 10))
	done
} >"$T/fleet.conf"
: >"$RSYSLOG_ALL"

echo "bench loghost: $N servers through rsyslog $(rsyslogd -v | head -1 | awk '{ print $2 }' | tr -d ,), $SECS s per rate"
printf '%-9s %6s %8s %8s %8s %5s %6s %7s %7s %7s %7s %7s\n' tool rate sent \
    written read cpu% rss_mb p50_ms p95_ms own_p50 own_p95 seen
row() {	# the "key value" line of loghost.py as a table row
	awk -v tool="$1" '{ for (i = 1; i < NF; i += 2) v[$i] = $(i + 1) }
	    function f(k) { return v[k] == "" ? "-" : v[k] }
	    END { printf "%-9s %6s %8s %8s %8s %5s %6s %7s %7s %7s %7s %7s\n", tool,
		f("rate"), f("sent"), f("written"), f("read"), f("cpu_pct"),
		f("rss_mb"), f("p50_ms"), f("p95_ms"), f("own_p50_ms"),
		f("own_p95_ms"), f("seen") "/" f("marks") }' "$2"
}
kept=0
for rate in $RATES; do
	python3 "$HERE/loghost.py" console "$T" "$N" "$rate" "$SECS" >"$T/c.$rate" ||
	    die "the console round at $rate lines/s failed"
	row mailcon "$T/c.$rate"
	python3 "$HERE/loghost.py" ref "$T" "$N" "$rate" "$SECS" >"$T/r.$rate" ||
	    die "the reference round at $rate lines/s failed"
	row tail+grep "$T/r.$rate"
	# mailcon behind: fewer lines read than rsyslog wrote, or its own
	# share of the latency (rsyslog's write -> screen) over 2 s;
	# rsyslog behind: fewer lines written than sent (its own maximum)
	behind=$(awk '{ for (i = 1; i < NF; i += 2) v[$i] = $(i + 1) }
	    END { m = (v["read"] < v["written"] || v["own_p95_ms"] > 2000 ||
		v["own_p95_ms"] < 0)
		r = (v["written"] < 0.98 * (v["sent"] + v["marks"]))
		print m ? "mailcon" : (r ? "rsyslog" : "") }' "$T/c.$rate")
	case $behind in
	mailcon) echo "bench loghost: mailcon fell behind at $rate lines/s"; break ;;
	rsyslog) kept=$rate
		echo "bench loghost: rsyslog itself fell behind at $rate lines/s (mailcon read all it wrote)"
		break ;;
	esac
	kept=$rate
done
first=${RATES%% *}
python3 "$HERE/loghost.py" frames "$T" "$N" "$first" 20 >"$T/f" ||
    die "the frames round failed"
awk '{ for (i = 1; i < NF; i += 2) v[$i] = $(i + 1) }
    END { printf "servers view, %s rows at %s lines/s: %s frames, draw %s ms avg (%s ms of CPU), %s ms max; RSS %s MB (peak %s)\n",
	'"$N"', v["rate"], v["frames"], v["draw_ms_avg"], v["draw_cpu_ms_avg"], v["draw_ms_max"], v["rss_mb"], v["hwm_mb"] }' "$T/f"
echo "bench loghost: mailcon kept up with $kept lines/s (targets: rsyslog's own maximum, frames < 5 ms, RSS < 256 MB, latency < 2 s)"
