/*
 * term.h: before curses starts, is there a terminal?  (term.c, alone:
 * curses' <term.h> defines macros such as lines and columns.)
 */
#ifndef MAILCON_TUI_TERM_H
#define MAILCON_TUI_TERM_H

#include <stddef.h>

/*
 * Is there a terminal to draw on and read keys from, of a type terminfo
 * knows?  -1 with what to do in err: TERM unset or unknown, or no
 * terminal at all (cron, a unit file, a pipe).
 */
int	ui_terminal_check(char *err, size_t errlen);

#endif
