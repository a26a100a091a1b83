# tests/integration/loghostlib.sh: what the central log host's tests
# (test_loghost.sh, test_loghost_ssh.sh) share: a real rsyslogd as the log
# host (rsyslog.sh), the mail stack (stack.sh) whose Postfix log a relay
# ships as mx07, two loopback sshd instances (sshd.sh) for the servers'
# (and the log host's) SSH, and sudo for the stack's tools.  Source it
# (bash) with HERE set to tests/integration, then:
#
#	loghost_init NAME	# T=/tmp/NAME.XXXXXX, the EXIT trap
#	loghost_start		# everything above started, or die
#	send HOST FORMAT [--octet] <LINES	# to the log host as HOST
#	ssh_keys N		# a section's SSH keys for sshd instance N
#	sessions N		# logins sshd instance N accepted so far
#
# Sets ROOT, MAILGEN, MAILCON (unless set), SEND, failed, WATCH_PIDS
# (stopped at exit with everything started).

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
failed=0
WATCH_PIDS=

# Stop what the test started, by pid, and remove its directory.
_loghost_cleanup()
{
	stop_pids $WATCH_PIDS
	rm -f "$SSH_SUDOERS"
	rsyslog_stop "$T/rs"
	sshd_stop "$T/d"
	stack_stop "$T/s"
	rm -rf "$T"
}

# loghost_init NAME: the test's directory (readable by the SSH test user)
# and the traps.
loghost_init()
{
	T=$(mktemp -d "/tmp/$1.XXXXXX") || exit 1
	chmod 755 "$T"
	SSH_SUDOERS=/etc/sudoers.d/mailcon-test-$1-$$
	trap _loghost_cleanup EXIT
	trap 'exit 130' INT TERM
	command -v rsyslogd >/dev/null ||
	    { echo "no rsyslogd (run tests/deps.sh)"; exit 1; }
	[ -x "$MAILCON" ] || { echo "no $MAILCON (run make)"; exit 1; }
}

# send HOST FORMAT [--octet]: lines on stdin to the central host as HOST.
send()
{
	local host=$1
	shift
	python3 "$SEND" --port "$RSYSLOG_PORT" --host "$host" --format "$@" \
	    >/dev/null || fail "syslogsend.py as $host failed"
}

# The SSH keys of sshd instance $1 (1 or 2) as a section gives them.
ssh_keys()
{
	printf 'host = 127.0.0.1\nport = %s\nuser = %s\n' \
	    "$(echo "$SSHD_PORTS" | awk -v i="$1" '{ print $i }')" "$SSHD_USER"
	printf 'key = %s\nknown_hosts = %s\n' "$SSHD_KEY" "$SSHD_KNOWN_HOSTS"
}

# Logins sshd instance $1 accepted so far.
sessions()
{
	grep -c 'Accepted publickey' "$T/d/s$1/sshd.log"
}

# The stack, two sshd instances, sudo for the stack's tools, the central
# rsyslogd and mx07's relay of the stack's Postfix log.
loghost_start()
{
	export XDG_STATE_HOME=$T/state
	mkdir -p "$XDG_STATE_HOME"
	stack_start "$T/s" >/dev/null 2>&1 || die "the mail stack did not start"
	sshd_start "$T/d" 2 >/dev/null || die "sshd did not start"
	echo "$SSHD_USER ALL=(root) NOPASSWD: /bin/sh, /usr/sbin/postqueue, /usr/sbin/postsuper, /usr/sbin/postmap, /usr/bin/doveadm" >"$SSH_SUDOERS"
	chmod 440 "$SSH_SUDOERS"
	visudo -cq -f "$SSH_SUDOERS" ||
	    die "the sudoers entry for $SSHD_USER is refused"
	rsyslog_start "$T/rs" || die "the central rsyslogd did not start"
	_stack_wait 10 test -f "$STACK_POSTFIX_LOG" || die "no $STACK_POSTFIX_LOG"
	rsyslog_relay "$T/rs" mx07 "$STACK_POSTFIX_LOG" ||
	    die "the mx07 relay did not start"
}

# loghost_logins MX09: 20 logins of $U on mx01 from 192.0.2.1 (ids
# ..AA000001 ..) and as many on the host MX09 calls itself from 192.0.2.9
# (..BB..), sent: the same login name on two servers, normal use.
loghost_logins()
{
	local i
	for i in $(seq 1 20); do
		printf 'postfix/submission/smtpd[%d]: %02dAA%06d: client=unknown[192.0.2.1], sasl_method=PLAIN, sasl_username=%s\n' \
		    $((100 + i)) "$i" "$i" "$U"
	done >"$T/mx01.lines"
	sed 's/192\.0\.2\.1/192.0.2.9/; s/AA/BB/' "$T/mx01.lines" >"$T/mx09.lines"
	send mx01 3164 <"$T/mx01.lines"
	send "$1" 5424 --octet <"$T/mx09.lines"
}

# loghost_hijack: a hijack of $U (password $pw) on the real Postfix,
# critical in $W on mx07 and nowhere else, every login of it there.
loghost_hijack()
{
	local n m
	python3 "$HERE/hijack.py" --port "$STACK_SUBMIT_PORT" --login "$U" \
	    --password "$pw" --rate 30 --per-conn 3 --net 127.0.9 --max 150 >"$T/hijack" ||
	    fail "hijack.py failed"
	wait_file "critical $U on mx07" "$W" 60 ||
	    fail "the hijack was not flagged on mx07: $(grep -v ' line ' "$W" | tail -5)"
	grep "critical $U on" "$W" | grep -v "on mx07" &&
	    fail "the hijack was flagged on another server"
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
}

# loghost_suspend: mailcon act suspend of $U on mx07 ($CFG): done, its
# logins found in the log host's lines, the deny file and the audit say so.
# The sessions each sshd saw are the caller's to check.
loghost_suspend()
{
	local rc n
	act suspend --account "$U" --server mx07 --config "$CFG"
	rc=$?
	[ "$rc" = 0 ] || fail "suspend $U on mx07: exit $rc: $(said)"
	grep -q "^suspend $U on mx07: done" "$T/out" || fail "suspend not done: $(said)"
	grep -q "has no logins" "$T/err" &&
	    fail "act did not find $U's logins in the log host's lines: $(said)"
	grep -qxF "$U" "$STACK_DENY" || fail "$U is not in mx07's deny file"
	n=$(audit_q "SELECT count(*) FROM audit WHERE account = ? AND server = 'mx07'
	    AND action = 'suspend' AND state = 'done'" "$U")
	[ "$n" -ge 1 ] || fail "no audit row of the suspend on mx07"
}

# loghost_seqs LAST: mx01's numbered lines ("seq N") in $W are 1 to LAST,
# each once and in order, and no gap was reported.
loghost_seqs()
{
	grep -o "line mx01: .* seq [0-9]*$" "$W" | awk '{ print $NF }' >"$T/seqs"
	seq 1 "$1" | diff - "$T/seqs" >"$T/seqdiff" ||
	    fail "numbered lines lost, doubled or out of order: $(head -5 "$T/seqdiff" | tr '\n' ' ')"
	grep -q "gap in" "$W" && fail "a gap where none was: $(grep 'gap in' "$W")"
}

# loghost_rotate: the caller's seq_to FROM TO writes mx01's numbered lines;
# 1 to 100 arrive, then logrotate's way with rsyslog (rename, lines, HUP so
# rsyslog reopens), then up to 200 arrive.
loghost_rotate()
{
	local central
	seq_to 1 100
	wait_file "seq 100" "$W" 30 || fail "seq 100 never came"
	mv "$RSYSLOG_ALL" "$RSYSLOG_ALL.1"
	seq_to 101 150
	central=$(awk '$1 == "central" { print $2 }' "$RSYSLOG_PIDS")
	kill -HUP "$central"
	seq_to 151 200
	wait_file "seq 200" "$W" 60 || fail "seq 200 never came after the rotation"
}
