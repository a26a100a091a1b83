#!/usr/bin/env python3
"""tests/layers.py: the architecture, checked by `make check`.

Fails when
- a file under console/ includes a header from a folder that is not below
  its own in LAYERS (the order README's "Architecture" gives), or names a
  folder that is not in it;
- a file under backends/ includes anything from console/;
- a file under console/ names a mail system's tools or files: those belong
  to backends/.
tests/layers.allow lists the known exceptions, one "FILE: INCLUDE" line
each, so that they can only shrink: an exception that no longer happens is
an error too (remove its line).
"""
import os
import re
import sys

# console/'s folders, highest first; main.c stands above them all.
LAYERS = "cmd tui live policy act config alert rbl store detect intake net core".split()
RANK = {f: i for i, f in enumerate(LAYERS)}
# What only backends/ may name (the seam: backends/backend.h).
TOOLS = re.compile(r"\b(postsuper|postqueue|postmap|postconf|postcat|doveadm|"
                   r"doveconf|exipick|exiqgrep|exim4?|whmapi1|uapi|main\.cf|"
                   r"passwd-file)\b")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')

def sources(top):
    for d, _, files in os.walk(top):
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                yield os.path.join(d, f)

def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.chdir(root)
    allow = set()
    path = "tests/layers.allow"
    if os.path.exists(path):
        for line in open(path):
            line = line.strip()
            if line and not line.startswith("#"):
                allow.add(line)
    found, errors = set(), []
    for src in sources("console"):
        folder = os.path.relpath(os.path.dirname(src), "console")
        for n, line in enumerate(open(src, encoding="utf-8"), 1):
            m = INCLUDE.match(line)
            if m is None:
                continue
            inc = m.group(1)
            if "/" not in inc or inc.startswith("backends/") or folder == ".":
                continue
            to = inc.split("/")[0]
            key = "%s: %s" % (src, inc)
            if folder not in RANK or to not in RANK:
                errors.append("%s:%d: includes %s: %s/ is not a layer of "
                              "tests/layers.py" % (src, n, inc,
                              folder if folder not in RANK else to))
            elif RANK[to] <= RANK[folder]:
                if key in allow:
                    found.add(key)
                else:
                    errors.append("%s:%d: includes %s: %s/ is not below "
                                  "%s/" % (src, n, inc, to, folder))
    for src in sources("backends"):
        for n, line in enumerate(open(src, encoding="utf-8"), 1):
            m = INCLUDE.match(line)
            if m and ("console/" in m.group(1) or m.group(1).startswith(
                    tuple(f + "/" for f in LAYERS))):
                errors.append("%s:%d: includes %s: backends/ include "
                              "nothing of console/" % (src, n, m.group(1)))
    for d, _, files in os.walk("console"):
        for f in sorted(files):
            p = os.path.join(d, f)
            if not f.endswith((".c", ".h")):
                continue
            for n, line in enumerate(open(p, encoding="utf-8"), 1):
                m = TOOLS.search(line)
                key = "%s: names %s" % (p, m.group(1)) if m else None
                if m and key in allow:
                    found.add(key)
                elif m:
                    errors.append("%s:%d: names %s: mail systems' tools and "
                                  "files belong to backends/" % (p, n,
                                  m.group(1)))
    for key in sorted(allow - found):
        errors.append("tests/layers.allow: \"%s\" no longer happens: remove "
                      "the line" % key)
    for e in errors:
        print(e)
    print("layers: %d files checked, %d exceptions allowed, %d errors" % (
        sum(1 for _ in sources("console")) + sum(1 for _ in sources(
            "backends")), len(found), len(errors)))
    return 1 if errors else 0

if __name__ == "__main__":
    sys.exit(main())
