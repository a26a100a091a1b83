/*
 * utctime.h: a log time (UTC seconds) as the console and its dialogs show
 * it, "03:17:40" or "2026-11-28 03:17:40", and "-" for none.
 */
#ifndef MAILCON_UTCTIME_H
#define MAILCON_UTCTIME_H

#include <stddef.h>
#include <stdint.h>

#define UTC_CLOCK	0	/* "03:17:40" */
#define UTC_DATETIME	1	/* "2026-11-28 03:17:40" */

/* t (UTC) as UTC_CLOCK or UTC_DATETIME into buf; "-" for t <= 0. */
const char	*utc_format(int64_t t, int how, char *buf, size_t size);

#endif
