/* dovecot.h: what the files of backends/dovecot/ share. */
#ifndef MAILCON_DOVECOT_H
#define MAILCON_DOVECOT_H

#include "backends/backend.h"

/* log.c: the log parser and its tag filter (backend.h). */
int	dovecot_parse_line(const struct log_header *h,
	    struct mail_event *out);
int	dovecot_claims(const struct mail_str *prog);

/* accounts.c: deny passdb and passwd-file steps. */
extern const struct backend_accounts dovecot_accounts;

/* wiring.c: does Dovecot read those files (doveconf -n)? */
extern const struct backend_wiring dovecot_wiring;

#endif
