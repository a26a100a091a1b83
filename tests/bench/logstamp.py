#!/usr/bin/env python3
"""logstamp: follow a log file and write each new line with the moment it
appeared (epoch seconds, milliseconds), for the server's side of a
benchmark's timeline: Postfix 3.7's maillog_file stamps whole seconds.

Usage: logstamp.py LOG OUT

Polls LOG every millisecond (from its current end; it may not exist yet)
and appends "EPOCH LINE" to OUT for every whole line, until killed.  A
stamp is when the poll saw the line: at most a poll (plus scheduling, under
load) after the writer wrote it, never before.
"""

import os
import sys
import time


def main():
    log, out = sys.argv[1], sys.argv[2]
    f = None
    part = b""
    with open(out, "ab", buffering=0) as o:
        while True:
            if f is None:
                try:
                    f = open(log, "rb")
                    f.seek(0, os.SEEK_END)
                except OSError:
                    time.sleep(0.01)
                    continue
            data = f.read()
            if not data:
                time.sleep(0.001)
                continue
            now = time.time()
            part += data
            lines = part.split(b"\n")
            part = lines.pop()
            o.write(b"".join(b"%.3f %s\n" % (now, l) for l in lines))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
