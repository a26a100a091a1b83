/*
 * audit_cmd.c: a command as the audit (and a dry run) writes it: one line
 * a POSIX shell would run, each word quoted only when it must be, and
 * every password in it written as <secret>: a word the caller marks, the
 * value of a word that names a password ("--password VALUE",
 * "pass=VALUE"), and any word holding one of the caller's secrets.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "core/secret.h"

#define AUDIT_SECRET	SECRET_SHOWN

/* A byte the shell takes as it is, unquoted. */
static int
audit_char_plain(char c)
{
	return c != '\0' && strchr("abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-", c) != NULL;
}

/* Does the word (or its part before '=') name a password? */
static int
audit_names_secret(const char *w, size_t len)
{
	static const char *const names[] = { "pass", "secret", "token" };
	size_t			 i, j, n;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		n = strlen(names[i]);
		for (j = 0; j + n <= len; j++)
			if (strncasecmp(w + j, names[i], n) == 0)
				return 1;
	}
	return 0;
}

/* Does w contain one of the caller's secret values? */
static int
audit_has_secret(const struct audit_rec *rec, const char *w)
{
	const char *const	*s;

	for (s = rec->secrets; s != NULL && *s != NULL; s++)
		if (**s != '\0' && strstr(w, *s) != NULL)
			return 1;
	return 0;
}

/* Append n bytes of p at *o, counting what does not fit (as snprintf). */
static void
audit_put(char *buf, size_t size, size_t *o, const char *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++, (*o)++)
		if (*o + 1 < size)
			buf[*o] = p[i];
}

/* Append w shell-quoted: plain, or single-quoted with ' as '\''. */
static void
audit_put_quoted(char *buf, size_t size, size_t *o, const char *w, size_t n)
{
	size_t	 i;

	for (i = 0; i < n && audit_char_plain(w[i]); i++)
		;
	if (n > 0 && i == n) {
		audit_put(buf, size, o, w, n);
		return;
	}
	audit_put(buf, size, o, "'", 1);
	for (i = 0; i < n; i++) {
		if (w[i] == '\'')
			audit_put(buf, size, o, "'\\''", 4);
		else
			audit_put(buf, size, o, w + i, 1);
	}
	audit_put(buf, size, o, "'", 1);
}

/* See audit.h. */
int
audit_command(const struct audit_rec *rec, char *buf, size_t size)
{
	const char	*w, *eq, *prev = NULL;
	size_t		 o = 0;
	int		 i, secret;

	for (i = 0; rec->argv != NULL && i < rec->argc; i++) {
		w = rec->argv[i];
		if (i > 0)
			audit_put(buf, size, &o, " ", 1);
		secret = i < AUDIT_MAX_ARGS && (rec->secret_mask &
		    ((uint64_t)1 << i)) != 0;
		/* "--password VALUE": the value is the next word. */
		if (prev != NULL && prev[0] == '-' && strchr(prev, '=') ==
		    NULL && audit_names_secret(prev, strlen(prev)))
			secret = 1;
		prev = w;
		if (secret) {
			audit_put(buf, size, &o, AUDIT_SECRET,
			    strlen(AUDIT_SECRET));
			continue;
		}
		/* "password=VALUE", "--pass=VALUE": keep the name only. */
		if ((eq = strchr(w, '=')) != NULL &&
		    audit_names_secret(w, (size_t)(eq - w))) {
			audit_put_quoted(buf, size, &o, w,
			    (size_t)(eq - w) + 1);
			audit_put(buf, size, &o, AUDIT_SECRET,
			    strlen(AUDIT_SECRET));
			continue;
		}
		if (audit_has_secret(rec, w))
			audit_put(buf, size, &o, AUDIT_SECRET,
			    strlen(AUDIT_SECRET));
		else
			audit_put_quoted(buf, size, &o, w, strlen(w));
	}
	if (size > 0)
		buf[o < size ? o : size - 1] = '\0';
	return (int)o;
}
