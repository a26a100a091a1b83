/* rfollow.c: follow a log file on a server over SSH (see rfollow.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rexec.h"
#include "rfollow.h"
#include "source.h"
#include "core/sanitize.h"
#include "core/trace.h"
#include "core/xmalloc.h"
#include "net/ssh_conn.h"

#define RFOLLOW_HDR_MAX		512	/* a header line of the program */
#define RFOLLOW_CHUNK_MAX	(1u << 20)	/* the program sends 256 KiB */
#define RFOLLOW_BACK_MAX	FOLLOW_TAIL_MAX	/* bytes before pos ("P") */

/* A file the program reads, and the line being assembled from it. */
struct rstream {
	int			 open;
	uint64_t		 ino;
	uint64_t		 pos;		/* bytes of ino received */
	uint64_t		 lstart;	/* where the line starts in ino */
	char			*line;
	size_t			 llen;
	int			 overlong;
	/* the bytes received just before pos, and before lstart */
	unsigned char		 back[RFOLLOW_BACK_MAX];
	size_t			 backlen;
	unsigned char		 lback[RFOLLOW_BACK_MAX];
	size_t			 lbacklen;
};

struct rfollow {
	char			*path;
	int			 from_start;
	follow_line_cb		 cb;
	rfollow_gap_cb		 gap;
	void			*arg;

	/* the program: started once its F arrives, broken when its output
	   is not its own */
	struct rexec		 rx;

	/* what the program is doing, from its headers */
	char			 hdr[RFOLLOW_HDR_MAX];
	size_t			 hlen;
	uint64_t		 data_left;	/* of the current D or d chunk */
	int			 data_old;	/* it is a d chunk */
	int			 data_prev;	/* it is a P: bytes before pos */
	unsigned char		 prev[RFOLLOW_BACK_MAX];
	size_t			 prevlen;
	int			 prev_bad;	/* this chunk's P differed */
	int			 rewritten;	/* ... and it got its K: restart */
	int			 await;		/* a chunk awaits its K or X */
	char			*pend;		/* the chunk, until its K */
	size_t			 pend_len;
	size_t			 pend_cap;
	int			 have_pos;	/* an F was seen: cur is valid */
	uint64_t		 head_crc;	/* cksum of its first head_len */
	uint64_t		 head_len;	/* bytes (up to 64) */
	struct rstream		 cur;		/* the file read */
	struct rstream		 old;		/* renamed, watched: R to Q */

	enum follow_state	 state;
	char			 error[300];
	struct rfollow_stats	 stats;
};

static void	rfollow_on_output(void *, const char *, size_t);

/* See rfollow.h. */
struct rfollow *
rfollow_open(const char *path, int from_start, follow_line_cb cb,
    rfollow_gap_cb gap, void *arg)
{
	struct rfollow	*r = xcalloc(1, sizeof(*r));

	r->path = xstrdup(path);
	rexec_init(&r->rx, r->path, rfollow_on_output, r);
	r->from_start = from_start;
	r->cb = cb;
	r->gap = gap;
	r->arg = arg;
	r->cur.line = xmalloc(FOLLOW_LINE_MAX + 1);
	r->old.line = xmalloc(FOLLOW_LINE_MAX + 1);
	r->state = FOLLOW_MISSING;
	snprintf(r->error, sizeof(r->error), "%s: starting", path);
	return r;
}

/* See rfollow.h. */
void
rfollow_close(struct rfollow *r)
{
	if (r == NULL)
		return;
	rexec_free(&r->rx);
	free(r->cur.line);
	free(r->old.line);
	free(r->pend);
	free(r->path);
	free(r);
}

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

/* rexec callback: what the program says. */
static void
rfollow_on_output(void *arg, const char *p, size_t len)
{
	(void)rfollow_input(arg, p, len);
}

/* See rfollow.h: a new program's output starts afresh. */
void
rfollow_restart(struct rfollow *r)
{
	/* partial lines are read again from their start */
	r->cur.llen = r->old.llen = 0;
	r->cur.overlong = r->old.overlong = 0;
	r->cur.pos = r->cur.lstart;
	r->old.pos = r->old.lstart;
	r->data_left = 0;
	r->data_prev = 0;
	r->prevlen = 0;
	r->prev_bad = 0;
	r->await = 0;
	r->pend_len = 0;
	r->hlen = 0;
	r->rewritten = 0;
}

/* The program ended or its output was not its own: why, and when again. */
static void
rfollow_ended(struct rfollow *r, struct ssh_conn *conn, int64_t now_ms)
{
	char	 why[280];

	if (!r->rx.broken && r->state != FOLLOW_UNREADABLE) {
		r->state = FOLLOW_UNREADABLE;
		rexec_failure(&r->rx, "the remote follower",
		    "the remote follower ended", why, sizeof(why));
		snprintf(r->error, sizeof(r->error), "%s: %s", r->path, why);
	}
	rexec_end(&r->rx, conn, now_ms);
	rfollow_restart(r);
}

/* Start the program, resuming where the last line delivered ended. */
static void
rfollow_start(struct rfollow *r, struct ssh_conn *conn, int64_t now_ms)
{
	char	 ino[24], off[24], head[48], oino[24], ooff[24], back[48];
	char	 err[200];
	char	*argv[] = { "exec", "/bin/sh", "-s", r->path, ino, off, head,
		    oino, ooff, back, NULL };

	(void)rfollow_resume_args(r, ino, off, head, oino, ooff);
	rfollow_resume_back(r, back, sizeof(back));
	rfollow_restart(r);
	if (rexec_start(&r->rx, conn, argv, rfollow_script,
	    strlen(rfollow_script), now_ms, RFOLLOW_START_MS, 0, err,
	    sizeof(err)) == -1) {
		snprintf(r->error, sizeof(r->error), "%s: %s", r->path, err);
		return;
	}
	r->stats.starts++;
	trace(2, "%s: remote follower started at inode %s offset %s",
	    r->path, ino[0] != '\0' ? ino : "-", off);
}

/* See rfollow.h. */
int
rfollow_poll(struct rfollow *r, struct ssh_conn *conn, int64_t now_ms)
{
	enum follow_state	 before = r->state;
	char			 was[sizeof(r->error)];

	snprintf(was, sizeof(was), "%s", r->error);
	if (r->rewritten && rexec_channel(&r->rx) != NULL) {
		/* not a failure: the program's start says what happened */
		rexec_finish(&r->rx, now_ms);
		rfollow_restart(r);
	}
	if (rexec_hung(&r->rx, now_ms)) {
		r->rx.broken = 1;
		r->state = FOLLOW_UNREADABLE;
		snprintf(r->error, sizeof(r->error), "%s: the remote follower "
		    "did not start within %d s (a hung shell or login script?)",
		    r->path, RFOLLOW_START_MS / 1000);
	}
	if (rexec_over(&r->rx, now_ms))
		rfollow_ended(r, conn, now_ms);
	if (rexec_due(&r->rx, conn, now_ms))
		rfollow_start(r, conn, now_ms);
	return r->state != before || strcmp(was, r->error) != 0 ?
	    FOLLOW_CHANGED : 0;
}

/* See rfollow.h. */
enum follow_state
rfollow_state(const struct rfollow *r)
{
	return r->rx.exec != NULL ? r->state : (r->state == FOLLOW_LIVE ?
	    FOLLOW_MISSING : r->state);
}

/* See rfollow.h. */
const char *
rfollow_error(const struct rfollow *r)
{
	if (rfollow_state(r) == FOLLOW_LIVE)
		return NULL;
	return r->error[0] != '\0' ? r->error : r->path;
}

/* See rfollow.h. */
int
rfollow_starting(const struct rfollow *r)
{
	return !r->have_pos && r->stats.starts <= 1 && r->rx.failures == 0 &&
	    r->state != FOLLOW_UNREADABLE;
}

/* See rfollow.h. */
const char *
rfollow_path(const struct rfollow *r)
{
	return r->path;
}

/* See rfollow.h. */
const struct rfollow_stats *
rfollow_stats(const struct rfollow *r)
{
	return &r->stats;
}

/* See rfollow.h. */
int
rfollow_resume_args(const struct rfollow *r, char *ino, char *off,
    char *head, char *oino, char *ooff)
{
	oino[0] = ooff[0] = '\0';
	if (!r->have_pos) {
		ino[0] = head[0] = '\0';
		snprintf(off, 24, "%s", r->from_start ? "0" : "end");
		return 0;
	}
	snprintf(ino, 24, "%" PRIu64, r->cur.ino);
	snprintf(off, 24, "%" PRIu64, r->cur.lstart);
	snprintf(head, 48, "%" PRIu64 " %" PRIu64, r->head_crc, r->head_len);
	if (r->old.open) {
		snprintf(oino, 24, "%" PRIu64, r->old.ino);
		snprintf(ooff, 24, "%" PRIu64, r->old.lstart);
	}
	return 1;
}

/* cksum(1) of p[0..n): the POSIX CRC, the length appended. */
static uint32_t
rfollow_cksum(const unsigned char *p, size_t n)
{
	uint32_t	 crc = 0;
	size_t		 len;
	int		 i;

	for (len = 0; len < n; len++) {
		crc ^= (uint32_t)p[len] << 24;
		for (i = 0; i < 8; i++)
			crc = crc & 0x80000000u ? (crc << 1) ^ 0x04c11db7u :
			    crc << 1;
	}
	for (len = n; len > 0; len >>= 8) {
		crc ^= (uint32_t)(len & 0xff) << 24;
		for (i = 0; i < 8; i++)
			crc = crc & 0x80000000u ? (crc << 1) ^ 0x04c11db7u :
			    crc << 1;
	}
	return ~crc;
}

/* See rfollow.h. */
int
rfollow_must_restart(const struct rfollow *r)
{
	return r->rewritten;
}

/* See rfollow.h. */
void
rfollow_resume_back(const struct rfollow *r, char *back, size_t size)
{
	if (!r->have_pos || r->cur.lbacklen == 0) {
		back[0] = '\0';
		return;
	}
	snprintf(back, size, "%lu %zu", (unsigned long)rfollow_cksum(
	    r->cur.lback, r->cur.lbacklen), r->cur.lbacklen);
}

/* See rfollow.h. */
int
rfollow_position(const struct rfollow *r, uint64_t *ino, uint64_t *offset)
{
	if (!r->have_pos)
		return 0;
	*ino = r->cur.ino;
	*offset = r->cur.lstart;
	return 1;
}

/* source_ops open: a file on a server. */
static void *
rfollow_src_open(const struct source_spec *spec,
    const struct source_cbs *cbs)
{
	return rfollow_open(spec->path, spec->from_start, cbs->line, cbs->gap,
	    cbs->arg);
}

/* source_ops close. */
static void
rfollow_src_close(void *self)
{
	rfollow_close(self);
}

/* source_ops poll: only with a connection (source_ops.remote). */
static int
rfollow_src_poll(void *self, const struct source_env *env, int64_t now_ms,
    size_t budget)
{
	return rfollow_poll(self, env->ssh, now_ms);
}

/* source_ops state. */
static enum follow_state
rfollow_src_state(const void *self)
{
	return rfollow_state(self);
}

/* source_ops error. */
static const char *
rfollow_src_error(const void *self)
{
	return rfollow_error(self);
}

/* source_ops label. */
static const char *
rfollow_src_label(const void *self)
{
	return rfollow_path(self);
}

/* source_ops starting. */
static int
rfollow_src_starting(const void *self)
{
	return rfollow_starting(self);
}

/* A log file on a server, over SSH (source.h). */
const struct source_ops source_ssh_file_ops = {
	.name = "ssh-file",
	.remote = 1,
	.open = rfollow_src_open,
	.close = rfollow_src_close,
	.poll = rfollow_src_poll,
	.state = rfollow_src_state,
	.error = rfollow_src_error,
	.label = rfollow_src_label,
	.starting = rfollow_src_starting,
};
