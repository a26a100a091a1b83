/*
 * ssh_int.h: what the connection (ssh_conn.c, ssh_dial.c, ssh_auth.c,
 * ssh_live.c, ssh_conn_info.c) and its commands (ssh_exec.c,
 * ssh_exec_io.c) share;
 * nothing else includes it.  The connection owns the socket and the
 * libssh2 session; commands are channels on it, kept on the connection's
 * list and moved on by its step.
 *
 * Rules of a non-blocking libssh2 session with many channels (1.10):
 *
 * - Any call may read the socket and queue what it read for any channel.
 *   Those bytes no longer make the fd readable, so after a step every
 *   channel reads again until nothing new came off the socket in a whole
 *   pass (ssh_exec_step_all); ssh_conn_wait_ms() is 0 while a step had to
 *   stop before that.
 * - One packet at a time may be half-sent.  Whoever got EAGAIN with the
 *   socket blocking outbound holds the session (lock) and must repeat that
 *   very call; any other call that sends fails with BAD_USE.  Reads still
 *   go on meanwhile, but only as much as keeps the receive window from
 *   needing an adjust (which is a send).
 * - libssh2 opens one channel at a time: the caller in the middle of an
 *   open (opener) finishes it before anyone else starts one.
 */
#ifndef MAILCON_SSH_INT_H
#define MAILCON_SSH_INT_H

#include <netinet/in.h>

#include <stdint.h>

#include <libssh2.h>

#include "ssh_conn.h"
#include "ssh_exec.h"
#include "ssh_hostkey.h"

enum ssh_exec_phase {
	SSH_PH_OPEN,		/* opening the channel */
	SSH_PH_START,		/* asking for the exec */
	SSH_PH_RUN,		/* input out, output in */
	SSH_PH_CLOSE,		/* closing, then freeing the channel */
	SSH_PH_GONE		/* no channel any more */
};

/* The call of a running command that left a packet half-sent. */
enum ssh_exec_call {
	SSH_CALL_OTHER,		/* open, exec, close: the phase repeats it */
	SSH_CALL_WRITE,		/* input or EOF: ssh_exec_write() repeats it */
	SSH_CALL_READ		/* a read that sent a window adjust */
};

struct ssh_exec {
	struct ssh_conn		*conn;		/* NULL once it is gone */
	struct ssh_exec		*next;
	LIBSSH2_CHANNEL		*ch;
	enum ssh_exec_phase	 phase;
	int			 result;	/* 0, 1, -1 as ssh_exec_result */
	int			 abandoned;	/* freed by its owner */
	char			*command;
	char			*input;
	size_t			 inlen, inoff;
	int			 eof_sent;
	enum ssh_exec_call	 owed;		/* while it holds the lock */
	int			 close_step;	/* 0 send, 1 await, 2 free */
	ssh_exec_cb		 cb;
	ssh_exec_end_cb		 end;		/* told once it ended */
	void			*arg;
	char			 out[SSH_EXEC_OUT_MAX + 1];
	size_t			 outlen;
	char			 err[SSH_EXEC_OUT_MAX + 1];
	size_t			 errlen;
	int64_t			 deadline;	/* 0: none */
	int			 deadline_ms;
	int			 status;
	char			 sig[32];
	char			 error[SSH_EXEC_OUT_MAX + 256];
};

struct ssh_conn {
	enum ssh_state		 state;
	char			*name, *host, *user, *key_file, *passphrase;
	char			*known_hosts, *own_known_hosts;
	char			**key_files;	/* defaults, or NULL: key_file or
						   the agent only */
	size_t			 nkey_files;
	size_t			 key_i;		/* the next one to offer */
	char			 key_refused[320];	/* those that failed,
						   and why, this attempt */
	char			*khost;		/* host as known_hosts has it */
	int			 port, family;
	struct resolver		*resolver;	/* borrowed; for a name */
	int			 named;		/* host is a name: resolve */
	int			 answered;	/* this attempt's lookup ended */
	char			 resolve_why[64];	/* why it failed */
	char			 addr[INET6_ADDRSTRLEN + 8];	/* connected to */
	char			 where[320];	/* "name (addr)" or addr */
	int			 connect_ms, handshake_ms, auth_ms;
	int			 keepalive_s, stale_ms;
	int			 fd;
	LIBSSH2_SESSION		*s;
	LIBSSH2_AGENT		*agent;
	struct libssh2_agent_publickey *identity;
	char			 agent_why[256];	/* ssh-agent unusable */
	char			 methods[128];	/* the server's login methods */
	int			 methods_known;	/* asked in this attempt */
	unsigned		 tries;		/* keys offered (files and
						   the agent's) */
	int			 trying;	/* one is under way */
	char			 bye[160];	/* the server's DISCONNECT text */
	enum ssh_login		 login;		/* can it run commands? */
	struct ssh_exec		*login_probe;	/* the check under way */
	LIBSSH2_CHANNEL		*probe;		/* idle liveness channel */
	const void		*lock;		/* who holds a half-sent packet */
	const void		*opener;	/* whose channel open is under way */
	uint64_t		 rx;		/* bytes read off the socket */
	int			 pending;	/* step again without waiting */
	int			 want_out;	/* a send waits for socket room */
	int			 starved;	/* unread bytes wait for a send */
	struct ssh_exec		*execs;
	int64_t			 now;		/* of the current step */
	int64_t			 deadline;	/* of the current phase */
	int64_t			 retry_at;
	int64_t			 live_since;
	int64_t			 last_rx;	/* last bytes from the server */
	int64_t			 next_probe;
	unsigned		 attempts;
	uint32_t		 rng;
	char			 greet[64];	/* first bytes received */
	size_t			 greetlen;
	char			 fp[SSH_FP_MAX];
	char			 known_fp[SSH_FP_MAX];
	unsigned char		*offered;	/* hostkey-unknown: the key */
	size_t			 offered_len;
	int			 offered_type;
	int			 lost;		/* set by a command's step */
	char			 lost_why[256];
	char			 error[768];
};

/* Fail this attempt: park in st, or retry after the backoff. */
/* Move to st; every change is traced (trace.h), with the reason of a
   failure. */
void	ssh_conn_set_state(struct ssh_conn *c, enum ssh_state st);
void	ssh_conn_fail(struct ssh_conn *c, enum ssh_state st, const char *fmt,
	    ...) __attribute__((format(printf, 3, 4)));
/*
 * The way to a session (ssh_dial.c).  Begin an attempt: look the name up
 * first, else connect at once.
 */
void	ssh_conn_begin(struct ssh_conn *c);
/* Resolving: the lookup ended: connect to the address, or retry later. */
void	ssh_conn_step_resolve(struct ssh_conn *c);
/* Connecting: the TCP connect finished (or not yet): make the session. */
void	ssh_conn_step_connect(struct ssh_conn *c);
/* The handshake failed with rc: say why, in words an operator can act on. */
void	ssh_conn_handshake_failed(struct ssh_conn *c, int rc);
/* After the handshake: is this the server we know? */
void	ssh_conn_check_hostkey(struct ssh_conn *c);
/* Authenticating: one step of the login (ssh_auth.c). */
void	ssh_auth_step(struct ssh_conn *c);
/* Live: judge the login check once it ended (ssh_auth.c). */
void	ssh_login_step(struct ssh_conn *c);
/*
 * What libssh2 error rc means, in plain words (ssh_words.c): the server's
 * goodbye (bye, may be NULL or "") when it closed; libssh2's own text
 * (lib, liblen bytes) only for a code without words.
 */
void	ssh_words(int rc, const char *lib, size_t liblen, const char *bye,
	    char *buf, size_t size);

/* Live or stale: keepalives, staleness, the server going away, and the
   commands moved on (ssh_live.c). */
void	ssh_conn_step_live(struct ssh_conn *c);
/* Record the outcome of a libssh2 call made for who (see ssh_live.c). */
void	ssh_conn_note(struct ssh_conn *c, const void *who, int rc);
/* May who start a libssh2 call that sends? */
int	ssh_conn_may_send(const struct ssh_conn *c, const void *who);
/* Will a small packet go out whole now?  If not, poll for room. */
int	ssh_conn_room(struct ssh_conn *c);
/* What the libssh2 call that returned rc met, in plain words, into buf. */
void	ssh_conn_lib_error(struct ssh_conn *c, int rc, char *buf,
	    size_t size);
/* Is rc an error of the connection rather than of one channel? */
int	ssh_conn_fatal(int rc);
/* A command's call failed with a connection error: drop it after this
   step. */
void	ssh_conn_lose(struct ssh_conn *c, const char *why);

/* Move every command on until none can go further (ssh_exec.c). */
void	ssh_exec_step_all(struct ssh_conn *c, int64_t now_ms);
/* The connection is going: fail its commands, forget their channels. */
void	ssh_exec_lost_all(struct ssh_conn *c, const char *why);
/* The earliest deadline of its commands, or 0. */
int64_t	ssh_exec_next_deadline(const struct ssh_conn *c);
/* Wipe and free a command's input (ssh_exec.c). */
void	ssh_exec_drop_input(struct ssh_exec *e);
/* A libssh2 call for e failed with rc: the channel's or the session's? */
void	ssh_exec_error_rc(struct ssh_exec *e, int rc, const char *what);
/* Note the outcome of e's call, and which call it owes (ssh_exec_io.c). */
void	ssh_exec_note(struct ssh_exec *e, enum ssh_exec_call call, int rc);
/* Read a stream of e; -1 when the command failed, *moved when it read. */
int	ssh_exec_read(struct ssh_exec *e, int stream, int *moved);
/* Write e's input, then EOF; -1 when the command failed. */
int	ssh_exec_write(struct ssh_exec *e, int *moved);

#endif
