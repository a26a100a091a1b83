/*
 * test_qidmap.c: the bounded queue-id table and the failed-login table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "detect/failtab.h"
#include "detect/qidmap.h"

/* Put, find, overwrite and delete. */
static void
test_qid_basic(void **state)
{
	struct qidmap		*q = qidmap_new(8);
	struct qid_entry	 old, *e;
	uint64_t		 k1 = qidmap_key("4Xb1k2", 6), k2;

	(void)state;
	assert_non_null(q);
	k2 = qidmap_key("4Xb1k3", 6);
	assert_true(k1 != k2);
	assert_int_equal(k1, qidmap_key("4Xb1k2", 6));
	assert_null(qidmap_find(q, k1));
	assert_int_equal(qidmap_put(q, k1, 7, 1, &old), 0);
	assert_int_equal(qidmap_put(q, k2, 9, 0, &old), 0);
	e = qidmap_find(q, k1);
	assert_non_null(e);
	assert_int_equal(e->value, 7);
	assert_int_equal(e->flags, 1);
	e->flags |= 2;
	assert_int_equal(qidmap_find(q, k1)->flags, 3);
	assert_int_equal(qidmap_put(q, k1, 8, 0, &old), 0);
	assert_int_equal(qidmap_find(q, k1)->value, 8);
	assert_int_equal(qidmap_count(q), 2);
	qidmap_del(q, k1);
	assert_null(qidmap_find(q, k1));
	assert_int_equal(qidmap_find(q, k2)->value, 9);
	assert_int_equal(qidmap_count(q), 1);
	qidmap_del(q, k1);
	assert_int_equal(qidmap_count(q), 1);
	qidmap_free(q);
}

/* When full, the oldest entry is overwritten and handed back. */
static void
test_qid_evicts_oldest(void **state)
{
	struct qidmap		*q = qidmap_new(16);
	struct qid_entry	 old;
	uint64_t		 i;

	(void)state;
	for (i = 1; i <= 16; i++)
		assert_int_equal(qidmap_put(q, i * 1000003, (uint32_t)i, 1,
		    &old), 0);
	assert_int_equal(qidmap_put(q, 99 * 1000003, 99, 1, &old), 1);
	assert_int_equal(old.key, 1 * 1000003);
	assert_int_equal(old.value, 1);
	assert_null(qidmap_find(q, 1 * 1000003));
	for (i = 2; i <= 16; i++)
		assert_int_equal(qidmap_find(q, i * 1000003)->value, i);
	assert_int_equal(qidmap_find(q, 99 * 1000003)->value, 99);
	assert_int_equal(qidmap_count(q), 16);
	qidmap_free(q);
}

/* A long mix of puts and deletes agrees with a reference array (entries
   pushed out are reported), and the size never changes. */
static void
test_qid_churn(void **state)
{
	static uint8_t		 ref[4096];	/* key index present */
	struct qidmap		*q = qidmap_new(1024);
	struct qid_entry	 old, *e;
	size_t			 bytes = qidmap_bytes(q), live = 0;
	uint64_t		 x = 88172645463325252ULL;
	uint32_t		 i, k, evictions = 0;
	char			 qid[16];

	(void)state;
	for (i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		k = (uint32_t)(x % 4096);
		snprintf(qid, sizeof(qid), "Q%05u", k);
		if ((x >> 20) % 3 == 0) {
			qidmap_del(q, qidmap_key(qid, strlen(qid)));
			if (ref[k])
				live--;
			ref[k] = 0;
		} else if (ref[k] == 0) {
			if (qidmap_put(q, qidmap_key(qid, strlen(qid)), k, 0,
			    &old)) {
				assert_true(old.value < 4096);
				assert_int_equal(ref[old.value], 1);
				ref[old.value] = 0;
				live--;
				evictions++;
			}
			ref[k] = 1;
			live++;
		}
	}
	assert_true(evictions > 0);
	for (k = 0; k < 4096; k++) {
		snprintf(qid, sizeof(qid), "Q%05u", k);
		e = qidmap_find(q, qidmap_key(qid, strlen(qid)));
		if (ref[k] == 0)
			assert_null(e);
		else {
			assert_non_null(e);
			assert_int_equal(e->value, k);
		}
	}
	assert_int_equal(qidmap_count(q), live);
	assert_true(live <= 1024);
	assert_int_equal(qidmap_bytes(q), bytes);
	qidmap_free(q);
}

/* A large table starts small and doubles as ids come: every id put stays
   findable across each doubling, nothing is pushed out before the
   capacity is reached, and once it is the oldest go first, in order. */
static void
test_qid_grows(void **state)
{
	const uint32_t		 cap = 1u << 16, extra = 1000;
	struct qidmap		*q = qidmap_new(cap);
	struct qid_entry	 old, *e;
	size_t			 small = qidmap_bytes(q), last = small;
	uint32_t		 i, growths = 0;
	char			 qid[16];

	(void)state;
	for (i = 0; i < cap; i++) {
		snprintf(qid, sizeof(qid), "G%07u", i);
		assert_int_equal(qidmap_put(q, qidmap_key(qid, strlen(qid)),
		    i, i & 7, &old), 0);
		if (qidmap_bytes(q) != last) {
			growths++;
			last = qidmap_bytes(q);
		}
		if (i == 5000)		/* just past the first doubling */
			qidmap_del(q, qidmap_key("G0000007", 8));
	}
	assert_true(growths >= 4);
	assert_true(small * 8 <= last);
	assert_int_equal(qidmap_count(q), cap - 1);
	for (i = 0; i < cap; i++) {
		snprintf(qid, sizeof(qid), "G%07u", i);
		e = qidmap_find(q, qidmap_key(qid, strlen(qid)));
		if (i == 7) {
			assert_null(e);
			continue;
		}
		assert_non_null(e);
		assert_int_equal(e->value, i);
		assert_int_equal(e->flags, i & 7);
	}
	/* Full: the ring wraps; the deleted slot 7 frees one put. */
	for (i = 0; i < extra; i++) {
		snprintf(qid, sizeof(qid), "H%07u", i);
		if (i == 7)
			assert_int_equal(qidmap_put(q,
			    qidmap_key(qid, strlen(qid)), i, 0, &old), 0);
		else {
			assert_int_equal(qidmap_put(q,
			    qidmap_key(qid, strlen(qid)), i, 0, &old), 1);
			assert_int_equal(old.value, i);
		}
	}
	assert_int_equal(qidmap_bytes(q), last);
	assert_int_equal(qidmap_count(q), cap);
	qidmap_free(q);
}

/* A large failure table starts small and doubles only while failures
   inside the window would be pushed out: every (account, address) of a
   spread brute force keeps its count across the doublings, the size stops
   at the table's bound, and failures past their window are recycled
   without growing it. */
static void
test_fail_grows(void **state)
{
	const uint32_t	 max = 1u << 16;
	struct failtab	*f = failtab_new(max), *g = failtab_new(max);
	size_t		 small = failtab_bytes(f);
	uint64_t	 i;

	(void)state;
	/* 3,000 keys failing within one window, about three to each of
	   the first table's buckets: it must grow, and lose none. */
	for (i = 0; i < 3000; i++)
		assert_int_equal(failtab_fail(f, failtab_key(i, 9), 100, 600),
		    1);
	assert_true(failtab_bytes(f) >= 2 * small);
	for (i = 0; i < 3000; i++)
		assert_int_equal(failtab_fail(f, failtab_key(i, 9), 101, 600),
		    2);
	/* Far more keys than slots: bounded at max. */
	for (i = 0; i < 1000000; i++)
		failtab_fail(f, failtab_key(i + 20000, 9), 102, 600);
	assert_true(failtab_bytes(f) <= small * (max / 4096) + 64);
	/* Keys a window apart each: old ones recycled, no growth. */
	for (i = 0; i < 100000; i++)
		failtab_fail(g, failtab_key(i, 3), (int64_t)i * 601, 600);
	assert_int_equal(failtab_bytes(g), small);
	failtab_free(f);
	failtab_free(g);
}

/* Failures count per key, age out after the window, and are taken once. */
static void
test_fail_counts(void **state)
{
	struct failtab	*f = failtab_new(64);
	uint64_t	 a = failtab_key(11, 22), b = failtab_key(11, 23);

	(void)state;
	assert_true(a != b);
	assert_int_equal(failtab_fail(f, a, 100, 600), 1);
	assert_int_equal(failtab_fail(f, a, 110, 600), 2);
	assert_int_equal(failtab_fail(f, b, 110, 600), 1);
	assert_int_equal(failtab_take(f, a, 120, 600), 2);
	assert_int_equal(failtab_take(f, a, 121, 600), 0);
	assert_int_equal(failtab_take(f, b, 710, 600), 0);	/* too old */
	failtab_fail(f, a, 1000, 600);
	assert_int_equal(failtab_fail(f, a, 1600, 600), 1);	/* restarted */
	failtab_free(f);
}

/* Millions of distinct keys recycle slots: size fixed, recent kept. */
static void
test_fail_bounded(void **state)
{
	struct failtab	*f = failtab_new(1024);
	size_t		 bytes = failtab_bytes(f);
	uint64_t	 i;

	(void)state;
	for (i = 0; i < 2000000; i++)
		failtab_fail(f, failtab_key(i, 7), (int64_t)(i / 100), 600);
	assert_int_equal(failtab_bytes(f), bytes);
	failtab_fail(f, failtab_key(5, 5), 20000, 600);
	failtab_fail(f, failtab_key(5, 5), 20001, 600);
	assert_int_equal(failtab_take(f, failtab_key(5, 5), 20002, 600), 2);
	failtab_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qid_basic),
		cmocka_unit_test(test_qid_evicts_oldest),
		cmocka_unit_test(test_qid_churn),
		cmocka_unit_test(test_qid_grows),
		cmocka_unit_test(test_fail_counts),
		cmocka_unit_test(test_fail_bounded),
		cmocka_unit_test(test_fail_grows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
