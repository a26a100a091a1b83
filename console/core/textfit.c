/* textfit.c: cut a text at a word to fit a buffer (see textfit.h). */
#include <string.h>

#include "textfit.h"

#define TEXTFIT_MORE	" ..."

/* See textfit.h. */
int
textfit(char *dst, size_t size, const char *src)
{
	size_t	 len = strlen(src), room, cut;

	if (size == 0)
		return len > 0;
	if (len < size) {
		memcpy(dst, src, len + 1);
		return 0;
	}
	if (size <= sizeof(TEXTFIT_MORE)) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return 1;
	}
	room = size - sizeof(TEXTFIT_MORE);	/* bytes of src kept */
	for (cut = room; cut > room / 2 && src[cut] != ' '; cut--)
		;
	if (src[cut] != ' ')
		cut = room;
	/* never end inside a UTF-8 sequence */
	while (cut > 0 && ((unsigned char)src[cut] & 0xc0) == 0x80)
		cut--;
	while (cut > 0 && src[cut - 1] == ' ')
		cut--;
	memcpy(dst, src, cut);
	memcpy(dst + cut, TEXTFIT_MORE, sizeof(TEXTFIT_MORE));
	return 1;
}
