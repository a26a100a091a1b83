/* scan_time.c: --since and --until times; see scan_time.h. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "scan_time.h"
#include "core/sanitize.h"

#define SCAN_TIME_MAX	253402300799LL	/* 9999-12-31 23:59:59 UTC */

/* The units a relative time may use, and their seconds. */
static const struct {
	const char	*name;
	int64_t		 secs;
} scan_units[] = {
	{ "s", 1 }, { "sec", 1 }, { "secs", 1 }, { "second", 1 },
	{ "seconds", 1 },
	{ "m", 60 }, { "min", 60 }, { "mins", 60 }, { "minute", 60 },
	{ "minutes", 60 },
	{ "h", 3600 }, { "hr", 3600 }, { "hour", 3600 }, { "hours", 3600 },
	{ "d", 86400 }, { "day", 86400 }, { "days", 86400 },
	{ "w", 604800 }, { "week", 604800 }, { "weeks", 604800 },
};

/* Read up to max digits at *p into *v (at least min); 0, or -1. */
static int
scan_digits(const char **p, int min, int max, long long *v)
{
	int	 n = 0;

	*v = 0;
	while (n < max && isdigit((unsigned char)**p)) {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n >= min ? 0 : -1;
}

/* Days in month mon (1-12) of year y. */
static int
scan_mdays(long long y, int mon)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31 };

	if (mon == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[mon - 1];
}

/* Midnight of today + days, in the log's zone. */
static int64_t
scan_midnight(int64_t now, int utc, int days)
{
	struct tm	 tm;
	time_t		 t = (time_t)now;

	if (utc)
		gmtime_r(&t, &tm);
	else
		localtime_r(&t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday += days;
	tm.tm_isdst = -1;
	return utc ? (int64_t)timegm(&tm) : (int64_t)mktime(&tm);
}

/*
 * "2h", "1h30m", "90 min", with "ago" or a leading '-': *out is that long
 * before now.  1 parsed, 0 not a relative time, -1 a bad one.
 */
static int
scan_relative(const char *s, int64_t now, int64_t *out)
{
	const char	*p = s, *u;
	long long	 n;
	int64_t		 total = 0;
	size_t		 i, len;
	int		 terms = 0;

	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return 0;
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (strcmp(p, "ago") == 0 && terms > 0 && *s != '-')
			break;
		if (scan_digits(&p, 1, 9, &n) == -1)
			return -1;
		while (*p == ' ')
			p++;
		for (u = p; isalpha((unsigned char)*p); p++)
			;
		len = (size_t)(p - u);
		for (i = 0; i < sizeof(scan_units) / sizeof(scan_units[0]); i++)
			if (strlen(scan_units[i].name) == len &&
			    strncasecmp(u, scan_units[i].name, len) == 0)
				break;
		if (i == sizeof(scan_units) / sizeof(scan_units[0]))
			return -1;
		total += (int64_t)n * scan_units[i].secs;
		if (total > 100LL * 366 * 86400)
			return -1;
		terms++;
	}
	if (terms == 0)
		return -1;
	*out = now - total;
	return 1;
}

/* A zone: Z, UTC, +01:00, +0100, -05; 0 with *off in seconds, or -1. */
static int
scan_zone(const char *p, long *off)
{
	long long	 h, m = 0;
	int		 sign;

	if (strcasecmp(p, "z") == 0 || strcasecmp(p, "utc") == 0) {
		*off = 0;
		return 0;
	}
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	if (scan_digits(&p, 2, 2, &h) == -1 || h > 14)
		return -1;
	if (*p == ':')
		p++;
	if (*p != '\0' && (scan_digits(&p, 2, 2, &m) == -1 || m > 59))
		return -1;
	if (*p != '\0')
		return -1;
	*off = sign * (long)(h * 3600 + m * 60);
	return 0;
}

/*
 * "YYYY-MM-DD[( |T)HH:MM[:SS[.frac]]][ ][zone]": 1 parsed into *out, 0 not
 * a date, -1 a bad one (err says which part).
 */
static int
scan_absolute(const char *s, int utc, int64_t *out, const char **why)
{
	const char	*p = s;
	long long	 y, mo, d, h = 0, mi = 0, se = 0, frac;
	long		 off = 0;
	struct tm	 tm, back;
	time_t		 t;
	int		 zoned = 0;

	if (scan_digits(&p, 4, 4, &y) == -1 || *p != '-')
		return 0;
	p++;
	*why = "a date like 2026-11-28";
	if (scan_digits(&p, 2, 2, &mo) == -1 || *p++ != '-' ||
	    scan_digits(&p, 2, 2, &d) == -1 || y < 1970 || mo < 1 ||
	    mo > 12 || d < 1 || d > scan_mdays(y, (int)mo))
		return -1;
	if ((*p == ' ' || *p == 'T') && isdigit((unsigned char)p[1])) {
		p++;
		*why = "a time like 04:16 or 04:16:45";
		if (scan_digits(&p, 2, 2, &h) == -1 || *p++ != ':' ||
		    scan_digits(&p, 2, 2, &mi) == -1 || h > 23 || mi > 59)
			return -1;
		if (*p == ':') {
			p++;
			if (scan_digits(&p, 2, 2, &se) == -1 || se > 59)
				return -1;
			if (*p == '.') {
				p++;
				if (scan_digits(&p, 1, 9, &frac) == -1)
					return -1;
			}
		}
	}
	if (*p == ' ')
		p++;
	if (*p != '\0') {
		*why = "a zone like Z, UTC or +01:00 after the time";
		if (scan_zone(p, &off) == -1)
			return -1;
		zoned = 1;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)(y - 1900);
	tm.tm_mon = (int)mo - 1;
	tm.tm_mday = (int)d;
	tm.tm_hour = (int)h;
	tm.tm_min = (int)mi;
	tm.tm_sec = (int)se;
	if (zoned || utc) {
		*out = (int64_t)timegm(&tm) - off;
		return 1;
	}
	tm.tm_isdst = -1;
	back = tm;
	if ((t = mktime(&tm)) == (time_t)-1 || localtime_r(&t, &back) == NULL ||
	    back.tm_hour != (int)h || back.tm_min != (int)mi ||
	    back.tm_mday != (int)d) {
		*why = "a time that exists in the local zone (this one is "
		    "skipped by a daylight saving change; give a zone)";
		return -1;
	}
	*out = (int64_t)t;
	return 1;
}

/* See scan_time.h. */
int
scan_time_parse(const char *s, int64_t now, int utc, int64_t *out,
    char *err, size_t errlen)
{
	const char	*why = "";
	const char	*p;
	char		 shown[128];
	long long	 v;
	int		 rc;

	if (strcasecmp(s, "now") == 0)
		*out = now;
	else if (strcasecmp(s, "today") == 0)
		*out = scan_midnight(now, utc, 0);
	else if (strcasecmp(s, "yesterday") == 0)
		*out = scan_midnight(now, utc, -1);
	else if (strcasecmp(s, "tomorrow") == 0)
		*out = scan_midnight(now, utc, 1);
	else if (s[0] == '@') {
		p = s + 1;
		if (scan_digits(&p, 1, 12, &v) == -1 || *p != '\0' ||
		    v > SCAN_TIME_MAX)
			goto bad;
		*out = (int64_t)v;
	} else if ((rc = scan_absolute(s, utc, out, &why)) == 1)
		;
	else if (rc == -1) {
		snprintf(err, errlen, "\"%s\": expected %s",
		    sanitize_str(shown, sizeof(shown), s), why);
		return -1;
	} else if ((rc = scan_relative(s, now, out)) != 1)
		goto bad;
	if (*out < 0 || *out > SCAN_TIME_MAX)
		goto bad;
	return 0;
bad:
	snprintf(err, errlen, "\"%s\" is not a time: expected a date and "
	    "time (2026-11-28 04:16, with a zone if not the logs'), @SECONDS, "
	    "now, today, yesterday, or a time ago (2h, 30m, 1h30m, 7d)",
	    sanitize_str(shown, sizeof(shown), s));
	return -1;
}

/* See scan_time.h. */
const char *
scan_time_format(int64_t t, int utc, char *buf, size_t size)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (utc ? gmtime_r(&tt, &tm) == NULL : localtime_r(&tt, &tm) == NULL)
		snprintf(buf, size, "?");
	else
		strftime(buf, size, utc ? "%Y-%m-%d %H:%M:%S UTC" :
		    "%Y-%m-%d %H:%M:%S %Z", &tm);
	return buf;
}
