#!/bin/bash
# test_config_lines.sh: configuration lines as admins write them, through
# the real binary (`mailcon scan --config` on the bundled incident):
#
#  1. an allow line of over 2,000 bytes whose last account is the hijacked
#     one: the file loads and that account is allow-listed;
#  2. the same list continued over indented lines (with comments between);
#  3. a line over the limit is an error that says so, with file and line,
#     and nothing is reported; a continued value of a one-value key is an
#     error naming the key.
#
# Environment: MAILCON (the binary).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
ROOT=$(cd "$HERE/../.." && pwd)
MAILCON=${MAILCON:-$ROOT/build/mailcon}
DEMO=$ROOT/tests/fixtures/demo
export LC_ALL=C

T=$(mktemp -d /tmp/mccfgl.XXXXXX) || exit 1
failed=0
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

# scan CONFIG: the demo scanned with CONFIG; exit status in $rc.
scan()
{
	"$MAILCON" scan --json --quiet --year 2026 --utc --config "$1" \
	    "$DEMO"/*.log.gz >"$T/out" 2>"$T/err"
	rc=$?
}

# Is ACCOUNT allow-listed in $T/out?
allowed()
{
	python3 - "$T/out" "$1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
a = [x for x in d["accounts"] if x["account"] == sys.argv[2]]
sys.exit(0 if a and a[0]["allowed"] else 1)
EOF
}

# 1. one line of over 2,000 bytes
{
	printf '[detect]\nallow ='
	for i in $(seq 100); do
		printf ' newsletter%03d@example.test,' "$i"
	done
	printf ' judy@example.test\n[logs]\ntimezone = UTC\n'
} >"$T/long.conf"
len=$(sed -n 2p "$T/long.conf" | wc -c)
[ "$len" -gt 2000 ] || fail "the allow line is only $len bytes"
scan "$T/long.conf"
[ "$rc" = 0 ] || fail "a $len-byte allow line: exit $rc: $(cat "$T/err")"
allowed judy@example.test ||
    fail "judy, last on a $len-byte allow line, is not allow-listed"

# 2. continued over indented lines
cat >"$T/cont.conf" <<'EOF'
[detect]
allow = newsletter@example.test,
    lists@example.test
    ; the incident's account, for this test
    judy@example.test
window = 10m
EOF
scan "$T/cont.conf"
[ "$rc" = 0 ] || fail "a continued allow list: exit $rc: $(cat "$T/err")"
allowed judy@example.test ||
    fail "judy, on a continued line, is not allow-listed"

# 3. too long, and a one-value key continued
{
	printf '[detect]\nallow = '
	head -c 70000 /dev/zero | tr '\0' a
	printf '\n'
} >"$T/huge.conf"
scan "$T/huge.conf"
[ "$rc" = 2 ] || fail "a 70,000-byte line: exit $rc"
grep -q "^mailcon scan: $T/huge.conf:2: line longer than 65536 bytes" "$T/err" ||
    fail "a 70,000-byte line is not said to be too long: $(cat "$T/err")"
[ -s "$T/out" ] && fail "a report printed despite the bad config"
printf '[detect]\nwindow = 10m\n   20m\n' >"$T/scalar.conf"
scan "$T/scalar.conf"
[ "$rc" = 2 ] && grep -q "scalar.conf:2: window: one value on one line" \
    "$T/err" || fail "a continued window: exit $rc: $(cat "$T/err")"

[ "$failed" = 0 ] && echo "test_config_lines: all checks passed"
exit "$failed"
