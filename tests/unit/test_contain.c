/*
 * test_contain.c: the containment engine end to end (console/act/contain.c):
 * the dry run's exact commands, every refusal (hostile accounts, no
 * capability, no audit) with nothing run, and real runs of suspend,
 * unsuspend, password reset, hold and purge against files in a temporary
 * directory, audited in a temporary database.
 *
 * Real runs use the real postmap and doveadm when installed (skipped with
 * a reason otherwise), and for the queue a fake postqueue and postsuper
 * that keep the messages' state in files.
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <cmocka.h>

#include "unit_files.h"
#include "act/audit.h"
#include "act/contain.h"
#include "net/cmdrun.h"
#include "unit_server.h"

#define ACCT		"judy@example.test"
#define OTHER_LINE	"other@example.test\tREJECT other reason\n"
#define USERS		ACCT ":{PLAIN}old::::::\n" \
			"other@example.test:{PLAIN}x::::::\n"
#define POSTMAP		"/usr/sbin/postmap"
#define DOVEADM		"/usr/bin/doveadm"

/*
 * The fake queue: every id in $dir/queue ("ID SENDER" lines) is listed as
 * postqueue -j does, in the hold queue when $dir/held/ID exists, left out
 * when $dir/gone/ID does.
 */
static const char fake_postqueue[] =
    "#!/bin/sh\n"
    "dir=$(dirname \"$0\")/..\n"
    "while read -r id sender; do\n"
    "  [ -e \"$dir/gone/$id\" ] && continue\n"
    "  q=active; [ -e \"$dir/held/$id\" ] && q=hold\n"
    "  printf '{\"queue_name\": \"%s\", \"queue_id\": \"%s\", "
    "\"arrival_time\": 1795835873, \"message_size\": 467, "
    "\"forced_expire\": false, \"sender\": \"%s\", \"recipients\": "
    "[{\"address\": \"a@b.example\"}]}\\n' \"$q\" \"$id\" \"$sender\"\n"
    "done <\"$dir/queue\"\n";

/* The fake postsuper: its flag, the ids on stdin, the lines Postfix 3.7
   prints (as test_postsuper.c's). */
static const char fake_postsuper[] =
    "#!/bin/sh\n"
    "dir=$(dirname \"$0\")/..\n"
    "flag=\n"
    "for a; do case $a in -h|-H|-d) flag=$a ;; esac; done\n"
    "echo \"$*\" >>\"$dir/postsuper-runs\"\n"
    "case $flag in\n"
    "-h) verb='placed on hold'; sum='Placed on hold'; d=held ;;\n"
    "-H) verb='released from hold'; sum='Released from hold'; d= ;;\n"
    "-d) verb=removed; sum=Deleted; d=gone ;;\n"
    "*) echo \"postsuper: fatal: bad flag $flag\" >&2; exit 1 ;;\n"
    "esac\n"
    "mkdir -p \"$dir/held\" \"$dir/gone\"\n"
    "n=0\n"
    "while IFS= read -r id; do\n"
    "  if [ -n \"$d\" ]; then : >\"$dir/$d/$id\"; else "
    "rm -f \"$dir/held/$id\"; fi\n"
    "  echo \"postsuper: $id: $verb\" >&2; n=$((n+1))\n"
    "done\n"
    "[ $n = 1 ] && s= || s=s\n"
    "echo \"postsuper: $sum: $n message$s\" >&2\n";

/* One test's world: the files an action edits, the audit, the server. */
static struct fx {
	char			 dir[64];
	char			 deny[128], map[128], users[128], pfdir[128];
	char			 db[128], canary[128], path[128];
	char			 dovecot[128], doveadm[200];
	char			*queue[3];
	struct server_config	 sc;
	struct audit		*audit;
} fx;

/* A fresh directory with the files of a Postfix + Dovecot server. */
static int
setup(void **state)
{
	char	 maincf[160], *old = getenv("PATH");
	char	 path[4096], text[1024];

	memset(&fx, 0, sizeof(fx));
	strcpy(fx.dir, "/tmp/mc-contain.XXXXXX");
	uf_mkdtemp(fx.dir);
	uf_path(fx.deny, sizeof(fx.deny), fx.dir, "deny");
	uf_path(fx.map, sizeof(fx.map), fx.dir, "sasl_access");
	uf_path(fx.users, sizeof(fx.users), fx.dir, "users");
	uf_path(fx.pfdir, sizeof(fx.pfdir), fx.dir, "postfix");
	uf_path(fx.db, sizeof(fx.db), fx.dir, "audit.db");
	uf_path(fx.canary, sizeof(fx.canary), fx.dir, "canary");
	uf_path(fx.path, sizeof(fx.path), fx.dir, "bin");
	uf_write(fx.deny, "", 0644);
	uf_write(fx.map, OTHER_LINE, 0644);
	uf_write(fx.users, USERS, 0600);
	assert_int_equal(mkdir(fx.pfdir, 0755), 0);
	/* wired as the wiring check wants it (wiring.h) */
	snprintf(text, sizeof(text), "smtpd_recipient_restrictions = "
	    "check_sasl_access hash:%s, permit_sasl_authenticated, reject\n",
	    fx.map);
	uf_write_postfix(uf_path(maincf, sizeof(maincf), fx.pfdir, "main.cf"),
	    text);
	uf_write_postfix(uf_path(maincf, sizeof(maincf), fx.pfdir,
	    "master.cf"), "");
	uf_path(fx.dovecot, sizeof(fx.dovecot), fx.dir, "dovecot.conf");
	snprintf(text, sizeof(text), "protocols =\nssl = no\n"
	    "passdb {\n  driver = passwd-file\n  deny = yes\n  args = %s\n}\n"
	    "passdb {\n  driver = passwd-file\n  args = %s\n}\n"
	    "userdb {\n  driver = static\n  args = uid=nobody gid=nogroup\n}\n",
	    fx.deny, fx.users);
	uf_write(fx.dovecot, text, 0644);
	snprintf(fx.doveadm, sizeof(fx.doveadm), DOVEADM " -c %s",
	    fx.dovecot);
	fx.sc.name = "mx1";
	us_set(&fx.sc, "deny_file", fx.deny);
	us_set(&fx.sc, "sasl_access_map", fx.map);
	us_set(&fx.sc, "passwd_file", fx.users);
	us_set(&fx.sc, "postfix_config", fx.pfdir);
	us_set(&fx.sc, "doveadm", fx.doveadm);
	/* postmap is looked up in PATH; so is the fake postsuper */
	snprintf(path, sizeof(path), "%s:%s:/usr/sbin:/usr/bin:/sbin:/bin",
	    fx.path, old != NULL ? old : "");
	setenv("PATH", path, 1);
	return 0;
}

static int
teardown(void **state)
{
	config_action_free(&fx.sc.act);
	audit_close(fx.audit);
	uf_rmtree(fx.dir);
	return 0;
}

/* Open the test's audit database. */
static struct audit *
open_audit(void)
{
	char	 err[512];

	if ((fx.audit = audit_open(fx.db, err, sizeof(err))) == NULL)
		fail_msg("audit_open: %s", err);
	return fx.audit;
}

static struct contain_request
request(enum contain_action a, const char *account, int dry_run)
{
	struct contain_request	 r;

	memset(&r, 0, sizeof(r));
	r.action = a;
	r.server = &fx.sc;
	r.account = account;
	r.operator = "alice";
	r.dry_run = dry_run;
	return r;
}

/* Start and run to the end; the caller frees. */
static struct contain *
run(const struct contain_request *r, struct audit *a)
{
	struct contain	*c = contain_start(r, a, uf_now_ms());

	assert_non_null(c);
	contain_wait(c);
	return c;
}

/* The whole of a file of the fixture (fails the test when missing). */
static const char *
content(const char *path)
{
	static char	 buf[8192];

	if (uf_read(path, buf, sizeof(buf)) == -1)
		fail_msg("%s is missing", path);
	return buf;
}

/* Skip the test unless tool is installed. */
static void
need(const char *tool)
{
	if (access(tool, X_OK) != 0) {
		printf("SKIP: %s is not installed; the real run needs it\n",
		    tool);
		skip();
	}
}

struct rows {
	int		 n;
	int		 state[16];
	int		 exit_status[16];
	char		 action[16][32];
	char		 command[16][512];
	char		 verified[16][256];
	char		 account[16][256];
};

static int
collect(const struct audit_row *r, void *arg)
{
	struct rows	*k = arg;

	if (k->n < 16) {
		k->state[k->n] = r->state;
		k->exit_status[k->n] = r->has_exit ? r->exit_status : -1;
		snprintf(k->action[k->n], sizeof(k->action[0]), "%s",
		    r->action);
		snprintf(k->command[k->n], sizeof(k->command[0]), "%s",
		    r->command != NULL ? r->command : "");
		snprintf(k->verified[k->n], sizeof(k->verified[0]), "%s",
		    r->verified != NULL ? r->verified : "(null)");
		snprintf(k->account[k->n], sizeof(k->account[0]), "%s",
		    r->account);
	}
	k->n++;
	return 0;
}

/* Every row of the audit, once all writes are done. */
static struct rows *
rows(void)
{
	static struct rows	 k;

	memset(&k, 0, sizeof(k));
	assert_int_equal(audit_sync(fx.audit), 0);
	assert_int_equal(audit_list(fx.audit, 0, collect, &k), 0);
	return &k;
}

/* Is needle in the file's bytes (NULs and all)?  0 when it is missing. */
static int
file_has(const char *path, const char *needle)
{
	static char	 buf[4 << 20];
	size_t		 len = strlen(needle), i;
	long		 n;

	if ((n = uf_read(path, buf, sizeof(buf))) < (long)len)
		return 0;
	for (i = 0; i + len <= (size_t)n; i++)
		if (memcmp(buf + i, needle, len) == 0)
			return 1;
	return 0;
}

/* A dry run's exact commands; nothing changes, nothing is audited. */
static void
test_dry_run(void **state)
{
	struct contain_request	 r = request(CA_SUSPEND, ACCT, 1);
	struct contain		*c;
	const struct contain_result *res;
	char			 want[512];

	r.hold_first = 1;
	c = run(&r, NULL);
	res = contain_result(c);
	assert_int_equal(res->outcome, CO_DONE);
	assert_non_null(strstr(res->text, "dry run: nothing was run"));
	snprintf(want, sizeof(want), " mailcon-deny-add " ACCT " %s %s\n",
	    fx.deny, fx.users);
	assert_non_null(strstr(res->commands, want));
	snprintf(want, sizeof(want), " mailcon-map-add " ACCT " %s postmap "
	    "-c %s\n", fx.map, fx.pfdir);
	assert_non_null(strstr(res->commands, want));
	snprintf(want, sizeof(want), "\npostqueue -c %s -j  # read the "
	    "queue\n", fx.pfdir);
	assert_non_null(strstr(res->commands, want));
	snprintf(want, sizeof(want), "\npostsuper -c %s -h -  # stdin: the "
	    "ids of " ACCT "'s queued messages", fx.pfdir);
	assert_non_null(strstr(res->commands, want));
	snprintf(want, sizeof(want), " mailcon-check " ACCT " %s %s postmap "
	    "-c %s  # verify\n", fx.deny, fx.map, fx.pfdir);
	assert_non_null(strstr(res->commands, want));
	/* map before deny (mail first); every script through /bin/sh -c,
	   quoted */
	assert_true(strstr(res->commands, "mailcon-map-add") <
	    strstr(res->commands, "mailcon-deny-add"));
	assert_true(strncmp(res->commands, "/bin/sh -c '", 12) == 0);
	assert_null(strstr(res->commands, " ALL"));
	assert_string_equal(res->password, "");
	contain_free(c);

	/* unsuspend: the map first, then the deny file */
	r = request(CA_UNSUSPEND, ACCT, 1);
	c = run(&r, NULL);
	res = contain_result(c);
	assert_int_equal(res->outcome, CO_DONE);
	assert_non_null(strstr(res->commands, "mailcon-map-del " ACCT));
	assert_true(strstr(res->commands, "mailcon-map-del") <
	    strstr(res->commands, "mailcon-deny-del"));
	assert_null(strstr(res->commands, "postsuper"));
	contain_free(c);

	/* reset: the password goes on stdin, and none is made */
	r = request(CA_RESET, ACCT, 1);
	c = run(&r, NULL);
	res = contain_result(c);
	assert_int_equal(res->outcome, CO_DONE);
	snprintf(want, sizeof(want), " mailcon-passwd-set " ACCT " %s "
	    "SHA512-CRYPT " DOVEADM " -c %s  # stdin: the new password\n",
	    fx.users, fx.dovecot);
	assert_non_null(strstr(res->commands, want));
	assert_non_null(strstr(res->commands, " mailcon-passwd-check " ACCT));
	assert_string_equal(res->password, "");
	contain_free(c);

	/* a path a shell would split is quoted, as the audit shows it */
	us_set(&fx.sc, "deny_file", "/srv/mail conf/deny");
	r = request(CA_UNSUSPEND, ACCT, 1);
	c = run(&r, NULL);
	res = contain_result(c);
	assert_int_equal(res->outcome, CO_DONE);
	assert_non_null(strstr(res->commands, " mailcon-deny-del " ACCT
	    " '/srv/mail conf/deny'\n"));
	contain_free(c);
	us_set(&fx.sc, "deny_file", fx.deny);

	/* without postfix_config no -c; the account's '+' and '.' as is */
	us_unset(&fx.sc, "postfix_config");
	fx.queue[0] = "postqueue";
	fx.queue[1] = "-j";
	fx.sc.queue_argv = fx.queue;
	r = request(CA_PURGE, "o.brien+x@example.test", 1);
	c = run(&r, NULL);
	res = contain_result(c);
	assert_int_equal(res->outcome, CO_DONE);
	assert_non_null(strstr(res->commands, "postqueue -j  # read the "
	    "queue\npostsuper -d -  # stdin: the ids of "
	    "o.brien+x@example.test's queued messages"));
	contain_free(c);

	assert_string_equal(content(fx.deny), "");
	assert_string_equal(content(fx.map), OTHER_LINE);
	assert_string_equal(content(fx.users), USERS);
	assert_false(uf_exists(fx.db));
}

/* Hold, release, purge: postsuper [-c DIR] with their flag, never ALL. */
static void
test_dry_run_queue(void **state)
{
	static const char *const flag[] = { "-h", "-H", "-d" };
	struct contain_request	 r;
	struct contain		*c;
	const struct contain_result *res;
	char			 want[512];
	enum contain_action	 a;

	for (a = CA_HOLD; a <= CA_PURGE; a++) {
		r = request(a, ACCT, 1);
		c = run(&r, NULL);
		res = contain_result(c);
		assert_int_equal(res->outcome, CO_DONE);
		snprintf(want, sizeof(want), "postqueue -c %s -j  # read the "
		    "queue\npostsuper -c %s %s -  # stdin: ", fx.pfdir,
		    fx.pfdir, flag[a - CA_HOLD]);
		if (strncmp(res->commands, want, strlen(want)) != 0)
			fail_msg("%s: %s", contain_action_name(a),
			    res->commands);
		assert_null(strstr(res->commands, "ALL"));
		assert_null(strstr(res->commands, "mailcon-"));
		contain_free(c);
	}
}

/* Without an audit nothing runs, and the result says so. */
static void
test_no_audit(void **state)
{
	static const enum contain_action acts[] = { CA_SUSPEND,
	    CA_UNSUSPEND, CA_RESET, CA_HOLD, CA_PURGE };
	struct contain_request	 r;
	struct contain		*c;
	const struct contain_result *res;
	size_t			 i;

	for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		r = request(acts[i], ACCT, 0);
		c = contain_start(&r, NULL, uf_now_ms());
		res = contain_result(c);
		/* finished before any step */
		assert_int_equal(contain_step(c, uf_now_ms()), 1);
		assert_int_equal(contain_fds(c, NULL), 0);
		assert_int_equal(res->outcome, CO_REFUSED);
		assert_non_null(strstr(res->text, "refused, nothing run"));
		assert_non_null(strstr(res->text, "audit"));
		assert_string_equal(res->password, "");
		contain_free(c);
	}
	assert_string_equal(content(fx.deny), "");
	assert_string_equal(content(fx.map), OTHER_LINE);
	assert_string_equal(content(fx.users), USERS);
}

/*
 * Hostile accounts are refused before anything, dry run or not, even
 * with an audit open: no command, no audit row, no canary file.
 */
static void
test_injection(void **state)
{
	const char	*hostile[12];
	char		 touch[256], semi[256], subst[256], tick[256];
	struct contain_request r;
	struct contain	*c;
	const struct contain_result *res;
	enum contain_action a;
	size_t		 i, n = 0;
	int		 dry;

	snprintf(touch, sizeof(touch), "$(touch %s)", fx.canary);
	snprintf(semi, sizeof(semi), "judy;touch %s", fx.canary);
	snprintf(subst, sizeof(subst), "judy$(touch${IFS}%s)@example.test",
	    fx.canary);
	snprintf(tick, sizeof(tick), "`touch %s`", fx.canary);
	hostile[n++] = "o'brien@example.test";
	hostile[n++] = semi;
	hostile[n++] = touch;
	hostile[n++] = subst;
	hostile[n++] = tick;
	hostile[n++] = "judy @example.test";
	hostile[n++] = "judy\n@example.test";
	hostile[n++] = "-judy@example.test";
	hostile[n++] = "ALL";
	hostile[n++] = "all";
	hostile[n++] = "";
	hostile[n++] = NULL;
	open_audit();
	for (i = 0; i < n; i++)
		for (a = 0; a < CA_COUNT; a++)
			for (dry = 0; dry <= 1; dry++) {
				/* the queue actions move ids: "ALL" names
				   no command there (test_queue_any_login) */
				if (hostile[i] != NULL && a >= CA_HOLD &&
				    strcasecmp(hostile[i], "ALL") == 0)
					continue;
				r = request(a, hostile[i], dry);
				r.hold_first = 1;
				c = run(&r, fx.audit);
				res = contain_result(c);
				if (res->outcome != CO_REFUSED)
					fail_msg("account %zu: %s %s", i,
					    contain_action_name(a), res->text);
				assert_non_null(strstr(res->text,
				    "refused, nothing run: the account"));
				assert_null(strchr(res->text, '\n'));
				assert_string_equal(res->commands, "");
				assert_string_equal(res->password, "");
				if (hostile[i] == NULL)
					assert_non_null(strstr(res->text,
					    "is missing"));
				contain_free(c);
			}
	assert_false(uf_exists(fx.canary));
	assert_int_equal(rows()->n, 0);
	assert_string_equal(content(fx.deny), "");
	assert_string_equal(content(fx.map), OTHER_LINE);
	assert_string_equal(content(fx.users), USERS);
}

/* Expect request r refused with because in its text. */
static void
refused(const struct contain_request *r, const char *because)
{
	struct contain	*c = run(r, fx.audit);
	const struct contain_result *res = contain_result(c);

	assert_int_equal(res->outcome, CO_REFUSED);
	if (strstr(res->text, because) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", res->text, because);
	assert_non_null(strstr(res->text, "refused, nothing run"));
	assert_string_equal(res->commands, "");
	contain_free(c);
}

/* No such action, no server, a server that cannot: refused, saying why. */
static void
test_refused(void **state)
{
	struct contain_request	 r;
	struct server_config	 bare;
	int			 dry;

	open_audit();
	memset(&bare, 0, sizeof(bare));
	bare.name = "mx2";
	for (dry = 0; dry <= 1; dry++) {
		r = request(CA_COUNT, ACCT, dry);
		refused(&r, "no such action");
		r = request((enum contain_action)-1, ACCT, dry);
		refused(&r, "no such action");
		r = request(CA_SUSPEND, ACCT, dry);
		r.server = NULL;
		refused(&r, "no server");
		r.server = &bare;
		refused(&r, "set deny_file and sasl_access_map");
		r.action = CA_RESET;
		refused(&r, "set passwd_file");
		r.action = CA_PURGE;
		refused(&r, "set postfix_config");
		/* a site's template that refuses the account at run time */
		bare.act.suspend_command = "/usr/local/sbin/lock %{domain}";
		r = request(CA_SUSPEND, "judy", dry);
		r.server = &bare;
		refused(&r, "%{domain}");
		bare.act.suspend_command = NULL;
	}
	assert_int_equal(rows()->n, 0);
}

/* Suspend then unsuspend with the real postmap, audited. */
static void
test_suspend_unsuspend(void **state)
{
	struct contain_request	 r;
	struct contain		*c;
	const struct contain_result *res;
	struct rows		*k;
	char			 db[160];
	int			 i;

	need(POSTMAP);
	open_audit();
	r = request(CA_SUSPEND, ACCT, 0);
	c = run(&r, fx.audit);
	res = contain_result(c);
	if (res->outcome != CO_DONE)
		fail_msg("suspend: %s", res->text);
	assert_int_equal(res->verified, 1);
	assert_non_null(strstr(res->text, "logins and mail refused"));
	contain_free(c);
	assert_string_equal(content(fx.deny), ACCT "\n");
	assert_string_equal(content(fx.map), OTHER_LINE ACCT "\tREJECT 5.7.1 "
	    "account suspended by mailcon\n");
	snprintf(db, sizeof(db), "%s.db", fx.map);
	assert_true(uf_exists(db));

	/* again: nothing doubles */
	c = run(&r, fx.audit);
	assert_int_equal(contain_result(c)->outcome, CO_DONE);
	contain_free(c);
	assert_string_equal(content(fx.deny), ACCT "\n");
	assert_string_equal(content(fx.map), OTHER_LINE ACCT "\tREJECT 5.7.1 "
	    "account suspended by mailcon\n");

	r.action = CA_UNSUSPEND;
	c = run(&r, fx.audit);
	res = contain_result(c);
	if (res->outcome != CO_DONE)
		fail_msg("unsuspend: %s", res->text);
	assert_int_equal(res->verified, 1);
	contain_free(c);
	assert_string_equal(content(fx.deny), "");
	assert_string_equal(content(fx.map), OTHER_LINE);

	/*
	 * Audited, intent -> done: suspend refuses mail, then (no smtpd
	 * pids known here: no step to end them) logins, then ends its
	 * Dovecot sessions (doveadm kick); unsuspend undoes the first two.
	 * The check is read-only.
	 */
	k = rows();
	assert_int_equal(k->n, 8);
	for (i = 0; i < 8; i++) {
		assert_int_equal(k->state[i], AUDIT_DONE);
		assert_int_equal(k->exit_status[i], 0);
		assert_string_equal(k->verified[i], "ok");
		assert_string_equal(k->account[i], ACCT);
		assert_string_equal(k->action[i], i < 6 ? "suspend" :
		    "unsuspend");
	}
	/* mail first (what stops the flow), then logins */
	assert_non_null(strstr(k->command[0], "mailcon-map-add " ACCT));
	assert_non_null(strstr(k->command[1], "mailcon-deny-add " ACCT));
	assert_non_null(strstr(k->command[2], "mailcon-kick " ACCT));
	assert_non_null(strstr(k->command[6], "mailcon-map-del " ACCT));
	assert_non_null(strstr(k->command[7], "mailcon-deny-del " ACCT));
	/* the audit shows the step, not the script's text */
	assert_null(strstr(k->command[0], "set -eu"));
}

/*
 * doveadm failing, or missing, when the suspension ends the account's
 * Dovecot sessions: the suspension stands (mail and logins refused), the
 * result says the sessions were not ended and why, and the step is
 * audited as failed.
 */
static void
test_suspend_kick_fails(void **state)
{
	static const char *const tools[] = {
		"#!/bin/sh\n"
		"case $* in *kick*) echo 'doveadm(root): Error: anvil lookup "
		    "failed' >&2; exit 1 ;; esac\n"
		"exec " DOVEADM " \"$@\"\n",
		NULL,
	};
	struct contain_request	 r = request(CA_SUSPEND, ACCT, 0);
	struct contain		*c;
	const struct contain_result *res;
	struct rows		*k;
	char			 fake[160];
	size_t			 i, t;

	need(POSTMAP);
	for (t = 0; t < 2; t++) {
		if (tools[t] != NULL) {
			uf_write(uf_path(fake, sizeof(fake), fx.dir,
			    "doveadm"), tools[t], 0755);
			snprintf(fake + strlen(fake), sizeof(fake) -
			    strlen(fake), " -c %s", fx.dovecot);
		} else
			uf_path(fake, sizeof(fake), fx.dir, "no-doveadm");
		us_set(&fx.sc, "doveadm", fake);
		open_audit();
		c = run(&r, fx.audit);
		res = contain_result(c);
		assert_non_null(strstr(res->text, "logins and mail refused"));
		if (strstr(res->text, "IMAP/POP3 sessions were not ended") ==
		    NULL)
			fail_msg("doveadm %s: %s", t == 0 ? "failing" :
			    "missing", res->text);
		if (t == 0)
			assert_non_null(strstr(res->text, "anvil lookup "
			    "failed"));
		contain_free(c);
		assert_string_equal(content(fx.deny), ACCT "\n");
		/* this run's kick: the last one audited */
		k = rows();
		for (i = k->n; i > 0; i--)
			if (strstr(k->command[i - 1], "mailcon-kick") != NULL)
				break;
		assert_true(i > 0);
		assert_int_equal(k->state[i - 1], AUDIT_FAILED);
		audit_close(fx.audit);
		fx.audit = NULL;
	}
}

/* An account the passwd-file does not know: nothing changes. */
static void
test_suspend_unknown(void **state)
{
	struct contain_request	 r = request(CA_SUSPEND,
	    "nobody@example.test", 0);
	struct contain		*c;
	const struct contain_result *res;
	struct rows		*k;

	open_audit();
	c = run(&r, fx.audit);
	res = contain_result(c);
	assert_int_equal(res->outcome, CO_FAILED);
	assert_non_null(strstr(res->text, "nothing changed"));
	assert_non_null(strstr(res->text, "no account nobody@example.test"));
	contain_free(c);
	assert_string_equal(content(fx.deny), "");
	assert_string_equal(content(fx.map), OTHER_LINE);
	/* the map entry first, then the login refused, then the entry
	   taken out again */
	k = rows();
	assert_int_equal(k->n, 3);
	assert_int_equal(k->state[0], AUDIT_DONE);
	assert_int_equal(k->state[1], AUDIT_FAILED);
	assert_int_equal(k->exit_status[1], 3);
	assert_int_equal(k->state[2], AUDIT_DONE);
}

/* The deny step fails: the map entry is undone; postmap fails: nothing
   else runs. */
static void
test_suspend_undo(void **state)
{
	struct contain_request	 r = request(CA_SUSPEND, ACCT, 0);
	struct contain		*c;
	const struct contain_result *res;
	struct rows		*k;

	need(POSTMAP);
	open_audit();
	/* the deny file read-only: refusing logins fails after the map */
	assert_int_equal(chmod(fx.deny, 0444), 0);
	c = run(&r, fx.audit);
	res = contain_result(c);
	assert_int_equal(chmod(fx.deny, 0644), 0);
	assert_int_equal(res->outcome, CO_FAILED);
	assert_non_null(strstr(res->text, "refusing its logins failed"));
	assert_non_null(strstr(res->text, "its mail was allowed again: "
	    "nothing changed"));
	contain_free(c);
	assert_string_equal(content(fx.deny), "");
	assert_string_equal(content(fx.map), OTHER_LINE);
	k = rows();
	assert_int_equal(k->n, 3);
	assert_int_equal(k->state[0], AUDIT_DONE);
	assert_int_equal(k->state[1], AUDIT_FAILED);
	assert_int_equal(k->state[2], AUDIT_DONE);
	assert_non_null(strstr(k->command[2], "mailcon-map-del " ACCT));

	/* the map failing first: nothing else runs */
	r = request(CA_SUSPEND, ACCT, 0);
	us_set(&fx.sc, "postfix_config", "/nonexistent-postfix");
	c = run(&r, fx.audit);
	res = contain_result(c);
	assert_int_equal(res->outcome, CO_FAILED);
	assert_non_null(strstr(res->text, "nothing changed: refusing its "
	    "mail failed"));
	contain_free(c);
	assert_string_equal(content(fx.deny), "");
	assert_int_equal(rows()->n, 4);
}

/* A new password with the real doveadm; it is never in the database. */
static void
test_reset(void **state)
{
	struct contain_request	 r = request(CA_RESET, ACCT, 0);
	struct contain		*c;
	const struct contain_result *res;
	struct cmdrun		*check;
	struct rows		*k;
	char			 pw[CONTAIN_PW_LEN + 2], line[1024], *nl;
	char			 wal[160], err[256];
	const char		*users;
	char *const		 test_argv[] = { DOVEADM, "pw", "-t", line +
	    strlen(ACCT ":"), NULL };

	need(DOVEADM);
	open_audit();
	c = run(&r, fx.audit);
	res = contain_result(c);
	if (res->outcome != CO_DONE)
		fail_msg("reset: %s", res->text);
	if (res->verified != 1)
		fail_msg("reset not verified: %s", res->verify);
	assert_int_equal(strlen(res->password), CONTAIN_PW_LEN);
	snprintf(pw, sizeof(pw), "%s\n", res->password);
	assert_null(strstr(res->text, res->password));
	contain_free(c);

	/* the line's hash is new, its other fields and other lines kept */
	users = content(fx.users);
	assert_non_null(strstr(users, "\nother@example.test:{PLAIN}x::::::\n"));
	snprintf(line, sizeof(line), "%s", users);
	assert_non_null(nl = strchr(line, '\n'));
	*nl = '\0';
	assert_true(strncmp(line, ACCT ":{SHA512-CRYPT}$6$", 33) == 0);
	assert_true(strlen(line) > 6 &&
	    strcmp(line + strlen(line) - 6, "::::::") == 0);
	*strchr(line + strlen(ACCT ":"), ':') = '\0';

	/* the hash matches the password shown, by doveadm's own word */
	check = cmdrun_start(test_argv, pw, strlen(pw), uf_now_ms(), 60000,
	    err, sizeof(err));
	assert_non_null(check);
	if (cmdrun_wait(check) != 1)
		fail_msg("doveadm pw -t: %s", cmdrun_error(check));
	cmdrun_free(check);
	/* and not the empty password (doveadm's retype read EOF) */
	check = cmdrun_start(test_argv, "\n", 1, uf_now_ms(), 60000, err,
	    sizeof(err));
	assert_non_null(check);
	assert_int_equal(cmdrun_wait(check), -1);
	cmdrun_free(check);

	k = rows();
	assert_int_equal(k->n, 1);
	assert_int_equal(k->state[0], AUDIT_DONE);
	assert_string_equal(k->verified[0], "ok");
	assert_non_null(strstr(k->command[0], "mailcon-passwd-set " ACCT));
	audit_close(fx.audit);
	fx.audit = NULL;
	pw[CONTAIN_PW_LEN] = '\0';
	assert_false(file_has(fx.db, pw));
	snprintf(wal, sizeof(wal), "%s-wal", fx.db);
	assert_false(file_has(wal, pw));
	explicit_bzero(pw, sizeof(pw));
}

/* Reset judy's password with script as doveadm, audited; the caller
   frees. */
static struct contain *
reset_with(const char *script)
{
	struct contain_request	 r = request(CA_RESET, ACCT, 0);
	char			 fake[160];

	uf_write(uf_path(fake, sizeof(fake), fx.dir, "doveadm"), script,
	    0755);
	us_set(&fx.sc, "doveadm", fake);
	open_audit();
	return run(&r, fx.audit);
}

/*
 * A doveadm that hashes some other password (as doveadm pw does with one
 * line of stdin): the passwd-file is left as it was.
 */
static void
test_reset_wrong_hash(void **state)
{
	struct contain		*c;
	const struct contain_result *res;

	c = reset_with("#!/bin/sh\n"
	    "cat >/dev/null\n"
	    "case $2 in -s) echo '{PLAIN}not-the-password' ;; *) exit 1 ;; "
	    "esac\n");
	res = contain_result(c);
	assert_int_equal(res->outcome, CO_FAILED);
	assert_non_null(strstr(res->text, "nothing changed"));
	assert_non_null(strstr(res->text, "hash of another password"));
	contain_free(c);
	assert_string_equal(content(fx.users), USERS);
	assert_int_equal(rows()->state[0], AUDIT_FAILED);
}

/*
 * A doveadm that echoes the password it reads (as a broken or chatty
 * tool may): the password is in no text shown or stored, nor in the
 * database or its -wal.
 */
static void
test_reset_echo(void **state)
{
	struct contain		*c;
	const struct contain_result *res;
	struct rows		*k;
	char			 pw[CONTAIN_PW_LEN + 1], wal[160];
	int			 i;

	c = reset_with("#!/bin/sh\n"
	    "IFS= read -r p\n"
	    "echo \"doveadm: cannot hash $p: no entropy\" >&2\n"
	    "exit 75\n");
	res = contain_result(c);
	assert_int_equal(res->outcome, CO_FAILED);
	snprintf(pw, sizeof(pw), "%s", res->password);
	assert_int_equal(strlen(pw), CONTAIN_PW_LEN);
	/* the words around it are kept, so the admin sees what happened */
	assert_non_null(strstr(res->text, "cannot hash <secret>"));
	assert_null(strstr(res->text, pw));
	assert_null(strstr(res->verify, pw));
	contain_free(c);
	k = rows();
	assert_true(k->n >= 1);
	for (i = 0; i < k->n && i < 16; i++) {
		assert_null(strstr(k->command[i], pw));
		assert_null(strstr(k->verified[i], pw));
	}
	/* open: the rows are in the -wal */
	snprintf(wal, sizeof(wal), "%s-wal", fx.db);
	assert_true(file_has(fx.db, "mailcon-passwd-set") ||
	    file_has(wal, "mailcon-passwd-set"));	/* the grep works */
	assert_true(file_has(fx.db, "cannot hash <secret>") ||
	    file_has(wal, "cannot hash <secret>"));
	assert_false(file_has(fx.db, pw));
	assert_false(file_has(wal, pw));
	audit_close(fx.audit);
	fx.audit = NULL;
	assert_false(file_has(fx.db, pw));
	explicit_bzero(pw, sizeof(pw));
}

/* The fake queue: judy's two messages, one she sent under a forged
   sender (the logs tie it to her), and someone else's. */
static void
fake_queue(void)
{
	char	 p[160];

	assert_int_equal(mkdir(fx.path, 0755), 0);
	uf_write(uf_path(p, sizeof(p), fx.path, "postqueue"), fake_postqueue,
	    0755);
	uf_write(uf_path(p, sizeof(p), fx.path, "postsuper"), fake_postsuper,
	    0755);
	uf_write(uf_path(p, sizeof(p), fx.dir, "queue"),
	    "3DD15106D83 " ACCT "\n"
	    "4BB15106D84 ceo@bank.test\n"
	    "5CC15106D85 other@example.test\n"
	    "6DD15106D86 " ACCT "\n", 0644);
	fx.queue[0] = strdup(uf_path(p, sizeof(p), fx.path, "postqueue"));
	fx.sc.queue_argv = fx.queue;
}

/* contain_owns_cb: the logs say 4BB15106D84 came from judy's session. */
static int
owns(const char *qid, size_t len, void *arg)
{
	(*(int *)arg)++;
	return len == 11 && memcmp(qid, "4BB15106D84", 11) == 0;
}

/* Hold then purge one account's mail; another's is never touched. */
static void
test_hold_purge(void **state)
{
	struct contain_request	 r = request(CA_HOLD, ACCT, 0);
	struct contain		*c;
	const struct contain_result *res;
	struct rows		*k;
	char			 p[512], runs[160];
	int			 asked = 0;

	fake_queue();
	open_audit();
	r.owns = owns;
	r.owns_arg = &asked;
	c = run(&r, fx.audit);
	res = contain_result(c);
	if (res->outcome != CO_DONE)
		fail_msg("hold: %s", res->text);
	assert_true(asked > 0);
	assert_int_equal(res->selected, 3);
	assert_int_equal(res->done, 3);
	assert_int_equal(res->verified, 1);
	assert_non_null(strstr(res->text, "3 of 3 queued messages held"));
	contain_free(c);
	assert_true(uf_exists(uf_path(p, sizeof(p), fx.dir,
	    "held/3DD15106D83")));
	assert_true(uf_exists(uf_path(p, sizeof(p), fx.dir,
	    "held/4BB15106D84")));
	assert_false(uf_exists(uf_path(p, sizeof(p), fx.dir,
	    "held/5CC15106D85")));

	/* held again: nothing left to hold, nothing run */
	c = run(&r, fx.audit);
	res = contain_result(c);
	assert_int_equal(res->outcome, CO_DONE);
	assert_int_equal(res->selected, 0);
	assert_non_null(strstr(res->text, "no queued messages"));
	contain_free(c);

	r.action = CA_PURGE;
	c = run(&r, fx.audit);
	res = contain_result(c);
	if (res->outcome != CO_DONE)
		fail_msg("purge: %s", res->text);
	assert_int_equal(res->done, 3);
	assert_int_equal(res->verified, 1);
	contain_free(c);
	assert_true(uf_exists(uf_path(p, sizeof(p), fx.dir,
	    "gone/6DD15106D86")));
	assert_false(uf_exists(uf_path(p, sizeof(p), fx.dir,
	    "gone/5CC15106D85")));

	/* the command run is the one audited: ids on stdin, never ALL; the
	   purge told the queue the read saw them in (held by then) */
	snprintf(p, sizeof(p), "-c %s -h -\n-c %s -d - hold\n", fx.pfdir,
	    fx.pfdir);
	assert_string_equal(content(uf_path(runs, sizeof(runs), fx.dir,
	    "postsuper-runs")), p);
	k = rows();
	assert_int_equal(k->n, 2);
	snprintf(p, sizeof(p), "postsuper -c %s -h -", fx.pfdir);
	assert_string_equal(k->command[0], p);
	assert_int_equal(k->state[0], AUDIT_DONE);
	assert_string_equal(k->verified[0], "ok");
	assert_string_equal(k->action[1], "purge");
	assert_int_equal(k->state[1], AUDIT_DONE);
	free(fx.queue[0]);
}

/*
 * Hold, release and purge work for any login the detector tracks, even
 * one no command may name ("ALL", ".x"): they move queue ids, on stdin.
 */
static void
test_queue_any_login(void **state)
{
	static const char *const names[] = { "ALL", ".hidden@example.test",
	    "j\xc3\xbcrgen@example.test" };
	struct contain_request	 r;
	struct contain		*c;
	const struct contain_result *res;
	char			 p[512], runs[160], why[256];
	int			 asked = 0;
	size_t			 i;

	fake_queue();
	open_audit();
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_true(contain_account_ok(CA_HOLD, names[i], why,
		    sizeof(why)));
		r = request(CA_HOLD, names[i], 0);
		r.owns = owns;
		r.owns_arg = &asked;
		c = run(&r, fx.audit);
		res = contain_result(c);
		if (res->outcome != CO_DONE)
			fail_msg("hold %s: %s", names[i], res->text);
		/* only the message its logins sent; ALL is not everything */
		assert_int_equal(res->selected, i == 0 ? 1 : 0);
		contain_free(c);
	}
	assert_false(contain_account_ok(CA_SUSPEND, "ALL", why, sizeof(why)));
	assert_false(contain_account_ok(CA_SUSPEND, ".hidden@example.test",
	    why, sizeof(why)));
	assert_true(uf_exists(uf_path(p, sizeof(p), fx.dir,
	    "held/4BB15106D84")));
	assert_false(uf_exists(uf_path(p, sizeof(p), fx.dir,
	    "held/3DD15106D83")));
	snprintf(p, sizeof(p), "-c %s -h -\n", fx.pfdir);
	assert_string_equal(content(uf_path(runs, sizeof(runs), fx.dir,
	    "postsuper-runs")), p);
	free(fx.queue[0]);
}

/*
 * Suspend on a server whose live configuration reads neither file: the
 * files change, but the result says so ("files updated") with the lines
 * to add, it is partly done, and the verification fails: never "logins
 * and mail refused".
 */
static void
test_suspend_unwired(void **state)
{
	struct contain_request	 r;
	struct contain		*c;
	const struct contain_result *res;
	char			 maincf[160], want[512];

	need(POSTMAP);
	need(DOVEADM);
	uf_write_postfix(uf_path(maincf, sizeof(maincf), fx.pfdir, "main.cf"),
	    "smtpd_recipient_restrictions = permit_sasl_authenticated, "
	    "reject\n");
	uf_write(fx.dovecot, "protocols =\nssl = no\npassdb {\n  driver = "
	    "passwd-file\n  args = /nonexistent/users\n}\n", 0644);
	open_audit();
	r = request(CA_SUSPEND, ACCT, 0);
	c = run(&r, fx.audit);
	res = contain_result(c);
	assert_int_equal(res->outcome, CO_PARTIAL);
	assert_int_equal(res->verified, 0);
	assert_null(strstr(res->text, "logins and mail refused"));
	assert_non_null(strstr(res->text, "files updated; "));
	snprintf(want, sizeof(want), "Postfix does not read the map %s: add "
	    "check_sasl_access hash:%s to smtpd_recipient_restrictions",
	    fx.map, fx.map);
	assert_non_null(strstr(res->text, want));
	snprintf(want, sizeof(want), "add, first among the passdbs: passdb { "
	    "driver = passwd-file  deny = yes  args = %s }", fx.deny);
	assert_non_null(strstr(res->text, want));
	assert_non_null(strstr(res->verify, "not in effect: "));
	/* the files did change */
	assert_string_equal(content(fx.deny), ACCT "\n");
	contain_free(c);
}

/*
 * The dry run's numbered summary: which file gets which line, the checks
 * it made (the wiring), and a missing main.cf found before anything runs.
 */
static void
test_dry_run_summary(void **state)
{
	struct contain_request	 r = request(CA_SUSPEND, ACCT, 1);
	struct contain		*c;
	const struct contain_result *res;
	char			 want[512], bad[160];

	need(POSTMAP);
	need(DOVEADM);
	r.hold_first = 0;
	c = run(&r, NULL);
	res = contain_result(c);
	assert_int_equal(res->outcome, CO_DONE);
	snprintf(want, sizeof(want), "  1. %s gets the line \"" ACCT "\": "
	    "refuse its logins", fx.deny);
	assert_non_null(strstr(res->summary, want));
	snprintf(want, sizeof(want), "  2. %s gets the line \"" ACCT
	    "<TAB>REJECT 5.7.1 account suspended by mailcon\"", fx.map);
	if (strstr(res->summary, want) == NULL)
		fail_msg("no \"%s\" in:\n%s", want, res->summary);
	snprintf(want, sizeof(want), "  ok    Postfix reads the map %s",
	    fx.map);
	assert_non_null(strstr(res->summary, want));
	assert_non_null(strstr(res->summary, "  ok    Dovecot reads the deny "
	    "file"));
	assert_non_null(strstr(res->summary, "All checks passed."));
	assert_int_equal(res->checks_failed, 0);
	contain_free(c);

	uf_path(bad, sizeof(bad), fx.dir, "no-such-postfix");
	us_set(&fx.sc, "postfix_config", bad);
	c = run(&r, NULL);
	res = contain_result(c);
	snprintf(want, sizeof(want), "  FAIL  Postfix's configuration could "
	    "not be read (postconf -nx: postconf: fatal: open %s/main.cf: No "
	    "such file or directory)", bad);
	if (strstr(res->summary, want) == NULL)
		fail_msg("no \"%s\" in:\n%s", want, res->summary);
	assert_true(res->checks_failed > 0);
	assert_non_null(strstr(res->summary, "FAILED"));
	/* nothing changed */
	assert_string_equal(content(fx.deny), "");
	contain_free(c);
}

/* Logins Dovecot and Postfix take (other scripts, '%') are suspended. */
static void
test_suspend_any_script(void **state)
{
	static const char *const names[] = { "j\xc3\xbcrgen@example.test",
	    "\xd0\xb6\xd0\xb5\xd0\xbd\xd1\x8f@example.test",
	    "100%club@example.test" };
	struct contain_request	 r;
	struct contain		*c;
	const struct contain_result *res;
	char			 deny[512], users[512];
	size_t			 i;

	need(POSTMAP);
	snprintf(users, sizeof(users), "%s:{PLAIN}x::::::\n%s:{PLAIN}x::::::"
	    "\n%s:{PLAIN}x::::::\n", names[0], names[1], names[2]);
	uf_write(fx.users, users, 0600);
	open_audit();
	deny[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		r = request(CA_SUSPEND, names[i], 0);
		c = run(&r, fx.audit);
		res = contain_result(c);
		if (res->outcome != CO_DONE || res->verified != 1)
			fail_msg("suspend %s: %s; %s", names[i], res->text,
			    res->verify);
		contain_free(c);
		snprintf(deny + strlen(deny), sizeof(deny) - strlen(deny),
		    "%s\n", names[i]);
		assert_string_equal(content(fx.deny), deny);
	}
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test_setup_teardown(test_dry_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dry_run_queue, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dry_run_summary, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_suspend_unwired, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_audit, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_injection, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_suspend_unsuspend, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_suspend_kick_fails, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_suspend_unknown, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_suspend_undo, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_echo, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reset_wrong_hash, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_queue_any_login, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_suspend_any_script, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_hold_purge, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
