/*
 * queue.h: periodic, non-blocking reads of a server's mail queue, with the
 * listing command and parser of its MTA's backend (backends/backend.h,
 * struct backend_queue).
 *
 * Two layers, so an SSH transport can reuse the first with its own fd:
 *
 * - struct queue_snapshot + queue_snapshot_feed(): split arbitrary chunks
 *   of bytes into lines, hand each to the backend's parser and keep a
 *   compact summary: never the text (6 GB of a 3-million-message Postfix
 *   queue's JSON).  Per message a 48-byte struct queue_rec (the login's
 *   hash is 8 of them); at the default cap of 4 million records that is
 *   192 MB, which is a lot but bounded;
 *   counts and totals stay exact past the cap, only records are dropped
 *   (and counted).
 *
 * - struct queue_read: run the listing command for the event loop, here
 *   or on a server over SSH (cmdrun.h), its stdout fed to a snapshot as
 *   it arrives.
 *
 * Senders are kept as the backend's keyed hash (backends/mailq.h): hash
 * what you look up with queue_sender_hash(); the empty sender (bounces) is
 * a sender like others.
 */
#ifndef MAILCON_QUEUE_H
#define MAILCON_QUEUE_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "backends/backend.h"

#define QUEUE_ID_STORE		24	/* longest id a record holds (Postfix: 23) */
#define QUEUE_LINE_MAX		(16u * 1024 * 1024)	/* longer lines skipped */
#define QUEUE_RECORDS_MAX	(4u * 1024 * 1024)	/* default record cap */

/* The compact per-message record (48 bytes). */
struct queue_rec {
	uint64_t	 sender_hash;
	uint64_t	 auth_hash;	/* queue_msg's; 0: not known */
	uint32_t	 arrival_time;	/* saturated: UTC seconds until 2106 */
	uint32_t	 message_size;	/* saturated at UINT32_MAX */
	uint32_t	 nrcpt;		/* saturated at UINT32_MAX */
	uint8_t		 queue;		/* enum queue_name */
	uint8_t		 qid[18];	/* 6 bits a character, see queue_rec_id() */
};

/* What one read of the queue found. */
struct queue_snapshot {
	uint64_t	 messages;	/* parsed lines, records dropped or not */
	uint64_t	 by_queue[QUEUE_NAME_COUNT];
	uint64_t	 recipients;
	uint64_t	 bytes;		/* sum of message_size */
	uint64_t	 malformed;	/* lines skipped: QUEUE_PARSE_SYNTAX/FIELD */
	uint64_t	 bad_qid;	/* lines skipped: QUEUE_PARSE_QID */
	uint64_t	 too_long;	/* lines skipped: over QUEUE_LINE_MAX */
	uint64_t	 dropped;	/* messages counted but without a record */
	int64_t		 oldest;	/* smallest arrival_time, or -1 */

	struct queue_rec *rec;		/* nrec records, owned */
	size_t		 nrec;
	size_t		 caprec;	/* allocated */
	size_t		 maxrec;	/* the cap */

	/* The parser, and the line being assembled from chunks (private). */
	const struct backend_queue *parser;
	struct queue_parse pstate;
	char		*line;
	size_t		 linelen, linecap;
	int		 skipping;	/* inside an over-long line */
};

/* Pack/unpack a record's id; pack returns 0 when the id does not fit. */
int		 queue_rec_set_id(struct queue_rec *r, const char *id,
		     size_t len);
/* Writes the id into buf (QUEUE_ID_STORE + 1 bytes); returns its length. */
size_t		 queue_rec_id(const struct queue_rec *r, char *buf);
/*
 * The id of record i as the MTA writes it (its backend's id_unpack), into
 * buf (QUEUE_ID_MAX + 1 bytes); returns its length.
 */
size_t		 queue_snapshot_id(const struct queue_snapshot *s, size_t i,
		     char *buf);

/*
 * A snapshot keeps at most maxrec records (0: QUEUE_RECORDS_MAX).  Its
 * lines go to the default MTA's parser (backend_default()) unless
 * queue_snapshot_parser() gives another, before the first input.
 */
void		 queue_snapshot_init(struct queue_snapshot *s, size_t maxrec);
void		 queue_snapshot_parser(struct queue_snapshot *s,
		     const struct backend_queue *q);
void		 queue_snapshot_clear(struct queue_snapshot *s);
/* Add one parsed message (exact counts, a record while under the cap). */
void		 queue_snapshot_add(struct queue_snapshot *s,
		     const struct queue_msg *m);
/* Feed bytes of the listing, in chunks of any size. */
void		 queue_snapshot_feed(struct queue_snapshot *s, const char *buf,
		     size_t len);
/* The input ended: parse a last line without its newline. */
void		 queue_snapshot_end(struct queue_snapshot *s);

/*
 * Call cb for every record (in input order) with its id as a string;
 * stops early and returns cb's value when it is not 0.  Records are only
 * kept up to the cap: see s->dropped.
 */
typedef int	(*queue_foreach_cb)(const char *queue_id,
		    const struct queue_rec *r, void *arg);
int		 queue_snapshot_foreach(const struct queue_snapshot *s,
		     queue_foreach_cb cb, void *arg);
/* Records whose sender hashes to h. */
size_t		 queue_snapshot_sender_count(const struct queue_snapshot *s,
		     uint64_t h);
/*
 * Their queue ids, one per line ("ID\n"), as a queue op reads them on
 * stdin; *lenp gets the length.  The caller frees the result.
 * Returns the number of ids.
 */
size_t		 queue_snapshot_sender_ids(const struct queue_snapshot *s,
		     uint64_t h, char **idsp, size_t *lenp);

/*
 * A running read of the queue.  Usage with the loop: add queue_read_fd()
 * and queue_read_errfd() for POLLIN; on any event there, on SIGCHLD, and at
 * least every queue_read_wait_ms() (a timer), call queue_read_input().  An
 * fd is -1 once it has reached EOF (loop_del_fd it when that happens).
 * Each call reads at most QUEUE_READ_SLICE bytes so a huge queue cannot
 * starve the screen; poll wakes the loop again while data is left.
 */
#define QUEUE_READ_SLICE	(4u * 1024 * 1024)

struct queue_read;
struct cmdrun_via;

/*
 * Start argv[0] (looked up in PATH) with argv, its output read by the
 * default MTA's parser.  deadline_ms from now_ms the whole read must be
 * done.  Returns NULL with a message in err when
 * the process cannot be started (pipes, fork); exec failure (a missing
 * binary) shows as a failed read, so start never waits for the child.
 */
struct queue_read *queue_read_start(char *const argv[], int64_t now_ms,
		     int deadline_ms, char *err, size_t errlen);
/*
 * The same on via (NULL: here), the output read by q's parser (NULL: the
 * default MTA's).  Over SSH it has no descriptor (the fds are -1): the
 * connection's owner steps it, queue_read_input() looks.  NULL with err
 * when the connection is not live, or when q has no parser.
 */
struct queue_read *queue_read_start_via(const struct cmdrun_via *via,
		     const struct backend_queue *q, char *const argv[],
		     int64_t now_ms, int deadline_ms, char *err,
		     size_t errlen);
/* The same with input on the command's stdin (copied; NULL: none). */
struct queue_read *queue_read_start_in(const struct cmdrun_via *via,
		     const struct backend_queue *q, char *const argv[],
		     const char *input, size_t inlen, int64_t now_ms,
		     int deadline_ms, char *err, size_t errlen);
/* The record cap (see queue_snapshot_init()); before the first input. */
void		 queue_read_set_maxrec(struct queue_read *qr, size_t maxrec);
int		 queue_read_fd(const struct queue_read *qr);
int		 queue_read_errfd(const struct queue_read *qr);
/* 0 running, 1 finished (see snapshot), -1 failed (see error). */
int		 queue_read_input(struct queue_read *qr, int64_t now_ms);
/* How long the loop may sleep before calling queue_read_input() again. */
int		 queue_read_wait_ms(const struct queue_read *qr, int64_t now_ms);
/* The summary so far (complete once queue_read_input() returned 1). */
const struct queue_snapshot *queue_read_snapshot(const struct queue_read *qr);
/* Move the snapshot out (the caller clears it); qr's becomes empty. */
void		 queue_read_take(struct queue_read *qr,
		     struct queue_snapshot *out);
/* Why it failed: names the command; "" while all is well. */
const char	*queue_read_error(const struct queue_read *qr);
pid_t		 queue_read_pid(const struct queue_read *qr);
/* Kill (the process group, SIGKILL) and reap a child still running. */
void		 queue_read_free(struct queue_read *qr);

#endif
