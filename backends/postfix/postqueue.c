/*
 * postqueue.c: one line of `postqueue -j` into a struct queue_msg, the
 * parser of Postfix's queue listing (backend.h, struct backend_queue).
 *
 * A small recursive-descent JSON parser that checks the whole line and
 * extracts only what the summary needs, without allocating: the queue id
 * is decoded into the message, the sender is decoded straight into its
 * hash, recipients are counted, everything else (delay reasons, unknown
 * fields) is checked and skipped.  Structure is strict JSON; string
 * contents are bytes (Postfix passes a non-UTF-8 sender through, and such
 * a message must not vanish from the summary).  Nesting deeper than
 * JP_DEPTH_MAX is refused so a line of 16 million '[' cannot overflow the
 * stack.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "postfix.h"
#include "backends/backend.h"

#define JP_DEPTH_MAX	32
#define JP_KEY_MAX	16

/* Where the bytes of a decoded string go. */
struct jsink {
	char		*buf;		/* NULL: nowhere */
	size_t		 cap, len;
	struct sender_hash *sip;	/* hash (lowercased) when not NULL */
};

struct jp {
	const unsigned char	*p, *end;
};

/* Skip JSON whitespace. */
static void
jp_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

/* Append one decoded byte to a sink. */
static void
jsink_put(struct jsink *k, unsigned char c)
{
	if (k == NULL)
		return;
	if (k->buf != NULL && k->len < k->cap)
		k->buf[k->len] = (char)c;
	k->len++;
	if (k->sip != NULL)
		sender_hash_byte(k->sip, c);
}

/* Append a code point as UTF-8 (lone surrogates too: the bytes matter). */
static void
jsink_utf8(struct jsink *k, uint32_t cp)
{
	if (cp < 0x80)
		jsink_put(k, (unsigned char)cp);
	else if (cp < 0x800) {
		jsink_put(k, (unsigned char)(0xc0 | (cp >> 6)));
		jsink_put(k, (unsigned char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		jsink_put(k, (unsigned char)(0xe0 | (cp >> 12)));
		jsink_put(k, (unsigned char)(0x80 | ((cp >> 6) & 0x3f)));
		jsink_put(k, (unsigned char)(0x80 | (cp & 0x3f)));
	} else {
		jsink_put(k, (unsigned char)(0xf0 | (cp >> 18)));
		jsink_put(k, (unsigned char)(0x80 | ((cp >> 12) & 0x3f)));
		jsink_put(k, (unsigned char)(0x80 | ((cp >> 6) & 0x3f)));
		jsink_put(k, (unsigned char)(0x80 | (cp & 0x3f)));
	}
}

/* Four hex digits after "\u"; -1 when they are not. */
static int32_t
jp_hex4(struct jp *j)
{
	int32_t		 v = 0;
	int		 i;
	unsigned char	 c;

	if (j->end - j->p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		c = j->p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	j->p += 4;
	return v;
}

/* One escape sequence (after the backslash); -1 when invalid. */
static int
jp_escape(struct jp *j, struct jsink *k)
{
	int32_t		 hi, lo;
	unsigned char	 c;

	if (j->p >= j->end)
		return -1;
	c = *j->p++;
	switch (c) {
	case '"': case '\\': case '/':
		jsink_put(k, c);
		return 0;
	case 'b': jsink_put(k, '\b'); return 0;
	case 'f': jsink_put(k, '\f'); return 0;
	case 'n': jsink_put(k, '\n'); return 0;
	case 'r': jsink_put(k, '\r'); return 0;
	case 't': jsink_put(k, '\t'); return 0;
	case 'u':
		break;
	default:
		return -1;
	}
	if ((hi = jp_hex4(j)) < 0)
		return -1;
	if (hi >= 0xd800 && hi <= 0xdbff && j->end - j->p >= 6 &&
	    j->p[0] == '\\' && j->p[1] == 'u') {
		j->p += 2;
		if ((lo = jp_hex4(j)) < 0)
			return -1;
		if (lo >= 0xdc00 && lo <= 0xdfff) {
			jsink_utf8(k, 0x10000 + (((uint32_t)hi - 0xd800) << 10) +
			    ((uint32_t)lo - 0xdc00));
			return 0;
		}
		jsink_utf8(k, (uint32_t)hi);
		jsink_utf8(k, (uint32_t)lo);
		return 0;
	}
	jsink_utf8(k, (uint32_t)hi);
	return 0;
}

/* A string at j->p (the opening quote), decoded into k (may be NULL). */
static int
jp_string(struct jp *j, struct jsink *k)
{
	const unsigned char	*p;

	if (j->p >= j->end || *j->p != '"')
		return -1;
	j->p++;
	for (;;) {
		/* the fast path: plain bytes, most of a delay reason */
		for (p = j->p; p < j->end && *p != '"' && *p != '\\' &&
		    *p >= 0x20; p++)
			;
		if (k != NULL) {
			for (; j->p < p; j->p++)
				jsink_put(k, *j->p);
		}
		j->p = p;
		if (p >= j->end || *p < 0x20)
			return -1;
		j->p++;
		if (*p == '"')
			return 0;
		if (jp_escape(j, k) == -1)
			return -1;
	}
}

/*
 * A number.  When vp is not NULL it must be a non-negative integer that
 * fits in int64; *vp gets it and the result is 1, or 0 when it is a valid
 * number of another kind.  -1 when it is not a number.
 */
static int
jp_number(struct jp *j, int64_t *vp)
{
	const unsigned char	*p = j->p;
	int			 isint = 1, over = 0, neg = 0;
	uint64_t		 v = 0;

	if (p < j->end && *p == '-') {
		neg = 1;
		p++;
	}
	if (p >= j->end || *p < '0' || *p > '9')
		return -1;
	if (*p == '0')
		p++;
	else {
		for (; p < j->end && *p >= '0' && *p <= '9'; p++) {
			if (v > (uint64_t)(INT64_MAX - (*p - '0')) / 10)
				over = 1;
			else
				v = v * 10 + (uint64_t)(*p - '0');
		}
	}
	if (p < j->end && *p == '.') {
		isint = 0;
		if (++p >= j->end || *p < '0' || *p > '9')
			return -1;
		while (p < j->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < j->end && (*p == 'e' || *p == 'E')) {
		isint = 0;
		p++;
		if (p < j->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= j->end || *p < '0' || *p > '9')
			return -1;
		while (p < j->end && *p >= '0' && *p <= '9')
			p++;
	}
	j->p = p;
	if (vp == NULL || !isint || over || (neg && v != 0))
		return 0;
	*vp = (int64_t)v;
	return 1;
}

/* A literal word (true, false, null). */
static int
jp_word(struct jp *j, const char *w)
{
	size_t	 n = strlen(w);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return -1;
	j->p += n;
	return 0;
}

/* Check and skip any value. */
static int
jp_skip(struct jp *j, int depth)
{
	unsigned char	 close;

	jp_ws(j);
	if (j->p >= j->end)
		return -1;
	switch (*j->p) {
	case '"':
		return jp_string(j, NULL);
	case 't':
		return jp_word(j, "true");
	case 'f':
		return jp_word(j, "false");
	case 'n':
		return jp_word(j, "null");
	case '{':
	case '[':
		break;
	default:
		return jp_number(j, NULL) == -1 ? -1 : 0;
	}
	if (depth >= JP_DEPTH_MAX)
		return -1;
	close = *j->p == '{' ? '}' : ']';
	j->p++;
	jp_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return 0;
	}
	for (;;) {
		if (close == '}') {
			jp_ws(j);
			if (jp_string(j, NULL) == -1)
				return -1;
			jp_ws(j);
			if (j->p >= j->end || *j->p++ != ':')
				return -1;
		}
		if (jp_skip(j, depth + 1) == -1)
			return -1;
		jp_ws(j);
		if (j->p >= j->end)
			return -1;
		if (*j->p == close) {
			j->p++;
			return 0;
		}
		if (*j->p++ != ',')
			return -1;
	}
}

/* The recipients array: elements counted, each must be an object. */
static int
jp_recipients(struct jp *j, uint64_t *np)
{
	int	 notobj = 0;

	*np = 0;
	j->p++;
	jp_ws(j);
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		return 0;
	}
	for (;;) {
		jp_ws(j);
		if (j->p < j->end && *j->p != '{')
			notobj = 1;
		if (jp_skip(j, 2) == -1)
			return QUEUE_PARSE_SYNTAX;
		(*np)++;
		jp_ws(j);
		if (j->p >= j->end)
			return QUEUE_PARSE_SYNTAX;
		if (*j->p == ']') {
			j->p++;
			return notobj ? QUEUE_PARSE_FIELD : 0;
		}
		if (*j->p++ != ',')
			return QUEUE_PARSE_SYNTAX;
	}
}

enum {
	F_QUEUE = 0x01, F_QID = 0x02, F_TIME = 0x04, F_SIZE = 0x08,
	F_EXPIRE = 0x10, F_SENDER = 0x20, F_RCPT = 0x40,
	F_REQUIRED = F_QUEUE | F_QID | F_TIME | F_SIZE | F_SENDER | F_RCPT
};

/*
 * One member's value, by key: the F_ bit it set, 0 for a key not ours, or
 * an error.  The value is consumed unless the error is QUEUE_PARSE_SYNTAX.
 */
static int
jp_member(struct jp *j, const char *key, size_t klen, struct queue_msg *m)
{
	struct jsink	 k;
	struct sender_hash s;
	char		 name[JP_KEY_MAX];
	int64_t		 v;

#define KEY(w)	(klen == sizeof(w) - 1 && memcmp(key, w, klen) == 0)
#define MISTYPED()	(jp_skip(j, 1) == -1 ? QUEUE_PARSE_SYNTAX : \
			    QUEUE_PARSE_FIELD)
	jp_ws(j);
	if (j->p >= j->end)
		return QUEUE_PARSE_SYNTAX;
	memset(&k, 0, sizeof(k));
	if (KEY("queue_name") || KEY("queue_id")) {
		if (*j->p != '"')
			return MISTYPED();
		if (KEY("queue_name")) {
			k.buf = name;
			k.cap = sizeof(name);
		} else {
			k.buf = m->queue_id;
			k.cap = QUEUE_ID_MAX;
		}
		if (jp_string(j, &k) == -1)
			return QUEUE_PARSE_SYNTAX;
		if (KEY("queue_name")) {
			m->queue = k.len > k.cap ? QUEUE_OTHER :
			    queue_name_lookup(name, k.len);
			return F_QUEUE;
		}
		if (k.len > k.cap || !queue_id_is_valid(m->queue_id, k.len))
			return QUEUE_PARSE_QID;
		m->queue_id[k.len] = '\0';
		m->queue_id_len = k.len;
		return F_QID;
	}
	if (KEY("sender")) {
		if (*j->p != '"')
			return MISTYPED();
		sender_hash_init(&s);
		k.sip = &s;
		if (jp_string(j, &k) == -1)
			return QUEUE_PARSE_SYNTAX;
		m->sender_hash = sender_hash_final(&s);
		m->sender_len = k.len;
		return F_SENDER;
	}
	if (KEY("arrival_time") || KEY("message_size")) {
		switch (jp_number(j, &v)) {
		case -1:
			return MISTYPED();
		case 0:
			return QUEUE_PARSE_FIELD;	/* consumed */
		}
		if (KEY("arrival_time")) {
			m->arrival_time = v;
			return F_TIME;
		}
		m->message_size = (uint64_t)v;
		return F_SIZE;
	}
	if (KEY("forced_expire")) {
		if (jp_word(j, "true") == 0)
			m->forced_expire = 1;
		else if (jp_word(j, "false") == -1)
			return MISTYPED();
		return F_EXPIRE;
	}
	if (KEY("recipients")) {
		if (*j->p != '[')
			return MISTYPED();
		v = jp_recipients(j, &m->nrcpt);
		return v < 0 ? (int)v : F_RCPT;
	}
#undef MISTYPED
#undef KEY
	/* a field this code does not know: check it, ignore it */
	return jp_skip(j, 1) == -1 ? QUEUE_PARSE_SYNTAX : 0;
}

/*
 * See postfix.h.  Hand-written rather than jansson: jansson parses about
 * 47 MB/s here (0.13 s for a 3,000-message queue, two minutes for the
 * 6 GB of a 3-million-message one) and rejects a line whose sender is
 * not valid UTF-8, which would let a spammer hide mail from the summary.
 */
int
postqueue_parse(const char *line, size_t len, struct queue_msg *m)
{
	struct jp	 j;
	struct jsink	 k;
	char		 key[JP_KEY_MAX];
	int		 seen = 0, r, err = 0;

	memset(m, 0, sizeof(*m));
	j.p = (const unsigned char *)line;
	j.end = j.p + len;
	jp_ws(&j);
	if (j.p >= j.end || *j.p != '{')
		return QUEUE_PARSE_SYNTAX;
	j.p++;
	jp_ws(&j);
	if (j.p < j.end && *j.p == '}') {
		j.p++;
		goto end;
	}
	for (;;) {
		jp_ws(&j);
		memset(&k, 0, sizeof(k));
		k.buf = key;
		k.cap = sizeof(key);
		if (jp_string(&j, &k) == -1)
			return QUEUE_PARSE_SYNTAX;
		jp_ws(&j);
		if (j.p >= j.end || *j.p++ != ':')
			return QUEUE_PARSE_SYNTAX;
		/* an over-long key is no key of ours: its length says so */
		r = jp_member(&j, key, k.len > k.cap ? 0 : k.len, m);
		if (r == QUEUE_PARSE_SYNTAX)
			return r;
		if (r < 0) {
			/*
			 * Keep the first semantic error but go on checking
			 * the syntax: a truncated line is a syntax error
			 * whatever its queue id.
			 */
			if (err == 0)
				err = r;
		} else if (r & seen) {
			if (err == 0)
				err = QUEUE_PARSE_FIELD;	/* repeated */
		} else
			seen |= r;
		jp_ws(&j);
		if (j.p >= j.end)
			return QUEUE_PARSE_SYNTAX;
		if (*j.p == '}') {
			j.p++;
			break;
		}
		if (*j.p++ != ',')
			return QUEUE_PARSE_SYNTAX;
	}
end:
	jp_ws(&j);
	if (j.p != j.end)
		return QUEUE_PARSE_SYNTAX;
	if (err != 0)
		return err;
	if ((seen & F_REQUIRED) != F_REQUIRED)
		return QUEUE_PARSE_FIELD;
	return QUEUE_PARSE_OK;
}

/* The queue's parse_line (backend.h): one message a line, no state. */
int
postqueue_parse_line(struct queue_parse *st, const char *line, size_t len,
    struct queue_msg *out)
{
	(void)st;
	return postqueue_parse(line, len, out);
}
