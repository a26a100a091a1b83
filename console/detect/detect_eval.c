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

#define WHY_CONFIRMED	1024	/* bytes of the evidence when confirmed */

/* The kind of evidence of each signal. */
static const uint8_t sig_kind[SIG_COUNT] = {
	[SIG_AUTH_IPS] = DETECT_EV_LOGINS, [SIG_AUTH_NETS] = DETECT_EV_LOGINS,
	[SIG_NEW_IPS] = DETECT_EV_LOGINS, [SIG_NEW_NETS] = DETECT_EV_LOGINS,
	[SIG_COUNTRIES] = DETECT_EV_LOGINS,
	[SIG_MSG_RATE] = DETECT_EV_VOLUME, [SIG_RCPT_RATE] = DETECT_EV_VOLUME,
	[SIG_BASELINE] = DETECT_EV_VOLUME, [SIG_FANOUT] = DETECT_EV_VOLUME,
	[SIG_QUEUE_SHARE] = DETECT_EV_VOLUME,
	[SIG_FAIL_RATIO] = DETECT_EV_DELIVERY,
	[SIG_GUESSED] = DETECT_EV_PASSWORD,
};

/* Kinds that say what the mail is like, not who sends it. */
#define EV_SECONDARY	(DETECT_EV_VOLUME | DETECT_EV_DELIVERY)

/* What the signals measured for one account, with what reasons need. */
struct measure {
	double		 v[SIG_COUNT];
	uint8_t		 raw[SIG_COUNT];	/* enum level by threshold alone */
	uint8_t		 eff[SIG_COUNT];	/* after the volume rule */
	enum level	 level;
	enum level	 raw_max;		/* highest raw level */
	unsigned	 evidence;		/* kinds at suspicious or above */
	int		 ips_exact;
	int		 nets_exact;
	int		 domains_exact;
	int		 minute_rate;		/* msg_rate is the busiest minute */
	int		 from_new;		/* mail mostly from new addresses */
	int		 no_history;		/* too young for new and usual */
	int		 wide_asn;		/* networks are AS numbers */
	double		 rate;			/* msgs/min over the window */
	double		 usual;			/* busiest window at this hour
						   before, messages */
	uint32_t	 new_recent[2];		/* addresses, networks new in the
						   novelty window */
	uint32_t	 new_before[2];		/* in the 7 days before it */
	double		 new_usual[2];		/* expected in the window */
	int		 new_sat[2];
	/* context the reason texts quote */
	uint64_t	 win_msgs;
	uint64_t	 win_fail, win_att;
	uint64_t	 queued_now, queued_total;
	int64_t		 age;			/* seconds since first seen */
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
	uint64_t	 messages;	/* the account's by then */
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

/* Measure every signal and combine them into a level. */
static void
eval_measure(const struct detector *d, struct account *a, struct measure *x)
{
	const struct detect_config *c = &d->cfg;
	double		 mins = c->window / 60.0, rate, minute;
	enum level	 who = LEVEL_OK, cap;
	int64_t		 usual;
	int		 s, groups;

	/* field by field, not a memset: this runs on every event */
	memset(x->v, 0, sizeof(x->v));
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

	/* who is sending: the strongest login signal */
	for (s = 0; s < SIG_COUNT; s++) {
		x->raw[s] = (uint8_t)eval_limit(&c->limits[s], x->v[s]);
		if (x->raw[s] > x->raw_max)
			x->raw_max = (enum level)x->raw[s];
		if (!(sig_kind[s] & EV_SECONDARY) && x->raw[s] > who)
			who = (enum level)x->raw[s];
	}
	if (who < LEVEL_WATCH && x->from_new)
		who = LEVEL_WATCH;
	/* what the mail is like counts one level above who sends it */
	cap = who == LEVEL_OK ? LEVEL_WATCH : who + 1 > LEVEL_CRITICAL ?
	    LEVEL_CRITICAL : (enum level)(who + 1);
	x->level = LEVEL_OK;
	groups = 0;
	for (s = 0; s < SIG_COUNT; s++) {
		x->eff[s] = x->raw[s];
		if ((sig_kind[s] & EV_SECONDARY) && x->eff[s] > cap)
			x->eff[s] = (uint8_t)cap;
		if (x->eff[s] > x->level)
			x->level = (enum level)x->eff[s];
		if (x->eff[s] >= LEVEL_SUSPICIOUS)
			groups |= sig_kind[s];
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

/* "6 h", "90 min", "45 s": a duration for a reason. */
static const char *
eval_span(char *buf, size_t sz, int secs)
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
eval_reason(const struct detector *d, const struct measure *x, int s,
    char *buf, size_t sz)
{
	double		 t = eval_threshold(d, x, s);
	char		 v[32], th[32], n1[32], n2[32], win[24], nw[24];
	char		 ip[INET6_ADDRSTRLEN], cap[96];
	const char	*lv = level_name(x->raw[s]), *pre;
	int		 i;

	pre = x->allowed ? "allow-listed: " : "";
	cap[0] = '\0';
	if (x->eff[s] < x->raw[s])
		snprintf(cap, sizeof(cap), "; counts as %s without stronger "
		    "signs of who sends", level_name(x->eff[s]));
	eval_span(win, sizeof(win), d->cfg.window);
	eval_span(nw, sizeof(nw), (d->cfg.novelty_window / 3600) * 3600);
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
		    eval_count(n1, sizeof(n1), x->win_msgs), win, v, win,
		    eval_value(n2, sizeof(n2), x->usual), lv, th, cap);
		break;
	case SIG_FANOUT:
		snprintf(buf, sz, "%s%s%s recipient domains in %s (%s at %s%s)",
		    pre, x->domains_exact ? "" : "~", v, win, lv, th, cap);
		break;
	case SIG_FAIL_RATIO:
		snprintf(buf, sz, "%s%s%% of deliveries deferred or bounced "
		    "(%s of %s; %s at %s%%%s)", pre, v,
		    eval_count(n1, sizeof(n1), x->win_fail),
		    eval_count(n2, sizeof(n2), x->win_att), lv, th, cap);
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
		    eval_count(n1, sizeof(n1), x->new_recent[i]),
		    i == 0 ? "addresses" : x->wide_asn ? "networks (AS)" :
		    "networks (/16, /32)", nw, x->new_sat[i] ? "at least " : "",
		    eval_count(n2, sizeof(n2), x->new_before[i]), lv, th);
		break;
	case SIG_COUNTRIES:
		snprintf(buf, sz, "%s%s countries in the last hour (%s at %s)",
		    pre, v, lv, th);
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
 * A line that is not a signal but says how to read the others: the
 * account is too young for "new" and "usual", or its mail comes from new
 * addresses (why its volume counts); NULL when there is none.
 */
static const char *
eval_note(const struct detector *d, const struct measure *x, char *buf,
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
			eval_span(age, sizeof(age), x->age >= 3600 ?
			    (int)(x->age / 3600) * 3600 :
			    (int)(x->age / 60) * 60);
		eval_span(need, sizeof(need), d->cfg.new_ip_min_history >
		    d->cfg.baseline_min_history ? d->cfg.new_ip_min_history :
		    d->cfg.baseline_min_history);
		snprintf(buf, sz, "no history yet: first seen %s ago; new "
		    "addresses, networks and its usual rate count after %s",
		    age, need);
		return buf;
	}
	for (s = 0; s < SIG_COUNT; s++)
		if ((sig_kind[s] & EV_SECONDARY) &&
		    x->eff[s] >= LEVEL_SUSPICIOUS)
			lifted = 1;
	if (x->from_new && lifted) {
		snprintf(buf, sz, "most of its mail in the last %s came from "
		    "addresses new to this account", eval_span(age,
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
	if (buf == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		eval_reason(d, x, order[i], buf + i * DETECT_REASON_LEN,
		    DETECT_REASON_LEN);
		out[i] = buf + i * DETECT_REASON_LEN;
		if (sigs != NULL)
			sigs[i] = order[i];
	}
	if (eval_note(d, x, buf + n * DETECT_REASON_LEN, DETECT_REASON_LEN) !=
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
eval_evidence_text(const struct detector *d, const struct measure *x,
    char *buf, size_t sz)
{
	char		 one[DETECT_REASON_LEN];
	unsigned	 done = 0;
	size_t		 o = 0;
	int		 s, lvl, n;

	buf[0] = '\0';
	for (lvl = LEVEL_CRITICAL; lvl >= LEVEL_SUSPICIOUS; lvl--)
		for (s = 0; s < SIG_COUNT; s++) {
			if (x->eff[s] != lvl || (done & sig_kind[s]))
				continue;
			done |= sig_kind[s];
			eval_reason(d, x, s, one, sizeof(one));
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
eval_nreasons(const struct measure *x)
{
	int	 s, n = 0;

	for (s = 0; s < SIG_COUNT; s++)
		if (x->raw[s] >= LEVEL_WATCH)
			n++;
	return n > 0 ? n + 1 : 0;
}

/* Make room for n reason texts in a->why (it only grows). */
static void
eval_why_slots(struct detector *d, struct account *a, int n)
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
	r->rate_now = x.rate;
	r->evidence = x.evidence;
	r->peak_evidence = x.evidence;
	r->confirmed_at = a->confirmed_at;
	r->confirmed_evidence = a->confirmed_ev;
	r->messages_before_confirmed = a->confirm_snap != NULL ?
	    a->confirm_snap->messages : 0;
	/* texts only for the reasons there are: most accounts have none */
	now_n = eval_nreasons(&x);
	peak_n = a->peak_snap != NULL ? eval_nreasons(&a->peak_snap->x) : 0;
	if (now_n + peak_n > 0)
		eval_why_slots(d, a, now_n + peak_n);
	r->nreasons = eval_reasons(d, &x, a->why_slots >= now_n ? a->why :
	    NULL, r->reasons, &r->score, NULL);
	if (a->peak_snap != NULL) {
		r->npeak_reasons = eval_reasons(d, &a->peak_snap->x,
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
		eval_evidence_text(d, &a->confirm_snap->x, a->confirm_why,
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
	eval_measure(d, a, &x);
	now_n = eval_nreasons(&x);
	peak_n = a->peak_snap != NULL ? eval_nreasons(&a->peak_snap->x) : 0;
	if (a->why == NULL || a->why_slots < now_n + peak_n)
		return 0;
	if (peak && a->peak_snap != NULL) {
		m = &a->peak_snap->x;
		n = eval_reasons(d, m, a->why + now_n * DETECT_REASON_LEN,
		    text, &score, sigs);
	} else {
		m = &x;
		n = eval_reasons(d, m, a->why, text, &score, sigs);
	}
	for (i = k = 0; i < n && k < cap; i++) {
		if (sigs[i] < 0)
			continue;	/* the note is not a signal */
		out[k].signal = signal_name(sigs[i]);
		out[k].value = m->v[sigs[i]];
		out[k].threshold = eval_threshold(d, m, sigs[i]);
		out[k].level = m->raw[sigs[i]];
		out[k].text = text[i];
		k++;
	}
	return k;
}
