/*
 * term.c: before curses starts, is there a terminal?  Alone in its file:
 * <term.h> defines macros (lines, columns ...) that clash with ordinary
 * names elsewhere.
 */
#include <curses.h>
#include <term.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "term.h"

/* See ui.h. */
int
ui_terminal_check(char *err, size_t errlen)
{
	const char	*term = getenv("TERM");
	int		 rc;

	if (term == NULL || *term == '\0') {
		snprintf(err, errlen, "TERM is not set: set it to your "
		    "terminal's type (e.g. TERM=xterm-256color), or use "
		    "'mailcon scan' for a report");
		return -1;
	}
	if (setupterm(term, STDOUT_FILENO, &rc) == ERR) {
		snprintf(err, errlen, "cannot use terminal type \"%.64s\" "
		    "(TERM): no terminfo entry; try TERM=xterm-256color or "
		    "TERM=vt100", term);
		return -1;
	}
	del_curterm(cur_term);
	/* escape codes into a file and no keys: the watch is for that */
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "no terminal: use `mailcon watch "
		    "--headless`");
		return -1;
	}
	return 0;
}
