# tests/integration/story.sh: the incident the scan tests replay against a
# real mail server (Postfix + Dovecot in test_scan_e2e.sh, Exim in
# test_exim_scan.sh), so that both tell the same story and check it the
# same way (story_check.py).  Source it; USERS is a file of "login
# password" lines for alice bob carol dave grace ivan judy @example.test.
#
#	story_plan_ordinary USERS	mailgen plan: ordinary users (mail to
#					example.test elsewhere.test family.test
#					customer.test vendor.test), ivan who
#					mistypes twice, grace's newsletter to
#					300 subscribers of news.test
#	story_plan_hijack USERS		mailgen plan: judy's account from 200
#					addresses 127.200.x.y, 2 messages each
#					to 10 recipients of *.spamN.test
#	STORY_ORDINARY_MESSAGES	the messages of the first plan (318)
#	STORY_HIJACK_MESSAGES	and of the second (400)

STORY_ORDINARY_MESSAGES=318
STORY_HIJACK_MESSAGES=400

# Print the password of LOGIN (without domain) from USERS.
_story_pw()
{
	awk -v u="$2@example.test" '$1 == u { print $2 }' "$1"
}

story_plan_ordinary()
{
	local u=$1
	echo "send alice@example.test $(_story_pw "$u" alice) 127.0.1.1 3 1 bob@example.test,friend@elsewhere.test"
	echo "send alice@example.test $(_story_pw "$u" alice) 127.0.1.2 2 2 mum@family.test"
	echo "send bob@example.test $(_story_pw "$u" bob) 127.0.1.3 4 2 alice@example.test,carol@example.test"
	echo "send carol@example.test $(_story_pw "$u" carol) 127.0.1.4 2 1 client@customer.test"
	echo "send carol@example.test $(_story_pw "$u" carol) 127.0.1.5 2 1 client@customer.test,boss@example.test"
	echo "send dave@example.test $(_story_pw "$u" dave) 127.0.1.6 3 3 ops@vendor.test"
	# ivan: two wrong passwords, then the right one, from one address.
	echo "fail ivan@example.test Wrong-$(_story_pw "$u" ivan) 127.0.3.1 1"
	echo "fail ivan@example.test $(_story_pw "$u" ivan | tr a-z A-Z) 127.0.3.1 1"
	echo "send ivan@example.test $(_story_pw "$u" ivan) 127.0.3.1 2 1 team@example.test"
	# grace: a newsletter to 300 subscribers, 20 per connection, from
	# one address.
	printf 'send grace@example.test %s 127.0.2.1 300 20 ' \
	    "$(_story_pw "$u" grace)"
	seq 1 300 | awk '{ printf "%s%s@d%d.news.test", (NR > 1 ? ";" : ""), "sub" $1, $1 % 23 }'
	echo
}

story_plan_hijack()
{
	python3 - "$(_story_pw "$1" judy)" <<'PY'
import sys
pw = sys.argv[1]
for i in range(200):
    ip = "127.200.%d.%d" % (i // 100, i % 100 + 1)
    rcpts = ",".join("u%d.%d@d%d.spam%d.test" % (i, k, (i * 10 + k) % 97, k)
                     for k in range(10))
    print("send judy@example.test %s %s 2 2 %s" % (pw, ip, rcpts))
PY
}
