/*
 * test_backend.c: the backend seam (backends/backend.h) as the console
 * uses it: the registry and the options of all backends, the templates
 * and their typed placeholders, the probe, a server's mail systems from
 * its keys, and capabilities read: a test backend whose queue and
 * account ops are NULL makes hold, release, purge and suspend "not
 * supported by <backend>", refused in one line with nothing run.  A
 * second test backend takes its ids as arguments (as Exim's -Mrm will)
 * and lists its queue over several lines per message (as exim -bp does):
 * the runner batches by bytes, counts what the tool said, the snapshot
 * takes messages that span lines and ids with a character a record
 * cannot keep.  A third takes both roles and acts through an API that
 * answers in JSON whatever its exit status (as cPanel's whmapi1 and uapi
 * do): its answer decides.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "unit_files.h"
#include "act/audit.h"
#include "act/contain.h"
#include "act/queue.h"
#include "act/queue_op.h"
#include "config/config.h"
#include "config/probe.h"
#include "net/cmdrun.h"
#include "unit_server.h"

/* A mail system that reads its logs and can do nothing else. */
static const struct mail_backend test_bare = {
	.name = "bare",
	.roles = BROLE_MTA | BROLE_AUTH,
};

/*
 * The second test backend's queue listing: "ID SENDER" starts a message,
 * indented lines are its recipients, a blank line ends it.
 */
static int
tq_parse_line(struct queue_parse *st, const char *line, size_t len,
    struct queue_msg *out)
{
	const char	*sp;

	if (len == 0) {
		if (!st->have)
			return QUEUE_PARSE_MORE;
		*out = st->msg;
		st->have = 0;
		return QUEUE_PARSE_OK;
	}
	if (line[0] == ' ') {
		if (!st->have)
			return QUEUE_PARSE_SYNTAX;
		st->msg.nrcpt++;
		return QUEUE_PARSE_MORE;
	}
	if ((sp = memchr(line, ' ', len)) == NULL ||
	    (size_t)(sp - line) > QUEUE_ID_MAX)
		return QUEUE_PARSE_SYNTAX;
	memset(&st->msg, 0, sizeof(st->msg));
	memcpy(st->msg.queue_id, line, (size_t)(sp - line));
	st->msg.queue_id_len = (size_t)(sp - line);
	st->msg.queue = QUEUE_DEFERRED;
	st->msg.sender_hash = queue_sender_hash(sp + 1,
	    len - (size_t)(sp - line) - 1);
	st->have = 1;
	return QUEUE_PARSE_MORE;
}

/* The listing ended without its blank line: the message still counts. */
static int
tq_parse_end(struct queue_parse *st, struct queue_msg *out)
{
	if (!st->have)
		return 0;
	*out = st->msg;
	st->have = 0;
	return 1;
}

/* Ids of letters and digits, 4 to 8 of them. */
static int
tq_id_valid(const char *p, size_t len)
{
	size_t	 i;

	if (len < 4 || len > 8)
		return 0;
	for (i = 0; i < len; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'A' &&
		    p[i] <= 'Z')))
			return 0;
	return 1;
}

/* "ID removed", "ID locked" (busy), "ID gone" (not done), anything else
   is the tool's noise. */
static void
tq_line(enum queue_op op, const char *p, size_t len, struct queue_line *out)
{
	const char	*sp = memchr(p, ' ', len);

	memset(out, 0, sizeof(*out));
	if (sp == NULL)
		return;
	if ((size_t)(p + len - sp) == 8 && memcmp(sp, " removed", 8) == 0)
		out->kind = QLINE_DONE;
	else if ((size_t)(p + len - sp) == 7 && memcmp(sp, " locked", 7) == 0)
		out->kind = QLINE_BUSY;
	else if ((size_t)(p + len - sp) == 5 && memcmp(sp, " gone", 5) == 0)
		out->kind = QLINE_NOT_DONE;
	out->id.p = p;
	out->id.len = (size_t)(sp - p);
}

static const char *const tq_delete_args[] = { "-rm", NULL };
static const char *const tq_tool[] = { "%{tq_tool}", NULL };
static const char *const tq_list[] = { "%{tq_tool}", "-list", NULL };

static const struct backend_queue_op tq_delete = {
	.args = tq_delete_args,
	.ids = QIDS_ARGV,
	.batch_max = 3,
	.argv_max = 18,		/* three ids of 4 bytes and a newline each */
	.line = tq_line,
};

static const struct backend_option tq_options[] = {
	{ "tq_tool", BOPT_COMMAND, NULL, "the test tool", "a command" },
	{ NULL, BOPT_PATH, NULL, NULL, NULL }
};

static const struct backend_queue tq_queue = {
	.list = tq_list,
	.list_name = "tq -list",
	.hint = "is the test tool there?",
	.id_valid = tq_id_valid,
	.parse_line = tq_parse_line,
	.parse_end = tq_parse_end,
	.tool = tq_tool,
	.op = { [QOP_DELETE] = &tq_delete },	/* no hold, no release */
};

static const struct mail_backend test_argv = {
	.name = "argv",
	.roles = BROLE_MTA,
	.options = tq_options,
	.queue = &tq_queue,
};

static const struct backend_queue_op tp_delete = {
	.args = tq_delete_args,
	.ids = QIDS_ARGV,
	.batch_max = 10,
	.partial_exit = 1,
	.line = tq_line,
};

static const struct backend_queue tp_queue = {
	.list = tq_list,
	.list_name = "tq -list",
	.hint = "is the test tool there?",
	.id_valid = tq_id_valid,
	.parse_line = tq_parse_line,
	.tool = tq_tool,
	.op = { [QOP_DELETE] = &tp_delete },
};

static const struct mail_backend test_partial = {
	.name = "partial",
	.roles = BROLE_MTA,
	.options = tq_options,
	.queue = &tp_queue,
};

/* Ids of "ABCD-1234": the record keeps them without the '-'. */
static int
tqd_id_valid(const char *p, size_t len)
{
	return len == 9 && p[4] == '-' && tq_id_valid(p, 4) &&
	    tq_id_valid(p + 5, 4);
}

static size_t
tqd_id_pack(const char *id, size_t len, char *out)
{
	if (len != 9 || id[4] != '-')
		return 0;
	memcpy(out, id, 4);
	memcpy(out + 4, id + 5, 4);
	out[8] = '\0';
	return 8;
}

static size_t
tqd_id_unpack(const char *packed, size_t len, char *out)
{
	if (len != 8)
		return 0;
	memcpy(out, packed, 4);
	out[4] = '-';
	memcpy(out + 5, packed + 4, 4);
	out[9] = '\0';
	return 9;
}

static const struct backend_queue tqd_queue = {
	.list = tq_list,
	.list_name = "tq -list",
	.id_valid = tqd_id_valid,
	.parse_line = tq_parse_line,
	.parse_end = tq_parse_end,
	.tool = tq_tool,
	.id_pack = tqd_id_pack,
	.id_unpack = tqd_id_unpack,
};

/*
 * A tool that answers in JSON whatever its exit status (as cPanel's do):
 * done when it prints "status":1.
 */
static int
ta_answer(const char *out, size_t len, char *why, size_t size)
{
	const char	*r;

	/* out is NUL-terminated (cmdrun.h) */
	if (strlen(out) != len)
		return 0;
	if (strstr(out, "\"status\":1") != NULL)
		return 1;
	if ((r = strstr(out, "\"reason\":\"")) != NULL)
		snprintf(why, size, "%.*s", (int)strcspn(r + 10, "\""),
		    r + 10);
	return 0;
}

static const char *const ta_suspend_login[] = { "%{tq_tool}",
	"suspend_login", "email=%{account}", NULL };
static const char *const ta_suspend_mail[] = { "%{tq_tool}",
	"suspend_outgoing", "email=%{account}", NULL };

static const struct backend_step ta_deny_add = {
	.name = "suspend_login",
	.args = ta_suspend_login,
	.what = "refuse its logins (test API)",
	.answer = ta_answer,
};

static const struct backend_step ta_refuse_add = {
	.name = "suspend_outgoing",
	.args = ta_suspend_mail,
	.what = "refuse its mail (test API)",
	.answer = ta_answer,
};

static const struct backend_accounts ta_accounts = {
	.deny_add = &ta_deny_add,
	.refuse_add = &ta_refuse_add,
};

/* Both roles in one, account steps through an API, no queue. */
static const struct mail_backend test_api = {
	.name = "api",
	.roles = BROLE_MTA | BROLE_AUTH,
	.options = tq_options,
	.accounts = &ta_accounts,
};

static char	 tmpdir[] = "/tmp/mc-backend.XXXXXX";

/* A server named mx1 run by mta (the auth role left to the default). */
static void
server(struct server_config *sc, const struct mail_backend *mta)
{
	memset(sc, 0, sizeof(*sc));
	sc->name = "mx1";
	sc->mta = mta;
}

/* Expect a refused in plain words, one line. */
static void
refused(const struct server_config *sc, enum contain_action a,
    const char *why_want)
{
	char	 why[512] = "";

	if (contain_capable(sc, a, why, sizeof(why)))
		fail_msg("%s allowed", contain_action_name(a));
	if (strcmp(why, why_want) != 0)
		fail_msg("%s: \"%s\", not \"%s\"", contain_action_name(a), why,
		    why_want);
	assert_null(strchr(why, '\n'));
}

/* The registry: names, roles, and every option declared once. */
static void
test_registry(void **state)
{
	const struct mail_backend	*owner, *b;
	const struct backend_option	*o;
	size_t				 i, j;

	assert_ptr_equal(backend_find("postfix"), &backend_postfix);
	assert_ptr_equal(backend_find("exim"), &backend_exim);
	assert_ptr_equal(backend_find("dovecot"), &backend_dovecot);
	assert_null(backend_find("sendmail"));
	assert_null(backend_find(NULL));
	assert_ptr_equal(backend_default(BROLE_MTA), &backend_postfix);
	assert_ptr_equal(backend_default(BROLE_AUTH), &backend_dovecot);
	assert_ptr_equal(backend_option_find("deny_file", &owner),
	    backend_option_find("deny_file", NULL));
	assert_ptr_equal(owner, &backend_dovecot);
	assert_non_null(backend_option_find("sasl_access_map", &owner));
	assert_ptr_equal(owner, &backend_postfix);
	assert_null(backend_option_find("logs", NULL));
	for (i = 0; (o = backend_option_at(i, &b)) != NULL; i++) {
		assert_ptr_equal(backend_option_find(o->name, NULL), o);
		assert_non_null(o->help);
		assert_int_equal(config_key_known("server mx1", o->name), 1);
		for (j = 0; j < i; j++)
			assert_string_not_equal(backend_option_at(j,
			    NULL)->name, o->name);
	}
	assert_true(i >= 6);
}

/* The value of a key, for a template's env (name = value pairs). */
static const char *
env_opt(void *arg, const char *name, char *const **words)
{
	const char *const	*kv = arg;

	*words = NULL;
	for (; kv[0] != NULL; kv += 2)
		if (strcmp(kv[0], name) == 0)
			return kv[1];
	return NULL;
}

/* Render tmpl of b's with the pairs kv and account into "w|w|w". */
static const char *
render(const struct mail_backend *b, const char *const *tmpl,
    const char *const *kv, const char *account, char *err, size_t errlen)
{
	static char		 buf[1024];
	struct backend_env	 env;
	char			**v;
	size_t			 i, o = 0;

	memset(&env, 0, sizeof(env));
	env.opt = env_opt;
	env.arg = (void *)(uintptr_t)kv;
	env.account = account;
	if ((v = backend_render(b, tmpl, &env, err, errlen)) == NULL)
		return NULL;
	buf[0] = '\0';
	for (i = 0; v[i] != NULL; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
		    i > 0 ? "|" : "", v[i]);
	backend_argv_free(v);
	return buf;
}

/* The placeholders: typed values, defaults, optional and conditional. */
static void
test_render(void **state)
{
	static const char *const t1[] = { "tool", "--user=%{localpart}",
	    "%{domain}", "%{account}", "%{deny_file}", "%{passwd_file?}",
	    "%{?passwd_file}-p", "%{doveadm}", "%{password_scheme}", "50%",
	    NULL };
	static const char *const none[] = { NULL };
	static const char *const set[] = { "deny_file", "/d/deny",
	    "passwd_file", "/d/users", "doveadm", "/bin/da -c /x", NULL };
	static const char *const bad[][2] = {
		{ "%{nosuch}", "unknown placeholder %{nosuch}" },
		{ "x%{deny_file", "unfinished" },
		{ "x%{doveadm}", "a command is a word of its own" },
		{ "%{deny_file}", "deny_file is not set" },
	};
	static const char *const accounts[] = { "ALL", "all", ".judy",
	    "a b", "-x", "", "ju\"dy" };
	const char	*tmpl[2] = { NULL, NULL }, *r;
	char		 err[256];
	size_t		 i;

	r = render(&backend_dovecot, t1, set, "judy@example.test", err,
	    sizeof(err));
	assert_non_null(r);
	assert_string_equal(r, "tool|--user=judy|example.test|"
	    "judy@example.test|/d/deny|/d/users|-p|/bin/da|-c|/x|"
	    "SHA512-CRYPT|50%");
	/* unset: the optional word empty, the conditional one gone, the
	   command and the word their defaults */
	tmpl[0] = "%{passwd_file?}";
	assert_string_equal(render(&backend_dovecot, tmpl, none, NULL, err,
	    sizeof(err)), "");
	tmpl[0] = "%{?passwd_file}-p";
	assert_string_equal(render(&backend_dovecot, tmpl, none, NULL, err,
	    sizeof(err)), "");
	tmpl[0] = "%{doveadm}";
	assert_string_equal(render(&backend_dovecot, tmpl, none, NULL, err,
	    sizeof(err)), "doveadm");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tmpl[0] = bad[i][0];
		err[0] = '\0';
		assert_null(render(&backend_dovecot, tmpl, none, "a", err,
		    sizeof(err)));
		if (strstr(err, bad[i][1]) == NULL)
			fail_msg("%s: \"%s\"", bad[i][0], err);
	}
	/* an account a command may not name never reaches one */
	tmpl[0] = "lock=%{account}";
	for (i = 0; i < sizeof(accounts) / sizeof(accounts[0]); i++)
		assert_null(render(&backend_dovecot, tmpl, none, accounts[i],
		    err, sizeof(err)));
	assert_null(render(&backend_dovecot, tmpl, none, NULL, err,
	    sizeof(err)));
	tmpl[0] = "%{domain}";
	assert_null(render(&backend_dovecot, tmpl, none, "judy", err,
	    sizeof(err)));
	assert_non_null(strstr(err, "no domain"));
}

/* Render "%{pids}|%{addrs}" with pids and addrs; NULL with err. */
static const char *
render_sessions(const char *pids, const char *addrs, char *err,
    size_t errlen)
{
	static const char *const tmpl[] = { "%{pids}", "%{addrs}", NULL };
	static const char *const none[] = { NULL };
	static char		 buf[256];
	struct backend_env	 env;
	char			**v;

	memset(&env, 0, sizeof(env));
	env.opt = env_opt;
	env.arg = (void *)(uintptr_t)none;
	env.pids = pids;
	env.addrs = addrs;
	if ((v = backend_render(&backend_postfix, tmpl, &env, err, errlen)) ==
	    NULL)
		return NULL;
	snprintf(buf, sizeof(buf), "%s|%s", v[0], v[1]);
	backend_argv_free(v);
	return buf;
}

/*
 * The sessions to end: the log's pids, or the addresses of its logins
 * (either may be missing, not both), each only what its grammar allows.
 */
static void
test_render_sessions(void **state)
{
	static const char *const bad_addrs[] = { "1.2.3.4;rm", "1.2.3.4  5",
	    " 1.2.3.4", "1.2.3.4 ", "x.y", "$(id)", "1.2.3.4\n5.6.7.8" };
	char	 err[256];
	size_t	 i;

	assert_string_equal(render_sessions("12 34", "127.0.22.1 ::1", err,
	    sizeof(err)), "12 34|127.0.22.1 ::1");
	assert_string_equal(render_sessions("12", NULL, err, sizeof(err)),
	    "12|");
	assert_string_equal(render_sessions(NULL, "2001:db8::5", err,
	    sizeof(err)), "|2001:db8::5");
	assert_null(render_sessions(NULL, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "%{pids}"));
	assert_null(render_sessions("12 x", "127.0.0.1", err, sizeof(err)));
	for (i = 0; i < sizeof(bad_addrs) / sizeof(bad_addrs[0]); i++) {
		err[0] = '\0';
		if (render_sessions("12", bad_addrs[i], err, sizeof(err)) !=
		    NULL)
			fail_msg("\"%s\" rendered", bad_addrs[i]);
		assert_non_null(strstr(err, "%{addrs}"));
	}
}

/*
 * The session step's directories: configured, they are its third and
 * fourth words (no postconf run for them); unset, empty words (the step
 * asks postconf); never a relative path.
 */
static void
test_sessions_dirs(void **state)
{
	static const char *const set[] = { "postfix_queue_directory",
	    "/var/spool/postfix-2", "postfix_daemon_directory",
	    "/usr/lib/postfix/sbin", NULL };
	static const char *const none[] = { NULL };
	const struct backend_step	*st =
	    backend_postfix.accounts->sessions_end;
	struct backend_env		 env;
	char				 err[256], **v;

	(void)state;
	memset(&env, 0, sizeof(env));
	env.opt = env_opt;
	env.arg = (void *)(uintptr_t)set;
	env.pids = "12 34";
	assert_non_null(v = backend_render(&backend_postfix, st->args, &env,
	    err, sizeof(err)));
	assert_string_equal(v[0], "12 34");
	assert_string_equal(v[1], "");
	assert_string_equal(v[2], "/var/spool/postfix-2");
	assert_string_equal(v[3], "/usr/lib/postfix/sbin");
	assert_string_equal(v[4], "postconf");
	backend_argv_free(v);
	env.arg = (void *)(uintptr_t)none;
	assert_non_null(v = backend_render(&backend_postfix, st->args, &env,
	    err, sizeof(err)));
	assert_string_equal(v[2], "");
	assert_string_equal(v[3], "");
	assert_string_equal(v[4], "postconf");
	backend_argv_free(v);
	/* the script takes them before it would run postconf */
	assert_non_null(strstr(st->script, "qd=$3 dd=$4"));
}

/* What a template needs and is not set, in order, once each. */
static void
test_needs(void **state)
{
	static const char *const t[] = { "%{account}", "%{deny_file}",
	    "%{passwd_file?}", "%{?postfix_config}-c", "%{password_scheme}",
	    "x=%{deny_file}", "%{passwd_file}", NULL };
	static const char *const kv[] = { "passwd_file", "/u", NULL };
	const char		*names[4];
	struct backend_env	 env;
	size_t			 n;

	memset(&env, 0, sizeof(env));
	n = backend_needs(&backend_dovecot, t, &env, names, 0, 4);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "deny_file");
	assert_string_equal(names[1], "passwd_file");
	env.opt = env_opt;
	env.arg = (void *)(uintptr_t)kv;
	n = backend_needs(&backend_dovecot, t, &env, names, 0, 4);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "deny_file");
}

/* A backend without queue or account ops: every action it would run is
   "not supported by" it, said in one line, and nothing runs. */
static void
test_not_supported(void **state)
{
	struct server_config	 sc;
	struct contain_request	 req;
	struct contain		*c;
	const struct contain_result *r;
	char			 why[512];
	enum contain_action	 a;

	server(&sc, &test_bare);
	sc.auth = &test_bare;
	us_set(&sc, "deny_file", "/d/deny");	/* another's keys: no help */
	us_set(&sc, "postfix_config", "/etc/postfix");
	refused(&sc, CA_HOLD, "hold: not supported by bare");
	refused(&sc, CA_RELEASE, "release: not supported by bare");
	refused(&sc, CA_PURGE, "purge: not supported by bare");
	refused(&sc, CA_SUSPEND, "suspend: not supported by bare (a site's "
	    "suspend_command in [server mx1] can do it)");
	refused(&sc, CA_UNSUSPEND, "unsuspend: not supported by bare (a "
	    "site's unsuspend_command in [server mx1] can do it)");
	refused(&sc, CA_RESET, "reset-password: not supported by bare (a "
	    "site's password_command in [server mx1] can do it)");
	/* the site's command stands in */
	sc.act.suspend_command = "/usr/local/sbin/lock %{account}";
	assert_true(contain_capable(&sc, CA_SUSPEND, why, sizeof(why)));
	assert_true(contain_supported(&sc, CA_SUSPEND, why, sizeof(why)));
	sc.act.suspend_command = NULL;
	why[0] = '\0';
	assert_false(contain_supported(&sc, CA_PURGE, why, sizeof(why)));
	assert_string_equal(why, "purge: not supported by bare");

	/* refused before anything runs, dry run or not, counting or not */
	for (a = CA_HOLD; a <= CA_PURGE; a++) {
		memset(&req, 0, sizeof(req));
		req.action = a;
		req.server = &sc;
		req.account = "judy@example.test";
		req.dry_run = a == CA_PURGE;
		req.count_only = a == CA_HOLD;
		c = contain_start(&req, NULL, uf_now_ms());
		r = contain_result(c);
		assert_int_equal(r->outcome, CO_REFUSED);
		snprintf(why, sizeof(why), "refused, nothing run: %s: not "
		    "supported by bare", contain_action_name(a));
		assert_string_equal(r->text, why);
		assert_string_equal(r->commands, "");
		contain_free(c);
	}
	config_action_free(&sc.act);
}

/*
 * Exim acts through its own tools once told where its configuration is;
 * Dovecot keeps the logins (suspend needs both roles' files); cPanel
 * takes both roles and resets no password.
 */
static void
test_exim_roles(void **state)
{
	struct server_config	 sc;
	char			 why[512];

	/* Postfix without its keys: supported, not capable (set them) */
	server(&sc, &backend_postfix);
	assert_true(contain_supported(&sc, CA_HOLD, why, sizeof(why)));
	assert_false(contain_capable(&sc, CA_HOLD, why, sizeof(why)));
	assert_non_null(strstr(why, "set postfix_config (or queue_command)"));

	server(&sc, &backend_exim);
	assert_true(contain_supported(&sc, CA_HOLD, why, sizeof(why)));
	assert_false(contain_capable(&sc, CA_PURGE, why, sizeof(why)));
	assert_non_null(strstr(why, "set exim_config (or queue_command)"));
	assert_false(contain_capable(&sc, CA_SUSPEND, why, sizeof(why)));
	assert_non_null(strstr(why, "deny_file"));
	assert_non_null(strstr(why, "exim_refuse_file"));
	us_set(&sc, "exim_config", "/etc/exim4/exim4.conf");
	us_set(&sc, "deny_file", "/etc/dovecot/deny");
	us_set(&sc, "exim_refuse_file", "/etc/exim4/mailcon-refuse");
	us_set(&sc, "passwd_file", "/etc/dovecot/users");
	assert_true(contain_capable(&sc, CA_PURGE, why, sizeof(why)));
	assert_true(contain_capable(&sc, CA_SUSPEND, why, sizeof(why)));
	assert_true(contain_capable(&sc, CA_UNSUSPEND, why, sizeof(why)));
	assert_ptr_equal(server_auth(&sc), &backend_dovecot);
	assert_true(contain_capable(&sc, CA_RESET, why, sizeof(why)));
	config_action_free(&sc.act);

	server(&sc, &backend_exim_cpanel);
	assert_ptr_equal(server_auth(&sc), &backend_exim_cpanel);
	assert_true(contain_capable(&sc, CA_SUSPEND, why, sizeof(why)));
	/* uapi Email passwd_pop, where /proc hides it (cpanel_pw.c) */
	assert_true(contain_capable(&sc, CA_RESET, why, sizeof(why)));
	config_action_free(&sc.act);
	/* a server that found nothing still takes Postfix and Dovecot */
	assert_ptr_equal(backend_default(BROLE_AUTH), &backend_dovecot);
	assert_ptr_equal(backend_default(BROLE_MTA), &backend_postfix);
}

/* A file of the temporary directory. */
static const char *
tmp(const char *name)
{
	static char	 path[4][256];
	static int	 next;
	char		*p = path[next++ % 4];

	return uf_path(p, sizeof(path[0]), tmpdir, name);
}

/* The value of postfix_config and sasl_access_map for map_step. */
static const char *
map_opt(void *arg, const char *name, char *const **words)
{
	static char	 pf[256], map[256];

	*words = NULL;
	if (strcmp(name, "postfix_config") == 0)
		return uf_path(pf, sizeof(pf), tmpdir, "pf");
	if (strcmp(name, "sasl_access_map") == 0)
		return uf_path(map, sizeof(map), tmpdir, "map");
	return NULL;
}

/*
 * Run Postfix's map step st for account with PATH=path, its stderr into
 * the file "err" of the temporary directory; its status.
 */
static int
map_step(const struct backend_step *st, const char *account,
    const char *path)
{
	struct backend_env	 env;
	char			 err[256], said[4096], **v;
	char			 env_path[300], env_map[300];
	char			*envp[] = { env_path, env_map, NULL };
	pid_t			 pid;
	int			 status, fd;

	memset(&env, 0, sizeof(env));
	env.opt = map_opt;
	env.account = account;
	env.lock_wait = 5;
	assert_non_null(v = backend_step_argv(&backend_postfix, st, &env,
	    err, sizeof(err)));
	snprintf(env_path, sizeof(env_path), "PATH=%s", path);
	/* for a postmap stand-in that edits the map behind the step */
	snprintf(env_map, sizeof(env_map), "MAP=%s", tmp("map"));
	fd = open(tmp("err"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	if ((pid = fork()) == 0) {
		dup2(fd, 2);
		execve(v[0], v, envp);
		_exit(127);
	}
	close(fd);
	assert_true(pid > 0);
	backend_argv_free(v);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		uf_read(tmp("err"), said, sizeof(said));
		print_message("map step: %s", said);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/*
 * The map steps run only the programs they need (each one more is 5-15
 * ms under load while the hijacker's mail goes on): with a PATH that
 * holds nothing else (no mktemp, uname, find, ln, date, touch, dirname),
 * the account's line goes in and out, rebuilt by the real postmap.
 */
/*
 * A directory of the temporary directory holding links to only these
 * programs (and postmap by its own name: it runs its helpers from
 * Postfix's directories, not from PATH, unless postmap is false).
 */
static void
map_bin(const char *name, const char *const *progs, int postmap)
{
	char		 bin[256], link[300], text[256];
	const char	*dirs[] = { "/usr/bin", "/bin", "/usr/sbin", NULL };
	size_t		 i, j;

	snprintf(bin, sizeof(bin), "%s", tmp(name));
	assert_int_equal(mkdir(bin, 0755), 0);
	for (i = 0; progs[i] != NULL; i++) {
		for (j = 0; dirs[j] != NULL; j++) {
			snprintf(text, sizeof(text), "%s/%s", dirs[j],
			    progs[i]);
			if (access(text, X_OK) == 0)
				break;
		}
		snprintf(link, sizeof(link), "%s/%s", bin, progs[i]);
		assert_non_null(dirs[j]);
		assert_int_equal(symlink(text, link), 0);
	}
	if (!postmap)
		return;
	snprintf(link, sizeof(link), "%s/postmap", bin);
	assert_int_equal(symlink("/usr/sbin/postmap", link), 0);
}

/* The programs the map steps may run (cksum only for a map changed in
   the second its lock was taken, cp only for a map of another owner's). */
static const char *const map_progs[] = { "awk", "stat", "cksum", "rm",
    "mv", "cp", "flock", NULL };

static void
test_map_programs(void **state)
{
	const struct backend_accounts	*ac = backend_postfix.accounts;
	char				 bin[256], text[256];

	(void)state;
	map_bin("bin", map_progs, 1);
	snprintf(bin, sizeof(bin), "%s", tmp("bin"));
	assert_int_equal(mkdir(tmp("pf"), 0755), 0);
	uf_write(tmp("pf/main.cf"), "", 0644);
	uf_write(tmp("map"), "x@y.test\tOK\n", 0644);
	assert_int_equal(map_step(ac->refuse_add, "bob@y.test", bin), 0);
	uf_read(tmp("map"), text, sizeof(text));
	assert_non_null(strstr(text, "bob@y.test\tREJECT"));
	assert_int_equal(access(tmp("map.db"), R_OK), 0);
	assert_int_equal(map_step(ac->refuse_del, "bob@y.test", bin), 0);
	uf_read(tmp("map"), text, sizeof(text));
	assert_string_equal(text, "x@y.test\tOK\n");
}

/* What postmap -q finds for key in the rebuilt map ("" for nothing). */
static void
map_query(const char *key, char *buf, size_t size)
{
	char	 cmd[512];
	FILE	*p;

	snprintf(cmd, sizeof(cmd), "/usr/sbin/postmap -c %s -q '%s' hash:%s",
	    tmp("pf"), key, tmp("map"));
	assert_non_null(p = popen(cmd, "r"));
	if (fgets(buf, (int)size, p) == NULL)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	pclose(p);
}

/* No temporary file of a step is left beside the map. */
static void
map_no_leftovers(void)
{
	char	 cmd[512];

	snprintf(cmd, sizeof(cmd), "ls %s | grep -v '^map.mailcon.lock$' | "
	    "grep -q '^map.mailcon'", tmpdir);
	assert_int_not_equal(system(cmd), 0);
}

/*
 * The map "x@y.test OK", built, and in directory bin (with map_progs) a
 * postmap that runs the shell lines behind before the real one: a
 * program that edits the map behind the step.
 */
static void
map_with_meddler(const char *bin, const char *behind)
{
	char	 path[300], cmd[700];
	FILE	*f;

	map_bin(bin, map_progs, 0);
	snprintf(path, sizeof(path), "%s/postmap", tmp(bin));
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "#!/bin/sh\n%sexec /usr/sbin/postmap \"$@\"\n", behind);
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
	(void)mkdir(tmp("pf"), 0755);
	uf_write(tmp("pf/main.cf"), "", 0644);
	uf_write(tmp("map"), "x@y.test\tOK\n", 0644);
	snprintf(cmd, sizeof(cmd), "/usr/sbin/postmap -c %s hash:%s",
	    tmp("pf"), tmp("map"));
	assert_int_equal(system(cmd), 0);
}

/*
 * Another program edits the map without the lock while the step has it:
 * in place (the same inode), to the same size, in the second the map was
 * written and the lock taken (where its times alone may not tell).  The
 * step notices before anything is renamed, edits again from the new
 * content, and the other program's change is kept in the source (its
 * .db is that program's to build: the step changes only the account's
 * entry there).
 */
static void
test_map_same_second(void **state)
{
	const struct backend_accounts	*ac = backend_postfix.accounts;
	char				 text[512];

	(void)state;
	/* a postmap that edits the map in place, once, then builds */
	map_with_meddler("bin2", "if [ ! -e \"$MAP.edited\" ]; then\n"
	    "  : >\"$MAP.edited\"\n"
	    "  printf 'z@y.test\\tOK\\n' 1<>\"$MAP\"\n"
	    "fi\n");
	assert_int_equal(map_step(ac->refuse_add, "bob@y.test",
	    tmp("bin2")), 0);
	uf_read(tmp("err"), text, sizeof(text));
	assert_non_null(strstr(text, "was changed by another program while "
	    "mailcon held its lock: edited again from its new content"));
	uf_read(tmp("map"), text, sizeof(text));
	assert_string_equal(text, "z@y.test\tOK\nbob@y.test\tREJECT 5.7.1 "
	    "account suspended by mailcon\n");
	map_query("bob@y.test", text, sizeof(text));
	assert_string_equal(text, "REJECT 5.7.1 account suspended by mailcon");
	map_query("x@y.test", text, sizeof(text));
	assert_string_equal(text, "OK");
	unlink(tmp("map.edited"));
	map_no_leftovers();
}

/*
 * A map another program keeps changing without the lock: the step gives
 * up after three tries and says so, and what it did say is true: the
 * source is not changed, the account's entry in the .db is (postmap
 * changed it before each identity check).
 */
static void
test_map_keeps_changing(void **state)
{
	const struct backend_accounts	*ac = backend_postfix.accounts;
	char				 text[512], err[2048];

	(void)state;
	/* a postmap that appends to the map source on every run */
	map_with_meddler("bin3", "printf 'z@y.test\\tOK\\n' >>\"$MAP\"\n");
	assert_int_equal(map_step(ac->refuse_add, "bob@y.test",
	    tmp("bin3")), 3);
	uf_read(tmp("err"), err, sizeof(err));
	assert_non_null(strstr(err, "keeps changing while mailcon holds its "
	    "lock"));
	assert_non_null(strstr(err, "not changed (its entry in "));
	uf_read(tmp("map"), text, sizeof(text));
	assert_null(strstr(text, "bob@y.test"));
	map_query("bob@y.test", text, sizeof(text));
	assert_string_equal(text, "REJECT 5.7.1 account suspended by mailcon");
	map_no_leftovers();
}

/*
 * A map with no write bit is the site's "do not touch": refused, nothing
 * changed, nothing built.  One that is writable keeps its owner and mode
 * (made by the step's shell, or copied when the mode has an execute
 * bit); a .db never built is built as postmap makes it from the map; one
 * that is there is changed in place (its inode kept: an smtpd that has
 * not read it yet, in a session open before, reads the new entry).
 */
static void
test_map_modes(void **state)
{
	const struct backend_accounts	*ac = backend_postfix.accounts;
	struct stat			 st, ref;
	char				 text[512];
	static const mode_t		 modes[] = { 0640, 0754 };
	size_t				 i;

	(void)state;
	(void)mkdir(tmp("pf"), 0755);
	uf_write(tmp("pf/main.cf"), "", 0644);
	uf_write(tmp("map"), "x@y.test\tOK\n", 0444);
	unlink(tmp("map.db"));
	assert_int_equal(map_step(ac->refuse_add, "bob@y.test",
	    "/usr/bin:/bin:/usr/sbin"), 3);
	uf_read(tmp("err"), text, sizeof(text));
	assert_non_null(strstr(text, "is read-only (no write bit): not "
	    "changed"));
	uf_read(tmp("map"), text, sizeof(text));
	assert_string_equal(text, "x@y.test\tOK\n");
	assert_int_equal(access(tmp("map.db"), F_OK), -1);
	map_no_leftovers();
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_int_equal(chmod(tmp("map"), modes[i]), 0);
		unlink(tmp("map.db"));
		assert_int_equal(map_step(ac->refuse_add, "bob@y.test",
		    "/usr/bin:/bin:/usr/sbin"), 0);
		assert_int_equal(stat(tmp("map"), &st), 0);
		assert_int_equal(st.st_mode & 07777, modes[i]);
		assert_int_equal(st.st_uid, geteuid());
		/* the .db as postmap makes it from the map itself */
		assert_int_equal(stat(tmp("map.db"), &st), 0);
		uf_write(tmp("ref"), "x@y.test\tOK\n", modes[i]);
		unlink(tmp("ref.db"));
		snprintf(text, sizeof(text), "/usr/sbin/postmap -c %s "
		    "hash:%s", tmp("pf"), tmp("ref"));
		assert_int_equal(system(text), 0);
		assert_int_equal(stat(tmp("ref.db"), &ref), 0);
		assert_int_equal(st.st_mode & 07777, ref.st_mode & 07777);
		assert_int_equal(st.st_uid, ref.st_uid);
		map_query("bob@y.test", text, sizeof(text));
		assert_string_equal(text, "REJECT 5.7.1 account suspended by "
		    "mailcon");
		assert_int_equal(map_step(ac->refuse_del, "bob@y.test",
		    "/usr/bin:/bin:/usr/sbin"), 0);
		map_query("bob@y.test", text, sizeof(text));
		assert_string_equal(text, "");
		map_query("x@y.test", text, sizeof(text));
		assert_string_equal(text, "OK");
		assert_int_equal(stat(tmp("map.db"), &ref), 0);
		assert_int_equal(ref.st_ino, st.st_ino);
		assert_int_equal(map_step(ac->refuse_add, "bob@y.test",
		    "/usr/bin:/bin:/usr/sbin"), 0);
		map_query("bob@y.test", text, sizeof(text));
		assert_string_equal(text, "REJECT 5.7.1 account suspended by "
		    "mailcon");
		assert_int_equal(stat(tmp("map.db"), &ref), 0);
		assert_int_equal(ref.st_ino, st.st_ino);
		map_no_leftovers();
	}
}

/* Drive a run with poll() until it ends; its result. */
static int
drive(struct queue_op_run *run)
{
	struct pollfd	 pfd[QUEUE_OP_NFDS];
	size_t		 n;
	int		 r, wait;

	for (;;) {
		n = queue_op_fds(run, pfd);
		wait = queue_op_wait_ms(run, uf_now_ms());
		if (wait < 0 || wait > 1000)
			wait = 1000;
		poll(pfd, (nfds_t)n, wait);
		if ((r = queue_op_step(run, uf_now_ms())) != 0)
			return r;
	}
}

/*
 * Ids as arguments: never more than batch_max nor argv_max bytes of them
 * a process; "removed" lines are what is done, "locked" ones are busy,
 * and an op the backend lacks is refused before anything runs.
 */
static void
test_argv_batches(void **state)
{
	static const char tool[] =
	    "#!/bin/sh\n"
	    "dir=$(dirname \"$0\")\n"
	    "shift\n"	/* -rm */
	    "echo \"$*\" >>\"$dir/runs\"\n"
	    "for id; do\n"
	    "  case $id in L*) echo \"$id locked\" ;; *) echo \"$id removed\" ;;"
	    " esac\n"
	    "done\n"
	    "echo 'tq: a note' >&2\n";
	const char		*ids[] = { "AAAA", "BBBB", "LCCC", "DDDDDDDD",
	    "EEEE", "FFFF", "GGGG" };
	char			*argv[2] = { NULL, NULL }, err[512];
	char			 runs[256];
	struct queue_op_run	*run;
	struct queue_op_result	 res;

	uf_write(tmp("tq"), tool, 0755);
	argv[0] = (char *)tmp("tq");
	assert_null(queue_op_start(NULL, &test_argv, QOP_HOLD, argv, ids, 7,
	    uf_now_ms(), 60000, err, sizeof(err)));
	assert_string_equal(err, "not supported by argv");
	ids[4] = "e-1";
	assert_null(queue_op_start(NULL, &test_argv, QOP_DELETE, argv, ids,
	    7, uf_now_ms(), 60000, err, sizeof(err)));
	assert_non_null(strstr(err, "\"e-1\" (id 5 of 7) is not a argv "
	    "queue id; nothing was run"));
	assert_false(uf_exists(tmp("runs")));
	ids[4] = "EEEE";
	assert_non_null(run = queue_op_start(NULL, &test_argv, QOP_DELETE,
	    argv, ids, 7, uf_now_ms(), 60000, err, sizeof(err)));
	assert_int_equal(drive(run), 1);
	queue_op_result(run, &res);
	queue_op_free(run);
	/*
	 * 3 ids (the most), 2 (one more would be 19 bytes), 2; then the
	 * locked one alone, three more times, and it is said
	 */
	assert_int_equal(uf_read(tmp("runs"), runs, sizeof(runs)), 54);
	assert_string_equal(runs, "AAAA BBBB LCCC\nDDDDDDDD EEEE\n"
	    "FFFF GGGG\nLCCC\nLCCC\nLCCC\n");
	assert_int_equal(res.batches, 6);
	assert_int_equal(res.batches_done, 6);
	assert_int_equal(res.requested, 7);
	assert_int_equal(res.done, 6);
	assert_int_equal(res.busy, 1);
	assert_int_equal(res.not_done, 1);
	assert_int_equal(res.errors, 6);	/* the notes, kept */
	assert_non_null(strstr(res.stderr_text, "tq: a note"));
	assert_non_null(strstr(res.stderr_text, "1 message locked by a "
	    "running delivery, tried 4 times: not done"));
}

/*
 * A message a delivery held on the first run is done on the next: only
 * it goes again; a "locked" line naming an id not asked for is not run.
 */
static void
test_argv_busy_retry(void **state)
{
	static const char tool[] =
	    "#!/bin/sh\n"
	    "dir=$(dirname \"$0\")\n"
	    "shift\n"
	    "echo \"$*\" >>\"$dir/runs2\"\n"
	    "for id; do\n"
	    "  if [ \"${id#L}\" != \"$id\" ] && [ ! -e \"$dir/free\" ]; then\n"
	    "    echo \"$id locked\"; echo \"ZZZZ locked\"\n"
	    "  else echo \"$id removed\"; fi\n"
	    "done\n"
	    "touch \"$dir/free\"\n";
	const char		*ids[] = { "AAAA", "LBBB" };
	char			*argv[2] = { NULL, NULL }, err[512];
	char			 runs[256];
	struct queue_op_run	*run;
	struct queue_op_result	 res;

	uf_write(tmp("tq2"), tool, 0755);
	argv[0] = (char *)tmp("tq2");
	assert_non_null(run = queue_op_start(NULL, &test_argv, QOP_DELETE,
	    argv, ids, 2, uf_now_ms(), 60000, err, sizeof(err)));
	assert_int_equal(drive(run), 1);
	queue_op_result(run, &res);
	queue_op_free(run);
	uf_read(tmp("runs2"), runs, sizeof(runs));
	assert_string_equal(runs, "AAAA LBBB\nLBBB\n");
	assert_int_equal(res.done, 2);
	assert_int_equal(res.busy, 0);
	assert_int_equal(res.not_done, 0);
	assert_int_equal(res.batches, 2);
}

/* The tool's "some were not done" exit (Exim's 1) with only its own lines
   is no failure; with a line that is not its own, it is. */
static void
test_argv_partial_exit(void **state)
{
	static const char tool[] =
	    "#!/bin/sh\n"
	    "shift\n"
	    "for id; do\n"
	    "  case $id in N*) echo \"$id gone\" ;; *) echo \"$id removed\" ;;"
	    " esac\n"
	    "done\n"
	    "[ -z \"${TQ_NOISE:-}\" ] || echo 'tq: permission denied'\n"
	    "exit 1\n";
	const char		*ids[] = { "AAAA", "NBBB" };
	char			*argv[2] = { NULL, NULL }, err[512];
	struct queue_op_run	*run;
	struct queue_op_result	 res;

	uf_write(tmp("tq3"), tool, 0755);
	argv[0] = (char *)tmp("tq3");
	assert_non_null(run = queue_op_start(NULL, &test_partial, QOP_DELETE,
	    argv, ids, 2, uf_now_ms(), 60000, err, sizeof(err)));
	assert_int_equal(drive(run), 1);
	queue_op_result(run, &res);
	queue_op_free(run);
	assert_int_equal(res.done, 1);
	assert_int_equal(res.not_done, 1);
	assert_int_equal(res.errors, 0);
	assert_string_equal(res.error, "");

	setenv("TQ_NOISE", "1", 1);
	assert_non_null(run = queue_op_start(NULL, &test_partial, QOP_DELETE,
	    argv, ids, 2, uf_now_ms(), 60000, err, sizeof(err)));
	assert_int_equal(drive(run), -1);
	queue_op_result(run, &res);
	queue_op_free(run);
	unsetenv("TQ_NOISE");
	assert_non_null(strstr(res.error, "tq: permission denied"));
	assert_int_equal(res.exit_status, 1);
}

/* A listing whose messages span lines, in chunks of any size. */
static void
test_multiline_listing(void **state)
{
	static const char text[] =
	    "AAAA judy@example.test\n  x@a.test\n  y@b.test\n\n"
	    "\n"
	    "BBBB other@example.test\n  z@c.test\n\n"
	    "  stray@d.test\n"
	    "b-d1 bad@example.test\n\n"
	    "CCCC judy@example.test\n  w@e.test";
	struct queue_snapshot	 s;
	size_t			 cut;

	for (cut = 0; cut < sizeof(text) - 1; cut += 7) {
		queue_snapshot_init(&s, 0);
		queue_snapshot_parser(&s, &tq_queue);
		queue_snapshot_feed(&s, text, cut);
		queue_snapshot_feed(&s, text + cut, sizeof(text) - 1 - cut);
		queue_snapshot_end(&s);
		assert_int_equal(s.messages, 3);
		assert_int_equal(s.recipients, 4);
		assert_int_equal(s.by_queue[QUEUE_DEFERRED], 3);
		assert_int_equal(s.malformed, 1);	/* the stray line */
		assert_int_equal(s.bad_qid, 1);		/* b-d1 */
		assert_int_equal(queue_snapshot_sender_count(&s,
		    queue_sender_hash("JUDY@example.test", 17)), 2);
		queue_snapshot_clear(&s);
		assert_ptr_equal(s.parser, &tq_queue);
	}
}

/* Ids a record cannot keep as written go in packed and come out whole. */
static void
test_id_pack(void **state)
{
	static const char text[] =
	    "ABCD-1234 judy@example.test\n  x@a.test\n\n"
	    "EFGH-5678 other@example.test\n  y@b.test\n\n"
	    "IJKL-9012 judy@example.test\n  z@c.test\n\n";
	struct queue_snapshot	 s;
	char			 id[QUEUE_ID_MAX + 1], *ids;
	size_t			 len;

	queue_snapshot_init(&s, 0);
	queue_snapshot_parser(&s, &tqd_queue);
	queue_snapshot_feed(&s, text, sizeof(text) - 1);
	queue_snapshot_end(&s);
	assert_int_equal(s.messages, 3);
	assert_int_equal(s.nrec, 3);
	assert_int_equal(s.dropped, 0);
	assert_int_equal(queue_snapshot_id(&s, 1, id), 9);
	assert_string_equal(id, "EFGH-5678");
	assert_int_equal(queue_snapshot_sender_ids(&s,
	    queue_sender_hash("judy@example.test", 17), &ids, &len), 2);
	assert_string_equal(ids, "ABCD-1234\nIJKL-9012\n");
	free(ids);
	queue_snapshot_clear(&s);
}

/*
 * Set a key of a backend outside the registry (the parser only takes the
 * registry's), as config_act.c keeps it: a copy, and a command's words.
 */
static void
opt_direct(struct server_config *sc, const struct backend_option *o,
    const char *value)
{
	struct server_opt	*so;

	sc->act.opts = realloc(sc->act.opts, (sc->act.nopts + 1) *
	    sizeof(*sc->act.opts));
	assert_non_null(sc->act.opts);
	so = &sc->act.opts[sc->act.nopts++];
	so->opt = o;
	so->value = strdup(value);
	so->words = o->type == BOPT_COMMAND ? config_split_argv(value) : NULL;
}

/* Run request r to its end with an audit of the temporary directory. */
static const struct contain_result *
run_audited(struct contain_request *r, struct contain **cp)
{
	char		 err[512];
	struct audit	*a;

	if ((a = audit_open(tmp("audit.db"), err, sizeof(err))) == NULL)
		fail_msg("audit_open: %s", err);
	*cp = contain_start(r, a, uf_now_ms());
	contain_wait(*cp);
	assert_int_equal(audit_sync(a), 0);
	audit_close(a);
	return contain_result(*cp);
}

/*
 * A step whose tool answers in its output: exit 0 with a failure in its
 * answer is a failure, told in the tool's words; both roles of one
 * backend run as two steps; a backend with no check part is not checked.
 */
static void
test_step_answer(void **state)
{
	static const char api[] =
	    "#!/bin/sh\n"
	    "echo \"$*\" >>\"$(dirname \"$0\")/api-runs\"\n"
	    "case $2 in\n"
	    "email=nobody@*) echo '{\"status\":0,\"reason\":\"no such "
	    "user\"}' ;;\n"
	    "*) echo '{\"status\":1}' ;;\n"
	    "esac\n";
	struct server_config	 sc;
	struct contain_request	 req;
	struct contain		*c;
	const struct contain_result *r;
	char			 runs[512];

	uf_write(tmp("api"), api, 0755);
	server(&sc, &test_api);
	opt_direct(&sc, &tq_options[0], tmp("api"));
	memset(&req, 0, sizeof(req));
	req.action = CA_SUSPEND;
	req.server = &sc;
	req.account = "nobody@example.test";
	req.operator = "alice";
	r = run_audited(&req, &c);
	assert_int_equal(r->outcome, CO_FAILED);
	if (strstr(r->text, "nothing changed: refusing its mail failed: ") ==
	    NULL || strstr(r->text, "said it failed: no such user") == NULL)
		fail_msg("%s", r->text);
	contain_free(c);

	req.account = "judy@example.test";
	r = run_audited(&req, &c);
	assert_int_equal(r->outcome, CO_DONE);
	assert_non_null(strstr(r->text, "logins and mail refused"));
	assert_int_equal(r->verified, -1);	/* no check part: not checked */
	contain_free(c);
	assert_true(uf_read(tmp("api-runs"), runs, sizeof(runs)) > 0);
	/* mail first, then logins (contain.h) */
	assert_string_equal(runs, "suspend_outgoing email=nobody@example.test\n"
	    "suspend_outgoing email=judy@example.test\n"
	    "suspend_login email=judy@example.test\n");
	config_action_free(&sc.act);
}

/* The probe: the first backend of a role with a file there. */
static int
exists_in(const char *path, void *arg)
{
	const char *const	*p;

	for (p = arg; *p != NULL; p++)
		if (strcmp(*p, path) == 0)
			return 1;
	return 0;
}

static void
test_probe(void **state)
{
	static const char *const exim[] = { "/usr/sbin/exim4",
	    "/usr/bin/doveadm", NULL };
	static const char *const both[] = { "/usr/sbin/exim4",
	    "/etc/postfix/main.cf", NULL };
	static const char *const nothing[] = { "/etc/passwd", NULL };
	static const char *const cpanel[] = { "/usr/sbin/exim",
	    "/usr/bin/doveadm", "/usr/local/cpanel/cpanel", NULL };
	static const char out[] = "/usr/sbin/exim4\n/usr/bin/doveadm\n";
	static const char cpout[] = "/usr/sbin/exim\n/usr/local/cpanel/cpanel\n";
	struct mail_str		 cps = { cpout, sizeof(cpout) - 1 };
	struct mail_str		 s = { out, sizeof(out) - 1 };
	char			**v;
	size_t			 i;
	int			 seen_postqueue = 0, seen_cpanel = 0;

	assert_ptr_equal(backend_probe(BROLE_MTA, exists_in, (void *)exim),
	    &backend_exim);
	/* cPanel's binary beside Exim: cPanel's flavour, for both roles */
	assert_ptr_equal(backend_probe(BROLE_MTA, exists_in, (void *)cpanel),
	    &backend_exim_cpanel);
	assert_ptr_equal(backend_probe(BROLE_AUTH, exists_in, (void *)cpanel),
	    &backend_exim_cpanel);
	assert_ptr_equal(backend_probe(BROLE_MTA, backend_probe_seen, &cps),
	    &backend_exim_cpanel);
	assert_ptr_equal(backend_probe(BROLE_AUTH, exists_in, (void *)exim),
	    &backend_dovecot);
	/* both there: the registry's order */
	assert_ptr_equal(backend_probe(BROLE_MTA, exists_in, (void *)both),
	    &backend_postfix);
	assert_null(backend_probe(BROLE_MTA, exists_in, (void *)nothing));
	assert_true(backend_probe_seen("/usr/bin/doveadm", &s));
	assert_false(backend_probe_seen("/usr/bin/dove", &s));
	assert_false(backend_probe_seen("/usr/sbin/exim", &s));
	assert_ptr_equal(backend_probe(BROLE_MTA, backend_probe_seen, &s),
	    &backend_exim);
	/* one fixed script; the paths are its arguments */
	v = backend_probe_argv();
	assert_string_equal(v[0], "/bin/sh");
	assert_string_equal(v[1], "-c");
	assert_string_equal(v[3], "mailcon-probe");
	for (i = 4; v[i] != NULL; i++) {
		seen_postqueue |= strcmp(v[i], "/usr/sbin/postqueue") == 0;
		seen_cpanel |= strcmp(v[i], "/usr/local/cpanel/cpanel") == 0;
	}
	assert_true(seen_postqueue);
	assert_true(seen_cpanel);
	backend_argv_free(v);
}

/* access() as backend_probe() asks it. */
static int
exists_here(const char *path, void *arg)
{
	return access(path, F_OK) == 0;
}

/*
 * The probe's command, run (here: the transport a server behind SSH gets
 * is the same cmdrun), settles a server as access() on this machine does,
 * and says what it found.
 */
static void
test_probe_command(void **state)
{
	const struct mail_backend	*mta, *auth;
	struct server_config		 sc, local;
	struct cmdrun			*r;
	char				 err[256], said[128], want[128];

	mta = backend_probe(BROLE_MTA, exists_here, NULL);
	auth = backend_probe(BROLE_AUTH, exists_here, NULL);
	server(&sc, NULL);
	assert_true(server_probe_wanted(&sc));
	assert_non_null(r = probe_start(NULL, uf_now_ms(), err, sizeof(err)));
	assert_int_equal(cmdrun_wait(r), 1);
	probe_apply(r, 1, &sc, said, sizeof(said));
	cmdrun_free(r);
	assert_ptr_equal(sc.mta, mta);
	assert_ptr_equal(sc.auth, auth);
	assert_false(server_probe_wanted(&sc));
	snprintf(want, sizeof(want), "%s%s and %s%s", server_mta(&sc)->name,
	    mta == NULL ? " (assumed)" : "", server_auth(&sc)->name,
	    auth == NULL ? " (assumed)" : "");
	assert_string_equal(said, want);
	server(&local, NULL);
	probe_local(&local);
	assert_ptr_equal(local.mta, sc.mta);
	assert_ptr_equal(local.auth, sc.auth);

	/* a probe that failed settles nothing, and is not run again */
	server(&sc, NULL);
	probe_apply(NULL, 0, &sc, said, sizeof(said));
	assert_null(sc.mta);
	assert_false(server_probe_wanted(&sc));
	assert_string_equal(said, "postfix (assumed) and dovecot (assumed)");
}

/* Load text as a config; its error (or "") into err. */
static int
load(struct mailcon_config *cfg, const char *text, char *err, size_t errlen)
{
	uf_write(tmp("config"), text, 0600);
	config_init(cfg);
	err[0] = '\0';
	return config_load(cfg, tmp("config"), err, errlen);
}

/* backend = and auth = by name, by the keys set, and their mistakes. */
static void
test_config_backends(void **state)
{
	struct mailcon_config	 cfg;
	char			 err[512];

	assert_int_equal(load(&cfg, "[server a]\nlogs = /x\n"
	    "sasl_access_map = /p/sasl\n[server b]\nlogs = /x\n"
	    "backend = exim\n[server c]\nlogs = /x\n", err, sizeof(err)), 0);
	assert_ptr_equal(cfg.servers[0].mta, &backend_postfix);
	assert_null(cfg.servers[0].auth);	/* left to the probe */
	assert_true(server_probe_wanted(&cfg.servers[0]));
	assert_ptr_equal(cfg.servers[1].mta, &backend_exim);
	assert_ptr_equal(server_auth(&cfg.servers[1]), &backend_dovecot);
	assert_null(cfg.servers[2].mta);
	assert_ptr_equal(server_mta(&cfg.servers[2]), &backend_postfix);
	server_probe_done(&cfg.servers[2], &backend_exim, NULL);
	assert_ptr_equal(server_mta(&cfg.servers[2]), &backend_exim);
	assert_false(server_probe_wanted(&cfg.servers[2]));
	config_free(&cfg);

	assert_int_equal(load(&cfg, "[server a]\nbackend = exim\n"
	    "sasl_access_map = /p/sasl\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "[server a]: sasl_access_map is a key of "
	    "postfix, and this server's backend is exim"));
	config_free(&cfg);
	/* Exim's keys on cPanel's Exim (it reads them too); which flavour
	   the keys imply */
	assert_int_equal(load(&cfg, "[server a]\nbackend = exim-cpanel\n"
	    "exim_config = /etc/exim.conf\n[server b]\nexim_config = "
	    "/etc/exim.conf\n[server c]\ncpanel_bin = /opt/cp/bin\n", err,
	    sizeof(err)), 0);
	assert_ptr_equal(server_mta(&cfg.servers[0]), &backend_exim_cpanel);
	assert_ptr_equal(server_mta(&cfg.servers[1]), &backend_exim);
	assert_ptr_equal(server_mta(&cfg.servers[2]), &backend_exim_cpanel);
	assert_ptr_equal(server_auth(&cfg.servers[2]), &backend_exim_cpanel);
	config_free(&cfg);
	assert_int_equal(load(&cfg, "[server a]\nbackend = exim\n"
	    "cpanel_bin = /opt/cp/bin\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "[server a]: cpanel_bin is a key of "
	    "exim-cpanel, and this server's backend is exim"));
	config_free(&cfg);
	assert_int_equal(load(&cfg, "[server a]\nbackend = sendmail\n", err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, ":2: backend: \"sendmail\" is no mail "
	    "system (MTA) mailcon knows; expected auto or one of: postfix, "
	    "exim, exim-cpanel"));
	config_free(&cfg);
	assert_int_equal(load(&cfg, "[server a]\nauth = postfix\n", err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "auth: \"postfix\" is no authentication "
	    "service mailcon knows; expected auto or one of: exim-cpanel, "
	    "dovecot"));
	config_free(&cfg);
	assert_int_equal(load(&cfg, "[server a]\nbackend = auto\n"
	    "auth = dovecot\ndoveadm = /usr/bin/doveadm\n  -c /etc/x.conf\n",
	    err, sizeof(err)), 0);
	assert_ptr_equal(cfg.servers[0].auth, &backend_dovecot);
	assert_string_equal(config_action_words(&cfg.servers[0].act,
	    "doveadm")[2], "/etc/x.conf");
	config_free(&cfg);
}

static int
setup(void **state)
{
	uf_mkdtemp(tmpdir);
	return 0;
}

static int
teardown(void **state)
{
	uf_rmtree(tmpdir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_render_sessions),
		cmocka_unit_test(test_sessions_dirs),
		cmocka_unit_test(test_map_programs),
		cmocka_unit_test(test_map_same_second),
		cmocka_unit_test(test_map_keeps_changing),
		cmocka_unit_test(test_map_modes),
		cmocka_unit_test(test_needs),
		cmocka_unit_test(test_not_supported),
		cmocka_unit_test(test_exim_roles),
		cmocka_unit_test(test_argv_batches),
		cmocka_unit_test(test_argv_busy_retry),
		cmocka_unit_test(test_argv_partial_exit),
		cmocka_unit_test(test_multiline_listing),
		cmocka_unit_test(test_id_pack),
		cmocka_unit_test(test_step_answer),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_probe_command),
		cmocka_unit_test(test_config_backends),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
