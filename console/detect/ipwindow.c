/*
 * ipwindow.c: bounded distinct counts per account (see ipwindow.h).
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "detector.h"
#include "ipwindow.h"
#include "slots.h"
#include "core/dhash.h"

#define EST_P		12
#define EST_M		(1u << EST_P)
#define EST_NOMIN	INT64_MIN	/* bucket holds no minute */

/*
 * The estimator: HyperLogLog registers for all time, one set per minute of
 * the window, and their union for the current window.  The sums of 2^-reg
 * and counts of zero registers are kept up to date so that reading an
 * estimate costs O(1), not O(EST_M).
 */
struct ipwin_est {
	double		 tsum;		/* sum of 2^-total[j] */
	double		 wsum;		/* sum of 2^-win[j] */
	uint32_t	 tzero;		/* registers still 0 in total */
	uint32_t	 wzero;
	int64_t		 wmin;		/* minute win[] was merged for */
	int64_t		*bmin;		/* minute of each bucket */
	uint8_t		*breg;		/* nb buckets of EST_M registers */
	int		 nb;
	uint8_t		 total[EST_M];
	uint8_t		 win[EST_M];
};

/* Floor division of a time by 60: the minute it falls in. */
static int64_t
ipwin_minute(int64_t t)
{
	return t >= 0 ? t / 60 : -((-t + 59) / 60);
}

/* 2^-k exactly, built from the exponent bits to stay clear of libm. */
static double
est_pow2neg(unsigned k)
{
	uint64_t	 bits = (uint64_t)(1023 - k) << 52;
	double		 d;

	memcpy(&d, &bits, sizeof(d));
	return d;
}

/* Raise register j of regs to rho, keeping its sum and zero count. */
static void
est_raise(uint8_t *regs, double *sum, uint32_t *zero, uint32_t j, uint8_t rho)
{
	if (rho <= regs[j])
		return;
	if (regs[j] == 0)
		(*zero)--;
	*sum += est_pow2neg(rho) - est_pow2neg(regs[j]);
	regs[j] = rho;
}

/* Split key into a register index and its HyperLogLog rank. */
static void
est_rank(uint64_t key, uint32_t *j, uint8_t *rho)
{
	uint64_t	 h = dhash_mix(key + DHASH_K1), rest;

	*j = (uint32_t)(h >> (64 - EST_P));
	rest = h << EST_P;
	*rho = rest ? (uint8_t)(__builtin_clzll(rest) + 1) :
	    (uint8_t)(64 - EST_P + 1);
}

/* The HyperLogLog estimate for one register set, with small-range fix. */
static double
est_count(double sum, uint32_t zero)
{
	double	 m = EST_M;
	double	 e = 0.7213 / (1.0 + 1.079 / m) * m * m / sum;

	if (e <= 2.5 * m && zero > 0)
		e = m * log(m / zero);
	return e;
}

/*
 * Rebuild the window union from the minute buckets (once a minute).  The
 * max runs without branches so the compiler vectorises it, and the sum of
 * 2^-reg is taken from a histogram of register values: every term is a
 * multiple of 2^-(64 - EST_P + 1) and the total at most EST_M, so for any
 * register value a real key reaches (below 41) each partial sum is exact
 * and the order of adding does not change the result.
 */
static void
est_merge(struct ipwin_est *e)
{
	uint8_t		 win[EST_M];
	const uint8_t	*restrict r;
	uint8_t		*restrict w = win;
	uint32_t	 j, hist[4][64 - EST_P + 2], n;
	unsigned	 k;
	int		 b;

	memset(win, 0, sizeof(win));
	for (b = 0; b < e->nb; b++) {
		if (e->bmin[b] == EST_NOMIN)
			continue;
		r = e->breg + (size_t)b * EST_M;
		for (j = 0; j < EST_M; j++)
			w[j] = r[j] > w[j] ? r[j] : w[j];
	}
	memcpy(e->win, win, sizeof(win));
	/* four histograms, so that runs of one value do not serialise */
	memset(hist, 0, sizeof(hist));
	for (j = 0; j < EST_M; j += 4) {
		hist[0][win[j]]++;
		hist[1][win[j + 1]]++;
		hist[2][win[j + 2]]++;
		hist[3][win[j + 3]]++;
	}
	e->wsum = 0;
	for (k = 0; k < sizeof(hist[0]) / sizeof(hist[0][0]); k++) {
		n = hist[0][k] + hist[1][k] + hist[2][k] + hist[3][k];
		if (k == 0)
			e->wzero = n;
		if (n != 0)
			e->wsum += (double)n * est_pow2neg(k);
	}
}

/* Bucket for minute m, claimed (and cleared) if it held an older minute. */
static uint8_t *
est_bucket(struct ipwin_est *e, int64_t m)
{
	int	 b = (int)(((m % e->nb) + e->nb) % e->nb);

	if (e->bmin[b] != m) {
		memset(e->breg + (size_t)b * EST_M, 0, EST_M);
		e->bmin[b] = m;
	}
	return e->breg + (size_t)b * EST_M;
}

/* Drop minute buckets that left the window and re-merge, when m moved on. */
static void
est_roll(struct ipwin_est *e, int64_t m)
{
	int	 b;

	if (m <= e->wmin)
		return;
	for (b = 0; b < e->nb; b++)
		if (e->bmin[b] != EST_NOMIN && e->bmin[b] <= m - e->nb)
			e->bmin[b] = EST_NOMIN;
	(void)est_bucket(e, m);
	e->wmin = m;
	est_merge(e);
}

/* Feed one sighting at minute m into every sketch. */
static void
est_see(struct ipwin_est *e, uint64_t key, int64_t m)
{
	uint8_t		*r;
	uint32_t	 j;
	uint8_t		 rho;

	est_rank(key, &j, &rho);
	est_raise(e->total, &e->tsum, &e->tzero, j, rho);
	if (m < e->wmin)	/* out-of-order time: count it as now */
		m = e->wmin;
	r = est_bucket(e, m);
	if (rho > r[j])
		r[j] = rho;
	est_raise(e->win, &e->wsum, &e->wzero, j, rho);
}

/* Size of an estimator with nb minute buckets. */
static size_t
est_size(int nb)
{
	return sizeof(struct ipwin_est) + (size_t)nb * sizeof(int64_t) +
	    (size_t)nb * EST_M;
}

/* Allocate the estimator and seed it with the exact entries. */
static void
est_new(struct ipwin *w, int64_t now, int window, size_t *mem)
{
	struct ipwin_est	*e;
	const struct ipwin_entry *x;
	int			 nb = window / 60 + 1, b;
	int64_t			 m = ipwin_minute(now), lm;
	uint32_t		 j, i;
	uint8_t			 rho;

	if ((e = calloc(1, est_size(nb))) == NULL)
		return;
	*mem += est_size(nb);
	e->nb = nb;
	e->bmin = (int64_t *)(e + 1);
	e->breg = (uint8_t *)(e->bmin + nb);
	for (b = 0; b < nb; b++)
		e->bmin[b] = EST_NOMIN;
	e->tsum = EST_M;
	e->tzero = EST_M;
	e->wmin = m;
	for (i = 0; i < w->n; i++) {
		x = &w->ent[i];
		est_rank(x->key, &j, &rho);
		est_raise(e->total, &e->tsum, &e->tzero, j, rho);
		lm = ipwin_minute(x->last);
		if (now - x->last < window && lm > m - nb && lm <= m) {
			uint8_t	*r = est_bucket(e, lm);

			if (rho > r[j])
				r[j] = rho;
		}
	}
	(void)est_bucket(e, m);
	est_merge(e);
	w->est = e;
}

/* Slot of the hash where key lives or would go. */
static uint32_t
ipwin_probe(const struct ipwin *w, uint64_t key)
{
	return slots_probe(w->slot, 2u * w->cap - 1, w->ent, sizeof(*w->ent),
	    key);
}

/* Remove the key in slot i. */
static void
ipwin_unslot(struct ipwin *w, uint32_t i)
{
	slots_remove(w->slot, 2u * w->cap - 1, w->ent, sizeof(*w->ent), i);
}

/* Take entry idx (1-based) off the list with the given head and tail. */
static void
ipwin_unlink(struct ipwin *w, uint16_t idx, uint16_t *head, uint16_t *tail)
{
	struct ipwin_entry	*e = &w->ent[idx - 1];

	if (e->prev)
		w->ent[e->prev - 1].next = e->next;
	else
		*head = e->next;
	if (e->next)
		w->ent[e->next - 1].prev = e->prev;
	else
		*tail = e->prev;
	e->prev = e->next = 0;
}

/* Put entry idx (1-based) at the front of a list. */
static void
ipwin_push(struct ipwin *w, uint16_t idx, uint16_t *head, uint16_t *tail)
{
	struct ipwin_entry	*e = &w->ent[idx - 1];

	e->prev = 0;
	e->next = *head;
	if (*head)
		w->ent[*head - 1].prev = idx;
	else
		*tail = idx;
	*head = idx;
}

/* Double the exact storage (1 entry at first: most accounts have one
   address, one network, a few domains) and rehash. */
static int
ipwin_grow(struct ipwin *w, size_t *mem)
{
	uint32_t		 ncap = w->cap ? 2u * w->cap : 1, i;
	size_t			 osz, nsz;
	struct ipwin_entry	*ne;

	if (ncap > DETECT_EXACT_IPS)
		ncap = DETECT_EXACT_IPS;
	nsz = ncap * sizeof(*ne) + 2 * ncap * sizeof(uint16_t);
	osz = w->cap * sizeof(*ne) + 2u * w->cap * sizeof(uint16_t);
	if ((ne = malloc(nsz)) == NULL)
		return -1;
	if (w->n)
		memcpy(ne, w->ent, w->n * sizeof(*ne));
	free(w->ent);
	*mem += nsz - osz;
	w->ent = ne;
	w->slot = (uint16_t *)(ne + ncap);
	w->cap = (uint16_t)ncap;
	memset(w->slot, 0, 2 * ncap * sizeof(uint16_t));
	for (i = 0; i < w->n; i++)
		w->slot[ipwin_probe(w, w->ent[i].key)] = (uint16_t)(i + 1);
	return 0;
}

/* A new key with every exact entry taken: recycle the oldest aged-out
   entry, or leave the key to the estimator alone. */
static void
ipwin_overflow(struct ipwin *w, uint64_t key, int64_t now, int window,
    size_t *mem)
{
	struct ipwin_entry	*e;
	uint16_t		 idx;

	if (w->est == NULL) {
		est_new(w, now, window, mem);
		if (w->est != NULL)
			est_see(w->est, key, ipwin_minute(now));
	}
	w->lost = 1;
	if (w->stail == 0) {
		w->dropped = 1;
		w->last_drop = now;
		return;
	}
	idx = w->stail;
	ipwin_unlink(w, idx, &w->shead, &w->stail);
	ipwin_unslot(w, ipwin_probe(w, w->ent[idx - 1].key));
	e = &w->ent[idx - 1];
	e->key = key;
	e->first = e->last = now;
	e->count = 1;
	w->slot[ipwin_probe(w, key)] = idx;
	ipwin_push(w, idx, &w->whead, &w->wtail);
	w->nwin++;
}

/* Copy the window list's oldest sighting into the struct, which the
   account's cache line holds: see ipwin_advance. */
static void
ipwin_note_tail(struct ipwin *w)
{
	w->tail_last = w->wtail != 0 ? w->ent[w->wtail - 1].last : 0;
}

/* ipwin_see, the tail noted on every way out. */
static int
ipwin_see_key(struct ipwin *w, uint64_t key, int64_t now, int window,
    size_t *mem)
{
	struct ipwin_entry	*e;
	uint32_t		 s;
	uint16_t		 idx;

	ipwin_advance(w, now, window);
	if (w->est != NULL)
		est_see(w->est, key, ipwin_minute(now));
	if (w->cap != 0 && (idx = w->slot[ipwin_probe(w, key)]) != 0) {
		e = &w->ent[idx - 1];
		if (now - e->last >= window) {
			ipwin_unlink(w, idx, &w->shead, &w->stail);
			w->nwin++;
		} else
			ipwin_unlink(w, idx, &w->whead, &w->wtail);
		ipwin_push(w, idx, &w->whead, &w->wtail);
		if (now > e->last)
			e->last = now;
		e->count++;
		return 0;
	}
	if (w->n == w->cap) {
		if (w->cap >= DETECT_EXACT_IPS) {
			ipwin_overflow(w, key, now, window, mem);
			return 0;
		}
		if (ipwin_grow(w, mem) == -1) {
			w->lost = 1;
			return -1;
		}
	}
	s = ipwin_probe(w, key);
	idx = (uint16_t)(++w->n);
	e = &w->ent[idx - 1];
	e->key = key;
	e->first = e->last = now;
	e->count = 1;
	w->slot[s] = idx;
	ipwin_push(w, idx, &w->whead, &w->wtail);
	w->nwin++;
	return 1;
}

int
ipwin_see(struct ipwin *w, uint64_t key, int64_t now, int window, size_t *mem)
{
	int	 rc;

	rc = ipwin_see_key(w, key, now, window, mem);
	ipwin_note_tail(w);
	return rc;
}

void
ipwin_advance(struct ipwin *w, int64_t now, int window)
{
	uint16_t	 idx;

	/* tail_last: most calls find nothing to age, and now read no
	   entry to know it */
	while ((idx = w->wtail) != 0 && now - w->tail_last >= window) {
		ipwin_unlink(w, idx, &w->whead, &w->wtail);
		ipwin_push(w, idx, &w->shead, &w->stail);
		w->nwin--;
		ipwin_note_tail(w);
	}
	if (w->est != NULL)
		est_roll(w->est, ipwin_minute(now));
}

uint64_t
ipwin_in_window(const struct ipwin *w, int64_t now, int window, int *exact)
{
	double	 e;

	if (w->est != NULL && w->dropped && now - w->last_drop < window) {
		*exact = 0;
		e = est_count(w->est->wsum, w->est->wzero) + 0.5;
		return e > w->nwin ? (uint64_t)e : w->nwin;
	}
	*exact = 1;
	return w->nwin;
}

uint64_t
ipwin_total(const struct ipwin *w, int *exact)
{
	double	 e;

	*exact = !w->lost;
	if (!w->lost || w->est == NULL)
		return w->n;
	e = est_count(w->est->tsum, w->est->tzero) + 0.5;
	return e > w->n ? (uint64_t)e : w->n;
}

const struct ipwin_entry *
ipwin_find(const struct ipwin *w, uint64_t key)
{
	uint16_t	 idx;

	if (w->cap == 0 || (idx = w->slot[ipwin_probe(w, key)]) == 0)
		return NULL;
	return &w->ent[idx - 1];
}

size_t
ipwin_bytes(const struct ipwin *w)
{
	size_t	 sz = w->cap * sizeof(struct ipwin_entry) +
	    2u * w->cap * sizeof(uint16_t);

	if (w->est != NULL)
		sz += est_size(w->est->nb);
	return sz;
}

void
ipwin_free(struct ipwin *w, size_t *mem)
{
	*mem -= ipwin_bytes(w);
	free(w->ent);
	free(w->est);
	memset(w, 0, sizeof(*w));
}
