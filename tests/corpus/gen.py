#!/usr/bin/env python3
"""
tests/corpus/gen.py: generate the labelled detection corpus.

    python3 tests/corpus/gen.py [--part tune|report|all] [--out DIR]

writes DIR/PART/SCENARIO/ (default DIR build/corpus) for each scenario:

    mail.log        the scenario's own lines, as one server's syslog writes
                    them (scan it together with its background's mail.log)
    labels.tsv      per account: role, expected verdict, flagged-within
    incident.tsv    per incident message: account, time (UTC), queue id
    scenario.json   server, background, description, sources, seed

and DIR/networks.tsv (the fake Internet: prefix, AS, country).  The same
seed gives the same bytes: the generator has its own PRNG (loglines.Rng)
and takes nothing from the clock or the machine.  README.md in this folder
describes every scenario and where its shape comes from.
"""
import argparse
import json
import os
import sys

sys.dont_write_bytecode = True		# nothing written into tests/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from loglines import Rng, Server, Stream, utc  # noqa: E402
from people import (FIRST, LAST, TRADES, external_domains,  # noqa: E402
                    networks_tsv)
import scenarios  # noqa: E402

DAY = 86400
DAYS = 28
# Seeds and periods of the two parts.  The parts differ in seed, dates,
# domains and accounts.  Thresholds are tuned on "tune" only (README.md).
PARTS = {
    "tune": {"seed": 0x7A11E001, "start": utc(2026, 10, 5),
             "office": "tallowmere.example", "names": (0, 2),
             "hoster": "mail01.webnest-hosting.example"},
    "report": {"seed": 0x5E9027B3, "start": utc(2026, 11, 2),
               "office": "birchfield.example", "names": (1, 2),
               "hoster": "mail01.cloudberry-hosting.example"},
}


class Ctx:
    """What a scenario writes into: its server, its stream, its labels."""

    def __init__(self, part, cfg, name, kind, server, rng, index, world):
        self.part = part
        self.cfg = cfg
        self.name = name
        self.kind = kind
        self.sv = server
        self.rng = rng
        self.st = Stream(server, rng.fork("stream"), index)
        self.start = cfg["start"]
        self.end = cfg["start"] + DAYS * DAY
        self.labels = []
        self.incident = []
        self.world = world
        self.meta = {}

    def label(self, account, role, expect, within, what):
        self.labels.append((account, role, expect, within, what))

    def day0(self, d):
        """UTC time of local midnight of day d."""
        t = self.start + d * DAY
        return t - self.sv.offset(t)

    def at(self, d, hour):
        """Local hour of day d, with a random fraction of a second."""
        return self.day0(d) + hour * 3600 + self.rng.uniform()


class World:
    """The accounts and domains of one part, shared by its scenarios."""

    def __init__(self, part, cfg):
        self.rng = Rng(cfg["seed"])
        r = self.rng.fork("world")
        self.external = external_domains(Rng(0xE7E7), 220)
        self.office_domain = cfg["office"]
        half, parts = cfg["names"]
        # hosting customers: trade-surname.example, each part its own
        # surnames (even/odd positions), so the parts share no domain
        sur = [s for i, s in enumerate(LAST) if i % parts == half]
        self.hosting_domains = []
        seen = set()
        while len(self.hosting_domains) < 70:
            d = "%s-%s.example" % (r.choice(TRADES), r.choice(sur))
            if d not in seen:
                seen.add(d)
                self.hosting_domains.append(d)
        self.used = set()
        self.names_rng = r.fork("names")
        self.office = Server("office", "mx1", "rfc3339", "berlin",
                             [self.office_domain], "192.0.2.10",
                             r.fork("office"), "mx1." + self.office_domain)
        self.hosting = Server("hosting", "mail01", "classic", "utc",
                              self.hosting_domains, "192.0.2.20",
                              r.fork("hosting"), cfg["hoster"])
        self.office_staff = []
        self.branch_staff = []

    def person(self, domain, style="first.last"):
        """A new, unused account name in domain."""
        r = self.names_rng
        while True:
            f, l = r.choice(FIRST), r.choice(LAST)
            if style == "first.last":
                a = "%s.%s@%s" % (f, l, domain)
            elif style == "initial":
                a = "%s%s@%s" % (f[0], l, domain)
            else:
                a = "%s@%s" % (f, domain)
            if a not in self.used:
                self.used.add(a)
                return a

    def role(self, name, domain):
        a = "%s@%s" % (name, domain)
        if a in self.used:
            return self.person(domain, "first")
        self.used.add(a)
        return a


def write_scenario(outdir, ctx):
    d = os.path.join(outdir, ctx.part, ctx.name)
    os.makedirs(d, exist_ok=True)
    n = ctx.st.write(os.path.join(d, "mail.log"), ctx.start, ctx.end)
    with open(os.path.join(d, "labels.tsv"), "w") as f:
        f.write("# account\trole\texpect\twithin\twhat\n")
        for a, role, exp, within, what in sorted(ctx.labels):
            f.write("%s\t%s\t%s\t%s\t%s\n" % (a, role, exp,
                                              within if within else "-",
                                              what))
    with open(os.path.join(d, "incident.tsv"), "w") as f:
        f.write("# account\ttime\tqueue_id (every message of the "
                "incident, in time order)\n")
        for a, t, q in sorted(ctx.incident, key=lambda x: (x[1], x[2])):
            f.write("%s\t%.6f\t%s\n" % (a, t, q))
    meta = dict(ctx.meta)
    meta.update({"name": ctx.name, "part": ctx.part, "kind": ctx.kind,
                 "server": ctx.sv.name, "host": ctx.sv.host,
                 "stamps": ctx.sv.fmt, "lines": n,
                 "start": ctx.start, "end": ctx.end})
    with open(os.path.join(d, "scenario.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
        f.write("\n")
    return n


def generate(part, outdir, only=None):
    cfg = PARTS[part]
    world = World(part, cfg)
    total = 0
    for index, (name, kind, server, fn) in enumerate(scenarios.ALL):
        sv = world.office if server == "office" else world.hosting
        ctx = Ctx(part, cfg, name, kind, sv, world.rng.fork(name), index,
                  world)
        fn(ctx)
        if only and name not in only:
            continue
        n = write_scenario(outdir, ctx)
        total += n
        print("gen: %s/%s: %d lines, %d accounts labelled%s" % (
            part, name, n, len(ctx.labels),
            ", %d incident messages" % len(ctx.incident)
            if ctx.incident else ""), file=sys.stderr)
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--part", default="all",
                    choices=["tune", "report", "all"])
    ap.add_argument("--out", default="build/corpus")
    ap.add_argument("--only", action="append",
                    help="write only this scenario (repeatable; the others "
                    "are still generated, so the shared accounts match)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "networks.tsv"), "w") as f:
        f.write(networks_tsv())
    parts = ["tune", "report"] if a.part == "all" else [a.part]
    for p in parts:
        n = generate(p, a.out, a.only)
        print("gen: %s: %d lines" % (p, n), file=sys.stderr)


if __name__ == "__main__":
    main()
