/* test_logring.c: the live log view's ring of recent lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "live/logring.h"

/* Line i of a test: its length varies from 0 to 1500 bytes. */
static size_t
make_line(char *buf, size_t size, unsigned i)
{
	size_t	 len = (i * 397u) % 1501u, k;

	if (len > size)
		len = size;
	for (k = 0; k < len; k++)
		buf[k] = (char)('a' + (i + k) % 26);
	if (len > 0)
		buf[0] = (char)('0' + i % 10);
	return len;
}

/* Oldest first, the newest cap kept, each byte-exact (cut at
   LOGRING_LINE_MAX), across many wraps where slots are reused for longer
   and shorter lines. */
static void
test_ring_keeps_newest(void **state)
{
	static char	 want[2000];
	struct logring	 r;
	const size_t	 cap = 7;
	unsigned	 i, j;
	size_t		 len;

	(void)state;
	logring_init(&r, cap);
	for (i = 0; i < 500; i++) {
		len = make_line(want, sizeof(want), i);
		logring_add(&r, 1000 + i, i % 3, 0, want, len);
		assert_int_equal(r.n, i + 1 < cap ? i + 1 : cap);
		assert_int_equal(r.total, i + 1);
		for (j = 0; j < r.n; j++) {
			const struct logring_line *l = logring_get(&r, j);
			unsigned	 k = i + 1 - (unsigned)r.n + j;

			len = make_line(want, sizeof(want), k);
			if (len > LOGRING_LINE_MAX)
				len = LOGRING_LINE_MAX;
			assert_int_equal(l->len, len);
			assert_memory_equal(l->text, want, len);
			assert_int_equal(l->time, 1000 + k);
			assert_int_equal(l->server, k % 3);
			assert_true(l->size >= l->len);
		}
	}
	logring_free(&r);
}

/* Short lines take a small buffer, not a full-size one. */
static void
test_ring_small_buffers(void **state)
{
	struct logring	 r;
	size_t		 i, total = 0;

	(void)state;
	logring_init(&r, 100);
	for (i = 0; i < 300; i++)
		logring_add(&r, 0, 0, 0, "Nov 29 04:00:00 mx postfix/smtpd[1]: "
		    "connect from unknown[192.0.2.1]", 67);
	for (i = 0; i < r.n; i++)
		total += logring_get(&r, i)->size;
	assert_true(total <= 100 * 256);
	logring_add(&r, 0, 0, 0, "", 0);	/* an empty line is kept too */
	assert_int_equal(logring_get(&r, r.n - 1)->len, 0);
	logring_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_keeps_newest),
		cmocka_unit_test(test_ring_small_buffers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
