#!/bin/sh
# test_backend_caps.sh: what a server's mail systems cannot do is refused,
# said in one line, and nothing runs (backends/backend.h: an op left NULL
# is "not supported").  A server with backend = exim-cpanel whose /proc
# does not hide other users' processes (uapi would take the password as
# an argument) gets reset-password refused, said in its words, before any
# of cPanel's tools runs (fakes that would leave a mark if anything ran
# them, as cpanel_bin and first in PATH); a server with backend = exim
# without its keys is refused naming them.  A key of a mail system the server was said not to run is
# refused at load, naming the key, the system and the server.
set -u
: "${MAILCON:?MAILCON must name the mailcon binary}"
export LC_ALL=C
T=$(mktemp -d /tmp/mailcon-caps.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

mkdir "$T/bin"
for tool in postqueue postsuper postmap doveadm exim exim4 exipick uapi \
    whmapi1 sh; do
	printf '#!/bin/sh\n: >"%s/ran-%s"\nexit 0\n' "$T" "$tool" \
	    >"$T/bin/$tool"
	chmod 755 "$T/bin/$tool"
done
: >"$T/mail.log"
printf '[console]\nhistory = %s/history.db\n[server ex]\nlogs = %s/mail.log\n' \
    "$T" "$T" >"$T/exim.conf"
cp "$T/exim.conf" "$T/cpanel.conf"
printf 'backend = exim\n' >>"$T/exim.conf"
printf 'passwd_file = %s/users\n' "$T" >>"$T/exim.conf"
printf 'backend = exim-cpanel\n' >>"$T/cpanel.conf"
printf 'cpanel_bin = %s/bin\n' "$T" >>"$T/cpanel.conf"
printf 'proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n' >"$T/mounts"
printf 'cpanel_proc_mounts = %s/mounts\n' "$T" >>"$T/cpanel.conf"

# act ACTION [ARGS]: mailcon act on judy at ex; exit status in rc.
act()
{
	a=$1; shift
	PATH="$T/bin:$PATH" "$MAILCON" act "$a" --account judy@example.test \
	    --config "${CONF:-$T/exim.conf}" --yes "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

CONF=$T/cpanel.conf act reset-password
[ "$rc" = 1 ] || fail "reset-password on exim-cpanel without hidepid: exit $rc, want 1"
grep -qF "reset-password judy@example.test on ex: FAILED: nothing changed: setting the password failed: mailcon-cpanel-passwd failed with exit status 3: refused, nothing changed: uapi Email passwd_pop takes the new password as an argument, and /proc on this server is mounted without hidepid=2" \
    "$T/out" || fail "reset-password on exim-cpanel without hidepid: $(cat "$T/out" "$T/err")"
# exim without the keys that say where its queue and files are
for a in hold purge suspend; do
	act $a
	[ "$rc" = 2 ] || fail "$a without keys: exit $rc, want 2"
	case $a in
	suspend) key="deny_file and exim_refuse_file" ;;
	*) key="exim_config (or queue_command)" ;;
	esac
	grep -qF "set $key" "$T/out" ||
	    fail "$a without keys: $(cat "$T/out" "$T/err")"
done
# the control: what the fakes leave when run (so none ran above)
for f in "$T"/ran-*; do
	[ -e "$f" ] && fail "ran ${f##*/ran-} for an action refused"
done
PATH="$T/bin:$PATH" postqueue
[ -e "$T/ran-postqueue" ] || fail "the fake postqueue leaves no mark"
rm -f "$T/ran-postqueue"

# Dovecot's password reset is still there (the auth role), its dry run too
act reset-password --dry-run --verbose
[ "$rc" = 0 ] || fail "reset-password --dry-run: exit $rc: $(cat "$T/out" "$T/err")"
grep -q "mailcon-passwd-set judy@example.test $T/users SHA512-CRYPT doveadm" \
    "$T/out" || fail "reset-password --dry-run: $(cat "$T/out")"

# a key of a system this server does not run: refused at load, one line
printf 'sasl_access_map = %s/sasl\n' "$T" >>"$T/exim.conf"
act hold
[ "$rc" = 2 ] || fail "postfix's key on an exim server: exit $rc"
grep -qF "[server ex]: sasl_access_map is a key of postfix, and this server's backend is exim" \
    "$T/err" || fail "postfix's key on an exim server: $(cat "$T/err")"
[ "$(wc -l <"$T/err")" = 1 ] || fail "more than one line: $(cat "$T/err")"
[ -s "$T/out" ] && fail "printed on stdout: $(cat "$T/out")"
printf '[server ex]\nlogs = /x\nbackend = sendmail\n' >"$T/bad.conf"
PATH="$T/bin:$PATH" "$MAILCON" act hold --account judy@example.test \
    --config "$T/bad.conf" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 2 ] || fail "backend = sendmail: exit $rc"
grep -qF 'backend: "sendmail" is no mail system (MTA) mailcon knows; expected auto or one of: postfix, exim, exim-cpanel' \
    "$T/err" || fail "backend = sendmail: $(cat "$T/err")"

[ $fails -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "ok: not supported said and nothing run; keys of another system refused"
