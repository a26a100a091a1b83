#!/bin/bash
# test_policy_service.sh: `mailcon policy` wired into the real Postfix of
# stack.sh with check_policy_service (smtpd_policy_service_default_action
# = DUNNO, a short timeout), as README.md and mailcon(1) tell the admin:
#  - two sessions open, alice@ and bob@; bob@ is suspended with
#    `mailcon act suspend` (the deny list it writes) reading a log that
#    names no process of his session, as a second console that never saw
#    it would: the suspension cannot end that session, so in the same
#    sessions bob@'s next RCPT is refused with the service's text,
#    alice@'s is not, and her message is queued; the refusal is in the
#    audit (sqlite) and in the service's output;
#  - bob@ unsuspended, a session of his open, suspended again with the
#    real log (which names his session's smtpd): the suspension's ending
#    of sessions and the service together leave him refused, in that
#    session and in a new one, which gets its answer at once: the session
#    was ended by cutting its connection, not by killing its smtpd (the
#    master stops spawning smtpd for service_throttle_time after one is
#    killed in its first session: the new session hung 30 s);
#  - hostile requests straight to the service (a sasl_username with spaces,
#    control bytes, not UTF-8; an overlong line; a request without the
#    empty line; a connection ending inside a request; a flood of 600
#    connections): each answered DUNNO, counted, the service's peak memory
#    stays bounded, and the service and smtpd go on;
#  - on a unix socket too, and under spawn(8)'s stdin/stdout (with its
#    -vv --trace);
#  - mailcon stopped mid-traffic: mail still flows, in the open session
#    and in a new one (the DUNNO default).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/stack.sh"
CLIENT=$HERE/policy_client.py
stack_test pol
export STACK_AUTH_PENALTY=0

[ -x "$MAILCON" ] || die "no $MAILCON (run make)"
stack_start "$S" || die "the mail stack did not start"

PORT=$(_stack_free_ports 127.0.0.1 1) || die "no free port"
mkdir -p "$T/cfg/mailcon" "$T/state"
stack_mailcon_server mx >"$T/cfg/mailcon/config"
printf '\n[policy]\nlisten = 127.0.0.1:%s, unix:%s/policy.sock\n' \
    "$PORT" "$T" >>"$T/cfg/mailcon/config"
export XDG_CONFIG_HOME=$T/cfg XDG_STATE_HOME=$T/state

"$MAILCON" policy >"$T/out" 2>"$T/err" &
ppid=$!
pids="$pids $ppid"
wait_file "policy: serving mx" "$T/out" 20 ||
    die "mailcon policy did not start: $(cat "$T/out" "$T/err")"
grep -q "refusing the logins in $STACK_DENY" "$T/out" ||
    fail "the service does not read the server's deny list: $(cat "$T/out")"

postconf -c "$STACK_POSTFIX_CONF" -e \
    "smtpd_recipient_restrictions = check_policy_service inet:127.0.0.1:$PORT, permit" \
    "smtpd_policy_service_default_action = DUNNO" \
    "smtpd_policy_service_timeout = 2s" \
    "smtpd_policy_service_try_limit = 1" || die "postconf failed"
postfix -c "$STACK_POSTFIX_CONF" reload >/dev/null 2>&1 ||
    die "postfix reload failed"

# --- an open session's next RCPT after the suspension ---------------------
# act reads an empty log: it knows no pid of bob@'s open session, so the
# session stays open and only the service can refuse its next RCPT
: >"$T/empty.log"
sed "s|^logs = .*|logs = $T/empty.log|" "$T/cfg/mailcon/config" >"$T/act.conf"
grep -qx "logs = $T/empty.log" "$T/act.conf" || die "no act.conf: $(cat "$T/act.conf")"
suspend="'$MAILCON' act suspend --config '$T/act.conf' --account bob@example.test --server mx --yes >'$T/act.out' 2>&1"
python3 "$CLIENT" sessions "$STACK_SUBMIT_PORT" "$STACK_USERS" "$suspend" \
    >"$T/sessions.out" 2>&1 ||
    fail "sessions: $(cat "$T/sessions.out" "$T/act.out")"
grep -qx "bob@example.test" "$STACK_DENY" ||
    fail "the suspension did not write the deny list: $(cat "$T/act.out")"
wait_file "policy: refused RCPT <second@deferred.test> of bob@example.test from 127.31.0.2 on mx: listed in $STACK_DENY" \
    "$T/out" 10 || fail "the refusal is not in the output: $(cat "$T/out")"
grep -q "alice@example.test" "$T/out" &&
    fail "alice@ was refused: $(cat "$T/out")"
n=$(python3 - "$T/state/mailcon/history.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("select count(*) from audit where action = 'policy-refuse'"
                 " and account = 'bob@example.test' and state = 'done'"
                 " and target like 'RCPT <second@deferred.test> from"
                 " 127.31.0.2%'").fetchone()[0])
PY
)
[ "$n" = 1 ] || fail "the audit has $n policy-refuse rows for bob@, want 1"

# --- the suspension's ending of sessions beside the service ----------------
"$MAILCON" act unsuspend --account bob@example.test --server mx --yes \
    >"$T/unsus.out" 2>&1 || fail "unsuspend: $(cat "$T/unsus.out")"
suspend="'$MAILCON' act suspend --account bob@example.test --server mx --yes >'$T/act2.out' 2>&1"
python3 "$CLIENT" ended "$STACK_SUBMIT_PORT" "$STACK_USERS" "$suspend" \
    >"$T/ended.out" 2>&1 ||
    fail "ended: $(cat "$T/ended.out" "$T/act2.out")"
grep -q "[1-9][0-9]* open SMTP sessions\{0,1\} ended" "$T/act2.out" ||
    fail "the suspension did not end bob@'s open session: $(cat "$T/act2.out")"
grep -E "smtpd pid [0-9]+ killed by signal|smtpd: bad command startup" \
    "$STACK_POSTFIX_LOG" >"$T/killed" &&
    fail "an smtpd was killed (the master throttles smtpd): $(cat "$T/killed")"

# --- hostile requests, TCP and the unix socket ------------------------------
python3 "$CLIENT" hostile "127.0.0.1:$PORT" >"$T/hostile.out" 2>&1 ||
    fail "hostile (TCP): $(cat "$T/hostile.out")"
python3 "$CLIENT" hostile "$T/policy.sock" >"$T/hostile2.out" 2>&1 ||
    fail "hostile (unix): $(cat "$T/hostile2.out")"
[ "$(python3 "$CLIENT" ask "$T/policy.sock" bob@example.test)" = \
    "action=REJECT 5.7.1 account suspended; contact your mail administrator" ] ||
    fail "the unix socket does not refuse bob@"
kill -0 "$ppid" 2>/dev/null || die "mailcon policy died: $(cat "$T/err")"
# bounded memory per connection: 2 x 600 connections and 100 kB lines
# left the peak far below what keeping them would take
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$ppid/status")
[ "${hwm:-0}" -gt 0 ] && [ "$hwm" -lt 65536 ] ||
    fail "mailcon policy's peak memory is ${hwm:-?} kB (want < 64 MB)"
wait_file "bad requests answered DUNNO so far" "$T/out" 30 ||
    fail "the bad requests were not counted: $(cat "$T/out")"

# --- spawn(8): requests on stdin, answers on stdout -------------------------
printf 'request=smtpd_access_policy\nsasl_username=bob@example.test\n\nrequest=smtpd_access_policy\nsasl_username=al ice\n\n' |
    "$MAILCON" policy --listen - -vv --trace "$T/trace" >"$T/stdio.out" \
    2>"$T/stdio.err" ||
    fail "policy --listen - failed: $(cat "$T/stdio.err")"
printf 'action=REJECT 5.7.1 account suspended; contact your mail administrator\n\naction=DUNNO\n\n' |
    cmp -s - "$T/stdio.out" ||
    fail "policy --listen - answered: $(cat "$T/stdio.out")"
grep -q "2 requests, 1 refused, 1 bad" "$T/stdio.err" ||
    fail "policy --listen - counts: $(cat "$T/stdio.err")"
grep -q " 1 policy: refused <> of bob@example.test from unknown on mx: listed in $STACK_DENY" "$T/trace" &&
    grep -q " 2 policy: bad request on mx: bad sasl_username; answered DUNNO" "$T/trace" ||
    fail "the trace lacks the refusal or the bad request: $(cat "$T/trace")"

# --- stopped mid-traffic: mail still flows ----------------------------------
python3 "$CLIENT" stopped "$STACK_SUBMIT_PORT" "$STACK_USERS" \
    "kill $ppid" >"$T/stopped.out" 2>&1 ||
    fail "stopped: $(cat "$T/stopped.out")"
wait "$ppid" 2>/dev/null
pids=
for kind in "overlong line" "bad sasl_username" \
    "request without the empty line" "connection ended inside a request"; do
	grep "requests, .* refused, .* bad (answered DUNNO: " "$T/out" |
	    grep -q "[1-9][0-9]* $kind" ||
	    fail "the final counts lack $kind: $(tail -n 1 "$T/out")"
done
[ -e "$T/policy.sock" ] && fail "the unix socket was left behind"

exit "$failed"
