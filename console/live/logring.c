/* logring.c: a fixed-size ring of recent log lines. */
#include <stdlib.h>
#include <string.h>

#include "logring.h"
#include "core/xmalloc.h"

/* See logring.h. */
void
logring_init(struct logring *r, size_t cap)
{
	memset(r, 0, sizeof(*r));
	r->cap = cap > 0 ? cap : 1;
	r->v = xcalloc(r->cap, sizeof(*r->v));
}

/* See logring.h. */
void
logring_free(struct logring *r)
{
	size_t	 i;

	for (i = 0; i < r->cap; i++)
		free(r->v[i].text);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/*
 * See logring.h.  A slot's buffer is reused when it is large enough, and
 * grows in steps of LOGRING_STEP otherwise: most mail log lines fit the
 * first step, so the ring holds about a quarter of what a full-size buffer
 * per line would.
 */
#define LOGRING_STEP	256

void
logring_add(struct logring *r, int64_t time, unsigned server, unsigned kind,
    const char *text, size_t len)
{
	struct logring_line	*l = &r->v[r->head];
	size_t			 want;

	if (len > LOGRING_LINE_MAX)
		len = LOGRING_LINE_MAX;
	if (l->text == NULL || len > l->size) {
		want = (len + LOGRING_STEP - 1) / LOGRING_STEP * LOGRING_STEP;
		if (want == 0)
			want = LOGRING_STEP;
		free(l->text);
		l->text = xmalloc(want);
		l->size = (uint16_t)want;
	}
	memcpy(l->text, text, len);
	l->len = (uint16_t)len;
	l->time = time;
	l->server = (uint16_t)server;
	l->kind = (uint8_t)kind;
	l->level = 0;
	r->head = (r->head + 1) % r->cap;
	if (r->n < r->cap)
		r->n++;
	r->total++;
}

/* See logring.h. */
const struct logring_line *
logring_get(const struct logring *r, size_t i)
{
	size_t	 start = (r->head + r->cap - r->n) % r->cap;

	return &r->v[(start + i) % r->cap];
}
