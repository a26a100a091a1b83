/*
 * app_wake.c: read a local log as soon as it grows (app_wake.h).
 *
 * The directory of each followed file is watched rather than the file:
 * a rotated or re-created log is the same name in the same directory.
 * An event for a followed name runs the poll at once, but not more often
 * than every WAKE_MIN_MS: a log written 600 times a second is read in
 * batches, each read taking what came since.
 */
#include <sys/inotify.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "app_loop.h"
#include "app_wake.h"
#include "server.h"
#include "core/loop.h"
#include "core/trace.h"
#include "core/xmalloc.h"
#include "intake/source.h"

#define WAKE_MIN_MS	10	/* between two reads a wake-up starts */
#define WAKE_MAX_NAMES	64	/* files watched, at most */

struct app_wake {
	int		 fd;
	int		 wd[WAKE_MAX_NAMES];	/* the directory's watch */
	char		*name[WAKE_MAX_NAMES];	/* the file's base name */
	size_t		 n;
	int64_t		 last_ms;	/* the last read it started */
	int		 armed;		/* a timer will read */
};

/* Timer: the read put off by WAKE_MIN_MS. */
static void
wake_on_timer(void *arg)
{
	struct app	*a = arg;

	if (a->wake == NULL)
		return;
	a->wake->armed = 0;
	a->wake->last_ms = loop_now_ms();
	app_on_poll(a);
}

/* Whether the event names a followed file. */
static int
wake_followed(const struct app_wake *w, const struct inotify_event *ev)
{
	size_t	 i;

	for (i = 0; i < w->n; i++)
		if (w->wd[i] == ev->wd && ev->len > 0 &&
		    strcmp(w->name[i], ev->name) == 0)
			return 1;
	return 0;
}

/* The inotify fd is readable: a followed file (maybe) grew. */
static void
wake_on_fd(int fd, short revents, void *arg)
{
	struct app	*a = arg;
	struct app_wake	*w = a->wake;
	char		 buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t		 n, off;
	int		 hit = 0;
	int64_t		 now;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (off = 0; off + (ssize_t)sizeof(*ev) <= n;
		    off += (ssize_t)sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)(buf + off);
			if (wake_followed(w, ev))
				hit = 1;
		}
	if (!hit || w->armed)
		return;
	now = loop_now_ms();
	if (now - w->last_ms >= WAKE_MIN_MS) {
		w->last_ms = now;
		app_on_poll(a);
	} else if (loop_add_timer(a->loop, (int)(WAKE_MIN_MS -
	    (now - w->last_ms)), 0, wake_on_timer, a) != -1)
		w->armed = 1;
}

/* Close and free w (its fd no longer in the loop). */
static void
wake_free(struct app_wake *w)
{
	size_t	 i;

	close(w->fd);
	for (i = 0; i < w->n; i++)
		free(w->name[i]);
	free(w);
}

/* Watch path's directory for its name; 0, or -1 when it cannot. */
static int
wake_add(struct app_wake *w, const char *path)
{
	const char	*slash = strrchr(path, '/');
	char		*dir;
	int		 wd;

	if (w->n == WAKE_MAX_NAMES || slash == NULL || slash[1] == '\0')
		return -1;
	dir = slash == path ? xstrdup("/") : xstrndup(path,
	    (size_t)(slash - path));
	wd = inotify_add_watch(w->fd, dir, IN_MODIFY | IN_CREATE |
	    IN_MOVED_TO);
	if (wd == -1)
		trace(1, "wake: not watching %s (%s): read at each poll", dir,
		    strerror(errno));
	free(dir);
	if (wd == -1)
		return -1;
	w->wd[w->n] = wd;
	w->name[w->n++] = xstrdup(slash + 1);
	return 0;
}

/* See app_wake.h. */
void
app_wake_open(struct app *a)
{
	const struct source_ops	*file = source_kind("file");
	struct app_wake		*w;
	struct server		*s;
	const char		*path;
	size_t			 i, j;

	if (!a->headless || a->loop == NULL || file == NULL)
		return;
	w = xcalloc(1, sizeof(*w));
	if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		trace(1, "wake: no inotify (%s): logs read at each poll",
		    strerror(errno));
		free(w);
		return;
	}
	for (i = 0; i < a->nservers; i++) {
		s = a->servers[i];
		for (j = 0; j < s->nsources; j++)
			if (s->sources[j].in.ops == file &&
			    (path = logsource_label(&s->sources[j].in)) !=
			    NULL && path[0] == '/')
				(void)wake_add(w, path);
	}
	if (w->n == 0 || loop_add_fd(a->loop, w->fd, POLLIN, wake_on_fd,
	    a) == -1) {
		wake_free(w);
		return;
	}
	a->wake = w;
}

/* See app_wake.h. */
void
app_wake_close(struct app *a)
{
	struct app_wake	*w = a->wake;

	if (w == NULL)
		return;
	a->wake = NULL;
	if (a->loop != NULL)
		loop_del_fd(a->loop, w->fd);
	wake_free(w);
}
