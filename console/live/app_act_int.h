/*
 * app_act_int.h: what the pieces of the console's containment share:
 * app_act.c (the action stepped from the loop), app_act_earlier.c (the
 * actions of earlier runs), app_act_policy.c (the [watch] policy) and
 * app_act_sweep.c (a suspended account's new mail); nothing else
 * includes it.
 */
#ifndef MAILCON_APP_ACT_INT_H
#define MAILCON_APP_ACT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "act/audit.h"
#include "act/contain.h"

/* The evidence the policy acted on last, printed with its actions. */
extern char	act_policy_why[1400];

/* app_act_earlier.c */
int	act_on_pending(const struct audit_row *r, void *arg);
int	act_on_row(const struct audit_row *r, void *arg);
void	act_pending_seen(struct app *a);

/* app_act.c */
struct act_job *act_job_add(struct app *a, enum contain_action action,
	    unsigned server, const char *account, int hold_first);
void	act_next_job(struct app *a);

/* app_act_policy.c: forget the accounts said to wait (on close). */
void	act_policy_forget(void);

/* app_act_sweep.c */
void	act_sweep_counts(char *buf, size_t size, void *arg);
void	act_sweep_set(struct app *a, unsigned server, const char *account,
	    int on, uint64_t base);
void	act_sweep_due(struct app *a, unsigned server, const char *account);

#endif
