#!/bin/bash
# test_contain_live.sh: containment on a real Postfix + Dovecot, live.
#
#  1. The console in tmux: judy is hijacked from 60 loopback addresses; one
#     key (s) on her row suspends her.  Then a fresh AUTH as judy fails
#     while bob still sends, her queued mail is on hold, the audit has the
#     rows.  Purge (D) asks with the count and does nothing on n; on y it
#     removes exactly her messages.  --read-only refuses the key.
#  2. mailcon watch --headless with [watch] contain = hold, suspend: a
#     paced live hijack of ivan (tests/integration/hijack.py) is contained
#     with nobody at the keys; the test prints how many messages ivan got
#     queued before that, and checks every one of them ended on hold
#     (and no more than those plus the messages whose answer was cut off
#     when the suspension ended the session: hijack.py's in_doubt).
#  3. The console started again lists what the headless watch did.
#  4. mailcon act killed (kill -9) while its command runs: its intent row
#     is listed as "NO OUTCOME" at the next start, then marked unknown.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/stack.sh"
. "$HERE/tmuxlib.sh"

tmux_stack_test contain c
WATCH_PID=

test_cleanup()
{
	[ -n "$WATCH_PID" ] && kill "$WATCH_PID" 2>/dev/null
}

pw() { awk -v u="$1@example.test" '$1 == u { print $2 }' "$STACK_USERS"; }

# Sorted "QUEUE_NAME QUEUE_ID" of the messages whose ids are in FILE.
queue_state()
{
	postqueue -c "$STACK_POSTFIX_CONF" -j | python3 -c '
import json, sys
ids = set(l.split()[0] for l in open(sys.argv[1]) if l.strip())
for line in sys.stdin:
    j = json.loads(line)
    if j["queue_id"] in ids:
        print(j["queue_name"], j["queue_id"])' "$1" | sort
}

# console SESSION ARGS...: the console in a fresh tmux session.
console()
{
	local name=$1
	shift
	console_run "$name" 120 30 XDG_STATE_HOME="$T/state" "$MAILCON" \
	    --config "$T/config" "$@"
}

stack_start "$S" || die "the mail stack did not start"
{
	stack_mailcon_server mx
	printf 'queue_command = postqueue -c %s -j\nqueue_interval = 2s\n' \
	    "$STACK_POSTFIX_CONF"
	printf '[watch]\nlevel = critical\ncontain = hold, suspend\n'
} >"$T/config"
DB=$T/state/mailcon/history.db

# --- 1. one key in the console ---------------------------------------------
console c
wait_screen "accounts" 10 || die "console did not start: $(screen) $(cat "$T/c.err")"
echo "send bob@example.test $(pw bob) 127.0.1.3 3 1 x@remote.test" |
    python3 "$MAILGEN" --port "$STACK_SUBMIT_PORT" --qids "$T/bob.qids" \
    >/dev/null 2>"$T/mg" || die "mailgen: $(cat "$T/mg")"
python3 - "$(pw judy)" >"$T/plan" <<'PY'
import sys
for i in range(60):
    print("send judy@example.test %s 127.201.%d.%d 1 1 x%d@d%d.spam.test"
          % (sys.argv[1], i // 20, i % 20 + 1, i, i))
PY
python3 "$MAILGEN" --port "$STACK_SUBMIT_PORT" -j 8 --qids "$T/judy.qids" \
    <"$T/plan" >/dev/null 2>"$T/mg" || die "mailgen: $(cat "$T/mg")"
wait_screen "critical  judy@example.test" 15 ||
    die "judy not critical on screen: $(screen)"
# judy is the worst account: the first row
tmux -L "$SOCK" send-keys -t c g s
if wait_screen "suspend judy@example.test on mx: done" 20; then
	echo "console: $(screen | grep -F 'suspend judy' | sed 's/^ *//')"
else
	fail "no suspend result on screen: $(screen)"
fi
wait_screen "verification: logins refused" 30 ||
    fail "no verification on screen: $(screen)"

# auth_fails LOGIN: a fresh AUTH as LOGIN fails.  Dovecot looks at a
# changed passwd-file at most once a second, so up to 3 s are allowed.
auth_fails()
{
	local i
	for i in 1 2 3 4 5 6; do
		echo "fail $1@example.test $(pw "$1") 127.0.1.9 1" |
		    python3 "$MAILGEN" --port "$STACK_SUBMIT_PORT" >"$T/mg" 2>&1 &&
		    return 0
		sleep 0.5
	done
	return 1
}

# judy can no longer log in; bob still sends
auth_fails judy || fail "AUTH as judy after the suspension: $(cat "$T/mg")"
echo "send bob@example.test $(pw bob) 127.0.1.3 1 1 y@remote.test" |
    python3 "$MAILGEN" --port "$STACK_SUBMIT_PORT" --qids "$T/bob2.qids" \
    >"$T/mg" 2>&1 || fail "bob cannot send after judy's suspension: $(cat "$T/mg")"
cat "$T/bob2.qids" >>"$T/bob.qids"
n=$(queue_state "$T/judy.qids" | grep -c '^hold ')
[ "$n" = 60 ] || fail "$n of judy's 60 messages on hold: $(queue_state "$T/judy.qids")"
queue_state "$T/bob.qids" | grep -q '^hold ' && fail "bob's mail held"

python3 - "$DB" >"$T/audit" <<'PY' || fail "audit: $(cat "$T/audit")"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("select state, operator, server, account, verified from "
                  "audit where action = 'suspend'").fetchall()
print(rows)
if not (rows):
    sys.exit("FAIL: %s: %s" % ('rows', "no suspend rows"))
for state, op, server, account, verified in rows:
    if not (state == "done"):
        sys.exit("FAIL: %s: %s" % ('state == "done"', state))
    if not (op and server == "mx" and account == "judy@example.test"):
        sys.exit('FAIL: op and server == "mx" and account == "judy@example.test"')
    if not (verified == "ok"):
        sys.exit("FAIL: %s: %s" % ('verified == "ok"', verified))
PY

# purge: the dialog names the count; n does nothing, y removes hers only
tmux -L "$SOCK" send-keys -t c Escape
sleep 0.3
tmux -L "$SOCK" send-keys -t c D
if wait_screen "Purge 60 queued messages of judy@example.test on mx?" 15; then
	tmux -L "$SOCK" send-keys -t c n
	wait_screen "purge judy@example.test: not done" 30 ||
	    fail "no 'not done' after n: $(screen)"
	n=$(queue_state "$T/judy.qids" | wc -l)
	[ "$n" = 60 ] || fail "n in the purge dialog removed mail ($n left)"
	queue_state "$T/bob.qids" >"$T/bob.before"
	tmux -L "$SOCK" send-keys -t c D
	wait_screen "Purge 60 queued" 15 && tmux -L "$SOCK" send-keys -t c y
	wait_screen "purge judy@example.test on mx: done" 20 ||
	    fail "no purge result: $(screen)"
	n=$(queue_state "$T/judy.qids" | wc -l)
	[ "$n" = 0 ] || fail "$n of judy's messages left after the purge"
	queue_state "$T/bob.qids" | cmp -s - "$T/bob.before" ||
	    fail "bob's queue changed by judy's purge"
else
	fail "no purge dialog with the count: $(screen)"
fi
tmux -L "$SOCK" send-keys -t c Escape q

# --read-only: no action runs
console ro --read-only
wait_screen "judy@example.test" 15 ro || fail "read-only console: $(screen ro)"
tmux -L "$SOCK" send-keys -t ro Escape 2 g s
wait_screen "read-only (--read-only): actions are off" 30 ro ||
    fail "s in --read-only: $(screen ro)"
tmux -L "$SOCK" send-keys -t ro q
sleep 0.5

# --- 2. headless: a live hijack contained with nobody at the keys ----------
XDG_STATE_HOME=$T/state "$MAILCON" watch --headless --config "$T/config" >"$T/watch.out" \
    2>"$T/watch.err" &
WATCH_PID=$!
wait_file "watching" "$T/watch.out" 10 || fail "watch did not start: $(cat "$T/watch.err")"
python3 "$HERE/hijack.py" --port "$STACK_SUBMIT_PORT" --login ivan@example.test \
    --password "$(pw ivan)" --rate 30 --per-conn 3 --net 127.0.9 >"$T/hijack"
queued=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["queued"])' "$T/hijack")
# sent whole, the answer lost when the suspension ended the session: the
# server may have queued them (hijack.py)
doubt=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["in_doubt"])' "$T/hijack")
wait_file "suspend ivan@example.test on mx: done" "$T/watch.out" 20 ||
    fail "headless did not suspend ivan: $(cat "$T/watch.out" "$T/watch.err")"
echo "headless: ivan got $queued messages queued before the watch contained the hijack ($doubt more sent whole, their answer cut off)"
echo "headless: $(grep -F 'ivan@example.test' "$T/watch.out" | head -3)"
[ "$queued" -gt 0 ] || fail "the hijack queued nothing: $(cat "$T/hijack")"
auth_fails ivan || fail "AUTH as ivan after headless containment: $(cat "$T/mg")"
# every message of ivan's on hold (the sweep takes late ones a second on)
i=0
while [ $i -lt 100 ]; do
	notheld=$(postqueue -c "$STACK_POSTFIX_CONF" -j |
	    grep -F '"sender": "ivan@example.test"' | grep -vc '"queue_name": "hold"')
	[ "$notheld" = 0 ] && break
	sleep 0.1
	i=$((i + 1))
done
[ "$notheld" = 0 ] || fail "$notheld of ivan's messages not on hold: $(cat "$T/watch.out")"
held=$(postqueue -c "$STACK_POSTFIX_CONF" -j |
    grep -F '"sender": "ivan@example.test"' | grep -c '"queue_name": "hold"')
# every message the server acknowledged is held, and nothing more than
# those whose answer the ended sessions cut off
[ "$held" -ge "$queued" ] && [ "$held" -le $((queued + doubt)) ] ||
    fail "ivan queued $queued ($doubt more sent whole, unanswered), $held on hold"
kill -TERM "$WATCH_PID"
wait "$WATCH_PID"
WATCH_PID=
grep -q "stopped; 1 containment action run" "$T/watch.out" ||
    fail "watch did not say what it did: $(tail -n 2 "$T/watch.out")"

# --- 3. the console, next start: what happened while nobody watched --------
console c2
if wait_screen "Actions since your last session" 15 c2; then
	wait_screen "suspend ivan@example.test on mx by" 30 c2 ||
	    fail "ivan's suspension not listed: $(screen c2)"
else
	fail "no listing of the headless actions: $(screen c2)"
fi

# --- 4. an action killed mid-way: listed at the next start ---------------
printf '#!/bin/sh\necho $$ >%s\nexec sleep 30\n' "$T/slowlock.pid" >"$T/slowlock"
chmod 755 "$T/slowlock"
sed "s|^doveadm = .*|&\nsuspend_command = $T/slowlock %{account}|" \
    "$T/config" >"$T/config.slow"
XDG_STATE_HOME=$T/state "$MAILCON" act suspend --account carol@example.test \
    --no-hold --config "$T/config.slow" >/dev/null 2>&1 &
act_pid=$!
# its intent is durable before the command runs
rows() {
	python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for r in db.execute("select state from audit where account = ?",
                    ("carol@example.test",)):
    print(r[0])' "$DB"
}
i=0
# (20 s at most: a bound for a hang, well inside the 30 s its command sleeps)
while [ $i -lt 200 ] && [ "$(rows)" != intent ]; do sleep 0.1; i=$((i + 1)); done
[ "$(rows)" = intent ] || fail "no intent row while the suspend runs: $(rows)"
kill -9 "$act_pid"
wait "$act_pid" 2>/dev/null
[ -s "$T/slowlock.pid" ] && kill -9 "$(cat "$T/slowlock.pid")" 2>/dev/null
tmux -L "$SOCK" kill-session -t c2 2>/dev/null
console c3
if wait_screen "NO OUTCOME" 15 c3; then
	wait_screen "suspend carol@example.test on mx" 30 c3 ||
	    fail "the killed suspend is not named: $(screen c3)"
	tmux -L "$SOCK" send-keys -t c3 Escape
	i=0
	while [ $i -lt 300 ] && [ "$(rows)" != unknown ]; do sleep 0.1; i=$((i + 1)); done
	[ "$(rows)" = unknown ] || fail "the listed row is not marked unknown: $(rows)"
else
	fail "an action killed mid-way is not listed at start: $(screen c3)"
fi

[ $failed -eq 0 ] && echo "containment live: all checks passed"
exit $failed
