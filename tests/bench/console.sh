#!/bin/sh
# tests/bench/console.sh MAILCON: the console benchmark (run by run.sh at the
# end of `make bench`; BENCH_CONSOLE=0 skips it there).
#
# The console follows one log file in a private tmux server (120x40):
#   1. tests/bench/feed.c (built into build/bench/feed) writes a log where
#      BENCH_ACCOUNTS (100,000) distinct accounts each submit one message,
#      timestamped over the last ten minutes; mailcon starts --from-start and
#      reads it all (the catch-up is timed: the console's offset in the file
#      is read from /proc/PID/fdinfo).
#   2. feed appends BENCH_RATE (20,000) lines/s for BENCH_SECONDS (30 s),
#      timestamps of the moment: submissions of random accounts, deliveries,
#      SASL failures, one account hijacked from ~2,000 addresses.
#   3. Meanwhile: a key every 0.5 s on average, jittered (j, k, 1, 2, 3), timed from send-keys
#      until `tmux capture-pane` shows its effect (polled every 5 ms); CPU
#      (utime+stime in /proc/PID/stat over the stream / its wall time) and
#      RSS (VmRSS, VmHWM) of mailcon; how far behind the writer it reads.
#   4. q; mailcon writes MAILCON_STATS (frames and the draw time of each,
#      keypress read -> end of the next draw, accounts, lines).
# Figures are printed beside the targets (frame < 5 ms, keypress-to-screen
# < 50 ms, CPU < one core at 20,000 lines/s, RSS < 128 MB), never asserted:
# the script fails only when a tool errors.
#
# Environment: BENCH_ACCOUNTS, BENCH_RATE, BENCH_SECONDS, BENCH_SEED,
# BENCH_PERF=1 (perf record -g of mailcon for 10 s mid-stream, report in
# build/bench/console.perf.txt; this disturbs the CPU figure).
# Needs cc, python3, tmux; perf for BENCH_PERF=1.  Outputs stay in
# build/bench/ (console.stats, console.screen, console.err).
set -u

MAILCON=${1:?usage: sh tests/bench/console.sh MAILCON}
ACCOUNTS=${BENCH_ACCOUNTS:-100000}
RATE=${BENCH_RATE:-20000}
SECONDS_=${BENCH_SECONDS:-30}
SEED=${BENCH_SEED:-20261128}
DIR=build/bench
FEED=$DIR/feed
SRC=tests/bench/feed.c

die() {
	echo "bench console: $*" >&2
	exit 1
}

[ -x "$MAILCON" ] || die "$MAILCON: not an executable (run make first)"
command -v tmux > /dev/null 2>&1 || die "tmux not found"
command -v python3 > /dev/null 2>&1 || die "python3 not found"
mkdir -p "$DIR" || die "cannot create $DIR"
if [ ! -x "$FEED" ] || [ "$SRC" -nt "$FEED" ]; then
	echo "bench console: building $FEED"
	${CC:-cc} -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	    -o "$FEED" "$SRC" || die "cannot build $FEED"
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/mailcon-bench.XXXXXX") ||
    die "cannot create a temporary directory"
SOCK=mailcon-bench-$$
cleanup() {
	tmux -L "$SOCK" kill-server > /dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

MAILCON_ABS=$(cd "$(dirname "$MAILCON")" && pwd)/$(basename "$MAILCON")
python3 - "$MAILCON_ABS" "$FEED" "$TMP" "$SOCK" "$ACCOUNTS" "$RATE" \
    "$SECONDS_" "$SEED" "${BENCH_PERF:-0}" "$DIR" <<'EOF'
import os, random, re, statistics, subprocess, sys, threading, time

(mailcon, feed, tmp, sock, accounts, rate, seconds, seed, perf,
 outdir) = sys.argv[1:]
accounts, rate, seconds = int(accounts), float(rate), float(seconds)
perf = perf == "1"
W, H = 120, 40
HZ = os.sysconf("SC_CLK_TCK")

def die(msg):
    print("bench console: FAIL: %s" % msg, file=sys.stderr)
    sys.exit(1)

def say(msg):
    print("bench console: %s" % msg, flush=True)

def tmux(*args, check=True):
    r = subprocess.run(["tmux", "-L", sock] + list(args),
                       capture_output=True, text=True)
    if check and r.returncode != 0:
        die("tmux %s: %s" % (args[0], r.stderr.strip()))
    return r.stdout

def kv(path):
    return dict(l.split(None, 1) for l in open(path).read().split("\n") if l)

# --- the log of 100,000 accounts ---------------------------------------------
log = os.path.join(tmp, "mail.log")
say("writing %d accounts' submissions to %s" % (accounts, log))
r = subprocess.run([feed, "init", log, str(accounts), seed],
                   capture_output=True, text=True)
if r.returncode != 0:
    die("feed init: %s" % r.stderr.strip())
init = {l.split()[0]: int(l.split()[1]) for l in r.stdout.split("\n") if l}
cfgdir = os.path.join(tmp, "config", "mailcon")
os.makedirs(cfgdir)
with open(os.path.join(cfgdir, "config"), "w") as f:
    f.write("[server bench]\nlogs = %s\nqueue_command = off\n" % log)
os.makedirs(os.path.join(tmp, "state"))
stats = os.path.join(tmp, "stats")
errf = os.path.join(tmp, "stderr")

# --- the console in a private tmux -------------------------------------------
cmd = ("exec env XDG_CONFIG_HOME=%s XDG_STATE_HOME=%s MAILCON_STATS=%s "
       "%s --from-start 2>%s" % (os.path.join(tmp, "config"),
       os.path.join(tmp, "state"), stats, mailcon, errf))
t_start = time.monotonic()
tmux("-f", "/dev/null", "new-session", "-d", "-x", str(W), "-y", str(H), cmd)
tmux("set-option", "-g", "remain-on-exit", "on", check=False)

def find_pid():
    pane = int(tmux("list-panes", "-F", "#{pane_pid}").split()[0])
    todo = [pane]
    while todo:                 # the pane's process or its descendant
        p = todo.pop(0)
        try:
            if open("/proc/%d/comm" % p).read().strip() == "mailcon":
                return p
            for t in os.listdir("/proc/%d/task" % p):
                todo += [int(c) for c in
                         open("/proc/%d/task/%s/children" % (p, t)).read().split()]
        except OSError:
            pass
    return None

pid = None
for _ in range(200):
    pid = find_pid()
    if pid:
        break
    time.sleep(0.01)
if pid is None:
    die("mailcon did not start: %s" % open(errf).read()[:2000]
        if os.path.exists(errf) else "mailcon did not start")

def log_fd():
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            if os.readlink("/proc/%d/fd/%s" % (pid, fd)) == log:
                return fd
        except OSError:
            pass
    return None

def read_pos():
    """The console's offset in the log, or None."""
    try:
        fd = log_fd()
        if fd is None:
            return None
        for l in open("/proc/%d/fdinfo/%s" % (pid, fd)):
            if l.startswith("pos:"):
                return int(l.split()[1])
    except OSError:
        return None

def cpu_ticks():
    s = open("/proc/%d/stat" % pid).read()
    f = s[s.rindex(")") + 2:].split()
    return int(f[11]) + int(f[12])        # utime, stime

def mem_kb():
    d = {}
    for l in open("/proc/%d/status" % pid):
        if l.startswith(("VmRSS:", "VmHWM:")):
            d[l.split(":")[0]] = int(l.split()[1])
    return d

def alive():
    try:
        s = open("/proc/%d/stat" % pid).read()
        return s[s.rindex(")") + 2] != "Z"
    except OSError:
        return False

def wait_caught_up(timeout):
    t0 = time.monotonic()
    size = os.path.getsize(log)
    while time.monotonic() - t0 < timeout:
        if not alive():
            die("mailcon exited: %s" % open(errf).read()[:2000])
        p = read_pos()
        if p is not None and p >= size:
            return time.monotonic() - t0
        time.sleep(0.05)
    return None

size0 = os.path.getsize(log)
c0 = cpu_ticks()
say("mailcon pid %d reads %d lines (%.0f MB) from the start" %
    (pid, init["lines"], size0 / 1048576))
catchup = wait_caught_up(600)
if catchup is None:
    die("mailcon did not read the first log within 600 s")
catchup_cpu = (cpu_ticks() - c0) / HZ
say("caught up in %.1f s (%.1f s CPU, %.0f lines/s)" %
    (catchup, catchup_cpu, init["lines"] / max(catchup, 1e-9)))
mem_init = mem_kb()

# --- reading the screen ------------------------------------------------------
SGR = re.compile(r"\x1b\[([0-9;]*)m")

def capture():
    """Lines of (text, style at ACCOUNT_COL) from capture-pane -e."""
    out = subprocess.run(["tmux", "-L", sock, "capture-pane", "-p", "-e"],
                         capture_output=True, text=True).stdout
    return out.split("\n")

def styles(lines, col):
    """The SGR state in force at column col of each escaped line (tmux
    carries the state from one line to the next)."""
    st = {}
    res = []
    for line in lines:
        pos = 0
        i = 0
        at = ()
        while i < len(line):
            m = SGR.match(line, i)
            if m:
                ps = [int(x) if x else 0 for x in m.group(1).split(";")]
                j = 0
                while j < len(ps):
                    p = ps[j]
                    if p == 0:
                        st = {}
                    elif p in (38, 48) and j + 1 < len(ps):
                        n = 3 if ps[j + 1] == 5 else 5
                        st["fg" if p == 38 else "bg"] = tuple(ps[j:j + n])
                        j += n - 1
                    elif p == 39:
                        st.pop("fg", None)
                    elif p == 49:
                        st.pop("bg", None)
                    elif 30 <= p <= 37 or 90 <= p <= 97:
                        st["fg"] = p
                    elif 40 <= p <= 47 or 100 <= p <= 107:
                        st["bg"] = p
                    elif p in (22, 23, 24, 25, 27):
                        st.pop(p - 20, None)
                        if p == 22:
                            st.pop(2, None)
                    else:
                        st[p] = 1
                    j += 1
                i = m.end()
                continue
            if line[i] == "\x1b":   # another escape: skip it
                m = re.match(r"\x1b[\[\]][^a-zA-Z]*[a-zA-Z]", line[i:])
                i += m.end() if m else 1
                continue
            if pos == col:
                at = tuple(sorted((str(k), str(v)) for k, v in st.items()))
            pos += 1
            i += 1
        res.append(at)
    return res

def plain(line):
    return re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", line)

ACCOUNT_COL = 16

def view_of(lines):
    head = plain(lines[0]) if lines else ""
    for v in ("accounts", "live log", "servers", "history"):
        if "| %s |" % v in head:
            return v
    return None

def selected(lines):
    """Screen line of the selected row of a list (the one styled apart)."""
    rows = list(range(2, min(len(lines), H) - 2))
    all_st = styles(lines, ACCOUNT_COL)
    sts = {i: all_st[i] for i in rows if len(plain(lines[i]).strip()) > 0}
    if not sts:
        return None
    common = statistics.mode(sts.values())
    odd = [i for i, s in sts.items() if s != common]
    withbg = [i for i in odd if any(k in ("bg", "7") for k, _ in sts[i])]
    if len(withbg) == 1:
        return withbg[0]
    return odd[0] if len(odd) == 1 else None

def wait_screen(pred, timeout=2.0):
    """Poll every 5 ms; (seconds until pred(lines), or None)."""
    t0 = time.monotonic()
    nxt = t0
    while True:
        lines = capture()
        t = time.monotonic()
        if pred(lines):
            return t - t0, lines
        if t - t0 > timeout:
            return None, lines
        nxt += 0.005
        d = nxt - time.monotonic()
        if d > 0:
            time.sleep(d)

def send(key):
    tmux("send-keys", "-t", "0", key)

send("2")
send("g")
dt, lines = wait_screen(lambda l: view_of(l) == "accounts" and
                        selected(l) == 2, 5)
if dt is None:
    open(os.path.join(outdir, "console.screen"), "w").write(
        "\n".join(plain(l) for l in lines))
    die("the accounts view with its first row selected did not show "
        "(screen in %s/console.screen)" % outdir)

# --- the stream --------------------------------------------------------------
samples = []            # (t, cpu ticks, rss kB, lag bytes)
stop = threading.Event()

def sampler():
    while not stop.is_set():
        try:
            t = time.monotonic()
            p = read_pos()
            sz = os.path.getsize(log)
            samples.append((t, cpu_ticks(), mem_kb().get("VmRSS", 0),
                            sz - p if p is not None else None))
        except OSError:
            pass
        stop.wait(0.25)

say("streaming %.0f lines/s for %.0f s" % (rate, seconds))
feedp = subprocess.Popen([feed, "stream", log, str(accounts), str(rate),
                          str(seconds), seed], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
ts0 = time.monotonic()
cs0 = cpu_ticks()
th = threading.Thread(target=sampler, daemon=True)
th.start()

perfp = None
perf_at = ts0 + min(5, seconds / 4)
plan = ["j", "j", "k", "3", "2", "k", "1", "2"]
lat = {}                # key -> [seconds]
misses = []
k = 0
# keys 0.35 to 0.65 s apart: not in step with the console's 500 ms refresh
rng = random.Random(int(seed))
next_key = ts0 + 0.5
while feedp.poll() is None:
    now = time.monotonic()
    if perf and perfp is None and now >= perf_at:
        perfp = subprocess.Popen(["perf", "record", "-g", "-p", str(pid),
                                  "-o", os.path.join(tmp, "perf.data"),
                                  "--", "sleep", "10"],
                                 stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True)
    if now < next_key:
        time.sleep(min(next_key - now, 0.05))
        continue
    next_key += rng.uniform(0.35, 0.65)
    key = plan[k % len(plan)]
    k += 1
    lines = capture()
    v = view_of(lines)
    if key in "jk":
        if v != "accounts":
            key = "2"
        else:
            sel = selected(lines)
            if sel is None:
                key = "3"
            else:
                if key == "k" and sel <= 2:
                    key = "j"
                want = sel + (1 if key == "j" else -1)
                pred = (lambda w: lambda l: selected(l) == w)(want)
    if key == "1":
        pred = lambda l: view_of(l) == "servers"
    elif key == "2":
        pred = lambda l: view_of(l) == "accounts"
    elif key == "3":
        pred = lambda l: view_of(l) == "live log"
    t0 = time.monotonic()
    send(key)
    dt, lines = wait_screen(pred, 2.0)
    if dt is None:
        misses.append(key)
    else:
        lat.setdefault(key, []).append(dt)
    if not alive():
        die("mailcon exited during the stream: %s" % open(errf).read()[:2000])
out, err = feedp.communicate()
ts1 = time.monotonic()
wall = ts1 - ts0
cs1 = cpu_ticks()
mem_stream = mem_kb()
if feedp.returncode != 0:
    die("feed stream: %s" % err.strip())
fed = {l.split()[0]: float(l.split()[1]) for l in out.split("\n") if l}
drain = wait_caught_up(300)
stop.set()
th.join()
if perfp is not None:
    perfp.wait()
    rep = subprocess.run(["perf", "report", "--stdio", "--no-children",
                          "--percent-limit", "0.5", "-g", "none", "-i",
                          os.path.join(tmp, "perf.data")],
                         capture_output=True, text=True)
    open(os.path.join(outdir, "console.perf.txt"), "w").write(rep.stdout)
    rep2 = subprocess.run(["perf", "report", "--stdio", "--children",
                           "--percent-limit", "2", "-g", "none", "-i",
                           os.path.join(tmp, "perf.data")],
                          capture_output=True, text=True)
    open(os.path.join(outdir, "console.perf-children.txt"), "w").write(
        rep2.stdout)

# the screen at the end, for the record
tmux("send-keys", "-t", "0", "2")
time.sleep(0.3)
open(os.path.join(outdir, "console.screen"), "w").write(
    "\n".join(plain(l) for l in capture()))

# --- quit and read the console's own figures ----------------------------------
send("q")
for _ in range(1000):
    if not alive():
        break
    time.sleep(0.01)
else:
    die("mailcon did not quit on q")
if not os.path.exists(stats):
    die("mailcon wrote no MAILCON_STATS file: %s" % open(errf).read()[:2000])
st = kv(stats)
open(os.path.join(outdir, "console.stats"), "w").write(open(stats).read())
errtext = open(errf).read()
open(os.path.join(outdir, "console.err"), "w").write(errtext)

# --- the report ----------------------------------------------------------------
cpu_pct = (cs1 - cs0) / HZ / wall * 100
win = []                # CPU % over ~1 s windows
for i in range(len(samples)):
    j = i
    while j < len(samples) and samples[j][0] - samples[i][0] < 1.0:
        j += 1
    if j < len(samples) and samples[i][0] < ts1:
        win.append((samples[j][1] - samples[i][1]) / HZ /
                   (samples[j][0] - samples[i][0]) * 100)
lags = [s[3] for s in samples if s[3] is not None and s[0] <= ts1]
bps = fed["bytes"] / max(fed["seconds"], 1e-9)
lag_max = max(lags) if lags else 0
# how fast the lag grows over the second half of the stream (least squares)
half = [(s[0], s[3]) for s in samples if s[3] is not None and
        ts0 + wall / 2 <= s[0] <= ts1]
lag_slope = 0.0
if len(half) >= 3:
    mt = statistics.fmean(t for t, _ in half)
    ml = statistics.fmean(l for _, l in half)
    den = sum((t - mt) ** 2 for t, _ in half)
    if den > 0:
        lag_slope = sum((t - mt) * (l - ml) for t, l in half) / den
kept_up = lag_max < bps and lag_slope < 0.01 * bps
all_lat = sorted(x for v in lat.values() for x in v)
lines_written = init["lines"] + int(fed["lines"])

print()
print("console benchmark: %d accounts, %.0f lines/s for %.0f s (%d lines, "
      "%.1f MB/s), tmux %dx%d" % (accounts, rate, seconds, fed["lines"],
      bps / 1048576, W, H))
print("  feeder: %.0f lines in %.2f s (%.0f lines/s), worst batch %.1f ms "
      "late" % (fed["lines"], fed["seconds"], fed["lines"] / fed["seconds"],
      fed["late_ms"]))
print("  first log: %d lines read in %.1f s (%.0f lines/s, %.1f s CPU)" %
      (init["lines"], catchup, init["lines"] / max(catchup, 1e-9),
       catchup_cpu))
print("  lines: %s counted by mailcon, %d written (%+d)" %
      (st.get("lines"), lines_written, int(st.get("lines", 0)) - lines_written))
print("  accounts: %s known to mailcon, %d in the log (+1 hijacked among "
      "them)" % (st.get("accounts"), accounts))
print("  reading behind the writer during the stream: max %.1f MB (%.1f s "
      "of stream), at its end %.1f MB, growing %.0f KB/s over its second "
      "half (%.1f%% of the stream's rate); caught up %s after it" %
      (lag_max / 1048576, lag_max / bps, (lags[-1] if lags else 0) / 1048576,
       lag_slope / 1024, 100 * lag_slope / bps,
       "%.1f s" % drain if drain is not None else "NOT within 300 s"))
print("  frames %s (draw avg %s ms, max %s ms); keys %s (avg %s ms, max %s "
      "ms, inside mailcon)" % (st.get("frames"), st.get("draw_ms_avg"),
      st.get("draw_ms_max"), st.get("keys"), st.get("key_ms_avg"),
      st.get("key_ms_max")))
if all_lat:
    print("  keys seen on screen: %d (%s); %d over 50 ms, p90 %.0f ms; %d "
          "not within 2 s (%s)" % (len(all_lat), ", ".join(
          "%s: median %.0f ms" % (k, statistics.median(v) * 1000)
          for k, v in sorted(lat.items())),
          sum(1 for x in all_lat if x > 0.05),
          all_lat[int(len(all_lat) * 0.9)] * 1000,
          len(misses), " ".join(misses) or "-"))
if win:
    print("  CPU over 1 s windows: min %.0f%%, median %.0f%%, max %.0f%%" %
          (min(win), statistics.median(win), max(win)))
print("  RSS: %d MB after the first log, %d MB at the end of the stream, "
      "peak (VmHWM) %d MB" % (mem_init.get("VmRSS", 0) / 1024,
      mem_stream.get("VmRSS", 0) / 1024, mem_stream.get("VmHWM", 0) / 1024))
if errtext.strip():
    print("  mailcon stderr: %s" % errtext.strip()[:500])
print()

rows = []
def row(fig, val, unit, target, ok):
    rows.append((fig, "%s %s" % (val, unit), target,
                 "-" if ok is None else ("met" if ok else "NOT met")))
dmax, davg = float(st.get("draw_ms_max", 0)), float(st.get("draw_ms_avg", 0))
row("redraw per frame, avg", "%.2f" % davg, "ms", "< 5 ms", davg < 5)
row("redraw per frame, max", "%.2f" % dmax, "ms", "< 5 ms", dmax < 5)
row("key -> drawn (in mailcon), avg", st.get("key_ms_avg"), "ms",
    "< 50 ms", float(st.get("key_ms_avg", 0)) < 50)
row("key -> drawn (in mailcon), max", st.get("key_ms_max"), "ms",
    "< 50 ms", float(st.get("key_ms_max", 0)) < 50)
if all_lat:
    med, mx = statistics.median(all_lat) * 1000, all_lat[-1] * 1000
    row("key -> tmux screen, median", "%.0f" % med, "ms", "< 50 ms", med < 50)
    row("key -> tmux screen, max", "%.0f" % mx, "ms", "< 50 ms",
        mx < 50 and not misses)
else:
    row("key -> tmux screen", "none seen", "", "< 50 ms", False)
row("CPU at %.0f lines/s" % rate, "%.0f" % cpu_pct, "% of a core",
    "< 100%", cpu_pct < 100)
row("RSS at the end (VmRSS)", "%.1f" % (mem_stream.get("VmRSS", 0) / 1024),
    "MB", "< 128 MB", mem_stream.get("VmRSS", 0) < 128 * 1024)
row("peak RSS (VmHWM)", "%.1f" % (mem_stream.get("VmHWM", 0) / 1024), "MB",
    "< 128 MB", mem_stream.get("VmHWM", 0) < 128 * 1024)
row("kept up: max lag", "%.1f" % (lag_max / bps), "s", "< 1 s",
    lag_max < bps)
row("kept up: lag growth", "%.0f" % (lag_slope / 1024), "KB/s", "~0",
    kept_up)
print("%-34s %18s %10s  %s" % ("figure", "measured", "target", "met?"))
for r in rows:
    print("%-34s %18s %10s  %s" % r)
EOF
