/*
 * clockread.h: a log file's lines for `mailcon scan`, each with the time
 * the detector should count it at (clockguard.h).
 *
 * Lines come from a logreader in its order.  Where a line jumps ahead of
 * the file's time, up to CLOCK_CONFIRM - 1 further lines are read ahead
 * (and copied) to judge it before it is handed out, so a quiet spell keeps
 * its lines' own times and a lone line from the future does not move the
 * file's clock.  The current line (line, len, hdr) is valid until the next
 * clockread_next(); hdr.time is its effective time, stamp its own.
 */
#ifndef MAILCON_CLOCKREAD_H
#define MAILCON_CLOCKREAD_H

#include <stddef.h>
#include <stdint.h>

#include "clockguard.h"
#include "logreader.h"

struct clockread_slot {
	char			*buf;		/* a copy of the line */
	size_t			 len, cap;
	struct log_header	 hdr;		/* pointing into buf */
};

struct clockread {
	struct clockguard	 g;
	struct clockread_slot	 slot[CLOCK_CONFIRM];
	int			 head;		/* oldest line read ahead */
	int			 nheld;		/* lines read ahead */
	int			 eof;		/* the reader has no more */
	/* the current line */
	const char		*line;
	size_t			 len;
	struct log_header	 hdr;
	int64_t			 stamp;
};

void	clockread_init(struct clockread *c);
/* 1: a line is ready; 0: end of file; -1: read error, message in err. */
int	clockread_next(struct clockread *c, struct logreader *r, char *err,
	    size_t errlen);
void	clockread_free(struct clockread *c);

#endif
