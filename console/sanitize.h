/*
 * sanitize.h: make log text safe to show on a terminal.
 *
 * Everything a log contains is attacker text.  Before it reaches a terminal,
 * bytes that could move the cursor, set the title, switch character sets or
 * reorder text are shown escaped: C0 controls and DEL as \xNN, C1 controls,
 * bidi overrides and isolates as \u{NNNN}, invalid UTF-8 as \xNN,
 * and a backslash as two, so an escape shown is never ambiguous.
 */
#ifndef MAILCON_SANITIZE_H
#define MAILCON_SANITIZE_H

#include <stddef.h>

/*
 * Write a sanitised copy of p[0..len) into out (size bytes, always
 * NUL-terminated, truncated at a character boundary).  Returns the number of
 * bytes written, excluding the NUL.
 */
size_t	sanitize_text(char *out, size_t size, const char *p, size_t len);

#endif
