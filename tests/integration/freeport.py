#!/usr/bin/python3
# freeport.py ADDR N [--udp]: print N ports free on ADDR (for TCP, and for
# UDP too with --udp), picked at random in 20000-32767 (below Linux's
# ephemeral range, so no client socket of this machine takes one meanwhile),
# for stack.sh's _stack_free_ports and dnslib.sh's dns_free_port.
#
# A port free now is not free when its daemon binds it seconds later: two
# tests starting side by side (run.sh runs several) could pick the same
# one, and the second daemon fails to start.  So every port handed out is
# written with the time to a registry shared by the tests of this machine
# (/tmp/mailcon-test-ports, under a lock) and not handed out again for an
# hour.  The registry only ever excludes: a missing or damaged one costs
# nothing but that protection.
import fcntl
import random
import socket
import sys
import time

REGISTRY = "/tmp/mailcon-test-ports"
KEEP = 3600


def free(addr, port, udp):
    """Whether port binds on addr now (TCP, and UDP with udp)."""
    kinds = [socket.SOCK_STREAM] + ([socket.SOCK_DGRAM] if udp else [])
    for kind in kinds:
        s = socket.socket(socket.AF_INET, kind)
        try:
            s.bind((addr, port))
        except OSError:
            return False
        finally:
            s.close()
    return True


def main():
    addr, n = sys.argv[1], int(sys.argv[2])
    udp = "--udp" in sys.argv[3:]
    try:
        reg = open(REGISTRY, "a+")
        fcntl.flock(reg, fcntl.LOCK_EX)
    except OSError:
        reg = None      # not ours to write: pick without it
    now = time.time()
    recent = {}
    if reg is not None:
        reg.seek(0)
        for line in reg:
            try:
                port, when = line.split()
                if now - float(when) < KEEP:
                    recent[int(port)] = float(when)
            except ValueError:
                continue
    got = []
    while len(got) < n:
        port = random.randint(20000, 32767)
        if port in got or port in recent or not free(addr, port, udp):
            continue
        got.append(port)
    if reg is not None:
        for port in got:
            recent[port] = now
        reg.seek(0)
        reg.truncate()
        reg.writelines("%d %d\n" % (p, w) for p, w in recent.items())
        reg.close()
    print(" ".join(map(str, got)))


main()
