#!/bin/bash
# test_ssh_act_locks.sh: many `mailcon act` at once on a [server] behind
# SSH (sshd.sh, logged in as $SSHD_USER through sudo), against the real
# Postfix + Dovecot stack: the lock is in the script that runs on the
# server, so remote runs serialise with each other and with local ones.
# The rules are in concurlib.sh.
#
#  1. 7 suspends of 7 accounts at once over SSH, then 7 unsuspends: all
#     done and verified, all in effect (files, postmap -q, AUTH).
#  2. 4 password resets of 4 accounts at once over SSH: every password
#     shown is live (doveadm pw -t), every old one refused.
#  3. local and remote at once: 4 suspends here and 3 over SSH, of 7
#     accounts: all in effect.
#
# Prints "measure: ..." lines: effective out of attempted.
#
# Environment: MAILCON (the binary).  Needs root, python3, Postfix,
# Dovecot, sshd, sudo.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
test_init slock
. "$HERE/sshd.sh"
export STACK_AUTH_PENALTY=0

S=$T/s
D=$T/d
SUDOERS=/etc/sudoers.d/mailcon-locks-$$

test_cleanup()
{
	rm -f "$SUDOERS"
	stack_stop "$S"
	sshd_stop "$D"
}

[ -x "$MAILCON" ] || { echo "no $MAILCON (run make)"; exit 1; }
command -v sudo >/dev/null 2>&1 || { echo "no sudo (run tests/deps.sh)"; exit 1; }

. "$HERE/actlib.sh"
. "$HERE/concurlib.sh"

export XDG_STATE_HOME=$T/state
mkdir -p "$XDG_STATE_HOME"
stack_start "$S" || exit 1
sshd_start "$D" || exit 1
echo "$SSHD_USER ALL=(root) NOPASSWD: ALL" >"$SUDOERS"
chmod 440 "$SUDOERS"
DOM=$STACK_DOMAIN
ALL7="alice@$DOM bob@$DOM carol@$DOM dave@$DOM grace@$DOM ivan@$DOM judy@$DOM"
pw() { awk -v u="$1" '$1 == u { print $2 }' "$STACK_USERS"; }
LOCAL=$T/local.conf
{
	printf '[console]\nhistory = %s\n' "$T/history.db"
	stack_mailcon_server lab
} >"$LOCAL"
REMOTE=$T/ssh.conf
{
	cat "$LOCAL"
	printf 'host = 127.0.0.1\nport = %s\nuser = %s\nsudo = yes\n' \
	    "$SSHD_PORT" "$SSHD_USER"
	printf 'key = %s\nknown_hosts = %s\n' "$SSHD_KEY" "$SSHD_KNOWN_HOSTS"
} >"$REMOTE"
CFG=$REMOTE

# The history exists first, so what is measured is the files alone.
"$MAILCON" act hold --account "nobody@$DOM" --config "$LOCAL" \
    >"$T/prime.out" 2>&1 </dev/null ||
    die "the first act (making the history) failed: $(cat "$T/prime.out")"

# ===== 1. 7 suspends, then 7 unsuspends, over SSH ==========================
# shellcheck disable=SC2086
acts_at_once sus suspend $ALL7
runs_verified sus 7
n=$(audit_q "SELECT count(*) FROM audit WHERE action = 'suspend' AND
    command LIKE 'mailcon-deny-add %' AND target LIKE ?" \
    "%over SSH as $SSHD_USER@127.0.0.1 port $SSHD_PORT through sudo%")
[ "$n" = 7 ] || fail "$n of 7 deny steps ran over SSH as $SSHD_USER through sudo"
# shellcheck disable=SC2086
eff=$(count_state suspended $ALL7)
echo "measure: 7 suspends at once over SSH: $eff of 7 in effect, $VERIFIED of 7 done and verified"
[ "$eff" = 7 ] || fail "only $eff of 7 suspensions in effect over SSH"
wait_dovecot_sees "$STACK_DENY"
echo "fail alice@$DOM $(pw "alice@$DOM") 127.0.0.43 1" | mailgen "$T/qids.x" ||
    fail "suspended alice could still AUTH: $(cat "$T/gen")"

# shellcheck disable=SC2086
acts_at_once uns unsuspend $ALL7
runs_verified uns 7
# shellcheck disable=SC2086
eff=$(count_state unsuspended $ALL7)
echo "measure: 7 unsuspends at once over SSH: $eff of 7 in effect, $VERIFIED of 7 done and verified"
[ "$eff" = 7 ] || fail "only $eff of 7 unsuspensions in effect over SSH"
[ -s "$STACK_DENY" ] && fail "the deny file is not empty: $(tr '\n' ' ' <"$STACK_DENY")"
no_leftovers "$STACK_DENY" "$STACK_SASL_ACCESS"

# ===== 2. 4 resets over SSH ================================================
R4="bob@$DOM carol@$DOM dave@$DOM grace@$DOM"
# shellcheck disable=SC2086
acts_at_once rst reset-password $R4
runs_verified rst 4
i=0 eff=0
for a in $R4; do
	i=$((i + 1))
	new=$(shown_pw rst "$i" "$a")
	if [ -n "$new" ] && pw_live "$a" "$new"; then
		eff=$((eff + 1))
	else
		fail "reset $i of $a over SSH: no live password: $(run_said rst "$i")"
	fi
	pw_live "$a" "$(pw "$a")" && fail "$a's old password is live again"
done
echo "measure: 4 resets at once over SSH: $eff of 4 passwords live afterwards, $VERIFIED of 4 done and verified"
no_leftovers "$STACK_PASSWD"

# ===== 3. local and remote at once =========================================
i=0
pids=''
for a in $ALL7; do
	i=$((i + 1))
	conf=$LOCAL
	[ "$i" -gt 4 ] && conf=$REMOTE
	(
		timeout 240 "$MAILCON" act suspend --account "$a" \
		    --config "$conf" >"$T/mix.$i.out" 2>"$T/mix.$i.err" \
		    </dev/null
		echo $? >"$T/mix.$i.rc"
	) &
	pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
runs_verified mix 7
# shellcheck disable=SC2086
eff=$(count_state suspended $ALL7)
echo "measure: 4 local and 3 remote suspends at once: $eff of 7 in effect, $VERIFIED of 7 done and verified"
[ "$eff" = 7 ] || fail "only $eff of 7 suspensions in effect (local and remote at once)"
[ "$(wc -l <"$STACK_DENY")" = 7 ] || fail "the deny file has $(wc -l <"$STACK_DENY") lines, not 7"

[ "$failed" = 0 ] && echo "ok: concurrent suspends, unsuspends, resets over SSH, local and remote at once"
exit "$failed"
