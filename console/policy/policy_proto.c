/*
 * policy_proto.c: the request parser of Postfix's policy delegation
 * protocol (policy_proto.h).
 */
#include <string.h>

#include "policy_proto.h"

static const char *const fault_names[PF_COUNT] = {
	[PF_NONE] = "none",
	[PF_LONG_LINE] = "overlong line",
	[PF_BIG_REQUEST] = "oversized request",
	[PF_BAD_LINE] = "line not name=value",
	[PF_BAD_REQUEST] = "not an smtpd_access_policy request",
	[PF_BAD_ACCOUNT] = "bad sasl_username",
	[PF_BAD_CLIENT] = "bad client_address",
	[PF_BAD_COUNT] = "bad recipient_count",
	[PF_UNFINISHED] = "connection ended inside a request",
	[PF_STALLED] = "request without the empty line",
};

/* See policy_proto.h. */
const char *
policy_fault_name(enum policy_fault f)
{
	return (unsigned)f < PF_COUNT ? fault_names[f] : "unknown";
}

/* Start the next request. */
static void
policy_req_reset(struct policy_parser *p)
{
	p->len = 0;
	p->skipping = 0;
	p->bytes = 0;
	p->nattrs = 0;
	p->ended = 0;
	memset(&p->req, 0, sizeof(p->req));
}

/* See policy_proto.h. */
void
policy_parser_init(struct policy_parser *p)
{
	policy_req_reset(p);
}

/* See policy_proto.h. */
int
policy_parser_busy(const struct policy_parser *p)
{
	return p->bytes > 0;
}

/* Note the first fault of the request. */
static void
policy_fault(struct policy_parser *p, enum policy_fault f)
{
	if (p->req.fault == PF_NONE)
		p->req.fault = f;
}

/* Does [p, p+len) spell the NUL-terminated word? */
static int
policy_is(const char *p, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(p, word, len) == 0;
}

/* A decimal recipient_count: 0 when it is not one (or too large). */
static int
policy_count(const char *p, size_t len, uint32_t *out)
{
	uint64_t	v = 0;
	size_t		i;

	if (len == 0 || len > 9)
		return 0;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	*out = (uint32_t)v;
	return 1;
}

/* Take one attribute line (no newline) of the request. */
static void
policy_attr(struct policy_parser *p, const char *line, size_t len)
{
	struct policy_req	*r = &p->req;
	const char		*eq, *v;
	size_t			 n, vlen;

	if (++p->nattrs > POLICY_ATTRS_MAX) {
		policy_fault(p, PF_BIG_REQUEST);
		return;
	}
	if (memchr(line, '\0', len) != NULL ||
	    (eq = memchr(line, '=', len)) == NULL || eq == line) {
		policy_fault(p, PF_BAD_LINE);
		return;
	}
	n = (size_t)(eq - line);
	v = eq + 1;
	vlen = len - n - 1;
	if (policy_is(line, n, "request"))
		r->is_policy = policy_is(v, vlen, "smtpd_access_policy");
	else if (policy_is(line, n, "sasl_username")) {
		/* empty: the client did not authenticate */
		if (vlen == 0)
			r->account_len = 0;
		else if (!account_is_valid(v, vlen))
			policy_fault(p, PF_BAD_ACCOUNT);
		else {
			memcpy(r->account, v, vlen);
			r->account[vlen] = '\0';
			r->account_len = vlen;
		}
	} else if (policy_is(line, n, "client_address")) {
		if (vlen > 0 && mail_ip_parse(v, vlen, &r->client) != 0)
			policy_fault(p, PF_BAD_CLIENT);
	} else if (policy_is(line, n, "recipient")) {
		r->rcpt_len = vlen > POLICY_RCPT_MAX ? POLICY_RCPT_MAX : vlen;
		memcpy(r->rcpt, v, r->rcpt_len);
		r->rcpt[r->rcpt_len] = '\0';
	} else if (policy_is(line, n, "recipient_count")) {
		if (!policy_count(v, vlen, &r->rcpt_count))
			policy_fault(p, PF_BAD_COUNT);
	} else if (policy_is(line, n, "protocol_state")) {
		n = vlen < sizeof(r->state) - 1 ? vlen : sizeof(r->state) - 1;
		memcpy(r->state, v, n);
		r->state[n] = '\0';
	}
	/* every other attribute is read and dropped */
}

/* See policy_proto.h. */
size_t
policy_parse(struct policy_parser *p, const char *buf, size_t len, int *done)
{
	const char	*nl;
	size_t		 used = 0, n;

	*done = 0;
	if (p->ended)
		policy_req_reset(p);
	while (used < len) {
		nl = memchr(buf + used, '\n', len - used);
		n = nl != NULL ? (size_t)(nl - (buf + used)) : len - used;
		if (p->bytes + n + 1 > POLICY_REQ_MAX)
			policy_fault(p, PF_BIG_REQUEST);
		p->bytes += n + (nl != NULL);
		if (p->skipping || p->len + n >= POLICY_LINE_MAX) {
			/* the rest of a line too long to keep */
			if (!p->skipping)
				policy_fault(p, PF_LONG_LINE);
			p->skipping = 1;
			p->len = 0;
		} else {
			memcpy(p->line + p->len, buf + used, n);
			p->len += n;
		}
		used += n;
		if (nl == NULL)
			break;
		used++;		/* the newline */
		if (p->skipping) {
			p->skipping = 0;
			p->nattrs++;
			continue;
		}
		if (p->len == 0) {
			/* the empty line: the request is complete */
			if (!p->req.is_policy)
				policy_fault(p, PF_BAD_REQUEST);
			p->bytes = 0;
			p->ended = 1;
			*done = 1;
			return used;
		}
		policy_attr(p, p->line, p->len);
		p->len = 0;
	}
	return used;
}
