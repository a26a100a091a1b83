#!/bin/bash
# test_secrets.sh: passwords that Dovecot writes into its log (with
# auth_verbose_passwords and auth_debug_passwords) reach no output of
# mailcon: the headless watch's --lines and alerts, the desktop
# notifications (a private D-Bus session with notify_server.py), the
# history database with its -wal and -shm files, mailcon scan's table,
# JSON, CSV, --detail and --summary.  The hijack of the recorded incident (judy, critical) runs beside
# the password lines, so every one of those outputs does get written.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
ROOT=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3
: "${MAILCON:=$ROOT/build/mailcon}"
export LC_ALL=C TZ=UTC

# The secrets, each in a form Dovecot 2.2-2.4 writes (see
# backends/dovecot/redact.c), judy's and a guesser's.
PW1='Xq7plainHunter2'
PW2='Zr8debugSecret9'
PW3='Yw5cacheSecret3'
PW4='Vk2passFieldPw0'
SHA1=$(printf %s "$PW1" | sha1sum | cut -d' ' -f1)
B64=$(printf '\0judy@example.test\0%s' "$PW2" | base64 -w0)
HASH='$6$Qs8saltSalt$Hh9hashOfTheStoredPassword'
SECRETS="$PW1 $PW2 $PW3 $PW4 $SHA1 $B64 Qs8saltSalt Hh9hashOfTheStored"

# Inside the private bus: the service, then the watch until judy is
# critical; the history is copied while it is open (its -wal still there).
if [ "${1:-}" = --inside ]; then
	T=$2
	"$PY" "$HERE/notify_server.py" "$T/notify.log" "$T/ready" \
	    >"$T/server.err" 2>&1 &
	srv=$!
	for _ in $(seq 100); do [ -e "$T/ready" ] && break; sleep 0.1; done
	"$MAILCON" watch --headless --from-start --lines --config "$T/config" \
	    >"$T/watch.out" 2>&1 &
	w=$!
	for _ in $(seq 300); do
		grep -q "critical judy@example.test" "$T/watch.out" &&
		    grep -q "Zz9last" "$T/watch.out" && break
		sleep 0.1
	done
	sleep 2		# the worker hands it to the bus; history flushes
	mkdir -p "$T/open"
	cp "$T"/history.db* "$T/open/"
	kill "$w" "$srv" 2>/dev/null
	wait "$w" "$srv" 2>/dev/null
	exit 0
fi

T=$(mktemp -d /tmp/mcsecret.XXXXXX) || exit 1
bus=
cleanup()
{
	[ -n "$bus" ] && kill "$bus" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$PY" -c 'import gi' 2>/dev/null || die "$PY has no gi module"
gzip -dc "$ROOT/tests/fixtures/demo/postfix.log.gz" >"$T/postfix.log"
gzip -dc "$ROOT/tests/fixtures/demo/dovecot.log.gz" >"$T/dovecot.log"
tab=$(printf '\t')
cat >>"$T/dovecot.log" <<LOG
Nov 28 04:16:48 auth: Info: passwd-file(judy@example.test,127.9.9.1): Password mismatch (given password: $PW1)
Nov 28 04:16:48 auth: Info: passwd-file(judy@example.test,127.9.9.2,<Zz9AbCdEfGo>): Password mismatch (SHA1 of given password: $SHA1) - trying the next passdb
Nov 28 04:16:48 auth: Debug: passwd-file(judy@example.test,127.9.9.3): SHA512-CRYPT($PW2) != '$HASH'
Nov 28 04:16:48 auth: Debug: client in: AUTH${tab}1${tab}PLAIN${tab}service=smtp${tab}resp=$B64 (previous base64 data may contain sensitive data)
Nov 28 04:16:48 auth: Debug: passwd-file(judy@example.test,127.9.9.4): cache hit: $PW3${tab}uid=1
Nov 28 04:16:48 auth: Debug: client passdb out: OK${tab}1${tab}user=judy@example.test${tab}pass=$PW4${tab}nologin
Nov 28 04:16:48 auth: Error: passwd-file(judy@example.test,127.9.9.5): Invalid password '$HASH' in passdb: Unknown scheme
Nov 28 04:16:49 auth: Info: passwd-file(guess@example.test,127.9.9.6,<Zz9last>): unknown user (given password: $PW1)
LOG
cat >"$T/config" <<CFG
[console]
history = $T/history.db
[logs]
timezone = UTC
year = 2026
[server mx]
logs = $T/postfix.log, $T/dovecot.log
CFG

# leaks FILE...: name each secret found in the files
leaks() {
	for s in $SECRETS; do
		grep -aqF -- "$s" "$@" 2>/dev/null && echo "$s in $(grep -alF -- "$s" "$@" | tr '\n' ' ')"
	done
}

timeout 120 dbus-run-session -- bash "$0" --inside "$T" &
bus=$!
wait "$bus"
bus=

grep -q "critical judy@example.test on mx" "$T/watch.out" ||
    fail "the watch did not find judy critical: $(tail -5 "$T/watch.out")"
# --lines printed the password lines, hidden
n=$(grep -c "line mx: .*<hidden>" "$T/watch.out")
[ "$n" -eq 8 ] || fail "--lines: $n lines with <hidden>, want 8: $(grep -a 'given password\|<hidden>' "$T/watch.out")"
grep -qF "Password mismatch (given password: <hidden>)" "$T/watch.out" ||
    fail "--lines: the server's words around the password are gone"
grep -qF "line mx: Nov 28 04:16:32 auth: Info: passwd-file(alice@example.test,127.0.1.2): unknown user" "$T/watch.out" ||
    fail "--lines: a line without a password is not printed whole: $(grep -m3 'line mx' "$T/watch.out")"
out=$(leaks "$T/watch.out")
[ -z "$out" ] || fail "headless output: $out"
grep -q '"urgency"' "$T/notify.log" 2>/dev/null ||
    fail "no notification was sent (the test proves nothing)"
out=$(leaks "$T/notify.log")
[ -z "$out" ] || fail "notifications: $out"
ls "$T/open/history.db" "$T/open/history.db-wal" >/dev/null 2>&1 ||
    fail "the open history (with its -wal) was not copied: $(ls "$T/open")"
out=$(leaks "$T"/open/history.db* "$T"/history.db*)
[ -z "$out" ] || fail "history: $out"

# scan: the table, the JSON, the CSV, the detail and the digest
"$MAILCON" scan --quiet --year 2026 --utc "$T/postfix.log" "$T/dovecot.log" >"$T/scan.txt" 2>&1
"$MAILCON" scan --quiet --json --detail --year 2026 --utc "$T/postfix.log" "$T/dovecot.log" >"$T/scan.json" 2>&1
"$MAILCON" scan --quiet --csv --detail --year 2026 --utc "$T/postfix.log" "$T/dovecot.log" >"$T/scan.csv" 2>&1
"$MAILCON" scan --quiet --detail --year 2026 --utc "$T/postfix.log" "$T/dovecot.log" >"$T/scan.detail" 2>&1
"$MAILCON" scan --quiet --summary --year 2026 --utc "$T/postfix.log" "$T/dovecot.log" >"$T/scan.digest" 2>&1
for f in scan.txt scan.json scan.csv scan.detail scan.digest; do
	grep -q "judy@example.test" "$T/$f" || fail "$f: no judy: $(head "$T/$f")"
done
out=$(leaks "$T/scan.txt" "$T/scan.json" "$T/scan.csv" "$T/scan.detail" "$T/scan.digest")
[ -z "$out" ] || fail "scan: $out"

# A password we make: a site's password_command that echoes what it is
# given.  The run that fails shows it nowhere; the one that succeeds shows
# it once, on its own line, and stores it nowhere.
cat >"$T/setpw" <<'SH'
#!/bin/sh
IFS= read -r p
printf '%s\n' "$p" >"$(dirname "$0")/given.$1"
echo "setpw: setting $p for $1" >&2
exit "$2"
SH
chmod +x "$T/setpw"
for rc in 1 0; do
	cat >"$T/act.ini" <<CFG
[console]
history = $T/act.db
[server mx]
logs = $T/postfix.log
password_command = $T/setpw %{account} $rc
CFG
	rm -f "$T"/act.db*
	"$MAILCON" act reset-password --yes --config "$T/act.ini" \
	    --account "judy@example.test" >"$T/act.out" 2>"$T/act.err"
	got=$?
	pw=$(cat "$T/given.judy@example.test" 2>/dev/null)
	[ "${#pw}" -ge 16 ] || { fail "rc $rc: the command got no password"; continue; }
	SECRETS=$pw
	if [ "$rc" = 1 ]; then
		[ "$got" = 1 ] || fail "rc 1: mailcon act exit $got, want 1"
		out=$(leaks "$T/act.out" "$T/act.err")
	else
		[ "$got" = 0 ] || fail "rc 0: mailcon act exit $got: $(cat "$T/act.out" "$T/act.err")"
		n=$(grep -c -- "$pw" "$T/act.out")
		[ "$n" = 1 ] || fail "rc 0: the password shown $n times, want once"
		grep -q "new password for judy@example.test (shown once, never stored): $pw\$" "$T/act.out" ||
		    fail "rc 0: no 'new password' line: $(cat "$T/act.out")"
		out=$(grep -v "^new password for" "$T/act.out" | grep -F -- "$pw"; leaks "$T/act.err")
	fi
	[ -z "$out" ] || fail "rc $rc: mailcon act printed the password: $out"
	grep -q "setting <secret> for judy" "$T/act.out" "$T/act.err" ||
	    [ "$rc" = 0 ] ||
	    fail "rc $rc: the command's words are gone: $(cat "$T/act.out" "$T/act.err")"
	out=$(leaks "$T"/act.db*)
	[ -z "$out" ] || fail "rc $rc: the audit database holds the password"
	python3 - "$T/act.db" <<'PY' || fail "rc $rc: the audit row lacks the command's stderr"
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute(
    "SELECT stderr FROM audit WHERE action = 'reset-password'").fetchall()
if not any(r[0] and "setting <secret> for judy" in r[0] for r in rows):
    print(rows)
    sys.exit(1)
PY
done

[ "$failed" -eq 0 ] && echo "secrets: no output holds a password"
exit "$failed"
