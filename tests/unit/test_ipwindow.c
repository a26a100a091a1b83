/*
 * test_ipwindow.c: exact distinct counts, window aging, the estimator
 * beyond DETECT_EXACT_IPS, and the memory bound.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "detect/detector.h"
#include "detect/ipwindow.h"

#define W	600

/* |got - want| <= pct% of want. */
static int
within(uint64_t got, uint64_t want, double pct)
{
	double	 d = (double)got - (double)want;

	return (d < 0 ? -d : d) <= want * pct / 100.0;
}

/* Counts in and out of the window are exact under the cap. */
static void
test_exact_counts(void **state)
{
	struct ipwin		 w = { 0 };
	const struct ipwin_entry *e;
	size_t			 mem = 0;
	int			 ex;

	(void)state;
	assert_int_equal(ipwin_see(&w, 1, 1000, W, &mem), 1);	/* new */
	ipwin_see(&w, 2, 1000, W, &mem);
	assert_int_equal(ipwin_see(&w, 1, 1010, W, &mem), 0);	/* known */
	ipwin_see(&w, 3, 1020, W, &mem);
	assert_int_equal(ipwin_in_window(&w, 1020, W, &ex), 3);
	assert_int_equal(ex, 1);
	assert_int_equal(ipwin_total(&w, &ex), 3);
	assert_int_equal(ex, 1);
	e = ipwin_find(&w, 1);
	assert_non_null(e);
	assert_int_equal(e->count, 2);
	assert_int_equal(e->first, 1000);
	assert_int_equal(e->last, 1010);
	assert_null(ipwin_find(&w, 4));
	assert_int_equal(mem, ipwin_bytes(&w));
	ipwin_free(&w, &mem);
	assert_int_equal(mem, 0);
}

/* Keys leave the window exactly `window` seconds after their last
   sighting, one by one, and come back when seen again. */
static void
test_window_expiry(void **state)
{
	struct ipwin	 w = { 0 };
	size_t		 mem = 0;
	int		 ex, i;

	(void)state;
	for (i = 0; i < 10; i++)
		ipwin_see(&w, 100 + i, 1000 + 10 * i, W, &mem);
	ipwin_see(&w, 100, 1095, W, &mem);	/* key 100 moves to front */
	for (i = 1; i < 10; i++) {
		ipwin_advance(&w, 1000 + 10 * i + W - 1, W);
		assert_int_equal(ipwin_in_window(&w, 1000 + 10 * i + W - 1, W,
		    &ex), 10 - (i - 1));
		ipwin_advance(&w, 1000 + 10 * i + W, W);
		assert_int_equal(ipwin_in_window(&w, 1000 + 10 * i + W, W,
		    &ex), 10 - i);
		assert_int_equal(ex, 1);
	}
	ipwin_advance(&w, 1095 + W - 1, W);
	assert_int_equal(ipwin_in_window(&w, 1095 + W - 1, W, &ex), 1);
	ipwin_advance(&w, 1095 + W, W);
	assert_int_equal(ipwin_in_window(&w, 1095 + W, W, &ex), 0);
	ipwin_advance(&w, 5000, W);
	assert_int_equal(ipwin_in_window(&w, 5000, W, &ex), 0);
	assert_int_equal(ipwin_total(&w, &ex), 10);
	ipwin_see(&w, 105, 5000, W, &mem);
	ipwin_see(&w, 999, 5001, W, &mem);
	assert_int_equal(ipwin_in_window(&w, 5001, W, &ex), 2);
	assert_int_equal(ipwin_total(&w, &ex), 11);
	assert_int_equal(ex, 1);
	assert_int_equal(ipwin_find(&w, 105)->count, 2);
	ipwin_free(&w, &mem);
}

/* Up to the cap everything stays exact and storage grows by doubling. */
static void
test_cap_exact(void **state)
{
	struct ipwin	 w = { 0 };
	size_t		 mem = 0;
	int		 ex, i;

	(void)state;
	ipwin_see(&w, 7, 0, W, &mem);
	assert_true(ipwin_bytes(&w) <= 4 * 40);	/* starts tiny */
	for (i = 1; i < DETECT_EXACT_IPS; i++)
		ipwin_see(&w, 7 + (uint64_t)i * 7919, 0, W, &mem);
	assert_int_equal(ipwin_in_window(&w, 0, W, &ex), DETECT_EXACT_IPS);
	assert_int_equal(ex, 1);
	assert_int_equal(ipwin_total(&w, &ex), DETECT_EXACT_IPS);
	assert_int_equal(ex, 1);
	assert_null(w.est);
	ipwin_see(&w, 3, 1, W, &mem);
	assert_non_null(w.est);
	assert_true(within(ipwin_total(&w, &ex), DETECT_EXACT_IPS + 1, 5));
	assert_int_equal(ex, 0);
	assert_true(within(ipwin_in_window(&w, 1, W, &ex),
	    DETECT_EXACT_IPS + 1, 5));
	assert_int_equal(ex, 0);
	ipwin_free(&w, &mem);
	assert_int_equal(mem, 0);
}

/* Aged-out entries are recycled: the window stays exact, the total turns
   into an estimate; after a full window without loss, exact again. */
static void
test_recycle_and_recover(void **state)
{
	struct ipwin	 w = { 0 };
	size_t		 mem = 0;
	uint64_t	 k;
	int		 ex;

	(void)state;
	for (k = 1; k <= 1000; k++)
		ipwin_see(&w, k, 0, W, &mem);
	for (k = 1001; k <= 2000; k++)
		ipwin_see(&w, k, 1000, W, &mem);
	assert_int_equal(ipwin_in_window(&w, 1000, W, &ex), 1000);
	assert_int_equal(ex, 1);
	assert_true(within(ipwin_total(&w, &ex), 2000, 5));
	assert_int_equal(ex, 0);
	/* 1,500 at once: the window overflows and is estimated. */
	for (k = 5001; k <= 6500; k++)
		ipwin_see(&w, k, 1100, W, &mem);
	ipwin_advance(&w, 1100, W);
	assert_true(within(ipwin_in_window(&w, 1100, W, &ex), 2500, 5));
	assert_int_equal(ex, 0);
	/* A window later, three keys: exact again. */
	ipwin_see(&w, 1, 1700, W, &mem);
	ipwin_see(&w, 2, 1701, W, &mem);
	ipwin_see(&w, 77777, 1702, W, &mem);
	ipwin_advance(&w, 1702, W);
	assert_int_equal(ipwin_in_window(&w, 1702, W, &ex), 3);
	assert_int_equal(ex, 1);
	ipwin_free(&w, &mem);
}

/* 100,000 distinct keys: both estimates within 5%. */
static void
test_estimate_accuracy(void **state)
{
	struct ipwin	 w = { 0 };
	size_t		 mem = 0;
	uint64_t	 k, got;
	int		 ex;

	(void)state;
	for (k = 0; k < 100000; k++)
		ipwin_see(&w, (4ULL << 56) | (0xc0000000 + k), 10000 +
		    (int64_t)(k / 250), W, &mem);	/* 400 s of logins */
	ipwin_advance(&w, 10400, W);
	got = ipwin_in_window(&w, 10400, W, &ex);
	assert_int_equal(ex, 0);
	assert_true(within(got, 100000, 5));
	got = ipwin_total(&w, &ex);
	assert_int_equal(ex, 0);
	assert_true(within(got, 100000, 5));
	ipwin_free(&w, &mem);
}

/* 5 million distinct keys: memory stops growing at the cap. */
static void
test_memory_bound(void **state)
{
	struct ipwin	 w = { 0 };
	size_t		 mem = 0, at_cap = 0;
	uint64_t	 k;
	int		 ex;

	(void)state;
	for (k = 0; k < 5000000; k++) {
		ipwin_see(&w, k * 2654435761u, (int64_t)(k / 1000), W, &mem);
		if (k == DETECT_EXACT_IPS + 10)
			at_cap = mem;
	}
	assert_int_equal(mem, ipwin_bytes(&w));
	assert_int_equal(mem, at_cap);
	assert_true(mem < 128 * 1024);
	assert_true(within(ipwin_total(&w, &ex), 5000000, 5));
	ipwin_free(&w, &mem);
	assert_int_equal(mem, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_counts),
		cmocka_unit_test(test_window_expiry),
		cmocka_unit_test(test_cap_exact),
		cmocka_unit_test(test_recycle_and_recover),
		cmocka_unit_test(test_estimate_accuracy),
		cmocka_unit_test(test_memory_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
