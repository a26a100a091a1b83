/*
 * view_messages.c: every message the status line showed (notes, alerts,
 * results, lasting warnings), oldest first, with its time; the status
 * line cuts them at the screen's width, the pane below shows the
 * selected one whole.
 */
#include <stdio.h>
#include <string.h>

#include "theme_curses.h"
#include "ui.h"


/* Messages kept. */
static size_t
messages_count(struct tui *t)
{
	return t->a->notes.n;
}

/* Filter and search on the text. */
static int
messages_match(struct tui *t, size_t i, const char *text)
{
	return ui_contains(notelog_get(&t->a->notes, i)->text, text);
}

/* Column titles. */
static void
messages_header(struct tui *t, int y, int w)
{
	ui_textf(t, y, 0, w, theme_attr(THEME_ROLE_MUTED) | A_BOLD,
	    "   %-8s  %s", "UTC", "MESSAGE (a lasting warning is marked !)");
}

/* One message: its time, a mark for a lasting warning, its text. */
static void
messages_row(struct tui *t, size_t i, int y, int w, int selected)
{
	const struct note_entry	*e = notelog_get(&t->a->notes, i);
	attr_t			 at = selected ?
	    theme_attr(THEME_ROLE_SELECTED) : theme_attr(THEME_ROLE_DEFAULT);
	char			 when[16];
	int			 x;

	attrset(at);
	mvhline(y, 0, ' ', w);
	ui_text(t, y, 0, 2, e->lasting ? "! " : "  ", 2, e->lasting ?
	    theme_attr(THEME_ROLE_SUSPICIOUS) : at);
	x = 3 + ui_textf(t, y, 3, 10, at, "%-8s  ",
	    ui_clock(e->at, when, sizeof(when)));
	if (e->count > 1)
		ui_textf(t, y, x, w - x, at, "%s (%u times)", e->text,
		    e->count);
	else
		ui_text(t, y, x, w - x, e->text, strlen(e->text), at);
}

/* The list above; below, the selected message whole, wrapped. */
static void
messages_draw(struct tui *t, int top, int h, int w)
{
	const struct list	*l = &t->list[TV_MESSAGES];
	const struct note_entry	*e = NULL;
	int			 pane = ui_pane_height(h);
	char			 title[128];

	ui_draw_list(t, top, h - pane);
	snprintf(title, sizeof(title), " the selected message, whole (%llu "
	    "said this session)", (unsigned long long)t->a->notes.total);
	if (t->nvis > 0 && l->sel < t->nvis)
		e = notelog_get(&t->a->notes, ui_vis(t, l->sel));
	ui_pane(t, top + h - pane, pane, title, e != NULL ? e->text : NULL,
	    e != NULL ? strlen(e->text) : 0, theme_attr(THEME_ROLE_DEFAULT));
}

const struct view_ops view_messages = {
	.title = "messages",
	.keymask = VIEW_MESSAGES,
	.count = messages_count,
	.match = messages_match,
	.header = messages_header,
	.row = messages_row,
	.draw = messages_draw,
};
