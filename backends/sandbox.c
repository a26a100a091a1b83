/*
 * sandbox.c: the demo's private stand-in for a Postfix + Dovecot server
 * (sandbox.h): four small /bin/sh programs that do on files in a
 * directory what postqueue -j, postsuper -h/-H/-d -, postmap and doveadm
 * pw do on a real server, in the same words, so that the real backends'
 * templates, parsers and checks run unchanged against them; and what a
 * replayed log line changes there (its message queued, removed, its
 * account known).
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "sandbox.h"
#include "event.h"

/* postqueue, as the sandbox's bin/ holds it. */
static const char sb_postqueue[] =
	"#!/bin/sh\n"
	"# mailcon --demo: postqueue of the demo's sandbox (no Postfix): -j lists\n"
	"# the messages under DIR/queue given with -c DIR, in postqueue -j's form\n"
	"# (each file holds its message's line without the queue's name).\n"
	"c= j=\n"
	"while [ $# -gt 0 ]; do\n"
	"\tcase $1 in\n"
	"\t-c) c=$2; shift 2 ;;\n"
	"\t-j) j=1; shift ;;\n"
	"\t*) echo \"postqueue: fatal: the demo's sandbox knows -c DIR -j only\" >&2; exit 64 ;;\n"
	"\tesac\n"
	"done\n"
	"[ -n \"$c\" ] && [ -n \"$j\" ] || { echo \"postqueue: fatal: the demo's sandbox needs -c DIR -j\" >&2; exit 64; }\n"
	"for q in active deferred hold; do\n"
	"\tset -- \"$c/queue/$q\"/*\n"
	"\t[ -f \"$1\" ] || continue\n"
	"\t# a message moved or removed meanwhile is not listed\n"
	"\tsed \"s/^/{\\\"queue_name\\\":\\\"$q\\\",/\" -- \"$@\" 2>/dev/null\n"
	"done\n"
	"exit 0\n";

/* postsuper, as the sandbox's bin/ holds it. */
static const char sb_postsuper[] =
	"#!/bin/sh\n"
	"# mailcon --demo: postsuper of the demo's sandbox (no Postfix): -h, -H and\n"
	"# -d with the ids on stdin move or remove the files under DIR/queue (-c DIR),\n"
	"# in the queues named after the options if any,\n"
	"# in one mv or rm, and say what was done as postsuper does.\n"
	"c= op= only=\n"
	"while [ $# -gt 0 ]; do\n"
	"\tcase $1 in\n"
	"\t-c) c=$2; shift 2 ;;\n"
	"\t-h|-H|-d) op=$1; [ \"${2:-}\" = - ] || { echo \"postsuper: fatal: the demo's sandbox reads ids from stdin only\" >&2; exit 64; }; shift 2 ;;\n"
	"\tmaildrop|incoming|active|deferred|hold) only=\"$only $1\"; shift ;;\n"
	"\t*) echo \"postsuper: fatal: the demo's sandbox knows -c DIR -h|-H|-d - [QUEUE...] only\" >&2; exit 64 ;;\n"
	"\tesac\n"
	"done\n"
	"[ -n \"$c\" ] && [ -n \"$op\" ] || { echo \"postsuper: fatal: the demo's sandbox needs -c DIR and -h, -H or -d -\" >&2; exit 64; }\n"
	"q=$c/queue\n"
	"case $op in\n"
	"-h) from=\"active deferred\" to=hold verb=\"placed on hold\" w=\"Placed on hold\" ;;\n"
	"-H) from=hold to=deferred verb=\"released from hold\" w=\"Released from hold\" ;;\n"
	"*) from=\"active deferred hold\" to= verb=removed w=Deleted ;;\n"
	"esac\n"
	"# queue names after the options: only those queues are searched\n"
	"if [ -n \"$only\" ]; then\n"
	"\tkeep=\n"
	"\tfor s in $from; do\n"
	"\t\tcase \" $only \" in *\" $s \"*) keep=\"$keep $s\" ;; esac\n"
	"\tdone\n"
	"\tfrom=$keep\n"
	"fi\n"
	"picked=\n"
	"set --\n"
	"while IFS= read -r id; do\n"
	"\tcase $id in ''|*[!0-9A-Za-z]*) continue ;; esac\n"
	"\tfor s in $from; do\n"
	"\t\tif [ -f \"$q/$s/$id\" ]; then\n"
	"\t\t\tset -- \"$@\" \"$q/$s/$id\"\n"
	"\t\t\tpicked=\"$picked $id\"\n"
	"\t\t\tbreak\n"
	"\t\tfi\n"
	"\tdone\n"
	"done\n"
	"if [ $# -gt 0 ]; then\n"
	"\tif [ -n \"$to\" ]; then\n"
	"\t\tmv -f -- \"$@\" \"$q/$to/\" 2>/dev/null\n"
	"\telse\n"
	"\t\trm -f -- \"$@\"\n"
	"\tfi\n"
	"fi\n"
	"n=0\n"
	"for id in $picked; do\n"
	"\tif [ -n \"$to\" ]; then\n"
	"\t\t[ -f \"$q/$to/$id\" ] || continue\n"
	"\telse\n"
	"\t\t[ -f \"$q/active/$id\" ] || [ -f \"$q/deferred/$id\" ] ||\n"
	"\t\t    [ -f \"$q/hold/$id\" ] && continue\n"
	"\tfi\n"
	"\techo \"postsuper: $id: $verb\" >&2\n"
	"\tn=$((n + 1))\n"
	"done\n"
	"[ \"$n\" -eq 1 ] && m=message || m=messages\n"
	"echo \"postsuper: $w: $n $m\" >&2\n"
	"exit 0\n";

/* postmap, as the sandbox's bin/ holds it. */
static const char sb_postmap[] =
	"#!/bin/sh\n"
	"# mailcon --demo: postmap of the demo's sandbox (no Postfix): hash:FILE\n"
	"# builds FILE.db from FILE; -q KEY hash:FILE looks KEY up in FILE.db (case\n"
	"# folded, as a hash map does): its value and exit 0, or exit 1; -i [-r]\n"
	"# puts the KEY VALUE lines of stdin in FILE.db, -d KEY takes KEY out of it\n"
	"# (exit 1 when it is not there).\n"
	"q= set_q= inc= d= set_d=\n"
	"while [ $# -gt 0 ]; do\n"
	"\tcase $1 in\n"
	"\t-c) shift 2 ;;\n"
	"\t-q) q=$2; set_q=1; shift 2 ;;\n"
	"\t-i) inc=1; shift ;;\n"
	"\t-r) shift ;;\n"
	"\t-d) d=$2; set_d=1; shift 2 ;;\n"
	"\thash:/*) m=${1#hash:}; shift ;;\n"
	"\t*) echo \"postmap: fatal: the demo's sandbox knows [-c DIR] [-q KEY|-d KEY|-i [-r]] hash:FILE only\" >&2; exit 64 ;;\n"
	"\tesac\n"
	"done\n"
	"[ -n \"${m:-}\" ] || { echo \"postmap: fatal: the demo's sandbox needs hash:FILE\" >&2; exit 64; }\n"
	"if [ -n \"$set_q$set_d$inc\" ] && [ ! -f \"$m.db\" ]; then\n"
	"\techo \"postmap: fatal: open database $m.db: No such file or directory\" >&2; exit 2\n"
	"fi\n"
	"if [ -n \"$set_q\" ]; then\n"
	"\tK=$q awk '{ k = $1; sub(/^[^ \\t]+[ \\t]+/, \"\") }\n"
	"\t    tolower(k) == tolower(ENVIRON[\"K\"]) { print; f = 1; exit }\n"
	"\t    END { exit !f }' \"$m.db\"\n"
	"\texit $?\n"
	"fi\n"
	"if [ -n \"$set_d$inc\" ]; then\n"
	"\tt=$(mktemp \"$m.db.XXXXXX\") || exit 1\n"
	"\tif [ -n \"$inc\" ]; then cat >\"$t.in\"; else : >\"$t.in\"; fi\n"
	"\tK=$d I=$t.in awk 'BEGIN { while ((getline l < ENVIRON[\"I\"]) > 0) {\n"
	"\t    split(l, w, /[ \\t]+/); v[tolower(w[1])] = l } }\n"
	"\t    { k = tolower($1) }\n"
	"\t    ENVIRON[\"K\"] != \"\" && k == tolower(ENVIRON[\"K\"]) { f = 1; next }\n"
	"\t    !(k in v) { print }\n"
	"\t    END { for (k in v) print v[k]; exit ENVIRON[\"K\"] != \"\" && !f }' \"$m.db\" >\"$t\"\n"
	"\trc=$?\n"
	"\trm -f -- \"$t.in\"\n"
	"\t[ \"$rc\" = 0 ] || { rm -f -- \"$t\"; exit 1; }\n"
	"\texec mv -f -- \"$t\" \"$m.db\"\n"
	"fi\n"
	"[ -f \"$m\" ] || { echo \"postmap: fatal: open $m: No such file or directory\" >&2; exit 1; }\n"
	"t=$(mktemp \"$m.db.XXXXXX\") || exit 1\n"
	"awk '/^[ \\t]*(#|$)/ { next } { print }' \"$m\" >\"$t\" && mv -f -- \"$t\" \"$m.db\"\n";

/* doveadm, as the sandbox's bin/ holds it. */
static const char sb_doveadm[] =
	"#!/bin/sh\n"
	"# mailcon --demo: doveadm pw of the demo's sandbox (no Dovecot): -s SCHEME\n"
	"# reads the password twice on stdin and prints a hash of it; -t HASH reads\n"
	"# it once and says whether HASH is its hash.  Never in argv, never shown.\n"
	"[ \"${1:-}\" = pw ] || { echo \"doveadm: the demo's sandbox knows pw only\" >&2; exit 64; }\n"
	"shift\n"
	"demo_hash() { printf '{%s}demo.%s' \"$1\" \"$(printf '%s' \"$2\" | sha256sum | cut -d' ' -f1)\"; }\n"
	"case ${1:-} in\n"
	"-s)\n"
	"\ts=$2\n"
	"\tIFS= read -r p1 || exit 1\n"
	"\tIFS= read -r p2 || exit 1\n"
	"\t[ \"$p1\" = \"$p2\" ] || { echo \"doveadm: Passwords don't match!\" >&2; exit 1; }\n"
	"\tdemo_hash \"$s\" \"$p1\"; echo ;;\n"
	"-t)\n"
	"\th=$2\n"
	"\tIFS= read -r p || exit 1\n"
	"\ts=${h#\\{}; s=${s%%\\}*}\n"
	"\tif [ \"$(demo_hash \"$s\" \"$p\")\" = \"$h\" ]; then\n"
	"\t\techo \"$h (verified)\"\n"
	"\telse\n"
	"\t\techo \"doveadm: Fatal: reverse password verification check failed: Password mismatch\" >&2\n"
	"\t\texit 1\n"
	"\tfi ;;\n"
	"*) echo \"doveadm: the demo's sandbox knows pw -s SCHEME and pw -t HASH only\" >&2; exit 64 ;;\n"
	"esac\n";

/* See sandbox.h. */
const struct sandbox_file sandbox_files[] = {
	{ SANDBOX_BIN "/", NULL, 0700 },
	{ "postfix/", NULL, 0700 },
	{ "postfix/queue/", NULL, 0700 },
	{ "postfix/queue/active/", NULL, 0700 },
	{ "postfix/queue/deferred/", NULL, 0700 },
	{ "postfix/queue/hold/", NULL, 0700 },
	{ "dovecot/", NULL, 0700 },
	{ SANDBOX_BIN "/postqueue", sb_postqueue, 0700 },
	{ SANDBOX_BIN "/postsuper", sb_postsuper, 0700 },
	{ SANDBOX_BIN "/postmap", sb_postmap, 0700 },
	{ SANDBOX_BIN "/doveadm", sb_doveadm, 0700 },
	/* Postfix's access map, empty and built; Dovecot's deny file and
	   users (each account added when the replay first names it) */
	{ "postfix/main.cf", "# mailcon --demo: the sandbox's, read by no "
	    "Postfix\n", 0600 },
	{ SANDBOX_MAP, "", 0600 },
	{ SANDBOX_MAP ".db", "", 0600 },
	{ SANDBOX_DENY, "", 0600 },
	{ SANDBOX_PASSWD, "", 0600 },
	{ NULL, NULL, 0 }
};

/* See sandbox.h. */
const struct sandbox_option sandbox_options[] = {
	{ "postfix_config", "postfix" },
	{ "sasl_access_map", SANDBOX_MAP },
	{ "deny_file", SANDBOX_DENY },
	{ "passwd_file", SANDBOX_PASSWD },
	{ NULL, NULL }
};

/* s as the inside of a JSON string into buf; 0 when it does not fit. */
static int
sb_json(const struct mail_str *s, char *buf, size_t size)
{
	size_t		 i, n = 0;
	unsigned char	 c;

	for (i = 0; i < s->len; i++) {
		c = (unsigned char)s->p[i];
		if (n + 7 > size)
			return 0;
		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
			n += (size_t)snprintf(buf + n, size - n, "\\u%04x", c);
		else
			buf[n++] = (char)c;
	}
	buf[n] = '\0';
	return 1;
}

/* See sandbox.h. */
size_t
sandbox_event(const struct mail_event *ev, struct sandbox_change *out)
{
	static const char *const queues[] = { "active", "deferred", "hold" };
	char	 sender[SANDBOX_TEXT_MAX / 2];
	size_t	 i;

	switch (ev->kind) {
	case EV_QUEUED:
		if (!queue_id_is_valid(ev->qid.p, ev->qid.len) ||
		    !sb_json(&ev->sender, sender, sizeof(sender)))
			return 0;
		out[0].op = SANDBOX_WRITE;
		snprintf(out[0].path, sizeof(out[0].path),
		    "postfix/queue/deferred/%.*s", (int)ev->qid.len, ev->qid.p);
		snprintf(out[0].text, sizeof(out[0].text),
		    "\"queue_id\":\"%.*s\",\"arrival_time\":%lld,"
		    "\"message_size\":%llu,\"forced_expire\":false,"
		    "\"sender\":\"%s\",\"recipients\":[]}\n",
		    (int)ev->qid.len, ev->qid.p, (long long)ev->time,
		    (unsigned long long)ev->size, sender);
		return 1;
	case EV_REMOVED:
	case EV_DELETED:
		if (!queue_id_is_valid(ev->qid.p, ev->qid.len))
			return 0;
		for (i = 0; i < 3; i++) {
			out[i].op = SANDBOX_REMOVE;
			snprintf(out[i].path, sizeof(out[i].path),
			    "postfix/queue/%s/%.*s", queues[i],
			    (int)ev->qid.len, ev->qid.p);
			out[i].text[0] = '\0';
		}
		return 3;
	case EV_AUTH_OK:
	case EV_AUTH_FAIL:
	case EV_SUBMIT:
		if (ev->account.len == 0 || ev->account.len > 256 ||
		    !account_is_valid(ev->account.p, ev->account.len))
			return 0;
		out[0].op = SANDBOX_ACCOUNT;
		snprintf(out[0].path, sizeof(out[0].path), "%s",
		    SANDBOX_PASSWD);
		/* no password: nobody logs in to the sandbox; a reset sets one */
		snprintf(out[0].text, sizeof(out[0].text),
		    "%.*s:{DEMO}locked::::::\n", (int)ev->account.len,
		    ev->account.p);
		return 1;
	default:
		return 0;
	}
}
