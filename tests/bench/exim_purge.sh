#!/bin/bash
# tests/bench/exim_purge.sh [MAILCON]: how fast one account's queued mail
# is purged from a real Exim (Debian 12's 4.96, tests/integration/exim.sh)
# by `mailcon act purge`, beside Exim's own tools on the same messages.
# Run by hand (as root, from the top of the tree, after `make`) or by
# `make bench` (tests/bench/run.sh).  MAILCON: default build/mailcon.
#
# The Exim queues without trying (EXIM_QUEUE_ONLY) 2 x BENCH_EXIM_N
# (default 10,000) messages submitted with SMTP AUTH: N from judy, the
# other N from alice, bob, carol and dave.  The spool is copied aside once
# and put back before each run, so that every run starts from the same
# 2N messages.  Then, each timed from start to end:
#
#   mailcon act purge --account judy --yes   (end to end: reads every
#       message's -H spool file for its -auth_id (one sh, one awk; the
#       main log is not read: the spool names each message's login) and
#       gives each of judy's ids, as it reads it, to one of two xargs
#       of exim -Mrm (every second id to each, 1,000 ids an exim), so
#       that the removal runs while the spool is read; then checks that
#       the chosen ids' -H files are gone, and writes the audit)
#   xargs exim -Mrm <ids                      (judy's N ids from a file:
#       the plain batch, one xargs, no listing, no verification)
#   exiqgrep -i -f judy | xargs exim -Mrm     (Exim's own selection, by
#       sender, through exim -bpu)
#
# the three taking turns, BENCH_EXIM_RUNS times (default 5), each from the
# spool and main log as they were after the queueing (put back and synced,
# untimed), and prints the median of each, the ratio of mailcon to the
# plain batch as the median of the back-to-back pairs' ratios (target:
# at most 1.5x) and the load average; after every run what is left must
# be exactly the other N (the ids mailgen queued, nothing else counted).  The
# target is reported, never asserted; the script fails only when a run
# does not remove exactly judy's N messages.
#
# With BENCH_EXIM_OLD (another mailcon, an older build) it takes a turn
# too, right before the new one, and pairs with the plain batch after it
# as the new one does: the two builds measured in the same minutes, under
# the same load.  Beside each mailcon run's milliseconds its CPU time
# (user + sys, with its children's: sh, awk, xargs, exim) is printed.
#
# Environment: BENCH_EXIM_N (default 10000), BENCH_EXIM_RUNS (default 5),
# BENCH_EXIM_OLD, EXIM_CACHE (exim.sh).  Needs
# root, python3, apt-get (the first time: exim4-daemon-heavy and
# exim4-base are fetched into build/exim-pkg).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
IT=$ROOT/tests/integration
. "$IT/exim.sh"
N=${BENCH_EXIM_N:-10000}
RUNS=${BENCH_EXIM_RUNS:-5}
MAILCON=${1:-$ROOT/build/mailcon}
OLD=${BENCH_EXIM_OLD:-}
export LC_ALL=C

die()
{
	echo "bench exim purge: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "must run as root"
[ -x "$MAILCON" ] || die "$MAILCON: not an executable (run make first)"
[ -z "$OLD" ] || [ -x "$OLD" ] || die "BENCH_EXIM_OLD=$OLD: not an executable"
T=$(mktemp -d /tmp/mcbep.XXXXXX) || exit 1
chmod 755 "$T"
S=$T/x
cleanup()
{
	exim_stop "$S"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

EXIPICK=$(exim_base_tool exipick) || die "no exipick"
EXIQGREP=$(exim_base_tool exiqgrep) || die "no exiqgrep"
EXIM_QUEUE_ONLY=1 exim_start "$S" || die "Exim did not start"

ms() { echo $(($(date +%s%N) / 1000000)); }
pw() { awk -v u="$1" '$1 == u { print $2 }' "$EXIM_USERS"; }

# Queue COUNT messages from LOGIN, 500 a connection, on 8 connections.
queue_from()
{
	local login=$1 count=$2 per i
	per=$((count / 8))
	for i in 0 1 2 3 4 5 6 7; do
		[ "$i" = 7 ] && per=$((count - 7 * (count / 8)))
		[ "$per" -gt 0 ] && echo "send $login $(pw "$login") \
127.0.$((RANDOM % 200 + 1)).$((i + 1)) $per 500 r$i@dead.test"
	done
}

t0=$(ms)
{
	queue_from judy@example.test "$N"
	for u in alice bob carol dave; do
		queue_from "$u@example.test" $((N / 4))
	done
} | python3 "$IT/mailgen.py" --port "$EXIM_PORT" -j 8 --qids "$T/qids" \
    >"$T/mailgen.out" 2>&1 || die "mailgen: $(tail -3 "$T/mailgen.out")"
t1=$(ms)
awk '$2 == "judy@example.test" { print $1 }' "$T/qids" | sort >"$T/judy"
awk '$2 != "judy@example.test" { print $1 }' "$T/qids" | sort >"$T/others"
total=$(wc -l <"$T/qids")
[ "$(wc -l <"$T/judy")" = "$N" ] || die "not $N of judy's queued"
echo "exim purge: $total messages queued in $(((t1 - t0) / 1000)) s" \
    "($N of judy's), Exim $EXIM_VERSION"

# The queue's ids, sorted (exim -bpr: Exim's own listing).
queue_ids()
{
	"$EXIM_BIN" -C "$EXIM_CONF" -bpr | awk '/^ *[0-9]+[smhdw] / {
	    for (i = 2; i <= NF; i++)
		if ($i ~ /^[0-9A-Za-z]+-[0-9A-Za-z]+-[0-9A-Za-z]+$/) {
			print $i; break
		} }' | sort
}

queue_ids >"$T/all"
[ "$(wc -l <"$T/all")" = "$total" ] || die "exim -bpr lists $(wc -l <"$T/all") of $total"
# The spool as it is now, to start every run from it: hard links (a
# removal unlinks, never writes, a spool file), put back untimed.  The
# main log too (a copy): every removal appends to it, and a log that grew
# by the earlier runs' lines would make each later run read more.
cp -al "$EXIM_SPOOL/input" "$T/input.snap" || die "cannot copy the spool"
cp -al "$EXIM_SPOOL/msglog" "$T/msglog.snap" 2>/dev/null ||
    mkdir "$T/msglog.snap"
cp -p "$EXIM_MAINLOG" "$T/mainlog.snap" || die "cannot copy the main log"
restore()
{
	rm -rf "$EXIM_SPOOL/input" "$EXIM_SPOOL/msglog"
	cp -al "$T/input.snap" "$EXIM_SPOOL/input" &&
	    cp -al "$T/msglog.snap" "$EXIM_SPOOL/msglog" &&
	    cp -p "$T/mainlog.snap" "$EXIM_MAINLOG" ||
	    die "cannot put the spool back"
	sync
}
# after a run: exactly the others left
check_left()
{
	queue_ids | cmp -s - "$T/others" ||
	    die "$1: the queue is not exactly the others' $((total - N))" \
		"messages ($(queue_ids | wc -l) left)"
}

cat >"$T/mailcon.conf" <<EOF
[console]
history = $T/history.db
[server ex]
logs = $EXIM_MAINLOG
backend = exim
exim_command = $EXIM_BIN
exim_config = $EXIM_CONF
exim_spool = $EXIM_SPOOL
exipick = $EXIPICK
EOF

# Each way, from the spool put back; prints its milliseconds.  run_act
# [BINARY] prints "MS CPU_MS" (CPU: user + sys, children included).
run_act()
{
	local t0 t1 bin=${1:-$MAILCON}
	restore
	t0=$(ms)
	/usr/bin/time -f '%U %S' -o "$T/act.cpu" "$bin" act purge \
	    --account judy@example.test --yes \
	    --config "$T/mailcon.conf" >"$T/act.out" 2>&1 ||
	    die "mailcon act purge ($bin): $(cat "$T/act.out")"
	t1=$(ms)
	grep -q "done: $N of $N queued messages purged" "$T/act.out" ||
	    die "mailcon act purge ($bin): $(cat "$T/act.out")"
	check_left "mailcon act purge ($bin)"
	echo "$((t1 - t0)) $(awk '{ printf "%d", ($1 + $2) * 1000 }' \
	    "$T/act.cpu")"
}
run_rm()
{
	local t0 t1
	restore
	t0=$(ms)
	xargs "$EXIM_BIN" -C "$EXIM_CONF" -Mrm <"$T/judy" >"$T/rm.out" 2>&1 ||
	    die "xargs exim -Mrm: $(tail -3 "$T/rm.out")"
	t1=$(ms)
	check_left "xargs exim -Mrm"
	echo $((t1 - t0))
}
run_qg()
{
	local t0 t1
	restore
	t0=$(ms)
	"$EXIQGREP" -E "$EXIM_BIN" -C "$EXIM_CONF" -f '^<judy@example\.test>$' \
	    -i | xargs "$EXIM_BIN" -C "$EXIM_CONF" -Mrm >"$T/qg.out" 2>&1 ||
	    die "exiqgrep | xargs exim -Mrm: $(tail -3 "$T/qg.out")"
	t1=$(ms)
	check_left "exiqgrep -i | xargs exim -Mrm"
	echo $((t1 - t0))
}
# RUNS of each, the three ways taking turns (a shared machine's load
# falls on all of them alike): each mailcon run and the plain batch right
# after it are a pair, and the ratio is the median of the pairs' ratios
# (a burst of load elsewhere spoils a pair, not the figure); the load
# average is said before and after
load() { cut -d' ' -f1-3 /proc/loadavg; }
load0=$(load)
act_all= rm_all= qg_all= pairs= cpu_all=
old_all= old_pairs= old_cpu=
for r in $(seq 1 "$RUNS"); do
	if [ -n "$OLD" ]; then
		x=$(run_act "$OLD") || exit 1
		set -- $x
		m=$(run_rm) || exit 1
		old_all="$old_all $1" old_cpu="$old_cpu $2"
		old_pairs="$old_pairs $(awk -v a="$1" -v b="$m" \
		    'BEGIN { printf "%.3f", a / b }')"
	fi
	x=$(run_act) || exit 1
	set -- $x
	a=$1
	m=$(run_rm) || exit 1
	act_all="$act_all $a" rm_all="$rm_all $m" cpu_all="$cpu_all $2"
	pairs="$pairs $(awk -v a="$a" -v b="$m" 'BEGIN { printf "%.3f", a / b }')"
	qg_all="$qg_all $(run_qg)" || exit 1
done
load1=$(load)
# the median of a list of numbers (the lower middle of an even count)
median() { printf '%s\n' $1 | sort -n | awk '{ v[NR] = $1 }
    END { print v[int((NR + 1) / 2)] }'; }
act_ms=$(median "$act_all") rm_ms=$(median "$rm_all") qg_ms=$(median "$qg_all")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "exim purge: $N of $total queued messages, each run from the same" \
    "spool, median of $RUNS (ms: mailcon$act_all; -Mrm$rm_all;" \
    "exiqgrep$qg_all)"
printf '  %-44s %7d ms  %6.0f msg/s\n' "mailcon act purge (spool, -Mrm, verify)" \
    "$act_ms" "$(awk -v n="$N" -v t="$act_ms" 'BEGIN { print n * 1000 / t }')"
printf '  %-44s %7d ms  %6.0f msg/s\n' "xargs exim -Mrm <ids (plain batch)" \
    "$rm_ms" "$(awk -v n="$N" -v t="$rm_ms" 'BEGIN { print n * 1000 / t }')"
printf '  %-44s %7d ms  %6.0f msg/s\n' "exiqgrep -i -f judy | xargs exim -Mrm" \
    "$qg_ms" "$(awk -v n="$N" -v t="$qg_ms" 'BEGIN { print n * 1000 / t }')"
r=$(awk -v r="$(median "$pairs")" 'BEGIN { printf "%.2f", r }')
echo "  mailcon / plain batch: ${r}x, the median of the pairs'" \
    "ratios$pairs (target at most 1.5x:" \
    "$(awk -v r="$r" 'BEGIN { print (r <= 1.5) ? "met" : "NOT met" }'))"
echo "  mailcon CPU (user + sys, children too), ms:$cpu_all (median" \
    "$(median "$cpu_all"))"
if [ -n "$OLD" ]; then
	r=$(awk -v r="$(median "$old_pairs")" 'BEGIN { printf "%.2f", r }')
	echo "  $OLD: ms$old_all (median $(median "$old_all")), CPU ms$old_cpu" \
	    "(median $(median "$old_cpu")); / plain batch: ${r}x, the" \
	    "median of$old_pairs"
fi
echo "  load average (1, 5, 15 min): $load0 before, $load1 after"
echo "  mailcon / exiqgrep | xargs: $(ratio "$act_ms" "$qg_ms")x"
