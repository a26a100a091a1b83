/*
 * notify_gate.c: which alerts go out: the same key is told once per dedupe
 * window unless its level rises, and at most rate a minute, counting what
 * is held back so the next one out can say so.
 *
 * The clock is the caller's (tests inject it).  A duplicate is dropped
 * silently: it says nothing new.  An alert held back by the rate is not
 * remembered as told, so if it comes again once there is room it goes out.
 */
#include <stdlib.h>
#include <string.h>

#include "notify_int.h"
#include "core/xmalloc.h"

#define GATE_MINUTE_MS	60000

/* See notify_int.h. */
void
notify_gate_init(struct notify_gate *g, int rate, int dedupe_s)
{
	memset(g, 0, sizeof(*g));
	g->rate = rate > 0 ? rate : 0;
	g->window_ms = dedupe_s > 0 ? (int64_t)dedupe_s * 1000 : 0;
	if (g->rate > 0)
		g->sent = xcalloc((size_t)g->rate, sizeof(*g->sent));
}

/* See notify_int.h. */
void
notify_gate_free(struct notify_gate *g)
{
	size_t	 i;

	for (i = 0; i < g->nkeys; i++)
		free(g->keys[i].key);
	free(g->sent);
	memset(g, 0, sizeof(*g));
}

/* See notify_int.h. */
int
notify_gate_room(const struct notify_gate *g, int64_t now_ms)
{
	return notify_gate_next(g, now_ms) == -1;
}

/* See notify_int.h. */
int64_t
notify_gate_next(const struct notify_gate *g, int64_t now_ms)
{
	int64_t	 free_at;

	if (g->rate == 0 || g->nsent < (size_t)g->rate)
		return -1;
	/* full ring: head is the oldest of the last rate sends */
	free_at = g->sent[g->head] + GATE_MINUTE_MS;
	return free_at <= now_ms ? -1 : free_at;
}

/* See notify_int.h. */
void
notify_gate_spend(struct notify_gate *g, int64_t now_ms)
{
	if (g->rate == 0)
		return;
	if (g->nsent < (size_t)g->rate)
		g->sent[(g->head + g->nsent++) % (size_t)g->rate] = now_ms;
	else {
		g->sent[g->head] = now_ms;
		g->head = (g->head + 1) % (size_t)g->rate;
	}
}

/* Forget keys told longer ago than the window. */
static void
notify_gate_expire(struct notify_gate *g, int64_t now_ms)
{
	size_t	 i = 0;

	while (i < g->nkeys) {
		if (now_ms - g->keys[i].at >= g->window_ms) {
			free(g->keys[i].key);
			g->keys[i] = g->keys[--g->nkeys];
		} else
			i++;
	}
}

/* Remember key told at now with level; the oldest goes when full. */
static void
notify_gate_remember(struct notify_gate *g, struct gate_key *k,
    const char *key, int level, int64_t now_ms)
{
	size_t	 i, old = 0;

	if (k == NULL) {
		if (g->nkeys == NOTIFY_DEDUPE_KEYS) {
			for (i = 1; i < g->nkeys; i++)
				if (g->keys[i].at < g->keys[old].at)
					old = i;
			free(g->keys[old].key);
			k = &g->keys[old];
		} else
			k = &g->keys[g->nkeys++];
		k->key = xstrdup(key);
	}
	k->level = level;
	k->at = now_ms;
}

/* See notify_int.h. */
enum gate_verdict
notify_gate_check(struct notify_gate *g, const char *key, int level,
    int64_t now_ms)
{
	struct gate_key	*k = NULL;
	size_t		 i;

	if (g->window_ms > 0) {
		notify_gate_expire(g, now_ms);
		for (i = 0; i < g->nkeys; i++)
			if (strcmp(g->keys[i].key, key) == 0)
				k = &g->keys[i];
		if (k != NULL && level <= k->level)
			return GATE_DUPLICATE;
	}
	if (!notify_gate_room(g, now_ms)) {
		if (g->held == 0 || level > g->held_level)
			g->held_level = level;
		g->held++;
		return GATE_LIMITED;
	}
	notify_gate_spend(g, now_ms);
	if (g->window_ms > 0)
		notify_gate_remember(g, k, key, level, now_ms);
	return GATE_PASS;
}
