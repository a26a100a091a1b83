/* scan_digest.c: what the --summary digest counts; see scan_digest.h. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scan_digest.h"
#include "scan_digest_int.h"
#include "core/sanitize.h"
#include "core/u64map.h"
#include "core/xmalloc.h"

/* See scan_digest.h. */
struct scan_digest *
scan_digest_new(int utc)
{
	struct scan_digest	*g = xcalloc(1, sizeof(*g));

	g->utc = utc;
	g->hour0 = -1;
	g->cache_lo = g->cache_hi = -1;
	u64map_init(&g->qids, DG_QIDS);
	u64map_init(&g->senders, DG_SET);
	u64map_init(&g->rcpts, DG_SET);
	u64map_init(&g->rdoms, DG_SET);
	u64map_init(&g->ipmap, DG_IPS);
	u64map_init(&g->defer.map, DG_REASONS);
	u64map_init(&g->bounce.map, DG_REASONS);
	u64map_init(&g->reject.map, DG_REASONS);
	return g;
}

/* Free a reason table. */
static void
dg_reasons_free(struct dg_reasons *r)
{
	u64map_free(&r->map);
	free(r->v);
}

/* See scan_digest.h. */
void
scan_digest_free(struct scan_digest *g)
{
	if (g == NULL)
		return;
	u64map_free(&g->qids);
	u64map_free(&g->senders);
	u64map_free(&g->rcpts);
	u64map_free(&g->rdoms);
	u64map_free(&g->ipmap);
	free(g->ips);
	dg_reasons_free(&g->defer);
	dg_reasons_free(&g->bounce);
	dg_reasons_free(&g->reject);
	free(g->hours);
	free(g);
}

/* The UTC start of the logs' zone's hour that holds t. */
static int64_t
dg_hour_start(struct scan_digest *g, int64_t t)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (t >= g->cache_lo && t < g->cache_hi)
		return g->cache_lo;
	if (g->utc ? gmtime_r(&tt, &tm) == NULL :
	    localtime_r(&tt, &tm) == NULL)
		return t - t % 3600;
	g->cache_lo = t - tm.tm_min * 60 - tm.tm_sec;
	g->cache_hi = g->cache_lo + 3600;
	return g->cache_lo;
}

/* Count one event of column c in the hour of t. */
static void
dg_hour(struct scan_digest *g, int64_t t, int c)
{
	int64_t	 h = dg_hour_start(g, t), i;
	size_t	 n;

	if (g->hour0 < 0 || h < g->hour0) {
		if (g->hour0 >= 0 && g->nhours > 0) {
			/* earlier than the first: only a clock would do it */
			g->lost++;
			return;
		}
		g->hour0 = h;
	}
	if ((i = (h - g->hour0) / 3600) >= DG_HOURS) {
		g->lost++;
		return;
	}
	if ((size_t)i >= g->nhours) {
		n = (size_t)i + 1;
		g->hours = xreallocarray(g->hours, n, sizeof(*g->hours));
		memset(g->hours + g->nhours, 0, (n - g->nhours) *
		    sizeof(*g->hours));
		g->nhours = n;
	}
	g->hours[i][c]++;
}

/* The flags of the event's queue id (NULL: none, or the table is full). */
static uint64_t *
dg_qid(struct scan_digest *g, const struct mail_event *ev)
{
	uint64_t	*v;

	if (ev->qid.len == 0)
		return NULL;
	if ((v = u64map_get(&g->qids, u64map_key(ev->qid.p, ev->qid.len, 0),
	    1, NULL)) == NULL)
		g->lost++;
	return v;
}

/* Add an address to a distinct set, its domain lowercased (pflogsumm). */
static void
dg_set_addr(struct scan_digest *g, struct u64map *set,
    const struct mail_str *a, int domain_only)
{
	const char	*at = NULL;
	char		 buf[512];
	size_t		 i, n = a->len;

	for (i = 0; i < n; i++)
		if (a->p[i] == '@')
			at = a->p + i;
	if (domain_only) {
		if (at == NULL)
			return;
		n = (size_t)(a->p + n - at - 1);
		if (n > sizeof(buf))
			n = sizeof(buf);
		memcpy(buf, at + 1, n);
		if (u64map_get(set, u64map_key(buf, n, 1), 1, NULL) == NULL)
			g->lost++;
		return;
	}
	if (n > sizeof(buf))
		n = sizeof(buf);
	memcpy(buf, a->p, n);
	for (i = at != NULL ? (size_t)(at - a->p) : n; i < n; i++)
		if (buf[i] >= 'A' && buf[i] <= 'Z')
			buf[i] = (char)(buf[i] - 'A' + 'a');
	if (u64map_get(set, u64map_key(buf, n, 0), 1, NULL) == NULL)
		g->lost++;
}

/* The record of the event's client address, or NULL. */
static struct dg_ip *
dg_ip(struct scan_digest *g, const struct mail_ip *ip)
{
	uint64_t	*v;
	int		 fresh;

	if (ip->family != 4 && ip->family != 6)
		return NULL;
	if ((v = u64map_get(&g->ipmap, u64map_key(ip, sizeof(*ip), 0), 1,
	    &fresh)) == NULL) {
		g->lost++;
		return NULL;
	}
	if (fresh) {
		if (g->nip == g->ipcap) {
			g->ipcap = g->ipcap ? g->ipcap * 2 : 256;
			g->ips = xreallocarray(g->ips, g->ipcap,
			    sizeof(*g->ips));
		}
		memset(&g->ips[g->nip], 0, sizeof(g->ips[0]));
		g->ips[g->nip].ip = *ip;
		*v = ++g->nip;
	}
	return &g->ips[*v - 1];
}

/* Note the login an address was used for (told apart up to DG_ACCTS). */
static void
dg_ip_account(struct dg_ip *e, const struct mail_str *acct)
{
	uint64_t	 h;
	int		 i;

	if (acct->len == 0)
		return;
	h = u64map_key(acct->p, acct->len, 1);
	for (i = 0; i < e->nacct; i++)
		if (e->acct[i] == h)
			return;
	if (e->nacct < DG_ACCTS)
		e->acct[e->nacct++] = h;
	else
		e->more = 1;
}

/*
 * Count a reason, trimmed as pflogsumm does (no SMTP or enhanced status
 * code, no "connect to ") and escaped: log text.
 */
static void
dg_reason(struct dg_reasons *r, const struct mail_str *why)
{
	const char	*p = why->p, *e = why->p + why->len;
	char		 text[DG_REASON_LEN + 1];
	struct dg_reason *x;
	uint64_t	*v;
	size_t		 n;
	int		 fresh;

	if (e - p > 4 && p[0] >= '2' && p[0] <= '5' && p[3] == ' ')
		p += 4;
	if (e - p > 6 && p[0] >= '2' && p[0] <= '5' && p[1] == '.') {
		const char *q = memchr(p, ' ', (size_t)(e - p));

		if (q != NULL && q - p <= 9)
			p = q + 1;
	}
	if (e - p > 11 && memcmp(p, "connect to ", 11) == 0)
		p += 11;
	n = sanitize_text_utf8(text, sizeof(text), p, (size_t)(e - p));
	if ((v = u64map_get(&r->map, u64map_key(text, n, 0), 1, &fresh)) ==
	    NULL) {
		r->other++;
		return;
	}
	if (fresh) {
		if (r->n == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 64;
			r->v = xreallocarray(r->v, r->cap, sizeof(*r->v));
		}
		x = &r->v[r->n];
		memcpy(x->text, text, n + 1);
		x->n = 0;
		*v = ++r->n;
	}
	r->v[*v - 1].n++;
}

/* See scan_digest.h. */
void
scan_digest_feed(struct scan_digest *g, const struct mail_event *ev)
{
	struct dg_ip	*e;
	uint64_t	*q;

	switch (ev->kind) {
	case EV_SUBMIT:
		g->recv++;
		dg_hour(g, ev->time, H_RECV);
		if ((q = dg_qid(g, ev)) != NULL)
			*q = QF_RECEIVED;	/* a reused id starts over */
		if (ev->account.len > 0 && (e = dg_ip(g, &ev->client)) !=
		    NULL) {
			e->messages++;
			dg_ip_account(e, &ev->account);
		}
		break;
	case EV_QUEUED:
		if ((q = dg_qid(g, ev)) == NULL || (*q & QF_SIZED))
			break;
		*q |= QF_SIZED;
		if (!(*q & QF_RECEIVED))
			break;
		g->bytes += ev->size;
		g->rcpts_env += ev->nrcpt;
		dg_set_addr(g, &g->senders, &ev->sender, 0);
		break;
	case EV_DELIVERED:
		g->dlvr++;
		dg_hour(g, ev->time, H_DLVR);
		dg_set_addr(g, &g->rcpts, &ev->rcpt, 0);
		dg_set_addr(g, &g->rdoms, &ev->rcpt, 1);
		break;
	case EV_DEFERRED:
		g->deferrals++;
		dg_hour(g, ev->time, H_DEFER);
		if ((q = dg_qid(g, ev)) != NULL && !(*q & QF_DEFERRED)) {
			*q |= QF_DEFERRED;
			g->deferred++;
		}
		dg_reason(&g->defer, &ev->reason);
		break;
	case EV_BOUNCED:
		g->bounced++;
		dg_hour(g, ev->time, H_BOUNCE);
		dg_reason(&g->bounce, &ev->reason);
		break;
	case EV_REJECTED:
		g->rejected++;
		dg_hour(g, ev->time, H_REJECT);
		dg_reason(&g->reject, &ev->reason);
		break;
	case EV_HELD:
		g->held++;
		break;
	case EV_EXPIRED:
		g->expired++;
		break;
	case EV_DELETED:
		g->deleted++;
		break;
	case EV_AUTH_OK:
		g->auth_ok++;
		if ((e = dg_ip(g, &ev->client)) != NULL) {
			e->logins++;
			dg_ip_account(e, &ev->account);
		}
		break;
	case EV_AUTH_FAIL:
		/* as the detector: the protocols' lines, not auth's twins */
		if (ev->service == SVC_UNKNOWN)
			break;
		g->authf++;
		dg_hour(g, ev->time, H_AUTHF);
		if ((e = dg_ip(g, &ev->client)) != NULL) {
			e->fails++;
			if (e->fail_acct[0] == '\0' && ev->account.len > 0)
				/* raw, cut: escaped when printed */
				memcpy(e->fail_acct, ev->account.p,
				    ev->account.len < sizeof(e->fail_acct) ?
				    ev->account.len : sizeof(e->fail_acct) - 1);
		}
		break;
	default:
		break;
	}
}
