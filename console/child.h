/*
 * child.h: the plumbing shared by commands the event loop runs without
 * waiting on them (postqueue -j, postsuper).
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
#include <sys/types.h>

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

#endif
