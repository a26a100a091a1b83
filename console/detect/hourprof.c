/*
 * hourprof.c: what an account usually sends at this hour (the baseline
 * that knows time) and its novelty counters, both allocated only for the
 * accounts that need them (see detect_int.h).
 *
 * The profile keeps, per hour of each of the last PROF_DAYS days, the
 * most messages the account's sliding window held while that hour ran.
 * Its usual at an hour is the busiest of the same hour, the one before and
 * the one after (a daily send at 06:59 or 07:01, a change of summer time)
 * on each of the 7 days before today; once the account's history covers
 * two weeks, of the same hour of the week one and two weeks ago instead.
 */
#include <stdlib.h>
#include <string.h>

#include "detect_int.h"

/* Floor of t / d. */
static int64_t
prof_div(int64_t t, int64_t d)
{
	return t >= 0 ? t / d : -((-t + d - 1) / d);
}

/*
 * A count in a byte: exact below 64; above, 64 + 12 k + j stands for the
 * counts from 64 * 2^k * (1 + j/12), twelve steps per doubling (within 8%),
 * in integer arithmetic (it runs on every message).
 */
static uint8_t
prof_encode(uint64_t v)
{
	uint64_t	 base;
	int		 k;

	if (v < 64)
		return (uint8_t)v;
	k = 63 - __builtin_clzll(v) - 6;
	if (k > 15)
		return 255;
	base = (uint64_t)64 << k;
	return (uint8_t)(64 + 12 * k + (int)((v - base) * 12 / base));
}

/* The least count a byte stands for. */
static uint64_t
prof_decode(uint8_t c)
{
	int	 k, j;

	if (c < 64)
		return c;
	k = (c - 64) / 12;
	j = (c - 64) % 12;
	return ((uint64_t)64 << k) * (uint64_t)(12 + j) / 12;
}

/* The row that holds day. */
static int
prof_row(int64_t day)
{
	return (int)(((day % PROF_DAYS) + PROF_DAYS) % PROF_DAYS);
}

/* Move the profile's rows to day: rows of days that passed are cleared. */
static void
prof_roll(struct hourprof *p, int64_t day)
{
	int64_t	 t;

	if (day <= p->day)
		return;
	if (day - p->day >= PROF_DAYS)
		memset(p->v, 0, sizeof(p->v));
	else
		for (t = p->day + 1; t <= day; t++)
			memset(p->v[prof_row(t)], 0, sizeof(p->v[0]));
	p->day = day;
}

/* Allocate the profile of a, its rows starting at day. */
static struct hourprof *
prof_get(struct detector *d, struct account *a, int64_t day)
{
	if (a->prof == NULL) {
		if ((a->prof = calloc(1, sizeof(*a->prof))) == NULL)
			return NULL;
		d->mem += sizeof(*a->prof);
		a->prof->day = day;
	}
	prof_roll(a->prof, day);
	return a->prof;
}

/* The byte for absolute hour h, or NULL when h is not kept. */
static uint8_t *
prof_cell(const struct hourprof *p, int64_t h)
{
	int64_t	 day = prof_div(h, 24);

	if (day > p->day || day <= p->day - PROF_DAYS)
		return NULL;
	return (uint8_t *)&p->v[prof_row(day)][h - day * 24];
}

void
detect_prof_note(struct detector *d, struct account *a)
{
	struct hourprof	*p;
	uint8_t		*c, e;
	int64_t		 h = prof_div(d->now, 3600);

	if (a->prof == NULL && a->win_msgs < 2)
		return;
	if ((p = prof_get(d, a, prof_div(h, 24))) == NULL)
		return;
	e = prof_encode(a->win_msgs);
	if ((c = prof_cell(p, h)) != NULL && e > *c)
		*c = e;
}

int
detect_prof_seed(struct detector *d, struct account *a, int64_t hour_start,
    uint32_t msgs)
{
	struct hourprof	*p;
	uint8_t		*c, e;
	int64_t		 h = prof_div(hour_start, 3600), day;

	if (msgs < 2 && a->prof == NULL)
		return 0;
	day = prof_div(h, 24);
	if (a->prof != NULL && a->prof->day > day)
		day = a->prof->day;
	if ((p = prof_get(d, a, day)) == NULL)
		return -1;
	e = prof_encode(msgs);
	if ((c = prof_cell(p, h)) != NULL && e > *c)
		*c = e;
	a->usual_hour = -1;	/* an earlier day changed */
	return 0;
}

int64_t
detect_prof_usual(const struct detector *d, const struct account *a)
{
	int64_t		 h = prof_div(d->now, 3600), best = 1, v;
	uint8_t		*c;
	int		 k, dh, weekly;

	if (d->now - a->first_seen < d->cfg.baseline_min_history)
		return -1;
	if (a->prof == NULL)
		return 1;	/* never two messages in a window */
	weekly = d->now - a->first_seen >= 14 * 86400;
	for (k = weekly ? 7 : 1; k <= (weekly ? 14 : 7); k += weekly ? 7 : 1)
		for (dh = -1; dh <= 1; dh++) {
			/* rows older than the profile's own start read 0 */
			if ((c = prof_cell(a->prof, h - 24 * k + dh)) == NULL)
				continue;
			if ((v = (int64_t)prof_decode(*c)) > best)
				best = v;
		}
	return best;
}

struct acct_novel *
detect_novel(struct detector *d, struct account *a)
{
	int	 w = d->cfg.novelty_window / 3600;

	if (a->nov == NULL) {
		if ((a->nov = malloc(sizeof(*a->nov))) == NULL)
			return NULL;
		d->mem += sizeof(*a->nov);
		newcount_init(&a->nov->addrs, w);
		newcount_init(&a->nov->nets, w);
	}
	return a->nov;
}

void
detect_hist_free(struct detector *d, struct account *a)
{
	if (a->prof != NULL)
		d->mem -= sizeof(*a->prof);
	if (a->nov != NULL)
		d->mem -= sizeof(*a->nov);
	free(a->prof);
	free(a->nov);
	a->prof = NULL;
	a->nov = NULL;
}
