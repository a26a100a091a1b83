/*
 * app_probe.c: probe each server behind SSH once for its mail systems,
 * when its connection is live (app_probe.h).  The command is a cmdrun on
 * the connection: the connection's owner (app_ssh.c) steps it, and this
 * looks where it got on the poll timer.  A probe that fails leaves the
 * registry's default of each role, as before there was a probe.
 */
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "app_probe.h"
#include "server.h"
#include "act/sshtarget.h"
#include "config/probe.h"
#include "core/xmalloc.h"
#include "net/cmdrun.h"
#include "net/ssh_conn.h"

/* Start the probe of server i when it wants one and can have it. */
static void
app_probe_start(struct app *a, size_t i, int64_t now_ms)
{
	struct server_config	*sc = &a->cfg->servers[i];
	struct cmdrun_via	 via;
	char			 user[256], err[512];

	if (!server_probe_wanted(sc) || sc->ssh.host == NULL ||
	    a->servers[i]->ssh == NULL ||
	    ssh_conn_state(a->servers[i]->ssh) != SSH_LIVE)
		return;
	if (sshtarget_via(sc, a->servers[i]->ssh, &via, user, sizeof(user),
	    err, sizeof(err)) == -1)
		return;
	a->probes[i] = probe_start(&via, now_ms, err, sizeof(err));
}

/* See app_probe.h. */
void
app_probe_tick(struct app *a, int64_t now_ms)
{
	size_t	 i;
	int	 rc;

	if (a->cfg == NULL)
		return;
	if (a->probes == NULL)
		a->probes = xcalloc(a->nservers > 0 ? a->nservers : 1,
		    sizeof(*a->probes));
	for (i = 0; i < a->nservers; i++) {
		if (a->probes[i] == NULL) {
			app_probe_start(a, i, now_ms);
			continue;
		}
		if ((rc = cmdrun_step(a->probes[i], now_ms)) == 0)
			continue;
		probe_apply(a->probes[i], rc == 1, &a->cfg->servers[i], NULL,
		    0);
		cmdrun_free(a->probes[i]);
		a->probes[i] = NULL;
	}
}

/* See app_probe.h. */
void
app_probe_close(struct app *a)
{
	size_t	 i;

	for (i = 0; a->probes != NULL && i < a->nservers; i++)
		cmdrun_free(a->probes[i]);
	free(a->probes);
	a->probes = NULL;
}
