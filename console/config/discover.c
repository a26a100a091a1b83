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

/* Does path exist here (discover_source's exists() on this machine)? */
static int
discover_exists(const char *path, void *arg)
{
	(void)arg;
	return access(path, F_OK) == 0;
}

/* Follow path when it is there and not followed yet. */
static void
discover_add_log(struct server_config *sc, const char *path,
    int (*exists)(const char *, void *), void *arg)
{
	size_t	 i;

	if (!exists(path, arg))
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
		snprintf(buf + n, size - n, "a journal (journalctl in %s, "
		    "/run/systemd/journal or /var/log/journal/MACHINE-ID)",
		    DISCOVER_JOURNAL_PATH);
}

/* Where journalctl is in DISCOVER_JOURNAL_PATH: 1 with it in buf. */
static int
discover_journalctl(int (*exists)(const char *, void *), void *arg,
    char *buf, size_t size)
{
	char	 dirs[] = DISCOVER_JOURNAL_PATH, *dir, *last;

	for (dir = strtok_r(dirs, ":", &last); dir != NULL;
	    dir = strtok_r(NULL, ":", &last)) {
		snprintf(buf, size, "%s/journalctl", dir);
		if (exists(buf, arg))
			return 1;
	}
	return 0;
}

/*
 * Is there a journal on this machine: journald running, or a persistent
 * journal of this machine's id (an empty /var/log/journal, as a package
 * leaves it where no journald runs, is none).
 */
static int
discover_journal_here(int (*exists)(const char *, void *), void *arg)
{
	char	*id, path[128];
	size_t	 len;

	if (exists("/run/systemd/journal", arg))
		return 1;
	if ((id = discover_read("/etc/machine-id", &len)) == NULL)
		return 0;
	while (len > 0 && (id[len - 1] == '\n' || id[len - 1] == ' '))
		id[--len] = '\0';
	snprintf(path, sizeof(path), "/var/log/journal/%.64s", id);
	free(id);
	return len > 0 && strchr(path + 17, '/') == NULL && exists(path, arg);
}

/*
 * The journal command of b's units: journalctl -f of them, from now on,
 * in the form logline reads; -D dir when the server names a journal
 * directory.
 */
static char **
discover_journal_argv(const char *journalctl,
    const struct mail_backend *const *b, size_t nb, const char *dir)
{
	const char *const	*u;
	char			**argv;
	size_t			 i, n = 0, max = 12;

	for (i = 0; i < nb; i++)
		for (u = b[i]->discover != NULL ?
		    b[i]->discover->journal_units : NULL;
		    u != NULL && *u != NULL; u++)
			max += 2;
	argv = xcalloc(max, sizeof(*argv));
	argv[n++] = xstrdup(journalctl);
	argv[n++] = xstrdup("-f");
	argv[n++] = xstrdup("-n");
	argv[n++] = xstrdup("0");
	argv[n++] = xstrdup("-q");
	argv[n++] = xstrdup("-o");
	argv[n++] = xstrdup("short-iso");
	if (dir != NULL) {
		argv[n++] = xstrdup("-D");
		argv[n++] = xstrdup(dir);
	}
	for (i = 0; i < nb; i++) {
		if (i == 1 && b[1] == b[0])
			break;
		for (u = b[i]->discover != NULL ?
		    b[i]->discover->journal_units : NULL;
		    u != NULL && *u != NULL; u++) {
			argv[n++] = xstrdup("-u");
			argv[n++] = xstrdup(*u);
		}
	}
	argv[n] = NULL;
	return argv;
}

/* argv as one line of words, for the message saying what is followed. */
static void
discover_words(char *const *argv, char *buf, size_t size)
{
	size_t	 i, n = 0;

	buf[0] = '\0';
	for (i = 0; argv[i] != NULL && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s",
		    i > 0 ? " " : "", argv[i]);
}

/* See discover.h. */
enum discover_plan
discover_source(struct server_config *sc,
    int (*exists)(const char *, void *), void *arg, char *said,
    size_t size)
{
	const struct mail_backend	*b[2];
	const char *const		*p;
	const char			*config;
	char				 maillog[1024], path[1100];
	char				 looked[600], jctl[256], words[600];
	size_t				 i, off;

	said[0] = '\0';
	/* a log host's stream feeds it (config_loghost.c): nothing here */
	if (sc->ssh.host != NULL || sc->log_argv != NULL ||
	    sc->loghost != NULL)
		return DISCOVER_CONFIGURED;
	if (sc->nlogs > 0 && !sc->ssh.journal)
		return DISCOVER_CONFIGURED;
	if (exists == NULL)
		exists = discover_exists;
	b[0] = server_mta(sc);
	b[1] = server_auth(sc);
	config = discover_config_path(b[0], sc, path, sizeof(path));
	/* journal = yes or a journal directory: the journal, asked for */
	if (!sc->ssh.journal && sc->ssh.journal_dir == NULL) {
		if (config != NULL && exists(config, arg) &&
		    discover_config_log(b[0], config, maillog,
		    sizeof(maillog)))
			discover_add_log(sc, maillog, exists, arg);
		for (i = 0; i < 2; i++)
			for (p = b[i]->discover != NULL ?
			    b[i]->discover->logs : NULL;
			    p != NULL && *p != NULL; p++)
				discover_add_log(sc, *p, exists, arg);
		if (sc->nlogs > 0) {
			off = (size_t)snprintf(said, size, "%s: no logs "
			    "configured; following", sc->name);
			for (i = 0; i < sc->nlogs && off < size; i++)
				off += (size_t)snprintf(said + off, size - off,
				    " %s", sc->logs[i]);
			return DISCOVER_FILE;
		}
	}
	if (discover_journalctl(exists, arg, jctl, sizeof(jctl)) &&
	    (sc->ssh.journal_dir != NULL ? exists(sc->ssh.journal_dir, arg) :
	    discover_journal_here(exists, arg))) {
		sc->log_argv = discover_journal_argv(jctl, b, 2,
		    sc->ssh.journal_dir);
		discover_words(sc->log_argv, words, sizeof(words));
		snprintf(said, size, "%s: %s; following the journal (%s)",
		    sc->name, sc->ssh.journal || sc->ssh.journal_dir != NULL ?
		    "journal set" : "no log file here", words);
		return DISCOVER_JOURNAL;
	}
	discover_looked(b, 2, config, looked, sizeof(looked));
	if (sc->ssh.journal_dir != NULL)
		snprintf(looked, sizeof(looked), "the journal directory %s "
		    "(and journalctl in %s)", sc->ssh.journal_dir,
		    DISCOVER_JOURNAL_PATH);
	snprintf(said, size, "%s: NO LOG SOURCE: found none of %s; set logs "
	    "= or log_command = in [server %s]", sc->name, looked, sc->name);
	return DISCOVER_NONE;
}

/* See discover.h. */
void
discover_local(struct mailcon_config *cfg, char *watching, size_t size)
{
	const struct backend_discovery	*d;
	struct server_config		*sc;
	char				 said[1200];
	size_t				 i, off;

	sc = config_add_server(cfg, "local");
	probe_local(sc);
	d = server_mta(sc)->discover;
	if (d != NULL && d->local_queue != NULL &&
	    access(d->local_queue[0], X_OK) == 0) {
		for (i = 0; d->local_queue[i] != NULL; i++)
			;
		sc->queue_argv = xcalloc(i + 1, sizeof(char *));
		for (i = 0; d->local_queue[i] != NULL; i++)
			sc->queue_argv[i] = xstrdup(d->local_queue[i]);
	}
	switch (discover_source(sc, NULL, NULL, said, sizeof(said))) {
	case DISCOVER_JOURNAL:
	case DISCOVER_NONE:
		snprintf(watching, size, "%s", said);
		break;
	default:
		off = (size_t)snprintf(watching, size, "local:");
		for (i = 0; i < sc->nlogs && off < size; i++)
			off += (size_t)snprintf(watching + off, size - off,
			    " %s", sc->logs[i]);
		break;
	}
}
