/*
 * backend.h: the seam between mail systems and the rest of mailcon.
 *
 * A backend knows one mail system: which lines of its logs mean what, and
 * (later) which commands perform each action.  It does no I/O.  It turns one
 * log line into at most MAIL_LINE_EVENTS struct mail_event, in the order
 * the line reports them; the detector consumes these events and never sees
 * a raw line.  Most lines carry one event; an Exim arrival ("<=") carries
 * two: the client handing the message over (EV_SUBMIT) and its envelope
 * (EV_QUEUED), which Postfix logs on two lines.
 *
 * Strings in an event are BORROWED: they point into the line handed to the
 * parser and are valid only until the caller reuses that buffer.  Copy what
 * must outlive the line.
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
 *
 * EV_SUBMIT is "a client handed us a message": the client address and, when
 * it authenticated, the login (Postfix logs a successful SMTP AUTH only
 * here).  EV_QUEUED carries the envelope (Postfix's qmgr from= line); the
 * two are joined by queue id in the console, not here.  When one line gives
 * both (Exim), EV_SUBMIT comes first, so the console sees them in the order
 * Postfix's two lines would give them.
 *
 * "qid" is the MTA's own queue id and passes that MTA's grammar:
 * queue_id_is_valid() for Postfix, exim_id_is_valid() for Exim.
 *
 * "account" is set only when the login matches account_is_valid(); a login
 * that does not (spaces, commas, control bytes, "rip=" tricks) leaves account
 * empty and sets EVF_BAD_ACCOUNT, so log text can never name an account the
 * attacker chose.  "client" is set only when the address parsed strictly.
 */
#ifndef MAILCON_BACKEND_H
#define MAILCON_BACKEND_H

#include <stddef.h>
#include <stdint.h>

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

/* A borrowed byte string (not NUL-terminated). */
struct mail_str {
	const char	*p;
	size_t		 len;
};

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
};

/* Capabilities of a backend (bitmask). */
#define BCAP_AUTH_LOG		0x0001
#define BCAP_OUTBOUND_LOG	0x0002
#define BCAP_QUEUE_LIST		0x0004
#define BCAP_HOLD		0x0008
#define BCAP_DELETE		0x0010
#define BCAP_SUSPEND		0x0020
#define BCAP_PASSWORD		0x0040

/* The most events one log line carries (an Exim arrival: SUBMIT, QUEUED). */
#define MAIL_LINE_EVENTS	2

/* The events of one line, in the order the line reports them. */
struct mail_events {
	int			 n;	/* 0..MAIL_LINE_EVENTS */
	struct mail_event	 ev[MAIL_LINE_EVENTS];
};
struct redact;

struct mail_backend {
	const char	*name;
	unsigned	 caps;
	/*
	 * Turn one already-split line into its events.  out has room for
	 * MAIL_LINE_EVENTS events; the parser fills out[0..n-1] and returns
	 * n, 0 when the line is ours or foreign but carries no event
	 * (out[0] is then all zero).  Time and raw are the caller's.  A backend
	 * whose lines carry one event each (Postfix, Dovecot) only ever
	 * writes out[0] and returns 0 or 1.  Never reads outside
	 * [h->msg.p, h->msg.p + h->msg.len).
	 */
	int		(*parse_line)(const struct log_header *h,
			    struct mail_event out[MAIL_LINE_EVENTS]);
	/*
	 * Whether a tag may be this backend's at all (NULL: any).  A cheap
	 * filter, so that backend_parse_any does not run every parser on
	 * every line; parse_line must still check the tag itself.
	 */
	int		(*claims)(const struct mail_str *prog);
	/*
	 * Mark the secrets a raw line shows (redact.h), whether or not the
	 * line splits or is this backend's: a password a client typed, a
	 * hash, a credential in a protocol dump.  NULL: none are logged.
	 */
	void		(*redact)(struct redact *r);
};

extern const struct mail_backend backend_postfix;
extern const struct mail_backend backend_dovecot;
extern const struct mail_backend backend_exim;

/* NULL-terminated registry. */
extern const struct mail_backend *const mail_backends[];

const struct mail_backend *backend_find(const char *name);

/*
 * Parse one line with every backend in turn (Postfix and Dovecot logs are
 * often one file): the first backend that finds events in it wins.  Sets
 * out->n and returns it; each event gets the header's time.  The struct
 * (not a bare event pointer) is the type so that a caller with room for
 * one event only does not compile.
 */
int	backend_parse_any(const struct log_header *h, struct mail_events *out);

/*
 * The line as it may be shown, stored or sent anywhere: every secret the
 * backends know of replaced by "<hidden>".  h is the line's header when it
 * split (a backend may then skip lines of a daemon that logs no secret of
 * its kind), or NULL.  1 with the copy in out (size bytes, NUL-terminated,
 * cut to fit; REDACT_ROOM beyond len always fits it whole) and its length
 * in *outlen; 0 when the line shows no secret (out is then unused: show
 * the line itself).  Parse the original, show this: it is the one seam
 * every raw line passes on its way out.
 */
#define REDACT_ROOM	512
int	backend_redact(const char *line, size_t len,
	    const struct log_header *h, char *out, size_t size,
	    size_t *outlen);

/* Strict grammars for values taken from logs (see backend.c). */
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
