/*
 * fuzz_logline.c: libFuzzer target for the header splitter and every
 * backend on arbitrary bytes.  Checks that borrowed strings lie inside
 * the input and that an account, when set, passes the grammar.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "logline.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Abort unless s is empty or lies within [base, base + len). */
static void
check_inside(const struct mail_str *s, const char *base, size_t len)
{
	if (s->len == 0)
		return;
	if (s->p < base || s->p > base + len ||
	    s->len > (size_t)(base + len - s->p))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log_clock	 c;
	struct log_header	 h;
	struct mail_event	 ev;
	const char		*line;
	char			*copy;

	/* an exact-size copy, so ASan sees a read one past the end */
	if ((copy = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	line = copy;
	log_clock_init(&c, INT64_C(1795867200));
	c.utc = size > 0 && (data[0] & 1);
	if (logline_split(&c, line, size, &h) == 0) {
		check_inside(&h.host, line, size);
		check_inside(&h.prog, line, size);
		check_inside(&h.msg, line, size);
		if (backend_parse_any(&h, &ev)) {
			check_inside(&ev.qid, line, size);
			check_inside(&ev.account, line, size);
			check_inside(&ev.sender, line, size);
			check_inside(&ev.rcpt, line, size);
			check_inside(&ev.relay, line, size);
			check_inside(&ev.reason, line, size);
			if (ev.account.len > 0 &&
			    !account_is_valid(ev.account.p, ev.account.len))
				abort();
			if (ev.qid.len > 0 &&
			    !queue_id_is_valid(ev.qid.p, ev.qid.len))
				abort();
			if (ev.kind <= EV_NONE || ev.kind >= EV_KIND_COUNT)
				abort();
			if (ev.client.family != 0 && ev.client.family != 4 &&
			    ev.client.family != 6)
				abort();
		}
	}
	free(copy);
	return 0;
}
