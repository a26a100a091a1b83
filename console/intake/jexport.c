/* jexport.c: journalctl's export format into log lines (see jexport.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jexport.h"
#include "core/xmalloc.h"

/* journald refuses bigger values (DATA_SIZE_MAX is 768 MiB): a bigger
   length is not the export format. */
#define JEXPORT_BINARY_MAX	(1024ull << 20)
#define JEXPORT_SMALL_MAX	255	/* host, ident, pid, time */

enum jx_state { JX_NAME, JX_TEXT, JX_BINLEN, JX_BINDATA, JX_BINEND };

enum jx_field_id {
	F_CURSOR, F_TIME, F_HOST, F_IDENT, F_COMM, F_PID, F_SPID, F_MESSAGE,
	F_COUNT
};

/* The fields a line needs, in enum jx_field_id order. */
static const char *const jx_names[F_COUNT] = {
	"__CURSOR", "__REALTIME_TIMESTAMP", "_HOSTNAME", "SYSLOG_IDENTIFIER",
	"_COMM", "_PID", "SYSLOG_PID", "MESSAGE"
};

struct jx_field {
	char		*buf;
	size_t		 len;
	size_t		 cap;
	int		 seen;
};

struct jexport {
	jexport_entry_cb	 cb;
	void			*arg;
	enum jx_state		 st;
	char			 name[JEXPORT_NAME_MAX + 1];
	size_t			 nlen;
	int			 cur;		/* kept field read now, or -1 */
	unsigned char		 lenbuf[8];
	size_t			 lenhave;
	uint64_t		 left;		/* of a binary value */
	uint64_t		 entry_bytes;
	int			 fields;	/* of this entry */
	char			 skip[160];	/* why it is skipped, or "" */
	struct jx_field		 f[F_COUNT];
	char			*line;
	size_t			 linecap;
};

/* See jexport.h. */
struct jexport *
jexport_new(jexport_entry_cb cb, void *arg)
{
	struct jexport	*j = xcalloc(1, sizeof(*j));
	int		 i;

	j->cb = cb;
	j->arg = arg;
	for (i = 0; i < F_COUNT; i++) {
		j->f[i].cap = i == F_MESSAGE ? JEXPORT_FIELD_MAX :
		    i == F_CURSOR ? JEXPORT_CURSOR_MAX : JEXPORT_SMALL_MAX;
		j->f[i].buf = xmalloc(j->f[i].cap + 1);
	}
	/* time, host, ident[pid], ": ", message */
	j->linecap = 64 + 3 * (JEXPORT_SMALL_MAX + 4) + JEXPORT_FIELD_MAX;
	j->line = xmalloc(j->linecap + 1);
	jexport_reset(j);
	return j;
}

/* See jexport.h. */
void
jexport_free(struct jexport *j)
{
	int	 i;

	if (j == NULL)
		return;
	for (i = 0; i < F_COUNT; i++)
		free(j->f[i].buf);
	free(j->line);
	free(j);
}

/* Start a new entry. */
static void
jexport_clear(struct jexport *j)
{
	int	 i;

	for (i = 0; i < F_COUNT; i++)
		j->f[i].len = j->f[i].seen = 0;
	j->entry_bytes = 0;
	j->fields = 0;
	j->skip[0] = '\0';
}

/* See jexport.h. */
void
jexport_reset(struct jexport *j)
{
	j->st = JX_NAME;
	j->nlen = 0;
	j->cur = -1;
	j->lenhave = 0;
	j->left = 0;
	jexport_clear(j);
}

/* See jexport.h. */
int
jexport_cursor_ok(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > JEXPORT_CURSOR_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '=' || s[i] == ';' || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

/* The field name just read is complete: which kept field it is. */
static void
jexport_begin_value(struct jexport *j)
{
	int	 i;

	j->name[j->nlen] = '\0';
	j->nlen = 0;
	j->fields++;
	j->cur = -1;
	for (i = 0; i < F_COUNT; i++)
		if (strcmp(j->name, jx_names[i]) == 0) {
			/* a field may repeat: the first one counts */
			if (!j->f[i].seen) {
				j->f[i].seen = 1;
				j->cur = i;
			}
			break;
		}
}

/* Bytes of the current value: kept, or counted only. */
static void
jexport_value(struct jexport *j, const char *p, size_t n)
{
	struct jx_field	*f;

	j->entry_bytes += n;
	if (j->entry_bytes > JEXPORT_ENTRY_MAX && j->skip[0] == '\0')
		snprintf(j->skip, sizeof(j->skip), "an entry over %u bytes "
		    "skipped", JEXPORT_ENTRY_MAX);
	if (j->cur < 0)
		return;
	f = &j->f[j->cur];
	if (f->len + n > f->cap) {
		if (j->skip[0] == '\0')
			snprintf(j->skip, sizeof(j->skip), "an entry with a "
			    "%s over %zu bytes skipped", jx_names[j->cur],
			    f->cap);
		j->cur = -1;
		return;
	}
	memcpy(f->buf + f->len, p, n);
	f->len += n;
}

/* Copy s (len) to out, each byte in bad (or a control, blank) as '_'. */
static size_t
jexport_word(char *out, const char *s, size_t len, const char *bad)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		out[i] = (unsigned char)s[i] <= ' ' || s[i] == 0x7f ||
		    strchr(bad, s[i]) != NULL ? '_' : s[i];
	return len;
}

/* The entry's __REALTIME_TIMESTAMP as microseconds; -1 when bad. */
static int
jexport_time(const struct jx_field *f, uint64_t *usec)
{
	uint64_t	 v = 0;
	size_t		 i;

	if (!f->seen || f->len == 0 || f->len > 19)
		return -1;
	for (i = 0; i < f->len; i++) {
		if (f->buf[i] < '0' || f->buf[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(f->buf[i] - '0');
	}
	*usec = v;
	return 0;
}

/* Are the len bytes at s all digits (and some)? */
static int
jexport_digits(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return len > 0;
}

/* Build the line of a complete entry into j->line; its length. */
static size_t
jexport_format(struct jexport *j, uint64_t usec)
{
	const struct jx_field	*host = &j->f[F_HOST], *id = &j->f[F_IDENT];
	const struct jx_field	*pid = &j->f[F_PID], *msg = &j->f[F_MESSAGE];
	time_t			 t = (time_t)(usec / 1000000);
	struct tm		 tm;
	char			*p = j->line;

	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	p += strftime(p, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	p += snprintf(p, 24, ".%06u+00:00 ", (unsigned)(usec % 1000000));
	if (host->len > 0)
		p += jexport_word(p, host->buf, host->len, "");
	else
		*p++ = '-';
	*p++ = ' ';
	if (id->len == 0)
		id = &j->f[F_COMM];
	if (id->len > 0)
		p += jexport_word(p, id->buf, id->len, ":[]");
	else
		*p++ = '-';
	if (!jexport_digits(pid->buf, pid->len))
		pid = &j->f[F_SPID];
	if (jexport_digits(pid->buf, pid->len)) {
		*p++ = '[';
		memcpy(p, pid->buf, pid->len);
		p += pid->len;
		*p++ = ']';
	}
	*p++ = ':';
	*p++ = ' ';
	memcpy(p, msg->buf, msg->len);
	p += msg->len;
	*p = '\0';
	return (size_t)(p - j->line);
}

/* A blank line: the entry is complete; hand it on, start the next. */
static void
jexport_entry(struct jexport *j)
{
	struct jx_field	*c = &j->f[F_CURSOR];
	uint64_t	 usec = 0;
	size_t		 len;

	if (j->fields == 0)
		return;		/* blank lines between entries */
	c->buf[c->len] = '\0';
	if (!jexport_cursor_ok(c->buf, c->len))
		c->buf[0] = '\0';
	if (j->skip[0] == '\0' && jexport_time(&j->f[F_TIME], &usec) == -1)
		snprintf(j->skip, sizeof(j->skip), "an entry without a valid "
		    "__REALTIME_TIMESTAMP skipped");
	if (j->skip[0] != '\0')
		j->cb(NULL, 0, c->buf, j->skip, j->arg);
	else {
		len = jexport_format(j, usec);
		j->cb(j->line, len, c->buf, NULL, j->arg);
	}
	jexport_clear(j);
}

/* A byte of a field name: 0, or -1 when no field name has it. */
static int
jexport_name_byte(struct jexport *j, char ch)
{
	if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	    ch == '_') || j->nlen >= JEXPORT_NAME_MAX)
		return -1;
	j->name[j->nlen++] = ch;
	return 0;
}

/* See jexport.h. */
int
jexport_input(struct jexport *j, const char *p, size_t len)
{
	const char	*nl;
	size_t		 n, i;

	while (len > 0) {
		switch (j->st) {
		case JX_NAME:
			if (*p == '\n' && j->nlen == 0)
				jexport_entry(j);
			else if (*p == '\n' || *p == '=') {
				if (j->nlen == 0)
					return -1;
				jexport_begin_value(j);
				j->st = *p == '=' ? JX_TEXT : JX_BINLEN;
				j->lenhave = 0;
			} else if (jexport_name_byte(j, *p) == -1)
				return -1;
			p++;
			len--;
			break;
		case JX_TEXT:
			nl = memchr(p, '\n', len);
			n = nl != NULL ? (size_t)(nl - p) : len;
			jexport_value(j, p, n);
			if (nl != NULL) {
				j->st = JX_NAME;
				n++;
			}
			p += n;
			len -= n;
			break;
		case JX_BINLEN:
			j->lenbuf[j->lenhave++] = (unsigned char)*p++;
			len--;
			if (j->lenhave < 8)
				break;
			j->left = 0;
			for (i = 8; i > 0; i--)
				j->left = j->left << 8 | j->lenbuf[i - 1];
			if (j->left > JEXPORT_BINARY_MAX)
				return -1;
			j->st = j->left > 0 ? JX_BINDATA : JX_BINEND;
			break;
		case JX_BINDATA:
			n = len < j->left ? len : (size_t)j->left;
			jexport_value(j, p, n);
			j->left -= n;
			p += n;
			len -= n;
			if (j->left == 0)
				j->st = JX_BINEND;
			break;
		case JX_BINEND:
			if (*p != '\n')
				return -1;
			j->st = JX_NAME;
			p++;
			len--;
			break;
		}
	}
	return 0;
}
