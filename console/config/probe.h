/*
 * probe.h: which mail systems a server runs, when its [server] section
 * leaves it to mailcon (backend = auto, auth = auto, and no key that only
 * one system reads): the backends' probe paths (backend.h, struct
 * backend_discovery) looked up on the server.  Here with access(); on a
 * server behind SSH as one command over its connection, for the event
 * loop like any other (cmdrun.h), its output read by backend_probe_seen().
 * What the probe does not find stays the registry's first of the role, as
 * before there was a probe.
 */
#ifndef MAILCON_PROBE_H
#define MAILCON_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define PROBE_MS	15000	/* the remote probe's deadline */

struct cmdrun;
struct cmdrun_via;

/* Settle sc's mail systems by the files of this machine. */
void		 probe_local(struct server_config *sc);
/* Start the probe on via (a server behind SSH); NULL with err. */
struct cmdrun	*probe_start(const struct cmdrun_via *via, int64_t now_ms,
		     char *err, size_t errlen);
/*
 * Settle sc by the probe's output once cmdrun_step() returned 1; a probe
 * that failed (-1) settles nothing and is not run again.  What it found,
 * in plain words, into said ("postfix and dovecot").
 */
void		 probe_apply(const struct cmdrun *r, int ok,
		     struct server_config *sc, char *said, size_t size);

#endif
