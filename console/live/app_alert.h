/*
 * app_alert.h: the console's and the headless watch's alerts: desktop
 * notifications (notify.h) when an account turns suspicious or critical,
 * when containment ran, when an address gets listed; without a desktop
 * (over SSH) the terminal bell and the status line, said once.
 */
#ifndef MAILCON_APP_ALERT_H
#define MAILCON_APP_ALERT_H

#include "app.h"
#include "alert/notify.h"

void	app_alert_open(struct app *a);
/* From the poll timer: outcomes of the notification worker and hook. */
void	app_alert_poll(struct app *a, int64_t now_ms);
/* Headless: wait (bounded) for what is queued; then free. */
void	app_alert_close(struct app *a);
/* Raise one alert; strings are borrowed for the call. */
void	app_alert(struct app *a, enum alert_kind kind, enum level level,
	    const char *server, const char *account, const char *key,
	    const char *fmt, ...) __attribute__((format(printf, 7, 8)));

#endif
