#!/bin/sh
# tests/bench/run.sh MAILCON: the scan benchmark, run by `make bench`.
#
# Builds tests/bench/genlog.c, generates build/bench/mail.log once (a week of
# Postfix + Dovecot syslog with a 3-million-message hijack inside; reused
# while the generator, BENCH_LINES and BENCH_SEED are unchanged), then times
# on that same file, each pinned to one core (taskset -c 0), page cache warm:
#
#   mailcon scan --json FILE     wall time, lines/s, peak RSS
#   pflogsumm FILE               wall time, lines/s (the Perl reference)
#   grep -c sasl_username FILE   wall time, lines/s (the I/O floor)
#
# and prints the ratios and whether the targets are met (>= 1M lines/s on
# one core, >= 30x pflogsumm, peak RSS < 64 MB).  Targets are reported, never
# asserted: the script fails (exit 1) only when a tool errors or when mailcon
# does not rate the hijacked account critical.
#
# Environment: BENCH_LINES (default 20000000; e.g. 1000000 for a quick run),
# BENCH_SEED (default 20261121), BENCH_RUNS (runs of mailcon and grep, best
# counts; default 3), BENCH_SKIP_PFLOGSUMM=1 to skip the slow Perl
# reference, BENCH_CONSOLE=0 to skip the console benchmark that follows
# (tests/bench/console.sh: 100,000 accounts, 20,000 lines/s, in tmux; see
# its header), BENCH_SSH=0 to skip the SSH fleet benchmark (tests/bench/ssh.sh:
# 1, 10 and 50 servers over a loopback sshd beside N ssh + tail -F),
# BENCH_RBL=0 to skip the DNSBL benchmark (tests/bench/rbl.sh:
# 256 addresses x 10 zones on a loopback dnsmasq), BENCH_DETECT=0 to skip
# the detection benchmark (tests/bench/detect.sh: the reporting part of the
# labelled corpus, mailcon beside three reference tools' rules),
# BENCH_EXIM=0 to skip the Exim scan benchmark (tests/bench/exim_scan.sh:
# 10M lines of an Exim main log beside eximstats and grep -c A=),
# BENCH_LOGHOST=0 to skip the central log host benchmark
# (tests/bench/loghost.sh: 500 servers through a real rsyslogd at rising
# rates, beside tail -F | grep), BENCH_STORE=0 to skip the history store's
# (tests/bench/store.c: rows/s of one flush of 100,000 accounts),
# BENCH_POLICY=0 to skip the policy service's (tests/bench/policy.sh: 5,000
# requests/s beside postfwd and policyd-rate-limit, and the time added to a
# real submission), BENCH_EXIM_PURGE=0 to skip the purge of one account's
# 10,000 of 20,000 messages from a real Exim (tests/bench/exim_purge.sh:
# mailcon act purge beside xargs exim -Mrm and exiqgrep).  Needs cc,
# python3, taskset (util-linux),
# pflogsumm, GNU time
# (/usr/bin/time, Debian package "time"; python3 is used when it is missing),
# and tmux for the console benchmark.
set -u

MAILCON=${1:?usage: sh tests/bench/run.sh MAILCON}
LINES=${BENCH_LINES:-20000000}
SEED=${BENCH_SEED:-20261121}
DIR=build/bench
LOG=$DIR/mail.log
GEN=$DIR/genlog
SRC=tests/bench/genlog.c

die() {
	echo "bench: $*" >&2
	exit 1
}

[ -x "$MAILCON" ] || die "$MAILCON: not an executable (run make first)"
mkdir -p "$DIR" || die "cannot create $DIR"

# --- the generator and the log --------------------------------------------
if [ ! -x "$GEN" ] || [ "$SRC" -nt "$GEN" ]; then
	echo "bench: building $GEN"
	${CC:-cc} -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	    -o "$GEN" "$SRC" -lm || die "cannot build $GEN"
fi
stamp="$(cksum < "$SRC") lines=$LINES seed=$SEED"
if [ -f "$LOG" ] && [ -f "$LOG.truth" ] && [ -f "$LOG.stamp" ] &&
    [ "$(cat "$LOG.stamp")" = "$stamp" ]; then
	echo "bench: reusing $LOG ($LINES lines, seed $SEED)"
else
	echo "bench: generating $LOG ($LINES lines, seed $SEED)"
	rm -f "$LOG.stamp"
	t0=$(date +%s.%N)
	"$GEN" -s "$SEED" -o "$LOG" "$LINES" 2> "$LOG.truth" ||
	    die "genlog failed: $(cat "$LOG.truth")"
	t1=$(date +%s.%N)
	n=$(sed -n 's/^lines: //p' "$LOG.truth")
	awk -v a="$t0" -v b="$t1" -v n="$n" 'BEGIN { printf "bench: %d lines " \
	    "in %.1f s (%.1fM lines/s)\n", n, b - a, n / (b - a) / 1e6 }'
	echo "$stamp" > "$LOG.stamp"
fi
truth() {
	sed -n "s/^$1: //p" "$LOG.truth"
}
NLINES=$(truth lines)
HIJACKED=$(truth hijacked_account)
SIZE=$(wc -c < "$LOG")
echo "bench: ground truth (from genlog):"
sed 's/^/    /' "$LOG.truth"

# --- timing -----------------------------------------------------------------
# run_timed NAME CMD...: run CMD on core 0; sets ELAPSED, RSS_KB, STATUS.
if /usr/bin/time -f '%e %M' -o /dev/null true 2>/dev/null; then
	TIMER=gnu
else
	TIMER=python
	echo "bench: /usr/bin/time missing (Debian package \"time\"):" \
	    "timing with python3"
fi
PIN="taskset -c 0"	# every tool on one core, unless said otherwise
run_timed() {
	name=$1
	shift
	tf=$DIR/time.$name
	if [ "$TIMER" = gnu ]; then
		$PIN /usr/bin/time -f '%e %M' -o "$tf" "$@"
		STATUS=$?
	else
		python3 -c '
import os, resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.call(sys.argv[2:])
e = time.monotonic() - t
open(sys.argv[1], "w").write("%.2f %d\n" % (e,
    resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(rc)' "$tf" $PIN "$@"
		STATUS=$?
	fi
	ELAPSED=$(tail -n 1 "$tf" | cut -d' ' -f1)
	RSS_KB=$(tail -n 1 "$tf" | cut -d' ' -f2)
}
rate() {	# lines/s for an elapsed time
	awk -v n="$NLINES" -v e="$1" 'BEGIN { printf "%.0f", (e > 0 ? n / e : 0) }'
}

# Read the file once so that every tool starts with a warm page cache.
cat "$LOG" > /dev/null

# mailcon and grep run RUNS times (BENCH_RUNS, default 3): the best wall
# time counts, as this kind of machine's timings are noisy.
RUNS=${BENCH_RUNS:-3}
min() {
	awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'
}
echo "bench: mailcon scan --json ($NLINES lines, $(awk -v s="$SIZE" \
    'BEGIN { printf "%.0f", s / 1048576 }') MB), best of $RUNS"
M_T= M_RSS=0 i=0
while [ $i -lt "$RUNS" ]; do
	i=$((i + 1))
	run_timed mailcon "$MAILCON" scan --json "$LOG" > "$DIR/scan.json" \
	    2> "$DIR/scan.err"
	[ "$STATUS" -eq 0 ] || [ "$STATUS" -eq 1 ] ||
	    die "mailcon scan exited $STATUS: $(head -c 2000 "$DIR/scan.err")"
	echo "    run $i: $ELAPSED s, $RSS_KB KB"
	M_T=$(min "$M_T" "$ELAPSED") M_RC=$STATUS
	[ "$RSS_KB" -gt "$M_RSS" ] && M_RSS=$RSS_KB
done

# The same with both cores: mailcon reads and parses on one thread and
# detects on the other when it may use two CPUs.
echo "bench: mailcon scan --json on two cores, best of $RUNS"
M2_T= M2_RSS=0 i=0
PIN=
while [ $i -lt "$RUNS" ]; do
	i=$((i + 1))
	run_timed mailcon2 "$MAILCON" scan --json "$LOG" > "$DIR/scan2.json" \
	    2> "$DIR/scan2.err"
	[ "$STATUS" -eq 0 ] || [ "$STATUS" -eq 1 ] ||
	    die "mailcon scan exited $STATUS: $(head -c 2000 "$DIR/scan2.err")"
	echo "    run $i: $ELAPSED s, $RSS_KB KB"
	M2_T=$(min "$M2_T" "$ELAPSED")
	[ "$RSS_KB" -gt "$M2_RSS" ] && M2_RSS=$RSS_KB
done
PIN="taskset -c 0"
cmp -s "$DIR/scan.json" "$DIR/scan2.json" ||
    die "mailcon's report differs between one and two threads"

echo "bench: grep -c sasl_username, best of $RUNS"
G_T= G_RSS=0 i=0
while [ $i -lt "$RUNS" ]; do
	i=$((i + 1))
	run_timed grep env LC_ALL=C grep -c sasl_username "$LOG" \
	    > "$DIR/grep.out"
	[ "$STATUS" -eq 0 ] || die "grep exited $STATUS"
	G_T=$(min "$G_T" "$ELAPSED")
	[ "$RSS_KB" -gt "$G_RSS" ] && G_RSS=$RSS_KB
done

P_T= P_RSS=
if [ "${BENCH_SKIP_PFLOGSUMM:-0}" = 1 ]; then
	echo "bench: pflogsumm skipped (BENCH_SKIP_PFLOGSUMM=1)"
elif ! command -v pflogsumm > /dev/null 2>&1; then
	die "pflogsumm not found (Debian package pflogsumm)"
else
	echo "bench: pflogsumm (Perl: about 11 s per million lines here," \
	    "progress every 30 s)"
	start=$(date +%s)
	(
		s=
		trap 'kill $s 2>/dev/null; exit 0' TERM
		while :; do
			sleep 30 &
			s=$!
			wait $s
			echo "    ... pflogsumm running," \
			    "$(( $(date +%s) - start )) s"
		done
	) &
	ticker=$!
	run_timed pflogsumm pflogsumm "$LOG" > "$DIR/pflogsumm.out" \
	    2> "$DIR/pflogsumm.err"
	kill "$ticker" 2>/dev/null
	wait "$ticker" 2>/dev/null
	[ "$STATUS" -eq 0 ] ||
	    die "pflogsumm exited $STATUS: $(head -c 2000 "$DIR/pflogsumm.err")"
	P_T=$ELAPSED P_RSS=$RSS_KB
fi

# --- the report --------------------------------------------------------------
echo
echo "scan benchmark: $NLINES lines, $SIZE bytes, one core (taskset -c 0)," \
    "warm cache, best of $RUNS (pflogsumm: 1 run)"
printf '%-28s %10s %14s %12s\n' tool "wall s" "lines/s" "peak RSS MB"
row() {
	awk -v t="$1" -v w="$2" -v n="$NLINES" -v r="$3" 'BEGIN {
		printf "%-28s %10.2f %14.0f %12.1f\n", t, w,
		    (w > 0 ? n / w : 0), r / 1024 }'
}
row "mailcon scan --json" "$M_T" "$M_RSS"
row "mailcon scan, two cores" "$M2_T" "$M2_RSS"
[ -n "$P_T" ] && row "pflogsumm" "$P_T" "$P_RSS"
row "grep -c sasl_username" "$G_T" "$G_RSS"
echo

M_RATE=$(rate "$M_T")
awk -v m="$M_T" -v m2="$M2_T" -v p="${P_T:-0}" -v g="$G_T" -v mr="$M_RATE" \
    -v rss="$M_RSS" 'BEGIN {
	if (p > 0)
		printf "mailcon/pflogsumm speed: %.1fx on one core, %.1fx on two\n",
		    p / m, p / m2
	printf "mailcon/grep speed:      %.2fx (grep is %.1fx faster)\n",
	    g / m, m / g
	printf "target >= 1,000,000 lines/s on one core: %s (%.0f)\n",
	    (mr >= 1000000 ? "met" : "NOT met"), mr
	if (p > 0)
		printf "target >= 30x pflogsumm:                 %s (%.1fx one core, %.1fx two)\n",
		    (p / m2 >= 30 ? "met" : "NOT met"), p / m, p / m2
	else
		printf "target >= 30x pflogsumm:                 not measured\n"
	printf "target peak RSS < 64 MB:                 %s (%.1f MB)\n",
	    (rss < 65536 ? "met" : "NOT met"), rss / 1024
}'

# --- did mailcon find the incident? -------------------------------------------
echo
python3 - "$DIR/scan.json" "$HIJACKED" "$M_RC" "$LOG.truth" <<'EOF'
import json, sys

path, hijacked, rc, truth_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
truth = dict(l.rstrip("\n").split(": ", 1) for l in open(truth_path) if ": " in l)
try:
    doc = json.load(open(path))
except ValueError as e:
    print("bench: FAIL: mailcon scan --json did not print valid JSON: %s" % e)
    sys.exit(1)
accts = doc.get("accounts", [])
by = {a.get("account"): a for a in accts}
summ = doc.get("summary", {})
print("mailcon: exit %d; %s lines, %s events, %s accounts (%s critical, "
      "%s suspicious, %s watch)" % (rc, summ.get("lines"), summ.get("events"),
      summ.get("accounts"), summ.get("critical"), summ.get("suspicious"),
      summ.get("watch")))
a = by.get(hijacked)
ok = True
if a is None:
    print("bench: FAIL: %s is not in mailcon's report" % hijacked)
    ok = False
else:
    print("hijacked %s: level %s (now %s), %s messages, %s IPs%s, flagged_at %s, "
          "messages_before_flag %s" % (hijacked, a.get("level"),
          a.get("level_now"), a.get("messages"), a.get("auth_ips"),
          "" if a.get("auth_ips_exact", True) else " (estimate)",
          a.get("flagged_at"), a.get("messages_before_flag")))
    print("  truth: %s incident messages, %s attacker IPs; incident %s; "
          "first hijacked login %s" % (truth.get("incident_messages"),
          truth.get("attacker_distinct_ips"), truth.get("incident_start"),
          truth.get("first_hijacked_login")))
    for r in a.get("reasons", [])[:4]:
        print("  why: %s" % r)
    if a.get("level") != "critical":
        print("bench: FAIL: %s is %s, not critical" % (hijacked, a.get("level")))
        ok = False
    if a.get("flagged_at") is None:
        print("bench: FAIL: %s has no flagged_at" % hijacked)
        ok = False
if rc != 1:
    print("bench: FAIL: mailcon scan exited %d, expected 1 (incident found)" % rc)
    ok = False
others = [x for x in accts if x.get("account") != hijacked and
          x.get("level") in ("critical", "suspicious")]
if others:
    print("also flagged (suspicious or critical): %d, e.g. %s" % (len(others),
          ", ".join("%s (%s)" % (x.get("account"), x.get("level"))
                    for x in others[:5])))
sys.exit(0 if ok else 1)
EOF
scan_rc=$?

# --- the Exim main log (tests/bench/exim_scan.sh: 10M lines beside eximstats) --
if [ "${BENCH_EXIM:-1}" = 0 ]; then
	echo "bench: Exim scan benchmark skipped (BENCH_EXIM=0)"
else
	echo
	sh tests/bench/exim_scan.sh "$MAILCON" || scan_rc=1
fi

# --- detection quality on the labelled corpus (tests/bench/detect.sh) --------
if [ "${BENCH_DETECT:-1}" = 0 ]; then
	echo "bench: detection benchmark skipped (BENCH_DETECT=0)"
else
	echo
	sh tests/bench/detect.sh "$MAILCON" || scan_rc=1
fi

# --- the console benchmark (tests/bench/console.sh) ----------------------------
if [ "${BENCH_CONSOLE:-1}" = 0 ]; then
	echo "bench: console benchmark skipped (BENCH_CONSOLE=0)"
else
	echo
	sh tests/bench/console.sh "$MAILCON" || scan_rc=1
fi
# --- the history store (tests/bench/store.c: 100,000 accounts a flush) -------
if [ "${BENCH_STORE:-1}" = 0 ]; then
	echo "bench: store benchmark skipped (BENCH_STORE=0)"
else
	echo
	sdir=$(mktemp -d "${TMPDIR:-/tmp}/mailcon-bench-store.XXXXXX") ||
	    die "cannot create a temporary directory"
	# shellcheck disable=SC2046
	${CC:-cc} -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	    -I. -Iconsole -o "$DIR/store" tests/bench/store.c \
	    "$(dirname "$MAILCON")/libmailcon.a" \
	    $(make -s --no-print-directory print-libs) ||
	    die "cannot build $DIR/store"
	"$DIR/store" "$sdir" || scan_rc=1
	rm -rf "$sdir"
fi
# --- the purge benchmark (tests/bench/purge.sh: root, a real Postfix) ---------
if [ "${BENCH_PURGE:-1}" = 0 ] || [ "$(id -u)" != 0 ]; then
	echo "bench: purge benchmark skipped (BENCH_PURGE=0 or not root)"
else
	echo
	MAILCON_LIB=$(dirname "$MAILCON")/libmailcon.a bash tests/bench/purge.sh || scan_rc=1
fi
# --- the Exim purge benchmark (tests/bench/exim_purge.sh: root, a real Exim) --
if [ "${BENCH_EXIM_PURGE:-1}" = 0 ] || [ "$(id -u)" != 0 ]; then
	echo "bench: Exim purge benchmark skipped (BENCH_EXIM_PURGE=0 or not root)"
else
	echo
	bash tests/bench/exim_purge.sh "$MAILCON" || scan_rc=1
fi
# --- live hijack vs headless containment (tests/bench/contain.sh: root) -------
if [ "${BENCH_CONTAIN:-1}" = 0 ] || [ "$(id -u)" != 0 ]; then
	echo "bench: containment benchmark skipped (BENCH_CONTAIN=0 or not root)"
else
	echo
	bash tests/bench/contain.sh "$MAILCON" || scan_rc=1
fi

# --- the Postfix policy service (tests/bench/policy.sh: postfwd beside) -------
if [ "${BENCH_POLICY:-1}" = 0 ]; then
	echo "bench: policy service benchmark skipped (BENCH_POLICY=0)"
else
	bash tests/bench/policy.sh "$MAILCON" || scan_rc=1
fi

# --- the DNSBL check (tests/bench/rbl.sh: dnsmasq on loopback) ----------------
if [ "${BENCH_RBL:-1}" = 0 ]; then
	echo "bench: DNSBL benchmark skipped (BENCH_RBL=0)"
else
	echo
	bash tests/bench/rbl.sh "$MAILCON" || scan_rc=1
fi

# --- the SSH fleet (tests/bench/ssh.sh: root, a real sshd on loopback) --------
if [ "${BENCH_SSH:-1}" = 0 ] || [ "$(id -u)" != 0 ]; then
	echo "bench: SSH fleet benchmark skipped (BENCH_SSH=0 or not root)"
else
	echo
	bash tests/bench/ssh.sh "$MAILCON" || scan_rc=1
fi

# --- a central log host (tests/bench/loghost.sh: root, a real rsyslogd) ------
if [ "${BENCH_LOGHOST:-1}" = 0 ] || [ "$(id -u)" != 0 ]; then
	echo "bench: log host benchmark skipped (BENCH_LOGHOST=0 or not root)"
else
	echo
	bash tests/bench/loghost.sh "$MAILCON" || scan_rc=1
fi

exit $scan_rc
