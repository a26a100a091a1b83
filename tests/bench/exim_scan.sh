#!/bin/sh
# tests/bench/exim_scan.sh MAILCON: the Exim scan benchmark (make bench runs
# it after the Postfix one; BENCH_EXIM=0 skips it).
#
# Builds tests/bench/exim_genlog.c and writes build/bench/exim-mainlog once
# (a week of a hosting server's Exim main log, EXIM_BENCH_LINES lines,
# default 10,000,000, with a hijack inside; kept while the generator, the
# size and the seed are unchanged), then times on that file, each pinned to
# core 0 (taskset -c 0), page cache warm, TZ=UTC (the log's stamps are UTC):
#
#   mailcon scan --json FILE   best of BENCH_RUNS (default 3)
#   the same on every core     best of BENCH_RUNS (taskset -c 0-N: reading
#                              and parsing on one thread, the detector on
#                              another; skipped on one CPU)
#   grep -c A= FILE            best of BENCH_RUNS (the I/O floor)
#   eximstats FILE             one run (Exim's own report, Perl; one
#                              thread, so core 0 is all it can use)
#
# wall seconds, CPU seconds (user + system: the machine is shared, and the
# CPU time says what each tool costs whatever else runs), lines/s on each,
# and peak RSS.  eximstats is Debian's exim4-base, which cannot be
# installed beside Postfix (it pulls in the system MTA): it is fetched with
# apt-get download and unpacked with dpkg-deb -x into the cache exim.sh
# uses (EXIM_CACHE, default build/exim-pkg), and run with perl.
#
# The target (at least 30x eximstats) is printed, never asserted: the run
# fails only when a tool fails or when mailcon's report does not rate the
# hijacked account critical.  Outputs stay in build/bench/ (exim-scan.json,
# eximstats.out, time.exim-*).  Needs cc, perl, taskset, GNU time
# (Debian package "time"), apt-get and dpkg-deb.
set -u

MAILCON=${1:?usage: sh tests/bench/exim_scan.sh MAILCON}
LINES=${EXIM_BENCH_LINES:-10000000}
SEED=${BENCH_SEED:-20261121}
RUNS=${BENCH_RUNS:-3}
DIR=build/bench
LOG=$DIR/exim-mainlog
GEN=$DIR/exim_genlog
SRC=tests/bench/exim_genlog.c
CACHE=${EXIM_CACHE:-$(pwd)/build/exim-pkg}
export TZ=UTC

die() {
	echo "exim bench: $*" >&2
	exit 1
}

[ -x "$MAILCON" ] || die "$MAILCON: not an executable (run make first)"
/usr/bin/time -f '%e' -o /dev/null true 2>/dev/null ||
    die "/usr/bin/time missing (Debian package \"time\")"
mkdir -p "$DIR" || die "cannot create $DIR"

# --- eximstats, unpacked from Debian's exim4-base -----------------------------
# Only the script is kept: the package's etc/init.d, cron.d ... under
# build/ would be read as the compiler's dependency files (*.d) by make.
EXIMSTATS=$CACHE/eximstats
if [ ! -f "$EXIMSTATS" ]; then
	mkdir -p "$CACHE" && chmod 755 "$CACHE" || die "cannot create $CACHE"
	(cd "$CACHE" && apt-get download exim4-base) >"$CACHE/base.log" 2>&1 ||
	    die "apt-get download exim4-base failed (see $CACHE/base.log)"
	deb=$(ls -t "$CACHE"/exim4-base_*.deb | head -n 1)
	rm -rf "$CACHE/base.tmp"
	dpkg-deb -x "$deb" "$CACHE/base.tmp" &&
	    cp "$CACHE/base.tmp/usr/sbin/eximstats" "$EXIMSTATS.tmp" &&
	    mv "$EXIMSTATS.tmp" "$EXIMSTATS" ||
	    die "unpacking eximstats from $deb failed"
	rm -rf "$CACHE/base.tmp"
fi

# --- the generator and the log ------------------------------------------------
if [ ! -x "$GEN" ] || [ "$SRC" -nt "$GEN" ]; then
	echo "exim bench: building $GEN"
	${CC:-cc} -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	    -o "$GEN" "$SRC" || die "cannot build $GEN"
fi
stamp="$(cksum <"$SRC") lines=$LINES seed=$SEED"
if [ -f "$LOG" ] && [ -f "$LOG.stamp" ] &&
    [ "$(cat "$LOG.stamp")" = "$stamp" ]; then
	echo "exim bench: reusing $LOG"
else
	echo "exim bench: generating $LOG ($LINES lines, seed $SEED)"
	rm -f "$LOG.stamp"
	"$GEN" -s "$SEED" -o "$LOG" "$LINES" 2>"$LOG.truth" ||
	    die "exim_genlog failed: $(cat "$LOG.truth")"
	echo "$stamp" >"$LOG.stamp"
fi
truth() {
	sed -n "s/^$1: //p" "$LOG.truth"
}
NLINES=$(truth lines)
HIJACKED=$(truth hijacked_account)
SIZE=$(wc -c <"$LOG")
echo "exim bench: ground truth (from exim_genlog):"
sed 's/^/    /' "$LOG.truth"
cat "$LOG" >/dev/null		# a warm page cache for every tool

# timed NAME CMD...: CMD on the cores $PIN (default core 0); sets WALL,
# CPU, RSS_KB, STATUS.
timed() {
	tf=$DIR/time.exim-$1
	shift
	taskset -c "${PIN:-0}" /usr/bin/time -f '%e %U %S %M' -o "$tf" "$@"
	STATUS=$?
	set -- $(tail -n 1 "$tf")
	WALL=$1 RSS_KB=$4
	CPU=$(awk -v u="$2" -v s="$3" 'BEGIN { printf "%.2f", u + s }')
}
# best NAME OUT CMD...: RUNS runs; the least wall and CPU time, the most RSS.
best() {
	bname=$1 bout=$2
	shift 2
	B_WALL= B_CPU= B_RSS=0 i=0
	while [ $i -lt "$RUNS" ]; do
		i=$((i + 1))
		timed "$bname" "$@" >"$bout" 2>"$DIR/exim-$bname.err"
		[ "$STATUS" -eq 0 ] || [ "$STATUS" -eq 1 ] ||
		    die "$bname exited $STATUS: $(head -c 2000 "$DIR/exim-$bname.err")"
		echo "    run $i: $WALL s wall, $CPU s CPU, $RSS_KB KB"
		B_RC=$STATUS
		B_WALL=$(awk -v a="$B_WALL" -v b="$WALL" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }')
		B_CPU=$(awk -v a="$B_CPU" -v b="$CPU" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }')
		[ "$RSS_KB" -gt "$B_RSS" ] && B_RSS=$RSS_KB
	done
}

echo "exim bench: mailcon scan --json, best of $RUNS"
best scan "$DIR/exim-scan.json" "$MAILCON" scan --json "$LOG"
M_WALL=$B_WALL M_CPU=$B_CPU M_RSS=$B_RSS M_RC=$B_RC
NCPU=$(nproc 2>/dev/null || echo 1)
if [ "$NCPU" -ge 2 ]; then
	echo "exim bench: mailcon scan --json on cores 0-$((NCPU - 1)), best of $RUNS"
	PIN=0-$((NCPU - 1)) best scan2 "$DIR/exim-scan2.json" "$MAILCON" scan \
	    --json "$LOG"
	T_WALL=$B_WALL T_CPU=$B_CPU T_RSS=$B_RSS
	cmp -s "$DIR/exim-scan.json" "$DIR/exim-scan2.json" ||
	    die "mailcon's report on $NCPU cores differs from the one on core 0"
fi
echo "exim bench: grep -c A=, best of $RUNS"
best grep "$DIR/exim-grep.out" env LC_ALL=C grep -c A= "$LOG"
G_WALL=$B_WALL G_CPU=$B_CPU G_RSS=$B_RSS
echo "exim bench: eximstats (Perl; one run, minutes on 10M lines)"
timed eximstats perl "$EXIMSTATS" "$LOG" >"$DIR/eximstats.out" \
    2>"$DIR/eximstats.err"
[ "$STATUS" -eq 0 ] ||
    die "eximstats exited $STATUS: $(head -c 2000 "$DIR/eximstats.err")"
E_WALL=$WALL E_CPU=$CPU E_RSS=$RSS_KB

echo
echo "exim scan benchmark: $NLINES lines, $SIZE bytes, core 0, warm cache"
printf '%-22s %8s %8s %12s %12s %9s\n' tool "wall s" "CPU s" "lines/s" \
    "lines/CPU s" "RSS MB"
row() {
	awk -v t="$1" -v w="$2" -v c="$3" -v r="$4" -v n="$NLINES" 'BEGIN {
		printf "%-22s %8.2f %8.2f %12.0f %12.0f %9.1f\n", t, w, c,
		    (w > 0 ? n / w : 0), (c > 0 ? n / c : 0), r / 1024 }'
}
row "mailcon scan --json" "$M_WALL" "$M_CPU" "$M_RSS"
[ "$NCPU" -ge 2 ] &&
    row "  on $NCPU cores" "$T_WALL" "$T_CPU" "$T_RSS"
row "eximstats" "$E_WALL" "$E_CPU" "$E_RSS"
row "grep -c A=" "$G_WALL" "$G_CPU" "$G_RSS"
awk -v mw="$M_WALL" -v mc="$M_CPU" -v ew="$E_WALL" -v ec="$E_CPU" \
    -v gw="$G_WALL" 'BEGIN {
	printf "mailcon/eximstats: %.1fx wall, %.1fx CPU\n", ew / mw,
	    (mc > 0 ? ec / mc : 0)
	printf "mailcon/grep:      %.2fx wall (grep is %.1fx faster)\n",
	    gw / mw, mw / gw
	printf "target >= 30x eximstats: %s (%.1fx wall, %.1fx CPU)\n",
	    (ew / mw >= 30 ? "met" : "NOT met"), ew / mw,
	    (mc > 0 ? ec / mc : 0)
}'
[ "$NCPU" -ge 2 ] && awk -v tw="$T_WALL" -v ew="$E_WALL" -v n="$NCPU" 'BEGIN {
	printf "on %d cores: %.1fx eximstats wall (%s)\n", n, ew / tw,
	    (ew / tw >= 30 ? "target met" : "target NOT met")
}'

# --- did mailcon find the incident? ---------------------------------------------
python3 - "$DIR/exim-scan.json" "$HIJACKED" "$M_RC" <<'EOF'
import json, sys
path, hijacked, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
doc = json.load(open(path))
s = doc.get("summary", {})
print("mailcon: exit %d; %s lines (%s unparsed), %s events, %s accounts "
      "(%s critical, %s suspicious, %s watch)" % (rc, s.get("lines"),
      s.get("unparsed_lines"), s.get("events"), s.get("accounts"),
      s.get("critical"), s.get("suspicious"), s.get("watch")))
by = {a.get("account"): a for a in doc.get("accounts", [])}
a = by.get(hijacked)
ok = rc == 1 and a is not None and a.get("level") == "critical"
if a is not None:
    print("hijacked %s: %s, %s messages, %s IPs, flagged_at %s" % (hijacked,
          a.get("level"), a.get("messages"), a.get("auth_ips"),
          a.get("flagged_at")))
others = [x["account"] for x in doc.get("accounts", [])
          if x.get("account") != hijacked and
          x.get("level") in ("critical", "suspicious")]
if others:
    print("also flagged: %d, e.g. %s" % (len(others), ", ".join(others[:5])))
if not ok:
    print("exim bench: FAIL: %s is not critical (exit %d)" % (hijacked, rc))
sys.exit(0 if ok else 1)
EOF
