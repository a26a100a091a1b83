/* shquote.c: words quoted for a POSIX shell; see shquote.h. */
#include <string.h>

#include "shquote.h"

/* A word the shell takes as it is: no quoting needed (nor wanted, for
   readable --dry-run output). */
static int
shquote_plain(const char *w)
{
	if (*w == '\0')
		return 0;
	for (; *w != '\0'; w++)
		if (!((*w >= 'a' && *w <= 'z') || (*w >= 'A' && *w <= 'Z') ||
		    (*w >= '0' && *w <= '9') || strchr("@%+=:,./_-", *w) !=
		    NULL))
			return 0;
	return 1;
}

/* See shquote.h. */
int
shquote_argv(int argc, char *const argv[], char *buf, size_t size)
{
	size_t		 o = 0;
	const char	*w;
	int		 i;

#define PUT(c) do { if (o + 1 >= size) return -1; buf[o++] = (c); } while (0)
	for (i = 0; i < argc; i++) {
		if (i > 0)
			PUT(' ');
		w = argv[i];
		if (shquote_plain(w)) {
			for (; *w != '\0'; w++)
				PUT(*w);
			continue;
		}
		PUT('\'');
		for (; *w != '\0'; w++) {
			if (*w == '\'') {
				/* close, an escaped quote, reopen */
				PUT('\'');
				PUT('\\');
				PUT('\'');
				PUT('\'');
			} else
				PUT(*w);
		}
		PUT('\'');
	}
#undef PUT
	if (size == 0)
		return -1;
	buf[o] = '\0';
	return (int)o;
}
