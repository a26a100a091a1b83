/* msgring.c: recent authenticated messages and their delivery outcomes. */
#include <stdlib.h>
#include <string.h>

#include "msgring.h"
#include "core/dhash.h"
#include "core/xmalloc.h"

/* See msgring.h. */
void
msgring_init(struct msgring *r, size_t cap)
{
	size_t	 n = 1;

	memset(r, 0, sizeof(*r));
	r->cap = cap > 0 ? cap : 1;
	r->v = xcalloc(r->cap, sizeof(*r->v));
	while (n < 2 * r->cap)
		n <<= 1;
	r->index = xcalloc(n, sizeof(*r->index));
	r->imask = n - 1;
}

/* See msgring.h. */
void
msgring_free(struct msgring *r)
{
	free(r->v);
	free(r->index);
	memset(r, 0, sizeof(*r));
}

/* Copy a borrowed string into a fixed field, truncating. */
static void
msgring_copy(char *dst, size_t size, const struct mail_str *s)
{
	size_t	 n = s->len < size - 1 ? s->len : size - 1;

	memcpy(dst, s->p, n);
	dst[n] = '\0';
}

/* The record of (server, qid), or NULL when it left the ring. */
static struct msg_record *
msgring_find(struct msgring *r, unsigned server, const struct mail_str *qid)
{
	size_t			 i, probes;
	uint32_t		 v;
	struct msg_record	*m;

	if (qid->len == 0 || qid->len >= MSGRING_QID_MAX)
		return NULL;
	i = dhash_bytes(qid->p, qid->len, 0) & r->imask;
	for (probes = 0; probes < 8; probes++, i = (i + 1) & r->imask) {
		if ((v = r->index[i]) == 0)
			return NULL;
		m = &r->v[v - 1];
		if (m->server == server && strncmp(m->qid, qid->p,
		    qid->len) == 0 && m->qid[qid->len] == '\0')
			return m;
	}
	return NULL;
}

/*
 * Index a new record by its queue id: the first free slot of its probe
 * run, else the slot whose record is oldest (it leaves the ring first).
 */
static void
msgring_index(struct msgring *r, const struct mail_str *qid, uint32_t slot)
{
	size_t	 i, probes, best = 0, age, best_age = 0;

	i = dhash_bytes(qid->p, qid->len, 0) & r->imask;
	for (probes = 0; probes < 8; probes++, i = (i + 1) & r->imask) {
		if (r->index[i] == 0) {
			best = i;
			break;
		}
		age = (slot + r->cap - (r->index[i] - 1)) % r->cap;
		if (probes == 0 || age > best_age) {
			best = i;
			best_age = age;
		}
	}
	r->index[best] = slot + 1;
}

/* See msgring.h. */
void
msgring_feed(struct msgring *r, unsigned server, const struct mail_event *ev)
{
	struct msg_record	*m;

	switch (ev->kind) {
	case EV_SUBMIT:
		if (ev->account.len == 0 || ev->qid.len == 0 ||
		    ev->qid.len >= MSGRING_QID_MAX)
			return;
		m = &r->v[r->head];
		memset(m, 0, sizeof(*m));
		m->time = ev->time;
		m->server = (uint16_t)server;
		msgring_copy(m->qid, sizeof(m->qid), &ev->qid);
		msgring_copy(m->account, sizeof(m->account), &ev->account);
		m->client = ev->client;
		msgring_index(r, &ev->qid, (uint32_t)r->head);
		r->head = (r->head + 1) % r->cap;
		if (r->n < r->cap)
			r->n++;
		return;
	case EV_QUEUED:
		if ((m = msgring_find(r, server, &ev->qid)) != NULL)
			m->nrcpt = ev->nrcpt;
		return;
	case EV_DELIVERED:
	case EV_DEFERRED:
	case EV_BOUNCED:
		if ((m = msgring_find(r, server, &ev->qid)) == NULL)
			return;
		if (m->rcpt[0] == '\0')
			msgring_copy(m->rcpt, sizeof(m->rcpt), &ev->rcpt);
		if (ev->kind == EV_DELIVERED)
			m->sent++;
		else if (ev->kind == EV_DEFERRED)
			m->deferred++;
		else
			m->bounced++;
		return;
	case EV_REMOVED:
	case EV_DELETED:
		if ((m = msgring_find(r, server, &ev->qid)) != NULL)
			m->gone = 1;
		return;
	default:
		return;
	}
}

/* See msgring.h. */
const struct msg_record *
msgring_get(const struct msgring *r, size_t i)
{
	return &r->v[(r->head + r->cap - 1 - i) % r->cap];
}
