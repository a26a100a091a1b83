#!/bin/bash
# test_contain_shared.sh: a suspension's session cut by client address
# spares the addresses the account shares, on a real Postfix + Dovecot
# (tests/integration/stack.sh), without a policy service.
#
#  1. judy and bob each keep a session open from the same address (both
#     sent a message: a webmail, a NAT), and judy one more from an address
#     of her own that sent nothing yet (Dovecot's auth line names its
#     address; no line names its smtpd).  `mailcon act suspend` of judy
#     ends both of hers: the first by its pid, the second by its address;
#     bob's session survives and still sends.  The result and the audit
#     of the step say that one shared address was left out, and the step
#     was not given it.
#  2. An address of the server's shared_addresses (a network) is left out
#     although only the account used it, and said so; the default list is
#     127.0.0.1 and ::1 (a webmail on the server).
#  3. A bad network in shared_addresses: refused with the file, the line
#     and the network meant, nothing suspended.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/stack.sh"
stack_test shared
export STACK_AUTH_PENALTY=0

[ -x "$MAILCON" ] || { echo "no $MAILCON (run make)"; exit 1; }
. "$HERE/actlib.sh"

stack_start "$S" || die "the mail stack did not start"
DOM=$STACK_DOMAIN
J=judy@$DOM B=bob@$DOM A=alice@$DOM C=carol@$DOM
pw() { awk -v u="$1" '$1 == u { print $2 }' "$STACK_USERS"; }
CFG=$T/config
{
	printf '[console]\nhistory = %s\n' "$T/history.db"
	stack_mailcon_server mx
} >"$CFG"

# slow NAME LOGIN SRC_IP [idle]: a session of LOGIN's from SRC_IP kept
# open (slowclient.py), its status in $T/NAME; it sends again once
# $T/NAME.go exists.  Waits for its first message's login line in
# Postfix's log, or with idle for its auth line in Dovecot's.
slow()
{
	local name=$1 login=$2 src=$3 qid
	python3 "$HERE/slowclient.py" "$STACK_SUBMIT_PORT" "$login" \
	    "$(pw "$login")" "$src" "$T/$name" "$T/$name.go" ${4:-} \
	    2>"$T/$name.err" &
	pids="$pids $!"
	if [ "${4:-}" = idle ]; then
		wait_for "$T/$name" "^first 235" ||
		    die "$name did not log in: $(cat "$T/$name" "$T/$name.err")"
		wait_for "$STACK_DOVECOT_LOG" "($login,${src//./\\.})" ||
		    die "no auth line of $name in Dovecot's log"
		return
	fi
	wait_for "$T/$name" "^first 250 [0-9A-F]" ||
	    die "$name sent nothing: $(cat "$T/$name" "$T/$name.err")"
	qid=$(awk '$1 == "first" { print $3 }' "$T/$name")
	wait_for "$STACK_POSTFIX_LOG" "$qid: client=.*sasl_username=$login" ||
	    die "no login line of $name in the log"
}

# second NAME: let session NAME send again; its "second" line.
second()
{
	touch "$T/$1.go"
	wait_for "$T/$1" "^second" || { echo "never tried again"; return; }
	grep "^second" "$T/$1"
}

# was_cut LINE: does second's LINE say the connection was gone (cut), not a
# reply of a live session (250, or the map's 554 refusal: SMTPDataError
# after the recipient was refused)?
was_cut()
{
	case $1 in
	"second closed: SMTPServerDisconnected"* | \
	    "second closed: Connection"* | "second closed: BrokenPipe"*)
		return 0 ;;
	esac
	return 1
}

# --- 1. a shared address left out; the account's sessions still end -----
slow judy1 "$J" 127.0.9.1
slow bob1 "$B" 127.0.9.1
slow judy2 "$J" 127.0.9.2 idle
act suspend --account "$J" --config "$CFG"
rc=$?
[ "$rc" = 0 ] || check_fail "suspend judy: exit $rc: $(said)"
grep -q "^suspend $J on mx: done" "$T/out" || check_fail "not done: $(said)"
grep -q "2 open SMTP sessions ended" "$T/out" ||
    check_fail "judy's two sessions were not both ended: $(said)"
grep -q "1 address shared with other accounts left out of the session cut" \
    "$T/out" || check_fail "the result does not say what was spared: $(said)"
r=$(second bob1)
[ "$r" = "second 250" ] ||
    check_fail "bob's session on the shared address did not survive: $r"
r=$(second judy1)
was_cut "$r" || check_fail "judy's session on the shared address was not cut: $r"
r=$(second judy2)
was_cut "$r" ||
    check_fail "judy's idle session on her own address was not cut: $r"
n=$(audit_q "SELECT count(*) FROM audit WHERE account = ? AND
    action = 'suspend' AND state = 'done' AND
    command LIKE '%mailcon-smtpd-end%127.0.9.2%' AND
    command NOT LIKE '%127.0.9.1%' AND target LIKE ?" "$J" \
    "%1 address shared with other accounts left out of the session cut%")
[ "$n" = 1 ] || check_fail "no audited cut without the shared address: $n"

# --- 2. shared_addresses: a network of the admin's, and the default ------
# listed LOGIN SRC_IP CONFIG WHAT: LOGIN's idle session from SRC_IP, an
# address of CONFIG's shared_addresses, outlives LOGIN's suspension, which
# says why.  Alive: its next message is refused by the map, not cut.
listed()
{
	local name=${1%@*}1 r
	slow "$name" "$1" "$2" idle
	act suspend --account "$1" --config "$3"
	rc=$?
	[ "$rc" = 0 ] || check_fail "suspend $1: exit $rc: $(said)"
	grep -q "1 address in shared_addresses left out of the session cut" \
	    "$T/out" || check_fail "$4 is not left out: $(said)"
	r=$(second "$name")
	was_cut "$r" && check_fail "$1's session from $4 was cut: $r"
}
{ cat "$CFG"; echo "shared_addresses = ::1, 127.0.9.4/30"; } >"$T/config.net"
listed "$A" 127.0.9.5 "$T/config.net" "an address of 127.0.9.4/30"
listed "$C" 127.0.0.1 "$CFG" "127.0.0.1 (the default list)"

# --- 3. a bad network: said where, nothing done ----------------------------
{ cat "$CFG"; echo "shared_addresses = 127.0.0.1 10.0.0.1/8"; } >"$T/config.bad"
line=$(grep -c '' "$T/config.bad")
snap_files
act suspend --account "$B" --config "$T/config.bad"
rc=$?
[ "$rc" != 0 ] || check_fail "a bad shared_addresses was taken: $(said)"
grep -qF "$T/config.bad:$line: shared_addresses: \"10.0.0.1/8\": bits set past the prefix /8 (the network is 10.0.0.0/8)" \
    "$T/err" || check_fail "the error does not say where and what: $(said)"
same_files "a refused config"

[ $failed -eq 0 ] && echo "contain shared: all checks passed"
exit $failed
