/*
 * queue.c: Exim's queue as mailcon reads it (backend.h, struct
 * backend_queue): the listing, parsed purely, and what -Mf, -Mt and -Mrm
 * answer for each message.
 *
 * The listing is exim -bpr (queue.c's queue_list: one message over
 * several lines, a blank line after each), or the same printed by
 * exipick -bpr --show-vars authenticated_id,deliver_freeze, which reads
 * every message's -H spool file and adds its login under the head line:
 *
 *	 25m   2.9K 1xaE1u-000162-2d <forged@bank.test> *** frozen ***
 *	           authenticated_id = 'judy@example.test'
 *	             deliver_freeze = '1'
 *	          x@dead.test
 *	        D delivered@sink.test
 *	<blank>
 *
 * The head is AGE SIZE ID <SENDER>, then " (LOGIN)" when a local caller
 * set the sender, then " *** frozen ***"; SIZE is empty for an empty
 * message.  The sender and the recipients are attacker text, written
 * unescaped: the sender ends at the '>' outside a quoted local part, and
 * what follows it must be one of the two marks, else the line is refused
 * (never a message misread as frozen, which hold would then skip).  A
 * recipient line is indented ten spaces; one delivered is "        D "
 * and a delivered child "       +D " (the mark in the indent).  exipick's variables hold no newline (the -H file
 * has one line per field) and are quoted without escapes, so the value
 * runs to the last quote of the line.  Exim 4.97's -bpi prints the ids
 * only, one a line.
 *
 * The authenticated id is the login a client proved (the -H file's
 * -auth_id), which a hijacker cannot forge, unlike the envelope sender:
 * it is kept as a keyed hash (mailq.h), and the console's selection
 * trusts it over the sender and over the log (contain_queue.c).  The
 * arrival time is the id's first six characters, base 62.
 *
 * -Mf, -Mt and -Mrm print one line a message on stdout (exim.c's
 * queue_action, 4.96), and exit 1 when any of them was not done:
 *
 *	Message ID is now frozen | is already frozen
 *	Message ID is no longer frozen | is not frozen
 *	Message ID has been removed | has been removed or did not exist
 *	Message ID is locked			(a delivery holds it)
 *	Spool data file for ID does not exist	(and, for -Mrm, "Continuing,
 *	    to ensure all files removed", "Spool read error for ID-H: ...")
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "exim.h"
#include "exim_int.h"
#include "backends/backend.h"
#include "backends/mailq.h"

#define EQ_FROZEN	0x1	/* the head said *** frozen *** */
#define EQ_VAR_FREEZE	0x2	/* deliver_freeze given: it decides */
#define EQ_VAR_THAWED	0x4	/* deliver_freeze = '' */

#define EQ_LIT(s)	(s), (sizeof(s) - 1)

/* The value of one base-62 id character, or -1. */
static int
eq_b62(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 36;
	return -1;
}

/* The arrival time an id encodes (its first six characters). */
static int64_t
eq_id_time(const char *id)
{
	int64_t	 t = 0;
	int	 i, v;

	for (i = 0; i < 6; i++) {
		if ((v = eq_b62((unsigned char)id[i])) < 0)
			return 0;
		t = t * 62 + v;
	}
	return t;
}

/* Does [p, e) start with the literal s? */
static int
eq_starts(const char *p, const char *e, const char *s, size_t n)
{
	return (size_t)(e - p) >= n && memcmp(p, s, n) == 0;
}

/* Start a message with its id (valid, checked by the caller). */
static void
eq_begin(struct queue_parse *st, const char *id, size_t len)
{
	memset(st, 0, sizeof(*st));
	memcpy(st->msg.queue_id, id, len);
	st->msg.queue_id[len] = '\0';
	st->msg.queue_id_len = len;
	st->msg.arrival_time = eq_id_time(id);
	st->msg.queue = QUEUE_DEFERRED;
	st->have = 1;
}

/* Hand the message over and forget it. */
static int
eq_emit(struct queue_parse *st, struct queue_msg *out)
{
	if ((st->state & EQ_VAR_FREEZE) ?
	    !(st->state & EQ_VAR_THAWED) : (st->state & EQ_FROZEN))
		st->msg.queue = QUEUE_HOLD;
	*out = st->msg;
	memset(st, 0, sizeof(*st));
	return QUEUE_PARSE_OK;
}

/* The size -bp shows ("400", "2.9K", "15M"), in bytes; -1 when bad. */
static int64_t
eq_size(const char *p, const char *e)
{
	uint64_t	 v = 0, frac = 0, mult = 1;
	int		 digits = 0, fdigits = 0;

	for (; p < e && *p >= '0' && *p <= '9'; p++, digits++) {
		if (digits > 12)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (digits == 0)
		return -1;
	if (p < e && *p == '.') {
		for (p++; p < e && *p >= '0' && *p <= '9'; p++, fdigits++)
			frac = frac * 10 + (uint64_t)(*p - '0');
		if (fdigits != 1)
			return -1;
	}
	if (p < e) {
		if (*p == 'K')
			mult = 1024;
		else if (*p == 'M')
			mult = 1024 * 1024;
		else if (*p == 'G')
			mult = 1024 * 1024 * 1024;
		else
			return -1;
		p++;
	} else if (fdigits > 0)
		return -1;
	if (p != e)
		return -1;
	return (int64_t)(v * mult + frac * mult / 10);
}

/* The head line; QUEUE_PARSE_MORE when it is one, else an error. */
static int
eq_head(struct queue_parse *st, const char *p, const char *e)
{
	const char		*q, *id, *s, *se;
	struct sender_hash	 h;
	int64_t			 size = 0;
	int			 frozen = 0;

	while (p < e && *p == ' ')
		p++;
	/* AGE: digits and a unit */
	for (q = p; q < e && *q >= '0' && *q <= '9'; q++)
		;
	if (q == p || q >= e || strchr("smhdw", *q) == NULL || q + 1 >= e ||
	    q[1] != ' ')
		return QUEUE_PARSE_SYNTAX;
	for (p = q + 1; p < e && *p == ' '; p++)
		;
	/* SIZE, or nothing (an empty message) */
	q = ex_tok_end(p, e);
	if (q - p != 16 && q - p != 23) {
		if ((size = eq_size(p, q)) < 0)
			return QUEUE_PARSE_FIELD;
		for (p = q; p < e && *p == ' '; p++)
			;
		q = ex_tok_end(p, e);
	}
	if (!exim_id_is_valid(p, (size_t)(q - p)))
		return QUEUE_PARSE_QID;
	id = p;
	/* <SENDER>: its '>' is the first outside a quoted local part */
	if (e - q < 3 || q[1] != '<')
		return QUEUE_PARSE_FIELD;
	s = q + 2;
	if ((se = ex_angle_end(s, e)) == NULL)
		return QUEUE_PARSE_FIELD;
	p = se + 1;
	if (p < e && eq_starts(p, e, EQ_LIT(" ("))) {
		/* the local caller's login: no space, no parenthesis */
		for (q = p + 2; q < e && *q != ')' && *q != ' ' && *q != '(';
		    q++)
			;
		if (q == p + 2 || q >= e || *q != ')')
			return QUEUE_PARSE_FIELD;
		p = q + 1;
	}
	if (p < e && e - p == 15 && memcmp(p, " *** frozen ***", 15) == 0) {
		frozen = 1;
		p = e;
	}
	if (p != e)
		return QUEUE_PARSE_FIELD;

	eq_begin(st, id, (size_t)(ex_tok_end(id, e) - id));
	st->msg.message_size = (uint64_t)size;
	sender_hash_init(&h);
	for (q = s; q < se; q++)
		sender_hash_byte(&h, (unsigned char)*q);
	st->msg.sender_hash = sender_hash_final(&h);
	st->msg.sender_len = (size_t)(se - s);
	if (frozen)
		st->state |= EQ_FROZEN;
	return QUEUE_PARSE_MORE;
}

/* One of exipick's variables ("NAME = 'VALUE'"): 1 taken, 0 not one. */
static int
eq_var(struct queue_parse *st, const char *p, const char *e)
{
	const char	*n = p, *v;
	uint64_t	 hash;

	while (p < e && ((*p >= 'a' && *p <= 'z') || *p == '_'))
		p++;
	if (p == n || !eq_starts(p, e, EQ_LIT(" = '")) || e - p < 5 ||
	    e[-1] != '\'')
		return 0;
	v = p + 4;
	if ((size_t)(p - n) == 16 && memcmp(n, "authenticated_id", 16) == 0) {
		if (e - 1 > v) {
			hash = queue_sender_hash(v, (size_t)(e - 1 - v));
			/* 0 means "no login": never the hash of one */
			st->msg.auth_hash = hash != 0 ? hash : 1;
		}
	} else if ((size_t)(p - n) == 14 &&
	    memcmp(n, "deliver_freeze", 14) == 0) {
		st->state |= EQ_VAR_FREEZE;
		if (e - 1 == v)
			st->state |= EQ_VAR_THAWED;
	}
	return 1;
}

/*
 * A line inside a message: one of exipick's variables (right-aligned,
 * so indented by any amount), a recipient (ten spaces), or a delivered
 * one ("        D ", "       +D ": the mark in the indent).
 */
static int
eq_inside(struct queue_parse *st, const char *p, const char *e)
{
	const char	*q;
	size_t		 n;

	for (q = p; q < e && *q == ' '; q++)
		;
	n = (size_t)(q - p);
	if (q >= e)
		return QUEUE_PARSE_SYNTAX;
	if (eq_var(st, q, e))
		return QUEUE_PARSE_MORE;
	if (n == 10)
		st->msg.nrcpt++;
	else if (!(n == 8 && eq_starts(q, e, EQ_LIT("D "))) &&
	    !(n == 7 && eq_starts(q, e, EQ_LIT("+D "))))
		return QUEUE_PARSE_SYNTAX;
	return QUEUE_PARSE_MORE;
}

/* See exim.h. */
int
exim_queue_parse_line(struct queue_parse *st, const char *line, size_t len,
    struct queue_msg *out)
{
	const char	*p = line, *e = line + len;
	int		 rc;

	if (len > 0 && e[-1] == '\r')
		e--;
	for (p = line; p < e && *p == ' '; p++)
		;
	if (p == e) {
		if (st->have)
			return eq_emit(st, out);
		return QUEUE_PARSE_MORE;
	}
	if (st->have) {
		if (*line != ' ' || (rc = eq_inside(st, line, e)) < 0) {
			/* not this listing: the message is not believed */
			memset(st, 0, sizeof(*st));
			return QUEUE_PARSE_SYNTAX;
		}
		return rc;
	}
	/* -bpi (4.97): the id alone */
	if ((e - p == 16 || e - p == 23) && p == line &&
	    exim_id_is_valid(p, (size_t)(e - p))) {
		eq_begin(st, p, (size_t)(e - p));
		return eq_emit(st, out);
	}
	rc = eq_head(st, line, e);
	if (rc < 0)
		memset(st, 0, sizeof(*st));
	return rc;
}

/* See exim.h: a listing cut after a message's last recipient. */
int
exim_queue_parse_end(struct queue_parse *st, struct queue_msg *out)
{
	if (!st->have)
		return 0;
	eq_emit(st, out);
	return 1;
}

/* See exim.h: the id without its two '-' (their places follow from the
   length: 16 -> 14, 23 -> 21). */
size_t
exim_id_pack(const char *id, size_t len, char *out)
{
	size_t	 d2, i, n = 0;

	if (!exim_id_is_valid(id, len))
		return 0;
	d2 = len == 16 ? 13 : 18;
	for (i = 0; i < len; i++)
		if (i != 6 && i != d2)
			out[n++] = id[i];
	out[n] = '\0';
	return n;
}

/* See exim.h. */
size_t
exim_id_unpack(const char *packed, size_t len, char *out)
{
	size_t	 d2, i, n = 0;

	if (len != 14 && len != 21)
		return 0;
	d2 = len == 14 ? 13 : 18;
	for (i = 0; i < len; i++) {
		if (n == 6 || n == d2)
			out[n++] = '-';
		out[n++] = packed[i];
	}
	out[n] = '\0';
	return exim_id_is_valid(out, n) ? n : 0;
}

/* What follows "Message ID " for each operation: done, not done. */
static const struct {
	const char	*done;
	const char	*not_done;
} eq_says[QOP_COUNT] = {
	[QOP_HOLD] = { "is now frozen", "is already frozen" },
	[QOP_RELEASE] = { "is no longer frozen", "is not frozen" },
	[QOP_DELETE] = { "has been removed", "has been removed or did not "
	    "exist" },
};

/* Is [p, e) exactly s? */
static int
eq_is(const char *p, const char *e, const char *s)
{
	size_t	 n = strlen(s);

	return (size_t)(e - p) == n && memcmp(p, s, n) == 0;
}

/* The id at p ending at a space or at end; its end, or NULL. */
static const char *
eq_id_at(const char *p, const char *e, struct queue_line *out)
{
	const char	*q = ex_tok_end(p, e);

	if (!exim_id_is_valid(p, (size_t)(q - p)))
		return NULL;
	out->id.p = p;
	out->id.len = (size_t)(q - p);
	return q;
}

/* "Spool read error for ID-H: ..." (-Mrm of a message that is gone). */
static int
eq_spool_error(const char *p, const char *e)
{
	static const size_t	 lens[] = { 16, 23 };
	size_t			 i, n;

	if (!eq_starts(p, e, EQ_LIT("Spool read error for ")))
		return 0;
	for (p += 21, i = 0; i < 2; i++) {
		n = lens[i];
		if ((size_t)(e - p) >= n + 4 && exim_id_is_valid(p, n) &&
		    memcmp(p + n, "-H: ", 4) == 0)
			return 1;
	}
	return 0;
}

/* See exim.h. */
void
exim_queue_line(enum queue_op op, const char *p, size_t len,
    struct queue_line *out)
{
	const char	*e = p + len, *q;

	memset(out, 0, sizeof(*out));
	if ((unsigned)op >= QOP_COUNT)
		return;
	if (eq_starts(p, e, EQ_LIT("Message ")) &&
	    (q = eq_id_at(p + 8, e, out)) != NULL && q < e && *q == ' ') {
		q++;
		if (eq_is(q, e, eq_says[op].done))
			out->kind = QLINE_DONE;
		else if (eq_is(q, e, eq_says[op].not_done))
			out->kind = QLINE_NOT_DONE;
		else if (eq_is(q, e, "is locked"))
			out->kind = QLINE_BUSY;
		else
			out->kind = QLINE_OTHER;
		return;
	}
	/* a message that is gone: said, and -Mrm goes on to its files */
	if (eq_starts(p, e, EQ_LIT("Spool data file for ")) &&
	    (q = eq_id_at(p + 20, e, out)) != NULL &&
	    eq_is(q, e, " does not exist")) {
		out->kind = QLINE_NOT_DONE;
		return;
	}
	memset(out, 0, sizeof(*out));
	if (op == QOP_DELETE && (eq_is(p, e, "Continuing, to ensure all files "
	    "removed") || eq_is(p, e, "Continuing to ensure all files "
	    "removed") || eq_spool_error(p, e))) {
		out->kind = QLINE_NOT_DONE;
		return;
	}
	out->kind = QLINE_OTHER;
}
