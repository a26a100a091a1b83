/*
 * logstamp.c: the timestamps of log lines (classic syslog, RFC 3339, Exim's
 * own) and the clock that settles them into UTC: the year a classic stamp
 * leaves out is inferred, and mktime() runs once an hour of log time at
 * most (the UTC offset of the local zone is cached per hour of local time).
 *
 * Nothing here trusts the line: every read is bounded by end.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "logline.h"
#include "logline_int.h"

#define NO_HOUR		INT64_MIN

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Start a clock that infers years relative to ref_time (UTC). */
void
log_clock_init(struct log_clock *c, int64_t ref_time)
{
	memset(c, 0, sizeof(*c));
	c->ref_time = ref_time;
	c->cache_key = NO_HOUR;
	tzset();
}

/* Floor division of a by 3600, also for times before 1970. */
static int64_t
hour_of(int64_t a)
{
	return a >= 0 ? a / 3600 : -((-a + 3599) / 3600);
}

/*
 * Turn "local seconds" (the local wall-clock fields counted as if they were
 * UTC) into real UTC.  The offset is asked of mktime() once per hour of
 * wall-clock time and cached: zones change offset on the hour or half hour,
 * so a change inside an hour is only missed for the rare zones that shift
 * by a fraction of an hour.
 */
static int64_t
clock_local_to_utc(struct log_clock *c, int64_t local)
{
	struct tm	 tm;
	time_t		 t;
	int64_t		 key;

	if (c->utc)
		return local;
	key = hour_of(local);
	if (key != c->cache_key) {
		t = (time_t)(key * 3600);
		if (gmtime_r(&t, &tm) == NULL)
			return local;
		tm.tm_isdst = -1;
		t = mktime(&tm);
		c->cache_key = key;
		c->cache_base = t == (time_t)-1 ? 0 : key * 3600 - (int64_t)t;
	}
	return local - c->cache_base;
}

/* Local seconds of a wall-clock date and time. */
static int64_t
local_seconds(int year, int mon, int day, int secs)
{
	return days_from_civil(year, mon, day) * 86400 + secs;
}

/*
 * The year of a classic (yearless) timestamp.  The first line takes the
 * year of ref_time, or the one before when that would put the line more
 * than a day after ref_time (a file written up to New Year's Eve and read
 * on January 1st).  Later lines move to the next year when the month goes
 * back by more than one (December -> January); a step back of one month
 * is taken as lines slightly out of order, not as a new year.
 */
static int
clock_year(struct log_clock *c, int mon, int day, int secs)
{
	struct tm	 tm;
	time_t		 t;
	int		 y;

	if (c->fixed_year && c->year != 0)
		return c->year;
	if (c->year == 0) {
		t = (time_t)c->ref_time;
		if ((c->utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm)) == NULL)
			return -1;
		y = tm.tm_year + 1900;
		if (clock_local_to_utc(c, local_seconds(y, mon, day, secs)) >
		    c->ref_time + 86400)
			y--;
		c->year = y;
		c->last_month = mon;
		return y;
	}
	if (mon + 1 < c->last_month)
		c->year++;
	c->last_month = mon;
	return c->year;
}

/* Read exactly n decimal digits at p; the value, or -1. */
static int
digits(const char *p, int n)
{
	int	 v = 0, i;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* Parse "HH:MM:SS" at p (8 bytes available); seconds of the day, or -1. */
static int
parse_hms(const char *p)
{
	int	 h, m, s;

	if (p[2] != ':' || p[5] != ':')
		return -1;
	if ((h = digits(p, 2)) < 0 || (m = digits(p + 3, 2)) < 0 ||
	    (s = digits(p + 6, 2)) < 0)
		return -1;
	if (h > 23 || m > 59 || s > 60)
		return -1;
	return h * 3600 + m * 60 + s;
}

/*
 * Optional ".fraction" at *pp; advances past it and returns microseconds
 * (0 when absent), or -1 when a '.' is not followed by 1..9 digits.
 */
static int32_t
parse_frac(const char **pp, const char *end)
{
	const char	*p = *pp;
	int32_t		 usec = 0;
	int		 n = 0;

	if (p >= end || *p != '.')
		return 0;
	for (p++; p < end && *p >= '0' && *p <= '9'; p++, n++) {
		if (n < 6)
			usec = usec * 10 + (*p - '0');
	}
	if (n == 0 || n > 9)
		return -1;
	for (; n < 6; n++)
		usec *= 10;
	*pp = p;
	return usec;
}

/*
 * Classic syslog "Nov 28 03:01:06[.uuuuuu] " (the day may be space-padded);
 * *pp is left after the separating space.  0, or -1.
 */
int
parse_classic(const char **pp, const char *end, struct log_stamp *st)
{
	const char	*p = *pp, *m;
	int		 day;

	if (end - p < 16 || p[3] != ' ')
		return -1;
	for (m = months; *m != '\0'; m += 3) {
		if (memcmp(p, m, 3) == 0)
			break;
	}
	if (*m == '\0')
		return -1;
	st->classic = 1;
	st->mon = (int)(m - months) / 3 + 1;
	p += 4;
	if (*p == ' ')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	day = *p++ - '0';
	if (*p >= '0' && *p <= '9')
		day = day * 10 + (*p++ - '0');
	if (day < 1 || day > 31 || *p++ != ' ')
		return -1;
	st->day = day;
	if (end - p < 9 || (st->secs = parse_hms(p)) < 0)
		return -1;
	p += 8;
	if ((st->usec = parse_frac(&p, end)) < 0)
		return -1;
	if (p >= end || *p != ' ')
		return -1;
	*pp = p + 1;
	return 0;
}

/*
 * RFC 3339 "2026-11-28T03:01:06[.frac](Z|+HH:MM|+HHMM) " as written by
 * rsyslog and journalctl -o short-iso.  Without a zone the time is taken
 * as local, like a classic one.  0, or -1.
 */
int
parse_rfc3339(const char **pp, const char *end, struct log_stamp *st)
{
	const char	*p = *pp;
	int		 oh, om, sign;

	if (end - p < 20 || p[4] != '-' || p[7] != '-' ||
	    (p[10] != 'T' && p[10] != 't' && p[10] != ' '))
		return -1;
	if ((st->year = digits(p, 4)) < 0 ||
	    (st->mon = digits(p + 5, 2)) < 1 || st->mon > 12 ||
	    (st->day = digits(p + 8, 2)) < 1 || st->day > 31)
		return -1;
	if ((st->secs = parse_hms(p + 11)) < 0)
		return -1;
	p += 19;
	if ((st->usec = parse_frac(&p, end)) < 0 || p >= end)
		return -1;
	if (*p == 'Z' || *p == 'z') {
		p++;
		st->zoned = 1;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '+' ? 1 : -1;
		if (end - p < 4 || (oh = digits(p, 2)) < 0 || oh > 23)
			return -1;
		p += 2;
		if (*p == ':')
			p++;
		if (end - p < 2 || (om = digits(p, 2)) < 0 || om > 59)
			return -1;
		p += 2;
		st->zoned = 1;
		st->off = sign * (oh * 3600 + om * 60);
	}
	if (p >= end || *p != ' ')
		return -1;
	*pp = p + 1;
	return 0;
}

/* Settle year and zone of a parsed stamp into UTC; 0, or -1. */
int
stamp_to_utc(struct log_clock *c, const struct log_stamp *st,
    struct log_header *out)
{
	int	 year = st->year;

	if (st->classic &&
	    (year = clock_year(c, st->mon, st->day, st->secs)) < 0)
		return -1;
	out->time = local_seconds(year, st->mon, st->day, st->secs);
	if (st->zoned)
		out->time -= st->off;
	else
		out->time = clock_local_to_utc(c, out->time);
	out->usec = st->usec;
	return 0;
}

/*
 * Exim's own timestamp "2026-12-06 11:34:05[.123][ +0100] " (tod.c:
 * tod_log_bare, or tod_log_zone with log_timezone; +millisec adds the
 * milliseconds).  *pp is left after the separating space.  0, or -1.
 */
int
parse_exim_stamp(const char **pp, const char *end, struct log_stamp *st)
{
	const char	*p = *pp;
	int		 oh, om, sign;

	if (end - p < 20 || p[4] != '-' || p[7] != '-' || p[10] != ' ')
		return -1;
	if ((st->year = digits(p, 4)) < 0 ||
	    (st->mon = digits(p + 5, 2)) < 1 || st->mon > 12 ||
	    (st->day = digits(p + 8, 2)) < 1 || st->day > 31 ||
	    (st->secs = parse_hms(p + 11)) < 0)
		return -1;
	p += 19;
	if ((st->usec = parse_frac(&p, end)) < 0 || p >= end || *p != ' ')
		return -1;
	p++;
	if (end - p >= 6 && (*p == '+' || *p == '-') && p[5] == ' ' &&
	    (oh = digits(p + 1, 2)) >= 0 && (om = digits(p + 3, 2)) >= 0) {
		if (oh > 23 || om > 59)
			return -1;
		sign = *p == '+' ? 1 : -1;
		st->zoned = 1;
		st->off = sign * (oh * 3600 + om * 60);
		p += 6;
	}
	*pp = p;
	return 0;
}
