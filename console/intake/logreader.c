/*
 * logreader.c: buffered line reader, over zlib for gzip files and pipes,
 * over read(2) for plain files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "logreader.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"

#define READ_CHUNK	(1u << 20)
#define BUF_SIZE	(LOGREADER_MAX_LINE + READ_CHUNK)
/*
 * Plain files are read in smaller pieces: the bytes the kernel just copied
 * are still in the core's cache when the lines are split and parsed.
 */
#define PLAIN_CHUNK	(256u * 1024)
/* Lines read before a file with no parsable header is called unknown. */
#define SNIFF_LINES	1000

/* See logreader.h. */
int
logreader_open(struct logreader *r, const char *path, int year, int utc,
    char *err, size_t errlen)
{
	struct stat	 st;
	unsigned char	 magic[2];
	off_t		 pos;
	int64_t		 ref;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	if (strcmp(path, "-") == 0) {
		r->name = xstrdup("(stdin)");
		if ((r->fd = dup(STDIN_FILENO)) == -1) {
			snprintf(err, errlen, "(stdin): %s", strerror(errno));
			goto fail;
		}
	} else {
		/* named in messages: escaped like any text shown */
		r->name = xmalloc(strlen(path) * 4 + 1);
		sanitize_text(r->name, strlen(path) * 4 + 1, path,
		    strlen(path));
		if ((r->fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
			snprintf(err, errlen, "%s: %s", r->name,
			    strerror(errno));
			goto fail;
		}
	}
	if (fstat(r->fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", r->name, strerror(errno));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory; name the log files "
		    "in it", r->name);
		goto fail;
	}
	if (S_ISREG(st.st_mode)) {
		r->size = (uint64_t)st.st_size;
		ref = (int64_t)st.st_mtime;
	} else
		ref = (int64_t)time(NULL);
	/*
	 * A regular file without the gzip magic (where reading starts: stdin
	 * may be one) is read directly, as zlib would pass it through; pipes
	 * cannot be peeked at, so zlib decides.
	 */
	if (!S_ISREG(st.st_mode) ||
	    (pos = lseek(r->fd, 0, SEEK_CUR)) == -1 ||
	    pread(r->fd, magic, 2, pos) != 2 ||
	    (magic[0] == 0x1f && magic[1] == 0x8b)) {
		if ((r->gz = gzdopen(r->fd, "rb")) == NULL) {
			snprintf(err, errlen, "%s: cannot start decompression",
			    r->name);
			goto fail;
		}
		r->fd = -1;	/* owned by gz now */
		gzbuffer(r->gz, 256 * 1024);
	}
	r->buf = xmalloc(BUF_SIZE);
	log_clock_init(&r->clock, ref);
	if (year != 0) {
		r->clock.year = year;
		r->clock.fixed_year = 1;
	}
	r->clock.utc = utc;
	return 0;
fail:
	logreader_close(r);
	return -1;
}

/* Turn zlib's error state into a message naming the file; -1 always. */
static int
logreader_error(struct logreader *r, char *err, size_t errlen)
{
	const char	*msg;
	int		 code;

	msg = gzerror(r->gz, &code);
	if (code == Z_ERRNO)
		snprintf(err, errlen, "%s: read error: %s", r->name,
		    strerror(errno));
	else if (code == Z_BUF_ERROR)
		snprintf(err, errlen, "%s: truncated gzip data (%s)", r->name,
		    msg);
	else
		snprintf(err, errlen, "%s: corrupt gzip data (%s)", r->name,
		    msg);
	return -1;
}

/* Read a plain file after r->end; 0 at end of file, -1 on error. */
static int
logreader_fill_plain(struct logreader *r, char *err, size_t errlen)
{
	ssize_t	 n;

	while ((n = read(r->fd, r->buf + r->end, PLAIN_CHUNK)) == -1 &&
	    errno == EINTR)
		;
	if (n == -1) {
		snprintf(err, errlen, "%s: read error: %s", r->name,
		    strerror(errno));
		return -1;
	}
	if (n == 0) {
		r->eof = 1;
		return 0;
	}
	r->end += (size_t)n;
	r->offset += (uint64_t)n;
	return 1;
}

/* Read more bytes after r->end; 0 at end of file, -1 on error. */
static int
logreader_fill(struct logreader *r, char *err, size_t errlen)
{
	int	 n, code;

	/*
	 * Move the partial line to the front before every read, so the
	 * buffer in use stays one chunk long and warm in the cache.
	 */
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->gz == NULL)
		return logreader_fill_plain(r, err, errlen);
	n = gzread(r->gz, r->buf + r->end, READ_CHUNK);
	if (n < 0)
		return logreader_error(r, err, errlen);
	if (n == 0) {
		gzerror(r->gz, &code);
		if (code != Z_OK)
			return logreader_error(r, err, errlen);
		r->eof = 1;
		return 0;
	}
	r->end += (size_t)n;
	return 1;
}

/* Take the next raw line (without its newline) into line/len; 0 at EOF. */
static int
logreader_raw(struct logreader *r, char *err, size_t errlen)
{
	char	*nl;
	size_t	 avail;

	for (;;) {
		avail = r->end - r->start;
		nl = avail ? memchr(r->buf + r->start, '\n', avail) : NULL;
		if (nl != NULL) {
			r->line = r->buf + r->start;
			r->len = (size_t)(nl - r->line);
			r->start += r->len + 1;
			if (r->skipping) {
				r->skipping = 0;
				continue;
			}
			if (r->len > LOGREADER_MAX_LINE) {
				r->overlong++;
				continue;
			}
			return 1;
		}
		if (avail >= LOGREADER_MAX_LINE) {
			/* Too long to be a log line: drop it, count it. */
			if (!r->skipping)
				r->overlong++;
			r->skipping = 1;
			r->start = r->end = 0;
		}
		if (r->eof) {
			if (avail == 0 || r->skipping)
				return 0;
			/* The last line had no newline: still a line. */
			r->line = r->buf + r->start;
			r->len = avail;
			r->start = r->end;
			return 1;
		}
		if (logreader_fill(r, err, errlen) == -1)
			return -1;
	}
}

/* The file is not in any log format we know: say so, naming it; -1. */
static int
logreader_unknown(struct logreader *r, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: not a mail log: none of its first %llu "
	    "lines has a syslog, RFC 3339, Dovecot or Exim header", r->name,
	    (unsigned long long)r->unparsed);
	return -1;
}

/* See logreader.h. */
int
logreader_next(struct logreader *r, char *err, size_t errlen)
{
	int	 rc;

	for (;;) {
		if ((rc = logreader_raw(r, err, errlen)) == -1)
			return -1;
		if (rc == 0)
			return r->parsed == 0 && r->unparsed > 0 ?
			    logreader_unknown(r, err, errlen) : 0;
		r->lines++;
		if (r->len == 0 || (r->len == 1 && r->line[0] == '\r'))
			continue;	/* blank lines say nothing */
		if (logline_split(&r->clock, r->line, r->len, &r->hdr) == 0) {
			r->parsed++;
			if (logline_blob(&r->hdr)) {
				r->unreadable++;	/* not a line: said */
				continue;
			}
			return 1;
		}
		r->unparsed++;
		if (r->parsed == 0 && r->unparsed >= SNIFF_LINES)
			return logreader_unknown(r, err, errlen);
	}
}

/* See logreader.h. */
uint64_t
logreader_offset(struct logreader *r)
{
	z_off_t	 off;

	if (r->gz == NULL)
		return r->offset;
	if ((off = gzoffset(r->gz)) < 0)
		return 0;
	return (uint64_t)off;
}

/* Close the file and free the buffer; safe on a half-opened reader. */
void
logreader_close(struct logreader *r)
{
	if (r->gz != NULL)
		gzclose(r->gz);
	if (r->fd != -1)
		close(r->fd);
	free(r->buf);
	free(r->name);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}
