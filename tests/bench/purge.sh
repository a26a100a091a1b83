#!/bin/bash
# tests/bench/purge.sh [MAILCON]: how fast one account's queued mail is
# held, released and purged through console/act/queue_op.c (postsuper -h/-H/-d -
# with the ids on stdin, batches of 10,000) and through the whole
# `mailcon act` path, against `postsuper -d ALL` on a queue of the same size.
# Run by hand (as root, from the top of the tree, after `make`) or by
# `make bench` (tests/bench/run.sh).  MAILCON: the binary; default
# build/mailcon, or the mailcon next to MAILCON_LIB when that is set.
#
# A real Postfix (tests/integration/stack.sh) gets 20,000 deferred messages,
# BENCH_PURGE_N (default 10,000) of them from alice, the rest from bob, carol,
# dave and grace; they are queued by SMTP submission, many messages a
# connection (about ten times faster here than one sendmail process a
# message).  Then it times, with the queue settled in "deferred" each time:
#
#   hold    of alice's N messages      (postsuper_driver hold)
#   release of them                    (postsuper_driver release)
#   mailcon act hold --account alice   (end to end: reads the Postfix and
#                                      Dovecot logs for the queue ids of
#                                      alice's logins, postqueue -j,
#                                      postsuper -h -, verify by postqueue -j)
#   mailcon act release                (the same with postsuper -H -)
#   mailcon act purge --yes            (the same with postsuper -d -,
#                                      checked by postsuper's report: one
#                                      queue read)
#   purge   of them                    (postsuper_driver delete, after
#                                      queueing alice's N messages again)
#   postsuper -d - alone on the other 20,000 - N, ids on stdin (no mailcon
#   code: how much of the purge is postsuper's own per-id work)
#   then BENCH_PURGE_RUNS (default 5) pairs, back to back so that both
#   halves of a pair see the same load on a shared machine: mailcon act
#   purge of alice's N among 20,000 (rebuilt each time), then postsuper
#   -d ALL of a queue of N (the others the purge left, made N)
#
# and prints the figures, the median of the pairs' ratios act purge / -d
# ALL and driver purge / -d ALL (target: at most 1.5).
#
# The queue holds only what the bench queued: each message is tried once
# (the relayhost refuses), then stays deferred with no retry during the
# bench, and no postmaster notices are sent; settling counts the ids
# mailgen got queued, and anything else found in the queue (a bounce, a
# double bounce, a notice) is named by sender and removed before timing.
# The target is reported, never asserted; the script fails only when a step
# does not do what it must (counts, what is left in the queue).
#
# Environment: BENCH_PURGE_N (default 10000), BENCH_PURGE_RUNS (default 5),
# MAILCON_LIB (default
# build/libmailcon.a).  Needs root, cc, pkg-config, python3.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
IT=$ROOT/tests/integration
. "$IT/stack.sh"
N=${BENCH_PURGE_N:-10000}
RUNS=${BENCH_PURGE_RUNS:-5}
LIB=${MAILCON_LIB:-$ROOT/build/libmailcon.a}
MAILCON=${1:-$(dirname "$LIB")/mailcon}
export LC_ALL=C

die()
{
	echo "bench purge: $*" >&2
	exit 1
}

T=$(mktemp -d /tmp/mcbp.XXXXXX) || exit 1
chmod 755 "$T"
S=$T/s
cleanup()
{
	stack_stop "$S"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Milliseconds since the epoch.
ms()
{
	echo $(($(date +%s%N) / 1000000))
}

# Print "QUEUE_NAME QUEUE_ID SENDER" for every queued message.
queue_list()
{
	postqueue -c "$STACK_POSTFIX_CONF" -j | python3 -c '
import json, sys
for line in sys.stdin:
    j = json.loads(line)
    print(j["queue_name"], j["queue_id"], j["sender"] or "<>")'
}

# Submit the plan on stdin with mailgen (THREADS threads); the ids it got
# queued are added to $T/ours: what the bench itself queued.
gen()
{
	: >"$T/qids"
	python3 "$IT/mailgen.py" --port "$STACK_SUBMIT_PORT" -j "$1" \
	    --qids "$T/qids" >"$T/gen" || die "mailgen: $(cat "$T/gen")"
	awk '{ print $1 }' "$T/qids" >>"$T/ours"
}

# Wait up to 300 s until N of the messages the bench queued are queued, all
# deferred.  Mail the bench did not queue (a bounce, a postmaster notice:
# the queue would then hold more than the bench counts on, and -d ALL
# would delete more than N) is named by sender and queue, then deleted
# before anything is timed.
settle()
{
	local n=$1 i c
	for i in $(seq 600); do
		c=$(queue_list | awk -v f="$T/ours" '
		    BEGIN { while ((getline l < f) > 0) ours[l] = 1 }
		    !($2 in ours) { x++; next }
		    { t++ } $1 == "deferred" { d++ }
		    END { print t + 0, d + 0, x + 0 }')
		case $c in "$n $n "*) break ;; esac
		sleep 0.5
	done
	case $c in "$n $n "*) ;; *)
		die "the queue did not settle at $n deferred messages of the" \
		    "bench's (ours, ours deferred, others: $c)" ;;
	esac
	[ "${c##* }" = 0 ] && return 0
	queue_list | awk -v f="$T/ours" '
	    BEGIN { while ((getline l < f) > 0) ours[l] = 1 }
	    !($2 in ours) { print }' >"$T/foreign"
	echo "bench purge: $(wc -l <"$T/foreign") queued messages the bench" \
	    "did not queue, removed before timing: $(awk '{ c[$1 " from " $3]++ }
	    END { for (k in c) printf "%d %s; ", c[k], k }' "$T/foreign")"
	awk '{ print $2 }' "$T/foreign" |
	    postsuper -c "$STACK_POSTFIX_CONF" -d - 2>/dev/null
}

# Wait (up to 120 s) until the Postfix log has not grown for 2 s: the queue
# manager is done with the messages (a release makes it try them again, and
# a purge racing those attempts is two to three times slower).
quiet()
{
	local i last=-1 size same=0
	for i in $(seq 240); do
		size=$(stat -c %s "$STACK_POSTFIX_LOG" 2>/dev/null || echo 0)
		if [ "$size" = "$last" ]; then
			same=$((same + 1))
			[ "$same" -ge 4 ] && return 0
		else
			same=0
		fi
		last=$size
		sleep 0.5
	done
}

# Before a timed step: quiet, then the dirty pages of the queue just
# written flushed (a purge right after 20,000 messages were queued took
# five to ten times as long as one a minute later: both halves of a pair
# start from the same state).
ready()
{
	quiet
	sync
}

# Queue COUNT messages from LOGIN, 500 a connection, on 8 connections.
queue_from()
{
	local login=$1 count=$2 pw i per
	pw=$(awk -v u="$login" '$1 == u { print $2 }' "$STACK_USERS")
	per=$((count / 8))
	for i in 0 1 2 3 4 5 6 7; do
		[ "$i" = 7 ] && per=$((count - 7 * (count / 8)))
		[ "$per" -gt 0 ] &&
		    echo "send $login $pw 127.0.1.$((i + 1)) $per 500 r$i@remote.test"
	done
}

# Run the driver with OP on alice's ids; check the count; print the ms.
timed_driver()
{
	local op=$1 t0 t1
	t0=$(ms)
	"$T/driver" -c "$STACK_POSTFIX_CONF" "$op" <"$T/alice" >"$T/out" \
	    2>"$T/err" || die "$op failed: $(cat "$T/err")"
	t1=$(ms)
	grep -q "^requested=$N done=$N not_done=0 " "$T/out" ||
	    die "$op: $(cat "$T/out")"
	echo $((t1 - t0))
}

# Run `mailcon act OP [ARGS]` on alice; check exit 0; print the ms.
timed_act()
{
	local op=$1 t0 t1 rc
	shift
	t0=$(ms)
	# --timeout: a loaded machine must not turn a slow run into a failure
	"$MAILCON" act "$op" --account "alice@$D" --config "$T/mailcon.conf" \
	    --timeout 900 "$@" </dev/null >"$T/out" 2>"$T/err"
	rc=$?
	t1=$(ms)
	[ "$rc" = 0 ] || die "mailcon act $op exited $rc:" \
	    "$(cat "$T/out" "$T/err" | tail -n 5 | tr '\n' ' ' | cut -c1-800)"
	echo $((t1 - t0))
}

# Are the queue ids in QUEUE ("any": all queues) exactly those in FILE?
queue_is()
{
	queue_list | awk -v q="$1" 'q == "any" || $1 == q { print $2 }' |
	    sort >"$T/got"
	sort "$2" | cmp -s - "$T/got"
}

[ "$(id -u)" = 0 ] || die "must run as root (Postfix)"
[ -f "$LIB" ] || die "no $LIB (run make)"
[ -x "$MAILCON" ] || die "no $MAILCON (run make)"
# shellcheck disable=SC2046
cc -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
    -I"$ROOT/console" -I"$ROOT" -o "$T/driver" \
    "$IT/postsuper_driver.c" "$LIB" \
    $(make -s --no-print-directory -C "$ROOT" print-libs) ||
    die "cannot build the driver"

stack_start "$S" || die "the stack did not start"
D=$STACK_DOMAIN
# Nothing leaves or comes back: each message is tried once (the relayhost
# refuses) and then left deferred, with no retry during the bench (a retry
# racing a purge makes it two to three times slower, and a wildcard
# listener on the relay port could make bounces); no postmaster notices.
postconf -c "$STACK_POSTFIX_CONF" -e "queue_run_delay = 3600s" \
    "minimal_backoff_time = 3600s" "maximal_backoff_time = 7200s" \
    "notify_classes =" || die "postconf failed"
_stack_postfix_cool "$STACK_POSTFIX_CONF"
postfix -c "$STACK_POSTFIX_CONF" reload >/dev/null 2>&1 ||
    die "postfix reload failed"
: >"$T/ours"
{
	printf '[console]\nhistory = %s\n' "$T/history.db"
	stack_mailcon_server lab
} >"$T/mailcon.conf"
OTHER=$((20000 - N))
[ "$OTHER" -ge 0 ] || OTHER=0

t0=$(ms)
{
	queue_from "alice@$D" "$N"
	q=$((OTHER / 4))
	queue_from "bob@$D" "$q"
	queue_from "carol@$D" "$q"
	queue_from "dave@$D" "$q"
	queue_from "grace@$D" $((OTHER - 3 * q))
} | gen 16 || exit 1
t1=$(ms)
TOTAL=$((N + OTHER))
echo "queued $TOTAL messages by SMTP in $((t1 - t0)) ms" \
    "($((TOTAL * 1000 / (t1 - t0 + 1))) a second)"
settle "$TOTAL"
queue_list | awk -v s="alice@$D" '$3 == s { print $2 }' >"$T/alice"
[ "$(wc -l <"$T/alice")" = "$N" ] || die "alice has $(wc -l <"$T/alice") queued"

quiet
hold=$(timed_driver hold) || exit 1
[ "$(queue_list | awk '$1 == "hold"' | wc -l)" = "$N" ] ||
    die "not $N messages on hold"
quiet
release=$(timed_driver release) || exit 1
settle "$TOTAL"
quiet

# What act reads besides postsuper's work: the queue (twice: to pick, to
# verify) and the logs.
t0=$(ms)
postqueue -c "$STACK_POSTFIX_CONF" -j >/dev/null ||
    die "postqueue -j failed"
t1=$(ms)
pq=$((t1 - t0))
loglines=$(cat "$STACK_POSTFIX_LOG" "$STACK_DOVECOT_LOG" | wc -l)

# The whole user-facing path: mailcon act, which finds alice's mail itself.
act_hold=$(timed_act hold) || exit 1
queue_is hold "$T/alice" ||
    die "mailcon act hold: not exactly alice's $N messages on hold" \
	"($(wc -l <"$T/got") on hold)"
quiet
act_release=$(timed_act release) || exit 1
settle "$TOTAL"
quiet
queue_list | awk '{ print $2 }' | sort >"$T/all"
sort "$T/alice" | comm -23 "$T/all" - >"$T/others"
[ "$(wc -l <"$T/others")" = "$OTHER" ] || die "not $OTHER others queued"
act_purge=$(timed_act purge --yes) || exit 1
queue_is any "$T/others" ||
    die "mailcon act purge: not exactly the $OTHER others left" \
	"($(wc -l <"$T/got") left)"

# alice's mail again, for the driver's purge.
t0=$(ms)
queue_from "alice@$D" "$N" | gen 8 || exit 1
settle "$TOTAL"
t1=$(ms)
echo "queued alice's $N messages again in $((t1 - t0)) ms"
queue_list | awk -v s="alice@$D" '$3 == s { print $2 }' >"$T/alice"
[ "$(wc -l <"$T/alice")" = "$N" ] || die "alice has $(wc -l <"$T/alice") queued"
quiet
purge=$(timed_driver delete) || exit 1
[ "$(queue_list | wc -l)" = "$OTHER" ] || die "not $OTHER messages left"

# What postsuper alone takes for the same job (the others' mail, by id on
# stdin, no mailcon code): tells our overhead from postsuper's own.
queue_list | awk '{ print $2 }' >"$T/others"
quiet
t0=$(ms)
postsuper -c "$STACK_POSTFIX_CONF" -d - <"$T/others" 2>"$T/err" ||
    die "postsuper -d -: $(tail -n 1 "$T/err")"
t1=$(ms)
raw=$((t1 - t0))
tail -n 1 "$T/err" | grep -q "Deleted: $OTHER messages" ||
    die "postsuper -d -: $(tail -n 1 "$T/err")"

# The ratio, as the median of RUNS pairs run back to back (the machine's
# load changes from minute to minute: a pair sees the same): mailcon act
# purge of alice's N among TOTAL, then postsuper -d ALL of a queue of N
# (the others left by the purge, made N).
acts= alls= ratios=
for i in $(seq "$RUNS"); do
	postsuper -c "$STACK_POSTFIX_CONF" -d ALL 2>/dev/null
	{
		queue_from "alice@$D" "$N"
		q=$((OTHER / 4))
		queue_from "bob@$D" "$q"
		queue_from "carol@$D" "$q"
		queue_from "dave@$D" "$q"
		queue_from "grace@$D" $((OTHER - 3 * q))
	} | gen 16 || exit 1
	settle "$TOTAL"
	queue_list | awk -v s="alice@$D" '$3 == s { print $2 }' >"$T/alice"
	queue_list | awk -v s="alice@$D" '$3 != s { print $2 }' | sort \
	    >"$T/others"
	ready
	t=$(timed_act purge --yes) || exit 1
	queue_is any "$T/others" ||
	    die "mailcon act purge (run $i): not exactly the others left"
	# a queue of N for the reference
	if [ "$OTHER" -gt "$N" ]; then
		head -n $((OTHER - N)) "$T/others" |
		    postsuper -c "$STACK_POSTFIX_CONF" -d - 2>/dev/null
	elif [ "$OTHER" -lt "$N" ]; then
		queue_from "bob@$D" $((N - OTHER)) | gen 8 || exit 1
	fi
	settle "$N"
	ready
	t0=$(ms)
	postsuper -c "$STACK_POSTFIX_CONF" -d ALL 2>"$T/err" ||
	    die "postsuper -d ALL: $(cat "$T/err")"
	t1=$(ms)
	grep -q "Deleted: $N messages" "$T/err" || die "-d ALL: $(cat "$T/err")"
	acts="$acts $t" alls="$alls $((t1 - t0))"
	ratios="$ratios $(awk -v a="$t" -v b="$((t1 - t0))" \
	    'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
	echo "pair $i: mailcon act purge $t ms, postsuper -d ALL $((t1 - t0)) ms"
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
    END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# shellcheck disable=SC2086
act_purge_med=$(median $acts)
# shellcheck disable=SC2086
all_med=$(median $alls)
# shellcheck disable=SC2086
ratio_med=$(median $ratios)

echo "hold    $N of $TOTAL: $hold ms"
echo "release $N of $TOTAL: $release ms"
echo "purge   $N of $TOTAL: $purge ms"
E="(end to end: logs, postqueue -j, postsuper, verify)"
echo "mailcon act hold    $N of $TOTAL: $act_hold ms $E"
echo "mailcon act release $N of $TOTAL: $act_release ms $E"
echo "mailcon act purge   $N of $TOTAL: $act_purge ms $E"
echo "postqueue -j alone, $TOTAL queued: $pq ms; logs act read: $loglines lines"
echo "postsuper -d - alone, $OTHER of $OTHER (no mailcon): $raw ms"
echo "pairs: mailcon act purge:$acts ms; postsuper -d ALL:$alls ms;" \
    "ratios:$ratios"
awk -v p="$purge" -v ap="$act_purge_med" -v a="$all_med" -v n="$RUNS" \
    -v rm="$ratio_med" 'BEGIN {
	printf "mailcon act purge / -d ALL, median of %d pairs: %.2f (medians %d / %d ms; target at most 1.5: %s)\n",
	    n, rm, ap, a, rm <= 1.5 ? "met" : "NOT met"
	r = a > 0 ? p / a : 0
	printf "driver purge / median -d ALL: %.2f (target at most 1.5: %s)\n",
	    r, r <= 1.5 ? "met" : "NOT met"
}'
