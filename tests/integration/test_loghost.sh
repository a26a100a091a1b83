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
. "$HERE/testlib.sh"
. "$HERE/sshd.sh"
. "$HERE/rsyslog.sh"
ROOT=$(cd "$HERE/../.." && pwd)
MAILGEN=$HERE/mailgen.py
. "$HERE/actlib.sh"
export LC_ALL=C
export STACK_AUTH_PENALTY=0
MAILCON=${MAILCON:-$ROOT/build/mailcon}
SEND=$HERE/syslogsend.py

T=$(mktemp -d /tmp/mcloghost.XXXXXX) || exit 1
chmod 755 "$T"
failed=0
WATCH_PIDS=
SSH_SUDOERS=/etc/sudoers.d/mailcon-test-loghost-$$

cleanup()
{
	stop_pids $WATCH_PIDS
	rm -f "$SSH_SUDOERS"
	rsyslog_stop "$T/rs"
	sshd_stop "$T/d"
	stack_stop "$T/s"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v rsyslogd >/dev/null || { echo "no rsyslogd (run tests/deps.sh)"; exit 1; }
[ -x "$MAILCON" ] || { echo "no $MAILCON (run make)"; exit 1; }

# send HOST FORMAT [--octet]: lines on stdin to the central host as HOST.
send()
{
	local host=$1
	shift
	python3 "$SEND" --port "$RSYSLOG_PORT" --host "$host" --format "$@" \
	    >/dev/null || fail "syslogsend.py as $host failed"
}

# The [server] keys that put a server behind sshd instance $1 (1 or 2).
ssh_keys()
{
	printf 'host = 127.0.0.1\nport = %s\nuser = %s\nsudo = yes\n' \
	    "$(echo "$SSHD_PORTS" | awk -v i="$1" '{ print $i }')" "$SSHD_USER"
	printf 'key = %s\nknown_hosts = %s\n' "$SSHD_KEY" "$SSHD_KNOWN_HOSTS"
}

# Logins sshd instance $1 accepted so far.
sessions()
{
	grep -c 'Accepted publickey' "$T/d/s$1/sshd.log"
}

export XDG_STATE_HOME=$T/state
mkdir -p "$XDG_STATE_HOME"
stack_start "$T/s" >/dev/null 2>&1 || die "the mail stack did not start"
sshd_start "$T/d" 2 >/dev/null || die "sshd did not start"
echo "$SSHD_USER ALL=(root) NOPASSWD: /bin/sh, /usr/sbin/postqueue, /usr/sbin/postsuper, /usr/sbin/postmap, /usr/bin/doveadm" >"$SSH_SUDOERS"
chmod 440 "$SSH_SUDOERS"
visudo -cq -f "$SSH_SUDOERS" || die "the sudoers entry for $SSHD_USER is refused"
rsyslog_start "$T/rs" || die "the central rsyslogd did not start"
_stack_wait 10 test -f "$STACK_POSTFIX_LOG" || die "no $STACK_POSTFIX_LOG"
rsyslog_relay "$T/rs" mx07 "$STACK_POSTFIX_LOG" || die "the mx07 relay did not start"
# a second file shipped as mx01 by a relay of its own: the numbered lines
# of section 6 go through it
: >"$T/mx01.log"
rsyslog_relay "$T/rs" mx01 "$T/mx01.log" || die "the mx01 relay did not start"

CFG=$T/fleet.conf
{
	printf '[console]\nhistory = %s\n' "$T/history.db"
	printf '[loghost central]\nlogs = %s\nsilent = 5s\n' "$RSYSLOG_ALL"
	stack_mailcon_server mx07 | grep -v '^logs = '
	printf 'loghost = central\ngroup = dc1\n'
	ssh_keys 1
	printf '[server mx01]\nloghost = central\ngroup = dc1\nqueue = off\n'
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
for i in $(seq 1 20); do
	printf 'postfix/submission/smtpd[%d]: %02dAA%06d: client=unknown[192.0.2.1], sasl_method=PLAIN, sasl_username=%s\n' \
	    $((100 + i)) "$i" "$i" "$U"
done >"$T/mx01.lines"
sed 's/192\.0\.2\.1/192.0.2.9/; s/AA/BB/' "$T/mx01.lines" >"$T/mx09.lines"
send mx01 3164 <"$T/mx01.lines"
send mx09.dc2.example 5424 --octet <"$T/mx09.lines"

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
python3 "$HERE/hijack.py" --port "$STACK_SUBMIT_PORT" --login "$U" \
    --password "$pw" --rate 30 --per-conn 3 --net 127.0.9 --max 150 >"$T/hijack" ||
    fail "hijack.py failed"
wait_file "critical $U on mx07" "$W" 60 ||
    fail "the hijack was not flagged on mx07: $(grep -v ' line ' "$W" | tail -5)"
grep "critical $U on" "$W" | grep -v "on mx07" && fail "the hijack was flagged on another server"
grep -q "suspicious $U on mx0[19]\|critical $U on mx0[19]" "$W" &&
    fail "mx01's or mx09's $U was flagged"
# the relay polls Postfix's log every second: wait for it to catch up
for _ in $(seq 100); do
	n=$(grep -c "^[^ ]* line mx07: .*sasl_username=$U" "$W")
	m=$(grep -c "sasl_username=$U" "$STACK_POSTFIX_LOG")
	[ "$n" = "$m" ] && break
	sleep 0.2
done
[ "$n" = "$m" ] || fail "mx07: $n of the $m logins in Postfix's log attributed to it"

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
s1=$(sessions 1) s2=$(sessions 2)
act suspend --account "$U" --server mx07 --config "$CFG"
rc=$?
[ "$rc" = 0 ] || fail "suspend $U on mx07: exit $rc: $(said)"
grep -q "^suspend $U on mx07: done" "$T/out" || fail "suspend not done: $(said)"
grep -q "has no logins" "$T/err" &&
    fail "act did not find $U's logins in the log host's stream: $(said)"
[ "$(sessions 1)" -gt "$s1" ] || fail "act opened no session on mx07's sshd"
[ "$(sessions 2)" = "$s2" ] || fail "act logged in to mx01's sshd"
grep -qxF "$U" "$STACK_DENY" || fail "$U is not in mx07's deny file"
n=$(audit_q "SELECT count(*) FROM audit WHERE account = ? AND server = 'mx07'
    AND action = 'suspend' AND state = 'done'" "$U")
[ "$n" -ge 1 ] || fail "no audit row of the suspend on mx07"


# --- 6. logrotate and an rsyslog restart mid-stream -------------------------
seq_to()	# FROM TO: numbered lines, as mx01's maillog would have them
{
	local i
	for i in $(seq "$1" "$2"); do
		echo "Dec  6 12:00:00 mx01 postfix/cleanup[77]: seq $i" >>"$T/mx01.log"
		sleep 0.01
	done
}
seq_to 1 100
wait_file "seq 100" "$W" 30 || fail "seq 100 never came"
# logrotate's way with rsyslog: rename, then HUP (rsyslog reopens)
mv "$RSYSLOG_ALL" "$RSYSLOG_ALL.1"
seq_to 101 150
central=$(awk '$1 == "central" { print $2 }' "$RSYSLOG_PIDS")
kill -HUP "$central"
seq_to 151 200
wait_file "seq 200" "$W" 30 || fail "seq 200 never came after the rotation"
# the central host restarted mid-stream
seq_to 201 300 &
writer=$!
sleep 0.5
rsyslog_restart "$T/rs" || fail "rsyslog did not restart"
wait $writer
seq_to 301 320
wait_file "seq 320" "$W" 60 || fail "seq 320 never came after the restart"
sleep 2
grep -o "line mx01: .* seq [0-9]*$" "$W" | awk '{ print $NF }' >"$T/seqs"
seq 1 320 | diff - "$T/seqs" >"$T/seqdiff" ||
    fail "numbered lines lost, doubled or out of order across rotation and restart: $(head -5 "$T/seqdiff" | tr '\n' ' ')"
grep -q "gap in" "$W" && fail "a gap where none was: $(grep 'gap in' "$W")"

stop_pids $WATCH_PIDS
WATCH_PIDS=
[ "$failed" = 0 ] && echo "PASS: test_loghost"
exit "$failed"
