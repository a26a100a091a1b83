/*
 * fuzz_sanitize.c: libFuzzer target for sanitize_text, the gate of all
 * attacker text on the terminal.  Properties checked on every input: the
 * output is well-formed UTF-8 holding no C0 control, DEL, C1 control,
 * bidi or other hidden code point (unichar.h), never more than size - 1
 * bytes and always NUL-terminated; in the ASCII mode only ASCII; and the
 * guard for composed lines leaves sanitised text as it is.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backends/unichar.h"
#include "core/sanitize.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Abort unless out[0..n) is clean UTF-8 (ascii: plain ASCII). */
static void
check_clean(const char *out, size_t n, int ascii)
{
	const unsigned char	*p = (const unsigned char *)out;
	size_t			 i, k;
	uint32_t		 cp;

	for (i = 0; i < n; i += k) {
		if ((k = uni_decode(p + i, n - i, &cp)) == 0)
			abort();
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
		    uni_is_hidden(cp) || (ascii && cp >= 0x80))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*out, *again;
	size_t		 osize, n, m;
	int		 ascii;

	if (size < 2)
		return 0;
	/* the first two bytes: the output size (1..4096) and the mode */
	osize = 1 + (((size_t)data[0] << 8 | data[1]) & 0xfff);
	ascii = data[1] & 0x80;
	data += 2;
	size -= 2;
	/* exact sizes, so that ASan sees one byte past either end */
	if ((out = malloc(osize)) == NULL)
		return 0;
	n = ascii ? sanitize_text_ascii(out, osize, (const char *)data, size) :
	    sanitize_text_utf8(out, osize, (const char *)data, size);
	if (n > osize - 1 || out[n] != '\0' || strlen(out) != n)
		abort();
	check_clean(out, n, ascii != 0);
	if ((again = malloc(n + 1)) == NULL) {
		free(out);
		return 0;
	}
	m = sanitize_line(again, n + 1, out, n);
	if (m != n || memcmp(again, out, n) != 0)
		abort();
	free(again);
	free(out);
	return 0;
}
