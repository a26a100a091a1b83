/* report.c: the scan report, sorted worst first, as a table or JSON. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "scan.h"
#include "scan_detail.h"
#include "scan_time.h"
#include "core/json.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"
#include "detect/detect_detail.h"

/* detector_foreach callback: keep the accounts that pass the filter. */
static void
report_collect(const struct account_report *r, void *arg)
{
	struct report_list	*l = arg;

	l->by_level[r->peak_level]++;
	if ((int)r->peak_level < l->min_level)
		return;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n++] = *r;
}

/* Worst peak level first, then highest score, then name. */
static int
report_compare(const void *a, const void *b)
{
	const struct account_report *x = a, *y = b;

	if (x->peak_level != y->peak_level)
		return x->peak_level > y->peak_level ? -1 : 1;
	if (x->peak_score != y->peak_score)
		return x->peak_score > y->peak_score ? -1 : 1;
	return strcmp(x->account, y->account);
}

/* Spaces that pad sanitised text to width columns (wcwidth), or 0. */
static int
report_pad(const char *text, int width)
{
	int	 w = text_width(text, strlen(text));

	return w < width ? width - w : 0;
}

/* See report.h. */
const char *
report_time(int64_t t, char *buf, size_t size)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (t < 0 || gmtime_r(&tt, &tm) == NULL)
		return "-";
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

/* An array of strings. */
static void
report_json_strings(FILE *f, const char *const *v, int n)
{
	int	 i;

	putc('[', f);
	for (i = 0; i < n; i++) {
		if (i > 0)
			putc(',', f);
		json_cstring(f, v[i]);
	}
	putc(']', f);
}

/* A measured value as JSON: whole numbers without a fraction. */
static void
report_json_number(FILE *f, double v)
{
	if (v == (double)(long long)v && v < 1e15 && v > -1e15)
		fprintf(f, "%lld", (long long)v);
	else
		fprintf(f, "%.4g", v);
}

/* See report.h. */
void
report_json_signals(FILE *f, struct detector *d,
    const struct account_report *r, int peak)
{
	struct reason	 why[SIG_COUNT];
	int		 i, n;

	n = detector_reasons(d, detector_find(d, r->account), peak, why,
	    SIG_COUNT);
	putc('[', f);
	for (i = 0; i < n; i++) {
		fputs(i > 0 ? ",{\"signal\":" : "{\"signal\":", f);
		json_cstring(f, why[i].signal);
		fputs(",\"value\":", f);
		report_json_number(f, why[i].value);
		fputs(",\"threshold\":", f);
		report_json_number(f, why[i].threshold);
		fprintf(f, ",\"level\":\"%s\",\"text\":",
		    level_name(why[i].level));
		json_cstring(f, why[i].text);
		putc('}', f);
	}
	putc(']', f);
}

/* See report.h. */
void
report_json_account(FILE *f, struct detector *d,
    const struct account_report *r, const struct report_options *ro,
    const char *server)
{
	char	 ev[128];

	if (server != NULL) {
		fputs("{\"server\":", f);
		json_cstring(f, server);
		fputs(",\"account\":", f);
	} else
		fputs("{\"account\":", f);
	json_cstring(f, r->account);
	fprintf(f, ",\"level\":\"%s\",\"level_now\":\"%s\","
	    "\"score\":%.2f,\"score_now\":%.2f", level_name(r->peak_level),
	    level_name(r->level), r->peak_score, r->score);
	fprintf(f, ",\"allowed\":%s,\"reasons\":", r->allowed ? "true" :
	    "false");
	report_json_strings(f, r->peak_reasons, r->npeak_reasons);
	fputs(",\"signals\":", f);
	report_json_signals(f, d, r, 1);
	fputs(",\"reasons_now\":", f);
	report_json_strings(f, r->reasons, r->nreasons);
	fputs(",\"signals_now\":", f);
	report_json_signals(f, d, r, 0);
	fputs(",\"worst_at\":", f);
	json_time(f, r->peak_at);
	fprintf(f, ",\"messages\":%llu,\"recipients\":%llu,\"auth_ips\":%llu,"
	    "\"auth_ips_exact\":%s,\"auth_fail\":%llu,\"queued\":%llu",
	    (unsigned long long)r->messages,
	    (unsigned long long)r->recipients,
	    (unsigned long long)r->auth_ips,
	    r->auth_ips_exact ? "true" : "false",
	    (unsigned long long)r->auth_fail,
	    (unsigned long long)r->queued_now);
	fputs(",\"first_seen\":", f);
	json_time(f, r->first_seen);
	fputs(",\"last_seen\":", f);
	json_time(f, r->last_seen);
	fputs(",\"flagged_at\":", f);
	json_time(f, r->flagged_at);
	if (r->flagged_at >= 0)
		fprintf(f, ",\"messages_before_flag\":%llu",
		    (unsigned long long)r->messages_before_flag);
	else
		fputs(",\"messages_before_flag\":null", f);
	if (ro->detail != NULL)
		scan_detail_json(f, ro->detail, detector_find(d, r->account));
	/* critical on two kinds of evidence: what containment acts on */
	fputs(",\"confirmed_at\":", f);
	json_time(f, r->confirmed_at);
	fputs(",\"evidence\":", f);
	json_cstring(f, evidence_format(r->confirmed_at >= 0 ?
	    r->confirmed_evidence : r->peak_evidence, ev, sizeof(ev)));
	fputs("}", f);
}

/* The files whose clock jumped: counts, then one object per file. */
static void
report_json_clock(FILE *f, const struct scan_stats *st)
{
	const struct scan_clock	*c;
	int			 i;

	fprintf(f, ",\"clock_anomalies\":%llu,\"clock_steps\":%llu,"
	    "\"clock\":[", (unsigned long long)st->clock_anomalies,
	    (unsigned long long)st->clock_steps);
	for (i = 0; i < st->nclock; i++) {
		c = &st->clock[i];
		fputs(i > 0 ? ",{\"file\":" : "{\"file\":", f);
		json_cstring(f, c->file);
		fprintf(f, ",\"anomalies\":%llu,\"steps\":%llu,"
		    "\"latest_jump\":%lld,\"latest_at\":",
		    (unsigned long long)c->anomalies,
		    (unsigned long long)c->steps, (long long)c->jump);
		json_time(f, c->at);
		fputs(",\"latest\":", f);
		json_cstring(f, c->text);
		putc('}', f);
	}
	putc(']', f);
}

/* The whole report as one JSON document. */
static void
report_json(FILE *f, const struct report_list *l, struct detector *d,
    const struct scan_stats *st, const struct report_options *ro)
{
	struct detect_totals	 t;
	size_t			 i;

	detector_totals(d, &t);
	fputs("{\"accounts\":[", f);
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			fputs(",\n", f);
		report_json_account(f, d, &l->v[i], ro, NULL);
	}
	fprintf(f, "],\n\"summary\":{\"files\":%d,\"lines\":%llu,"
	    "\"unparsed_lines\":%llu,\"overlong_lines\":%llu,"
	    "\"unreadable_entries\":%llu,\"events\":%llu,"
	    "\"accounts\":%zu,\"critical\":%zu,\"suspicious\":%zu,"
	    "\"watch\":%zu,\"messages\":%llu,\"auth_failures\":%llu,"
	    "\"invalid_logins\":%llu,\"accounts_dropped\":%llu,\"first\":",
	    st->files, (unsigned long long)st->lines,
	    (unsigned long long)st->unparsed, (unsigned long long)st->overlong,
	    (unsigned long long)st->unreadable,
	    (unsigned long long)st->events, detector_count(d),
	    l->by_level[LEVEL_CRITICAL], l->by_level[LEVEL_SUSPICIOUS],
	    l->by_level[LEVEL_WATCH], (unsigned long long)t.messages,
	    (unsigned long long)t.auth_fail,
	    (unsigned long long)t.bad_account,
	    (unsigned long long)t.accounts_dropped);
	json_time(f, st->first_time);
	fputs(",\"last\":", f);
	json_time(f, st->last_time);
	fputs(",\"since\":", f);
	json_time(f, st->since);
	fputs(",\"until\":", f);
	json_time(f, st->until);
	fprintf(f, ",\"lines_before\":%llu,\"stopped_at_until\":%s",
	    (unsigned long long)st->before, st->stopped ? "true" : "false");
	report_json_clock(f, st);
	fputs(",\"networks\":", f);
	json_cstring(f, detector_networks(d));
	fputs("}}\n", f);
}

/* What the files' clocks did, one line per file that jumped. */
static void
report_text_clock(FILE *f, const struct scan_stats *st)
{
	char	 name[256];
	int	 i;

	if (st->nclock == 0)
		return;
	fprintf(f, "Clock: %llu line%s stamped far from the lines around "
	    "them, %llu step%s; windows kept the file's order:\n",
	    (unsigned long long)st->clock_anomalies,
	    st->clock_anomalies == 1 ? "" : "s",
	    (unsigned long long)st->clock_steps,
	    st->clock_steps == 1 ? "" : "s");
	for (i = 0; i < st->nclock; i++) {
		sanitize_text(name, sizeof(name), st->clock[i].file,
		    strlen(st->clock[i].file));
		fprintf(f, "  %s: %s\n", name, st->clock[i].text);
	}
}

/* The period --since and --until gave, and what fell outside it. */
static void
report_text_period(FILE *f, const struct scan_stats *st,
    const struct report_options *ro)
{
	char	 t1[64], t2[64];

	if (st->since >= 0 && st->until >= 0)
		fprintf(f, "Period %s to %s", scan_time_format(st->since,
		    ro->utc, t1, sizeof(t1)), scan_time_format(st->until,
		    ro->utc, t2, sizeof(t2)));
	else if (st->since >= 0)
		fprintf(f, "Period from %s", scan_time_format(st->since,
		    ro->utc, t1, sizeof(t1)));
	else if (st->until >= 0)
		fprintf(f, "Period until %s", scan_time_format(st->until,
		    ro->utc, t2, sizeof(t2)));
	else
		return;
	if (st->since >= 0)
		fprintf(f, ": %llu line%s before it left out",
		    (unsigned long long)st->before, st->before == 1 ? "" : "s");
	fprintf(f, "%s.\n", st->stopped ? (st->since >= 0 ?
	    ", reading stopped at its end" : ": reading stopped there") : "");
}

/* See report.h. */
void
report_row_header(FILE *f)
{
	fprintf(f, "%-10s %-32s %9s %10s %6s %-19s %s\n", "LEVEL", "ACCOUNT",
	    "MSGS", "RCPTS", "IPS", "FLAGGED (UTC)", "WHY");
}

/* See report.h. */
void
report_row(FILE *f, const struct account_report *r)
{
	char	 name[256], t1[32], t2[32], ips[32];
	int	 j;

	/* escaped when the locale has no UTF-8 (sanitize.h) */
	sanitize_text(name, sizeof(name), r->account, strlen(r->account));
	snprintf(ips, sizeof(ips), "%s%llu", r->auth_ips_exact ? "" : "~",
	    (unsigned long long)r->auth_ips);
	fprintf(f, "%-10s %s%*s %9llu %10llu %6s %-19s %s\n",
	    r->allowed ? "allowed" : level_name(r->peak_level), name,
	    report_pad(name, 32), "", (unsigned long long)r->messages,
	    (unsigned long long)r->recipients, ips,
	    report_time(r->flagged_at, t1, sizeof(t1)),
	    r->npeak_reasons > 0 ? r->peak_reasons[0] : "");
	if (r->peak_level < LEVEL_SUSPICIOUS)
		return;
	for (j = 1; j < r->npeak_reasons; j++)
		fprintf(f, "%*s%s\n", 92, "", r->peak_reasons[j]);
	if (r->flagged_at >= 0)
		fprintf(f, "%*sfirst seen %s; %llu messages queued before it "
		    "was flagged\n", 92, "",
		    report_time(r->first_seen, t2, sizeof(t2)),
		    (unsigned long long)r->messages_before_flag);
}

/* The report as an aligned table, reasons under each flagged account. */
static void
report_table(FILE *f, const struct report_list *l, struct detector *d,
    const struct scan_stats *st, const struct report_options *ro)
{
	const struct account_report	*r;
	struct detect_totals		 t;
	char				 name[256], t1[32], t2[32];
	size_t				 i;

	if (l->n > 0)
		report_row_header(f);
	for (i = 0; i < l->n; i++)
		report_row(f, &l->v[i]);
	if (ro->detail != NULL)
		for (i = 0; i < l->n; i++) {
			r = &l->v[i];
			sanitize_text(name, sizeof(name), r->account,
			    strlen(r->account));
			fprintf(f, "\n%s:\n", name);
			scan_detail_text(f, ro->detail, detector_find(d,
			    r->account), 2);
		}
	detector_totals(d, &t);
	fprintf(f, "\n%zu accounts: %zu critical, %zu suspicious, %zu watch. "
	    "%llu lines in %d file%s (%llu without a known header, %llu too "
	    "long to read), %llu messages, %llu failed logins",
	    detector_count(d), l->by_level[LEVEL_CRITICAL],
	    l->by_level[LEVEL_SUSPICIOUS], l->by_level[LEVEL_WATCH],
	    (unsigned long long)st->lines, st->files, st->files == 1 ? "" :
	    "s", (unsigned long long)st->unparsed,
	    (unsigned long long)st->overlong,
	    (unsigned long long)t.messages, (unsigned long long)t.auth_fail);
	if (t.bad_account > 0)
		fprintf(f, ", %llu logins with invalid names",
		    (unsigned long long)t.bad_account);
	if (st->unreadable > 0)
		fprintf(f, ".\n%llu unreadable journal entr%s: journalctl "
		    "printed \"[N blob data]\" for %s (control bytes or invalid "
		    "UTF-8, as a hostile login has); run it with --all to read "
		    "%s", (unsigned long long)st->unreadable,
		    st->unreadable == 1 ? "y" : "ies",
		    st->unreadable == 1 ? "it" : "them",
		    st->unreadable == 1 ? "it" : "them");
	if (st->first_time < 0 && (st->since >= 0 || st->until >= 0))
		fputs(".\nNo line in the period.\n", f);
	else if (st->first_time < 0)
		fputs(".\nNo line had a timestamp.\n", f);
	else
		fprintf(f, ".\nLog time %s to %s UTC.\n",
		    report_time(st->first_time, t1, sizeof(t1)),
		    report_time(st->last_time, t2, sizeof(t2)));
	report_text_period(f, st, ro);
	fprintf(f, "Networks: %s.\n", detector_networks(d));
	report_text_clock(f, st);
}

/* See report.h. */
void
report_accounts(struct detector *d, int min_level, struct report_list *l)
{
	memset(l, 0, sizeof(*l));
	l->min_level = min_level;
	detector_foreach(d, report_collect, l);
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), report_compare);
}

/* See report.h. */
int
report_print(FILE *f, struct detector *d, const struct scan_stats *st,
    const struct report_options *ro)
{
	struct report_list	 l;

	report_accounts(d, ro->min_level, &l);
	if (ro->json)
		report_json(f, &l, d, st, ro);
	else if (ro->csv)
		report_csv(f, d, l.v, l.n, ro);
	else
		report_table(f, &l, d, st, ro);
	free(l.v);
	return l.by_level[LEVEL_SUSPICIOUS] + l.by_level[LEVEL_CRITICAL] > 0 ?
	    EXIT_FOUND : EXIT_CLEAN;
}
