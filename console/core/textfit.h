/*
 * textfit.h: put a text into a fixed buffer, cut at a word when it does not
 * fit, so a reason never ends in the middle of a fingerprint or an address.
 */
#ifndef MAILCON_TEXTFIT_H
#define MAILCON_TEXTFIT_H

#include <stddef.h>

/*
 * Copy src into dst (size bytes, NUL-terminated).  When it does not fit,
 * cut it after the last whole word that leaves room for " ..." (or, with
 * no space in the second half of the room, where it must) and end it with
 * " ...".  Returns 1 when the text was cut.
 */
int	textfit(char *dst, size_t size, const char *src);

#endif
