/*
 * config.h: mailcon's INI configuration.
 *
 * Read from --config FILE, else $XDG_CONFIG_HOME/mailcon/config (else
 * ~/.config/mailcon/config), else the system file
 * /etc/mailcon/mailcon.conf (config_find); none means the defaults.
 * Unknown sections and keys are errors: a typo must not silently disable a
 * threshold.  See mailcon(1) for every key.
 */
#ifndef MAILCON_CONFIG_H
#define MAILCON_CONFIG_H

#include <stddef.h>

#include "alert/notify.h"
#include "detect/detector.h"

/*
 * How a server's actions run: [server NAME] keys (see mailcon(1)).  Paths
 * are absolute; the *_command keys are templates (action.h).
 */
struct action_config {
	char			*postfix_config;	/* -c DIR for postqueue,
							   postsuper, postmap */
	char			*deny_file;	/* Dovecot deny passdb file */
	char			*sasl_access_map;	/* check_sasl_access source
							   (hash:) */
	char			*passwd_file;	/* Dovecot passwd-file */
	char			*password_scheme;	/* SHA512-CRYPT */
	char			**doveadm_argv;	/* NULL: doveadm */
	char			*suspend_command;	/* site templates, or NULL */
	char			*unsuspend_command;
	char			*password_command;	/* password on stdin */
};

/* [watch]: what `mailcon watch --headless` does by itself. */
#define WATCH_HOLD	0x1
#define WATCH_SUSPEND	0x2
#define WATCH_PURGE	0x4
struct watch_config {
	int			 level;		/* enum level that triggers */
	unsigned		 contain;	/* WATCH_* */
};

/*
 * A server behind SSH (config_ssh.c): host is NULL for a local server.
 * Its logs, queue command and action commands are then paths and
 * commands on that server.
 */
struct ssh_target {
	char			*host;		/* address or name */
	int			 port;		/* 0: 22 */
	char			*user;		/* NULL: our login name */
	char			*key_file;	/* NULL: ssh-agent */
	char			*known_hosts;	/* NULL: ~/.ssh/known_hosts */
	int			 sudo;		/* queue reads and actions
						   through sudo -n */
	int			 keepalive_s;	/* 0: ssh_conn's default */
	int			 journal;	/* follow its journal (jfollow.h) */
	char			*journal_dir;	/* journalctl -D, or NULL */
};

/* One [server NAME] section: a mail server the console follows. */
struct server_config {
	char			*name;
	char			**logs;		/* NULL-terminated paths */
	size_t			 nlogs;
	char			**log_argv;	/* a command whose output is a log
						   (journalctl -f), or NULL */
	char			**queue_argv;	/* NULL-terminated, or NULL: off */
	int			 queue_interval;	/* seconds (10) */
	struct action_config	 act;
	char			**outbound_ips;	/* NULL-terminated, or NULL:
						   discover (config_rbl.c) */
	struct ssh_target	 ssh;
};

/* [rbl]: the DNS blocklist check (config_rbl.c). */
struct rbl_config {
	char			**zones;	/* NULL-terminated; NULL: the
						   default list */
	char			*resolver;	/* IP[:PORT]; NULL: the system's */
	int			 interval;	/* seconds between the console's
						   checks (3600); 0: off */
	int			 timeout_ms;	/* per query (5000) */
	int			 concurrency;	/* queries in flight (32) */
};

struct mailcon_config {
	struct detect_config	 detect;
	struct server_config	*servers;
	size_t			 nservers;
	char			*theme;		/* [console] theme, or NULL */
	char			*history;	/* [console] history path, or NULL */
	int			 history_off;	/* [console] history = off */
	int			 history_days;	/* [console] history_days (35) */
	int			 history_max_mb; /* [console] history_max_mb
						   (1024); 0 unset */
	char			*resolver;	/* [console] resolver, for the
						   [server] host names; NULL:
						   the system's */
	char			*path;		/* file read, NULL for defaults */
	int			 year;		/* [logs] year: 0 infers */
	int			 utc;		/* [logs] timezone = UTC */
	size_t			 nallow;
	char			**geoip;	/* [detect] geoip: MaxMind-format
						   databases, NULL-terminated;
						   NULL: none */
	struct watch_config	 watch;
	struct alert_config	 alert;		/* [alerts] */
	struct rbl_config	 rbl;
};

/*
 * Load path (or the default location when path is NULL) into *cfg, which
 * starts from the defaults.  On error returns -1 with a one-line message
 * naming the file and line in err; cfg must still be freed.
 */
int	config_load(struct mailcon_config *cfg, const char *path, char *err,
	    size_t errlen);
void	config_init(struct mailcon_config *cfg);
void	config_free(struct mailcon_config *cfg);
/* Add a server following the given log files (auto-detection, tests). */
struct server_config *config_add_server(struct mailcon_config *cfg,
	    const char *name);
void	config_server_add_log(struct server_config *sc, const char *path);
/*
 * The maillog_file a Postfix main.cf names (Postfix logging without
 * syslog) into buf: 1, or 0 when there is none or it is not a plain
 * absolute path.  Read, not asked of postconf: nothing may hang the start.
 */
int	config_postfix_maillog(const char *maincf, char *buf, size_t size);
/*
 * The last value main.cf gives key (the first word after '='), read as a
 * file, into buf: 1, or 0 when it has none.
 */
int	config_postfix_param(const char *maincf, const char *key, char *buf,
	    size_t size);
/* Free a NULL-terminated array of strings (NULL too). */
void	config_free_strv(char **v);
/* Split a command line on blanks into a NULL-terminated argv (no quoting). */
char	**config_split_argv(const char *s);
/* Add an account to the allow-list (the --allow option). */
void	config_allow(struct mailcon_config *cfg, const char *account);
/* The user's file's path, or NULL when neither variable is set. */
char	*config_default_path(void);
/*
 * Which file config_load reads without --config: the user's file when it
 * is there, else the system file (paths_sysconfig) when it is there, else
 * none (NULL: the defaults).  Not merged: one file is in effect.  The
 * caller frees the path.
 */
char	*config_find(void);

/*
 * The keys the parser accepts (config_keys.c): config_key_known is 1 for
 * a key of section ("server NAME" counts as "server"), 0 for a key that
 * section does not have, -1 for a section that has no such table (unknown
 * sections are config.c's to report).  config_key_at gives the i-th key
 * (signal thresholds first) while it returns 1.
 */
int	config_key_known(const char *section, const char *name);
int	config_key_at(size_t i, const char **section, const char **name);

/*
 * The action keys of [server NAME] (config_act.c): 1 taken, 0 not an
 * action key, -1 a bad value (err says why).
 */
int	config_set_action(struct action_config *ac, const char *name,
	    const char *value, char *err, size_t errlen);
void	config_action_free(struct action_config *ac);
/* The keys of [watch]: as config_set_action. */
int	config_set_watch(struct watch_config *wc, const char *name,
	    const char *value, char *err, size_t errlen);

/* A path a command may be given: absolute, printable, at most 1024. */
int	config_path_ok(const char *s);
/* The keys of [alerts] (config_alert.c): as config_set_action. */
int	config_set_alert(struct alert_config *ac, const char *name,
	    const char *value, char *err, size_t errlen);
/*
 * [rbl] and the [server NAME] key outbound_ips (config_rbl.c): as
 * config_set_action.  config_rbl_free also frees the servers' lists.
 */
void	config_rbl_init(struct rbl_config *rc);
int	config_set_rbl(struct rbl_config *rc, const char *name,
	    const char *value, char *err, size_t errlen);
int	config_set_outbound(struct server_config *sc, const char *name,
	    const char *value, char *err, size_t errlen);
void	config_rbl_free(struct mailcon_config *cfg);
/*
 * A resolver address, "IP[:PORT]" or "[IPv6]:PORT" (a copy into *slot),
 * or "system" (NULL); [rbl] resolver and [console] resolver.  0, or -1
 * with err.
 */
int	config_set_resolver(char **slot, const char *value, char *err,
	    size_t errlen);
/* Split a list on commas and blanks into a NULL-terminated array. */
char	**config_split_list(const char *s);

/* The SSH keys of [server NAME] (config_ssh.c): as config_set_action. */
int	config_set_ssh(struct ssh_target *t, const char *name,
	    const char *value, char *err, size_t errlen);
void	config_ssh_free(struct ssh_target *t);
/* A login name: letters, digits, '.', '-', '_', not starting with '-'. */
int	config_user_ok(const char *s);

/* Parsers shared with the command line; 0 on success, -1 on bad input. */
int	config_parse_duration(const char *s, int *seconds);
int	config_parse_limits(const char *s, struct signal_limits *out);

#endif
