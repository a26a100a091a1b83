/*
 * demo_sandbox.c: the demo's private server (backends/sandbox.h) made,
 * kept in step with the replay, and removed: the files in the demo's
 * directory, the demo's [server] pointed at them, the stand-in tools
 * first in PATH.  No root, nothing outside the directory.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demo_sandbox.h"
#include "backends/backend.h"
#include "backends/sandbox.h"
#include "core/xmalloc.h"

/* Write text as path (mode), whole or not at all: a new file beside it,
   renamed over, so a tool reading the sandbox never sees half of one. */
static int
sandbox_write(const char *path, const char *text, unsigned mode)
{
	char	 tmp[PATH_MAX + 16];
	size_t	 len = strlen(text);
	int	 fd;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    (mode_t)mode)) == -1)
		return -1;
	if ((len > 0 && write(fd, text, len) != (ssize_t)len) ||
	    fchmod(fd, (mode_t)mode) == -1 || close(fd) == -1) {
		unlink(tmp);
		return -1;
	}
	return rename(tmp, path);
}

/* See demo_sandbox.h. */
int
demo_sandbox_make(const char *dir, char *err, size_t errlen)
{
	const struct sandbox_file	*f;
	char				 path[PATH_MAX];
	size_t				 len;

	for (f = sandbox_files; f->path != NULL; f++) {
		snprintf(path, sizeof(path), "%s/%s", dir, f->path);
		len = strlen(path);
		if (f->text == NULL) {
			path[len - 1] = '\0';
			if (mkdir(path, (mode_t)f->mode) == -1) {
				snprintf(err, errlen, "demo: cannot make the "
				    "sandbox directory %s: %s", path,
				    strerror(errno));
				return -1;
			}
		} else if (sandbox_write(path, f->text, f->mode) == -1) {
			snprintf(err, errlen, "demo: cannot write the sandbox's "
			    "%s: %s", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* See demo_sandbox.h. */
int
demo_sandbox_server(const char *dir, struct server_config *sc, char *err,
    size_t errlen)
{
	const struct sandbox_option	*o;
	const char			*old = getenv("PATH");
	char				 path[PATH_MAX], *env;
	size_t				 len;

	sc->mta = backend_find(SANDBOX_MTA);
	sc->auth = backend_find(SANDBOX_AUTH);
	sc->probed = 1;
	/* the actions read the queue (postfix_config says where); the
	   views do not, as before: the demo's screens stay the same */
	sc->queue_on = 0;
	for (o = sandbox_options; o->key != NULL; o++) {
		snprintf(path, sizeof(path), "%s/%s", dir, o->path);
		if (config_set_action(&sc->act, o->key, path, err,
		    errlen) == -1)
			return -1;
	}
	/* the stand-ins first: the backends run their tools by name */
	len = strlen(dir) + strlen(SANDBOX_BIN) + 2 +
	    (old != NULL ? strlen(old) + 1 : 0) + 1;
	env = xmalloc(len);
	snprintf(env, len, "%s/%s%s%s", dir, SANDBOX_BIN, old != NULL ?
	    ":" : "", old != NULL ? old : "");
	if (setenv("PATH", env, 1) == -1) {
		snprintf(err, errlen, "demo: cannot set PATH: %s",
		    strerror(errno));
		free(env);
		return -1;
	}
	free(env);
	return 0;
}

/* Is the account of line (text up to ':') in accts already?  Adds it. */
static int
sandbox_known(struct demo_accounts *accts, const char *line)
{
	const char	*c = strchr(line, ':');
	size_t		 len = c != NULL ? (size_t)(c - line) : strlen(line);
	size_t		 i;

	for (i = 0; i < accts->n; i++)
		if (strlen(accts->v[i]) == len &&
		    memcmp(accts->v[i], line, len) == 0)
			return 1;
	if (accts->n == DEMO_ACCOUNTS_MAX)
		return 1;	/* enough for a demo: the rest stay unknown */
	accts->v[accts->n] = xmalloc(len + 1);
	memcpy(accts->v[accts->n], line, len);
	accts->v[accts->n++][len] = '\0';
	return 0;
}

/* Append text to path (the users file: one account per line). */
static void
sandbox_append(const char *path, const char *text)
{
	int	 fd;

	if ((fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)) == -1)
		return;
	(void)write(fd, text, strlen(text));
	close(fd);
}

/* See demo_sandbox.h. */
void
demo_sandbox_line(const char *dir, struct demo_accounts *accts,
    const struct log_header *h)
{
	struct sandbox_change	 ch[SANDBOX_CHANGES_MAX];
	struct mail_events	 evs;
	char			 path[PATH_MAX];
	size_t			 i, n;
	int			 e;

	if (backend_parse_any(h, &evs) <= 0)
		return;
	for (e = 0; e < evs.n; e++) {
		n = sandbox_event(&evs.ev[e], ch);
		for (i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, ch[i].path);
			switch (ch[i].op) {
			case SANDBOX_WRITE:
				(void)sandbox_write(path, ch[i].text, 0600);
				break;
			case SANDBOX_REMOVE:
				(void)unlink(path);
				break;
			case SANDBOX_ACCOUNT:
				if (!sandbox_known(accts, ch[i].text))
					sandbox_append(path, ch[i].text);
				break;
			}
		}
	}
}

/* nftw: remove one entry, the deepest first. */
static int
sandbox_rm(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		return rmdir(path) == -1 ? -1 : 0;
	return unlink(path) == -1 ? -1 : 0;
}

/* See demo_sandbox.h. */
int
demo_sandbox_remove(const char *dir, struct demo_accounts *accts)
{
	size_t	 i;

	for (i = 0; i < accts->n; i++)
		free(accts->v[i]);
	accts->n = 0;
	if (dir[0] == '\0')
		return 0;
	/* FTW_PHYS: a link in there is removed, never followed */
	return nftw(dir, sandbox_rm, 16, FTW_DEPTH | FTW_PHYS);
}
