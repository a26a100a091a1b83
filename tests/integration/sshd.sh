# tests/integration/sshd.sh: real OpenSSH servers on loopback for the SSH
# transport's tests, private to one directory.  Source it (bash), then:
#
#	sshd_start DIR [N]	# N instances (default 1)
#	...
#	sshd_stop DIR		# idempotent; safe from an EXIT trap
#
# SSHD_EXTRA, when set, is appended to every instance's sshd_config (a
# ForceCommand that misbehaves, for the bad-input tests).
# SSHD_WRAP, when set, is a command (words) that sshd is started under,
# which must end by running its arguments: a private mount namespace that
# makes the host look like another mail server (test_exim_fleet.sh).
#
# Each instance listens on 127.0.0.1 at a high port picked at run time, has
# its own host keys (ed25519 and ecdsa), config and log in DIR/sN/, and lets
# SSHD_USER (and other test logins) in with the client key only
# (PasswordAuthentication no, UsePAM no), never root (PermitRootLogin no,
# DenyUsers root): no test may depend on root's login shell or dotfiles,
# and test_ssh_user.sh checks that a root login is refused.  MaxStartups
# and MaxSessions are high, so one instance takes 50 sessions at once.
# Must run as root: sshd needs it for privilege separation.
#
# After sshd_start these are exported (and written to DIR/sshd.env):
#	SSHD_DIR		DIR (absolute)
#	SSHD_PORTS		the ports, one per instance, in order
#	SSHD_PORT		the first instance's port
#	SSHD_KEY		the client's private key (ed25519, no passphrase);
#				SSHD_KEY.pub is its public key
#	SSHD_KNOWN_HOSTS	known_hosts with "[127.0.0.1]:PORT" entries for
#				every host key of every instance
#	SSHD_PIDS		file "sshd-N pid" per line: every listener started
#	SSHD_LOG		the first instance's log (DIR/s1/sshd.log)
#	SSHD_USER		"mailcon-ssh", a system user whose login shell
#				is /bin/sh and home /: every SSH test logs in
#				as it, so no shell start-up file runs (root's
#				~/.bashrc on a tester's machine may run
#				`pyenv init`, which serialises concurrent
#				logins, or print on stderr).  Created when
#				missing and kept: a user is not a service.  It
#				can read what others can: give its logs mode
#				644 in directories of mode 755; what needs
#				root goes through sudo = yes and a sudoers
#				entry of the test's own.
#
# Also:
#	sshd_session_tree PID...	# the session processes given and their
#				# sshd descendants: what to SIGKILL to cut a
#				# connection (a login other than root has an
#				# unprivileged child that serves it on when
#				# only its monitor dies)
#	sshd_build_driver OUT	# ssh_driver.c built as OUT against the
#				# libmailcon.a next to $MAILCON, else build/
#
# Only the listeners' pids are recorded; sshd_stop signals exactly those and
# the session processes they forked (found under them in /proc).

# The port picker (_stack_free_ports) is stack.sh's.
. "$(dirname "${BASH_SOURCE[0]}")/stack.sh"

# Log a harness message on stderr.
_sshd_say()
{
	echo "sshd: $*" >&2
}

# Is PID alive and an sshd?
_sshd_pid_is_sshd()
{
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
	tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q sshd
}

# Print the pids whose parent is one of the pids given (from /proc in one
# pass, no ps needed: 50 listeners are checked at once).
_sshd_children()
{
	_stack_children "$@"
}

# Does 127.0.0.1:PORT greet with an SSH banner?
_sshd_answers()
{
	local line
	{ exec 9<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
	IFS= read -r -t 2 line <&9
	exec 9<&- 9>&-
	case $line in SSH-2.0-*) return 0 ;; esac
	return 1
}

# Make the system user NAME (login shell /bin/sh, home /) when missing.
_sshd_user()
{
	if ! getent passwd "$1" >/dev/null; then
		users_locked useradd --system --no-create-home \
		    --home-dir / --shell /bin/sh \
		    --comment "mailcon tests (tests/integration/sshd.sh)" \
		    "$1" 2>/dev/null || getent passwd "$1" >/dev/null ||
		    { _sshd_say "cannot create the user $1"; return 1; }
	fi
	# (another test may have made it meanwhile: then it is there.)
	# useradd locks the password ("!"), and without PAM sshd refuses a
	# locked account even for a key; "*" is no password, not locked.
	users_locked usermod -p '*' "$1" || { _sshd_say "cannot unlock the user $1"; return 1; }
}

# Write instance I's host keys and config into $d/sI for PORT.
_sshd_config()
{
	local d=$1 i=$2 port=$3 s=$1/s$2
	mkdir -p "$s" || return 1
	ssh-keygen -q -t ed25519 -N '' -C "s$i" -f "$s/host_ed25519" || return 1
	ssh-keygen -q -t ecdsa -b 256 -N '' -C "s$i" -f "$s/host_ecdsa" ||
	    return 1
	cat >"$s/sshd_config" <<EOF
# mailcon test sshd $i (tests/integration/sshd.sh)
Port $port
ListenAddress 127.0.0.1
HostKey $s/host_ed25519
HostKey $s/host_ecdsa
PidFile $s/sshd.pid
AuthorizedKeysFile $d/authorized_keys
PermitRootLogin no
DenyUsers root
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
LoginGraceTime 10
MaxStartups 200
MaxSessions 100
MaxAuthTries 6
ClientAliveInterval 0
PrintMotd no
PrintLastLog no
Subsystem sftp internal-sftp
LogLevel VERBOSE
${SSHD_EXTRA:-}
EOF
	{
		printf '[127.0.0.1]:%s ' "$port"
		cut -d' ' -f1-2 "$s/host_ed25519.pub"
		printf '[127.0.0.1]:%s ' "$port"
		cut -d' ' -f1-2 "$s/host_ecdsa.pub"
	} >>"$d/known_hosts"
}

# Write the exported variables to $d/sshd.env.
_sshd_write_env()
{
	local v
	: >"$1/sshd.env"
	for v in SSHD_DIR SSHD_PORTS SSHD_PORT SSHD_KEY SSHD_KNOWN_HOSTS \
	    SSHD_PIDS SSHD_LOG SSHD_USER; do
		printf "export %s='%s'\n" "$v" "${!v}" >>"$1/sshd.env"
	done
}

# Start N sshd instances in DIR; on failure stop what started, return 1.
sshd_start()
{
	local d n=${2:-1} ports i port pid

	[ "$(id -u)" = 0 ] || { _sshd_say "must run as root"; return 1; }
	[ -n "$1" ] || { _sshd_say "usage: sshd_start DIR [N]"; return 1; }
	mkdir -p "$1" || return 1
	d=$(cd "$1" && pwd) || return 1
	if [ -s "$d/sshd.pids" ]; then
		_sshd_say "$d: sshd seems to run there (sshd.pids)"
		return 1
	fi
	# sshd insists on this directory for privilege separation.
	mkdir -p /run/sshd && chmod 755 /run/sshd || return 1
	: >"$d/sshd.pids"
	: >"$d/known_hosts"
	rm -f "$d/client_ed25519" "$d/client_ed25519.pub"
	ssh-keygen -q -t ed25519 -N '' -C mailcon-test -f "$d/client_ed25519" ||
	    return 1
	cp "$d/client_ed25519.pub" "$d/authorized_keys"
	# sshd reads it as the user logging in: SSHD_USER must reach it.
	chmod 755 "$d" && chmod 644 "$d/authorized_keys" || return 1

	ports=$(_stack_free_ports 127.0.0.1 "$n") || return 1
	SSHD_DIR=$d
	SSHD_PORTS=$ports
	SSHD_PORT=${ports%% *}
	SSHD_KEY=$d/client_ed25519
	SSHD_KNOWN_HOSTS=$d/known_hosts
	SSHD_PIDS=$d/sshd.pids
	SSHD_LOG=$d/s1/sshd.log
	SSHD_USER=mailcon-ssh
	export SSHD_DIR SSHD_PORTS SSHD_PORT SSHD_KEY SSHD_KNOWN_HOSTS \
	    SSHD_PIDS SSHD_LOG SSHD_USER
	_sshd_user "$SSHD_USER" || return 1

	# Write every config first, then start them all, then wait: 50
	# instances start in about a second this way.
	i=0
	for port in $ports; do
		i=$((i + 1))
		_sshd_config "$d" "$i" "$port" || {
			_sshd_say "writing instance $i's config failed"
			return 1
		}
	done
	_sshd_write_env "$d"
	i=0
	for port in $ports; do
		i=$((i + 1))
		if ! ${SSHD_WRAP:-} /usr/sbin/sshd -f "$d/s$i/sshd_config" \
		    -E "$d/s$i/sshd.log" </dev/null >/dev/null 2>&1; then
			_sshd_say "sshd $i did not start; see $d/s$i/sshd.log:"
			tail -n 5 "$d/s$i/sshd.log" >&2
			sshd_stop "$d"
			return 1
		fi
	done
	i=0
	for port in $ports; do
		i=$((i + 1))
		pid=
		for _ in $(seq 100); do
			pid=$(tr -dc '0-9' 2>/dev/null <"$d/s$i/sshd.pid")
			[ -n "$pid" ] && break
			sleep 0.05
		done
		if [ -z "$pid" ]; then
			_sshd_say "sshd $i wrote no pid file; see $d/s$i/sshd.log"
			sshd_stop "$d"
			return 1
		fi
		echo "sshd-$i $pid" >>"$d/sshd.pids"
		for _ in $(seq 100); do
			_sshd_answers "$port" && break
			sleep 0.05
		done
		if ! _sshd_answers "$port"; then
			_sshd_say "sshd $i is not answering on port $port"
			sshd_stop "$d"
			return 1
		fi
	done
	return 0
}

# Print the pids of the sshd processes of the sessions under PID...: the
# listeners' children and their sshd descendants (for a login other than
# root, a privileged monitor and the user's own sshd under it, which
# carries the connection: killing the monitor alone leaves it open).
_sshd_session_tree()
{
	local kids
	kids=$(_sshd_children "$@")
	[ -n "$kids" ] && sshd_session_tree $kids
}

# Print the pids of the sshd session processes under the listeners
# recorded in DIR that serve connections: what a test kills (every one of
# them) to cut a connection, or stops (SIGSTOP) to make it half-open.
sshd_sessions()
{
	local d=$1 name pid pids=''
	[ -f "$d/sshd.pids" ] || return 0
	while read -r name pid; do
		_sshd_pid_is_sshd "$pid" && pids="$pids $pid"
	done <"$d/sshd.pids"
	[ -n "$pids" ] && _sshd_session_tree $pids
}

# Stop exactly the listeners recorded in DIR/sshd.pids and the session
# processes under them (collected before the signal), waiting for them.
sshd_stop()
{
	local d=$1 name pid pids=''
	[ -n "$d" ] && [ -f "$d/sshd.pids" ] || return 0
	while read -r name pid; do
		_sshd_pid_is_sshd "$pid" && pids="$pids $pid"
	done <"$d/sshd.pids"
	[ -n "$pids" ] || { : >"$d/sshd.pids"; return 0; }
	pids="$pids $(_sshd_session_tree $pids)"
	kill -TERM $pids 2>/dev/null
	# shellcheck disable=SC2086
	_stack_term_wait 50 _sshd_say $pids
	: >"$d/sshd.pids"
	return 0
}

# sshd_check_seq OUT NAME FROM TO: the lines server NAME delivered in a
# watch --lines output OUT ending "seq N" for N in FROM..TO are each there
# once, in order, and nothing else in that range; fail() otherwise.
sshd_check_seq()
{
	local got want
	got=$(grep -F "line $2:" "$1" | grep -o 'seq [0-9]*$' |
	    awk -v a="$3" -v b="$4" '$2 >= a && $2 <= b { print $2 }' |
	    tr '\n' ' ')
	want=$(seq "$3" "$4" | tr '\n' ' ')
	if [ "$got" = "$want" ]; then
		echo "ok: seq $3..$4 arrived exactly once, in order"
	else
		fail "seq $3..$4: got [$(echo "$got" | cut -c1-300)...]" \
		    "dup/missing: $(printf '%s\n' $got | sort -n | uniq -d | head -3 | tr '\n' ' ')"
	fi
}

# sshd_session_tree PID...: the pids given and their sshd descendants.
sshd_session_tree()
{
	local all="$*" more="$*" p
	while [ -n "$more" ]; do
		more=$(_sshd_children $more)
		for p in $more; do
			# a process gone meanwhile: no error, not listed
			tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" |
			    grep -q '^sshd' && all="$all $p"
		done
	done
	echo $all
}

# sshd_build_driver OUT: build tests/integration/ssh_driver.c as OUT.
sshd_build_driver()
{
	local here root lib
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	root=$(cd "$here/../.." && pwd)
	lib=$root/build/libmailcon.a
	[ -n "${MAILCON:-}" ] && [ -f "$(dirname "$MAILCON")/libmailcon.a" ] &&
	    lib=$(dirname "$MAILCON")/libmailcon.a
	[ -f "$lib" ] || { _sshd_say "no $lib (run make)"; return 1; }
	# shellcheck disable=SC2046
	cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	    -I"$root/console" -I"$root" -o "$1" \
	    "$here/ssh_driver.c" "$lib" \
	    $(make -s --no-print-directory -C "$root" print-libs)
}
