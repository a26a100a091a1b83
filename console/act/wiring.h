/*
 * wiring.h: read whether a server's live configuration reads what its
 * account actions change (backends/backend.h, struct backend_wiring),
 * without blocking: the auth role's read, then the MTA's, each run as a
 * step is (here, or over SSH with sudo: cmdrun.h), their output given to
 * the backend's judge.  contain.c runs one before a suspend, unsuspend or
 * reset and before every dry run; `mailcon check` runs one per server.
 */
#ifndef MAILCON_WIRING_H
#define MAILCON_WIRING_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "backends/backend.h"
#include "config/config.h"
#include "net/cmdrun.h"

#define WIRING_MAX	32	/* findings of one server */
#define WIRING_OUT_MAX	(256u << 10)	/* bytes of one read kept */

struct wiring_report {
	struct wiring_finding	 f[WIRING_MAX];
	size_t			 n;
	/* a read that could not run at all (not the judge's findings):
	   "mailcon-wiring-postfix on mx1 failed: ..."; "" when both ran */
	char			 err[512];
};

struct wiring_run;

/*
 * Start reading sc's wiring on via (NULL: here).  Never NULL: what
 * cannot start is in the report's err once wiring_step() says done.
 */
struct wiring_run *wiring_start(const struct server_config *sc,
		    const struct cmdrun_via *via, int deadline_ms,
		    int64_t now_ms);
size_t		 wiring_fds(const struct wiring_run *w, struct pollfd *pfd);
/* Advance: 0 running, 1 done (wiring_result()). */
int		 wiring_step(struct wiring_run *w, int64_t now_ms);
int		 wiring_wait_ms(const struct wiring_run *w, int64_t now_ms);
const struct wiring_report *wiring_result(const struct wiring_run *w);
void		 wiring_free(struct wiring_run *w);

/*
 * What the report says of part (WIRE_LOGINS, WIRE_MAIL, ...): 1 when a
 * finding of it is WIRE_MISSING, with "TEXT: FIX" of the first in buf;
 * else 0.
 */
int		 wiring_missing(const struct wiring_report *r,
		     enum wiring_part part, char *buf, size_t size);
/* Is anything of the report not as it must be (missing, or err)? */
int		 wiring_bad(const struct wiring_report *r);

#endif
