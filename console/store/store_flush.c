/*
 * store_flush.c: when and where batches are committed: on the caller's
 * thread or on the store's writer thread; the batching entry points and
 * the store's state.  What a commit writes is store_commit.c.
 *
 * Why a thread: with WAL and synchronous=NORMAL a commit only appends to
 * the -wal file, but every ~4 MB of it sqlite checkpoints, which writes the
 * database and fsyncs; on a slow or networked home directory that can take
 * a second.  The UI must not wait for it, and sqlite only blocks, so the
 * live console commits on one writer thread and learns of the end through
 * a pipe its poll() loop watches (DESIGN.md allows this for such
 * libraries).  The UI thread alone fills `pending`, so batching takes no
 * lock; the swap in store_flush() takes st->lock for a few pointer moves.
 * While the writer is still busy, batches keep merging in memory.
 */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store_int.h"

/* Commit an idle store's session time at least this often (seconds). */
#define STORE_ALIVE_EVERY	60

/*
 * Account for a finished commit (under st->lock): a locked database keeps
 * the batch for the next flush; any other failure turns history off.
 * Returns what store_flush() returns.
 */
static int
store_commit_done(struct store *st, struct batch *b, int rc, int committed,
    uint64_t pruned, const char *err)
{
	st->stats.pruned += pruned;
	if (committed) {
		st->stats.flushes++;
		st->stats.rows += b->keys;
		st->stats.dropped += b->dropped;
		st->alive = b->now;
	} else if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
		st->stats.deferred++;
		st->retry = b;
		return 1;
	} else
		st->stats.dropped += b->keys + b->dropped;
	batch_free(b);
	if (rc == SQLITE_OK)
		return 0;
	st->off = 1;
	snprintf(st->err, sizeof(st->err), "%s", err);
	return -1;
}

/* The writer thread: commit each job handed over, until told to quit. */
static void *
store_writer_main(void *arg)
{
	struct store	*st = arg;
	struct batch	*b;
	char		 err[sizeof(st->err)];
	uint64_t	 pruned;
	int		 rc, committed;

	pthread_mutex_lock(&st->lock);
	for (;;) {
		while (st->job == NULL && !st->quit)
			pthread_cond_wait(&st->cond, &st->lock);
		if (st->job == NULL)
			break;
		b = st->job;
		pthread_mutex_unlock(&st->lock);
		pruned = 0;
		err[0] = '\0';
		rc = store_commit(st, b, &committed, &pruned, err,
		    sizeof(err));
		pthread_mutex_lock(&st->lock);
		store_commit_done(st, b, rc, committed, pruned, err);
		st->job = NULL;
		pthread_cond_broadcast(&st->cond);
		/* Full pipe: the loop has a wake-up pending already. */
		(void)!write(st->pipe[1], "", 1);
	}
	pthread_mutex_unlock(&st->lock);
	return NULL;
}

/* Start the writer thread and its pipe. */
int
store_writer_start(struct store *st, char *err, size_t errlen)
{
	int	 i;

	if (pipe(st->pipe) == -1) {
		snprintf(err, errlen, "history: pipe: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < 2; i++) {
		fcntl(st->pipe[i], F_SETFL, O_NONBLOCK);
		fcntl(st->pipe[i], F_SETFD, FD_CLOEXEC);
	}
	if ((errno = pthread_create(&st->writer, NULL, store_writer_main,
	    st)) != 0) {
		snprintf(err, errlen, "history: cannot start the writer: %s",
		    strerror(errno));
		close(st->pipe[0]);
		close(st->pipe[1]);
		st->pipe[0] = st->pipe[1] = -1;
		return -1;
	}
	st->has_writer = 1;
	return 0;
}

/* Stop the writer (after store_wait) and close its pipe. */
void
store_writer_stop(struct store *st)
{
	if (!st->has_writer)
		return;
	pthread_mutex_lock(&st->lock);
	st->quit = 1;
	pthread_cond_broadcast(&st->cond);
	pthread_mutex_unlock(&st->lock);
	pthread_join(st->writer, NULL);
	st->has_writer = 0;
	close(st->pipe[0]);
	close(st->pipe[1]);
	st->pipe[0] = st->pipe[1] = -1;
}

/* See store.h. */
int
store_flush(struct store *st, int64_t now)
{
	struct batch	*b;
	char		 err[sizeof(st->err)];
	uint64_t	 pruned = 0;
	int		 rc, committed;

	pthread_mutex_lock(&st->lock);
	if (st->off) {
		st->stats.dropped += st->pending->keys + st->pending->dropped;
		batch_free(st->pending);
		st->pending = batch_new();
		pthread_mutex_unlock(&st->lock);
		return -1;
	}
	st->pending->now = now;
	if (st->job != NULL) {
		st->stats.deferred++;	/* the writer is slow: keep merging */
		pthread_mutex_unlock(&st->lock);
		return 1;
	}
	/* Nothing new: only note now and then that we are alive. */
	if (batch_empty(st->pending) && st->retry == NULL &&
	    now - st->alive < STORE_ALIVE_EVERY) {
		pthread_mutex_unlock(&st->lock);
		return 0;
	}
	b = st->pending;
	st->pending = batch_new();
	if (st->retry != NULL) {
		batch_merge(st->retry, b);	/* older first: latest wins */
		batch_free(b);
		b = st->retry;
		st->retry = NULL;
	}
	if (st->has_writer) {
		st->job = b;
		pthread_cond_signal(&st->cond);
		pthread_mutex_unlock(&st->lock);
		return 0;
	}
	pthread_mutex_unlock(&st->lock);
	rc = store_commit(st, b, &committed, &pruned, err, sizeof(err));
	pthread_mutex_lock(&st->lock);
	rc = store_commit_done(st, b, rc, committed, pruned, err);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* See store.h. */
int
store_fd(struct store *st)
{
	return st->has_writer ? st->pipe[0] : -1;
}

/* See store.h. */
int
store_poll(struct store *st)
{
	char	 buf[64];
	int	 off;

	if (st->has_writer)
		while (read(st->pipe[0], buf, sizeof(buf)) > 0)
			;
	pthread_mutex_lock(&st->lock);
	off = st->off;
	pthread_mutex_unlock(&st->lock);
	return off ? -1 : 0;
}

/* See store.h. */
void
store_wait(struct store *st)
{
	pthread_mutex_lock(&st->lock);
	while (st->job != NULL)
		pthread_cond_wait(&st->cond, &st->lock);
	pthread_mutex_unlock(&st->lock);
}

/* See store.h. */
const char *
store_error(struct store *st)
{
	const char	*s;

	/* err is written once, before off is set, and never again. */
	pthread_mutex_lock(&st->lock);
	s = st->off ? st->err : NULL;
	pthread_mutex_unlock(&st->lock);
	return s;
}

/* See store.h. */
void
store_get_stats(struct store *st, struct store_stats *out)
{
	pthread_mutex_lock(&st->lock);
	*out = st->stats;
	out->dropped += st->pending->dropped;
	pthread_mutex_unlock(&st->lock);
}

/* See store.h. */
void
store_batch_count(struct store *st, const char *server, const char *account,
    int64_t t, const struct store_counts *c)
{
	/* Floor, so times before 1970 still land in their own minute. */
	batch_add_count(st->pending, server, account,
	    t >= 0 ? t / 60 : -((-t + 59) / 60), c);
}

/* See store.h. */
void
store_batch_ip(struct store *st, const char *server, const char *account,
    const char *ip, int64_t t)
{
	batch_add_ip(st->pending, server, account, ip, t, t, 1);
}

/* See store.h. */
void
store_batch_rbl(struct store *st, const struct store_rbl *r)
{
	batch_add_rbl(st->pending, r);
}

/* See store.h. */
void
store_batch_incident(struct store *st, const struct store_incident *inc)
{
	batch_add_incident(st->pending, inc);
}

/* See store.h. */
void
store_batch_gap(struct store *st, const struct store_gap *g)
{
	batch_add_gap(st->pending, g);
}

/* See store.h. */
void
store_batch_follow(struct store *st, const struct store_follow *f)
{
	batch_add_follow(st->pending, f);
}
