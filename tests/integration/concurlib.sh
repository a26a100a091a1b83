# tests/integration/concurlib.sh: `mailcon act` run many times at once
# against the real stack, and what each left behind; shared by
# test_act_locks.sh (here) and test_ssh_act_locks.sh (over SSH).  Source it
# after stack.sh, testlib.sh and actlib.sh, with T, MAILCON and CFG set.
#
# The rules the tests hold the runs to:
#  - suspend / unsuspend: every run exits 0 with "done" and a verification
#    of both files; afterwards the deny file and the sasl_access map hold
#    each account suspended exactly once and none unsuspended (postmap -q
#    agrees), and Dovecot answers AUTH accordingly;
#  - reset-password of different accounts: every run exits 0 and shows a
#    password that `doveadm pw -t` accepts against the passwd-file's hash
#    afterwards, and the old one is refused;
#  - reset-password of one account by several runs at once: the file holds
#    one hash, that of a password one of them showed (the last writer's);
#    no run shows a password it has not verified on disk (exit 0), a run
#    whose password a later run replaced before it could verify it shows
#    none and says so (exit 1); the old password never comes back.

# acts_at_once TAG ACTION ACCOUNT...: one `mailcon act ACTION --account A`
# per ACCOUNT (repeats allowed), all started together; run i writes
# $T/TAG.i.out, .err and .rc.  Extra options: ACT_OPTS.
acts_at_once()
{
	local tag=$1 action=$2 i=0 a pids=''
	shift 2
	for a in "$@"; do
		i=$((i + 1))
		(
			timeout 240 "$MAILCON" act "$action" --account "$a" \
			    --config "$CFG" --yes ${ACT_OPTS:-} \
			    >"$T/$tag.$i.out" 2>"$T/$tag.$i.err" </dev/null
			echo $? >"$T/$tag.$i.rc"
		) &
		pids="$pids $!"
	done
	# shellcheck disable=SC2086
	wait $pids
}

# run_said TAG I: what run I printed, on one line.
run_said()
{
	cat "$T/$1.$2.out" "$T/$1.$2.err" 2>/dev/null | tr '\n' ' ' | cut -c1-500
}

# runs_verified TAG N: VERIFIED = how many of runs 1..N exited 0 with
# "done" and a verification; each other one is a fail().
runs_verified()
{
	local tag=$1 n=$2 i
	VERIFIED=0
	for i in $(seq "$n"); do
		if [ "$(cat "$T/$tag.$i.rc")" = 0 ] &&
		    grep -q ": done: " "$T/$tag.$i.out" &&
		    grep -q "^verification: " "$T/$tag.$i.out"; then
			VERIFIED=$((VERIFIED + 1))
		else
			fail "$tag run $i: exit $(cat "$T/$tag.$i.rc"): $(run_said "$tag" "$i")"
		fi
	done
}

# suspended LOGIN: 0 when LOGIN is in the deny file once, has one line in
# the map source, and postmap -q finds REJECT.
suspended()
{
	[ "$(grep -cxF -- "$1" "$STACK_DENY")" = 1 ] &&
	    [ "$(awk -v a="$1" '$1 == a' "$STACK_SASL_ACCESS" | wc -l)" = 1 ] &&
	    case $(postmap -c "$STACK_POSTFIX_CONF" -q "$1" "hash:$STACK_SASL_ACCESS") in
	    REJECT*) true ;; *) false ;; esac
}

# unsuspended LOGIN: 0 when neither file nor the map's database has LOGIN.
unsuspended()
{
	! grep -qxF -- "$1" "$STACK_DENY" &&
	    [ -z "$(awk -v a="$1" '$1 == a' "$STACK_SASL_ACCESS")" ] &&
	    [ -z "$(postmap -c "$STACK_POSTFIX_CONF" -q "$1" "hash:$STACK_SASL_ACCESS")" ]
}

# count_state suspended|unsuspended LOGIN...: how many are in that state.
count_state()
{
	local what=$1 a n=0
	shift
	for a in "$@"; do
		"$what" "$a" && n=$((n + 1))
	done
	echo "$n"
}

# pw_live LOGIN PASSWORD: 0 when doveadm pw -t accepts PASSWORD against
# LOGIN's hash in the passwd-file now.
pw_live()
{
	local h
	h=$(awk -F: -v u="$1" '$1 == u { print $2; exit }' "$STACK_PASSWD")
	[ -n "$h" ] && printf '%s\n' "$2" |
	    doveadm -c "$STACK_DOVECOT_CONF" pw -t "$h" >/dev/null 2>&1
}

# shown_pw TAG I LOGIN: the new password run I printed, or nothing.
shown_pw()
{
	sed -n "s/^new password for $3 (shown once, never stored): //p" \
	    "$T/$1.$2.out"
}

# no_leftovers FILE...: nothing mailcon writes beside a file is left but
# its lock (temporary copies, backups).
no_leftovers()
{
	local f left
	for f in "$@"; do
		left=$(ls -d "$f".mailcon.* 2>/dev/null | grep -v '\.mailcon\.lock$')
		[ -z "$left" ] || fail "left beside $f: $left"
	done
}
