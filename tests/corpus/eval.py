#!/usr/bin/env python3
"""
tests/corpus/eval.py: run `mailcon scan --json` over the corpus and compare
it with the labels, beside the reference tools' published rules.

    eval.py MAILCON PARTDIR [--scenario NAME]... [--report] [--json FILE]
            [--check KNOWN-FAILURES] [--write-known FILE] [--geoip MMDB]

PARTDIR is a part of the generated corpus (build/corpus/tune or
build/corpus/report).  Each scenario is scanned together with its server's
background log, with an empty config (the documented defaults; with
--geoip, [detect] geoip = MMDB and nothing else), --utc for the classic
stamps and --year from the scenario.

Figures per scenario:
  caught            an incident account reached suspicious or critical
                    after its incident began
  msgs before flag  the incident's own messages accepted up to the flag:
                    for mailcon those at or before flagged_at (whole
                    seconds, so an upper bound), for a rule those before
                    the first message it refuses or holds (that one did
                    not leave)
  false flags       negative or ordinary accounts at suspicious or critical
                    (for a rule: with any message refused or held)
  watch share       ordinary and negative accounts whose level reached
                    watch, over all of them

--check compares every expectation (an account's level; an incident
flagged within N of its messages; a scenario's watch share at most 5%)
with KNOWN-FAILURES: a listed expectation must still fail, an unlisted one
must pass; either surprise is an error (exit 1).
"""
import argparse
import calendar
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True		# nothing written into tests/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from refrules import RULES, run_rules  # noqa: E402

LEVELS = {"ok": 0, "watch": 1, "suspicious": 2, "critical": 3}
WATCH_SHARE_MAX = 5.0
MONTHS = {m: i + 1 for i, m in enumerate(
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}

# The two line shapes the rules need (anchored, as the rules' daemons get
# exactly these fields from Postfix).
RE_SUBMIT = re.compile(
    r"^postfix(?:-[\w-]+)?(?:/[\w-]+)*/smtpd\[\d+\]: ([0-9A-Za-z]+): "
    r"client=[^\[\s]*\[([^\]]+)\](?::\d+)?, sasl_method=\S+, "
    r"sasl_username=(\S+)$")
RE_QMGR = re.compile(
    r"^postfix(?:-[\w-]+)?/qmgr\[\d+\]: ([0-9A-Za-z]+): from=<[^>]*>, "
    r"size=\d+, nrcpt=(\d+) \(queue active\)$")
RE_RFC3339 = re.compile(
    r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?"
    r"(Z|[+-]\d\d:\d\d)$")


def parse_stamp(line, year):
    """(epoch seconds UTC, rest of the line after the host) or None."""
    if line[:1].isdigit():
        sp = line.find(" ")
        m = RE_RFC3339.match(line[:sp])
        if not m:
            return None
        y, mo, d, h, mi, s = (int(x) for x in m.groups()[:6])
        t = calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0))
        if m.group(7):
            t += float(m.group(7))
        z = m.group(8)
        if z != "Z":
            off = int(z[1:3]) * 3600 + int(z[4:6]) * 60
            t -= off if z[0] == "+" else -off
        rest = line[sp + 1:]
    else:
        mo = MONTHS.get(line[:3])
        if mo is None:
            return None
        d, hms = int(line[4:6]), line[7:15]
        t = calendar.timegm((year, mo, d, int(hms[:2]), int(hms[3:5]),
                             int(hms[6:8]), 0, 0, 0))
        rest = line[16:]
    sp = rest.find(" ")
    return t, rest[sp + 1:]


_PARSED = {}


def file_messages(p, year):
    """The SASL submissions and envelope sizes of one file (read once: a
    background is scanned with every scenario of its server)."""
    key = (os.path.abspath(p), year)
    if key in _PARSED:
        return _PARSED[key]
    sub, nrcpt = {}, {}
    with open(p, encoding="utf-8", errors="replace") as f:
        for line in f:
            if "sasl_username=" not in line and "nrcpt=" not in line:
                continue
            r = parse_stamp(line.rstrip("\n"), year)
            if r is None:
                continue
            t, msg = r
            m = RE_SUBMIT.match(msg)
            if m:
                sub[m.group(1)] = (t, m.group(2), m.group(3).lower())
                continue
            m = RE_QMGR.match(msg)
            if m and m.group(1) not in nrcpt:
                nrcpt[m.group(1)] = int(m.group(2))
    _PARSED[key] = (sub, nrcpt)
    return sub, nrcpt


def sasl_messages(paths, year):
    """{account (lower case): [(t, qid, ip, nrcpt)]} from smtpd and qmgr
    lines, in time order."""
    sub, nrcpt = {}, {}
    for p in paths:
        s, n = file_messages(p, year)
        sub.update(s)
        nrcpt.update(n)
    out = {}
    for q, (t, ip, acct) in sub.items():
        out.setdefault(acct, []).append((t, q, ip, nrcpt.get(q, 1)))
    for v in out.values():
        v.sort()
    return out


def tsv_rows(path):
    """The tab-separated fields of each line of path but comments."""
    with open(path) as f:
        for line in f:
            if not line.startswith("#") and line.strip():
                yield line.rstrip("\n").split("\t")


def read_labels(path):
    out = {}
    for a, role, exp, within, what in tsv_rows(path):
        out[a.lower()] = {"account": a, "role": role, "expect": exp,
                          "within": None if within == "-" else int(within),
                          "what": what}
    return out


def read_incident(path):
    out = {}
    for a, t, q in tsv_rows(path):
        out.setdefault(a.lower(), []).append((float(t), q))
    return out


def iso_epoch(s):
    if s is None:
        return None
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


GEOIP = None		# --geoip: a MaxMind-format database for [detect] geoip


def run_scan(mailcon, files, year):
    """mailcon's JSON, wall seconds and peak RSS (KB) of the scan.  The
    peak comes from GNU time (Debian package "time"): the rusage of a
    child forked from this process would count this process's own pages
    before the exec.  Without it the RSS is reported as 0."""
    with tempfile.TemporaryDirectory() as tmp:
        conf = os.path.join(tmp, "config")
        with open(conf, "w") as f:
            if GEOIP:
                f.write("[detect]\ngeoip = %s\n" % os.path.abspath(GEOIP))
        env = dict(os.environ, XDG_CONFIG_HOME=tmp, XDG_STATE_HOME=tmp,
                   HOME=tmp)
        cmd = [mailcon, "scan", "--json", "--quiet", "--config", conf,
               "--year", str(year), "--utc"] + files
        tfile = os.path.join(tmp, "time")
        timed = cmd
        if os.access("/usr/bin/time", os.X_OK):
            timed = ["/usr/bin/time", "-f", "%e %M", "-o", tfile] + cmd
        out = os.path.join(tmp, "scan.json")
        t0 = time.monotonic()
        with open(out, "w") as o:
            p = subprocess.run(timed, stdout=o, stderr=subprocess.PIPE,
                               env=env)
        wall = time.monotonic() - t0
        if p.returncode not in (0, 1):
            sys.exit("eval: %s exited %d: %s" % (" ".join(cmd), p.returncode,
                                                  p.stderr.decode()[:2000]))
        rss = 0
        if os.path.exists(tfile):
            with open(tfile) as f:
                last = f.read().strip().splitlines()[-1].split()
            wall, rss = float(last[0]), int(last[1])
        with open(out) as f:
            doc = json.load(f)
    return doc, wall, rss


class Scenario:
    def __init__(self, partdir, name):
        self.dir = os.path.join(partdir, name)
        with open(os.path.join(self.dir, "scenario.json")) as f:
            self.meta = json.load(f)
        self.name = name
        self.kind = self.meta["kind"]
        self.files = []
        self.labels = {}
        if self.kind != "background":
            bg = os.path.join(partdir, "background-" + self.meta["server"])
            self.files.append(os.path.join(bg, "mail.log"))
            self.labels.update(read_labels(os.path.join(bg, "labels.tsv")))
        self.own = read_labels(os.path.join(self.dir, "labels.tsv"))
        self.labels.update(self.own)
        self.files.append(os.path.join(self.dir, "mail.log"))
        self.incident = read_incident(os.path.join(self.dir, "incident.tsv"))
        self.year = time.gmtime(self.meta["start"]).tm_year

    def evaluate(self, mailcon):
        doc, self.wall, self.rss = run_scan(mailcon, self.files, self.year)
        self.lines = doc["summary"]["lines"]
        self.unparsed = doc["summary"]["unparsed_lines"]
        self.mc = {a["account"].lower(): a for a in doc["accounts"]}
        self.msgs = sasl_messages(self.files, self.year)
        self.stops = run_rules(self.msgs)
        self.results = {}
        for key, lab in self.labels.items():
            self.results[key] = self.account_result(key, lab)
        self.unlabelled = sorted(k for k in self.mc if k not in self.labels)
        ordinary = [r for r in self.results.values()
                    if r["role"] in ("ordinary", "negative")]
        self.n_ordinary = len(ordinary)
        self.n_watch = sum(1 for r in ordinary if r["level"] == "watch")
        self.n_watch_now = sum(1 for r in ordinary
                               if r["level_now"] == "watch")
        self.watch_share = (100.0 * self.n_watch / self.n_ordinary
                            if self.n_ordinary else 0.0)
        self.watch_share_now = (100.0 * self.n_watch_now / self.n_ordinary
                                if self.n_ordinary else 0.0)

    def account_result(self, key, lab):
        a = self.mc.get(key)
        r = {"account": lab["account"], "role": lab["role"],
             "expect": lab["expect"], "within": lab["within"],
             "what": lab["what"], "present": a is not None,
             "level": a["level"] if a else "absent",
             "level_now": a["level_now"] if a else "absent",
             "reasons": a["reasons"] if a else [],
             "flagged_at": a["flagged_at"] if a else None,
             "confirmed_at": a.get("confirmed_at") if a else None}
        inc = self.incident.get(key, [])
        if lab["role"] == "incident":
            r["incident_messages"] = len(inc)
            start = int(inc[0][0]) if inc else None
            r["incident_start"] = start
            fa = iso_epoch(r["flagged_at"])
            if fa is None:
                r["caught"], r["before_flag"] = False, None
            elif start is not None and fa < start:
                r["caught"], r["before_flag"] = False, None
                r["early"] = True
            else:
                r["caught"] = True
                r["before_flag"] = sum(1 for t, q in inc if int(t) <= fa)
            ca = iso_epoch(r["confirmed_at"])
            r["before_confirmed"] = (None if ca is None else
                                     sum(1 for t, q in inc if int(t) <= ca))
        r["rules"] = {}
        incq = {q for t, q in inc}
        msgs = self.msgs.get(key, [])
        order = {q: i for i, (t, q, ip, n) in enumerate(msgs)}
        for cls in RULES:
            stopped = self.stops[cls.name].get(key, [])
            rr = {"stopped": len(stopped)}
            if lab["role"] == "incident":
                own = [q for q in stopped if q not in incq]
                first = next((q for q in stopped if q in incq), None)
                rr["owner_stopped"] = len(own)
                if first is None:
                    rr["caught"], rr["before_flag"] = False, None
                else:
                    i = order[first]
                    rr["caught"] = True
                    rr["before_flag"] = sum(
                        1 for t, q, ip, n in msgs[:i] if q in incq)
            r["rules"][cls.name] = rr
        return r

    def checks(self):
        """(account or *, check name, passed, detail) for every
        expectation of this scenario."""
        out = []
        for key, r in sorted(self.results.items()):
            if key not in self.own:
                continue
            lv = LEVELS.get(r["level"], -1)
            if r["role"] in ("ordinary", "negative"):
                out.append((r["account"], "level<=watch",
                            r["present"] and lv <= 1,
                            "level %s%s" % (r["level"], self.why(r))))
            else:
                out.append((r["account"], "level>=suspicious", lv >= 2,
                            "level %s%s" % (r["level"], self.why(r))))
                n = r["within"]
                ok = r["caught"] and r["before_flag"] <= n
                out.append((r["account"], "within-%d" % n, ok,
                            self.flag_text(r)))
                # "confirmed<=N" in the label's expectation: critical on
                # two kinds (what [watch] contain acts on) within N of
                # the incident's messages
                m = re.search(r"confirmed<=(\d+)", r["expect"])
                if m:
                    n = int(m.group(1))
                    bc = r["before_confirmed"]
                    out.append((r["account"], "confirmed-within-%d" % n,
                                bc is not None and bc <= n,
                                "never confirmed" if bc is None else
                                "confirmed at %s after %d incident "
                                "messages" % (r["confirmed_at"], bc)))
        out.append(("*", "watch-share<=5%",
                    self.watch_share <= WATCH_SHARE_MAX,
                    "%d of %d ordinary accounts at watch (%.1f%%)"
                    % (self.n_watch, self.n_ordinary, self.watch_share)))
        return out

    @staticmethod
    def why(r):
        return (": " + "; ".join(r["reasons"][:2])) if r["reasons"] else ""

    @staticmethod
    def flag_text(r):
        if r.get("early"):
            return ("flagged at %s, before its incident began (on the "
                    "owner's own mail)" % r["flagged_at"])
        if not r["caught"]:
            return "never flagged (%d incident messages)" % \
                r["incident_messages"]
        return "flagged at %s after %d of %d incident messages" % (
            r["flagged_at"], r["before_flag"], r["incident_messages"])


def fmt_rule(rr, role):
    if role == "incident":
        if not rr["caught"]:
            return "missed"
        s = "%d" % rr["before_flag"]
        if rr["owner_stopped"]:
            s += " (+owner)"
        return s
    return "FALSE" if rr["stopped"] else "-"


def report(scs, out):
    names = [c.name for c in RULES]
    w = out.write
    w("Incidents: messages of the incident that left before the flag "
      "(target: within 10)\n")
    w("%-20s %-9s %9s %7s %12s %19s %15s\n" % (
        "scenario", "mailcon", "flagged", "msgs", names[0], names[1],
        names[2]))
    tot = {"mailcon": 0}
    tot.update({n: 0 for n in names})
    ninc = 0
    for s in scs:
        for r in s.results.values():
            if r["role"] != "incident" or r["account"].lower() not in s.own:
                continue
            ninc += 1
            if r.get("early"):
                fl = "early"
            else:
                fl = str(r["before_flag"]) if r["caught"] else "missed"
            if r["caught"] and r["before_flag"] <= r["within"]:
                tot["mailcon"] += 1
            cells = []
            for n in names:
                rr = r["rules"][n]
                cells.append(fmt_rule(rr, "incident"))
                if rr["caught"] and rr["before_flag"] <= r["within"]:
                    tot[n] += 1
            w("%-20s %-9s %9s %7d %12s %19s %15s\n" % (
                s.name, r["level"], fl, r["incident_messages"], *cells))
    w("%-20s %-9s %9s %7s %12s %19s %15s\n" % (
        "caught within 10", "", "%d/%d" % (tot["mailcon"], ninc), "",
        *("%d/%d" % (tot[n], ninc) for n in names)))
    w("\nNegatives: accounts falsely flagged (mailcon: suspicious or "
      "critical; a rule: any message refused or held),\nand mailcon's "
      "share of ordinary accounts at watch (worst level over the log; now "
      "at its end)\n")
    w("%-26s %5s %8s %12s %19s %15s %12s\n" % (
        "scenario", "accts", "mailcon", names[0], names[1], names[2],
        "watch/now %"))
    ff = {"mailcon": 0}
    ff.update({n: 0 for n in names})
    nneg = 0
    for s in scs:
        own = [r for k, r in s.results.items() if k in s.own and
               r["role"] in ("ordinary", "negative")]
        if not own:
            w("%-26s %5s %8s %12s %19s %15s %5.1f/%4.1f\n" % (
                s.name, "-", "", "", "", "", s.watch_share,
                s.watch_share_now))
            continue
        nneg += len(own)
        m = sum(1 for r in own if LEVELS.get(r["level"], 0) >= 2)
        ff["mailcon"] += m
        cells = []
        for n in names:
            k = sum(1 for r in own if r["rules"][n]["stopped"])
            ff[n] += k
            cells.append(k)
        w("%-26s %5d %8d %12d %19d %15d %5.1f/%4.1f\n" % (
            s.name, len(own), m, *cells, s.watch_share, s.watch_share_now))
    w("%-26s %5d %8d %12d %19d %15d\n" % ("false flags", nneg, ff["mailcon"],
                                         *(ff[n] for n in names)))
    w("\nRules: %s\n" % "; ".join("%s: %s" % (c.name, c.rule)
                                  for c in RULES))
    w("Targets (issue 15): every incident within 10 messages; no false "
      "flag; at most 5% of ordinary accounts at watch.\n")
    details = []
    for s in scs:
        for k, r in sorted(s.results.items()):
            if k not in s.own:
                continue
            if r["role"] == "incident" or LEVELS.get(r["level"], 0) >= 2:
                details.append("  %s %s: %s, %s" % (
                    s.name, r["account"], r["level"],
                    Scenario.flag_text(r) if r["role"] == "incident"
                    else "falsely flagged at %s" % r["flagged_at"]))
                for why in r["reasons"][:3]:
                    details.append("      why: %s" % why)
    if details:
        w("\nmailcon's flags and reasons:\n" + "\n".join(details) + "\n")


def read_known(path):
    known = set()
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                sc, acct, check = line.split()
                known.add((sc, acct.lower(), check))
    return known


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mailcon")
    ap.add_argument("partdir")
    ap.add_argument("--scenario", action="append")
    ap.add_argument("--report", action="store_true")
    ap.add_argument("--json")
    ap.add_argument("--check")
    ap.add_argument("--write-known")
    ap.add_argument("--geoip")
    a = ap.parse_args()
    global GEOIP
    GEOIP = a.geoip
    names = a.scenario or sorted(
        n for n in os.listdir(a.partdir)
        if os.path.isfile(os.path.join(a.partdir, n, "scenario.json")))
    scs = []
    for n in names:
        s = Scenario(a.partdir, n)
        s.evaluate(a.mailcon)
        scs.append(s)
    bad = [(s.name, s.unparsed, s.unlabelled) for s in scs
           if s.unparsed or s.unlabelled]
    for name, unparsed, unl in bad:
        print("eval: %s: %d unparsed lines, unlabelled accounts: %s"
              % (name, unparsed, ", ".join(unl[:5]) or "none"))
    if a.report:
        report(scs, sys.stdout)
        lines = sum(s.lines for s in scs)
        wall = sum(s.wall for s in scs)
        top = max(scs, key=lambda s: s.rss)
        print("\nscan of the corpus: %d scans, %d lines in %.2f s "
              "(%.0f lines/s), peak RSS %.1f MB (%s)" % (
                  len(scs), lines, wall, lines / wall if wall else 0,
                  top.rss / 1024.0, top.name))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({s.name: {"results": s.results,
                                "watch_share": s.watch_share,
                                "lines": s.lines, "wall": s.wall,
                                "rss_kb": s.rss} for s in scs}, f,
                      indent=1, sort_keys=True)
    rc = 1 if bad else 0
    if a.write_known:
        with open(a.write_known, "w") as f:
            for s in scs:
                for acct, check, ok, detail in s.checks():
                    if not ok:
                        f.write("%s %s %s  # %s\n" % (s.name, acct, check,
                                                      detail))
    if a.check:
        known = read_known(a.check)
        seen = set()
        npass = nfail = nknown = 0
        for s in scs:
            for acct, check, ok, detail in s.checks():
                key = (s.name, acct.lower(), check)
                seen.add(key)
                if key in known:
                    if ok:
                        nfail += 1
                        print("FIXED %s %s %s: %s (now passes: remove it "
                              "from %s)" % (s.name, acct, check, detail,
                                            a.check))
                    else:
                        nknown += 1
                elif ok:
                    npass += 1
                else:
                    nfail += 1
                    print("FAIL %s %s %s: %s" % (s.name, acct, check,
                                                 detail))
        for key in sorted(known - seen):
            if key[0] in names:
                nfail += 1
                print("STALE %s %s %s: listed in %s but no such "
                      "expectation" % (key + (a.check,)))
        print("corpus: %d known failures still fail (%s)" % (nknown,
                                                              a.check))
        print("corpus: %d passed, %d failed" % (npass, nfail))
        if nfail:
            rc = 1
    sys.exit(rc)


if __name__ == "__main__":
    main()
