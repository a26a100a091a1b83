/*
 * detector.h: explainable, per-account detection of hijacked accounts.
 *
 * Pure: consumes normalised events (backends/backend.h) in time order and
 * keeps, per account, counters over sliding windows of log time.  Nothing
 * here reads a file, a clock or the network, so scans and the live console
 * share it and unit tests drive it with hand-made events.
 *
 * Each signal compares a measured value with three thresholds (watch,
 * suspicious, critical).  An account's level is the highest level any
 * signal reaches, one level higher (capped at critical) when two or more
 * independent signals are at suspicious or above.  Its score orders accounts
 * within a level.  Every signal that reaches watch leaves a reason in plain
 * words, e.g. "214 distinct IPs authenticated in 10 min (critical at 20)".
 *
 * Levels in detail (detect_eval.c):
 *  - a signal's level is the highest threshold its value reaches (>=);
 *  - volume signals (msg_rate, rcpt_rate, fanout, queue_share) count at
 *    most as watch unless some other signal (auth_ips, auth_nets, baseline,
 *    fail_ratio, guessed) is at watch or above: a steady bulk sender from
 *    one IP is worth a look, not an alarm; its reasons still say how far
 *    the volume went;
 *  - the +1 needs two signals from different groups at suspicious or
 *    above; auth_ips and auth_nets are one group (the same logins), and
 *    msg_rate, rcpt_rate, fanout and queue_share another;
 *  - allow-listed accounts stay at ok with their numbers and reasons.
 *
 * Score: sum over signals with a watch threshold of log2(1 + value / watch),
 * so a signal exactly at its watch threshold adds 1 and each doubling past
 * it adds about 1 more; continuous, used to sort accounts within a level.
 *
 * Account names are compared ignoring ASCII case (as mail servers
 * authenticate them), and shown as first seen.  Times are the detector's
 * clock: the latest event time fed (or ticked); an event older than that
 * counts as happening now.  The times fed are the sources' effective times
 * (clockguard.h), so one line stamped hours ahead cannot move this clock.
 * An account is flagged at the time of the event that made it suspicious.
 *
 * Memory: every per-account set is capped (exact up to DETECT_EXACT_IPS
 * entries, an estimator beyond), queue ids are remembered in one bounded
 * table, and failed logins of unknown accounts in another, so input size
 * and attacker-chosen names cannot exhaust memory.
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
	SIG_BASELINE,		/* message rate / the account's earlier rate */
	SIG_FANOUT,		/* distinct recipient domains in window */
	SIG_FAIL_RATIO,		/* % of delivery attempts deferred or bounced */
	SIG_GUESSED,		/* failed logins then a success from one IP */
	SIG_QUEUE_SHARE,	/* % of the queue owned by the account */
	SIG_NEW_IPS,		/* logins from IPs the account never used */
	SIG_COUNT
};

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
						   baseline signal applies (3600) */
	double		 baseline_min_rate;	/* msgs/min below which the
						   baseline signal is silent (5) */
	int		 ratio_min_attempts;	/* deliveries before the fail
						   ratio counts (20) */
	int		 new_ip_min_history;	/* seconds of history before an
						   unknown IP counts (86400) */
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
 * failures, queue_share 30/50/80 % (with >= 100 messages queued);
 * baseline_min_history 3600 s, baseline_min_rate 5 per min; no allow-list;
 * max_accounts 1,000,000.
 */
void	detect_config_defaults(struct detect_config *cfg);
const char *signal_name(enum signal_id id);	/* config key, e.g. "auth_ips" */
const char *level_name(enum level l);

#define DETECT_EXACT_IPS 1024	/* distinct IPs kept exactly per account */

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
	const char	*reasons[SIG_COUNT];	/* now, most severe first */
	double		 peak_score;
	int		 npeak_reasons;
	const char	*peak_reasons[SIG_COUNT];	/* at the worst moment */
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

/*
 * Be told, with arg, whenever an account's level changes, as
 * detector_feed() and detector_tick() find it (the console's trace).
 * account is the name (borrowed, attacker text: escape it).  NULL: not.
 */
typedef void	 (*detector_level_cb)(void *arg, const char *account,
		     enum level from, enum level to);
void		 detector_on_level(struct detector *d, detector_level_cb cb,
		     void *arg);

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
