#!/bin/bash
# test_loghost.sh: a fleet through its central log host (issue 19;
# console/live/fleet.c) with a real rsyslogd on loopback (rsyslog.sh)
# receiving the lines of servers posing as mx01 and mx09 (syslogsend.py,
# RFC 3164 and RFC 5424 frames) and of the real Postfix of the test stack
# (stack.sh), shipped by a second rsyslogd posing as mx07; mailcon watch
# --headless --lines follows only rsyslog's central file:
#
#  1. every line reaches the server its HOSTNAME names, and no other; the
#     same login name on mx01 stays its own, unflagged account;
#  2. a live hijack on the real Postfix is flagged critical on mx07 only;
#  3. a HOSTNAME no server gives (not configured, forged with a control
#     byte, empty) is an unknown host, said, routed nowhere;
#  4. rsyslog's "message repeated N times" line stays its host's line;
#  5. a configured server absent from the stream is silent (an alert);
#  6. logrotate's rename of the central file and an rsyslog restart
#     mid-stream lose no line the relay ships (TCP, disk-assisted queue);
#  7. `mailcon act suspend` for the account goes to mx07's own sshd
#     (sshd.sh, instance 1), never to mx01's (instance 2), and works;
#  8. `mailcon scan --by-server` on the central file: each JSON row
#     carries its server, the hijack critical on mx07 only; `mailcon rbl`
#     for a server fed by the log host never checks the log host's
#     addresses.
#
# Environment: MAILCON (the binary).  Needs root, rsyslog, python3,
# Postfix, Dovecot, sshd, sudo (tests/deps.sh).
# timeout: 600
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/loghostlib.sh"
loghost_init mcloghost
loghost_start
# a second file shipped as mx01 by a relay of its own: the numbered lines
# of section 6 go through it
: >"$T/mx01.log"
rsyslog_relay "$T/rs" mx01 "$T/mx01.log" || die "the mx01 relay did not start"

CFG=$T/fleet.conf
{
	printf '[console]\nhistory = %s\n' "$T/history.db"
	printf '[loghost central]\nlogs = %s\nsilent = 5s\n' "$RSYSLOG_ALL"
	stack_mailcon_server mx07 | grep -v '^logs = '
	printf 'loghost = central\ngroup = dc1\nsudo = yes\n'
	ssh_keys 1
	printf '[server mx01]\nloghost = central\ngroup = dc1\nqueue = off\n'
	printf 'sudo = yes\n'
	ssh_keys 2
	printf '[server mx09]\nloghost = central\nhostname = mx09.dc2.example\n'
	printf 'group = dc2\nqueue = off\n'
	printf '[server mx05]\nloghost = central\ngroup = dc2\nqueue = off\n'
} >"$CFG"

W=$T/watch.out
"$MAILCON" watch --headless --lines --config "$CFG" >"$W" 2>"$W.err" &
WATCH_PIDS=$!
wait_file "watching" "$W" 15 || die "watch did not start: $(cat "$W.err")"
wait_file "server mx09 is live" "$W" 15 || die "mx09 not live: $(cat "$W" "$W.err")"

U=alice@$STACK_DOMAIN
pw=$(awk -v u="$U" '$1 == u { print $2 }' "$STACK_USERS")

# --- 1. lines to the server their HOSTNAME names ----------------------------
# mx01 and mx09 log the same login name from one address each: normal use
loghost_logins mx09.dc2.example

# --- 3. unknown, forged, empty HOSTNAMEs ------------------------------------
echo "postfix/smtpd[9]: 0CC000001: client=unknown[203.0.113.5], sasl_method=PLAIN, sasl_username=$U" |
    send mx99 5424
echo "postfix/smtpd[9]: 0CC000002: client=unknown[203.0.113.6], sasl_method=PLAIN, sasl_username=$U" |
    send "$(printf 'mx07\001x')" 5424 --octet
echo "postfix/smtpd[9]: 0CC000003: client=unknown[203.0.113.7], sasl_method=PLAIN, sasl_username=$U" |
    send "" 5424 --octet
# --- 4. rsyslog's repeat reduction, as a relay with it on writes it ----------
echo "postfix/smtpd[9]: message repeated 3 times: [ connect from unknown[192.0.2.1]]" |
    send mx01 3164

wait_file "0CC000003" "$W" 20 || fail "the empty HOSTNAME's line was not seen: $(grep -c . "$W") lines"
wait_file "BB000020" "$W" 20 || fail "mx09's last line never came"
wait_file "AA000020" "$W" 20 || fail "mx01's last line never came"
for h in mx01 mx09; do
	n=$(grep -c "^[^ ]* line $h: [^ ]* $h[. ].*sasl_username=$U" "$W")
	[ "$n" = 20 ] || fail "$h: $n of its 20 logins attributed to it"
done
grep -q "^[^ ]* line mx09: [^ ]* mx09.dc2.example " "$W" ||
    fail "mx09's hostname = was not used"
# no line under a server whose HOSTNAME it does not carry
awk '$2 == "line" { srv = $3; sub(/:$/, "", srv); host = $5
	if (srv == "mx09") ok = (host == "mx09.dc2.example"); else ok = (tolower(host) == srv)
	if (!ok) { print; bad = 1 } } END { exit bad }' "$W" >"$T/misrouted" ||
    fail "lines under the wrong server: $(head -3 "$T/misrouted")"
for h in mx99 'mx07#001x' '-'; do
	grep -qF "loghost central: unknown host $h: not a configured server" "$W" ||
	    fail "unknown host $h not said: $(grep loghost "$W")"
done
grep -q "line [^ ]*: .*0CC00000" "$W" && fail "an unknown host's line was routed to a server"
wait_file "message repeated 3 times" "$W" 20
grep -q "line mx01: .*message repeated 3 times" "$W" ||
    fail "the repeated-message line is not mx01's: $(grep 'message repeated' "$W")"

# --- 5. a configured server absent from the stream --------------------------
wait_file "server mx05 is partial: silent: no line from mx05" "$W" 20 ||
    fail "mx05 never showed as silent: $(grep 'server mx05' "$W")"

# --- 2. a hijack on the real Postfix, shipped by mx07's relay ----------------
loghost_hijack

# --- DNSBL checks are the server's: never this machine's addresses ---------
"$MAILCON" rbl --server mx09 --config "$CFG" >"$T/rbl.out" 2>&1
rc=$?
[ "$rc" = 2 ] && grep -q "mx09 is followed through a log host and has no outbound_ips" "$T/rbl.out" ||
    fail "rbl for mx09 did not refuse to check the log host's addresses: exit $rc: $(cat "$T/rbl.out")"

# --- the same file offline: mailcon scan --by-server -------------------------
"$MAILCON" scan --by-server --json --config "$CFG" "$RSYSLOG_ALL" >"$T/scan.json" 2>"$T/scan.err"
rc=$?
[ "$rc" = 1 ] || fail "scan --by-server: exit $rc, not 1 (found): $(cat "$T/scan.err")"
python3 - "$T/scan.json" "$U" >"$T/scan.check" <<'EOF2' || fail "scan --by-server: $(cat "$T/scan.check")"
import json, sys
d = json.load(open(sys.argv[1]))
rows = {(a["server"], a["account"]): a["level"] for a in d["accounts"]}
want = {("mx07", sys.argv[2]): ("critical",),
        ("mx01", sys.argv[2]): ("ok", "watch"),
        ("mx09", sys.argv[2]): ("ok", "watch")}
for k, v in want.items():
    if rows.get(k) not in v:
        sys.exit("%s on %s: %s, not %s" % (k[1], k[0], rows.get(k), v))
if ("unknown host", sys.argv[2]) not in rows:
    sys.exit("the unknown hosts' logins are not under unknown host")
if any(a["level"] in ("critical", "suspicious") and a["server"] != "mx07"
       for a in d["accounts"]):
    sys.exit("flagged off mx07: %r" % rows)
names = [s["server"] for s in d["servers"]]
if "mx05" not in names or names[0] != "mx07":
    sys.exit("servers: %r" % names)
EOF2
"$MAILCON" scan --by-server --config "$CFG" "$RSYSLOG_ALL" >"$T/scan.txt" 2>&1
head -1 "$T/scan.txt" | grep -q "^== mx07: .*1 critical" ||
    fail "the table does not start with mx07's block: $(head -2 "$T/scan.txt")"

# --- 7. act goes to mx07's own sshd (before 6 rotates the file act reads) -----------------------------------------
# a session of the hijacker kept open: act learns its smtpd from the log
# host's lines and ends it on mx07
python3 "$HERE/slowclient.py" "$STACK_SUBMIT_PORT" "$U" "$pw" 127.0.9.250 \
    "$T/slow" "$T/go" 2>"$T/slow.err" &
SLOW_PID=$!
wait_file "first 250" "$T/slow" 30 ||
    fail "the slow client sent nothing: $(cat "$T/slow" "$T/slow.err")"
QID=$(awk '$1 == "first" { print $3 }' "$T/slow")
wait_file "$QID: client=" "$RSYSLOG_ALL" 30 ||
    fail "the slow session's login line never reached the log host"
s1=$(sessions 1) s2=$(sessions 2)
loghost_suspend
[ "$(sessions 1)" -gt "$s1" ] || fail "act opened no session on mx07's sshd"
[ "$(sessions 2)" = "$s2" ] || fail "act logged in to mx01's sshd"
grep -q "1 open SMTP session ended" "$T/out" ||
    fail "the open session known from the log host's lines was not ended: $(said)"
touch "$T/go"
wait "$SLOW_PID"
grep -q "^second closed" "$T/slow" ||
    fail "the slow session went on after the suspension: $(cat "$T/slow")"


# --- 6. logrotate and an rsyslog restart mid-stream -------------------------
seq_to()	# FROM TO: numbered lines, as mx01's maillog would have them
{
	local i
	for i in $(seq "$1" "$2"); do
		echo "Dec  6 12:00:00 mx01 postfix/cleanup[77]: seq $i" >>"$T/mx01.log"
		sleep 0.01
	done
}
loghost_rotate
# the central host restarted mid-stream
seq_to 201 300 &
writer=$!
sleep 0.5
rsyslog_restart "$T/rs" || fail "rsyslog did not restart"
wait $writer
seq_to 301 320
wait_file "seq 320" "$W" 60 || fail "seq 320 never came after the restart"
sleep 2
loghost_seqs 320

stop_pids $WATCH_PIDS
WATCH_PIDS=
[ "$failed" = 0 ] && echo "PASS: test_loghost"
exit "$failed"
