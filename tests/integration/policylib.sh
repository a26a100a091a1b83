# tests/integration/policylib.sh: the start test_policy.sh and
# test_policy_headless.sh share: no mail system, a followed log file, a
# suspend_command script of the test's, and `watch --headless` on them.
# Source it (bash) after testlib.sh and stack.sh (wait_file), then:
#
#	policy_watch DELAY [LINE...]
#		$T/mail.log (empty), $T/suspend (it appends its account to
#		$T/suspended, after DELAY seconds), a config (XDG_CONFIG_HOME
#		$T/cfg, state in $T/state) of server mx following the log with
#		that suspend_command, [watch] level = critical and contain =
#		suspend, then each LINE; then `mailcon watch --headless` on it
#		(stdout $T/out, stderr $T/err), its pid added to pids: the
#		test waits for what it needs to see first
#	policy_lines ACCOUNT FIRST-IP COUNT MSGS-PER-IP
#		submissions of ACCOUNT stamped now, MSGS-PER-IP from each of
#		COUNT addresses 10.N.M.1 from FIRST-IP on (each address a /16
#		of its own), queue ids unique per test

policy_seq=0

# policy_watch DELAY [LINE...]: the files, the config and the watch.
policy_watch()
{
	local delay=$1
	shift
	printf '#!/bin/sh\nsleep %s\necho "$1" >>"%s/suspended"\n' \
	    "$delay" "$T" >"$T/suspend"
	chmod +x "$T/suspend"
	: >"$T/suspended"
	: >"$T/mail.log"
	mkdir -p "$T/cfg/mailcon"
	printf '%s\n' "[server mx]" "logs = $T/mail.log" \
	    "suspend_command = $T/suspend %{account}" "" "[watch]" \
	    "level = critical" "contain = suspend" "$@" \
	    >"$T/cfg/mailcon/config"
	XDG_CONFIG_HOME=$T/cfg XDG_STATE_HOME=$T/state \
	    "$MAILCON" watch --headless >"$T/out" 2>"$T/err" &
	pids="$pids $!"
}

# policy_lines ACCOUNT FIRST-IP COUNT MSGS-PER-IP: log lines (see above).
policy_lines()
{
	local acct=$1 first=$2 n=$3 per=$4 i j now
	now=$(date '+%b %e %H:%M:%S')
	for i in $(seq "$first" $((first + n - 1))); do
		for j in $(seq "$per"); do
			policy_seq=$((policy_seq + 1))
			printf '%s mx postfix/submission/smtpd[%d]: %X: client=unknown[10.%d.%d.1], sasl_method=PLAIN, sasl_username=%s\n' \
			    "$now" $((4000 + policy_seq)) \
			    $((0x1A2B300000 + policy_seq)) \
			    $((i % 200)) $((i / 200)) "$acct"
		done
	done
}
