# tests/integration/actlib.sh: what the tests of `mailcon act` against the
# real stack share (test_act.sh, test_ssh_act.sh, test_service_caps.sh).
# Source it after stack.sh, with T (the test's directory, holding
# history.db and scratch files), MAILCON and MAILGEN set; `failed` is set
# to 1 by check_fail.

# Print "QUEUE_NAME QUEUE_ID SENDER" for every queued message, sorted by id.
queue_list()
{
	postqueue -c "$STACK_POSTFIX_CONF" -j | python3 -c '
import json, sys
for line in sys.stdin:
    j = json.loads(line)
    print(j["queue_name"], j["queue_id"], j["sender"] or "<>")' |
	    sort -k2,2
}

# "QUEUE_ID SENDER hold|queued" of every queued message, sorted: what an
# action must leave alone (Postfix itself moves mail between incoming,
# active and deferred).
queue_state()
{
	queue_list | awk '{ print $2, $3, ($1 == "hold" ? "hold" : "queued") }'
}

# Sorted queue ids that mailgen recorded for LOGIN in FILE.
ids_of_login()
{
	awk -v u="$1" '$2 == u { print $1 }' "$2" | sort
}

# Sorted ids in queue QUEUE ("any": all) among the ids in FILE.
ids_in_queue()
{
	queue_list | awk -v q="$1" 'NR == FNR { want[$1] = 1; next }
	    ($2 in want) && (q == "any" || $1 == q) { print $2 }' "$2" - | sort
}

# Run mailgen with a plan on stdin; qids appended to FILE.  Its JSON line
# is in $T/gen.
mailgen()
{
	python3 "$MAILGEN" --port "$STACK_SUBMIT_PORT" -j 8 --qids "$1" \
	    >"$T/gen" 2>&1
}

# Are all the ids in FILE deferred, and their sessions' client= lines with
# sasl_username in the Postfix log (what act reads to find the owner)?
settled()
{
	queue_list >"$T/ql"
	awk 'FILENAME == ARGV[1] { want[$1] = 1; n++; next }
	    FILENAME == ARGV[2] { if ($1 == "deferred" && ($2 in want)) d++
		next }
	    match($0, /[0-9A-F]+: client=[^ ]*, sasl_method=[A-Z]+, sasl_username=/) {
		q = substr($0, RSTART); sub(/:.*/, "", q)
		if ((q in want) && !(q in seen)) { seen[q] = 1; l++ }
	    }
	    END { exit !(n > 0 && d == n && l == n) }' \
	    "$1" "$T/ql" "$STACK_POSTFIX_LOG"
}

# Wait up to 30 s until settled FILE.
wait_settled()
{
	for _ in $(seq 300); do
		settled "$1" && return 0
		sleep 0.1
	done
	return 1
}

# Dovecot's passwd-file passdb notices a changed file by its mtime (whole
# seconds) and size, and looks at most once a second: an edit in the second
# of the last lookup is seen from the next second on.  Wait (at most 3 s)
# until the clock is past the second FILE was last changed in.
wait_dovecot_sees()
{
	for _ in $(seq 60); do
		[ "$(date +%s)" -gt "$(stat -c %Y "$1")" ] && return 0
		sleep 0.05
	done
	return 1
}

# mailcon act ARGS...: stdout in $T/out, stderr in $T/err; returns its exit.
act()
{
	timeout 120 "$MAILCON" act "$@" >"$T/out" 2>"$T/err" </dev/null
}

# What act printed, on one line, for FAIL messages.
said()
{
	cat "$T/out" "$T/err" | tr '\n' ' ' | cut -c1-600
}

# One value from the audit: SQL with ? parameters, then the parameters.
audit_q()
{
	python3 - "$T/history.db" "$@" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
row = db.execute(sys.argv[2], sys.argv[3:]).fetchone()
print("" if row is None or row[0] is None else row[0])
EOF
}

# Copies of the files an action may change, and the queue; same_files WHAT
# fails the test for each that changed since.
snap_files()
{
	for f in "$STACK_DENY" "$STACK_SASL_ACCESS" "$STACK_SASL_ACCESS.db" "$STACK_PASSWD"; do
		cp -p "$f" "$T/snap.$(basename "$f")"
	done
	queue_state >"$T/snap.queue"
}
same_files()	# WHAT
{
	for f in "$STACK_DENY" "$STACK_SASL_ACCESS" "$STACK_SASL_ACCESS.db" "$STACK_PASSWD"; do
		cmp -s "$f" "$T/snap.$(basename "$f")" ||
		    check_fail "$1 changed $f"
	done
	queue_state | cmp -s - "$T/snap.queue" || check_fail "$1 changed the queue"
}

# SMTP AUTH PLAIN as LOGIN with PASSWORD (may be empty) from SRC_IP: the code.
auth_code()
{
	python3 - "$STACK_SUBMIT_PORT" "$1" "$2" "$3" <<'EOF'
import base64, smtplib, sys
port, login, pw, src = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
s = smtplib.SMTP("127.0.0.1", port, local_hostname="h.example.test",
                 timeout=30, source_address=(src, 0))
s.ehlo()
tok = base64.b64encode(("\0%s\0%s" % (login, pw)).encode()).decode()
print(s.docmd("AUTH", "PLAIN " + tok)[0])
s.quit()
EOF
}

# wait_for FILE PATTERN: up to 30 s until FILE has a line matching PATTERN.
wait_for()
{
	for _ in $(seq 300); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
