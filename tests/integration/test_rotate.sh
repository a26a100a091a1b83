#!/bin/bash
# test_rotate.sh: log rotation and truncation under `mailcon watch --headless
# --lines`, for a local log (console/intake/follow.c) and the same log over SSH
# (console/intake/rfollow.c and its remote sh program) at once, against a real
# sshd on loopback (sshd.sh), logging in as $SSHD_USER.
#
# Numbered lines go to both logs; each case rotates both the same way and
# then accounts for every line: each one arrives exactly once, or it was
# destroyed before anyone could read it and a gap says so.  The cases:
#
#   empty-copytruncate  the log starts empty, grows, is rotated by copy and
#                       truncate, and lines follow right after (faster than
#                       the follower looks)
#   rename-live         renamed while connected, the daemon writing to the
#                       renamed file for seconds, also after the new one
#                       has lines
#   copytruncate-away   copytruncate while disconnected
#   rename-away         rename while disconnected, lines in both files
#   rename-twice-away   renamed twice while disconnected
#   copy-twice-away     copytruncate twice while disconnected
#   cut-live            truncated to a non-zero size while connected: a
#                       gap (what was written just before the cut may be
#                       lost), nothing read twice, the next lines read
#   cut-away            truncated to a non-zero size while disconnected,
#                       destroying lines nobody read: a gap; lines written
#                       after the cut before it is seen are not found
#                       either (a known limit, follow.h)
#   emptied-away        emptied with no copy while disconnected: a gap
#   cut-grown-live      truncated to a non-zero size and, before the
#                       followers look again (the watch and the remote
#                       follower stopped meanwhile), grown by more than was
#                       cut, while connected: a gap, nothing read twice or
#                       from the middle of a line, the lines written after
#                       the cut not found
#   cut-grown-away      the same while disconnected
#
# "Disconnected" is, for SSH, the session killed and the listener stopped;
# for the local log, the watch stopped (SIGSTOP), so that it sees every
# change of the case at once.  Each case prints "measure: SERVER CASE:
# received R of W lines" (the figures of the closing note).
#
# Environment: MAILCON (the binary).  Needs root and sshd (tests/deps.sh).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/sshd.sh"
export LC_ALL=C
MAILCON=${MAILCON:-$HERE/../../build/mailcon}

T=$(mktemp -d /tmp/mcrot.XXXXXX) || exit 1
chmod 755 "$T"
WATCH=
STOPPED=

cleanup()
{
	local pid
	for pid in $STOPPED; do
		kill -CONT "$pid" 2>/dev/null
	done
	stop_pids $WATCH
	[ -d "$T/sshd" ] && sshd_stop "$T/sshd"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

sshd_start "$T/sshd" 1 >/dev/null || die "sshd did not start"
. "$T/sshd/sshd.env"

# l: the local log, r: the log read over SSH (its own file, same lines)
mkdir -p "$T/l" "$T/r"
chmod 755 "$T/l" "$T/r"
LOGS="$T/l/mail.log $T/r/mail.log"
for f in $LOGS; do
	: >"$f"
	chmod 644 "$f"
done
cat >"$T/conf" <<EOF
[server l]
logs = $T/l/mail.log

[server r]
logs = $T/r/mail.log
host = 127.0.0.1
port = $SSHD_PORT
user = $SSHD_USER
key = $SSHD_KEY
known_hosts = $SSHD_KNOWN_HOSTS
keepalive = 1s
queue_command = off
EOF
OUT=$T/watch.out
XDG_STATE_HOME=$T/state "$MAILCON" watch --headless --lines --config "$T/conf" \
    >"$OUT" 2>"$OUT.err" &
WATCH=$!
wait_file "server l is live" "$OUT" 15 || die "l not live: $(cat "$OUT" "$OUT.err")"
wait_file "server r is live" "$OUT" 20 || die "r not live: $(cat "$OUT" "$OUT.err")"

# w FROM TO [SUFFIX [PAUSE]]: append "seq N" for N in FROM..TO to both logs
# (mail.log SUFFIX), sleeping PAUSE seconds between lines (none by default).
w()
{
	local i f
	for i in $(seq "$1" "$2"); do
		for f in $LOGS; do
			printf 'Nov 28 12:00:00 mx postfix/cleanup[77]: seq %d\n' \
			    "$i" >>"$f${3:-}"
		done
		[ -n "${4:-}" ] && sleep "$4"
	done
}

# Rotation as logrotate does it, with numbered files: shift_old moves
# mail.log.N to mail.log.N+1 (the oldest first) in both directories.
shift_old()
{
	local d n
	for d in "$T/l" "$T/r"; do
		n=9
		while [ $n -ge 1 ]; do
			[ -e "$d/mail.log.$n" ] && mv "$d/mail.log.$n" "$d/mail.log.$((n + 1))"
			n=$((n - 1))
		done
	done
}
rot_rename()
{
	shift_old
	for f in $LOGS; do
		mv "$f" "$f.1"
	done
}
rot_copy()
{
	shift_old
	for f in $LOGS; do
		cp -p "$f" "$f.1"
		truncate -s 0 "$f"
	done
}

# Cut both logs to the bytes before line "seq N".
cut_before()
{
	local f k
	for f in $LOGS; do
		k=$(grep -b "seq $1\$" "$f" | cut -d: -f1)
		[ -n "$k" ] || die "seq $1 is not in $f"
		truncate -s "$k" "$f"
	done
}

# Disconnect: the SSH session killed and its listener stopped, the watch
# stopped (the local follower sees the whole case at once); reconnect.
# The session is every process under the listener: for a login that is
# not root, sshd's privilege-separated child holds the connection, and the
# remote follower runs under it.
away()
{
	local all more
	L=$(awk 'NR == 1 { print $2 }' "$SSHD_PIDS")
	kill -STOP "$L" "$WATCH"
	STOPPED="$L $WATCH"
	all=$(sshd_sessions "$T/sshd")
	more=$all
	while [ -n "$more" ]; do
		more=$(_sshd_children $more)
		all="$all $more"
	done
	[ -n "${all// /}" ] || fail "no SSH session to cut"
	kill -KILL $all 2>/dev/null
}
back()
{
	kill -CONT $STOPPED 2>/dev/null
	STOPPED=
}

# Freeze: the watch and the remote follower (the processes under the SSH
# session that are not sshd) stopped, the connection itself left up; then
# a moment for a command already running there (a stat) to end.  back
# lets them go on: both followers see the whole case at their next look.
freeze()
{
	local all more p procs=''
	all=$(sshd_sessions "$T/sshd")
	more=$all
	while [ -n "$more" ]; do
		more=$(_sshd_children $more)
		all="$all $more"
	done
	for p in $all; do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q '^sshd' ||
		    procs="$procs $p"
	done
	[ -n "${procs// /}" ] || fail "no remote follower to stop"
	kill -STOP $procs "$WATCH" 2>/dev/null
	STOPPED="$procs $WATCH"
	sleep 0.5
}

# Gap lines so far, per server.
gaps_of()
{
	grep -c " gap in .* on $1: " "$OUT"
}

# settle N: until both servers delivered "seq N" (or 30 s), then a second
# for anything late (a line read twice).
settle()
{
	local i
	for i in $(seq 300); do
		[ "$(grep -c " line [lr]: .*seq $1\$" "$OUT")" -ge 2 ] && break
		sleep 0.1
	done
	sleep 1
}

# settle_gaps: until both servers reported a gap since mark (or 90 s: after
# several disconnects in a row the SSH connection's backoff has grown).
settle_gaps()
{
	local i
	for i in $(seq 900); do
		[ "$(gaps_of l)" -gt "${G0[l]}" ] && [ "$(gaps_of r)" -gt "${G0[r]}" ] &&
		    break
		sleep 0.1
	done
	sleep 1
}

TOTAL_W=0
TOTAL_R=0
# account CASE FROM TO LOST GAP: lines FROM..TO of CASE arrived exactly
# once for both servers, except LOST ("A-B" or empty), the lines destroyed
# before they could be read; GAP is yes when the case must report a gap
# (and no when it must not); G0 holds the gap counts before the case.
account()
{
	local name=$1 from=$2 to=$3 lost=$4 gap=$5 s got dups missing want \
	    lo=0 hi=-1 g n
	[ -n "$lost" ] && lo=${lost%-*} hi=${lost#*-}
	for s in l r; do
		grep -F "line $s:" "$OUT" | sed -n 's/.*seq \([0-9]*\)$/\1/p' |
		    awk -v a="$from" -v b="$to" '$1 >= a && $1 <= b' >"$T/got"
		got=$(sort -nu "$T/got" | wc -l)
		dups=$(sort -n "$T/got" | uniq -d | wc -l)
		missing=$(seq "$from" "$to" | awk -v lo="$lo" -v hi="$hi" \
		    '$1 < lo || $1 > hi' | sort | comm -23 - <(sort -u "$T/got") |
		    sort -n | tr '\n' ' ')
		n=$((to - from + 1))
		g=$(($(gaps_of $s) - ${G0[$s]}))
		echo "measure: $s $name: received $got of $n lines, $dups twice, $g gap(s)"
		TOTAL_W=$((TOTAL_W + n))
		TOTAL_R=$((TOTAL_R + got))
		[ -z "$missing" ] || fail "$s $name: lines lost without cause: $missing"
		[ "$dups" = 0 ] || fail "$s $name: $dups lines delivered twice"
		if [ -n "$lost" ]; then
			want=$(awk -v lo="$lo" -v hi="$hi" '$1 >= lo && $1 <= hi' "$T/got" | wc -l)
			[ "$want" = 0 ] || fail "$s $name: destroyed lines $lost arrived"
		fi
		if [ "$gap" = yes ] && [ "$g" = 0 ]; then
			fail "$s $name: no gap reported"
		elif [ "$gap" = no ] && [ "$g" != 0 ]; then
			fail "$s $name: a gap where none is: $(grep " gap in .* on $s: " "$OUT" | tail -n "$g")"
		fi
	done
}
declare -A G0
mark()
{
	G0[l]=$(gaps_of l)
	G0[r]=$(gaps_of r)
}

# --- empty-copytruncate: starts empty, grows, copy and truncate, then a
# burst right after it ------------------------------------------------------
mark
w 1 50 "" 0.01
settle 50
rot_copy
w 51 110
settle 110
account empty-copytruncate 1 110 "" no

# --- rename-live: the daemon goes on writing to the renamed file ---------
mark
w 111 120
settle 120
rot_rename
w 121 150 .1 0.05		# still the old file, for a second and a half
w 151 170			# the new file
w 171 180 .1 0.1		# and the old one again
w 181 190
settle 190
account rename-live 111 190 "" no

# --- copytruncate-away ------------------------------------------------------
mark
away
w 191 220
rot_copy
w 221 250
back
settle 250
account copytruncate-away 191 250 "" no

# --- rename-away ------------------------------------------------------------
mark
away
w 251 270
rot_rename
w 271 280 .1
w 281 300
back
settle 300
account rename-away 251 300 "" no

# --- rename-twice-away ------------------------------------------------------
mark
away
w 301 310
rot_rename
w 311 320
rot_rename
w 321 330
back
settle 330
account rename-twice-away 301 330 "" no

# --- copy-twice-away ----------------------------------------------------------
mark
away
w 331 340
rot_copy
w 341 350
rot_copy
w 351 360
back
settle 360
account copy-twice-away 331 360 "" no

# --- cut-live: truncated to a non-zero size, everything read ------------------
mark
w 361 380
settle 380
cut_before 371
settle_gaps			# the followers see the cut, and say so
w 381 390
settle 390
account cut-live 361 390 "" yes

# --- cut-away: truncated to a non-zero size, destroying unread lines --------
mark
w 391 400
settle 400
away
w 401 410
cut_before 396			# 396..410 destroyed; 401..410 never read
w 411 412			# after the cut, before it is seen: not found
back
settle_gaps
account cut-away 391 412 401-412 yes

# --- emptied-away: emptied with no copy, unread lines destroyed --------------
mark
away
w 421 430
for f in $LOGS; do : >"$f"; done
w 431 440
back
settle 440
account emptied-away 421 440 421-430 yes

# --- cut-grown-live: cut, then grown past where it was read before the
# followers look again, while connected -----------------------------------
mark
w 451 470
settle 470
freeze
cut_before 461			# 461..470 cut (read already)
w 471 500			# more than was cut, before they look
back
settle_gaps
w 501 505
settle 505
account cut-grown-live 451 505 471-500 yes

# --- cut-grown-away: the same while disconnected -----------------------------
mark
w 511 530
settle 530
away
cut_before 521
w 531 560
back
settle_gaps
w 561 565
settle 565
account cut-grown-away 511 565 531-560 yes

grep " gap in " "$OUT" | sed 's/^/  /'
echo "measure: all cases: received $TOTAL_R of $TOTAL_W lines"
[ "$failed" = 0 ] && echo "PASS: test_rotate"
exit "$failed"
