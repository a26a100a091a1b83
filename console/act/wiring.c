/*
 * wiring.c: a server's wiring read without blocking (wiring.h): each
 * role's read, one after the other, its output kept (up to
 * WIRING_OUT_MAX) and judged by its backend once it exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contain_int.h"
#include "wiring.h"
#include "core/xmalloc.h"
#include "net/cmdrun.h"

struct wiring_run {
	const struct server_config *sc;
	const struct mail_backend *b[2];	/* auth, then MTA */
	size_t			 nb, at;
	struct cmdrun_via	 via;
	int			 have_via;
	int			 deadline_ms;
	struct cmdrun		*cmd;
	char			*out;
	size_t			 len;
	int			 done;
	struct wiring_report	 rep;
};

/* cmdrun_cb: keep what the read prints on stdout. */
static void
wiring_on_output(void *arg, int stream, const char *p, size_t len)
{
	struct wiring_run	*w = arg;

	if (stream != CMDRUN_STDOUT || w->len >= WIRING_OUT_MAX)
		return;
	if (len > WIRING_OUT_MAX - w->len)
		len = WIRING_OUT_MAX - w->len;
	memcpy(w->out + w->len, p, len);
	w->len += len;
}

/* Say why a read could not run (the first such reason stays). */
static void
wiring_fail(struct wiring_run *w, const char *what)
{
	if (w->rep.err[0] == '\0')
		snprintf(w->rep.err, sizeof(w->rep.err), "%s", what);
}

/* Start the read of w->b[w->at]; the next one when it cannot. */
static void
wiring_next(struct wiring_run *w, int64_t now)
{
	const struct mail_backend *b;
	struct cmdrun_spec	 spec;
	char			 err[512], **argv;

	for (; w->at < w->nb; w->at++) {
		b = w->b[w->at];
		if ((argv = cp_step_argv(b, b->wiring->read, w->sc, NULL, 1,
		    err, sizeof(err))) == NULL) {
			wiring_fail(w, err);
			continue;
		}
		memset(&spec, 0, sizeof(spec));
		spec.argv = argv;
		spec.deadline_ms = w->deadline_ms;
		spec.cb = wiring_on_output;
		spec.arg = w;
		spec.name = b->wiring->read->name;
		w->len = 0;
		w->cmd = cmdrun_run(w->have_via ? &w->via : NULL, &spec, now,
		    err, sizeof(err));
		cp_argv_free(argv);
		if (w->cmd != NULL)
			return;
		wiring_fail(w, err);
	}
	w->done = 1;
}

/* See wiring.h. */
struct wiring_run *
wiring_start(const struct server_config *sc, const struct cmdrun_via *via,
    int deadline_ms, int64_t now_ms)
{
	struct wiring_run	*w = xcalloc(1, sizeof(*w));
	const struct mail_backend *auth = server_auth(sc);
	const struct mail_backend *mta = server_mta(sc);

	w->sc = sc;
	w->deadline_ms = deadline_ms > 0 ? deadline_ms : CONTAIN_STEP_MS;
	if (via != NULL) {
		w->via = *via;
		w->have_via = 1;
	}
	w->out = xmalloc(WIRING_OUT_MAX);
	if (auth != NULL && auth->wiring != NULL)
		w->b[w->nb++] = auth;
	if (mta != NULL && mta != auth && mta->wiring != NULL)
		w->b[w->nb++] = mta;
	wiring_next(w, now_ms);
	return w;
}

/* See wiring.h. */
size_t
wiring_fds(const struct wiring_run *w, struct pollfd *pfd)
{
	return w->cmd != NULL ? cmdrun_fds(w->cmd, pfd) : 0;
}

/* See wiring.h. */
int
wiring_step(struct wiring_run *w, int64_t now_ms)
{
	const struct mail_backend *b;
	struct backend_env	 env;
	int			 r;

	while (!w->done) {
		if ((r = cmdrun_step(w->cmd, now_ms)) == 0)
			return 0;
		b = w->b[w->at];
		if (r == 1) {
			server_backend_env(w->sc, &env);
			w->rep.n += b->wiring->judge(w->out, w->len, &env,
			    w->rep.f + w->rep.n, WIRING_MAX - w->rep.n);
		} else
			wiring_fail(w, cmdrun_error(w->cmd));
		cmdrun_free(w->cmd);
		w->cmd = NULL;
		w->at++;
		wiring_next(w, now_ms);
	}
	return 1;
}

/* See wiring.h. */
int
wiring_wait_ms(const struct wiring_run *w, int64_t now_ms)
{
	if (w->done)
		return 0;
	return w->cmd != NULL ? cmdrun_wait_ms(w->cmd, now_ms) : 0;
}

/* See wiring.h. */
const struct wiring_report *
wiring_result(const struct wiring_run *w)
{
	return &w->rep;
}

/* See wiring.h. */
void
wiring_free(struct wiring_run *w)
{
	if (w == NULL)
		return;
	cmdrun_free(w->cmd);
	free(w->out);
	free(w);
}

/* See wiring.h. */
int
wiring_missing(const struct wiring_report *r, enum wiring_part part,
    char *buf, size_t size)
{
	size_t	 i;

	for (i = 0; i < r->n; i++)
		if (r->f[i].part == part && r->f[i].state == WIRE_MISSING) {
			snprintf(buf, size, "%s%s%s", r->f[i].text,
			    r->f[i].fix[0] != '\0' ? ": " : "", r->f[i].fix);
			return 1;
		}
	return 0;
}

/* See wiring.h. */
int
wiring_bad(const struct wiring_report *r)
{
	size_t	 i;

	if (r->err[0] != '\0')
		return 1;
	for (i = 0; i < r->n; i++)
		if (r->f[i].state == WIRE_MISSING)
			return 1;
	return 0;
}
