# tests/screen/demo_act.sh: sourced by run.sh (its capture, expect,
# wait_for, key, ok, bad, tm and $T): the demo's action keys at 80x24 act
# on its private sandbox (backends/sandbox.h, console/live/demo_sandbox.c)
# through the same engine, dialogs, results and verification as a real
# server, marked as the demo:
#  - the header says DEMO;
#  - suspend: the result with its verification, the account then marked
#    SUSPENDED in the accounts view;
#  - purge: the question with the count, then the result and its
#    verification;
#  - after q the sandbox directory is gone, and the admin's state
#    directory holds no audit of the demo's actions.

dact_state=$T/dact-state
tm kill-session -t dact 2>/dev/null
tm new-session -d -s dact -x 80 -y 24 \
    "env TERM=xterm-256color LANG=C.UTF-8 XDG_CONFIG_HOME=$T/dact-cfg XDG_STATE_HOME=$dact_state $MAILCON --demo --speed 20 2>$T/dact.err; sleep 60"
if wait_for dact "demo: replay finished" 300; then
	sleep 1.2	# one more refresh, so every row is final
	if capture dact | sed -n 1p | grep -q '^ mailcon DEMO | accounts |'; then
		ok "demo actions: the header says DEMO"
	else
		bad "demo actions: the header says DEMO" "$(capture dact | sed -n 1p)"
	fi

	# suspend the selected (top) account: judy, critical
	key dact s
	sandbox=
	if wait_for dact "DEMO: suspend judy@example.test on demo: done" 600; then
		sleep 0.4
		expect dact demo-suspend-80x24
		# the result names the sandbox
		sandbox=$(tm capture-pane -p -t dact | grep -o '/tmp/mailcon-demo\.[A-Za-z0-9]*' | head -1)
		if [ -n "$sandbox" ] && [ -d "$sandbox/postfix/queue" ] &&
		    grep -qx 'judy@example.test' "$sandbox/dovecot/deny"; then
			ok "demo actions: the suspension is in the sandbox's deny file"
		else
			bad "demo actions: the suspension is in the sandbox's deny file" "dir '$sandbox'" "$(cat "$sandbox/dovecot/deny" 2>&1)"
		fi
	else
		bad "demo actions: suspend ends" "$(capture dact)" "$(cat "$T/dact.err")"
	fi
	key dact x
	if capture dact | sed -n 3p | grep -q 'judy@example.test .*SUSPENDED'; then
		ok "demo actions: the account is marked SUSPENDED"
	else
		bad "demo actions: the account is marked SUSPENDED" "$(capture dact | sed -n 1,4p)"
	fi

	# purge its queued mail: asked with the count, then done and verified
	key dact D
	if wait_for dact "Purge 400 queued messages of judy@example.test on demo?" 600; then
		sleep 0.4
		expect dact demo-purge-ask-80x24
		key dact y
		if wait_for dact "DEMO: purge judy@example.test on demo: done" 600; then
			sleep 0.4
			expect dact demo-purge-80x24
		else
			bad "demo actions: purge ends" "$(capture dact)"
		fi
	else
		bad "demo actions: purge asks" "$(capture dact)" "$(cat "$T/dact.err")"
	fi
	key dact x

	# q quits from the accounts view: the sandbox goes with the demo
	key dact q
	i=0
	while [ -n "$sandbox" ] && [ -e "$sandbox" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ -n "$sandbox" ] && [ ! -e "$sandbox" ]; then
		ok "demo actions: the sandbox is removed at exit"
	else
		bad "demo actions: the sandbox is removed at exit" "'$sandbox' is still there: $(ls -R "$sandbox" 2>&1 | head -5)" "$(capture dact)"
	fi
	if [ -e "$dact_state/mailcon/history.db" ]; then
		bad "demo actions: no audit in the admin's state" "$(ls -l "$dact_state/mailcon")"
	else
		ok "demo actions: no audit in the admin's state"
	fi
else
	bad "demo actions: demo starts" "$(capture dact)" "$(cat "$T/dact.err")"
fi
tm kill-session -t dact 2>/dev/null
