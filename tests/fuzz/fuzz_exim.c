/*
 * fuzz_exim.c: libFuzzer target for the Exim parser on arbitrary bytes,
 * both as a whole line (Exim's own format, syslog, journal) and as the
 * message of an "exim" syslog line.  Checks that events lie inside the
 * input, that an arrival is SUBMIT then QUEUED under one message id, and
 * that logins and ids pass their grammars.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzcheck.h"
#include "backends/backend.h"
#include "backends/logline.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Abort unless the n events in out keep the parser's promises. */
static void
check_events(const struct mail_event *out, int n, const char *base,
    size_t len)
{
	int	 i;

	if (n < 0 || n > MAIL_LINE_EVENTS)
		abort();
	if (n == 2 && (out[0].kind != EV_SUBMIT || out[1].kind != EV_QUEUED ||
	    out[0].qid.len != out[1].qid.len ||
	    out[0].qid.p != out[1].qid.p))
		abort();
	for (i = 0; i < n; i++) {
		fuzz_check_event(&out[i], base, len);
		if (out[i].qid.len > 0 &&
		    !exim_id_is_valid(out[i].qid.p, out[i].qid.len))
			abort();
		/* a name given is never also flagged as refused */
		if (out[i].account.len > 0 &&
		    (out[i].flags & EVF_BAD_ACCOUNT))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log_clock	 c;
	struct log_header	 h;
	struct mail_event	 out[MAIL_LINE_EVENTS];
	char			*copy;
	int			 n;

	/* an exact-size copy, so ASan sees a read one past the end */
	if ((copy = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	log_clock_init(&c, INT64_C(1795867200));
	c.utc = size > 0 && (data[0] & 1);
	if (logline_split(&c, copy, size, &h) == 0) {
		fuzz_check_inside(&h.host, copy, size);
		fuzz_check_inside(&h.prog, copy, size);
		fuzz_check_inside(&h.msg, copy, size);
		if (backend_exim.claims(&h.prog)) {
			n = backend_exim.parse_line(&h, out);
			check_events(out, n, copy, size);
		}
	}
	/* the same bytes as the message of "exim[1]: " */
	memset(&h, 0, sizeof(h));
	h.prog.p = "exim";
	h.prog.len = 4;
	h.msg.p = copy;
	h.msg.len = size;
	n = backend_exim.parse_line(&h, out);
	check_events(out, n, copy, size);
	free(copy);
	return 0;
}
