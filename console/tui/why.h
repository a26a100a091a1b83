/*
 * why.h: a reason in few words, for the accounts view's WHY column at 80
 * columns ("200 distinct IPs authenticated in 10 min (critical at 20)"
 * becomes "200 IPs in 10 min").  The detector's own sentence stays in the
 * account's detail.  Pure: a reason this does not know is kept, without
 * its parenthesis.
 */
#ifndef MAILCON_WHY_H
#define MAILCON_WHY_H

#include <stddef.h>

/* The short form of reason into buf (size bytes); returns buf. */
const char	*why_short(const char *reason, char *buf, size_t size);

#endif
