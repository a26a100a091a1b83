/*
 * logreader.h: read a log file line by line, plain or gzip, and split each
 * line's header, for offline scans.
 *
 * A reader owns its buffer; the current line (line, len, hdr) is valid until
 * the next logreader_next().  Lines with no recognisable header are counted
 * and skipped.  Lines longer than LOGREADER_MAX_LINE are skipped whole.
 * journalctl's "[123B blob data]" in place of an entry is counted as an
 * unreadable entry and skipped: it is no line of the log.
 */
#ifndef MAILCON_LOGREADER_H
#define MAILCON_LOGREADER_H

#include <stdint.h>
#include <zlib.h>

#include "backends/logline.h"

#define LOGREADER_MAX_LINE	(2u << 20)

struct logreader {
	char			*name;		/* for messages: path or "(stdin)" */
	gzFile			 gz;		/* NULL: plain file read from fd */
	int			 fd;
	uint64_t		 offset;	/* bytes read from fd */
	char			*buf;
	size_t			 start, end;	/* unread bytes */
	int			 eof;
	int			 skipping;	/* inside an overlong line */
	struct log_clock	 clock;
	uint64_t		 size;		/* file size, 0 for pipes */
	uint64_t		 lines;
	uint64_t		 parsed;
	uint64_t		 unparsed;
	uint64_t		 overlong;
	uint64_t		 unreadable;	/* journalctl's [blob data] */
	/* the current line */
	const char		*line;
	size_t			 len;
	struct log_header	 hdr;
};

/*
 * Open path ("-" is stdin).  year/utc come from the configuration.  Returns
 * -1 with a one-line message in err (naming the file) when it cannot be read.
 */
int	logreader_open(struct logreader *r, const char *path, int year,
	    int utc, char *err, size_t errlen);
/* 1: a line is ready; 0: end of file; -1: read error, message in err. */
int	logreader_next(struct logreader *r, char *err, size_t errlen);
/* Bytes consumed so far (compressed bytes for .gz), for progress. */
uint64_t logreader_offset(struct logreader *r);
void	logreader_close(struct logreader *r);

#endif
