#!/bin/sh
# tests/unit/run.sh TEST...: run the unit test binaries (cmocka), one after
# another, each as the integration tests are run (tests/integration/run.sh):
# from an empty environment (env -i) with PATH (Debian's directories only:
# /usr/sbin:/usr/bin:/sbin:/bin, no tester's shims), a fresh HOME and XDG
# directories of its own, TZ=UTC, LC_ALL=C and MAILCON_FIXTURES, so no
# ~/.config/mailcon, time zone, locale, SSH agent or D-Bus session of the
# tester reaches a test (ASAN_OPTIONS and UBSAN_OPTIONS pass through); and
# under a deadline (UNIT_TIMEOUT, default 300 s) that kills its process
# group (timeout(1)).  Stops at the first failure, naming it; exit 1.
set -u

work=$(mktemp -d /tmp/mailcon-unit.XXXXXX) || exit 2
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
fixtures=$(cd "$(dirname "$0")/../fixtures" && pwd)

for t in "$@"; do
	echo "== $t"
	h=$work/$(basename "$t")
	mkdir -p "$h/home" "$h/config" "$h/state" "$h/runtime" &&
	    chmod 700 "$h/runtime" || exit 2
	san=
	[ -n "${ASAN_OPTIONS+set}" ] && san="ASAN_OPTIONS=$ASAN_OPTIONS"
	[ -n "${UBSAN_OPTIONS+set}" ] && san="$san UBSAN_OPTIONS=$UBSAN_OPTIONS"
	# $san is word-split on purpose (no blanks in those options)
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$h/home" \
	    XDG_CONFIG_HOME="$h/config" \
	    XDG_STATE_HOME="$h/state" XDG_RUNTIME_DIR="$h/runtime" TZ=UTC \
	    LC_ALL=C LANG=C MAILCON_FIXTURES="$fixtures" $san \
	    timeout -k 10 "${UNIT_TIMEOUT:-300}" "$t" </dev/null
	rc=$?
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "FAIL $t: timed out after ${UNIT_TIMEOUT:-300}s (its process group was killed)"
		exit 1
	elif [ "$rc" != 0 ]; then
		echo "FAIL $t (exit $rc)"
		exit 1
	fi
	rm -rf "$h"
done
