/*
 * scan_opts.c: the options of mailcon scan that are more than a flag:
 * the usage, --min-level, the choice of one output, and the period of
 * --since and --until (scan_time.h).
 */
#include <stdio.h>
#include <strings.h>
#include <time.h>

#include "scan.h"
#include "scan_int.h"
#include "scan_time.h"

/* See scan.h. */
void
scan_usage(FILE *f)
{
	fputs("usage: mailcon scan [options] FILE...\n"
	    "Read mail logs (Postfix, Exim, Dovecot; plain or .gz, '-' for\n"
	    "stdin), merge them by time and report accounts that look hijacked.\n"
	    "\n"
	    "  --since TIME        only lines at or after TIME, and\n"
	    "  --until TIME        only lines before TIME: 2026-11-28, \"2026-11-28\n"
	    "                      04:16\", ...T04:16:45Z, @SECONDS, now, today,\n"
	    "                      yesterday, or a time ago (2h, 30m, 7d); in\n"
	    "                      the logs' zone ([logs] timezone, --utc)\n"
	    "  --json              one JSON document instead of a table, each\n"
	    "                      reason also as {signal, value, threshold,\n"
	    "                      level, text}\n"
	    "  --csv               one CSV row per account (RFC 4180; a field a\n"
	    "                      spreadsheet would run as a formula starts\n"
	    "                      with ')\n"
	    "  --detail            each account's login addresses (with counts)\n"
	    "                      and queue ids, in the table, JSON or CSV\n"
	    "  --summary           a daily digest to mail, as pflogsumm: totals,\n"
	    "                      flagged accounts, traffic per hour, top\n"
	    "                      senders, failed logins, deferral, bounce and\n"
	    "                      reject reasons (cron: --since yesterday\n"
	    "                      --until today --summary)\n"
	    "  --by-server         accounts per server, by each line's syslog\n"
	    "                      HOSTNAME (a central log host's file; the\n"
	    "                      config's hostname = when it has them); the\n"
	    "                      table grouped, each JSON row with \"server\"\n"
	    "  --min-level LEVEL   list only accounts at LEVEL or above\n"
	    "                      (ok, watch, suspicious, critical)\n"
	    "  --allow ACCOUNT     treat ACCOUNT as allow-listed (repeatable)\n"
	    "  --config FILE       read FILE instead of the default config\n"
	    "  --year YEAR         year of classic syslog timestamps\n"
	    "                      (default: inferred from each file's mtime)\n"
	    "  --utc               classic syslog and Exim timestamps are UTC\n"
	    "  --quiet             no progress line on stderr\n"
	    "  -h, --help          this help\n"
	    "\n"
	    "Exit status: 0 nothing suspicious, 1 something suspicious or\n"
	    "critical, 2 error.\n", f);
}

/* See scan_int.h. */
int
scan_parse_level(const char *s)
{
	int	 l;

	for (l = LEVEL_OK; l <= LEVEL_CRITICAL; l++)
		if (strcasecmp(s, level_name(l)) == 0)
			return l;
	return -1;
}

/* See scan_int.h. */
int
scan_check_formats(const struct report_options *ro, int detail, int summary)
{
	if (ro->json && ro->csv) {
		fputs("mailcon scan: --json and --csv: choose one format\n",
		    stderr);
		return -1;
	}
	if (summary && (ro->json || ro->csv || detail || ro->min_level > 0)) {
		fprintf(stderr, "mailcon scan: --summary is a report of its "
		    "own, for mail: not with %s\n", ro->json ? "--json" :
		    ro->csv ? "--csv" : detail ? "--detail" : "--min-level");
		return -1;
	}
	return 0;
}

/* See scan_int.h. */
int
scan_period(const char *since, const char *until, int utc, int64_t *from,
    int64_t *to)
{
	char	 err[512], t1[64], t2[64];
	int64_t	 now = (int64_t)time(NULL);

	*from = *to = -1;
	if (since != NULL && scan_time_parse(since, now, utc, from, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "mailcon scan: --since: %s\n", err);
		return -1;
	}
	if (until != NULL && scan_time_parse(until, now, utc, to, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "mailcon scan: --until: %s\n", err);
		return -1;
	}
	if (*from >= 0 && *to >= 0 && *from >= *to) {
		fprintf(stderr, "mailcon scan: --since %s is not before --until "
		    "%s: no line could be in that period\n",
		    scan_time_format(*from, utc, t1, sizeof(t1)),
		    scan_time_format(*to, utc, t2, sizeof(t2)));
		return -1;
	}
	return 0;
}
