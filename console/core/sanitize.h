/*
 * sanitize.h: make log text safe to show on a terminal, and measure it.
 *
 * Everything a log contains is attacker text.  Before it reaches a terminal,
 * bytes that could move the cursor, set the title, switch character sets or
 * reorder text are shown escaped: C0 controls and DEL as \xNN, invalid
 * UTF-8 as \xNN, C1 controls and every code point that draws as nothing or
 * reorders what follows (the hidden ones of unichar.h: zero-width
 * characters, bidi controls, fillers, tag characters) as \u{NNNN}, and a
 * backslash as two, so an escape shown is never ambiguous and two strings
 * that differ are shown differently.
 *
 * Where the locale's character set is not UTF-8 (LANG=C), the terminal
 * would draw each byte of a UTF-8 letter as '?': every non-ASCII code
 * point is then shown as \u{NNNN} too, so that "j\u{fc}rgen" and
 * "j\u{f6}rgen" stay two accounts.  sanitize_locale() picks the mode once
 * at start, after setlocale(); until then (unit tests) it is UTF-8.
 */
#ifndef MAILCON_SANITIZE_H
#define MAILCON_SANITIZE_H

#include <stddef.h>

/*
 * Write a sanitised copy of p[0..len) into out (size bytes, always
 * NUL-terminated, truncated at a character or escape boundary), in the
 * display mode of sanitize_locale().  Returns the number of bytes written,
 * excluding the NUL.
 */
size_t	sanitize_text(char *out, size_t size, const char *p, size_t len);
/* The same in UTF-8 mode whatever the locale: text that is stored (the
   audit) or sent as UTF-8 (desktop notifications), not printed here. */
size_t	sanitize_text_utf8(char *out, size_t size, const char *p, size_t len);
/* The same with every non-ASCII code point escaped. */
size_t	sanitize_text_ascii(char *out, size_t size, const char *p,
	    size_t len);
/*
 * The last guard before a line made of several pieces is printed, some of
 * them sanitised already: the same escapes, but a backslash stays one, so
 * what was sanitised before comes out unchanged.  Pieces that must stay
 * distinguishable (names, log text) are sanitize_text()'d first.
 */
size_t	sanitize_line(char *out, size_t size, const char *p, size_t len);
/* sanitize_text() of the C string s into buf; returns buf.  For names
   and arguments echoed in messages. */
const char *sanitize_str(char *buf, size_t size, const char *s);

/* Choose the display mode from LC_CTYPE (call after setlocale()). */
void	sanitize_locale(void);
/* Whether the display mode is UTF-8 (else non-ASCII is escaped). */
int	sanitize_utf8(void);

/*
 * Columns the sanitised text p[0..len) takes on the terminal (wcwidth:
 * 2 for a wide character, 0 for a combining one), and how many of its
 * bytes fit in w columns (never cutting a character): *cols gets their
 * width.
 */
size_t	text_fit(const char *p, size_t len, int w, int *cols);
int	text_width(const char *p, size_t len);

#endif
