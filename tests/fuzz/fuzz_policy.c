/*
 * fuzz_policy.c: libFuzzer target for the policy service's request parser
 * (policy/policy_proto.h) and its answers: the input is what smtpd (an
 * attacker's text, mostly) sends on one connection, read in pieces whose
 * sizes the first byte picks.  Properties: every request ends with one
 * answer, DUNNO or the REJECT text, REJECT only for a login on the list
 * and never for a request with a fault; a login kept passes the account
 * grammar; nothing kept is longer than its buffer; the parser never holds
 * more than a line.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/policy_deny.h"
#include "policy/policy_proto.h"
#include "policy/policy_srv.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Abort unless the finished request r and its answer a hold together. */
static void
check_request(const struct policy_req *r, const char *a)
{
	if ((unsigned)r->fault >= PF_COUNT)
		abort();
	if (r->account_len > ACCOUNT_MAX || r->rcpt_len > POLICY_RCPT_MAX ||
	    strlen(r->state) >= sizeof(r->state))
		abort();
	if (r->account_len > 0 &&
	    (!account_is_valid(r->account, r->account_len) ||
	    strlen(r->account) != r->account_len))
		abort();
	if (strcmp(a, "DUNNO") == 0)
		return;
	if (strcmp(a, "REJECT " POLICY_REJECT_TEXT) != 0 ||
	    r->fault != PF_NONE || strcasecmp(r->account, "bob@example.test"))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct policy_parser	 p;
	struct policy_deny		*d;
	struct policy_srv		*s;
	size_t				 step, off = 0, used;
	int				 done;

	if (size == 0)
		return 0;
	step = (size_t)data[0] % 64 + 1;
	data++;
	size--;
	d = policy_deny_new();
	policy_deny_decide(d, "bob@example.test", 1);
	s = policy_srv_new(NULL, d, NULL);
	policy_parser_init(&p);
	while (off < size) {
		used = policy_parse(&p, (const char *)data + off,
		    size - off < step ? size - off : step, &done);
		if (p.len >= POLICY_LINE_MAX || used == 0)
			abort();
		off += used;
		if (done)
			check_request(&p.req, policy_srv_decide(s, &p.req));
	}
	policy_srv_free(s);
	policy_deny_free(d);
	return 0;
}
