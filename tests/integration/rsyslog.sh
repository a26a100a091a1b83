# tests/integration/rsyslog.sh: a real rsyslog as a central log host on
# loopback, private to one directory, and rsyslog relays that ship a
# server's mail log to it, as a hosting provider's servers do.  Source it
# (bash), then:
#
#	rsyslog_start DIR		# the central host (imtcp, 127.0.0.1)
#	rsyslog_relay DIR NAME LOG	# server NAME's rsyslog: reads LOG
#					# (imfile), forwards over TCP
#	rsyslog_restart DIR		# stop and start the central host on
#					# the same port (a restart mid-stream)
#	...
#	rsyslog_stop DIR		# idempotent; safe from an EXIT trap
#
# Debian's rsyslog starts no daemon by itself on these machines (no init)
# and makes no /dev/log: each rsyslogd here runs with its own config, work
# directory and pid file (-f, -i), in the foreground (-n) under this shell,
# and is stopped by its recorded pid, never by name.
#
# The central host receives RFC 5424 and RFC 3164 frames over TCP
# (LF-terminated or octet-counted) and writes every message three ways, as
# the templates people use do:
#	RSYSLOG_ALL	one file for all hosts, RFC 3339 high-precision stamps
#			("2026-12-06T11:34:05.123456+00:00 mx07 postfix/smtpd[42]: ...")
#	RSYSLOG_CLASSIC	the same lines with classic stamps ("Dec  6 11:34:05")
#	RSYSLOG_HOSTS	a directory with one file per HOSTNAME (NAME.log), the
#			name made safe for a path by rsyslog (secpath-replace)
# (with RSYSLOG_ONLY_ALL=1 only the first: the benchmark measures rsyslog's
# pace writing one file, as a log host set up for mailcon does)
# HOSTNAME is kept as the sender wrote it: a relay sets its own
# (localHostname), and tests/integration/syslogsend.py poses as any host,
# forged or hostile ones included.  The tag is written as
# %programname%[%procid%]: (RFC 5424's %syslogtag% has no colon), with
# slashes allowed in program names (postfix/smtpd).
#
# A relay is a second rsyslogd posing as server NAME: imfile follows LOG
# (Postfix's maillog_file, say) from its start and forwards each line over
# TCP as an RFC 3164 frame from NAME, the line's own stamp and host field
# replaced by the relay's (imfile's lines are local: rsyslog would not take
# a host field from them), through omfwd with a disk-assisted queue, so a
# restart of the central host loses nothing: it retries every second.
#
# After rsyslog_start these are exported (and written to DIR/rsyslog.env):
#	RSYSLOG_DIR	DIR (absolute)
#	RSYSLOG_PORT	the central host's TCP port on 127.0.0.1
#	RSYSLOG_ALL, RSYSLOG_CLASSIC, RSYSLOG_HOSTS	see above
#	RSYSLOG_PIDS	"name pid" per line: every rsyslogd started
#
# Needs root (rsyslogd drops nothing here, but reads any LOG) and python3.

# The port picker and the waiting and stopping helpers are stack.sh's.
. "$(dirname "${BASH_SOURCE[0]}")/stack.sh"

# Log a harness message on stderr.
_rsyslog_say()
{
	echo "rsyslog: $*" >&2
}

# Write the central host's configuration for $1 (DIR) and port $2.
_rsyslog_central_conf()
{
	local d=$1 port=$2
	mkdir -p "$d/central" "$d/hosts" || return 1
	cat >"$d/central/rsyslog.conf" <<EOF
# mailcon test central log host (tests/integration/rsyslog.sh)
global(workDirectory="$d/central" maxMessageSize="64k"
    parser.permitSlashInProgramName="on")
module(load="imtcp" maxSessions="2000")
input(type="imtcp" address="127.0.0.1" port="$port" ruleset="central"
    supportOctetCountedFraming="on")
template(name="rfc3339" type="string"
    string="%TIMESTAMP:::date-rfc3339% %HOSTNAME% %programname%[%procid%]:%msg:::sp-if-no-1st-sp%%msg:::drop-last-lf%\n")
template(name="classic" type="string"
    string="%TIMESTAMP% %HOSTNAME% %programname%[%procid%]:%msg:::sp-if-no-1st-sp%%msg:::drop-last-lf%\n")
template(name="perhost" type="string"
    string="$d/hosts/%HOSTNAME:::secpath-replace%.log")
ruleset(name="central") {
	action(type="omfile" file="$d/all.log" template="rfc3339")
EOF
	# the benchmark wants rsyslog's pace with one file, as a log host
	# for mailcon is set up; the tests want all three
	[ "${RSYSLOG_ONLY_ALL:-0}" = 1 ] || cat >>"$d/central/rsyslog.conf" <<EOF
	action(type="omfile" file="$d/classic.log" template="classic")
	action(type="omfile" dynaFile="perhost" template="rfc3339")
EOF
	echo "}" >>"$d/central/rsyslog.conf"
}

# Start the central rsyslogd of $1 (config written); record its pid.
_rsyslog_central_run()
{
	local d=$1 pid
	rm -f "$d/central/rsyslogd.pid"
	rsyslogd -n -f "$d/central/rsyslog.conf" -i "$d/central/rsyslogd.pid" \
	    </dev/null >>"$d/central/rsyslogd.out" 2>&1 &
	pid=$!
	echo "central $pid" >>"$d/rsyslog.pids"
	if ! _stack_wait 10 _rsyslog_listens "$RSYSLOG_PORT"; then
		_rsyslog_say "the central rsyslogd is not listening on" \
		    "$RSYSLOG_PORT; see $d/central/rsyslogd.out:"
		tail -n 5 "$d/central/rsyslogd.out" >&2
		return 1
	fi
}

# Does something accept TCP connections on 127.0.0.1:PORT?
_rsyslog_listens()
{
	{ exec 9<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
	exec 9<&- 9>&-
}

# Start the central host in DIR; on failure stop what started, return 1.
rsyslog_start()
{
	local d
	[ "$(id -u)" = 0 ] || { _rsyslog_say "must run as root"; return 1; }
	[ -n "$1" ] || { _rsyslog_say "usage: rsyslog_start DIR"; return 1; }
	command -v rsyslogd >/dev/null ||
	    { _rsyslog_say "no rsyslogd (apt-get install rsyslog)"; return 1; }
	mkdir -p "$1" || return 1
	d=$(cd "$1" && pwd) || return 1
	if [ -s "$d/rsyslog.pids" ]; then
		_rsyslog_say "$d: rsyslog seems to run there (rsyslog.pids)"
		return 1
	fi
	: >"$d/rsyslog.pids"
	RSYSLOG_DIR=$d
	RSYSLOG_PORT=$(_stack_free_ports 127.0.0.1 1) || return 1
	RSYSLOG_ALL=$d/all.log
	RSYSLOG_CLASSIC=$d/classic.log
	RSYSLOG_HOSTS=$d/hosts
	RSYSLOG_PIDS=$d/rsyslog.pids
	export RSYSLOG_DIR RSYSLOG_PORT RSYSLOG_ALL RSYSLOG_CLASSIC \
	    RSYSLOG_HOSTS RSYSLOG_PIDS
	_stack_env_file "$d/rsyslog.env" RSYSLOG_DIR RSYSLOG_PORT \
	    RSYSLOG_ALL RSYSLOG_CLASSIC RSYSLOG_HOSTS RSYSLOG_PIDS
	_rsyslog_central_conf "$d" "$RSYSLOG_PORT" || return 1
	_rsyslog_central_run "$d" || { rsyslog_stop "$d"; return 1; }
}

# rsyslog_relay DIR NAME LOG: server NAME's own rsyslog, shipping LOG's
# lines (from its first) to the central host of DIR as host NAME.
rsyslog_relay()
{
	local d=$1 name=$2 log=$3 r pid
	case $name in
	''|*[!A-Za-z0-9.-]*) _rsyslog_say "relay: bad name '$name'"; return 1 ;;
	esac
	r=$d/relay-$name
	mkdir -p "$r" || return 1
	cat >"$r/rsyslog.conf" <<EOF
# mailcon test relay $name (tests/integration/rsyslog.sh)
global(workDirectory="$r" localHostname="$name"
    parser.permitSlashInProgramName="on")
module(load="imfile" mode="polling" pollingInterval="1")
input(type="imfile" file="$log" tag="maillog" freshStartTail="off"
    ruleset="ship")
# The line's own "MMM dd hh:mm:ss host " goes; the rest ("postfix/smtpd[1]:
# ...") is the message the central host parses, HOSTNAME ours.
template(name="ship" type="string"
    string="<22>%TIMESTAMP% %HOSTNAME% %msg:R,ERE,1,DFLT:^[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} [^ ]+ (.*)\$--end%\n")
ruleset(name="ship") {
	action(type="omfwd" target="127.0.0.1" port="$RSYSLOG_PORT"
	    protocol="tcp" template="ship"
	    queue.type="LinkedList" queue.filename="ship"
	    queue.saveOnShutdown="on" action.resumeRetryCount="-1"
	    action.resumeInterval="1")
}
EOF
	rsyslogd -n -f "$r/rsyslog.conf" -i "$r/rsyslogd.pid" \
	    </dev/null >>"$r/rsyslogd.out" 2>&1 &
	pid=$!
	echo "relay-$name $pid" >>"$d/rsyslog.pids"
	sleep 0.2
	kill -0 "$pid" 2>/dev/null || {
		_rsyslog_say "relay $name did not start; see $r/rsyslogd.out:"
		tail -n 5 "$r/rsyslogd.out" >&2
		return 1
	}
}

# Stop the central host of DIR and start it again on the same port.
rsyslog_restart()
{
	local d=$1
	_stack_stop_recorded_some "$d/rsyslog.pids" central
	_rsyslog_central_run "$d"
}

# Stop exactly the rsyslogds recorded in DIR/rsyslog.pids.
rsyslog_stop()
{
	local d=$1 names
	[ -n "$d" ] && [ -f "$d/rsyslog.pids" ] || return 0
	names=$(awk '{ print $1 "=rsyslogd" }' "$d/rsyslog.pids" | sort -u)
	# shellcheck disable=SC2086
	_stack_stop_recorded "$d/rsyslog.pids" _rsyslog_say $names
}

# _stack_stop_recorded_some FILE NAME: stop the rsyslogd recorded as NAME
# in FILE and drop its line, keeping the others.
_stack_stop_recorded_some()
{
	local file=$1 want=$2 keep
	keep=$(grep -v "^$want " "$file")
	grep "^$want " "$file" >"$file.one"
	_stack_stop_recorded "$file.one" _rsyslog_say "$want=rsyslogd"
	rm -f "$file.one"
	printf '%s\n' "$keep" | sed '/^$/d' >"$file"
}
