#!/bin/sh
# tests/integration/run.sh MAILCON_BINARY: run every tests/integration/test_*.sh
# one after another with MAILCON exported; print PASS or FAIL (with the
# test's output) for each, then "N passed, M failed".  Exit 1 if any failed.
#
# A test is run by the interpreter named on its #! line (bash when there is
# none), so the executable bit does not matter.  TESTS="test_a.sh ..." runs
# only those.

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 MAILCON_BINARY (an executable)" >&2
	exit 2
fi
case $1 in
/*) MAILCON=$1 ;;
*) MAILCON=$(pwd)/$1 ;;
esac
export MAILCON
# No system config of this machine's (/usr/local/etc/mailcon/mailcon.conf
# after a `make install`) may change what the tests see.
MAILCON_SYSCONFDIR=/nonexistent/mailcon-tests
export MAILCON_SYSCONFDIR

dir=$(cd "$(dirname "$0")" && pwd)
pass=0
fail=0
out=$(mktemp /tmp/mailcon-itest.XXXXXX) || exit 2
trap 'rm -f "$out"' EXIT
trap 'exit 130' INT TERM

for t in ${TESTS:-"$dir"/test_*.sh}; do
	case $t in /*) ;; *) t=$dir/$t ;; esac
	[ -f "$t" ] || continue
	name=$(basename "$t")
	interp=$(sed -n '1s/^#![[:space:]]*//p' "$t")
	[ -n "$interp" ] || interp=bash
	start=$(date +%s)
	# $interp is word-split on purpose ("/usr/bin/env bash").
	$interp "$t" </dev/null >"$out" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1))
		echo "PASS $name (${secs}s)"
	else
		fail=$((fail + 1))
		echo "FAIL $name (exit $rc, ${secs}s)"
		sed 's/^/    /' "$out"
	fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
