/*
 * fuzz_exim_queue.c: libFuzzer target for what the Exim backends read from
 * tools that print attacker text: the queue listing (exipick -bpr with
 * each message's login, exim -bpr, -bpi; backends/exim/queue.c), the
 * answers of exim -Mf/-Mt/-Mrm, and cPanel's JSON answers
 * (backends/exim/cpjson.c).  Checks that an accepted message has an id
 * of Exim's grammar and a known state, that an id a line names lies
 * inside the line and is an id, and that a judged answer's words are a
 * string.
 *
 * Links backends/ only.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend.h"
#include "backends/exim/exim.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A message the parser gave must be well formed. */
static void
fuzz_check_msg(const struct queue_msg *m)
{
	if (m->queue_id_len == 0 || m->queue_id_len > QUEUE_ID_MAX ||
	    strlen(m->queue_id) != m->queue_id_len ||
	    !exim_id_is_valid(m->queue_id, m->queue_id_len))
		abort();
	if ((unsigned)m->queue >= QUEUE_NAME_COUNT)
		abort();
}

/* The input as a listing, line by line. */
static void
fuzz_listing(const char *p, size_t size)
{
	struct queue_parse	 st;
	struct queue_msg	 m;
	const char		*e = p + size, *nl;
	char			 packed[QUEUE_ID_MAX + 1], back[QUEUE_ID_MAX + 1];
	size_t			 n;

	memset(&st, 0, sizeof(st));
	while (p < e) {
		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
			nl = e;
		if (exim_queue_parse_line(&st, p, (size_t)(nl - p), &m) ==
		    QUEUE_PARSE_OK) {
			fuzz_check_msg(&m);
			n = exim_id_pack(m.queue_id, m.queue_id_len, packed);
			if (n == 0 || exim_id_unpack(packed, n, back) !=
			    m.queue_id_len || strcmp(back, m.queue_id) != 0)
				abort();
		}
		p = nl + 1;
	}
	if (exim_queue_parse_end(&st, &m))
		fuzz_check_msg(&m);
}

/* The input as one line of each operation's output. */
static void
fuzz_op_lines(const char *p, size_t size)
{
	struct queue_line	 l;
	int			 op;

	for (op = 0; op < QOP_COUNT; op++) {
		exim_queue_line((enum queue_op)op, p, size, &l);
		if (l.id.p == NULL)
			continue;
		if (l.id.p < p || l.id.p + l.id.len > p + size ||
		    !exim_id_is_valid(l.id.p, l.id.len))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*p = (const char *)data;
	char		 why[256];

	fuzz_listing(p, size);
	fuzz_op_lines(p, size);
	memset(why, 'x', sizeof(why));
	if (cpanel_answer(p, size, why, sizeof(why)) == 0 &&
	    memchr(why, '\0', sizeof(why)) == NULL)
		abort();
	return 0;
}
