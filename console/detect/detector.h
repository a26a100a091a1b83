/*
 * detector.h: explainable, per-account detection of hijacked accounts.
 *
 * Pure: consumes normalised events (backends/backend.h) in time order and
 * keeps, per account, counters over sliding windows of log time.  Nothing
 * here reads a file, a clock or the network, so scans and the live console
 * share it and unit tests drive it with hand-made events.
 *
 * Each signal compares a measured value with three thresholds (watch,
 * suspicious, critical).  Every signal that reaches watch leaves a reason
 * in plain words, e.g. "214 distinct IPs authenticated in 10 min
 * (critical at 20)".
 *
 * Signals belong to kinds of evidence (DETECT_EV_*): where it logs in
 * from (many addresses at once, addresses, networks or countries new to
 * it: auth_ips, auth_nets, new_ips, new_nets, countries, new_burst, one
 * kind since a new network is a new address too); how much it sends and
 * where (msg_rate, rcpt_rate, baseline, fanout, queue_share, new_fanout); how the receivers take it
 * (fail_ratio); a guessed password (guessed).  Levels (detect_eval.c):
 *  - a signal's level is the highest threshold its value reaches (>=);
 *  - volume and deliveries say what the mail is like, not who sends it: a
 *    newsletter is loud, a list server's mail bounces.  They count at most
 *    one level above the strongest signal of who is sending (logins,
 *    password): alone, at most watch.  Mail that comes mostly
 *    from an address new to the account (first used within the novelty
 *    window, with history) counts as a watch-level sign of who;
 *  - two kinds at suspicious or above raise the level by one (capped at
 *    critical);
 *  - "confirmed" is the first moment the account was critical with at
 *    least two kinds at suspicious or above: the containment policy acts
 *    on that, never on one kind alone;
 *  - a burst (new_burst): addresses that never logged in as the account
 *    (on any day it has been seen, nor in an earlier session), each
 *    sending mail within the window, the way a botnet uses a stolen
 *    password; new_fanout counts the recipient domains of their mail and
 *    counts no higher than new_burst does, so one new address (a hotel,
 *    a train) writing to many domains is not a burst, and neither are a
 *    provider's pool of new addresses writing to one domain.  Both at
 *    suspicious are two kinds, so critical and confirmed, long before
 *    auth_ips reaches critical;
 *  - allow-listed accounts stay at ok with their numbers and reasons.
 *
 * Long horizon: an address or network is new to an account when the
 * account never logged in from it (by any protocol; networks are AS
 * numbers with an IP context function, else /16 and /32 prefixes), once
 * the account has new_ip_min_history of history: before that the account
 * has "no history yet" and nothing counts as new.  new_ips and new_nets
 * count the SMTP logins new over novelty_window (whole hours), less the
 * account's own usual share from the 7 days before.  The baseline compares
 * the messages in the window with the busiest window of the same hour
 * (+-1 h) on each of the last 7 days, or of the same hour of the week over
 * the last two weeks once the history is that long.
 *
 * Score: sum over signals with a watch threshold of log2(1 + value / watch),
 * so a signal exactly at its watch threshold adds 1 and each doubling past
 * it adds about 1 more; continuous, used to sort accounts within a level.
 * The burst's pair (new_burst, new_fanout) adds nothing to it, since it
 * restates logins and fan-out, and its reasons come after the others of
 * their level.
 *
 * Account names are compared ignoring ASCII case (as mail servers
 * authenticate them), and shown as first seen.  Times are the detector's
 * clock: the latest event time fed (or ticked); an event older than that
 * counts as happening now.  The times fed are the sources' effective times
 * (clockguard.h), so one line stamped hours ahead cannot move this clock.
 * An account is flagged at the time of the event that made it suspicious.
 *
 * Memory: every per-account set is capped (exact up to DETECT_EXACT_IPS
 * entries, an estimator beyond; networks up to DETECT_NETS_MAX, the least
 * recently used forgotten beyond), the hourly profiles and novelty counts
 * are fixed-size and allocated only for accounts that need them, queue ids
 * are remembered in one bounded table, and failed logins of unknown
 * accounts in another, so input size and attacker-chosen names cannot
 * exhaust memory.
 */
#ifndef MAILCON_DETECTOR_H
#define MAILCON_DETECTOR_H

#include <stddef.h>
#include <stdint.h>

#include "backends/backend.h"

enum level {
	LEVEL_OK = 0,
	LEVEL_WATCH,
	LEVEL_SUSPICIOUS,
	LEVEL_CRITICAL
};

enum signal_id {
	SIG_AUTH_IPS = 0,	/* distinct client IPs authenticated in window */
	SIG_AUTH_NETS,		/* distinct /24 (IPv4) or /64 (IPv6) networks */
	SIG_MSG_RATE,		/* messages per minute, absolute floors */
	SIG_RCPT_RATE,		/* recipients per minute, absolute floors */
	SIG_BASELINE,		/* messages in the window / the account's
				   busiest window at this hour before */
	SIG_FANOUT,		/* distinct recipient domains in window */
	SIG_FAIL_RATIO,		/* % of delivery attempts deferred or bounced */
	SIG_GUESSED,		/* failed logins then a success from one IP */
	SIG_QUEUE_SHARE,	/* % of the queue owned by the account */
	SIG_NEW_IPS,		/* addresses new to the account, beyond its
				   usual, over the novelty window */
	SIG_NEW_NETS,		/* networks new to the account, likewise */
	SIG_COUNTRIES,		/* distinct countries in the last hour
				   (with an IP context function) */
	SIG_NEW_BURST,		/* addresses that never logged in as the
				   account before, sending mail in window */
	SIG_NEW_FANOUT,		/* recipient domains of their mail in
				   window */
	SIG_COUNT
};

/* Kinds of evidence (bits of account_report.evidence). */
#define DETECT_EV_LOGINS	0x01	/* auth_ips, auth_nets, new_ips,
					   new_nets, countries, new_burst */
#define DETECT_EV_VOLUME	0x02	/* msg_rate, rcpt_rate, baseline,
					   fanout, queue_share, new_fanout */
#define DETECT_EV_DELIVERY	0x04	/* fail_ratio */
#define DETECT_EV_PASSWORD	0x08	/* guessed */
#define DETECT_REASONS	(SIG_COUNT + 1)	/* a report's reasons at most */

/* Thresholds of one signal; 0 disables that level. */
struct signal_limits {
	double		 watch;
	double		 suspicious;
	double		 critical;
};

struct detect_config {
	int		 window;		/* seconds, sliding window (600) */
	struct signal_limits limits[SIG_COUNT];
	int		 baseline_min_history;	/* seconds of history before the
						   baseline signal applies (86400) */
	double		 baseline_min_rate;	/* msgs/min below which the
						   baseline signal is silent (5) */
	int		 ratio_min_attempts;	/* deliveries before the fail
						   ratio counts (20) */
	int		 new_ip_min_history;	/* seconds of history before an
						   address or network counts as
						   new (86400) */
	int		 novelty_window;	/* seconds new_ips and new_nets
						   count over, whole hours up to
						   24 (21600) */
	int		 queue_min_messages;	/* queue size before the share
						   counts (100) */
	char		**allow;		/* allow-listed accounts, NULL-terminated */
	size_t		 max_accounts;		/* table cap (1,000,000) */
};

/*
 * Fill *cfg with the documented defaults: window 600 s; thresholds
 * (watch/suspicious/critical) auth_ips 3/6/20, auth_nets 3/5/15, msg_rate
 * 10/50/200 per min (messages in the window / window minutes), rcpt_rate
 * 50/200/1000 per min, baseline 5/10/50 times, fanout 20/100/500 domains,
 * fail_ratio 30/50/80 % (with >= 20 attempts in the window), guessed 3/8/20
 * failures, queue_share 30/50/80 % (with >= 100 messages queued),
 * new_ips 6/12/30 and new_nets 3/4/8 beyond the usual in novelty_window
 * 21600 s, countries 3/5/10 in an hour, new_burst 3/4/10 addresses and
 * new_fanout 3/5/20 domains in the window; baseline_min_history and
 * new_ip_min_history 86400 s, baseline_min_rate 5 per min; no allow-list;
 * max_accounts 1,000,000.
 */
void	detect_config_defaults(struct detect_config *cfg);
const char *signal_name(enum signal_id id);	/* config key, e.g. "auth_ips" */
const char *level_name(enum level l);
/* The kinds of evidence in mask in words, "many addresses, volume";
   "none" for 0.  Returns buf. */
char	*evidence_format(unsigned mask, char *buf, size_t len);

#define DETECT_EXACT_IPS 1024	/* distinct IPs kept exactly per account */
#define DETECT_NETS_MAX	 256	/* networks remembered per account */

/* A snapshot of one account, for views and reports.  Strings are owned by
   the detector and valid until the next detector_feed/tick/free. */
struct account_report {
	const char	*account;
	enum level	 level;		/* now */
	enum level	 peak_level;	/* highest reached */
	double		 score;
	double		 rate_now;	/* messages per minute in the window */
	int		 allowed;	/* on the allow-list: never above ok */
	int		 nreasons;
	const char	*reasons[DETECT_REASONS];	/* now, most severe
							   first */
	double		 peak_score;
	int		 npeak_reasons;
	const char	*peak_reasons[DETECT_REASONS];	/* at the worst
							   moment */
	int64_t		 peak_at;	/* log time of the worst moment, -1 none */
	uint64_t	 messages;	/* messages submitted (all time) */
	uint64_t	 recipients;
	uint64_t	 auth_ips;	/* distinct IPs authenticated (all time) */
	int		 auth_ips_exact;	/* 0: auth_ips is an estimate */
	uint64_t	 auth_fail;	/* failed logins seen for this account */
	uint64_t	 queued_now;	/* still queued per the log */
	int64_t		 first_seen;
	int64_t		 last_seen;
	int64_t		 flagged_at;	/* first time at suspicious or worse, -1 never */
	uint64_t	 messages_before_flag;	/* messages by flagged_at */
	unsigned	 evidence;	/* DETECT_EV_* at suspicious or above, now */
	unsigned	 peak_evidence;	/* the same at the worst moment */
	int64_t		 confirmed_at;	/* first time critical backed by two
					   kinds of evidence, -1 never */
	unsigned	 confirmed_evidence;	/* the kinds then */
	uint64_t	 messages_before_confirmed;	/* messages by
					   confirmed_at (0 when never) */
	const char	*confirmed_why;	/* the strongest reason of each kind
					   then, "; "-separated, or NULL */
};

struct detector;

struct detector	*detector_new(const struct detect_config *cfg);
void		 detector_free(struct detector *d);

/* Feed one event; events must come in non-decreasing time order (small
   disorder is tolerated).  Levels are re-evaluated as counters change. */
void		 detector_feed(struct detector *d, const struct mail_event *ev);

/*
 * A hint, for callers that know a line's queue id before it is parsed:
 * start loading what detector_feed will look it up in.  Changes nothing.
 */
void		 detector_prefetch_qid(struct detector *d, const char *qid,
		    size_t len);

/*
 * The hashes detector_feed looks an event up by (its queue id's, its
 * login's), for callers that hold events before they feed them: computed
 * once by detector_keys, then passed to detector_prefetch and
 * detector_feed_keys.  A field is meaningful only when the event has that
 * string.
 */
struct detect_keys {
	uint64_t	 qid;
	uint64_t	 account;
};
void		 detector_keys(const struct mail_event *ev,
		    struct detect_keys *k);
/* detector_feed with the event's keys from detector_keys(ev). */
void		 detector_feed_keys(struct detector *d,
		    const struct mail_event *ev, const struct detect_keys *k);

/*
 * A hint, for callers that hold events before they feed them: start
 * loading what detector_feed(ev) will read, in DETECT_PREFETCH_STEPS steps,
 * each reading what the one before loaded.  Call step
 * DETECT_PREFETCH_STEPS - 1 first, step 0 last, an event or more apart,
 * with ev the same (strings still valid) and k its keys.  Changes nothing.
 */
#define DETECT_PREFETCH_STEPS	4
void		 detector_prefetch(const struct detector *d,
		    const struct mail_event *ev, const struct detect_keys *k,
		    int step);

/*
 * Give an account the history of earlier sessions (from the console's
 * database): first seen at first_seen, messages sent since.  Its baseline
 * (the earlier rate) then starts from that history instead of from
 * nothing.  Call before events.  -1 when the
 * name fails the grammar or the table is full.
 */
int		 detector_seed(struct detector *d, const char *account,
		     int64_t first_seen, uint64_t messages);

/*
 * An IP the account logged in from in an earlier session (from the
 * console's database): a login from it is not from a new IP.  Bounded:
 * -1 when the table is full or the name fails the grammar.
 */
int		 detector_seed_ip(struct detector *d, const char *account,
		     const struct mail_ip *ip);
/* The same with the times it was first and last used (UTC seconds). */
int		 detector_seed_ip_seen(struct detector *d, const char *account,
		     const struct mail_ip *ip, int64_t first, int64_t last);

/*
 * The account's busiest window (messages) in the hour starting at
 * hour_start (UTC seconds, a multiple of 3600) of an earlier session, from
 * the console's database: the baseline then knows its usual at that hour.
 * -1 when the name fails the grammar or the table is full.
 */
int		 detector_seed_peak(struct detector *d, const char *account,
		     int64_t hour_start, uint32_t msgs);

/*
 * Context for an address (country, AS), from a GeoIP database.  Fills
 * *out and returns 1 when something is known, 0 when nothing is.  org is
 * filled only when want_org is set.  Called on the detector's thread.
 */
struct ip_context {
	char		 cc[3];		/* ISO 3166 country, "" unknown */
	uint32_t	 asn;		/* autonomous system, 0 unknown */
	char		 org[64];	/* its organisation, "" unknown */
};
typedef int	 (*detect_context_fn)(void *arg, const struct mail_ip *ip,
		     struct ip_context *out, int want_org);
/*
 * Networks become AS numbers and countries count (the countries signal)
 * when fn is set; without it networks are /16 (IPv4) and /32 (IPv6)
 * prefixes.  Call before events.
 */
void		 detector_set_context(struct detector *d, detect_context_fn fn,
		     void *arg);

/* What networks are, in words: AS numbers, or prefixes without a database. */
const char	*detector_networks(const struct detector *d);

/*
 * Be told, with arg, whenever an account's level changes, as
 * detector_feed() and detector_tick() find it (the console's trace).
 * account is the name (borrowed, attacker text: escape it).  NULL: not.
 */
typedef void	 (*detector_level_cb)(void *arg, const char *account,
		     enum level from, enum level to);
void		 detector_on_level(struct detector *d, detector_level_cb cb,
		     void *arg);

/*
 * Be told, with arg, the moment an account is confirmed (critical backed
 * by two kinds of evidence, account_report.confirmed_at), as
 * detector_feed() or detector_tick() finds it: the headless containment
 * acts on that evaluation, not on the next snapshot.  account is borrowed
 * attacker text.  cb must not call the detector; note and act after the
 * feed returns.  NULL: not told.
 */
typedef void	 (*detector_confirm_cb)(void *arg, const char *account);
void		 detector_on_confirm(struct detector *d,
		     detector_confirm_cb cb, void *arg);

/* Advance the clock without an event (live mode: windows age). */
void		 detector_tick(struct detector *d, int64_t now);

/* Number of accounts known, and a snapshot of each, in no particular order. */
size_t		 detector_count(const struct detector *d);
typedef void	 (*detector_cb)(const struct account_report *r, void *arg);
void		 detector_foreach(struct detector *d, detector_cb cb, void *arg);
/*
 * The same for accounts start .. start + count - 1 (in detector order, which
 * only grows), so a caller can spread 100,000 reports over several loop
 * turns; returns the index after the last one reported.
 */
size_t		 detector_foreach_range(struct detector *d, size_t start,
		     size_t count, detector_cb cb, void *arg);

/*
 * One reason, structured: which signal, what it measured, the threshold
 * it reached and that threshold's level (before the volume rule, as the
 * sentence says it), and the sentence itself.  Generic on purpose: a
 * signal is known by its name, so new signals need no change here.
 */
struct reason {
	const char	*signal;	/* signal_name(): "auth_ips" */
	double		 value;		/* what it measured */
	double		 threshold;	/* the threshold reached */
	enum level	 level;		/* the level of that threshold */
	const char	*text;		/* the sentence, as in reasons[] */
};

/*
 * The reasons of the account at index, structured, in the order and with
 * the sentences of its report (peak: at its worst moment, as
 * peak_reasons; else now, as reasons): how many were written, at most
 * cap.  Strings are valid as a report's.  Changes nothing that detection
 * reads.
 */
int		 detector_reasons(struct detector *d, long index, int peak,
		     struct reason *out, int cap);

/* Totals across all accounts, for summaries. */
struct detect_totals {
	uint64_t	 events;
	uint64_t	 messages;
	uint64_t	 auth_fail;
	uint64_t	 bad_account;	/* events whose login failed the grammar */
	uint64_t	 queued_now;
	uint64_t	 accounts_dropped;	/* events whose account was refused
						   by max_accounts (not distinct) */
};
void		 detector_totals(const struct detector *d, struct detect_totals *t);

/* Bytes currently allocated by the detector (tables, accounts, sets). */
size_t		 detector_memory(const struct detector *d);

#endif
