/* xmalloc.h: allocation that aborts with a message instead of returning NULL. */
#ifndef MAILCON_XMALLOC_H
#define MAILCON_XMALLOC_H

#include <stddef.h>

void	*xmalloc(size_t size);
void	*xcalloc(size_t n, size_t size);
void	*xreallocarray(void *p, size_t n, size_t size);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);

#endif
