/*
 * config.c: load the INI configuration (config_ini.c) into struct
 * mailcon_config: find the file, route each key to its section
 * (config_section.c, config_server.c and each module's config_*.c).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "config.h"
#include "config_ini.h"
#include "config_route.h"
#include "core/paths.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"

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
		free(cfg->servers[i].shared);
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
	(void)config_set_shared(sc, "shared_addresses", SHARED_DEFAULT, NULL,
	    0);
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

/*
 * What a module's section setter returned (1 set, 0 not its key, -1 a bad
 * value, cp->error says why) as config_route returns it.
 */
static int
config_routed(struct config_parse *cp, const char *section,
    const char *name, int rc)
{
	if (rc == 0)
		snprintf(cp->error, sizeof(cp->error),
		    "unknown key \"%.64s\" in [%s]", name, section);
	return rc == 1;
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
	if (strcmp(section, "rbl") == 0)
		return config_routed(cp, section, name,
		    config_set_rbl(&cp->cfg->rbl, name, value, cp->error,
		    sizeof(cp->error)));
	if (strcmp(section, "watch") == 0)
		return config_routed(cp, section, name,
		    config_set_watch(&cp->cfg->watch, name, value, cp->error,
		    sizeof(cp->error)));
	if (strcmp(section, "policy") == 0)
		return config_routed(cp, section, name,
		    config_set_policy(&cp->cfg->policy, name, value,
		    cp->error, sizeof(cp->error)));
	if (strcmp(section, "alerts") == 0)
		return config_routed(cp, section, name,
		    config_set_alert(&cp->cfg->alert, name, value, cp->error,
		    sizeof(cp->error)));
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
	{ "server",	"shared_addresses",	',' },
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
