/* view_help.c: the help screen, generated from the key table. */
#include <string.h>

#include "theme_curses.h"
#include "ui.h"

/* Every binding, one per line, F-key twins on the same line. */
static void
help_draw(struct app *a, int top, int h, int w)
{
	const struct key_binding	*b, *c;
	struct list			*l = &a->list[V_HELP];
	char				 keys[32];
	int				 y = top, row = 0, seen;

	/* The selection is the first line shown: Up/Down scroll. */
	l->top = l->sel;
	ui_textf(a, y++, 1, w - 2, theme_attr(THEME_ROLE_HEADER),
	    "Keys (q or Esc closes this screen; Up/Down scroll)");
	for (b = key_table; b->label != NULL; b++) {
		if (a->read_only && keys_is_action(b->action))
			continue;	/* --read-only: no action keys */
		seen = 0;
		for (c = key_table; c < b; c++)
			if (c->action == b->action && c->views == b->views &&
			    strcmp(c->help, b->help) == 0)
				seen = 1;
		if (seen)
			continue;
		snprintf(keys, sizeof(keys), "%s", b->label);
		for (c = b + 1; c->label != NULL; c++)
			if (c->action == b->action && c->views == b->views &&
			    strcmp(c->help, b->help) == 0 &&
			    strcmp(c->label, b->label) != 0 &&
			    strstr(keys, c->label) == NULL &&
			    strlen(keys) + strlen(c->label) + 3 < sizeof(keys)) {
				strcat(keys, ", ");
				strcat(keys, c->label);
			}
		if (row++ < (int)l->top)
			continue;
		if (y >= top + h)
			break;
		attrset(theme_attr(THEME_ROLE_KEY_HINT));
		mvaddnstr(y, 2, keys, 16);
		ui_text(a, y, 20, w - 21, b->help, strlen(b->help),
		    theme_attr(THEME_ROLE_DEFAULT));
		y++;
	}
	for (b++; b->label != NULL; b++)
		row++;	/* count the rest, roughly, for the scroll limit */
	l->nrows = (size_t)row;
	l->height = 1;
}

const struct view_ops view_help = {
	.title = "help",
	.keymask = VIEW_HELP,
	.draw = help_draw,
};
