/* scan_digest_print.c: the --summary digest as text; see scan_digest.h. */
#include <sys/socket.h>
#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scan_digest.h"
#include "scan_digest_int.h"
#include "scan_time.h"
#include "core/exitcodes.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"

/* Text sanitised into buf, cut with "..." to cols columns. */
static const char *
dg_fit(char *buf, size_t size, const char *text, int cols)
{
	char	 shown[1024];
	size_t	 n, cut;
	int	 w;

	n = sanitize_text(shown, sizeof(shown), text, strlen(text));
	cut = text_width(shown, n) <= cols ? n : text_fit(shown, n, cols - 3,
	    &w);
	if (cut + 4 > size)
		cut = text_fit(shown, n, (int)size - 4, &w);
	memcpy(buf, shown, cut);
	strcpy(buf + cut, cut < n ? "..." : "");
	return buf;
}

/* A section title, underlined as pflogsumm does. */
static void
dg_title(FILE *f, const char *title)
{
	size_t	 n = strlen(title);

	fprintf(f, "\n%s\n", title);
	while (n-- > 0)
		putc('-', f);
	putc('\n', f);
}

/* A count of a distinct set, "at least" when it filled up. */
static void
dg_total_set(FILE *f, const struct u64map *m, const char *what)
{
	fprintf(f, " %10zu%s  %s\n", m->n, m->n >= m->max ? "+" : " ", what);
}

/* The header: period, log time, files. */
static void
dg_header(FILE *f, const struct scan_digest *g, const struct scan_stats *st,
    char *const *files, int nfiles)
{
	char	 t1[64], t2[64], name[256];
	int	 i;

	fprintf(f, "mailcon scan --summary\n");
	if (st->since >= 0 || st->until >= 0)
		fprintf(f, "Period:    %s to %s\n", st->since >= 0 ?
		    scan_time_format(st->since, g->utc, t1, sizeof(t1)) :
		    "the start of the logs", st->until >= 0 ?
		    scan_time_format(st->until, g->utc, t2, sizeof(t2)) :
		    "the end of the logs");
	if (st->first_time < 0)
		fprintf(f, "Log time:  %s\n", st->since >= 0 || st->until >= 0 ?
		    "no line in the period" : "no line had a timestamp");
	else
		fprintf(f, "Log time:  %s to %s\n", scan_time_format(
		    st->first_time, g->utc, t1, sizeof(t1)), scan_time_format(
		    st->last_time, g->utc, t2, sizeof(t2)));
	fprintf(f, "Logs:      %llu lines read", (unsigned long long)st->lines);
	if (st->before > 0 || st->stopped)
		fprintf(f, " (%llu before the period%s)",
		    (unsigned long long)st->before, st->stopped ?
		    "; stopped at its end" : "");
	fputs(" from:\n", f);
	for (i = 0; i < nfiles; i++) {
		sanitize_text(name, sizeof(name), files[i], strlen(files[i]));
		fprintf(f, "           %s\n", name);
	}
}

/* Grand totals, as pflogsumm's, then the logins. */
static void
dg_totals(FILE *f, const struct scan_digest *g, struct detector *d,
    const struct scan_stats *st)
{
	struct detect_totals	 t;
	uint64_t		 total = g->dlvr + g->rejected;

	detector_totals(d, &t);
	dg_title(f, "Grand Totals");
	fprintf(f, "messages\n\n");
	fprintf(f, " %10llu   received\n", (unsigned long long)g->recv);
	fprintf(f, " %10llu   delivered\n", (unsigned long long)g->dlvr);
	fprintf(f, " %10llu   deferred", (unsigned long long)g->deferred);
	if (g->deferrals > 0)
		fprintf(f, "  (%llu deferrals)",
		    (unsigned long long)g->deferrals);
	fprintf(f, "\n %10llu   bounced\n", (unsigned long long)g->bounced);
	fprintf(f, " %10llu   rejected (%d%%)\n", (unsigned long long)g->rejected,
	    total > 0 ? (int)(100 * g->rejected / total) : 0);
	fprintf(f, " %10llu   held\n", (unsigned long long)g->held);
	fprintf(f, " %10llu   expired\n", (unsigned long long)g->expired);
	fprintf(f, " %10llu   deleted by an admin\n\n",
	    (unsigned long long)g->deleted);
	fprintf(f, " %10llu   bytes received\n", (unsigned long long)g->bytes);
	dg_total_set(f, &g->senders, "senders");
	dg_total_set(f, &g->rcpts, "recipients");
	dg_total_set(f, &g->rdoms, "recipient domains");
	fprintf(f, "\nlogins\n\n");
	fprintf(f, " %10zu   accounts (%llu messages by logins)\n",
	    detector_count(d), (unsigned long long)t.messages);
	fprintf(f, " %10zu%s  login addresses\n", g->nip, g->ipmap.n >=
	    g->ipmap.max ? "+" : " ");
	fprintf(f, " %10llu   failed logins\n", (unsigned long long)g->authf);
	if (t.bad_account > 0)
		fprintf(f, " %10llu   logins with invalid names (not counted to "
		    "anyone)\n", (unsigned long long)t.bad_account);
	if (st->unparsed > 0 || st->overlong > 0 || st->unreadable > 0)
		fprintf(f, " %10llu   lines without a known header, %llu too "
		    "long, %llu unreadable journal entries\n",
		    (unsigned long long)st->unparsed,
		    (unsigned long long)st->overlong,
		    (unsigned long long)st->unreadable);
	if (g->lost > 0)
		fprintf(f, " %10llu   events a full table could not tell apart "
		    "(counts above may be low)\n", (unsigned long long)g->lost);
}

/* Most messages first, then name. */
static int
dg_by_messages(const void *a, const void *b)
{
	const struct account_report *x = a, *y = b;

	if (x->messages != y->messages)
		return x->messages > y->messages ? -1 : 1;
	return strcmp(x->account, y->account);
}

/* The accounts at watch or worse, with the strongest reason. */
static int
dg_flagged(FILE *f, const struct scan_digest *g, struct report_list *l)
{
	const struct account_report	*r;
	char				 name[256], when[64];
	size_t				 i, watch = 0;
	int				 found = 0;

	dg_title(f, "Accounts flagged");
	for (i = 0; i < l->n && l->v[i].peak_level >= LEVEL_WATCH; i++) {
		r = &l->v[i];
		/* every suspicious and critical one; the first of watch */
		if (r->peak_level == LEVEL_WATCH && watch++ >= DG_TOP)
			continue;
		fprintf(f, "%-10s %s\n", r->allowed ? "allowed" :
		    level_name(r->peak_level), dg_fit(name, sizeof(name),
		    r->account, 69));
		if (r->flagged_at >= 0)
			fprintf(f, "           flagged %s\n", scan_time_format(
			    r->flagged_at, g->utc, when, sizeof(when)));
		fprintf(f, "           %llu messages, %s%llu address%s, %llu "
		    "failed logins", (unsigned long long)r->messages,
		    r->auth_ips_exact ? "" : "~",
		    (unsigned long long)r->auth_ips, r->auth_ips == 1 ? "" :
		    "es", (unsigned long long)r->auth_fail);
		fprintf(f, "\n           %s\n", dg_fit(name, sizeof(name),
		    r->npeak_reasons > 0 ? r->peak_reasons[0] : "", 69));
		found += r->peak_level >= LEVEL_SUSPICIOUS;
	}
	if (watch > DG_TOP)
		fprintf(f, "and %zu more at watch (mailcon scan --min-level "
		    "watch lists them)\n", watch - DG_TOP);
	if (i == 0)
		fputs("none\n", f);
	return found;
}

/* Traffic per hour in the logs' zone, or per day over three days. */
static void
dg_traffic(FILE *f, const struct scan_digest *g)
{
	static const char *const cols[H_NCOL] = { "received", "delivered",
	    "deferred", "bounced", "rejected", "auth fail" };
	uint64_t	 row[H_NCOL];
	char		 label[64], prev[64] = "";
	struct tm	 tm;
	time_t		 t;
	size_t		 i;
	int		 c, daily = g->nhours > 72, have = 0;

	dg_title(f, daily ? "Per-Day Traffic Summary" :
	    "Per-Hour Traffic Summary");
	fprintf(f, "%-17s", daily ? "date" : "hour");
	for (c = 0; c < H_NCOL; c++)
		fprintf(f, " %9s", cols[c]);
	putc('\n', f);
	memset(row, 0, sizeof(row));
	for (i = 0; i <= g->nhours; i++) {
		label[0] = '\0';
		if (i < g->nhours) {
			t = (time_t)(g->hour0 + (int64_t)i * 3600);
			if (g->utc ? gmtime_r(&t, &tm) == NULL :
			    localtime_r(&t, &tm) == NULL)
				continue;
			strftime(label, sizeof(label), daily ? "%Y-%m-%d" :
			    "%Y-%m-%d %H %Z", &tm);
		}
		if (have && strcmp(label, prev) != 0) {
			fprintf(f, "%-17s", prev);
			for (c = 0; c < H_NCOL; c++)
				fprintf(f, " %9llu", (unsigned long long)row[c]);
			putc('\n', f);
			memset(row, 0, sizeof(row));
			have = 0;
		}
		if (i == g->nhours)
			break;
		for (c = 0; c < H_NCOL; c++)
			row[c] += g->hours[i][c];
		snprintf(prev, sizeof(prev), "%s", label);
		have = 1;
	}
}

/* The senders with the most messages. */
static void
dg_senders(FILE *f, struct report_list *l)
{
	const struct account_report	*r;
	char				 name[256];
	size_t				 i;

	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), dg_by_messages);
	dg_title(f, "Senders by message count (logins)");
	for (i = 0; i < l->n && i < DG_TOP && l->v[i].messages > 0; i++) {
		r = &l->v[i];
		fprintf(f, " %8llu   %s (%s%llu address%s, %s)\n",
		    (unsigned long long)r->messages, dg_fit(name,
		    sizeof(name), r->account, 40),
		    r->auth_ips_exact ? "" : "~",
		    (unsigned long long)r->auth_ips, r->auth_ips == 1 ? "" :
		    "es", r->allowed ? "allowed" : level_name(r->peak_level));
	}
	if (i == 0)
		fputs("none\n", f);
}

static int	 dg_sort_fails;

/* Addresses by accounts used (or failures), then messages. */
static int
dg_by_ip(const void *a, const void *b)
{
	const struct dg_ip *x = *(const struct dg_ip *const *)a;
	const struct dg_ip *y = *(const struct dg_ip *const *)b;

	if (dg_sort_fails && x->fails != y->fails)
		return x->fails > y->fails ? -1 : 1;
	if (!dg_sort_fails && x->nacct + x->more != y->nacct + y->more)
		return x->nacct + x->more > y->nacct + y->more ? -1 : 1;
	if (x->messages + x->logins != y->messages + y->logins)
		return x->messages + x->logins > y->messages + y->logins ?
		    -1 : 1;
	return memcmp(&x->ip, &y->ip, sizeof(x->ip));
}

/* Addresses that logged in as several accounts; failed logins. */
static void
dg_addresses(FILE *f, const struct scan_digest *g)
{
	const struct dg_ip	**v;
	char			 ip[64], line[256];
	size_t			 i, n;

	v = xcalloc(g->nip + 1, sizeof(*v));
	for (i = 0; i < g->nip; i++)
		v[i] = &g->ips[i];
	dg_sort_fails = 0;
	if (g->nip > 1)
		qsort(v, g->nip, sizeof(*v), dg_by_ip);
	dg_title(f, "Login addresses used by several accounts");
	for (i = n = 0; i < g->nip && n < DG_TOP; i++) {
		if (v[i]->nacct < 2)
			break;
		inet_ntop(v[i]->ip.family == 4 ? AF_INET : AF_INET6,
		    v[i]->ip.bytes, ip, sizeof(ip));
		fprintf(f, " %7u%s  accounts from %s (%llu messages, %llu "
		    "logins)\n", v[i]->nacct, v[i]->more ? "+" : " ", ip,
		    (unsigned long long)v[i]->messages,
		    (unsigned long long)v[i]->logins);
		n++;
	}
	if (n == 0)
		fputs("none\n", f);
	dg_sort_fails = 1;
	if (g->nip > 1)
		qsort(v, g->nip, sizeof(*v), dg_by_ip);
	dg_title(f, "Failed logins by address");
	for (i = n = 0; i < g->nip && n < DG_TOP && v[i]->fails > 0; i++) {
		inet_ntop(v[i]->ip.family == 4 ? AF_INET : AF_INET6,
		    v[i]->ip.bytes, ip, sizeof(ip));
		dg_fit(line, sizeof(line), v[i]->fail_acct, 32);
		fprintf(f, " %8llu   %s%s%s%s\n",
		    (unsigned long long)v[i]->fails, ip, line[0] != '\0' ?
		    " (as " : "", line, line[0] != '\0' ? ", ...)" : "");
		n++;
	}
	if (n == 0)
		fputs("none\n", f);
	free(v);
}

/* Most frequent first, then by text. */
static int
dg_by_count(const void *a, const void *b)
{
	const struct dg_reason *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->text, y->text);
}

/* A table of reasons, most frequent first. */
static void
dg_reasons(FILE *f, const char *title, struct dg_reasons *r)
{
	char	 line[DG_REASON_LEN * 4 + 1];
	size_t	 i, n, cut;
	int	 cols;

	if (r->n > 1)
		qsort(r->v, r->n, sizeof(*r->v), dg_by_count);
	dg_title(f, title);
	for (i = 0; i < r->n && i < DG_TOP; i++) {
		n = strlen(r->v[i].text);
		cut = n > DG_REASON_SHOWN ? text_fit(r->v[i].text, n,
		    DG_REASON_SHOWN - 3, &cols) : n;
		sanitize_line(line, sizeof(line), r->v[i].text, cut);
		fprintf(f, " %8llu   %s%s\n", (unsigned long long)r->v[i].n,
		    line, cut < n ? "..." : "");
	}
	if (r->n > DG_TOP || r->other > 0)
		fprintf(f, "          and %zu more reason%s\n", r->n - (r->n >
		    DG_TOP ? DG_TOP : r->n) + (size_t)r->other,
		    r->n - (r->n > DG_TOP ? DG_TOP : r->n) + r->other == 1 ?
		    "" : "s");
	if (r->n == 0)
		fputs("none\n", f);
}

/* See scan_digest.h. */
int
scan_digest_print(FILE *f, struct scan_digest *g, struct detector *d,
    const struct scan_stats *st, char *const *files, int nfiles)
{
	struct report_list	 l;
	int			 found;

	report_accounts(d, LEVEL_OK, &l);
	dg_header(f, g, st, files, nfiles);
	dg_totals(f, g, d, st);
	found = dg_flagged(f, g, &l);
	dg_traffic(f, g);
	dg_senders(f, &l);
	dg_addresses(f, g);
	dg_reasons(f, "message deferral detail", &g->defer);
	dg_reasons(f, "message bounce detail", &g->bounce);
	dg_reasons(f, "message reject detail", &g->reject);
	free(l.v);
	return found > 0 ? EXIT_FOUND : EXIT_CLEAN;
}
