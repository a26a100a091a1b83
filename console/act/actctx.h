/*
 * actctx.h: what an action needs from the program running it, shared by
 * the console, `mailcon act` and `mailcon watch --headless`: who the
 * operator is, where the audit lives, and which queue ids an account's
 * logins produced (from a server's detector).
 */
#ifndef MAILCON_ACTCTX_H
#define MAILCON_ACTCTX_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

struct audit;
struct detector;

/* contain_request.owns for one account of one detector. */
struct act_owner {
	struct detector	*det;
	long		 index;		/* detector_find(); -1: unknown */
	const char	*account;	/* for act_counts */
};

/* What the detector counted of one account's mail. */
struct act_numbers {
	int		 found;
	uint64_t	 messages;	/* accepted in all */
	uint64_t	 before_flag, before_confirmed;
	int64_t		 flagged_at, confirmed_at;	/* -1: never */
};

/* The account's numbers now (found 0 when the detector has none). */
void		 act_numbers_get(struct detector *det, const char *account,
		     struct act_numbers *n);
/* "12 messages queued after it was flagged, 3 after it was confirmed",
   or "" when not found. */
void		 act_numbers_say(const struct act_numbers *n, char *buf,
		     size_t size);
/* contain_request.counts of an act_owner (with account set): those
   words at the moment the suspension took effect. */
void		 act_counts(char *buf, size_t size, void *o);

/* The callback itself: does the account at o->index own qid? */
int		 act_owns(const char *qid, size_t len, void *o);

/* The admin's login: $SUDO_USER when run through sudo, else the user's. */
void		 act_operator(char *buf, size_t size);

/*
 * Open the audit in the history database (the [console] history path or
 * the default one; the audit is kept even with history = off).  NULL with
 * a one-line message in err.
 */
struct audit	*act_audit_open(const struct mailcon_config *cfg, char *err,
		     size_t errlen);

#endif
