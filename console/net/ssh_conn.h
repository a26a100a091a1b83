/*
 * ssh_conn.h: one SSH connection to one server, driven by the event loop
 * without ever blocking it (libssh2 in non-blocking mode).
 *
 * A connection goes connecting -> handshake -> authenticating -> live by
 * itself, each step under its own deadline.  Failures that may heal (a
 * refused or reset TCP connection, a deadline, a server that closes the
 * session) go to retrying, and it tries again after a backoff of 1 s
 * doubling to 60 s, each wait shortened by up to a fifth at random so a
 * fleet cut off at once does not come back at once.  The backoff starts
 * over only after a connection stayed live for SSH_STABLE_MS, so a server
 * that drops every session right after login is not hammered.
 *
 * Failures that need a person are parked and never retried by
 * themselves: an unknown host key (hostkey-unknown: the console shows the
 * fingerprint, asks, and calls ssh_conn_accept_hostkey(); headless mode
 * never does, so it never trusts a key silently), a changed host key
 * (hostkey-mismatch: both fingerprints shown; so is a key of another type
 * than the one known, which is never offered for trust), a refused key
 * (auth-failed: the server's words and the methods it offers when it
 * takes no key, the keys not tried when it closed after its
 * MaxAuthTries), a login that runs no command (no-commands: see
 * ssh_conn_check_login()), and a configuration we cannot use (failed).
 * ssh_conn_restart() is the operator's "reconnect now".
 *
 * Host names: a host that is not a numeric IPv4 or IPv6 address is looked
 * up with the caller's resolver (resolve.h: c-ares, so the loop never
 * waits on DNS) at the start of every attempt, reconnects included, since
 * addresses change.  The state is resolving meanwhile; a failed lookup
 * ("cannot resolve mail1.example: no such host") retries with the backoff
 * of a failed connection.  Host keys are looked up and accepted under the
 * name, never the address it resolved to, as OpenSSH does without
 * CheckHostIP: lowercased, as "[name]:port" for a port other than 22.  A
 * numeric host is connected to, and looked up in known_hosts, as written.
 * Without a resolver a name is refused (failed).
 *
 * Live connections send an SSH keepalive every keepalive_s seconds that
 * the server must answer; nothing heard for stale_ms makes the state
 * stale (channels stay open: a slow link may recover), nothing for twice
 * that drops the connection and retries.  TCP keepalive is on too.
 *
 * Commands run on the connection with ssh_exec.h.  Every string the
 * server sends (banner, error texts) is sanitised before it reaches
 * ssh_conn_error().
 *
 * Usage with the loop: poll what ssh_conn_fds() gives; on any event and at
 * least every ssh_conn_wait_ms() call ssh_conn_step(), which also moves
 * the connection's commands on.  While a name is looked up the resolver's
 * fds are what wakes the loop (ssh_conn_wait_ms() is -1): step the
 * connection after resolver_process(), which answers it.
 * ssh_conn_wait_ms() is 0 when there is work no fd will announce: a
 * command just started or freed, or a step that stopped (to let the loop
 * draw) while libssh2 still held bytes the socket will not signal again.
 */
#ifndef MAILCON_SSH_CONN_H
#define MAILCON_SSH_CONN_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

struct resolver;

#define SSH_CONN_NFDS		1
#define SSH_BACKOFF_MIN_MS	1000
#define SSH_BACKOFF_MAX_MS	60000
#define SSH_STABLE_MS		30000	/* live this long: backoff resets */

enum ssh_state {
	SSH_RESOLVING = 0,	/* looking the host name up */
	SSH_CONNECTING,		/* TCP connect */
	SSH_HANDSHAKE,		/* banner, key exchange, host key check */
	SSH_AUTHENTICATING,
	SSH_LIVE,
	SSH_STALE,		/* live, but nothing heard for a while */
	SSH_RETRYING,		/* waiting for the next attempt */
	SSH_HOSTKEY_UNKNOWN,	/* parked: ask the operator */
	SSH_HOSTKEY_MISMATCH,	/* parked: hard stop */
	SSH_AUTH_FAILED,	/* parked */
	SSH_NO_COMMANDS,	/* parked: the login runs no command */
	SSH_FAILED,		/* parked: unusable configuration */
	SSH_NSTATES
};

/* How to reach one server.  Strings are copied by ssh_conn_new(). */
struct ssh_conn_config {
	const char	*name;		/* the server's name, for messages */
	const char	*host;		/* IPv4 or IPv6 address, or a name */
	int		 port;		/* 0: 22 */
	const char	*user;
	const char	*key_file;	/* private key, the only one offered;
					   NULL: key_files, then ssh-agent */
	const char	*const *key_files; /* ssh(1)'s defaults that exist
					   (NULL-terminated, maybe empty),
					   offered in turn before ssh-agent's
					   keys; NULL: ssh-agent's only */
	const char	*passphrase;	/* of key_file, or NULL */
	const char	*known_hosts;	/* the user's file, read only; or NULL */
	const char	*own_known_hosts; /* mailcon's, written on accept */
	int		 connect_ms;	/* deadlines; 0: defaults below */
	int		 handshake_ms;
	int		 auth_ms;
	int		 keepalive_s;	/* 0: 15 */
	int		 stale_ms;	/* 0: 3 keepalive intervals */
	struct resolver	*resolver;	/* for a name; borrowed: it must
					   outlive the connection */
};

#define SSH_CONNECT_MS		10000
#define SSH_HANDSHAKE_MS	15000
#define SSH_AUTH_MS		15000
#define SSH_KEEPALIVE_S		15

struct ssh_conn;

/* A connection that starts connecting at once; never NULL (a config it
   cannot use gives the failed state). */
struct ssh_conn	*ssh_conn_new(const struct ssh_conn_config *cfg,
		    int64_t now_ms);
/* Close it.  Commands still attached fail ("connection closed") and stay
   the caller's to free with ssh_exec_free(). */
void		 ssh_conn_free(struct ssh_conn *c);

size_t		 ssh_conn_fds(const struct ssh_conn *c, struct pollfd *pfd);
/* Move on; 1 when the state changed (redraw its row), else 0. */
int		 ssh_conn_step(struct ssh_conn *c, int64_t now_ms);
/* How long the loop may sleep before the next step; -1: until an fd. */
int		 ssh_conn_wait_ms(const struct ssh_conn *c, int64_t now_ms);

enum ssh_state	 ssh_conn_state(const struct ssh_conn *c);
/* "live", "hostkey-mismatch", ...: stable names for the view and tests. */
const char	*ssh_state_name(enum ssh_state st);
/* Why the last attempt failed, in plain words; "" when it has not. */
const char	*ssh_conn_error(const struct ssh_conn *c);
/*
 * One line for the servers view: "live", "resolving mx1.example",
 * "retrying in 8 s: connection refused", "host key mismatch: known
 * SHA256:..., offered SHA256:...".
 */
void		 ssh_conn_status(const struct ssh_conn *c, int64_t now_ms,
		    char *buf, size_t size);
/* Retrying: milliseconds until the next attempt; else -1. */
int64_t		 ssh_conn_retry_in_ms(const struct ssh_conn *c,
		    int64_t now_ms);
const char	*ssh_conn_name(const struct ssh_conn *c);
/* Failed attempts since the last stable connection. */
unsigned	 ssh_conn_attempts(const struct ssh_conn *c);

/* The server's key ("SHA256:..."), once a handshake got that far; "". */
const char	*ssh_conn_fingerprint(const struct ssh_conn *c);
/* hostkey-mismatch: the key the known_hosts file holds (of another type
   when only such a one is known); "" for a revoked key (it is the one
   offered) and in any other state. */
const char	*ssh_conn_known_fingerprint(const struct ssh_conn *c);
/*
 * hostkey-unknown: trust the key the operator was shown (fingerprint
 * must be that one, so a key that changed since is not accepted
 * unseen): append it to own_known_hosts and connect again now.  0, or -1
 * with err set.
 */
int		 ssh_conn_accept_hostkey(struct ssh_conn *c,
		    const char *fingerprint, int64_t now_ms, char *err,
		    size_t errlen);
/* Whether the login can run commands, as far as it was checked. */
enum ssh_login {
	SSH_LOGIN_UNKNOWN = 0,	/* not checked in this session */
	SSH_LOGIN_CHECKING,
	SSH_LOGIN_OK,
	SSH_LOGIN_UNSURE	/* the check hung: nothing known */
};

/*
 * A command did not do what it should before its first output (a
 * follower that never started): check, once per session, that the login
 * runs commands at all, with `echo WORD`.  A login shell that is nologin,
 * a ForceCommand, or an sshd that ends every session answers otherwise:
 * the connection is then parked as no-commands, with the remote's own
 * words, which every command on it reports.  Nothing happens when it is
 * not live or was checked already.
 */
void		 ssh_conn_check_login(struct ssh_conn *c, int64_t now_ms);
enum ssh_login	 ssh_conn_login(const struct ssh_conn *c);
/* Drop whatever it is doing and connect again now, backoff reset. */
void		 ssh_conn_restart(struct ssh_conn *c, int64_t now_ms);

/*
 * The wait before retry number attempt (0 first), given r in [0, 1):
 * min(1 s * 2^attempt, 60 s), less up to a fifth of it by r.
 */
int		 ssh_backoff_ms(unsigned attempt, double r);

#endif
