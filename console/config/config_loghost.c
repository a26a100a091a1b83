/*
 * config_loghost.c: a fleet seen through its central log host (issue 19):
 * [loghost NAME] (the aggregated stream rsyslog or systemd-journal-remote
 * writes there) and the [server NAME] keys that tie a server to it
 * (loghost, hostname, group).
 *
 * A server with loghost = NAME is not followed over its own connection:
 * its lines come from that stream, picked out by the syslog HOSTNAME it
 * sends (hostname =, its name by default).  Its actions, queue reads and
 * DNSBL checks still go to the server itself (host, key ... of its own
 * section).  A HOSTNAME no server names is never trusted to name one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "core/xmalloc.h"

/* See config.h. */
int
config_hostname_ok(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > CONFIG_HOSTNAME_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		    s[i] == '-' || s[i] == '_'))
			return 0;
	return s[0] != '-' && s[0] != '.';
}

/* See config.h. */
const char *
server_hostname(const struct server_config *sc)
{
	return sc->hostname != NULL ? sc->hostname : sc->name;
}

/* The [loghost NAME] section called name, made when new. */
static struct loghost_config *
config_loghost_get(struct mailcon_config *cfg, const char *name)
{
	struct loghost_config	*lh;
	size_t			 i;

	for (i = 0; i < cfg->nloghosts; i++)
		if (strcmp(cfg->loghosts[i].name, name) == 0)
			return &cfg->loghosts[i];
	cfg->loghosts = xreallocarray(cfg->loghosts, cfg->nloghosts + 1,
	    sizeof(*cfg->loghosts));
	lh = &cfg->loghosts[cfg->nloghosts++];
	memset(lh, 0, sizeof(*lh));
	lh->name = xstrdup(name);
	lh->silent_s = LOGHOST_SILENT_S;
	return lh;
}

/* See config.h. */
int
config_set_loghost(struct mailcon_config *cfg, const char *section,
    const char *name, const char *value, char *err, size_t errlen)
{
	struct loghost_config	*lh;
	char			**paths;
	char			 sub[256];
	size_t			 i;
	int			 secs;

	if (!config_hostname_ok(section, strlen(section)) ||
	    strlen(section) > 64) {
		snprintf(err, errlen, "[loghost %.64s]: a log host's name is "
		    "letters, digits, '.', '-' and '_'", section);
		return -1;
	}
	lh = config_loghost_get(cfg, section);
	if (strcmp(name, "logs") == 0) {
		if (config_split_paths(name, value, &paths, err, errlen) == -1)
			return -1;
		for (i = 0; paths != NULL && paths[i] != NULL; i++) {
			lh->logs = xreallocarray(lh->logs, lh->nlogs + 2,
			    sizeof(char *));
			lh->logs[lh->nlogs++] = xstrdup(paths[i]);
			lh->logs[lh->nlogs] = NULL;
		}
		config_free_strv(paths);
	} else if (strcmp(name, "log_command") == 0) {
		config_free_strv(lh->log_argv);
		lh->log_argv = config_split_argv(value);
		if (lh->log_argv[0] == NULL) {
			snprintf(err, errlen, "[loghost %s] log_command: "
			    "expected a command, like journalctl -D "
			    "/var/log/journal/remote -f -o short-iso", lh->name);
			return -1;
		}
	} else if (strcmp(name, "host") == 0 || strcmp(name, "port") == 0 ||
	    strcmp(name, "user") == 0 || strcmp(name, "key") == 0 ||
	    strcmp(name, "known_hosts") == 0 ||
	    strcmp(name, "keepalive") == 0) {
		/* read there over SSH, as a [server]'s logs with host = */
		if (config_set_ssh(&lh->ssh, name, value, sub,
		    sizeof(sub)) == -1) {
			snprintf(err, errlen, "[loghost %s] %s", lh->name, sub);
			return -1;
		}
	} else if (strcmp(name, "silent") == 0) {
		if (config_parse_duration(value, &secs) == -1 || secs < 1) {
			snprintf(err, errlen, "[loghost %s] silent: expected "
			    "a duration, like 10m", lh->name);
			return -1;
		}
		lh->silent_s = secs;
	} else {
		snprintf(err, errlen, "unknown key \"%.64s\" in [loghost %s]",
		    name, lh->name);
		return -1;
	}
	return 0;
}

/* See config.h. */
int
config_set_fleet(struct server_config *sc, const char *name,
    const char *value, char *err, size_t errlen)
{
	char	**slot;

	if (strcmp(name, "loghost") == 0)
		slot = &sc->loghost;
	else if (strcmp(name, "hostname") == 0)
		slot = &sc->hostname;
	else if (strcmp(name, "group") == 0)
		slot = &sc->group;
	else
		return 0;
	if (!config_hostname_ok(value, strlen(value))) {
		snprintf(err, errlen, "[server %s] %s: letters, digits, '.', "
		    "'-' and '_', at most %d, as syslog's HOSTNAME is",
		    sc->name, name, CONFIG_HOSTNAME_MAX);
		return -1;
	}
	free(*slot);
	*slot = xstrdup(value);
	return 1;
}

/* See config.h. */
int
config_check_loghosts(struct mailcon_config *cfg, char *err, size_t errlen)
{
	const struct server_config	*sc, *other;
	const struct loghost_config	*lh;
	size_t				 i, j;

	for (i = 0; i < cfg->nloghosts; i++) {
		lh = &cfg->loghosts[i];
		if (lh->ssh.host != NULL && lh->log_argv != NULL) {
			snprintf(err, errlen, "[loghost %s]: log_command runs "
			    "here; with host = give logs (the files on %s)",
			    lh->name, lh->ssh.host);
			return -1;
		}
		if ((lh->nlogs > 0) + (lh->log_argv != NULL) != 1) {
			snprintf(err, errlen, "[loghost %s]: give either logs "
			    "(rsyslog's aggregated file) or log_command "
			    "(journalctl -D DIR -f -o short-iso for a "
			    "journal-remote directory)", lh->name);
			return -1;
		}
	}
	for (i = 0; i < cfg->nservers; i++) {
		sc = &cfg->servers[i];
		if (sc->loghost == NULL) {
			if (sc->hostname != NULL) {
				snprintf(err, errlen, "[server %s]: hostname "
				    "names it in a log host's stream and "
				    "needs loghost", sc->name);
				return -1;
			}
			continue;
		}
		if (config_loghost(cfg, sc->loghost) == NULL) {
			snprintf(err, errlen, "[server %s]: loghost %s: no "
			    "[loghost %s] section", sc->name, sc->loghost,
			    sc->loghost);
			return -1;
		}
		if (sc->nlogs > 0 || sc->log_argv != NULL || sc->ssh.journal) {
			snprintf(err, errlen, "[server %s]: its lines come "
			    "from loghost %s; drop logs, log_command and "
			    "journal (or loghost)", sc->name, sc->loghost);
			return -1;
		}
		for (j = 0; j < i; j++) {
			other = &cfg->servers[j];
			if (other->loghost == NULL ||
			    strcmp(other->loghost, sc->loghost) != 0 ||
			    strcasecmp(server_hostname(other),
			    server_hostname(sc)) != 0)
				continue;
			snprintf(err, errlen, "[server %s]: hostname %s is "
			    "[server %s]'s too, on loghost %s: each line must "
			    "name one server", sc->name, server_hostname(sc),
			    other->name, sc->loghost);
			return -1;
		}
	}
	return 0;
}

/* See config.h. */
const struct loghost_config *
config_loghost(const struct mailcon_config *cfg, const char *name)
{
	size_t	 i;

	for (i = 0; i < cfg->nloghosts; i++)
		if (strcmp(cfg->loghosts[i].name, name) == 0)
			return &cfg->loghosts[i];
	return NULL;
}

/* See config.h. */
void
config_loghost_free(struct mailcon_config *cfg)
{
	size_t	 i;

	for (i = 0; i < cfg->nloghosts; i++) {
		free(cfg->loghosts[i].name);
		config_free_strv(cfg->loghosts[i].logs);
		config_free_strv(cfg->loghosts[i].log_argv);
		config_ssh_free(&cfg->loghosts[i].ssh);
	}
	free(cfg->loghosts);
	cfg->loghosts = NULL;
	cfg->nloghosts = 0;
	for (i = 0; i < cfg->nservers; i++) {
		free(cfg->servers[i].loghost);
		free(cfg->servers[i].hostname);
		free(cfg->servers[i].group);
		cfg->servers[i].loghost = cfg->servers[i].hostname =
		    cfg->servers[i].group = NULL;
	}
}
