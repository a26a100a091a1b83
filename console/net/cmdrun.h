/*
 * cmdrun.h: run one command for the event loop without waiting on it, on
 * either transport: a local process, or an exec channel of a server's SSH
 * connection.  An action's steps (a backend's scripts and tools), the
 * queue read (queue_read.c) and the queue operations (queue_op.c) all run
 * this way, so their output meets the same parser whichever way it came.
 *
 * The command gets its input from a buffer (a new password goes this way,
 * never through argv, which any local user can read in /proc).  Its output
 * is either kept, up to CMDRUN_OUT_MAX bytes of stdout and of stderr, or
 * handed as it arrives to a callback (the first CMDRUN_OUT_MAX bytes of
 * stderr are kept anyway, for the error message).  It must end within its
 * deadline, else it is killed (locally its whole process group; over SSH
 * its channel is closed) and the run fails.  The input is wiped once
 * written or when the run is freed.
 *
 * Over SSH (cmdrun_ssh.c) the argv is quoted once more for the remote
 * shell (shquote.h); with sudo it is prefixed by "sudo -n --": -n so that
 * sudo fails at once instead of waiting for a password nobody can type,
 * "--" so that no word of the command is taken as an option of sudo's.
 * sudo's refusals and a command the remote shell cannot find (exit 127)
 * are told in plain words that name the server and what to do.
 *
 * Usage with the loop: poll what cmdrun_fds() gives; on any event, on
 * SIGCHLD, and at least every cmdrun_wait_ms() call cmdrun_step().  A
 * remote command has no descriptor of its own: the owner of its
 * connection polls that and calls ssh_conn_step(), which moves the command
 * on (and runs the callback); cmdrun_step() only looks where it got.
 */
#ifndef MAILCON_CMDRUN_H
#define MAILCON_CMDRUN_H

#include <sys/types.h>

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#define CMDRUN_OUT_MAX	8192	/* bytes of stdout and of stderr kept */
#define CMDRUN_NFDS	3
#define CMDRUN_STDOUT	0	/* streams, as ssh_exec.h numbers them */
#define CMDRUN_STDERR	1
/* Over SSH, the channel closes at the deadline; if the connection's owner
   has not stepped it by this much later, the run gives up by itself. */
#define CMDRUN_SSH_GRACE_MS	2000

struct cmdrun;
struct ssh_conn;

/* Bytes the command just wrote on stream (CMDRUN_STDOUT or _STDERR). */
typedef void	(*cmdrun_cb)(void *arg, int stream, const char *p,
		    size_t len);

/* Where a command runs.  Strings are copied by cmdrun_run(). */
struct cmdrun_via {
	struct ssh_conn	*ssh;		/* NULL: here, as a child process */
	const char	*server;	/* its name, for messages */
	const char	*user;		/* the login there, for messages */
	int		 sudo;		/* there through sudo -n -- */
};

/* What to run.  Everything is only read during cmdrun_run(). */
struct cmdrun_spec {
	char *const	*argv;		/* argv[0] looked up in PATH */
	char *const	*envp;		/* here: the whole environment;
					   NULL: ours.  Not sent over SSH */
	const char	*input;		/* stdin (copied); NULL: none */
	size_t		 inlen;
	int		 deadline_ms;
	cmdrun_cb	 cb;		/* NULL: keep the output */
	void		*arg;
	size_t		 budget;	/* here: bytes read per step and
					   stream; 0: no limit */
	const char	*name;		/* in messages; NULL: argv[0] */
	const char	*hint;		/* added when it is not found */
	int		 secret_input;	/* each line of input is a secret:
					   written as "<secret>" wherever
					   the command prints it (secret.h) */
};

/*
 * Start spec on via (NULL: here).  NULL only when nothing could be
 * started: no process could be made, or the connection is not live (err
 * then says "SERVER: not connected (its state)").  A missing binary is a
 * run that fails with "not found".
 */
struct cmdrun	*cmdrun_run(const struct cmdrun_via *via,
		    const struct cmdrun_spec *spec, int64_t now_ms, char *err,
		    size_t errlen);
/* cmdrun_run() here with input, keeping the output. */
struct cmdrun	*cmdrun_start(char *const argv[], const char *input,
		    size_t len, int64_t now_ms, int deadline_ms, char *err,
		    size_t errlen);
/* cmdrun_start() with envp as the command's whole environment (NULL:
   ours); envp is only read during the call. */
struct cmdrun	*cmdrun_start_env(char *const argv[], char *const envp[],
		    const char *input, size_t len, int64_t now_ms,
		    int deadline_ms, char *err, size_t errlen);
size_t		 cmdrun_fds(const struct cmdrun *r, struct pollfd *pfd);
/* 0 running, 1 exited 0, -1 failed (cmdrun_error() says how). */
int		 cmdrun_step(struct cmdrun *r, int64_t now_ms);
int		 cmdrun_wait_ms(const struct cmdrun *r, int64_t now_ms);
/* The exit status (128 + signal when killed), -1 when it never ran. */
int		 cmdrun_status(const struct cmdrun *r);
/* What it printed, NUL-terminated (raw bytes: sanitise before showing).
   With a callback, stdout is "" and stderr its first bytes. */
const char	*cmdrun_stdout(const struct cmdrun *r, size_t *len);
const char	*cmdrun_stderr(const struct cmdrun *r, size_t *len);
/* Why it failed, in plain words with its stderr; "" while it has not. */
const char	*cmdrun_error(const struct cmdrun *r);
/* The same without the name and without its stderr ("failed with exit
   status 3"), for callers that add their own account of the output. */
const char	*cmdrun_what(const struct cmdrun *r);
/* The command as messages name it ("mailcon-deny-add on mx1"). */
const char	*cmdrun_name(const struct cmdrun *r);
/* The local process while it is not reaped, else -1. */
pid_t		 cmdrun_pid(const struct cmdrun *r);
/* A local stream's descriptor (CMDRUN_STDOUT, _STDERR), -1 at its EOF or
   over SSH. */
int		 cmdrun_fd(const struct cmdrun *r, int stream);
void		 cmdrun_free(struct cmdrun *r);

/*
 * Run to the end, blocking (the CLI and tests): as cmdrun_step.  A remote
 * command's connection is polled and stepped here too.
 */
int		 cmdrun_wait(struct cmdrun *r);

/* cmdrun_ssh.c: the remote half, and its pure parts (unit tests). */

/* What sudo's stderr says, when sudo refused to run the command. */
enum cmdrun_sudo {
	CMDRUN_SUDO_NONE = 0,	/* not sudo's refusal */
	CMDRUN_SUDO_PASSWORD,	/* it wants a password (sudo -n) */
	CMDRUN_SUDO_DENIED,	/* the login may not run the command */
	CMDRUN_SUDO_NOTFOUND,	/* sudo found no such command */
	CMDRUN_SUDO_MISSING	/* no sudo on the server (exit 127) */
};

/*
 * The argv the remote shell runs: argv, after "sudo" "-n" "--" when sudo
 * is set.  Allocated (the words are borrowed from argv): free() the
 * array only.
 */
char		**cmdrun_remote_argv(char *const argv[], int sudo);
/* That argv as the one command line the remote shell gets (shquote.h);
   the length, or -1 when it does not fit size. */
int		 cmdrun_remote_line(char *const argv[], int sudo, char *buf,
		     size_t size);
/*
 * Classify a remote command's stderr (len bytes) and exit status: which
 * refusal of sudo's it is, and (line, linelen; may be NULL) the line that
 * says so.  Only lines in sudo's own form count, so that a command's
 * output cannot pass for sudo's.
 */
enum cmdrun_sudo cmdrun_sudo_said(const char *err, size_t len, int status,
		     const char **line, size_t *linelen);
/*
 * Why a remote command that ran exited with status (not 0), in plain
 * words for "NAME WHAT": sudo's refusals (when via->sudo) and exit 127
 * explained, naming the server and the user; else "failed with exit
 * status N".  *full is set when the words tell all that matters of what
 * stderr said.
 */
void		 cmdrun_remote_failure(const struct cmdrun_via *via,
		     int status, const char *err, size_t len, char *buf,
		     size_t size, int *full);

#endif
