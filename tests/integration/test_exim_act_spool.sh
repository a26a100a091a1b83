#!/bin/bash
# test_exim_act_spool.sh: the choice of an account's queued messages on an
# Exim server, read from the spool's -H files by two readers at once
# (backends/exim/spool.c: the first hands every second file to the
# second), seen through `mailcon act purge --dry-run`, which reads the
# spool as the real run does and names the ids it would remove.  The spool
# is a fixture of 2,001 -H files written as Exim 4.96 writes them (no Exim
# runs: only the files are read), so that both readers get many of each
# kind, in whatever order the directory lists them:
#
# - judy's (--auth_id judy@example.test, and -auth_id in another case)
#   are chosen, all 800 of them and nothing else (the dry run names the
#   first twenty ids and the count);
# - alice's with an ACL variable holding "\n--auth_id judy@example.test",
#   one with two -auth_id lines naming judy and alice, carol's with judy's
#   address as a forged sender, and a file whose first line is another
#   message's name are not;
# - as a user who can read only some files (setpriv, nobody), the readable
#   ones of judy's are chosen, whichever reader has them (one file alone
#   too, the first reader's or the second's: the other opens none of its
#   own); one who can read none gets the reason with the count of all the files, none chosen;
# - the real purge (exim_command a stand-in that removes the -H files it
#   is given and says one is locked the first time): the read gives
#   exactly judy's 800 to exim as it goes, never the others; the message
#   of no login with judy's sender and the locked one go to exim after;
#   the audit's row of the read says what it chooses by and, after, how
#   many it chose and did.
#
# Environment: MAILCON (the binary, required).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
. "$HERE/exim.sh"	# its [server] section only: no Exim runs
test_init eximspool

[ -x "$MAILCON" ] || die "MAILCON=$MAILCON is not an executable"
J=judy@example.test
mkdir -p "$T/spool/input" "$T/home" || die "mkdir"
chmod 777 "$T/home"

# 2,000 messages, the kind by the number modulo 5, and one impostor.
python3 - "$T/spool/input" "$T" <<'EOF' || die "cannot write the fixture"
import os, sys
d, t = sys.argv[1], sys.argv[2]
head = ("Debian-exim 106 109\n<%s>\n1796594991 0\n"
    "-received_time_usec .522183\n--helo_name h.example.test\n"
    "-host_address [127.0.1.2]:47803\n-host_auth dovecot_plain\n"
    "-received_protocol esmtpa\n")
tail = "-body_linecount 1\n-deliver_firsttime\nXX\n1\nr1@dead.test\n\n" \
    "026F From: <x@example.test>\n"
want = {0: [], 1: []}
for i in range(2000):
    qid = "1xaKQZ-%06d-00" % i
    k = i % 5
    if k == 0:
        flags = "--aclm _note 2\nr1\n--auth_id judy@example.test\n"
        snd = "judy@example.test"
    elif k == 1:
        flags = "-auth_id JUDY@Example.TEST\n"
        snd = "bank@else.test"
    elif k == 2:
        v = "x\n--auth_id judy@example.test"
        flags = "--aclm _note %d\n%s\n--auth_id alice@example.test\n" % \
            (len(v), v)
        snd = "alice@example.test"
    elif k == 3:
        flags = "--auth_id judy@example.test\n--auth_id alice@example.test\n"
        snd = "judy@example.test"
    else:
        flags = "--auth_id carol@example.test\n"
        snd = "judy@example.test"
    if k in want:
        want[k].append(qid)
    with open(os.path.join(d, qid + "-H"), "w") as f:
        f.write(qid + "-H\n" + head % snd + flags + tail)
# named as one message, written as another
with open(os.path.join(d, "1xaKQZ-999999-00-H"), "w") as f:
    f.write("1xaKQZ-000000-00-H\n" + head % "judy@example.test" +
        "--auth_id judy@example.test\n" + tail)
for k in want:
    with open(os.path.join(t, "want%d" % k), "w") as f:
        f.write("".join(q + "\n" for q in sorted(want[k])))
EOF
sort -m "$T/want0" "$T/want1" >"$T/want"
[ "$(ls "$T/spool/input" | wc -l)" = 2001 ] || die "not 2,001 -H files"
chmod -R a+rX "$T/spool"

: >"$T/empty.log"
{
	printf '[console]\nhistory = %s\n' "$T/home/history.db"
	exim_mailcon_server ex logs="$T/empty.log" \
	    exim_command=/nonexistent/exim \
	    exim_config=/nonexistent/exim.conf exim_spool="$T/spool"
} >"$T/mailcon.conf" || die "cannot write $T/mailcon.conf"
chmod 644 "$T/mailcon.conf" "$T/empty.log"

# act [AS] ...: mailcon act purge --dry-run of judy's, as root or nobody
act()
{
	local as=()
	[ "$1" = nobody ] && as=(setpriv --reuid=65534 --regid=65534
	    --clear-groups env HOME="$T/home")
	shift
	"${as[@]}" "$MAILCON" act purge --account "$J" --yes --dry-run \
	    --config "$T/mailcon.conf" >"$T/out" 2>"$T/err"
	rc=$?
	sed -n 's/^     ids: //p' "$T/out" | tr ' ' '\n' |
	    grep -x '[0-9A-Za-z]\{6\}-[0-9A-Za-z]\{6\}-[0-9A-Za-z]\{2\}' >"$T/got"
}
said() { head -c 2000 "$T/out" "$T/err"; }

# expect FILE WHAT: as many chosen as FILE holds, and the first twenty
# (those the dry run shows, in order) are FILE's
expect()
{
	local n
	n=$(wc -l <"$1")
	grep -q "purge $n queued messages of $J" "$T/out" ||
	    fail "$2: not $n chosen: $(said)"
	head -n 20 "$1" | cmp -s - "$T/got" ||
	    fail "$2: not judy's: $(diff <(head -n 20 "$1") "$T/got" | head -5 | tr '\n' ' ')"
}

act root
[ "$rc" = 0 ] || fail "purge --dry-run: exit $rc: $(said)"
expect "$T/want" "as root"

if setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
	act nobody
	[ "$rc" = 0 ] || fail "as nobody: exit $rc: $(said)"
	expect "$T/want" "as nobody"

	# the --auth_id ones unreadable: whichever reader has them
	sed 's|$|-H|; s|^|'"$T"'/spool/input/|' "$T/want0" | xargs chmod 000
	act nobody
	[ "$rc" = 0 ] || fail "some unreadable: exit $rc: $(said)"
	expect "$T/want1" "some unreadable"

	# one file readable, the first reader's (the first that find lists)
	# or the second's: the other opens none of its files, which is no
	# failure while one is read
	for pos in 1 2; do
		f=$(cd "$T/spool/input" && find . -name '*-H' | sed -n "${pos}p")
		id=${f#./} id=${id%-H}
		chmod 000 "$T"/spool/input/*-H
		chmod 644 "$T/spool/input/$id-H"
		act nobody
		grep -q "the queue could not be read" "$T/out" &&
		    fail "only file $pos readable: the read failed: $(said)"
		if grep -qx "$id" "$T/want"; then
			echo "$id" | cmp -s - "$T/got" ||
			    fail "only file $pos readable: $id not chosen: $(said)"
		else
			grep -q "purge 0 queued messages of $J" "$T/out" ||
			    fail "only file $pos readable: $id chosen: $(said)"
		fi
	done

	chmod 000 "$T"/spool/input/*-H
	act nobody
	# a dry run says the failed read among its checks
	grep -qF "FAIL  the queue could not be read: mailcon-exim-spool failed with exit status 3: mailcon-exim-spool: none of the 2001 -H files could be read: run as root or Exim user" \
	    "$T/out" || fail "none readable: the reason is not said: $(said)"
	[ -s "$T/got" ] && fail "none readable: ids chosen: $(said)"
else
	fail "setpriv cannot switch to nobody here (util-linux, root)"
fi

# --- the real purge: judy's given to exim as the spool is read ----------
# exim_command is a stand-in for exim -Mrm (Exim 4.96's words): it removes
# each -H file it is given, logs each id, and says the message LOCKED is
# locked by a delivery the first time.  One message of no login with
# judy's sender is chosen by the console, so it goes to the op after the
# read, with the locked one tried again.
chmod 644 "$T"/spool/input/*-H
NL=1xaKQZ-555555-00 LOCKED=$(sed -n 7p "$T/want")
printf '%s-H\nDebian-exim 106 109\n<%s>\n1796594991 0\n-host_address [127.0.1.9]:4\nXX\n1\nr1@dead.test\n\n' \
    "$NL" "$J" >"$T/spool/input/$NL-H"
cat >"$T/exim" <<FAKE
#!/bin/sh
[ "\$1" = -C ] && shift 2
[ "\$1" = -Mrm ] || { echo "fake exim: \$1?" >&2; exit 2; }
shift
s=0
for id; do
	echo "\$id" >>"$T/given"
	if [ "\$id" = "$LOCKED" ] && [ ! -e "$T/was-locked" ]; then
		: >"$T/was-locked"
		echo "Message \$id is locked"
		s=1
	elif [ -e "$T/spool/input/\$id-H" ]; then
		rm -f "$T/spool/input/\$id-H"
		echo "Message \$id has been removed"
	else
		echo "Message \$id has been removed or did not exist"
		s=1
	fi
done
exit \$s
FAKE
chmod 755 "$T/exim"
sed -i "s|^exim_command = .*|exim_command = $T/exim|" "$T/mailcon.conf"
rm -f "$T/given"
"$MAILCON" act purge --account "$J" --yes --config "$T/mailcon.conf" \
    >"$T/out" 2>"$T/err"
rc=$?
n=$(($(wc -l <"$T/want") + 1))
[ "$rc" = 0 ] || fail "purge: exit $rc: $(said)"
grep -qF "done: $n of $n queued messages purged" "$T/out" ||
    fail "purge: not all $n purged: $(said)"
# exactly judy's given to exim, each once, the locked one twice
{ cat "$T/want"; echo "$NL"; echo "$LOCKED"; } | sort >"$T/want-given"
sort "$T/given" | cmp -s - "$T/want-given" ||
    fail "purge: exim was not given exactly judy's: $(sort "$T/given" |
	diff - "$T/want-given" | head -5 | tr '\n' ' ')"
# the others are all still there (the impostor too)
left=$(ls "$T/spool/input" | wc -l)
[ "$left" = $((2002 - n)) ] ||
    fail "purge: $left -H files left, want $((2002 - n))"
# the audit: the read's step says what it chooses and, after, what it
# chose and did; the op's step the two it left
row()
{
	sqlite3 "$T/home/history.db" "SELECT target || ' / ' || counts
	    FROM audit WHERE action = 'purge' AND $1"
}
r=$(row "command LIKE '%mailcon-exim-spool take-Mrm $J %'")
[ "$r" = "purge each queued message whose login is the account's, as the read finds it (then those of no login that sender or log make its) / $((n - 2)) purged as read, 1 locked by a delivery (tried again after); $n chosen, 2 left for the tool" ] ||
    fail "purge: the audit of the read and removal: '$r'"
r=$(row "target LIKE 'purge 2 queued messages the read left%'")
[ "$r" = "purge 2 queued messages the read left (ids on stdin) / 2 of 2" ] ||
    fail "purge: the audit of the rest: '$r'"
exit "$failed"
