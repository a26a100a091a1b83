/*
 * logline_int.h: what logline.c (the split of a line) and logstamp.c (its
 * timestamp, and the clock) share; nothing else includes it.
 */
#ifndef MAILCON_LOGLINE_INT_H
#define MAILCON_LOGLINE_INT_H

#include <stdint.h>

#include "logline.h"

/*
 * A timestamp as read, before the year and zone are settled: that waits
 * until the rest of the header has parsed, so that a broken line cannot
 * move the year inference.
 */
struct log_stamp {
	int	 classic;	/* no year: infer it */
	int	 zoned;		/* off is valid; else local time */
	int	 year, mon, day, secs;
	int32_t	 usec;
	int64_t	 off;		/* seconds east of UTC */
};

/* Classic syslog "Nov 28 03:01:06[.uuuuuu] "; 0, or -1. */
int	parse_classic(const char **pp, const char *end, struct log_stamp *st);
/* RFC 3339 "2026-11-28T03:01:06[.frac](Z|+HH:MM|+HHMM) "; 0, or -1. */
int	parse_rfc3339(const char **pp, const char *end, struct log_stamp *st);
/* Exim's own "2026-12-06 11:34:05[.123][ +0100] "; 0, or -1. */
int	parse_exim_stamp(const char **pp, const char *end,
	    struct log_stamp *st);
/* Settle year and zone of a parsed stamp into UTC; 0, or -1. */
int	stamp_to_utc(struct log_clock *c, const struct log_stamp *st,
	    struct log_header *out);

#endif
