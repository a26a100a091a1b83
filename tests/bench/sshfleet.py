"""sshfleet.py: one round of the SSH fleet benchmark (tests/bench/ssh.sh).

    python3 sshfleet.py console|ref DIR N RATE SECONDS

The sshd is ssh.sh's (its SSHD_* variables are read from the environment).
N logs are DIR/sK.log; a writer appends RATE lines/s to each (Postfix
submissions of that server's accounts) for SECONDS, and every 0.25 s one
marker line ("sasl_username=mark-SEQ@bench.test") to the next server's
log, its write time kept.

console: mailcon follows the N servers over SSH in a private tmux
(240x40); the log view is filtered to "mark-" so each marker stays on
screen; tmux capture-pane every 20 ms tells when a marker is drawn.
Figures: line-to-screen latency, CPU of mailcon while streaming, RSS at
the start and end of the stream (growth), and lines counted by mailcon
(MAILCON_STATS) against lines written.

ref: the reference, N OpenSSH clients running `tail -F -n 0 LOG` on the
same sshd; a marker counts when read from a client's stdout (not drawn:
an easier task).  CPU and RSS are the sum over the N ssh processes.

Prints one line of "key value" pairs for ssh.sh.  Exits 1 when a tool
fails (mailcon not reaching all servers live, a client dying); timings are
never judged here.
"""
import os
import selectors
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchproc  # noqa: E402

MARK_EVERY = 0.25
W, H = 240, 40          # wide: a marker line is never cut


def die(msg):
    print("bench ssh: FAIL: %s" % msg, file=sys.stderr, flush=True)
    sys.exit(1)


def syslog_now():
    return time.strftime("%b %e %H:%M:%S", time.localtime())


def line(server, seq, user):
    return ("%s mx postfix/smtpd[%d]: 4B%08X: client=unknown[192.0.2.%d], "
            "sasl_method=PLAIN, sasl_username=%s\n" %
            (syslog_now(), 1000 + server, seq & 0xffffffff, seq % 250 + 1,
             user))


class Writer(threading.Thread):
    """RATE lines/s to each log, markers in turn; marks[seq] = write time."""

    def __init__(self, logs, rate, seconds):
        super().__init__(daemon=True)
        self.logs, self.rate, self.seconds = logs, rate, seconds
        self.marks = {}
        self.lines = 0
        self.files = [open(p, "a", buffering=1) for p in logs]

    def run(self):
        n = len(self.logs)
        t0 = time.monotonic()
        due = [0] * n
        seq = 0
        mark = 0
        next_mark = t0
        while True:
            now = time.monotonic()
            if now - t0 >= self.seconds:
                break
            want = int((now - t0) * self.rate)
            for i, f in enumerate(self.files):
                while due[i] < want:
                    due[i] += 1
                    seq += 1
                    f.write(line(i, seq, "u%d@s%d.test" % (seq % 40, i)))
                    self.lines += 1
            if now >= next_mark:
                f = self.files[mark % n]
                seq += 1
                self.marks["mark-%06d" % mark] = time.monotonic()
                f.write(line(mark % n, seq, "mark-%06d@bench.test" % mark))
                self.lines += 1
                mark += 1
                next_mark += MARK_EVERY
            time.sleep(0.005)


def latency_figures(marks, seen):
    lat = sorted(seen[m] - marks[m] for m in marks if m in seen)
    if not lat:
        return {"lat_n": 0, "lat_lost": len(marks)}
    return {"lat_n": len(lat), "lat_lost": len(marks) - len(lat),
            "lat_p50": lat[len(lat) // 2],
            "lat_p95": lat[min(len(lat) - 1, int(len(lat) * 0.95))],
            "lat_max": lat[-1]}


def stream(pids, logs, rate, seconds, seen_fn):
    """Run the writer; sample CPU and RSS of pids; returns figures."""
    cpu0 = sum(benchproc.cpu_seconds(p) for p in pids)
    rss0 = sum(benchproc.mem_kb(p).get("VmRSS", 0) for p in pids)
    t0 = time.monotonic()
    w = Writer(logs, rate, seconds)
    w.start()
    w.join()
    wall = time.monotonic() - t0
    cpu1 = sum(benchproc.cpu_seconds(p) for p in pids)
    mem = [benchproc.mem_kb(p) for p in pids]
    # Late markers: give them 5 s more.
    t1 = time.monotonic()
    while time.monotonic() - t1 < 5 and len(seen_fn()) < len(w.marks):
        time.sleep(0.05)
    fig = {"cpu_pct": 100.0 * (cpu1 - cpu0) / wall,
           "rss0_kb": rss0,
           "rss1_kb": sum(m.get("VmRSS", 0) for m in mem),
           "hwm_kb": sum(m.get("VmHWM", 0) for m in mem),
           "written": w.lines, "wall": wall}
    fig.update(latency_figures(w.marks, seen_fn()))
    return fig


def config(path, logs):
    with open(path, "w") as f:
        for i, log in enumerate(logs):
            f.write("[server s%d]\nhost = 127.0.0.1\nport = %s\nuser = %s\n"
                    "key = %s\nknown_hosts = %s\nlogs = %s\nkeepalive = 5s\n"
                    "queue_command = off\n\n" %
                    (i + 1, os.environ["SSHD_PORT"], os.environ["SSHD_USER"],
                     os.environ["SSHD_KEY"], os.environ["SSHD_KNOWN_HOSTS"],
                     log))


def run_console(d, logs, rate, seconds):
    n = len(logs)
    conf = os.path.join(d, "mailcon.conf")
    config(conf, logs)
    stats = os.path.join(d, "stats")
    err = os.path.join(d, "mailcon.err")
    tm = benchproc.Tmux("mailcon-bench-ssh-%d" % os.getpid())
    tm.start(W, H, "exec env TERM=xterm-256color XDG_STATE_HOME=%s "
             "MAILCON_STATS=%s %s --config %s 2>%s" %
             (os.path.join(d, "state"), stats, os.environ["MAILCON"], conf,
              err))
    try:
        pid = tm.find("mailcon")
        if pid is None:
            die("mailcon did not start: %s" % open(err).read()[:2000])
        all_live = "| %d server%s |" % (n, "" if n == 1 else "s")
        t0 = time.monotonic()
        while all_live not in tm.screen():
            if time.monotonic() - t0 > 120 or not benchproc.alive(pid):
                die("not all %d servers live after %.0f s:\n%s" %
                    (n, time.monotonic() - t0, tm.screen()))
            time.sleep(0.05)
        connect = time.monotonic() - t0
        tm.keys("3")
        tm.keys("\\")
        tm.keys("mark-", "Enter")
        time.sleep(1)

        seen = {}
        stop = threading.Event()

        def poll():
            while not stop.is_set():
                now = time.monotonic()
                for word in tm.screen().split():
                    k = word.find("mark-")
                    if k >= 0:
                        m = word[k:k + 11]
                        seen.setdefault(m, now)
                time.sleep(0.02)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        fig = stream([pid], logs, rate, seconds, lambda: seen)
        stop.set()
        poller.join()
        time.sleep(2)           # the last lines reach the counter
        tm.keys("q")
        t1 = time.monotonic()
        while benchproc.alive(pid) and time.monotonic() - t1 < 10:
            time.sleep(0.05)
        st = dict(l.split(None, 1) for l in open(stats).read().split("\n")
                  if l)
        fig.update({"connect_s": connect, "counted": int(st["lines"]),
                    "frame_ms_avg": float(st["draw_ms_avg"]),
                    "frame_ms_max": float(st["draw_ms_max"])})
        return fig
    finally:
        tm.kill()


def run_ref(d, logs, rate, seconds):
    procs = []
    sel = selectors.DefaultSelector()
    for log in logs:
        p = subprocess.Popen(
            ["ssh", "-q", "-p", os.environ["SSHD_PORT"], "-i",
             os.environ["SSHD_KEY"], "-o", "BatchMode=yes", "-o",
             "StrictHostKeyChecking=yes", "-o",
             "UserKnownHostsFile=" + os.environ["SSHD_KNOWN_HOSTS"],
             "-o", "ServerAliveInterval=5",
             os.environ["SSHD_USER"] + "@127.0.0.1",
             "exec tail -F -n 0 '%s'" % log],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
        procs.append(p)
        os.set_blocking(p.stdout.fileno(), False)
        sel.register(p.stdout, selectors.EVENT_READ, p)
    seen = {}
    counted = [0]
    ready = set()
    stop = threading.Event()

    def read():
        tails = {}
        while not stop.is_set():
            for key, _ in sel.select(0.05):
                data = key.fileobj.read()
                if not data:
                    sel.unregister(key.fileobj)
                    continue
                now = time.monotonic()
                text = tails.get(key.fileobj, b"") + data
                lines = text.split(b"\n")
                tails[key.fileobj] = lines.pop()
                for ln in lines:
                    if b"ready-probe" in ln:
                        ready.add(key.fileobj)
                        continue
                    counted[0] += 1
                    k = ln.find(b"mark-")
                    if k >= 0:
                        seen.setdefault(ln[k:k + 11].decode(), now)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        # tail -F -n 0 shows only what comes after it started: probe each
        # log until its client has printed a probe line.
        t0 = time.monotonic()
        while len(ready) < len(logs):
            if time.monotonic() - t0 > 120:
                die("%d of %d ssh clients ready" % (len(ready), len(logs)))
            for p in procs:
                if p.poll() is not None:
                    die("an ssh client exited with %d" % p.returncode)
            for log in logs:
                with open(log, "a") as f:
                    f.write("ready-probe\n")
            time.sleep(0.2)
        connect = time.monotonic() - t0
        time.sleep(0.5)
        fig = stream([p.pid for p in procs], logs, rate, seconds,
                     lambda: seen)
        time.sleep(2)
        fig.update({"connect_s": connect, "counted": counted[0]})
        return fig
    finally:
        stop.set()
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()


def main():
    if len(sys.argv) != 6 or sys.argv[1] not in ("console", "ref"):
        die("usage: sshfleet.py console|ref DIR N RATE SECONDS")
    mode, d = sys.argv[1], sys.argv[2]
    n, rate, seconds = int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o755)          # SSHD_USER reads the logs
    logs = []
    for i in range(n):
        p = os.path.join(d, "s%d.log" % (i + 1))
        open(p, "w").close()
        os.chmod(p, 0o644)
        logs.append(p)
    fig = (run_console if mode == "console" else run_ref)(d, logs, rate,
                                                          seconds)
    print(" ".join("%s %s" % (k, ("%.4f" % v) if isinstance(v, float)
                              else v) for k, v in sorted(fig.items())),
          flush=True)


main()
