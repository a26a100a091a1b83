/*
 * logline.c: split one log line into time, host, program and message.
 *
 * This runs for every line of every file (well over a million lines a
 * second), so it scans by hand and never allocates; the timestamp, and the
 * clock that settles it into UTC, are read in logstamp.c.
 *
 * Exim's own main log ("2026-12-06 11:34:05.123 +0100 [1234] 1rXyz..."),
 * which has no host and no tag, is split here too; backends/exim/log.c reads
 * the message.
 *
 * Nothing here trusts the line: it may hold NUL bytes, invalid UTF-8 or be
 * a megabyte long; every read is bounded by len.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "logline.h"
#include "logline_int.h"

#define LOG_PROG_MAX	128	/* longest program tag we believe */
#define LOG_PID_MAX	4194304	/* Linux's pid_max at most */

/*
 * A syslog tag "prog" or "prog[pid]" spanning [p, e); sets *prog and *pid
 * (0 without one, or one past LOG_PID_MAX).  Program names are printable
 * ASCII without space, brackets or colon.  0, or -1.
 */
static int
parse_tag(const char *p, const char *e, struct mail_str *prog,
    uint32_t *pid)
{
	const char	*q;
	uint32_t	 v = 0;

	for (q = p; q < e; q++) {
		unsigned char ch = (unsigned char)*q;

		/* one test for the common byte: printable, no [ ] or : */
		if ((unsigned)(ch - '!') < 0x7fu - '!' && ch != '[' && ch != ']' &&
		    ch != ':')
			continue;
		if (ch == '[')
			break;
		return -1;
	}
	if (q == p || q - p > LOG_PROG_MAX)
		return -1;
	prog->p = p;
	prog->len = (size_t)(q - p);
	*pid = 0;
	if (q == e)
		return 0;
	/* "[pid]" must close the tag */
	if (e - q < 3 || e[-1] != ']')
		return -1;
	for (q++; q < e - 1; q++) {
		if (*q < '0' || *q > '9')
			return -1;
		if (v <= LOG_PID_MAX)
			v = v * 10 + (uint32_t)(*q - '0');
	}
	*pid = v <= LOG_PID_MAX ? v : 0;
	return 0;
}

/*
 * Dovecot's own log_path lines have no host and a program that is either
 * a name ("auth: ", "imap-login: "), a name with a pid ("auth-worker(123): ")
 * or, since 2.4, an event prefix that carries the login:
 * "auth(user,ip,sasl:plain)<session>: ".  The login is attacker text and
 * may hold spaces and colons, so for that form we do not look for the
 * end of the prefix here: prog is the name and msg starts at the name, the
 * same text a syslog "dovecot: " line carries, for the backend to take
 * apart from the right.  Returns 1 when p starts such a prefix.
 */
static int
split_dovecot_paren(const char *p, const char *end, struct log_header *out)
{
	const char	*q, *d;

	for (q = p; q < end && ((*q >= 'a' && *q <= 'z') ||
	    (*q >= '0' && *q <= '9') || *q == '-'); q++)
		;
	if (q == p || q >= end || *q != '(' || *p < 'a' || *p > 'z' ||
	    q - p > LOG_PROG_MAX)
		return 0;
	out->prog.p = p;
	out->prog.len = (size_t)(q - p);
	for (d = q + 1; d < end && *d >= '0' && *d <= '9'; d++)
		;
	if (d > q + 1 && end - d >= 2 && d[0] == ')' && d[1] == ':' &&
	    (end - d == 2 || d[2] == ' ')) {
		out->msg.p = d + 2 + (end - d > 2);
		out->msg.len = (size_t)(end - out->msg.p);
		return 1;
	}
	out->msg.p = p;
	out->msg.len = (size_t)(end - p);
	return 1;
}

/* Host (optional) and tag after the timestamp.  0, or -1. */
static int
split_rest(const char *p, const char *end, struct log_header *out)
{
	const char	*tok, *colon;

	out->host.p = p;
	out->host.len = 0;
	if (p >= end || *p == ' ')
		return -1;
	if (split_dovecot_paren(p, end, out))
		return 0;
	if ((tok = memchr(p, ' ', (size_t)(end - p))) == NULL)
		tok = end;
	/* "prog: msg" without a host (Dovecot log_path) */
	if (tok[-1] == ':' && parse_tag(p, tok - 1, &out->prog, &out->pid) == 0)
		goto msg;
	/* "host prog[pid]: msg" */
	if (tok == end)
		return -1;
	out->host.len = (size_t)(tok - p);
	p = tok + 1;
	if ((tok = memchr(p, ' ', (size_t)(end - p))) == NULL)
		tok = end;
	colon = tok - 1;
	if (tok == p || *colon != ':' ||
	    parse_tag(p, colon, &out->prog, &out->pid) != 0)
		return -1;
msg:
	out->msg.p = tok < end ? tok + 1 : end;
	out->msg.len = (size_t)(end - out->msg.p);
	return 0;
}

/*
 * Whether the line starts with the same 16-byte classic stamp as the last
 * one settled: a log has dozens of lines per second, and the same text
 * settles to the same time while year, zone and the month clock_year()
 * compares with stay put (then it would neither move the year nor change
 * last_month).
 */
static int
stamp_cached(const struct log_clock *c, const char *line)
{
	return c->stamp_ok && c->stamp_year == c->year &&
	    c->stamp_utc == c->utc &&
	    (c->fixed_year || c->last_month == c->stamp_mon) &&
	    memcmp(line, c->stamp, 16) == 0;
}

/* Step over Exim's "[pid] " (log_selector +pid); returns the new start. */
static const char *
skip_exim_pid(const char *p, const char *end)
{
	const char	*q;

	if (p >= end || *p != '[')
		return p;
	for (q = p + 1; q < end && *q >= '0' && *q <= '9' && q - p <= 10; q++)
		;
	if (q == p + 1 || end - q < 2 || q[0] != ']' || q[1] != ' ')
		return p;
	return q + 2;
}

/*
 * Whether what follows an Exim stamp can only be Exim's own format: a
 * zone, a pid, or a message id.  Other lines with a space-separated ISO
 * stamp ("2026-11-28 03:01:06 host prog[pid]: ", Dovecot's log_timestamp
 * "%Y-%m-%d %H:%M:%S ") are tried the syslog way first.
 */
static int
exim_native(const struct log_stamp *st, const char *p, const char *end)
{
	const char	*q;

	if (st->zoned || skip_exim_pid(p, end) != p)
		return 1;
	if ((q = memchr(p, ' ', (size_t)(end - p) < 24 ? (size_t)(end - p) :
	    24)) == NULL)
		return 0;
	return exim_id_is_valid(p, (size_t)(q - p));
}

/*
 * Exim's main log: after the stamp an optional "[pid] ", then the message
 * (spec chapter "Log files").  No host and no tag: both are left empty,
 * pointing at the message.  0, or -1 when there is no message.
 */
static int
split_exim(const char *p, const char *end, struct log_header *out)
{
	p = skip_exim_pid(p, end);
	if (p >= end || *p == ' ')
		return -1;
	out->host.p = out->prog.p = out->msg.p = p;
	out->host.len = out->prog.len = 0;
	out->msg.len = (size_t)(end - p);
	return 0;
}

/*
 * A line that starts with a digit: RFC 3339 (rsyslog, journalctl, also a
 * space-separated ISO stamp before "host prog[pid]: "), or Exim's own
 * main log.  Fills *st and *h; 0, or -1.
 */
static int
split_numeric(const char *line, const char *end, struct log_stamp *st,
    struct log_header *h)
{
	const char	*p = line, *q = line;
	struct log_stamp exim;
	int		 isexim;

	memset(&exim, 0, sizeof(exim));
	isexim = parse_exim_stamp(&q, end, &exim) == 0;
	if (isexim && exim_native(&exim, q, end))
		goto native;
	if (parse_rfc3339(&p, end, st) == 0 && split_rest(p, end, h) == 0)
		return 0;
	if (!isexim)
		return -1;
	memset(h, 0, sizeof(*h));
native:
	*st = exim;
	return split_exim(q, end, h);
}

/*
 * An Exim main log line whose bare stamp (no fraction, no zone) is the
 * last one's: most lines share their second with the line before, and
 * settling a stamp (the date's day number, the zone) costs more than the
 * rest of the split.  0 and *h, or -1 when the cache does not apply and
 * the line goes the whole way.
 */
static int
split_exim_cached(struct log_clock *c, const char *line, const char *end,
    struct log_header *h)
{
	static const struct log_stamp bare;	/* not zoned */

	if (!c->xstamp_ok || c->xstamp_utc != c->utc || end - line < 21 ||
	    memcmp(line, c->xstamp, sizeof(c->xstamp)) != 0 ||
	    !exim_native(&bare, line + 20, end) ||
	    split_exim(line + 20, end, h) != 0)
		return -1;
	h->time = c->xstamp_time;
	h->usec = 0;
	return 0;
}

/* Remember a bare Exim stamp (line, 20 bytes) settled to h->time. */
static void
split_exim_keep(struct log_clock *c, const char *line,
    const struct log_header *h)
{
	memcpy(c->xstamp, line, sizeof(c->xstamp));
	c->xstamp_time = h->time;
	c->xstamp_utc = c->utc;
	c->xstamp_ok = 1;
}

/* See logline.h. */
size_t
logline_exim_prefix(const char *p, size_t len)
{
	struct log_stamp	 st;
	const char		*q = p;

	memset(&st, 0, sizeof(st));
	if (p == NULL || len < 20 || *p < '0' || *p > '9' ||
	    parse_exim_stamp(&q, p + len, &st) != 0)
		return 0;
	return (size_t)(skip_exim_pid(q, p + len) - p);
}

/* Split a line into time, host, program and message (see logline.h). */
int
logline_split(struct log_clock *c, const char *line, size_t len,
    struct log_header *out)
{
	struct log_header	 h;
	struct log_stamp	 st;
	const char		*p = line, *end;

	if (line == NULL)
		return -1;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	end = line + len;
	if (len < 16)
		return -1;
	memset(&h, 0, sizeof(h));
	if (stamp_cached(c, line)) {
		if (split_rest(line + 16, end, &h) != 0)
			return -1;
		h.time = c->stamp_time;
		*out = h;
		return 0;
	}
	memset(&st, 0, sizeof(st));
	if (*p >= '0' && *p <= '9') {
		if (split_exim_cached(c, line, end, &h) == 0) {
			*out = h;
			return 0;
		}
		memset(&h, 0, sizeof(h));
		if (split_numeric(line, end, &st, &h) != 0)
			return -1;
	} else if (parse_classic(&p, end, &st) != 0 ||
	    split_rest(p, end, &h) != 0)
		return -1;
	if (stamp_to_utc(c, &st, &h) != 0)
		return -1;
	/* Exim's own line (only it leaves prog empty) with a bare stamp */
	if (!st.classic && !st.zoned && st.usec == 0 && h.prog.len == 0 &&
	    line[19] == ' ')
		split_exim_keep(c, line, &h);
	if (st.classic && p == line + 16 && st.usec == 0) {
		memcpy(c->stamp, line, 16);
		c->stamp_time = h.time;
		c->stamp_year = c->year;
		c->stamp_utc = c->utc;
		c->stamp_mon = st.mon;
		c->stamp_ok = 1;
	}
	*out = h;
	return 0;
}

/*
 * See logline.h.  journalctl (logs-show.c, output_short) writes
 * "[%s blob data]" with format_bytes(): "123B" under a KiB, else one
 * decimal and a unit, "48.0K", "1.2M".
 */
int
logline_blob(const struct log_header *h)
{
	static const char	 tail[] = " blob data]";
	const char		*p = h->msg.p, *e = h->msg.p + h->msg.len;

	if (p == NULL || h->msg.len < 2 + sizeof(tail) || *p++ != '[' ||
	    *p < '0' || *p > '9')
		return 0;
	while (p < e && *p >= '0' && *p <= '9')
		p++;
	if (p < e && *p == '.') {
		if (++p == e || *p < '0' || *p > '9')
			return 0;
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	if (p == e || *p == '\0' || strchr("BKMGTPE", *p) == NULL)
		return 0;
	p++;
	return (size_t)(e - p) == sizeof(tail) - 1 &&
	    memcmp(p, tail, sizeof(tail) - 1) == 0;
}
