/*
 * fuzz_logline.c: libFuzzer target for the header splitter and every
 * backend on arbitrary bytes.  Checks that borrowed strings lie inside
 * the input and that an account, when set, passes the grammar.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzcheck.h"
#include "backends/backend.h"
#include "backends/logline.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log_clock	 c;
	struct log_header	 h;
	struct mail_events	 evs;
	const char		*line;
	char			*copy;
	int			 i;

	/* an exact-size copy, so ASan sees a read one past the end */
	if ((copy = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	line = copy;
	log_clock_init(&c, INT64_C(1795867200));
	c.utc = size > 0 && (data[0] & 1);
	if (logline_split(&c, line, size, &h) == 0) {
		fuzz_check_inside(&h.host, line, size);
		fuzz_check_inside(&h.prog, line, size);
		fuzz_check_inside(&h.msg, line, size);
		if (backend_parse_any(&h, &evs) > MAIL_LINE_EVENTS)
			abort();
		for (i = 0; i < evs.n; i++)
			fuzz_check_event(&evs.ev[i], line, size);
	}
	free(copy);
	return 0;
}
