#!/bin/bash
# test_console_keys.sh: every containment key of the console, and its
# F-key twin, on a real Postfix + Dovecot, the console in tmux (80x24):
#
#  1. h / F7 hold exactly judy's queued mail, H / F8 release it, from the
#     accounts view and from her detail;
#  2. s / F5 suspend her (the deny file lists her), U / F6 unsuspend her;
#  3. D / F9 ask with the count and do nothing on n;
#  4. P / F4 ask and do nothing on n; on y the new password is shown once:
#     Dovecot accepts it and refuses the old one, and once the result is
#     closed it is on the screen no more (nor in tmux's history), and in
#     no file of the history database;
#  5. with --read-only, every one of the twelve keys says that actions are
#     off, and nothing changes (deny file, map, passwd-file, queue, audit).
#
# Environment: MAILCON (the binary).  Needs root, Postfix, Dovecot, tmux,
# python3 (tests/deps.sh).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/stack.sh"
. "$HERE/tmuxlib.sh"
. "$HERE/actlib.sh"

tmux_stack_test keys k

pw() { awk -v u="$1@example.test" '$1 == u { print $2 }' "$STACK_USERS"; }
J=judy@example.test

# close: any key closes a result; wait until it is gone.
close()
{
	key Escape
	for _ in $(seq 30); do
		screen | grep -q 'any key: close' || return 0
		sleep 0.1
	done
	fail "the result did not close: $(screen)"
}

# queued_state FILE: "hold" or "queued" for each of the ids in FILE.
queued_state()
{
	queue_list | awk 'NR == FNR { want[$1] = 1; next }
	    ($2 in want) { print ($1 == "hold" ? "hold" : "queued") }' "$1" - |
	    sort | uniq -c | awk '{ print $2 "=" $1 }' | tr '\n' ' '
}

# run_key KEY WHAT STATE: KEY on judy does WHAT ("hold", ...) and reports
# done; then judy's messages are all in STATE.
run_key()
{
	key "$1"
	if wait_screen "$2 $J on mx: done" 20; then
		close
	else
		fail "$1 did not $2 judy: $(screen)"
		close
	fi
	[ "$(queued_state "$T/judy")" = "$3=4 " ] ||
	    fail "$1 ($2): judy's mail is $(queued_state "$T/judy"), not all $3"
	[ "$(queued_state "$T/dave")" = "queued=3 " ] ||
	    fail "$1 ($2) touched dave's mail: $(queued_state "$T/dave")"
}

stack_start "$S" || die "the mail stack did not start"
{
	stack_mailcon_server mx
	printf 'queue_command = postqueue -c %s -j\nqueue_interval = 1s\n' \
	    "$STACK_POSTFIX_CONF"
} >"$T/config"
{
	echo "send $J $(pw judy) 127.0.1.10 4 2 x@remote.test"
	echo "send dave@example.test $(pw dave) 127.0.1.11 3 3 y@remote.test"
} | mailgen "$T/qids" || die "mailgen: $(cat "$T/gen")"
wait_settled "$T/qids" || die "the mail did not settle"
ids_of_login "$J" "$T/qids" >"$T/judy"
ids_of_login dave@example.test "$T/qids" >"$T/dave"

console_run k 80 24 XDG_STATE_HOME="$T/state" "$MAILCON" --config "$T/config" \
    --from-start
wait_screen "$J" 15 || die "judy not on screen: $(screen) $(cat "$T/k.err")"
key 2 / judy Enter
sleep 0.5

# --- 1. hold and release, each key and its twin --------------------------
run_key h hold hold
run_key H release queued
run_key F7 hold hold
run_key F8 release queued
key Enter
wait_screen "LOGIN IP" 30 || fail "no detail of judy: $(screen)"
run_key h hold hold
run_key H release queued
key Escape

# --- 2. suspend and unsuspend ----------------------------------------------
for pair in "s U" "F5 F6"; do
	set -- $pair
	key "$1"
	wait_screen "suspend $J on mx: done" 20 || fail "$1 did not suspend judy: $(screen)"
	close
	grep -qxF "$J" "$STACK_DENY" || fail "$1: judy is not in the deny file"
	key "$2"
	wait_screen "unsuspend $J on mx: done" 20 || fail "$2 did not unsuspend judy: $(screen)"
	close
	grep -qxF "$J" "$STACK_DENY" && fail "$2: judy is still in the deny file"
	# a suspension holds her mail, and unsuspending leaves it held
	run_key H release queued
done

# --- 3. purge asks, n does nothing -----------------------------------------
for k in D F9; do
	key "$k"
	wait_screen "Purge 4 queued messages of $J on mx?" 15 ||
	    fail "$k: no purge dialog with the count: $(screen)"
	key n
	wait_screen "purge $J: not done" 30 || fail "$k n: no 'not done': $(screen)"
	[ "$(queued_state "$T/judy")" = "queued=4 " ] ||
	    fail "$k n: judy's mail changed: $(queued_state "$T/judy")"
done

# --- 4. the password: shown once, then gone --------------------------------
OLD=$(pw judy)
cp -p "$STACK_PASSWD" "$T/passwd.before"
key P
wait_screen "Reset the password of $J on mx?" 10 || fail "P: no dialog: $(screen)"
key n
wait_screen "reset-password $J: not done" 30 || fail "P n: no 'not done': $(screen)"
cmp -s "$STACK_PASSWD" "$T/passwd.before" || fail "P n changed the passwd-file"
key F4
wait_screen "Reset the password of $J on mx?" 10 || fail "F4: no dialog: $(screen)"
key y
if wait_screen "new password (shown once, stored nowhere):" 20; then
	NEW=$(screen | sed -n 's/.*new password (shown once, stored nowhere): *\([^ ]*\).*/\1/p')
	[ "${#NEW}" -ge 12 ] || fail "the new password on screen is '$NEW'"
	close
	screen | grep -qF -- "$NEW" && fail "the new password is still on the screen"
	tmux -L "$SOCK" capture-pane -p -S -2000 -t k | grep -qF -- "$NEW" &&
	    fail "the new password is in tmux's history"
	wait_dovecot_sees "$STACK_PASSWD"
	doveadm -c "$STACK_DOVECOT_CONF" auth test "$J" "$NEW" >"$T/auth" 2>&1 ||
	    fail "Dovecot refuses the new password: $(cat "$T/auth")"
	doveadm -c "$STACK_DOVECOT_CONF" auth test "$J" "$OLD" >"$T/auth" 2>&1 &&
	    fail "Dovecot still takes the old password"
	for f in "$T"/state/mailcon/history.db*; do
		grep -a -q -F -- "$NEW" "$f" && fail "the new password is in $(basename "$f")"
	done
else
	fail "F4 y: no new password shown: $(screen)"
fi
key q
sleep 0.5

# --- 5. --read-only: every key refused, nothing changed ----------------------
snap_files
cp "$T/state/mailcon/history.db" "$T/history.before" 2>/dev/null
audit_rows()
{
	python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("select count(*) from audit").fetchone()[0])' \
	    "$T/state/mailcon/history.db"
}
rows=$(audit_rows)
SCREEN_SESSION=ro
console_run ro 80 24 XDG_STATE_HOME="$T/state" "$MAILCON" --config "$T/config" \
    --from-start --read-only
wait_screen "$J" 15 ro || die "read-only console: $(screen ro)"
key 2 / judy Enter
sleep 0.5
for k in s F5 U F6 h F7 H F8 D F9 P F4; do
	# another note first (A on a server not behind SSH), so that each
	# refusal is seen anew
	key 1 A
	wait_screen "mx is not a server behind SSH" 30 ro ||
	    fail "read-only: no note from A: $(screen ro)"
	key 2 "$k"
	wait_screen "read-only (--read-only): actions are off" 30 ro ||
	    fail "read-only: $k did not say actions are off: $(screen ro)"
	screen ro | grep -q "Reset the password\|Purge [0-9]" &&
	    fail "read-only: $k opened a dialog: $(screen ro)"
done
sleep 1
same_files "--read-only"
[ "$(audit_rows)" = "$rows" ] || fail "--read-only: the audit has new rows"

[ "$failed" = 0 ] && echo "console keys: h H s U D P and F4-F9, the password once, --read-only all refused"
exit "$failed"
