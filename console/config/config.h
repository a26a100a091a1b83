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
#include "backends/backend.h"
#include "core/cidr.h"
#include "detect/detector.h"

/* A [server] key a backend declares (backend.h), as set in the section. */
struct server_opt {
	const struct backend_option *opt;	/* its declaration */
	char			*value;		/* as written (joined) */
	char			**words;	/* a command's words, else NULL */
};

/*
 * How a server's actions run: [server NAME] keys (see mailcon(1)).  The
 * keys of its mail systems are kept as declared by their backends
 * (checked by type); the *_command keys are the site's own templates
 * (action.h), which stand in for a backend's steps.
 */
struct action_config {
	struct server_opt	*opts;		/* the backends' keys set */
	size_t			 nopts;
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

/* [policy]: the policy service watch --headless runs (config_policy.c). */
struct policy_config {
	int			 enabled;	/* enabled = yes */
	char			**listen;	/* NULL-terminated, or NULL:
						   POLICY_LISTEN_DEFAULT */
	char			*server;	/* whose deny list; NULL: the
						   first server here */
};
#define POLICY_LISTEN_DEFAULT	"127.0.0.1:10040"

/*
 * A server behind SSH (config_ssh.c): host is NULL for a local server.
 * Its logs, queue command and action commands are then paths and
 * commands on that server.
 */
struct ssh_target {
	char			*host;		/* address or name */
	int			 port;		/* 0: 22 */
	char			*user;		/* NULL: our login name */
	char			*key_file;	/* NULL: key_agent, or ssh(1)'s
						   defaults (config_ssh_keys) */
	int			 key_agent;	/* key = agent: its keys only */
	char			*known_hosts;	/* NULL: ~/.ssh/known_hosts */
	int			 sudo;		/* queue reads and actions
						   through sudo -n */
	int			 keepalive_s;	/* 0: ssh_conn's default */
	int			 journal;	/* follow its journal (jfollow.h) */
	char			*journal_dir;	/* journalctl -D, or NULL */
};

/*
 * One [server NAME] section: a mail server the console follows.
 *
 * Its mail systems: backend = (the MTA) and auth = name them; left out or
 * "auto", they are settled by the keys set (a key only one backend of the
 * role reads), else by the probe (probe.h: which of the backends' files
 * are on the server), else the registry's first of the role stands
 * (server_mta(), server_auth()).
 */
struct server_config {
	char			*name;
	char			*mta_name;	/* [server] backend; NULL: auto */
	char			*auth_name;	/* [server] auth; NULL: auto */
	const struct mail_backend *mta;		/* settled, or NULL */
	const struct mail_backend *auth;
	int			 probed;	/* the probe has answered */
	char			**logs;		/* NULL-terminated paths */
	size_t			 nlogs;
	char			**log_argv;	/* a command whose output is a log
						   (journalctl -f), or NULL */
	char			**queue_argv;	/* queue_command, NULL-terminated;
						   NULL: the default command
						   (when queue_on) */
	int			 queue_on;	/* read the queue without a
						   queue_command: 1 for a
						   [server] of the file unless
						   queue = off; 0 for servers
						   made by config_add_server */
	int			 queue_interval;	/* seconds (10) */
	struct action_config	 act;
	char			**outbound_ips;	/* NULL-terminated, or NULL:
						   discover (config_rbl.c) */
	struct ssh_target	 ssh;
	/* a fleet through its central log host (config_loghost.c) */
	char			*loghost;	/* [loghost] its lines come from,
						   or NULL: followed itself */
	char			*hostname;	/* its syslog HOSTNAME there;
						   NULL: its name */
	char			*group;		/* servers view group, or NULL */
	/* shared_addresses: networks a suspension never ends sessions from
	   by their address (sesspids.h); the default SHARED_DEFAULT */
	struct cidr		*shared;
	size_t			 nshared;
};
/* The default shared_addresses: a webmail on the server itself submits
   every user's mail from there. */
#define SHARED_DEFAULT	"127.0.0.1 ::1"

/*
 * [loghost NAME]: a central log host's aggregated stream (config_loghost.c):
 * rsyslog's file(s) of every host's lines (logs), or a command printing a
 * journal-remote directory (log_command), read on this machine, or the
 * files read on the log host over SSH (host =).
 */
#define LOGHOST_SILENT_S	600	/* silent after 10 min without a line */
#define CONFIG_HOSTNAME_MAX	253
struct loghost_config {
	char			*name;
	char			**logs;		/* NULL-terminated, or NULL */
	size_t			 nlogs;
	char			**log_argv;	/* or NULL */
	int			 silent_s;	/* a server without a line this
						   long while others log */
	struct ssh_target	 ssh;		/* host: the files are read
						   there over SSH (host, port,
						   user, key, known_hosts,
						   keepalive); else here */
};

/* [rbl]: the DNS blocklist check (config_rbl.c). */
struct rbl_config {
	char			**zones;	/* NULL-terminated; NULL: the
						   default list */
	char			*resolver;	/* IP[:PORT]; NULL: the system's */
	int			 interval;	/* seconds between the console's
						   checks (3600); 0: off */
	int			 interval_set;	/* interval given in [rbl] */
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
	struct policy_config	 policy;	/* [policy] */
	struct alert_config	 alert;		/* [alerts] */
	struct rbl_config	 rbl;
	struct loghost_config	*loghosts;
	size_t			 nloghosts;
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
 * The action keys of [server NAME] (config_act.c): the site's templates
 * and every backend's keys, checked by type.  1 taken, 0 not an action
 * key, -1 a bad value (err says why; the value before stays).
 */
int	config_set_action(struct action_config *ac, const char *name,
	    const char *value, char *err, size_t errlen);
void	config_action_free(struct action_config *ac);
/* A backend key's value as set (NULL: not set; its default applies). */
const char *config_action_opt(const struct action_config *ac,
	    const char *name);
/* A command key's words as set, NULL-terminated (NULL: not set). */
char *const *config_action_words(const struct action_config *ac,
	    const char *name);

/*
 * The server's mail systems (config_backend.c): the MTA, and the
 * authentication service (the MTA itself when it takes both roles).
 * Never NULL: what is not settled yet is the registry's first of the role.
 */
const struct mail_backend *server_mta(const struct server_config *sc);
const struct mail_backend *server_auth(const struct server_config *sc);
/* Does the probe still have something to settle on sc? */
int	server_probe_wanted(const struct server_config *sc);
/* What the probe found (NULL: nothing of that role); marks sc probed. */
void	server_probe_done(struct server_config *sc,
	    const struct mail_backend *mta, const struct mail_backend *auth);
/* The [server] keys backend and auth: 1 taken, 0 not theirs, -1 bad. */
int	config_set_backend(struct server_config *sc, const char *name,
	    const char *value, char *err, size_t errlen);
/* Settle by names and keys, after the section is read; -1 with err. */
int	config_server_backends(struct server_config *sc, char *err,
	    size_t errlen);
/* The template environment of sc's option values (backend.h); account
   and lock_wait are the caller's to set. */
void	server_backend_env(const struct server_config *sc,
	    struct backend_env *env);
/* The keys of [watch]: as config_set_action. */
int	config_set_watch(struct watch_config *wc, const char *name,
	    const char *value, char *err, size_t errlen);

/* The keys of [policy] (config_policy.c): as config_set_action. */
int	config_set_policy(struct policy_config *pc, const char *name,
	    const char *value, char *err, size_t errlen);
void	config_policy_free(struct policy_config *pc);

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
 * Seconds between the console's own DNSBL checks (the first one soon
 * after start), or 0: none.  They run only when configured: an [rbl]
 * interval set, or a server's outbound_ips given (then every hour unless
 * interval = off).  Without either, r in the console still checks.
 */
int	config_rbl_interval(const struct mailcon_config *cfg);
/*
 * A resolver address, "IP[:PORT]" or "[IPv6]:PORT" (a copy into *slot),
 * or "system" (NULL); [rbl] resolver and [console] resolver.  0, or -1
 * with err.
 */
int	config_set_resolver(char **slot, const char *value, char *err,
	    size_t errlen);
/* Split a list on commas and blanks into a NULL-terminated array. */
char	**config_split_list(const char *s);

/* [server NAME] shared_addresses (config_server.c): as config_set_action
   (none: an empty list). */
int	config_set_shared(struct server_config *sc, const char *name,
	    const char *value, char *err, size_t errlen);

/* The SSH keys of [server NAME] (config_ssh.c): as config_set_action. */
int	config_set_ssh(struct ssh_target *t, const char *name,
	    const char *value, char *err, size_t errlen);
void	config_ssh_free(struct ssh_target *t);
/*
 * The key files to offer a server, in order, as ssh(1) does: key = PATH
 * alone; key = agent none (the agent's keys only); no key: those of
 * ~/.ssh/id_ed25519, id_ecdsa and id_rsa that exist, then the agent's
 * keys.  *agent says whether the agent's keys follow.
 */
#define CONFIG_SSH_KEYS	3
struct config_ssh_keys {
	const char	*files[CONFIG_SSH_KEYS + 1];	/* NULL-terminated */
	int		 agent;
	int		 defaults;	/* no key =: files are ssh(1)'s */
	char		 buf[CONFIG_SSH_KEYS][4096];
};
void	config_ssh_keys(const struct ssh_target *t, struct config_ssh_keys *k);
/*
 * A server behind SSH whose key = PATH is not a readable file: -1 with
 * err naming the server, the path and what to do.  Checked when the
 * console, the watch and act start (sshtarget.h), not by config_load:
 * scan and rbl do not log in.  config_check_keys: every server.
 */
int	config_check_key(const struct server_config *sc, char *err,
	    size_t errlen);
int	config_check_keys(const struct mailcon_config *cfg, char *err,
	    size_t errlen);
/* A login name: letters, digits, '.', '-', '_', not starting with '-'. */
int	config_user_ok(const char *s);

/*
 * A central log host (config_loghost.c).  config_set_loghost: a key of
 * [loghost section], 0 or -1 with err.  config_set_fleet: the [server]
 * keys loghost, hostname, group (as config_set_action).  After the file:
 * config_check_loghosts (-1 with err).  config_loghost: by name, or NULL.
 */
int	config_set_loghost(struct mailcon_config *cfg, const char *section,
	    const char *name, const char *value, char *err, size_t errlen);
int	config_set_fleet(struct server_config *sc, const char *name,
	    const char *value, char *err, size_t errlen);
int	config_check_loghosts(struct mailcon_config *cfg, char *err,
	    size_t errlen);
const struct loghost_config *config_loghost(const struct mailcon_config *cfg,
	    const char *name);
void	config_loghost_free(struct mailcon_config *cfg);
/* The HOSTNAME its lines carry on its log host: hostname =, or its name. */
const char *server_hostname(const struct server_config *sc);
/* A syslog HOSTNAME a server may be known by: letters, digits, '.', '-',
   '_', 1 to CONFIG_HOSTNAME_MAX bytes, not starting with '.' or '-'. */
int	config_hostname_ok(const char *s, size_t len);
/*
 * A list of absolute paths separated by commas into a NULL-terminated
 * array (NULL when empty); -1 with "KEY: ..." in err.
 */
int	config_split_paths(const char *key, const char *value, char ***out,
	    char *err, size_t errlen);

/*
 * The values' grammars (config_value.c), shared by the sections and the
 * command line; 0 on success, -1 on bad input.  config_parse_number: one
 * non-negative finite number, *end left after it; config_parse_switch:
 * on/yes/true/1 or off/no/false/0; config_parse_int: a whole number in
 * [min, max].
 */
int	config_parse_duration(const char *s, int *seconds);
int	config_parse_limits(const char *s, struct signal_limits *out);
int	config_parse_number(const char *s, const char **end, double *out);
int	config_parse_switch(const char *s, int *out);
int	config_parse_int(const char *s, long min, long max, long *out);

#endif
