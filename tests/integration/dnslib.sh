# tests/integration/dnslib.sh: a real DNS server (dnsmasq) on a loopback
# port, private to one directory, for the tests of the DNSBL checks and the
# resolver (test_rbl.sh, test_resolve.sh).  Source it (bash), then:
#
#	port=$(dns_free_port)	# a port on 127.0.0.1 free for UDP and TCP
#	dns_conf_head PORT	# the start of a dnsmasq.conf: PORT on
#				# 127.0.0.1 only, nothing of this machine's
#				# (resolv.conf, hosts), no negative cache,
#				# every query logged; add the zones after it
#	dns_start DIR ARGS...	# dnsmasq with ARGS (its zones, --port=...);
#				# status 1, saying why, if it did not start
#	...
#	dns_stop DIR		# idempotent; safe from an EXIT trap
#
# DNSMASQ is the binary (default /usr/sbin/dnsmasq, package dnsmasq-base).
# dns_start adds --pid-file=DIR/dnsmasq.pid and --log-facility=DIR/dnsmasq.log
# (so ARGS with --log-queries make DIR/dnsmasq.log show every query); what
# dnsmasq says on stderr is in DIR/dnsmasq.err.  dnsmasq puts itself in the
# background: dns_stop signals the pid it wrote in DIR/dnsmasq.pid, if that
# process is still a dnsmasq, and nothing else (never a process by name).

DNSMASQ=${DNSMASQ:-/usr/sbin/dnsmasq}

_DNS_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Print a port free on 127.0.0.1 for both UDP and TCP (dnsmasq needs both),
# never handed to another test meanwhile (freeport.py).
dns_free_port()
{
	python3 "$_DNS_HERE/freeport.py" 127.0.0.1 1 --udp
}

# dns_conf_head PORT: the lines every test's dnsmasq.conf starts with.
dns_conf_head()
{
	printf '%s\n' "port=$1" listen-address=127.0.0.1 bind-interfaces \
	    no-resolv no-hosts no-negcache log-queries
}

# The pid in DIR/dnsmasq.pid if that process is a running dnsmasq.
_dns_pid()
{
	local pid
	[ -s "$1/dnsmasq.pid" ] || return 1
	pid=$(tr -dc '0-9' <"$1/dnsmasq.pid")
	[ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dnsmasq ] ||
	    return 1
	echo "$pid"
}

# dns_start DIR ARGS...: dnsmasq with ARGS, its pid file and log in DIR.
dns_start()
{
	local dir=$1
	shift
	[ -x "$DNSMASQ" ] || { echo "no $DNSMASQ (package dnsmasq-base)"; return 1; }
	"$DNSMASQ" "$@" --pid-file="$dir/dnsmasq.pid" \
	    --log-facility="$dir/dnsmasq.log" </dev/null >/dev/null \
	    2>"$dir/dnsmasq.err" ||
	    { echo "dnsmasq did not start: $(cat "$dir/dnsmasq.err")"; return 1; }
	for _ in $(seq 600); do	# 30 s: a bound for a hang
		[ -s "$dir/dnsmasq.pid" ] && return 0
		sleep 0.05
	done
	echo "dnsmasq wrote no pid in $dir/dnsmasq.pid"
	return 1
}

# dns_stop DIR: stop the dnsmasq that dns_start DIR started, by its pid,
# and wait up to 2 s for it to exit.
dns_stop()
{
	local pid
	if pid=$(_dns_pid "$1"); then
		kill "$pid" 2>/dev/null
		for _ in $(seq 20); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
	fi
	rm -f "$1/dnsmasq.pid"
	return 0
}
