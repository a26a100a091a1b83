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
	uint64_t	 lines;		/* read */
	int64_t		 since;		/* --since, -1 none */
	int64_t		 until;		/* --until (not included), -1 none */
	uint64_t	 before;	/* lines read before --since */
	int		 stopped;	/* reading stopped at --until */
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

struct scan_detail;

struct report_options {
	int		 json;
	int		 csv;
	int		 min_level;	/* enum level */
	int		 utc;		/* the logs' zone is UTC (periods) */
	struct scan_detail *detail;	/* --detail, or NULL */
};

/* The accounts a detector knows, worst first (report_accounts). */
struct report_list {
	struct account_report	*v;	/* the caller frees v */
	size_t			 n, cap;
	int			 min_level;
	size_t			 by_level[LEVEL_CRITICAL + 1];	/* all, by
						   peak level */
};

/*
 * Every account at min_level or above into *l, by peak level, then score,
 * then name; the names are the detector's (valid until it changes).
 */
void	report_accounts(struct detector *d, int min_level,
	    struct report_list *l);
/*
 * Print every account at min_level or above (by peak level, then score),
 * then a summary.  Returns EXIT_FOUND when any account reached suspicious,
 * else EXIT_CLEAN.
 */
int	report_print(FILE *f, struct detector *d, const struct scan_stats *st,
	    const struct report_options *ro);
/* The accounts as CSV (report_csv.c), one row each, header first. */
void	report_csv(FILE *f, struct detector *d,
	    const struct account_report *v, size_t n,
	    const struct report_options *ro);
/* One account as a JSON object; with server, "server" first. */
void	report_json_account(FILE *f, struct detector *d,
	    const struct account_report *r, const struct report_options *ro,
	    const char *server);
/* The table's column titles, and one account as a row of it, its reasons
   under it when flagged. */
void	report_row_header(FILE *f);
void	report_row(FILE *f, const struct account_report *r);
/* "2026-11-28 03:17:40" in UTC into buf, or "-" for never (t < 0). */
const char *report_time(int64_t t, char *buf, size_t size);
/* The structured reasons of r (peak or now) as a JSON array. */
void	report_json_signals(FILE *f, struct detector *d,
	    const struct account_report *r, int peak);

#endif
