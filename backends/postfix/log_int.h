/*
 * log_int.h: what the Postfix log parser's files share (log.c dispatches
 * a line by daemon, log_smtpd.c reads smtpd's and cleanup's lines,
 * log_queue.c those of qmgr, the delivery agents and postsuper).
 *
 * Each pf_* parser below gets the message after "QID: " (or after the
 * prefix that selected it) up to e; it fills *out and returns 1, or 0 when
 * the text is not that line (the caller then clears *out).
 */
#ifndef MAILCON_POSTFIX_LOG_INT_H
#define MAILCON_POSTFIX_LOG_INT_H

#include "backends/backend.h"

/* log.c: the end of an envelope address after its '<' (see log.c). */
const char	*pf_addr_end(const char *p, const char *e);

/* log_smtpd.c: smtpd's client=, disconnect, SASL failure and reject
   lines (reject also for cleanup). */
int	pf_submit(const char *p, const char *e, struct mail_event *out);
int	pf_disconnect(const char *p, const char *e, struct mail_event *out);
int	pf_sasl_fail(const char *p, const char *e, struct mail_event *out);
int	pf_reject(const char *p, const char *e, struct mail_event *out);

/* log_queue.c: qmgr's from= lines, the delivery agents' to= lines and
   postsuper's hold, release and removal. */
int	pf_qmgr_from(const char *p, const char *e, struct mail_event *out);
int	pf_delivery(const char *p, const char *e, struct mail_event *out);
int	pf_postsuper(const char *p, const char *e, struct mail_event *out);

#endif
