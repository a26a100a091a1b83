/* report.h: print the accounts a detector knows, as a table or as JSON. */
#ifndef MAILCON_REPORT_H
#define MAILCON_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "detect/detector.h"

/* One file whose clock jumped (clockguard.h). */
struct scan_clock {
	const char	*file;
	uint64_t	 anomalies;	/* lines off their neighbours' time */
	uint64_t	 steps;		/* clock steps that held */
	int64_t		 jump;		/* the latest, seconds (+ ahead) */
	int64_t		 at;		/* where it was, effective log time */
	char		 text[320];	/* what it found, in plain words */
};

struct scan_stats {
	int		 files;
	uint64_t	 lines;
	uint64_t	 unparsed;	/* lines with no recognisable header */
	uint64_t	 overlong;	/* lines dropped for their length */
	uint64_t	 unreadable;	/* journal entries shown as [blob data] */
	uint64_t	 events;
	int64_t		 first_time;	/* -1 when no line had a time */
	int64_t		 last_time;
	uint64_t	 clock_anomalies;
	uint64_t	 clock_steps;
	struct scan_clock *clock;	/* files with a finding */
	int		 nclock;
};

struct report_options {
	int		 json;
	int		 min_level;	/* enum level */
};

/*
 * Print every account at min_level or above (by peak level, then score),
 * then a summary.  Returns EXIT_FOUND when any account reached suspicious,
 * else EXIT_CLEAN.
 */
int	report_print(FILE *f, struct detector *d, const struct scan_stats *st,
	    const struct report_options *ro);

#endif
