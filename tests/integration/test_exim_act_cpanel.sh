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
#   (unsuspend_outgoing runs): nothing is left half done.  These runs are
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

J=judy@example.test
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
    "' mailcon-exim-spool select $J '' /etc/exim.conf exim  # read the queue" \
    "' mailcon-exim-queue exim -C /etc/exim.conf -Mf  # stdin: the ids of $J's queued messages, one per line"; do
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
EOF

: >"$T/calls"
act suspend --account "$J" --yes --no-hold
[ "$rc" = 0 ] || fail "suspend: exit $rc: $(said)"
grep -q "^suspend $J on cp: done: logins and mail refused" "$T/out" ||
    fail "suspend: $(said)"
cat >"$T/want" <<EOF
whmapi1 --output=json getdomainowner domain=example.test
uapi --output=json --user=username Email suspend_outgoing email=$J
whmapi1 --output=json getdomainowner domain=example.test
uapi --output=json --user=username Email suspend_login email=$J
EOF
cmp -s "$T/want" "$T/calls" ||
    fail "suspend called: $(cat "$T/calls"), not: $(cat "$T/want")"

: >"$T/calls"
act suspend --account webowner --yes --no-hold
[ "$rc" = 0 ] || fail "suspend webowner: exit $rc: $(said)"
grep -q "cPanel's API has no login suspension for the cPanel account webowner" \
    "$T/out" "$T/err" || fail "suspend webowner: the note is not said: $(said)"
[ "$(cat "$T/calls")" = "whmapi1 --output=json suspend_outgoing_email user=webowner" ] ||
    fail "suspend webowner called: $(cat "$T/calls")"

# cPanel refuses the second call (the logins'): its words, a failure, the
# first (the outgoing mail's) undone
sed -i 's/^suspend_login .*/suspend_login uapi-suspend_login-error.txt/' \
    "$T/answers"
: >"$T/calls"
act suspend --account "$J" --yes --no-hold
[ "$rc" != 0 ] || fail "suspend refused by cPanel: exit 0: $(said)"
grep -q "FAILED" "$T/out" || fail "suspend refused by cPanel: not FAILED: $(said)"
grep -qF "cPanel said: The account $J does not exist." "$T/out" ||
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

[ "$failed" = 0 ] && echo "ok: cPanel's commands exact in the dry run; its answers judged, a refusal undone"
exit "$failed"
