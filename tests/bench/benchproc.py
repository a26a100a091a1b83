"""benchproc.py: what the benchmarks read of a process in /proc, and a
private tmux server to run the console in.  Imported by sshfleet.py."""
import os
import subprocess
import time

HZ = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """utime + stime of pid in seconds (0.0 once it is gone)."""
    try:
        s = open("/proc/%d/stat" % pid).read()
    except OSError:
        return 0.0
    f = s[s.rindex(")") + 2:].split()
    return (int(f[11]) + int(f[12])) / HZ


def mem_kb(pid):
    """VmRSS and VmHWM of pid in kB ({} once it is gone)."""
    d = {}
    try:
        for line in open("/proc/%d/status" % pid):
            if line.startswith(("VmRSS:", "VmHWM:")):
                d[line.split(":")[0]] = int(line.split()[1])
    except OSError:
        pass
    return d


def alive(pid):
    try:
        s = open("/proc/%d/stat" % pid).read()
        return s[s.rindex(")") + 2] != "Z"
    except OSError:
        return False


def children(pid):
    out = []
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            out += [int(c) for c in
                    open("/proc/%d/task/%s/children" % (pid, t)).read().split()]
    except OSError:
        pass
    return out


def find_descendant(pid, comm):
    """pid or its first descendant whose comm is comm, or None."""
    todo = [pid]
    while todo:
        p = todo.pop(0)
        try:
            if open("/proc/%d/comm" % p).read().strip() == comm:
                return p
        except OSError:
            continue
        todo += children(p)
    return None


class Tmux:
    """A private tmux server (-L sock) with one session."""

    def __init__(self, sock):
        self.sock = sock

    def run(self, *args, check=True):
        r = subprocess.run(["tmux", "-L", self.sock] + list(args),
                           capture_output=True, text=True)
        if check and r.returncode != 0:
            raise RuntimeError("tmux %s: %s" % (args[0], r.stderr.strip()))
        return r.stdout

    def start(self, width, height, cmd):
        self.run("-f", "/dev/null", "new-session", "-d", "-x", str(width),
                 "-y", str(height), cmd)
        self.run("set-option", "-g", "remain-on-exit", "on", check=False)

    def find(self, comm, timeout=5.0):
        """The pid of the process comm the session runs, or None."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            out = self.run("list-panes", "-F", "#{pane_pid}", check=False)
            if out.split():
                pid = find_descendant(int(out.split()[0]), comm)
                if pid:
                    return pid
            time.sleep(0.01)
        return None

    def screen(self):
        return self.run("capture-pane", "-p", check=False)

    def keys(self, *keys):
        self.run("send-keys", *keys, check=False)

    def kill(self):
        self.run("kill-server", check=False)
