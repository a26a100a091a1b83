/* json.h: write JSON to a stdio stream (output only; no parsing here). */
#ifndef MAILCON_JSON_H
#define MAILCON_JSON_H

#include <stdint.h>
#include <stdio.h>

/*
 * Write p[0..len) as a JSON string, quotes included.  Control bytes are
 * escaped, and invalid UTF-8 becomes U+FFFD, so the output is valid JSON
 * whatever the log contained.
 */
void	json_string(FILE *f, const char *p, size_t len);
void	json_cstring(FILE *f, const char *s);
/* "2026-11-28T03:01:06Z", or null when t < 0. */
void	json_time(FILE *f, int64_t t);

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when invalid. */
size_t	utf8_sequence(const unsigned char *p, size_t len);

#endif
