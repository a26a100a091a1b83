#!/bin/bash
# test_exim_wiring.sh: `mailcon check` and the wiring read before a
# suspend, on a real Exim (Debian 12's 4.96, tests/integration/exim.sh):
#
# - with README.md's ACL lines in the RCPT ACL (exim.sh's configuration):
#   "Exim reads FILE", from exim -bP acl_smtp_rcpt and the ACL section of
#   the file exim -bP configure_file names;
# - the same configuration without those lines (a copy given as
#   exim_config): FAIL with the lines to add, and a suspend that writes
#   the refuse file is PARTLY DONE ("its mail is NOT refused"), exit 1;
# - the lines after the accept of authenticated clients: never reached,
#   said with what to move;
# - a configuration Exim cannot read: said, with what to set.
#
# Environment: MAILCON (the binary, required); EXIM_CACHE (exim.sh).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/exim.sh"
exim_test eximwire

[ -x "$MAILCON" ] || die "MAILCON=$MAILCON is not an executable"
EXIPICK=$(exim_base_tool exipick) || die "no exipick"
exim_start "$S" || die "Exim did not start"
J=judy@example.test

# conf EXIM_CONFIG: the mailcon configuration of one server, ex
conf()
{
	{
		printf '[console]\nhistory = %s\n' "$T/history.db"
		exim_mailcon_server ex exim_config="$1" deny_file="$T/deny"
	} >"$T/mailcon.conf" || die "cannot write $T/mailcon.conf"
}
: >"$T/deny"

check()
{
	timeout 120 "$MAILCON" check --config "$T/mailcon.conf" "$@" \
	    >"$T/out" 2>"$T/err" </dev/null
	rc=$?
}
has_line() { grep -qF -- "$1" "$T/out"; }
said() { cat "$T/out" "$T/err"; }

# 1. wired: the ACL of exim.sh (README.md's lines)
conf "$EXIM_CONF"
check
has_line "ex: ok    Exim reads $EXIM_REFUSE (a deny on \$authenticated_id in the ACL acl_rcpt, acl_smtp_rcpt)" ||
    fail "wired: not said: $(said)"
has_line "Exim does not read" && fail "wired, yet said not read: $(said)"

# 2. the same configuration without the deny's three lines
awk '/^  deny    authenticated = \*$/ { skip = 3 } skip > 0 { skip--; next } 1' \
    "$EXIM_CONF" >"$T/noacl.conf"
grep -qF "lsearch{$EXIM_REFUSE}" "$T/noacl.conf" && die "the copy still has the lookup"
grep -q "^  accept  authenticated = \*" "$T/noacl.conf" ||
    die "the copy lost the accept"
conf "$T/noacl.conf"
check
[ "$rc" = 1 ] || fail "unwired: exit $rc, not 1: $(said)"
has_line "ex: FAIL  Exim does not read $EXIM_REFUSE: no ACL of acl_rcpt looks \$authenticated_id up in it: add to the RCPT ACL (acl_rcpt), before its accept of authenticated clients: deny authenticated = * condition = \${lookup{\$authenticated_id}lsearch{$EXIM_REFUSE}{yes}{no}} message = 5.7.1 account suspended" ||
    fail "unwired: the finding or its fix is not said: $(said)"

"$MAILCON" act suspend --account "$J" --yes --config "$T/mailcon.conf" \
    >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 1 ] || fail "suspend unwired: exit $rc, not 1: $(said)"
has_line "suspend $J on ex: PARTLY DONE: files updated; " ||
    fail "suspend unwired: not PARTLY DONE: $(said)"
has_line "Exim does not read $EXIM_REFUSE" ||
    fail "suspend unwired: the unread file is not said: $(said)"
has_line "its logins and mail are NOT refused" ||
    fail "suspend unwired: what is not refused is not said: $(said)"
grep -qxF "$J" "$EXIM_REFUSE" || fail "judy not written to $EXIM_REFUSE"
"$MAILCON" act unsuspend --account "$J" --yes --config "$T/mailcon.conf" \
    >"$T/out" 2>"$T/err" || fail "unsuspend: $(said)"
grep -qF "$J" "$EXIM_REFUSE" && fail "judy still in $EXIM_REFUSE"

# 3. the lines after the accept of authenticated clients: never reached
awk '/^  deny    authenticated = \*$/ { n = 3 } n > 0 { held = held $0 "\n"; n--; next }
    /^  accept  authenticated = \*$/ { print; acc = 1; next }
    acc && held != "" { printf "%s", held; held = ""; acc = 0 } 1' \
    "$EXIM_CONF" >"$T/late.conf"
conf "$T/late.conf"
check
[ "$rc" = 1 ] || fail "late: exit $rc, not 1: $(said)"
has_line "ex: FAIL  Exim never reaches the lookup of $EXIM_REFUSE: \"accept authenticated = *\" comes first in the ACL acl_rcpt: move the deny" ||
    fail "late: not said: $(said)"

# 4. a configuration Exim cannot read
conf "$T/nosuch.conf"
check
[ "$rc" != 0 ] || fail "unreadable configuration: exit 0: $(said)"
has_line "ex: FAIL  Exim's configuration could not be read (exim -bP: " ||
    fail "unreadable configuration: not said: $(said)"

[ "$failed" = 0 ] && echo "ok: Exim's ACL read: wired, not wired (suspend PARTLY DONE), unreached, unreadable"
exit "$failed"
