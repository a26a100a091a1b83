/*
 * maincf.c: what mailcon reads in a Postfix main.cf: where Postfix logs
 * without syslog (maillog_file) and which addresses it sends from
 * (smtp_bind_address, smtp_bind_address6).  Pure: the console reads the
 * file (never postconf, which could hang the start) and hands its text
 * here.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "postfix.h"
#include "backends/backend.h"

#define MAINCF_LINE_MAX	1023	/* longer lines are read cut, as fgets did */

/* See postfix.h.  The last setting wins, as in Postfix. */
int
maincf_param(const char *text, size_t len, const char *key, char *buf,
    size_t size)
{
	const char	*p = text, *end = text + len, *nl, *v, *e, *lend;
	size_t		 klen = strlen(key);
	int		 found = 0;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		lend = nl - p > MAINCF_LINE_MAX ? p + MAINCF_LINE_MAX : nl;
		if ((size_t)(lend - p) < klen || memcmp(p, key, klen) != 0)
			continue;
		v = p + klen;
		while (v < lend && (*v == ' ' || *v == '\t'))
			v++;
		if (v >= lend || *v++ != '=')
			continue;
		while (v < lend && (*v == ' ' || *v == '\t'))
			v++;
		for (e = v; e < lend && *e != ' ' && *e != '\t' && *e != '\0';
		    e++)
			;
		snprintf(buf, size, "%.*s", (int)(e - v), v);
		found = e > v;
	}
	return found;
}

/* The discovery's config_log: maillog_file, when a plain absolute path. */
int
maincf_maillog(const char *text, size_t len, char *buf, size_t size)
{
	return maincf_param(text, len, "maillog_file", buf, size) &&
	    buf[0] == '/' && strchr(buf, '$') == NULL;
}

/* The discovery's config_outbound: the bind addresses, as written. */
size_t
maincf_outbound(const char *text, size_t len, struct backend_value *out,
    size_t max)
{
	static const char *const keys[] = { "smtp_bind_address",
	    "smtp_bind_address6" };
	size_t	 k, n = 0;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]) && n < max; k++) {
		if (!maincf_param(text, len, keys[k], out[n].value,
		    sizeof(out[n].value)))
			continue;
		out[n++].key = keys[k];
	}
	return n;
}
