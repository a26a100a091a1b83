#!/bin/sh
# tests/integration/run.sh MAILCON_BINARY: run every tests/integration/test_*.sh
# with MAILCON exported, TEST_JOBS of them at a time (default 1); print PASS
# or FAIL (with the test's output) for each as it ends, then "N passed, M
# failed".  Exit 1 if any failed, 2 on misuse (a TESTS name that is no test
# here).
#
# Tests may run side by side: each starts its daemons in directories of its
# own on ports picked at run time (stack.sh, sshd.sh, dnslib.sh ...).  A
# test that must run alone (it measures, or shares something global) says
# "# serial: yes" in its first 40 lines: it starts when nothing else runs,
# and nothing starts beside it.
#
# Tests start longest first, by the seconds tests/integration/durations
# gives them (an earlier run's; one not listed counts 0).
#
# A test is run by the interpreter named on its #! line (bash when there is
# none), so the executable bit does not matter.  TESTS="test_a.sh ..." runs
# only those; a name that is not a test_*.sh file here is an error, never
# "0 passed".
#
# Nothing of the tester's machine reaches a test: each one starts from an
# empty environment (env -i) with
#	PATH			/usr/sbin:/usr/bin:/sbin:/bin, where Debian's
#				packages are: no ~/.pyenv or ~/.cargo shim
#				of the tester's (a pyenv shim costs a second
#				per python3 and serialises on its lock)
#	MAILCON			as given
#	HOME, XDG_CONFIG_HOME, XDG_STATE_HOME, XDG_CACHE_HOME, XDG_DATA_HOME,
#	XDG_RUNTIME_DIR		fresh empty directories of its own (the last
#				mode 0700), removed afterwards
#	MAILCON_SYSCONFDIR	a directory that does not exist: no system
#				config of this machine's (after a `make
#				install`) changes what a test sees
#	TZ=UTC LC_ALL=C LANG=C	a test that compares text in another zone or
#				locale sets its own (test_scan_e2e.sh runs its
#				daemons in a non-UTC zone on purpose)
# and only these knobs passed through when set: SSH_SESSIONS, SSH_FLEET,
# MAILCON_E2E_TZ, MAILCON_KEEP_LOGS, MAILCON_KEEP_TMP, DNSMASQ.  So no
# ~/.config/mailcon/config, ~/.tmux.conf, PYTHONOPTIMIZE, SSH_AUTH_SOCK,
# DBUS_SESSION_BUS_ADDRESS or BASH_ENV of the tester's changes a verdict.
#
# Each test runs in a process group of its own (setsid) under a deadline:
# TEST_TIMEOUT seconds (default 420), or the "# timeout: SECONDS" line a
# test may carry in its first 40 lines.  When it passes, the group gets
# SIGTERM (the test's EXIT trap stops its daemons by pid), and SIGKILL 20 s
# later; the test FAILs with "timed out after N s".  Processes of its group
# still running once it has exited are killed the same way and named: a
# test stops what it starts.  Nothing outside the group is ever signalled.

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 MAILCON_BINARY (an executable)" >&2
	exit 2
fi
case $1 in
/*) MAILCON=$1 ;;
*) MAILCON=$(pwd)/$1 ;;
esac
export MAILCON

dir=$(cd "$(dirname "$0")" && pwd)
jobs=${TEST_JOBS:-1}
case $jobs in
''|*[!0-9]*|0) echo "run.sh: TEST_JOBS=$jobs: want a number of tests at a time" >&2
   exit 2 ;;
esac
work=$(mktemp -d /tmp/mailcon-itest.XXXXXX) || exit 2
running=
trap 'rm -rf "$work"' EXIT
trap 'for j in $running; do kill -TERM "${j%%:*}" 2>/dev/null; done; wait; exit 130' INT TERM

# The tests to run, as absolute paths; an unknown name ends the run (2).
tests=
for t in ${TESTS:-"$dir"/test_*.sh}; do
	case $t in /*) ;; *) t=$dir/$t ;; esac
	case $(basename "$t") in
	test_*.sh) ;;
	*) echo "run.sh: $t is not a test (tests are $dir/test_*.sh)" >&2
	   exit 2 ;;
	esac
	if [ ! -f "$t" ]; then
		echo "run.sh: no such test: $t (tests are $dir/test_*.sh)" >&2
		exit 2
	fi
	tests="$tests $t"
done
# Longest first, by tests/integration/durations ("SECONDS NAME" lines of
# an earlier run; a test not listed counts 0 and keeps its place among
# those): the run then ends on short tests side by side, never on one
# long test alone.
if [ -f "$dir/durations" ]; then
	tests=$(for t in $tests; do echo "$t"; done |
	    awk 'FNR == NR { if ($1 ~ /^[0-9]+$/) d[$2] = $1; next }
		{ n = $0; sub(/.*\//, "", n); print (n in d ? d[n] : 0), $0 }' \
		"$dir/durations" - | sort -s -k1,1nr | cut -d' ' -f2-)
fi

# The pids of the live, non-zombie processes in process group $pg.
group_pids()
{
	for f in /proc/[0-9]*/stat; do
		# fields after the ") " that ends comm: state ppid pgrp ...
		{ read -r line <"$f"; } 2>/dev/null || continue
		set -- ${line##*) }
		[ "$3" = "$pg" ] && [ "$1" != Z ] && echo "${f#/proc/}"
	done | sed 's|/stat$||'
}

# Signal the test's process group with SIG, wait up to 20 s for it to
# go, then SIGKILL what is left of it.
stop_group()
{
	[ -n "$pg" ] || return 0
	kill -"$1" -"$pg" 2>/dev/null
	i=0
	while [ $i -lt 200 ] && [ -n "$(group_pids)" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL -"$pg" 2>/dev/null
}

# The value of the "# KEY: VALUE" line in test $1's first 40 lines.
test_header()
{
	head -n 40 "$1" | sed -n "s/^# $2: \\([0-9a-z][0-9a-z]*\\)\$/\\1/p" |
	    head -n 1
}

# Run test $1 (in a subshell of its own when tests run side by side):
# its verdict line into $work/NAME.verdict, its output into $work/NAME.out.
run_one()
{
	t=$1
	name=$(basename "$t")
	v=$work/$name.verdict
	out=$work/$name.out
	pg=
	trap 'stop_group TERM; exit 130' TERM
	interp=$(sed -n '1s/^#![[:space:]]*//p' "$t")
	[ -n "$interp" ] || interp=bash
	limit=$(test_header "$t" timeout)
	limit=${limit:-${TEST_TIMEOUT:-420}}
	h=$work/$name.d
	rm -rf "$h"
	mkdir -p "$h/home" "$h/config" "$h/state" "$h/cache" "$h/data" \
	    "$h/runtime" && chmod 700 "$h/runtime" || exit 2
	knobs=
	for kv in SSH_SESSIONS SSH_FLEET MAILCON_E2E_TZ MAILCON_KEEP_LOGS \
	    MAILCON_KEEP_TMP DNSMASQ; do
		eval "[ -n \"\${$kv+set}\" ] && knobs=\"\$knobs $kv=\$$kv\""
	done
	start=$(date +%s)
	# $interp and $knobs are word-split on purpose ("/usr/bin/env bash").
	# setsid -w: the test leads a new process group (and waits when
	# setsid had to fork for that); sh writes the group's id first.
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin MAILCON="$MAILCON" \
	    HOME="$h/home" \
	    MAILCON_SYSCONFDIR=/nonexistent/mailcon-tests \
	    XDG_CONFIG_HOME="$h/config" XDG_STATE_HOME="$h/state" \
	    XDG_CACHE_HOME="$h/cache" XDG_DATA_HOME="$h/data" \
	    XDG_RUNTIME_DIR="$h/runtime" TZ=UTC LC_ALL=C LANG=C $knobs \
	    setsid -w sh -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" &&
	    exec "$@"' "$h/pgid" $interp "$t" </dev/null >"$out" 2>&1 &
	pid=$!
	while [ ! -s "$h/pgid" ] && kill -0 "$pid" 2>/dev/null; do
		sleep 0.05
	done
	pg=$(cat "$h/pgid" 2>/dev/null)
	# The watchdog: checks once a second, ends by itself with the test.
	(
		i=0
		while kill -0 "$pid" 2>/dev/null; do
			if [ $i -ge "$limit" ]; then
				: >"$h/timedout"
				stop_group TERM
				exit 0
			fi
			sleep 1
			i=$((i + 1))
		done
	) &
	dog=$!
	wait "$pid"
	rc=$?
	wait "$dog"
	secs=$(($(date +%s) - start))
	left=
	if [ -n "$pg" ] && [ -n "$(group_pids)" ]; then
		sleep 2	# processes that were already on their way out
		for p in $(group_pids); do
			left="$left $p($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-60))"
		done
		[ -n "$left" ] && stop_group TERM
	fi
	if [ -e "$h/timedout" ]; then
		echo "FAIL $name (timed out after ${limit}s; its process group was killed)" >"$v"
	elif [ -n "$left" ]; then
		echo "FAIL $name (exit $rc, ${secs}s; left processes running, killed:$left)" >"$v"
	elif [ "$rc" -eq 0 ]; then
		echo "PASS $name (${secs}s)" >"$v"
	else
		echo "FAIL $name (exit $rc, ${secs}s)" >"$v"
	fi
	rm -rf "$h"
}

pass=0
fail=0
# Print the verdict of finished test $1 (its output too when it failed).
report()
{
	name=$(basename "$1")
	if [ ! -s "$work/$name.verdict" ]; then
		echo "FAIL $name (the runner lost it: no verdict)" >"$work/$name.verdict"
	fi
	cat "$work/$name.verdict"
	case $(cat "$work/$name.verdict") in
	PASS*) pass=$((pass + 1)) ;;
	*) fail=$((fail + 1)); sed 's/^/    /' "$work/$name.out" 2>/dev/null ;;
	esac
}

# Wait until fewer than $1 tests run; report the ones that ended.
reap()
{
	while :; do
		still=
		n=0
		for j in $running; do
			jpid=${j%%:*}
			if kill -0 "$jpid" 2>/dev/null; then
				still="$still $j"
				n=$((n + 1))
			else
				wait "$jpid" 2>/dev/null
				report "${j#*:}"
			fi
		done
		running=$still
		[ "$n" -lt "$1" ] && return 0
		sleep 0.2
	done
}

for t in $tests; do
	if [ "$(test_header "$t" serial)" = yes ]; then
		reap 1
		( run_one "$t" ) &
		running=" $!:$t"
		reap 1
		continue
	fi
	reap "$jobs"
	( run_one "$t" ) &
	running="$running $!:$t"
done
reap 1

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
