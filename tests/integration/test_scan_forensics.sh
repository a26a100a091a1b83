#!/bin/bash
# test_scan_forensics.sh: the forensics options of `mailcon scan` on logs
# made by a real Postfix + Dovecot (stack.sh, the story of story.sh), in a
# zone that is not UTC (so the logs' zone matters):
#
#  1. --since / --until, absolute (the logs' local time, or with a zone)
#     and relative (1h, yesterday, tomorrow): the hijack after the
#     boundary, the ordinary users before it, nothing in an empty period
#     (nulls, never 1970); bad input (an unparsable time, --since after
#     --until, two formats) is one line on stderr, exit 2, nothing on
#     stdout;
#  2. --json: each reason also as {signal, value, threshold, level, text},
#     the text the same as the sentence;
#  3. --detail: judy's 200 login addresses with their counts and her 400
#     queue ids, the same as the ids Postfix gave and still holds
#     (postqueue -j); a delivered account's ids "removed";
#  4. --csv: RFC 4180 (python's csv reads it back, records end in CRLF,
#     fields with commas quoted), the login "@calc@example.test" (a
#     formula to a spreadsheet) written as '@calc@example.test, quoted;
#  5. --summary (the digest) beside pflogsumm on the same Postfix log: the
#     grand totals agree (received, delivered, deferred and deferrals,
#     bounced, rejected, bytes received, senders, recipients, recipient
#     domains); judy flagged; the bounce, reject and deferral reasons and
#     the failed logins listed.
#
# Environment: MAILCON (the binary).  Needs root, python3, Postfix,
# Dovecot, pflogsumm (tests/deps.sh).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/stack.sh"
. "$HERE/story.sh"
stack_test for
export TZ=EST5EDT,M3.2.0,M11.1.0
export STACK_AUTH_PENALTY=0

command -v pflogsumm >/dev/null || die "pflogsumm is not installed (tests/deps.sh)"
STACK_SINK=1 STACK_SINK_DOMAINS="example.test elsewhere.test family.test \
    customer.test vendor.test news.test" STACK_BOUNCE=1 \
    STACK_BOUNCE_DOMAINS=gone.test \
    STACK_USER_LIST="alice bob carol dave grace ivan judy @calc" \
    stack_start "$S" || die "the mail stack did not start"
pw() { awk -v u="$1" '$1 == u { print $2 }' "$STACK_USERS"; }

# submit: mailgen with the plan on stdin.
submit()
{
	python3 "$MAILGEN" --port "$STACK_SUBMIT_PORT" -j 8 --qids "$T/qids" \
	    >"$T/gen" 2>&1 || die "mailgen: $(cat "$T/gen")"
}

# settled: every queued id logged by qmgr, every recipient given a status.
settled()
{
	python3 - "$STACK_POSTFIX_LOG" "$T/qids" <<'EOF'
import re, sys, time
want = {}
for line in open(sys.argv[2]):
    q, _, _, n = line.split()
    want[q] = int(n)
deadline = time.time() + 60
while time.time() < deadline:
    seen, st = set(), {}
    for line in open(sys.argv[1], errors="replace"):
        m = re.search(r" postfix/qmgr\[\d+\]: ([0-9A-F]+): from=<", line)
        if m:
            seen.add(m.group(1))
        m = re.search(r" postfix/(?:smtp|error)\[\d+\]: ([0-9A-F]+): to=<.*"
                      r"status=(?:sent|deferred|bounced)", line)
        if m:
            st[m.group(1)] = st.get(m.group(1), 0) + 1
    if all(q in seen and st.get(q, 0) >= n for q, n in want.items()):
        sys.exit(0)
    time.sleep(0.2)
sys.exit("not settled")
EOF
}

# --- the logs: ordinary users, @calc, bounces, rejects; then the hijack ---
{
	story_plan_ordinary "$STACK_USERS"
	echo "send @calc@example.test $(pw @calc@example.test) 127.0.1.20 2 1 boss@example.test"
	echo "send alice@example.test $(pw alice@example.test) 127.0.1.21 3 3 nobody@gone.test"
} >"$T/plan-a"
submit <"$T/plan-a"
settled || die "part A did not settle"
# carol is suspended: her mail is rejected at RCPT
echo "carol@example.test REJECT suspended by the test" >"$STACK_SASL_ACCESS"
postmap -c "$STACK_POSTFIX_CONF" "hash:$STACK_SASL_ACCESS" || die "postmap"
echo "reject carol@example.test $(pw carol@example.test) 127.0.1.22 x@elsewhere.test,y@elsewhere.test" \
    >"$T/plan-r"
submit <"$T/plan-r"
# a boundary no line of part A is at or after
sleep 1
MID=$(date +%s)
MID_LOCAL=$(date -d "@$MID" '+%Y-%m-%d %H:%M:%S')
MID_UTC=$(date -u -d "@$MID" '+%Y-%m-%dT%H:%M:%SZ')
sleep 1
story_plan_hijack "$STACK_USERS" >"$T/plan-b"
submit <"$T/plan-b"
settled || die "part B did not settle"
stack_stop "$S"
PF=$STACK_POSTFIX_LOG DV=$STACK_DOVECOT_LOG

# scan ARGS: status in $rc, stdout in $T/out, stderr in $T/err.
scan()
{
	"$MAILCON" scan --quiet "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# accounts FILE: the accounts of a JSON report, sorted, one line.
accounts()
{
	python3 -c 'import json, sys
print(" ".join(sorted(a["account"] for a in json.load(open(sys.argv[1]))["accounts"])))' "$1"
}

# --- 1. --since / --until --------------------------------------------------
scan --json --since "$MID_LOCAL" "$PF" "$DV"
[ "$rc" = 1 ] || fail "--since (local): exit $rc: $(cat "$T/err")"
[ "$(accounts "$T/out")" = "judy@example.test" ] ||
    fail "--since $MID_LOCAL: accounts $(accounts "$T/out"), want judy only"
python3 - "$T/out" "$MID_UTC" <<'EOF' || fail "--since: summary"
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
assert s["since"] == sys.argv[2] and s["until"] is None, s
assert s["lines_before"] > 0 and s["first"] >= sys.argv[2], s
EOF
cp "$T/out" "$T/since-local.json"
scan --json --since "$MID_UTC" "$PF" "$DV"
cmp -s "$T/out" "$T/since-local.json" ||
    fail "--since with a zone (Z) differs from the logs' local time"
scan --json --until "$MID_LOCAL" "$PF" "$DV"
[ "$rc" = 0 ] || fail "--until: exit $rc, want 0 (nobody suspicious before)"
got=$(accounts "$T/out")
case " $got " in
*" judy@example.test "*) fail "--until: judy's hijack is after it: $got" ;;
esac
case " $got " in
*" grace@example.test "*) ;;
*) fail "--until: grace (before it) missing: $got" ;;
esac
python3 - "$T/out" "$MID_UTC" <<'EOF' || fail "--until: summary"
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
assert s["until"] == sys.argv[2] and s["stopped_at_until"] is True, s
assert s["last"] < sys.argv[2], s
EOF
scan --json --since 1h "$PF" "$DV"
[ "$(accounts "$T/out" | wc -w)" = 8 ] ||
    fail "--since 1h: $(accounts "$T/out"), want all 8 accounts"
scan --json --since yesterday --until tomorrow "$PF" "$DV"
[ "$(accounts "$T/out" | wc -w)" = 8 ] ||
    fail "--since yesterday --until tomorrow: $(accounts "$T/out")"
# an empty period: nulls, no 1970 anywhere
scan --json --until 1h "$PF" "$DV"
[ "$rc" = 0 ] || fail "empty period: exit $rc"
python3 - "$T/out" <<'EOF' || fail "empty period, JSON"
import json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"]
assert d["accounts"] == [] and s["first"] is None and s["last"] is None, s
EOF
scan --until 1h "$PF" "$DV"
grep -q "^No line in the period" "$T/out" || fail "empty period, table: $(cat "$T/out")"
scan --csv --until 1h "$PF" "$DV"
[ "$(wc -l <"$T/out")" = 1 ] || fail "empty period, CSV: not the header alone"
scan --summary --until 1h "$PF" "$DV"
grep -q "^Log time:  no line in the period" "$T/out" ||
    fail "empty period, digest: $(head -5 "$T/out")"
for f in "$T/out"; do
	grep -q 1970 "$f" && fail "empty period: 1970 printed"
done
# bad input: one line on stderr, exit 2, nothing on stdout
bad()
{
	local want=$1
	shift
	scan "$@" "$PF"
	[ "$rc" = 2 ] || fail "bad input ($*): exit $rc"
	[ -s "$T/out" ] && fail "bad input ($*): printed a report"
	grep -q -- "$want" "$T/err" || fail "bad input ($*): $(cat "$T/err")"
}
bad 'is not before --until' --since "$MID_LOCAL" --until 2h
bad '--since: "yesterdy" is not a time' --since yesterdy
bad '--until: "2026-02-30": expected a date like 2026-11-28' --until 2026-02-30
bad 'expected a zone like Z' --since "2026-11-28 04:16 CET"
bad '\\x1b\[2J' --since "$(printf '\033[2J')"
bad 'choose one format' --json --csv
bad 'not with --json' --summary --json

# --- 2. --json: structured reasons beside the sentences --------------------
scan --json "$PF" "$DV"
python3 - "$T/out" <<'EOF' || fail "--json: signals"
import json, sys
acc = {a["account"]: a for a in json.load(open(sys.argv[1]))["accounts"]}
j = acc["judy@example.test"]
# the same sentences, in order; the reasons may end with a note that is
# not a signal ("no history yet: ...")
def same(sig, why):
    texts = [s["text"] for s in sig]
    assert texts == why[:len(texts)] and len(why) - len(texts) <= 1, (sig, why)
    assert len(why) == len(texts) or not why[-1][0].isdigit(), why
same(j["signals"], j["reasons"])
same(j["signals_now"], j["reasons_now"])
s = j["signals"][0]
assert s["signal"] == "auth_ips" and s["value"] == 200, s
assert s["threshold"] == 20 and s["level"] == "critical", s
for a in acc.values():
    for s in a["signals"]:
        assert set(s) == {"signal", "value", "threshold", "level", "text"}
        assert s["value"] >= s["threshold"] > 0, s
EOF

# --- 3. --detail: addresses with counts, queue ids as Postfix has them -----
scan --json --detail "$PF" "$DV"
python3 - "$T/out" "$T/qids" "$STACK_QUEUE_DIR" <<'EOF' || fail "--detail"
import json, os, sys
acc = {a["account"]: a for a in json.load(open(sys.argv[1]))["accounts"]}
mine = {}
for line in open(sys.argv[2]):
    q, login, ip, n = line.split()
    mine.setdefault(login, set()).add(q)
j = acc["judy@example.test"]
assert len(j["logins"]) == 200 and j["logins_more"] == 0, len(j["logins"])
assert all(l["messages"] == 2 and l["first"] and l["last"]
           for l in j["logins"]), j["logins"][:2]
ids = [q["id"] for q in j["queue_ids"]]
assert set(ids) == mine["judy@example.test"] and len(ids) == 400, len(ids)
assert all(q["state"] == "queued" for q in j["queue_ids"])
# what Postfix still holds: judy's ids are there, in its queue files
held = set()
for root, dirs, files in os.walk(os.path.join(sys.argv[3], "deferred")):
    held.update(files)
assert mine["judy@example.test"] <= held, len(mine["judy@example.test"] - held)
g = acc["grace@example.test"]
assert set(q["id"] for q in g["queue_ids"]) == mine["grace@example.test"]
assert all(q["state"] == "removed" for q in g["queue_ids"]), g["queue_ids"][:2]
assert g["logins"] == [dict(g["logins"][0], ip="127.0.2.1", messages=300)]
EOF
scan --detail --min-level critical "$PF" "$DV"
grep -q "^  login addresses: 200$" "$T/out" &&
    grep -q "^  queue ids: 400, 400 still queued or held" "$T/out" ||
    fail "--detail, table: $(sed -n 1,20p "$T/out")"

# --- 4. --csv ------------------------------------------------------------------
scan --csv --detail "$PF" "$DV"
[ "$rc" = 1 ] || fail "--csv: exit $rc"
python3 - "$T/out" <<'EOF' || fail "--csv"
import csv, sys
raw = open(sys.argv[1], "rb").read()
lines = raw.split(b"\r\n")
assert lines[-1] == b"" and all(b"\n" not in l for l in lines), "not CRLF"
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
acc = {r["account"]: r for r in rows}
assert "'@calc@example.test" in acc, sorted(acc)
assert b"\"'@calc@example.test\"" in raw, "the formula is not quoted"
j = acc["judy@example.test"]
assert j["level"] == "critical" and j["messages"] == "400", j
assert j["signals"].startswith("auth_ips=200 (critical at 20)"), j["signals"]
assert "," in j["reasons"] and j["reasons"].split(" | ")[0].startswith("200 "), j
assert len(j["login_addresses"].split()) == 200
assert len(j["queue_ids"].split()) == 400 == len(j["queued_ids"].split())
assert j["flagged_at"].endswith("Z") and acc["alice@example.test"]["flagged_at"] == ""
EOF

# --- 5. --summary beside pflogsumm --------------------------------------------
scan --summary "$PF" "$DV"
[ "$rc" = 1 ] || fail "--summary: exit $rc"
cp "$T/out" "$T/digest"
pflogsumm "$PF" >"$T/pflogsumm" 2>"$T/pflogsumm.err" ||
    fail "pflogsumm failed: $(cat "$T/pflogsumm.err")"
python3 - "$T/digest" "$T/pflogsumm" <<'EOF' || fail "--summary against pflogsumm"
import re, sys
ours, theirs = open(sys.argv[1]).read(), open(sys.argv[2]).read()
def grab(text, label):
    m = re.search(r"^ *(\d+)[+ ]?\s+" + label + r"\b", text, re.M)
    return int(m.group(1)) if m else None
bad = []
for label, plabel in (("received", "received"), ("delivered", "delivered"),
                      ("deferred", "deferred"), ("bounced", "bounced"),
                      ("rejected", "rejected"), ("bytes received", "bytes received"),
                      ("senders", "senders"), ("recipients", "recipients"),
                      ("recipient domains", "recipient hosts/domains")):
    a, b = grab(ours, label), grab(theirs, plabel)
    if a is None or a != b:
        bad.append("%s: mailcon %s, pflogsumm %s" % (label, a, b))
a = re.search(r"\((\d+) deferrals\)", ours)
b = re.search(r"\((\d+)\s+deferrals\)", theirs)
if not a or not b or a.group(1) != b.group(1):
    bad.append("deferrals: %s vs %s" % (a and a.group(1), b and b.group(1)))
for n in ("received", "bounced", "rejected"):
    if not grab(ours, n):
        bad.append("%s is 0: the story should have some" % n)
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
EOF
grep -q "^critical   judy@example.test$" "$T/digest" ||
    fail "--summary: judy not flagged: $(sed -n '/Accounts flagged/,/Per-/p' "$T/digest")"
sed -n '/^message bounce detail/,/^$/p' "$T/digest" | grep -q '^ *3 ' ||
    fail "--summary: the 3 bounces not in the bounce detail"
sed -n '/^message reject detail/,/^$/p' "$T/digest" | grep -q '^ *2   <carol@example.test>: SASL login name rejected: suspended' ||
    fail "--summary: carol's 2 rejects not in the reject detail: $(sed -n '/^message reject detail/,/^$/p' "$T/digest")"
sed -n '/^Failed logins by address/,/^$/p' "$T/digest" |
    grep -q '^ *2   127.0.3.1 (as ivan@example.test' ||
    fail "--summary: ivan's failed logins"
sed -n '/^Per-Hour Traffic Summary/,/^$/p' "$T/digest" | grep -q ' EST ' ||
    fail "--summary: the hours are not in the logs' zone"
awk 'length > 80 { bad = 1 } END { exit bad }' "$T/digest" ||
    fail "--summary: lines wider than 80 columns"
# the digest an admin mails each morning: yesterday's, from today's logs
# nothing (unless the day changed while the test ran)
if [ "$(date -d "@$MID" +%F)" = "$(date +%F)" ]; then
	scan --since yesterday --until today --summary "$PF" "$DV"
	grep -q "^Period:    $(date -d yesterday +%F) 00:00:00 ES\?D\?T to $(date +%F) 00:00:00" "$T/out" &&
	    grep -q "^Log time:  no line in the period" "$T/out" ||
	    fail "--since yesterday --until today: $(head -4 "$T/out")"
fi

[ "$failed" = 0 ] && echo "test_scan_forensics: all checks passed"
exit "$failed"
