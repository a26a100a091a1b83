/*
 * msgring.h: the most recent messages of every account, for the account
 * detail view: when each was submitted, from where, to how many, and how
 * its deliveries went.  One bounded ring for all accounts (per-account
 * lists would cost memory for 100,000 quiet accounts); a queue-id index
 * routes delivery outcomes to their message while it is still in the ring.
 */
#ifndef MAILCON_MSGRING_H
#define MAILCON_MSGRING_H

#include <stddef.h>
#include <stdint.h>

#include "backends/backend.h"

#define MSGRING_QID_MAX		24
#define MSGRING_ACCOUNT_MAX	64
#define MSGRING_RCPT_MAX	64

struct msg_record {
	int64_t		 time;
	uint16_t	 server;
	char		 qid[MSGRING_QID_MAX];
	char		 account[MSGRING_ACCOUNT_MAX];	/* truncated */
	char		 rcpt[MSGRING_RCPT_MAX];	/* first recipient seen */
	struct mail_ip	 client;
	uint32_t	 nrcpt;
	uint32_t	 sent, deferred, bounced;
	uint8_t		 gone;		/* removed from the queue */
};

struct msgring {
	struct msg_record	*v;
	size_t			 cap, head, n;
	uint32_t		*index;	/* qid hash slot: record index + 1 */
	size_t			 imask;
};

void	msgring_init(struct msgring *r, size_t cap);
void	msgring_free(struct msgring *r);
/* Feed one event of server; only submissions with a login start a record. */
void	msgring_feed(struct msgring *r, unsigned server,
	    const struct mail_event *ev);
/* The i-th record, newest first (i < r->n). */
const struct msg_record *msgring_get(const struct msgring *r, size_t i);

#endif
