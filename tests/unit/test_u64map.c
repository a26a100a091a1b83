/*
 * test_u64map.c: the bounded map scan --detail and --summary keep their
 * tables in (console/core/u64map.c): values kept across growth, a full
 * map refuses new keys but still finds and updates old ones, key 0 is
 * never the empty slot.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/u64map.h"

static void
test_bounded(void **state)
{
	struct u64map	 m;
	uint64_t	*v, i;
	int		 fresh;

	u64map_init(&m, 5000);
	for (i = 0; i < 5000; i++) {
		v = u64map_get(&m, u64map_key(&i, sizeof(i), 0), 1, &fresh);
		assert_non_null(v);
		assert_int_equal(fresh, 1);
		*v = i * 3;
	}
	assert_int_equal(m.n, 5000);
	/* full: a new key is refused, an old one found */
	i = 5000;
	assert_null(u64map_get(&m, u64map_key(&i, sizeof(i), 0), 1, &fresh));
	assert_int_equal(fresh, 0);
	assert_int_equal(m.n, 5000);
	for (i = 0; i < 5000; i++) {
		v = u64map_get(&m, u64map_key(&i, sizeof(i), 0), 1, &fresh);
		assert_non_null(v);
		assert_int_equal(fresh, 0);
		assert_true(*v == i * 3);
	}
	/* a lookup never inserts */
	i = 9999;
	assert_null(u64map_get(&m, u64map_key(&i, sizeof(i), 0), 0, NULL));
	/* key 0 is kept as a key like any other */
	u64map_free(&m);
	u64map_init(&m, 4);
	assert_non_null(v = u64map_get(&m, 0, 1, &fresh));
	*v = 7;
	assert_true(*u64map_get(&m, 0, 0, NULL) == 7);
	u64map_free(&m);
}

static void
test_keys(void **state)
{
	assert_true(u64map_key("Judy@Example.test", 17, 1) ==
	    u64map_key("judy@example.test", 17, 1));
	assert_true(u64map_key("Judy@Example.test", 17, 0) !=
	    u64map_key("judy@example.test", 17, 0));
	assert_true(u64map_key("", 0, 0) != 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
