/*
 * scan_server.c: `mailcon scan --by-server` (scan_server.h): a detector
 * per server named by the lines' HOSTNAME, found through a hash of the
 * lowercased names (a central log host's file holds hundreds of hosts
 * and millions of lines).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scan_server.h"
#include "core/exitcodes.h"
#include "core/json.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"
#include "detect/detector.h"

#define SS_MAX		65536	/* servers told apart; the rest: unknown */

struct ss_entry {
	char		*key;		/* lowercased HOSTNAME; NULL: free */
	size_t		 server;	/* index in servers */
};

struct ss_server {
	char		*name;		/* as shown */
	struct detector	*det;
	struct report_list l;		/* filled at print */
};

struct scan_servers {
	const struct mailcon_config *cfg;
	int		 strict;	/* only configured hostnames name one */
	struct ss_entry	*tab;
	size_t		 cap, used;
	struct ss_server *v;
	size_t		 n;
	long		 no_host, unknown;	/* their servers, -1: none yet */
	detect_context_fn ctx;
	void		*ctx_arg;
};

/* FNV-1a of the lowercased name. */
static uint64_t
ss_hash(const char *p, size_t len)
{
	uint64_t	 h = 1469598103934665603ULL;

	while (len-- > 0) {
		h ^= (unsigned char)tolower((unsigned char)*p++);
		h *= 1099511628211ULL;
	}
	return h;
}

/* A new server called name. */
static size_t
ss_server_add(struct scan_servers *ss, const char *name)
{
	ss->v = xreallocarray(ss->v, ss->n + 1, sizeof(*ss->v));
	memset(&ss->v[ss->n], 0, sizeof(ss->v[ss->n]));
	ss->v[ss->n].name = xstrdup(name);
	ss->v[ss->n].det = detector_new(&ss->cfg->detect);
	if (ss->ctx != NULL)
		detector_set_context(ss->v[ss->n].det, ss->ctx, ss->ctx_arg);
	return ss->n++;
}

/* The server called name, made when new (the config's servers). */
static size_t
ss_server_named(struct scan_servers *ss, const char *name)
{
	size_t	 i;

	for (i = 0; i < ss->n; i++)
		if (strcmp(ss->v[i].name, name) == 0)
			return i;
	return ss_server_add(ss, name);
}

/* A catch-all's detector (no host, unknown host), made when first used. */
static struct detector *
ss_catchall(struct scan_servers *ss, long *slot, const char *name)
{
	if (*slot < 0)
		*slot = (long)ss_server_add(ss, name);
	return ss->v[*slot].det;
}

/* The slot of key (len bytes) in the table: its entry, or a free one. */
static struct ss_entry *
ss_slot(struct scan_servers *ss, const char *key, size_t len)
{
	size_t	 i = (size_t)ss_hash(key, len) & (ss->cap - 1);

	while (ss->tab[i].key != NULL && (strlen(ss->tab[i].key) != len ||
	    strncasecmp(ss->tab[i].key, key, len) != 0))
		i = (i + 1) & (ss->cap - 1);
	return &ss->tab[i];
}

/* Twice the room, every entry moved. */
static void
ss_grow(struct scan_servers *ss)
{
	struct ss_entry	*old = ss->tab, *e;
	size_t		 i, n = ss->cap;

	ss->cap *= 2;
	ss->tab = xcalloc(ss->cap, sizeof(*ss->tab));
	for (i = 0; i < n; i++) {
		if (old[i].key == NULL)
			continue;
		e = ss_slot(ss, old[i].key, strlen(old[i].key));
		*e = old[i];
	}
	free(old);
}

/* HOSTNAME key names server; the first name given stays. */
static void
ss_add(struct scan_servers *ss, const char *key, size_t server)
{
	struct ss_entry	*e;
	size_t		 i, len = strlen(key);

	if ((ss->used + 1) * 2 > ss->cap)
		ss_grow(ss);
	e = ss_slot(ss, key, len);
	if (e->key != NULL)
		return;
	e->key = xstrdup(key);
	for (i = 0; i < len; i++)
		e->key[i] = (char)tolower((unsigned char)e->key[i]);
	e->server = server;
	ss->used++;
}

/* See scan_server.h. */
struct scan_servers *
scan_servers_new(const struct mailcon_config *cfg)
{
	struct scan_servers	*ss = xcalloc(1, sizeof(*ss));
	size_t			 i;

	ss->cfg = cfg;
	ss->no_host = ss->unknown = -1;
	ss->cap = 1024;
	ss->tab = xcalloc(ss->cap, sizeof(*ss->tab));
	for (i = 0; i < cfg->nservers; i++) {
		if (cfg->servers[i].loghost == NULL)
			continue;
		ss->strict = 1;
		ss_add(ss, server_hostname(&cfg->servers[i]),
		    ss_server_named(ss, cfg->servers[i].name));
	}
	return ss;
}

/* See scan_server.h. */
void
scan_servers_context(struct scan_servers *ss, detect_context_fn fn, void *arg)
{
	size_t	 i;

	ss->ctx = fn;
	ss->ctx_arg = arg;
	for (i = 0; i < ss->n; i++)
		detector_set_context(ss->v[i].det, fn, arg);
}

/* See scan_server.h. */
void
scan_servers_free(struct scan_servers *ss)
{
	size_t	 i;

	if (ss == NULL)
		return;
	for (i = 0; i < ss->cap; i++)
		free(ss->tab[i].key);
	for (i = 0; i < ss->n; i++) {
		free(ss->v[i].name);
		detector_free(ss->v[i].det);
		free(ss->v[i].l.v);
	}
	free(ss->tab);
	free(ss->v);
	free(ss);
}

/* See scan_server.h. */
struct detector *
scan_servers_det(struct scan_servers *ss, const char *host, size_t len)
{
	struct ss_entry	*e;
	char		 name[CONFIG_HOSTNAME_MAX + 1];

	size_t		 i;

	if (len == 0)
		return ss_catchall(ss, &ss->no_host, SCAN_NO_HOST);
	if (!config_hostname_ok(host, len))
		return ss_catchall(ss, &ss->unknown, SCAN_UNKNOWN_HOST);
	e = ss_slot(ss, host, len);
	if (e->key != NULL)
		return ss->v[e->server].det;
	if (ss->strict || ss->n >= SS_MAX)
		return ss_catchall(ss, &ss->unknown, SCAN_UNKNOWN_HOST);
	memcpy(name, host, len);
	name[len] = '\0';
	i = ss_server_add(ss, name);
	ss_add(ss, name, i);
	return ss->v[i].det;
}

/* qsort: servers worst first, then by name; the catch-alls last. */
static int
ss_compare(const void *a, const void *b)
{
	const struct ss_server	*x = a, *y = b;
	int			 cx, cy, lx, ly;

	cx = strcmp(x->name, SCAN_UNKNOWN_HOST) == 0 ||
	    strcmp(x->name, SCAN_NO_HOST) == 0;
	cy = strcmp(y->name, SCAN_UNKNOWN_HOST) == 0 ||
	    strcmp(y->name, SCAN_NO_HOST) == 0;
	if (cx != cy)
		return cx - cy;
	lx = x->l.n > 0 ? (int)x->l.v[0].peak_level : -1;
	ly = y->l.n > 0 ? (int)y->l.v[0].peak_level : -1;
	if (lx != ly)
		return ly - lx;
	return strcmp(x->name, y->name);
}

/* One server's block of the table. */
static void
ss_print_table(FILE *f, const struct ss_server *sv)
{
	char		 name[300];
	size_t		 i;

	sanitize_text(name, sizeof(name), sv->name, strlen(sv->name));
	fprintf(f, "== %s: %zu account%s, %zu critical, %zu suspicious, "
	    "%zu watch\n", name, detector_count(sv->det),
	    detector_count(sv->det) == 1 ? "" : "s",
	    sv->l.by_level[LEVEL_CRITICAL], sv->l.by_level[LEVEL_SUSPICIOUS],
	    sv->l.by_level[LEVEL_WATCH]);
	if (sv->l.n > 0)
		report_row_header(f);
	for (i = 0; i < sv->l.n; i++)
		report_row(f, &sv->l.v[i]);
	fputc('\n', f);
}

/* See scan_server.h. */
int
scan_servers_print(FILE *f, struct scan_servers *ss,
    const struct scan_stats *st, const struct report_options *ro)
{
	struct detect_totals	 t;
	size_t			 i, j, by[LEVEL_CRITICAL + 1], accounts = 0;
	uint64_t		 messages = 0, auth_fail = 0;
	int			 any = 0;

	memset(by, 0, sizeof(by));
	for (i = 0; i < ss->n; i++) {
		report_accounts(ss->v[i].det, ro->min_level, &ss->v[i].l);
		for (j = 0; j <= LEVEL_CRITICAL; j++)
			by[j] += ss->v[i].l.by_level[j];
		accounts += detector_count(ss->v[i].det);
		detector_totals(ss->v[i].det, &t);
		messages += t.messages;
		auth_fail += t.auth_fail;
	}
	if (ss->n > 1)
		qsort(ss->v, ss->n, sizeof(*ss->v), ss_compare);
	if (ro->json) {
		fputs("{\"accounts\":[", f);
		for (i = 0; i < ss->n; i++)
			for (j = 0; j < ss->v[i].l.n; j++) {
				if (any++)
					fputs(",\n", f);
				report_json_account(f, ss->v[i].det,
				    &ss->v[i].l.v[j], ro, ss->v[i].name);
			}
		fputs("],\n\"servers\":[", f);
		for (i = 0; i < ss->n; i++) {
			fputs(i > 0 ? ",\n{\"server\":" : "{\"server\":", f);
			json_cstring(f, ss->v[i].name);
			fprintf(f, ",\"accounts\":%zu,\"critical\":%zu,"
			    "\"suspicious\":%zu,\"watch\":%zu}",
			    detector_count(ss->v[i].det),
			    ss->v[i].l.by_level[LEVEL_CRITICAL],
			    ss->v[i].l.by_level[LEVEL_SUSPICIOUS],
			    ss->v[i].l.by_level[LEVEL_WATCH]);
		}
		fprintf(f, "],\n\"summary\":{\"files\":%d,\"lines\":%llu,"
		    "\"unparsed_lines\":%llu,\"events\":%llu,\"servers\":%zu,"
		    "\"accounts\":%zu,\"critical\":%zu,\"suspicious\":%zu,"
		    "\"watch\":%zu,\"messages\":%llu,\"auth_failures\":%llu}}\n",
		    st->files, (unsigned long long)st->lines,
		    (unsigned long long)st->unparsed,
		    (unsigned long long)st->events, ss->n, accounts,
		    by[LEVEL_CRITICAL], by[LEVEL_SUSPICIOUS], by[LEVEL_WATCH],
		    (unsigned long long)messages,
		    (unsigned long long)auth_fail);
	} else {
		for (i = 0; i < ss->n; i++)
			ss_print_table(f, &ss->v[i]);
		fprintf(f, "%zu servers, %zu accounts: %zu critical, %zu "
		    "suspicious, %zu watch. %llu lines in %d file%s, %llu "
		    "messages, %llu failed logins.\n", ss->n, accounts,
		    by[LEVEL_CRITICAL], by[LEVEL_SUSPICIOUS], by[LEVEL_WATCH],
		    (unsigned long long)st->lines, st->files,
		    st->files == 1 ? "" : "s", (unsigned long long)messages,
		    (unsigned long long)auth_fail);
	}
	return by[LEVEL_SUSPICIOUS] + by[LEVEL_CRITICAL] > 0 ? EXIT_FOUND :
	    EXIT_CLEAN;
}
