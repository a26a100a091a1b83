/*
 * rfollow_input.c: what the remote follower's program says (its protocol
 * is in rfollow.h): header lines checked strictly, the log bytes of each
 * chunk held until the program confirms them, then cut into lines;
 * rotation, truncation and gaps as it reports them.  Output that is not
 * its own breaks the follower (rfollow.c starts it again).
 */
#include <stdio.h>
#include <string.h>

#include "rfollow_int.h"
#include "core/sanitize.h"
#include "core/trace.h"
#include "core/xmalloc.h"

/* Hand the assembled line on (flags: FOLLOW_LINE_*) and start the next. */
static void
rfollow_emit(struct rfollow *r, struct rstream *s, int flags)
{
	if (s->overlong)
		flags |= FOLLOW_LINE_TRUNCATED;
	s->line[s->llen] = '\0';
	r->stats.lines++;
	r->cb(s->line, s->llen, flags, r->arg);
	s->llen = 0;
	s->overlong = 0;
	s->lstart = s->pos;
	memcpy(s->lback, s->back, s->backlen);
	s->lbacklen = s->backlen;
}

/* Log bytes at s->pos: split them into lines. */
static void
rfollow_data(struct rfollow *r, struct rstream *s, const char *p, size_t len)
{
	const char	*nl;
	size_t		 n, keep;

	r->stats.bytes += len;
	while (len > 0) {
		nl = memchr(p, '\n', len);
		n = nl != NULL ? (size_t)(nl - p) : len;
		keep = n;
		if (s->llen + keep > FOLLOW_LINE_MAX) {
			keep = FOLLOW_LINE_MAX - s->llen;
			s->overlong = 1;
		}
		memcpy(s->line + s->llen, p, keep);
		s->llen += keep;
		if (nl == NULL) {
			follow_tail_add(s->back, &s->backlen, p, len);
			s->pos += len;
			return;
		}
		follow_tail_add(s->back, &s->backlen, p, n + 1);
		s->pos += n + 1;
		p += n + 1;
		len -= n + 1;
		rfollow_emit(r, s, 0);
	}
}

/* A file is left for good: a held partial line is whole. */
static void
rfollow_flush(struct rfollow *r, struct rstream *s)
{
	if (s->llen > 0 || s->overlong)
		rfollow_emit(r, s, FOLLOW_LINE_PARTIAL);
}

/* The file was truncated: its partial line is whole, and it starts anew. */
static void
rfollow_leave(struct rfollow *r, uint64_t ino)
{
	rfollow_flush(r, &r->cur);
	r->stats.rotations++;
	r->cur.ino = ino;
	r->cur.pos = r->cur.lstart = 0;
	r->cur.backlen = r->cur.lbacklen = 0;
}

/* The file read was renamed: it becomes the old one, watched for late
   lines (its partial line goes with it); the next F says what is read
   (and counts the rotation). */
static void
rfollow_renamed(struct rfollow *r)
{
	char	*line;

	if (r->old.open)
		rfollow_flush(r, &r->old);
	line = r->old.line;
	r->old = r->cur;
	r->old.open = 1;
	r->cur.line = line;
	r->cur.llen = 0;
	r->cur.overlong = 0;
}

/* A gap: count it and tell the owner. */
static void
rfollow_gap(struct rfollow *r, const char *why)
{
	char	 clean[RFOLLOW_HDR_MAX];

	sanitize_text(clean, sizeof(clean), why, strlen(why));
	r->stats.gaps++;
	if (r->gap != NULL)
		r->gap(clean, r->arg);
}

/*
 * "P n" after a chunk of the live file: the program sent the n bytes
 * before the chunk as they are now.  Not the bytes received there: the
 * file was cut and written again past that point between two looks
 * (issue 20), and the chunk is not the rest of what was read.  It is
 * dropped, the program started again, and its start (BACK) finds and
 * reports the cut.  Bytes not known yet (a first start) are learnt.
 */
static void
rfollow_prev(struct rfollow *r)
{
	struct rstream	*s = &r->cur;
	size_t		 n = r->prevlen, common;

	r->data_prev = 0;
	common = n < s->backlen ? n : s->backlen;
	if (memcmp(s->back + s->backlen - common, r->prev + n - common,
	    common) != 0) {
		/* an X (a cut the program saw itself) would settle it */
		r->prev_bad = 1;
		return;
	}
	if (s->backlen < n) {
		memcpy(s->back, r->prev, n);
		s->backlen = n;
		if (s->lstart == s->pos) {
			memcpy(s->lback, r->prev, n);
			s->lbacklen = n;
		}
	}
}

/* Parse an unsigned decimal that ends at *end or at a space. */
static int
rfollow_number(const char *s, uint64_t *out, const char **end)
{
	uint64_t	 v = 0;
	const char	*p = s;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = v;
	if (end != NULL)
		*end = p;
	return 0;
}

/* One header line of the program, NUL-terminated.  0, or -1: not ours. */
static int
rfollow_header(struct rfollow *r, const char *h)
{
	uint64_t	 a, b, crc, hlen;
	const char	*e;

	if (h[0] == '\0' || (h[1] != '\0' && h[1] != ' '))
		return -1;
	/* a chunk is only used once the program has seen, after reading
	   it, that the file was not truncated under it meanwhile */
	if (r->await && h[0] == 'P' && !r->data_old && r->prevlen == 0) {
		/* the bytes before the chunk: "P n" between it and its K */
		if (rfollow_number(h + 2, &a, &e) == -1 || *e != '\0' ||
		    a == 0 || a > RFOLLOW_BACK_MAX)
			return -1;
		r->data_left = a;
		r->data_prev = 1;
		return 0;
	}
	if (r->await && h[0] == 'K' && r->prev_bad) {
		/* the bytes before the chunk changed, the first bytes not:
		   cut and written again past it; the chunk is not ours */
		r->rewritten = 1;
		r->await = 0;
		r->pend_len = 0;
		trace(1, "%s: the bytes before offset %llu are not the ones "
		    "read: the file was cut and written again; starting the "
		    "remote follower again", r->path,
		    (unsigned long long)r->cur.pos);
		return 0;
	}
	if (r->await) {
		r->prevlen = 0;
		r->prev_bad = 0;
		if (h[0] == 'X' && h[1] == '\0')
			/* dropped: a T or N follows */;
		else if (h[0] != 'K')
			return -1;
		else if (h[1] == ' ' && !r->data_old) {
			/* "K crc len": the first bytes, learnt as read */
			if (rfollow_number(h + 2, &crc, &e) == -1 ||
			    *e != ' ' || rfollow_number(e + 1, &hlen, &e) ==
			    -1 || *e != '\0' || hlen > 64)
				return -1;
			r->head_crc = crc;
			r->head_len = hlen;
		} else if (h[1] != '\0')
			return -1;
		if (h[0] == 'K')
			rfollow_data(r, r->data_old ? &r->old : &r->cur,
			    r->pend, r->pend_len);
		r->await = 0;
		r->pend_len = 0;
		return 0;
	}
	switch (h[0]) {
	case 'D':
	case 'd':
		if (rfollow_number(h + 2, &a, &e) == -1 || *e != '\0' ||
		    a == 0 || a > RFOLLOW_CHUNK_MAX ||
		    !(h[0] == 'D' ? r->have_pos : r->old.open))
			return -1;
		r->data_left = a;
		r->data_old = h[0] == 'd';
		r->data_prev = 0;
		if (r->pend_cap < a) {
			r->pend = xreallocarray(r->pend, a, 1);
			r->pend_cap = a;
		}
		r->pend_len = 0;
		return 0;
	case 'F':
		if (rfollow_number(h + 2, &a, &e) == -1 || *e != ' ' ||
		    rfollow_number(e + 1, &b, &e) == -1 || *e != ' ' ||
		    rfollow_number(e + 1, &crc, &e) == -1 || *e != ' ' ||
		    rfollow_number(e + 1, &hlen, &e) == -1 || *e != '\0' ||
		    hlen > 64)
			return -1;
		r->head_crc = crc;
		r->head_len = hlen;
		if (r->have_pos && (a != r->cur.ino || b != r->cur.lstart))
			r->stats.rotations++;
		/* where we were: the bytes before it are known, else not */
		if (r->have_pos && a == r->cur.ino && b == r->cur.lstart) {
			memcpy(r->cur.back, r->cur.lback, r->cur.lbacklen);
			r->cur.backlen = r->cur.lbacklen;
		} else
			r->cur.backlen = r->cur.lbacklen = 0;
		r->have_pos = 1;
		r->cur.open = 1;
		r->cur.ino = a;
		r->cur.pos = r->cur.lstart = b;
		r->cur.llen = 0;
		r->cur.overlong = 0;
		r->rx.failures = 0;
		r->rx.started = 1;
		r->state = FOLLOW_LIVE;
		r->error[0] = '\0';
		return 0;
	case 'N':
	case 'R':
	case 'T':
		if (rfollow_number(h + 2, &a, &e) == -1 || *e != '\0' ||
		    !r->have_pos)
			return -1;
		if (h[0] == 'T')
			rfollow_leave(r, a);
		else if (h[0] == 'R')
			rfollow_renamed(r);
		else {
			/* the rest of the same content, in its copy */
			r->cur.ino = a;
			r->stats.rotations++;
		}
		return 0;
	case 'Q':
		if (r->old.open)
			rfollow_flush(r, &r->old);
		r->old.open = 0;
		return 0;
	case 'G':
		rfollow_gap(r, h + 2);
		return 0;
	case 'M':
		r->state = FOLLOW_MISSING;
		snprintf(r->error, sizeof(r->error), "%s: no such file (yet)",
		    r->path);
		return 0;
	case 'E':
		r->state = FOLLOW_UNREADABLE;
		sanitize_text(r->error, sizeof(r->error), h + 2,
		    strlen(h + 2));
		return 0;
	case 'H':
		return 0;
	default:
		return -1;
	}
}

/* See rfollow.h. */
int
rfollow_input(struct rfollow *r, const char *p, size_t len)
{
	const char	*nl;
	char		 said[100] = "";
	size_t		 n;

	while (len > 0 && !r->rx.broken && !r->rewritten) {
		if (r->data_left > 0 && r->data_prev) {
			n = len < r->data_left ? len : (size_t)r->data_left;
			memcpy(r->prev + r->prevlen, p, n);
			r->prevlen += n;
			if ((r->data_left -= n) == 0)
				rfollow_prev(r);
			p += n;
			len -= n;
			continue;
		}
		if (r->data_left > 0) {
			n = len < r->data_left ? len : (size_t)r->data_left;
			memcpy(r->pend + r->pend_len, p, n);
			r->pend_len += n;
			if ((r->data_left -= n) == 0)
				r->await = 1;
			p += n;
			len -= n;
			continue;
		}
		nl = memchr(p, '\n', len);
		n = nl != NULL ? (size_t)(nl - p) : len;
		if (r->hlen + n >= sizeof(r->hdr)) {
			r->rx.broken = 1;
			break;
		}
		memcpy(r->hdr + r->hlen, p, n);
		r->hlen += n;
		if (nl == NULL)
			return 0;
		r->hdr[r->hlen] = '\0';
		r->hlen = 0;
		p += n + 1;
		len -= n + 1;
		if (rfollow_header(r, r->hdr) == -1)
			r->rx.broken = 1;
	}
	if (!r->rx.broken)
		return 0;
	r->state = FOLLOW_UNREADABLE;
	/* its words: a nologin shell or a forced command speaks here */
	if (r->hlen == 0)
		sanitize_text(said, sizeof(said), r->hdr, strlen(r->hdr));
	snprintf(r->error, sizeof(r->error), "%s: the remote follower said "
	    "something unexpected%s%s%s; starting it again", r->path,
	    said[0] != '\0' ? " (\"" : "", said,
	    said[0] != '\0' ? "\")" : "");
	return -1;
}
