/* xmalloc.c: allocation wrappers; running out of memory is not recoverable here. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* Report the failed size and stop: a half-built model is worse than none. */
static void
xmalloc_die(size_t n, size_t size)
{
	fprintf(stderr, "mailcon: out of memory allocating %zu x %zu bytes\n",
	    n, size);
	abort();
}

/* malloc that never returns NULL. */
void *
xmalloc(size_t size)
{
	void	*p;

	if ((p = malloc(size == 0 ? 1 : size)) == NULL)
		xmalloc_die(1, size);
	return p;
}

/* calloc that never returns NULL. */
void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size)) == NULL)
		xmalloc_die(n, size);
	return p;
}

/* realloc of n elements, checking the multiplication for overflow. */
void *
xreallocarray(void *p, size_t n, size_t size)
{
	void	*q;

	if (size != 0 && n > SIZE_MAX / size)
		xmalloc_die(n, size);
	if ((q = realloc(p, n * size == 0 ? 1 : n * size)) == NULL)
		xmalloc_die(n, size);
	return q;
}

/* strdup that never returns NULL. */
char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

/* Copy at most n bytes of s into a new NUL-terminated string. */
char *
xstrndup(const char *s, size_t n)
{
	char	*p;
	size_t	 len;

	len = strnlen(s, n);
	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}
