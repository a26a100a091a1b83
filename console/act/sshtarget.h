/*
 * sshtarget.h: a [server NAME]'s SSH keys (config.h, struct ssh_target)
 * made usable: the ssh_conn_config to connect with, and the cmdrun_via
 * its commands run on.  mailcon act, the console and the headless watch
 * share it, so that they log in as the same user, trust the same
 * known_hosts files and word their messages alike.
 *
 * Defaults: the login is ssh.user, else ours; the user's known_hosts
 * (read only) is ssh.known_hosts, else ~/.ssh/known_hosts; mailcon's own
 * (written when the operator accepts a key in the console) is
 * $XDG_STATE_HOME/mailcon/known_hosts, else
 * ~/.local/state/mailcon/known_hosts.  Its directory is not made here:
 * whoever writes the file does that.
 */
#ifndef MAILCON_SSHTARGET_H
#define MAILCON_SSHTARGET_H

#include <stddef.h>

#include "config/config.h"
#include "net/cmdrun.h"
#include "net/ssh_conn.h"

/* What an ssh_conn_config points into; keep it until ssh_conn_new(). */
struct sshtarget_paths {
	struct config_ssh_keys keys;	/* the key files to offer */
	char	 user[256];
	char	 known_hosts[4096];
	char	 own_known_hosts[4096];
};

/* The login on sc's server into buf: ssh.user, else ours.  -1 with err
   when we have no name. */
int	sshtarget_user(const struct server_config *sc, char *buf,
	    size_t size, char *err, size_t errlen);
/* mailcon's own known_hosts into buf; -1 with err when neither
   XDG_STATE_HOME nor HOME is set. */
int	sshtarget_own_known_hosts(char *buf, size_t size, char *err,
	    size_t errlen);
/* How to connect to sc's server (which must have a host); strings point
   into p.  The keys are ssh(1)'s (config_ssh_keys).  0, or -1 with err,
   also when key = PATH is not a readable file (config_check_keys). */
int	sshtarget_conn_config(const struct server_config *sc,
	    struct ssh_conn_config *cfg, struct sshtarget_paths *p, char *err,
	    size_t errlen);
/*
 * Where sc's commands run: here (via->ssh NULL) for a server without a
 * host, else on ssh, as user (a buffer of the caller's, for messages),
 * through sudo when configured.  -1 with err when sc has a host but ssh
 * is NULL: nothing of that server's may run here.
 */
int	sshtarget_via(const struct server_config *sc, struct ssh_conn *ssh,
	    struct cmdrun_via *via, char *user, size_t size, char *err,
	    size_t errlen);
/* Is sc's host a name, to be resolved (resolve.h) before connecting? */
int	sshtarget_named(const struct server_config *sc);
/* "root@127.0.0.1 port 2222": how the server is reached, for messages. */
void	sshtarget_where(const struct server_config *sc, char *buf,
	    size_t size);

#endif
