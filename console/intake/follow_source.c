/*
 * follow_source.c: what is known of a followed file (state, why, path,
 * figures), and the file as a log source (struct source_ops).
 */
#include <stdint.h>
#include <stddef.h>

#include "follow.h"
#include "follow_int.h"
#include "source.h"

/* See follow.h. */
enum follow_state
follow_state(const struct follower *f)
{
	return f->state;
}

/* See follow.h. */
const char *
follow_error(const struct follower *f)
{
	return f->state == FOLLOW_LIVE ? NULL : f->error;
}

/* See follow.h. */
const char *
follow_state_name(enum follow_state state)
{
	switch (state) {
	case FOLLOW_LIVE:
		return "live";
	case FOLLOW_MISSING:
		return "missing";
	case FOLLOW_UNREADABLE:
		return "unreadable";
	}
	return "?";
}

/* See follow.h. */
const char *
follow_path(const struct follower *f)
{
	return f->path;
}

/* See follow.h. */
const struct follow_stats *
follow_stats(const struct follower *f)
{
	return &f->io.stats;
}
/* source_ops open: a local file. */
static void *
follow_src_open(const struct source_spec *spec, const struct source_cbs *cbs)
{
	struct follower	*f = follow_open(spec->path, spec->from_start);

	f->gap = cbs->gap;
	f->line = cbs->line;
	f->arg = cbs->arg;
	return f;
}

/* source_ops close. */
static void
follow_src_close(void *self)
{
	follow_close(self);
}

/* source_ops poll: read here, at most budget bytes. */
static int
follow_src_poll(void *self, const struct source_env *env, int64_t now_ms,
    size_t budget)
{
	struct follower	*f = self;

	return follow_poll(f, now_ms, f->line, f->arg, budget);
}

/* source_ops state. */
static enum follow_state
follow_src_state(const void *self)
{
	return follow_state(self);
}

/* source_ops error. */
static const char *
follow_src_error(const void *self)
{
	return follow_error(self);
}

/* source_ops label. */
static const char *
follow_src_label(const void *self)
{
	return follow_path(self);
}

/* A log file on this machine (source.h). */
const struct source_ops source_file_ops = {
	.name = "file",
	.remote = 0,
	.open = follow_src_open,
	.close = follow_src_close,
	.poll = follow_src_poll,
	.state = follow_src_state,
	.error = follow_src_error,
	.label = follow_src_label,
	.starting = NULL,
};
