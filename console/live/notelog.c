/* notelog.c: the console's messages, kept for the messages view. */
#include <stdlib.h>
#include <string.h>

#include "notelog.h"
#include "core/textfit.h"
#include "core/xmalloc.h"

/* See notelog.h. */
void
notelog_add(struct notelog *l, int64_t at, int lasting, const char *text)
{
	struct note_entry	*e;
	char			 cut[NOTELOG_TEXT];

	(void)textfit(cut, sizeof(cut), text);
	if (l->n > 0) {
		e = &l->v[(l->head + NOTELOG_MAX - 1) % NOTELOG_MAX];
		if (strcmp(e->text, cut) == 0) {
			e->at = at;
			if (e->count < UINT32_MAX)
				e->count++;
			return;
		}
	}
	if (l->v == NULL)
		l->v = xcalloc(NOTELOG_MAX, sizeof(*l->v));
	e = &l->v[l->head];
	l->head = (l->head + 1) % NOTELOG_MAX;
	if (l->n < NOTELOG_MAX)
		l->n++;
	l->total++;
	e->at = at;
	e->count = 1;
	e->lasting = lasting != 0;
	memcpy(e->text, cut, sizeof(e->text));
}

/* See notelog.h. */
const struct note_entry *
notelog_get(const struct notelog *l, size_t i)
{
	return &l->v[(l->head + NOTELOG_MAX - l->n + i) % NOTELOG_MAX];
}

/* See notelog.h. */
void
notelog_free(struct notelog *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}
