/* clockread.c: a log file's lines with effective times (see clockread.h). */
#include <stdlib.h>
#include <string.h>

#include "clockread.h"
#include "core/xmalloc.h"

/* See clockread.h. */
void
clockread_init(struct clockread *c)
{
	memset(c, 0, sizeof(*c));
	clockguard_init(&c->g);
}

/* See clockread.h. */
void
clockread_free(struct clockread *c)
{
	int	 i;

	for (i = 0; i < CLOCK_CONFIRM; i++)
		free(c->slot[i].buf);
	memset(c, 0, sizeof(*c));
}

/* Point a copied string at the same bytes of the copy. */
static void
clockread_rebase(struct mail_str *m, const char *from, size_t len,
    const char *to)
{
	if (m->len > 0 && m->p >= from && m->p + m->len <= from + len)
		m->p = to + (m->p - from);
}

/* Copy the reader's current line into slot i. */
static void
clockread_keep(struct clockread *c, int i, const struct logreader *r)
{
	struct clockread_slot	*s = &c->slot[i];

	if (s->cap < r->len + 1) {
		s->cap = r->len + 1;
		s->buf = xreallocarray(s->buf, s->cap, 1);
	}
	memcpy(s->buf, r->line, r->len);
	s->buf[r->len] = '\0';
	s->len = r->len;
	s->hdr = r->hdr;
	clockread_rebase(&s->hdr.host, r->line, r->len, s->buf);
	clockread_rebase(&s->hdr.prog, r->line, r->len, s->buf);
	clockread_rebase(&s->hdr.msg, r->line, r->len, s->buf);
}

/*
 * Read lines ahead until want are held after the current one (slot cur)
 * or the file ends; -1 on a read error.
 */
static int
clockread_ahead(struct clockread *c, struct logreader *r, int want,
    char *err, size_t errlen)
{
	int	 rc;

	while (c->nheld < want && !c->eof) {
		if ((rc = logreader_next(r, err, errlen)) == -1)
			return -1;
		if (rc == 0) {
			c->eof = 1;
			break;
		}
		clockread_keep(c, (c->head + c->nheld) % CLOCK_CONFIRM, r);
		c->nheld++;
	}
	return 0;
}

/* See clockread.h. */
int
clockread_next(struct clockread *c, struct logreader *r, char *err,
    size_t errlen)
{
	struct clockread_slot	*s;
	int64_t			 stamps[CLOCK_CONFIRM];
	int			 rc, cur, i;

	if (c->nheld == 0) {
		if (c->eof)
			return 0;
		if ((rc = logreader_next(r, err, errlen)) != 1) {
			c->eof = rc == 0;
			return rc;
		}
		c->line = r->line;
		c->len = r->len;
		c->hdr = r->hdr;
		if (clockguard_jumps_ahead(&c->g, r->hdr.time)) {
			/* the reader's buffer moves on: keep a copy */
			clockread_keep(c, c->head, r);
			c->nheld = 1;
		}
	}
	if (c->nheld > 0) {
		cur = c->head;
		s = &c->slot[cur];
		c->line = s->buf;
		c->len = s->len;
		c->hdr = s->hdr;
		c->head = (c->head + 1) % CLOCK_CONFIRM;
		c->nheld--;
	}
	c->stamp = c->hdr.time;
	if (clockguard_jumps_ahead(&c->g, c->stamp)) {
		if (clockread_ahead(c, r, CLOCK_CONFIRM - 1, err, errlen) == -1)
			return -1;
		stamps[0] = c->stamp;
		for (i = 0; i < c->nheld; i++)
			stamps[i + 1] = c->slot[(c->head + i) %
			    CLOCK_CONFIRM].hdr.time;
		clockguard_foresee(&c->g, stamps, (size_t)c->nheld + 1);
	}
	c->hdr.time = clockguard_time(&c->g, c->stamp, -1, 0);
	return 1;
}
