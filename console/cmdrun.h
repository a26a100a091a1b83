/*
 * cmdrun.h: run one short command for the event loop without waiting on
 * it: the steps of an action (a deny-file edit, postmap, doveadm pw).
 *
 * The command gets its input from a buffer (a new password goes this way,
 * never through argv, which any local user can read in /proc), and its
 * stdout and stderr are kept up to CMDRUN_OUT_MAX bytes each.  It must end
 * within its deadline, else its process group is killed and the run fails.
 * The input buffer is wiped once written or when the run is freed.
 *
 * Usage with the loop: poll what cmdrun_fds() gives; on any event, on
 * SIGCHLD, and at least every cmdrun_wait_ms() call cmdrun_step().
 */
#ifndef MAILCON_CMDRUN_H
#define MAILCON_CMDRUN_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#define CMDRUN_OUT_MAX	8192	/* bytes of stdout and of stderr kept */
#define CMDRUN_NFDS	3

struct cmdrun;

/*
 * Start argv (argv[0] looked up in PATH) with input (len bytes, copied;
 * NULL for /dev/null).  NULL only when no process could be made (err says
 * why); a missing binary is a run that fails with "not found".
 */
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
/* What it printed, NUL-terminated (raw bytes: sanitise before showing). */
const char	*cmdrun_stdout(const struct cmdrun *r, size_t *len);
const char	*cmdrun_stderr(const struct cmdrun *r, size_t *len);
/* Why it failed, in plain words with its stderr; "" while it has not. */
const char	*cmdrun_error(const struct cmdrun *r);
void		 cmdrun_free(struct cmdrun *r);

/* Run to the end, blocking (tests and the CLI's helpers): as cmdrun_step. */
int		 cmdrun_wait(struct cmdrun *r);

#endif
