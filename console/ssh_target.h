/*
 * ssh_target.h: from a [server NAME] section with a host to the
 * ssh_conn_config that reaches it, the same for the console, the
 * headless watch and `mailcon act`.
 *
 * Defaults, as ssh(1) has them: port 22, the local login name, the
 * ssh-agent when no key is given, ~/.ssh/known_hosts read only.  Keys the
 * operator accepts go to mailcon's own file,
 * $XDG_STATE_HOME/mailcon/known_hosts (else ~/.local/state/mailcon/),
 * whose directory is made (0700) here, before any loop runs.
 */
#ifndef MAILCON_SSH_TARGET_H
#define MAILCON_SSH_TARGET_H

#include "config.h"
#include "ssh_conn.h"

/* Storage for the strings an ssh_conn_config points to. */
struct ssh_target_paths {
	char	 known_hosts[1100];
	char	 own_known_hosts[1100];
	char	 user[65];
};

/*
 * Fill cc for sc (which must have a host); cc's strings point into sc
 * and p.  keepalive_s 0 keeps ssh_conn's default.
 */
void	ssh_target_config(const struct server_config *sc,
	    struct ssh_target_paths *p, struct ssh_conn_config *cc);

#endif
