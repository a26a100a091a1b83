/*
 * test_config_act.c: the action keys of [server NAME] and the keys of
 * [watch] (console/config/config_act.c): good values taken, bad ones refused with
 * a message naming the key, the old value kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/config.h"

/* name = value must be refused, the message naming what. */
static void
refused(struct action_config *ac, const char *name, const char *value,
    const char *what)
{
	char	 err[512] = "";

	if (config_set_action(ac, name, value, err, sizeof(err)) != -1)
		fail_msg("%s = \"%s\" accepted", name, value);
	if (strstr(err, what) == NULL)
		fail_msg("%s = \"%s\": \"%s\" does not say \"%s\"", name,
		    value, err, what);
	assert_null(strchr(err, '\n'));
}

/* name = value must be taken. */
static void
taken(struct action_config *ac, const char *name, const char *value)
{
	char	 err[512] = "";

	if (config_set_action(ac, name, value, err, sizeof(err)) != 1)
		fail_msg("%s = \"%s\" refused: %s", name, value, err);
}

/* The four paths: absolute and printable only. */
static void
test_paths(void **state)
{
	static const char *const keys[] = { "postfix_config", "deny_file",
	    "sasl_access_map", "passwd_file" };
	static const char *const bad[] = { "etc/postfix", "./deny", "",
	    "~/deny", "/etc/deny\nx", "/etc/de\tny", "/etc/\x1b[2Jdeny",
	    "/etc/deny\x7f" };
	struct action_config	 ac;
	char			 err[128], lng[1100];
	size_t			 i, k;

	memset(&ac, 0, sizeof(ac));
	memset(lng, 'a', sizeof(lng) - 1);
	lng[0] = '/';
	lng[sizeof(lng) - 1] = '\0';
	for (k = 0; k < 4; k++) {
		taken(&ac, keys[k], "/etc/first");
		taken(&ac, keys[k], "/etc/mail dir/second");
		assert_string_equal(config_action_opt(&ac, keys[k]),
		    "/etc/mail dir/second");
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			refused(&ac, keys[k], bad[i], "absolute path");
		refused(&ac, keys[k], lng, "absolute path");
		/* a refused value leaves the one before */
		assert_string_equal(config_action_opt(&ac, keys[k]),
		    "/etc/mail dir/second");
	}
	assert_int_equal(config_set_action(&ac, "deny", "/x", err,
	    sizeof(err)), 0);
	assert_int_equal(config_set_action(&ac, "logs", "/x", err,
	    sizeof(err)), 0);
	config_action_free(&ac);
	assert_null(config_action_opt(&ac, "deny_file"));
}

/* password_scheme: a doveadm pw scheme name, nothing a shell would parse. */
static void
test_scheme(void **state)
{
	static const char *const bad[] = { "", "SHA512 CRYPT", "x;id",
	    "$(id)", "A'B", "sha512\n", "{PLAIN}",
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" };
	struct action_config	 ac;
	size_t			 i;

	memset(&ac, 0, sizeof(ac));
	taken(&ac, "password_scheme", "SHA512-CRYPT");
	taken(&ac, "password_scheme", "BLF-CRYPT");
	taken(&ac, "password_scheme", "ARGON2ID");
	taken(&ac, "password_scheme", "SSHA512.b64");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused(&ac, "password_scheme", bad[i], "password_scheme");
	assert_string_equal(config_action_opt(&ac, "password_scheme"),
	    "SSHA512.b64");
	config_action_free(&ac);
}

/* doveadm: split into words; empty refused. */
static void
test_doveadm(void **state)
{
	struct action_config	 ac;

	memset(&ac, 0, sizeof(ac));
	taken(&ac, "doveadm", "doveadm");
	taken(&ac, "doveadm", "/usr/bin/doveadm  -c /etc/dovecot/x.conf");
	assert_non_null(config_action_words(&ac, "doveadm"));
	assert_string_equal(config_action_words(&ac, "doveadm")[0],
	    "/usr/bin/doveadm");
	assert_string_equal(config_action_words(&ac, "doveadm")[1], "-c");
	assert_string_equal(config_action_words(&ac, "doveadm")[2],
	    "/etc/dovecot/x.conf");
	assert_null(config_action_words(&ac, "doveadm")[3]);
	refused(&ac, "doveadm", "", "doveadm");
	refused(&ac, "doveadm", "   ", "doveadm");
	assert_string_equal(config_action_words(&ac, "doveadm")[0],
	    "/usr/bin/doveadm");
	config_action_free(&ac);
}

/* The *_command templates must render with a sample account. */
static void
test_templates(void **state)
{
	static const char *const keys[] = { "suspend_command",
	    "unsuspend_command", "password_command" };
	static const struct {
		const char	*value, *why;
	} bad[] = {
		{ "", "empty" },
		{ "   ", "empty" },
		{ "lock %{user}", "unknown placeholder" },
		{ "lock %{account", "unfinished" },
		{ "postsuper -d %{queue_id}", "queue_id" },
	};
	struct action_config	 ac;
	char			**slot[3];
	size_t			 i, k;

	memset(&ac, 0, sizeof(ac));
	slot[0] = &ac.suspend_command;
	slot[1] = &ac.unsuspend_command;
	slot[2] = &ac.password_command;
	for (k = 0; k < 3; k++) {
		taken(&ac, keys[k], "/usr/local/sbin/x --u %{localpart} "
		    "--d %{domain} %{account}");
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			refused(&ac, keys[k], bad[i].value, keys[k]);
			refused(&ac, keys[k], bad[i].value, bad[i].why);
		}
		/* kept as written, rendered per account when it runs */
		assert_string_equal(*slot[k], "/usr/local/sbin/x --u "
		    "%{localpart} --d %{domain} %{account}");
	}
	config_action_free(&ac);
}

/* [watch] level and contain. */
static void
test_watch(void **state)
{
	static const char *const bad_contain[] = { "reset", "hold,delete",
	    "hold;suspend", "suspend reset-password",
	    "averyveryverylongwordthatisnotanactionatall" };
	struct watch_config	 wc;
	char			 err[512];
	size_t			 i;

	memset(&wc, 0, sizeof(wc));
	assert_int_equal(config_set_watch(&wc, "level", "suspicious", err,
	    sizeof(err)), 1);
	assert_int_equal(wc.level, LEVEL_SUSPICIOUS);
	assert_int_equal(config_set_watch(&wc, "level", "CRITICAL", err,
	    sizeof(err)), 1);
	assert_int_equal(wc.level, LEVEL_CRITICAL);
	err[0] = '\0';
	assert_int_equal(config_set_watch(&wc, "level", "high", err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "level"));
	assert_int_equal(wc.level, LEVEL_CRITICAL);

	assert_int_equal(config_set_watch(&wc, "contain", "hold, suspend",
	    err, sizeof(err)), 1);
	assert_int_equal(wc.contain, WATCH_HOLD | WATCH_SUSPEND);
	assert_int_equal(config_set_watch(&wc, "contain", "Purge", err,
	    sizeof(err)), 1);
	assert_int_equal(wc.contain, WATCH_PURGE);
	assert_int_equal(config_set_watch(&wc, "contain", "none", err,
	    sizeof(err)), 1);
	assert_int_equal(wc.contain, 0);
	assert_int_equal(config_set_watch(&wc, "contain", "hold,suspend",
	    err, sizeof(err)), 1);
	for (i = 0; i < sizeof(bad_contain) / sizeof(bad_contain[0]); i++) {
		err[0] = '\0';
		if (config_set_watch(&wc, "contain", bad_contain[i], err,
		    sizeof(err)) != -1)
			fail_msg("contain = %s accepted", bad_contain[i]);
		assert_non_null(strstr(err, "contain"));
		assert_non_null(strstr(err, "is not hold, suspend, purge"));
		assert_int_equal(wc.contain, WATCH_HOLD | WATCH_SUSPEND);
	}
	assert_int_equal(config_set_watch(&wc, "interval", "5", err,
	    sizeof(err)), 0);
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_scheme),
		cmocka_unit_test(test_doveadm),
		cmocka_unit_test(test_templates),
		cmocka_unit_test(test_watch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
