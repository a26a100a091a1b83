#!/usr/bin/env python3
"""loghost.py: one round of the central log host benchmark (loghost.sh).

    python3 loghost.py console|ref|frames DIR N RATE SECONDS

The central rsyslogd is loghost.sh's (RSYSLOG_PORT, RSYSLOG_ALL in the
environment).  A sender poses as N servers (mx001..mxN) over 4 TCP
connections, RFC 5424 frames, octet-counted, RATE lines/s in all (Postfix
submissions of each server's accounts, the servers in turn) for SECONDS;
every 0.25 s one marker line ("sasl_username=mark-SEQ@bench.test") from
the next server, its send time kept.

console: mailcon (config DIR/fleet.conf, N servers through [loghost]) in
a private tmux (240x40), the log view filtered to "mark-"; capture-pane
every 20 ms tells when a marker is drawn: send-to-screen latency through
rsyslog, and from rsyslog's write (a tail -F of the file) to the screen,
mailcon's own share.  Figures: latency p50/p95 of both, markers never seen, lines rsyslog
wrote and lines mailcon read (MAILCON_STATS) after a 3 s drain, CPU of
mailcon over the stream, RSS at its end.

frames: the same stream with the servers view (N rows, grouped) on screen:
mailcon's frame time (MAILCON_STATS draw_ms_avg/max).

ref: `tail -F -n 0 FILE | grep --line-buffered mark-` on the same stream:
a marker counts when grep prints it (read, not drawn); its lines are
counted by a second `tail -F | grep -c sasl_username`.

Prints one line of "key value" pairs; exits 1 when a tool fails.
"""
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchproc  # noqa: E402

MARK_EVERY = 0.25
W, H = 240, 40
CONNS = 4


def die(msg):
    print("bench loghost: FAIL: %s" % msg, file=sys.stderr, flush=True)
    sys.exit(1)


def frame(host, msg, stamp):
    b = ("<22>1 %s %s postfix/submission/smtpd 4242 - - %s" %
         (stamp, host, msg)).encode()
    return b"%d %s" % (len(b), b)


class Sender(threading.Thread):
    """RATE lines/s over CONNS connections; marks[seq] = send time."""

    def __init__(self, port, n, rate, seconds):
        super().__init__(daemon=True)
        self.port, self.n, self.rate, self.seconds = port, n, rate, seconds
        self.marks = {}
        self.sent = 0
        self.error = None

    def run(self):
        try:
            self.send()
        except OSError as e:
            self.error = str(e)

    def send(self):
        socks = [socket.create_connection(("127.0.0.1", self.port))
                 for _ in range(CONNS)]
        t0 = time.monotonic()
        next_mark = t0
        seq = mark = 0
        tick = 0.01
        while True:
            now = time.monotonic()
            if now - t0 >= self.seconds:
                break
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00",
                                  time.gmtime())
            due = int((now - t0) * self.rate) - self.sent
            bufs = [[] for _ in socks]
            for i in range(max(due, 0)):
                h = seq % self.n
                msg = ("%02X%08X: client=unknown[192.0.2.%d], "
                       "sasl_method=PLAIN, sasl_username=u%d@d%d.test" %
                       (h & 0xff, seq & 0xffffffff, seq % 250 + 1,
                        seq % 40, h))
                bufs[i % CONNS].append(frame("mx%03d" % (h + 1), msg, stamp))
                seq += 1
            if now >= next_mark:
                h = mark % self.n
                msg = ("FF%08X: client=unknown[198.51.100.1], "
                       "sasl_method=PLAIN, sasl_username=mark-%d@bench.test"
                       % (mark, mark))
                bufs[0].append(frame("mx%03d" % (h + 1), msg, stamp))
                self.marks[mark] = time.monotonic()
                mark += 1
                next_mark += MARK_EVERY
            for s, b in zip(socks, bufs):
                if b:
                    s.sendall(b"".join(b))
            self.sent += max(due, 0)
            time.sleep(tick)
        for s in socks:
            s.close()


def count_lines(path):
    try:
        with open(path, "rb") as f:
            return sum(buf.count(b"\n") for buf in iter(
                lambda: f.read(1 << 20), b""))
    except OSError:
        return 0


def stats_file(path):
    d = {}
    try:
        for line in open(path):
            k, v = line.split()
            d[k] = float(v)
    except OSError:
        pass
    return d


def pct(v, p):
    if not v:
        return -1.0
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def watch_marks(proc, snd, out):
    """out[seq] = time after the send a marker was read from proc."""
    for line in proc.stdout:
        now = time.monotonic()
        for word in line.split():
            if word.startswith("sasl_username=mark-"):
                k = int(word.split("-")[1].split("@")[0])
                if k in snd.marks and k not in out:
                    out[k] = now - snd.marks[k]


def console(d, n, rate, seconds, view):
    log = os.environ["RSYSLOG_ALL"]
    stats = os.path.join(d, "stats.%s.%d" % (view, rate))
    tm = benchproc.Tmux("mcbench-loghost-%d" % os.getpid())
    cmd = ("env TERM=xterm-256color LANG=C.UTF-8 XDG_STATE_HOME=%s "
           "MAILCON_STATS=%s %s --config %s/fleet.conf 2>%s/console.err" %
           (d, stats, os.environ["MAILCON"], d, d))
    tm.start(W, H, cmd)
    try:
        pid = tm.find("mailcon")
        if pid is None:
            die("mailcon did not start: %s" % tm.screen())
        for _ in range(200):
            if "%d servers" % n in tm.screen():
                break
            time.sleep(0.05)
        else:
            die("the console never showed %d servers" % n)
        if view == "log":
            tm.keys("3")
            time.sleep(0.3)
            tm.keys("\\")
            tm.keys("mark-", "Enter")
        time.sleep(0.5)
        before = count_lines(log)
        snd = Sender(int(os.environ["RSYSLOG_PORT"]), n, rate, seconds)
        # when rsyslog wrote each marker: mailcon's own share of the
        # latency is screen time minus this
        inf = {}
        tail = subprocess.Popen("exec tail -F -n 0 %s 2>/dev/null | "
                                "exec grep --line-buffered mark-" % log,
                                shell=True, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True,
                                start_new_session=True)
        threading.Thread(target=watch_marks, args=(tail, snd, inf),
                         daemon=True).start()
        time.sleep(0.3)
        cpu0, t0 = benchproc.cpu_seconds(pid), time.monotonic()
        snd.start()
        seen = {}
        while snd.is_alive() or time.monotonic() - t0 < seconds + 3:
            if view == "log":
                scr = tm.screen()
                now = time.monotonic()
                for word in scr.split():
                    if word.startswith("sasl_username=mark-"):
                        k = int(word.split("-")[1].split("@")[0])
                        if k in snd.marks and k not in seen:
                            seen[k] = now - snd.marks[k]
                time.sleep(0.02)
            else:
                time.sleep(0.2)
            if time.monotonic() - t0 > seconds + 3 and not snd.is_alive():
                break
        cpu = benchproc.cpu_seconds(pid) - cpu0
        wall = time.monotonic() - t0
        mem = benchproc.mem_kb(pid)
        if snd.error:
            die("the sender failed: %s" % snd.error)
        written = count_lines(log) - before
        tm.keys("q")
        for _ in range(100):
            if not benchproc.alive(pid):
                break
            time.sleep(0.05)
        pid_tail = benchproc.find_descendant(tail.pid, "tail")
        if pid_tail is not None:
            os.kill(pid_tail, 15)
        tail.wait(timeout=10)
        st = stats_file(stats)
        lat = list(seen.values())
        own = [seen[k] - inf[k] for k in seen if k in inf]
        print("view %s rate %d sent %d written %d read %d cpu_pct %.1f "
              "rss_mb %.1f hwm_mb %.1f marks %d seen %d p50_ms %.0f "
              "p95_ms %.0f own_p50_ms %.0f own_p95_ms %.0f frames %d "
              "draw_ms_avg %.2f draw_ms_max %.2f draw_cpu_ms_avg %.2f" %
              (view, rate, snd.sent, written, int(st.get("lines", -1)),
               100.0 * cpu / wall, mem.get("VmRSS", 0) / 1024.0,
               mem.get("VmHWM", 0) / 1024.0, len(snd.marks), len(seen),
               1000 * pct(lat, 50), 1000 * pct(lat, 95),
               1000 * pct(own, 50), 1000 * pct(own, 95),
               int(st.get("frames", 0)), st.get("draw_ms_avg", 0),
               st.get("draw_ms_max", 0), st.get("draw_cpu_ms_avg", 0)),
              flush=True)
    finally:
        tm.kill()


def ref(d, n, rate, seconds):
    log = os.environ["RSYSLOG_ALL"]
    t1 = subprocess.Popen("exec tail -F -n 0 %s 2>/dev/null | "
                          "exec grep --line-buffered mark-" % log, shell=True,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True, start_new_session=True)
    t2 = subprocess.Popen("exec tail -F -n 0 %s 2>/dev/null | "
                          "exec grep -c sasl_username" % log, shell=True,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True, start_new_session=True)
    time.sleep(0.5)
    snd = Sender(int(os.environ["RSYSLOG_PORT"]), n, rate, seconds)
    seen = {}
    snd.start()

    th = threading.Thread(target=watch_marks, args=(t1, snd, seen),
                          daemon=True)
    th.start()
    pids = []
    for p in (t1.pid, t2.pid):
        pids += [p] + benchproc.children(p)
    cpu0 = sum(benchproc.cpu_seconds(p) for p in pids)
    t0 = time.monotonic()
    snd.join()
    time.sleep(3)
    cpu = sum(benchproc.cpu_seconds(p) for p in pids) - cpu0
    wall = time.monotonic() - t0
    rss = sum(benchproc.mem_kb(p).get("VmRSS", 0) for p in pids)
    # tail ends first, so grep -c sees its end of input and prints
    for p in (t1, t2):
        tail = benchproc.find_descendant(p.pid, "tail")
        if tail is not None:
            os.kill(tail, 15)
    out = t2.communicate(timeout=10)[0].strip()
    t1.wait(timeout=10)
    lat = list(seen.values())
    print("view ref rate %d sent %d read %s cpu_pct %.1f rss_mb %.1f "
          "marks %d seen %d p50_ms %.0f p95_ms %.0f" %
          (rate, snd.sent, out or "-1", 100.0 * cpu / wall, rss / 1024.0,
           len(snd.marks), len(seen), 1000 * pct(lat, 50),
           1000 * pct(lat, 95)), flush=True)


def main():
    if len(sys.argv) != 6:
        die("usage: loghost.py console|ref|frames DIR N RATE SECONDS")
    mode, d, n, rate, secs = (sys.argv[1], sys.argv[2], int(sys.argv[3]),
                              int(sys.argv[4]), float(sys.argv[5]))
    if mode == "console":
        console(d, n, rate, secs, "log")
    elif mode == "frames":
        console(d, n, rate, secs, "servers")
    elif mode == "ref":
        ref(d, n, rate, secs)
    else:
        die("unknown mode %s" % mode)


if __name__ == "__main__":
    main()
