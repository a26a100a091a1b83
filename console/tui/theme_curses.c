/* theme_curses.c: turn a parsed theme into curses colour pairs. */
#include <curses.h>

#include "theme.h"
#include "theme_curses.h"

/* What each role draws with; A_NORMAL until theme_apply runs. */
static attr_t	theme_attrs[THEME_NROLES];

/* Map THEME_ATTR_* bits to curses attributes. */
static attr_t
theme_curses_attrs(unsigned int bits)
{
	attr_t	 a = A_NORMAL;

	if (bits & THEME_ATTR_BOLD)
		a |= A_BOLD;
	if (bits & THEME_ATTR_DIM)
		a |= A_DIM;
	if (bits & THEME_ATTR_REVERSE)
		a |= A_REVERSE;
	if (bits & THEME_ATTR_UNDERLINE)
		a |= A_UNDERLINE;
	if (bits & THEME_ATTR_STANDOUT)
		a |= A_STANDOUT;
	return a;
}

/*
 * A colour the terminal can show: -1 needs use_default_colors, else the
 * classic white on black stands in; out-of-range colours do the same.
 */
static short
theme_curses_color(short c, int have_default, short fallback)
{
	if (c >= COLORS)
		c = THEME_COLOR_DEFAULT;
	if (c == THEME_COLOR_DEFAULT && !have_default)
		return fallback;
	return c;
}

/* See theme_curses.h. */
void
theme_apply(const struct theme *t)
{
	const struct theme_style	*st;
	int				 r, colour, have_default = 0;
	short				 fg, bg;

	colour = has_colors() && theme_colors_needed(t) > 0 &&
	    COLOR_PAIRS > THEME_NROLES;
	if (colour) {
		start_color();
		have_default = use_default_colors() == OK;
		/* start_color may learn that there are fewer pairs. */
		colour = COLOR_PAIRS > THEME_NROLES;
	}
	for (r = 0; r < THEME_NROLES; r++) {
		st = &t->style[r];
		theme_attrs[r] = theme_curses_attrs(st->attrs);
		if (!colour)
			continue;
		fg = theme_curses_color(st->fg, have_default, COLOR_WHITE);
		bg = theme_curses_color(st->bg, have_default, COLOR_BLACK);
		if (init_pair((short)(r + 1), fg, bg) == OK)
			theme_attrs[r] |= COLOR_PAIR(r + 1);
	}
}

/* See theme_curses.h. */
attr_t
theme_attr(enum theme_role role)
{
	if ((unsigned int)role >= THEME_NROLES)
		return A_NORMAL;
	return theme_attrs[role];
}

/* See theme_curses.h. */
int
theme_setup(const char *name, enum theme_fit *fit, char *err, size_t errlen)
{
	struct theme	 t;
	int		 colors = 0, no_color = theme_no_color();

	/*
	 * COLORS is only known after start_color; NO_COLOR skips both.  Once
	 * colour is on, pair 0 is white on black unless use_default_colors
	 * says otherwise, which would repaint even a mono screen.
	 */
	if (!no_color && has_colors() && start_color() == OK) {
		use_default_colors();
		colors = COLORS;
	}
	if (theme_select(name, colors, no_color, &t, fit, err, errlen) == 0) {
		theme_apply(&t);
		return 0;
	}
	theme_builtin("mono", &t);
	theme_strip_colors(&t);
	theme_apply(&t);
	if (fit != NULL)
		*fit = THEME_FIT_MONO;
	return -1;
}
