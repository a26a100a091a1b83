/*
 * policy_proto.h: Postfix's SMTP access policy delegation protocol
 * (SMTPD_POLICY_README), the request side, as a pure parser.
 *
 * A request is "name=value" lines, each ending in a newline, then an
 * empty line; the answer is "action=WORD [text]", a newline and an
 * empty line.  One connection carries many requests, one after another.
 *
 * Every byte here comes from smtpd, and most of it from the SMTP client:
 * an attacker's.  The parser keeps a few attributes in fixed buffers and
 * drops the rest, so a connection costs the same few kilobytes whatever
 * it is sent: a line longer than POLICY_LINE_MAX, a request longer than
 * POLICY_REQ_MAX or with more than POLICY_ATTRS_MAX lines is read to its
 * end and then judged bad (req.fault), never kept.  A login that fails
 * the account grammar (spaces, control bytes, not UTF-8) or a client
 * address that does not parse is a fault too: the answer to a request
 * with a fault is DUNNO, and the caller counts it.
 */
#ifndef MAILCON_POLICY_PROTO_H
#define MAILCON_POLICY_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "backends/event.h"

#define POLICY_LINE_MAX		2048	/* bytes of one line, newline too */
#define POLICY_REQ_MAX		32768	/* bytes of one request */
#define POLICY_ATTRS_MAX	128	/* lines of one request */
#define POLICY_RCPT_MAX		320	/* bytes of a recipient kept */

/* What was wrong with a request (the first fault found). */
enum policy_fault {
	PF_NONE = 0,
	PF_LONG_LINE,		/* a line over POLICY_LINE_MAX */
	PF_BIG_REQUEST,		/* over POLICY_REQ_MAX bytes or lines */
	PF_BAD_LINE,		/* no '=', an empty name, a NUL byte */
	PF_BAD_REQUEST,		/* request= missing or not
				   smtpd_access_policy */
	PF_BAD_ACCOUNT,		/* sasl_username fails the grammar */
	PF_BAD_CLIENT,		/* client_address does not parse */
	PF_BAD_COUNT,		/* recipient_count is not a number */
	PF_UNFINISHED,		/* the connection ended inside a request */
	PF_STALLED,		/* no empty line in time */
	PF_COUNT
};

/* One request, as far as mailcon reads it. */
struct policy_req {
	enum policy_fault	 fault;
	int			 is_policy;	/* request=smtpd_access_policy */
	char			 account[ACCOUNT_MAX + 1];	/* sasl_username,
							   "" when none */
	size_t			 account_len;
	struct mail_ip		 client;	/* family 0: none */
	char			 rcpt[POLICY_RCPT_MAX + 1];	/* cut, escaped
							   by the caller */
	size_t			 rcpt_len;
	uint32_t		 rcpt_count;	/* recipient_count */
	char			 state[16];	/* protocol_state: "RCPT" */
};

/* The parser of one connection: a few KiB, fixed. */
struct policy_parser {
	char			 line[POLICY_LINE_MAX];
	size_t			 len;		/* bytes in line */
	int			 skipping;	/* the rest of a long line */
	size_t			 bytes;		/* of the request so far */
	size_t			 nattrs;
	int			 ended;		/* req is a finished one */
	struct policy_req	 req;
};

void		 policy_parser_init(struct policy_parser *p);
/*
 * Read up to len bytes; stop after the empty line that ends a request.
 * Returns the bytes consumed; *done is 1 when a request ended (p->req is
 * it, until the next call), else 0 (all of buf was consumed).
 */
size_t		 policy_parse(struct policy_parser *p, const char *buf,
		     size_t len, int *done);
/* Is a request under way (bytes read since the last empty line)? */
int		 policy_parser_busy(const struct policy_parser *p);
/* "long line", "bad sasl_username", ...: plain words for a fault. */
const char	*policy_fault_name(enum policy_fault f);

#endif
