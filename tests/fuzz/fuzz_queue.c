/*
 * fuzz_queue.c: libFuzzer target for the `postqueue -j` line parser and
 * the snapshot's line splitter on arbitrary bytes.  Checks that an id the
 * parser accepts passes the grammar and survives a record round trip, and
 * that the snapshot's counts add up whatever the chunking.
 *
 * Links backends/ (the parser: backends/postfix/postqueue.c),
 * console/act/queue_snap.c, console/core/xmalloc.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "act/queue.h"
#include "backends/backend.h"
#include "backends/postfix/postfix.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Parse the whole input as one line and check what came out. */
static void
fuzz_queue_line(const char *line, size_t size)
{
	struct queue_msg	 m;
	struct queue_rec	 r;
	char			 id[QUEUE_ID_STORE + 1];

	if (postqueue_parse(line, size, &m) != QUEUE_PARSE_OK)
		return;
	if (m.queue_id_len == 0 || m.queue_id_len > QUEUE_ID_MAX ||
	    strlen(m.queue_id) != m.queue_id_len ||
	    !queue_id_is_valid(m.queue_id, m.queue_id_len))
		abort();
	if ((unsigned)m.queue >= QUEUE_NAME_COUNT)
		abort();
	memset(&r, 0, sizeof(r));
	if (queue_rec_set_id(&r, m.queue_id, m.queue_id_len)) {
		if (queue_rec_id(&r, id) != m.queue_id_len ||
		    memcmp(id, m.queue_id, m.queue_id_len) != 0)
			abort();
	} else if (m.queue_id_len <= QUEUE_ID_STORE)
		abort();
}

/* Feed the input to a snapshot in two chunks; the counts must add up. */
static void
fuzz_queue_feed(const char *buf, size_t size, size_t cut)
{
	struct queue_snapshot	 s;
	uint64_t		 lines = 1, sum = 0;
	size_t			 i;
	int			 q;

	for (i = 0; i < size; i++)
		lines += buf[i] == '\n';
	queue_snapshot_init(&s, 4);
	queue_snapshot_feed(&s, buf, cut);
	queue_snapshot_feed(&s, buf + cut, size - cut);
	queue_snapshot_end(&s);
	for (q = 0; q < QUEUE_NAME_COUNT; q++)
		sum += s.by_queue[q];
	if (sum != s.messages || s.nrec + s.dropped != s.messages ||
	    s.nrec > 4 ||
	    s.messages + s.malformed + s.bad_qid + s.too_long > lines)
		abort();
	queue_snapshot_clear(&s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t	 key[16] = "fuzz-queue-key!";
	char			*copy;

	queue_sender_hash_key(key);
	/* an exact-size copy, so ASan sees a read one past the end */
	if ((copy = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	fuzz_queue_line(copy, size);
	fuzz_queue_feed(copy, size, size > 0 ? data[0] % (size + 1) : 0);
	free(copy);
	return 0;
}
