/*
 * fuzz_redact.c: libFuzzer target for backend_redact, which every raw log
 * line passes before it is shown.  Checks: no read or write out of
 * bounds (ASan), the copy fits and is terminated, a second pass over it
 * too.  (Whether the secrets are gone is test_redact.c's: random
 * passwords imitating every marker, in every form.)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*line, *out, *again;
	size_t	 osize = size + REDACT_ROOM + 1, n, m;

	if ((line = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(line, data, size);
	out = malloc(osize);
	again = malloc(osize);
	if (out == NULL || again == NULL)
		goto done;
	if (backend_redact(line, size, NULL, out, osize, &n)) {
		if (n >= osize || out[n] != '\0')
			abort();
		if (backend_redact(out, n, NULL, again, osize, &m) &&
		    (m >= osize || again[m] != '\0'))
			abort();
	}
done:
	free(again);
	free(out);
	free(line);
	return 0;
}
