/*
 * unichar.h: the Unicode facts that the login grammar (backend.c) and the
 * terminal sanitiser (console/core/sanitize.c) must agree on, in one place.
 *
 * A code point is "hidden" when a terminal draws it as nothing, or lets
 * it change how the text after it is drawn: C1 controls, zero-width
 * characters and joiners, the soft hyphen, fillers that draw as blanks,
 * bidi marks, embeddings and isolates (Trojan Source), variation
 * selectors, tag characters.  Two logins that differ only by one look the
 * same on screen.  So the sanitiser shows every hidden code point as
 * \u{...} and the login grammar refuses it, from the same table.
 */
#ifndef MAILCON_UNICHAR_H
#define MAILCON_UNICHAR_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decode the UTF-8 sequence at p (len bytes available) into *cp.  Its
 * length (1..4), or 0 when it is not well-formed UTF-8: a stray
 * continuation byte, an overlong form, a surrogate, past U+10FFFF, or
 * cut short.  ASCII decodes as itself.
 */
size_t	uni_decode(const unsigned char *p, size_t len, uint32_t *cp);

/* Whether cp is hidden (see above); ASCII never is (C0 is the caller's). */
int	uni_is_hidden(uint32_t cp);

/*
 * The table behind uni_is_hidden(), for tests that walk it: ranges of
 * code points, lo and hi inclusive, in ascending order.
 */
struct uni_range {
	uint32_t	 lo, hi;
	const char	*what;
};
extern const struct uni_range	 uni_hidden[];
extern const size_t		 uni_nhidden;

#endif
