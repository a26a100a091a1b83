# tests/integration/testlib.sh: how an integration test reports, shared by
# all of them (source it, bash or sh):
#
#	fail TEXT...		"FAIL: TEXT" and go on; the test ends with
#				exit "$failed", which is then 1
#	check_fail TEXT...	the same (the older name some tests use)
#	die TEXT...		"FAIL: TEXT" and stop now (exit 1; the test's
#				EXIT trap cleans up)
#	stop_pids PID...	SIGTERM each of the test's own background
#				processes and reap it (never by name)
#	wait_text FILE TEXT SECONDS
#				until TEXT is in FILE (status 1 when SECONDS
#				pass first)
#
# and the start most tests share (bash; HERE set to this directory first):
#
#	test_init NAME		ROOT (the checkout), MAILCON (as run.sh gives
#				it, else ROOT/build/mailcon; made absolute),
#				MAILGEN, LC_ALL=C (a test that wants another
#				sets it after), T (a new directory
#				/tmp/mcNAME.XXXXXX, mode 755: the daemons and
#				the SSH test user reach their files in it),
#				failed=0, pids= (the test's background
#				processes: it adds their pids), and an EXIT
#				trap (INT and TERM exit 130 through it) that
#				stops those (stop_pids), runs the test's own
#				test_cleanup when it defines one, then what
#				the libraries registered (stack_test in
#				stack.sh: the stack of S; tmuxlib.sh: the tmux
#				server), then removes T (kept and named when
#				the test failed and MAILCON_KEEP_TMP is set)
failed=${failed:-0}

fail()
{
	echo "FAIL: $*"
	failed=1
}

check_fail()
{
	fail "$@"
}

die()
{
	echo "FAIL: $*"
	exit 1
}

stop_pids()
{
	local pid
	for pid in "$@"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
}

wait_text()
{
	local i=0
	while [ $i -lt $(($3 * 10)) ]; do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# test_init NAME: a test's start (see above).
test_init()
{
	ROOT=$(cd "$HERE/../.." && pwd)
	MAILCON=${MAILCON:-$ROOT/build/mailcon}
	case $MAILCON in /*) ;; *) MAILCON=$(pwd)/$MAILCON ;; esac
	MAILGEN=$HERE/mailgen.py
	export LC_ALL=C
	T=$(mktemp -d "/tmp/mc$1.XXXXXX") || exit 1
	chmod 755 "$T"
	failed=0
	pids=
	_test_stops=
	trap _test_exit EXIT
	trap 'exit 130' INT TERM
}

# The EXIT trap of test_init: the test's processes and clean-up, the
# libraries', then T.
_test_exit()
{
	local rc=$?
	# shellcheck disable=SC2086
	stop_pids $pids
	if declare -F test_cleanup >/dev/null; then
		test_cleanup
	fi
	eval "$_test_stops"
	if [ "$rc" != 0 ] || [ "$failed" != 0 ] &&
	    [ -n "${MAILCON_KEEP_TMP:-}" ]; then
		echo "kept $T"
	else
		rm -rf "$T"
	fi
}
