/* config.c: load the INI configuration (config_ini.c) into struct mailcon_config. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "config.h"
#include "config_ini.h"
#include "core/paths.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"

struct config_parse {
	struct mailcon_config	*cfg;
	char			 error[256];	/* first error, without the line */
};

/* Start from the documented defaults. */
void
config_init(struct mailcon_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	detect_config_defaults(&cfg->detect);
	cfg->watch.level = LEVEL_CRITICAL;
	alert_config_defaults(&cfg->alert);
	config_rbl_init(&cfg->rbl);
	cfg->detect.allow = xcalloc(1, sizeof(char *));
}

/* See config.h. */
void
config_free_strv(char **v)
{
	size_t	 i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* Release what config_load and config_allow allocated. */
void
config_free(struct mailcon_config *cfg)
{
	size_t	 i;

	config_rbl_free(cfg);
	config_policy_free(&cfg->policy);
	config_loghost_free(cfg);
	for (i = 0; i < cfg->nservers; i++) {
		free(cfg->servers[i].name);
		config_free_strv(cfg->servers[i].logs);
		config_free_strv(cfg->servers[i].queue_argv);
		config_free_strv(cfg->servers[i].log_argv);
		free(cfg->servers[i].mta_name);
		free(cfg->servers[i].auth_name);
		config_action_free(&cfg->servers[i].act);
		config_ssh_free(&cfg->servers[i].ssh);
	}
	free(cfg->servers);
	free(cfg->theme);
	free(cfg->history);
	free(cfg->resolver);

	for (i = 0; i < cfg->nallow; i++)
		free(cfg->detect.allow[i]);
	free(cfg->detect.allow);
	config_free_strv(cfg->geoip);
	free(cfg->path);
	alert_config_free(&cfg->alert);
	memset(cfg, 0, sizeof(*cfg));
}

/* Append one account to the NULL-terminated allow-list. */
void
config_allow(struct mailcon_config *cfg, const char *account)
{
	cfg->detect.allow = xreallocarray(cfg->detect.allow, cfg->nallow + 2,
	    sizeof(char *));
	cfg->detect.allow[cfg->nallow++] = xstrdup(account);
	cfg->detect.allow[cfg->nallow] = NULL;
}

/* See config.h. */
struct server_config *
config_add_server(struct mailcon_config *cfg, const char *name)
{
	struct server_config	*sc;

	cfg->servers = xreallocarray(cfg->servers, cfg->nservers + 1,
	    sizeof(*cfg->servers));
	sc = &cfg->servers[cfg->nservers++];
	memset(sc, 0, sizeof(*sc));
	sc->name = xstrdup(name);
	sc->logs = xcalloc(1, sizeof(char *));
	sc->queue_interval = 10;
	return sc;
}

/* See config.h. */
void
config_server_add_log(struct server_config *sc, const char *path)
{
	sc->logs = xreallocarray(sc->logs, sc->nlogs + 2, sizeof(char *));
	sc->logs[sc->nlogs++] = xstrdup(path);
	sc->logs[sc->nlogs] = NULL;
}

/* See config.h. */
char **
config_split_argv(const char *s)
{
	char		**v = xcalloc(1, sizeof(char *));
	size_t		 n = 0;
	const char	*start;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			return v;
		start = s;
		while (*s != '\0' && *s != ' ' && *s != '\t')
			s++;
		v = xreallocarray(v, n + 2, sizeof(char *));
		v[n++] = xstrndup(start, (size_t)(s - start));
		v[n] = NULL;
	}
}

/* "$XDG_CONFIG_HOME/mailcon/config", falling back to ~/.config. */
char *
config_default_path(void)
{
	const char	*base, *home;
	char		 buf[PATH_MAX];

	if ((base = getenv("XDG_CONFIG_HOME")) != NULL && *base == '/')
		snprintf(buf, sizeof(buf), "%s/mailcon/config", base);
	else if ((home = getenv("HOME")) != NULL && *home != '\0')
		snprintf(buf, sizeof(buf), "%s/.config/mailcon/config", home);
	else
		return NULL;
	return xstrdup(buf);
}

/* Whether path is there to be read (an unreadable file is, to say so). */
static int
config_present(const char *path)
{
	struct stat	 st;

	return stat(path, &st) == 0 || (errno != ENOENT && errno != ENOTDIR);
}

/*
 * See config.h.  The user's file replaces the system file rather than
 * adding to it: a [server] section's keys (host, key, sudo, logs) and the
 * [watch] policy only make sense together, and a merge would let one
 * file's section silently change or inherit the other's, with no way to
 * drop a server the system file defines.
 */
char *
config_find(void)
{
	char	*user, sys[PATH_MAX];

	if ((user = config_default_path()) != NULL && config_present(user))
		return user;
	free(user);
	paths_sysconfig(sys, sizeof(sys));
	return config_present(sys) ? xstrdup(sys) : NULL;
}

/* Parse "600", "600s", "10m", "2h" or "1d" into seconds (1 s .. 30 days). */
int
config_parse_duration(const char *s, int *seconds)
{
	char		*end;
	long		 v;
	long		 unit = 1;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || errno != 0 || v <= 0)
		return -1;
	switch (*end) {
	case '\0':
	case 's':
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	default:
		return -1;
	}
	if (*end != '\0' && end[1] != '\0')
		return -1;
	if (v > 30L * 86400 / unit)
		return -1;
	*seconds = (int)(v * unit);
	return 0;
}

/* Parse one non-negative finite number; *end is left after it. */
static int
config_parse_number(const char *s, const char **end, double *out)
{
	char	*e;
	double	 v;

	errno = 0;
	v = strtod(s, &e);
	if (e == s || errno != 0 || !isfinite(v) || v < 0)
		return -1;
	*end = e;
	*out = v;
	return 0;
}

/*
 * Parse "WATCH SUSPICIOUS CRITICAL": three non-decreasing numbers, 0 to
 * disable a level, or "off" to disable the signal.
 */
int
config_parse_limits(const char *s, struct signal_limits *out)
{
	double		 v[3];
	const char	*p = s;
	int		 i;

	if (strcasecmp(s, "off") == 0) {
		memset(out, 0, sizeof(*out));
		return 0;
	}
	for (i = 0; i < 3; i++) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (config_parse_number(p, &p, &v[i]) == -1)
			return -1;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0')
		return -1;
	for (i = 1; i < 3; i++)
		if (v[i] != 0 && v[i - 1] != 0 && v[i] < v[i - 1])
			return -1;
	out->watch = v[0];
	out->suspicious = v[1];
	out->critical = v[2];
	return 0;
}

/* on/yes/true/1 or off/no/false/0 into *out: 0, or -1. */
static int
config_parse_switch(const char *s, int *out)
{
	if (strcasecmp(s, "on") == 0 || strcasecmp(s, "yes") == 0 ||
	    strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0)
		*out = 1;
	else if (strcasecmp(s, "off") == 0 || strcasecmp(s, "no") == 0 ||
	    strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

/* Parse a whole number in [min, max]. */
static int
config_parse_int(const char *s, long min, long max, long *out)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Split a comma- or space-separated list of accounts into the allow-list;
   -1 with the name that is not an account in err. */
static int
config_parse_allow(struct mailcon_config *cfg, const char *value, char *err,
    size_t errlen)
{
	const char	*p = value, *start;
	char		*one;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			return 0;
		start = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != ',')
			p++;
		one = xstrndup(start, (size_t)(p - start));
		if (!account_is_valid(one, strlen(one))) {
			char	 shown[80];

			sanitize_text(shown, sizeof(shown), one, strlen(one));
			snprintf(err, errlen, "allow: \"%s\" is not an "
			    "account name; expected account names separated "
			    "by commas", shown);
			free(one);
			return -1;
		}
		config_allow(cfg, one);
		free(one);
	}
}

/*
 * A list of absolute paths separated by commas (a path may hold a blank),
 * blanks around each dropped, into a NULL-terminated array (NULL when the
 * list is empty).  -1 with "KEY: ... is not an absolute path" in err.
 */
int
config_split_paths(const char *key, const char *value, char ***out, char *err,
    size_t errlen)
{
	const char	*p = value, *start;
	char		**v = NULL, *one;
	size_t		 n = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && *p != ',')
			p++;
		while (p > start && (p[-1] == ' ' || p[-1] == '\t'))
			p--;
		one = xstrndup(start, (size_t)(p - start));
		if (one[0] != '/') {
			snprintf(err, errlen, "%s: \"%.64s\" is not an "
			    "absolute path", key, one);
			free(one);
			config_free_strv(v);
			return -1;
		}
		v = xreallocarray(v, n + 2, sizeof(*v));
		v[n++] = one;
		v[n] = NULL;
	}
	*out = v;
	return 0;
}

/* Keys of [detect] other than the per-signal thresholds. */
static int
config_set_detect(struct config_parse *cp, const char *name, const char *value)
{
	struct detect_config	*d = &cp->cfg->detect;
	long			 v;
	int			 i;

	for (i = 0; i < SIG_COUNT; i++) {
		if (strcmp(name, signal_name(i)) != 0)
			continue;
		if (config_parse_limits(value, &d->limits[i]) == -1) {
			snprintf(cp->error, sizeof(cp->error), "%s: expected "
			    "three increasing numbers (watch suspicious "
			    "critical) or \"off\"", name);
			return 0;
		}
		return 1;
	}
	if (strcmp(name, "window") == 0) {
		if (config_parse_duration(value, &d->window) == -1 ||
		    d->window < 60) {
			snprintf(cp->error, sizeof(cp->error), "window: "
			    "expected a duration of at least 1m, like 10m");
			return 0;
		}
	} else if (strcmp(name, "baseline_min_history") == 0) {
		if (config_parse_duration(value,
		    &d->baseline_min_history) == -1) {
			snprintf(cp->error, sizeof(cp->error),
			    "%s: expected a duration, like 1h", name);
			return 0;
		}
	} else if (strcmp(name, "new_ip_min_history") == 0) {
		if (config_parse_duration(value,
		    &d->new_ip_min_history) == -1) {
			snprintf(cp->error, sizeof(cp->error),
			    "%s: expected a duration, like 1d", name);
			return 0;
		}
	} else if (strcmp(name, "novelty_window") == 0) {
		int	 w;

		if (config_parse_duration(value, &w) == -1 || w < 3600 ||
		    w > 86400 || w % 3600 != 0) {
			snprintf(cp->error, sizeof(cp->error), "%s: expected "
			    "whole hours from 1h to 24h, like 6h", name);
			return 0;
		}
		d->novelty_window = w;
	} else if (strcmp(name, "geoip") == 0) {
		/* the last setting wins */
		config_free_strv(cp->cfg->geoip);
		cp->cfg->geoip = NULL;
		if (config_split_paths(name, value, &cp->cfg->geoip,
		    cp->error, sizeof(cp->error)) == -1)
			return 0;
	} else if (strcmp(name, "baseline_min_rate") == 0) {
		const char	*end;

		if (config_parse_number(value, &end, &d->baseline_min_rate)
		    == -1 || *end != '\0') {
			snprintf(cp->error, sizeof(cp->error),
			    "%s: expected messages per minute", name);
			return 0;
		}
	} else if (strcmp(name, "ratio_min_attempts") == 0 ||
	    strcmp(name, "queue_min_messages") == 0) {
		if (config_parse_int(value, 1, INT_MAX, &v) == -1) {
			snprintf(cp->error, sizeof(cp->error),
			    "%s: expected a whole number above 0", name);
			return 0;
		}
		if (name[0] == 'r')
			d->ratio_min_attempts = (int)v;
		else
			d->queue_min_messages = (int)v;
	} else if (strcmp(name, "max_accounts") == 0) {
		if (config_parse_int(value, 1, 100000000, &v) == -1) {
			snprintf(cp->error, sizeof(cp->error),
			    "%s: expected a whole number from 1 to 100000000",
			    name);
			return 0;
		}
		d->max_accounts = (size_t)v;
	} else if (strcmp(name, "allow") == 0) {
		if (config_parse_allow(cp->cfg, value, cp->error,
		    sizeof(cp->error)) == -1)
			return 0;
	} else {
		snprintf(cp->error, sizeof(cp->error),
		    "unknown key \"%.64s\" in [detect]", name);
		return 0;
	}
	return 1;
}

/* Keys of [logs]: how to read timestamps. */
static int
config_set_logs(struct config_parse *cp, const char *name, const char *value)
{
	long	 v;

	if (strcmp(name, "year") == 0) {
		if (config_parse_int(value, 1970, 9999, &v) == -1) {
			snprintf(cp->error, sizeof(cp->error),
			    "year: expected a year like 2026");
			return 0;
		}
		cp->cfg->year = (int)v;
	} else if (strcmp(name, "timezone") == 0) {
		if (strcasecmp(value, "utc") == 0)
			cp->cfg->utc = 1;
		else if (strcasecmp(value, "local") == 0)
			cp->cfg->utc = 0;
		else {
			snprintf(cp->error, sizeof(cp->error),
			    "timezone: expected \"local\" or \"UTC\" (set TZ "
			    "for another zone)");
			return 0;
		}
	} else {
		snprintf(cp->error, sizeof(cp->error),
		    "unknown key \"%.64s\" in [logs]", name);
		return 0;
	}
	return 1;
}

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
static int
config_set_server(struct config_parse *cp, const char *server,
    const char *name, const char *value)
{
	struct mailcon_config	*cfg = cp->cfg;
	struct server_config	*sc = NULL;
	char			**paths;
	size_t			 i;
	int			 secs;

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
		switch (config_set_backend(sc, name, value, cp->error,
		    sizeof(cp->error))) {
		case 1:
			return 1;
		case -1:
			return 0;
		}
		switch (config_set_action(&sc->act, name, value, cp->error,
		    sizeof(cp->error))) {
		case 1:
			return 1;
		case -1:
			return 0;
		}
		switch (config_set_outbound(sc, name, value, cp->error,
		    sizeof(cp->error))) {
		case 1:
			return 1;
		case -1:
			return 0;
		}
		switch (config_set_ssh(&sc->ssh, name, value, cp->error,
		    sizeof(cp->error))) {
		case 1:
			return 1;
		case -1:
			return 0;
		}
		switch (config_set_fleet(sc, name, value, cp->error,
		    sizeof(cp->error))) {
		case 1:
			return 1;
		case -1:
			return 0;
		}
		snprintf(cp->error, sizeof(cp->error),
		    "unknown key \"%.64s\" in [server %.64s]", name, server);
		return 0;
	}
	return 1;
}

/* Keys of [console]. */
static int
config_set_console(struct config_parse *cp, const char *name,
    const char *value)
{
	struct mailcon_config	*cfg = cp->cfg;

	if (strcmp(name, "theme") == 0) {
		free(cfg->theme);
		cfg->theme = xstrdup(value);
	} else if (strcmp(name, "history") == 0) {
		free(cfg->history);
		cfg->history = NULL;
		cfg->history_off = strcasecmp(value, "off") == 0;
		if (!cfg->history_off) {
			if (value[0] != '/') {
				snprintf(cp->error, sizeof(cp->error), "history: "
				    "expected an absolute path or off");
				return 0;
			}
			cfg->history = xstrdup(value);
		}
	} else if (strcmp(name, "history_days") == 0) {
		long	 v;

		if (config_parse_int(value, 2, 3650, &v) == -1) {
			snprintf(cp->error, sizeof(cp->error), "history_days: "
			    "expected whole days from 2 to 3650");
			return 0;
		}
		cfg->history_days = (int)v;
	} else if (strcmp(name, "history_max_mb") == 0) {
		long	 v;

		if (config_parse_int(value, 1, 1048576, &v) == -1) {
			snprintf(cp->error, sizeof(cp->error),
			    "history_max_mb: expected whole megabytes from 1 "
			    "to 1048576");
			return 0;
		}
		cfg->history_max_mb = (int)v;
	} else if (strcmp(name, "resolver") == 0) {
		if (config_set_resolver(&cfg->resolver, value, cp->error,
		    sizeof(cp->error)) == -1)
			return 0;
	} else {
		snprintf(cp->error, sizeof(cp->error),
		    "unknown key \"%.64s\" in [console]", name);
		return 0;
	}
	return 1;
}

/* Route one key to its section; 0 stops with an error. */
static int
config_route(struct config_parse *cp, const char *section, const char *name,
    const char *value)
{
	if (cp->error[0] != '\0')
		return 0;
	if (config_key_known(section, name) == 0) {
		snprintf(cp->error, sizeof(cp->error),
		    "unknown key \"%.64s\" in [%.72s]", name, section);
		return 0;
	}
	if (strcmp(section, "detect") == 0)
		return config_set_detect(cp, name, value);
	if (strcmp(section, "logs") == 0)
		return config_set_logs(cp, name, value);
	if (strcmp(section, "console") == 0)
		return config_set_console(cp, name, value);
	if (strncmp(section, "server ", 7) == 0)
		return config_set_server(cp, section + 7, name, value);
	if (strncmp(section, "loghost ", 8) == 0)
		return config_set_loghost(cp->cfg, section + 8, name, value,
		    cp->error, sizeof(cp->error)) == 0;
	if (strcmp(section, "rbl") == 0) {
		switch (config_set_rbl(&cp->cfg->rbl, name, value, cp->error,
		    sizeof(cp->error))) {
		case 1:
			return 1;
		case 0:
			snprintf(cp->error, sizeof(cp->error),
			    "unknown key \"%.64s\" in [rbl]", name);
		}
		return 0;
	}
	if (strcmp(section, "watch") == 0) {
		switch (config_set_watch(&cp->cfg->watch, name, value,
		    cp->error, sizeof(cp->error))) {
		case 1:
			return 1;
		case 0:
			snprintf(cp->error, sizeof(cp->error),
			    "unknown key \"%.64s\" in [watch]", name);
		}
		return 0;
	}
	if (strcmp(section, "policy") == 0) {
		switch (config_set_policy(&cp->cfg->policy, name, value,
		    cp->error, sizeof(cp->error))) {
		case 1:
			return 1;
		case 0:
			snprintf(cp->error, sizeof(cp->error),
			    "unknown key \"%.64s\" in [policy]", name);
		}
		return 0;
	}
	if (strcmp(section, "alerts") == 0) {
		switch (config_set_alert(&cp->cfg->alert, name, value,
		    cp->error, sizeof(cp->error))) {
		case 1:
			return 1;
		case 0:
			snprintf(cp->error, sizeof(cp->error),
			    "unknown key \"%.64s\" in [alerts]", name);
		}
		return 0;
	}
	if (section[0] == '\0')
		snprintf(cp->error, sizeof(cp->error),
		    "key \"%.64s\" outside any [section]", name);
	else
		snprintf(cp->error, sizeof(cp->error),
		    "unknown section [%.64s]", section);
	return 0;
}

/*
 * The keys whose value may continue on indented lines, and what joins the
 * lines: a comma for lists (a path may hold a space), a blank for
 * commands.  Any other key takes one value on one line.
 */
static const struct config_multi {
	const char	*section;	/* "server" for every [server NAME] */
	const char	*name;
	char		 join;
} config_multi[] = {
	{ "detect",	"allow",		',' },
	{ "detect",	"geoip",		',' },
	{ "server",	"logs",			',' },
	{ "server",	"outbound_ips",		',' },
	{ "loghost",	"logs",			',' },
	{ "loghost",	"log_command",		' ' },
	{ "rbl",	"zones",		',' },
	{ "policy",	"listen",		',' },
	{ "server",	"log_command",		' ' },
	{ "server",	"queue_command",	' ' },
	{ "server",	"suspend_command",	' ' },
	{ "server",	"unsuspend_command",	' ' },
	{ "server",	"password_command",	' ' },
	{ "alerts",	"command",		' ' },
};

/* What joins the lines of a continued value of this key; 0: none may. */
static char
config_join(const char *section, const char *name)
{
	const struct backend_option	*o;
	size_t				 i;

	if (strncmp(section, "loghost ", 8) == 0)
		section = "loghost";
	if (strncmp(section, "server ", 7) == 0) {
		section = "server";
		/* a command a backend reads continues as the site's do */
		if ((o = backend_option_find(name, NULL)) != NULL)
			return o->type == BOPT_COMMAND ? ' ' : 0;
	}
	for (i = 0; i < sizeof(config_multi) / sizeof(config_multi[0]); i++)
		if (strcmp(config_multi[i].section, section) == 0 &&
		    strcmp(config_multi[i].name, name) == 0)
			return config_multi[i].join;
	return 0;
}

/* config_ini callback: one key (its lines joined), routed; -1 stops. */
static int
config_handler(void *arg, const char *section, const char *name,
    const char *value, int line)
{
	struct config_parse	*cp = arg;
	char			*joined, *p, join;
	int			 ok;

	if (strchr(value, '\n') == NULL)
		return config_route(cp, section, name, value) ? 0 : -1;
	if ((join = config_join(section, name)) == 0) {
		snprintf(cp->error, sizeof(cp->error), "%.64s: one value on "
		    "one line (only lists and commands continue on indented "
		    "lines)", name);
		return -1;
	}
	joined = xstrdup(value);
	for (p = joined; (p = strchr(p, '\n')) != NULL; p++)
		*p = join;
	ok = config_route(cp, section, name, joined);
	free(joined);
	return ok ? 0 : -1;
}

/* What only the whole of a [server NAME] section can tell. */
static int
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

/* See config.h. */
int
config_load(struct mailcon_config *cfg, const char *path, char *err,
    size_t errlen)
{
	struct config_parse	 cp;
	struct stat		 st;
	char			*defpath = NULL, syntax[200], shown[512];
	FILE			*f;
	int			 line, rc;

	if (path == NULL && (path = defpath = config_find()) == NULL)
		return 0;
	/* named in messages: escaped like any text shown */
	sanitize_str(shown, sizeof(shown), path);
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", shown, strerror(errno));
		free(defpath);
		return -1;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, not a config file",
		    shown);
		fclose(f);
		free(defpath);
		return -1;
	}
	memset(&cp, 0, sizeof(cp));
	cp.cfg = cfg;
	rc = config_ini_parse(f, config_handler, &cp, &line, syntax,
	    sizeof(syntax));
	fclose(f);
	if (rc != 0) {
		snprintf(err, errlen, "%s:%d: %s", shown, line,
		    syntax[0] != '\0' ? syntax : cp.error);
		free(defpath);
		return -1;
	}
	if (config_check_servers(cfg, err, errlen) == -1 ||
	    config_check_loghosts(cfg, err, errlen) == -1) {
		char	 why[256];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "%s: %s", shown, why);
		free(defpath);
		return -1;
	}
	free(cfg->path);
	cfg->path = xstrdup(path);
	free(defpath);
	return 0;
}
