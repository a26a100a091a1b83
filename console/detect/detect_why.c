/*
 * detect_why.c: the reasons of an account's level in plain words, and its
 * report (detect_report, detector_reasons), from the measure detect_eval.c
 * takes.  Formatting happens only when a report is asked for.
 */
#include <arpa/inet.h>
#include <sys/socket.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect_int.h"

#define WHY_CONFIRMED	1024	/* bytes of the evidence when confirmed */

/* An integer with thousands separators. */
static const char *
why_count(char *buf, size_t sz, uint64_t n)
{
	char	 tmp[32];
	size_t	 len, i, o = 0;

	len = (size_t)snprintf(tmp, sizeof(tmp), "%llu",
	    (unsigned long long)n);
	for (i = 0; i < len && o + 2 < sz; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

/* A measured value: whole numbers with separators, else one decimal
   below 10 ("3.1"), none above ("38"), two significant digits below 0.1. */
static const char *
why_value(char *buf, size_t sz, double v)
{
	if (v < 0)
		v = 0;
	if (v > 0 && v < 0.1) {
		/* a quiet account's earlier rate: "0.0074", not "0.0" */
		snprintf(buf, sz, "%.2g", v);
		return buf;
	}
	if (v >= 10 || v == floor(v))
		return why_count(buf, sz, (uint64_t)(v + 0.5));
	snprintf(buf, sz, "%.1f", v);
	return buf;
}

/* The threshold signal s reached in x (its level's). */
static double
why_threshold(const struct detector *d, const struct measure *x, int s)
{
	const struct signal_limits *l = &d->cfg.limits[s];

	return x->raw[s] == LEVEL_CRITICAL ? l->critical :
	    x->raw[s] == LEVEL_SUSPICIOUS ? l->suspicious : l->watch;
}

/* "6 h", "90 min", "45 s": a duration for a reason. */
static const char *
why_span(char *buf, size_t sz, int secs)
{
	if (secs % 86400 == 0)
		snprintf(buf, sz, "%d d", secs / 86400);
	else if (secs % 3600 == 0)
		snprintf(buf, sz, "%d h", secs / 3600);
	else if (secs % 60 == 0)
		snprintf(buf, sz, "%d min", secs / 60);
	else
		snprintf(buf, sz, "%d s", secs);
	return buf;
}

/* Format the text for signal s of account a into buf. */
static void
why_reason(const struct detector *d, const struct measure *x, int s,
    char *buf, size_t sz)
{
	double		 t = why_threshold(d, x, s);
	char		 v[32], th[32], n1[32], n2[32], win[24], nw[24];
	char		 ip[INET6_ADDRSTRLEN], cap[96];
	const char	*lv = level_name(x->raw[s]), *pre;
	int		 i;

	pre = x->allowed ? "allow-listed: " : "";
	cap[0] = '\0';
	if (s == SIG_NEW_BURST && x->eff[s] < x->raw[s])
		snprintf(cap, sizeof(cap), "; counts as %s, as far as the "
		    "domains of their mail do", level_name(x->eff[s]));
	else if (x->eff[s] < x->raw[s])
		snprintf(cap, sizeof(cap), "; counts as %s without stronger "
		    "signs of who sends", level_name(x->eff[s]));
	why_span(win, sizeof(win), d->cfg.window);
	why_span(nw, sizeof(nw), (d->cfg.novelty_window / 3600) * 3600);
	why_value(v, sizeof(v), x->v[s]);
	why_value(th, sizeof(th), t);
	switch (s) {
	case SIG_AUTH_IPS:
		snprintf(buf, sz, "%s%s%s distinct IPs authenticated in %s "
		    "(%s at %s)", pre, x->ips_exact ? "" : "~", v, win, lv, th);
		break;
	case SIG_AUTH_NETS:
		snprintf(buf, sz, "%s%s%s distinct networks (/24, /64) "
		    "authenticated in %s (%s at %s)", pre,
		    x->nets_exact ? "" : "~", v, win, lv, th);
		break;
	case SIG_MSG_RATE:
		if (x->minute_rate)
			snprintf(buf, sz, "%s%s msgs in one minute (%s at "
			    "%s/min%s)", pre, v, lv, th, cap);
		else
			snprintf(buf, sz, "%s%s msgs/min in the last %s (%s at "
			    "%s%s)", pre, v, win, lv, th, cap);
		break;
	case SIG_RCPT_RATE:
		snprintf(buf, sz, "%s%s recipients/min in the last %s "
		    "(%s at %s%s)", pre, v, win, lv, th, cap);
		break;
	case SIG_BASELINE:
		snprintf(buf, sz, "%s%s msgs in %s, %sx the most it sent in %s "
		    "at this hour on earlier days, %s (%s at %sx%s)", pre,
		    why_count(n1, sizeof(n1), x->win_msgs), win, v, win,
		    why_value(n2, sizeof(n2), x->usual), lv, th, cap);
		break;
	case SIG_FANOUT:
		snprintf(buf, sz, "%s%s%s recipient domains in %s (%s at %s%s)",
		    pre, x->domains_exact ? "" : "~", v, win, lv, th, cap);
		break;
	case SIG_FAIL_RATIO:
		snprintf(buf, sz, "%s%s%% of deliveries deferred or bounced "
		    "(%s of %s; %s at %s%%%s)", pre, v,
		    why_count(n1, sizeof(n1), x->win_fail),
		    why_count(n2, sizeof(n2), x->win_att), lv, th, cap);
		break;
	case SIG_GUESSED:
		if (inet_ntop(x->guessed_ip.family == 4 ? AF_INET : AF_INET6,
		    x->guessed_ip.bytes, ip, sizeof(ip)) == NULL)
			snprintf(ip, sizeof(ip), "?");
		snprintf(buf, sz, "%s%s failed logins then success from %s "
		    "(%s at %s)", pre, v, ip, lv, th);
		break;
	case SIG_NEW_IPS:
	case SIG_NEW_NETS:
		i = s == SIG_NEW_NETS;
		snprintf(buf, sz, "%s%s%s %s new to this account in %s; %s%s "
		    "in the 7 days before (%s at %s more than usual)", pre,
		    x->new_sat[i] ? "at least " : "",
		    why_count(n1, sizeof(n1), x->new_recent[i]),
		    i == 0 ? "addresses" : x->wide_asn ? "networks (AS)" :
		    "networks (/16, /32)", nw, x->new_sat[i] ? "at least " : "",
		    why_count(n2, sizeof(n2), x->new_before[i]), lv, th);
		break;
	case SIG_COUNTRIES:
		snprintf(buf, sz, "%s%s countries in the last hour (%s at %s)",
		    pre, v, lv, th);
		break;
	case SIG_NEW_BURST:
		snprintf(buf, sz, "%s%s addresses that never logged in as this "
		    "account before sent mail in %s (%s at %s%s)", pre, v, win,
		    lv, th, cap);
		break;
	case SIG_NEW_FANOUT:
		snprintf(buf, sz, "%s%s recipient domains of the mail from "
		    "those new addresses in %s (%s at %s%s)", pre, v, win, lv,
		    th, cap);
		break;
	case SIG_QUEUE_SHARE:
		snprintf(buf, sz, "%sholds %s%% of the queue (%s of %s; "
		    "%s at %s%%%s)", pre, v,
		    why_count(n1, sizeof(n1), x->queued_now),
		    why_count(n2, sizeof(n2), x->queued_total), lv, th, cap);
		break;
	default:
		buf[0] = '\0';
		break;
	}
}

/*
 * A line that is not a signal but says how to read the others: the
 * account is too young for "new" and "usual", or its mail comes from new
 * addresses (why its volume counts); NULL when there is none.
 */
static const char *
why_note(const struct detector *d, const struct measure *x, char *buf,
    size_t sz)
{
	char	 age[24], need[24];
	int	 s, lifted = 0;

	if (x->raw_max < LEVEL_WATCH)
		return NULL;
	if (x->no_history) {
		/* whole hours or minutes: the line stays put on screen */
		if (x->age < 60)
			snprintf(age, sizeof(age), "less than a minute");
		else
			why_span(age, sizeof(age), x->age >= 3600 ?
			    (int)(x->age / 3600) * 3600 :
			    (int)(x->age / 60) * 60);
		why_span(need, sizeof(need), d->cfg.new_ip_min_history >
		    d->cfg.baseline_min_history ? d->cfg.new_ip_min_history :
		    d->cfg.baseline_min_history);
		snprintf(buf, sz, "no history yet: first seen %s ago; new "
		    "addresses, networks and its usual rate count after %s",
		    age, need);
		return buf;
	}
	for (s = 0; s < SIG_COUNT; s++)
		if ((detect_sig_kind[s] & EV_SECONDARY) &&
		    x->eff[s] >= LEVEL_SUSPICIOUS)
			lifted = 1;
	if (x->from_new && lifted) {
		snprintf(buf, sz, "most of its mail in the last %s came from "
		    "addresses new to this account", why_span(age,
		    sizeof(age), d->cfg.window));
		return buf;
	}
	return NULL;
}

/*
 * Format the reasons of measure x, most severe first, into buf
 * (DETECT_REASONS texts of DETECT_REASON_LEN bytes); returns how many,
 * and the score.  sigs, when not NULL, gets each reason's signal (-1 for
 * the note).
 */
static int
why_reasons(const struct detector *d, const struct measure *x, char *buf,
    const char **out, double *score, int *sigs)
{
	double		 part[SIG_COUNT];
	int		 order[SIG_COUNT], n = 0, s, i, j, t;

	*score = 0;
	for (s = 0; s < SIG_COUNT; s++) {
		part[s] = 0;
		if (d->cfg.limits[s].watch > 0 && x->v[s] > 0)
			part[s] = log2(1 + x->v[s] / d->cfg.limits[s].watch);
		/* the burst's pair restates logins and fan-out: no score */
		if (DETECT_SIG_SCORED(s))
			*score += part[s];
		else
			part[s] = -1 / (1 + part[s]);
		if (x->raw[s] >= LEVEL_WATCH)
			order[n++] = s;
	}
	/* Most severe first: by level, then by how far past watch (the
	   burst's pair after the others of its level). */
	for (i = 1; i < n; i++)
		for (j = i; j > 0; j--) {
			if (x->raw[order[j]] < x->raw[order[j - 1]] ||
			    (x->raw[order[j]] == x->raw[order[j - 1]] &&
			    part[order[j]] <= part[order[j - 1]]))
				break;
			t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	if (buf == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		why_reason(d, x, order[i], buf + i * DETECT_REASON_LEN,
		    DETECT_REASON_LEN);
		out[i] = buf + i * DETECT_REASON_LEN;
		if (sigs != NULL)
			sigs[i] = order[i];
	}
	if (why_note(d, x, buf + n * DETECT_REASON_LEN, DETECT_REASON_LEN) !=
	    NULL) {
		out[n] = buf + n * DETECT_REASON_LEN;
		if (sigs != NULL)
			sigs[n] = -1;
		n++;
	}
	return n;
}

/*
 * The strongest reason of each kind of evidence at suspicious or above in
 * x, "; "-separated, into buf.
 */
static void
why_evidence_text(const struct detector *d, const struct measure *x,
    char *buf, size_t sz)
{
	char		 one[DETECT_REASON_LEN];
	unsigned	 done = 0;
	size_t		 o = 0;
	int		 s, k, lvl, n;

	buf[0] = '\0';
	for (lvl = LEVEL_CRITICAL; lvl >= LEVEL_SUSPICIOUS; lvl--)
		for (k = 0; k < SIG_COUNT; k++) {
			/* a burst's pair first: both kinds in its words */
			s = k < 2 ? SIG_NEW_BURST + k : k - 2;
			if (x->eff[s] != lvl || (done & detect_sig_kind[s]))
				continue;
			done |= detect_sig_kind[s];
			why_reason(d, x, s, one, sizeof(one));
			n = snprintf(buf + o, sz - o, "%s%s", o > 0 ? "; " : "",
			    one);
			if (n < 0 || (size_t)n >= sz - o)
				return;
			o += (size_t)n;
		}
}

/* How many reason texts measure x has at most (signals at watch and a
   note). */
static int
why_nreasons(const struct measure *x)
{
	int	 s, n = 0;

	for (s = 0; s < SIG_COUNT; s++)
		if (x->raw[s] >= LEVEL_WATCH)
			n++;
	return n > 0 ? n + 1 : 0;
}

/* Make room for n reason texts in a->why (it only grows). */
static void
why_why_slots(struct detector *d, struct account *a, int n)
{
	char	*w;

	if (n <= a->why_slots)
		return;
	if ((w = realloc(a->why, (size_t)n * DETECT_REASON_LEN)) == NULL)
		return;
	d->mem += (size_t)(n - a->why_slots) * DETECT_REASON_LEN;
	a->why = w;
	a->why_slots = (uint8_t)n;
}

void
detect_report(struct detector *d, struct account *a, struct account_report *r)
{
	struct measure	 x;
	double		 peak_score;
	int		 exact, now_n, peak_n;

	detect_measure(d, a, &x);
	memset(r, 0, sizeof(*r));
	r->account = a->name;
	r->level = x.level;
	r->peak_level = a->peak;
	r->allowed = a->allowed;
	r->messages = a->messages;
	r->recipients = a->recipients;
	r->auth_ips = ipwin_total(&a->ips, &exact);
	r->auth_ips_exact = exact;
	r->auth_fail = a->auth_fail;
	r->queued_now = a->queued_now;
	r->first_seen = a->first_seen;
	r->last_seen = a->last_seen;
	r->flagged_at = a->flagged_at;
	r->messages_before_flag = a->messages_before_flag;
	r->peak_at = -1;
	r->rate_now = x.rate;
	r->evidence = x.evidence;
	r->peak_evidence = x.evidence;
	r->confirmed_at = a->confirmed_at;
	r->confirmed_evidence = a->confirmed_ev;
	r->messages_before_confirmed = a->confirm_snap != NULL ?
	    a->confirm_snap->messages : 0;
	/* texts only for the reasons there are: most accounts have none */
	now_n = why_nreasons(&x);
	peak_n = a->peak_snap != NULL ? why_nreasons(&a->peak_snap->x) : 0;
	if (now_n + peak_n > 0)
		why_why_slots(d, a, now_n + peak_n);
	r->nreasons = why_reasons(d, &x, a->why_slots >= now_n ? a->why :
	    NULL, r->reasons, &r->score, NULL);
	if (a->peak_snap != NULL) {
		r->npeak_reasons = why_reasons(d, &a->peak_snap->x,
		    a->why_slots >= now_n + peak_n ? a->why + now_n *
		    DETECT_REASON_LEN : NULL, r->peak_reasons, &peak_score, NULL);
		r->peak_score = peak_score;
		r->peak_at = a->peak_snap->at;
		r->peak_evidence = a->peak_snap->x.evidence;
	} else {
		r->npeak_reasons = r->nreasons;
		memcpy(r->peak_reasons, r->reasons, sizeof(r->reasons));
		r->peak_score = r->score;
	}
	if (a->confirm_snap != NULL && a->confirm_why == NULL &&
	    (a->confirm_why = malloc(WHY_CONFIRMED)) != NULL) {
		d->mem += WHY_CONFIRMED;
		why_evidence_text(d, &a->confirm_snap->x, a->confirm_why,
		    WHY_CONFIRMED);
	}
	r->confirmed_why = a->confirm_why;
}

/* See detector.h: the report's reasons again, with their measures. */
int
detector_reasons(struct detector *d, long index, int peak,
    struct reason *out, int cap)
{
	struct account		 *a;
	struct account_report	  r;
	const struct measure	 *m;
	struct measure		  x;
	const char		 *text[DETECT_REASONS];
	double			  score;
	int			  sigs[DETECT_REASONS], now_n, peak_n, n, i, k;

	if (index < 0 || (uint64_t)index >= d->nacct)
		return 0;
	a = d->acct[index];
	detect_report(d, a, &r);	/* makes a->why, as a report does */
	detect_measure(d, a, &x);
	now_n = why_nreasons(&x);
	peak_n = a->peak_snap != NULL ? why_nreasons(&a->peak_snap->x) : 0;
	if (a->why == NULL || a->why_slots < now_n + peak_n)
		return 0;
	if (peak && a->peak_snap != NULL) {
		m = &a->peak_snap->x;
		n = why_reasons(d, m, a->why + now_n * DETECT_REASON_LEN,
		    text, &score, sigs);
	} else {
		m = &x;
		n = why_reasons(d, m, a->why, text, &score, sigs);
	}
	for (i = k = 0; i < n && k < cap; i++) {
		if (sigs[i] < 0)
			continue;	/* the note is not a signal */
		out[k].signal = signal_name(sigs[i]);
		out[k].value = m->v[sigs[i]];
		out[k].threshold = why_threshold(d, m, sigs[i]);
		out[k].level = m->raw[sigs[i]];
		out[k].text = text[i];
		k++;
	}
	return k;
}
