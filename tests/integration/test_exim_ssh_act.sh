#!/bin/bash
# test_exim_ssh_act.sh: `mailcon act` on a real Exim (Debian 12's 4.96,
# tests/integration/exim.sh) reached over SSH: a loopback sshd
# (tests/integration/sshd.sh) as the test user SSHD_USER (login shell
# /bin/sh, never root) with sudo = yes, allowed by a sudoers entry of this
# test naming exactly /bin/sh (the steps and the spool read) and the
# extracted exim binary (-Mf, -Mt, -Mrm), removed at the end:
#
# - suspend puts judy into the ACL's lookup file over SSH: her next AUTH'd
#   message is refused while alice still sends (PARTLY DONE: no Dovecot
#   reads the deny file here, as in test_exim_act.sh); unsuspend lets her
#   send again;
# - hold, release and purge change exactly judy's queued messages, those
#   with alice's forged sender included, and nothing of alice's or
#   carol's, checked with exim -bp; the spool (split: input/X/ID-H) is
#   read and the check made over SSH (the audit names the login and
#   port), never here.
#
# Environment: MAILCON (the binary, required); EXIM_CACHE (exim.sh).
# Needs sshd, sudo (tests/deps.sh).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/exim.sh"
. "$HERE/sshd.sh"
MAILGEN=$HERE/mailgen.py

: "${MAILCON:?set MAILCON to the mailcon binary}"
export LC_ALL=C

T=$(mktemp -d /tmp/mceximssh.XXXXXX) || exit 1
chmod 755 "$T"		# Exim's deliveries run as Debian-exim
S=$T/x
D=$T/d
SSH_SUDOERS=/etc/sudoers.d/mailcon-test-exim-ssh-$$

cleanup()
{
	rm -f "$SSH_SUDOERS"
	exim_stop "$S"
	sshd_stop "$D"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -x "$MAILCON" ] || die "MAILCON=$MAILCON is not an executable"
for tool in sudo visudo sshd; do
	command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] ||
	    die "no $tool (run tests/deps.sh)"
done
# a split spool (input/X/ID-H): the spool read finds the messages there
EXIM_SPLIT_SPOOL=1 EXIM_SINK_DOMAINS=sink.test exim_start "$S" ||
    die "Exim did not start"
sshd_start "$D" || die "sshd did not start"
echo "$SSHD_USER ALL=(root) NOPASSWD: /bin/sh, $EXIM_BIN" >"$SSH_SUDOERS"
chmod 440 "$SSH_SUDOERS"
visudo -cq -f "$SSH_SUDOERS" ||
    die "the sudoers entry for $SSHD_USER is refused by visudo"
export XDG_STATE_HOME=$T/state
mkdir -p "$XDG_STATE_HOME"

J=judy@example.test A=alice@example.test C=carol@example.test
pw() { awk -v u="$1" '$1 == u { print $2 }' "$EXIM_USERS"; }

: >"$T/deny"
chmod 644 "$T/deny"
# read over SSH as SSHD_USER: mode 644 in a directory of mode 755
: >"$T/empty.log"
chmod 644 "$T/empty.log"
{
	printf '[console]\nhistory = %s\n' "$T/history.db"
	exim_mailcon_server ex logs="$T/empty.log" deny_file="$T/deny" \
	    host=127.0.0.1 port="$SSHD_PORT" user="$SSHD_USER" sudo=yes \
	    key="$SSHD_KEY" known_hosts="$SSHD_KNOWN_HOSTS"
} >"$T/mailcon.conf" || die "cannot write $T/mailcon.conf"

act()
{
	"$MAILCON" act "$@" --yes --config "$T/mailcon.conf" >"$T/out" \
	    2>"$T/err"
	rc=$?
}
said() { cat "$T/out" "$T/err"; }
sessions() { grep -c 'Accepted publickey' "$SSHD_LOG"; }

out=$({
	echo "send $J $(pw $J) 127.9.2.1 4 2 x1@dead.test"
	echo "sendas $J $(pw $J) 127.9.2.2 3 3 x2@dead.test $A"
	echo "send $A $(pw $A) 127.9.2.3 3 3 y@dead.test"
	echo "send $C $(pw $C) 127.9.2.4 2 2 z@dead.test"
} | python3 "$MAILGEN" --port "$EXIM_PORT" -j 4 --qids "$T/qids" 2>&1) ||
    die "mailgen: $out"
exim_ids_of "$J" >"$T/judy"
cat <(exim_ids_of "$A") <(exim_ids_of "$C") | sort >"$T/others"
[ "$(wc -l <"$T/judy")" = 7 ] || die "judy's ids: $(cat "$T/qids")"
for i in $(seq 1 100); do
	[ "$(exim_queue_state | wc -l)" = 12 ] && break
	sleep 0.1
done
[ "$(exim_queue_state | wc -l)" = 12 ] || die "exim -bp: $(exim_queue_state)"
ls "$EXIM_SPOOL"/input/?/*-H >/dev/null 2>&1 || die "the spool is not split"

# expect_state WHAT FROZEN_IDS_FILE: all 12 queued, exactly those frozen
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

# ----- hold, release over SSH -------------------------------------------
s0=$(sessions)
act hold --account "$J"
[ "$rc" = 0 ] || fail "hold over SSH: exit $rc: $(said)"
grep -q "^hold $J on ex: done: 7 of 7 queued messages held" "$T/out" ||
    fail "hold over SSH: $(said)"
grep -q "^verification: the spool's -H files: all 7 on hold" "$T/out" ||
    fail "hold over SSH not verified in the spool: $(said)"
[ "$(sessions)" -gt "$s0" ] || fail "hold opened no SSH session"
expect_state "hold over SSH" "$T/judy"
n=$(sqlite3 "$T/history.db" "SELECT count(*) FROM audit WHERE
    target LIKE '%over SSH as $SSHD_USER@127.0.0.1 port $SSHD_PORT through sudo%'")
[ "${n:-0}" -gt 0 ] || fail "the audit does not say the hold ran over SSH"

act release --account "$J"
[ "$rc" = 0 ] || fail "release over SSH: exit $rc: $(said)"
grep -qxF "verification: the spool's -H files: all 7 released" "$T/out" ||
    fail "release over SSH not verified: $(said)"
expect_state "release over SSH" /dev/null

# ----- suspend, unsuspend over SSH ---------------------------------------
act suspend --account "$J" --no-hold
[ "$rc" = 1 ] || fail "suspend over SSH: exit $rc, not 1 (partly done): $(said)"
grep -qxF "$J" "$EXIM_REFUSE" || fail "judy not in $EXIM_REFUSE"
grep -qxF "$J" "$T/deny" || fail "judy not in the deny file"
grep -qF "Dovecot does not read the deny file $T/deny" "$T/out" ||
    fail "suspend over SSH: the unwired deny file is not said: $(said)"
grep -qF "Exim does not read" "$T/out" &&
    fail "suspend over SSH: Exim's ACL read as not wired: $(said)"
out=$({
	echo "reject $J $(pw $J) 127.9.2.5 v@dead.test"
	echo "send $A $(pw $A) 127.9.2.6 1 1 w@sink.test"
} | python3 "$MAILGEN" --port "$EXIM_PORT" -j 2 2>&1) ||
    fail "suspended judy was not refused, or alice could not send: $out"
case $out in *'"rejected": 1'*'"error_count": 0'*) ;;
*) fail "mailgen after suspend over SSH: $out" ;; esac

act unsuspend --account "$J"
[ "$rc" = 0 ] || fail "unsuspend over SSH: exit $rc: $(said)"
grep -qF "$J" "$EXIM_REFUSE" && fail "judy still in $EXIM_REFUSE"
out=$(echo "send $J $(pw $J) 127.9.2.7 1 1 u@sink.test" |
    python3 "$MAILGEN" --port "$EXIM_PORT" 2>&1) ||
    fail "judy cannot send after unsuspend over SSH: $out"

# ----- purge over SSH: exactly judy's 7, the others stay ------------------
act purge --account "$J"
[ "$rc" = 0 ] || fail "purge over SSH: exit $rc: $(said)"
grep -q "^purge $J on ex: done: 7 of 7 queued messages purged" "$T/out" ||
    fail "purge over SSH: $(said)"
grep -q "^verification: the spool's -H files: none of the 7 is queued any more" \
    "$T/out" || fail "purge over SSH not verified: $(said)"
exim_queue_state | awk '{ print $1 }' | sort >"$T/left"
cmp -s "$T/others" "$T/left" ||
    fail "after the purge over SSH, not exactly alice's and carol's: $(diff "$T/others" "$T/left" | tr '\n' ' ')"

[ "$failed" = 0 ] && echo "ok: over SSH as $SSHD_USER: hold/release/purge exactly judy's, suspend refuses her next message, unsuspend lets her send"
exit "$failed"
