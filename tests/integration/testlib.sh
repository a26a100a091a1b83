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
