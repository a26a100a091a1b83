/* ssh_target.c: a [server NAME] section's ssh_conn_config (see ssh_target.h). */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ssh_target.h"

/* mkdir -p of the directories above path, 0700; errors are left to the
   first write, which names the file. */
static void
ssh_target_mkdirs(char *path)
{
	char	*p;

	for (p = path + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0700) == -1 && errno != EEXIST) {
			*p = '/';
			return;
		}
		*p = '/';
	}
}

/* See ssh_target.h. */
void
ssh_target_config(const struct server_config *sc, struct ssh_target_paths *p,
    struct ssh_conn_config *cc)
{
	const struct ssh_target	*t = &sc->ssh;
	const char		*home = getenv("HOME"), *state;
	struct passwd		*pw;

	memset(cc, 0, sizeof(*cc));
	memset(p, 0, sizeof(*p));
	cc->name = sc->name;
	cc->host = t->host;
	cc->port = t->port;
	cc->key_file = t->key_file;
	cc->keepalive_s = t->keepalive_s;
	if (t->user != NULL)
		cc->user = t->user;
	else if ((pw = getpwuid(getuid())) != NULL) {
		snprintf(p->user, sizeof(p->user), "%s", pw->pw_name);
		cc->user = p->user;
	} else
		cc->user = "root";
	if (t->known_hosts != NULL)
		cc->known_hosts = t->known_hosts;
	else if (home != NULL && *home == '/') {
		snprintf(p->known_hosts, sizeof(p->known_hosts),
		    "%s/.ssh/known_hosts", home);
		cc->known_hosts = p->known_hosts;
	}
	if ((state = getenv("XDG_STATE_HOME")) != NULL && *state == '/')
		snprintf(p->own_known_hosts, sizeof(p->own_known_hosts),
		    "%s/mailcon/known_hosts", state);
	else if (home != NULL && *home == '/')
		snprintf(p->own_known_hosts, sizeof(p->own_known_hosts),
		    "%s/.local/state/mailcon/known_hosts", home);
	if (p->own_known_hosts[0] != '\0') {
		ssh_target_mkdirs(p->own_known_hosts);
		cc->own_known_hosts = p->own_known_hosts;
	}
}
