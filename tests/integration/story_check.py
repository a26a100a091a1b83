#!/usr/bin/env python3
"""story_check: check `mailcon scan --json` of the story in story.sh, the
same for every mail system that played it.  Debian's python3 only.

Usage: story_check.py whole SCAN.json T0 T1    (both plans; T0, T1: the
                                               run's bounds, UTC ISO)
       story_check.py ordinary SCAN.json       (the ordinary plan only)

Prints what is wrong, one line each, and exits 1; exits 0 when all holds.
"""

import json
import sys
from datetime import datetime, timedelta

J = "judy@example.test"
ORDINARY = ("alice", "bob", "carol", "dave", "grace", "ivan")
LEVELS = ("ok", "watch", "suspicious", "critical")


def load(path, bad):
    """The accounts of the scan, by name; None when unreadable."""
    try:
        doc = json.load(open(path))
    except Exception as e:
        bad.append("not JSON: %s: %s"
                   % (e, open(path, errors="replace").read()[:500]))
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("accounts"), list):
        bad.append("no \"accounts\" list: %s" % str(doc)[:500])
        return None
    if not isinstance(doc.get("summary"), dict):
        bad.append("no \"summary\" object")
    acc = {}
    for a in doc["accounts"]:
        if not isinstance(a, dict) or "account" not in a:
            bad.append("account entry without \"account\": %s" % str(a)[:200])
            continue
        if a["account"] in acc:
            bad.append("account listed twice: %s" % a["account"])
        acc[a["account"]] = a
    for name, a in acc.items():
        if a.get("level") not in LEVELS:
            bad.append("%s: level %r not one of %s"
                       % (name, a.get("level"), LEVELS))
    return acc


def want(acc, bad, name, key, value):
    a = acc.get(name)
    if a is None:
        bad.append("%s missing from accounts" % name)
    elif a.get(key) != value:
        bad.append("%s: %s = %r, want %r" % (name, key, a.get(key), value))


def calm(acc, bad):
    """The ordinary users: ok or watch, their own figures."""
    for u in ORDINARY:
        a = acc.get(u + "@example.test", {})
        if a and a.get("level") not in ("ok", "watch"):
            bad.append("%s: level %r, want ok or watch (reasons %s)"
                       % (u, a.get("level"), a.get("reasons")))
    want(acc, bad, "grace@example.test", "messages", 300)
    want(acc, bad, "grace@example.test", "auth_ips", 1)
    want(acc, bad, "ivan@example.test", "auth_fail", 2)
    want(acc, bad, "ivan@example.test", "messages", 2)
    want(acc, bad, "alice@example.test", "auth_ips", 2)
    want(acc, bad, "bob@example.test", "messages", 4)
    # No failed login for the others.  (Dovecot's deny passdb logs
    # "passwd-file(USER,IP): unknown user" for every good login too.)
    for u in ("alice", "bob", "carol", "dave", "grace"):
        want(acc, bad, u + "@example.test", "auth_fail", 0)


def whole(acc, bad, t0, t1):
    flagged = sorted(n for n, a in acc.items()
                     if a.get("level") in ("suspicious", "critical"))
    if flagged != [J]:
        bad.append("suspicious/critical accounts are %s, want exactly judy"
                   % flagged)
    calm(acc, bad)
    want(acc, bad, J, "auth_ips", 200)
    want(acc, bad, J, "messages", 400)
    want(acc, bad, J, "recipients", 4000)
    want(acc, bad, J, "auth_fail", 0)
    # judy's spam stays deferred; grace's newsletter was delivered.
    want(acc, bad, J, "queued", 400)
    want(acc, bad, "grace@example.test", "queued", 0)
    j = acc.get(J, {})
    if not any("200" in r for r in j.get("reasons", [])):
        bad.append("judy: no reason names the 200 addresses: %s"
                   % j.get("reasons"))
    # Times: UTC, inside the run (a local-time bug shifts them by hours).
    def when(s):
        return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")
    lo = when(t0) - timedelta(seconds=5)
    hi = when(t1) + timedelta(seconds=5)
    for key in ("first_seen", "last_seen", "flagged_at"):
        v = j.get(key)
        if v is None:
            bad.append("judy: %s is missing or null" % key)
            continue
        try:
            t = when(v)
        except (TypeError, ValueError):
            bad.append("judy: %s = %r is not YYYY-MM-DDTHH:MM:SSZ" % (key, v))
            continue
        if not lo <= t <= hi:
            bad.append("judy: %s = %s outside the run %s .. %s (time zone?)"
                       % (key, v, t0, t1))
    if bad:
        bad.append("judy: %s" % json.dumps(j)[:600])


def ordinary(acc, bad):
    calm(acc, bad)
    for n, a in acc.items():
        if a.get("level") not in ("ok", "watch"):
            bad.append("%s: level %r (reasons %s)"
                       % (n, a.get("level"), a.get("reasons")))
    if J in acc:
        bad.append("judy listed, but she did nothing in this part")


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("whole", "ordinary") or \
            (sys.argv[1] == "whole" and len(sys.argv) != 5):
        sys.exit(__doc__)
    bad = []
    acc = load(sys.argv[2], bad)
    if acc is not None:
        if sys.argv[1] == "whole":
            whole(acc, bad, sys.argv[3], sys.argv[4])
        else:
            ordinary(acc, bad)
    for b in bad:
        print("  " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
