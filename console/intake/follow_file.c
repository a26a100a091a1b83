/* follow_file.c: one open file of a follower: reads, lines, first bytes. */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "follow_file.h"
#include "core/xmalloc.h"

#define FFILE_CHUNK	(16u * 1024)

/* See follow_file.h. */
void
ffile_init(struct ffile *ff)
{
	memset(ff, 0, sizeof(*ff));
	ff->fd = -1;
}

/* Hand one line to the caller; line[len] must be writable. */
static void
ffile_emit(struct ffio *io, char *line, size_t len, int flags,
    follow_line_cb cb, void *arg)
{
	if (len > FOLLOW_LINE_MAX) {
		len = FOLLOW_LINE_MAX;
		flags |= FOLLOW_LINE_TRUNCATED;
	}
	if (flags & FOLLOW_LINE_TRUNCATED)
		io->stats.overlong++;
	if (flags & FOLLOW_LINE_PARTIAL)
		io->stats.partials++;
	io->stats.lines++;
	line[len] = '\0';
	cb(line, len, flags, arg);
}

/* Add len bytes to the held line, keeping at most FOLLOW_LINE_MAX. */
static void
ffile_hold(struct ffile *ff, const struct ffio *io, const char *p,
    size_t len)
{
	size_t	 keep, cap;

	if (ff->line_bytes == 0)
		ff->line_since = io->now;
	ff->line_bytes += len;
	keep = FOLLOW_LINE_MAX - ff->line_len;
	if (len < keep)
		keep = len;
	if (ff->line_len + keep + 1 > ff->line_cap) {
		cap = ff->line_cap == 0 ? 256 : ff->line_cap;
		while (cap < ff->line_len + keep + 1)
			cap *= 2;
		if (cap > FOLLOW_LINE_MAX + 1)
			cap = FOLLOW_LINE_MAX + 1;
		ff->line = xreallocarray(ff->line, cap, 1);
		ff->line_cap = cap;
	}
	memcpy(ff->line + ff->line_len, p, keep);
	ff->line_len += keep;
}

/* Deliver the held line, if any, with flags. */
static void
ffile_deliver_held(struct ffile *ff, struct ffio *io, int flags,
    follow_line_cb cb, void *arg)
{
	if (ff->line_bytes > FOLLOW_LINE_MAX)
		flags |= FOLLOW_LINE_TRUNCATED;
	if (ff->line != NULL)
		ffile_emit(io, ff->line, ff->line_len, flags, cb, arg);
	ff->line_len = 0;
	ff->line_bytes = 0;
}

/* See follow_file.h. */
void
ffile_flush(struct ffile *ff, struct ffio *io, follow_line_cb cb, void *arg)
{
	if (ff->line_bytes > 0)
		ffile_deliver_held(ff, io, FOLLOW_LINE_PARTIAL, cb, arg);
	ff->resync = 0;
}

/* Split freshly read bytes into lines; buf is ours to write into. */
static void
ffile_feed(struct ffile *ff, struct ffio *io, char *buf, size_t n,
    follow_line_cb cb, void *arg)
{
	char	*nl;
	size_t	 take;

	while (n > 0) {
		nl = memchr(buf, '\n', n);
		take = nl != NULL ? (size_t)(nl - buf) : n;
		if (ff->resync) {
			/* Started inside a line: its start is not ours. */
			if (nl != NULL)
				ff->resync = 0;
		} else if (nl != NULL && ff->line_bytes == 0)
			ffile_emit(io, buf, take, 0, cb, arg);
		else {
			ffile_hold(ff, io, buf, take);
			if (nl != NULL)
				ffile_deliver_held(ff, io, 0, cb, arg);
		}
		if (nl != NULL)
			take++;
		buf += take;
		n -= take;
	}
}

/* Keep the first bytes of the file as they are read (the fingerprint). */
static void
ffile_learn(struct ffile *ff, const char *p, size_t n)
{
	size_t	 take;

	if (ff->offset != ff->head_len || ff->head_len >= FOLLOW_HEAD_MAX)
		return;
	take = FOLLOW_HEAD_MAX - ff->head_len;
	if (take > n)
		take = n;
	memcpy(ff->head + ff->head_len, p, take);
	ff->head_len += take;
}

/* See follow.h. */
void
follow_tail_add(unsigned char *tail, size_t *len, const char *p, size_t n)
{
	size_t	 keep;

	if (n >= FOLLOW_TAIL_MAX) {
		memcpy(tail, p + n - FOLLOW_TAIL_MAX, FOLLOW_TAIL_MAX);
		*len = FOLLOW_TAIL_MAX;
		return;
	}
	keep = FOLLOW_TAIL_MAX - n < *len ? FOLLOW_TAIL_MAX - n : *len;
	memmove(tail, tail + *len - keep, keep);
	memcpy(tail + keep, p, n);
	*len = keep + n;
}

/* See follow_file.h. */
ssize_t
ffile_read(struct ffile *ff, struct ffio *io, size_t budget,
    follow_line_cb cb, void *arg)
{
	size_t	 done = 0, want;
	ssize_t	 n;

	ff->eof = 0;
	if (ff->fd == -1) {
		ff->eof = 1;
		return 0;
	}
	if (io->chunk == NULL)
		io->chunk = xmalloc(FFILE_CHUNK);
	while (done < budget) {
		want = budget - done;
		if (want > FFILE_CHUNK)
			want = FFILE_CHUNK;
		if ((n = read(ff->fd, io->chunk, want)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				ff->eof = 1;
				break;
			}
			return -1;
		}
		if (n == 0) {
			ff->eof = 1;
			break;
		}
		if (!ff->fifo) {
			ffile_learn(ff, io->chunk, (size_t)n);
			follow_tail_add(ff->tail, &ff->tail_len, io->chunk,
			    (size_t)n);
		}
		ff->offset += (uint64_t)n;
		io->stats.bytes += (uint64_t)n;
		done += (size_t)n;
		ffile_feed(ff, io, io->chunk, (size_t)n, cb, arg);
	}
	return (ssize_t)done;
}

/* See follow_file.h. */
int
ffile_waiting(const struct ffile *ff, const struct ffio *io)
{
	return ff->line_bytes > 0 && !ff->resync &&
	    io->now - ff->line_since < FOLLOW_GRACE_MS;
}

/* See follow_file.h. */
void
ffile_close(struct ffile *ff, struct ffio *io, follow_line_cb cb, void *arg)
{
	ffile_flush(ff, io, cb, arg);
	if (ff->fd != -1)
		close(ff->fd);
	ff->fd = -1;
}

/* See follow_file.h. */
void
ffile_free(struct ffile *ff)
{
	if (ff->fd != -1)
		close(ff->fd);
	free(ff->line);
	ffile_init(ff);
}

/* See follow_file.h. */
void
ffile_move(struct ffile *dst, struct ffile *src)
{
	ffile_free(dst);
	*dst = *src;
	ffile_init(src);
}

/* See follow_file.h. */
int
ffile_open(struct ffile *ff, const char *path, const struct stat *st,
    char *why, size_t size)
{
	struct stat	 fst;
	int		 fd;

	if (S_ISDIR(st->st_mode)) {
		snprintf(why, size, "is a directory");
		errno = EISDIR;
		return -1;
	}
	if (!S_ISREG(st->st_mode) && !S_ISFIFO(st->st_mode)) {
		snprintf(why, size, "not a regular file or a FIFO");
		errno = EINVAL;
		return -1;
	}
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		snprintf(why, size, "%s", strerror(errno));
		return -1;
	}
	/* It may have been replaced between stat() and open(). */
	if (fstat(fd, &fst) == -1 ||
	    (!S_ISREG(fst.st_mode) && !S_ISFIFO(fst.st_mode))) {
		close(fd);
		snprintf(why, size, "not a regular file or a FIFO");
		errno = EINVAL;
		return -1;
	}
	if (ff->fd != -1)
		close(ff->fd);
	ff->fd = fd;
	ff->fifo = S_ISFIFO(fst.st_mode);
	ff->live = 0;
	ff->dev = fst.st_dev;
	ff->ino = fst.st_ino;
	ff->offset = ff->seen = 0;
	ff->head_len = ff->tail_len = 0;
	ff->eof = ff->resync = 0;
	return 0;
}

/* See follow_file.h. */
void
ffile_switch(struct ffile *ff, int fd)
{
	struct stat	 st;

	if (ff->fd != -1)
		close(ff->fd);
	ff->fd = fd;
	ff->live = 0;
	if (fstat(fd, &st) == 0) {
		ff->dev = st.st_dev;
		ff->ino = st.st_ino;
	}
	if (lseek(fd, (off_t)ff->offset, SEEK_SET) == -1)
		ff->eof = 1;
}

/* See follow_file.h. */
void
ffile_seek(struct ffile *ff, uint64_t offset)
{
	ssize_t	 n = 0;
	size_t	 want;

	if (lseek(ff->fd, (off_t)offset, SEEK_SET) == -1)
		offset = 0;
	ff->offset = offset;
	want = offset < FOLLOW_HEAD_MAX ? (size_t)offset : FOLLOW_HEAD_MAX;
	if (want > 0 && (n = pread(ff->fd, ff->head, want, 0)) < 0)
		n = 0;
	ff->head_len = (size_t)n;
	want = offset < FOLLOW_TAIL_MAX ? (size_t)offset : FOLLOW_TAIL_MAX;
	n = 0;
	if (want > 0 && (n = pread(ff->fd, ff->tail, want,
	    (off_t)(offset - want))) != (ssize_t)want)
		n = 0;
	ff->tail_len = (size_t)n;
}

/* See follow_file.h.  With no newline in the last FOLLOW_LINE_MAX bytes,
   start at the end and drop up to the next newline. */
void
ffile_seek_end(struct ffile *ff, uint64_t size)
{
	char	*buf;
	size_t	 win, i;
	ssize_t	 n;

	win = size < FOLLOW_LINE_MAX ? (size_t)size : FOLLOW_LINE_MAX;
	buf = xmalloc(win);
	n = pread(ff->fd, buf, win, (off_t)(size - win));
	for (i = n > 0 ? (size_t)n : 0; i > 0; i--)
		if (buf[i - 1] == '\n')
			break;
	free(buf);
	if (n != (ssize_t)win)
		ffile_seek(ff, size);
	else if (i > 0)
		ffile_seek(ff, size - win + i);
	else if (win == size)
		ffile_seek(ff, 0);
	else {
		ffile_seek(ff, size);
		ff->resync = 1;
	}
}

/* See follow_file.h. */
void
ffile_restart(struct ffile *ff)
{
	ffile_seek(ff, 0);
	ff->resync = 0;
}

/* See follow_file.h. */
int
ffile_check(struct ffile *ff, uint64_t size)
{
	unsigned char	 buf[FOLLOW_HEAD_MAX];
	ssize_t		 n;

	if (ff->head_len == 0)
		return size < ff->offset ? FFILE_NEW : FFILE_SAME;
	if ((n = pread(ff->fd, buf, ff->head_len, 0)) == -1)
		return FFILE_SAME;	/* the read will report it */
	if (n == 0)
		return size < ff->offset ? FFILE_NEW : FFILE_SAME;
	if (memcmp(buf, ff->head, (size_t)n) != 0)
		return FFILE_NEW;
	if ((size_t)n < ff->head_len || size < ff->offset)
		return FFILE_CUT;
	/*
	 * As long as it was, its first bytes as read: were the bytes just
	 * before where we are cut, and the file written past us again
	 * before this look?
	 */
	if (ff->tail_len > 0 && ff->offset >= ff->tail_len &&
	    (pread(ff->fd, buf, ff->tail_len, (off_t)(ff->offset -
	    ff->tail_len)) != (ssize_t)ff->tail_len ||
	    memcmp(buf, ff->tail, ff->tail_len) != 0))
		return FFILE_GROWN;
	return FFILE_SAME;
}

/* See follow_file.h. */
int
ffile_head_same(const struct ffile *ff, int fd)
{
	unsigned char	 buf[FOLLOW_HEAD_MAX];

	if (ff->head_len == 0)
		return 1;
	return pread(fd, buf, ff->head_len, 0) == (ssize_t)ff->head_len &&
	    memcmp(buf, ff->head, ff->head_len) == 0;
}
