/*
 * act_report.h: what `mailcon act` says on the terminal (cmd_act.c): a
 * queue operation's progress, the question before a destructive action
 * and the count it names, and the outcome with its exit status.
 */
#ifndef MAILCON_ACT_REPORT_H
#define MAILCON_ACT_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "act/contain.h"

/* A queue operation's progress on stderr. */
struct act_progress {
	const char	*verb;
	int64_t		 start, told;	/* monotonic ms; 0: not yet */
};

/* contain_request.progress: a line a second once it takes over one. */
void	act_on_progress(void *arg, size_t done, size_t total);
/* Ask on the terminal; 1 only for an explicit yes. */
int	act_confirm(const char *question);
/* Count what a queue action would touch, for the question. */
size_t	act_count(struct contain_request req);
/* Print the result; the exit status. */
int	act_report(const struct contain_request *req,
	    const struct contain_result *r, int verbose);

#endif
