#!/bin/bash
# test_check_console.sh: the wiring in the console's results, on a real
# Postfix + Dovecot, the console in tmux (80x24).
#
#  1. wired (the stack's check_sasl_access and deny passdb): s suspends
#     judy, "done", her logins and mail refused.
#  2. check_sasl_access and the deny passdb gone (Postfix and Dovecot
#     reloaded): s on judy changes the files, and the result on screen says
#     PARTLY DONE, "files updated", the lines to add, "NOT refused", and
#     that it is not in effect; never "logins and mail refused".
#
# Environment: MAILCON (the binary).  Needs root, Postfix, Dovecot, tmux,
# python3 (tests/deps.sh).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/stack.sh"
. "$HERE/tmuxlib.sh"
. "$HERE/actlib.sh"
export STACK_AUTH_PENALTY=0

tmux_stack_test wire k

pw() { awk -v u="$1@example.test" '$1 == u { print $2 }' "$STACK_USERS"; }
J=judy@example.test

# The screen as one line (a result wraps at 80 columns).
flat()
{
	screen | sed 's/^[│| ]*//; s/[│| ]*$//' | tr '\n' ' ' | tr -s ' '
}

# wait_flat TEXT SECS: until the flattened screen holds TEXT.
wait_flat()
{
	for _ in $(seq $(($2 * 10))); do
		flat | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	return 1
}

close()
{
	key Escape
	for _ in $(seq 30); do
		screen | grep -q 'any key: close' || return 0
		sleep 0.1
	done
	fail "the result did not close: $(screen)"
}

stack_start "$S" || die "the mail stack did not start"
stack_mailcon_server mx >"$T/config"
echo "send $J $(pw judy) 127.0.1.10 2 2 x@remote.test" |
    mailgen "$T/qids" || die "mailgen: $(cat "$T/gen")"
wait_settled "$T/qids" || die "the mail did not settle"

console_run k 80 24 XDG_STATE_HOME="$T/state" "$MAILCON" --config "$T/config" \
    --from-start
wait_screen "$J" 15 || die "judy not on screen: $(screen) $(cat "$T/k.err")"
key 2 / judy Enter
sleep 0.5

# --- 1. wired --------------------------------------------------------------
key s
wait_flat "suspend $J on mx: done logins and mail refused" 30 ||
    fail "wired: s did not say done, refused: $(flat)"
close
key U
wait_flat "unsuspend $J on mx: done" 30 || fail "U did not unsuspend: $(flat)"
close

# --- 2. nothing wired --------------------------------------------------------
postconf -c "$STACK_POSTFIX_CONF" -e \
    "smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination" ||
    die "postconf -e failed"
postfix -c "$STACK_POSTFIX_CONF" reload >/dev/null 2>&1 || die "postfix reload failed"
python3 - "$STACK_DOVECOT_CONF" <<'PY' || die "cannot drop the deny passdb"
import re, sys
p = sys.argv[1]
s = open(p).read()
s2 = re.sub(r"passdb \{\n  driver = passwd-file\n  deny = yes\n  args = [^\n]*\n\}\n", "", s)
assert s2 != s
open(p, "w").write(s2)
PY
doveadm -c "$STACK_DOVECOT_CONF" reload || die "doveadm reload failed"

key s
wait_flat "suspend $J on mx: PARTLY DONE files updated;" 30 ||
    fail "unwired: s did not say PARTLY DONE, files updated: $(flat)"
for want in "Dovecot does not read the deny file" "deny = yes" \
    "Postfix does not read the map" "add check_sasl_access hash:" \
    "its logins and mail are NOT refused" "not in effect"; do
	flat | grep -qF -- "$want" ||
	    fail "unwired: the result on screen does not say '$want': $(flat)"
done
flat | grep -qF "logins and mail refused" &&
    fail "unwired: the screen says 'logins and mail refused': $(flat)"
grep -qxF "$J" "$STACK_DENY" || fail "unwired: judy is not in the deny file"
close

[ "$failed" = 0 ] && echo "ok: the console's suspend says what the live configuration does not read"
exit "$failed"
