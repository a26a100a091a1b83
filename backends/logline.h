/*
 * logline.h: split a log line into time, host, program and message.
 *
 * Formats understood (all pure, no I/O):
 *   classic syslog     "Nov 28 03:01:06 host prog[pid]: msg"     (local time, no year)
 *   Postfix maillog_file  same shape, optionally with ".uuuuuu" after the seconds
 *   Dovecot log_path   "Nov 28 03:01:06 prog: msg"               (no host)
 *   RFC 3339           "2026-11-28T03:01:06.123456+01:00 host prog[pid]: msg"
 *   journald short-iso "2026-11-28T03:01:06+0100 host prog[pid]: msg"
 *   Exim main log      "2026-11-28 03:01:06[.123][ +0100] [[pid] ]msg"
 *                      (local time unless log_timezone adds the zone; no
 *                      host and no tag: both are left empty)
 *
 * Classic timestamps carry no year and no zone.  struct log_clock holds what
 * is needed to infer both: the year of the first line (chosen so that the
 * line is not after the reference time, normally the file's mtime), bumped
 * when the month goes backwards (December -> January), and the UTC offset
 * of the zone the server logs in.
 */
#ifndef MAILCON_LOGLINE_H
#define MAILCON_LOGLINE_H

#include <stdint.h>
#include <time.h>

#include "backend.h"

struct log_clock {
	int64_t		 ref_time;	/* UTC; lines should not be later than this */
	int		 year;		/* 0 until the first classic line */
	int		 last_month;	/* 1..12, 0 before the first line */
	int		 fixed_year;	/* nonzero: never infer, use year */
	int		 utc;		/* classic times are UTC, not local */
	/* cache of the local-time offset, per hour */
	int64_t		 cache_key;
	int64_t		 cache_base;
	/* the last classic stamp "Mmm dd hh:mm:ss " and its UTC time */
	char		 stamp[16];
	int64_t		 stamp_time;
	int		 stamp_year;	/* year and utc it was settled with */
	int		 stamp_utc;
	int		 stamp_mon;	/* 1..12 */
	int		 stamp_ok;
	/* the last bare Exim stamp "YYYY-MM-DD hh:mm:ss " and its UTC time */
	char		 xstamp[20];
	int64_t		 xstamp_time;
	int		 xstamp_utc;	/* utc it was settled with */
	int		 xstamp_ok;
};

/* Start a clock; ref_time is usually the file's mtime (or now for stdin). */
void	log_clock_init(struct log_clock *c, int64_t ref_time);

/*
 * Split line (len bytes, no newline) into *out.  Returns 0 on success, -1
 * when the line has no recognisable timestamp or tag (out is untouched).
 */
int	logline_split(struct log_clock *c, const char *line, size_t len,
	    struct log_header *out);

/*
 * The length of an Exim timestamp and "[pid] " at the start of p, or 0:
 * Exim writes its own stamp into syslog messages too (syslog_timestamp).
 */
size_t	logline_exim_prefix(const char *p, size_t len);

/*
 * Whether the message is journalctl's placeholder for an entry it would
 * not print ("[123B blob data]", "[48.0K blob data]": control bytes or
 * invalid UTF-8 in it, and no --all): an entry unread, not a log line.
 */
int	logline_blob(const struct log_header *h);

#endif
