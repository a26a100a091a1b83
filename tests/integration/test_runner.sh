#!/bin/bash
# test_runner.sh: the integration runner itself (run.sh), on a directory
# of small tests of its own, started from a hostile tester's environment:
# a ~/.config/mailcon/config that allow-lists the hijacked account,
# TZ=Asia/Kolkata, a German LC_ALL, PYTHONOPTIMIZE=2, a BASH_ENV script,
# SSH_AUTH_SOCK and DBUS_SESSION_BUS_ADDRESS of a desktop, and a PATH
# whose first directory holds a python3 shim (as pyenv's).
#
#  1. a test sees none of it: its own empty HOME and XDG directories
#     (XDG_RUNTIME_DIR mode 0700), TZ=UTC, LC_ALL=C, no PYTHONOPTIMIZE
#     (assert works), PATH of Debian's directories only (Debian's python3,
#     not the shim), and `mailcon scan` flags the hijacked account
#     critical with a flagged_at in UTC;
#  2. a test that hangs fails by its deadline ("# timeout: 2"), named,
#     after SIGTERM (its EXIT trap ran) to exactly its process group: a
#     process of its own in the background is gone, one that is not its
#     own (started here) still runs; the tests after it still run;
#  3. a test that leaves a process running fails, naming it, and the
#     process is gone;
#  4. a misspelt TESTS name, or a file that is no test, is an error
#     (exit 2), not "0 passed".
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
: "${MAILCON:?MAILCON must name the mailcon binary}"

T=$(mktemp -d /tmp/mcrunner.XXXXXX) || exit 1
failed=0
DECOY=

cleanup()
{
	stop_pids $DECOY
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Is PID running (a zombie nobody reaped yet is not)?
alive()
{
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "${st%% *}" != Z ]
}

mkdir -p "$T/it" "$T/home/.config/mailcon"
cp "$HERE/run.sh" "$T/it/run.sh" || exit 1

# --- the hostile tester --------------------------------------------------
printf '[detect]\nallow = judy@example.test\n' >"$T/home/.config/mailcon/config"
printf 'echo BASH_ENV ran >>%s/bash_env.ran\n' "$T" >"$T/bash_env"
mkdir -p "$T/shims"
printf '#!/bin/sh\necho shim ran >>%s/shim.ran\nexec /usr/bin/python3 "$@"\n' \
    "$T" >"$T/shims/python3"
chmod 755 "$T/shims/python3"
i=1
while [ $i -le 40 ]; do
	printf 'Nov 28 04:00:%02d mail postfix/smtpd[1%03d]: A%05dB: client=unknown[127.200.0.%d], sasl_method=PLAIN, sasl_username=judy@example.test\n' \
	    $((i % 60)) $i $i $i
	i=$((i + 1))
done >"$T/hijack.log"

# --- the runner's own tests ------------------------------------------------
cat >"$T/it/test_env.sh" <<EOF
#!/bin/bash
# what a test sees of its environment
bad=0
no() { echo "PROBE: \$*"; bad=1; }
[ "\$HOME" != "$T/home" ] && [ -d "\$HOME" ] || no "HOME is \$HOME"
[ -z "\$(ls -A "\$HOME")" ] || no "HOME is not empty: \$(ls -A "\$HOME")"
for v in XDG_CONFIG_HOME XDG_STATE_HOME XDG_CACHE_HOME XDG_DATA_HOME \\
    XDG_RUNTIME_DIR; do
	d=\${!v:-}
	case \$d in "$T"/*|'') no "\$v is '\$d'" ;; esac
	[ -d "\$d" ] && [ -z "\$(ls -A "\$d")" ] || no "\$v \$d: not an empty directory"
done
[ "\$(stat -c %a "\$XDG_RUNTIME_DIR")" = 700 ] || no "XDG_RUNTIME_DIR not 0700"
[ "\$TZ" = UTC ] || no "TZ is \$TZ"
[ "\$LC_ALL" = C ] || no "LC_ALL is \$LC_ALL"
[ -z "\${PYTHONOPTIMIZE+set}" ] || no "PYTHONOPTIMIZE is set"
python3 -c 'assert False' 2>/dev/null && no "python3's assert is off"
for v in SSH_AUTH_SOCK DBUS_SESSION_BUS_ADDRESS BASH_ENV; do
	[ -z "\${!v+set}" ] || no "\$v is set"
done
[ -e "$T/bash_env.ran" ] && no "the tester's BASH_ENV ran"
[ "\$PATH" = /usr/sbin:/usr/bin:/sbin:/bin ] || no "PATH is \$PATH"
[ "\$(command -v python3)" = /usr/bin/python3 ] ||
    no "python3 is \$(command -v python3)"
"\$MAILCON" scan --year 2026 --json "$T/hijack.log" >"$T/scan.json"
python3 - "$T/scan.json" <<'PY' || bad=1
import json, sys
acc = {a["account"]: a for a in json.load(open(sys.argv[1]))["accounts"]}
j = acc.get("judy@example.test", {})
if j.get("level") != "critical" or not str(j.get("flagged_at")).startswith("2026-11-28T04:"):
    sys.exit("PROBE: judy is %s, flagged at %s" % (j.get("level"), j.get("flagged_at")))
PY
exit \$bad
EOF
cat >"$T/it/test_hang.sh" <<EOF
#!/bin/bash
# timeout: 2
trap 'echo cleaned >"$T/hang.cleaned"' EXIT
trap 'exit 143' TERM
sleep 300 &
echo \$! >"$T/hang.child"
sleep 300
EOF
cat >"$T/it/test_leak.sh" <<EOF
#!/bin/sh
sleep 300 &
echo \$! >"$T/leak.child"
exit 0
EOF
cat >"$T/it/test_zafter.sh" <<'EOF'
#!/bin/sh
echo "after the hang"
EOF

sleep 300 &
DECOY=$!

env -i PATH="$T/shims:$PATH" HOME="$T/home" XDG_CONFIG_HOME="$T/home/.config" TZ=Asia/Kolkata LC_ALL=de_DE.UTF-8 \
    PYTHONOPTIMIZE=2 BASH_ENV="$T/bash_env" SSH_AUTH_SOCK=/tmp/agent.sock \
    DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/0/bus TEST_TIMEOUT=60 \
    timeout 120 sh "$T/it/run.sh" "$MAILCON" >"$T/run.out" 2>&1
rc=$?
cat "$T/run.out"

# --- 1. isolation ----------------------------------------------------------
grep -q '^PASS test_env.sh' "$T/run.out" ||
    fail "a test saw the tester's environment (see PROBE lines above)"
[ -e "$T/shim.ran" ] && fail "a test ran the tester's python3 shim"

# --- 2. the hang -------------------------------------------------------------
grep -q '^FAIL test_hang.sh (timed out after 2s' "$T/run.out" ||
    fail "the hanging test was not failed by its deadline, by name"
[ -s "$T/hang.cleaned" ] || fail "the hanging test's EXIT trap did not run (no SIGTERM first)"
if [ -s "$T/hang.child" ]; then
	alive "$(cat "$T/hang.child")" &&
	    fail "the hanging test's own background process still runs"
else
	fail "the hanging test did not start"
fi
alive "$DECOY" ||
    fail "a process that was not the test's was killed"
grep -q '^PASS test_zafter.sh' "$T/run.out" || fail "the tests after the hang did not run"

# --- 3. a leak -----------------------------------------------------------------
grep -q '^FAIL test_leak.sh (exit 0, .*left processes running, killed: *[0-9]*(sleep 300' \
    "$T/run.out" || fail "a test that left a process running passed"
if [ -s "$T/leak.child" ]; then
	alive "$(cat "$T/leak.child")" &&
	    fail "the leaked process still runs"
else
	fail "the leaking test did not start"
fi
grep -q '^2 passed, 2 failed$' "$T/run.out" || fail "the summary is not 2 passed, 2 failed"
[ "$rc" = 1 ] || fail "runner exit $rc with failed tests, not 1"

# --- 4. names that are no test ---------------------------------------------------
for name in test_evn.sh run.sh; do
	TESTS=$name sh "$T/it/run.sh" "$MAILCON" >"$T/bad.out" 2>&1
	rc=$?
	[ "$rc" = 2 ] || fail "TESTS=$name: exit $rc, not 2: $(cat "$T/bad.out")"
	grep -q "$name" "$T/bad.out" && ! grep -q 'passed' "$T/bad.out" ||
	    fail "TESTS=$name: not named as an error: $(cat "$T/bad.out")"
done
TESTS="test_zafter.sh test_misspelt.sh" sh "$T/it/run.sh" "$MAILCON" >"$T/bad.out" 2>&1
rc=$?
[ "$rc" = 2 ] && ! grep -q 'after the hang\|PASS' "$T/bad.out" ||
    fail "one unknown name among good ones: exit $rc, ran: $(cat "$T/bad.out")"

[ "$failed" = 0 ] && echo "test_runner: all checks passed"
exit "$failed"
