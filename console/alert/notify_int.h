/*
 * notify_int.h: the parts of the notifier (notify.h), each in its own file
 * and tested alone: the text (notify_text.c), the gate (notify_gate.c),
 * the libnotify worker (notify_dbus.c) and the command hook
 * (notify_hook.c).
 */
#ifndef MAILCON_NOTIFY_INT_H
#define MAILCON_NOTIFY_INT_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "notify.h"

#define NOTIFY_TITLE_MAX	120	/* bytes of a title kept */
#define NOTIFY_BODY_MAX		600	/* bytes of a body kept */
/* Sanitising makes at most 4 bytes of 1, escaping markup 6 of 1. */
#define NOTIFY_PLAIN_SIZE(n)	(4 * (n) + 128)
#define NOTIFY_MARKUP_SIZE(n)	(6 * NOTIFY_PLAIN_SIZE(n) + 1)
#define NOTIFY_DEDUPE_KEYS	256	/* keys remembered for the dedupe */

/* notify_text.c */

/*
 * Escape p[0..len) for the notification markup (& < > ' ") into out,
 * always NUL-terminated, cut before an entity that does not fit.  Returns
 * the bytes written.
 */
size_t	notify_escape_markup(char *out, size_t size, const char *p,
	    size_t len);
/*
 * The sanitised plain text of s cut to max bytes (at a character, with
 * "..." when cut), into out (NOTIFY_PLAIN_SIZE(max) bytes is enough).
 */
size_t	notify_plain(char *out, size_t size, const char *s, size_t max);
/* The alert's plain title (its own, or one made from kind, account and
   server). */
void	notify_title(const struct alert *, char *out, size_t size);
/* The plain body, with "and N more alerts" when held > 0. */
void	notify_body(const struct alert *, unsigned held, char *out,
	    size_t size);
/* The dedupe key: a->key, or kind|server|account. */
void	notify_key(const struct alert *, char *out, size_t size);
/* t (0: now) as 2026-05-01T12:00:00Z. */
void	notify_time(int64_t t, char *out, size_t size);

/* notify_gate.c: dedupe and rate limit, on the caller's clock. */
enum gate_verdict {
	GATE_PASS = 0,
	GATE_DUPLICATE,
	GATE_LIMITED
};

struct gate_key {
	char		*key;
	int		 level;
	int64_t		 at;
};

struct notify_gate {
	int64_t		 window_ms;	/* dedupe; 0 none */
	int		 rate;		/* a minute; 0 no limit */
	int64_t		*sent;		/* ring of the last rate sends */
	size_t		 nsent, head;
	struct gate_key	 keys[NOTIFY_DEDUPE_KEYS];
	size_t		 nkeys;
	unsigned	 held;		/* held back, not yet told */
	int		 held_level;	/* the highest of those */
};

void		 notify_gate_init(struct notify_gate *, int rate,
		    int dedupe_s);
void		 notify_gate_free(struct notify_gate *);
/* Judge one alert at now; a pass is recorded (key, level, rate slot). */
enum gate_verdict notify_gate_check(struct notify_gate *, const char *key,
		    int level, int64_t now_ms);
/* May one more go out at now (rate only)? */
int		 notify_gate_room(const struct notify_gate *, int64_t now_ms);
/* Take a rate slot at now without a key (a summary). */
void		 notify_gate_spend(struct notify_gate *, int64_t now_ms);
/* When the rate next has room, or -1 when it has now or is unlimited. */
int64_t		 notify_gate_next(const struct notify_gate *, int64_t now_ms);

/* notify_dbus.c: the worker that talks to libnotify. */
struct notify_dbus;

enum dbus_outcome {
	DBUS_READY = 0,		/* text: the server's name and version */
	DBUS_DOWN,		/* init failed; text: why */
	DBUS_SHOWN,		/* id shown */
	DBUS_FAILED		/* id not shown; text: why */
};

/* One outcome from the worker. */
struct dbus_result {
	enum dbus_outcome type;
	uint64_t	 id;
	int		 level;
	char		 title[NOTIFY_PLAIN_SIZE(NOTIFY_TITLE_MAX)];
	char		 text[512];
};

/* Start the worker, which connects at once. */
struct notify_dbus *notify_dbus_start(char *err, size_t errlen);
/*
 * Queue one show (titles and body already escaped; copied).  0, or -1
 * when NOTIFY_QUEUE_MAX are waiting.
 */
int		 notify_dbus_show(struct notify_dbus *, uint64_t id,
		    const char *plain_title, const char *title_markup,
		    const char *body_markup, int urgency, int level);
int		 notify_dbus_fd(const struct notify_dbus *);
/* Take the next outcome into *r: 1, or 0 when there is none. */
int		 notify_dbus_next(struct notify_dbus *, struct dbus_result *r);
/* Shows queued or in progress. */
size_t		 notify_dbus_pending(struct notify_dbus *);
/* Stop; wait at most wait_ms for the worker, else leave it to end. */
void		 notify_dbus_stop(struct notify_dbus *, int wait_ms);

/* notify_hook.c: the alert command. */
struct notify_hook;

/* The alert as its command sees it: sanitised plain text. */
struct hook_alert {
	const char	*kind, *level, *server, *account, *title, *body;
	const char	*time;
	int		 nlevel;
};

struct notify_hook *notify_hook_new(char *const argv[], int timeout_ms);
/* Run (or queue) the command for a.  0, or -1 when the queue is full. */
int		 notify_hook_run(struct notify_hook *, const struct hook_alert *a,
		    int64_t now_ms);
size_t		 notify_hook_fds(const struct notify_hook *, struct pollfd *,
		    size_t max);
int		 notify_hook_wait_ms(const struct notify_hook *, int64_t now_ms);
/* Step the runs; report each that ended through cb. */
void		 notify_hook_step(struct notify_hook *, int64_t now_ms,
		    notifier_cb cb, void *arg);
/* Runs queued or running. */
size_t		 notify_hook_busy(const struct notify_hook *);
void		 notify_hook_free(struct notify_hook *);
/* The environment for a, from env (ours, MAILCON_ALERT_* dropped). */
char		**notify_hook_env(char *const env[], const struct hook_alert *a);
void		 notify_hook_env_free(char **env);

#endif
