# tests/screen/views.sh: sourced by run.sh (its start, capture, expect,
# wait_for, key, ok, bad, tm and $T): the views at the design size (80x24)
# and on a larger screen (160x45):
#  - the accounts view's columns follow the width; the sorted column is
#    marked, < > move it, I inverts it; rates agree with the servers view;
#  - the filter shows in the header;
#  - the account detail's two tables (addresses; messages);
#  - the log view scrolls sideways, its pane shows the selected line whole;
#  - the help pages with PgDn and G and explains markers and columns;
#  - the server detail; the blocklists (5) and messages (6) views;
#  - q goes back one level, and quits only from a top view;
#  - the search prompt starts empty;
#  - the action keys in the help and the bar are what the server can do,
#    and a key it cannot do says why;
#  - without a terminal the console says so and exits 2.

# line NAME N: line N (1 is the top) of the screen, masked.
line() { capture "$1" | sed -n "${2}p"; }
# line_has NAME N PATTERN: line N shows PATTERN (grep), eventually.
line_has() { eventually _line_grep "$@"; }
_line_grep() { line "$1" "$2" | grep -q -- "$3"; }
# above_bar NAME PATTERN: the line above the key bar shows PATTERN.
above_bar() { tm capture-pane -p -t "$1" | tail -2 | head -1 | grep -q -- "$2"; }
# has NAME TEXT: the screen shows TEXT now.
has() { capture "$1" | grep -qF -- "$2"; }
# pages NAME: every page of a page view, from its top (g, then PgDn until
# the screen stays the same for 2 s: a loaded machine may take longer than
# one look to redraw, and an early stop would lose the pages after).
pages() {
	local i=0 j
	key "$1" g
	capture "$1"
	prev=
	while [ $i -lt 40 ]; do
		tm send-keys -t "$1" NPage
		j=0
		while [ $j -lt 10 ]; do
			sleep 0.2
			cur=$(capture "$1")
			[ "$cur" != "$prev" ] && break
			j=$((j + 1))
		done
		[ "$cur" = "$prev" ] && break
		printf '%s\n' "$cur"
		prev=$cur
		i=$((i + 1))
	done
}

for size in 80x24 160x45; do
	cols=${size%x*} rows=${size#*x}
	v=v$cols
	start $v "$cols" "$rows" --demo --speed 20
	if ! wait_for $v "demo: replay finished" 300; then
		bad "views $size: demo starts" "$(capture $v)" "$(cat "$T/$v.err")"
		continue
	fi
	sleep 1.2	# one more refresh, so every row is final

	# --- accounts: columns by width, sort marker, inverted, filter ---
	expect $v "accounts-$size" "1,10p"
	key $v '>'
	expect $v "accounts-sorted-$size" "1,10p"
	key $v I
	if line_has $v 2 'ACCOUNT▲' && line_has $v 3 'judy@' &&
	    line_has $v 9 'alice@'; then
		ok "views $size: I inverts the sort (marked ▲)"
	else
		bad "views $size: I inverts the sort (marked ▲)" "$(capture $v | head -10)"
	fi
	key $v '<'
	if line_has $v 2 'LEVEL▼' && line_has $v 3 'judy@'; then
		ok "views $size: < moves the sort back to LEVEL, not inverted"
	else
		bad "views $size: < moves the sort back to LEVEL, not inverted" "$(capture $v | head -4)"
	fi
	# rates agree: the server's last minute is the sum of its accounts'
	# (the row: marker, name, MTA, state, rate)
	sum=$(capture $v | awk 'NR > 2 { for (i = 1; i < NF; i++) if ($i ~ /@/) {
	    s += $(i + 1); break } } END { print s + 0 }')
	key $v 1
	tm capture-pane -p -t $v | sed -n 3p >"$T/srvrow"
	if awk -v s="$sum" '{ exit !($5 == s) }' "$T/srvrow"; then
		ok "views $size: rates agree (server $sum/min = its accounts')"
	else
		bad "views $size: rates agree" "accounts sum $sum" "$(cat "$T/srvrow")"
	fi
	expect $v "servers-$size" "1,3p"
	# --- server detail, q back to servers ---
	key $v Enter
	expect $v "server-$size" '/last hour:/{n;d};p'
	key $v q
	if line_has $v 1 '| servers |'; then ok "views $size: q from the server detail goes back"
	else bad "views $size: q from the server detail goes back" "$(line $v 1)"; fi
	# its accounts over it; the accounts view's own filter comes back
	key $v 2
	key $v '\'; tm send-keys -t $v ivan Enter; sleep 0.4
	if line_has $v 1 '| accounts | filter: ivan |'; then
		ok "views $size: the filter shows in the header"
	else
		bad "views $size: the filter shows in the header" "$(line $v 1)"
	fi
	key $v 1; key $v Enter; key $v a
	if line_has $v 1 '| accounts | filter: @demo |' && has $v 'judy@example.test'; then
		ok "views $size: a on the server detail shows its accounts"
	else
		bad "views $size: a on the server detail shows its accounts" "$(capture $v | head -5)"
	fi
	key $v q; key $v q; key $v 2
	if line_has $v 1 '| accounts | filter: ivan |'; then
		ok "views $size: back through the views, the filter is as it was"
	else
		bad "views $size: back through the views, the filter is as it was" "$(line $v 1)"
	fi
	key $v Escape

	# --- the account detail: two tables ---
	key $v g
	key $v Enter
	expect $v "detail-$size" '1,/^ LOGIN IP/{/^ msgs per/!p;}'
	expect_digits $v "detail-row-$size" '/^ LOGIN IP/{n;p;}'
	pages $v >"$T/$v.detail"
	if grep -q 'LOGIN IP.*200, most logins first' "$T/$v.detail" &&
	    grep -A1 'Recent messages: 400 still in memory, newest first' "$T/$v.detail" |
	    grep -q 'TIME  *QUEUE ID  *FROM  *RCPTS  *SENT DEFER BOUNCE STATE' &&
	    grep -Eq '^ HH:MM:SS [0-9A-F]{11} +127\.200\.[0-9.]+ +10 +0 +10 +0 queued' "$T/$v.detail"; then
		ok "views $size: the detail's messages table, after its addresses"
	else
		bad "views $size: the detail's messages table, after its addresses" "$(grep -v '^ 127\.\|^ HH:MM:SS' "$T/$v.detail" | sort -u | head -30)"
	fi
	key $v G
	if [ "$cols" -ge 120 ]; then
		if capture $v | grep -Eq 'queued +u[0-9.]+@d[0-9]+\.spam'; then
			ok "views $size: wide, the messages' first recipient"
		else
			bad "views $size: wide, the messages' first recipient" "$(capture $v | tail -4)"
		fi
	fi
	key $v q
	if line_has $v 1 '| accounts |'; then ok "views $size: q from the detail goes back"
	else bad "views $size: q from the detail goes back" "$(line $v 1)"; fi

	# --- help: pages, markers, columns ---
	# (what a server cannot do is said in contain_capable()'s words:
	# the capability tests below look at those lines)
	key $v '?'
	expect $v "help-$size" '/^  not on /d;p'
	key $v NPage
	expect $v "help-pgdn-$size" '/^  not on /d;p'
	key $v G
	expect $v "help-end-$size" '/^  not on /d;p'
	key $v q

	# --- log: sideways, the selected line whole, the filter ---
	key $v 3
	key $v '/'
	if [ "$(tm capture-pane -p -t $v | tail -1 | sed 's/ *$//')" = "search:" ]; then
		ok "views $size: the search prompt starts empty"
	else
		bad "views $size: the search prompt starts empty" "$(tm capture-pane -p -t $v | tail -1)"
	fi
	tm send-keys -t $v 'sasl_username=judy' Enter; sleep 0.4
	pane=$(capture $v | sed -n '/^ line [0-9]* of [0-9]*, from demo/,$p')
	if printf '%s\n' "$pane" | tr -d '\n' | grep -Eq 'client=unknown\[127\.200\.[0-9.]+\], *sasl_method=PLAIN, *sasl_username=judy@example.test'; then
		ok "views $size: the pane shows the selected line whole"
	else
		bad "views $size: the pane shows the selected line whole" "$pane"
	fi
	before=$(line $v 3 | cut -c12-)
	key $v Right
	line_has $v 2 'from column 21'
	scrolled=$?
	after=$(line $v 3 | cut -c12-)
	if [ "$scrolled" = 0 ] && [ "${before:20:40}" = "${after:0:40}" ]; then
		ok "views $size: Right scrolls the lines 20 columns"
	else
		bad "views $size: Right scrolls the lines 20 columns" "before: $before" "after:  $after" "$(line $v 2)"
	fi
	key $v Left
	if line_has $v 2 'Left/Right scroll'; then ok "views $size: Left scrolls back"
	else bad "views $size: Left scrolls back" "$(line $v 2)"; fi
	key $v '\'; tm send-keys -t $v 'grace' Enter; sleep 0.4
	if line_has $v 1 '| live log | filter: grace |'; then
		ok "views $size: the log's filter in the header"
	else
		bad "views $size: the log's filter in the header" "$(line $v 1)"
	fi
	key $v Escape

	# --- blocklists on 5, messages on 6 ---
	key $v 5
	if line_has $v 1 '| blocklists |'; then ok "views $size: 5 shows the blocklists"
	else bad "views $size: 5 shows the blocklists" "$(line $v 1)"; fi
	key $v 6
	key $v '/'; tm send-keys -t $v 'critical judy' Enter; sleep 0.4
	if line_has $v 1 '| messages |' &&
	    capture $v | sed -n '/the selected message, whole/,$p' | tr -d '\n' |
	    grep -Eq 'critical judy@example.test on demo: .*\((critical|suspicious) at [0-9,]+%?\)'; then
		ok "views $size: 6 shows the messages, the selected one whole"
	else
		bad "views $size: 6 shows the messages, the selected one whole" "$(capture $v)"
	fi

	# --- q: back one level, quit only from the top ---
	key $v 2
	key $v Enter
	key $v '?'
	key $v q
	if line_has $v 1 '| account |'; then ok "views $size: q from help over the detail: the detail"
	else bad "views $size: q from help over the detail: the detail" "$(line $v 1)"; fi
	key $v q
	if line_has $v 1 '| accounts |'; then ok "views $size: then the accounts"
	else bad "views $size: then the accounts" "$(line $v 1)"; fi
	key $v q
	sleep 0.3
	if tm capture-pane -p -t $v | grep -q 'mailcon'; then
		bad "views $size: q quits from a top view" "$(capture $v)"
	else ok "views $size: q quits from a top view"; fi
	tm kill-session -t $v 2>/dev/null
done

# --- the server detail: its queue by state, a gap in its log -------------
# The queue is three messages of a real `postqueue -j` (tests/fixtures),
# one of them made active and one held.
qlog="$T/qs.log"
sed -e '1s/"deferred"/"active"/' -e '2s/"deferred"/"hold"/' \
    "$here/../fixtures/queue/queue-head.jsonl" >"$T/queue.jsonl"
for size in 80x24 160x45; do
	cols=${size%x*} rows=${size#*x}
	q=qs$cols
	: >"$qlog"
	cat >"$T/$q.ini" <<CFG
[server $q]
logs = $qlog
queue_command = cat $T/queue.jsonl
queue_interval = 1s
CFG
	start $q "$cols" "$rows" --config "$T/$q.ini"
	wait_for $q "nothing yet" 50 || wait_for $q "ACCOUNT" 300
	for n in 1 2; do
		echo "$(date '+%b %e %H:%M:%S') mx postfix/submission/smtpd[1]: 1A2B3C4D5E$n: client=unknown[127.77.0.$n], sasl_method=PLAIN, sasl_username=gapped$cols@example.test" >>"$qlog"
	done
	wait_for $q "gapped$cols@example.test" 300
	: >"$qlog"	# truncated, no copy beside it: what was not read is lost
	echo "$(date '+%b %e %H:%M:%S') mx postfix/submission/smtpd[1]: 1A2B3C4D5E3: client=unknown[127.77.0.3], sasl_method=PLAIN, sasl_username=after$cols@example.test" >>"$qlog"
	key $q 1
	key $q Enter
	wait_for $q "by state:" 300 && wait_for $q "Gaps in its logs: 1" 300
	pages $q >"$T/$q.page"
	text=$(tr -s ' \n' '  ' <"$T/$q.page")
	case $text in
	*"by state: active 1, deferred 1, hold 1"*"Gaps in its logs: 1"*"lost lines in $qlog: $qlog was truncated to"*"with no copy beside it"*"Its last lines"*1A2B3C4D5E1*1A2B3C4D5E3*)
		ok "server detail $size: queue by state, the gap, its last lines" ;;
	*)
		bad "server detail $size: queue by state, the gap, its last lines" "$(sort -u "$T/$q.page")" ;;
	esac
	tm kill-session -t $q 2>/dev/null
done

# --- what the server can do: no queue access, a password command --------
clog="$T/cap.log"
: >"$clog"
cat >"$T/cap.ini" <<CFG
[server tx]
logs = $clog
queue_command = off
password_command = /bin/false %{account}
CFG
for size in 80x24 160x45; do
	cols=${size%x*} rows=${size#*x}
	c=cap$cols
	start $c "$cols" "$rows" --config "$T/cap.ini"
	wait_for $c "nothing yet" 50 || wait_for $c "ACCOUNT" 300
	echo "$(date '+%b %e %H:%M:%S') mx postfix/submission/smtpd[1]: 1A2B3C4D5E6: client=unknown[127.77.0.1], sasl_method=PLAIN, sasl_username=able@example.test" >>"$clog"
	key $c 2
	wait_for $c "able@example.test" 300
	bar=$(tm capture-pane -p -t $c | tail -1)
	case $bar in
	*PPassword*hHold* | *hHold* | *DPurge* | *sSuspend*)
		bad "capability $size: the bar offers what tx cannot do" "$bar" ;;
	*PPassword*)
		ok "capability $size: the bar offers the password, not hold, purge or suspend" ;;
	*)
		bad "capability $size: the bar offers the password" "$bar" ;;
	esac
	key $c h
	if eventually above_bar $c 'server tx has no queue access'; then
		ok "capability $size: h says why, in one line"
	else
		bad "capability $size: h says why, in one line" "$(tm capture-pane -p -t $c | tail -2)"
	fi
	key $c '?'
	pages $c >"$T/$c.help"
	if grep -qF 'P, F4' "$T/$c.help" && ! grep -qF 'h, F7' "$T/$c.help" &&
	    ! grep -qF 'D, F9' "$T/$c.help" && ! grep -qF 's, F5' "$T/$c.help" &&
	    grep -qF 'not on tx: hold' "$T/$c.help" &&
	    grep -qF 'not on tx: suspend' "$T/$c.help"; then
		ok "capability $size: the help lists what tx can do and says what not"
	else
		bad "capability $size: the help lists what tx can do and says what not" "$(sort -u "$T/$c.help")"
	fi
	key $c q
	key $c q
	tm kill-session -t $c 2>/dev/null
done

# --- no terminal: said, exit 2, nothing on stdout ------------------------
env TERM=xterm-256color XDG_CONFIG_HOME="$T/cfg" XDG_STATE_HOME="$T/state" \
    timeout 20 "$MAILCON" --demo </dev/null >"$T/noterm.out" 2>"$T/noterm.err"
rc=$?
if [ $rc -eq 2 ] && [ ! -s "$T/noterm.out" ] &&
    grep -qF 'no terminal: use `mailcon watch --headless`' "$T/noterm.err"; then
	ok "no terminal: exit 2, says to use mailcon watch --headless"
else
	bad "no terminal: exit 2, says to use mailcon watch --headless" "exit $rc" "$(head -c 300 "$T/noterm.err")" "$(head -c 100 "$T/noterm.out" | cat -v)"
fi
