/*
 * detect_int.h: the detector's private state, shared by detector.c (event
 * intake, account table) and detect_eval.c (signals, levels, reasons).
 * Not for use outside the detector.
 */
#ifndef MAILCON_DETECT_INT_H
#define MAILCON_DETECT_INT_H

#include <stdint.h>

#include "detector.h"
#include "ipwindow.h"
#include "seenset.h"

#define ACCT_NONE	UINT32_MAX	/* qidmap value: no account */
#define QF_QUEUED	0x0001		/* counted in queued_now */
#define QF_ENVELOPE	0x0002		/* EV_QUEUED seen, rcpts counted */

#define DETECT_QIDS	(1u << 20)	/* queue ids remembered */
#define DETECT_FAILS	65536		/* (account, IP) failure slots */
#define DETECT_KNOWN_MAX (1u << 20)	/* seeded (account, IP) pairs */
#define DETECT_NAME_MAX	512		/* longer logins are ignored */
#define DETECT_EARLY_MAX 64		/* EVF_EARLY messages awaiting their log
					   line (a refused one never comes) */
#define DETECT_REASON_LEN 256		/* bytes per reason text */
#define PROF_DAYS	15		/* days of hourly peaks per account */

/* One minute of an account's mail. */
struct acct_bucket {
	uint32_t	 msgs;		/* messages submitted */
	uint32_t	 rcpts;		/* recipients (from EV_QUEUED nrcpt) */
	uint32_t	 att;		/* delivery attempts */
	uint32_t	 fail;		/* of which deferred or bounced */
	uint32_t	 fresh;		/* messages from addresses new to the
					   account (first used within the
					   novelty window, with history) */
};

/*
 * An account's busiest window (messages) in each hour of the last
 * PROF_DAYS days, log-coded in a byte (exact below 64, then steps of
 * 2^(1/12)); allocated once its window first holds two messages (before
 * that every hour held at most one).
 */
struct hourprof {
	int64_t		 day;		/* day number of row day % PROF_DAYS */
	uint8_t		 v[PROF_DAYS][24];
};

/* New addresses and networks per hour (allocated at the first one). */
struct acct_novel {
	struct newcount	 addrs;
	struct newcount	 nets;
};

/* One account: a single allocation holding the struct, its minute ring
   and its name. */
struct account {
	uint64_t	 hash;		/* of the case-folded name */
	char		*name;		/* NUL-terminated, in this block */
	char		*why;		/* why_slots reason texts (now, then at
					   the peak), or NULL */
	char		*confirm_why;	/* the evidence when confirmed */
	struct peak_snap *peak_snap;	/* worst moment, or NULL */
	struct peak_snap *confirm_snap;	/* the moment it was confirmed */
	struct hourprof	*prof;		/* or NULL */
	struct acct_novel *nov;		/* or NULL */
	int64_t		 first_seen;
	int64_t		 last_seen;
	int64_t		 flagged_at;
	int64_t		 guessed_at;
	int64_t		 ring_min;	/* minute of the newest ring bucket */
	int64_t		 confirmed_at;
	int64_t		 usual_hour;	/* hour usual was found for, or -1 */
	uint64_t	 net_ip;	/* key of the address whose network was
					   recorded last (most logins repeat) */
	uint64_t	 messages;
	uint64_t	 recipients;
	uint64_t	 auth_fail;
	uint64_t	 queued_now;
	uint64_t	 messages_before_flag;
	uint64_t	 win_msgs;	/* sums over the ring */
	uint64_t	 win_rcpts;
	uint64_t	 win_att;
	uint64_t	 win_fail;
	uint64_t	 win_fresh;
	struct ipwin	 ips;		/* SMTP login addresses */
	struct ipwin	 nets;		/* their /24 or /64 */
	struct ipwin	 domains;	/* recipient domains */
	struct ipwin	 countries;	/* of SMTP logins, in the last hour */
	struct seenset	 netseen;	/* networks of every login, long
					   horizon (AS or prefix) */
	struct mail_ip	 guessed_ip;
	uint32_t	 guessed_n;	/* failures before the success */
	uint32_t	 index;		/* in detector.acct */
	uint32_t	 namelen;
	uint8_t		 allowed;
	uint8_t		 level;
	uint8_t		 peak;
	uint8_t		 fresh;		/* created by the current event */
	uint8_t		 confirmed_ev;	/* DETECT_EV_* when confirmed */
	uint8_t		 why_slots;
	uint16_t	 early;		/* messages the policy service told
					   (EVF_EARLY) whose log line is to
					   come: counted once */
	uint32_t	 busiest;	/* most messages in one minute of the
					   ring */
	int32_t		 usual;		/* detect_prof_usual at usual_hour */
	struct acct_bucket ring[];	/* detector.nb minutes */
};

struct detector {
	struct detect_config cfg;	/* allow points at our copies */
	int		 nb;		/* minutes in an account's ring */
	int64_t		 now;		/* latest time fed */
	int64_t		 at;		/* time of the event being fed, or -1 */
	struct account	**acct;
	uint32_t	 nacct;
	uint32_t	 acap;
	uint32_t	*slot;		/* name hash: account index + 1 */
	uint32_t	 smask;
	struct qidmap	*qids;
	struct failtab	*fails;
	uint64_t	*known;		/* (account, IP) of earlier sessions */
	uint32_t	 kmask, nknown;
	detect_context_fn ctx_fn;	/* country and AS of an address */
	void		*ctx_arg;
	size_t		 mem;		/* bytes allocated */
	uint64_t	 events;
	uint64_t	 messages;
	uint64_t	 auth_fail;
	uint64_t	 bad_account;
	uint64_t	 queued;
	uint64_t	 dropped;
	detector_level_cb on_level;	/* told of level changes, or NULL */
	void		*on_level_arg;
	detector_confirm_cb on_confirm;	/* told of confirmations, or NULL */
	void		*on_confirm_arg;
};

/* Age an account's minute ring to the detector's clock. */
void	detect_roll(struct detector *d, struct account *a);
/* The ring bucket for the current minute (after detect_roll). */
struct acct_bucket *detect_bucket(const struct detector *d,
	    struct account *a);
/* Age every window, re-evaluate the level, record peak and flag time. */
void	detect_update(struct detector *d, struct account *a);
/* Fill a report (and the account's reason texts). */
void	detect_report(struct detector *d, struct account *a,
	    struct account_report *r);
/* Record the account's window count in its hourly profile. */
void	detect_prof_note(struct detector *d, struct account *a);
/* Its busiest window at this hour before (at least 1), -1: no history. */
int64_t	detect_prof_usual(const struct detector *d, const struct account *a);
/* Raise the profile's hour starting at hour_start to msgs. */
int	detect_prof_seed(struct detector *d, struct account *a,
	    int64_t hour_start, uint32_t msgs);
/* Free an account's profile and novelty counts. */
void	detect_hist_free(struct detector *d, struct account *a);
/* The account's novelty counters, allocated on first use (NULL: no
   memory). */
struct acct_novel *detect_novel(struct detector *d, struct account *a);

#endif
