/*
 * store_batch.c: the store's in-memory batch.  Everything here runs on the
 * UI thread (or under the store's lock) and never touches the disk: updates
 * to the same key merge, so a busy second costs one row per key, not one
 * per event.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store_int.h"
#include "core/xmalloc.h"

#define BATCH_MIN_SLOTS	64

/* Hash of the server (exactly) and the account (ignoring ASCII case). */
static uint64_t
batch_hash(const char *server, const char *name)
{
	uint64_t	 h = 1469598103934665603ULL;	/* FNV-1a */
	const char	*p;
	unsigned char	 c;

	for (p = server; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (p = name; *p != '\0'; p++) {
		c = (unsigned char)*p;
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		h = (h ^ c) * 1099511628211ULL;
	}
	return h;
}

/* An empty batch. */
struct batch *
batch_new(void)
{
	struct batch	*b;

	b = xcalloc(1, sizeof(*b));
	b->nslots = BATCH_MIN_SLOTS;
	b->slots = xcalloc(b->nslots, sizeof(*b->slots));
	return b;
}

/* Free a batch and every string it owns. */
void
batch_free(struct batch *b)
{
	struct batch_acct	*a;
	size_t			 i, j;

	if (b == NULL)
		return;
	for (i = 0; i < b->naccts; i++) {
		a = b->accts[i];
		for (j = 0; j < a->nips; j++)
			free(a->ips[j].ip);
		free(a->ips);
		free(a->mins);
		free(a->server);
		free(a->name);
		free(a);
	}
	for (i = 0; i < b->nincs; i++) {
		free((char *)b->incs[i].inc.server);
		free((char *)b->incs[i].inc.account);
		free((char *)b->incs[i].inc.reason);
	}
	for (i = 0; i < b->nfollows; i++) {
		free((char *)b->follows[i].f.server);
		free((char *)b->follows[i].f.path);
	}
	for (i = 0; i < b->nrbls; i++) {
		free((char *)b->rbls[i].r.server);
		free((char *)b->rbls[i].r.ip);
		free((char *)b->rbls[i].r.zone);
		free((char *)b->rbls[i].r.codes);
		free((char *)b->rbls[i].r.reason);
	}
	for (i = 0; i < b->ngaps; i++) {
		free((char *)b->gaps[i].g.server);
		free((char *)b->gaps[i].g.path);
		free((char *)b->gaps[i].g.why);
	}
	free(b->gaps);
	free(b->rbls);
	free(b->incs);
	free(b->follows);
	free(b->accts);
	free(b->slots);
	free(b);
}

/* Nothing to write. */
int
batch_empty(const struct batch *b)
{
	return b->keys == 0;
}

/* Double the slot table and rehash (load stays below one half). */
static void
batch_grow(struct batch *b)
{
	struct batch_acct	**old = b->slots;
	size_t			 n = b->nslots, i, j;

	b->nslots = n * 2;
	b->slots = xcalloc(b->nslots, sizeof(*b->slots));
	for (i = 0; i < n; i++) {
		if (old[i] == NULL)
			continue;
		j = old[i]->hash & (b->nslots - 1);
		while (b->slots[j] != NULL)
			j = (j + 1) & (b->nslots - 1);
		b->slots[j] = old[i];
	}
	free(old);
}

/* The batch's entry for (server, account), made when absent; NULL if full. */
static struct batch_acct *
batch_account(struct batch *b, const char *server, const char *name)
{
	struct batch_acct	*a;
	uint64_t		 h = batch_hash(server, name);
	size_t			 i;

	i = h & (b->nslots - 1);
	while ((a = b->slots[i]) != NULL) {
		if (a->hash == h && strcmp(a->server, server) == 0 &&
		    strcasecmp(a->name, name) == 0)
			return a;
		i = (i + 1) & (b->nslots - 1);
	}
	if (b->keys >= STORE_BATCH_KEYS)
		return NULL;
	a = xcalloc(1, sizeof(*a));
	a->server = xstrdup(server);
	a->name = xstrdup(name);
	a->hash = h;
	b->slots[i] = a;
	if (b->naccts == b->capaccts) {
		b->capaccts = b->capaccts ? b->capaccts * 2 : 64;
		b->accts = xreallocarray(b->accts, b->capaccts,
		    sizeof(*b->accts));
	}
	b->accts[b->naccts++] = a;
	if (b->naccts * 2 > b->nslots)
		batch_grow(b);
	return a;
}

/* Add counters for one account and minute. */
void
batch_add_count(struct batch *b, const char *server, const char *account,
    int64_t minute, const struct store_counts *c)
{
	struct batch_acct	*a;
	struct batch_minute	*m;
	size_t			 i;

	if ((a = batch_account(b, server, account)) == NULL) {
		b->dropped++;
		return;
	}
	/* A batch spans a second or so: one or two minutes per account. */
	for (i = 0; i < a->nmins; i++)
		if (a->mins[i].minute == minute)
			break;
	if (i == a->nmins) {
		if (b->keys >= STORE_BATCH_KEYS) {
			b->dropped++;
			return;
		}
		if (a->nmins == a->capmins) {
			a->capmins = a->capmins ? a->capmins * 2 : 2;
			a->mins = xreallocarray(a->mins, a->capmins,
			    sizeof(*a->mins));
		}
		m = &a->mins[a->nmins++];
		memset(m, 0, sizeof(*m));
		m->minute = minute;
		b->keys++;
	}
	m = &a->mins[i];
	m->c.msgs += c->msgs;
	m->c.rcpts += c->rcpts;
	m->c.auth_ok += c->auth_ok;
	m->c.auth_fail += c->auth_fail;
	m->c.deferred += c->deferred;
	m->c.bounced += c->bounced;
}

/* Note logins from ip between first and last. */
void
batch_add_ip(struct batch *b, const char *server, const char *account,
    const char *ip, int64_t first, int64_t last, uint64_t logins)
{
	struct batch_acct	*a;
	struct batch_ip		*e;
	size_t			 i;

	if ((a = batch_account(b, server, account)) == NULL) {
		b->dropped++;
		return;
	}
	for (i = 0; i < a->nips; i++)
		if (strcmp(a->ips[i].ip, ip) == 0)
			break;
	if (i == a->nips) {
		if (a->nips >= STORE_BATCH_IPS || b->keys >= STORE_BATCH_KEYS) {
			b->dropped++;
			return;
		}
		if (a->nips == a->capips) {
			a->capips = a->capips ? a->capips * 2 : 4;
			a->ips = xreallocarray(a->ips, a->capips,
			    sizeof(*a->ips));
		}
		e = &a->ips[a->nips++];
		e->ip = xstrdup(ip);
		e->first = first;
		e->last = last;
		e->logins = 0;
		b->keys++;
	}
	e = &a->ips[i];
	if (first < e->first)
		e->first = first;
	if (last > e->last)
		e->last = last;
	e->logins += logins;
}

/* Free a string copy, allowing NULL; return a copy of s (or NULL). */
static char *
batch_restr(const char *old, const char *s)
{
	free((char *)old);
	return s == NULL ? NULL : xstrdup(s);
}

/* Record an incident, merging with the same (server, account, opened). */
void
batch_add_incident(struct batch *b, const struct store_incident *inc)
{
	struct store_incident	*e;
	size_t			 i;

	/* Incidents are rare: a linear search is cheaper than a table. */
	for (i = 0; i < b->nincs; i++) {
		e = &b->incs[i].inc;
		if (e->opened == inc->opened &&
		    strcmp(e->server, inc->server) == 0 &&
		    strcasecmp(e->account, inc->account) == 0)
			break;
	}
	if (i == b->nincs) {
		if (b->keys >= STORE_BATCH_KEYS) {
			b->dropped++;
			return;
		}
		if (b->nincs == b->capincs) {
			b->capincs = b->capincs ? b->capincs * 2 : 8;
			b->incs = xreallocarray(b->incs, b->capincs,
			    sizeof(*b->incs));
		}
		e = &b->incs[b->nincs++].inc;
		memset(e, 0, sizeof(*e));
		e->server = xstrdup(inc->server);
		e->account = xstrdup(inc->account);
		e->opened = inc->opened;
		e->peak_level = -1;
		b->keys++;
	}
	e = &b->incs[i].inc;
	if (inc->peak_level > e->peak_level) {
		e->peak_level = inc->peak_level;
		e->reason = batch_restr(e->reason, inc->reason);
	}
	if (inc->closed != 0)
		e->closed = inc->closed;
}

/* Record a follow position; the latest for a (server, path) wins. */
void
batch_add_follow(struct batch *b, const struct store_follow *f)
{
	struct store_follow	*e;
	size_t			 i;

	for (i = 0; i < b->nfollows; i++) {
		e = &b->follows[i].f;
		if (strcmp(e->server, f->server) == 0 &&
		    strcmp(e->path, f->path) == 0)
			break;
	}
	if (i == b->nfollows) {
		if (b->keys >= STORE_BATCH_KEYS) {
			b->dropped++;
			return;
		}
		if (b->nfollows == b->capfollows) {
			b->capfollows = b->capfollows ? b->capfollows * 2 : 8;
			b->follows = xreallocarray(b->follows, b->capfollows,
			    sizeof(*b->follows));
		}
		e = &b->follows[b->nfollows++].f;
		memset(e, 0, sizeof(*e));
		e->server = xstrdup(f->server);
		e->path = xstrdup(f->path);
		b->keys++;
	}
	e = &b->follows[i].f;
	e->inode = f->inode;
	e->offset = f->offset;
	e->head_hash = f->head_hash;
	e->updated = f->updated;
}

/* Record a listing change; changes are rare and kept in order. */
void
batch_add_rbl(struct batch *b, const struct store_rbl *r)
{
	struct store_rbl	*e;

	if (b->keys >= STORE_BATCH_KEYS) {
		b->dropped++;
		return;
	}
	if (b->nrbls == b->caprbls) {
		b->caprbls = b->caprbls ? b->caprbls * 2 : 8;
		b->rbls = xreallocarray(b->rbls, b->caprbls, sizeof(*b->rbls));
	}
	e = &b->rbls[b->nrbls++].r;
	*e = *r;
	e->server = xstrdup(r->server);
	e->ip = xstrdup(r->ip);
	e->zone = xstrdup(r->zone);
	e->codes = r->codes != NULL ? xstrdup(r->codes) : NULL;
	e->reason = r->reason != NULL ? xstrdup(r->reason) : NULL;
	b->keys++;
}

/* Record a gap; gaps are rare, each is its own row. */
void
batch_add_gap(struct batch *b, const struct store_gap *g)
{
	struct store_gap	*e;

	if (b->keys >= STORE_BATCH_KEYS) {
		b->dropped++;
		return;
	}
	if (b->ngaps == b->capgaps) {
		b->capgaps = b->capgaps ? b->capgaps * 2 : 4;
		b->gaps = xreallocarray(b->gaps, b->capgaps, sizeof(*b->gaps));
	}
	e = &b->gaps[b->ngaps++].g;
	*e = *g;
	e->server = xstrdup(g->server);
	e->path = xstrdup(g->path);
	e->why = xstrdup(g->why != NULL ? g->why : "");
	b->keys++;
}

/*
 * Add everything in src to dst (src is left as it was).  Used when a
 * commit was put off: the older batch goes first, then the newer merges
 * in, so "latest wins" still holds for follow positions.
 */
void
batch_merge(struct batch *dst, struct batch *src)
{
	struct batch_acct	*a;
	size_t			 i, j;

	for (i = 0; i < src->naccts; i++) {
		a = src->accts[i];
		for (j = 0; j < a->nmins; j++)
			batch_add_count(dst, a->server, a->name,
			    a->mins[j].minute, &a->mins[j].c);
		for (j = 0; j < a->nips; j++)
			batch_add_ip(dst, a->server, a->name, a->ips[j].ip,
			    a->ips[j].first, a->ips[j].last,
			    a->ips[j].logins);
	}
	for (i = 0; i < src->nincs; i++)
		batch_add_incident(dst, &src->incs[i].inc);
	for (i = 0; i < src->nfollows; i++)
		batch_add_follow(dst, &src->follows[i].f);
	for (i = 0; i < src->nrbls; i++)
		batch_add_rbl(dst, &src->rbls[i].r);
	for (i = 0; i < src->ngaps; i++)
		batch_add_gap(dst, &src->gaps[i].g);
	dst->dropped += src->dropped;
	if (src->now > dst->now)
		dst->now = src->now;
}
