/*
 * scan_time.h: the times --since and --until take, as journalctl(1) and
 * systemd.time(7) spell them, into UTC seconds:
 *
 *   2026-11-28                 that day at 00:00
 *   2026-11-28 04:16           (or 2026-11-28T04:16), seconds optional
 *   2026-11-28T04:16:45Z       with a zone: Z, UTC, +01:00, +0100, -05
 *   @1795000000                seconds since the epoch (UTC)
 *   now, today, yesterday, tomorrow   (the last three at 00:00)
 *   2h, 30m, 1h30m, 7d, 2w, 90s      that long ago ("2h ago", "-2h" too)
 *
 * A time without a zone, and the day words, are in the zone the logs are
 * read in ([logs] timezone, --utc): local time (TZ), or UTC.  A local time
 * that does not exist (the hour a clock springs over) is an error, not a
 * guess.  Pure: "now" is given, nothing here reads a clock.
 */
#ifndef MAILCON_SCAN_TIME_H
#define MAILCON_SCAN_TIME_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parse s into *out (UTC seconds); now is the present, utc whether
 * zone-less times are UTC.  0, or -1 with err saying what was expected
 * (s shown escaped).
 */
int	scan_time_parse(const char *s, int64_t now, int utc, int64_t *out,
	    char *err, size_t errlen);
/* t as "2026-11-28 04:16:45 UTC" or in local time with its zone
   ("2026-11-27 23:16:45 EST"), into buf. */
const char *scan_time_format(int64_t t, int utc, char *buf, size_t size);

#endif
