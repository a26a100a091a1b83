/*
 * mailq.h: one queued message as every MTA backend's queue parser gives
 * it (backend.h, struct backend_queue), and the keyed hash its sender is
 * kept as.
 *
 * The console folds these into its queue snapshot (console/act/queue.h):
 * never the text of a listing (6 GB of JSON for three million Postfix
 * messages), only counts and a compact record per message.  Senders are
 * kept as a keyed 64-bit hash (SipHash-2-4, random key per process) of
 * the ASCII-lowercased envelope sender, not as text: a string pool would
 * be unbounded, and a keyed hash means an attacker cannot forge a sender
 * whose hash collides with a victim's (and so get the victim's mail
 * purged along with the spam).  A parser hashes the sender as it decodes
 * it (struct sender_hash), without copying it.
 */
#ifndef MAILCON_MAILQ_H
#define MAILCON_MAILQ_H

#include <stddef.h>
#include <stdint.h>

#define QUEUE_ID_MAX		32	/* longest id a parser keeps */

/*
 * The queues a message may be in, by Postfix's names; another MTA maps
 * its states onto them (Exim: frozen is QUEUE_HOLD, the rest
 * QUEUE_DEFERRED or QUEUE_ACTIVE).
 */
enum queue_name {
	QUEUE_ACTIVE = 0,
	QUEUE_DEFERRED,
	QUEUE_HOLD,
	QUEUE_INCOMING,
	QUEUE_MAILDROP,
	QUEUE_CORRUPT,
	QUEUE_OTHER,		/* a name this code does not know */
	QUEUE_NAME_COUNT
};

/* Results of a queue parser's parse_line. */
#define QUEUE_PARSE_MORE	 1	/* taken; the message goes on */
#define QUEUE_PARSE_OK		 0	/* a message is complete in out */
#define QUEUE_PARSE_SYNTAX	-1	/* not the listing's form */
#define QUEUE_PARSE_FIELD	-2	/* a field missing, repeated or mistyped */
#define QUEUE_PARSE_QID		-3	/* the id fails the MTA's grammar */

/* One queued message. */
struct queue_msg {
	enum queue_name	 queue;
	char		 queue_id[QUEUE_ID_MAX + 1];	/* NUL-terminated */
	size_t		 queue_id_len;
	int64_t		 arrival_time;	/* UTC seconds */
	uint64_t	 message_size;
	uint64_t	 nrcpt;		/* recipients */
	uint64_t	 sender_hash;	/* queue_sender_hash() of the sender */
	size_t		 sender_len;	/* decoded bytes */
	/*
	 * queue_sender_hash() of the login that submitted it, when the
	 * listing says (Exim's -auth_id, through exipick); 0 when it does
	 * not, or the message came without a login.  The login a hijacker
	 * cannot forge: the selection of an account's mail trusts it over
	 * the envelope sender and the logs.
	 */
	uint64_t	 auth_hash;
	int		 forced_expire;
};

/*
 * What a parser whose messages span lines keeps between them (Exim's
 * -bp prints a message over several lines); zeroed before the first
 * line.  A one-line-per-message parser (Postfix) leaves it alone.
 */
struct queue_parse {
	struct queue_msg	 msg;	/* the message being read */
	int			 have;	/* msg holds one */
	int			 state;	/* the parser's own */
};

/* A streaming SipHash-2-4 of bytes, ASCII-lowercased. */
struct sender_hash {
	uint64_t	 v0, v1, v2, v3;
	uint64_t	 tail;		/* pending bytes, little-endian */
	size_t		 n;		/* bytes hashed so far */
};

void		 sender_hash_init(struct sender_hash *s);
void		 sender_hash_byte(struct sender_hash *s, unsigned char c);
uint64_t	 sender_hash_final(struct sender_hash *s);

/* The keyed hash of a sender, ASCII-lowercased.  Same key for the process. */
uint64_t	 queue_sender_hash(const char *p, size_t len);
/* Fix the hash key (tests and fuzzing); otherwise it is random. */
void		 queue_sender_hash_key(const uint8_t key[16]);
/* The name Postfix prints for a queue ("hold"). */
const char	*queue_name_string(enum queue_name q);
/* The queue a name means; QUEUE_OTHER for one not known. */
enum queue_name	 queue_name_lookup(const char *s, size_t len);

#endif
