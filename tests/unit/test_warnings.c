/*
 * test_warnings.c: the console's lasting warnings (app_warn): none is
 * replaced by another (the locale note used to replace "history off"),
 * each has its turn on the status line, the same one is kept once, and
 * more than fit are counted, not dropped silently.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "live/app.h"

static struct app	 a;

static void
test_kept_in_turn(void **state)
{
	char		 buf[300];
	const char	*w;

	memset(&a, 0, sizeof(a));
	assert_null(app_warning(&a, 0, buf, sizeof(buf)));
	app_note(&a, 0, "history off: %s", "h.db: not a database");
	assert_string_equal(app_warning(&a, 0, buf, sizeof(buf)),
	    "history off: h.db: not a database");
	app_note(&a, 0, "actions off: %s", "h.db: not a database");
	app_note(&a, 0, "locale is not UTF-8");
	app_note(&a, 0, "locale is not UTF-8");	/* once */
	assert_int_equal(a.nwarnings, 3);
	w = app_warning(&a, 0, buf, sizeof(buf));
	assert_string_equal(w, "(1/3) history off: h.db: not a database");
	w = app_warning(&a, APP_WARNING_MS, buf, sizeof(buf));
	assert_string_equal(w, "(2/3) actions off: h.db: not a database");
	w = app_warning(&a, 2 * APP_WARNING_MS + 1, buf, sizeof(buf));
	assert_string_equal(w, "(3/3) locale is not UTF-8");
	w = app_warning(&a, 3 * APP_WARNING_MS, buf, sizeof(buf));
	assert_string_equal(w, "(1/3) history off: h.db: not a database");
	/* a note for a while does not touch them */
	app_note(&a, 5, "demo: replay finished");
	assert_int_equal(a.nwarnings, 3);
	notelog_free(&a.notes);	/* the messages view's copy of them */
}

static void
test_more_than_fit(void **state)
{
	char	 text[32];
	int	 i;

	memset(&a, 0, sizeof(a));
	for (i = 0; i < APP_WARNINGS + 3; i++) {
		snprintf(text, sizeof(text), "warning %d", i);
		app_warn(&a, text);
	}
	assert_int_equal(a.nwarnings, APP_WARNINGS);
	assert_string_equal(a.warnings[0], "warning 0");
	assert_string_equal(a.warnings[APP_WARNINGS - 2], "warning 6");
	snprintf(text, sizeof(text), "warning %d", APP_WARNINGS + 2);
	assert_non_null(strstr(a.warnings[APP_WARNINGS - 1], "and more"));
	assert_non_null(strstr(a.warnings[APP_WARNINGS - 1], text));
	notelog_free(&a.notes);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kept_in_turn),
		cmocka_unit_test(test_more_than_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
