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
#define QF_BURST	0x0004		/* from an address of the account's
					   burst: its domains count */

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

/*
 * Addresses that never logged in as the account before, that sent mail in
 * the window, and the recipient domains of that mail (allocated when a
 * second address sends in one window: most accounts never have one).
 */
struct acct_burst {
	struct ipwin	 ips;
	struct ipwin	 domains;
};

/* One account: a single allocation holding the struct, its minute ring
   and its name. */
struct account {
	uint64_t	 hash;		/* of the case-folded name */
	uint32_t	 namelen;	/* beside hash: a lookup reads both */
	uint32_t	 index;		/* in detector.acct */
	char		*name;		/* NUL-terminated, in this block */
	char		*why;		/* why_slots reason texts (now, then at
					   the peak), or NULL */
	char		*confirm_why;	/* the evidence when confirmed */
	struct peak_snap *peak_snap;	/* worst moment, or NULL */
	struct peak_snap *confirm_snap;	/* the moment it was confirmed */
	struct hourprof	*prof;		/* or NULL */
	struct acct_novel *nov;		/* or NULL */
	struct acct_burst *burst;	/* or NULL */
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
	uint64_t	*slot;		/* name hash: index + 1, hash's top
					   half above (detect_table.c) */
	uint32_t	 smask;
	struct qidmap	*qids;
	struct failtab	*fails;
	uint64_t	*known;		/* (account, IP) of earlier sessions */
	uint32_t	 kmask, nknown;
	const struct detect_keys *keys;	/* of the event being fed */
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

/* Whether signal s counts in the score and the worst moment's weight:
   the burst's pair restates logins and fan-out. */
#define DETECT_SIG_SCORED(s)	((s) < SIG_NEW_BURST)

/* The kind of evidence (DETECT_EV_*) of each signal. */
extern const uint8_t detect_sig_kind[SIG_COUNT];

/* Kinds that say what the mail is like, not who sends it. */
#define EV_SECONDARY	(DETECT_EV_VOLUME | DETECT_EV_DELIVERY)

/* What the signals measured for one account, with what reasons need. */
struct measure {
	double		 v[SIG_COUNT];
	uint8_t		 raw[SIG_COUNT];	/* enum level by threshold alone */
	uint8_t		 eff[SIG_COUNT];	/* after the volume rule */
	enum level	 level;
	enum level	 raw_max;		/* highest raw level */
	unsigned	 evidence;		/* kinds at suspicious or above */
	int		 ips_exact;
	int		 nets_exact;
	int		 domains_exact;
	int		 minute_rate;		/* msg_rate is the busiest minute */
	int		 from_new;		/* mail mostly from new addresses */
	int		 no_history;		/* too young for new and usual */
	int		 wide_asn;		/* networks are AS numbers */
	double		 rate;			/* msgs/min over the window */
	double		 usual;			/* busiest window at this hour
						   before, messages */
	uint32_t	 new_recent[2];		/* addresses, networks new in the
						   novelty window */
	uint32_t	 new_before[2];		/* in the 7 days before it */
	double		 new_usual[2];		/* expected in the window */
	int		 new_sat[2];
	/* context the reason texts quote */
	uint64_t	 win_msgs;
	uint64_t	 win_fail, win_att;
	uint64_t	 queued_now, queued_total;
	int64_t		 age;			/* seconds since first seen */
	struct mail_ip	 guessed_ip;
	int		 allowed;
};

/*
 * The worst moment of an account: its measure when its level was highest
 * and, at that level, its signals furthest past their watch thresholds.
 * Offline scans report this, since by the end of a log an incident's
 * windows have usually aged out.  Allocated once the account reaches watch.
 */
struct peak_snap {
	struct measure	 x;
	double		 weight;
	int64_t		 at;
	uint64_t	 messages;	/* the account's by then */
};

/* Measure every signal of an account now and combine them into a
   level. */
void	detect_measure(const struct detector *d, struct account *a,
	    struct measure *x);

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

/* Key of one client address (IPv4 exactly, IPv6 hashed). */
uint64_t detect_ip_key(const struct mail_ip *ip);
/* The account's SMTP login entry of ip (*ik its key), or NULL. */
const struct ipwin_entry *detect_ip_entry(const struct account *a,
	    const struct mail_ip *ip, uint64_t *ik);
/* Key of the network around an address: its /24 or /64. */
uint64_t detect_net_key(const struct mail_ip *ip);
/* Key of an address's long-horizon network (AS, else /16 or /32); *cc
   gets its country ("" unknown). */
uint64_t detect_wide_key(const struct detector *d, const struct mail_ip *ip,
	    char cc[3]);
/* Key of a recipient's domain, case-folded; 0 when it has none. */
uint64_t detect_domain_key(const struct mail_str *rcpt);
/* The account for name (hash h), created when asked and allowed. */
struct account *detect_account(struct detector *d,
	    const struct mail_str *name, uint64_t h, int create);
/* The account named by an event, or NULL (none, too long, refused). */
struct account *detect_event_account(struct detector *d,
	    const struct mail_event *ev, int create);
/* The account a qidmap value names, or NULL. */
struct account *detect_by_index(const struct detector *d, uint32_t v);
/* The account for a seeded name, created when new (first seen then). */
struct account *detect_seed_account(struct detector *d, const char *account,
	    int64_t first);
/* Did the account log in from the address (key) in an earlier session? */
int	detect_known(const struct detector *d, uint64_t account_hash,
	    uint64_t ip_key);
/* Remember (account, IP) as an earlier session's; -1 when full. */
int	detect_known_add(struct detector *d, uint64_t account_hash,
	    const struct mail_ip *ip);
/*
 * A message of account a from ip (after detect_login): 1 when ip is an
 * address of a burst (first used in this window, by no earlier session,
 * with another such or older address in the window), so the message's
 * recipient domains count in new_fanout.
 */
int	detect_burst_submit(struct detector *d, struct account *a,
	    const struct mail_ip *ip);
/* A recipient domain (key) of a burst message. */
void	detect_burst_domain(struct detector *d, struct account *a,
	    uint64_t dk);
/* new_burst and new_fanout of the account now (0 when it has no burst). */
void	detect_burst_measure(const struct detector *d, struct account *a,
	    double *addrs, double *domains);
/* Free the account's burst sets. */
void	detect_burst_free(struct detector *d, struct account *a);

#endif
