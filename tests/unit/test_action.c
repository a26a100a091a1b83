/* test_action.c: action templates, value grammars, shell quoting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/action.h"

static void
test_render(void **state)
{
	struct action_values	 v = { { "judy@example.test", "example.test",
	    "judy", "3DD15106D83" } };
	struct action_argv	 a;
	char			 err[256];

	assert_int_equal(action_render("doveadm pw -s SHA512-CRYPT -u "
	    "%{account}", &v, &a, err, sizeof(err)), 0);
	assert_int_equal(a.argc, 6);
	assert_string_equal(a.argv[5], "judy@example.test");
	action_argv_free(&a);
	assert_int_equal(action_render("  postmap   hash:/etc/postfix/deny-"
	    "%{domain}  x%{localpart}y ", &v, &a, err, sizeof(err)), 0);
	assert_int_equal(a.argc, 3);
	assert_string_equal(a.argv[1], "hash:/etc/postfix/deny-example.test");
	assert_string_equal(a.argv[2], "xjudyy");
	action_argv_free(&a);
}

/* Every hostile value refuses the whole action, naming it. */
static void
test_injection_refused(void **state)
{
	static const char *const accounts[] = {
		"a'b@example.test", "a;rm -rf /", "$(reboot)@example.test",
		"a b@example.test", "a\nb@example.test", "-oProxyCommand=x",
		"`id`", ".hidden", "", "a\\b", "a|b", "a>b", "a&b",
		"ALL", "all", "a\xe2\x80\x8b" "b@example.test",
		"caf\xc3@example.test",
	};
	static const char *const qids[] = {
		"ALL", "-d", "3DD15106D83;ls", "3DD 15106D83", "'3DD15106D83'",
		"", "3dd15106d83\n",
	};
	struct action_values	 v;
	struct action_argv	 a;
	char			 err[256];
	size_t			 i;

	for (i = 0; i < sizeof(accounts) / sizeof(accounts[0]); i++) {
		memset(&v, 0, sizeof(v));
		v.v[AV_ACCOUNT] = accounts[i];
		err[0] = '\0';
		if (action_render("suspend %{account}", &v, &a, err,
		    sizeof(err)) != -1)
			fail_msg("account %zu (%s) accepted", i, accounts[i]);
		assert_int_equal(a.argc, 0);
		assert_non_null(strstr(err, "refused: the account"));
		assert_non_null(strstr(err, "nothing was run"));
		assert_null(strchr(err, '\n'));
	}
	for (i = 0; i < sizeof(qids) / sizeof(qids[0]); i++) {
		memset(&v, 0, sizeof(v));
		v.v[AV_QUEUE_ID] = qids[i];
		if (action_render("postsuper -d %{queue_id}", &v, &a, err,
		    sizeof(err)) != -1)
			fail_msg("queue id %zu (%s) accepted", i, qids[i]);
		assert_non_null(strstr(err, "queue_id"));
	}
}

static void
test_template_errors(void **state)
{
	struct action_values	 v = { { "judy@example.test", NULL, NULL,
	    NULL } };
	struct action_argv	 a;
	char			 err[256];

	assert_int_equal(action_render("x %{user}", &v, &a, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "unknown placeholder %{user}"));
	assert_int_equal(action_render("x %{domain}", &v, &a, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "no value"));
	assert_int_equal(action_render("x %{account", &v, &a, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "unfinished"));
	assert_int_equal(action_render("   ", &v, &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty"));
}

static void
test_domains(void **state)
{
	const char	*why;

	assert_true(action_domain_ok("mail.example.test", &why));
	assert_true(action_domain_ok("xn--bcher-kva.example", &why));
	assert_false(action_domain_ok("-bad.example", &why));
	assert_false(action_domain_ok("a..b", &why));
	assert_false(action_domain_ok("a.b.", &why));
	assert_false(action_domain_ok("a_b.example", &why));
	assert_false(action_domain_ok("a b", &why));
}

/*
 * Quoted words survive a real shell unchanged: sh -c "printf '[%s]\n'
 * QUOTED" prints each original word once.
 */
static void
test_shell_quote(void **state)
{
	struct action_argv	 a;
	char			 line[2048], cmd[4096], got[4096];
	char			 out[] = "/tmp/mailcon-quote-test.XXXXXX";
	FILE			*p;
	size_t			 n;
	int			 fd;

	memset(&a, 0, sizeof(a));
	a.argv[0] = "printf";
	a.argv[1] = "[%s]\\n";
	a.argv[2] = "it's";
	a.argv[3] = "$(id) `id` ; | & > *";
	a.argv[4] = "";
	a.argv[5] = "plain@example.test";
	a.argc = 6;
	assert_true(action_shell_quote(&a, line, sizeof(line)) > 0);
	assert_non_null(strstr(line, " plain@example.test"));
	/* run the quoted line through a real shell (system() uses sh -c),
	   into a file of this run's own (runs may overlap) */
	assert_true((fd = mkstemp(out)) != -1);
	close(fd);
	snprintf(cmd, sizeof(cmd), "%s > %s", line, out);
	assert_int_equal(system(cmd), 0);
	p = fopen(out, "r");
	assert_non_null(p);
	n = fread(got, 1, sizeof(got) - 1, p);
	got[n] = '\0';
	fclose(p);
	remove(out);
	assert_string_equal(got, "[it's]\n[$(id) `id` ; | & > *]\n[]\n"
	    "[plain@example.test]\n");
	assert_int_equal(action_shell_quote(&a, line, 10), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_injection_refused),
		cmocka_unit_test(test_template_errors),
		cmocka_unit_test(test_domains),
		cmocka_unit_test(test_shell_quote),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
