/* overlay.c: one dialog over the view (overlay.h). */
#include <stdlib.h>
#include <string.h>

#include "overlay.h"
#include "core/xmalloc.h"
#include "live/app_act.h"
#include "live/app_ssh.h"

/* See overlay.h. */
int
overlay_set(struct tui *t, const struct overlay *o)
{
	if (t->overlay != NULL)
		return -1;
	t->overlay = xmalloc(sizeof(*t->overlay));
	*t->overlay = *o;
	t->a->dirty |= APP_DIRTY_ALL;
	return 0;
}

/* See overlay.h. */
void
overlay_clear(struct tui *t)
{
	struct overlay	*o = t->overlay;

	if (o == NULL)
		return;
	t->overlay = NULL;
	if (o->free != NULL)
		o->free(t, o);
	free(o);
	t->a->dirty |= APP_DIRTY_ALL;
}

/* The overlay, or NULL when it is no longer wanted (then closed). */
static struct overlay *
overlay_current(struct tui *t)
{
	struct overlay	*o = t->overlay;

	if (o != NULL && o->check != NULL && !o->check(t, o)) {
		overlay_clear(t);
		return NULL;
	}
	return o;
}

/* See overlay.h. */
void
overlay_draw(struct tui *t)
{
	struct overlay	*o = overlay_current(t);

	if (o != NULL)
		o->draw(t, o);
}

/* See overlay.h. */
int
overlay_key(struct tui *t, int ch)
{
	struct overlay	*o = overlay_current(t);

	if (o == NULL)
		return 0;
	return o->key(t, o, ch);
}

/* See overlay.h. */
int
overlay_open(struct app *a, enum app_dialog what)
{
	struct tui	*t = TUI(a);

	if (t == NULL || overlay_current(t) != NULL)
		return -1;
	switch (what) {
	case APP_DIALOG_ACT:
		return dialog_act_open(t);
	case APP_DIALOG_HOSTKEY:
		return dialog_hostkey_open(t);
	default:
		return -1;
	}
}

/* See overlay.h.  An engine whose dialog could not show (another was up)
   still waits: the action's dialog, then a host key. */
void
overlay_pending(struct tui *t)
{
	unsigned	 server;
	const char	*fp;

	if (overlay_current(t) != NULL)
		return;
	switch (t->a->act.state) {
	case ACTS_CONFIRM:
	case ACTS_RESULT:
	case ACTS_EARLIER:
		(void)dialog_act_open(t);
		return;
	default:
		break;
	}
	if (app_ssh_asking(t->a, &server, &fp))
		(void)dialog_hostkey_open(t);
}

/* See overlay.h. */
void
overlay_box(struct tui *t, const char *title, const char *body,
    attr_t battr)
{
	const char	*p, *next;
	int		 w = t->cols - 8, h = 0, y, top, i;
	size_t		 len;

	for (p = body; *p != '\0'; p = next, h++)
		(void)ui_wrap(p, w - 4, &next);
	if (h > t->lines - 6)
		h = t->lines - 6;
	top = (t->lines - h - 2) / 2;
	attrset(battr);
	for (y = top; y < top + h + 2; y++)
		mvhline(y, 4, ' ', w);
	ui_text(t, top, 5, w - 2, title, strlen(title), battr | A_BOLD);
	for (p = body, i = 0; i < h && *p != '\0'; i++, p = next) {
		len = ui_wrap(p, w - 4, &next);
		ui_text(t, top + 1 + i, 6, w - 4, p, len, battr);
	}
}
