/*
 * fuzz_jexport.c: libFuzzer target for the journal export reader
 * (console/intake/jexport.c) on arbitrary bytes, cut into pieces where the input
 * says.  Checks every line handed out: NUL-terminated at its length,
 * starting with its time, its HOST and IDENT words free of blanks and
 * controls (logline must split the header as journald meant it), and a
 * cursor that may go on a command line.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intake/jexport.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Abort on a line or cursor the follower must never pass on. */
static void
check_entry(const char *line, size_t len, const char *cursor,
    const char *why, void *arg)
{
	size_t	 i, words = 0;

	(void)arg;
	if (cursor == NULL || (cursor[0] != '\0' &&
	    !jexport_cursor_ok(cursor, strlen(cursor))))
		abort();
	if (line == NULL) {
		if (why == NULL || why[0] == '\0')
			abort();
		return;
	}
	if (line[len] != '\0' || len < 20 || line[0] < '0' || line[0] > '9')
		abort();
	/* "TIME HOST IDENT[PID]: ": three words, then the message */
	for (i = 0; i < len && words < 3; i++) {
		if (line[i] == ' ') {
			words++;
			continue;
		}
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jexport	*j;
	size_t		 step, off = 0, n;

	if (size == 0)
		return 0;
	/* the first byte picks the size of the pieces fed */
	step = (size_t)data[0] % 17 + 1;
	data++;
	size--;
	if ((j = jexport_new(check_entry, NULL)) == NULL)
		return 0;
	while (off < size) {
		n = size - off < step ? size - off : step;
		if (jexport_input(j, (const char *)data + off, n) == -1)
			break;
		off += n;
	}
	jexport_free(j);
	return 0;
}
