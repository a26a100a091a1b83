/*
 * audit_int.h: what audit.c (the connection, its worker thread and the
 * loop's side of it), audit_write.c (the jobs of an intent, an outcome and
 * a verification, built in the caller's thread) and audit_read.c (the rows
 * read back) share.  Private to the audit.
 */
#ifndef MAILCON_AUDIT_INT_H
#define MAILCON_AUDIT_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "audit.h"

enum job_type {
	JOB_INTENT,
	JOB_OUTCOME,
	JOB_VERIFIED
};

/* One write: the values are copies, already redacted and sanitised. */
struct audit_job {
	struct audit_job	*next;
	enum job_type		 type;
	int64_t			 id;		/* the row; the result of intents */
	int64_t			 t;		/* started, finished, verified_at */
	char			*s[6];		/* the text columns of the job */
	int			 state;
	int			 exit_status;
	audit_cb		 cb;
	void			*arg;
	int			 failed;
	char			 err[512];
};

struct audit {
	sqlite3			*db;
	char			*path;
	pthread_mutex_t		 dblock;	/* one user of db at a time */

	/* Below: under lock. */
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	struct audit_job	*queue, **queue_tail;
	struct audit_job	*done, **done_tail;
	int			 busy;		/* the worker holds a job */
	int			 quit;

	pthread_t		 worker;
	int			 pipe[2];	/* worker -> loop: a job ended */
	char			 err[512];	/* the caller's thread only */
	int			 has_err;
};

/* audit.c */
void		 audit_fail(struct audit *, int, const char *, char *, size_t);
void		 audit_exec(struct audit *, struct audit_job *);
void		 audit_job_free(struct audit_job *);
void		 audit_queue(struct audit *, struct audit_job *);
void		 audit_set_error(struct audit *, const char *);

#endif /* MAILCON_AUDIT_INT_H */
