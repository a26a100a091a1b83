/* follow.c: tail -F for the event loop: rotation, partial lines, states. */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "follow.h"
#include "xmalloc.h"

#define FOLLOW_CHUNK	(16u * 1024)

struct follower {
	char			*path;
	enum follow_state	 state;
	char			 error[256];

	int			 fd;		/* -1: nothing open */
	int			 fifo;
	dev_t			 dev;
	ino_t			 ino;
	uint64_t		 offset;	/* bytes read from fd */
	unsigned char		 head[FOLLOW_HEAD_MAX];
	size_t			 head_len;
	int			 eof;		/* last read hit the end */
	int			 resync;	/* drop bytes up to a newline */
	uint64_t		 opened;	/* files opened so far */

	/* The line being assembled: bytes kept, and all its bytes so far. */
	char			*line;
	size_t			 line_len;
	size_t			 line_cap;
	uint64_t		 line_bytes;
	int64_t			 line_since;	/* now_ms of its first byte */

	int64_t			 now;
	char			*chunk;
	struct follow_stats	 stats;
};

/* FNV-1a: a stable hash of the head for the saved position. */
static uint64_t
follow_hash(const unsigned char *p, size_t len)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;

	while (len-- > 0) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Record the state and, unless live, "path: why" for the user. */
static void
follow_set_state(struct follower *f, enum follow_state state,
    const char *why)
{
	f->state = state;
	if (state == FOLLOW_LIVE)
		f->error[0] = '\0';
	else
		snprintf(f->error, sizeof(f->error), "%s: %s", f->path, why);
}

/* Hand one line to the caller; line[len] must be writable. */
static void
follow_emit(struct follower *f, char *line, size_t len, int flags,
    follow_line_cb cb, void *arg)
{
	if (len > FOLLOW_LINE_MAX) {
		len = FOLLOW_LINE_MAX;
		flags |= FOLLOW_LINE_TRUNCATED;
	}
	if (flags & FOLLOW_LINE_TRUNCATED)
		f->stats.overlong++;
	if (flags & FOLLOW_LINE_PARTIAL)
		f->stats.partials++;
	f->stats.lines++;
	line[len] = '\0';
	cb(line, len, flags, arg);
}

/* Add len bytes to the held line, keeping at most FOLLOW_LINE_MAX. */
static void
follow_hold(struct follower *f, const char *p, size_t len)
{
	size_t	 keep, cap;

	if (f->line_bytes == 0)
		f->line_since = f->now;
	f->line_bytes += len;
	keep = FOLLOW_LINE_MAX - f->line_len;
	if (len < keep)
		keep = len;
	if (f->line_len + keep + 1 > f->line_cap) {
		cap = f->line_cap == 0 ? 256 : f->line_cap;
		while (cap < f->line_len + keep + 1)
			cap *= 2;
		if (cap > FOLLOW_LINE_MAX + 1)
			cap = FOLLOW_LINE_MAX + 1;
		f->line = xreallocarray(f->line, cap, 1);
		f->line_cap = cap;
	}
	memcpy(f->line + f->line_len, p, keep);
	f->line_len += keep;
}

/* Deliver the held line, if any, with flags. */
static void
follow_deliver_held(struct follower *f, int flags, follow_line_cb cb,
    void *arg)
{
	if (f->line_bytes > FOLLOW_LINE_MAX)
		flags |= FOLLOW_LINE_TRUNCATED;
	if (f->line != NULL)
		follow_emit(f, f->line, f->line_len, flags, cb, arg);
	f->line_len = 0;
	f->line_bytes = 0;
}

/* Give up on the held partial line: its file is being left. */
static void
follow_flush(struct follower *f, follow_line_cb cb, void *arg)
{
	if (f->line_bytes > 0)
		follow_deliver_held(f, FOLLOW_LINE_PARTIAL, cb, arg);
	f->resync = 0;
}

/* Split freshly read bytes into lines; buf is ours to write into. */
static void
follow_feed(struct follower *f, char *buf, size_t n, follow_line_cb cb,
    void *arg)
{
	char	*nl;
	size_t	 take;

	while (n > 0) {
		nl = memchr(buf, '\n', n);
		take = nl != NULL ? (size_t)(nl - buf) : n;
		if (f->resync) {
			/* Started inside a line: its start is not ours. */
			if (nl != NULL)
				f->resync = 0;
		} else if (nl != NULL && f->line_bytes == 0)
			follow_emit(f, buf, take, 0, cb, arg);
		else {
			follow_hold(f, buf, take);
			if (nl != NULL)
				follow_deliver_held(f, 0, cb, arg);
		}
		if (nl != NULL)
			take++;
		buf += take;
		n -= take;
	}
}

/*
 * Read and split up to budget bytes; sets eof when the file had no more.
 * Returns the bytes read, or -1 on a read error (state set).
 */
static ssize_t
follow_read(struct follower *f, size_t budget, follow_line_cb cb,
    void *arg)
{
	size_t	 done = 0, want;
	ssize_t	 n;

	f->eof = 0;
	if (f->chunk == NULL)
		f->chunk = xmalloc(FOLLOW_CHUNK);
	while (done < budget) {
		want = budget - done;
		if (want > FOLLOW_CHUNK)
			want = FOLLOW_CHUNK;
		if ((n = read(f->fd, f->chunk, want)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				f->eof = 1;
				break;
			}
			follow_set_state(f, FOLLOW_UNREADABLE,
			    strerror(errno));
			return -1;
		}
		if (n == 0) {
			f->eof = 1;
			break;
		}
		f->offset += (uint64_t)n;
		f->stats.bytes += (uint64_t)n;
		done += (size_t)n;
		follow_feed(f, f->chunk, (size_t)n, cb, arg);
	}
	return (ssize_t)done;
}

/* Close the open file, delivering a held partial line first. */
static void
follow_release(struct follower *f, follow_line_cb cb, void *arg)
{
	follow_flush(f, cb, arg);
	close(f->fd);
	f->fd = -1;
}

/* Is a held partial line young enough to wait for its newline? */
static int
follow_waiting(const struct follower *f)
{
	return f->line_bytes > 0 && !f->resync &&
	    f->now - f->line_since < FOLLOW_GRACE_MS;
}

/*
 * Compare the first bytes of the file with those seen before, learning more
 * of them while the file is short.  1 when they differ: replaced in place.
 */
static int
follow_head_changed(struct follower *f)
{
	unsigned char	 buf[FOLLOW_HEAD_MAX];
	ssize_t		 n;

	if ((n = pread(f->fd, buf, sizeof(buf), 0)) == -1)
		return 0;	/* the read will report it */
	if ((size_t)n < f->head_len ||
	    memcmp(buf, f->head, f->head_len) != 0)
		return 1;
	memcpy(f->head, buf, (size_t)n);
	f->head_len = (size_t)n;
	return 0;
}

/*
 * Open the file now at path (st: its stat) at offset 0.  Only regular files
 * and FIFOs are opened: opening a device can have effects (a tape rewinds).
 * O_NONBLOCK keeps a FIFO without a writer from blocking the open.
 */
static int
follow_attach(struct follower *f, const struct stat *st)
{
	struct stat	 fst;
	int		 fd;

	if (S_ISDIR(st->st_mode)) {
		follow_set_state(f, FOLLOW_UNREADABLE, "is a directory");
		return -1;
	}
	if (!S_ISREG(st->st_mode) && !S_ISFIFO(st->st_mode)) {
		follow_set_state(f, FOLLOW_UNREADABLE,
		    "not a regular file or a FIFO");
		return -1;
	}
	fd = open(f->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		follow_set_state(f, errno == ENOENT ? FOLLOW_MISSING :
		    FOLLOW_UNREADABLE, strerror(errno));
		return -1;
	}
	/* It may have been replaced between stat() and open(). */
	if (fstat(fd, &fst) == -1 ||
	    (!S_ISREG(fst.st_mode) && !S_ISFIFO(fst.st_mode))) {
		close(fd);
		follow_set_state(f, FOLLOW_UNREADABLE,
		    "not a regular file or a FIFO");
		return -1;
	}
	if (f->opened++ > 0)
		f->stats.rotations++;
	f->fd = fd;
	f->fifo = S_ISFIFO(fst.st_mode);
	f->dev = fst.st_dev;
	f->ino = fst.st_ino;
	f->offset = 0;
	f->head_len = 0;
	f->resync = 0;
	if (!f->fifo)
		follow_head_changed(f);		/* learn it */
	follow_set_state(f, FOLLOW_LIVE, NULL);
	return 0;
}

/* Move the read position of the open regular file to offset. */
static void
follow_seek(struct follower *f, uint64_t offset)
{
	if (lseek(f->fd, (off_t)offset, SEEK_SET) == -1)
		offset = 0;
	f->offset = offset;
}

/*
 * Start at the end of the last complete line, so that a line being written
 * as we start is delivered whole.  With no newline in the last
 * FOLLOW_LINE_MAX bytes, start at the end and drop up to the next newline.
 */
static void
follow_seek_end(struct follower *f, uint64_t size)
{
	char	*buf;
	size_t	 win, i;
	ssize_t	 n;

	win = size < FOLLOW_LINE_MAX ? (size_t)size : FOLLOW_LINE_MAX;
	buf = xmalloc(win);
	n = pread(f->fd, buf, win, (off_t)(size - win));
	for (i = n > 0 ? (size_t)n : 0; i > 0; i--)
		if (buf[i - 1] == '\n')
			break;
	free(buf);
	if (n != (ssize_t)win)
		follow_seek(f, size);
	else if (i > 0)
		follow_seek(f, size - win + i);
	else if (win == size)
		follow_seek(f, 0);
	else {
		follow_seek(f, size);
		f->resync = 1;
	}
}

/* Common part of follow_open and follow_open_at. */
static struct follower *
follow_new(const char *path, struct stat *st)
{
	struct follower	*f;

	f = xcalloc(1, sizeof(*f));
	f->path = xstrdup(path);
	f->fd = -1;
	if (stat(path, st) == -1) {
		follow_set_state(f, errno == ENOENT || errno == ENOTDIR ?
		    FOLLOW_MISSING : FOLLOW_UNREADABLE, strerror(errno));
		return f;
	}
	follow_attach(f, st);
	return f;
}

/* See follow.h. */
struct follower *
follow_open(const char *path, int from_start)
{
	struct follower	*f;
	struct stat	 st;

	f = follow_new(path, &st);
	if (f->fd != -1 && !f->fifo && !from_start)
		follow_seek_end(f, (uint64_t)st.st_size);
	return f;
}

/* See follow.h. */
struct follower *
follow_open_at(const char *path, const struct follow_pos *pos, int *resumed)
{
	struct follower	*f;
	struct stat	 st;
	unsigned char	 buf[FOLLOW_HEAD_MAX];
	ssize_t		 n = -1;

	if (resumed != NULL)
		*resumed = 0;
	f = follow_new(path, &st);
	if (f->fd == -1 || f->fifo || (uint64_t)f->ino != pos->ino ||
	    pos->head_len > FOLLOW_HEAD_MAX ||
	    (uint64_t)st.st_size < pos->offset ||
	    (uint64_t)st.st_size < pos->head_len)
		return f;
	if (pos->head_len > 0)
		n = pread(f->fd, buf, pos->head_len, 0);
	if (pos->head_len > 0 && (n != (ssize_t)pos->head_len ||
	    follow_hash(buf, pos->head_len) != pos->head_hash))
		return f;
	memcpy(f->head, buf, pos->head_len);
	f->head_len = pos->head_len;
	follow_seek(f, pos->offset);
	if (resumed != NULL)
		*resumed = f->offset == pos->offset;
	return f;
}

/* See follow.h. */
void
follow_close(struct follower *f)
{
	if (f == NULL)
		return;
	if (f->fd != -1)
		close(f->fd);
	free(f->path);
	free(f->line);
	free(f->chunk);
	free(f);
}

/*
 * The path cannot be stat'ed.  Keep reading the file we have: it may have
 * been renamed by a rotation and its daemon may still be writing to it.  A
 * deleted one (no links left) is closed once it is read to its end.
 */
static ssize_t
follow_poll_gone(struct follower *f, size_t budget, follow_line_cb cb,
    void *arg)
{
	struct stat	 fst;
	ssize_t		 n;

	if (f->fd == -1)
		return 0;
	if ((n = follow_read(f, budget, cb, arg)) == -1)
		return -1;
	if (f->eof && !follow_waiting(f) && fstat(f->fd, &fst) == 0 &&
	    fst.st_nlink == 0)
		follow_release(f, cb, arg);
	return n;
}

/* See follow.h. */
int
follow_poll(struct follower *f, int64_t now_ms, follow_line_cb cb,
    void *arg, size_t max_bytes)
{
	struct stat		 st;
	enum follow_state	 old_state = f->state;
	char			 old_error[sizeof(f->error)];
	size_t			 budget, used = 0;
	ssize_t			 n = 0;
	int			 ret = 0;

	budget = max_bytes != 0 ? max_bytes : FOLLOW_BUDGET;
	memcpy(old_error, f->error, sizeof(old_error));
	f->now = now_ms;

	if (stat(f->path, &st) == -1) {
		follow_set_state(f, errno == ENOENT || errno == ENOTDIR ?
		    FOLLOW_MISSING : FOLLOW_UNREADABLE, strerror(errno));
		n = follow_poll_gone(f, budget, cb, arg);
		goto out;
	}
	if (f->fd != -1 && (st.st_dev != f->dev || st.st_ino != f->ino)) {
		/*
		 * Renamed away: finish the old file before the new one (a
		 * read error there is not worth being stuck on).
		 */
		if ((n = follow_read(f, budget, cb, arg)) >= 0) {
			used = (size_t)n;
			n = 0;
			if (!f->eof || follow_waiting(f))
				goto out;
		}
		follow_release(f, cb, arg);
	}
	if (f->fd == -1) {
		if (follow_attach(f, &st) == -1)
			goto out;
	} else if (!f->fifo && ((uint64_t)st.st_size < f->offset ||
	    follow_head_changed(f))) {
		/* Truncated or replaced: the rest of a partial is gone. */
		follow_flush(f, cb, arg);
		follow_seek(f, 0);
		f->head_len = 0;
		follow_head_changed(f);
		f->stats.rotations++;
	}
	follow_set_state(f, FOLLOW_LIVE, NULL);
	n = follow_read(f, budget - used, cb, arg);
out:
	if (n > 0)
		used += (size_t)n;
	if (used >= budget)
		ret |= FOLLOW_MORE;
	if (f->state != old_state || strcmp(f->error, old_error) != 0)
		ret |= FOLLOW_CHANGED;
	return ret;
}

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
	return &f->stats;
}

/* See follow.h. */
int
follow_get_pos(const struct follower *f, struct follow_pos *pos)
{
	if (f->fd == -1 || f->fifo)
		return -1;
	memset(pos, 0, sizeof(*pos));
	pos->ino = (uint64_t)f->ino;
	pos->offset = f->offset - f->line_bytes;
	pos->head_len = (uint32_t)f->head_len;
	pos->head_hash = follow_hash(f->head, f->head_len);
	return 0;
}
