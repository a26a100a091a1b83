/* demo.c: replay recorded logs into a followed file, rewriting timestamps;
   the sandbox the demo's actions act on beside it (demo_sandbox.c). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "demo.h"
#include "demo_sandbox.h"
#include "core/paths.h"
#include "core/xmalloc.h"
#include "intake/logreader.h"

#define DEMO_MAX_FILES	8

struct demo {
	struct logreader	 r[DEMO_MAX_FILES];
	int			 live[DEMO_MAX_FILES];
	int			 n;
	char			 dir[PATH_MAX];
	char			 path[PATH_MAX + 16];
	int			 fd;
	double			 speed;
	int64_t			 start_ms;	/* wall time of the first line */
	int64_t			 first;		/* log time of the first line */
	char			*out;		/* batch of rewritten lines */
	size_t			 outlen, outcap;
	struct demo_accounts	 accts;		/* in the sandbox's users */
};

/* See demo.h: $MAILCON_DEMODIR, the installed copy, or the source tree. */
const char *
demo_default_dir(void)
{
	static char	 buf[PATH_MAX + 32];
	const char	*env = getenv("MAILCON_DEMODIR");
	char		 dir[PATH_MAX], src[PATH_MAX + 32];

	if (env != NULL && *env != '\0')
		return env;
	/* Development: build/mailcon run from a checkout. */
	if (paths_srcdir(dir, sizeof(dir)) == 0) {
		snprintf(src, sizeof(src), "%s/tests/fixtures/demo", dir);
		if (access(src, R_OK) != 0)
			src[0] = '\0';
	} else
		src[0] = '\0';
	snprintf(buf, sizeof(buf), "%s/demo", paths_datadir(dir,
	    sizeof(dir)));
	if (access(buf, R_OK) != 0 && src[0] != '\0')
		snprintf(buf, sizeof(buf), "%s", src);
	return buf;
}

/* See demo.h. */
struct demo *
demo_open(const char *dir, double speed, char *err, size_t errlen)
{
	struct demo	*d = xcalloc(1, sizeof(*d));
	struct dirent	*de;
	DIR		*dp;
	char		 path[PATH_MAX + 256];
	size_t		 len;
	int		 i;

	d->fd = -1;
	d->speed = speed > 0 ? speed : 1;
	if ((dp = opendir(dir)) == NULL) {
		snprintf(err, errlen, "demo logs %s: %s (set MAILCON_DEMODIR)",
		    dir, strerror(errno));
		free(d);
		return NULL;
	}
	while ((de = readdir(dp)) != NULL && d->n < DEMO_MAX_FILES) {
		len = strlen(de->d_name);
		if (len < 8 || strcmp(de->d_name + len - 7, ".log.gz") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (logreader_open(&d->r[d->n], path, 0, 1, err, errlen) == -1)
			goto fail;
		d->n++;
	}
	closedir(dp);
	dp = NULL;
	if (d->n == 0) {
		snprintf(err, errlen, "demo logs %s: no *.log.gz files", dir);
		goto fail;
	}
	for (i = 0; i < d->n; i++)
		if ((d->live[i] = logreader_next(&d->r[i], err, errlen)) == -1)
			goto fail;
	snprintf(d->dir, sizeof(d->dir), "/tmp/mailcon-demo.XXXXXX");
	if (mkdtemp(d->dir) == NULL) {
		snprintf(err, errlen, "demo: cannot create a directory in "
		    "/tmp: %s", strerror(errno));
		d->dir[0] = '\0';
		goto fail;
	}
	if (demo_sandbox_make(d->dir, err, errlen) == -1)
		goto fail;
	snprintf(d->path, sizeof(d->path), "%s/mail.log", d->dir);
	d->fd = open(d->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (d->fd == -1) {
		snprintf(err, errlen, "demo: %s: %s", d->path, strerror(errno));
		goto fail;
	}
	d->first = -1;
	return d;
fail:
	if (dp != NULL)
		closedir(dp);
	demo_close(d);
	return NULL;
}

/* See demo.h. */
const char *
demo_path(const struct demo *d)
{
	return d->path;
}

/* See demo.h. */
const char *
demo_dir(const struct demo *d)
{
	return d->dir;
}

/* See demo.h. */
int
demo_server(const struct demo *d, struct server_config *sc, char *err,
    size_t errlen)
{
	return demo_sandbox_server(d->dir, sc, err, errlen);
}

/* The reader whose line is oldest, or -1. */
static int
demo_pick(struct demo *d)
{
	int	 i, best = -1;

	for (i = 0; i < d->n; i++)
		if (d->live[i] == 1 && (best == -1 ||
		    d->r[i].hdr.time < d->r[best].hdr.time))
			best = i;
	return best;
}

/* Append line with its timestamp replaced by now (local, syslog form). */
static void
demo_emit(struct demo *d, const struct logreader *r)
{
	const char	*rest = r->hdr.host.len > 0 ? r->hdr.host.p :
	    r->hdr.prog.p;
	size_t		 restlen = (size_t)(r->line + r->len - rest);
	char		 stamp[32];
	time_t		 now = time(NULL);
	struct tm	 tm;
	size_t		 need;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S ", &tm);
	need = strlen(stamp) + restlen + 1;
	if (d->outlen + need > d->outcap) {
		d->outcap = (d->outlen + need) * 2;
		d->out = xreallocarray(d->out, d->outcap, 1);
	}
	memcpy(d->out + d->outlen, stamp, strlen(stamp));
	d->outlen += strlen(stamp);
	memcpy(d->out + d->outlen, rest, restlen);
	d->outlen += restlen;
	d->out[d->outlen++] = '\n';
	/* the sandbox's queue and users follow what the line says */
	demo_sandbox_line(d->dir, &d->accts, &r->hdr);
}

/* See demo.h. */
int
demo_step(struct demo *d, int64_t now_ms)
{
	char	 err[256];
	int	 i;
	ssize_t	 w;

	d->outlen = 0;
	while ((i = demo_pick(d)) != -1) {
		if (d->first == -1) {
			d->first = d->r[i].hdr.time;
			d->start_ms = now_ms;
		}
		if ((double)(d->r[i].hdr.time - d->first) * 1000.0 /
		    d->speed > (double)(now_ms - d->start_ms))
			break;
		demo_emit(d, &d->r[i]);
		d->live[i] = logreader_next(&d->r[i], err, sizeof(err));
		if (d->outlen > 256 * 1024)
			break;
	}
	if (d->outlen > 0 && (w = write(d->fd, d->out, d->outlen)) !=
	    (ssize_t)d->outlen)
		return 1;	/* disk full: stop replaying */
	return demo_pick(d) == -1;
}

/* See demo.h. */
void
demo_close(struct demo *d)
{
	int	 i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++)
		logreader_close(&d->r[i]);
	if (d->fd != -1)
		close(d->fd);
	/* the log, the sandbox and whatever the actions left there */
	(void)demo_sandbox_remove(d->dir, &d->accts);
	free(d->out);
	free(d);
}
