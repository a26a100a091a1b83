/*
 * notify.h: alerts that leave the terminal: desktop notifications through
 * libnotify and an optional command hook (a pager), never blocking the
 * caller.
 *
 * What goes out: every alert first passes one gate (notify_gate.c): the
 * same key within [alerts] dedupe (10 min) is dropped unless its level
 * rose; then at most [alerts] rate (6) a minute go out, and the ones held
 * back are counted and told in the next that goes out ("and 12 more
 * alerts"), or in a summary of their own once the rate allows.  An alert
 * through the gate goes to the desktop and to the command, if any.
 *
 * Why a thread: notify_init() and notify_notification_show() are
 * synchronous D-Bus calls (25 s timeout), so they run on a worker fed by a
 * bounded queue; its outcomes reach the loop through a pipe among
 * notifier_fds(), handled by notifier_poll().
 *
 * Text: title and body are plain text and may hold attacker text (account
 * names from logs).  Control bytes, bidi overrides and invalid UTF-8 are
 * shown escaped (sanitize.h), each is cut to a bounded length, then
 * & < > ' " are escaped for the notification markup, so <a href=...> is
 * shown as text and is never a link.  The hook gets the sanitised plain
 * text in its environment only: MAILCON_ALERT_KIND, _LEVEL, _SERVER,
 * _ACCOUNT, _TITLE, _BODY, _TIME (UTC, ISO 8601); never through a shell
 * or its argv.
 *
 * Fallback: with no session bus (DBUS_SESSION_BUS_ADDRESS unset: over SSH),
 * no notification service, or a failed show, the state is unavailable
 * with a reason; notifier_post() then returns NOTIFY_FALLBACK and the
 * console rings the bell and shows a status line.  A change of state is
 * told once, as a NOTIFY_EV_STATE event.  While unavailable for another
 * reason than a missing bus, the desktop is tried again after
 * NOTIFY_RETRY_MS.
 *
 * Loop usage: poll notifier_fds(); on any event, and at the latest after
 * notifier_wait_ms(), call notifier_poll(), which runs the callback.
 */
#ifndef MAILCON_NOTIFY_H
#define MAILCON_NOTIFY_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/detector.h"

#define NOTIFY_APP_NAME		"mailcon"
#define NOTIFY_START_MS		5000	/* a bus that has not answered by
					   then is unavailable */
#define NOTIFY_RETRY_MS		60000	/* try a failed desktop again */
#define NOTIFY_QUEUE_MAX	16	/* shows waiting for the worker */
#define NOTIFY_HOOK_RUNNING	4	/* hook commands at once */
#define NOTIFY_HOOK_QUEUE	16	/* hook runs waiting for a slot */
#define NOTIFY_MAX_FDS		(1 + 3 * NOTIFY_HOOK_RUNNING)

/* The defaults of [alerts]. */
#define ALERT_RATE_DEFAULT	6	/* a minute */
#define ALERT_DEDUPE_DEFAULT	600	/* seconds */
#define ALERT_TIMEOUT_DEFAULT	10	/* seconds a hook may run */

/* [alerts] (config_alert.c). */
struct alert_config {
	int		  notify;	/* desktop notifications (1) */
	char		**command;	/* hook argv, NULL-terminated, or NULL */
	int		  rate;		/* a minute; 0: no limit */
	int		  dedupe;	/* seconds; 0: none */
	int		  command_timeout;	/* seconds */
};

enum alert_kind {
	ALERT_ACCOUNT_LEVEL = 0,	/* an account reached suspicious or
					   critical */
	ALERT_CONTAINMENT,		/* containment ran */
	ALERT_IP_LISTED,		/* a server's IP got listed */
	ALERT_SERVER_STALE		/* a server stopped answering */
};

/*
 * One alert.  Strings are borrowed for the call and may be NULL (title:
 * made from kind, account and server).  key says which alerts are the
 * same for the dedupe; NULL: kind, server and account.
 */
struct alert {
	enum alert_kind	 kind;
	enum level	 level;
	const char	*server;
	const char	*account;
	const char	*title;
	const char	*body;
	const char	*key;
	int64_t		 time;		/* UTC seconds; 0: now */
};

enum notify_state {
	NOTIFY_STARTING = 0,	/* the worker is reaching the bus */
	NOTIFY_AVAILABLE,
	NOTIFY_UNAVAILABLE,	/* see the reason */
	NOTIFY_OFF		/* [alerts] notify = off */
};

/* What notifier_post() did. */
enum notify_result {
	NOTIFY_POSTED = 0,	/* handed to the desktop worker; should it
				   fail, a NOTIFY_EV_UNSHOWN follows */
	NOTIFY_FALLBACK,	/* through the gate, but no desktop: ring the
				   bell, show it on the status line */
	NOTIFY_DUPLICATE,	/* dropped: the same key, not higher */
	NOTIFY_LIMITED		/* held back by the rate; counted */
};

enum notify_event_type {
	NOTIFY_EV_STATE = 0,	/* state changed; text: the reason, or what
				   answers ("dunst 1.9.0") */
	NOTIFY_EV_UNSHOWN,	/* a posted alert was not shown: fall back
				   for it; text: its title (sanitised) */
	NOTIFY_EV_HOOK_DONE,	/* the command ran; text: its title */
	NOTIFY_EV_HOOK_FAILED	/* text: the command and why */
};

/* Given to the callback; text is valid during the call only. */
struct notify_event {
	enum notify_event_type	 type;
	enum notify_state	 state;	/* now */
	enum level		 level;	/* of the alert (UNSHOWN, HOOK_*) */
	const char		*text;
};

typedef void	(*notifier_cb)(const struct notify_event *, void *arg);

struct notifier;

/* [alerts] defaults: notify on, no command, 6 a minute, 10 min. */
void		 alert_config_defaults(struct alert_config *);
void		 alert_config_free(struct alert_config *);

/*
 * Start the notifier (the worker when notify is on and a bus is set); cfg
 * is copied.  cb (may be NULL) runs from notifier_poll() only.  NULL with
 * a message in err when no thread or pipe could be made.
 */
struct notifier	*notifier_new(const struct alert_config *cfg, notifier_cb cb,
		    void *arg, char *err, size_t errlen);
/*
 * Pass a through the gate, then to the desktop and the hook.  now_ms is a
 * monotonic clock (dedupe and rate); never blocks.
 */
enum notify_result notifier_post(struct notifier *, const struct alert *a,
		    int64_t now_ms);
/* The state, and *reason (may be NULL) a sentence saying why. */
enum notify_state notifier_state(const struct notifier *,
		    const char **reason);
/* Descriptors to poll (at most NOTIFY_MAX_FDS); returns how many. */
size_t		 notifier_fds(const struct notifier *, struct pollfd *pfd,
		    size_t max);
/* Milliseconds until notifier_poll() is due (-1: only on an fd event). */
int		 notifier_wait_ms(const struct notifier *, int64_t now_ms);
/* Take the worker's outcomes, step the hooks, send a held-back summary,
   run the callback. */
void		 notifier_poll(struct notifier *, int64_t now_ms);
/*
 * Block until nothing is queued or running, at most timeout_ms (CLI,
 * tests): 0 idle, -1 timed out.  Runs notifier_poll().
 */
int		 notifier_drain(struct notifier *, int timeout_ms);
/* Alerts held back by the rate and not yet told. */
unsigned	 notifier_held(const struct notifier *);
/*
 * Stop: kill the hooks still running, stop the worker.  A worker stuck in
 * a D-Bus call is left to finish on its own (it frees what it holds).
 */
void		 notifier_free(struct notifier *);

/* "account", "containment", "listed", "stale". */
const char	*alert_kind_name(enum alert_kind);
/* Desktop urgency by level: 2 critical, 1 suspicious, 0 others (the
   spec's byte; NOTIFY_URGENCY_* have the same values). */
int		 notify_urgency(enum level);

#endif
