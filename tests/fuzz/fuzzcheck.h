/*
 * fuzzcheck.h: what every log parser's fuzz target checks of an event
 * (fuzz_logline.c, fuzz_exim.c): borrowed strings inside the input, a
 * login and a queue id that pass their grammars, a known kind, an address
 * family.  Header only: run.sh builds each fuzz_*.c alone.
 */
#ifndef MAILCON_FUZZCHECK_H
#define MAILCON_FUZZCHECK_H

#include <stddef.h>
#include <stdlib.h>

#include "backends/backend.h"

/* Abort unless s is empty or lies within [base, base + len). */
static inline void
fuzz_check_inside(const struct mail_str *s, const char *base, size_t len)
{
	if (s->len == 0)
		return;
	if (s->p < base || s->p > base + len ||
	    s->len > (size_t)(base + len - s->p))
		abort();
}

/* Abort unless ev, parsed from [base, base + len), keeps the seam's rules. */
static inline void
fuzz_check_event(const struct mail_event *ev, const char *base, size_t len)
{
	fuzz_check_inside(&ev->qid, base, len);
	fuzz_check_inside(&ev->account, base, len);
	fuzz_check_inside(&ev->sender, base, len);
	fuzz_check_inside(&ev->rcpt, base, len);
	fuzz_check_inside(&ev->relay, base, len);
	fuzz_check_inside(&ev->reason, base, len);
	if (ev->account.len > 0 &&
	    !account_is_valid(ev->account.p, ev->account.len))
		abort();
	if (ev->qid.len > 0 && !queue_id_is_valid(ev->qid.p, ev->qid.len) &&
	    !exim_id_is_valid(ev->qid.p, ev->qid.len))
		abort();
	if (ev->kind <= EV_NONE || ev->kind >= EV_KIND_COUNT)
		abort();
	if (ev->client.family != 0 && ev->client.family != 4 &&
	    ev->client.family != 6)
		abort();
}

#endif
