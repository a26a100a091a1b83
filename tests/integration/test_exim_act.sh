#!/bin/bash
# test_exim_act.sh: `mailcon act` on a real Exim (Debian 12's 4.96,
# tests/integration/exim.sh) with exipick (exim4-base, exim_base_tool):
#
# - hold, release and purge change exactly judy's queued messages,
#   including those she sent with the forged sender alice@example.test,
#   and nothing of alice's or carol's, checked with exim -bp against the
#   queue ids mailgen saw queued for each login; judy's are chosen by the
#   -auth_id of their -H spool files, read by one script (not exipick),
#   and an ACL variable alice filled with "\n--auth_id judy@example.test"
#   (exim.sh's acl_m_note, from her recipient) does not make her message
#   judy's; a message without a login, which a log line forged into the
#   server's log gives to judy, is not purged (the spool decides: no log
#   is read for a queue action on Exim);
# - the check after each is which chosen ids still have a -H file and
#   whether they are frozen (the ids on the script's stdin), not a second
#   listing;
# - suspend puts judy into the ACL's lookup file (and Dovecot's deny
#   file): her next AUTH'd message is refused while alice still sends;
#   no Dovecot reads the deny file here (Exim's own authenticators check
#   the logins), so the suspension is honestly PARTLY DONE, said with the
#   deny passdb to add; unsuspend lets her send again;
# - a queue that cannot be read (exipick's spool gone) fails with the
#   tool's reason and changes nothing; --dry-run prints the exact commands
#   (exim -C CONF -Mrm through xargs, the ids on its stdin);
# - 1,200 of judy's purged by two exims at once (each every second id),
#   one locked by a delivery: tried again and said, then purged.
#
# Environment: MAILCON (the binary, required); EXIM_CACHE (exim.sh).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/exim.sh"
exim_test eximact	# T mode 755: Exim's deliveries run as Debian-exim

[ -x "$MAILCON" ] || die "MAILCON=$MAILCON is not an executable"
EXIPICK=$(exim_base_tool exipick) || die "no exipick"
# all mail goes to the closed port: it stays queued
EXIM_SINK_DOMAINS=sink.test exim_start "$S" || die "Exim did not start"
echo "exim $EXIM_VERSION on port $EXIM_PORT"

J=judy@example.test A=alice@example.test C=carol@example.test
pw() { awk -v u="$1" '$1 == u { print $2 }' "$EXIM_USERS"; }

# Run mailgen with PLAN on stdin, the queue ids into $T/qids.
submit()
{
	local out
	out=$(python3 "$MAILGEN" --port "$EXIM_PORT" -j 4 --qids "$T/qids.new" \
	    "$@" 2>&1) || die "mailgen: $out"
	cat "$T/qids.new" >>"$T/qids"
}

: >"$T/deny"
# The server's log is empty: judy's messages must be found by the login
# exipick reads from the spool, her forged ones too (mail submitted
# before the logs at hand), never by their sender.
: >"$T/empty.log"
{
	printf '[console]\nhistory = %s\n' "$T/history.db"
	exim_mailcon_server ex logs="$T/empty.log" deny_file="$T/deny"
} >"$T/mailcon.conf" || die "cannot write $T/mailcon.conf"

# lock_message ID: lock ID's -D file as a delivery does (fcntl), until
# fd 8 closes ("exec 8>&-"; then wait "$locker").
lock_message()
{
	rm -f "$T/hold" "$T/locker.out"
	mkfifo "$T/hold"
	python3 -c '
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX, 0, 0)
print("locked", flush=True)
sys.stdin.read()
' "$EXIM_SPOOL/input/$1-D" <"$T/hold" >"$T/locker.out" &
	locker=$!
	exec 8>"$T/hold"
	for i in $(seq 1 100); do
		grep -q locked "$T/locker.out" && break
		sleep 0.1
	done
	grep -q locked "$T/locker.out" || die "the locker did not lock $1"
}

# act ACTION ARGS...: mailcon act on ex; output in $T/out, status in rc.
act()
{
	"$MAILCON" act "$@" --config "$T/mailcon.conf" >"$T/out" 2>"$T/err"
	rc=$?
}
said() { cat "$T/out" "$T/err"; }

: >"$T/qids"
{
	echo "send $J $(pw $J) 127.9.1.1 4 2 x1@dead.test"
	echo "sendas $J $(pw $J) 127.9.1.2 3 3 x2@dead.test $A"
	echo "send $A $(pw $A) 127.9.1.3 3 3 y@dead.test"
	echo "send $C $(pw $C) 127.9.1.4 2 2 z@dead.test"
	# the ACL variable: "x\n--auth_id judy@example.test" in her -H file
	echo "send $A $(pw $A) 127.9.1.8 1 1 x=--auth_id+judy%example.test@dead.test"
} | submit
[ "$(wc -l <"$T/qids")" = 13 ] || die "not 13 messages queued: $(cat "$T/qids")"
exim_ids_of "$J" >"$T/judy"
cat <(exim_ids_of "$A") <(exim_ids_of "$C") | sort >"$T/others"
[ "$(wc -l <"$T/judy")" = 7 ] || die "judy's ids: $(cat "$T/judy")"
# all thirteen queued (deferred to the closed port), none frozen
for i in $(seq 1 100); do
	[ "$(exim_queue_state | wc -l)" = 13 ] && break
	sleep 0.1
done
exim_queue_state >"$T/q0"
[ "$(wc -l <"$T/q0")" = 13 ] || die "exim -bp: $(cat "$T/q0")"
# the spool holds the value's lines, as the test needs them
grep -qx -- "--auth_id $J" "$EXIM_SPOOL"/input/*-H ||
    die "no spool file holds alice's ACL variable with judy's -auth_id line"
grep -q frozen "$T/q0" && die "frozen before any hold: $(cat "$T/q0")"

# expect_state FROZEN_IDS_FILE: exactly those frozen, all 13 queued
expect_state()
{
	exim_queue_state >"$T/q"
	awk '{ print $1 }' "$T/q" | sort >"$T/q.ids"
	cat "$T/judy" "$T/others" | sort | cmp -s - "$T/q.ids" ||
	    fail "$1: the queue lost or gained messages: $(cat "$T/q")"
	awk '$2 == "frozen" { print $1 }' "$T/q" | sort >"$T/q.frozen"
	cmp -s "$2" "$T/q.frozen" ||
	    fail "$1: frozen are not the expected ones: $(diff "$2" "$T/q.frozen" | tr '\n' ' ')"
}

act hold --account "$J" --yes --verify
[ "$rc" = 0 ] || fail "hold: exit $rc: $(said)"
grep -q "^hold $J on ex: done: 7 of 7 queued messages held" "$T/out" ||
    fail "hold: $(said)"
grep -q "^verification: the spool's -H files: all 7 on hold" "$T/out" ||
    fail "hold not verified by the spool: $(said)"
expect_state hold "$T/judy"

act release --account "$J" --yes
[ "$rc" = 0 ] || fail "release: exit $rc: $(said)"
grep -q "done: 7 of 7" "$T/out" || fail "release: $(said)"
# without --verify too: the chosen ids read in the spool
grep -qxF "verification: the spool's -H files: all 7 released" "$T/out" ||
    fail "release: not checked in the spool: $(said)"
expect_state release /dev/null

# the dry run: the exact commands (xargs exim -Mrm, the ids on stdin);
# nothing changes
act purge --account "$J" --yes --dry-run --verbose
[ "$rc" = 0 ] || fail "purge --dry-run: exit $rc: $(said)"
grep -qF "mailcon-exim-spool select $J $EXIM_SPOOL $EXIM_CONF $EXIM_BIN" "$T/out" ||
    fail "purge --dry-run: no spool read of judy's: $(said)"
grep -qF "7 queued" "$T/out" || fail "purge --dry-run: not 7 chosen: $(said)"
grep -qF -- "-C $EXIM_CONF -Mrm" "$T/out" ||
    grep -qF -- "-C '$EXIM_CONF' -Mrm" "$T/out" ||
    fail "purge --dry-run: no exim -Mrm: $(said)"
expect_state "purge --dry-run" /dev/null

# One of judy's messages locked as a delivery locks it (fcntl on its -D
# file) for as long as the locker runs: purged are the six others, the
# seventh is tried again and said; once let go, the next purge takes it.
L=$(head -n 1 "$T/judy")
lock_message "$L"
act purge --account "$J" --yes --verify
grep -q "^purge $J on ex: .*6 of 7" "$T/out" ||
    fail "purge with one locked: $(said)"
grep -q "6 of 7 queued messages purged; 1 locked by a running delivery through 4 tries, a second apart: run it again" "$T/out" ||
    fail "the locked message is not said: $(said)"
grep -q "1 of the 7 is still queued" "$T/out" ||
    fail "the verification does not find the locked one: $(said)"
exec 8>&-
wait "$locker"
[ "$(exim_queue_state | grep -c "^$L ")" = 1 ] || fail "the locked one is gone"

# A message without a login (submitted on the command line, as a local
# program would), and a log line forged to give its id to judy: the spool
# names every message's login, so the purge reads no log and the message
# stays (it was never in an authenticated session of hers).
exim_queue_state | awk '{ print $1 }' >"$T/before.local"
printf 'Subject: local\n\nlocal\n' |
    "$EXIM_BIN" -C "$EXIM_CONF" -odq -f bounce@else.test z@dead.test ||
    die "exim -odq: the local message was not queued"
LOCAL=$(exim_queue_state | awk '{ print $1 }' | grep -vxF -f "$T/before.local")
[ "$(echo "$LOCAL" | wc -w)" = 1 ] || die "the local message's id: $LOCAL"
echo "$LOCAL" >>"$T/others"
sort -o "$T/others" "$T/others"
printf '%s %s <= %s H=(x) [127.9.9.9]:4000 P=esmtpa A=dovecot_login:%s S=300 for z@dead.test\n' \
    "$(date '+%F %T')" "$LOCAL" "$J" "$J" >"$T/forged.log"
sed -i "s|^logs = .*|logs = $T/forged.log|" "$T/mailcon.conf"

act purge --account "$J" --yes --verify
[ "$rc" = 0 ] || fail "purge: exit $rc: $(said)"
grep -q "^purge $J on ex: done: 1 of 1 queued message purged" "$T/out" ||
    fail "purge: $(said)"
grep -q "^verification: the spool's -H files: none of the 1 is queued any more" \
    "$T/out" || fail "purge not verified: $(said)"
exim_queue_state | awk '{ print $1 }' | sort >"$T/left"
cmp -s "$T/others" "$T/left" ||
    fail "after the purge, not exactly alice's and carol's: $(diff "$T/others" "$T/left" | tr '\n' ' ')"

# Many at once: from EXIM_SPLIT_MIN (1,000) ids on, two exims share the
# removal, each with every second id, their lines on one output.  1,200
# of judy's, one of them locked by a delivery: both exims' answers are
# read (1,199 purged, the locked one tried again and said), the check
# after finds the locked one, and once it is let go the next purge takes
# it; nothing of the others goes.  (mailgen adds to its --qids file.)
: >"$T/qids"
: >"$T/qids.new"
{
	echo "send $J $(pw $J) 127.9.2.1 600 100 b1@dead.test"
	echo "send $J $(pw $J) 127.9.2.2 600 100 b2@dead.test"
} | submit
exim_ids_of "$J" >"$T/many"
[ "$(wc -l <"$T/many")" = 1200 ] || die "not 1,200 of judy's queued: $(wc -l <"$T/many"), $(tail -3 "$T/qids")"
L=$(sed -n 600p "$T/many")
lock_message "$L"
act purge --account "$J" --yes
grep -q "1199 of 1200 queued messages purged; 1 locked by a running delivery through 4 tries, a second apart: run it again" "$T/out" ||
    fail "purge of 1,200 with one locked: $(said)"
grep -q "1 of the 1200 is still queued" "$T/out" ||
    fail "purge of 1,200: the check after does not find the locked one: $(said)"
exec 8>&-
wait "$locker"
exim_queue_state | awk '{ print $1 }' | sort >"$T/left"
sort -m "$T/others" <(echo "$L") | cmp -s - "$T/left" ||
    fail "after the purge of 1,200, not the others and the locked one: $(diff <(sort -m "$T/others" <(echo "$L")) "$T/left" | head -5 | tr '\n' ' ')"
act purge --account "$J" --yes
grep -q "^purge $J on ex: done: 1 of 1 queued message purged" "$T/out" ||
    fail "purge after the lock: $(said)"
exim_queue_state | awk '{ print $1 }' | sort | cmp -s "$T/others" - ||
    fail "after the last purge, not exactly the others"

# suspend: judy's next message is refused, alice still sends.  No
# Dovecot reads $T/deny (Exim checks the logins itself here): the files
# are updated, and the result says the logins are not refused.
act suspend --account "$J" --yes
[ "$rc" = 1 ] || fail "suspend: exit $rc, not 1 (partly done): $(said)"
grep -qxF "$J" "$EXIM_REFUSE" || fail "judy not in $EXIM_REFUSE"
grep -qxF "$J" "$T/deny" || fail "judy not in the deny file"
grep -qF "suspend $J on ex: PARTLY DONE: files updated; Dovecot does not read the deny file $T/deny (no deny passdb on it)" \
    "$T/out" || fail "suspend: the unwired deny file is not said: $(said)"
grep -qF "its logins are NOT refused" "$T/out" ||
    fail "suspend: the logins' state is not said: $(said)"
grep -q "^verification: not in effect: .*mail refused (listed in Exim's refuse file)" \
    "$T/out" || fail "suspend: the files' check is not said: $(said)"
out=$({
	echo "reject $J $(pw $J) 127.9.1.5 v@dead.test"
	echo "send $A $(pw $A) 127.9.1.6 1 1 w@dead.test"
} | python3 "$MAILGEN" --port "$EXIM_PORT" -j 2 2>&1) ||
    fail "suspended judy was not refused, or alice could not send: $out"
case $out in *'"rejected": 1'*'"error_count": 0'*) ;;
*) fail "mailgen after suspend: $out" ;; esac
grep -q "F=<$J> .*rejected RCPT <v@dead.test>: 5.7.1 account suspended" \
    "$EXIM_MAINLOG" || grep -q "rejected RCPT <v@dead.test>: 5.7.1 account suspended" \
    "$EXIM_MAINLOG" || fail "Exim logged no refusal of judy's RCPT"

act unsuspend --account "$J" --yes
[ "$rc" = 0 ] || fail "unsuspend: exit $rc: $(said)"
grep -qF "$J" "$EXIM_REFUSE" && fail "judy still in $EXIM_REFUSE"
out=$(echo "send $J $(pw $J) 127.9.1.7 1 1 u@dead.test" |
    python3 "$MAILGEN" --port "$EXIM_PORT" 2>&1) ||
    fail "judy cannot send after unsuspend: $out"

# a queue that cannot be read: the tool's reason, nothing done
exim_queue_state >"$T/before"
sed -i "s|^exim_spool = .*|exim_spool = $T/nospool|" "$T/mailcon.conf"
act purge --account "$A" --yes
[ "$rc" != 0 ] || fail "purge with an unreadable queue: exit 0: $(said)"
grep -q "cannot enter $T/nospool/input" "$T/out" "$T/err" ||
    fail "the queue read's reason is not said: $(said)"
exim_queue_state | cmp -s - "$T/before" ||
    fail "the failed purge changed the queue"

[ "$failed" = 0 ] && echo "ok: hold/release/purge exactly judy's (forged senders included), suspend refuses her next message, unreadable queue said"
exit "$failed"
