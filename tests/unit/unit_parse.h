/*
 * unit_parse.h: what the tests of one backend's log parser share
 * (test_postfix.c, test_dovecot.c, test_exim.c): a line split and parsed from a copy of
 * exactly its length, so that ASan catches an overread, and the checks of
 * the event's borrowed strings.  Header only (static inline), since the
 * Makefile builds each test_*.c alone against libmailcon.a.  Include after
 * <cmocka.h>; the group teardown is unit_parse_teardown.
 */
#ifndef MAILCON_UNIT_PARSE_H
#define MAILCON_UNIT_PARSE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend.h"
#include "backends/logline.h"

#define REF	INT64_C(1795867200)	/* 2026-11-28 12:00:00 UTC */

static char	*unit_held;	/* the copy the last event borrows from */

/*
 * Split a copy of s (len bytes) into h, whose strings point into that
 * copy until the next call; 0, or -1 when the header did not split.
 */
static inline int
unit_split(const char *s, size_t len, struct log_header *h)
{
	struct log_clock	 c;

	free(unit_held);
	unit_held = malloc(len > 0 ? len : 1);
	assert_non_null(unit_held);
	memcpy(unit_held, s, len);
	log_clock_init(&c, REF);
	c.utc = 1;
	return logline_split(&c, unit_held, len, h) != 0 ? -1 : 0;
}

/*
 * Split and parse a copy of s (len bytes) with b; the event's strings
 * point into that copy until the next call.  Returns the kind, EV_NONE
 * when nothing, -1 when the header did not split.
 */
static inline int
unit_parse_with(const struct mail_backend *b, const char *s, size_t len,
    struct mail_event *ev)
{
	struct log_header	 h;

	if (unit_split(s, len, &h) != 0)
		return -1;
	if (!b->parse_line(&h, ev))
		return EV_NONE;
	return (int)ev->kind;
}

/* A borrowed string is exactly want. */
static inline void
assert_mstr(const struct mail_str *m, const char *want)
{
	if (m->len != strlen(want) ||
	    (m->len > 0 && memcmp(m->p, want, m->len) != 0))
		fail_msg("want \"%s\", got \"%.*s\"", want, (int)m->len,
		    m->p != NULL ? m->p : "");
}

/* Free the last copy (cmocka group teardown). */
static inline int
unit_parse_teardown(void **state)
{
	(void)state;
	free(unit_held);
	unit_held = NULL;
	return 0;
}

#endif
