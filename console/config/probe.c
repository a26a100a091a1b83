/* probe.c: which mail systems a server runs; see probe.h. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"
#include "net/cmdrun.h"

/* backend_probe()'s question, on this machine. */
static int
probe_here(const char *path, void *arg)
{
	(void)arg;
	return access(path, F_OK) == 0;
}

/* See probe.h. */
void
probe_local(struct server_config *sc)
{
	if (!server_probe_wanted(sc))
		return;
	server_probe_done(sc, backend_probe(BROLE_MTA, probe_here, NULL),
	    backend_probe(BROLE_AUTH, probe_here, NULL));
}

/* See probe.h. */
struct cmdrun *
probe_start(const struct cmdrun_via *via, int64_t now_ms, char *err,
    size_t errlen)
{
	struct cmdrun_spec	 spec;
	struct cmdrun		*r;
	char			**argv = backend_probe_argv();

	memset(&spec, 0, sizeof(spec));
	spec.argv = argv;
	spec.deadline_ms = PROBE_MS;
	spec.name = "mailcon-probe";
	r = cmdrun_run(via, &spec, now_ms, err, errlen);
	backend_argv_free(argv);
	return r;
}

/* See probe.h. */
void
probe_apply(const struct cmdrun *r, int ok, struct server_config *sc,
    char *said, size_t size)
{
	const struct mail_backend	*mta = NULL, *auth = NULL;
	struct mail_str			 out;

	if (ok) {
		out.p = cmdrun_stdout(r, &out.len);
		mta = backend_probe(BROLE_MTA, backend_probe_seen, &out);
		auth = backend_probe(BROLE_AUTH, backend_probe_seen, &out);
	}
	server_probe_done(sc, mta, auth);
	if (said != NULL)
		snprintf(said, size, "%s%s and %s%s", server_mta(sc)->name,
		    sc->mta == NULL ? " (assumed)" : "", server_auth(sc)->name,
		    sc->auth == NULL && server_auth(sc) != server_mta(sc) ?
		    " (assumed)" : "");
}
