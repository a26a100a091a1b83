/* unichar.c: UTF-8 decoding and the table of hidden code points. */
#include "unichar.h"

/*
 * Unicode's Default_Ignorable_Code_Point set (the characters a renderer
 * draws as nothing), plus C1 controls, the line and paragraph separators
 * and the fillers that draw as a blank.  Ascending, not overlapping.
 */
const struct uni_range uni_hidden[] = {
	{ 0x0080, 0x009F, "a C1 control character" },
	{ 0x00AD, 0x00AD, "a soft hyphen" },
	{ 0x034F, 0x034F, "a combining grapheme joiner" },
	{ 0x061C, 0x061C, "an Arabic letter mark (bidi)" },
	{ 0x115F, 0x1160, "a Hangul filler" },
	{ 0x17B4, 0x17B5, "an invisible Khmer vowel" },
	{ 0x180B, 0x180F, "a Mongolian variation selector" },
	{ 0x200B, 0x200D, "a zero-width character" },
	{ 0x200E, 0x200F, "a bidi mark" },
	{ 0x2028, 0x2029, "a line or paragraph separator" },
	{ 0x202A, 0x202E, "a bidi embedding or override" },
	{ 0x2060, 0x2064, "a word joiner or invisible operator" },
	{ 0x2065, 0x2065, "a reserved format character" },
	{ 0x2066, 0x2069, "a bidi isolate" },
	{ 0x206A, 0x206F, "a deprecated format character" },
	{ 0x3164, 0x3164, "a Hangul filler" },
	{ 0xFE00, 0xFE0F, "a variation selector" },
	{ 0xFEFF, 0xFEFF, "a zero-width no-break space (BOM)" },
	{ 0xFFA0, 0xFFA0, "a half-width Hangul filler" },
	{ 0xFFF0, 0xFFFB, "an interlinear annotation or reserved character" },
	{ 0x1BCA0, 0x1BCA3, "a shorthand format control" },
	{ 0x1D173, 0x1D17A, "a musical format control" },
	{ 0xE0000, 0xE0FFF, "a tag character or variation selector" },
};
const size_t uni_nhidden = sizeof(uni_hidden) / sizeof(uni_hidden[0]);

/* See unichar.h. */
size_t
uni_decode(const unsigned char *p, size_t len, uint32_t *cp)
{
	uint32_t	 c;
	size_t		 n, i;

	if (len == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] < 0xC2)
		return 0;	/* a continuation byte, or an overlong lead */
	if (p[0] < 0xE0) {
		n = 2;
		c = p[0] & 0x1F;
	} else if (p[0] < 0xF0) {
		n = 3;
		c = p[0] & 0x0F;
	} else if (p[0] < 0xF5) {
		n = 4;
		c = p[0] & 0x07;
	} else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

/* See unichar.h.  A binary search: the sanitiser asks for every letter. */
int
uni_is_hidden(uint32_t cp)
{
	size_t	 lo = 0, hi = uni_nhidden, mid;

	if (cp < 0x80)
		return 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cp < uni_hidden[mid].lo)
			hi = mid;
		else if (cp > uni_hidden[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}
