# tests/screen/text.sh: sourced by run.sh (its start, capture, wait_for,
# key, ok, bad, tm and $T): what text reaches the console's screen.
#  - invisible and format characters in a log line are shown escaped;
#  - a password Dovecot logs is shown as <hidden>, a blob placeholder as
#    an unreadable entry;
#  - under LANG=C two accounts that differ in one letter stay two;
#  - every lasting warning stays (LANG=C beside history off, actions off);
#  - a new password echoed by the site's command is never on screen.

# tstart NAME LANG CONFIG [ENV...]: the console on CONFIG in a fresh session.
tstart() {
	tname=$1 tlang=$2 tcfg=$3; shift 3
	tm kill-session -t "$tname" 2>/dev/null
	tm new-session -d -s "$tname" -x 200 -y 30 \
	    "env TERM=xterm-256color LANG=$tlang LC_ALL=$tlang XDG_CONFIG_HOME=$T/cfg XDG_STATE_HOME=$T/tstate $* $MAILCON --config $tcfg 2>$T/$tname.err; sleep 60"
}

# tconfig NAME HISTORY [LINE]: an empty $T/NAME.log followed by
# $T/NAME.ini, with the history at HISTORY and LINE in its [server].
tconfig() {
	: >"$T/$1.log"
	printf '[console]\nhistory = %s\n[server tx]\nlogs = %s\nqueue_command = off\n%s\n' \
	    "$2" "$T/$1.log" "${3:-}" >"$T/$1.ini"
}
tstamp() { date '+%b %e %H:%M:%S'; }

tconfig text "$T/text-history.db"
tlog="$T/text.log"

# --- invisible characters, a password, a blob placeholder in the log view
tstart txt C.UTF-8 "$T/text.ini"
wait_for txt "nothing yet" 50 || wait_for txt "ACCOUNT" 300
{
	printf '%s mx postfix/smtpd[1]: warning: unknown[127.66.6.7]: SASL PLAIN authentication failed: (reason unavailable), sasl_username=zw\342\200\213sp\302\255hy\343\205\244fill\363\240\201\201tag@x\n' "$(tstamp)"
	printf '%s auth: Info: passwd-file(ivan@example.test,127.66.0.2): Password mismatch (given password: Hunter2onScreen)\n' "$(tstamp)"
	printf '%s auth: Debug: passwd-file(ivan@example.test,127.66.0.2): SHA512-CRYPT(Debug9onScreen) != '"'"'$6$x$y'"'"'\n' "$(tstamp)"
	printf '2026-11-28T04:00:01+0000 mx postfix/smtpd[7]: [123B blob data]\n'
} >>"$tlog"
key txt 3
if wait_for txt 'zw\u{200b}sp\u{00ad}hy\u{3164}fill\u{e0041}tag@x' 300; then
	ok "text: invisible characters in a log line shown escaped"
else
	bad "text: invisible characters in a log line shown escaped" "$(capture txt | grep -a 'zw' | cat -v)"
fi
if wait_for txt "(given password: <hidden>)" 300 &&
    wait_for txt "SHA512-CRYPT(<hidden>) != '<hidden>'" 300 &&
    ! capture txt | grep -q "onScreen"; then
	ok "text: passwords in the log view hidden"
else
	bad "text: passwords in the log view hidden" "$(capture txt | grep -a 'password\|CRYPT')"
fi
if wait_for txt "unreadable journal entry of postfix/smtpd: journalctl printed [123B blob data]" 300; then
	ok "text: a blob placeholder is an unreadable entry"
else
	bad "text: a blob placeholder is an unreadable entry" "$(capture txt | grep -a 'blob')"
fi
key txt q
tm kill-session -t txt 2>/dev/null

# --- LANG=C: two accounts one letter apart stay two ----------------------
tconfig text2 "$T/text2-history.db"
tlog2="$T/text2.log"
tstart latin2 C "$T/text2.ini"
wait_for latin2 "nothing yet" 50 || wait_for latin2 "ACCOUNT" 300
n=0
for u in 'j\303\274rgen' 'j\303\266rgen'; do
	n=$((n + 1))
	printf "%s mx postfix/submission/smtpd[1]: 1A2B3C4D%03d: client=unknown[127.77.0.1], sasl_method=PLAIN, sasl_username=$u@ex.test\n" "$(tstamp)" "$n" >>"$tlog2"
done
key latin2 2
if wait_for latin2 'j\u{00fc}rgen@ex.test' 300 &&
    wait_for latin2 'j\u{00f6}rgen@ex.test' 300; then
	ok "text: LANG=C shows two accounts as two (\\u{...})"
else
	bad "text: LANG=C shows two accounts as two (\\u{...})" "$(capture latin2 | grep -a 'rgen')"
fi
tm kill-session -t latin2 2>/dev/null

# --- every lasting warning stays: LANG=C, history off, actions off --------
mkdir -p "$T/badtext"
echo "not a database" >"$T/badtext/h.db"
tconfig text3 "$T/badtext/h.db"
tstart warn C "$T/text3.ini"
# the status line shows them in turn: each must come up
L=0 H=0 A=0 i=0
while [ $i -lt 150 ] && [ $((L + H + A)) -lt 3 ]; do
	scr=$(tm capture-pane -p -t warn)
	case $scr in *"not UTF-8"*) L=1 ;; esac
	case $scr in *"history off:"*) H=1 ;; esac
	case $scr in *"actions off:"*) A=1 ;; esac
	sleep 0.1
	i=$((i + 1))
done
if [ $((L + H + A)) -eq 3 ]; then
	ok "text: every warning kept (locale, history, actions)"
else
	bad "text: every warning kept (locale $L, history $H, actions $A)" "$(capture warn | tail -3)"
fi
tm kill-session -t warn 2>/dev/null

# --- a new password the site's command echoes never reaches the screen ---
cat >"$T/setpw" <<'SH'
#!/bin/sh
IFS= read -r p
printf '%s' "$p" >"$(dirname "$0")/screen-given"
echo "setpw: cannot set $p" >&2
exit 1
SH
chmod +x "$T/setpw"
tconfig text4 "$T/text4-history.db" "password_command = $T/setpw %{account}"
tlog4="$T/text4.log"
tstart pw C.UTF-8 "$T/text4.ini"
wait_for pw "nothing yet" 50 || wait_for pw "ACCOUNT" 300
printf '%s mx postfix/submission/smtpd[1]: 1A2B3C4D777: client=unknown[127.77.0.1], sasl_method=PLAIN, sasl_username=reset@example.test\n' "$(tstamp)" >>"$tlog4"
key pw 2
wait_for pw "reset@example.test" 300
key pw P
key pw y
if wait_for pw "<secret>" 300 && [ -s "$T/screen-given" ] &&
    ! tm capture-pane -p -t pw | grep -qF -- "$(cat "$T/screen-given")"; then
	ok "text: an echoed new password is <secret> on screen"
else
	bad "text: an echoed new password is <secret> on screen" "$(capture pw | tail -8)"
fi
key pw q
tm kill-session -t pw 2>/dev/null
if [ -s "$T/screen-given" ] && grep -aqF -- "$(cat "$T/screen-given")" "$T"/text4-history.db* 2>/dev/null; then
	bad "text: the echoed password is in the audit database"
else
	ok "text: the echoed password is in no database"
fi
