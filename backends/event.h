/*
 * event.h: the vocabulary between the backends and the detector: what a
 * log line means (struct mail_event), the pieces of a line's header, and
 * the strict grammars every value taken from a log passes before it names
 * anything (grammar.c).  The seam that produces them is backend.h.
 */
#ifndef MAILCON_EVENT_H
#define MAILCON_EVENT_H

#include <stddef.h>
#include <stdint.h>

/* A borrowed byte string (not NUL-terminated). */
struct mail_str {
	const char	*p;
	size_t		 len;
};

/*
 * A backend turns one log line into at most MAIL_LINE_EVENTS struct
 * mail_event, in the order the line reports them; the detector consumes
 * these events and never sees a raw line.  Most lines carry one event; an
 * Exim arrival ("<=") carries two: the client handing the message over
 * (EV_SUBMIT) and its envelope (EV_QUEUED), which Postfix logs on two
 * lines.
 *
 * Which fields are valid for each kind (others are zero / empty):
 *
 *   kind           qid  account  client  sender  rcpt  size nrcpt  relay  reason
 *   EV_AUTH_OK      -     yes     yes      -      -     -    -      -      -
 *   EV_AUTH_FAIL    -     opt     yes      -      -     -    -      -     opt
 *   EV_SUBMIT      yes    opt     yes      -      -     -    -      -      -
 *   EV_QUEUED      yes     -       -      yes     -    yes  yes     -      -
 *   EV_DELIVERED   yes     -       -       -     yes    -    -     opt    opt
 *   EV_DEFERRED    yes     -       -       -     yes    -    -     opt    yes
 *   EV_BOUNCED     yes     -       -       -     yes    -    -     opt    yes
 *   EV_EXPIRED     yes     -       -      opt     -     -    -      -     opt
 *   EV_REJECTED    opt    opt     yes     opt    opt    -    -      -     yes
 *   EV_REMOVED     yes     -       -       -      -     -    -      -      -
 *   EV_HELD        yes     -       -       -      -     -    -      -      -
 *   EV_RELEASED    yes     -       -       -      -     -    -      -      -
 *   EV_DELETED     yes     -       -       -      -     -    -      -      -
 *   EV_DISCONNECT   -      -      opt      -      -     -    -      -      -
 *
 * EV_DISCONNECT is the end of an SMTP session (Postfix's smtpd "disconnect
 * from"): the process named in the line's header serves no session until
 * its next line (console/live/sesspids.c).  The detector ignores it.
 *
 * EV_SUBMIT is "a client handed us a message": the client address and, when
 * it authenticated, the login (Postfix logs a successful SMTP AUTH only
 * here).  EV_QUEUED carries the envelope (Postfix's qmgr from= line); the
 * two are joined by queue id in the console, not here.  When one line gives
 * both (Exim), EV_SUBMIT comes first, so the console sees them in the order
 * Postfix's two lines would give them.
 *
 * "qid" is the MTA's own queue id and passes that MTA's grammar
 * (queue->id_valid: queue_id_is_valid() for Postfix, exim_id_is_valid()
 * for Exim).
 *
 * "account" is set only when the login matches account_is_valid(); a login
 * that does not (spaces, commas, control bytes, "rip=" tricks) leaves account
 * empty and sets EVF_BAD_ACCOUNT, so log text can never name an account the
 * attacker chose.  "client" is set only when the address parsed strictly.
 */
enum mail_event_kind {
	EV_NONE = 0,
	EV_AUTH_OK,
	EV_AUTH_FAIL,
	EV_SUBMIT,
	EV_QUEUED,
	EV_DELIVERED,
	EV_DEFERRED,
	EV_BOUNCED,
	EV_EXPIRED,
	EV_REJECTED,
	EV_REMOVED,
	EV_HELD,
	EV_RELEASED,
	EV_DELETED,
	EV_DISCONNECT,
	EV_KIND_COUNT
};

/* Where a login happened: SMTP submission, or a mailbox protocol. */
enum mail_service {
	SVC_UNKNOWN = 0,
	SVC_SMTP,
	SVC_IMAP,
	SVC_POP3,
	SVC_OTHER
};

#define EVF_BAD_ACCOUNT	0x0001	/* a login was present but failed the grammar */
#define EVF_BAD_CLIENT	0x0002	/* a client address was present but unparsable */
/*
 * EV_SUBMIT told by the policy service (console/policy/) at a message's
 * first RCPT, before it is queued: no qid yet; the log's own EV_SUBMIT
 * for the same message follows, and the detector counts the message once.
 */
#define EVF_EARLY	0x0004

/* A client address; family 0 when absent. */
struct mail_ip {
	uint8_t		 family;	/* 0, 4 or 6 */
	uint8_t		 bytes[16];	/* network order; IPv4 in the first 4 */
};

struct mail_event {
	enum mail_event_kind	 kind;
	enum mail_service	 service;
	int64_t			 time;	/* UTC seconds since the epoch */
	int32_t			 usec;
	uint32_t		 flags;	/* EVF_* */
	struct mail_str		 qid;
	struct mail_str		 account;
	struct mail_ip		 client;
	struct mail_str		 sender;
	struct mail_str		 rcpt;
	struct mail_str		 relay;
	struct mail_str		 reason;
	uint64_t		 size;
	uint32_t		 nrcpt;
	uint32_t		 pid;	/* the logging process (log_header.pid),
					   set by the reader, 0 when none */
	struct mail_str		 raw;	/* the whole line, for display */
};

/*
 * The pieces of a log line's header, as split by logline_split().  prog is
 * the syslog tag without the pid ("postfix/smtpd", "postfix-out/smtpd",
 * "dovecot", "exim", or "auth" for Dovecot's own log_path); msg is what
 * follows "prog[pid]: ".  Exim's own main log has no tag: there prog and
 * host are empty (pointing at msg) and msg starts after the timestamp and
 * the optional "[pid] ".  No other format leaves prog empty.  All three
 * point into the line.
 */
struct log_header {
	int64_t		 time;	/* UTC seconds */
	int32_t		 usec;
	struct mail_str	 host;	/* empty for Dovecot's log_path format */
	struct mail_str	 prog;
	struct mail_str	 msg;
	uint32_t	 pid;	/* of "prog[pid]:", 0 when none: the process
				   that logged it, as syslog was told (any
				   local user can forge it with logger(1):
				   checked before anything acts on it) */
};

/* The most events one log line carries (an Exim arrival: SUBMIT, QUEUED). */
#define MAIL_LINE_EVENTS	2

/* The events of one line, in the order the line reports them. */
struct mail_events {
	int			 n;	/* 0..MAIL_LINE_EVENTS */
	struct mail_event	 ev[MAIL_LINE_EVENTS];
};

/* ------------------------------------------------------------------ */
/* Grammars of values taken from logs (grammar.c)                      */
/* ------------------------------------------------------------------ */

#define ACCOUNT_MAX	255	/* bytes of a login */

/* Why a login fails the grammar. */
enum account_fault {
	ACCOUNT_OK = 0,
	ACCOUNT_EMPTY,
	ACCOUNT_TOO_LONG,	/* more than ACCOUNT_MAX bytes */
	ACCOUNT_LEADING_DASH,	/* it would read as a command's option */
	ACCOUNT_BAD_BYTE,	/* not UTF-8: *cp is the byte */
	ACCOUNT_BAD_CHAR	/* *cp is a character a login may not hold */
};

/*
 * Check a login against the grammar of account_is_valid(); for a bad
 * byte or character, its offset (*off) and length in bytes (*n), so a
 * message can name it.
 */
enum account_fault account_check(const char *p, size_t len, size_t *off,
	    size_t *n, uint32_t *cp);
int	account_is_valid(const char *p, size_t len);
int	queue_id_is_valid(const char *p, size_t len);
int	exim_id_is_valid(const char *p, size_t len);
int	mail_ip_parse(const char *p, size_t len, struct mail_ip *out);
/* Format into buf (at least 46 bytes); returns buf. */
char	*mail_ip_format(const struct mail_ip *ip, char *buf, size_t size);

const char *mail_event_kind_name(enum mail_event_kind kind);

#endif
