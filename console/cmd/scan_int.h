/*
 * scan_int.h: what scan.c, scan_opts.c and scan_pipe.c share: the checks
 * of the options that are more than a flag, and a scan as it runs.
 */
#ifndef MAILCON_SCAN_INT_H
#define MAILCON_SCAN_INT_H

#include <stdint.h>
#include <time.h>

#include "report.h"
#include "backends/event.h"

/* A level name for --min-level (any case); -1 when unknown. */
int	scan_parse_level(const char *s);
/* One output: the table, --json, --csv or --summary; -1 said why not. */
int	scan_check_formats(const struct report_options *ro, int detail,
	    int summary);
/*
 * --since and --until (NULL: not given) in the logs' zone into *from and
 * *to (-1: open): -1 with a message on stderr when one is not a time or
 * they leave nothing between them.
 */
int	scan_period(const char *since, const char *until, int utc,
	    int64_t *from, int64_t *to);

/* A scan as it runs (scan.c), on one thread or two (scan_pipe.c). */
struct scan {
	struct logreader	*readers;
	struct clockread	*clocks;	/* each reader's effective times */
	int			 nreaders;
	struct detector		*det;
	struct geo		*geo;		/* [detect] geoip, or NULL */
	struct scan_stats	 stats;
	int			 progress;	/* stderr is a terminal */
	struct timespec		 started, last_progress;
	uint64_t		 total_size;
	struct scan_pipe	*pipe;		/* NULL: one thread */
	struct scan_batch	*fill;		/* batch being filled */
	int64_t			 since, until;	/* the period, -1: open */
	struct scan_detail	*detail;	/* --detail, or NULL */
	struct scan_digest	*digest;	/* --summary, or NULL */
	struct scan_servers	*servers;	/* --by-server, or NULL */
};

/* scan.c: one event (k: its detector_keys) to the detector, then to
   --detail and --summary. */
struct detect_keys;
void	scan_feed_keys(struct scan *s, const struct mail_event *ev,
	    const struct detect_keys *k);
/* scan.c: merge all readers by time into the detector; -1 with err. */
int	scan_run(struct scan *s, char *err, size_t errlen);
/* scan_pipe.c: queue an event for the detector's thread. */
void	scan_pipe_put(struct scan *s, const struct mail_event *ev);
/* scan_pipe.c: whether this process may run on two CPUs or more. */
int	scan_cpus(void);
/* scan_pipe.c: scan_run on a second thread; -1, or 1 when it could not
   start (then the caller runs everything itself). */
int	scan_run_piped(struct scan *s, char *err, size_t errlen);
/* scan_pipe.c: scan_run on this thread, events fed in batches with their
   tables loaded ahead; -1 with err. */
int	scan_run_local(struct scan *s, char *err, size_t errlen);

#endif
