/* sshtarget.c: a [server]'s SSH settings as a connection and a via. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sshtarget.h"
#include "store/store.h"

/* See sshtarget.h. */
int
sshtarget_user(const struct server_config *sc, char *buf, size_t size,
    char *err, size_t errlen)
{
	struct passwd	*pw;
	const char	*name = sc->ssh.user;

	if (name == NULL && (pw = getpwuid(getuid())) != NULL)
		name = pw->pw_name;
	if (name == NULL && (name = getenv("LOGNAME")) != NULL && *name == '\0')
		name = NULL;
	if (name == NULL) {
		snprintf(err, errlen, "[server %s]: no user, and we have no "
		    "login name of our own: set user", sc->name);
		return -1;
	}
	snprintf(buf, size, "%s", name);
	return 0;
}

/* See sshtarget.h.  Beside the history's default place (store.h). */
int
sshtarget_own_known_hosts(char *buf, size_t size, char *err, size_t errlen)
{
	char	*slash;

	if (store_default_path(buf, size, err, errlen) == -1 ||
	    (slash = strrchr(buf, '/')) == NULL) {
		snprintf(err, errlen, "neither XDG_STATE_HOME nor HOME is "
		    "set: no place for mailcon's known_hosts");
		return -1;
	}
	if ((size_t)(slash + 1 - buf) + sizeof("known_hosts") > size) {
		snprintf(err, errlen, "%s: path too long", buf);
		return -1;
	}
	memcpy(slash + 1, "known_hosts", sizeof("known_hosts"));
	return 0;
}

/* See sshtarget.h. */
int
sshtarget_conn_config(const struct server_config *sc,
    struct ssh_conn_config *cfg, struct sshtarget_paths *p, char *err,
    size_t errlen)
{
	const char	*home = getenv("HOME");

	memset(cfg, 0, sizeof(*cfg));
	if (sc->ssh.host == NULL) {
		snprintf(err, errlen, "[server %s] has no host", sc->name);
		return -1;
	}
	if (sshtarget_user(sc, p->user, sizeof(p->user), err, errlen) == -1 ||
	    sshtarget_own_known_hosts(p->own_known_hosts,
	    sizeof(p->own_known_hosts), err, errlen) == -1)
		return -1;
	if (config_check_key(sc, err, errlen) == -1)
		return -1;
	config_ssh_keys(&sc->ssh, &p->keys);
	cfg->known_hosts = NULL;
	if (sc->ssh.known_hosts != NULL)
		cfg->known_hosts = sc->ssh.known_hosts;
	else if (home != NULL && *home != '\0') {
		snprintf(p->known_hosts, sizeof(p->known_hosts),
		    "%s/.ssh/known_hosts", home);
		cfg->known_hosts = p->known_hosts;
	}
	cfg->name = sc->name;
	cfg->host = sc->ssh.host;
	cfg->port = sc->ssh.port;
	cfg->user = p->user;
	cfg->key_file = sc->ssh.key_file;
	if (p->keys.defaults)
		cfg->key_files = p->keys.files;
	cfg->keepalive_s = sc->ssh.keepalive_s;
	cfg->own_known_hosts = p->own_known_hosts;
	return 0;
}

/* See sshtarget.h. */
int
sshtarget_via(const struct server_config *sc, struct ssh_conn *ssh,
    struct cmdrun_via *via, char *user, size_t size, char *err,
    size_t errlen)
{
	memset(via, 0, sizeof(*via));
	if (sc->ssh.host == NULL)
		return 0;
	if (ssh == NULL) {
		snprintf(err, errlen, "%s: not connected (no SSH connection "
		    "to %s)", sc->name, sc->ssh.host);
		return -1;
	}
	if (sshtarget_user(sc, user, size, err, errlen) == -1)
		return -1;
	via->ssh = ssh;
	via->server = sc->name;
	via->user = user;
	via->sudo = sc->ssh.sudo;
	return 0;
}

/* See sshtarget.h. */
int
sshtarget_named(const struct server_config *sc)
{
	unsigned char	 a[16];

	return sc->ssh.host != NULL &&
	    inet_pton(AF_INET, sc->ssh.host, a) != 1 &&
	    inet_pton(AF_INET6, sc->ssh.host, a) != 1;
}

/* See sshtarget.h. */
void
sshtarget_where(const struct server_config *sc, char *buf, size_t size)
{
	char	 user[256], err[256];

	if (sshtarget_user(sc, user, sizeof(user), err, sizeof(err)) == -1)
		snprintf(user, sizeof(user), "?");
	snprintf(buf, size, "%s@%s port %d", user, sc->ssh.host != NULL ?
	    sc->ssh.host : "?", sc->ssh.port > 0 ? sc->ssh.port : 22);
}
