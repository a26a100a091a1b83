#!/bin/bash
# test_text.sh: what mailcon writes is safe and says what happened:
# - scan's table under LANG=C shows two accounts that differ in one
#   letter as two (\u{...} escapes, ASCII only), and under UTF-8 keeps its
#   columns aligned with wide and combining letters (wcwidth);
# - file names and options echoed in errors are escaped (no raw ESC);
# - journalctl's "[123B blob data]" is counted as an unreadable entry,
#   overlong and unparsed lines are in the table as in the JSON;
# - the headless watch exits 128+signal after SIGTERM, SIGINT, SIGHUP,
#   and prints every lasting warning (history off and actions off, under
#   a locale without UTF-8 too).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
ROOT=$(cd "$HERE/../.." && pwd)
: "${MAILCON:=$ROOT/build/mailcon}"
export TZ=UTC
T=$(mktemp -d /tmp/mctext.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
ESC=$(printf '\033')

# sub N LOGIN: N logins of LOGIN, each from its own address, each a message
sub() {
	i=1
	while [ "$i" -le "$1" ]; do
		printf 'Nov 28 04:00:%02d mail postfix/smtpd[1%03d]: A%05d%s: client=unknown[127.200.%d.%d], sasl_method=PLAIN, sasl_username=%s\n' \
		    $((i % 60)) "$i" "$i" "$3" "$4" "$i" "$2"
		i=$((i + 1))
	done
}
{
	sub 30 "$(printf 'j\303\274rgen@example.test')" B 1
	sub 30 "$(printf 'j\303\266rgen@example.test')" C 2
	sub 30 "$(printf '\344\270\255\346\226\207@example.test')" D 3
	sub 30 "$(printf 'e\314\201mile@example.test')" E 4
	sub 30 'plain@example.test' F 5
} >"$T/names.log"

# --- LANG=C: escapes, ASCII only, two accounts stay two -------------------
LC_ALL=C "$MAILCON" scan --quiet --year 2026 --utc "$T/names.log" >"$T/c.txt" 2>"$T/c.err"
[ $? -eq 1 ] || fail "scan LANG=C: exit $?, want 1: $(cat "$T/c.err")"
grep -qF 'j\u{00fc}rgen@example.test' "$T/c.txt" &&
    grep -qF 'j\u{00f6}rgen@example.test' "$T/c.txt" &&
    grep -qF '\u{4e2d}\u{6587}@example.test' "$T/c.txt" ||
    fail "scan LANG=C: escapes missing: $(cat "$T/c.txt")"
LC_ALL=C grep -q '[^ -~]' "$T/c.txt" &&
    fail "scan LANG=C: bytes outside ASCII: $(LC_ALL=C grep -n '[^ -~]' "$T/c.txt" | cat -v)"

# --- UTF-8: the columns after ACCOUNT line up on screen -------------------
LC_ALL=C.UTF-8 "$MAILCON" scan --quiet --year 2026 --utc "$T/names.log" >"$T/u.txt" 2>&1
python3 - "$T/u.txt" <<'PY' || fail "scan UTF-8: columns not aligned"
import sys, unicodedata
def width(s):
    w = 0
    for ch in s:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return w
rows = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8")
        if "@example.test" in l and not l.startswith(" ")]
cols = set()
for r in rows:
    acct_end = r.index("@example.test") + len("@example.test")
    rest = r[acct_end:]
    # where the MSGS number ends, in screen columns
    num_end = acct_end + len(rest) - len(rest.lstrip(" ")) + len(rest.split()[0])
    cols.add(width(r[:num_end]))
if len(rows) != 5 or len(cols) != 1:
    print(len(rows), "rows; MSGS ends at columns", cols)
    print("\n".join(rows))
    sys.exit(1)
PY
grep -q "$(printf 'j\303\274rgen@example.test')" "$T/u.txt" ||
    fail "scan UTF-8: letters escaped: $(head -3 "$T/u.txt")"

# --- file names and options echoed in errors: escaped ----------------------
for args in "scan x${ESC}[2J.log" "scan --yy${ESC}]0;t" "scan --min-level x${ESC}[2J" \
    "scan --config ${T}/no${ESC}[2J.ini ${T}/names.log" "act --bogus${ESC}[2J" \
    "rbl --bogus${ESC}[2J" "frob${ESC}[2J" "--bogus${ESC}[2J"; do
	# shellcheck disable=SC2086
	"$MAILCON" $args </dev/null >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" -eq 2 ] || fail "$(printf %s "$args" | cat -v): exit $rc, want 2"
	grep -q "$ESC" "$T/err" "$T/out" &&
	    fail "$(printf %s "$args" | cat -v): a raw ESC on stderr: $(cat -v "$T/err")"
	grep -qF '\x1b' "$T/err" ||
	    fail "$(printf %s "$args" | cat -v): the escape is not named: $(cat -v "$T/err")"
done

# --- journalctl's blob placeholder, overlong and unparsed lines -----------
{
	echo "2026-11-28T04:00:00+0000 mx postfix/smtpd[7]: 1A2B3C4D5E: client=unknown[127.0.0.9], sasl_method=PLAIN, sasl_username=carol@example.test"
	echo "2026-11-28T04:00:01+0000 mx postfix/smtpd[7]: [123B blob data]"
	echo "2026-11-28T04:00:02+0000 mx dovecot[8]: [48.0K blob data]"
	echo "2026-11-28T04:00:03+0000 mx postfix/submission/smtpd[9]: [1.2M blob data]"
	echo "not a log line at all"
	printf '2026-11-28T04:00:04+0000 mx postfix/smtpd[7]: '
	head -c 2200000 /dev/zero | tr '\0' x
	echo
} >"$T/journal.txt"
"$MAILCON" scan --quiet "$T/journal.txt" >"$T/j.txt" 2>&1
grep -q "3 unreadable journal entries: journalctl printed" "$T/j.txt" ||
    fail "table: no unreadable entries: $(cat "$T/j.txt")"
grep -q "(1 without a known header, 1 too long to read)" "$T/j.txt" ||
    fail "table: unparsed and overlong lines not told: $(cat "$T/j.txt")"
"$MAILCON" scan --quiet --json "$T/journal.txt" >"$T/j.json" 2>&1
python3 - "$T/j.json" <<'PY' || fail "JSON summary: see above"
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
if (s["unreadable_entries"], s["unparsed_lines"], s["overlong_lines"]) != (3, 1, 1):
    print(s)
    sys.exit(1)
PY

# --- the headless watch: 128+signal, and every warning -------------------
mkdir -p "$T/state/mailcon"
echo "not a database" >"$T/state/mailcon/history.db"
cat >"$T/w.ini" <<CFG
[server mx]
logs = $T/names.log
CFG
for sig in TERM INT HUP; do
	LC_ALL=C XDG_STATE_HOME=$T/state "$MAILCON" watch --headless \
	    --config "$T/w.ini" >"$T/w.out" 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		grep -q "^.* watching " "$T/w.out" && break
		sleep 0.1
	done
	kill -s "$sig" "$pid"
	wait "$pid"
	rc=$?
	want=$((128 + $(kill -l "$sig")))
	[ "$rc" -eq "$want" ] || fail "SIG$sig: exit $rc, want $want"
done
grep -q "warning: history off: " "$T/w.out" ||
    fail "headless: the history warning is not printed: $(cat "$T/w.out")"
grep -q "warning: actions off: " "$T/w.out" ||
    fail "headless: the actions warning is not printed: $(cat "$T/w.out")"

[ "$failed" -eq 0 ] && echo "text: all checks passed"
exit "$failed"
