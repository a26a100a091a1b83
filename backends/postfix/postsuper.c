/*
 * postsuper.c: what postsuper -h/-H/-d - says, line by line (the queue
 * ops' line parser, backend.h).
 *
 * Postfix 3.7 prints, on stderr, one line per message it changed and a
 * summary at the end of every run, even when it changed nothing:
 *
 *	postsuper: 3230FAB4944: placed on hold
 *	postsuper: Placed on hold: 3 messages
 *	postsuper: 3230FAB4944: released from hold
 *	postsuper: Released from hold: 3 messages
 *	postsuper: 3230FAB4944: removed
 *	postsuper: Deleted: 3 messages
 *
 * An id it does not find (gone, or already in the wanted state) is skipped
 * silently, so "not done" is what was asked minus what the summaries say;
 * the ops set summary, and a batch without its summary fails.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "postfix.h"
#include "backends/backend.h"

/* What postsuper answers to each operation. */
static const struct {
	const char	*summary;	/* "Deleted: " N " messages" */
	const char	*verb;		/* ID ": removed" */
} ps_says[QOP_COUNT] = {
	[QOP_HOLD] = { "Placed on hold: ", "placed on hold" },
	[QOP_RELEASE] = { "Released from hold: ", "released from hold" },
	[QOP_DELETE] = { "Deleted: ", "removed" },
};

/* Is p[0..len) the summary line?  Its count into out. */
static int
ps_summary(enum queue_op op, const char *p, size_t len,
    struct queue_line *out)
{
	const char	*s = ps_says[op].summary, *e = p + len, *q;
	size_t		 slen = strlen(s), count = 0;

	if (len <= slen || memcmp(p, s, slen) != 0)
		return 0;
	for (q = p + slen; q < e && *q >= '0' && *q <= '9'; q++) {
		if (count > (SIZE_MAX - 9) / 10)
			return 0;
		count = count * 10 + (size_t)(*q - '0');
	}
	if (q == p + slen)
		return 0;
	/* "1 message", "3 messages" */
	if (!((e - q == 8 && memcmp(q, " message", 8) == 0) ||
	    (e - q == 9 && memcmp(q, " messages", 9) == 0)))
		return 0;
	out->kind = QLINE_SUMMARY;
	out->count = count;
	return 1;
}

/* Is p[0..len) a per-message line ("ID: removed")? */
static int
ps_permsg(enum queue_op op, const char *p, size_t len,
    struct queue_line *out)
{
	const char	*verb = ps_says[op].verb, *c;
	size_t		 vlen = strlen(verb), idlen;

	if ((c = memchr(p, ':', len)) == NULL)
		return 0;
	idlen = (size_t)(c - p);
	if (!queue_id_is_valid(p, idlen) || len != idlen + 2 + vlen ||
	    c[1] != ' ' || memcmp(c + 2, verb, vlen) != 0)
		return 0;
	out->kind = QLINE_DONE;
	out->id.p = p;
	out->id.len = idlen;
	return 1;
}

/* See postfix.h: with or without the "postsuper: " prefix. */
void
postsuper_line(enum queue_op op, const char *p, size_t len,
    struct queue_line *out)
{
	const char	*c;
	size_t		 skip;

	memset(out, 0, sizeof(*out));
	if ((unsigned)op >= QOP_COUNT)
		return;
	if (ps_summary(op, p, len, out) || ps_permsg(op, p, len, out))
		return;
	/* the program name, as Postfix's msg_vstream prints it */
	if ((c = memchr(p, ':', len)) != NULL && c + 1 < p + len &&
	    c[1] == ' ' && memchr(p, ' ', (size_t)(c - p)) == NULL) {
		skip = (size_t)(c - p) + 2;
		if (ps_summary(op, p + skip, len - skip, out) ||
		    ps_permsg(op, p + skip, len - skip, out))
			return;
	}
	out->kind = QLINE_OTHER;
}
