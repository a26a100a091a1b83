#!/bin/bash
# test_resolve.sh: the SSH transport's host name resolver (console/resolve.c)
# against a real DNS server (dnsmasq) on a free loopback port, started and
# stopped by pid by this test; driven by resolve_driver.c with poll() as
# the console does.  (SERVFAIL and the exact rcodes are in
# tests/unit/test_resolve.c, which fakes them.)
#
#  1. a name -> 127.0.0.5 (any case, a final dot); A and AAAA (also
#     through a CNAME) -> the IPv4 one; only AAAA -> ::1; NXDOMAIN -> "no
#     such host"; a name with no address -> "no address for this name".
#  2. numeric hosts and localhost are answered without a query (dnsmasq's
#     log shows none for them).
#  3. what fails: a name dnsmasq may not answer -> "refused by the
#     resolver"; a zone it forwards to a port where nobody listens (so it
#     never answers) -> "timed out" by the deadline; a resolver on a
#     closed port -> "resolver unreachable".
#  4. lookups cancelled while dnsmasq answers them never call back; 60
#     lookups at once all answered right.
#
# Every address the driver prints is checked numeric by the driver
# (inet_pton).  Environment: MAILCON (the binary; build/libmailcon.a is
# looked for next to it, else in build/).  Needs /usr/sbin/dnsmasq
# (dnsmasq-base), python3 (a free port) and cc.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DNSMASQ=${DNSMASQ:-/usr/sbin/dnsmasq}
export LC_ALL=C

LIB=$ROOT/build/libmailcon.a
[ -n "${MAILCON:-}" ] && [ -f "$(dirname "$MAILCON")/libmailcon.a" ] &&
    LIB=$(dirname "$MAILCON")/libmailcon.a

T=$(mktemp -d /tmp/mcresolve.XXXXXX) || exit 1
failed=0

# Stop dnsmasq by its pid, and remove what we wrote.
cleanup()
{
	[ -f "$T/dnsmasq.pid" ] && kill "$(cat "$T/dnsmasq.pid")" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Report a failed check and carry on (the test fails at the end).
fail()
{
	echo "FAIL: $*"
	failed=1
}

[ -x "$DNSMASQ" ] || { echo "no $DNSMASQ (package dnsmasq-base)"; exit 1; }
[ -f "$LIB" ] || { echo "no $LIB (run make)"; exit 1; }
# shellcheck disable=SC2046
cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
    -I"$ROOT/console" -I"$ROOT/backends" -o "$T/driver" \
    "$HERE/resolve_driver.c" "$LIB" \
    $(make -s --no-print-directory -C "$ROOT" print-libs) ||
    { echo "cannot build the driver"; exit 1; }

# A free UDP+TCP port on 127.0.0.1 (dnsmasq needs both).
free_port()
{
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", p))
print(p)'
}
DNS=$(free_port)
CLOSED=$(free_port)

"$DNSMASQ" --port="$DNS" --listen-address=127.0.0.1 --bind-interfaces \
    --no-resolv --no-hosts --no-negcache --local=/test/ \
    --address=/mx1.test/127.0.0.5 --address=/v6only.test/::1 \
    --host-record=both.test,127.0.0.6,::1 \
    --cname=alias.test,both.test --txt-record=noaddr.test,"no address here" \
    --server=/slow.test/127.0.0.1#"$CLOSED" \
    --log-queries --log-facility="$T/dnsmasq.log" \
    --pid-file="$T/dnsmasq.pid" </dev/null >/dev/null 2>&1 ||
    { echo "dnsmasq did not start"; exit 1; }
for _ in $(seq 50); do
	[ -s "$T/dnsmasq.pid" ] && break
	sleep 0.05
done
[ -s "$T/dnsmasq.pid" ] || { echo "dnsmasq wrote no pid"; exit 1; }

# Run the driver with ARGS; its output in $T/out, exit status in $rc.
drv()
{
	timeout 60 "$T/driver" "$@" >"$T/out" 2>&1
	rc=$?
}

# Expect the line "NAME addr=ADDR" or "NAME why=WHY" in $T/out.
expect()
{
	grep -Fq -- "$1 ms=" "$T/out" || fail "expected \"$1\": $(cat "$T/out")"
}

# The ms= of NAME's line in $T/out.
took()
{
	sed -n "s/^$1 [a-z]*=.* ms=\\([0-9]*\\)\$/\\1/p" "$T/out"
}

# --- 1. what dnsmasq answers ------------------------------------------------
drv -s "127.0.0.1:$DNS" -t 2000 mx1.test MX1.Test. alias.test both.test \
    v6only.test
[ "$rc" = 0 ] || fail "names: exit $rc: $(cat "$T/out")"
expect "mx1.test addr=127.0.0.5"
expect "MX1.Test. addr=127.0.0.5"
expect "alias.test addr=127.0.0.6"
expect "both.test addr=127.0.0.6"
expect "v6only.test addr=::1"
grep -q '^idle$' "$T/out" || fail "names: not idle at the end"
# A and AAAA were asked, from loopback
grep -q 'query\[A\] mx1.test from 127.0.0.1' "$T/dnsmasq.log" ||
    fail "dnsmasq saw no A query for mx1.test"
grep -q 'query\[AAAA\] mx1.test from 127.0.0.1' "$T/dnsmasq.log" ||
    fail "dnsmasq saw no AAAA query for mx1.test"

drv -s "127.0.0.1:$DNS" -t 2000 nx.test noaddr.test sub.nx.test
[ "$rc" = 1 ] || fail "failures: exit $rc"
expect "nx.test why=no such host"
expect "sub.nx.test why=no such host"
expect "noaddr.test why=no address for this name"
grep -Eq 'NOT NUMERIC|CALLED|WRONG HOST|NO ANSWER' "$T/out" &&
    fail "failures: $(cat "$T/out")"

# --- 2. numbers and localhost are not asked ---------------------------------
drv -s "127.0.0.1:$DNS" 127.0.0.9 ::1 0:0::2 localhost db.localhost
[ "$rc" = 0 ] || fail "numeric: exit $rc: $(cat "$T/out")"
expect "127.0.0.9 addr=127.0.0.9"
expect "::1 addr=::1"
expect "0:0::2 addr=::2"
expect "localhost addr=127.0.0.1"
expect "db.localhost addr=127.0.0.1"
grep -Eq 'query\[.*\] (127\.0\.0\.9|localhost|db\.localhost|::1)' \
    "$T/dnsmasq.log" && fail "a numeric host or localhost was sent to DNS"
# a host that is no host name is refused before anything is asked
drv -s "127.0.0.1:$DNS" "$(printf 'mx1.test\033[2J')" 'a;id' 127.1
grep -c ' rejected$' "$T/out" | grep -qx 3 ||
    fail "bad names: $(cat "$T/out")"

# --- 3. refused, silent, unreachable ----------------------------------------
# no upstream for example.org: dnsmasq refuses
drv -s "127.0.0.1:$DNS" -t 2000 mx1.example.org
expect "mx1.example.org why=refused by the resolver"
drv -s "127.0.0.1:$CLOSED" -t 2000 mx1.test
expect "mx1.test why=resolver unreachable"
drv -s "127.0.0.1:$DNS" -t 700 mx1.slow.test mx2.slow.test
expect "mx1.slow.test why=timed out"
expect "mx2.slow.test why=timed out"
ms=$(took mx1.slow.test)
[ -n "$ms" ] && [ "$ms" -ge 650 ] && [ "$ms" -le 1000 ] ||
    fail "silent zone: timed out after ${ms:-?} ms, the timeout is 700"
grep -q '^idle$' "$T/out" || fail "silent zone: not idle at the end"

# --- 4. cancelled while in flight; many at once -----------------------------
drv -s "127.0.0.1:$DNS" -c mx1.test both.test v6only.test nx.test alias.test
[ "$rc" = 0 ] || fail "cancel: exit $rc: $(cat "$T/out")"
expect "mx1.test addr=127.0.0.5"
expect "v6only.test addr=::1"
expect "alias.test addr=127.0.0.6"
grep -q '^both.test cancelled$' "$T/out" && grep -q '^nx.test cancelled$' \
    "$T/out" || fail "cancel: not cancelled: $(cat "$T/out")"
grep -Eq '^(both|nx)\.test (addr|why)=' "$T/out" &&
    fail "cancel: a cancelled lookup was answered: $(cat "$T/out")"
grep -q '^idle$' "$T/out" || fail "cancel: not idle at the end"

names=""
for _ in $(seq 20); do
	names="$names mx1.test both.test v6only.test"
done
# shellcheck disable=SC2086
drv -s "127.0.0.1:$DNS" -t 3000 $names
[ "$rc" = 0 ] || fail "60 at once: exit $rc: $(tail -5 "$T/out")"
right='^(mx1\.test addr=127\.0\.0\.5|both\.test addr=127\.0\.0\.6'
right="$right|v6only\\.test addr=::1) "
n=$(grep -Ec "$right" "$T/out")
[ "$n" = 60 ] || fail "60 at once: $n right answers"

kill "$(cat "$T/dnsmasq.pid")" 2>/dev/null
rm -f "$T/dnsmasq.pid"

[ "$failed" -eq 0 ] && echo "test_resolve: all checks passed"
exit "$failed"
