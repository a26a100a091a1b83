# tests/screen/fleet.sh: the console on a central log host's file (issue
# 19), sourced by run.sh (its helpers: start, key, wait_for, capture, ok,
# bad).  Four servers in two groups fed by one rsyslog-style file: a hijack
# on mx07, the same login on mx01 used normally, mx05 and mx09 absent, and
# a line of an unconfigured host.  At 80x24:
#  - the servers view is grouped (a title row per group with its totals),
#    the worst server first in its group, the unknown host a row of its
#    own, and the header counts the silent servers;
#  - the filter (\) finds a group by its name;
#  - Enter on a group's row opens no server;
#  - the accounts view names the server on each row: the same login is two
#    accounts, critical on mx07 only.

F=$T/fleet
mkdir -p "$F"
: >"$F/all.log"
cat >"$F/fleet.conf" <<EOF
[console]
history = off
[loghost central]
logs = $F/all.log
silent = 3s
[server mx01]
loghost = central
group = dc1
queue = off
[server mx07]
loghost = central
group = dc1
queue = off
[server mx09]
loghost = central
group = dc2
queue = off
[server mx05]
loghost = central
group = dc2
queue = off
EOF
start fleet 80 24 --config "$F/fleet.conf"
wait_for fleet "servers" 300
now=$(date -u +%Y-%m-%dT%H:%M:%S)
{
	for i in $(seq 10 69); do
		echo "$now.1+00:00 mx07 postfix/smtpd[11]: 2B2B3C4D$i: client=unknown[203.0.$i.9], sasl_method=PLAIN, sasl_username=user3@dom7"
	done
	echo "$now.2+00:00 mx01 postfix/smtpd[12]: 3C3C3C3C01: client=unknown[192.0.2.1], sasl_method=PLAIN, sasl_username=user3@dom7"
	echo "$now.3+00:00 mx99 postfix/smtpd[13]: connect from unknown[192.0.2.2]"
} >>"$F/all.log"
# mx01 and mx07 keep logging, so the absent ones become silent
(
	while :; do
		for h in mx01 mx07; do
			echo "$(date -u +%Y-%m-%dT%H:%M:%S).5+00:00 $h postfix/smtpd[12]: connect from unknown[192.0.2.1]"
		done >>"$F/all.log"
		sleep 0.5
	done
) &
feeder=$!
if wait_for fleet "2 silent |" 300 && sleep 1.2 && capture fleet >"$T/fleet.txt" &&
    grep -q '^ mailcon | servers | 4 servers, 2 live, 2 silent ' "$T/fleet.txt" &&
    awk '/dc1: 2 servers/ { g = NR } /^!! mx07 / { m7 = NR } /^   mx01 / { m1 = NR }
	/dc2: 2 servers, 0 live, 2 silent/ { g2 = NR } /unknown host: 1 name, 1 line.*mx99/ { u = NR }
	END { exit !(g && m7 == g + 1 && m1 == m7 + 1 && g2 > m1 && u > g2) }' "$T/fleet.txt"; then
	ok "fleet: servers grouped, worst first, silent counted, unknown host shown"
else
	bad "fleet: servers grouped, worst first, silent counted, unknown host shown" "$(cat "$T/fleet.txt")"
fi
key fleet '\'; tm send-keys -t fleet "dc2" Enter; sleep 0.4
# filtered: dc2 shown, dc1 gone
filtered() {
	capture fleet | sed -n '3,20p' | grep -q "dc2: 2 servers" &&
	    ! capture fleet | sed -n '3,20p' | grep -q "mx07\|dc1:"
}
if eventually filtered; then
	ok "fleet: the filter finds a group by its name"
else
	bad "fleet: the filter finds a group by its name" "$(capture fleet)"
fi
key fleet '\'; tm send-keys -t fleet C-u Enter; sleep 0.4
key fleet g; key fleet Enter
if capture fleet | grep -q '^ mailcon | servers |'; then
	ok "fleet: Enter on a group's row opens no server"
else
	bad "fleet: Enter on a group's row opens no server" "$(capture fleet | head -3)"
fi
key fleet 2
# each row's server
rows_named() {
	capture fleet | grep -Eq '^!! critical +user3@dom7 .* mx07( |$)' &&
	    capture fleet | grep -Eq '^ +ok +user3@dom7 .* mx01( |$)'
}
if eventually rows_named; then
	ok "fleet: the accounts view names each row's server"
else
	bad "fleet: the accounts view names each row's server" "$(capture fleet)"
fi
kill "$feeder"
wait "$feeder" 2>/dev/null
tm kill-session -t fleet 2>/dev/null
