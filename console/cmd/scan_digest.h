/*
 * scan_digest.h: scan --summary, a daily digest an admin mails from cron,
 * in the manner of pflogsumm: grand totals (received, delivered, deferred,
 * bounced, rejected, held, bytes, senders, recipients), the accounts that
 * were flagged with why, traffic per hour (per day over three days) in the
 * logs' zone, the top senders by message count, the addresses that
 * logged in as several accounts, failed logins by address, and the
 * deferral, bounce and reject reasons.
 *
 * The totals count as pflogsumm does, so the two agree on the same log:
 * received is each message a client handed to smtpd (pflogsumm also
 * counts local pickup), delivered each recipient sent, deferred each
 * message deferred at least once (deferrals each attempt), bounced each
 * recipient bounced, rejected each reject line; bytes, senders and
 * recipients are of the messages received; recipients and their domains
 * are those delivered to.  Every table is bounded; what it could not keep
 * is said.
 */
#ifndef MAILCON_SCAN_DIGEST_H
#define MAILCON_SCAN_DIGEST_H

#include <stdio.h>

#include "report.h"

struct scan_digest;

/* utc: the logs' zone is UTC (else local time) for the hours. */
struct scan_digest *scan_digest_new(int utc);
void		 scan_digest_free(struct scan_digest *g);
/* One event (sender and reason are read: keep them), after the detector. */
void		 scan_digest_feed(struct scan_digest *g,
		    const struct mail_event *ev);
/* Print the digest; returns the exit status (as report_print). */
int		 scan_digest_print(FILE *f, struct scan_digest *g,
		    struct detector *d, const struct scan_stats *st,
		    char *const *files, int nfiles);

#endif
