/* test_list.c: selection and scrolling of the views' lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tui/list.h"

static void
test_scrolling(void **state)
{
	struct list	 l = { 0 };

	list_resize(&l, 100, 10);
	assert_int_equal(l.sel, 0);
	list_move(&l, 12);
	assert_int_equal(l.sel, 12);
	assert_int_equal(l.top, 3);		/* row 12 is the last visible */
	list_move(&l, -100);
	assert_int_equal(l.sel, 0);
	assert_int_equal(l.top, 0);
	list_page(&l, 1);
	assert_int_equal(l.sel, 9);
	list_bottom(&l);
	assert_int_equal(l.sel, 99);
	assert_int_equal(l.top, 90);
	list_move(&l, 5);
	assert_int_equal(l.sel, 99);
	/* rows vanish (a filter): selection and top stay valid */
	list_resize(&l, 4, 10);
	assert_int_equal(l.sel, 3);
	assert_int_equal(l.top, 0);
	list_resize(&l, 0, 10);
	assert_int_equal(l.sel, 0);
	list_top(&l);
	assert_int_equal(l.sel, 0);
}

/* The live log keeps the newest line selected until the user moves up. */
static void
test_follow(void **state)
{
	struct list	 l = { 0 };

	l.follow = 1;
	list_resize(&l, 50, 10);
	assert_int_equal(l.sel, 49);
	list_resize(&l, 60, 10);
	assert_int_equal(l.sel, 59);
	assert_int_equal(l.top, 50);
	list_move(&l, -1);
	assert_int_equal(l.follow, 0);
	list_resize(&l, 70, 10);
	assert_int_equal(l.sel, 58);
	/* a smaller window keeps the selection visible */
	list_resize(&l, 70, 3);
	assert_true(l.sel >= l.top && l.sel < l.top + 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scrolling),
		cmocka_unit_test(test_follow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
