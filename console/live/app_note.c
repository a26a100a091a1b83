/*
 * app_note.c: what the live console tells the admin on its status line:
 * notes that pass, lasting warnings shown in turn (printed when headless).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "app_act.h"
#include "core/loop.h"
#include "core/textfit.h"

/* See app.h. */
void
app_note(struct app *a, int secs, const char *fmt, ...)
{
	va_list	 ap;
	char	 text[2048];

	/* a long reason ends at a word, never inside a fingerprint */
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (secs > 0) {
		(void)textfit(a->note, sizeof(a->note), text);
		a->note_until = loop_now_ms() + secs * 1000;
		notelog_add(&a->notes, (int64_t)time(NULL), 0, text);
	} else
		app_warn(a, text);
	a->dirty |= APP_DIRTY_ALL;
}

/* See app.h. */
void
app_warn(struct app *a, const char *text)
{
	char	 last[2048];
	int	 i;

	for (i = 0; i < a->nwarnings; i++)
		if (strcmp(a->warnings[i], text) == 0)
			return;
	notelog_add(&a->notes, (int64_t)time(NULL), 1, text);
	if (a->headless)
		app_act_print("warning: %s", text);
	/* a long warning ends at a word, never inside a fingerprint */
	if (a->nwarnings < APP_WARNINGS - 1) {
		(void)textfit(a->warnings[a->nwarnings++],
		    sizeof(a->warnings[0]), text);
	} else {
		/* the last slot counts what did not fit, and says the last */
		a->warnings_more++;
		if (a->nwarnings < APP_WARNINGS)
			a->nwarnings++;
		snprintf(last, sizeof(last), "%s%s", a->warnings_more > 1 ?
		    "and more warnings; the last: " : "", text);
		(void)textfit(a->warnings[APP_WARNINGS - 1],
		    sizeof(a->warnings[0]), last);
	}
	a->dirty |= APP_DIRTY_ALL;
}

/* See app.h. */
const char *
app_warning(const struct app *a, int64_t now_ms, char *buf, size_t size)
{
	int	 i;

	if (a->nwarnings == 0)
		return NULL;
	if (a->nwarnings == 1)
		return a->warnings[0];
	/* in turn from the start: the first said is the first shown */
	i = (int)(((now_ms - a->warning_epoch) / APP_WARNING_MS) %
	    a->nwarnings);
	snprintf(buf, size, "(%d/%d) %s", i + 1, a->nwarnings,
	    a->warnings[i]);
	return buf;
}
