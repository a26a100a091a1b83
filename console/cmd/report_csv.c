/*
 * report_csv.c: the scan report as CSV (RFC 4180, csv.h), one account a
 * row, for a spreadsheet: every field that came from a log is quoted and
 * neutralised there.  Times are UTC in RFC 3339 form, empty for never;
 * the reasons are the table's sentences joined by " | ", the signals
 * "NAME=VALUE (LEVEL at THRESHOLD)" joined the same way.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "scan_detail.h"
#include "core/csv.h"
#include "core/xmalloc.h"
#include "detect/detect_detail.h"

/* A time field: "2026-11-28T04:16:45Z", or empty. */
static void
rcsv_time(FILE *f, int64_t t)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;
	char		 buf[32] = "";

	if (t >= 0 && gmtime_r(&tt, &tm) != NULL)
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	csv_cfield(f, buf, 0);
}

/* A measured value: whole, or with a decimal. */
static void
rcsv_value(char *buf, size_t size, double v)
{
	if (v == (double)(long long)v && v < 1e15)
		snprintf(buf, size, "%lld", (long long)v);
	else
		snprintf(buf, size, "%.4g", v);
}

/* Texts joined by " | " into one field. */
static void
rcsv_join(FILE *f, const char *const *v, int n)
{
	size_t	 len = 0, off = 0;
	char	*buf;
	int	 i;

	for (i = 0; i < n; i++)
		len += strlen(v[i]) + 3;
	buf = xmalloc(len + 1);
	buf[0] = '\0';
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(buf + off, len + 1 - off, "%s%s",
		    i > 0 ? " | " : "", v[i]);
	csv_field(f, buf, off, 0);
	free(buf);
}

/* The structured reasons at the worst moment, joined. */
static void
rcsv_signals(FILE *f, struct detector *d, const struct account_report *r)
{
	struct reason	 why[SIG_COUNT];
	char		 one[SIG_COUNT][96], val[32], th[32];
	const char	*v[SIG_COUNT];
	int		 i, n;

	n = detector_reasons(d, detector_find(d, r->account), 1, why,
	    SIG_COUNT);
	for (i = 0; i < n; i++) {
		rcsv_value(val, sizeof(val), why[i].value);
		rcsv_value(th, sizeof(th), why[i].threshold);
		snprintf(one[i], sizeof(one[i]), "%s=%s (%s at %s)",
		    why[i].signal, val, level_name(why[i].level), th);
		v[i] = one[i];
	}
	rcsv_join(f, v, n);
}

/* See report.h. */
void
report_csv(FILE *f, struct detector *d, const struct account_report *v,
    size_t n, const struct report_options *ro)
{
	static const char *const head[] = { "level", "account", "allowed",
	    "score", "messages", "recipients", "auth_ips", "auth_ips_exact",
	    "auth_fail", "queued", "first_seen", "last_seen", "flagged_at",
	    "messages_before_flag", "worst_at", "reasons", "signals" };
	const struct account_report	*r;
	char				 score[32];
	size_t				 i;

	for (i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		csv_cfield(f, head[i], i == 0);
	if (ro->detail != NULL) {
		csv_cfield(f, "login_addresses", 0);
		csv_cfield(f, "queue_ids", 0);
		csv_cfield(f, "queued_ids", 0);
	}
	csv_end(f);
	for (i = 0; i < n; i++) {
		r = &v[i];
		csv_cfield(f, level_name(r->peak_level), 1);
		csv_cfield(f, r->account, 0);
		csv_cfield(f, r->allowed ? "yes" : "no", 0);
		snprintf(score, sizeof(score), "%.2f", r->peak_score);
		csv_cfield(f, score, 0);
		csv_number(f, r->messages, 0);
		csv_number(f, r->recipients, 0);
		csv_number(f, r->auth_ips, 0);
		csv_cfield(f, r->auth_ips_exact ? "yes" : "no", 0);
		csv_number(f, r->auth_fail, 0);
		csv_number(f, r->queued_now, 0);
		rcsv_time(f, r->first_seen);
		rcsv_time(f, r->last_seen);
		rcsv_time(f, r->flagged_at);
		if (r->flagged_at >= 0)
			csv_number(f, r->messages_before_flag, 0);
		else
			csv_cfield(f, "", 0);
		rcsv_time(f, r->peak_at);
		rcsv_join(f, r->peak_reasons, r->npeak_reasons);
		rcsv_signals(f, d, r);
		if (ro->detail != NULL)
			scan_detail_csv(f, ro->detail, detector_find(d,
			    r->account));
		csv_end(f);
	}
}
