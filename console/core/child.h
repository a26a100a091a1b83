/*
 * child.h: the plumbing shared by commands the event loop runs without
 * waiting on them (the queue read and moves, an action's steps, a log
 * command): spawning, reading their output, and killing and reaping them
 * at a deadline.
 *
 * A child runs in its own process group (so a deadline can kill all it
 * started), with default signal dispositions and mask, every descriptor
 * but 0-2 closed at exec, and exec failure told as an errno written to a
 * close-on-exec pipe, read once the child is reaped.
 *
 * The registry (after tmux's job.c): every child child_spawn() makes is
 * remembered until it is reaped, and reaping is WNOHANG only, never a
 * wait.  Once child_attach() gave it the loop, SIGCHLD comes through the
 * loop's self-pipe and child_reap() runs from there: a child is reaped
 * as it dies, and its owner's exit callback (child_on_exit()) runs on the
 * loop's thread.  Without a loop (the CLI, tests) owners poll with
 * child_try_reap().  An owner that no longer cares abandons the child:
 * killed, and reaped when it has died (with a loop, from SIGCHLD; without
 * one, within 0.2 s or on a later call).  The loop must not set SIGCHLD
 * to SIG_IGN.
 */
#ifndef MAILCON_CHILD_H
#define MAILCON_CHILD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct loop;

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
/*
 * child_spawn_env() with new pipes for its stdout, stderr and exec errno:
 * our ends (close-on-exec, non-blocking) in *out, *err and *execfd; in
 * is its stdin (-1: /dev/null), left open.  The pid, or -1 with errno
 * set and nothing of ours left open.
 */
pid_t	child_start(char *const argv[], char *const envp[], int in, int *out,
	    int *err, int *execfd);
/* SIGKILL the child's process group (and the child, should setpgid have
   lost the race). */
void	child_kill(pid_t pid);
/* Reap pid without waiting, or take the status the registry reaped: 1
   when reaped (*status -1: someone else reaped it), 0 while it runs. */
int	child_try_reap(pid_t pid, int *status);
/*
 * The owner is done with pid: kill its group; it is reaped when it has
 * died.  With a loop attached nothing waits (SIGCHLD reaps it); without
 * one it is waited for at most 0.2 s, else reaped on a later call.  Its
 * exit callback, if any, is not called.
 */
void	child_abandon(pid_t pid);
/* Reap children abandoned earlier that have died since. */
void	child_reap_orphans(void);

/* A registered child was reaped: status as waitpid() gave it (-1:
   reaped by someone else).  On the loop's thread, once. */
typedef void	(*child_exit_cb)(void *arg, pid_t pid, int status);

/*
 * Tell cb(arg) when pid (from child_spawn()) has been reaped; NULL cb:
 * tell no one (the owner polls with child_try_reap()).  A child already
 * reaped is told at once.  Returns 0, or -1 when pid is not registered.
 */
int	child_on_exit(pid_t pid, child_exit_cb cb, void *arg);
/*
 * Reap every registered child that has died, without waiting: statuses
 * kept for their owners, exit callbacks called, abandoned ones dropped.
 * The loop calls it on SIGCHLD; safe to call at any time.
 */
void	child_reap(void);
/*
 * Route SIGCHLD through loop l (loop_add_signal): children are reaped as
 * they die.  child_detach() before the loop is freed.  0, or -1.
 */
int	child_attach(struct loop *l);
void	child_detach(void);
/* Registered children not reaped yet, abandoned ones included. */
size_t	child_pending(void);
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
