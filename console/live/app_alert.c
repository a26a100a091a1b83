/*
 * app_alert.c: alerts from the console's loop to notify.c, and its
 * fallback.  Nothing here blocks: libnotify runs on notify.c's worker.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "app_act.h"
#include "app_alert.h"
#include "core/loop.h"

/* A line on the status line (console) or on stdout (headless). */
static void
alert_say(struct app *a, int bell, const char *what, const char *text)
{
	if (a->headless) {
		app_act_print("%s%s", what, text);
		return;
	}
	if (bell)
		app_bell(a);
	app_note(a, 15, "%s%s", what, text);
}

/*
 * Something to know, not urgent (no desktop): never over another message.
 * Beside the lasting warnings (history off, no UTF-8), else after the note.
 */
static void
alert_say_later(struct app *a, const char *text)
{
	if (a->headless)
		app_act_print("%s", text);
	else if (a->nwarnings > 0)
		app_warn(a, text);
	else if (a->note[0] != '\0')
		snprintf(a->note_next, sizeof(a->note_next), "%s", text);
	else
		app_note(a, 15, "%s", text);
}

/* notify.c's events, from notifier_poll(). */
static void
alert_on_event(const struct notify_event *ev, void *arg)
{
	struct app	*a = arg;

	switch (ev->type) {
	case NOTIFY_EV_STATE:
		/* told once per change by notify.c itself */
		if (ev->state == NOTIFY_UNAVAILABLE)
			alert_say_later(a, ev->text);
		else if (ev->state == NOTIFY_AVAILABLE && a->headless)
			app_act_print("desktop notifications: %s", ev->text);
		break;
	case NOTIFY_EV_UNSHOWN:
		alert_say(a, 1, "alert (not shown on the desktop): ",
		    ev->text);
		break;
	case NOTIFY_EV_HOOK_FAILED:
		alert_say(a, 0, "alert command failed: ", ev->text);
		break;
	default:
		break;
	}
}

/* See app_alert.h. */
void
app_alert_open(struct app *a)
{
	char	 err[512];

	if ((a->notifier = notifier_new(&a->cfg->alert, alert_on_event, a,
	    err, sizeof(err))) == NULL)
		alert_say(a, 0, "alerts: ", err);
}

/* See app_alert.h. */
void
app_alert_poll(struct app *a, int64_t now_ms)
{
	if (a->notifier != NULL)
		notifier_poll(a->notifier, now_ms);
}

/* See app_alert.h. */
void
app_alert_close(struct app *a)
{
	if (a->notifier == NULL)
		return;
	if (a->headless)
		(void)notifier_drain(a->notifier, 3000);
	notifier_free(a->notifier);
	a->notifier = NULL;
}

/* See app_alert.h. */
void
app_alert(struct app *a, enum alert_kind kind, enum level level,
    const char *server, const char *account, const char *key,
    const char *fmt, ...)
{
	struct alert	 al;
	char		 body[512];
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	if (a->notifier == NULL)
		return;
	memset(&al, 0, sizeof(al));
	al.kind = kind;
	al.level = level;
	al.server = server;
	al.account = account;
	al.body = body;
	al.key = key;
	/* without a desktop: the bell, and the text where it can be read */
	if (notifier_post(a->notifier, &al, loop_now_ms()) == NOTIFY_FALLBACK &&
	    !a->headless) {
		app_bell(a);
		app_note(a, 15, "%s", body);
	}
}
