# tests/integration/stack.sh: a real Postfix + Dovecot (SASL) mail stack on
# loopback, private to one directory.  Source it (bash), then:
#
#	stack_start DIR		# DIR: an empty or new directory, short path
#	...
#	stack_stop DIR		# idempotent; safe from an EXIT trap
#
# Nothing global is touched or read: Postfix runs as a separate instance
# (`postfix -c DIR/postfix`) with the master.cf shipped beside this file,
# whose queue, data directory and maillog_file are in DIR; Dovecot runs auth-only with base_dir, state_dir and log_path in DIR.
# Ports are picked at run time.  Several stacks can run at once in different
# directories.  Must run as root (Postfix and Dovecot masters need it).
#
# After stack_start these are exported (and also written to DIR/stack.env,
# which another shell can source):
#	STACK_DIR		DIR (absolute)
#	STACK_SUBMIT_PORT	submission listener, 127.0.0.1, AUTH PLAIN/LOGIN,
#				no TLS; logs as postfix/submission/smtpd
#	STACK_SMTP_PORT		plain smtpd listener (MX-like), 127.0.0.1;
#				logs as postfix/smtpd
#	STACK_RELAY_HOST	[127.0.0.2]:PORT, the relayhost; nothing listens,
#				so relayed mail stays deferred
#	STACK_SINK_PORT		smtp-sink port when STACK_SINK=1 was set, else
#				empty
#	STACK_BOUNCE_PORT	the refusing smtp-sink's port (STACK_BOUNCE=1),
#				else empty
#	STACK_POSTFIX_CONF	config_directory: `postqueue -c $STACK_POSTFIX_CONF -j`
#	STACK_QUEUE_DIR		queue_directory
#	STACK_POSTFIX_LOG	Postfix maillog_file
#	STACK_DOVECOT_LOG	Dovecot log_path
#	STACK_DOVECOT_CONF	dovecot.conf (`doveadm -c ...`)
#	STACK_PASSWD		Dovecot passwd-file (SHA512-CRYPT)
#	STACK_DENY		Dovecot deny passdb file (empty; add a login to
#				suspend it, no reload needed)
#	STACK_SASL_ACCESS	Postfix check_sasl_access map source (empty); run
#				`postmap $STACK_SASL_ACCESS` after editing
#	STACK_USERS		file "login password" per line, one per user:
#				alice bob carol dave grace ivan judy @example.test
#	STACK_DOMAIN		example.test
#	STACK_PIDS		file "name pid" per line: every daemon we started
#
# Options (environment, read by stack_start):
#	STACK_SINK=1		also start smtp-sink (status=sent) and route the
#				STACK_SINK_DOMAINS and their subdomains to it
#	STACK_SINK_DOMAINS	default "sink.test"; all else goes to the
#				closed relayhost (status=deferred)
#	STACK_BOUNCE=1		also start an smtp-sink that refuses every
#				RCPT with a 5xx (status=bounced), on
#				STACK_BOUNCE_PORT, for STACK_BOUNCE_DOMAINS
#				(default "bounce.test") and their subdomains
#	STACK_DENY_PASSDB=0	no Dovecot deny passdb (default: there is one)
#	STACK_AUTH_PENALTY=0	turn off Dovecot's auth penalty (AUTH from an
#				address that failed before waits 4 s, 8 s, ...
#				up to 15 s; on by default, as in production)
#	STACK_USER_LIST		logins (without domain) to create; default above
#
# A test of the stack starts with stack_test NAME (testlib.sh sourced):
# test_init NAME (testlib.sh), S=$T/s for stack_start, and the stack of S
# stopped by the EXIT trap.
#
# Also for the tests that source it (directly or through sshd.sh):
#	wait_file TEXT FILE SECONDS	until FILE has a line containing TEXT
#					(status 1 when SECONDS pass first)

STACK_DEFAULT_USERS="alice bob carol dave grace ivan judy"
_STACK_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# users_locked CMD...: run a useradd/usermod/userdel/adduser command
# under one lock for every test: tests run side by side, and the shadow
# tools fail at once ("cannot lock /etc/passwd") instead of waiting.
users_locked()
{
	flock -w 60 /tmp/mailcon-tests-users.lock "$@"
}

# wait_file TEXT FILE SECONDS: until FILE has a line containing TEXT.
wait_file()
{
	local i
	for i in $(seq $(($3 * 10))); do
		grep -qF -- "$1" "$2" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# Print N distinct TCP ports in 20000-32767 (below the ephemeral range, so a
# client socket cannot take them) that are free to bind on address ADDR and
# handed to no other test of this machine within the hour (freeport.py).
_stack_free_ports()
{
	python3 "$_STACK_HERE/freeport.py" "$1" "$2"
}

# Log a harness message on stderr.
_stack_say()
{
	echo "stack: $*" >&2
}

# Is PID alive and running a program whose command line contains WHAT?
_stack_pid_is()
{
	local pid=$1 what=$2
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$what"
}

# Read the pid in FILE (Postfix pads it with spaces) and record it as NAME.
_stack_record_pidfile()
{
	local dir=$1 name=$2 file=$3 pid
	pid=$(tr -dc '0-9' <"$file" 2>/dev/null)
	[ -n "$pid" ] || return 1
	echo "$name $pid" >>"$dir/stack.pids"
}

# Wait up to SECS seconds for COMMAND to succeed.
_stack_wait()
{
	local secs=$1 i=0
	shift
	while ! "$@"; do
		i=$((i + 1))
		[ "$i" -ge $((secs * 10)) ] && return 1
		sleep 0.1
	done
}

# Does the SMTP server on 127.0.0.1:PORT greet with a banner containing TOKEN?
_stack_banner_has()
{
	local port=$1 token=$2 line
	{ exec 9<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
	IFS= read -r -t 5 line <&9
	printf 'QUIT\r\n' >&9 2>/dev/null
	exec 9<&- 9>&-
	case $line in *"$token"*) return 0 ;; esac
	return 1
}

# Write the Postfix instance's main.cf and master.cf into $d/postfix.
_stack_postfix_config()
{
	local d=$1 token=$2 pc=$1/postfix dom
	local pcf="postconf -c $pc"

	mkdir -p "$pc" "$d/spool" "$d/data"
	chown postfix "$d/data" || return 1
	# our own services, not the host's /etc/postfix/master.cf
	cp "$_STACK_HERE/master.cf" "$pc/master.cf" || return 1
	# main.cf written here rather than by postconf -e: Postfix reads a
	# main.cf changed within the last second again and again, 0.3 s
	# apart, until it is older ("let it cool down"); each postconf -e
	# would make every later command wait for that.  Dated a minute
	# back once written (_stack_postfix_cool).
	printf '%s\n' \
	    "compatibility_level = 3.6" \
	    "queue_directory = $d/spool" \
	    "data_directory = $d/data" \
	    "maillog_file = $d/postfix.log" \
	    "maillog_file_prefixes = $d" \
	    "myhostname = mx.example.test" \
	    "mydomain = example.test" \
	    "myorigin = \$mydomain" \
	    "mydestination =" \
	    "relay_domains =" \
	    "local_transport = error:local delivery disabled" \
	    "alias_maps =" \
	    "alias_database =" \
	    "biff = no" \
	    "append_dot_mydomain = no" \
	    "inet_interfaces = 127.0.0.1" \
	    "inet_protocols = ipv4" \
	    "mynetworks = 127.0.0.1/32" \
	    "smtpd_peername_lookup = no" \
	    "smtp_dns_support_level = disabled" \
	    "relayhost = [127.0.0.2]:$STACK_RELAY_PORT" \
	    "smtpd_banner = \$myhostname ESMTP $token" \
	    "smtpd_sasl_auth_enable = yes" \
	    "smtpd_sasl_type = dovecot" \
	    "smtpd_sasl_path = private/auth" \
	    "smtpd_relay_restrictions = check_sasl_access hash:$pc/sasl_access, permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination" \
	    >"$pc/main.cf" || return 1
	[ -z "$STACK_SINK_PORT$STACK_BOUNCE_PORT" ] ||
	    echo "transport_maps = hash:$pc/transport" >>"$pc/main.cf" ||
	    return 1
	_stack_postfix_cool "$pc" || return 1
	: >"$pc/sasl_access"
	postmap -c "$pc" "hash:$pc/sasl_access" || return 1
	if [ -n "$STACK_SINK_PORT$STACK_BOUNCE_PORT" ]; then
		: >"$pc/transport"
		[ -n "$STACK_SINK_PORT" ] &&
		for dom in ${STACK_SINK_DOMAINS:-sink.test}; do
			printf '%s smtp:[127.0.0.1]:%s\n.%s smtp:[127.0.0.1]:%s\n' \
			    "$dom" "$STACK_SINK_PORT" "$dom" "$STACK_SINK_PORT"
		done >>"$pc/transport"
		[ -n "$STACK_BOUNCE_PORT" ] &&
		for dom in ${STACK_BOUNCE_DOMAINS:-bounce.test}; do
			printf '%s smtp:[127.0.0.1]:%s\n.%s smtp:[127.0.0.1]:%s\n' \
			    "$dom" "$STACK_BOUNCE_PORT" "$dom" "$STACK_BOUNCE_PORT"
		done >>"$pc/transport"
		postmap -c "$pc" "hash:$pc/transport" || return 1
	fi
	# The listeners: two on high loopback ports.
	$pcf -M "127.0.0.1:$STACK_SMTP_PORT/inet = 127.0.0.1:$STACK_SMTP_PORT inet n - n - - smtpd" \
	    || return 1
	$pcf -M "127.0.0.1:$STACK_SUBMIT_PORT/inet = 127.0.0.1:$STACK_SUBMIT_PORT inet n - n - - smtpd -o syslog_name=postfix/submission -o smtpd_sasl_auth_enable=yes" \
	    || return 1
	_stack_postfix_cool "$pc"
}

# _stack_postfix_cool DIR: date DIR's main.cf and master.cf a minute back,
# so that no Postfix command waits for them to "cool down" (see above).
# A test that edits main.cf later (postconf -e) may call it too.
_stack_postfix_cool()
{
	touch -d '-1 minute' "$1/main.cf" "$1/master.cf"
}

# Write the Dovecot auth-only configuration and the user files into $d/dovecot.
_stack_dovecot_config()
{
	local d=$1 token=$2 dc=$1/dovecot u pw hash
	mkdir -p "$dc" "$dc/run" "$dc/state"
	: >"$dc/deny"
	: >"$d/users"
	cat >"$dc/dovecot.conf" <<EOF
# mailcon test stack: Dovecot as SASL server for Postfix only.
instance_name = $token
base_dir = $dc/run
state_dir = $dc/state
protocols =
log_path = $d/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
auth_failure_delay = 0
auth_cache_size = 0
EOF
	# With the deny passdb, every AUTH (good ones too) logs
	# "passwd-file(USER,IP): unknown user" for the deny lookup's miss.
	if [ "${STACK_DENY_PASSDB:-1}" = 1 ]; then
		cat >>"$dc/dovecot.conf" <<EOF
passdb {
  driver = passwd-file
  deny = yes
  args = $dc/deny
}
EOF
	fi
	cat >>"$dc/dovecot.conf" <<EOF
passdb {
  driver = passwd-file
  args = scheme=SHA512-CRYPT $dc/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}
service auth {
  unix_listener $d/spool/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
EOF
	# Dovecot delays AUTH from an address after failures there (auth
	# penalty, via anvil: about 4 s, then 8 s, up to 15 s).  Without the
	# anvil-auth-penalty socket the auth process silently skips it.
	if [ "${STACK_AUTH_PENALTY:-1}" = 0 ]; then
		cat >>"$dc/dovecot.conf" <<EOF
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
EOF
	fi
	: >"$dc/passwd.tmp"
	for u in ${STACK_USER_LIST:-$STACK_DEFAULT_USERS}; do
		pw="Pw-$u-$token"
		hash=$(printf '%s\n%s\n' "$pw" "$pw" |
		    doveadm -c "$dc/dovecot.conf" pw -s SHA512-CRYPT 2>/dev/null)
		case $hash in
		'{SHA512-CRYPT}$6$'*) ;;
		*) _stack_say "doveadm pw failed for $u"; return 1 ;;
		esac
		echo "$u@example.test:$hash::::::" >>"$dc/passwd.tmp"
		echo "$u@example.test $pw" >>"$d/users"
	done
	mv "$dc/passwd.tmp" "$dc/passwd"
	# The auth process runs as user dovecot and reads these.
	chmod 644 "$dc/passwd" "$dc/deny"
}

# _stack_sink_start DIR PORT [ARGS]: smtp-sink on PORT, recording its pid.
_stack_sink_start()
{
	local d=$1 port=$2
	shift 2
	smtp-sink -u nobody "$@" "127.0.0.1:$port" 256 \
	    </dev/null >/dev/null 2>&1 &
	echo "smtp-sink $!" >>"$d/stack.pids"
	_stack_wait 5 _stack_banner_has "$port" ESMTP
}

# _stack_env_file FILE VAR...: write "export VAR='value'" lines for the
# variables into FILE, which another shell can source (exim.sh too).
_stack_env_file()
{
	local f=$1 v
	shift
	: >"$f"
	for v in "$@"; do
		printf "export %s='%s'\n" "$v" "${!v}" >>"$f"
	done
}

# Write the exported variables to $d/stack.env.
_stack_write_env()
{
	_stack_env_file "$1/stack.env" STACK_DIR STACK_SUBMIT_PORT \
	    STACK_SMTP_PORT STACK_RELAY_PORT STACK_RELAY_HOST STACK_SINK_PORT \
	    STACK_BOUNCE_PORT STACK_POSTFIX_CONF STACK_QUEUE_DIR STACK_POSTFIX_LOG \
	    STACK_DOVECOT_LOG STACK_DOVECOT_CONF STACK_PASSWD STACK_DENY \
	    STACK_SASL_ACCESS STACK_USERS STACK_DOMAIN STACK_PIDS
}

# Start Postfix and Dovecot in DIR; on failure stop what started, return 1.
stack_start()
{
	local d token ports pid

	[ "$(id -u)" = 0 ] || { _stack_say "must run as root"; return 1; }
	[ -n "$1" ] || { _stack_say "usage: stack_start DIR"; return 1; }
	mkdir -p "$1" || return 1
	d=$(cd "$1" && pwd) || return 1
	if [ -s "$d/stack.pids" ]; then
		_stack_say "$d: a stack seems to run there (stack.pids)"
		return 1
	fi
	if [ "${#d}" -gt 60 ]; then
		_stack_say "$d: path too long for unix sockets (max 60)"
		return 1
	fi
	# Daemons running as postfix/dovecot must reach files in here.
	chmod 755 "$d"
	if ! python3 -c 'import os, sys; os.setgid(65534); os.setuid(65534)
sys.exit(not os.access(sys.argv[1], os.X_OK))' "$d"; then
		_stack_say "$d: the users postfix and dovecot cannot reach it (chmod 755 its parents; mktemp -d makes 0700)"
		return 1
	fi
	: >"$d/stack.pids"
	token="mailcon-test-$$-$RANDOM"

	ports=$(_stack_free_ports 127.0.0.1 4) || return 1
	set -- $ports
	STACK_SUBMIT_PORT=$1 STACK_SMTP_PORT=$2 STACK_SINK_PORT=
	STACK_BOUNCE_PORT=
	[ "${STACK_SINK:-0}" = 1 ] && STACK_SINK_PORT=$3
	[ "${STACK_BOUNCE:-0}" = 1 ] && STACK_BOUNCE_PORT=$4
	STACK_RELAY_PORT=$(_stack_free_ports 127.0.0.2 1) || return 1
	STACK_RELAY_HOST="[127.0.0.2]:$STACK_RELAY_PORT"
	STACK_DIR=$d
	STACK_POSTFIX_CONF=$d/postfix
	STACK_QUEUE_DIR=$d/spool
	STACK_POSTFIX_LOG=$d/postfix.log
	STACK_DOVECOT_LOG=$d/dovecot.log
	STACK_DOVECOT_CONF=$d/dovecot/dovecot.conf
	STACK_PASSWD=$d/dovecot/passwd
	STACK_DENY=$d/dovecot/deny
	STACK_SASL_ACCESS=$d/postfix/sasl_access
	STACK_USERS=$d/users
	STACK_DOMAIN=example.test
	STACK_PIDS=$d/stack.pids
	export STACK_DIR STACK_SUBMIT_PORT STACK_SMTP_PORT STACK_RELAY_PORT \
	    STACK_RELAY_HOST STACK_SINK_PORT STACK_BOUNCE_PORT \
	    STACK_POSTFIX_CONF STACK_QUEUE_DIR \
	    STACK_POSTFIX_LOG STACK_DOVECOT_LOG STACK_DOVECOT_CONF STACK_PASSWD \
	    STACK_DENY STACK_SASL_ACCESS STACK_USERS STACK_DOMAIN STACK_PIDS

	if ! _stack_postfix_config "$d" "$token" ||
	    ! _stack_dovecot_config "$d" "$token"; then
		_stack_say "writing the configuration in $d failed"
		return 1
	fi
	_stack_write_env "$d"

	if [ -n "$STACK_SINK_PORT" ] &&
	    ! _stack_sink_start "$d" "$STACK_SINK_PORT"; then
		_stack_say "smtp-sink did not start on port $STACK_SINK_PORT"
		stack_stop "$d"
		return 1
	fi
	if [ -n "$STACK_BOUNCE_PORT" ] &&
	    ! _stack_sink_start "$d" "$STACK_BOUNCE_PORT" -f RCPT; then
		_stack_say "smtp-sink -f RCPT did not start on port $STACK_BOUNCE_PORT"
		stack_stop "$d"
		return 1
	fi

	# Postfix first: it creates spool/private, where Dovecot puts the
	# auth socket.
	if ! postfix -c "$d/postfix" start </dev/null >"$d/postfix-start.out" 2>&1 ||
	    ! _stack_wait 10 test -s "$d/spool/pid/master.pid"; then
		_stack_say "postfix did not start; see $d/postfix-start.out:"
		cat "$d/postfix-start.out" >&2
		stack_stop "$d"
		return 1
	fi
	_stack_record_pidfile "$d" postfix-master "$d/spool/pid/master.pid"

	if ! dovecot -c "$d/dovecot/dovecot.conf" </dev/null >/dev/null 2>&1 ||
	    ! _stack_wait 10 test -s "$d/dovecot/run/master.pid"; then
		_stack_say "dovecot did not start; see $d/dovecot.log:"
		tail -n 20 "$d/dovecot.log" >&2
		stack_stop "$d"
		return 1
	fi
	_stack_record_pidfile "$d" dovecot-master "$d/dovecot/run/master.pid"

	if ! _stack_wait 10 test -S "$d/spool/private/auth" ||
	    ! _stack_wait 10 _stack_banner_has "$STACK_SUBMIT_PORT" "$token" ||
	    ! _stack_wait 10 _stack_banner_has "$STACK_SMTP_PORT" "$token"; then
		_stack_say "the stack in $d is not answering (ports $STACK_SUBMIT_PORT, $STACK_SMTP_PORT)"
		tail -n 20 "$d/postfix.log" "$d/dovecot.log" >&2
		stack_stop "$d"
		return 1
	fi
	return 0
}

# Print the pids of the children of the processes PID... (from /proc, no
# ps needed; read by the shell itself: a command per process of the
# machine costs seconds on a busy one).
_stack_children()
{
	local f line
	for f in /proc/[0-9]*/stat; do
		# Field 4 is the parent pid; field 2 (comm) may hold spaces.
		{ read -r line <"$f"; } 2>/dev/null || continue
		line=${line##*) }
		set -- $line
		echo "${f#/proc/} $2"
	done | awk -v want=" $* " '{ sub("/stat", "", $1) }
	    index(want, " " $2 " ") > 0 { print $1 }'
}

# stack_mailcon_server NAME: print a mailcon [server NAME] section for the
# running stack: its logs and every action key (suspend, reset, queue).
stack_mailcon_server()
{
	printf '[server %s]\n' "$1"
	printf 'logs = %s, %s\n' "$STACK_POSTFIX_LOG" "$STACK_DOVECOT_LOG"
	printf 'postfix_config = %s\n' "$STACK_POSTFIX_CONF"
	printf 'deny_file = %s\n' "$STACK_DENY"
	printf 'sasl_access_map = %s\n' "$STACK_SASL_ACCESS"
	printf 'passwd_file = %s\n' "$STACK_PASSWD"
	printf 'doveadm = doveadm -c %s\n' "$STACK_DOVECOT_CONF"
}

# _stack_term_wait TENTHS SAY PID...: wait up to TENTHS tenths of a second
# for the pids (already sent SIGTERM) to exit, then SIGKILL what is left,
# saying so through the caller's message function SAY (sshd.sh uses it too).
_stack_term_wait()
{
	local tenths=$1 say=$2 i pid left=
	shift 2
	for i in $(seq "$tenths"); do
		left=
		for pid in "$@"; do
			kill -0 "$pid" 2>/dev/null && left="$left $pid"
		done
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	"$say" "killing pids that ignored SIGTERM:$left"
	# shellcheck disable=SC2086
	kill -KILL $left 2>/dev/null
}

# Stop exactly the daemons stack_start recorded in DIR/stack.pids, and wait
# for them and their children (collected before the signal) to exit.
stack_stop()
{
	local d=$1
	[ -n "$d" ] && [ -f "$d/stack.pids" ] || return 0
	_stack_stop_recorded "$d/stack.pids" _stack_say \
	    postfix-master=master dovecot-master=dovecot smtp-sink=smtp-sink
}

# stack_test NAME: a test's start (see above).
stack_test()
{
	test_init "$1"
	S=$T/s
	_test_stops="$_test_stops stack_stop \"\$S\";"
}

# _stack_stop_recorded FILE SAY NAME=WHAT...: SIGTERM each "name pid" line
# of FILE whose name is listed and whose command line still holds WHAT,
# with the children it forked (collected before the signal); wait up to
# 10 s, then SIGKILL what is left of ours (saying so through SAY), reap
# those that are this shell's children, and empty FILE.  exim.sh uses it
# too.
_stack_stop_recorded()
{
	local file=$1 say=$2 name pid what map pids='' own=''
	shift 2
	[ -f "$file" ] || return 0
	while read -r name pid; do
		what=
		for map in "$@"; do
			[ "${map%%=*}" = "$name" ] && what=${map#*=}
		done
		[ -n "$what" ] && _stack_pid_is "$pid" "$what" || continue
		pids="$pids $pid $(_stack_children "$pid")"
		own="$own $pid"
		kill -TERM "$pid" 2>/dev/null
	done <"$file"
	# shellcheck disable=SC2086
	_stack_term_wait 100 "$say" $pids
	for pid in $own; do
		wait "$pid" 2>/dev/null
	done
	: >"$file"
	return 0
}
