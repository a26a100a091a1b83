/*
 * scan.c: `mailcon scan [options] FILE...`.
 *
 * Reads every file at once and merges their lines by timestamp, so rotated
 * files given in any order, and Postfix and Dovecot logs kept apart, reach
 * the detector as one stream in time order.  Output is written only after
 * all input was read without error: a bad file gives one line on stderr,
 * exit 2, and nothing on stdout.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "report.h"
#include "scan.h"
#include "scan_int.h"
#include "scan_detail.h"
#include "scan_digest.h"
#include "scan_server.h"
#include "scan_time.h"
#include "config/config.h"
#include "core/cliopt.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"
#include "detect/detector.h"
#include "detect/geo.h"
#include "intake/clockread.h"
#include "intake/logreader.h"

/* Seconds elapsed between two monotonic times. */
static double
scan_elapsed(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* Redraw the progress line on stderr, at most four times a second. */
static void
scan_show_progress(struct scan *s, int final)
{
	struct timespec	 now;
	uint64_t	 done = 0;
	double		 secs;
	int		 i;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!final && scan_elapsed(&s->last_progress, &now) < 0.25)
		return;
	s->last_progress = now;
	if (final) {
		fputs("\r\033[K", stderr);
		return;
	}
	for (i = 0; i < s->nreaders; i++)
		done += logreader_offset(&s->readers[i]);
	secs = scan_elapsed(&s->started, &now);
	fprintf(stderr, "\r\033[Kmailcon scan: ");
	if (s->total_size > 0)
		fprintf(stderr, "%3.0f%% of %.1f MB, ", 100.0 *
		    (double)done / (double)s->total_size,
		    (double)s->total_size / 1e6);
	fprintf(stderr, "%.1fM lines, %.2fM lines/s", s->stats.lines / 1e6,
	    secs > 0 ? s->stats.lines / 1e6 / secs : 0.0);
	fflush(stderr);
}

/*
 * Index of the reader whose current line is oldest (by effective time, so
 * one line from the future does not hold its file back), or -1 when all
 * are done.
 */
static int
scan_pick(struct scan *s, const int *live)
{
	int	 i, best = -1;

	for (i = 0; i < s->nreaders; i++) {
		const struct log_header *h = &s->clocks[i].hdr;

		if (!live[i])
			continue;
		if (best == -1 || h->time < s->clocks[best].hdr.time ||
		    (h->time == s->clocks[best].hdr.time &&
		    h->usec < s->clocks[best].hdr.usec))
			best = i;
	}
	return best;
}

/*
 * When a message starts like a queue id ("ID: "), have the detector start
 * loading its table slot: that is a cache miss on big logs, and now it
 * overlaps with parsing the line.  A wrong guess costs only the load.
 */
static void
scan_prefetch(struct scan *s, const struct mail_str *msg)
{
	size_t	 n;

	for (n = 0; n < msg->len && n <= 32 && msg->p[n] != ':' &&
	    msg->p[n] != ' '; n++)
		;
	if (n >= 6 && n < msg->len && msg->p[n] == ':')
		detector_prefetch_qid(s->det, msg->p, n);
}

/*
 * One event to the detector (k: its keys from detector_keys), then to
 * what --detail and --summary keep.
 */
void
scan_feed_keys(struct scan *s, const struct mail_event *ev,
    const struct detect_keys *k)
{
	detector_feed_keys(s->det, ev, k);
	if (s->detail != NULL)
		scan_detail_feed(s->detail, s->det, ev);
	if (s->digest != NULL)
		scan_digest_feed(s->digest, ev);
}

/* One event to the detector and what --detail and --summary keep. */
static void
scan_feed(struct scan *s, const struct mail_event *ev)
{
	struct detect_keys	 k;

	detector_keys(ev, &k);
	scan_feed_keys(s, ev, &k);
}

/* Hand one line, at its effective time, to the backends and the detector. */
static void
scan_line(struct scan *s, struct clockread *r)
{
	struct mail_events	 evs;
	struct detector		*det;
	int			 i;

	if (s->since >= 0 && r->hdr.time < s->since) {
		s->stats.before++;
		return;
	}
	if (s->stats.first_time == -1 || r->hdr.time < s->stats.first_time)
		s->stats.first_time = r->hdr.time;
	if (r->hdr.time > s->stats.last_time)
		s->stats.last_time = r->hdr.time;
	if (s->pipe == NULL)
		scan_prefetch(s, &r->hdr.msg);
	/* the end of a session (EV_DISCONNECT) is not mail: not counted */
	if (!backend_parse_any(&r->hdr, &evs) ||
	    (evs.n == 1 && evs.ev[0].kind == EV_DISCONNECT))
		return;
	/* no raw line: nothing of a scan shows one (and so no secret) */
	if (s->servers != NULL) {
		/* one thread: each event to its server's detector */
		det = scan_servers_det(s->servers, r->hdr.host.p,
		    r->hdr.host.len);
		for (i = 0; i < evs.n; i++) {
			s->stats.events++;
			detector_feed(det, &evs.ev[i]);
		}
		return;
	}
	for (i = 0; i < evs.n; i++) {
		s->stats.events++;
		if (s->pipe != NULL)
			scan_pipe_put(s, &evs.ev[i]);
		else
			scan_feed(s, &evs.ev[i]);
	}
}

/* Merge all readers by time into the detector; -1 with err on a bad file. */
int
scan_run(struct scan *s, char *err, size_t errlen)
{
	int	*live, i, rc, n = 0;

	live = xcalloc((size_t)s->nreaders, sizeof(int));
	for (i = 0; i < s->nreaders; i++) {
		if ((rc = clockread_next(&s->clocks[i], &s->readers[i], err,
		    errlen)) == -1)
			goto fail;
		live[i] = rc;
	}
	while ((i = scan_pick(s, live)) != -1) {
		/* the oldest line is past the period: so is every other */
		if (s->until >= 0 && s->clocks[i].hdr.time >= s->until) {
			s->stats.stopped = 1;
			break;
		}
		scan_line(s, &s->clocks[i]);
		if ((rc = clockread_next(&s->clocks[i], &s->readers[i], err,
		    errlen)) == -1)
			goto fail;
		live[i] = rc;
		if (s->progress && (++n & 0xffff) == 0) {
			s->stats.lines = 0;
			for (rc = 0; rc < s->nreaders; rc++)
				s->stats.lines += s->readers[rc].lines;
			scan_show_progress(s, 0);
		}
	}
	free(live);
	return 0;
fail:
	free(live);
	return -1;
}

/* What each file's clock did, for the report. */
static void
scan_clock_stats(struct scan *s)
{
	const struct clockguard	*g;
	struct scan_clock	*c;
	int			 i;

	s->stats.clock = xcalloc((size_t)s->nreaders, sizeof(*s->stats.clock));
	for (i = 0; i < s->nreaders; i++) {
		g = &s->clocks[i].g;
		s->stats.clock_anomalies += g->anomalies;
		s->stats.clock_steps += g->steps;
		if (g->findings == 0)
			continue;
		c = &s->stats.clock[s->stats.nclock++];
		c->file = s->readers[i].name;
		c->anomalies = g->anomalies;
		c->steps = g->steps;
		c->jump = g->jump;
		c->at = g->jump_at;
		clockguard_summary(g, c->text, sizeof(c->text));
	}
}

/* See scan.h. */
int
cmd_scan(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json",	no_argument,		NULL, 'j' },
		{ "csv",	no_argument,		NULL, 'v' },
		{ "detail",	no_argument,		NULL, 'd' },
		{ "summary",	no_argument,		NULL, 's' },
		{ "since",	required_argument,	NULL, 'S' },
		{ "until",	required_argument,	NULL, 'U' },
		{ "min-level",	required_argument,	NULL, 'l' },
		{ "by-server",	no_argument,		NULL, 'B' },
		{ "allow",	required_argument,	NULL, 'a' },
		{ "config",	required_argument,	NULL, 'c' },
		{ "year",	required_argument,	NULL, 'y' },
		{ "utc",	no_argument,		NULL, 'u' },
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 }
	};
	struct mailcon_config	 cfg;
	struct scan		 s;
	struct report_options	 ro;
	const char		*config_path = NULL, *since = NULL, *until = NULL;
	char			 err[512], *end;
	int			 ch, i, quiet = 0, year = 0, utc = 0, rc;
	int			 detail = 0, summary = 0, by_server = 0;
	long			 v;

	memset(&ro, 0, sizeof(ro));
	config_init(&cfg);
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			ro.json = 1;
			break;
		case 'v':
			ro.csv = 1;
			break;
		case 'd':
			detail = 1;
			break;
		case 's':
			summary = 1;
			break;
		case 'B':
			by_server = 1;
			break;
		case 'S':
			since = optarg;
			break;
		case 'U':
			until = optarg;
			break;
		case 'l':
			if ((ro.min_level = scan_parse_level(optarg)) == -1) {
				fprintf(stderr, "mailcon scan: --min-level: "
				    "unknown level \"%s\" (ok, watch, "
				    "suspicious, critical)\n",
				    sanitize_str(err, sizeof(err), optarg));
				goto usage_error;
			}
			break;
		case 'a':
			if (!account_is_valid(optarg, strlen(optarg))) {
				fprintf(stderr, "mailcon scan: --allow: \"%s\" "
				    "is not a valid account name\n",
				    sanitize_str(err, sizeof(err), optarg));
				goto usage_error;
			}
			config_allow(&cfg, optarg);
			break;
		case 'c':
			config_path = optarg;
			break;
		case 'y':
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 1970 || v > 9999) {
				fprintf(stderr, "mailcon scan: --year: expected "
				    "a year like 2026, got \"%s\"\n",
				    sanitize_str(err, sizeof(err), optarg));
				goto usage_error;
			}
			year = (int)v;
			break;
		case 'u':
			utc = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			scan_usage(stdout);
			config_free(&cfg);
			return EXIT_CLEAN;
		default:
			cliopt_error("scan", ch, argv);
			goto usage_error;
		}
	}
	if (optind >= argc) {
		fputs("mailcon scan: no log file given (use - for stdin)\n",
		    stderr);
		goto usage_error;
	}
	if (scan_check_formats(&ro, detail, summary) == -1)
		goto usage_error;
	if (by_server && (ro.csv || detail || summary)) {
		fputs("mailcon scan: --by-server gives the table or --json, "
		    "not --csv, --detail or --summary\n", stderr);
		goto usage_error;
	}
	if (config_load(&cfg, config_path, err, sizeof(err)) == -1) {
		fprintf(stderr, "mailcon scan: %s\n", err);
		config_free(&cfg);
		return EXIT_ERROR;
	}
	if (year == 0)
		year = cfg.year;
	if (!utc)
		utc = cfg.utc;

	memset(&s, 0, sizeof(s));
	s.stats.first_time = s.stats.last_time = -1;
	if (scan_period(since, until, utc, &s.since, &s.until) == -1) {
		config_free(&cfg);
		return EXIT_ERROR;
	}
	s.stats.since = s.since;
	s.stats.until = s.until;
	ro.utc = utc;
	s.nreaders = argc - optind;
	s.readers = xcalloc((size_t)s.nreaders, sizeof(*s.readers));
	s.clocks = xcalloc((size_t)s.nreaders, sizeof(*s.clocks));
	for (i = 0; i < s.nreaders; i++) {
		s.readers[i].fd = -1;
		clockread_init(&s.clocks[i]);
	}
	rc = EXIT_ERROR;
	for (i = 0; i < s.nreaders; i++) {
		if (logreader_open(&s.readers[i], argv[optind + i], year, utc,
		    err, sizeof(err)) == -1) {
			fprintf(stderr, "mailcon scan: %s\n", err);
			goto done;
		}
		s.total_size += s.readers[i].size;
	}
	s.det = detector_new(&cfg.detect);
	if (detail)
		s.detail = ro.detail = scan_detail_new();
	if (summary)
		s.digest = scan_digest_new(utc);
	/* a database that cannot be read is a warning: detection goes on */
	if (by_server)
		s.servers = scan_servers_new(&cfg);
	if ((s.geo = geo_open(cfg.geoip, err, sizeof(err))) != NULL) {
		detector_set_context(s.det, geo_context, s.geo);
		if (s.servers != NULL)
			scan_servers_context(s.servers, geo_context, s.geo);
	}
	if (err[0] != '\0')
		fprintf(stderr, "mailcon scan: warning: GeoIP: %s\n", err);
	s.progress = !quiet && isatty(STDERR_FILENO) &&
	    s.total_size > 32u * 1024 * 1024;
	clock_gettime(CLOCK_MONOTONIC, &s.started);
	s.last_progress = s.started;
	rc = scan_cpus() >= 2 && s.servers == NULL ?
	    scan_run_piped(&s, err, sizeof(err)) : 1;
	if (rc == 1)
		rc = s.servers == NULL ? scan_run_local(&s, err, sizeof(err)) :
		    scan_run(&s, err, sizeof(err));
	if (rc == -1) {
		rc = EXIT_ERROR;
		if (s.progress)
			scan_show_progress(&s, 1);
		fprintf(stderr, "mailcon scan: %s\n", err);
		goto done;
	}
	if (s.progress)
		scan_show_progress(&s, 1);
	s.stats.lines = 0;	/* the progress line left a partial sum */
	for (i = 0; i < s.nreaders; i++) {
		s.stats.lines += s.readers[i].lines;
		s.stats.unparsed += s.readers[i].unparsed;
		s.stats.overlong += s.readers[i].overlong;
		s.stats.unreadable += s.readers[i].unreadable;
	}
	s.stats.files = s.nreaders;
	scan_clock_stats(&s);
	if (geo_errors(s.geo, err, sizeof(err)) > 0)
		fprintf(stderr, "mailcon scan: warning: GeoIP lookups failed "
		    "(%s): those addresses count by prefix\n", err);
	if (s.detail != NULL)
		scan_detail_finish(s.detail);
	if (s.servers != NULL)
		rc = scan_servers_print(stdout, s.servers, &s.stats, &ro);
	else if (s.digest != NULL)
		rc = scan_digest_print(stdout, s.digest, s.det, &s.stats,
		    argv + optind, s.nreaders);
	else
		rc = report_print(stdout, s.det, &s.stats, &ro);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		perror("mailcon scan: writing the report");
		rc = EXIT_ERROR;
	}
done:
	for (i = 0; i < s.nreaders; i++) {
		logreader_close(&s.readers[i]);
		clockread_free(&s.clocks[i]);
	}
	free(s.readers);
	free(s.clocks);
	free(s.stats.clock);
	scan_detail_free(s.detail);
	scan_digest_free(s.digest);
	scan_servers_free(s.servers);
	if (s.det != NULL)
		detector_free(s.det);
	geo_close(s.geo);
	config_free(&cfg);
	return rc;
usage_error:
	fputs("Try 'mailcon scan --help'.\n", stderr);
	config_free(&cfg);
	return EXIT_ERROR;
}
