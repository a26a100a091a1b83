/* secret.c: a secret of ours replaced in text; see secret.h. */
#define _GNU_SOURCE	/* memmem */
#include <string.h>

#include "secret.h"
#include "xmalloc.h"

/* Replace buf[at, at + n) by SECRET_SHOWN; the new length. */
static size_t
secret_put(char *buf, size_t len, size_t cap, size_t at, size_t n)
{
	size_t	 sl = strlen(SECRET_SHOWN), tail = len - at - n;

	if (at + sl >= cap) {
		/* no room for the word: the text ends here */
		return at;
	}
	if (at + sl + tail >= cap)
		tail = cap - 1 - at - sl;
	memmove(buf + at + sl, buf + at + n, tail);
	memcpy(buf + at, SECRET_SHOWN, sl);
	return at + sl + tail;
}

/* See secret.h. */
size_t
secret_scrub(char *buf, size_t len, size_t cap, const char *const *secrets,
    int ended)
{
	const char *const	*s;
	const char		*hit;
	size_t			 sl, at, k;

	if (cap == 0)
		return 0;
	if (len > cap - 1)
		len = cap - 1;
	for (s = secrets; s != NULL && *s != NULL; s++) {
		if ((sl = strlen(*s)) < SECRET_MIN)
			continue;
		at = 0;
		while (at < len && (hit = memmem(buf + at, len - at, *s,
		    sl)) != NULL) {
			at = (size_t)(hit - buf);
			len = secret_put(buf, len, cap, at, sl);
			at += strlen(SECRET_SHOWN);
		}
		/* the text cut inside one: its first part ends it */
		for (k = sl - 1; ended && k >= SECRET_MIN; k--)
			if (len >= k && memcmp(buf + len - k, *s, k) == 0) {
				len = secret_put(buf, len, cap, len - k, k);
				break;
			}
	}
	buf[len] = '\0';
	return len;
}

/* See secret.h. */
char *
secret_scrub_copy(const char *p, size_t len, const char *const *secrets,
    size_t *outlen)
{
	/* a secret of SECRET_MIN bytes becomes the word: room to grow */
	size_t	 cap = len * 2 + strlen(SECRET_SHOWN) + 1;
	char	*out = xmalloc(cap);

	memcpy(out, p, len);
	*outlen = secret_scrub(out, len, cap, secrets, 1);
	return out;
}
