/*
 * notify.c: the notifier: one gate for every alert, then the desktop (the
 * libnotify worker) and the alert command; the state the console shows;
 * see notify.h.
 *
 * State changes are noted where they happen and told from notifier_poll()
 * only, once per change, so the console hears "no notifications: ..."
 * once however many alerts fall back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify_int.h"
#include "core/loop.h"
#include "core/xmalloc.h"

/* How long notifier_free() waits for a worker inside a D-Bus call. */
#define NOTIFY_STOP_MS	1000

struct notifier {
	struct alert_config	 cfg;		/* command not kept: see hook */
	notifier_cb		 cb;
	void			*arg;
	struct notify_gate	 gate;
	struct notify_dbus	*dbus;		/* NULL: off or no bus */
	struct notify_hook	*hook;		/* NULL: no command */
	enum notify_state	 state;
	enum notify_state	 told;		/* last state told */
	int			 told_once;
	char			 reason[640];
	char			 server[512];	/* what answered, once known */
	int64_t			 started;
	int64_t			 retry_at;
	uint64_t		 next_id;
	unsigned		 hook_dropped;	/* not passed on: hook full */
};

/* Note a state and why; told by the next notifier_poll(). */
static void
notify_set_state(struct notifier *n, enum notify_state st, const char *why)
{
	n->state = st;
	snprintf(n->reason, sizeof(n->reason), "%s", why);
}

/* Run the callback with one event. */
static void
notify_emit(struct notifier *n, enum notify_event_type type, int level,
    const char *text)
{
	struct notify_event	 ev;

	if (n->cb == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.state = n->state;
	ev.level = (enum level)level;
	ev.text = text;
	n->cb(&ev, n->arg);
}

/* Tell the state if it changed since last told. */
static void
notify_tell_state(struct notifier *n)
{
	if (n->told_once && n->told == n->state)
		return;
	n->told_once = 1;
	n->told = n->state;
	notify_emit(n, NOTIFY_EV_STATE, LEVEL_OK, n->reason);
}

/* See notify.h. */
struct notifier *
notifier_new(const struct alert_config *cfg, notifier_cb cb, void *arg,
    char *err, size_t errlen)
{
	struct notifier	*n = xcalloc(1, sizeof(*n));
	const char	*bus = getenv("DBUS_SESSION_BUS_ADDRESS");

	n->cfg = *cfg;
	n->cfg.command = NULL;
	n->cb = cb;
	n->arg = arg;
	n->started = loop_now_ms();
	notify_gate_init(&n->gate, cfg->rate, cfg->dedupe);
	if (cfg->command != NULL && cfg->command[0] != NULL)
		n->hook = notify_hook_new(cfg->command,
		    cfg->command_timeout * 1000);
	if (!cfg->notify)
		notify_set_state(n, NOTIFY_OFF, "desktop notifications are "
		    "off ([alerts] notify = off): alerts ring the terminal "
		    "bell");
	else if (bus == NULL || bus[0] == '\0') {
		/* never let GLib autolaunch a bus of its own (dbus-launch) */
		notify_set_state(n, NOTIFY_UNAVAILABLE, "no desktop "
		    "notifications: no D-Bus session bus "
		    "(DBUS_SESSION_BUS_ADDRESS is not set, as over SSH); "
		    "alerts ring the terminal bell");
	} else {
		notify_set_state(n, NOTIFY_STARTING, "connecting to the "
		    "D-Bus session bus");
		if ((n->dbus = notify_dbus_start(err, errlen)) == NULL) {
			notifier_free(n);
			return NULL;
		}
	}
	return n;
}

/* Desktop: queue one show; NOTIFY_POSTED or NOTIFY_FALLBACK. */
static enum notify_result
notify_desktop(struct notifier *n, const char *title, const char *body,
    int level, int64_t now_ms)
{
	char	 tm[NOTIFY_MARKUP_SIZE(NOTIFY_TITLE_MAX)];
	char	 bm[NOTIFY_MARKUP_SIZE(NOTIFY_BODY_MAX)];

	if (n->dbus == NULL || n->state == NOTIFY_OFF)
		return NOTIFY_FALLBACK;
	if (n->state == NOTIFY_UNAVAILABLE && now_ms < n->retry_at)
		return NOTIFY_FALLBACK;
	notify_escape_markup(tm, sizeof(tm), title, strlen(title));
	notify_escape_markup(bm, sizeof(bm), body, strlen(body));
	if (notify_dbus_show(n->dbus, ++n->next_id, title, tm, bm,
	    notify_urgency((enum level)level), level) == -1)
		return NOTIFY_FALLBACK;
	/* while unavailable, one alert per NOTIFY_RETRY_MS tries again */
	if (n->state == NOTIFY_UNAVAILABLE)
		n->retry_at = now_ms + NOTIFY_RETRY_MS;
	return NOTIFY_POSTED;
}

/* Hand plain title and body to the command and the desktop. */
static enum notify_result
notify_deliver(struct notifier *n, const char *kind, int level,
    const char *server, const char *account, const char *title,
    const char *body, int64_t when, int64_t now_ms)
{
	struct hook_alert	 h;
	char			 srv[NOTIFY_PLAIN_SIZE(NOTIFY_TITLE_MAX)];
	char			 acct[NOTIFY_PLAIN_SIZE(NOTIFY_TITLE_MAX)];
	char			 tbuf[32];

	if (n->hook != NULL) {
		notify_plain(srv, sizeof(srv), server, NOTIFY_TITLE_MAX);
		notify_plain(acct, sizeof(acct), account, NOTIFY_TITLE_MAX);
		notify_time(when, tbuf, sizeof(tbuf));
		memset(&h, 0, sizeof(h));
		h.kind = kind;
		h.level = level_name((enum level)level);
		h.nlevel = level;
		h.server = srv;
		h.account = acct;
		h.title = title;
		h.body = body;
		h.time = tbuf;
		if (notify_hook_run(n->hook, &h, now_ms) == -1)
			n->hook_dropped++;
	}
	return notify_desktop(n, title, body, level, now_ms);
}

/* See notify.h. */
enum notify_result
notifier_post(struct notifier *n, const struct alert *a, int64_t now_ms)
{
	char		 key[1024];
	char		 title[NOTIFY_PLAIN_SIZE(NOTIFY_TITLE_MAX)];
	char		 body[NOTIFY_PLAIN_SIZE(NOTIFY_BODY_MAX) + 64];
	unsigned	 held;

	notify_key(a, key, sizeof(key));
	switch (notify_gate_check(&n->gate, key, (int)a->level, now_ms)) {
	case GATE_DUPLICATE:
		return NOTIFY_DUPLICATE;
	case GATE_LIMITED:
		return NOTIFY_LIMITED;
	case GATE_PASS:
		break;
	}
	held = n->gate.held;
	n->gate.held = 0;
	notify_title(a, title, sizeof(title));
	notify_body(a, held, body, sizeof(body));
	return notify_deliver(n, alert_kind_name(a->kind), (int)a->level,
	    a->server, a->account, title, body, a->time, now_ms);
}

/* The alerts held back, told on their own once the rate allows. */
static void
notify_summary(struct notifier *n, int64_t now_ms)
{
	char		 title[128], body[256];
	unsigned	 held = n->gate.held;
	int		 level = n->gate.held_level;

	if (held == 0 || !notify_gate_room(&n->gate, now_ms))
		return;
	n->gate.held = 0;
	notify_gate_spend(&n->gate, now_ms);
	snprintf(title, sizeof(title), "mailcon: %u more alert%s", held,
	    held == 1 ? "" : "s");
	snprintf(body, sizeof(body), "and %u more alert%s, held back by the "
	    "rate limit ([alerts] rate = %d a minute): see the console",
	    held, held == 1 ? "" : "s", n->gate.rate);
	if (notify_deliver(n, "summary", level, NULL, NULL, title, body, 0,
	    now_ms) == NOTIFY_FALLBACK)
		notify_emit(n, NOTIFY_EV_UNSHOWN, level, title);
}

/* Take the worker's outcomes. */
static void
notify_take(struct notifier *n, int64_t now_ms)
{
	struct dbus_result	 r;

	while (n->dbus != NULL && notify_dbus_next(n->dbus, &r)) {
		switch (r.type) {
		case DBUS_READY:
			snprintf(n->server, sizeof(n->server), "%s", r.text);
			/* FALLTHROUGH */
		case DBUS_SHOWN:
			if (n->state != NOTIFY_AVAILABLE)
				notify_set_state(n, NOTIFY_AVAILABLE,
				    n->server[0] != '\0' ? n->server :
				    "desktop notifications work");
			break;
		case DBUS_DOWN:
		case DBUS_FAILED:
			if (n->state != NOTIFY_UNAVAILABLE)
				n->retry_at = now_ms + NOTIFY_RETRY_MS;
			{
				char	 why[600];

				snprintf(why, sizeof(why), "no desktop "
				    "notifications: %s; alerts ring the "
				    "terminal bell", r.text);
				notify_set_state(n, NOTIFY_UNAVAILABLE, why);
			}
			notify_tell_state(n);
			if (r.type == DBUS_FAILED)
				notify_emit(n, NOTIFY_EV_UNSHOWN, r.level,
				    r.title);
			break;
		}
	}
}

/* See notify.h. */
void
notifier_poll(struct notifier *n, int64_t now_ms)
{
	char	 why[160];

	notify_take(n, now_ms);
	if (n->state == NOTIFY_STARTING &&
	    now_ms - n->started >= NOTIFY_START_MS) {
		snprintf(why, sizeof(why), "no desktop notifications: the "
		    "D-Bus session bus did not answer within %d s; alerts "
		    "ring the terminal bell", NOTIFY_START_MS / 1000);
		notify_set_state(n, NOTIFY_UNAVAILABLE, why);
		n->retry_at = now_ms + NOTIFY_RETRY_MS;
	}
	notify_tell_state(n);
	if (n->hook != NULL)
		notify_hook_step(n->hook, now_ms, n->cb, n->arg);
	if (n->hook_dropped > 0) {
		snprintf(why, sizeof(why), "alert command: %u alert%s not "
		    "passed on, %d commands still running", n->hook_dropped,
		    n->hook_dropped == 1 ? "" : "s", NOTIFY_HOOK_RUNNING);
		n->hook_dropped = 0;
		notify_emit(n, NOTIFY_EV_HOOK_FAILED, LEVEL_OK, why);
	}
	notify_summary(n, now_ms);
}

/* See notify.h. */
enum notify_state
notifier_state(const struct notifier *n, const char **reason)
{
	if (reason != NULL)
		*reason = n->reason;
	return n->state;
}

/* See notify.h. */
size_t
notifier_fds(const struct notifier *n, struct pollfd *pfd, size_t max)
{
	size_t	 k = 0;

	if (n->dbus != NULL && max > 0) {
		pfd[k].fd = notify_dbus_fd(n->dbus);
		pfd[k].events = POLLIN;
		pfd[k++].revents = 0;
	}
	if (n->hook != NULL)
		k += notify_hook_fds(n->hook, pfd + k, max - k);
	return k;
}

/* The smaller of two waits, -1 meaning none. */
static int
notify_min_ms(int a, int64_t b)
{
	if (b < 0)
		return a;
	if (b > INT32_MAX)
		b = INT32_MAX;
	return a < 0 || b < a ? (int)b : a;
}

/* See notify.h. */
int
notifier_wait_ms(const struct notifier *n, int64_t now_ms)
{
	int64_t	 at;
	int	 ms = -1;

	if (!n->told_once || n->told != n->state || n->hook_dropped > 0)
		return 0;
	if (n->state == NOTIFY_STARTING)
		ms = notify_min_ms(ms, n->started + NOTIFY_START_MS - now_ms);
	if (n->hook != NULL)
		ms = notify_min_ms(ms, notify_hook_wait_ms(n->hook, now_ms));
	if (n->gate.held > 0) {
		at = notify_gate_next(&n->gate, now_ms);
		ms = notify_min_ms(ms, at == -1 ? 0 : at - now_ms);
	}
	return ms < 0 ? -1 : ms;
}

/* See notify.h. */
int
notifier_drain(struct notifier *n, int timeout_ms)
{
	struct pollfd	 pfd[NOTIFY_MAX_FDS];
	int64_t		 now, until = loop_now_ms() + timeout_ms;
	size_t		 k;
	int		 ms;

	for (;;) {
		now = loop_now_ms();
		notifier_poll(n, now);
		if (n->state != NOTIFY_STARTING &&
		    (n->dbus == NULL || notify_dbus_pending(n->dbus) == 0) &&
		    (n->hook == NULL || notify_hook_busy(n->hook) == 0))
			return 0;
		if (now >= until)
			return -1;
		k = notifier_fds(n, pfd, NOTIFY_MAX_FDS);
		ms = notify_min_ms(notifier_wait_ms(n, now), until - now);
		/* the hook's reaping is polled, SIGCHLD is not waited for */
		if (ms < 0 || ms > 50)
			ms = 50;
		if (poll(pfd, k, ms) == -1 && errno != EINTR)
			return -1;
	}
}

/* See notify.h. */
unsigned
notifier_held(const struct notifier *n)
{
	return n->gate.held;
}

/* See notify.h. */
void
notifier_free(struct notifier *n)
{
	if (n == NULL)
		return;
	notify_hook_free(n->hook);
	notify_dbus_stop(n->dbus, NOTIFY_STOP_MS);
	notify_gate_free(&n->gate);
	free(n);
}
