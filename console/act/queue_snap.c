/*
 * queue_snap.c: the compact summary of one read of the queue.
 *
 * Bytes arrive in chunks of any size (a pipe, an SSH channel); they are
 * split into lines here, each line parsed by the MTA backend's parser
 * (backend.h) and folded into counts and,
 * while under the cap, a 48-byte record.  The text is never kept beyond the
 * line being assembled, and a line longer than QUEUE_LINE_MAX is skipped to
 * its newline without being stored.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"
#include "core/xmalloc.h"

#define QUEUE_REC_FIRST	1024	/* records allocated at first */

static const char qid_alphabet[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* The 6-bit code of an id character (1..62), 0 when it has none. */
static unsigned
qid_code(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0' + 1;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 11;
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 37;
	return 0;
}

/*
 * Pack an id into a record, four characters to three bytes; code 0 ends a
 * shorter id.  Every Postfix id (hex up to 20, long up to 23) fits; an
 * MTA whose ids hold other characters (Exim's two '-', at places fixed
 * by the id's length) must map them in and out in its backend.
 */
int
queue_rec_set_id(struct queue_rec *r, const char *id, size_t len)
{
	unsigned	 code[QUEUE_ID_STORE], g;
	size_t		 i;

	if (len == 0 || len > QUEUE_ID_STORE)
		return 0;
	memset(code, 0, sizeof(code));
	for (i = 0; i < len; i++) {
		if ((code[i] = qid_code((unsigned char)id[i])) == 0)
			return 0;
	}
	for (i = 0; i < QUEUE_ID_STORE / 4; i++) {
		g = code[4 * i] << 18 | code[4 * i + 1] << 12 |
		    code[4 * i + 2] << 6 | code[4 * i + 3];
		r->qid[3 * i] = (uint8_t)(g >> 16);
		r->qid[3 * i + 1] = (uint8_t)(g >> 8);
		r->qid[3 * i + 2] = (uint8_t)g;
	}
	return 1;
}

/* Unpack a record's id into buf (QUEUE_ID_STORE + 1 bytes). */
size_t
queue_rec_id(const struct queue_rec *r, char *buf)
{
	unsigned	 g, c;
	size_t		 i, n = 0;
	int		 k;

	for (i = 0; i < QUEUE_ID_STORE / 4; i++) {
		g = (unsigned)r->qid[3 * i] << 16 |
		    (unsigned)r->qid[3 * i + 1] << 8 | r->qid[3 * i + 2];
		for (k = 18; k >= 0; k -= 6) {
			if ((c = (g >> k) & 0x3f) == 0 || c > 62)
				goto out;
			buf[n++] = qid_alphabet[c - 1];
		}
	}
out:
	buf[n] = '\0';
	return n;
}

/* An empty snapshot keeping at most maxrec records. */
void
queue_snapshot_init(struct queue_snapshot *s, size_t maxrec)
{
	memset(s, 0, sizeof(*s));
	s->maxrec = maxrec == 0 ? QUEUE_RECORDS_MAX : maxrec;
	s->oldest = -1;
}

/* Read the listing with q's parser (NULL: the default MTA's). */
void
queue_snapshot_parser(struct queue_snapshot *s, const struct backend_queue *q)
{
	s->parser = q;
}

/* The parser lines go to. */
static const struct backend_queue *
queue_snapshot_q(struct queue_snapshot *s)
{
	if (s->parser == NULL)
		s->parser = backend_default(BROLE_MTA)->queue;
	return s->parser;
}

/* Free what a snapshot holds; it is empty (same cap and parser) after. */
void
queue_snapshot_clear(struct queue_snapshot *s)
{
	const struct backend_queue	*q = s->parser;
	size_t				 maxrec = s->maxrec;

	free(s->rec);
	free(s->line);
	queue_snapshot_init(s, maxrec);
	s->parser = q;
}

/* Saturate to 32 bits: records are compact, totals stay exact. */
static uint32_t
sat32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* Fold one message into the counts and, under the cap, the records. */
void
queue_snapshot_add(struct queue_snapshot *s, const struct queue_msg *m)
{
	const struct backend_queue	*q;
	struct queue_rec		*r;
	char				 id[QUEUE_ID_MAX + 1];
	size_t				 ncap, idlen;
	int				 packed;

	s->messages++;
	s->by_queue[(unsigned)m->queue < QUEUE_NAME_COUNT ? m->queue :
	    QUEUE_OTHER]++;
	s->recipients += m->nrcpt;
	s->bytes += m->message_size;
	if (s->oldest == -1 || m->arrival_time < s->oldest)
		s->oldest = m->arrival_time;

	if (s->nrec >= s->maxrec) {
		s->dropped++;
		return;
	}
	if (s->nrec == s->caprec) {
		ncap = s->caprec == 0 ? QUEUE_REC_FIRST : s->caprec * 2;
		if (ncap > s->maxrec)
			ncap = s->maxrec;
		s->rec = xreallocarray(s->rec, ncap, sizeof(*s->rec));
		s->caprec = ncap;
	}
	r = &s->rec[s->nrec];
	memset(r, 0, sizeof(*r));
	q = queue_snapshot_q(s);
	if (q->id_pack != NULL) {
		idlen = m->queue_id_len <= QUEUE_ID_MAX ?
		    q->id_pack(m->queue_id, m->queue_id_len, id) : 0;
		packed = idlen > 0 && queue_rec_set_id(r, id, idlen);
	} else
		packed = queue_rec_set_id(r, m->queue_id, m->queue_id_len);
	if (!packed) {
		/* valid but longer than any Postfix id: no record */
		s->dropped++;
		return;
	}
	r->sender_hash = m->sender_hash;
	r->auth_hash = m->auth_hash;
	r->arrival_time = m->arrival_time < 0 ? 0 : sat32(
	    (uint64_t)m->arrival_time);
	r->message_size = sat32(m->message_size);
	r->nrcpt = sat32(m->nrcpt);
	r->queue = (uint8_t)m->queue;
	s->nrec++;
}

/* A message the parser gave: its id checked once more, then counted. */
static void
queue_snapshot_msg(struct queue_snapshot *s, const struct backend_queue *q,
    const struct queue_msg *m)
{
	if (m->queue_id_len == 0 || m->queue_id_len > QUEUE_ID_MAX ||
	    !q->id_valid(m->queue_id, m->queue_id_len))
		s->bad_qid++;
	else
		queue_snapshot_add(s, m);
}

/*
 * Parse one complete line and count it.  A blank line counts as nothing,
 * but a parser whose messages span lines may end one there.
 */
static void
queue_snapshot_line(struct queue_snapshot *s, const char *p, size_t len)
{
	const struct backend_queue	*q = queue_snapshot_q(s);
	struct queue_msg		 m;
	size_t				 i;

	for (i = 0; i < len; i++) {
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			break;
	}
	if (i == len && !s->pstate.have)
		return;		/* blank: nothing to count */
	switch (q->parse_line(&s->pstate, p, len, &m)) {
	case QUEUE_PARSE_OK:
		queue_snapshot_msg(s, q, &m);
		break;
	case QUEUE_PARSE_MORE:
		break;
	case QUEUE_PARSE_QID:
		s->bad_qid++;
		break;
	default:
		s->malformed++;
		break;
	}
}

/* Keep bytes of a line that has no newline yet. */
static void
queue_snapshot_hold(struct queue_snapshot *s, const char *p, size_t len)
{
	size_t	 ncap;

	if (s->skipping)
		return;
	if (s->linelen + len > QUEUE_LINE_MAX) {
		s->skipping = 1;
		s->too_long++;
		s->linelen = 0;
		return;
	}
	if (s->linelen + len > s->linecap) {
		ncap = s->linecap == 0 ? 4096 : s->linecap;
		while (ncap < s->linelen + len)
			ncap *= 2;
		s->line = xreallocarray(s->line, ncap, 1);
		s->linecap = ncap;
	}
	memcpy(s->line + s->linelen, p, len);
	s->linelen += len;
}

/* Split a chunk into lines; complete ones in the chunk are parsed in place. */
void
queue_snapshot_feed(struct queue_snapshot *s, const char *buf, size_t len)
{
	const char	*nl, *end = buf + len;

	while (buf < end) {
		if ((nl = memchr(buf, '\n', (size_t)(end - buf))) == NULL) {
			queue_snapshot_hold(s, buf, (size_t)(end - buf));
			return;
		}
		if (s->skipping)
			s->skipping = 0;
		else if (s->linelen == 0) {
			if ((size_t)(nl - buf) > QUEUE_LINE_MAX)
				s->too_long++;
			else
				queue_snapshot_line(s, buf, (size_t)(nl - buf));
		} else {
			queue_snapshot_hold(s, buf, (size_t)(nl - buf));
			if (!s->skipping)
				queue_snapshot_line(s, s->line, s->linelen);
			s->skipping = 0;
			s->linelen = 0;
		}
		buf = nl + 1;
	}
}

/* The input ended: a last line without a newline still counts, and so
   does a message the parser still holds. */
void
queue_snapshot_end(struct queue_snapshot *s)
{
	const struct backend_queue	*q = queue_snapshot_q(s);
	struct queue_msg		 m;

	if (!s->skipping && s->linelen > 0)
		queue_snapshot_line(s, s->line, s->linelen);
	if (q->parse_end != NULL && q->parse_end(&s->pstate, &m))
		queue_snapshot_msg(s, q, &m);
	memset(&s->pstate, 0, sizeof(s->pstate));
	s->skipping = 0;
	s->linelen = 0;
	free(s->line);
	s->line = NULL;
	s->linecap = 0;
}

/* See queue.h. */
size_t
queue_snapshot_id(const struct queue_snapshot *s, size_t i, char *buf)
{
	const struct backend_queue	*q = s->parser != NULL ? s->parser :
	    backend_default(BROLE_MTA)->queue;
	char				 packed[QUEUE_ID_STORE + 1];
	size_t				 len;

	if (q == NULL || q->id_unpack == NULL)
		return queue_rec_id(&s->rec[i], buf);
	len = queue_rec_id(&s->rec[i], packed);
	return q->id_unpack(packed, len, buf);
}

/* Every record with its id, until cb returns non-zero. */
int
queue_snapshot_foreach(const struct queue_snapshot *s, queue_foreach_cb cb,
    void *arg)
{
	char	 id[QUEUE_ID_MAX + 1];
	size_t	 i;
	int	 r;

	for (i = 0; i < s->nrec; i++) {
		queue_snapshot_id(s, i, id);
		if ((r = cb(id, &s->rec[i], arg)) != 0)
			return r;
	}
	return 0;
}

/* How many records carry this sender hash (a linear scan: ~10 ms at 4M). */
size_t
queue_snapshot_sender_count(const struct queue_snapshot *s, uint64_t h)
{
	size_t	 i, n = 0;

	for (i = 0; i < s->nrec; i++) {
		if (s->rec[i].sender_hash == h)
			n++;
	}
	return n;
}

/* The ids of this sender's records, newline-terminated, for a queue op. */
size_t
queue_snapshot_sender_ids(const struct queue_snapshot *s, uint64_t h,
    char **idsp, size_t *lenp)
{
	size_t	 i, n, len = 0;
	char	*out;

	n = queue_snapshot_sender_count(s, h);
	out = xreallocarray(NULL, n + 1, QUEUE_ID_MAX + 1);
	for (i = 0; i < s->nrec; i++) {
		if (s->rec[i].sender_hash != h)
			continue;
		len += queue_snapshot_id(s, i, out + len);
		out[len++] = '\n';
	}
	out[len] = '\0';
	*idsp = out;
	if (lenp != NULL)
		*lenp = len;
	return n;
}
