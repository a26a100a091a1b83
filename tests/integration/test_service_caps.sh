#!/bin/bash
# test_service_caps.sh: the actions work inside the sandbox of
# mailcon-watch.service, and need every capability it keeps.
#
# The unit runs the headless watch as root with NoNewPrivileges=yes and
# CapabilityBoundingSet= a short list (console/dist/mailcon-watch.service.in
# says why).  Without a running systemd, setpriv(1) gives `mailcon act` the
# same: no new privileges (so the set-group-id postqueue gets no postdrop
# group) and only the unit's capabilities, read from the unit itself.
# Against the real Postfix + Dovecot (stack.sh), with a passwd-file
# root:dovecot 640 as Debian has it:
#
#  1. suspend (deny file, sasl_access map + postmap, postqueue -j, postsuper
#     -h), reset-password (doveadm pw, the passwd-file replaced keeping its
#     owner and group) and purge (postsuper -d) are done and verified;
#     the map rebuilt under the unit's UMask still serves the others (bob,
#     not suspended, still sends: Postfix opens its tables as root);
#  2. without each capability the unit keeps, an action fails and says so
#     (never "done"): CAP_DAC_OVERRIDE (the queue's public/ directory,
#     postqueue having no postdrop group under no-new-privileges),
#     CAP_CHOWN (a passwd-file of group dovecot), CAP_SETUID and
#     CAP_SETGID (postsuper switches to the mail owner).
#
# Needs root, setpriv (util-linux), Postfix and Dovecot.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/stack.sh"
stack_test caps
UNIT=$ROOT/console/dist/mailcon-watch.service.in
export STACK_AUTH_PENALTY=0

[ -x "$MAILCON" ] || die "no $MAILCON (run make)"
[ "$(id -u)" = 0 ] || die "needs root (the unit runs as root)"
command -v setpriv >/dev/null 2>&1 || die "setpriv is missing (util-linux)"
. "$HERE/actlib.sh"

# The unit's capabilities, as setpriv names them (dac_override, ...).
CAPS=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT" | tr ' ' '\n' |
    sed -n 's/^CAP_//p' | tr 'A-Z' 'a-z')
[ -n "$CAPS" ] || die "no CapabilityBoundingSet= in $UNIT"
grep -qx "NoNewPrivileges=yes" "$UNIT" || die "no NoNewPrivileges=yes in $UNIT"

# sandboxed "CAP..." ARGS...: mailcon act ARGS as the unit runs it (its
# UMask too), with only the capabilities CAP... (out and err as act()
# keeps them).
UMASK=$(sed -n 's/^UMask=//p' "$UNIT")
[ -n "$UMASK" ] || die "no UMask= in $UNIT"
sandboxed()
{
	local set=-all c
	for c in $1; do
		set="$set,+$c"
	done
	shift
	(umask "$UMASK" && timeout 120 setpriv --no-new-privs \
	    --bounding-set="$set" --inh-caps=-all --ambient-caps=-all -- \
	    "$MAILCON" act "$@" >"$T/out" 2>"$T/err" </dev/null)
}

# The unit's capabilities but those named.
caps_but()
{
	local c out=
	for c in $CAPS; do
		case " $* " in *" $c "*) ;; *) out="$out $c" ;; esac
	done
	echo "$out"
}

# setpriv does what the unit would: no new privileges, those capabilities.
setpriv --no-new-privs --bounding-set=-all,+chown --inh-caps=-all -- \
    grep -E '^(NoNewPrivs|CapBnd|CapEff)' /proc/self/status >"$T/status"
grep -q "^NoNewPrivs:	1" "$T/status" && grep -q "^CapEff:	0000000000000001" "$T/status" ||
    die "setpriv does not sandbox as expected: $(cat "$T/status")"

stack_start "$S" || exit 1
D=$STACK_DOMAIN
A=alice@$D B=bob@$D C=carol@$D DV=dave@$D
pw() { awk -v u="$1" '$1 == u { print $2 }' "$STACK_USERS"; }
# As Debian keeps it: root:dovecot 640 (replacing it keeps both).
chgrp dovecot "$STACK_PASSWD" && chmod 640 "$STACK_PASSWD" ||
    die "cannot make $STACK_PASSWD root:dovecot 640"
CFG=$T/act.conf
{
	printf '[console]\nhistory = %s\n' "$T/history.db"
	stack_mailcon_server lab
} >"$CFG"
{
	echo "send $A $(pw "$A") 127.0.0.21 4 2 x@remote.test"
	echo "send $C $(pw "$C") 127.0.0.50 3 3 z@remote.test"
	echo "send $DV $(pw "$DV") 127.0.0.60 3 3 d@remote.test"
} | mailgen "$T/qids" || die "mailgen failed: $(cat "$T/gen")"
wait_settled "$T/qids" || die "mail did not settle (deferred and logged)"
ids_of_login "$A" "$T/qids" >"$T/alice"
ids_of_login "$C" "$T/qids" >"$T/carol"
ids_of_login "$DV" "$T/qids" >"$T/dave"

# ===== 2. each kind of capability is needed (before anything is done) =======
# A failed action must say so and not be done; what it changed is undone
# or reported by act itself (test_act.sh), here only its verdict counts.
no_cap()	# WHAT "CAPS LEFT OUT" ARGS...
{
	local what=$1 out=$2
	shift 2
	sandboxed "$(caps_but $out)" "$@"
	rc=$?
	[ "$rc" != 0 ] || fail "without $out, $what was done (exit 0): $(said)"
	if grep -q ": done" "$T/out"; then
		fail "without $out, $what says done: $(said)"
	fi
	echo "without $out, $what: exit $rc: $(said)"
}
no_cap "hold of dave's mail" "dac_override" hold --account "$DV" \
    --config "$CFG"
[ "$(ids_in_queue hold "$T/dave" | wc -l)" = 0 ] ||
    fail "dave's mail was held without dac_override"
no_cap "hold of dave's mail" "setuid setgid" hold --account "$DV" \
    --config "$CFG"
[ "$(ids_in_queue hold "$T/dave" | wc -l)" = 0 ] ||
    fail "dave's mail was held without setuid and setgid"
cp -p "$STACK_PASSWD" "$T/passwd.before"
no_cap "reset-password of bob" "chown" reset-password --account "$B" \
    --yes --config "$CFG"
# the passwd-file is not left with another owner or group
[ "$(stat -c %U:%G:%a "$STACK_PASSWD")" = root:dovecot:640 ] ||
    fail "the passwd-file is now $(stat -c %U:%G:%a "$STACK_PASSWD")"

# ===== 1. with the unit's capabilities, each action is done and verified ====
sandboxed "$CAPS" suspend --account "$A" --config "$CFG"
rc=$?
[ "$rc" = 0 ] || fail "suspend in the sandbox: exit $rc: $(said)"
grep -q "^suspend $A on lab: done" "$T/out" || fail "suspend not done: $(said)"
grep -qxF "$A" "$STACK_DENY" || fail "alice is not in the deny file"
[ "$(ids_in_queue hold "$T/alice")" = "$(cat "$T/alice")" ] ||
    fail "alice's mail is not held: $(ids_in_queue any "$T/alice" | head -3)"
wait_dovecot_sees "$STACK_DENY"
[ "$(auth_code "$A" "$(pw "$A")" 127.0.0.22)" = 535 ] ||
    fail "suspended alice can still log in"
# the map rebuilt under UMask=0077 still serves the others
echo "send $B $(pw "$B") 127.0.0.40 1 1 y@remote.test" | mailgen "$T/qids.bob" ||
    fail "bob cannot send after alice's suspend: $(cat "$T/gen")"
[ "$(ids_of_login "$B" "$T/qids.bob" | wc -l)" = 1 ] ||
    fail "bob's message after alice's suspend was not queued: $(cat "$T/gen")"

sandboxed "$CAPS" reset-password --account "$B" --yes --config "$CFG"
rc=$?
[ "$rc" = 0 ] || fail "reset-password in the sandbox: exit $rc: $(said)"
new=$(sed -n 's/^new password for .*): \(.*\)$/\1/p' "$T/out" | head -1)
[ -n "$new" ] || fail "no new password printed: $(said)"
[ "$(stat -c %U:%G:%a "$STACK_PASSWD")" = root:dovecot:640 ] ||
    fail "the replaced passwd-file is $(stat -c %U:%G:%a "$STACK_PASSWD"), not root:dovecot:640"
wait_dovecot_sees "$STACK_PASSWD"
[ -n "$new" ] && [ "$(auth_code "$B" "$new" 127.0.0.41)" != 235 ] &&
    fail "bob's new password does not log in"

sandboxed "$CAPS" purge --account "$C" --yes --config "$CFG"
rc=$?
[ "$rc" = 0 ] || fail "purge in the sandbox: exit $rc: $(said)"
[ -z "$(ids_in_queue any "$T/carol")" ] ||
    fail "carol's mail is still queued: $(ids_in_queue any "$T/carol" | head -3)"
[ "$(ids_in_queue any "$T/dave" | wc -l)" = "$(wc -l <"$T/dave")" ] ||
    fail "dave's mail was touched by carol's purge"

exit "$failed"
