/*
 * theme_curses.h: put a theme on the screen (curses colour pairs).
 *
 * Role i uses colour pair i + 1.  Draw with wattrset(win, theme_attr(role));
 * for the default role's background to fill the screen, set it as the
 * window background too: wbkgd(stdscr, theme_attr(THEME_ROLE_DEFAULT)).
 */
#ifndef MAILCON_THEME_CURSES_H
#define MAILCON_THEME_CURSES_H

#include <curses.h>

#include "theme.h"

/*
 * Set up colour pairs and attributes for every role of t, starting colour
 * when t has any (after initscr).  Colours the terminal lacks fall back to
 * its defaults; use theme_select first to avoid that.
 */
void	theme_apply(const struct theme *t);

/* The attributes (COLOR_PAIR | A_*) to draw a role with. */
attr_t	theme_attr(enum theme_role role);

/*
 * After initscr: select the theme `name` for this terminal (its colours,
 * NO_COLOR) and apply it.  -1 with a message in err when the theme cannot
 * be loaded; the mono theme is then applied so the console still works.
 */
int	theme_setup(const char *name, enum theme_fit *fit, char *err,
	    size_t errlen);

#endif
