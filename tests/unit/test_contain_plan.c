/*
 * test_contain_plan.c: what each containment action needs and the exact
 * commands it builds (console/act/contain_plan.c): names, danger, capability
 * per configuration, the argv of postsuper, postqueue, the built-in
 * scripts and a site's template, and new passwords.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include "act/contain.h"
#include "act/contain_int.h"
#include "unit_server.h"

#define PW_ALPHABET	"abcdefghijkmnopqrstuvwxyz" \
			"ABCDEFGHJKLMNPQRSTUVWXYZ" "23456789"

/* argv as one string, words joined by '|' (to compare whole commands). */
static const char *
joined(char **v)
{
	static char	 buf[4096];
	size_t		 i, o = 0;

	buf[0] = '\0';
	for (i = 0; v[i] != NULL; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
		    i > 0 ? "|" : "", v[i]);
	assert_true(o < sizeof(buf));
	return buf;
}

/* Does any word of v equal w (case-insensitive for "ALL")? */
static int
has_word(char **v, const char *w)
{
	size_t	 i;

	for (i = 0; v[i] != NULL; i++)
		if (strcasecmp(v[i], w) == 0)
			return 1;
	return 0;
}

/* Every name parses back to its action; aliases and junk. */
static void
test_names(void **state)
{
	enum contain_action	 a, got;

	for (a = 0; a < CA_COUNT; a++) {
		got = CA_COUNT;
		assert_int_equal(contain_action_parse(contain_action_name(a),
		    &got), 0);
		assert_int_equal(got, a);
	}
	assert_string_equal(contain_action_name(CA_SUSPEND), "suspend");
	assert_string_equal(contain_action_name(CA_RESET), "reset-password");
	assert_string_equal(contain_action_name(CA_PURGE), "purge");
	assert_string_equal(contain_action_name(CA_COUNT), "unknown");
	assert_int_equal(contain_action_parse("reset", &got), 0);
	assert_int_equal(got, CA_RESET);
	assert_int_equal(contain_action_parse("password", &got), 0);
	assert_int_equal(got, CA_RESET);
	got = CA_HOLD;
	assert_int_equal(contain_action_parse("delete", &got), -1);
	assert_int_equal(contain_action_parse("", &got), -1);
	assert_int_equal(contain_action_parse("Suspend", &got), -1);
	assert_int_equal(contain_action_parse("unknown", &got), -1);
	assert_int_equal(got, CA_HOLD);	/* untouched on failure */
}

/* Only what cannot be undone asks first. */
static void
test_dangerous(void **state)
{
	assert_true(contain_action_dangerous(CA_PURGE));
	assert_true(contain_action_dangerous(CA_RESET));
	assert_false(contain_action_dangerous(CA_SUSPEND));
	assert_false(contain_action_dangerous(CA_UNSUSPEND));
	assert_false(contain_action_dangerous(CA_HOLD));
	assert_false(contain_action_dangerous(CA_RELEASE));
}

/* Expect action a refused on sc, the reason naming key. */
static void
incapable(const struct server_config *sc, enum contain_action a,
    const char *key)
{
	char	 why[512] = "";

	if (contain_capable(sc, a, why, sizeof(why)))
		fail_msg("%s allowed without %s", contain_action_name(a), key);
	assert_non_null(strstr(why, key));
	assert_non_null(strstr(why, "[server mx1]"));
}

/* Each action with and without the keys it needs. */
static void
test_capable(void **state)
{
	struct server_config	 sc;
	char			*qargv[] = { "postqueue", "-j", NULL };
	char			 why[512];
	enum contain_action	 a;

	memset(&sc, 0, sizeof(sc));
	sc.name = "mx1";
	for (a = 0; a < CA_COUNT; a++)
		assert_false(contain_capable(&sc, a, why, sizeof(why)));
	incapable(&sc, CA_SUSPEND, "deny_file and sasl_access_map");
	incapable(&sc, CA_UNSUSPEND, "deny_file and sasl_access_map");
	incapable(&sc, CA_RESET, "passwd_file");
	incapable(&sc, CA_HOLD, "postfix_config");
	incapable(&sc, CA_PURGE, "postfix_config");

	/* one of the pair is not enough */
	us_set(&sc, "deny_file", "/etc/dovecot/deny");
	incapable(&sc, CA_SUSPEND, "sasl_access_map");
	us_clear(&sc);
	us_set(&sc, "sasl_access_map", "/etc/postfix/sasl_access");
	incapable(&sc, CA_UNSUSPEND, "deny_file");
	us_set(&sc, "deny_file", "/etc/dovecot/deny");
	assert_true(contain_capable(&sc, CA_SUSPEND, why, sizeof(why)));
	assert_true(contain_capable(&sc, CA_UNSUSPEND, why, sizeof(why)));
	incapable(&sc, CA_RESET, "passwd_file");
	incapable(&sc, CA_RELEASE, "queue_command");

	us_set(&sc, "passwd_file", "/etc/dovecot/users");
	assert_true(contain_capable(&sc, CA_RESET, why, sizeof(why)));

	us_set(&sc, "postfix_config", "/etc/postfix");
	for (a = CA_HOLD; a <= CA_PURGE; a++)
		assert_true(contain_capable(&sc, a, why, sizeof(why)));
	us_clear(&sc);
	sc.queue_argv = qargv;
	for (a = CA_HOLD; a <= CA_PURGE; a++)
		assert_true(contain_capable(&sc, a, why, sizeof(why)));

	/* a site's commands stand in for the built-in files */
	us_clear(&sc);
	sc.act.suspend_command = "/usr/local/sbin/lock %{account}";
	assert_true(contain_capable(&sc, CA_SUSPEND, why, sizeof(why)));
	incapable(&sc, CA_UNSUSPEND, "unsuspend_command");
	sc.act.unsuspend_command = "/usr/local/sbin/unlock %{account}";
	assert_true(contain_capable(&sc, CA_UNSUSPEND, why, sizeof(why)));
	sc.act.password_command = "/usr/local/sbin/setpw %{account}";
	assert_true(contain_capable(&sc, CA_RESET, why, sizeof(why)));

	why[0] = '\0';
	assert_false(contain_capable(&sc, CA_COUNT, why, sizeof(why)));
	assert_string_equal(why, "no such action");
}

/* postsuper [-c DIR] -h|-H|-d -: the ids on stdin, never ALL. */
static void
test_postsuper_argv(void **state)
{
	static const struct {
		enum queue_op		 op;
		const char		*plain, *with_c;
	} want[] = {
		{ QOP_HOLD, "postsuper|-h|-",
		    "postsuper|-c|/etc/postfix-out|-h|-" },
		{ QOP_RELEASE, "postsuper|-H|-",
		    "postsuper|-c|/etc/postfix-out|-H|-" },
		{ QOP_DELETE, "postsuper|-d|-",
		    "postsuper|-c|/etc/postfix-out|-d|-" },
	};
	struct server_config	 sc;
	char			**v;
	size_t			 i;

	memset(&sc, 0, sizeof(sc));
	sc.name = "mx1";
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		us_clear(&sc);
		v = cp_queue_op_argv(&sc, want[i].op);
		assert_string_equal(joined(v), want[i].plain);
		assert_false(has_word(v, "ALL"));
		cp_argv_free(v);
		us_set(&sc, "postfix_config", "/etc/postfix-out");
		v = cp_queue_op_argv(&sc, want[i].op);
		assert_string_equal(joined(v), want[i].with_c);
		assert_false(has_word(v, "ALL"));
		cp_argv_free(v);
	}
	/* the base queue_op.c completes */
	v = cp_queue_tool_argv(&sc);
	assert_string_equal(joined(v), "postsuper|-c|/etc/postfix-out");
	cp_argv_free(v);
	us_clear(&sc);
	v = cp_queue_tool_argv(&sc);
	assert_string_equal(joined(v), "postsuper");
	cp_argv_free(v);
}

/* The server's queue_command wins, else postqueue [-c DIR] -j. */
static void
test_postqueue_argv(void **state)
{
	struct server_config	 sc;
	char			*qargv[] = { "ssh", "mx1", "postqueue -j", NULL };
	char			**v;

	memset(&sc, 0, sizeof(sc));
	sc.name = "mx1";
	v = cp_queue_list_argv(&sc);
	assert_string_equal(joined(v), "postqueue|-j");
	cp_argv_free(v);
	us_set(&sc, "postfix_config", "/etc/postfix-out");
	v = cp_queue_list_argv(&sc);
	assert_string_equal(joined(v), "postqueue|-c|/etc/postfix-out|-j");
	cp_argv_free(v);
	sc.queue_argv = qargv;
	v = cp_queue_list_argv(&sc);
	assert_string_equal(joined(v), "ssh|mx1|postqueue -j");
	/* a copy: the config's argv is not handed out */
	assert_ptr_not_equal(v[0], qargv[0]);
	cp_argv_free(v);
	us_clear(&sc);
}

/* The built-in steps of Postfix + Dovecot, and the check of both. */
enum pd_step {
	PD_DENY_ADD, PD_DENY_DEL, PD_MAP_ADD, PD_MAP_DEL, PD_CHECK,
	PD_PASSWD_SET, PD_PASSWD_CHECK
};

/* Which backend's step it is; NULL for the check. */
static const struct backend_step *
pd_step_of(enum pd_step s, const struct mail_backend **b)
{
	const struct backend_accounts *dv = backend_dovecot.accounts;
	const struct backend_accounts *pf = backend_postfix.accounts;

	*b = s == PD_MAP_ADD || s == PD_MAP_DEL ? &backend_postfix :
	    &backend_dovecot;
	switch (s) {
	case PD_DENY_ADD:
		return dv->deny_add;
	case PD_DENY_DEL:
		return dv->deny_del;
	case PD_MAP_ADD:
		return pf->refuse_add;
	case PD_MAP_DEL:
		return pf->refuse_del;
	case PD_PASSWD_SET:
		return dv->passwd_set;
	case PD_PASSWD_CHECK:
		return dv->passwd_check;
	default:
		return NULL;
	}
}

/* The command of a step for the account (never NULL). */
static char **
pd_argv(enum pd_step s, const struct server_config *sc, const char *account,
    int lock_wait)
{
	const struct mail_backend	*b;
	const struct backend_step	*st = pd_step_of(s, &b);
	char				 err[256], **v;

	if (st == NULL)
		v = cp_check_argv(sc, account, lock_wait, err, sizeof(err));
	else
		v = cp_step_argv(b, st, sc, account, lock_wait, err,
		    sizeof(err));
	if (v == NULL)
		fail_msg("step %d: %s", (int)s, err);
	return v;
}

/* Its script as the backends give it (allocated). */
static char *
pd_script(enum pd_step s)
{
	const struct mail_backend	*b;
	const struct backend_step	*st = pd_step_of(s, &b);

	if (st == NULL)
		return backend_check_script(&backend_dovecot, &backend_postfix);
	return strdup(st->script);
}

/* The name it runs as ($0). */
static const char *
pd_step_name(enum pd_step s)
{
	const struct mail_backend	*b;
	const struct backend_step	*st = pd_step_of(s, &b);

	return st != NULL ? st->name : "mailcon-check";
}

/*
 * The built-in steps: /bin/sh -c SCRIPT NAME, then the account and paths
 * as separate words, in the order their templates give, then the tool.
 */
static void
test_script_argv(void **state)
{
	static const struct {
		enum pd_step	 step;
		const char	*tail;	/* after "/bin/sh -c SCRIPT NAME" */
	} want[] = {
		{ PD_DENY_ADD, "a@example.test|/d/deny|/d/users" },
		{ PD_DENY_DEL, "a@example.test|/d/deny" },
		{ PD_MAP_ADD, "a@example.test|/p/sasl|postmap|-c|/p" },
		{ PD_MAP_DEL, "a@example.test|/p/sasl|postmap|-c|/p" },
		{ PD_CHECK, "a@example.test|/d/deny|/p/sasl|postmap|-c|/p" },
		{ PD_PASSWD_SET, "a@example.test|/d/users|BLF-CRYPT|"
		    "/usr/bin/doveadm|-c|/d/dovecot.conf" },
		{ PD_PASSWD_CHECK, "a@example.test|/d/users|"
		    "/usr/bin/doveadm|-c|/d/dovecot.conf" },
	};
	struct server_config	 sc;
	char			**v, *script;
	size_t			 i;

	memset(&sc, 0, sizeof(sc));
	sc.name = "mx1";
	us_set(&sc, "deny_file", "/d/deny");
	us_set(&sc, "passwd_file", "/d/users");
	us_set(&sc, "sasl_access_map", "/p/sasl");
	us_set(&sc, "postfix_config", "/p");
	us_set(&sc, "password_scheme", "BLF-CRYPT");
	us_set(&sc, "doveadm", "/usr/bin/doveadm -c /d/dovecot.conf");
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		v = pd_argv(want[i].step, &sc, "a@example.test", 30);
		assert_string_equal(v[0], "/bin/sh");
		assert_string_equal(v[1], "-c");
		/* the lock wait, then the script as it is */
		assert_memory_equal(v[2], "lock_wait=30\n", 13);
		script = pd_script(want[i].step);
		assert_string_equal(v[2] + 13, script);
		free(script);
		assert_string_equal(v[3], pd_step_name(want[i].step));
		assert_string_equal(joined(v + 4), want[i].tail);
		cp_argv_free(v);
	}
	/* the defaults: no passwd-file check, doveadm, SHA512-CRYPT, postmap */
	us_clear(&sc);
	us_set(&sc, "deny_file", "/d/deny");
	us_set(&sc, "sasl_access_map", "/p/sasl");
	v = pd_argv(PD_DENY_ADD, &sc, "a", 0);
	/* never 0: a step waits at least a second */
	assert_memory_equal(v[2], "lock_wait=1\n", 12);
	assert_string_equal(joined(v + 4), "a|/d/deny|");
	cp_argv_free(v);
	v = pd_argv(PD_MAP_ADD, &sc, "a", 20);
	assert_string_equal(joined(v + 4), "a|/p/sasl|postmap");
	cp_argv_free(v);
	us_set(&sc, "passwd_file", "/d/users");
	v = pd_argv(PD_PASSWD_SET, &sc, "a", 20);
	assert_string_equal(joined(v + 4), "a|/d/users|SHA512-CRYPT|doveadm");
	cp_argv_free(v);
	us_clear(&sc);
}

/* A site's template gets the account's parts; bad accounts refuse. */
static void
test_template_argv(void **state)
{
	static const char *const bad[] = {
		"o'brien@example.test", "a;reboot", "$(touch /tmp/x)",
		"a b@example.test", "a\nb@example.test", "-oProxyCommand=x",
		"ALL", "all", ".judy", "j\xe2\x80\x8b" "udy", "",
	};
	char	**v, err[256];
	size_t	 i;

	v = cp_template_argv("/usr/local/sbin/lock --user=%{localpart} "
	    "--domain %{domain} %{account}", "judy@example.test", err,
	    sizeof(err));
	assert_non_null(v);
	assert_string_equal(joined(v), "/usr/local/sbin/lock|--user=judy|"
	    "--domain|example.test|judy@example.test");
	cp_argv_free(v);
	v = cp_template_argv("lock %{localpart}", "judy", err, sizeof(err));
	assert_non_null(v);
	assert_string_equal(joined(v), "lock|judy");
	cp_argv_free(v);
	/* no domain to give */
	err[0] = '\0';
	assert_null(cp_template_argv("lock %{domain}", "judy", err,
	    sizeof(err)));
	assert_non_null(strstr(err, "%{domain}"));
	/* nor a queue id, for an account action */
	err[0] = '\0';
	assert_null(cp_template_argv("lock %{queue_id}", "judy@example.test",
	    err, sizeof(err)));
	assert_non_null(strstr(err, "queue_id"));
	/* an odd login is an account; its parts are checked when used */
	v = cp_template_argv("lock %{account}", "judy@", err, sizeof(err));
	assert_non_null(v);
	cp_argv_free(v);
	assert_null(cp_template_argv("lock %{domain}", "judy@", err,
	    sizeof(err)));
	assert_non_null(strstr(err, "the domain \"\""));
	assert_null(cp_template_argv("lock %{localpart}", "@example.test", err,
	    sizeof(err)));
	assert_non_null(strstr(err, "the localpart \"\" is empty"));

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if ((v = cp_template_argv("lock %{account}", bad[i], err,
		    sizeof(err))) != NULL)
			fail_msg("account %zu accepted as %s", i, joined(v));
		assert_non_null(strstr(err, "refused"));
		assert_null(strchr(err, '\n'));
	}
}

/* 20 characters of the unambiguous alphabet, different every time. */
static void
test_password(void **state)
{
	char	 a[CONTAIN_PW_LEN + 1], b[CONTAIN_PW_LEN + 1];
	char	 small[CONTAIN_PW_LEN] = "untouched";

	assert_int_equal(cp_password(a, sizeof(a)), 0);
	assert_int_equal(cp_password(b, sizeof(b)), 0);
	assert_int_equal(strlen(a), CONTAIN_PW_LEN);
	assert_int_equal(strlen(b), CONTAIN_PW_LEN);
	assert_int_equal(strspn(a, PW_ALPHABET), CONTAIN_PW_LEN);
	assert_int_equal(strspn(b, PW_ALPHABET), CONTAIN_PW_LEN);
	assert_string_not_equal(a, b);
	/* a buffer too small is refused, not overrun */
	assert_int_equal(cp_password(small, sizeof(small)), -1);
	assert_string_equal(small, "untouched");
}

/* Over many draws every character of the alphabet turns up (no bias to
   a few), and none outside it. */
static void
test_password_spread(void **state)
{
	char	 pw[CONTAIN_PW_LEN + 1];
	int	 seen[256] = { 0 };
	size_t	 i, k;

	for (i = 0; i < 200; i++) {
		assert_int_equal(cp_password(pw, sizeof(pw)), 0);
		for (k = 0; k < CONTAIN_PW_LEN; k++)
			seen[(unsigned char)pw[k]]++;
	}
	for (k = 0; k < 256; k++) {
		if (k != 0 && strchr(PW_ALPHABET, (int)k) != NULL)
			assert_true(seen[k] > 0);
		else
			assert_int_equal(seen[k], 0);
	}
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_dangerous),
		cmocka_unit_test(test_capable),
		cmocka_unit_test(test_postsuper_argv),
		cmocka_unit_test(test_postqueue_argv),
		cmocka_unit_test(test_script_argv),
		cmocka_unit_test(test_template_argv),
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_password_spread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
