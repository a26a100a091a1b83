/*
 * config_value.c: the grammars of the configuration's values (durations,
 * thresholds, switches, whole numbers, commands, lists of paths), shared
 * by every section and by the command line.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "core/xmalloc.h"

/* See config.h. */
char **
config_split_argv(const char *s)
{
	char		**v = xcalloc(1, sizeof(char *));
	size_t		 n = 0;
	const char	*start;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			return v;
		start = s;
		while (*s != '\0' && *s != ' ' && *s != '\t')
			s++;
		v = xreallocarray(v, n + 2, sizeof(char *));
		v[n++] = xstrndup(start, (size_t)(s - start));
		v[n] = NULL;
	}
}

/* Parse "600", "600s", "10m", "2h" or "1d" into seconds (1 s .. 30 days). */
int
config_parse_duration(const char *s, int *seconds)
{
	char		*end;
	long		 v;
	long		 unit = 1;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || errno != 0 || v <= 0)
		return -1;
	switch (*end) {
	case '\0':
	case 's':
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	default:
		return -1;
	}
	if (*end != '\0' && end[1] != '\0')
		return -1;
	if (v > 30L * 86400 / unit)
		return -1;
	*seconds = (int)(v * unit);
	return 0;
}

/* Parse one non-negative finite number; *end is left after it. */
int
config_parse_number(const char *s, const char **end, double *out)
{
	char	*e;
	double	 v;

	errno = 0;
	v = strtod(s, &e);
	if (e == s || errno != 0 || !isfinite(v) || v < 0)
		return -1;
	*end = e;
	*out = v;
	return 0;
}

/*
 * Parse "WATCH SUSPICIOUS CRITICAL": three non-decreasing numbers, 0 to
 * disable a level, or "off" to disable the signal.
 */
int
config_parse_limits(const char *s, struct signal_limits *out)
{
	double		 v[3];
	const char	*p = s;
	int		 i;

	if (strcasecmp(s, "off") == 0) {
		memset(out, 0, sizeof(*out));
		return 0;
	}
	for (i = 0; i < 3; i++) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (config_parse_number(p, &p, &v[i]) == -1)
			return -1;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0')
		return -1;
	for (i = 1; i < 3; i++)
		if (v[i] != 0 && v[i - 1] != 0 && v[i] < v[i - 1])
			return -1;
	out->watch = v[0];
	out->suspicious = v[1];
	out->critical = v[2];
	return 0;
}

/* on/yes/true/1 or off/no/false/0 into *out: 0, or -1. */
int
config_parse_switch(const char *s, int *out)
{
	if (strcasecmp(s, "on") == 0 || strcasecmp(s, "yes") == 0 ||
	    strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0)
		*out = 1;
	else if (strcasecmp(s, "off") == 0 || strcasecmp(s, "no") == 0 ||
	    strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

/* Parse a whole number in [min, max]. */
int
config_parse_int(const char *s, long min, long max, long *out)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/*
 * A list of absolute paths separated by commas (a path may hold a blank),
 * blanks around each dropped, into a NULL-terminated array (NULL when the
 * list is empty).  -1 with "KEY: ... is not an absolute path" in err.
 */
int
config_split_paths(const char *key, const char *value, char ***out, char *err,
    size_t errlen)
{
	const char	*p = value, *start;
	char		**v = NULL, *one;
	size_t		 n = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && *p != ',')
			p++;
		while (p > start && (p[-1] == ' ' || p[-1] == '\t'))
			p--;
		one = xstrndup(start, (size_t)(p - start));
		if (one[0] != '/') {
			snprintf(err, errlen, "%s: \"%.64s\" is not an "
			    "absolute path", key, one);
			free(one);
			config_free_strv(v);
			return -1;
		}
		v = xreallocarray(v, n + 2, sizeof(*v));
		v[n++] = one;
		v[n] = NULL;
	}
	*out = v;
	return 0;
}
