/*
 * repeated.h: rsyslog's repeat reduction.  With $RepeatedMsgReduction on,
 * rsyslog writes a line the first time and, for the identical lines of
 * the same host and tag that follow, one line
 *
 *   ... HOST TAG[PID]: message repeated N times: [ MSG]
 *
 * (MSG cut at 800 bytes).  That line stands for N more of the first one:
 * a server's reader parses MSG under the line's own header and counts
 * its events N times, so that N failed logins are N failures.
 *
 * Where N identical lines cannot be N events the line counts once, with a
 * note: a line naming a queue id is about that one message (the same
 * "QID: client=..., sasl_username=" twice is not two messages); and no
 * line counts more than REPEATED_MAX times (the count is the sender's
 * word: anyone who can write to the log host could claim a billion).
 */
#ifndef MAILCON_REPEATED_H
#define MAILCON_REPEATED_H

#include <stddef.h>

#include "backends/event.h"

#define REPEATED_MAX	10000u	/* events one repeat line may stand for */

/*
 * h's message is "message repeated N times: [MSG]" with N from 1: 1 with
 * *inner the header of MSG (h's time, host, tag; msg MSG without its
 * leading blank, pointing into the same line) and *n = N; else 0.
 */
int		 repeated_split(const struct log_header *h,
		    struct log_header *inner, unsigned *n);
/*
 * How many times the events of a repeat line standing for n lines are
 * counted; when fewer than n, why in plain words in why (size bytes).
 */
unsigned	 repeated_times(const struct mail_events *evs, unsigned n,
		    char *why, size_t size);

#endif
