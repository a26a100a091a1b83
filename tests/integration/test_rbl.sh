#!/bin/bash
# test_rbl.sh: `mailcon rbl` against a real DNS server (dnsmasq) serving test
# zones on a loopback port, started and stopped by pid by this test, plus
# small python responders (dnsstub.py) for what dnsmasq will not do.
#
#   zen.spamhaus.org  (served locally, nothing leaves the machine)
#                     192.0.2.10 multi-code 127.0.0.2 + 127.0.0.4 with TXT,
#                     192.0.2.11 127.255.255.254 (public resolver refused),
#                     2001:db8::25 127.0.0.3 (IPv6, by nibbles), test entries
#                     for IPv4 and IPv6; anything else NXDOMAIN
#   listed.test       192.0.2.10 listed with TXT; IPv4 test entries only
#   all.test          lists everything (wildcard 127.0.0.2): zone broken
#   pubres.test       answers 127.255.255.254 for everything
#   slow.test         forwarded to a UDP port that never answers: timeout
#   fail.test         forwarded to a responder answering SERVFAIL
#   ctl.test          forwarded to a responder whose TXT has control bytes
# and, as the resolver itself: one answering REFUSED, one rewriting
# NXDOMAIN to 198.51.100.7 (hijack), one answering garbage, a closed port.
#
# A resolver that does not answer at all (silent, or a closed port) is said
# once, naming it, not as a failed health check per zone.
#
# Every (address, zone) is checked against what it must be, and nothing is
# ever "clean" but an NXDOMAIN from a zone whose test entries answer right.
# Exit codes: 0 all clean, 1 listed, 3 unknown only, 2 bad input.
#
# Environment: MAILCON (default build/mailcon).  Needs /usr/sbin/dnsmasq
# (dnsmasq-base) and python3.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
test_init rbl		# the stubs' pids go in $pids, stopped at the end
STUB=$HERE/dnsstub.py
. "$HERE/dnslib.sh"

test_cleanup()
{
	dns_stop "$T"
}

[ -x "$MAILCON" ] || { echo "no $MAILCON (run make)"; exit 1; }

# Start a dnsstub responder in MODE; sets PORT.
stub()
{
	python3 "$STUB" serve "$1" "$T/$1.port" &
	pids="$pids $!"
	for _ in $(seq 600); do	# 30 s: a bound for a hang
		[ -s "$T/$1.port" ] && break
		sleep 0.05
	done
	PORT=$(cat "$T/$1.port") || { echo "stub $1 did not start"; exit 1; }
}
stub silent; SILENT=$PORT
stub servfail; SERVFAIL=$PORT
stub refused; REFUSED=$PORT
stub hijack; HIJACK=$PORT
stub garbage; GARBAGE=$PORT
stub ctltxt; CTL=$PORT

DNS=$(dns_free_port)
CLOSED=$(dns_free_port)

# The IPv6 name of an address in a zone: reversed nibbles.
v6name()
{
	python3 -c 'import ipaddress, sys
print(ipaddress.ip_address(sys.argv[1]).reverse_pointer.replace(
    ".ip6.arpa", "." + sys.argv[2]))' "$1" "$2"
}

{
	dns_conf_head "$DNS"
	cat <<EOF
local=/zen.spamhaus.org/
host-record=2.0.0.127.zen.spamhaus.org,127.0.0.2
host-record=$(v6name ::ffff:127.0.0.2 zen.spamhaus.org),127.0.0.2
host-record=10.2.0.192.zen.spamhaus.org,127.0.0.2
host-record=10.2.0.192.zen.spamhaus.org,127.0.0.4
txt-record=10.2.0.192.zen.spamhaus.org,"https://check.spamhaus.org/sbl/query/SBL999"
host-record=11.2.0.192.zen.spamhaus.org,127.255.255.254
host-record=$(v6name 2001:db8::25 zen.spamhaus.org),127.0.0.3
local=/listed.test/
host-record=2.0.0.127.listed.test,127.0.0.2
host-record=10.2.0.192.listed.test,127.0.0.2
txt-record=10.2.0.192.listed.test,"Listed for spam trap hits, see https://listed.test/10"
address=/all.test/127.0.0.2
address=/pubres.test/127.255.255.254
server=/slow.test/127.0.0.1#$SILENT
server=/fail.test/127.0.0.1#$SERVFAIL
server=/ctl.test/127.0.0.1#$CTL
EOF
} >"$T/dnsmasq.conf"
dns_start "$T" -C "$T/dnsmasq.conf" || exit 1

# mailcon rbl with the given arguments: sets RC, output in $T/out, $T/err.
# timeout(1) only turns a hang into a failure, named.
rbl()
{
	timeout 120 "$MAILCON" rbl "$@" > "$T/out" 2> "$T/err"
	RC=$?
	[ "$RC" != 124 ] || fail "mailcon rbl $*: hung (killed after 120 s)"
}

# Check a JSON report against "IP ZONE STATUS [WORDS]" expectations on
# stdin (WORDS must be in meaning, reason or txt); also: nothing is clean
# unless expected, and no result is missing or extra.
expect_json()
{
	cat > "$T/want"
	python3 - "$T/out" "$T/want" <<'EOF' || fail "JSON report: see above"
import json, sys
doc = json.load(open(sys.argv[1]))
got = {(r["ip"], r["zone"]): r for r in doc["results"]}
want = {}
ok = True
for line in open(sys.argv[2]).read().splitlines():
    if not line.strip():
        continue
    ip, zone, status, *words = line.split(None, 3)
    want[(ip, zone)] = (status, words[0] if words else "")
for k, (status, words) in want.items():
    r = got.get(k)
    if r is None:
        print("missing result %s %s" % k); ok = False; continue
    text = " ".join([r["meaning"], r["reason"], r["txt"]])
    if r["status"] != status:
        print("%s %s: %s (%s), expected %s" % (k + (r["status"], text, status)))
        ok = False
    elif words and words not in text:
        print("%s %s: %r lacks %r" % (k + (text, words))); ok = False
for k, r in got.items():
    if k not in want:
        print("unexpected result %s %s: %s" % (k + (r["status"],))); ok = False
    if r["status"] == "clean" and want.get(k, ("",))[0] != "clean":
        print("CLEAN BY MISTAKE: %s %s" % k); ok = False
    for field in ("meaning", "reason", "txt"):
        if any(ord(c) < 32 or ord(c) == 127 or 0x202a <= ord(c) <= 0x202e
               for c in r[field]):
            print("%s %s: control character in %s" % (k + (field,))); ok = False
sys.exit(0 if ok else 1)
EOF
}

# --- 1. every kind of answer, in one run ------------------------------------
ZONES=zen.spamhaus.org,listed.test,all.test,pubres.test,slow.test,fail.test,ctl.test
rbl --json --timeout 1200 --resolver "127.0.0.1:$DNS" --zones "$ZONES" \
    192.0.2.10 192.0.2.11 192.0.2.12 2001:db8::25
[ "$RC" -eq 1 ] || fail "run 1: exit $RC, expected 1 (listed): $(cat "$T/err")"
expect_json <<'EOF'
192.0.2.10 zen.spamhaus.org listed Spamhaus XBL
192.0.2.11 zen.spamhaus.org unknown public/open resolver is refused
192.0.2.12 zen.spamhaus.org clean
2001:db8::25 zen.spamhaus.org listed Spamhaus CSS
192.0.2.10 listed.test listed Listed for spam trap hits
192.0.2.11 listed.test clean
192.0.2.12 listed.test clean
2001:db8::25 listed.test unknown ::ffff:127.0.0.2
192.0.2.10 all.test unknown lists everything
192.0.2.11 all.test unknown lists everything
192.0.2.12 all.test unknown lists everything
2001:db8::25 all.test unknown lists everything
192.0.2.10 pubres.test unknown error code 127.255.255.254
192.0.2.11 pubres.test unknown error code 127.255.255.254
192.0.2.12 pubres.test unknown error code 127.255.255.254
2001:db8::25 pubres.test unknown error code 127.255.255.254
192.0.2.10 slow.test unknown timeout
192.0.2.11 slow.test unknown timeout
192.0.2.12 slow.test unknown timeout
2001:db8::25 slow.test unknown timeout
192.0.2.10 fail.test unknown SERVFAIL
192.0.2.11 fail.test unknown SERVFAIL
192.0.2.12 fail.test unknown SERVFAIL
2001:db8::25 fail.test unknown SERVFAIL
192.0.2.10 ctl.test listed \x1b[2J\x1b]0;owned\x07 by\x00 trap\x0d\x0a\u{202e}gnp.exe
192.0.2.11 ctl.test listed
192.0.2.12 ctl.test listed
2001:db8::25 ctl.test unknown lists everything
EOF
python3 - "$T/out" <<'EOF' || fail "run 1: details"
import json, sys
d = json.load(open(sys.argv[1]))
r = {(x["ip"], x["zone"]): x for x in d["results"]}
z = r[("192.0.2.10", "zen.spamhaus.org")]
if not (sorted(z["codes"]) == ["127.0.0.2", "127.0.0.4"]):
    sys.exit("FAIL: %s: %s" % ('sorted(z["codes"]) == ["127.0.0.2", "127.0.0.4"]', z["codes"]))
if not ("Spamhaus SBL" in z["meaning"]):
    sys.exit("FAIL: %s: %s" % ('"Spamhaus SBL" in z["meaning"]', z))
if not (z["txt"] == "https://check.spamhaus.org/sbl/query/SBL999"):
    sys.exit("FAIL: %s: %s" % ('z["txt"] == "https://check.spamhaus.org/sbl/query/SBL999"', z["txt"]))
if not (z["delist"] == "https://check.spamhaus.org/results/?query=192.0.2.10"):
    sys.exit('FAIL: z["delist"] == "https://check.spamhaus.org/results/?query=192.0.2.10"')
if not (r[("2001:db8::25", "zen.spamhaus.org")]["codes"] == ["127.0.0.3"]):
    sys.exit('FAIL: r[("2001:db8::25", "zen.spamhaus.org")]["codes"] == ["127.0.0.3"]')
h = {(x["zone"], x["family"]): x["health"] for x in d["zones"]}
want = {("zen.spamhaus.org", "ipv4"): "ok", ("zen.spamhaus.org", "ipv6"): "ok",
        ("listed.test", "ipv4"): "ok", ("listed.test", "ipv6"): "dead",
        ("all.test", "ipv4"): "broken", ("slow.test", "ipv4"): "unknown",
        ("fail.test", "ipv4"): "unknown", ("pubres.test", "ipv4"): "unknown",
        ("ctl.test", "ipv4"): "ok"}
for k, v in want.items():
    if not (h.get(k) == v):
        sys.exit("FAIL: %s: %s" % ('h.get(k) == v', (k, h.get(k), v)))
links = [x["url"] for x in d["reputation"] if x["ip"] == "192.0.2.10"]
if not ("https://talosintelligence.com/reputation_center/lookup?search=192.0.2.10" in links):
    sys.exit('FAIL: "https://talosintelligence.com/reputation_center/lookup?search=192.0.2.10" in links')
s = d["summary"]
if not (s["listed"] == 6 and s["clean"] == 3 and d["exit"] == 1):
    sys.exit("FAIL: %s: %s" % ('s["listed"] == 6 and s["clean"] == 3 and d["exit"] == 1', s))
if not (0 < s["peak_inflight"] <= 32):
    sys.exit("FAIL: %s: %s" % ('0 < s["peak_inflight"] <= 32', s))
# the queries went side by side up to the bound (32 in flight), so the
# silent zone's wait for its deadline overlaps everything else: one
# timeout, not one per query (how long that takes: tests/bench/rbl.sh)
if not (s["peak_inflight"] == min(32, s["queries"]) and s["queries"] > 32):
    sys.exit("FAIL: %s: %s" % ('queries side by side up to 32', s))
EOF

# the table: the same verdicts, no raw control byte on the terminal
rbl --timeout 1000 --resolver "127.0.0.1:$DNS" --zones zen.spamhaus.org,ctl.test,slow.test \
    192.0.2.10 192.0.2.12
[ "$RC" -eq 1 ] || fail "table: exit $RC"
grep -q 'zen.spamhaus.org  *LISTED  *127.0.0.2 Spamhaus SBL' "$T/out" ||
    grep -q 'zen.spamhaus.org  *LISTED .*Spamhaus SBL' "$T/out" ||
    fail "table: no LISTED row for zen: $(cat "$T/out")"
grep -q 'delist: https://check.spamhaus.org/results/?query=192.0.2.10' \
    "$T/out" || fail "table: no delisting page"
grep -q 'slow.test  *unknown  *no answer within 1000 ms (timeout)' "$T/out" ||
    fail "table: no timeout row"
grep -q 'Cisco Talos' "$T/out" || fail "table: no reputation link"
if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$T/out"; then
	fail "table: a control byte reached stdout"
fi
grep -q 'txt: Listed\\x1b\[2J' "$T/out" || fail "table: TXT not shown escaped"

# --- 2. exit codes ------------------------------------------------------------
rbl --resolver "127.0.0.1:$DNS" --zones zen.spamhaus.org,listed.test 192.0.2.12
[ "$RC" -eq 0 ] || fail "all clean: exit $RC: $(cat "$T/out")"
grep -q 'clean    not listed (NXDOMAIN)' "$T/out" || fail "clean row: $(cat "$T/out")"
rbl --timeout 500 --resolver "127.0.0.1:$DNS" --zones slow.test,all.test 192.0.2.12
[ "$RC" -eq 3 ] || fail "unknown only: exit $RC, expected 3"
rbl --resolver "127.0.0.1:$DNS" --zones pubres.test 192.0.2.12
[ "$RC" -eq 3 ] || fail "127.255.255.254 only: exit $RC, expected 3"

# --- 3. resolvers that do not tell the truth ------------------------------------
for case in "REFUSED $REFUSED unknown REFUSED" \
    "hijack $HIJACK error outside 127.0.0.0/8" \
    "garbage $GARBAGE any -" "closed $CLOSED unknown -"; do
	set -- $case
	rbl --json --timeout 800 --resolver "127.0.0.1:$2" \
	    --zones zen.spamhaus.org,bl.spamcop.net 192.0.2.12 192.0.2.10
	[ "$RC" -eq 3 ] || fail "$1 resolver: exit $RC, expected 3"
	python3 - "$T/out" "$3" "${*:4}" <<'EOF' || fail "$1 resolver: see above"
import json, sys
d = json.load(open(sys.argv[1]))
st, words = sys.argv[2], sys.argv[3]
if not (len(d["results"]) == 4):
    sys.exit("FAIL: %s: %s" % ('len(d["results"]) == 4', d["results"]))
for r in d["results"]:
    if not (r["status"] in ("unknown", "error")):
        sys.exit("FAIL: %s: %s" % ('r["status"] in ("unknown", "error")', r))
    if st != "any":
        if not (r["status"] == st):
            sys.exit("FAIL: %s: %s" % ('r["status"] == st', r))
    if words != "-":
        if not (words in r["reason"]):
            sys.exit("FAIL: %s: %s" % ('words in r["reason"]', r))
if not (d["summary"]["clean"] == 0 and d["summary"]["listed"] == 0):
    sys.exit('FAIL: d["summary"]["clean"] == 0 and d["summary"]["listed"] == 0')
EOF
done

# --- 3b. a resolver that does not answer is one message, not one per zone ----
# A silent one (every query times out) and a closed port (refused): the
# table says it once, naming the resolver, and lists no zone; the JSON
# summary says it too; a resolver that answers some zones is not "down".
for case in "silent $SILENT no reply to" "closed $CLOSED connection refused"; do
	set -- $case
	rbl --timeout 600 --resolver "127.0.0.1:$2" \
	    --zones zen.spamhaus.org,bl.spamcop.net,listed.test 192.0.2.12 2001:db8::25
	[ "$RC" -eq 3 ] || fail "$1 resolver, table: exit $RC, expected 3"
	n=$(grep -c "the resolver 127.0.0.1:$2 does not answer (${*:3}" "$T/out")
	[ "$n" = 1 ] || fail "$1 resolver: said $n times, not once: $(cat "$T/out")"
	grep -q '^zone \|^  [a-z]' "$T/out" &&
	    fail "$1 resolver: a complaint per zone or address: $(cat "$T/out")"
	[ "$(wc -l <"$T/out")" -le 2 ] ||
	    fail "$1 resolver: more than the message and the summary: $(cat "$T/out")"
	rbl --json --timeout 600 --resolver "127.0.0.1:$2" \
	    --zones zen.spamhaus.org,listed.test 192.0.2.12
	python3 - "$T/out" "127.0.0.1:$2" <<'EOF2' || fail "$1 resolver, JSON: see above"
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
if s["resolver_down"] is not True or ("the resolver %s does not answer"
        % sys.argv[2]) not in (s["resolver_error"] or ""):
    sys.exit("FAIL: summary %s" % s)
EOF2
done
rbl --json --timeout 600 --resolver "127.0.0.1:$DNS" --zones listed.test,slow.test 192.0.2.12
python3 - "$T/out" <<'EOF2' || fail "a resolver that answers some zones taken for down"
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
if s["resolver_down"] is not False or s["resolver_error"] is not None:
    sys.exit("FAIL: summary %s" % s)
EOF2

# --- 4. bad input: exit 2, a clear message, nothing checked -----------------------
bad()
{
	want=$1
	shift
	rbl --resolver "127.0.0.1:$DNS" "$@"
	[ "$RC" -eq 2 ] || fail "bad input ($*): exit $RC, expected 2"
	grep -q -- "$want" "$T/err" || fail "bad input ($*): \"$(cat "$T/err")\" lacks \"$want\""
	[ -s "$T/out" ] && fail "bad input ($*): printed a report"
	[ "$(wc -l < "$T/err")" -eq 1 ] || fail "bad input ($*): not one line"
}
bad 'not an IPv4 or IPv6 address' --zones listed.test 192.0.2.300
bad 'is a network' --zones listed.test 192.0.2.0/24
bad 'no port' --zones listed.test 192.0.2.1:25
bad 'not an IPv4 or IPv6 address' --zones listed.test mail.example.org
bad 'byte 0x1b' --zones listed.test "$(printf '192.0.2.1\033[2J')"
bad 'empty label' --zones 'listed..test' 192.0.2.1
bad 'at least two labels' --zones localhost 192.0.2.1
bad "byte 0x3b" --zones 'listed.test;id' 192.0.2.1
bad 'resolver' --resolver 127.0.0.1:99999 --zones listed.test 192.0.2.1
bad 'expected 100 to 60000' --timeout 5 --zones listed.test 192.0.2.1

# --- 5. the config: [rbl] and a server's outbound_ips ------------------------------
cat > "$T/config" <<EOF
[rbl]
zones = zen.spamhaus.org, listed.test
resolver = 127.0.0.1:$DNS
timeout = 1s
concurrency = 2

[server mx1]
logs = /var/log/mail.log
outbound_ips = 192.0.2.10, 192.0.2.12
EOF
rbl --config "$T/config" --json
[ "$RC" -eq 1 ] || fail "config: exit $RC: $(cat "$T/err")"
python3 - "$T/out" <<'EOF' || fail "config: see above"
import json, sys
d = json.load(open(sys.argv[1]))
keys = sorted((r["ip"], r["zone"], r["status"]) for r in d["results"])
if not (keys == [("192.0.2.10", "listed.test", "listed"),
                        ("192.0.2.10", "zen.spamhaus.org", "listed"),
                        ("192.0.2.12", "listed.test", "clean"),
                        ("192.0.2.12", "zen.spamhaus.org", "clean")]):
    sys.exit("FAIL: %s" % (keys,))
if not (d["summary"]["peak_inflight"] <= 2):
    sys.exit("FAIL: %s: %s" % ('d["summary"]["peak_inflight"] <= 2', d["summary"]))
EOF
printf '[rbl]\nzones = bad..zone\n' > "$T/badconfig"
rbl --config "$T/badconfig" 192.0.2.1
[ "$RC" -eq 2 ] && grep -q 'badconfig:2: zones: ' "$T/err" ||
    fail "bad [rbl] zones: exit $RC: $(cat "$T/err")"
# no address given, none configured, main.cf names one (queries go to the
# test's dnsmasq only: a public address is safe to name)
mkdir "$T/pf"
printf 'smtp_bind_address = 1.2.3.4\nsmtp_bind_address6 = $x\n' \
    > "$T/pf/main.cf"
printf '[rbl]\nzones = listed.test\nresolver = 127.0.0.1:%s\n[server mx2]\nlogs = /x\npostfix_config = %s\n' \
    "$DNS" "$T/pf" > "$T/config2"
rbl --config "$T/config2"
grep -q "checking 1.2.3.4 (smtp_bind_address in $T/pf/main.cf)" \
    "$T/err" || fail "discovery: $(cat "$T/err")"
grep -q '^1.2.3.4$' "$T/out" || fail "discovery: not checked"
[ "$RC" -eq 0 ] || fail "discovery: exit $RC"
# documentation and private ranges are never a server's public address,
# whatever this machine's interfaces hold (RFC 5737, 3849, 1918, 6598)
for a in 198.51.100.25 192.0.2.7 203.0.113.9 10.1.2.3 100.64.1.1; do
	printf 'smtp_bind_address = %s\nsmtp_bind_address6 = 2001:db8::7\n' "$a" \
	    > "$T/pf/main.cf"
	rbl --config "$T/config2"
	grep -q "checking $a \|checking 2001:db8::7 \|^$a\$\|^2001:db8::7\$" \
	    "$T/err" "$T/out" &&
	    fail "discovery: $a or 2001:db8::7 checked as public: $(cat "$T/err" "$T/out")"
	[ "$RC" = 2 ] && { grep -q "$a (not public)" "$T/err" &&
	    grep -q "2001:db8::7 (not public)" "$T/err" ||
	    fail "discovery: $a not named as skipped: $(cat "$T/err")"; }
done

# --- 6. the watch's periodic check: a listing alerted once, kept in history --------
cat > "$T/watch.conf" <<EOF
[console]
history = $T/history.db
[rbl]
zones = listed.test
resolver = 127.0.0.1:$DNS
interval = 1h
[server mx]
logs = $T/empty.log
outbound_ips = 192.0.2.10, 192.0.2.12
EOF
: > "$T/empty.log"
# watch_once N: run the headless watch until its first check is over
watch_once()
{
	env -u DBUS_SESSION_BUS_ADDRESS "$MAILCON" watch --headless \
	    --config "$T/watch.conf" >"$T/watch$1.out" 2>&1 &
	wpid=$!
	i=0
	while [ $i -lt 150 ] && ! grep -q "DNSBL at" "$T/watch$1.out"; do
		sleep 0.1
		i=$((i + 1))
	done
	kill "$wpid"
	wait "$wpid" 2>/dev/null
}
# open_rows WHERE: rows of the history's rbl table
rows()
{
	python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("select count(*) from rbl " + sys.argv[2]).fetchone()[0])' "$T/history.db" "$1"
}
watch_once 1
grep -q "LISTED 192.0.2.10 (mx) on listed.test" "$T/watch1.out" ||
    fail "watch: no listing reported: $(cat "$T/watch1.out")"
grep -q "DNSBL at .*: 1 listed, 1 clean" "$T/watch1.out" ||
    fail "watch: no summary: $(cat "$T/watch1.out")"
grep -q "LISTED 192.0.2.12" "$T/watch1.out" &&
    fail "watch: a clean address reported listed"
# no desktop here: the alert falls back, and that is said
grep -q "D-Bus" "$T/watch1.out" ||
    fail "watch: the notification fallback is not said: $(cat "$T/watch1.out")"
n=$(rows "where ip = '192.0.2.10' and zone = 'listed.test' and delisted is null")
[ "$n" = 1 ] || fail "watch: $n open listing rows in the history"
# the next run knows the listing: no second alert, no second row
watch_once 2
grep -q "LISTED 192.0.2.10" "$T/watch2.out" &&
    fail "watch: a known listing reported again: $(cat "$T/watch2.out")"
grep -q "DNSBL at" "$T/watch2.out" || fail "watch: second run did not check"
n=$(rows "")
[ "$n" = 1 ] || fail "watch: $n listing rows after a second run"

# --- 7. dnsmasq saw only loopback queries, and all the zones -------------------------
dns_stop "$T"
grep 'query\[' "$T/dnsmasq.log" >"$T/queries"
[ -s "$T/queries" ] || fail "dnsmasq logged no query (log-queries)"
grep -v ' from 127\.0\.0\.1$' "$T/queries" >"$T/strangers" &&
    fail "dnsmasq saw queries not from loopback: $(head -3 "$T/strangers")"
grep 'forwarded ' "$T/dnsmasq.log" | grep -v ' to 127\.0\.0\.1#[0-9]*$' >"$T/away" &&
    fail "dnsmasq forwarded a query off this machine: $(head -3 "$T/away")"
for zone in zen.spamhaus.org listed.test all.test pubres.test slow.test \
    fail.test ctl.test; do
	grep -q "\.$zone from 127\.0\.0\.1$" "$T/queries" ||
	    fail "dnsmasq saw no query in $zone"
done

[ "$failed" -eq 0 ] && echo "test_rbl: all checks passed"
exit "$failed"
