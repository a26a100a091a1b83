/*
 * notify_hook.c: the alert command ([alerts] command), for paging.
 *
 * The command's argv is the admin's, fixed in the config; the alert
 * reaches it only through MAILCON_ALERT_* environment variables, so no
 * attacker text is ever parsed by a shell or read as an option.  Values
 * arrive sanitised (notify_text.c).  Each run goes through cmdrun (its own
 * process group, a deadline, stderr kept for the report) and is stepped
 * by the loop; at most NOTIFY_HOOK_RUNNING run at once, NOTIFY_HOOK_QUEUE
 * wait, and beyond that a run is refused and the caller says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify_int.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"
#include "net/cmdrun.h"

extern char	**environ;

#define HOOK_PREFIX	"MAILCON_ALERT_"

struct hook_run {
	char		**env;		/* owned */
	char		 title[NOTIFY_PLAIN_SIZE(NOTIFY_TITLE_MAX)];
	int		 level;
	struct cmdrun	*run;		/* NULL while it waits */
	char		*why;		/* could not start: to report */
};

struct notify_hook {
	char		**argv;		/* owned copy */
	char		 name[64];	/* argv[0], sanitised */
	int		 timeout_ms;
	struct hook_run	 runs[NOTIFY_HOOK_RUNNING + NOTIFY_HOOK_QUEUE];
	size_t		 nruns;		/* in order: oldest first */
};

/* "NAME=value" as a new string. */
static char *
hook_var(const char *name, const char *value)
{
	size_t	 n = strlen(HOOK_PREFIX) + strlen(name) + strlen(value) + 2;
	char	*s = xmalloc(n);

	snprintf(s, n, "%s%s=%s", HOOK_PREFIX, name, value != NULL ?
	    value : "");
	return s;
}

/* See notify_int.h. */
char **
notify_hook_env(char *const env[], const struct hook_alert *a)
{
	char	**out;
	size_t	  n = 0, i, o = 0;

	for (i = 0; env != NULL && env[i] != NULL; i++)
		n++;
	out = xcalloc(n + 8, sizeof(*out));
	for (i = 0; env != NULL && env[i] != NULL; i++) {
		/* a stale alert from our own environment must not leak in */
		if (strncmp(env[i], HOOK_PREFIX, strlen(HOOK_PREFIX)) != 0)
			out[o++] = xstrdup(env[i]);
	}
	out[o++] = hook_var("KIND", a->kind);
	out[o++] = hook_var("LEVEL", a->level);
	out[o++] = hook_var("SERVER", a->server);
	out[o++] = hook_var("ACCOUNT", a->account);
	out[o++] = hook_var("TITLE", a->title);
	out[o++] = hook_var("BODY", a->body);
	out[o++] = hook_var("TIME", a->time);
	out[o] = NULL;
	return out;
}

/* See notify_int.h. */
void
notify_hook_env_free(char **env)
{
	size_t	 i;

	for (i = 0; env != NULL && env[i] != NULL; i++)
		free(env[i]);
	free(env);
}

/* See notify_int.h. */
struct notify_hook *
notify_hook_new(char *const argv[], int timeout_ms)
{
	struct notify_hook	*h = xcalloc(1, sizeof(*h));
	size_t			 n = 0, i;

	while (argv[n] != NULL)
		n++;
	h->argv = xcalloc(n + 1, sizeof(*h->argv));
	for (i = 0; i < n; i++)
		h->argv[i] = xstrdup(argv[i]);
	sanitize_text(h->name, sizeof(h->name), argv[0], strlen(argv[0]));
	h->timeout_ms = timeout_ms;
	return h;
}

/* Report one run's end through cb. */
static void
hook_report(struct notify_hook *h, struct hook_run *r, int ok,
    const char *why, notifier_cb cb, void *arg)
{
	struct notify_event	 ev;
	char			 text[CMDRUN_OUT_MAX + 512];

	if (cb == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.level = (enum level)r->level;
	if (ok) {
		ev.type = NOTIFY_EV_HOOK_DONE;
		ev.text = r->title;
	} else {
		ev.type = NOTIFY_EV_HOOK_FAILED;
		snprintf(text, sizeof(text), "alert command: %s (alert \"%s\")",
		    why, r->title);
		ev.text = text;
	}
	cb(&ev, arg);
}

/* Start the runs that wait, while there is a slot. */
static void
hook_start(struct notify_hook *h, int64_t now_ms)
{
	size_t		 i, running = 0;
	char		 err[256];
	struct hook_run	*r;

	for (i = 0; i < h->nruns; i++)
		running += h->runs[i].run != NULL;
	for (i = 0; i < h->nruns && running < NOTIFY_HOOK_RUNNING; i++) {
		r = &h->runs[i];
		if (r->run != NULL || r->env == NULL)
			continue;
		r->run = cmdrun_start_env(h->argv, r->env, NULL, 0, now_ms,
		    h->timeout_ms, err, sizeof(err));
		notify_hook_env_free(r->env);
		r->env = NULL;
		if (r->run == NULL)
			r->why = xstrdup(err);	/* told by the next step */
		else
			running++;
	}
}

/* Drop runs that have ended (no env and no run), keeping the order. */
static void
hook_compact(struct notify_hook *h)
{
	size_t	 i, o = 0;

	for (i = 0; i < h->nruns; i++)
		if (h->runs[i].run != NULL || h->runs[i].env != NULL ||
		    h->runs[i].why != NULL)
			h->runs[o++] = h->runs[i];
	h->nruns = o;
}

/* See notify_int.h. */
int
notify_hook_run(struct notify_hook *h, const struct hook_alert *a,
    int64_t now_ms)
{
	struct hook_run	*r;

	if (h->nruns == sizeof(h->runs) / sizeof(h->runs[0]))
		return -1;
	r = &h->runs[h->nruns++];
	memset(r, 0, sizeof(*r));
	r->env = notify_hook_env(environ, a);
	r->level = a->nlevel;
	snprintf(r->title, sizeof(r->title), "%s", a->title);
	hook_start(h, now_ms);
	return 0;
}

/* See notify_int.h. */
size_t
notify_hook_fds(const struct notify_hook *h, struct pollfd *pfd, size_t max)
{
	size_t	 i, n = 0;

	for (i = 0; i < h->nruns; i++)
		if (h->runs[i].run != NULL && max - n >= CMDRUN_NFDS)
			n += cmdrun_fds(h->runs[i].run, pfd + n);
	return n;
}

/* See notify_int.h. */
int
notify_hook_wait_ms(const struct notify_hook *h, int64_t now_ms)
{
	size_t	 i;
	int	 ms = -1, w;

	for (i = 0; i < h->nruns; i++) {
		if (h->runs[i].why != NULL)
			return 0;
		if (h->runs[i].run == NULL)
			continue;
		w = cmdrun_wait_ms(h->runs[i].run, now_ms);
		if (w >= 0 && (ms == -1 || w < ms))
			ms = w;
	}
	return ms;
}

/* See notify_int.h. */
void
notify_hook_step(struct notify_hook *h, int64_t now_ms, notifier_cb cb,
    void *arg)
{
	struct hook_run	*r;
	size_t		 i;
	int		 rc;

	for (i = 0; i < h->nruns; i++) {
		r = &h->runs[i];
		if (r->why != NULL) {
			hook_report(h, r, 0, r->why, cb, arg);
			free(r->why);
			r->why = NULL;
		}
		if (r->run == NULL || (rc = cmdrun_step(r->run, now_ms)) == 0)
			continue;
		hook_report(h, r, rc == 1, cmdrun_error(r->run), cb, arg);
		cmdrun_free(r->run);
		r->run = NULL;
	}
	hook_compact(h);
	hook_start(h, now_ms);
}

/* See notify_int.h. */
size_t
notify_hook_busy(const struct notify_hook *h)
{
	return h->nruns;
}

/* See notify_int.h. */
void
notify_hook_free(struct notify_hook *h)
{
	size_t	 i;

	if (h == NULL)
		return;
	for (i = 0; i < h->nruns; i++) {
		cmdrun_free(h->runs[i].run);
		notify_hook_env_free(h->runs[i].env);
		free(h->runs[i].why);
	}
	notify_hook_env_free(h->argv);
	free(h);
}
