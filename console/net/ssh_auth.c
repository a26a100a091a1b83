/*
 * ssh_auth.c: logging in to the server (a key file or ssh-agent's keys),
 * and checking, when something suggests it, that the login can run a
 * command at all; see ssh_conn.h.  Every failure is said in words that
 * point at what to change: the methods the server offers when it takes
 * no key, the server's own goodbye and the keys not tried when it closed
 * after its MaxAuthTries, the remote's own words when a nologin shell or
 * a forced command answers instead of the command.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ssh_int.h"
#include "core/sanitize.h"

#define SSH_AUTH_NO_PUBKEY	(-1000)	/* ours: no publickey method */
#define SSH_LOGIN_WORD		"mailcon-login-runs-commands"
#define SSH_LOGIN_MS		15000	/* the check's deadline */
#define SSH_UNTRIED_SHOWN	4	/* agent keys named, at most */

/*
 * Reach ssh-agent and take its first key; -1 with c->agent_why saying what
 * the operator must do.  The agent is a local socket: its calls are short.
 */
static int
ssh_auth_agent_open(struct ssh_conn *c)
{
	const char	*env = getenv("SSH_AUTH_SOCK");
	char		 sock[128];

	if (env == NULL || *env == '\0') {
		snprintf(c->agent_why, sizeof(c->agent_why), "%s"
		    "SSH_AUTH_SOCK is not set: start ssh-agent and ssh-add "
		    "the key, or give key = PATH", c->key_files == NULL ?
		    "key = agent, but " : "");
		return -1;
	}
	sanitize_text(sock, sizeof(sock), env, strlen(env));
	if ((c->agent = libssh2_agent_init(c->s)) == NULL ||
	    libssh2_agent_connect(c->agent) != 0) {
		snprintf(c->agent_why, sizeof(c->agent_why), "cannot reach "
		    "ssh-agent at %s (SSH_AUTH_SOCK)", sock);
		return -1;
	}
	if (libssh2_agent_list_identities(c->agent) != 0) {
		snprintf(c->agent_why, sizeof(c->agent_why), "ssh-agent at %s "
		    "did not list its keys", sock);
		return -1;
	}
	if (libssh2_agent_get_identity(c->agent, &c->identity, NULL) != 0) {
		snprintf(c->agent_why, sizeof(c->agent_why), "ssh-agent at %s "
		    "holds no key: ssh-add one", sock);
		return -1;
	}
	return 0;
}

/* Is word one of the comma-separated list? */
static int
ssh_auth_listed(const char *list, const char *word)
{
	size_t	 n = strlen(word);

	while (*list != '\0') {
		if (strncmp(list, word, n) == 0 &&
		    (list[n] == ',' || list[n] == '\0'))
			return 1;
		list += strcspn(list, ",");
		if (*list == ',')
			list++;
	}
	return 0;
}

/*
 * The methods the server lets this user log in with, asked once per
 * attempt (a "none" request, which OpenSSH does not count as a try).
 * EAGAIN, an error, 0 to go on with keys, 1 when "none" let us in, or
 * SSH_AUTH_NO_PUBKEY.
 */
static int
ssh_auth_methods(struct ssh_conn *c)
{
	char	*list;
	int	 rc;

	if (c->methods_known)
		return 0;
	list = libssh2_userauth_list(c->s, c->user, (unsigned)strlen(c->user));
	if (list == NULL) {
		if (libssh2_userauth_authenticated(c->s))
			return 1;
		rc = libssh2_session_last_errno(c->s);
		return rc != 0 ? rc : LIBSSH2_ERROR_SOCKET_NONE;
	}
	c->methods_known = 1;
	sanitize_text(c->methods, sizeof(c->methods), list, strlen(list));
	return ssh_auth_listed(list, "publickey") ? 0 : SSH_AUTH_NO_PUBKEY;
}

/* Note a default key file that did not log in, and why, for messages. */
static void
ssh_auth_refused(struct ssh_conn *c, const char *file, int rc)
{
	size_t	 n = strlen(c->key_refused);
	char	 shown[160];

	sanitize_text(shown, sizeof(shown), file, strlen(file));
	if (n + 1 < sizeof(c->key_refused))
		snprintf(c->key_refused + n, sizeof(c->key_refused) - n,
		    "%s%s%s", n > 0 ? ", " : "", shown, rc ==
		    LIBSSH2_ERROR_FILE ? " (unusable: a passphrase? ssh-add "
		    "it)" : "");
}

/*
 * ssh(1)'s default key files, in turn: 0 logged in, EAGAIN, an error that
 * ends the attempt, or 1 when every one failed (then the agent's keys).
 */
static int
ssh_auth_files(struct ssh_conn *c)
{
	const char	*f;
	int		 rc;

	while (c->key_i < c->nkey_files) {
		f = c->key_files[c->key_i];
		if (!c->trying) {
			c->tries++;
			c->trying = 1;
		}
		rc = libssh2_userauth_publickey_fromfile_ex(c->s, c->user,
		    (unsigned)strlen(c->user), NULL, f, NULL);
		if (rc == LIBSSH2_ERROR_EAGAIN || rc == 0)
			return rc;
		c->trying = 0;
		if (c->bye[0] != '\0' || (rc != LIBSSH2_ERROR_FILE &&
		    rc != LIBSSH2_ERROR_AUTHENTICATION_FAILED &&
		    rc != LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED))
			return rc;
		ssh_auth_refused(c, f, rc);
		c->key_i++;
	}
	return 1;
}

/* Key file, default key files or agent: one step of trying keys.
   c->tries counts the keys offered. */
static int
ssh_auth_keys(struct ssh_conn *c)
{
	int	 rc;

	if (c->key_file != NULL)
		return libssh2_userauth_publickey_fromfile_ex(c->s, c->user,
		    (unsigned)strlen(c->user), NULL, c->key_file,
		    c->passphrase);
	if ((rc = ssh_auth_files(c)) != 1)
		return rc;
	if (c->agent == NULL && ssh_auth_agent_open(c) == -1)
		return LIBSSH2_ERROR_AGENT_PROTOCOL;
	for (;;) {
		if (!c->trying) {
			c->tries++;
			c->trying = 1;
		}
		rc = libssh2_agent_userauth(c->agent, c->user, c->identity);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return rc;
		c->trying = 0;
		/* the server hung up: the next key meets a closed socket */
		if (c->bye[0] != '\0')
			return rc;
		if (rc != LIBSSH2_ERROR_AUTHENTICATION_FAILED &&
		    rc != LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED)
			return rc;
		if (libssh2_agent_get_identity(c->agent, &c->identity,
		    c->identity) != 0)
			return rc;
	}
}

/* The name of an agent key: its comment, else its fingerprint. */
static void
ssh_auth_key_name(const struct libssh2_agent_publickey *id, char *buf,
    size_t size)
{
	if (id->comment != NULL && id->comment[0] != '\0')
		sanitize_text(buf, size, id->comment, strlen(id->comment));
	else
		ssh_fingerprint(id->blob, id->blob_len, buf, size);
}

/* "ssh-agent holds 10 keys; not tried: a, b, c, d and 1 more". */
static void
ssh_auth_untried(struct ssh_conn *c, char *buf, size_t size)
{
	struct libssh2_agent_publickey	*id = NULL, *prev = NULL;
	unsigned			 total = 0, after = 0;
	char				 names[256] = "", one[64];
	size_t				 n;
	int				 past = 0;

	if (c->agent == NULL) {
		/* the key files ran out the server's patience first */
		snprintf(buf, size, "ssh-agent's keys were not tried");
		return;
	}

	while (libssh2_agent_get_identity(c->agent, &id, prev) == 0) {
		total++;
		if (past && ++after <= SSH_UNTRIED_SHOWN) {
			ssh_auth_key_name(id, one, sizeof(one));
			n = strlen(names);
			snprintf(names + n, sizeof(names) - n, "%s%s",
			    n > 0 ? ", " : "", one);
		}
		if (id == c->identity)
			past = 1;
		prev = id;
	}
	if (after == 0)
		snprintf(buf, size, "ssh-agent holds %u key%s, all tried",
		    total, total == 1 ? "" : "s");
	else if (after <= SSH_UNTRIED_SHOWN)
		snprintf(buf, size, "ssh-agent holds %u keys, not tried: %s",
		    total, names);
	else
		snprintf(buf, size, "ssh-agent holds %u keys, not tried: %s "
		    "and %u more", total, names, after - SSH_UNTRIED_SHOWN);
}

/* The login worked: live. */
static void
ssh_auth_live(struct ssh_conn *c)
{
	c->error[0] = '\0';
	ssh_conn_set_state(c, SSH_LIVE);
	c->live_since = c->last_rx = c->now;
	c->next_probe = c->now + 1000 * c->keepalive_s;
	libssh2_keepalive_config(c->s, 1, (unsigned)c->keepalive_s);
}

/*
 * What became of ssh(1)'s default key files, to go before what the agent
 * did: "" with key = PATH or key = agent, else "the server refused
 * /root/.ssh/id_ed25519 for deploy; " or "no key = and no default key
 * (~/.ssh/id_ed25519, id_ecdsa, id_rsa); ".
 */
static void
ssh_auth_files_said(const struct ssh_conn *c, char *buf, size_t size)
{
	buf[0] = '\0';
	if (c->key_file != NULL || c->key_files == NULL)
		return;
	if (c->nkey_files == 0)
		snprintf(buf, size, "no key = and no default key "
		    "(~/.ssh/id_ed25519, id_ecdsa, id_rsa); ");
	else if (c->key_refused[0] != '\0')
		snprintf(buf, size, "the server refused %s for %s; ",
		    c->key_refused, c->user);
}

/* Say why the login failed, and park or retry. */
static void
ssh_auth_failed(struct ssh_conn *c, int rc)
{
	char	 lib[256], left[400], files[400];

	if (rc == SSH_AUTH_NO_PUBKEY) {
		ssh_conn_fail(c, SSH_AUTH_FAILED, "auth failed: the server "
		    "offers no public-key login for %s (only: %s): allow keys "
		    "for %s on it (PubkeyAuthentication yes), or log in as a "
		    "user it takes keys from", c->user, c->methods[0] != '\0' ?
		    c->methods : "none", c->user);
		return;
	}
	ssh_conn_lib_error(c, rc, lib, sizeof(lib));
	ssh_auth_files_said(c, files, sizeof(files));
	if (c->key_file == NULL && c->agent_why[0] != '\0')
		ssh_conn_fail(c, SSH_AUTH_FAILED, "auth failed: %s%s",
		    files, c->agent_why);
	else if (c->key_file == NULL && c->tries > 1 &&
	    (c->bye[0] != '\0' || ssh_conn_fatal(rc))) {
		/* its MaxAuthTries: retrying would only meet it again */
		ssh_auth_untried(c, left, sizeof(left));
		ssh_conn_fail(c, SSH_AUTH_FAILED, "auth failed: %sthe server "
		    "closed the connection after %u tries with %skeys (%s%s%s"
		    "its MaxAuthTries); %s; set key = PATH to the one "
		    "authorized for %s on %s", files, c->tries, c->key_i > 0 ?
		    "key files' and ssh-agent's " : "ssh-agent's ",
		    c->bye[0] != '\0' ? "\"" : "", c->bye,
		    c->bye[0] != '\0' ? "\": " : "", left, c->user, c->name);
	} else if (ssh_conn_fatal(rc))
		ssh_conn_fail(c, SSH_RETRYING, "connection lost during login: "
		    "%s", lib);
	else if (rc == LIBSSH2_ERROR_FILE && access(c->key_file, R_OK) == -1)
		ssh_conn_fail(c, SSH_AUTH_FAILED, "auth failed: cannot read the "
		    "key file %s: %s", c->key_file, strerror(errno));
	else if (rc == LIBSSH2_ERROR_FILE)
		ssh_conn_fail(c, SSH_AUTH_FAILED, "auth failed: cannot use the "
		    "key file %s (%s); a key with a passphrase goes through "
		    "ssh-agent: ssh-add it and set key = agent", c->key_file,
		    lib);
	else if (c->key_file == NULL)
		ssh_conn_fail(c, SSH_AUTH_FAILED, "auth failed: %sthe server "
		    "accepted no key from ssh-agent for %s (%u tried)", files,
		    c->user, c->tries - (unsigned)c->key_i);
	else
		ssh_conn_fail(c, SSH_AUTH_FAILED, "auth failed: the server "
		    "refused the key %s for %s; check authorized_keys (and "
		    "RevokedKeys) on the server", c->key_file, c->user);
}

/* See ssh_int.h. */
void
ssh_auth_step(struct ssh_conn *c)
{
	int	 rc;

	if ((rc = ssh_auth_methods(c)) == 0)
		rc = ssh_auth_keys(c);
	else if (rc == 1)
		rc = 0;		/* "none" was enough */
	if (rc == LIBSSH2_ERROR_EAGAIN) {
		if (c->now >= c->deadline)
			ssh_conn_fail(c, SSH_RETRYING, "no answer to the "
			    "login within %d s", c->auth_ms / 1000);
		return;
	}
	if (rc == 0)
		ssh_auth_live(c);
	else
		ssh_auth_failed(c, rc);
}

/* See ssh_conn.h. */
void
ssh_conn_check_login(struct ssh_conn *c, int64_t now_ms)
{
	char	 err[128];

	if ((c->state != SSH_LIVE && c->state != SSH_STALE) ||
	    c->login != SSH_LOGIN_UNKNOWN)
		return;
	c->login_probe = ssh_exec_start(c, "echo " SSH_LOGIN_WORD, NULL, 0,
	    now_ms, SSH_LOGIN_MS, NULL, NULL, err, sizeof(err));
	if (c->login_probe != NULL)
		c->login = SSH_LOGIN_CHECKING;
}

/* See ssh_conn.h. */
enum ssh_login
ssh_conn_login(const struct ssh_conn *c)
{
	return c->login;
}

/* The first line of p with words in it, sanitised, into buf. */
static void
ssh_auth_first_words(const char *p, char *buf, size_t size)
{
	size_t	 n;

	buf[0] = '\0';
	for (; *p != '\0'; p += n + (p[n] != '\0')) {
		n = strcspn(p, "\r\n");
		if (strspn(p, " \t") < n) {
			sanitize_text(buf, size, p, n);
			return;
		}
	}
}

/* Did the check's output have its word on a line of its own? */
static int
ssh_auth_word_seen(const char *out)
{
	const char	*p = out;
	size_t		 n = strlen(SSH_LOGIN_WORD);

	while ((p = strstr(p, SSH_LOGIN_WORD)) != NULL) {
		if ((p == out || p[-1] == '\n') &&
		    (p[n] == '\n' || p[n] == '\r' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

/* See ssh_int.h. */
void
ssh_login_step(struct ssh_conn *c)
{
	struct ssh_exec	*e = c->login_probe;
	const char	*out;
	char		 said[200], how[64];
	int		 status;

	if (e == NULL || ssh_exec_result(e) == 0)
		return;
	c->login_probe = NULL;
	out = ssh_exec_stdout(e, NULL);
	if (ssh_auth_word_seen(out)) {
		c->login = SSH_LOGIN_OK;
		ssh_exec_free(e);
		return;
	}
	/* a hung shell or a slow server: nothing is known, nothing said */
	if (e->deadline != 0 && c->now >= e->deadline) {
		c->login = SSH_LOGIN_UNSURE;
		ssh_exec_free(e);
		return;
	}
	ssh_auth_first_words(out, said, sizeof(said));
	if (said[0] == '\0')
		ssh_auth_first_words(ssh_exec_stderr(e, NULL), said,
		    sizeof(said));
	status = ssh_exec_signal(e)[0] != '\0' ? -1 : ssh_exec_status(e);
	if (status == -1)
		snprintf(how, sizeof(how), "killed by signal %s",
		    ssh_exec_signal(e));
	else
		snprintf(how, sizeof(how), "exit status %d", status);
	ssh_exec_free(e);
	if (said[0] != '\0')
		ssh_conn_fail(c, SSH_NO_COMMANDS, "no command can run as %s on "
		    "%s: it answered \"%s\" (%s) where a test command (echo) "
		    "should have printed its word: its login shell is nologin, "
		    "or sshd forces a command (ForceCommand, or command= in "
		    "authorized_keys); give %s a shell such as /bin/sh and no "
		    "forced command", c->user, c->name, said, how, c->user);
	else if (status == 255)
		/* sshd's own refusals (ChrootDirectory, a session limit)
		   end the session with 255 and say nothing */
		ssh_conn_fail(c, SSH_NO_COMMANDS, "no command can run as %s on "
		    "%s: the server's sshd ends every session at once, "
		    "without a word (exit status 255): see its log (a "
		    "ChrootDirectory, a session limit?)", c->user, c->name);
	else
		ssh_conn_fail(c, SSH_NO_COMMANDS, "no command can run as %s on "
		    "%s: a test command (echo) printed nothing (%s): its "
		    "login shell or a forced command runs instead; give %s a "
		    "shell such as /bin/sh and no forced command", c->user,
		    c->name, how, c->user);
}
