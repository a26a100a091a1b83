/* follow.c: tail -F for the event loop: rotation, partial lines, states. */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "follow.h"
#include "follow_int.h"
#include "follow_file.h"
#include "rotated.h"
#include "core/xmalloc.h"

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

/* Tell the owner that part of the log could not be read. */
static void
follow_gap(struct follower *f, void *arg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
follow_gap(struct follower *f, void *arg, const char *fmt, ...)
{
	char	 why[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	f->io.stats.gaps++;
	if (f->gap != NULL)
		f->gap(why, arg);
}

/* Forget the rotated files still to read. */
static void
follow_chain_clear(struct follower *f)
{
	rotated_free(f->chain, f->nchain);
	f->chain = NULL;
	f->nchain = f->ichain = 0;
}

/*
 * Find the rotated file that holds the rest of ff: ff itself (by inode)
 * after a rename, or, by_head, a copy of it (another file at least as long
 * that starts with ff's first bytes, opened on *fd) after a copytruncate.
 * The files rotated after it are queued in the chain.  Returns its index
 * in the rotated list, or -1 when it is not there.
 */
static int
follow_chain_after(struct follower *f, const struct ffile *ff, int by_head,
    int *fd)
{
	struct stat	 st;
	struct timespec	 since = { 0, 0 };
	char		**list;
	size_t		 n, i, j;
	int		 found = -1, cfd;

	follow_chain_clear(f);
	n = rotated_list(f->path, &list);
	for (i = 0; i < n && found == -1; i++) {
		if (stat(list[i], &st) == -1 || !S_ISREG(st.st_mode))
			continue;
		if (!by_head) {
			if (st.st_dev == ff->dev && st.st_ino == ff->ino)
				found = (int)i;
			continue;
		}
		/* a copy: another file, as long, with our first bytes */
		if ((st.st_dev == ff->dev && st.st_ino == ff->ino) ||
		    (uint64_t)st.st_size < ff->offset ||
		    (cfd = open(list[i], O_RDONLY | O_NONBLOCK |
		    O_CLOEXEC | O_NOCTTY)) == -1)
			continue;
		if (ffile_head_same(ff, cfd) && fd != NULL) {
			*fd = cfd;
			found = (int)i;
		} else
			close(cfd);
	}
	if (found == -1) {
		rotated_free(list, n);
		return -1;
	}
	/*
	 * What comes after it in logrotate's order and was written since
	 * (a name that does not follow the order is not read twice).
	 */
	if (stat(list[found], &st) == 0)
		since = st.st_mtim;
	for (i = j = (size_t)found + 1; i < n; i++) {
		if (stat(list[i], &st) == 0 && S_ISREG(st.st_mode) &&
		    (st.st_mtim.tv_sec > since.tv_sec ||
		    (st.st_mtim.tv_sec == since.tv_sec &&
		    st.st_mtim.tv_nsec >= since.tv_nsec)))
			list[j++] = list[i];
		else
			free(list[i]);
	}
	f->chain = list;
	f->nchain = j;
	f->ichain = (size_t)found + 1;
	return found;
}

/*
 * Leave cur: it becomes the old file, watched for lines a daemon that has
 * not reopened its log yet still writes there.  The old one before it is
 * read to its end and closed.
 */
static void
follow_leave(struct follower *f, follow_line_cb cb, void *arg)
{
	if (f->old.fd != -1) {
		(void)ffile_read(&f->old, &f->io, FOLLOW_BUDGET, cb, arg);
		ffile_close(&f->old, &f->io, cb, arg);
	}
	/* a partial line has waited FOLLOW_GRACE_MS by now: as is */
	ffile_flush(&f->cur, &f->io, cb, arg);
	ffile_move(&f->old, &f->cur);
	f->old.active = f->io.now;
}

/*
 * Open the file now at path (st: its stat) at offset 0.  Only regular
 * files and FIFOs are opened: opening a device can have effects (a tape
 * rewinds).  O_NONBLOCK keeps a FIFO without a writer from blocking.
 */
static int
follow_attach(struct follower *f, const struct stat *st)
{
	char	 why[128];

	if (ffile_open(&f->cur, f->path, st, why, sizeof(why)) == -1) {
		follow_set_state(f, errno == ENOENT ? FOLLOW_MISSING :
		    FOLLOW_UNREADABLE, why);
		return -1;
	}
	f->cur.live = 1;
	f->opened++;
	follow_set_state(f, FOLLOW_LIVE, NULL);
	return 0;
}

/*
 * Move on from the file just read to its end: the next rotated file in
 * the chain, else the live file at live_start.  -1 when nothing could be
 * opened (the state says why).
 */
static int
follow_next(struct follower *f, follow_line_cb cb, void *arg)
{
	struct stat	 st;
	char		 why[128];
	uint64_t	 start;

	follow_leave(f, cb, arg);
	while (f->ichain < f->nchain) {
		const char *p = f->chain[f->ichain++];

		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) &&
		    ffile_open(&f->cur, p, &st, why, sizeof(why)) == 0)
			return 0;
		follow_gap(f, arg, "%s could not be read after a rotation "
		    "(%s): its lines are lost", p, why);
	}
	follow_chain_clear(f);
	start = f->live_start;
	f->live_start = 0;
	if (stat(f->path, &st) == -1) {
		follow_set_state(f, FOLLOW_MISSING, strerror(errno));
		return -1;
	}
	if (follow_attach(f, &st) == -1)
		return -1;
	if (start > 0 && !f->cur.fifo)
		ffile_seek(&f->cur, start);
	return 0;
}

/*
 * The live file is shorter than what was read, or its first bytes are
 * not the ones read, or the bytes just before where it was read are not
 * (how: FFILE_CUT, _NEW, _GROWN): truncated (copytruncate, an admin's
 * truncate) and perhaps written again, even past where it was read.  The
 * rest of what was read is in a copy beside it when logrotate made one:
 * read it there to its end, then what was rotated after it, then the
 * live file.  Else that rest is a gap.  Reading goes on at the start of
 * a file rewritten from its start, else at its end: where a cut file
 * was cut is not known once it grew again.
 */
static void
follow_truncated(struct follower *f, const struct stat *st, int how,
    follow_line_cb cb, void *arg)
{
	uint64_t	 was = f->cur.offset, seen = f->cur.seen;
	int		 fd = -1, at, kept = how != FFILE_NEW;

	f->io.stats.rotations++;
	at = follow_chain_after(f, &f->cur, 1, &fd);
	if (at >= 0) {
		ffile_switch(&f->cur, fd);
		f->live_start = kept ? (uint64_t)st->st_size : 0;
		return;
	}
	ffile_flush(&f->cur, &f->io, cb, arg);
	if (how == FFILE_GROWN)
		follow_gap(f, arg, "%s was truncated and then grew past byte "
		    "%llu, where it had been read to, before it was looked at "
		    "again, with no copy beside it: what was written after the "
		    "truncation (up to %lld bytes) is lost, and what followed "
		    "byte %llu before it, if anything", f->path,
		    (unsigned long long)was, (long long)st->st_size,
		    (unsigned long long)was);
	else if (seen > was)
		follow_gap(f, arg, "%s was truncated to %lld bytes with no "
		    "copy beside it: %llu bytes not read yet are lost, and "
		    "any written after them before the truncation", f->path,
		    (long long)st->st_size, (unsigned long long)(seen - was));
	else
		follow_gap(f, arg, "%s was truncated to %lld bytes with no "
		    "copy beside it: lines written after byte %llu before the "
		    "truncation, if any, are lost (their number is unknown)",
		    f->path, (long long)st->st_size, (unsigned long long)was);
	if (kept)
		ffile_seek(&f->cur, (uint64_t)st->st_size);
	else
		ffile_restart(&f->cur);
}

/*
 * The path names another file than the live one we read: renamed away.
 * Read ours to its end, then what was rotated after it, then the new one.
 * 0 when done, 1 to wait (more to read, a young partial line).
 */
static int
follow_renamed(struct follower *f, size_t *used, size_t budget,
    follow_line_cb cb, void *arg)
{
	ssize_t	 n;

	if ((n = ffile_read(&f->cur, &f->io, budget - *used, cb, arg)) > 0)
		*used += (size_t)n;
	if (n >= 0 && (!f->cur.eof || ffile_waiting(&f->cur, &f->io)))
		return 1;
	f->io.stats.rotations++;
	if (follow_chain_after(f, &f->cur, 0, NULL) == -1)
		follow_chain_clear(f);
	f->live_start = 0;
	return 0;
}

/* Common part of follow_open and follow_open_at. */
static struct follower *
follow_new(const char *path, struct stat *st)
{
	struct follower	*f;

	f = xcalloc(1, sizeof(*f));
	f->path = xstrdup(path);
	ffile_init(&f->cur);
	ffile_init(&f->old);
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
	if (f->cur.fd != -1 && !f->cur.fifo && !from_start)
		ffile_seek_end(&f->cur, (uint64_t)st.st_size);
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
	if (f->cur.fd == -1 || f->cur.fifo || (uint64_t)f->cur.ino != pos->ino ||
	    pos->head_len > FOLLOW_HEAD_MAX ||
	    (uint64_t)st.st_size < pos->offset ||
	    (uint64_t)st.st_size < pos->head_len)
		return f;
	if (pos->head_len > 0)
		n = pread(f->cur.fd, buf, pos->head_len, 0);
	if (pos->head_len > 0 && (n != (ssize_t)pos->head_len ||
	    follow_hash(buf, pos->head_len) != pos->head_hash))
		return f;
	ffile_seek(&f->cur, pos->offset);
	if (resumed != NULL)
		*resumed = f->cur.offset == pos->offset;
	return f;
}

/* See follow.h. */
void
follow_on_gap(struct follower *f, follow_gap_cb gap)
{
	f->gap = gap;
}

/* See follow.h. */
void
follow_close(struct follower *f)
{
	if (f == NULL)
		return;
	ffile_free(&f->cur);
	ffile_free(&f->old);
	follow_chain_clear(f);
	free(f->path);
	free(f->io.chunk);
	free(f);
}

/*
 * The old file: read what a late writer added; close it once it has been
 * quiet for FOLLOW_DRAIN_MS (its partial line is then delivered as is).
 */
static size_t
follow_poll_old(struct follower *f, size_t budget, follow_line_cb cb,
    void *arg)
{
	ssize_t	 n;

	if (f->old.fd == -1)
		return 0;
	if ((n = ffile_read(&f->old, &f->io, budget, cb, arg)) > 0)
		f->old.active = f->io.now;
	if (n == -1 || (f->old.eof &&
	    f->io.now - f->old.active >= FOLLOW_DRAIN_MS))
		ffile_close(&f->old, &f->io, cb, arg);
	return n > 0 ? (size_t)n : 0;
}

/*
 * The path cannot be stat'ed.  Keep reading the file we have: it may have
 * been renamed by a rotation and its daemon may still be writing to it.  A
 * deleted one (no links left) is left once it is read to its end.
 */
static ssize_t
follow_poll_gone(struct follower *f, size_t budget, follow_line_cb cb,
    void *arg)
{
	struct stat	 fst;
	ssize_t		 n;

	if (f->cur.fd == -1)
		return 0;
	if ((n = ffile_read(&f->cur, &f->io, budget, cb, arg)) == -1) {
		follow_set_state(f, FOLLOW_UNREADABLE, strerror(errno));
		return -1;
	}
	if (f->cur.eof && !ffile_waiting(&f->cur, &f->io) &&
	    fstat(f->cur.fd, &fst) == 0 && fst.st_nlink == 0) {
		follow_chain_clear(f);
		follow_leave(f, cb, arg);
	}
	return n;
}

/* Read a rotated file of the chain (or a copy) and move on at its end. */
static int
follow_poll_chain(struct follower *f, size_t *used, size_t budget,
    follow_line_cb cb, void *arg)
{
	ssize_t	 n;

	if ((n = ffile_read(&f->cur, &f->io, budget - *used, cb, arg)) > 0)
		*used += (size_t)n;
	if (n >= 0 && !f->cur.eof)
		return 1;
	return follow_next(f, cb, arg) == -1 ? 1 : 0;
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
	int			 ret = 0, how;

	budget = max_bytes != 0 ? max_bytes : FOLLOW_BUDGET;
	memcpy(old_error, f->error, sizeof(old_error));
	f->io.now = now_ms;

	used += follow_poll_old(f, budget, cb, arg);
	if (used >= budget)
		goto out;
	while (f->cur.fd != -1 && !f->cur.live && used < budget)
		if (follow_poll_chain(f, &used, budget, cb, arg))
			goto out;
	if (stat(f->path, &st) == -1) {
		follow_set_state(f, errno == ENOENT || errno == ENOTDIR ?
		    FOLLOW_MISSING : FOLLOW_UNREADABLE, strerror(errno));
		n = follow_poll_gone(f, budget - used, cb, arg);
		goto out;
	}
	if (f->cur.fd != -1 && (st.st_dev != f->cur.dev ||
	    st.st_ino != f->cur.ino)) {
		if (follow_renamed(f, &used, budget, cb, arg))
			goto out;
		if (follow_next(f, cb, arg) == -1 || !f->cur.live)
			goto out;
	} else if (f->cur.fd == -1) {
		if (f->opened > 0)
			f->io.stats.rotations++;
		if (follow_attach(f, &st) == -1)
			goto out;
	} else if (!f->cur.fifo && (how = ffile_check(&f->cur,
	    (uint64_t)st.st_size)) != FFILE_SAME) {
		follow_truncated(f, &st, how, cb, arg);
		if (!f->cur.live)
			goto out;
	}
	follow_set_state(f, FOLLOW_LIVE, NULL);
	if ((n = ffile_read(&f->cur, &f->io, budget - used, cb, arg)) == -1)
		follow_set_state(f, FOLLOW_UNREADABLE, strerror(errno));
	f->cur.seen = (uint64_t)st.st_size > f->cur.offset ?
	    (uint64_t)st.st_size : f->cur.offset;
out:
	if (n > 0)
		used += (size_t)n;
	if (used >= budget || (f->cur.fd != -1 && !f->cur.live))
		ret |= FOLLOW_MORE;
	if (f->state != old_state || strcmp(f->error, old_error) != 0)
		ret |= FOLLOW_CHANGED;
	return ret;
}

/* See follow.h. */
int
follow_get_pos(const struct follower *f, struct follow_pos *pos)
{
	if (f->cur.fd == -1 || f->cur.fifo)
		return -1;
	memset(pos, 0, sizeof(pos[0]));
	pos->ino = (uint64_t)f->cur.ino;
	pos->offset = f->cur.offset - f->cur.line_bytes;
	pos->head_len = (uint32_t)f->cur.head_len;
	pos->head_hash = follow_hash(f->cur.head, f->cur.head_len);
	return 0;
}
