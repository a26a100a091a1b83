/* why.c: reasons in few words (why.h). */
#include <stdio.h>
#include <string.h>

#include "why.h"

/*
 * The detector's phrases (detect_eval.c) and their short forms.  A
 * phrase is matched after the leading number; "#" in a short form is
 * where that number goes.
 */
static const struct {
	const char	*phrase;
	const char	*shorter;
} why_phrases[] = {
	{ " distinct IPs authenticated in ",		"# IPs in " },
	{ " distinct networks (/24, /64) authenticated in ", "# networks in " },
	{ " msgs/min in the last ",			"# msgs/min over " },
	{ " recipients/min in the last ",		"# rcpts/min over " },
	{ " recipient domains in ",			"# domains in " },
	{ "% of deliveries deferred or bounced",	"#% of deliveries "
							"failing" },
	{ " failed logins then success from ",		"# failed logins, then "
							"one worked: " },
	{ " logins from IPs new to this account in ",	"# new IPs in " },
	{ NULL, NULL }
};

/* Append src to buf at *off (cut at the end of buf). */
static void
why_cat(char *buf, size_t size, size_t *off, const char *src, size_t len)
{
	if (*off + 1 >= size)
		return;
	if (len > size - 1 - *off)
		len = size - 1 - *off;
	memcpy(buf + *off, src, len);
	*off += len;
	buf[*off] = '\0';
}

/* See why.h. */
const char *
why_short(const char *reason, char *buf, size_t size)
{
	const char	*p = reason, *num, *rest, *paren, *x;
	size_t		 off = 0, nlen, k;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (strncmp(p, "allow-listed: ", 14) == 0) {
		why_cat(buf, size, &off, "allowed: ", 9);
		p += 14;
	}
	/* the end of the sentence: before its last parenthesis */
	for (paren = NULL, x = p; (x = strstr(x, " (")) != NULL; x++)
		paren = x;
	nlen = paren != NULL ? (size_t)(paren - p) : strlen(p);
	if (strncmp(p, "holds ", 6) == 0) {
		/* "holds 100% of the queue": the share, then the words */
		why_cat(buf, size, &off, p + 6, nlen - 6);
		return buf;
	}
	if ((x = strstr(p, "x its earlier rate")) != NULL && x < p + nlen) {
		/* "45 msgs/min, 12x its earlier rate of 3.7/min" */
		for (num = x; num > p && num[-1] != ' '; num--)
			;
		why_cat(buf, size, &off, num, (size_t)(x - num));
		why_cat(buf, size, &off, "x its earlier rate", 18);
		return buf;
	}
	num = p;
	for (rest = p; *rest == '~' || *rest == ',' || *rest == '.' ||
	    (*rest >= '0' && *rest <= '9'); rest++)
		;
	for (k = 0; why_phrases[k].phrase != NULL; k++) {
		const char *ph = why_phrases[k].phrase, *sh;

		if (strncmp(rest, ph, strlen(ph)) != 0)
			continue;
		for (sh = why_phrases[k].shorter; *sh != '\0'; sh++)
			if (*sh == '#')
				why_cat(buf, size, &off, num,
				    (size_t)(rest - num));
			else
				why_cat(buf, size, &off, sh, 1);
		rest += strlen(ph);
		why_cat(buf, size, &off, rest, (size_t)(p + nlen - rest));
		return buf;
	}
	why_cat(buf, size, &off, p, nlen);
	return buf;
}
