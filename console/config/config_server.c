/*
 * config_server.c: the keys of a [server NAME] section (config.c routes
 * them here; each module's own keys go on to config_backend.c,
 * config_act.c, config_rbl.c, config_ssh.c and config_loghost.c), and what
 * only the whole section can tell.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "config_route.h"
#include "core/xmalloc.h"

/* A server name: letters, digits, '.', '-', '_' (it is shown and stored). */
static int
config_valid_name(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' ||
		    *s == '_'))
			return 0;
	return n > 0 && n <= 64;
}

/* The default MTA's listing command, as an example in a message. */
static const char *
config_queue_example(void)
{
	static char	 buf[128];
	const struct backend_queue *q = backend_default(BROLE_MTA)->queue;

	snprintf(buf, sizeof(buf), "%s", q != NULL ? q->list_name :
	    "/usr/local/bin/list-queue");
	return buf;
}

/* Keys of [server NAME]. */
int
config_set_server(struct config_parse *cp, const char *server,
    const char *name, const char *value)
{
	struct mailcon_config	*cfg = cp->cfg;
	struct server_config	*sc = NULL;
	char			**paths;
	size_t			 i;
	int			 secs, rc;

	if (!config_valid_name(server)) {
		snprintf(cp->error, sizeof(cp->error), "[server %.64s]: a "
		    "server name is letters, digits, '.', '-' and '_'", server);
		return 0;
	}
	for (i = 0; i < cfg->nservers; i++)
		if (strcmp(cfg->servers[i].name, server) == 0)
			sc = &cfg->servers[i];
	if (sc == NULL) {
		sc = config_add_server(cfg, server);
		/* a configured server reads its queue unless told not to */
		sc->queue_on = 1;
	}
	if (strcmp(name, "logs") == 0) {
		if (config_split_paths(name, value, &paths, cp->error,
		    sizeof(cp->error)) == -1)
			return 0;
		for (i = 0; paths != NULL && paths[i] != NULL; i++)
			config_server_add_log(sc, paths[i]);
		config_free_strv(paths);
	} else if (strcmp(name, "log_command") == 0) {
		config_free_strv(sc->log_argv);
		sc->log_argv = config_split_argv(value);
		if (sc->log_argv[0] == NULL) {
			snprintf(cp->error, sizeof(cp->error), "log_command: "
			    "expected a command, like journalctl -f -o "
			    "short-iso SYSLOG_FACILITY=2");
			return 0;
		}
	} else if (strcmp(name, "queue_command") == 0) {
		config_free_strv(sc->queue_argv);
		sc->queue_argv = NULL;
		sc->queue_on = strcasecmp(value, "off") != 0;
		if (sc->queue_on)
			sc->queue_argv = config_split_argv(value);
		if (sc->queue_argv != NULL && sc->queue_argv[0] == NULL) {
			snprintf(cp->error, sizeof(cp->error), "queue_command: "
			    "expected a command, like %s, or off",
			    config_queue_example());
			return 0;
		}
	} else if (strcmp(name, "queue") == 0) {
		if (config_parse_switch(value, &sc->queue_on) == -1) {
			snprintf(cp->error, sizeof(cp->error), "queue: expected "
			    "on or off");
			return 0;
		}
		if (!sc->queue_on) {
			config_free_strv(sc->queue_argv);
			sc->queue_argv = NULL;
		}
	} else if (strcmp(name, "queue_interval") == 0) {
		if (config_parse_duration(value, &secs) == -1) {
			snprintf(cp->error, sizeof(cp->error),
			    "queue_interval: expected a duration, like 10s");
			return 0;
		}
		sc->queue_interval = secs;
	} else {
		/* each module's keys in turn: 1 set, -1 a bad value (cp->error
		   says why), 0 not its key */
		rc = config_set_backend(sc, name, value, cp->error,
		    sizeof(cp->error));
		if (rc == 0)
			rc = config_set_action(&sc->act, name, value,
			    cp->error, sizeof(cp->error));
		if (rc == 0)
			rc = config_set_outbound(sc, name, value, cp->error,
			    sizeof(cp->error));
		if (rc == 0)
			rc = config_set_ssh(&sc->ssh, name, value, cp->error,
			    sizeof(cp->error));
		if (rc == 0)
			rc = config_set_shared(sc, name, value, cp->error,
			    sizeof(cp->error));
		if (rc == 0)
			rc = config_set_fleet(sc, name, value, cp->error,
			    sizeof(cp->error));
		if (rc != 0)
			return rc == 1;
		snprintf(cp->error, sizeof(cp->error),
		    "unknown key \"%.64s\" in [server %.64s]", name, server);
		return 0;
	}
	return 1;
}

/* See config.h.  Every network is checked before the list replaces the
   one before: a bad value loses nothing. */
int
config_set_shared(struct server_config *sc, const char *name,
    const char *value, char *err, size_t errlen)
{
	struct cidr	*list;
	char		**v, why[256];
	size_t		 i, n;

	if (strcmp(name, "shared_addresses") != 0)
		return 0;
	v = config_split_list(value);
	for (n = 0; v[n] != NULL; n++)
		;
	if (n == 1 && strcasecmp(v[0], "none") == 0)
		n = 0;
	else if (n == 0) {
		snprintf(err, errlen, "shared_addresses: expected addresses "
		    "or networks (like 127.0.0.1 ::1 10.0.0.0/8), or none");
		config_free_strv(v);
		return -1;
	}
	list = n > 0 ? xcalloc(n, sizeof(*list)) : NULL;
	for (i = 0; i < n; i++)
		if (cidr_parse(v[i], &list[i], why, sizeof(why)) == -1) {
			snprintf(err, errlen, "shared_addresses: %s", why);
			free(list);
			config_free_strv(v);
			return -1;
		}
	config_free_strv(v);
	free(sc->shared);
	sc->shared = list;
	sc->nshared = n;
	return 1;
}

/* What only the whole of a [server NAME] section can tell. */
int
config_check_servers(struct mailcon_config *cfg, char *err, size_t errlen)
{
	struct server_config	*sc;
	size_t				 i;

	for (i = 0; i < cfg->nservers; i++) {
		sc = &cfg->servers[i];
		if (config_server_backends(sc, err, errlen) == -1)
			return -1;
		if (sc->ssh.host == NULL && (sc->ssh.port != 0 ||
		    sc->ssh.user != NULL || sc->ssh.key_file != NULL ||
		    sc->ssh.known_hosts != NULL || sc->ssh.sudo ||
		    sc->ssh.keepalive_s != 0)) {
			snprintf(err, errlen, "[server %s]: port, user, key, "
			    "known_hosts, keepalive and sudo need host",
			    sc->name);
			return -1;
		}
		/* here, journal and journal_directory pick the journal
		   the default plan follows (discover.h) */
		if (sc->ssh.host == NULL && sc->log_argv != NULL &&
		    (sc->ssh.journal || sc->ssh.journal_dir != NULL)) {
			snprintf(err, errlen, "[server %s]: journal and "
			    "journal_directory choose the journal mailcon "
			    "follows; log_command sets its own command: keep "
			    "one of them", sc->name);
			return -1;
		}
		if (sc->ssh.journal_dir != NULL && !sc->ssh.journal) {
			snprintf(err, errlen, "[server %s]: journal_directory "
			    "needs journal = yes", sc->name);
			return -1;
		}
		if (sc->ssh.host != NULL && sc->log_argv != NULL) {
			snprintf(err, errlen, "[server %s]: log_command is "
			    "not followed over SSH; list the files in logs",
			    sc->name);
			return -1;
		}
	}
	return 0;
}
