/*
 * job.h: a child process the event loop owns, in the manner of tmux's
 * job.c: its stdout and stderr are watched by the loop and handed to an
 * output callback as they arrive, its death comes from the registry
 * (child.h: reaped from SIGCHLD, never waited for), and a done callback
 * runs once, when it has been reaped and both streams have ended.
 *
 * Without a loop (the CLI, unit tests) the owner calls job_poll() where it
 * would have polled: it reads, reaps and calls the same callbacks.
 *
 * A child that closed its output but does not exit, or that exited while
 * something it started keeps its output open, is given JOB_LINGER_MS;
 * then its process group is killed and the job is done: it cannot have
 * more to say.
 */
#ifndef MAILCON_JOB_H
#define MAILCON_JOB_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define JOB_STDOUT	0
#define JOB_STDERR	1
#define JOB_LINGER_MS	1000	/* output ended, still running (or the
				   reverse): then it is killed */

struct loop;
struct job;

struct job_cbs {
	/*
	 * Bytes the child just wrote on stream (JOB_STDOUT, JOB_STDERR),
	 * at most the job's budget per stream and wake-up.  Must not free
	 * the job.
	 */
	void	(*output)(void *arg, int stream, const char *p, size_t len);
	/*
	 * It has been reaped and its output has ended: status as waitpid()
	 * gave it (-1: reaped by someone else), exec_errno the errno of an
	 * exec that failed (0: it ran).  Once, and last: it may free the job.
	 */
	void	(*done)(void *arg, int status, int exec_errno);
	void	*arg;
};

/*
 * Start argv (envp: its whole environment, NULL: ours; stdin /dev/null)
 * in its own process group.  With l, its pipes are watched by l and
 * output comes from the loop; with NULL, from job_poll().  budget: bytes
 * read per stream and wake-up (0: 64 KiB).  The callbacks are copied.
 * NULL with err set when no process could be made.
 */
struct job	*job_start(struct loop *l, char *const argv[],
		    char *const envp[], const struct job_cbs *cbs,
		    size_t budget, char *err, size_t errlen);
/*
 * Without a loop: read what the pipes have, reap, kill a lingering
 * child, and call the callbacks (now_ms: loop_now_ms()).  Harmless with
 * a loop.
 */
void		 job_poll(struct job *j, int64_t now_ms);
/* Bytes read per stream and wake-up from now on (0: 64 KiB). */
void		 job_set_budget(struct job *j, size_t budget);
/* Kill its process group now; done still comes, once it is reaped. */
void		 job_kill(struct job *j);
/* Its pid while it has not been reaped, else -1. */
pid_t		 job_pid(const struct job *j);
/* Whether done has been called. */
int		 job_done(const struct job *j);
/* Stop watching it; a child still running is killed and left to the
   registry to reap (child_abandon()). */
void		 job_free(struct job *j);

#endif
