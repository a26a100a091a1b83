/*
 * rfollow.c: follow a log file on a server over SSH (see rfollow.h): the
 * follower's life (open, start the program, notice it ended or hung,
 * start it again where the last line ended), what it shows, and its
 * source_ops.  Reading the program's output is rfollow_input.c, the
 * program itself rfollow_script.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rfollow_int.h"
#include "source.h"
#include "core/trace.h"
#include "core/xmalloc.h"
#include "net/ssh_conn.h"

/* rexec callback: what the program says. */
static void
rfollow_on_output(void *arg, const char *p, size_t len)
{
	(void)rfollow_input(arg, p, len);
}

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
