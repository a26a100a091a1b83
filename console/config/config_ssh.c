/*
 * config_ssh.c: the keys of [server NAME] that put a server behind SSH:
 * host, port, user, key, known_hosts, sudo, journal and
 * journal_directory.  A server with a host is
 * followed and acted on over SSH (ssh_conn.h); its logs are paths on that
 * server.  keepalive sets how often the server must answer (a dead
 * link is stale after three, dropped after six).  Values are checked here so that a typo stops the start instead
 * of reaching libssh2 or a remote shell.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "core/xmalloc.h"

/* A host: an IPv4 or IPv6 address or a DNS name, nothing a shell or
   getaddrinfo would read as more than one. */
static int
config_host_ok(const char *s)
{
	size_t	 n = strlen(s), i;

	if (n == 0 || n > 253 || s[0] == '-' || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '-' || s[i] == ':' || s[i] == '_'))
			return 0;
	return 1;
}

/* See config.h: a login name as useradd accepts it, at most 64. */
int
config_user_ok(const char *s)
{
	size_t	 n = strlen(s), i;

	if (n == 0 || n > 64 || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

/* yes or no into *out: 0, or -1 with err saying what key expects. */
static int
config_ssh_bool(const char *name, const char *value, int *out, char *err,
    size_t errlen)
{
	if (strcasecmp(value, "yes") == 0 ||
	    strcasecmp(value, "true") == 0 || strcmp(value, "1") == 0)
		*out = 1;
	else if (strcasecmp(value, "no") == 0 ||
	    strcasecmp(value, "false") == 0 || strcmp(value, "0") == 0)
		*out = 0;
	else {
		snprintf(err, errlen, "%s: expected yes or no", name);
		return -1;
	}
	return 0;
}

/* Replace *slot by a copy of value. */
static void
config_ssh_set(char **slot, const char *value)
{
	free(*slot);
	*slot = xstrdup(value);
}

/* See config.h. */
int
config_set_ssh(struct ssh_target *t, const char *name, const char *value,
    char *err, size_t errlen)
{
	long	 v;
	int	 secs;

	if (strcmp(name, "host") == 0) {
		if (!config_host_ok(value)) {
			snprintf(err, errlen, "host: \"%.64s\" is not an "
			    "address or a host name", value);
			return -1;
		}
		config_ssh_set(&t->host, value);
	} else if (strcmp(name, "port") == 0) {
		if (config_parse_int(value, 1, 65535, &v) == -1) {
			snprintf(err, errlen, "port: expected 1 to 65535, not "
			    "\"%.32s\"", value);
			return -1;
		}
		t->port = (int)v;
	} else if (strcmp(name, "user") == 0) {
		if (!config_user_ok(value)) {
			snprintf(err, errlen, "user: \"%.64s\" is not a login "
			    "name", value);
			return -1;
		}
		config_ssh_set(&t->user, value);
	} else if (strcmp(name, "key") == 0) {
		free(t->key_file);
		t->key_file = NULL;
		t->key_agent = strcmp(value, "agent") == 0;
		if (t->key_agent)
			return 1;
		if (!config_path_ok(value)) {
			snprintf(err, errlen, "key: expected the absolute path "
			    "of a private key, or agent");
			return -1;
		}
		t->key_file = xstrdup(value);
	} else if (strcmp(name, "known_hosts") == 0) {
		if (!config_path_ok(value)) {
			snprintf(err, errlen, "known_hosts: expected an "
			    "absolute path");
			return -1;
		}
		config_ssh_set(&t->known_hosts, value);
	} else if (strcmp(name, "keepalive") == 0) {
		if (config_parse_duration(value, &secs) == -1 || secs < 1 ||
		    secs > 600) {
			snprintf(err, errlen, "keepalive: expected a duration "
			    "from 1s to 10m, like 15s");
			return -1;
		}
		t->keepalive_s = secs;
	} else if (strcmp(name, "sudo") == 0) {
		if (config_ssh_bool(name, value, &t->sudo, err, errlen) == -1)
			return -1;
	} else if (strcmp(name, "journal") == 0) {
		if (config_ssh_bool(name, value, &t->journal, err,
		    errlen) == -1)
			return -1;
	} else if (strcmp(name, "journal_directory") == 0) {
		/* it reaches the remote shell as a word of journalctl's */
		if (!config_path_ok(value)) {
			snprintf(err, errlen, "journal_directory: expected an "
			    "absolute path");
			return -1;
		}
		config_ssh_set(&t->journal_dir, value);
	} else
		return 0;
	return 1;
}

/* See config.h. */
void
config_ssh_free(struct ssh_target *t)
{
	free(t->host);
	free(t->user);
	free(t->key_file);
	free(t->known_hosts);
	free(t->journal_dir);
	memset(t, 0, sizeof(*t));
}

/* See config.h. */
void
config_ssh_keys(const struct ssh_target *t, struct config_ssh_keys *k)
{
	static const char *const names[CONFIG_SSH_KEYS] = { "id_ed25519",
	    "id_ecdsa", "id_rsa" };
	const char	*home = getenv("HOME");
	size_t		 i, n = 0;

	memset(k, 0, sizeof(*k));
	if (t->key_file != NULL) {
		k->files[0] = t->key_file;
		return;
	}
	k->agent = 1;
	if (t->key_agent)
		return;
	k->defaults = 1;
	if (home == NULL || home[0] != '/')
		return;
	for (i = 0; i < CONFIG_SSH_KEYS; i++) {
		snprintf(k->buf[n], sizeof(k->buf[n]), "%s/.ssh/%s", home,
		    names[i]);
		if (access(k->buf[n], F_OK) == 0) {
			k->files[n] = k->buf[n];
			n++;
		}
	}
}

/* See config.h. */
int
config_check_key(const struct server_config *sc, char *err, size_t errlen)
{
	struct stat	 st;

	if (sc->ssh.host == NULL || sc->ssh.key_file == NULL)
		return 0;
	if (stat(sc->ssh.key_file, &st) == -1) {
		snprintf(err, errlen, "[server %s]: key %s: %s: give the path "
		    "of the private key authorized on %s, or key = agent",
		    sc->name, sc->ssh.key_file, strerror(errno), sc->ssh.host);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "[server %s]: key %s is not a file: give "
		    "the path of the private key", sc->name, sc->ssh.key_file);
		return -1;
	}
	if (access(sc->ssh.key_file, R_OK) == -1) {
		snprintf(err, errlen, "[server %s]: key %s cannot be read: %s: "
		    "run mailcon as its owner, or give it to this user",
		    sc->name, sc->ssh.key_file, strerror(errno));
		return -1;
	}
	return 0;
}

/* See config.h. */
int
config_check_keys(const struct mailcon_config *cfg, char *err, size_t errlen)
{
	size_t	 i;

	for (i = 0; i < cfg->nservers; i++)
		if (config_check_key(&cfg->servers[i], err, errlen) == -1)
			return -1;
	return 0;
}
