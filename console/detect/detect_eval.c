/*
 * detect_eval.c: per-account signals, levels, score and reasons (the rules
 * are documented in detector.h).
 *
 * detect_update runs after every event that changes an account, so it is
 * O(1): window sums are kept incrementally, distinct counts come from
 * ipwindow.  Reasons are formatted only when a report is asked for
 * (detect_why.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect_int.h"

/* The kind of evidence of each signal. */
const uint8_t detect_sig_kind[SIG_COUNT] = {
	[SIG_AUTH_IPS] = DETECT_EV_LOGINS, [SIG_AUTH_NETS] = DETECT_EV_LOGINS,
	[SIG_NEW_IPS] = DETECT_EV_LOGINS, [SIG_NEW_NETS] = DETECT_EV_LOGINS,
	[SIG_COUNTRIES] = DETECT_EV_LOGINS, [SIG_NEW_BURST] = DETECT_EV_LOGINS,
	[SIG_NEW_FANOUT] = DETECT_EV_VOLUME,
	[SIG_MSG_RATE] = DETECT_EV_VOLUME, [SIG_RCPT_RATE] = DETECT_EV_VOLUME,
	[SIG_BASELINE] = DETECT_EV_VOLUME, [SIG_FANOUT] = DETECT_EV_VOLUME,
	[SIG_QUEUE_SHARE] = DETECT_EV_VOLUME,
	[SIG_FAIL_RATIO] = DETECT_EV_DELIVERY,
	[SIG_GUESSED] = DETECT_EV_PASSWORD,
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

/* The busiest minute of the account's ring, in messages. */
static uint32_t
eval_busiest_minute(const struct detector *d, const struct account *a)
{
	uint32_t	 m = 0;
	int		 i;

	for (i = 0; i < d->nb; i++)
		if (a->ring[i].msgs > m)
			m = a->ring[i].msgs;
	return m;
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
		a->win_fresh = 0;
	} else {
		for (t = a->ring_min + 1; t <= m; t++) {
			b = &a->ring[eval_slot(d, t)];
			a->win_msgs -= b->msgs;
			a->win_rcpts -= b->rcpts;
			a->win_att -= b->att;
			a->win_fail -= b->fail;
			a->win_fresh -= b->fresh;
			memset(b, 0, sizeof(*b));
		}
	}
	a->ring_min = m;
	/* once a minute, not per message: detect_bucket's caller raises it */
	a->busiest = eval_busiest_minute(d, a);
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

/*
 * Whether evidence holds two kinds, at least one of them about who sends:
 * volume and bounces together still only say what the mail is like.
 */
static int
eval_two_kinds(unsigned evidence)
{
	return (evidence & (evidence - 1)) != 0 &&
	    (evidence & ~(unsigned)EV_SECONDARY) != 0;
}

/*
 * detect_prof_usual, found once an hour: the earlier days it reads do not
 * change (a seeded hour resets usual_hour), and a burst asks on every
 * message.
 */
static int64_t
eval_usual(const struct detector *d, struct account *a)
{
	int64_t	 h = d->now >= 0 ? d->now / 3600 : -((-d->now + 3599) / 3600);

	if (a->usual_hour != h || a->usual < 0 || a->prof == NULL) {
		a->usual = (int32_t)detect_prof_usual(d, a);
		a->usual_hour = h;
	}
	return a->usual;
}

/*
 * Keys new to the account in the novelty window beyond its usual: the new
 * ones in the 7 days before the window, scaled to the window (to the
 * history there is when it is shorter).
 */
static double
eval_novel(const struct detector *d, const struct account *a,
    struct newcount *c, struct measure *x, int i)
{
	double	 hours = c->w, span;

	newcount_roll(c, d->now);
	span = (double)(d->now - a->first_seen) / 3600.0 - hours;
	if (span > NEWC_BEFORE)
		span = NEWC_BEFORE;
	if (span < 1)
		span = 1;
	x->new_recent[i] = c->recent;
	x->new_before[i] = c->before;
	x->new_usual[i] = c->before * hours / span;
	x->new_sat[i] = newcount_saturated(c);
	return c->recent > x->new_usual[i] ? c->recent - x->new_usual[i] : 0;
}

/*
 * A burst counts as far as the spread of its mail does (at least watch),
 * and the spread no further than the burst, not even in the reasons: a
 * provider's pool of new addresses writing to one domain stays at watch,
 * and one new address (a hotel, a train) writing to many says nothing;
 * both together are two kinds of evidence.
 */
static void
eval_burst_pair(struct measure *x)
{
	uint8_t	 b = x->raw[SIG_NEW_BURST], f = x->raw[SIG_NEW_FANOUT];

	if (b > f && b > LEVEL_WATCH)
		x->eff[SIG_NEW_BURST] = f > LEVEL_WATCH ? f : LEVEL_WATCH;
	if (f > b)
		x->raw[SIG_NEW_FANOUT] = x->eff[SIG_NEW_FANOUT] = b;
}

/*
 * Zeros for a measure's values: copied, which compiles to a few stores,
 * where a memset of them compiles to "rep stos", slow to start.
 */
static const double eval_zero_v[SIG_COUNT];

/* Measure every signal and combine them into a level. */
void
detect_measure(const struct detector *d, struct account *a, struct measure *x)
{
	const struct detect_config *c = &d->cfg;
	double		 mins = c->window / 60.0, rate, minute;
	enum level	 who = LEVEL_OK, cap;
	int64_t		 usual;
	int		 s, groups;

	/* field by field, not a memset: this runs on every event */
	memcpy(x->v, eval_zero_v, sizeof(x->v));
	memset(x->new_recent, 0, sizeof(x->new_recent));
	memset(x->new_before, 0, sizeof(x->new_before));
	memset(x->new_sat, 0, sizeof(x->new_sat));
	x->new_usual[0] = x->new_usual[1] = 0;
	x->usual = 0;
	x->raw_max = LEVEL_OK;
	x->age = d->now - a->first_seen;
	x->no_history = x->age < c->new_ip_min_history ||
	    x->age < c->baseline_min_history;
	x->wide_asn = d->ctx_fn != NULL;
	x->v[SIG_AUTH_IPS] = (double)ipwin_in_window(&a->ips, d->now,
	    c->window, &x->ips_exact);
	x->v[SIG_AUTH_NETS] = (double)ipwin_in_window(&a->nets, d->now,
	    c->window, &x->nets_exact);
	/* a burst shows in its minute long before in the window's average */
	rate = a->win_msgs / mins;
	x->rate = rate;
	minute = (double)a->busiest;
	x->minute_rate = minute > rate;
	x->v[SIG_MSG_RATE] = minute > rate ? minute : rate;
	x->v[SIG_RCPT_RATE] = a->win_rcpts / mins;
	if (rate >= c->baseline_min_rate && rate > 0 &&
	    (usual = eval_usual(d, a)) > 0) {
		x->usual = (double)usual;
		x->v[SIG_BASELINE] = a->win_msgs / x->usual;
	}
	x->v[SIG_FANOUT] = (double)ipwin_in_window(&a->domains, d->now,
	    c->window, &x->domains_exact);
	if (a->win_att > 0 && a->win_att >= (uint64_t)c->ratio_min_attempts)
		x->v[SIG_FAIL_RATIO] = 100.0 * a->win_fail / a->win_att;
	if (a->guessed_n > 0 && d->now - a->guessed_at < c->window)
		x->v[SIG_GUESSED] = a->guessed_n;
	if (a->nov != NULL) {
		x->v[SIG_NEW_IPS] = eval_novel(d, a, &a->nov->addrs, x, 0);
		x->v[SIG_NEW_NETS] = eval_novel(d, a, &a->nov->nets, x, 1);
	}
	if (d->ctx_fn != NULL) {
		ipwin_advance(&a->countries, d->now, 3600);
		x->v[SIG_COUNTRIES] = (double)a->countries.nwin;
	}
	detect_burst_measure(d, a, &x->v[SIG_NEW_BURST],
	    &x->v[SIG_NEW_FANOUT]);
	if (d->queued > 0 && d->queued >= (uint64_t)c->queue_min_messages)
		x->v[SIG_QUEUE_SHARE] = 100.0 * a->queued_now / d->queued;
	x->win_msgs = a->win_msgs;
	x->win_fail = a->win_fail;
	x->win_att = a->win_att;
	x->queued_now = a->queued_now;
	x->queued_total = d->queued;
	x->guessed_ip = a->guessed_ip;
	x->allowed = a->allowed;
	x->from_new = a->win_msgs > 0 && 2 * a->win_fresh > a->win_msgs;

	for (s = 0; s < SIG_COUNT; s++)
		x->raw[s] = x->eff[s] = (uint8_t)eval_limit(&c->limits[s],
		    x->v[s]);
	eval_burst_pair(x);
	for (s = 0; s < SIG_COUNT; s++)
		if (x->raw[s] > x->raw_max)
			x->raw_max = (enum level)x->raw[s];
	/* who is sending: the strongest login signal */
	for (s = 0; s < SIG_COUNT; s++)
		if (!(detect_sig_kind[s] & EV_SECONDARY) && x->eff[s] > who)
			who = (enum level)x->eff[s];
	if (who < LEVEL_WATCH && x->from_new)
		who = LEVEL_WATCH;
	/* what the mail is like counts one level above who sends it */
	cap = who == LEVEL_OK ? LEVEL_WATCH : who + 1 > LEVEL_CRITICAL ?
	    LEVEL_CRITICAL : (enum level)(who + 1);
	x->level = LEVEL_OK;
	groups = 0;
	for (s = 0; s < SIG_COUNT; s++) {
		if ((detect_sig_kind[s] & EV_SECONDARY) && x->eff[s] > cap)
			x->eff[s] = (uint8_t)cap;
		if (x->eff[s] > x->level)
			x->level = (enum level)x->eff[s];
		if (x->eff[s] >= LEVEL_SUSPICIOUS)
			groups |= detect_sig_kind[s];
	}
	x->evidence = (unsigned)groups;
	/* Two or more kinds at suspicious, one of them who sends: one level
	   up. */
	if (eval_two_kinds(x->evidence) && x->level < LEVEL_CRITICAL)
		x->level++;
	if (a->allowed) {
		x->level = LEVEL_OK;
		x->evidence = 0;
	}
}

/* Remember x as the account's worst moment when it is worse than the last. */
static void
eval_keep_peak(struct detector *d, struct account *a, const struct measure *x)
{
	struct peak_snap	*p = a->peak_snap;
	double			 w = 0;
	int			 s;

	for (s = 0; s < SIG_COUNT; s++)
		if (d->cfg.limits[s].watch > 0 && DETECT_SIG_SCORED(s))
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
	detect_measure(d, a, &x);
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
	if (x.level == LEVEL_CRITICAL && a->confirmed_at < 0 &&
	    eval_two_kinds(x.evidence)) {
		/* critical on two kinds: what containment may act on */
		if (a->confirm_snap == NULL &&
		    (a->confirm_snap = malloc(sizeof(*a->confirm_snap))) != NULL)
			d->mem += sizeof(*a->confirm_snap);
		if (a->confirm_snap != NULL) {
			a->confirm_snap->x = x;
			a->confirm_snap->weight = 0;
			a->confirm_snap->at = d->now;
			a->confirm_snap->messages = a->messages;
		}
		a->confirmed_at = d->at >= 0 ? d->at : d->now;
		a->confirmed_ev = (uint8_t)x.evidence;
		if (d->on_confirm != NULL)
			d->on_confirm(d->on_confirm_arg, a->name);
	}
}
