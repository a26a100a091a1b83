/*
 * repeated.c: rsyslog's "message repeated N times: [...]" lines taken
 * for the lines they stand for (repeated.h).
 */
#include <stdio.h>
#include <string.h>

#include "repeated.h"

#define REPEATED_HEAD	"message repeated "
#define REPEATED_TIMES	" times: ["

/* See repeated.h. */
int
repeated_split(const struct log_header *h, struct log_header *inner,
    unsigned *n)
{
	const char	*p = h->msg.p, *end = h->msg.p + h->msg.len;
	unsigned long	 v = 0;
	size_t		 digits = 0;

	if (h->msg.len < sizeof(REPEATED_HEAD) - 1 ||
	    memcmp(p, REPEATED_HEAD, sizeof(REPEATED_HEAD) - 1) != 0)
		return 0;
	p += sizeof(REPEATED_HEAD) - 1;
	/* anchored: digits, no sign, no blank, at most nine of them */
	while (p < end && *p >= '0' && *p <= '9' && digits < 10) {
		v = v * 10 + (unsigned long)(*p++ - '0');
		digits++;
	}
	if (digits == 0 || digits > 9 || v == 0 ||
	    (size_t)(end - p) < sizeof(REPEATED_TIMES) - 1 + 1 ||
	    memcmp(p, REPEATED_TIMES, sizeof(REPEATED_TIMES) - 1) != 0 ||
	    end[-1] != ']')
		return 0;
	p += sizeof(REPEATED_TIMES) - 1;
	if (p < end - 1 && *p == ' ')
		p++;	/* rsyslog keeps the blank after the tag's colon */
	if (p >= end - 1)
		return 0;
	*inner = *h;
	inner->msg.p = p;
	inner->msg.len = (size_t)(end - 1 - p);
	*n = (unsigned)v;
	return 1;
}

/* See repeated.h. */
unsigned
repeated_times(const struct mail_events *evs, unsigned n, char *why,
    size_t size)
{
	int	 i;

	why[0] = '\0';
	for (i = 0; i < evs->n; i++)
		if (evs->ev[i].qid.len > 0) {
			if (n > 1)
				snprintf(why, size, "rsyslog's \"message "
				    "repeated %u times\" counted once: its "
				    "line names a queue id, which is one "
				    "message however often it is logged", n);
			return 1;
		}
	if (n > REPEATED_MAX) {
		snprintf(why, size, "rsyslog's \"message repeated %u times\" "
		    "counted %u times: a larger count is not trusted from a "
		    "log line", n, REPEATED_MAX);
		return REPEATED_MAX;
	}
	return n;
}
