#!/bin/bash
# test_rbl_fleet.sh: `mailcon rbl` on a configured fleet, against a real
# DNS server (dnsmasq, dnslib.sh) serving a test zone on a loopback port:
#
#  1. several servers with outbound_ips and no --server: every server's
#     addresses are checked (one list continued over indented lines), each
#     address named with its servers; one of them listed is exit 1;
#  2. --server picks one server's addresses only;
#  3. a server without outbound_ips in a fleet (behind SSH or not): refused
#     with exit 2, naming those servers, and nothing is checked; a single
#     server behind SSH without outbound_ips likewise (this machine's
#     interfaces are not that server's);
#  4. the headless watch's periodic check: a server behind SSH without
#     outbound_ips (its logs in the journal) is named as not checked in
#     the summary, and this machine's addresses are not checked for it.
#
# Environment: MAILCON (default build/mailcon).  Needs /usr/sbin/dnsmasq
# (dnsmasq-base) and python3.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
test_init rblf
. "$HERE/dnslib.sh"
. "$HERE/stack.sh"	# wait_file

test_cleanup()
{
	dns_stop "$T"
}

[ -x "$MAILCON" ] || { echo "no $MAILCON (run make)"; exit 1; }

DNS=$(dns_free_port)
{
	dns_conf_head "$DNS"
	cat <<EOF
local=/listed.test/
host-record=2.0.0.127.listed.test,127.0.0.2
host-record=10.2.0.192.listed.test,127.0.0.2
EOF
} >"$T/dnsmasq.conf"
dns_start "$T" -C "$T/dnsmasq.conf" || exit 1

# mailcon rbl ARGS: status in $rc, output in $T/out and $T/err.
rbl()
{
	"$MAILCON" rbl "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# The queries dnsmasq answered for the zone so far.
queries()
{
	grep -c 'query\[A\] [0-9.]*\.listed\.test' "$T/dnsmasq.log"
}

head_conf()
{
	printf '[rbl]\nzones = listed.test\nresolver = 127.0.0.1:%s\n' "$DNS"
	printf 'timeout = 2s\n'
}

# --- 1. a fleet: every server's addresses -------------------------------------
{
	head_conf
	printf '[server mx1]\nlogs = /var/log/mx1.log\noutbound_ips = 192.0.2.12\n'
	printf '[server mx2]\nhost = 127.0.0.1\nlogs = /var/log/mail.log\n'
	printf 'outbound_ips = 192.0.2.10,\n    192.0.2.13\n'
	printf '[server mx3]\nhost = 127.0.0.1\nport = 2222\n'
	printf 'logs = /var/log/mail.log\noutbound_ips = 192.0.2.12, 192.0.2.14\n'
} >"$T/fleet.conf"
rbl --config "$T/fleet.conf" --json
[ "$rc" = 1 ] || fail "fleet: exit $rc, expected 1 (192.0.2.10 of mx2 is listed): $(cat "$T/err")"
python3 - "$T/out" <<'EOF' || fail "fleet: see above"
import json, sys
d = json.load(open(sys.argv[1]))
got = sorted((r["ip"], r["status"]) for r in d["results"])
want = [("192.0.2.10", "listed"), ("192.0.2.12", "clean"),
        ("192.0.2.13", "clean"), ("192.0.2.14", "clean")]
if got != want:
    print("results %s, expected %s" % (got, want)); sys.exit(1)
owners = {a["ip"]: a["servers"] for a in d["addresses"]}
want = {"192.0.2.10": ["mx2"], "192.0.2.12": ["mx1", "mx3"],
        "192.0.2.13": ["mx2"], "192.0.2.14": ["mx3"]}
if owners != want:
    print("servers %s, expected %s" % (owners, want)); sys.exit(1)
EOF
rbl --config "$T/fleet.conf"
[ "$rc" = 1 ] || fail "fleet table: exit $rc"
grep -qx '192.0.2.10 (mx2)' "$T/out" ||
    fail "fleet table: 192.0.2.10 not named as mx2's: $(cat "$T/out")"
grep -qx '192.0.2.12 (mx1, mx3)' "$T/out" ||
    fail "fleet table: 192.0.2.12 not named as mx1's and mx3's: $(cat "$T/out")"

# --- 2. --server: that one only -----------------------------------------------
rbl --config "$T/fleet.conf" --server mx3 --json
[ "$rc" = 0 ] || fail "--server mx3: exit $rc: $(cat "$T/err")"
python3 - "$T/out" <<'EOF' || fail "--server mx3: see above"
import json, sys
d = json.load(open(sys.argv[1]))
got = sorted(set(r["ip"] for r in d["results"]))
assert got == ["192.0.2.12", "192.0.2.14"], got
EOF

# --- 3. servers without addresses: refused, named, nothing checked ------------
before=$(queries)
{
	cat "$T/fleet.conf"
	printf '[server mx4]\nhost = 127.0.0.1\nlogs = /var/log/mail.log\n'
	printf '[server mx5]\nlogs = /var/log/mx5.log\n'
} >"$T/gaps.conf"
rbl --config "$T/gaps.conf"
[ "$rc" = 2 ] || fail "fleet with gaps: exit $rc, expected 2: $(cat "$T/out")"
grep -q 'mx4' "$T/err" && grep -q 'mx5' "$T/err" &&
    grep -q 'outbound_ips' "$T/err" ||
    fail "fleet with gaps: the servers without outbound_ips not named: $(cat "$T/err")"
grep -qE 'mx[123]\b' "$T/err" &&
    fail "fleet with gaps: a server with outbound_ips named: $(cat "$T/err")"
[ -s "$T/out" ] && fail "fleet with gaps: a report printed: $(cat "$T/out")"
sleep 0.2
[ "$(queries)" = "$before" ] || fail "fleet with gaps: queries were made"

{
	head_conf
	printf '[server far]\nhost = 127.0.0.1\nlogs = /var/log/mail.log\n'
} >"$T/far.conf"
rbl --config "$T/far.conf"
[ "$rc" = 2 ] || fail "one server behind SSH without outbound_ips: exit $rc"
grep -q 'far' "$T/err" && grep -q 'outbound_ips' "$T/err" ||
    fail "one server behind SSH: $(cat "$T/err")"
grep -q 'checking' "$T/err" &&
    fail "one server behind SSH: this machine's addresses checked: $(cat "$T/err")"

# --- 4. the watch's periodic check names what it cannot check ---------------
: >"$T/empty.log"
: >"$T/unused-key"	# a key = that is not there stops the start
{
	head_conf
	printf 'interval = 1h
[console]
history = off
'
	printf '[server mx1]
logs = %s
outbound_ips = 192.0.2.12
' "$T/empty.log"
	printf '[server far]
host = 127.0.0.1
port = %s
' "$(dns_free_port)"
	printf 'user = nobody
key = %s/unused-key
journal = yes
' "$T"
} >"$T/watch.conf"
env -u DBUS_SESSION_BUS_ADDRESS XDG_STATE_HOME="$T/state" "$MAILCON" watch \
    --headless --config "$T/watch.conf" >"$T/watch.out" 2>&1 &
wpid=$!
wait_file "DNSBL at" "$T/watch.out" 20 || fail "watch: no check: $(cat "$T/watch.out")"
stop_pids $wpid
grep 'DNSBL at' "$T/watch.out" | grep -q 'not checked (no outbound_ips): far' ||
    fail "watch: far not named as not checked: $(grep DNSBL "$T/watch.out")"
grep 'DNSBL at' "$T/watch.out" | grep -q '(1 addresses' ||
    fail "watch: other addresses than mx1's checked: $(grep DNSBL "$T/watch.out")"

[ "$failed" = 0 ] && echo "test_rbl_fleet: all checks passed"
exit "$failed"
