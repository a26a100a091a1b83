/*
 * server_queue.c: a server's mail queue, read every queue_interval
 * seconds without blocking (locally or over its SSH connection), and its
 * messages counted per account.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"
#include "act/contain_int.h"
#include "act/queue.h"
#include "act/sshtarget.h"
#include "core/xmalloc.h"
#include "detect/detect_detail.h"

/* Count the queue's messages per account through the detector's map. */
static void
server_queue_owners(struct server *s, const struct queue_snapshot *q)
{
	char	 id[QUEUE_ID_MAX + 1];
	size_t	 i, n = detector_count(s->det), len;
	long	 owner;

	free(s->queue_owned);
	s->queue_owned = xcalloc(n > 0 ? n : 1, sizeof(*s->queue_owned));
	s->nqueue_owned = n;
	s->queue_attributed = 0;
	for (i = 0; i < q->nrec; i++) {
		len = queue_snapshot_id(q, i, id);
		if ((owner = detector_qid_owner(s->det, id, len)) < 0 ||
		    (size_t)owner >= n)
			continue;
		s->queue_owned[owner]++;
		s->queue_attributed++;
	}
}

/* See server.h.  The deadline is well under the interval.  A server
   behind SSH is read over s->ssh, never here. */
void
server_queue(struct server *s, int64_t now_ms)
{
	const struct queue_snapshot	*q;
	struct cmdrun_via		 via;
	char				 err[200], user[256];
	int				 rc, k;

	if (s->queue_argv == NULL)
		return;
	if (s->qr == NULL) {
		if (now_ms < s->queue_next_ms)
			return;
		s->queue_next_ms = now_ms + (int64_t)s->queue_interval * 1000;
		if (sshtarget_via(s->cfg, s->ssh, &via, user, sizeof(user),
		    err, sizeof(err)) == 0)
			s->qr = queue_read_start_via(&via,
			    server_mta(s->cfg)->queue, s->queue_argv, now_ms,
			    s->queue_interval * 1000 * 3 / 4, err,
			    sizeof(err));
		if (s->qr == NULL) {
			snprintf(s->queue_status, sizeof(s->queue_status),
			    "queue: %s", err);
			s->changed = 1;
		}
		return;
	}
	if ((rc = queue_read_input(s->qr, now_ms)) == 0)
		return;
	if (rc == 1) {
		q = queue_read_snapshot(s->qr);
		s->queue_total = (int64_t)q->messages;
		s->queue_deferred = (int64_t)q->by_queue[QUEUE_DEFERRED];
		for (k = 0; k < QUEUE_NAME_COUNT && k < SERVER_QUEUE_STATES;
		    k++)
			s->queue_by[k] = q->by_queue[k];
		server_queue_owners(s, q);
		snprintf(s->queue_status, sizeof(s->queue_status),
		    "queue: %llu messages", (unsigned long long)q->messages);
	} else
		snprintf(s->queue_status, sizeof(s->queue_status),
		    "queue: %s", queue_read_error(s->qr));
	queue_read_free(s->qr);
	s->qr = NULL;
	s->changed = 1;
}
