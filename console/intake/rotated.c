/* rotated.c: a log's rotated files beside it, oldest first (see rotated.h). */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rotated.h"
#include "core/xmalloc.h"

struct rotated {
	char		*path;
	int		 numbered;	/* PATH.N, else PATH-DATE */
	uint64_t	 n;
	const char	*suffix;	/* after PATH: "-20240101" */
};

/* Is name a compressed file that cannot be read as it is? */
static int
rotated_compressed(const char *name)
{
	static const char *const ext[] = { ".gz", ".bz2", ".xz", ".zst",
	    ".lz4", ".Z" };
	size_t	 len = strlen(name), i, e;

	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		e = strlen(ext[i]);
		if (len > e && strcmp(name + len - e, ext[i]) == 0)
			return 1;
	}
	return 0;
}

/* Does suffix (what follows the log's name) name a rotated copy? */
static int
rotated_match(const char *suffix, struct rotated *r)
{
	const char	*p;
	uint64_t	 n = 0;

	if (suffix[0] == '-' && suffix[1] >= '0' && suffix[1] <= '9') {
		r->numbered = 0;
		return !rotated_compressed(suffix);
	}
	if (suffix[0] != '.' || suffix[1] == '\0')
		return 0;
	for (p = suffix + 1; *p >= '0' && *p <= '9'; p++) {
		if (n > UINT64_MAX / 10 - 1)
			return 0;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (*p != '\0')
		return 0;
	r->numbered = 1;
	r->n = n;
	return 1;
}

/* qsort: dated ones by name, then numbered ones from the highest N. */
static int
rotated_cmp(const void *a, const void *b)
{
	const struct rotated	*x = a, *y = b;

	if (x->numbered != y->numbered)
		return x->numbered - y->numbered;
	if (!x->numbered)
		return strcmp(x->suffix, y->suffix);
	return x->n > y->n ? -1 : x->n < y->n;
}

/* See rotated.h. */
size_t
rotated_list(const char *path, char ***out)
{
	struct rotated	*v = NULL, r;
	struct dirent	*de;
	DIR		*d;
	const char	*slash = strrchr(path, '/'), *base;
	char		*dir;
	size_t		 n = 0, cap = 0, blen, dlen, i;

	*out = NULL;
	base = slash != NULL ? slash + 1 : path;
	dir = slash == NULL ? xstrdup(".") : slash == path ? xstrdup("/") :
	    xstrndup(path, (size_t)(slash - path));
	dlen = (size_t)(base - path);
	blen = strlen(base);
	if (blen == 0 || (d = opendir(dir)) == NULL) {
		free(dir);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, base, blen) != 0 ||
		    !rotated_match(de->d_name + blen, &r))
			continue;
		if (n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		r.path = xmalloc(dlen + strlen(de->d_name) + 1);
		memcpy(r.path, path, dlen);
		strcpy(r.path + dlen, de->d_name);
		r.suffix = r.path + dlen + blen;
		v[n++] = r;
	}
	closedir(d);
	free(dir);
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), rotated_cmp);
	*out = xcalloc(n, sizeof(char *));
	for (i = 0; i < n; i++)
		(*out)[i] = v[i].path;
	free(v);
	return n;
}

/* See rotated.h. */
void
rotated_free(char **list, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}
