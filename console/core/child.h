/*
 * child.h: the plumbing shared by commands the event loop runs without
 * waiting on them (the queue read, a queue operation, an action's steps):
 * spawning, reading their output, and killing and reaping them at a
 * deadline.
 *
 * A child runs in its own process group (so a deadline can kill all it
 * started), with default signal dispositions and mask, every descriptor
 * but 0-2 closed at exec, and exec failure told as an errno written to a
 * close-on-exec pipe, read once the child is reaped.  Reaping is with
 * WNOHANG only; a child that will not die when freed is remembered and
 * reaped on a later call.  The loop must not set SIGCHLD to SIG_IGN.
 */
#ifndef MAILCON_CHILD_H
#define MAILCON_CHILD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Between attempts to reap a child whose output has ended or that was
   killed: reaping is WNOHANG only, so it is tried again. */
#define CHILD_REAP_POLL_MS	10

/* What child_drain() hands on: len bytes just read. */
typedef void	(*child_data_cb)(void *arg, const char *p, size_t len);

/* Close a descriptor we own and mark it closed (-1). */
void	child_close(int *fdp);
/*
 * Make both ends of fds close-on-exec and ours, fds[0], non-blocking.  On
 * failure closes both, sets them to -1 and returns -1.
 */
int	child_setup(int fds[2]);
/*
 * Fork and exec argv with in (or /dev/null when -1), out and err as 0-2;
 * execfd gets the errno when exec fails.  The parent's descriptors must be
 * close-on-exec.  Returns the pid, or -1 with errno set when fork failed.
 */
pid_t	child_spawn(char *const argv[], int in, int out, int err, int execfd);
/*
 * child_spawn() with envp (NULL-terminated, borrowed) as the child's whole
 * environment instead of ours; NULL: ours.  PATH is looked up in envp.
 */
pid_t	child_spawn_env(char *const argv[], char *const envp[], int in,
	    int out, int err, int execfd);
/* SIGKILL the child's process group (and the child, should setpgid have
   lost the race). */
void	child_kill(pid_t pid);
/* Reap pid without waiting: 1 when reaped (*status -1: someone else
   reaped it), 0 while it runs. */
int	child_try_reap(pid_t pid, int *status);
/* Kill pid and reap it, waiting at most 0.2 s; else reap it later. */
void	child_abandon(pid_t pid);
/* Reap children abandoned earlier that have died since. */
void	child_reap_orphans(void);
/* "failed with exit status 3", "was killed by signal 9", ... */
void	child_status_text(int status, char *buf, size_t size);

/*
 * Reading a child's output from the non-blocking end child_setup() made:
 * read *fdp into buf (size bytes at a time) and give each piece to cb,
 * until it would block, until budget bytes were read (SIZE_MAX: no
 * limit), or until EOF, when *fdp is closed and set to -1.  EINTR is
 * retried.  Returns 1 when this call met EOF, 0 when it stopped for
 * another reason (or *fdp was -1 already), -1 on a read error (errno).
 */
int	child_drain(int *fdp, char *buf, size_t size, size_t budget,
	    child_data_cb cb, void *arg);

/*
 * Once it is reaped: the errno the child wrote to the exec pipe when exec
 * failed, else 0.  *execfdp is closed.
 */
int	child_exec_errno(int *execfdp);
/* A wait status as a shell tells it: the exit status, 128 + the signal
   when killed, -1 when there is none (status -1: reaped by someone else). */
int	child_exit_code(int status);
/*
 * At the deadline or on an error: kill pid's group, then close our ends
 * of its stdin, stdout and stderr (each may be NULL), then reap it if it
 * died at once.  1 when reaped (*status set), else 0: child_try_reap() on
 * later steps.
 */
int	child_kill_reap(pid_t pid, int *infd, int *outfd, int *errfd,
	    int *status);
/*
 * How long the loop may sleep before the next step of a child that must
 * be done by deadline: CHILD_REAP_POLL_MS when only reaping is left
 * (reaping), else until the deadline.
 */
int	child_wait_ms(int reaping, int64_t deadline, int64_t now_ms);

#endif
