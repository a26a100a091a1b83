#!/bin/bash
# test_exim_act_cpanel.sh: `mailcon act` on a server with backend =
# exim-cpanel.  cPanel cannot run here, so:
#
# - --dry-run --verbose: the exact commands of suspend and unsuspend,
#   outgoing mail first, then the logins (the agreed order), for an address
#   (uapi Email suspend_login, suspend_outgoing or hold_outgoing, as the
#   owner whmapi1 getdomainowner names; their twins) and for a cPanel
#   account (whmapi1 suspend_outgoing_email ...), and of hold and purge
#   (the account's messages read from the spool's -H files, exim
#   -Mf/-Mrm through xargs, the ids on its stdin);
# - the answers: cPanel's documented JSON answers (tests/fixtures/cpanel,
#   each naming its source) replayed by a stand-in whmapi1 and uapi that
#   print them and record how they were called.  A suspension whose second
#   call cPanel refuses says cPanel's words, fails, and undoes the first
#   (unsuspend_outgoing runs): nothing is left half done;
# - the read-back: after suspend and unsuspend, cPanel's record of the
#   address (uapi Email list_pops_with_disk get_restrictions=1) or of the
#   account (whmapi1 listaccts) verifies it, and an answer that
#   contradicts the calls (not suspended, partly suspended, suspended
#   after an unsuspend) fails the verification, said;
# - reset-password: uapi Email passwd_pop and verify_password with the
#   password shown once (and in no file of mailcon's), only where the
#   mount table (a fixture for /proc/mounts) says /proc has hidepid=2 or
#   hidepid=invisible; else refused before uapi runs, with the reason and
#   the remedy; a password cPanel does not take is never shown.  These runs are
#   --no-hold: no Exim runs here (an account's messages are read from the
#   spool on a cPanel server too: test_exim_act.sh holds on a real Exim).
#
# Environment: MAILCON (the binary, required).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
FIX=$(cd "$HERE/../fixtures/cpanel" && pwd)

: "${MAILCON:?set MAILCON to the mailcon binary}"
export LC_ALL=C

T=$(mktemp -d /tmp/mccpanel.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

J=user@example.com
: >"$T/empty.log"
cat >"$T/mailcon.conf" <<EOF
[console]
history = $T/history.db
[server cp]
logs = $T/empty.log
backend = exim-cpanel
exim_config = /etc/exim.conf
EOF

act()
{
	"$MAILCON" act "$@" --config "$T/mailcon.conf" >"$T/out" 2>"$T/err"
	rc=$?
}
said() { cat "$T/out" "$T/err"; }

# --- dry runs: the exact commands ---------------------------------------
act suspend --account "$J" --dry-run --verbose
[ "$rc" = 0 ] || fail "suspend --dry-run: exit $rc: $(said)"
for want in \
    "' mailcon-cpanel-login $J /usr/local/cpanel/bin suspend_login" \
    "' mailcon-cpanel-outgoing $J /usr/local/cpanel/bin suspend_outgoing" \
    'j=$("$b/whmapi1" --output=json getdomainowner domain="$d")' \
    'exec "$b/uapi" --output=json --user="$u" Email "$f" email="$a"' \
    'exec "$b/whmapi1" --output=json "${f}_email" user="$a"' \
    "' mailcon-exim-spool take-Mf $J '' /etc/exim.conf exim  # read the queue; each message of its login to the tool as read" \
    "' mailcon-exim-queue exim -C /etc/exim.conf -Mf  # stdin: the ids of $J's queued messages the read left (no login, locked), one per line"; do
	grep -qF -- "$want" "$T/out" || fail "suspend --dry-run lacks: $want"
done
# the order: mail, then logins, then the queue
grep "^' mailcon-cpanel\|^' mailcon-exim-queue" "$T/out" | cut -d' ' -f1-2 >"$T/order"
printf '%s\n' "' mailcon-cpanel-outgoing" "' mailcon-cpanel-login" "' mailcon-exim-queue" |
    cmp -s - "$T/order" || fail "suspend --dry-run: not in the order mail, logins, queue: $(said)"

act unsuspend --account "$J" --dry-run --verbose
for want in \
    "' mailcon-cpanel-outgoing-undo $J /usr/local/cpanel/bin suspend_outgoing undo" \
    "' mailcon-cpanel-login-undo $J /usr/local/cpanel/bin suspend_login undo"; do
	grep -qF -- "$want" "$T/out" || fail "unsuspend --dry-run lacks: $want"
done

printf 'cpanel_outgoing = hold\ncpanel_bin = /opt/cp/bin\n' >>"$T/mailcon.conf"
act suspend --account webowner --dry-run --verbose
grep -qF "' mailcon-cpanel-outgoing webowner /opt/cp/bin hold_outgoing" \
    "$T/out" || fail "suspend of a cPanel account with hold: $(said)"
act purge --account "$J" --dry-run --yes --verbose
grep -qF "mailcon-exim-queue exim -C /etc/exim.conf -Mrm  # stdin: the ids" "$T/out" ||
    fail "purge --dry-run: $(said)"

# --- cPanel's documented answers, replayed --------------------------------
mkdir -p "$T/cp/bin"
# The stand-in: records its call, prints the fixture named for it in
# $T/answers ("NAME FIXTURE" lines, NAME the function called).
for tool in whmapi1 uapi; do
	cat >"$T/cp/bin/$tool" <<EOF
#!/bin/sh
echo "$tool \$*" >>"$T/calls"
for w; do
	f=\$(awk -v n="\$w" '\$1 == n { print \$2 }' "$T/answers")
	[ -n "\$f" ] && exec sed '/^# /d' "$FIX/\$f"
done
echo "no answer for: \$*" >&2
exit 9
EOF
	chmod 755 "$T/cp/bin/$tool"
done
sed -i "s|^cpanel_bin = .*|cpanel_bin = $T/cp/bin|; s|^cpanel_outgoing = .*|cpanel_outgoing = suspend|" \
    "$T/mailcon.conf"
# the owner's name as cPanel's sample answer gives it
cat >"$T/answers" <<EOF
getdomainowner whmapi1-getdomainowner-ok.txt
suspend_login uapi-suspend_outgoing-ok.txt
unsuspend_login uapi-unsuspend_outgoing-ok.txt
suspend_outgoing uapi-suspend_outgoing-ok.txt
unsuspend_outgoing uapi-unsuspend_outgoing-ok.txt
suspend_outgoing_email whmapi1-suspend_outgoing_email-ok.txt
list_pops_with_disk uapi-list_pops_with_disk-suspended.txt
listaccts whmapi1-listaccts-suspended.txt
EOF

: >"$T/calls"
act suspend --account "$J" --yes --no-hold
[ "$rc" = 0 ] || fail "suspend: exit $rc: $(said)"
grep -q "^suspend $J on cp: done: logins and mail refused" "$T/out" ||
    fail "suspend: $(said)"
grep -qx "verification: cPanel's API reads back: suspended" "$T/out" ||
    fail "suspend: not verified by cPanel's list_pops_with_disk: $(said)"
cat >"$T/want" <<EOF
whmapi1 --output=json getdomainowner domain=example.com
uapi --output=json --user=username Email suspend_outgoing email=$J
whmapi1 --output=json getdomainowner domain=example.com
uapi --output=json --user=username Email suspend_login email=$J
whmapi1 --output=json getdomainowner domain=example.com
uapi --output=json --user=username Email list_pops_with_disk email=user domain=example.com get_restrictions=1 no_disk=1
EOF
cmp -s "$T/want" "$T/calls" ||
    fail "suspend called: $(cat "$T/calls"), not: $(cat "$T/want")"

: >"$T/calls"
act suspend --account webowner --yes --no-hold
[ "$rc" = 0 ] || fail "suspend webowner: exit $rc: $(said)"
grep -q "cPanel's API has no login suspension for the cPanel account webowner" \
    "$T/out" "$T/err" || fail "suspend webowner: the note is not said: $(said)"
printf '%s\n' "whmapi1 --output=json suspend_outgoing_email user=webowner" \
    "whmapi1 --output=json listaccts search=webowner searchtype=user searchmethod=exact" |
    cmp -s - "$T/calls" || fail "suspend webowner called: $(cat "$T/calls")"
grep -qx "verification: cPanel's API reads back: suspended" "$T/out" ||
    fail "suspend webowner: not verified by whmapi1 listaccts: $(said)"

# cPanel refuses the second call (the logins'): its words, a failure, the
# first (the outgoing mail's) undone
sed -i 's/^suspend_login .*/suspend_login uapi-suspend_login-error.txt/' \
    "$T/answers"
: >"$T/calls"
act suspend --account "$J" --yes --no-hold
[ "$rc" != 0 ] || fail "suspend refused by cPanel: exit 0: $(said)"
grep -q "FAILED" "$T/out" || fail "suspend refused by cPanel: not FAILED: $(said)"
grep -qF "cPanel said: The account judy@example.test does not exist." "$T/out" ||
    fail "cPanel's words are not said: $(said)"
tail -n 1 "$T/calls" | grep -qxF "uapi --output=json --user=username Email unsuspend_outgoing email=$J" ||
    fail "the outgoing suspension was not undone: $(cat "$T/calls")"

# an answer that is not cPanel's JSON (to the first call, the outgoing
# mail's): never taken for success, nothing after it
sed -i 's/^suspend_outgoing .*/suspend_outgoing not-json.txt/' "$T/answers"
: >"$T/calls"
act suspend --account "$J" --yes --no-hold
[ "$rc" != 0 ] || fail "suspend with a non-JSON answer: exit 0: $(said)"
grep -qF "its answer is not cPanel's JSON" "$T/out" ||
    fail "the non-JSON answer is not said: $(said)"
grep -q "suspend_login" "$T/calls" &&
    fail "went on after a first call that failed: $(cat "$T/calls")"

# --- the suspension read back from cPanel ---------------------------------
# answer NAME FIXTURE: the stand-in's answer to NAME from now on
answer() { sed -i "s|^$1 .*|$1 $2|" "$T/answers"; }
answer suspend_outgoing uapi-suspend_outgoing-ok.txt
answer suspend_login uapi-suspend_outgoing-ok.txt
# cPanel's record contradicts both calls' "done": not verified, exit 1
answer list_pops_with_disk uapi-list_pops_with_disk-active.txt
act suspend --account "$J" --yes --no-hold
[ "$rc" = 1 ] || fail "suspend that cPanel reads back as not suspended: exit $rc: $(said)"
grep -qx "verification: cPanel's API reads back: not suspended" "$T/out" ||
    fail "the contradicting read-back is not said: $(said)"
# half of it: said with cPanel's fields
answer list_pops_with_disk uapi-list_pops_with_disk-partly.txt
act suspend --account "$J" --yes --no-hold
[ "$rc" = 1 ] || fail "suspend read back as partly done: exit $rc: $(said)"
grep -qF "cPanel says $J is partly suspended: suspended_login=1, suspended_outgoing=0" \
    "$T/out" || fail "the partly suspended read-back is not said: $(said)"
# unsuspend: verified when cPanel reads back neither
answer list_pops_with_disk uapi-list_pops_with_disk-active.txt
act unsuspend --account "$J" --yes
[ "$rc" = 0 ] || fail "unsuspend: exit $rc: $(said)"
grep -qx "verification: cPanel's API reads back: not suspended" "$T/out" ||
    fail "unsuspend: not verified: $(said)"
answer list_pops_with_disk uapi-list_pops_with_disk-suspended.txt
act unsuspend --account "$J" --yes
[ "$rc" = 1 ] || fail "unsuspend that cPanel reads back as suspended: exit $rc: $(said)"
# with cpanel_outgoing = hold, hold_outgoing is the field that counts
sed -i "s|^cpanel_outgoing = .*|cpanel_outgoing = hold|" "$T/mailcon.conf"
answer hold_outgoing uapi-hold_outgoing-ok.txt
grep -q "^hold_outgoing " "$T/answers" ||
    echo "hold_outgoing uapi-hold_outgoing-ok.txt" >>"$T/answers"
act suspend --account "$J" --yes --no-hold
[ "$rc" = 1 ] || fail "held, read back as suspended, not held: exit $rc: $(said)"
answer list_pops_with_disk uapi-list_pops_with_disk-held.txt
act suspend --account "$J" --yes --no-hold
[ "$rc" = 0 ] || fail "held and read back held: exit $rc: $(said)"
sed -i "s|^cpanel_outgoing = .*|cpanel_outgoing = suspend|" "$T/mailcon.conf"

# --- password reset --------------------------------------------------------
# uapi takes the password as an argument: only where /proc hides other
# users' processes (hidepid=2, "invisible"), read from the mount table
# cpanel_proc_mounts names (the fixtures stand in for /proc/mounts)
PM=$(cd "$HERE/../fixtures/procmounts" && pwd)
printf 'cpanel_proc_mounts = %s\n' "$PM/hidepid2" >>"$T/mailcon.conf"
cat >>"$T/answers" <<EOF
passwd_pop uapi-passwd_pop-ok.txt
verify_password uapi-verify_password-ok.txt
EOF
act reset-password --account "$J" --dry-run --verbose --yes
[ "$rc" = 0 ] || fail "reset --dry-run: exit $rc: $(said)"
for want in \
    "' mailcon-cpanel-passwd $J $T/cp/bin $PM/hidepid2" \
    'exec "$b/uapi" --output=json --user="$u" Email passwd_pop email="$a" password="$pw"' \
    'IFS= read -r pw' \
    "*,hidepid=2,*|*,hidepid=invisible,*) return 0 ;;"; do
	grep -qF -- "$want" "$T/out" || fail "reset --dry-run lacks: $want"
done
: >"$T/calls"
act reset-password --account "$J" --yes
[ "$rc" = 0 ] || fail "reset with hidepid=2: exit $rc: $(said)"
new=$(sed -n "s/^new password for $J (shown once, never stored): //p" "$T/out")
[ -n "$new" ] || fail "reset: no new password shown: $(said)"
grep -qxF "uapi --output=json --user=username Email passwd_pop email=$J password=$new" \
    "$T/calls" || fail "reset: passwd_pop not called with the password shown: $(cat "$T/calls")"
grep -qxF "uapi --output=json --user=username Email verify_password email=$J password=$new" \
    "$T/calls" || fail "reset: not verified with the password shown: $(cat "$T/calls")"
grep -qx "verification: cPanel takes the new password (uapi Email verify_password)" \
    "$T/out" || fail "reset: the verification is not said: $(said)"
# the password is in no file of mailcon's (history, audit): only in the
# stand-in's record of its arguments and the one line shown
left=$(grep -rlaF -- "$new" "$T" | grep -v "^$T/calls\$\|^$T/out\$")
[ -z "$left" ] || fail "the new password was written to: $left"
grep -qF -- "$new" "$T/err" && fail "the new password is on stderr"
# Linux 5.8's name for it
sed -i "s|^cpanel_proc_mounts = .*|cpanel_proc_mounts = $PM/invisible|" "$T/mailcon.conf"
act reset-password --account "$J" --yes
[ "$rc" = 0 ] || fail "reset with hidepid=invisible: exit $rc: $(said)"
# cPanel does not take the new password: never shown, exit 1
answer verify_password uapi-verify_password-no.txt
act reset-password --account "$J" --yes
[ "$rc" = 1 ] || fail "reset that cPanel does not take: exit $rc: $(said)"
grep -q "^new password" "$T/out" && fail "a password cPanel does not take was shown: $(said)"
grep -qF "cPanel does not take the new password for $J" "$T/out" ||
    fail "reset: cPanel's refusal of the new password is not said: $(said)"
answer verify_password uapi-verify_password-ok.txt
# /proc without hidepid (a chroot's /proc with it does not count): refused,
# nothing called with the password, the reason and the remedy said
sed -i "s|^cpanel_proc_mounts = .*|cpanel_proc_mounts = $PM/visible|" "$T/mailcon.conf"
: >"$T/calls"
act reset-password --account "$J" --yes
[ "$rc" != 0 ] || fail "reset without hidepid: exit 0: $(said)"
grep -q "passwd_pop\|verify_password" "$T/calls" &&
    fail "reset without hidepid called uapi with the password: $(cat "$T/calls")"
grep -qF "mounted without hidepid=2" "$T/out" ||
    fail "reset without hidepid: the reason is not said: $(said)"
grep -qF "mount -o remount,hidepid=2 /proc" "$T/out" ||
    fail "reset without hidepid: what to do is not said: $(said)"
grep -q "^new password" "$T/out" && fail "refused reset showed a password: $(said)"
# a cPanel account's own password is not an address's: refused
sed -i "s|^cpanel_proc_mounts = .*|cpanel_proc_mounts = $PM/hidepid2|" "$T/mailcon.conf"
: >"$T/calls"
act reset-password --account webowner --yes
[ "$rc" != 0 ] || fail "reset of a cPanel account: exit 0: $(said)"
grep -qF "webowner is a cPanel account, not an address" "$T/out" ||
    fail "reset of a cPanel account: the reason is not said: $(said)"
[ -s "$T/calls" ] && fail "reset of a cPanel account called: $(cat "$T/calls")"

[ "$failed" = 0 ] && echo "ok: cPanel's commands exact in the dry run; its answers judged, a refusal undone; suspensions read back; passwords reset only where /proc hides them"
exit "$failed"
