/*
 * app_policy.h: the policy service inside `mailcon watch --headless`
 * ([policy] enabled = yes): it answers from the server's deny list and
 * from the headless containment's decisions as soon as they are made,
 * and hands each submission it is asked about to that server's detector.
 */
#ifndef MAILCON_APP_POLICY_H
#define MAILCON_APP_POLICY_H

struct app;

/* Start it when configured (after app_act_open: it audits there). */
void	app_policy_open(struct app *a);
void	app_policy_close(struct app *a);
/*
 * The containment decided to suspend account on server (decided 1), or
 * that suspension ended (decided 0, ok: it was done).
 */
void	app_policy_decided(struct app *a, unsigned server,
	    const char *account, int decided, int ok);

#endif
