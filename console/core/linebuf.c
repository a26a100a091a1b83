/* linebuf.c: chunks of bytes into bounded lines; see linebuf.h. */
#include <stdlib.h>
#include <string.h>

#include "linebuf.h"
#include "xmalloc.h"

/* See linebuf.h. */
void
linebuf_init(struct linebuf *b, size_t max)
{
	b->line = xmalloc(max > 0 ? max : 1);
	b->max = max;
	b->len = 0;
	b->cut = 0;
}

/* See linebuf.h. */
void
linebuf_free(struct linebuf *b)
{
	free(b->line);
	b->line = NULL;
}

/* See linebuf.h. */
void
linebuf_feed(struct linebuf *b, const char *p, size_t n, linebuf_cb cb,
    void *arg)
{
	const char	*nl, *e = p + n;
	size_t		 take;

	for (; p < e; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
			nl = e;
		take = (size_t)(nl - p);
		if (take > b->max - b->len) {
			take = b->max - b->len;
			b->cut = 1;
		}
		memcpy(b->line + b->len, p, take);
		b->len += take;
		if (nl == e)
			break;
		cb(arg, b->line, b->len, b->cut);
		b->len = 0;
		b->cut = 0;
	}
}

/* See linebuf.h. */
void
linebuf_end(struct linebuf *b, linebuf_cb cb, void *arg)
{
	if (b->len > 0 || b->cut)
		cb(arg, b->line, b->len, b->cut);
	b->len = 0;
	b->cut = 0;
}
