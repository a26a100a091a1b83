/*
 * detect_eval.c: per-account signals, levels, score and reasons (the rules
 * are documented in detector.h).
 *
 * detect_update runs after every event that changes an account, so it is
 * O(1): window sums are kept incrementally, distinct counts come from
 * ipwindow.  Reasons are formatted only when a report is asked for.
 */
#include <arpa/inet.h>
#include <sys/socket.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect_int.h"

/* Signals that measure volume, not anomaly: alone they stop at watch. */
static const uint8_t sig_volume[SIG_COUNT] = {
	[SIG_MSG_RATE] = 1, [SIG_RCPT_RATE] = 1, [SIG_FANOUT] = 1,
	[SIG_QUEUE_SHARE] = 1,
};

/* Independent groups for the two-signals bump (one bit each). */
static const uint8_t sig_group[SIG_COUNT] = {
	[SIG_AUTH_IPS] = 0x01, [SIG_AUTH_NETS] = 0x01,
	[SIG_MSG_RATE] = 0x02, [SIG_RCPT_RATE] = 0x02, [SIG_FANOUT] = 0x02,
	[SIG_QUEUE_SHARE] = 0x02,
	[SIG_BASELINE] = 0x04, [SIG_FAIL_RATIO] = 0x08, [SIG_GUESSED] = 0x10,
	[SIG_NEW_IPS] = 0x01,
};

/* What the signals measured for one account, with what reasons need. */
struct measure {
	double		 v[SIG_COUNT];
	enum level	 raw[SIG_COUNT];	/* by threshold alone */
	enum level	 eff[SIG_COUNT];	/* after the volume rule */
	enum level	 level;
	enum level	 raw_max;		/* highest raw level */
	int		 ips_exact;
	int		 nets_exact;
	int		 domains_exact;
	double		 base_rate;		/* earlier msgs/min */
	/* context the reason texts quote */
	uint64_t	 win_fail, win_att;
	uint64_t	 queued_now, queued_total;
	struct mail_ip	 guessed_ip;
	int		 allowed;
};

/*
 * The worst moment of an account: its measure when its level was highest
 * and, at that level, its signals furthest past their watch thresholds.
 * Offline scans report this, since by the end of a log an incident's
 * windows have usually aged out.  Allocated once the account reaches watch.
 */
struct peak_snap {
	struct measure	 x;
	double		 weight;
	int64_t		 at;
};

/* Floor of t / 60. */
static int64_t
eval_minute(int64_t t)
{
	return t >= 0 ? t / 60 : -((-t + 59) / 60);
}

/* Ring slot for minute m. */
static int
eval_slot(const struct detector *d, int64_t m)
{
	return (int)(((m % d->nb) + d->nb) % d->nb);
}

void
detect_roll(struct detector *d, struct account *a)
{
	struct acct_bucket	*b;
	int64_t			 m = eval_minute(d->now), t;

	if (m <= a->ring_min)
		return;
	if (m - a->ring_min >= d->nb) {
		memset(a->ring, 0, (size_t)d->nb * sizeof(*a->ring));
		a->win_msgs = a->win_rcpts = a->win_att = a->win_fail = 0;
		a->win_newip = 0;
	} else {
		for (t = a->ring_min + 1; t <= m; t++) {
			b = &a->ring[eval_slot(d, t)];
			a->win_msgs -= b->msgs;
			a->win_rcpts -= b->rcpts;
			a->win_att -= b->att;
			a->win_fail -= b->fail;
			a->win_newip -= b->newip;
			memset(b, 0, sizeof(*b));
		}
	}
	a->ring_min = m;
}

struct acct_bucket *
detect_bucket(const struct detector *d, struct account *a)
{
	return &a->ring[eval_slot(d, a->ring_min)];
}

/* The level a value reaches against one signal's thresholds. */
static enum level
eval_limit(const struct signal_limits *l, double v)
{
	if (l->critical > 0 && v >= l->critical)
		return LEVEL_CRITICAL;
	if (l->suspicious > 0 && v >= l->suspicious)
		return LEVEL_SUSPICIOUS;
	if (l->watch > 0 && v >= l->watch)
		return LEVEL_WATCH;
	return LEVEL_OK;
}

/* Measure every signal and combine them into a level. */
static void
eval_measure(const struct detector *d, const struct account *a,
    struct measure *x)
{
	const struct detect_config *c = &d->cfg;
	double		 mins = c->window / 60.0, rate, hist, before;
	int		 s, corroborated = 0, groups = 0;

	memset(x, 0, sizeof(*x));
	x->v[SIG_AUTH_IPS] = (double)ipwin_in_window(&a->ips, d->now,
	    c->window, &x->ips_exact);
	x->v[SIG_AUTH_NETS] = (double)ipwin_in_window(&a->nets, d->now,
	    c->window, &x->nets_exact);
	rate = a->win_msgs / mins;
	x->v[SIG_MSG_RATE] = rate;
	x->v[SIG_RCPT_RATE] = a->win_rcpts / mins;
	if (d->now - a->first_seen >= c->baseline_min_history &&
	    rate >= c->baseline_min_rate && rate > 0) {
		/* Earlier rate: messages before the window over the time
		   before it, at least one message per that time. */
		hist = (double)(d->now - c->window - a->first_seen) / 60.0;
		if (hist < 1)
			hist = 1;
		before = (double)(a->messages - a->win_msgs);
		if (before < 1)
			before = 1;
		x->base_rate = before / hist;
		x->v[SIG_BASELINE] = rate / x->base_rate;
	}
	x->v[SIG_FANOUT] = (double)ipwin_in_window(&a->domains, d->now,
	    c->window, &x->domains_exact);
	if (a->win_att > 0 && a->win_att >= (uint64_t)c->ratio_min_attempts)
		x->v[SIG_FAIL_RATIO] = 100.0 * a->win_fail / a->win_att;
	if (a->guessed_n > 0 && d->now - a->guessed_at < c->window)
		x->v[SIG_GUESSED] = a->guessed_n;
	x->v[SIG_NEW_IPS] = (double)a->win_newip;
	if (d->queued > 0 && d->queued >= (uint64_t)c->queue_min_messages)
		x->v[SIG_QUEUE_SHARE] = 100.0 * a->queued_now / d->queued;
	x->win_fail = a->win_fail;
	x->win_att = a->win_att;
	x->queued_now = a->queued_now;
	x->queued_total = d->queued;
	x->guessed_ip = a->guessed_ip;
	x->allowed = a->allowed;

	for (s = 0; s < SIG_COUNT; s++) {
		x->raw[s] = eval_limit(&c->limits[s], x->v[s]);
		if (x->raw[s] > x->raw_max)
			x->raw_max = x->raw[s];
		if (!sig_volume[s] && x->raw[s] >= LEVEL_WATCH)
			corroborated = 1;
	}
	x->level = LEVEL_OK;
	for (s = 0; s < SIG_COUNT; s++) {
		x->eff[s] = x->raw[s];
		if (sig_volume[s] && !corroborated && x->eff[s] > LEVEL_WATCH)
			x->eff[s] = LEVEL_WATCH;
		if (x->eff[s] > x->level)
			x->level = x->eff[s];
		if (x->eff[s] >= LEVEL_SUSPICIOUS)
			groups |= sig_group[s];
	}
	/* Two or more independent groups at suspicious: one level up. */
	if ((groups & (groups - 1)) != 0 && x->level < LEVEL_CRITICAL)
		x->level++;
	if (a->allowed)
		x->level = LEVEL_OK;
}

/* Remember x as the account's worst moment when it is worse than the last. */
static void
eval_keep_peak(struct detector *d, struct account *a, const struct measure *x)
{
	struct peak_snap	*p = a->peak_snap;
	double			 w = 0;
	int			 s;

	for (s = 0; s < SIG_COUNT; s++)
		if (d->cfg.limits[s].watch > 0)
			w += x->v[s] / d->cfg.limits[s].watch;
	if (p != NULL && (x->level < p->x.level ||
	    (x->level == p->x.level && w <= p->weight)))
		return;
	if (p == NULL) {
		if ((p = malloc(sizeof(*p))) == NULL)
			return;
		d->mem += sizeof(*p);
		a->peak_snap = p;
	}
	p->x = *x;
	p->weight = w;
	p->at = d->now;
}

void
detect_update(struct detector *d, struct account *a)
{
	struct measure	 x;
	int		 w = d->cfg.window;

	detect_roll(d, a);
	ipwin_advance(&a->ips, d->now, w);
	ipwin_advance(&a->nets, d->now, w);
	ipwin_advance(&a->domains, d->now, w);
	eval_measure(d, a, &x);
	if (x.level != a->level && d->on_level != NULL)
		d->on_level(d->on_level_arg, a->name, (enum level)a->level,
		    x.level);
	a->level = (uint8_t)x.level;
	if (x.level > a->peak)
		a->peak = (uint8_t)x.level;
	if (x.level >= LEVEL_WATCH || (a->allowed && x.raw_max >= LEVEL_WATCH))
		eval_keep_peak(d, a, &x);
	if (x.level >= LEVEL_SUSPICIOUS && a->flagged_at < 0) {
		/* the log time of the line that did it: the same whether the
		   log was followed live or read again later */
		a->flagged_at = d->at >= 0 ? d->at : d->now;
		a->messages_before_flag = a->messages;
	}
}

/* An integer with thousands separators. */
static const char *
eval_count(char *buf, size_t sz, uint64_t n)
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
eval_value(char *buf, size_t sz, double v)
{
	if (v < 0)
		v = 0;
	if (v > 0 && v < 0.1) {
		/* a quiet account's earlier rate: "0.0074", not "0.0" */
		snprintf(buf, sz, "%.2g", v);
		return buf;
	}
	if (v >= 10 || v == floor(v))
		return eval_count(buf, sz, (uint64_t)(v + 0.5));
	snprintf(buf, sz, "%.1f", v);
	return buf;
}

/* The threshold signal s reached in x (its level's). */
static double
eval_threshold(const struct detector *d, const struct measure *x, int s)
{
	const struct signal_limits *l = &d->cfg.limits[s];

	return x->raw[s] == LEVEL_CRITICAL ? l->critical :
	    x->raw[s] == LEVEL_SUSPICIOUS ? l->suspicious : l->watch;
}

/* Format the text for signal s of account a into buf. */
static void
eval_reason(const struct detector *d, const struct measure *x, int s,
    char *buf, size_t sz)
{
	double		 t = eval_threshold(d, x, s);
	char		 v[32], th[32], n1[32], n2[32], win[24];
	char		 ip[INET6_ADDRSTRLEN];
	const char	*lv = level_name(x->raw[s]), *pre, *cap;

	pre = x->allowed ? "allow-listed: " : "";
	cap = x->eff[s] < x->raw[s] ? "; counts as watch without other signs" :
	    "";
	if (d->cfg.window % 60 == 0)
		snprintf(win, sizeof(win), "%d min", d->cfg.window / 60);
	else
		snprintf(win, sizeof(win), "%d s", d->cfg.window);
	eval_value(v, sizeof(v), x->v[s]);
	eval_value(th, sizeof(th), t);
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
		snprintf(buf, sz, "%s%s msgs/min in the last %s (%s at %s%s)",
		    pre, v, win, lv, th, cap);
		break;
	case SIG_RCPT_RATE:
		snprintf(buf, sz, "%s%s recipients/min in the last %s "
		    "(%s at %s%s)", pre, v, win, lv, th, cap);
		break;
	case SIG_BASELINE:
		snprintf(buf, sz, "%s%s msgs/min, %sx its earlier rate of "
		    "%s/min (%s at %sx)", pre,
		    eval_value(n1, sizeof(n1), x->v[SIG_MSG_RATE]), v,
		    eval_value(n2, sizeof(n2), x->base_rate), lv, th);
		break;
	case SIG_FANOUT:
		snprintf(buf, sz, "%s%s%s recipient domains in %s (%s at %s%s)",
		    pre, x->domains_exact ? "" : "~", v, win, lv, th, cap);
		break;
	case SIG_FAIL_RATIO:
		snprintf(buf, sz, "%s%s%% of deliveries deferred or bounced "
		    "(%s of %s; %s at %s%%)", pre, v,
		    eval_count(n1, sizeof(n1), x->win_fail),
		    eval_count(n2, sizeof(n2), x->win_att), lv, th);
		break;
	case SIG_GUESSED:
		if (inet_ntop(x->guessed_ip.family == 4 ? AF_INET : AF_INET6,
		    x->guessed_ip.bytes, ip, sizeof(ip)) == NULL)
			snprintf(ip, sizeof(ip), "?");
		snprintf(buf, sz, "%s%s failed logins then success from %s "
		    "(%s at %s)", pre, v, ip, lv, th);
		break;
	case SIG_NEW_IPS:
		snprintf(buf, sz, "%s%s logins from IPs new to this account in "
		    "%s (%s at %s)", pre, v, win, lv, th);
		break;
	case SIG_QUEUE_SHARE:
		snprintf(buf, sz, "%sholds %s%% of the queue (%s of %s; "
		    "%s at %s%%%s)", pre, v,
		    eval_count(n1, sizeof(n1), x->queued_now),
		    eval_count(n2, sizeof(n2), x->queued_total), lv, th, cap);
		break;
	default:
		buf[0] = '\0';
		break;
	}
}

/*
 * Format the reasons of measure x, most severe first, into buf (SIG_COUNT
 * texts of DETECT_REASON_LEN bytes); returns how many, and the score.
 * sigs, when not NULL, gets each reason's signal.
 */
static int
eval_reasons(const struct detector *d, const struct measure *x, char *buf,
    const char **out, double *score, int *sigs)
{
	double		 part[SIG_COUNT];
	int		 order[SIG_COUNT], n = 0, s, i, j, t;

	*score = 0;
	for (s = 0; s < SIG_COUNT; s++) {
		part[s] = 0;
		if (d->cfg.limits[s].watch > 0 && x->v[s] > 0)
			part[s] = log2(1 + x->v[s] / d->cfg.limits[s].watch);
		*score += part[s];
		if (x->raw[s] >= LEVEL_WATCH)
			order[n++] = s;
	}
	/* Most severe first: by level, then by how far past watch. */
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
	for (i = 0; i < n && buf != NULL; i++) {
		eval_reason(d, x, order[i], buf + i * DETECT_REASON_LEN,
		    DETECT_REASON_LEN);
		out[i] = buf + i * DETECT_REASON_LEN;
		if (sigs != NULL)
			sigs[i] = order[i];
	}
	return buf != NULL ? n : 0;
}

void
detect_report(struct detector *d, struct account *a, struct account_report *r)
{
	struct measure	 x;
	double		 peak_score;
	int		 exact;

	eval_measure(d, a, &x);
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
	r->rate_now = x.v[SIG_MSG_RATE];
	if ((x.raw_max >= LEVEL_WATCH || a->peak_snap != NULL) &&
	    a->why == NULL) {
		if ((a->why = malloc(2 * SIG_COUNT * DETECT_REASON_LEN)) != NULL)
			d->mem += 2 * SIG_COUNT * DETECT_REASON_LEN;
	}
	r->nreasons = eval_reasons(d, &x, a->why, r->reasons, &r->score,
	    NULL);
	if (a->peak_snap != NULL) {
		r->npeak_reasons = eval_reasons(d, &a->peak_snap->x,
		    a->why == NULL ? NULL : a->why + SIG_COUNT *
		    DETECT_REASON_LEN, r->peak_reasons, &peak_score, NULL);
		r->peak_score = peak_score;
		r->peak_at = a->peak_snap->at;
	} else {
		r->npeak_reasons = r->nreasons;
		memcpy(r->peak_reasons, r->reasons, sizeof(r->reasons));
		r->peak_score = r->score;
	}
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
	const char		 *text[SIG_COUNT];
	double			  score;
	int			  sigs[SIG_COUNT], n, i;

	if (index < 0 || (uint64_t)index >= d->nacct)
		return 0;
	a = d->acct[index];
	detect_report(d, a, &r);	/* makes a->why, as a report does */
	if (a->why == NULL)
		return 0;
	if (peak && a->peak_snap != NULL) {
		m = &a->peak_snap->x;
		n = eval_reasons(d, m, a->why + SIG_COUNT * DETECT_REASON_LEN,
		    text, &score, sigs);
	} else {
		eval_measure(d, a, &x);
		m = &x;
		n = eval_reasons(d, m, a->why, text, &score, sigs);
	}
	for (i = 0; i < n && i < cap; i++) {
		out[i].signal = signal_name(sigs[i]);
		out[i].value = m->v[sigs[i]];
		out[i].threshold = eval_threshold(d, m, sigs[i]);
		out[i].level = m->raw[sigs[i]];
		out[i].text = text[i];
	}
	return i;
}
