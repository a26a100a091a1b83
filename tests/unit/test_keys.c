/*
 * test_keys.c: the console's key table and what the frame builds on it
 * without a terminal: no key is bound twice in a view, every binding has a
 * handler and words for the help; the action keys are offered only where
 * the selected server can do them; the accounts view sorts along the
 * columns its width shows; a page scrolls by pages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "act/contain.h"
#include "tui/ui.h"

/* No (key, view) pair is bound twice: the second would never run. */
static void
test_table(void **state)
{
	const struct key_binding	*b, *c;
	unsigned			 bit;

	(void)state;
	for (b = key_table; b->label != NULL; b++) {
		assert_non_null(b->fn);
		assert_non_null(b->help);
		assert_true(b->views != 0);
		assert_true(b->action >= 0 && b->action <= CA_PURGE + 1);
		for (c = key_table; c < b; c++)
			for (bit = 1; bit <= VIEW_ALL; bit <<= 1)
				assert_false(c->key == b->key &&
				    (c->views & bit) && (b->views & bit));
	}
	assert_ptr_equal(keys_lookup('q', VIEW_ACCOUNTS)->fn,
	    key_back_or_quit);
	assert_ptr_equal(keys_lookup('5', VIEW_LOG)->fn, key_view);
	assert_int_equal(keys_lookup('5', VIEW_LOG)->arg, TV_RBL);
	assert_ptr_equal(keys_lookup('6', VIEW_HELP)->fn, key_view);
	assert_int_equal(keys_lookup('6', VIEW_HELP)->arg, TV_MESSAGES);
	/* the twins of a key with an argument: one function, two steps */
	assert_ptr_equal(keys_lookup('k', VIEW_LOG)->fn,
	    keys_lookup('j', VIEW_LOG)->fn);
	assert_int_equal(keys_lookup('k', VIEW_LOG)->arg, -1);
	assert_int_equal(keys_lookup('j', VIEW_LOG)->arg, 1);
	assert_int_equal(keys_lookup(KEY_F(9), VIEW_DETAIL)->action,
	    CA_PURGE + 1);
	assert_null(keys_lookup('h', VIEW_LOG));
	assert_null(keys_lookup('I', VIEW_SERVERS));
	/* F5 is s's twin: the help lists them on one line */
	for (b = key_table; b->label != NULL && strcmp(b->label, "F5") != 0;
	    b++)
		;
	assert_true(keys_is_twin(b));
	assert_false(keys_is_twin(keys_lookup('s', VIEW_ACCOUNTS)));
}

/* One server on a console whose accounts view shows its first row. */
struct fixture {
	struct server_config	 sc;
	struct server		 srv;
	struct server		*servers[1];
	struct app		 a;
	struct tui		 t;
};

static void
fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->sc.name = "mx1";
	f->srv.name = "mx1";
	f->srv.cfg = &f->sc;
	f->servers[0] = &f->srv;
	f->a.servers = f->servers;
	f->a.nservers = 1;
	f->t.a = &f->a;
	f->t.view = TV_ACCOUNTS;
	f->t.cols = 80;
	f->t.sel_server[TV_ACCOUNTS] = 0;
}

/* Set a backend's key of the server as the configuration would. */
static void
set_key(struct fixture *f, const char *name, const char *value)
{
	char	 err[256];

	if (config_set_action(&f->sc.act, name, value, err, sizeof(err)) != 1)
		fail_msg("%s = %s: %s", name, value, err);
}

/* Is the key's action offered? */
static int
offered(struct fixture *f, int key, char *why, size_t size)
{
	return ui_key_capable(&f->t, keys_lookup(key, VIEW_ACCOUNTS), why,
	    size);
}

/* A server without queue access: no hold, release or purge, and why. */
static void
test_capable(void **state)
{
	struct fixture	 f;
	char		 why[512];

	(void)state;
	fixture_init(&f);
	assert_false(offered(&f, 'h', why, sizeof(why)));
	assert_non_null(strstr(why, "mx1"));
	assert_non_null(strstr(why, "queue"));
	assert_false(offered(&f, 'D', why, sizeof(why)));
	assert_false(offered(&f, 'H', why, sizeof(why)));
	assert_false(offered(&f, 's', why, sizeof(why)));
	assert_false(offered(&f, 'P', why, sizeof(why)));
	/* not an action key: always offered */
	assert_true(offered(&f, '?', why, sizeof(why)));
	set_key(&f, "postfix_config", "/etc/postfix");
	assert_true(offered(&f, 'h', why, sizeof(why)));
	assert_true(offered(&f, 'D', why, sizeof(why)));
	assert_false(offered(&f, 's', why, sizeof(why)));
	set_key(&f, "deny_file", "/etc/dovecot/deny");
	set_key(&f, "sasl_access_map", "/etc/postfix/sasl_access");
	assert_true(offered(&f, 's', why, sizeof(why)));
	assert_true(offered(&f, 'U', why, sizeof(why)));
	/* no row selected: nothing to act on */
	f.t.sel_server[TV_ACCOUNTS] = -1;
	assert_false(offered(&f, 's', why, sizeof(why)));
	f.t.sel_server[TV_ACCOUNTS] = 0;
	/* the help is about the view under it */
	f.t.stack[0].view = TV_ACCOUNTS;
	f.t.depth = 1;
	f.t.view = TV_HELP;
	assert_int_equal(ui_selected_server(&f.t), 0);
	f.t.view = TV_ACCOUNTS;
	f.t.depth = 0;
	f.a.read_only = 1;
	assert_false(offered(&f, 's', why, sizeof(why)));
	assert_non_null(strstr(why, "read-only"));
	config_action_free(&f.sc.act);
}

/* The columns < and > step along. */
static void
sorts(struct fixture *f, int cols, char *out, size_t size)
{
	size_t	 n = 0;
	int	 i;

	f->t.cols = cols;
	f->a.sort = SORT_LEVEL;
	out[0] = '\0';
	for (i = 0; i < SORT_COUNT + 1; i++) {	/* once round, and more */
		n += (size_t)snprintf(out + n, size - n, "%d ", f->a.sort);
		accounts_sort_step(&f->t, 1);
	}
}

/* At 80 the five columns of the design size; wider, more. */
static void
test_sort_columns(void **state)
{
	struct fixture	 f;
	char		 got[128], want[128];

	(void)state;
	fixture_init(&f);
	sorts(&f, 80, got, sizeof(got));
	snprintf(want, sizeof(want), "%d %d %d %d %d %d %d %d %d %d %d %d ",
	    SORT_LEVEL, SORT_ACCOUNT, SORT_RATE, SORT_MESSAGES, SORT_IPS,
	    SORT_LEVEL, SORT_ACCOUNT, SORT_RATE, SORT_MESSAGES, SORT_IPS,
	    SORT_LEVEL, SORT_ACCOUNT);
	assert_string_equal(got, want);
	sorts(&f, 160, got, sizeof(got));
	snprintf(want, sizeof(want), "%d %d %d %d %d %d %d %d %d %d %d %d ",
	    SORT_LEVEL, SORT_ACCOUNT, SORT_RATE, SORT_MESSAGES, SORT_AVERAGE,
	    SORT_IPS, SORT_RECIPIENTS, SORT_QUEUED, SORT_FLAGGED,
	    SORT_FIRST_SEEN, SORT_LEVEL, SORT_ACCOUNT);
	assert_string_equal(got, want);
	/* backwards from the first: the last; a step resets the inversion */
	f.t.cols = 80;
	f.a.sort = SORT_LEVEL;
	f.a.sort_reverse = 1;
	accounts_sort_step(&f.t, -1);
	assert_int_equal(f.a.sort, SORT_IPS);
	assert_int_equal(f.a.sort_reverse, 0);
	/* a column this width does not show: the next is the first */
	f.a.sort = SORT_FIRST_SEEN;
	accounts_sort_step(&f.t, 1);
	assert_int_equal(f.a.sort, SORT_LEVEL);
}

/* A page of 100 lines in 20: PgDn moves 19, G shows the last 20. */
static void
test_page(void **state)
{
	struct fixture	 f;
	struct page	 p;
	struct list	*l;
	int		 i, shown;

	(void)state;
	fixture_init(&f);
	f.t.view = TV_HELP;
	l = &f.t.list[TV_HELP];
	page_begin(&p, &f.t, 1, 20);
	for (i = 0, shown = 0; i < 100; i++)
		shown += page_next(&p) >= 0;
	page_end(&p);
	assert_int_equal(shown, 20);
	assert_int_equal(l->nrows, 81);
	list_page(l, 1);
	assert_int_equal(l->sel, 19);
	list_bottom(l);
	assert_int_equal(l->sel, 80);
	page_begin(&p, &f.t, 1, 20);
	for (i = 0; i < 100; i++)
		if (page_next(&p) == 1)
			break;
	assert_int_equal(i, 80);	/* line 80 is at the top */
	list_page(l, -1);
	assert_int_equal(l->sel, 61);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_capable),
		cmocka_unit_test(test_sort_columns),
		cmocka_unit_test(test_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
