/*
 * ssh_exec.h: one remote command on an exec channel of a live SSH
 * connection (ssh_conn.h), without blocking the loop.
 *
 * The command line goes to the user's login shell on the server, so a
 * command built from words must be quoted: ssh_exec_start_argv() does it
 * (shquote.h); ssh_exec_start() takes a line that is already a shell
 * command (a fixed template from the config), never log text.
 *
 * Input (optional, copied, wiped when sent or freed: it may be a
 * password) is written and then EOF sent.  Output is either kept, up to
 * SSH_EXEC_OUT_MAX bytes of stdout and of stderr (the rest is read and
 * dropped, so the channel never stalls), or handed as it arrives to a
 * callback (log following).  Bytes are raw: sanitise before showing.
 *
 * A command ends with its exit status (or the signal that killed it), at
 * its deadline (the channel is closed; libssh2 1.10 cannot signal the
 * remote process, which gets EOF and SIGPIPE on its next write), or when
 * the connection is lost.  Several commands may run on one connection
 * at once.  The connection's ssh_conn_step() moves them on; a command
 * starts in the step after ssh_exec_start() (which makes
 * ssh_conn_wait_ms() 0).  A callback may start and free commands, but not
 * free the connection.
 */
#ifndef MAILCON_SSH_EXEC_H
#define MAILCON_SSH_EXEC_H

#include <stddef.h>
#include <stdint.h>

#define SSH_EXEC_OUT_MAX	8192

enum ssh_stream { SSH_STDOUT = 0, SSH_STDERR = 1 };

/* Bytes the command just wrote on stream (SSH_STDOUT or SSH_STDERR). */
typedef void	(*ssh_exec_cb)(void *arg, int stream, const char *p,
		    size_t len);

struct ssh_conn;
struct ssh_exec;

/*
 * Start command on c, which must be live or stale.  input (len bytes,
 * NULL: none) is given on stdin, then EOF.  deadline_ms 0: no deadline
 * (a follower).  cb NULL: keep the output for ssh_exec_stdout/stderr.
 * NULL with err set when c is not live.
 */
struct ssh_exec	*ssh_exec_start(struct ssh_conn *c, const char *command,
		    const char *input, size_t len, int64_t now_ms,
		    int deadline_ms, ssh_exec_cb cb, void *arg, char *err,
		    size_t errlen);
/* The same with argv (NULL-terminated) quoted for the remote shell. */
struct ssh_exec	*ssh_exec_start_argv(struct ssh_conn *c, char *const argv[],
		    const char *input, size_t len, int64_t now_ms,
		    int deadline_ms, ssh_exec_cb cb, void *arg, char *err,
		    size_t errlen);

/* The command has ended (ssh_exec_result() is not 0 any more). */
typedef void	(*ssh_exec_end_cb)(void *arg);

/*
 * Be told, with the arg given at start, when the command ends, as the
 * connection's step or its loss finds it: from within ssh_conn_step() or
 * ssh_conn_free().  The callback only takes note: it must not start or
 * free a command, nor free the connection.
 */
void		 ssh_exec_on_end(struct ssh_exec *e, ssh_exec_end_cb cb);

/* 0 running, 1 exited 0, -1 failed (ssh_exec_error() says how). */
int		 ssh_exec_result(const struct ssh_exec *e);
/* The exit status (128 + signal number when it is known), -1: none. */
int		 ssh_exec_status(const struct ssh_exec *e);
/* The signal that ended it ("TERM", "KILL"), or "". */
const char	*ssh_exec_signal(const struct ssh_exec *e);
/* What it printed, NUL-terminated, when no callback was given. */
const char	*ssh_exec_stdout(const struct ssh_exec *e, size_t *len);
const char	*ssh_exec_stderr(const struct ssh_exec *e, size_t *len);
/* Why it failed, in plain words with its stderr; "" while it has not. */
const char	*ssh_exec_error(const struct ssh_exec *e);
/* Close its channel (later, if the connection is busy) and free it. */
void		 ssh_exec_free(struct ssh_exec *e);

#endif
