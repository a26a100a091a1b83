# tests/integration/exim.sh: a real Exim (Debian 12's 4.96) on loopback,
# private to one directory.  Source it (bash), then:
#
#	exim_start DIR		# DIR: an empty or new directory
#	...
#	exim_stop DIR		# idempotent; safe from an EXIT trap
#
# A test of Exim starts with exim_test NAME (testlib.sh sourced):
# test_init NAME (testlib.sh), S=$T/x for exim_start, and the Exim of S
# stopped by the EXIT trap.
#
# Debian's exim4-daemon-heavy cannot be installed here: it is the system
# MTA and installing it removes Postfix (exim4-base too: exim_base_tool
# below gives its exipick, exiqgrep and eximstats).  So its package is fetched with
# `apt-get download` into a cache (EXIM_CACHE, default build/exim-pkg in
# the repository; kept between runs) and unpacked there with `dpkg-deb -x`;
# tests/deps.sh installs the libraries it links against.  The daemon runs
# as root with exim_user Debian-exim, a system user created when missing
# (and kept: a user is not a service).  It is started with its own
# configuration, spool and log directory (-C, -oX, -oY: no notifier
# socket, -oP: its pid file) and stopped by that pid, never by name.
#
# The configuration is a hosting server's in small: authenticated
# submission on 127.0.0.1:EXIM_PORT (no TLS) with two plaintext
# authenticators checking the fixed user list EXIM_USERS, named as cPanel
# names its Dovecot ones, so the log reads A=dovecot_plain:LOGIN for AUTH
# PLAIN and A=dovecot_login:LOGIN for AUTH LOGIN; relaying only after
# AUTH, unless the login is listed in DIR/refuse (EXIM_REFUSE: the ACL of
# README.md's "Exim", which mailcon's suspend fills); no DNS (no host
# lookups, no ident, routes by address).  Mail to
# EXIM_SINK_DOMAINS (default sink.test) and their subdomains goes to
# smtp-sink (delivered); all else to a closed port on 127.0.0.2, where it
# stays deferred (retry F,2h,15m) as spam to dead domains does; with
# EXIM_QUEUE_ONLY set, mail is queued and never tried (a big queue, fast:
# the benchmarks); with EXIM_SPLIT_SPOOL set, the spool is split
# (input/X/ID-H, X the id's sixth character).  The main log has every
# field mailcon reads:
#	log_selector = +incoming_port +incoming_interface +pid +millisec
#	    +subject +received_recipients +smtp_mailauth +smtp_connection
# (and +connection_id from Exim 4.97 on), in local time: Exim drops TZ
# from its environment, so the zone of the caller is set with the
# timezone option.
#
# After exim_start these are exported (and written to DIR/exim.env):
#	EXIM_DIR		DIR (absolute)
#	EXIM_BIN		the unpacked exim4 binary
#	EXIM_VERSION		its version ("4.96")
#	EXIM_CONF		the configuration: "$EXIM_BIN -C $EXIM_CONF -bp"
#	EXIM_PORT		SMTP with AUTH PLAIN and LOGIN, 127.0.0.1
#	EXIM_SINK_PORT		smtp-sink's port
#	EXIM_MAINLOG		the main log (DIR/log/mainlog)
#	EXIM_SPOOL		the spool directory
#	EXIM_USERS		"login password" per line: alice bob carol dave
#				grace ivan judy @example.test
#	EXIM_REFUSE		the lookup file of the RCPT ACL: a login
#				listed there has its mail refused (554)
#	EXIM_PIDS		"name pid" per line: what exim_start started
#
# Needs root, python3, smtp-sink (postfix), apt-get and dpkg-deb.

EXIM_DEFAULT_USERS="alice bob carol dave grace ivan judy"

# The port picker (_stack_free_ports), the waiting and killing helpers
# are stack.sh's.
. "$(dirname "${BASH_SOURCE[0]}")/stack.sh"

# Log a harness message on stderr.
_exim_say()
{
	echo "exim: $*" >&2
}

# Print the package cache (EXIM_CACHE, default build/exim-pkg of the
# repository), created, readable by apt's _apt.
_exim_cache()
{
	local root cache
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd) || return 1
	cache=${EXIM_CACHE:-$root/build/exim-pkg}
	mkdir -p "$cache" && chmod 755 "$cache" && echo "$cache"
}

# Print the newest PKG_*.deb in the cache, fetching it with apt-get
# download when there is none.
_exim_fetch()
{
	local cache
	cache=$(_exim_cache) || return 1
	if ! ls "$cache/$1"_*.deb >/dev/null 2>&1; then
		# apt fetches as _apt when it can write there; root otherwise;
		# the package lists may be missing on a fresh machine
		if ! (cd "$cache" && apt-get download "$1" \
		    >"$cache/download-$1.log" 2>&1) &&
		    ! (apt-get update -q && cd "$cache" &&
		    apt-get download "$1") \
		    >>"$cache/download-$1.log" 2>&1; then
			_exim_say "apt-get download $1 failed in $cache" \
			    "(see $cache/download-$1.log)"
			return 1
		fi
	fi
	ls -t "$cache/$1"_*.deb | head -n 1
}

# Print the unpacked exim4 binary, fetching and unpacking the package into
# the cache when it is not there yet.
_exim_binary()
{
	local cache deb
	cache=$(_exim_cache) || return 1
	if [ ! -x "$cache/root/usr/sbin/exim4" ]; then
		rm -rf "$cache/root"
		deb=$(_exim_fetch exim4-daemon-heavy) || return 1
		if ! dpkg-deb -x "$deb" "$cache/root"; then
			_exim_say "dpkg-deb -x $deb failed"
			return 1
		fi
	fi
	echo "$cache/root/usr/sbin/exim4"
}

# exim_base_tool NAME: print Exim's own tool NAME (exipick, exiqgrep or
# eximstats, Perl scripts needing only perl's core modules) from Debian's
# exim4-base, which cannot be installed either (it would make Exim the
# system MTA): only the tools are unpacked, into the cache's base/ (not
# the package's /etc: build/ must hold no directory named *.d, which the
# Makefile takes for dependency files).  They name /usr/sbin/exim4, which
# is not here: give them the unpacked binary (exiqgrep -E) or the spool
# (exipick --spool).
exim_base_tool()
{
	local cache deb
	cache=$(_exim_cache) || return 1
	if [ ! -x "$cache/base/usr/sbin/$1" ]; then
		deb=$(_exim_fetch exim4-base) || return 1
		rm -rf "$cache/base"
		mkdir -p "$cache/base" || return 1
		if ! dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$cache/base" \
		    ./usr/sbin/exipick ./usr/sbin/exiqgrep ./usr/sbin/eximstats
		then
			_exim_say "cannot unpack the tools of $deb"
			return 1
		fi
	fi
	[ -x "$cache/base/usr/sbin/$1" ] ||
	    { _exim_say "no $1 in exim4-base"; return 1; }
	echo "$cache/base/usr/sbin/$1"
}

# Create the system user Exim runs deliveries as, when missing.
_exim_user()
{
	getent passwd Debian-exim >/dev/null && return 0
	users_locked adduser --system --group --no-create-home \
	    --allow-bad-names Debian-exim >/dev/null 2>&1 ||
	    { _exim_say "cannot create the user Debian-exim"; return 1; }
}

# Write the configuration and the user list into $d.
_exim_config()
{
	local d=$1 token=$2 u dom routes=''
	: >"$d/passwd.tmp"
	: >"$d/users"
	for u in ${EXIM_USER_LIST:-$EXIM_DEFAULT_USERS}; do
		echo "$u@example.test: Pw-$u-$token" >>"$d/passwd.tmp"
		echo "$u@example.test Pw-$u-$token" >>"$d/users"
	done
	mv "$d/passwd.tmp" "$d/passwd"
	# the logins whose mail the RCPT ACL refuses (mailcon's
	# exim_refuse_file), empty; Exim's user must read it
	: >"$d/refuse"
	chmod 644 "$d/refuse"
	# With -C the SMTP sessions run as Debian-exim, which must read the
	# passwords; no one else may.
	chown root:Debian-exim "$d/passwd" && chmod 640 "$d/passwd"
	for dom in ${EXIM_SINK_DOMAINS:-sink.test}; do
		routes="${routes:+$routes : }$dom : *.$dom"
	done
	cat >"$d/exim.conf" <<EOF
# mailcon test Exim ($token): authenticated submission on loopback.
exim_path = $EXIM_BIN
spool_directory = $d/spool
log_file_path = $d/log/%slog
exim_user = Debian-exim
exim_group = Debian-exim
keep_environment =
timezone = ${TZ:-UTC}
primary_hostname = mx.example.test
qualify_domain = example.test
local_interfaces = <; 127.0.0.1
host_lookup =
rfc1413_hosts =
tls_advertise_hosts =
smtp_banner = \$smtp_active_hostname ESMTP $token
smtp_accept_max = 200
smtp_accept_queue_per_connection = 0
${EXIM_QUEUE_ONLY:+queue_only = true}
${EXIM_SPLIT_SPOOL:+split_spool_directory = true}
log_selector = +incoming_port +incoming_interface +pid +millisec \\
  +subject +received_recipients +smtp_mailauth +smtp_connection +smtp_no_mail$EXIM_SELECTOR_EXTRA
acl_smtp_rcpt = acl_rcpt

begin acl
acl_rcpt:
  # an ACL variable a client fills (its recipient's local part, "=" a
  # newline, "+" a space, "%" an "@"), kept in the -H spool file: the
  # lines it makes there are the value's, never flags (test_exim_act)
  warn    set acl_m_note = \${tr{\$local_part}{=+%}{\n @}}
  deny    authenticated = *
          condition = \${lookup{\$authenticated_id}lsearch{$d/refuse}{yes}{no}}
          message = 5.7.1 account suspended
  accept  authenticated = *
  deny    message = relay not permitted

begin routers
sink:
  driver = manualroute
  domains = $routes
  transport = remote_smtp
  route_list = * 127.0.0.1::$EXIM_SINK_PORT
  self = send
dead:
  driver = manualroute
  transport = remote_smtp
  route_list = * 127.0.0.2::$EXIM_DEAD_PORT
  self = send

begin transports
remote_smtp:
  driver = smtp
  allow_localhost

begin retry
*  *  F,2h,15m

begin authenticators
dovecot_plain:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = \${if and{{!eq{\$auth3}{}} \\
    {eq{\$auth3}{\${lookup{\$auth2}lsearch{$d/passwd}}}}}}
  server_set_id = \$auth2
dovecot_login:
  driver = plaintext
  public_name = LOGIN
  server_prompts = <| Username: | Password:
  server_condition = \${if and{{!eq{\$auth2}{}} \\
    {eq{\$auth2}{\${lookup{\$auth1}lsearch{$d/passwd}}}}}}
  server_set_id = \$auth1
EOF
}

# Start Exim (and its smtp-sink) in DIR; on failure stop what started.
exim_start()
{
	local d token ports missing
	[ "$(id -u)" = 0 ] || { _exim_say "must run as root"; return 1; }
	[ -n "$1" ] || { _exim_say "usage: exim_start DIR"; return 1; }
	mkdir -p "$1" || return 1
	d=$(cd "$1" && pwd) || return 1
	if [ -s "$d/exim.pids" ]; then
		_exim_say "$d: an Exim seems to run there (exim.pids)"
		return 1
	fi
	EXIM_BIN=$(_exim_binary) || return 1
	missing=$(ldd "$EXIM_BIN" 2>&1 | awk '/not found/ { print $1 }')
	if [ -n "$missing" ]; then
		_exim_say "$EXIM_BIN lacks" $missing "(run tests/deps.sh)"
		return 1
	fi
	_exim_user || return 1
	chmod 755 "$d"
	if ! python3 -c 'import os, sys, pwd
pw = pwd.getpwnam("Debian-exim")
os.setgid(pw.pw_gid); os.setuid(pw.pw_uid)
sys.exit(not os.access(sys.argv[1], os.X_OK))' "$d"; then
		_exim_say "$d: Debian-exim cannot reach it (chmod 755 its parents; mktemp -d makes 0700)"
		return 1
	fi
	: >"$d/exim.pids"
	token="mailcon-exim-$$-$RANDOM"
	ports=$(_stack_free_ports 127.0.0.1 2) || return 1
	set -- $ports
	EXIM_PORT=$1 EXIM_SINK_PORT=$2
	EXIM_DEAD_PORT=$(_stack_free_ports 127.0.0.2 1) || return 1
	EXIM_DIR=$d
	EXIM_CONF=$d/exim.conf
	EXIM_MAINLOG=$d/log/mainlog
	EXIM_SPOOL=$d/spool
	EXIM_USERS=$d/users
	EXIM_REFUSE=$d/refuse
	EXIM_PIDS=$d/exim.pids
	EXIM_VERSION=$("$EXIM_BIN" -C /dev/null -bV 2>/dev/null |
	    sed -n 's/^Exim version \([0-9.]*\) .*/\1/p')
	EXIM_SELECTOR_EXTRA=
	case $EXIM_VERSION in
	4.9[0-6]|4.9[0-6].*|4.[0-8]*) ;;
	*) EXIM_SELECTOR_EXTRA=" +connection_id" ;;
	esac
	export EXIM_DIR EXIM_BIN EXIM_VERSION EXIM_CONF EXIM_PORT \
	    EXIM_SINK_PORT EXIM_MAINLOG EXIM_SPOOL EXIM_USERS EXIM_REFUSE \
	    EXIM_PIDS
	mkdir -p "$d/spool" "$d/log" || return 1
	chown Debian-exim:Debian-exim "$d/spool" "$d/log" || return 1
	_exim_config "$d" "$token" || return 1
	_stack_env_file "$d/exim.env" EXIM_DIR EXIM_BIN EXIM_VERSION EXIM_CONF \
	    EXIM_PORT EXIM_SINK_PORT EXIM_MAINLOG EXIM_SPOOL EXIM_USERS \
	    EXIM_REFUSE EXIM_PIDS

	smtp-sink -u nobody "127.0.0.1:$EXIM_SINK_PORT" 256 \
	    </dev/null >/dev/null 2>&1 &
	echo "smtp-sink $!" >>"$d/exim.pids"
	if ! _stack_wait 30 _stack_banner_has "$EXIM_SINK_PORT" ESMTP; then
		_exim_say "smtp-sink did not start on port $EXIM_SINK_PORT"
		exim_stop "$d"
		return 1
	fi
	if ! "$EXIM_BIN" -C "$EXIM_CONF" -bd -oX "$EXIM_PORT" -oY \
	    -oP "$d/exim.pid" </dev/null >"$d/exim-start.out" 2>&1 ||
	    ! _stack_wait 30 test -s "$d/exim.pid"; then
		_exim_say "exim did not start; see $d/exim-start.out and $d/log:"
		cat "$d/exim-start.out" "$d/log/paniclog" 2>/dev/null >&2
		exim_stop "$d"
		return 1
	fi
	echo "exim $(tr -dc '0-9' <"$d/exim.pid")" >>"$d/exim.pids"
	if ! _stack_wait 30 _stack_banner_has "$EXIM_PORT" "$token"; then
		_exim_say "exim in $d is not answering on port $EXIM_PORT"
		tail -n 20 "$d/log/mainlog" "$d/log/paniclog" >&2 2>/dev/null
		exim_stop "$d"
		return 1
	fi
	return 0
}

# Stop exactly what exim_start recorded in DIR/exim.pids, with the
# children the daemon forked (deliveries, SMTP sessions), and wait.
exim_stop()
{
	[ -n "$1" ] && [ -f "$1/exim.pids" ] || return 0
	_stack_stop_recorded "$1/exim.pids" _exim_say exim=exim4 \
	    smtp-sink=smtp-sink
}

# exim_test NAME: a test's start (see above).
exim_test()
{
	test_init "$1"
	S=$T/x
	_test_stops="$_test_stops exim_stop \"\$S\";"
}

# exim_queue_state: "ID frozen|active" per message exim -bp lists, sorted.
exim_queue_state()
{
	"$EXIM_BIN" -C "$EXIM_CONF" -bp | awk '
	    /^ *[0-9]+[smhdw] / {
		f = ($0 ~ /\*\*\* frozen \*\*\*$/) ? "frozen" : "active"
		for (i = 1; i <= NF; i++)
			if ($i ~ /^[0-9A-Za-z]+-[0-9A-Za-z]+-[0-9A-Za-z]+$/)
				print $i, f
	    }' | sort
}

# exim_ids_of LOGIN: the ids mailgen queued for LOGIN ($T/qids), sorted.
exim_ids_of() { awk -v u="$1" '$2 == u { print $1 }' "$T/qids" | sort; }

# exim_mailcon_server NAME [KEY=VALUE...]: print a mailcon [server NAME]
# section for the running Exim (like stack.sh's stack_mailcon_server):
# its main log, backend exim, the binary, configuration and spool, the
# refuse file of its ACL, and exipick when EXIPICK is set (exim_base_tool),
# then each KEY=VALUE: one that names a key above replaces its value (an
# empty VALUE drops the key), others are added in their order.
exim_mailcon_server()
{
	local name=$1 kv k v i found
	local -a keys=(logs backend exim_command exim_config exim_spool
	    exipick exim_refuse_file)
	# (a test of the spool alone runs no Exim: it gives its own)
	local -a vals=("${EXIM_MAINLOG:-}" exim "${EXIM_BIN:-}"
	    "${EXIM_CONF:-}" "${EXIM_SPOOL:-}" "${EXIPICK:-}"
	    "${EXIM_REFUSE:-}")
	shift
	for kv; do
		k=${kv%%=*} v=${kv#*=}
		[ "$k" != "$kv" ] && [ -n "$k" ] ||
		    { _exim_say "exim_mailcon_server: not KEY=VALUE: $kv"; return 1; }
		found=
		for i in "${!keys[@]}"; do
			[ "${keys[$i]}" = "$k" ] && { vals[$i]=$v found=1; break; }
		done
		[ -n "$found" ] || { keys+=("$k"); vals+=("$v"); }
	done
	printf '[server %s]\n' "$name"
	for i in "${!keys[@]}"; do
		[ -n "${vals[$i]}" ] && printf '%s = %s\n' "${keys[$i]}" "${vals[$i]}"
	done
	return 0
}
