#!/bin/bash
# test_rbl_start.sh: the console's own DNSBL checks run only when they are
# configured, against a real DNS server (dnsmasq, dnslib.sh) on loopback
# that logs every query:
#
#  1. unconfigured (no [rbl] interval, no outbound_ips) while this
#     machine's address is found (smtp_bind_address in main.cf): the
#     headless watch says it makes no checks and asks nothing, all the
#     while two configured watches started after it check;
#  2. a server's outbound_ips alone turn the checks on (every hour, the
#     first soon after start);
#  3. an [rbl] interval alone turns them on for the address found here.
#
# Each watch asks its own zone, so dnsmasq's log tells who asked.  The
# unconfigured watch starts first and runs until both others have
# checked: had it checked by itself, it would have done so before them.
#
# Environment: MAILCON (default build/mailcon).  Needs /usr/sbin/dnsmasq
# (dnsmasq-base) and python3.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
test_init rbls		# its processes' pids go in $pids, stopped at the end
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
local=/quiet.test/
local=/loud.test/
local=/also.test/
host-record=2.0.0.127.quiet.test,127.0.0.2
host-record=2.0.0.127.loud.test,127.0.0.2
host-record=2.0.0.127.also.test,127.0.0.2
EOF
} >"$T/dnsmasq.conf"
dns_start "$T" -C "$T/dnsmasq.conf" || exit 1

# Queries dnsmasq was asked for names in ZONE.
queries()
{
	grep -c "query\[A\] .*\.$1 from" "$T/dnsmasq.log"
}

# This machine as a server whose main.cf names a public address (queries
# go to the test's dnsmasq only).
mkdir "$T/pf"
printf 'smtp_bind_address = 1.2.3.4\n' >"$T/pf/main.cf"
: >"$T/empty.log"

# conf ZONE RBL-LINES SERVER-LINES: a config asking ZONE.
conf()
{
	printf '[console]\nhistory = off\n[rbl]\nzones = %s\nresolver = 127.0.0.1:%s\n' \
	    "$1" "$DNS"
	printf '%b' "$2" "$3"
}
LOCAL="[server local]\nlogs = $T/empty.log\npostfix_config = $T/pf\nqueue_command = off\n"

# watch NAME CONFIG: a headless watch in the background, output in
# $T/NAME.out.
watch()
{
	env -u DBUS_SESSION_BUS_ADDRESS XDG_STATE_HOME="$T/state-$1" \
	    "$MAILCON" watch --headless --config "$2" >"$T/$1.out" 2>&1 &
	pids="$pids $!"
}

conf quiet.test '' "$LOCAL" >"$T/quiet.conf"
conf loud.test '' "[server mx1]\nlogs = $T/empty.log\noutbound_ips = 1.2.3.5, 1.2.3.6\nqueue_command = off\n" \
    >"$T/loud.conf"
conf also.test 'interval = 1h\n' "$LOCAL" >"$T/also.conf"

watch quiet "$T/quiet.conf"
quiet_pid=$!
wait_file "DNSBL: no checks" "$T/quiet.out" 20 ||
    fail "unconfigured: no word that it makes no checks: $(cat "$T/quiet.out")"
grep -q "DNSBL: no checks (not configured: set \[rbl\] interval or a server's outbound_ips)" \
    "$T/quiet.out" || fail "unconfigured: $(grep DNSBL "$T/quiet.out")"
watch loud "$T/loud.conf"
watch also "$T/also.conf"

# --- 2. outbound_ips: on, every hour ------------------------------------------
wait_file "DNSBL at" "$T/loud.out" 30 ||
    fail "outbound_ips: no check by itself: $(cat "$T/loud.out")"
grep -q "DNSBL: checking 2 addresses every 60 min, the first time in 5 s" \
    "$T/loud.out" || fail "outbound_ips: $(grep DNSBL "$T/loud.out")"
[ "$(queries loud.test)" -gt 0 ] || fail "outbound_ips: dnsmasq was not asked"

# --- 3. [rbl] interval: on for the address found here -------------------------
wait_file "DNSBL at" "$T/also.out" 30 ||
    fail "[rbl] interval: no check by itself: $(cat "$T/also.out")"
grep -Eq "DNSBL: checking [0-9]+ address(es)? every 60 min" "$T/also.out" ||
    fail "[rbl] interval: $(grep DNSBL "$T/also.out")"
grep -q "query\[A\] 4.3.2.1.also.test from" "$T/dnsmasq.log" ||
    fail "[rbl] interval: 1.2.3.4 (main.cf) not asked"

# --- 1. unconfigured: asked nothing meanwhile ---------------------------------
kill -0 "$quiet_pid" 2>/dev/null ||
    fail "unconfigured: the watch ended: $(cat "$T/quiet.out")"
stop_pids $pids
pids=
grep -q "DNSBL at" "$T/quiet.out" &&
    fail "unconfigured: checked by itself: $(grep DNSBL "$T/quiet.out")"
[ "$(queries quiet.test)" = 0 ] ||
    fail "unconfigured: dnsmasq was asked $(queries quiet.test) times"

[ "$failed" = 0 ] && echo "test_rbl_start: all checks passed"
exit "$failed"
