/*
 * app.h: the live console's state, shared by the main loop (app.c), the
 * frame (ui.c) and the views (view_*.c).  One thread owns all of it.
 */
#ifndef MAILCON_APP_H
#define MAILCON_APP_H

#include <stddef.h>
#include <stdint.h>

#include "logring.h"
#include "server.h"
#include "act/actctx.h"
#include "act/contain.h"
#include "config/config.h"
#include "detect/detector.h"
#include "detect/msgring.h"
#include "notelog.h"

#define APP_WARNINGS	8	/* lasting warnings kept */
#define APP_WARNING_MS	4000	/* each shown this long in turn */

/*
 * One account in the accounts view: what the list shows, small, because
 * 100,000 of them are copied and sorted twice a second.  Strings point into
 * the detector and stay valid until the next refresh.
 */
struct acct_row {
	const char	*account;
	const char	*reason;	/* the most severe one now, or NULL */
	uint32_t	 messages;	/* saturated, as the counts below */
	uint32_t	 recipients;
	float		 score;
	float		 rate;		/* messages per minute in the window */
	float		 rate_1m;	/* the same, last 60 s (recent.h) */
	uint32_t	 auth_ips;	/* saturated */
	uint32_t	 flagged_at;	/* log time (UTC s), 0 never */
	uint32_t	 first_seen;	/* log time (UTC s), 0 unknown */
	uint32_t	 queued;	/* still queued per the log */
	uint32_t	 index;		/* in its server's detector */
	uint16_t	 server;
	uint8_t		 level;
	uint8_t		 allowed;
	uint8_t		 exact;		/* auth_ips is exact */
	uint8_t		 nreasons;	/* reasons now (reason is the first) */
};

/*
 * The columns the accounts snapshot can be ordered by.  Each has its
 * natural order (worst, most, latest first; names a to z); with
 * sort_reverse the other way.  Ties go by level, score and detector order.
 */
enum acct_sort {
	SORT_LEVEL = 0,
	SORT_ACCOUNT,
	SORT_RATE,		/* msgs/min over the last 60 s */
	SORT_MESSAGES,
	SORT_IPS,
	SORT_RECIPIENTS,
	SORT_QUEUED,
	SORT_SERVER,
	SORT_FLAGGED,
	SORT_FIRST_SEEN,
	SORT_AVERAGE,		/* msgs/min over the window */
	SORT_COUNT
};

/*
 * What changed since the screen was drawn (struct app's dirty): anything
 * (the whole screen), or only what some views show, so that a busy log
 * does not redraw a view that does not show it.
 */
#define APP_DIRTY_ALL		0x01
#define APP_DIRTY_SERVERS	0x02	/* servers' rows, the log ring */
#define APP_DIRTY_RBL		0x04	/* DNSBL answers came */

/* An incident: an account that reached suspicious or worse. */
struct incident {
	char		 account[256];
	unsigned	 server;
	int64_t		 opened;	/* log time */
	enum level	 peak;
	uint64_t	 messages_before;
	char		 reason[256];
	int		 earlier;	/* from an earlier session */
	int		 contained;	/* the [watch] policy was applied */
};

/*
 * A part of a followed log that was lost (rotated away before it could be
 * read): the counts of that server have a hole.  Listed in the history view
 * beside incidents (histrows.h).
 */
struct gap {
	char		 server[65];	/* config.c allows 64 bytes */
	char		 path[256];
	char		 why[512];	/* cut at a word (textfit.h) */
	int64_t		 at;		/* UTC seconds, when it was noticed */
	int		 earlier;	/* from an earlier session */
};

/* A row of the history view: an incident or a gap, by index. */
struct hist_row {
	uint32_t	 index;		/* in incidents or gaps */
	uint8_t		 gap;		/* 1: a gap */
};

/* An action the [watch] policy queued (headless), run one after another. */
struct act_job {
	enum contain_action	 action;
	unsigned		 server;
	int			 hold_first;
	int			 sweep;		/* a quiet hold after a suspend */
	char			 account[256];
};

/*
 * A suspended account: a session open before the suspension can still
 * submit (smtpd reads the changed map only for new sessions), so its new
 * messages are held too, in a batch a moment after they show in the log.
 */
struct act_sweep {
	unsigned		 server;
	int64_t			 due;		/* monotonic ms, 0: nothing new */
	uint64_t		 base;		/* the account's messages when
						   the suspension took effect */
	char			 account[256];
};

/* Containment from the console's keys and the headless policy (app_act.c). */
enum act_state {
	ACTS_IDLE = 0,
	ACTS_COUNTING,		/* reading the queue for the purge dialog */
	ACTS_CONFIRM,		/* the dialog: y runs it, anything else not */
	ACTS_RUNNING,
	ACTS_RESULT,		/* the result shows until a key */
	ACTS_EARLIER		/* actions of earlier runs, shown at start */
};

struct app_act {
	struct audit		*audit;		/* NULL: actions refused */
	char			 audit_err[512];
	char			 operator[64];
	enum act_state		 state;
	struct contain		*run;
	struct contain_request	 req;
	struct act_owner	 owner;
	char			 account[256];
	unsigned		 server;
	int			 timer;		/* stepping the action, or -1 */
	size_t			 count;		/* purge dialog: messages */
	struct act_job		*jobs;		/* the policy's queue */
	size_t			 njobs, capjobs;
	int			 sweep;		/* the running one is a sweep */
	struct act_sweep	*sweeps;
	size_t			 nsweeps;
	char			*earlier;	/* ACTS_EARLIER text, lines */
	int64_t			*pending;	/* rows without outcome shown */
	size_t			 npending;
	unsigned		 contained;	/* policy actions run (headless) */
	struct sesspids		*sesspids;	/* its sessions' processes */
	int64_t			 started_ms;	/* the running one's start */
	int64_t			 progress_ms;	/* its progress last shown */
	char			 pids[4096];	/* the running suspend's */
	uint64_t		 sus_messages;	/* the account's messages when
						   the running suspension took
						   effect (act_counts) */
	int			 sus_late;	/* a message of the account's
						   was read while its suspension
						   ran: sweep at once */
};

struct app;
struct fleet;
struct policy_svc;
struct app_wake;
struct recent;
struct app_rbl;
struct app_ssh;
struct cmdrun;

/* A question or a result an engine has for the operator. */
enum app_dialog {
	APP_DIALOG_ACT,		/* struct app_act's state: confirm, result,
				   the actions of earlier runs */
	APP_DIALOG_HOSTKEY	/* app_ssh_asking(): trust a host key? */
};

/*
 * The screen, as the engines see it: the console's front end (tui/) fills
 * this in; mailcon watch --headless has none.  The loop calls start once,
 * input when stdin is readable (and on every poll, for resizes), draw when
 * idle with something dirty (it clears a->dirty, and says whether the
 * view on screen needed drawing), stop at the end.  The engines call dialog
 * when they have something to ask or show (0: shown; -1: another dialog
 * is up, ask again later) and bell for what needs the operator's eyes.
 */
struct app_frontend {
	int	(*start)(struct app *, const char *theme, char *err,
		    size_t errlen);
	void	(*stop)(struct app *);
	void	(*input)(struct app *);
	int	(*draw)(struct app *);	/* 1: it drew */
	int	(*dialog)(struct app *, enum app_dialog);
	void	(*bell)(struct app *);
};

struct app {
	struct mailcon_config	*cfg;
	struct loop		*loop;
	struct server		**servers;
	size_t			 nservers;
	struct fleet		*fleet;		/* log hosts (fleet.h), or NULL */
	int			 fleet_more;	/* a read-on timer is armed */
	uint64_t		 fleet_drawn;	/* its lines when last marked */
	int64_t			 frame_us;	/* the last frame drawn */
	struct logring		 log;
	struct msgring		 msgs;

	/* accounts snapshot, refreshed on a timer (not on every line) */
	struct acct_row		*rows;
	size_t			 nrows, caprows;
	/* the next snapshot, built a slice per loop turn (double buffer) */
	struct acct_row		*next;
	size_t			 nnext, capnext;
	size_t			 nlevel_next[LEVEL_CRITICAL + 1];
	enum level		*worst_next;	/* per server */
	int			 building;
	size_t			 build_server, build_index;
	struct recent		*recent;	/* the last 60 s (recent.h) */
	enum acct_sort		 sort;		/* order of rows */
	int			 sort_reverse;
	size_t			 nlevel[LEVEL_CRITICAL + 1];	/* rows by level */
	struct incident		*incidents;
	size_t			 nincidents, capincidents;
	struct gap		*gaps;		/* see histrows.h */
	size_t			 ngaps, capgaps;
	uint64_t		 gaps_unlisted;	/* beyond HISTROWS_GAPS_MAX */
	struct hist_row		*hist;		/* the history view's rows */
	size_t			 nhist, caphist;

	/* screen */
	const struct app_frontend *fe;		/* NULL: headless */
	void			*ui;		/* the front end's own state */
	int			 start_history;	/* earlier incidents: show them
						   first */
	int			 paused;
	int			 dirty;		/* APP_DIRTY_* */
	int			 quit;
	char			 note[256];	/* one-line message */
	int64_t			 note_until;	/* monotonic ms it shows until */
	/* lasting warnings, shown in turn when no note shows; none is
	   ever replaced by another (see app_warn) */
	char			 warnings[APP_WARNINGS][256];
	int			 nwarnings;
	int64_t			 warning_turn;	/* whose turn was drawn */
	int64_t			 warning_epoch;	/* turns count from (ms) */
	int			 warnings_more;	/* in the last slot */
	char			 note_next[256];	/* shown once the note ends */
	char			 watching[2048];	/* what is followed, plain words */
	struct notelog		 notes;		/* every message, for reading
						   back */

	/* detail view: the account and its full report, refreshed with rows
	   while detail_on */
	int			 detail_on;
	unsigned		 detail_server;
	char			 detail_account[256];
	long			 detail_index;	/* in the detector, -1 unknown */
	int			 detail_valid;
	struct account_report	 detail;

	/* figures for the benchmark (MAILCON_STATS=FILE) */
	uint64_t		 frames;
	double			 draw_ms_total, draw_ms_max;
	double			 draw_cpu_ms_total;	/* CPU, not wall */
	uint64_t		 keys;
	double			 key_ms_total, key_ms_max;
	int64_t			 key_pending_us;	/* key read, not drawn yet */

	/* demo: replay a log into a file the server follows */
	struct demo		*demo;
	struct store		*store;		/* history, or NULL */
	int			 history_warned;
	size_t			 seeded;		/* baseline rows loaded */
	int			 demo_done;
	int64_t			 history_since;	/* last session's end */

	struct notifier		*notifier;	/* alerts, or NULL */
	struct app_rbl		*rbl;		/* DNSBL checks, or NULL */
	struct app_ssh		*ssh;		/* SSH connections, or NULL */
	struct cmdrun		**probes;	/* per server: its probe running
						   (app_probe.c), or NULL */

	int			 headless;	/* mailcon watch --headless */
	unsigned		 confirm_server;	/* app_confirm_now's, for its
						   callback */
	int			 signo;		/* the signal that stopped it */
	int			 read_only;	/* --read-only: no action keys */
	struct app_act		 act;
	struct policy_svc	*policy;	/* [policy], headless; or NULL */
	unsigned		 policy_server;	/* whose deny list it reads */
	struct app_wake		*wake;		/* reads on growth (app_wake.h),
						   headless; or NULL */
};

/*
 * A message on the status line for secs seconds; with secs 0 a lasting
 * warning (history off, actions off, no UTF-8): app_warn.
 */
void	app_note(struct app *a, int secs, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/*
 * A server's state may have changed between polls (its connection moved,
 * a line is about to be printed): take it in now, and headless say so,
 * so that state lines come in the order things happened.
 */
void	app_server_sync(struct app *a, struct server *s);

/*
 * Add a lasting warning: kept for the whole session beside the others
 * (the status line shows them in turn, "(1/2)", whenever no note shows;
 * headless, it is printed once).  The same text twice is kept once.
 */
void	app_warn(struct app *a, const char *text);
/* The warning the status line shows now, or NULL. */
const char *app_warning(const struct app *a, int64_t now_ms, char *buf,
	    size_t size);

/* Rebuild the accounts snapshot and incidents from the detectors, now. */
void	app_refresh_rows(struct app *a);
/* Start building the next snapshot a slice per loop turn (snapshot.c). */
void	app_refresh_start(struct app *a);
/*
 * An account the snapshot found flagged: open its incident, or raise its
 * peak (app_incident.c).
 */
void	app_incident_seen(struct app *a, const struct account_report *r,
	    unsigned server);
/* Keep the full report of this account while its detail shows. */
void	app_detail_open(struct app *a, unsigned server, const char *account);
void	app_detail_close(struct app *a);

/* Ask the front end to show a dialog: 0 shown, -1 not now (or none). */
int	app_dialog(struct app *a, enum app_dialog what);
/* The terminal's bell, when there is a screen. */
void	app_bell(struct app *a);

/*
 * The console (fe: its screen) or, with fe NULL, mailcon watch
 * --headless: the loop, the engines, the exit status.
 */
int	app_main(int argc, char **argv, const struct app_frontend *fe);
/* mailcon watch --headless: the console's loop without a screen. */
int	cmd_watch(int argc, char **argv);

#endif
