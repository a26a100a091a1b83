/*
 * discover.c: a server's mail systems asked where they log and what they
 * send from, on this machine; see discover.h.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "discover.h"
#include "probe.h"
#include "core/xmalloc.h"
#include "rbl/rbl_discover.h"

/* The journal's mail facility, from now on, in a format logline reads. */
#define JOURNAL_COMMAND \
	"/usr/bin/journalctl -f -n 0 -q -o short-iso SYSLOG_FACILITY=2"

/* See discover.h. */
char *
discover_read(const char *path, size_t *lenp)
{
	struct stat	 st;
	char		*buf;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > (off_t)DISCOVER_TEXT_MAX) {
		close(fd);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size) {
		if ((n = read(fd, buf + len, (size_t)st.st_size - len)) == -1 &&
		    errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

/* See discover.h. */
const char *
discover_config_path(const struct mail_backend *b,
    const struct server_config *sc, char *buf, size_t size)
{
	const struct backend_discovery	*d = b != NULL ? b->discover : NULL;
	const char			*dir = NULL;

	if (d == NULL || d->config_file == NULL)
		return NULL;
	if (sc != NULL && d->config_dir_option != NULL)
		dir = config_action_opt(&sc->act, d->config_dir_option);
	snprintf(buf, size, "%s/%s", dir != NULL ? dir : d->config_dir,
	    d->config_file);
	return buf;
}

/* See discover.h. */
int
discover_config_log(const struct mail_backend *b, const char *path,
    char *buf, size_t size)
{
	char	*text;
	size_t	 len;
	int	 found;

	if (b->discover == NULL || b->discover->config_log == NULL ||
	    (text = discover_read(path, &len)) == NULL)
		return 0;
	found = b->discover->config_log(text, len, buf, size);
	free(text);
	return found;
}

/* See discover.h. */
size_t
discover_outbound(const struct server_config *sc, struct backend_value *out,
    size_t max, char *path, size_t pathlen)
{
	const struct mail_backend	*mta = server_mta(sc);
	char				*text;
	size_t				 len, n;

	if (discover_config_path(mta, sc, path, pathlen) == NULL ||
	    mta->discover->config_outbound == NULL ||
	    (text = discover_read(path, &len)) == NULL)
		return 0;
	n = mta->discover->config_outbound(text, len, out, max);
	free(text);
	return n;
}

/* See discover.h. */
size_t
discover_rbl(const struct server_config *sc, struct rbl_found **out,
    char *skipped, size_t skippedlen)
{
	struct backend_value	 v[8];
	struct rbl_hint		 h[8];
	char			 path[1100];
	size_t			 i, n;

	n = discover_outbound(sc, v, 8, path, sizeof(path));
	for (i = 0; i < n; i++) {
		h[i].key = v[i].key;
		h[i].value = v[i].value;
		h[i].path = path;
	}
	return rbl_discover(h, n, out, skipped, skippedlen);
}

/* Follow path when it is there and not followed yet. */
static void
discover_add_log(struct server_config *sc, const char *path)
{
	size_t	 i;

	if (access(path, F_OK) != 0)
		return;
	for (i = 0; i < sc->nlogs; i++)
		if (strcmp(sc->logs[i], path) == 0)
			return;
	config_server_add_log(sc, path);
}

/* What was looked for, for the message when nothing was found. */
static void
discover_looked(const struct mail_backend *const *b, size_t nb,
    const char *config, char *buf, size_t size)
{
	const char *const	*p;
	size_t			 i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < nb; i++)
		for (p = b[i]->discover != NULL ? b[i]->discover->logs : NULL;
		    p != NULL && *p != NULL && n < size; p++)
			n += (size_t)snprintf(buf + n, size - n, "%s, ", *p);
	if (config != NULL && n < size)
		n += (size_t)snprintf(buf + n, size - n, "the log %s names, ",
		    config);
	if (n < size)
		snprintf(buf + n, size - n, "the journal");
}

/* See discover.h. */
void
discover_local(struct mailcon_config *cfg, char *watching, size_t size)
{
	const struct mail_backend	*b[2];
	const struct backend_discovery	*d;
	const char *const		*p;
	const char			*config;
	struct server_config		*sc;
	char				 maillog[1024], path[1100], looked[600];
	size_t				 i, off;

	sc = config_add_server(cfg, "local");
	probe_local(sc);
	b[0] = server_mta(sc);
	b[1] = server_auth(sc);
	config = discover_config_path(b[0], sc, path, sizeof(path));
	if (config != NULL && discover_config_log(b[0], config, maillog,
	    sizeof(maillog)))
		discover_add_log(sc, maillog);
	for (i = 0; i < 2; i++)
		for (p = b[i]->discover != NULL ? b[i]->discover->logs : NULL;
		    p != NULL && *p != NULL; p++)
			discover_add_log(sc, *p);
	d = b[0]->discover;
	if (d != NULL && d->local_queue != NULL &&
	    access(d->local_queue[0], X_OK) == 0) {
		for (i = 0; d->local_queue[i] != NULL; i++)
			;
		sc->queue_argv = xcalloc(i + 1, sizeof(char *));
		for (i = 0; d->local_queue[i] != NULL; i++)
			sc->queue_argv[i] = xstrdup(d->local_queue[i]);
	}
	/* No log file but a journal (Debian 12 without rsyslog): follow the
	   mail facility there. */
	if (sc->nlogs == 0 && access("/run/systemd/journal", F_OK) == 0 &&
	    access("/usr/bin/journalctl", X_OK) == 0) {
		sc->log_argv = config_split_argv(JOURNAL_COMMAND);
		snprintf(watching, size, "local: the journal (%s)",
		    JOURNAL_COMMAND);
		return;
	}
	if (sc->nlogs == 0) {
		discover_looked(b, 2, config, looked, sizeof(looked));
		snprintf(watching, size, "no mail log found (looked for %s); "
		    "add [server NAME] logs = ... to the config", looked);
		return;
	}
	off = (size_t)snprintf(watching, size, "local:");
	for (i = 0; i < sc->nlogs && off < size; i++)
		off += (size_t)snprintf(watching + off, size - off, " %s",
		    sc->logs[i]);
}
