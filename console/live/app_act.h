/*
 * app_act.h: containment in the live console and in `mailcon watch
 * --headless`: the action keys, the dialog of a destructive action, the
 * action stepped from the loop (never blocking the screen), its result on
 * screen, the [watch] policy, and the actions of earlier runs at start.
 */
#ifndef MAILCON_APP_ACT_H
#define MAILCON_APP_ACT_H

#include "app.h"
#include "act/contain.h"

/*
 * Open the audit (after the history: its path) and list what earlier runs
 * did since the last session, and actions whose outcome never came.
 */
void	app_act_open(struct app *a);
void	app_act_close(struct app *a);
/*
 * An action key on an account of a server (account NULL: none selected):
 * refused with a note when the server cannot do it (contain_capable's
 * words), else run, or for purge and reset asked first (APP_DIALOG_ACT).
 */
void	app_act_key(struct app *a, enum contain_action action,
	    unsigned server, const char *account);
/* The operator's answer to the confirmation (ACTS_CONFIRM). */
void	app_act_answer(struct app *a, int yes);
/* The result, or the actions of earlier runs, were read: close them. */
void	app_act_dismiss(struct app *a);
/* The result of the action that ended (ACTS_RESULT), or NULL. */
const struct contain_result *app_act_result(const struct app *a);
/* Headless: one line with the time (UTC) on stdout, flushed. */
void	app_act_print(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/* Every event: see struct act_sweep. */
void	app_act_event(struct app *a, unsigned server,
	    const struct mail_event *ev);
/* Was account on server suspended from this console (and not unsuspended
   since)?  Its new mail is swept then (struct act_sweep). */
int	app_act_suspended(const struct app *a, unsigned server,
	    const char *account);
/* From the poll timer: start the sweeps that are due. */
void	app_act_tick(struct app *a, int64_t now_ms);
/*
 * An incident reached level: apply the [watch] policy (headless only).
 * It acts only on an account the detector confirmed (critical backed by
 * two kinds of evidence) and prints the policy and that evidence.  0 when
 * the account is not confirmed yet (call again as it changes), 1 when the
 * incident is handled (acted on, or nothing to do).
 */
int	app_act_policy(struct app *a, unsigned server, const char *account,
	    enum level level);

#endif
