#!/bin/bash
# test_resolve.sh: the SSH transport's host name resolver (console/net/resolve.c)
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
#  5. SSH to host names ([console] resolver = this dnsmasq), against a
#     real sshd on loopback (sshd.sh): `mailcon watch --headless` follows
#     a server given as a name (in mixed case) and reaches live, asking
#     dnsmasq again when it reconnects after its session is killed; a
#     name dnsmasq does not know is "cannot resolve NAME: no such host",
#     retried; the host key is looked up under "[name]:port", lowercased,
#     so a known_hosts with only the address's entries gives an unknown
#     key for the name.  `mailcon act` runs a site command over SSH on a
#     server given as a name; an unknown name and a key known only for
#     the address refuse it, nothing run.
#
# Every address the driver prints is checked numeric by the driver
# (inet_pton).  Environment: MAILCON (the binary; build/libmailcon.a is
# looked for next to it, else in build/).  Needs /usr/sbin/dnsmasq
# (dnsmasq-base), python3 (a free port), cc, and for 5. root and sshd.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
test_init resolve
. "$HERE/sshd.sh"
. "$HERE/dnslib.sh"

LIB=$ROOT/build/libmailcon.a
[ -f "$(dirname "$MAILCON")/libmailcon.a" ] &&
    LIB=$(dirname "$MAILCON")/libmailcon.a

WATCH_PIDS=

# Stop the watches, sshd and dnsmasq by their pids (test_init removes T).
test_cleanup()
{
	stop_pids $WATCH_PIDS
	[ -d "$T/sshd" ] && sshd_stop "$T/sshd"
	dns_stop "$T"
}

[ -f "$LIB" ] || { echo "no $LIB (run make)"; exit 1; }
# shellcheck disable=SC2046
cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
    -I"$ROOT/console" -I"$ROOT" -o "$T/driver" \
    "$HERE/resolve_driver.c" "$LIB" \
    $(make -s --no-print-directory -C "$ROOT" print-libs) ||
    { echo "cannot build the driver"; exit 1; }

DNS=$(dns_free_port)
CLOSED=$(dns_free_port)

dns_start "$T" --port="$DNS" --listen-address=127.0.0.1 --bind-interfaces \
    --no-resolv --no-hosts --no-negcache --local=/test/ \
    --address=/mx1.test/127.0.0.5 --address=/v6only.test/::1 \
    --host-record=both.test,127.0.0.6,::1 \
    --cname=alias.test,both.test --txt-record=noaddr.test,"no address here" \
    --address=/sshhost.test/127.0.0.1 --address=/other.test/127.0.0.1 \
    --server=/slow.test/127.0.0.1#"$CLOSED" \
    --log-queries || exit 1

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
# not before the deadline; how long after it is the machine's load (the
# driver gives up on a lookup that never ends after 30 s)
[ -n "$ms" ] && [ "$ms" -ge 650 ] ||
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

# --- 5. SSH to host names ----------------------------------------------------
# Queries dnsmasq logged for NAME (any case), A or AAAA.
queries()
{
	grep -ic "query\[A\] $1 from" "$T/dnsmasq.log"
}

# The [server] keys of a server behind our sshd as HOST, known_hosts KH.
ssh_keys()
{
	printf 'host = %s\nport = %s\nuser = %s\nkey = %s\n' "$1" \
	    "$SSHD_PORT" "$SSHD_USER" "$SSHD_KEY"
	printf 'known_hosts = %s\n' "$2"
}

sshd_start "$T/sshd" 1 >/dev/null || { echo "sshd did not start"; exit 1; }
# the host keys under the name, as `ssh-keyscan -p PORT sshhost.test` would
# write them; SSHD_KNOWN_HOSTS has them under 127.0.0.1 only
sed "s/^\[127\.0\.0\.1\]:/[sshhost.test]:/" "$SSHD_KNOWN_HOSTS" >"$T/kh.name"
grep -q '^\[sshhost.test\]:' "$T/kh.name" || fail "no known_hosts by name"
export XDG_STATE_HOME=$T/state
mkdir -p "$T/logs" "$XDG_STATE_HOME" "$T/remote"
# SSHD_USER (never root) reads the log and leaves its marks in $T/remote.
chmod 755 "$T" && chown "$SSHD_USER" "$T/remote" || die "cannot open $T to $SSHD_USER"
: >"$T/logs/mail.log"
{
	printf '[console]\nresolver = 127.0.0.1:%s\nhistory = off\n' "$DNS"
	printf '[server named]\nlogs = %s\n' "$T/logs/mail.log"
	ssh_keys SSHhost.Test "$T/kh.name"
	printf 'keepalive = 1s\nqueue_command = off\n'
	printf '[server nxname]\nlogs = /var/log/mail.log\n'
	ssh_keys nx.test "$T/kh.name"
	printf 'queue_command = off\n'
	printf '[server byaddr]\nlogs = /var/log/mail.log\n'
	ssh_keys other.test "$SSHD_KNOWN_HOSTS"
	printf 'queue_command = off\n'
} >"$T/watch.conf"
"$MAILCON" watch --headless --lines --config "$T/watch.conf" \
    >"$T/watch.out" 2>"$T/watch.err" &
WATCH_PIDS=$!
wait_file "watching" "$T/watch.out" 10 ||
    fail "watch did not start: $(cat "$T/watch.err")"
wait_file "server named is live" "$T/watch.out" 15 ||
    fail "named not live: $(cat "$T/watch.out" "$T/watch.err")"
echo "Nov 28 12:00:00 mx postfix/cleanup[77]: by name 1" >>"$T/logs/mail.log"
wait_file "line named: Nov 28 12:00:00 mx postfix/cleanup[77]: by name 1" \
    "$T/watch.out" 15 || fail "no line over SSH by name: $(cat "$T/watch.out")"
wait_file "server nxname is down: retrying in" "$T/watch.out" 10 ||
    fail "unknown name not reported: $(cat "$T/watch.out")"
grep "server nxname is down" "$T/watch.out" |
    grep -q "cannot resolve nx.test: no such host" ||
    fail "unknown name: no plain reason: $(grep nxname "$T/watch.out")"
wait_file "server byaddr is down: hostkey-unknown" "$T/watch.out" 15 ||
    fail "byaddr: key known for the address only was trusted: $(grep byaddr "$T/watch.out")"
grep "server byaddr is down" "$T/watch.out" |
    grep -qF "[other.test]:$SSHD_PORT" ||
    fail "byaddr: not looked up by name: $(grep byaddr "$T/watch.out")"
grep -q "line byaddr:\|line nxname:" "$T/watch.out" &&
    fail "lines from a server not connected"
[ "$(queries sshhost.test)" -ge 1 ] || fail "dnsmasq was not asked for sshhost.test"
# a reconnect asks again
asked=$(queries sshhost.test)
kill -KILL $(sshd_sessions "$T/sshd") 2>/dev/null
wait_file "server named is down" "$T/watch.out" 15 ||
    fail "the killed session was not seen: $(grep named "$T/watch.out")"
for _ in $(seq 150); do
	[ "$(grep -c "server named is live" "$T/watch.out")" -ge 2 ] && break
	sleep 0.1
done
[ "$(grep -c "server named is live" "$T/watch.out")" -ge 2 ] ||
    fail "named not live again: $(grep named "$T/watch.out")"
[ "$(queries sshhost.test)" -gt "$asked" ] ||
    fail "the reconnect did not look sshhost.test up again"
echo "Nov 28 12:00:01 mx postfix/cleanup[77]: by name 2" >>"$T/logs/mail.log"
wait_file "by name 2" "$T/watch.out" 15 || fail "no line after the reconnect"
grep "server " "$T/watch.out" | grep -v " line " | sed 's/^/  /'

# mailcon act by name: a site command over SSH
{
	printf '[console]\nresolver = 127.0.0.1:%s\nhistory = %s\n' "$DNS" \
	    "$T/history.db"
	printf '[server lab]\nlogs = /var/log/mail.log\nqueue_command = off\n'
	printf 'unsuspend_command = /usr/bin/touch %s/remote/unsuspended-%%{localpart}\n' "$T"
} >"$T/act.head"
{ cat "$T/act.head"; ssh_keys sshhost.test "$T/kh.name"; } >"$T/act.conf"
sessions=$(grep -c 'Accepted publickey' "$SSHD_LOG")
timeout 60 "$MAILCON" act unsuspend --account bob@example.test \
    --config "$T/act.conf" >"$T/act.out" 2>&1
rc=$?
[ "$rc" = 0 ] || fail "act by name: exit $rc: $(cat "$T/act.out")"
[ -e "$T/remote/unsuspended-bob" ] || fail "act by name: the command did not run: $(cat "$T/act.out")"
[ "$(grep -c 'Accepted publickey' "$SSHD_LOG")" -gt "$sessions" ] ||
    fail "act by name: no SSH session"
{ cat "$T/act.head"; ssh_keys nx.test "$T/kh.name"; } >"$T/actnx.conf"
timeout 60 "$MAILCON" act unsuspend --account carol@example.test \
    --config "$T/actnx.conf" >"$T/act.out" 2>&1
rc=$?
[ "$rc" = 2 ] || fail "act, unknown name: exit $rc, not 2: $(cat "$T/act.out")"
grep -q "refused, nothing run: lab: unreachable: cannot resolve nx.test: no such host" \
    "$T/act.out" || fail "act, unknown name: $(cat "$T/act.out")"
{ cat "$T/act.head"; ssh_keys sshhost.test "$SSHD_KNOWN_HOSTS"; } >"$T/actaddr.conf"
timeout 60 "$MAILCON" act unsuspend --account dave@example.test \
    --config "$T/actaddr.conf" >"$T/act.out" 2>&1
rc=$?
[ "$rc" = 2 ] || fail "act, key by address only: exit $rc, not 2: $(cat "$T/act.out")"
grep -qF "unknown host key for [sshhost.test]:$SSHD_PORT" "$T/act.out" &&
    grep -qF "ssh-keyscan -p $SSHD_PORT sshhost.test" "$T/act.out" ||
    fail "act, key by address only: $(cat "$T/act.out")"
[ -e "$T/remote/unsuspended-carol" ] || [ -e "$T/remote/unsuspended-dave" ] &&
    fail "act ran a command on a refused connection"
sed 's/^/  /' "$T/act.out"

dns_stop "$T"

[ "$failed" -eq 0 ] && echo "test_resolve: all checks passed"
exit "$failed"
