#!/bin/bash
# test_loghost_ssh.sh: a central log host followed over SSH (issue 19):
# a real rsyslogd as the log host, its files read from "the admin's
# terminal" through a loopback sshd (instance 1, as the test user, read
# only), mx07's own actions through another sshd (instance 2).
#
#  1. [loghost] host = ...: the aggregated file is followed over SSH, each
#     line to the server its HOSTNAME names; a second [loghost] on the same
#     host follows rsyslog's per-host file of mx09 (dynaFile);
#  2. a hijack on the real Postfix, shipped by mx07's relay, is critical on
#     mx07 only;
#  3. logrotate's rename of the central file and rsyslog's HUP while it is
#     followed over SSH: every numbered line once, in order, no gap;
#  4. `mailcon act suspend` after that rotation reads the log host over SSH
#     (instance 1: the rotated file too, where the hijack's logins now
#     are) and acts over mx07's own sshd (instance 2), and works;
#  5. mailcon never writes on the log host: the files it read are the
#     ones rsyslog wrote, nothing else appears beside them;
#  6. a log host whose host key is not known is said (hostkey-unknown),
#     never trusted unattended, and nothing is read through it.
#
# Environment: MAILCON (the binary).  Needs root, rsyslog, python3,
# Postfix, Dovecot, sshd, sudo (tests/deps.sh).
# timeout: 600
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/loghostlib.sh"
loghost_init mcloghostssh
loghost_start
# rsyslog makes mx09's own file at its first line
echo "postfix/smtpd[8]: connect from unknown[192.0.2.9]" | send mx09 5424 --octet
_stack_wait 10 test -s "$RSYSLOG_HOSTS/mx09.log" || die "rsyslog wrote no $RSYSLOG_HOSTS/mx09.log"
ls -la "$RSYSLOG_DIR" "$RSYSLOG_HOSTS" | sort >"$T/files.before"

CFG=$T/fleet.conf
{
	printf '[console]\nhistory = %s\n' "$T/history.db"
	printf '[loghost central]\nlogs = %s\nsilent = 1h\n' "$RSYSLOG_ALL"
	ssh_keys 1
	printf '[loghost perhost]\nlogs = %s/mx09.log\n' "$RSYSLOG_HOSTS"
	ssh_keys 1
	stack_mailcon_server mx07 | grep -v '^logs = '
	printf 'loghost = central\nsudo = yes\n'
	ssh_keys 2
	printf '[server mx01]\nloghost = central\nqueue = off\n'
	printf '[server mx09]\nloghost = perhost\nqueue = off\n'
	# a log host whose key nobody trusted: never read, never accepted
	printf '[loghost stranger]\nlogs = %s\n' "$RSYSLOG_ALL"
	ssh_keys 1 | sed "s|^known_hosts = .*|known_hosts = $T/empty_known_hosts|"
	printf '[server mx05]\nloghost = stranger\nqueue = off\n'
} >"$CFG"
: >"$T/empty_known_hosts"

s1=$(sessions 1)
W=$T/watch.out
"$MAILCON" watch --headless --lines --config "$CFG" >"$W" 2>"$W.err" &
WATCH_PIDS=$!
wait_file "watching" "$W" 15 || die "watch did not start: $(cat "$W.err")"
wait_file "loghost central: ssh live" "$W" 30 ||
    die "the log host's connection never went live: $(grep loghost "$W" "$W.err")"
wait_file "server mx09 is live" "$W" 30 ||
    die "mx09's per-host file never followed: $(grep -v ' line ' "$W" | tail -5)"
wait_file "server mx01 is live" "$W" 30 ||
    die "the central file never followed: $(grep -v ' line ' "$W" | tail -5)"
[ "$(sessions 1)" -gt "$s1" ] || fail "watch opened no session on the log host's sshd"
wait_file "loghost stranger: ssh hostkey-unknown: unknown host key" "$W" 30 ||
    fail "an unknown log host key was not said: $(grep stranger "$W" "$W.err")"
wait_file "server mx05 is down: loghost stranger: ssh hostkey-unknown" "$W" 30 ||
    fail "mx05 does not say why its log host is not read: $(grep 'server mx05' "$W")"

U=alice@$STACK_DOMAIN
pw=$(awk -v u="$U" '$1 == u { print $2 }' "$STACK_USERS")

# --- 1. lines to the server their HOSTNAME names, over SSH -----------------
loghost_logins mx09
wait_file "AA000020" "$W" 30 || fail "mx01's last line never came over SSH"
wait_file "BB000020" "$W" 30 || fail "mx09's last line never came from its own file"
n=$(grep -c "^[^ ]* line mx01: [^ ]* mx01 .*sasl_username=$U" "$W")
[ "$n" = 20 ] || fail "mx01: $n of its 20 logins attributed to it"
# mx09's lines come once, from its own file: in the central file it is no
# server of that log host (an unknown host there)
n=$(grep -c "^[^ ]* line mx09: [^ ]* mx09 .*sasl_username=$U" "$W")
[ "$n" = 20 ] || fail "mx09: $n of its 20 logins attributed to it"
wait_file "loghost central: unknown host mx09" "$W" 30 ||
    fail "mx09 in the central file was not an unknown host there"
awk '$2 == "line" { srv = $3; sub(/:$/, "", srv)
	if (tolower($5) != srv) { print; bad = 1 } } END { exit bad }' "$W" >"$T/misrouted" ||
    fail "lines under the wrong server: $(head -3 "$T/misrouted")"

# --- 2. a hijack on the real Postfix, shipped by mx07's relay ----------------
loghost_hijack

# --- 3. logrotate while followed over SSH -------------------------------------
seq_to()	# FROM TO: numbered lines as mx01
{
	local i
	for i in $(seq "$1" "$2"); do
		echo "postfix/cleanup[77]: seq $i"
	done | send mx01 3164
}
loghost_rotate
sleep 1
loghost_seqs 200
stop_pids $WATCH_PIDS
WATCH_PIDS=

grep -q "line mx05:" "$W" && fail "a line came through the untrusted log host"
grep -q "loghost stranger: ssh live" "$W" && fail "the untrusted log host went live"
[ -s "$T/empty_known_hosts" ] &&
    fail "a key was written to the known_hosts file given"

# --- 4. act: the log host read over SSH (rotated file too), mx07 acted on ---
grep -q "sasl_username=$U" "$RSYSLOG_ALL" &&
    fail "the hijack's logins are still in the live file: the rotation case is not made"
s1=$(sessions 1) s2=$(sessions 2)
loghost_suspend
grep -q "loghost central" "$T/err" && fail "act could not read the log host: $(said)"
[ "$(sessions 1)" -gt "$s1" ] || fail "act did not read the log host over its sshd"
[ "$(sessions 2)" -gt "$s2" ] || fail "act opened no session on mx07's sshd"

# --- 5. nothing written on the log host ---------------------------------------
ls -A "$RSYSLOG_DIR" | grep -v -x -e central -e relay-mx07 -e all.log -e all.log.1 \
    -e classic.log -e hosts -e rsyslog.env -e rsyslog.pids >"$T/extra"
[ -s "$T/extra" ] && fail "files beside the log host's: $(tr '\n' ' ' <"$T/extra")"
ls -A "$RSYSLOG_HOSTS" | grep -v '\.log$' >"$T/extra"
[ -s "$T/extra" ] && fail "files beside the per-host logs: $(tr '\n' ' ' <"$T/extra")"

[ "$failed" = 0 ] && echo "PASS: test_loghost_ssh"
exit "$failed"
