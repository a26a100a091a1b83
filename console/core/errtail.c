/* errtail.c: a remote program's last stderr line; see errtail.h. */
#include "errtail.h"
#include "sanitize.h"

/* linebuf callback: a whole line; an empty one does not hide the last. */
static void
errtail_line(void *arg, const char *line, size_t len, int cut)
{
	struct errtail	*t = arg;

	(void)cut;
	while (len > 0 && line[len - 1] == '\r')
		len--;
	if (len > 0)
		sanitize_text(t->last, sizeof(t->last), line, len);
}

/* See errtail.h. */
void
errtail_init(struct errtail *t)
{
	linebuf_init(&t->lb, ERRTAIL_LINE_MAX);
	t->last[0] = '\0';
}

/* See errtail.h. */
void
errtail_free(struct errtail *t)
{
	linebuf_free(&t->lb);
}

/* See errtail.h. */
void
errtail_reset(struct errtail *t)
{
	t->lb.len = 0;
	t->lb.cut = 0;
	t->last[0] = '\0';
}

/* See errtail.h. */
void
errtail_feed(struct errtail *t, const char *p, size_t len)
{
	linebuf_feed(&t->lb, p, len, errtail_line, t);
}

/* See errtail.h. */
const char *
errtail_last(struct errtail *t)
{
	linebuf_end(&t->lb, errtail_line, t);
	return t->last;
}
