/*
 * notify_dbus.c: the worker thread that owns every libnotify call.
 *
 * notify_init(), notify_get_server_info() and notify_notification_show()
 * are synchronous D-Bus calls that can take the 25 s D-Bus timeout when
 * the notification service hangs, so none of them runs on the loop's
 * thread.  The loop queues shows (bounded: NOTIFY_QUEUE_MAX); the worker
 * connects first, then shows one at a time and puts each outcome on a done
 * list, with a byte down a pipe to wake the loop.
 *
 * The worker runs GLib in a main context of its own, iterated after each
 * call, so the signals libnotify subscribes to (NotificationClosed) are
 * dispatched and freed rather than piling up in a context nobody runs.
 * The session bus connection is told not to exit the process when the bus
 * goes away (GLib's default for the shared connection is to raise
 * SIGTERM).
 *
 * Stopping: a worker stuck in a call cannot be interrupted, so stop waits
 * a bounded time, then detaches it; whichever of the two lets go last
 * frees the shared state (refs).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libnotify/notify.h>

#include "notify_int.h"
#include "core/xmalloc.h"

struct dbus_job {
	struct dbus_job	*next;
	uint64_t	 id;
	int		 urgency;
	int		 level;
	char		*plain_title;
	char		*title;
	char		*body;
};

struct dbus_done {
	struct dbus_done	*next;
	struct dbus_result	 r;
};

struct notify_dbus {
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	struct dbus_job		*queue, **queue_tail;
	size_t			 nqueue;
	int			 busy;		/* the worker holds a job */
	struct dbus_done	*done, **done_tail;
	int			 quit;
	int			 exited;
	int			 refs;		/* the loop and the worker */
	pthread_t		 worker;
	int			 pipe[2];	/* worker -> loop */

	/* The worker's own. */
	GDBusConnection		*bus;
	int			 ready;
};

/* Free one job. */
static void
dbus_job_free(struct dbus_job *j)
{
	free(j->plain_title);
	free(j->title);
	free(j->body);
	free(j);
}

/* Free the shared state: the last of loop and worker to let go. */
static void
dbus_free(struct notify_dbus *d)
{
	struct dbus_job		*j;
	struct dbus_done	*r;

	while ((j = d->queue) != NULL) {
		d->queue = j->next;
		dbus_job_free(j);
	}
	while ((r = d->done) != NULL) {
		d->done = r->next;
		free(r);
	}
	close(d->pipe[0]);
	close(d->pipe[1]);
	pthread_cond_destroy(&d->cond);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

/* Worker: hand an outcome to the loop. */
static void
dbus_report(struct notify_dbus *d, const struct dbus_result *res)
{
	struct dbus_done	*r = xcalloc(1, sizeof(*r));

	r->r = *res;
	pthread_mutex_lock(&d->lock);
	*d->done_tail = r;
	d->done_tail = &r->next;
	pthread_mutex_unlock(&d->lock);
	/* a full pipe means a wake-up is pending already */
	(void)!write(d->pipe[1], "", 1);
}

/* Worker: reach the bus and the notification service; 1 when ready. */
static int
dbus_connect(struct notify_dbus *d, char *why, size_t size)
{
	GError	*e = NULL;
	char	*name = NULL, *vendor = NULL, *version = NULL, *spec = NULL;

	if (d->bus == NULL) {
		d->bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &e);
		if (d->bus == NULL) {
			snprintf(why, size, "cannot reach the D-Bus session "
			    "bus: %s", e != NULL ? e->message : "unknown error");
			g_clear_error(&e);
			return 0;
		}
		g_dbus_connection_set_exit_on_close(d->bus, FALSE);
	}
	if (g_dbus_connection_is_closed(d->bus)) {
		g_clear_object(&d->bus);
		snprintf(why, size, "the D-Bus session bus went away");
		return 0;
	}
	if (!notify_is_initted() && !notify_init(NOTIFY_APP_NAME)) {
		snprintf(why, size, "libnotify could not start (notify_init)");
		return 0;
	}
	if (!notify_get_server_info(&name, &vendor, &version, &spec)) {
		snprintf(why, size, "no notification service answers on the "
		    "session bus (org.freedesktop.Notifications)");
		return 0;
	}
	snprintf(why, size, "%s %s (%s)", name != NULL ? name : "?",
	    version != NULL ? version : "?", vendor != NULL ? vendor : "?");
	g_free(name);
	g_free(vendor);
	g_free(version);
	g_free(spec);
	return 1;
}

/* Worker: show one notification; 1 shown, else why says why not. */
static int
dbus_show(struct dbus_job *j, char *why, size_t size)
{
	NotifyNotification	*nn;
	GError			*e = NULL;
	int			 ok;

	nn = notify_notification_new(j->title, j->body, NULL);
	notify_notification_set_app_name(nn, NOTIFY_APP_NAME);
	notify_notification_set_urgency(nn, (NotifyUrgency)j->urgency);
	notify_notification_set_category(nn, "email");
	ok = notify_notification_show(nn, &e);
	if (!ok)
		snprintf(why, size, "the notification service failed to show "
		    "it: %s", e != NULL ? e->message : "unknown error");
	g_clear_error(&e);
	g_object_unref(nn);
	return ok;
}

/* Worker: dispatch what GLib has pending in our context. */
static void
dbus_iterate(GMainContext *ctx)
{
	while (g_main_context_iteration(ctx, FALSE))
		;
}

/* Worker: connect, then show the queued jobs until told to quit. */
static void *
dbus_worker(void *arg)
{
	struct notify_dbus	*d = arg;
	struct dbus_job		*j;
	struct dbus_result	 res;
	GMainContext		*ctx = g_main_context_new();
	int			 last;

	g_main_context_push_thread_default(ctx);
	memset(&res, 0, sizeof(res));
	d->ready = dbus_connect(d, res.text, sizeof(res.text));
	res.type = d->ready ? DBUS_READY : DBUS_DOWN;
	dbus_report(d, &res);
	dbus_iterate(ctx);

	pthread_mutex_lock(&d->lock);
	for (;;) {
		while (!d->quit && d->queue == NULL)
			pthread_cond_wait(&d->cond, &d->lock);
		if (d->quit)
			break;
		j = d->queue;
		if ((d->queue = j->next) == NULL)
			d->queue_tail = &d->queue;
		d->nqueue--;
		d->busy = 1;
		pthread_mutex_unlock(&d->lock);

		memset(&res, 0, sizeof(res));
		res.id = j->id;
		res.level = j->level;
		snprintf(res.title, sizeof(res.title), "%s", j->plain_title);
		if (!d->ready)
			d->ready = dbus_connect(d, res.text, sizeof(res.text));
		if (d->ready && dbus_show(j, res.text, sizeof(res.text)))
			res.type = DBUS_SHOWN;
		else {
			res.type = DBUS_FAILED;
			d->ready = 0;	/* connect again next time */
		}
		dbus_job_free(j);
		dbus_iterate(ctx);

		pthread_mutex_lock(&d->lock);
		d->busy = 0;
		pthread_mutex_unlock(&d->lock);
		dbus_report(d, &res);
		pthread_mutex_lock(&d->lock);
	}
	pthread_mutex_unlock(&d->lock);

	if (notify_is_initted())
		notify_uninit();
	g_clear_object(&d->bus);
	dbus_iterate(ctx);
	g_main_context_pop_thread_default(ctx);
	g_main_context_unref(ctx);

	pthread_mutex_lock(&d->lock);
	d->exited = 1;
	pthread_cond_broadcast(&d->cond);
	last = --d->refs == 0;
	pthread_mutex_unlock(&d->lock);
	if (last)
		dbus_free(d);
	return NULL;
}

/* See notify_int.h. */
struct notify_dbus *
notify_dbus_start(char *err, size_t errlen)
{
	struct notify_dbus	*d = xcalloc(1, sizeof(*d));
	int			 i;

	if (pipe(d->pipe) == -1) {
		snprintf(err, errlen, "notifications: pipe: %s",
		    strerror(errno));
		free(d);
		return NULL;
	}
	for (i = 0; i < 2; i++) {
		fcntl(d->pipe[i], F_SETFL, O_NONBLOCK);
		fcntl(d->pipe[i], F_SETFD, FD_CLOEXEC);
	}
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->cond, NULL);
	d->queue_tail = &d->queue;
	d->done_tail = &d->done;
	d->refs = 2;
	if ((errno = pthread_create(&d->worker, NULL, dbus_worker, d)) != 0) {
		snprintf(err, errlen, "notifications: cannot start a thread: "
		    "%s", strerror(errno));
		d->refs = 1;
		dbus_free(d);
		return NULL;
	}
	return d;
}

/* See notify_int.h. */
int
notify_dbus_show(struct notify_dbus *d, uint64_t id, const char *plain_title,
    const char *title_markup, const char *body_markup, int urgency,
    int level)
{
	struct dbus_job	*j;

	pthread_mutex_lock(&d->lock);
	if (d->nqueue >= NOTIFY_QUEUE_MAX) {
		pthread_mutex_unlock(&d->lock);
		return -1;
	}
	pthread_mutex_unlock(&d->lock);
	j = xcalloc(1, sizeof(*j));
	j->id = id;
	j->urgency = urgency;
	j->level = level;
	j->plain_title = xstrdup(plain_title);
	j->title = xstrdup(title_markup);
	j->body = xstrdup(body_markup);
	pthread_mutex_lock(&d->lock);
	*d->queue_tail = j;
	d->queue_tail = &j->next;
	d->nqueue++;
	pthread_cond_signal(&d->cond);
	pthread_mutex_unlock(&d->lock);
	return 0;
}

/* See notify_int.h. */
int
notify_dbus_fd(const struct notify_dbus *d)
{
	return d->pipe[0];
}

/* See notify_int.h. */
int
notify_dbus_next(struct notify_dbus *d, struct dbus_result *r)
{
	struct dbus_done	*dn;
	char			 buf[64];

	while (read(d->pipe[0], buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&d->lock);
	if ((dn = d->done) != NULL && (d->done = dn->next) == NULL)
		d->done_tail = &d->done;
	pthread_mutex_unlock(&d->lock);
	if (dn == NULL)
		return 0;
	*r = dn->r;
	free(dn);
	return 1;
}

/* See notify_int.h. */
size_t
notify_dbus_pending(struct notify_dbus *d)
{
	size_t	 n;

	pthread_mutex_lock(&d->lock);
	n = d->nqueue + (size_t)d->busy + (d->done != NULL);
	pthread_mutex_unlock(&d->lock);
	return n;
}

/* See notify_int.h. */
void
notify_dbus_stop(struct notify_dbus *d, int wait_ms)
{
	struct timespec	 until;
	int		 exited, last;

	if (d == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (long)(wait_ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&d->lock);
	d->quit = 1;
	pthread_cond_broadcast(&d->cond);
	while (!d->exited &&
	    pthread_cond_timedwait(&d->cond, &d->lock, &until) != ETIMEDOUT)
		;
	exited = d->exited;
	last = --d->refs == 0;
	pthread_mutex_unlock(&d->lock);
	if (exited)
		pthread_join(d->worker, NULL);
	else
		pthread_detach(d->worker);
	if (last)
		dbus_free(d);
}
