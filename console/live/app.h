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
#include "tui/keys.h"
#include "tui/list.h"

enum view_id {
	V_SERVERS = 0,
	V_ACCOUNTS,
	V_LOG,
	V_HISTORY,
	V_DETAIL,
	V_HELP,
	V_RBL,
	V_COUNT
};

#define APP_MIN_COLS	80
#define APP_MIN_LINES	24
#define APP_TEXT_MAX	64	/* search / filter input */
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
	double		 score;
	double		 rate;		/* messages per minute in the window */
	uint64_t	 messages;
	uint64_t	 auth_ips;
	uint32_t	 index;		/* in its server's detector */
	uint16_t	 server;
	uint8_t		 level;
	uint8_t		 allowed;
	uint8_t		 exact;		/* auth_ips is exact */
};

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
};

struct app_rbl;
struct app_ssh;
struct cmdrun;

struct app {
	struct mailcon_config	*cfg;
	struct loop		*loop;
	struct server		**servers;
	size_t			 nservers;
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
	int			 sort;		/* column of the accounts view */
	size_t			 nlevel[LEVEL_CRITICAL + 1];	/* rows by level */
	struct incident		*incidents;
	size_t			 nincidents, capincidents;
	struct gap		*gaps;		/* see histrows.h */
	size_t			 ngaps, capgaps;
	uint64_t		 gaps_unlisted;	/* beyond HISTROWS_GAPS_MAX */
	struct hist_row		*hist;		/* the history view's rows */
	size_t			 nhist, caphist;

	/* screen */
	int			 curses;	/* curses is up */
	int			 cols, lines;
	int			 utf8;		/* the locale can show UTF-8 */
	int			 view, back;	/* current, and where Esc goes */
	struct list		 list[V_COUNT];
	size_t			*vis;		/* rows shown after the filter */
	size_t			 nvis, capvis;
	int			 vis_all;	/* no filter: row i is vis i */
	char			 filter[V_COUNT][APP_TEXT_MAX];
	char			 search[APP_TEXT_MAX];
	int			 prompt;	/* '/' or '\\' while typing */
	char			 input[APP_TEXT_MAX];
	int			 paused;
	int			 dirty;
	int			 quit;
	char			 note[256];	/* one-line message */
	int64_t			 note_until;	/* monotonic ms it shows until */
	/* lasting warnings, shown in turn when no note shows; none is
	   ever replaced by another (see app_warn) */
	char			 warnings[APP_WARNINGS][256];
	int			 nwarnings;
	int64_t			 warning_turn;	/* whose turn was drawn */
	int			 warnings_more;	/* in the last slot */
	char			 note_next[256];	/* shown once the note ends */
	char			 watching[256];	/* what is followed, plain words */

	/* detail view: the account and its full report, refreshed with rows */
	unsigned		 detail_server;
	char			 detail_account[256];
	long			 detail_index;	/* in the detector, -1 unknown */
	int			 detail_valid;
	struct account_report	 detail;

	/* figures for the benchmark (MAILCON_STATS=FILE) */
	uint64_t		 frames;
	double			 draw_ms_total, draw_ms_max;
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
	int			 signo;		/* the signal that stopped it */
	int			 read_only;	/* --read-only: no action keys */
	struct app_act		 act;
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

int	cmd_console(int argc, char **argv);
/* mailcon watch --headless: the console's loop without a screen. */
int	cmd_watch(int argc, char **argv);

#endif
