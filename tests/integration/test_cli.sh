#!/bin/sh
# mailcon's command line: exit codes, --help/--version, and every bad input
# giving one clear line on stderr, exit 2 and nothing on stdout.
set -u
: "${MAILCON:?MAILCON must name the mailcon binary}"
# The text compared is English and the times UTC, run.sh or not.
export TZ=UTC LC_ALL=C
T=$(mktemp -d /tmp/mailcon-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect_error WANT_IN_STDERR CMD...: exit 2, empty stdout, stderr names it.
expect_error() {
	want=$1; shift
	"$@" >"$T/out" 2>"$T/err"; rc=$?
	[ $rc -eq 2 ] || fail "$*: exit $rc, want 2"
	[ -s "$T/out" ] && fail "$*: printed on stdout: $(head -c 200 "$T/out")"
	grep -qF -- "$want" "$T/err" || fail "$*: stderr lacks '$want': $(cat "$T/err")"
	[ "$(wc -l <"$T/err")" -le 2 ] || fail "$*: more than a line or two on stderr"
}

# A small clean log: two users, one message each.
cat >"$T/clean.log" <<'LOG'
Nov 28 03:00:26 mail postfix/smtpd[14727]: BAC3910614B: client=unknown[127.0.1.1], sasl_method=PLAIN, sasl_username=alice@example.test
Nov 28 03:00:26 mail postfix/qmgr[14717]: BAC3910614B: from=<alice@example.test>, size=318, nrcpt=1 (queue active)
Nov 28 03:00:26 mail postfix/smtp[14735]: BAC3910614B: to=<x@sink.test>, relay=127.0.0.1[127.0.0.1]:2626, delay=0.01, delays=0.01/0.01/0/0, dsn=2.0.0, status=sent (250 2.0.0 Ok)
Nov 28 03:00:26 mail postfix/qmgr[14717]: BAC3910614B: removed
Nov 28 03:01:06 mail postfix/smtpd[14727]: 510B410614D: client=unknown[127.10.0.1], sasl_method=PLAIN, sasl_username=bob@example.test
Nov 28 03:01:06 mail postfix/qmgr[14717]: 510B410614D: from=<bob@example.test>, size=320, nrcpt=1 (queue active)
LOG

# The same logins as a hijack: carol from 40 addresses.
: >"$T/hijack.log"
i=1
while [ $i -le 40 ]; do
	printf 'Nov 28 04:00:%02d mail postfix/smtpd[1%03d]: A%05dB: client=unknown[127.200.0.%d], sasl_method=PLAIN, sasl_username=carol@example.test\n' \
	    $((i % 60)) $i $i $i >>"$T/hijack.log"
	i=$((i + 1))
done

"$MAILCON" --version >"$T/out" 2>&1 || fail "--version exit $?"
grep -q '^mailcon [0-9]' "$T/out" || fail "--version: $(cat "$T/out")"
grep -q 'zlib' "$T/out" || fail "--version names no library"
"$MAILCON" --help >"$T/out" 2>&1 || fail "--help exit $?"
grep -q 'scan' "$T/out" || fail "--help lists no scan"
"$MAILCON" scan --help >"$T/out" 2>&1 || fail "scan --help exit $?"
grep -q -- '--json' "$T/out" || fail "scan --help lacks --json"

"$MAILCON" scan --year 2026 "$T/clean.log" >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 0 ] || fail "clean log: exit $rc, want 0: $(cat "$T/err")"
grep -q 'alice@example.test' "$T/out" || fail "clean log: alice not listed"
"$MAILCON" scan --year 2026 --json "$T/hijack.log" "$T/clean.log" >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 1 ] || fail "hijack: exit $rc, want 1: $(cat "$T/err")"
python3 - "$T/out" <<'PY' || fail "hijack JSON"
import json, sys
doc = json.load(open(sys.argv[1]))
acc = {a["account"]: a for a in doc["accounts"]}
c = acc["carol@example.test"]
if not (c["level"] in ("suspicious", "critical")):
    sys.exit("FAIL: %s: %s" % ('c["level"] in ("suspicious", "critical")', c))
if not (c["auth_ips"] == 40):
    sys.exit("FAIL: %s: %s" % ('c["auth_ips"] == 40', c))
if not (c["flagged_at"].startswith("2026-11-28T")):
    sys.exit("FAIL: %s: %s" % ('c["flagged_at"].startswith("2026-11-28T")', c))
if not (acc["alice@example.test"]["level"] == "ok"):
    sys.exit("FAIL: %s: %s" % ('acc["alice@example.test"]["level"] == "ok"', acc["alice@example.test"]))
if not (doc["summary"]["files"] == 2):
    sys.exit("FAIL: %s: %s" % ('doc["summary"]["files"] == 2', doc["summary"]))
PY
# stdin, and .gz
gzip -c "$T/hijack.log" >"$T/hijack.log.gz"
"$MAILCON" scan --year 2026 --min-level suspicious - <"$T/hijack.log" >"$T/out" 2>&1
[ $? -eq 1 ] || fail "stdin: want exit 1"
grep -q 'carol@example.test' "$T/out" || fail "stdin: carol missing"
"$MAILCON" scan --year 2026 "$T/hijack.log.gz" >"$T/out" 2>&1
[ $? -eq 1 ] || fail ".gz: want exit 1"
grep -q 'carol@example.test' "$T/out" || fail ".gz: carol missing"
# --allow: flagged no more
"$MAILCON" scan --year 2026 --allow carol@example.test "$T/hijack.log" >"$T/out" 2>&1
[ $? -eq 0 ] || fail "--allow: want exit 0"

# Bad input: one line naming the file (and line), exit 2, nothing on stdout.
expect_error "$T/nope.log: No such file" "$MAILCON" scan "$T/nope.log"
expect_error "$T: is a directory" "$MAILCON" scan "$T"
head -c 300 "$T/hijack.log.gz" >"$T/cut.log.gz"
expect_error "$T/cut.log.gz: truncated gzip" "$MAILCON" scan "$T/clean.log" "$T/cut.log.gz"
seq 1 5000 >"$T/numbers.txt"
expect_error "$T/numbers.txt: not a mail log" "$MAILCON" scan "$T/numbers.txt"
printf '[detect]\nwindow = 10m\nauth_ips = 3 6 lots\n' >"$T/bad.ini"
expect_error "$T/bad.ini:3: auth_ips" "$MAILCON" scan --config "$T/bad.ini" "$T/clean.log"
expect_error "$T/missing.ini" "$MAILCON" scan --config "$T/missing.ini" "$T/clean.log"
expect_error "no log file" "$MAILCON" scan
expect_error "unknown level" "$MAILCON" scan --min-level severe "$T/clean.log"
expect_error "not a valid account" "$MAILCON" scan --allow 'x;rm' "$T/clean.log"
expect_error "unknown command" "$MAILCON" frobnicate
# A log the user may not read.  make check runs as root, who reads mode 0
# files: then as nobody (setpriv), with a config directory of its own.
cp "$T/clean.log" "$T/secret.log"; chmod 0 "$T/secret.log"; chmod 755 "$T"
if [ "$(id -u)" = 0 ]; then
	if command -v setpriv >/dev/null; then
		expect_error "$T/secret.log: Permission denied" setpriv \
		    --reuid=65534 --regid=65534 --clear-groups env HOME="$T" \
		    XDG_CONFIG_HOME="$T/nobody" XDG_STATE_HOME="$T/nobody" \
		    "$MAILCON" scan "$T/secret.log"
	else
		fail "no setpriv (util-linux): the unreadable-log check cannot run as nobody"
	fi
else
	expect_error "$T/secret.log: Permission denied" "$MAILCON" scan "$T/secret.log"
fi

[ $fails -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "cli: all checks passed"
