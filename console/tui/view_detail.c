/*
 * view_detail.c: one account, one page scrolled as a whole: its level and
 * every reason in full, its rates (the last minute beside the window's
 * average and its earlier rate), a sparkline whose step fits the
 * incident (seconds for a burst, minutes for a long one), then two
 * tables: the addresses that logged in as it, most logins first, and its
 * recent messages with how their deliveries went.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "theme_curses.h"
#include "ui.h"
#include "core/loop.h"
#include "detect/detect_detail.h"
#include "live/app_act.h"
#include "live/rates.h"
#include "live/recent.h"

#define DETAIL_IPS_SHOWN 50	/* address rows, then "+N more" */
#define DETAIL_MSGS_SHOWN 100	/* message rows */
#define DETAIL_SPARK_MAX 60	/* columns of the sparkline */

/* Seconds per column the sparkline may use, finest first. */
static const int detail_steps[] = { 1, 2, 5, 10, 15, 30, 60 };

/* The addresses of the account shown (sorted here: most logins first). */
static struct account_ip detail_ips[DETECT_EXACT_IPS];

/* Most logins first, then the latest, then by address. */
static int
detail_ip_cmp(const void *x, const void *y)
{
	const struct account_ip	*p = x, *q = y;

	if (p->count != q->count)
		return p->count > q->count ? -1 : 1;
	if (p->last != q->last)
		return p->last > q->last ? -1 : 1;
	if (p->ip.family != q->ip.family)
		return p->ip.family < q->ip.family ? -1 : 1;
	return memcmp(p->ip.bytes, q->ip.bytes, sizeof(p->ip.bytes));
}

/* An address for display (the detector keeps IPv6 ones as keys). */
static const char *
detail_ip(const struct mail_ip *ip, uint64_t key, char *buf, size_t size)
{
	if (ip->family == 4 &&
	    inet_ntop(AF_INET, ip->bytes, buf, (socklen_t)size) != NULL)
		return buf;
	if (ip->family == 6 &&
	    inet_ntop(AF_INET6, ip->bytes, buf, (socklen_t)size) != NULL)
		return buf;
	snprintf(buf, size, "IPv6 #%04llx", (unsigned long long)(key & 0xffff));
	return buf;
}

/* Is msgring record m the account's? */
static int
detail_mine(const struct tui *t, const struct msg_record *m)
{
	return m->server == t->a->detail_server &&
	    strncmp(m->account, t->a->detail_account,
	    sizeof(m->account) - 1) == 0;
}

/* The rates beside the sparkline: the last minute, the window, earlier. */
static void
detail_rates(struct tui *t, const struct account_report *r,
    const struct account_detail *d, int y, int x, int w)
{
	const struct server	*s = t->a->servers[t->a->detail_server];
	uint32_t		 now, before;
	char			 r1[16], r2[16], r3[16];
	int			 sec;

	(void)detector_recent(s->det, t->a->detail_index, &now, &before, &sec);
	ui_textf(t, y, x, w - x - 1, theme_attr(THEME_ROLE_DEFAULT),
	    "now %s/min, %d min %s/min, earlier %s",
	    ui_rate(recent_account(t->a, t->a->detail_server,
	    (uint32_t)t->a->detail_index, rate_last_minute(before, now, sec)),
	    r1, sizeof(r1)),
	    t->a->cfg->detect.window / 60, ui_rate(r->rate_now, r2,
	    sizeof(r2)), d->base_rate > 0 ? ui_rate(d->base_rate, r3,
	    sizeof(r3)) : "-");
}

/*
 * The sparkline of the account's recent messages beside its rates: per
 * second, per few seconds or per minute, the finest step that fits its
 * recent messages (those still in the message ring) in the columns;
 * older or longer incidents get the detector's minutes.
 */
static void
detail_spark(struct tui *t, struct page *p, const struct account_report *r,
    const struct account_detail *d, int64_t now, int w)
{
	static uint32_t		 bins[DETAIL_SPARK_MAX];
	const struct msg_record	*m;
	int64_t			 oldest = now;
	size_t			 i;
	int			 cols = w - 60, step = 0, k, y, b, n = 0;

	if (cols > DETAIL_SPARK_MAX)
		cols = DETAIL_SPARK_MAX;
	for (i = 0; i < t->a->msgs.n; i++) {
		m = msgring_get(&t->a->msgs, i);
		if (detail_mine(t, m) && m->time <= now &&
		    m->time > now - 3600) {
			if (m->time < oldest)
				oldest = m->time;
			n++;
		}
	}
	for (k = 0; k < (int)(sizeof(detail_steps) / sizeof(detail_steps[0]));
	    k++)
		if ((now - oldest) / detail_steps[k] < cols) {
			step = detail_steps[k];
			break;
		}
	if ((y = page_next(p)) < 0)
		return;
	if (step == 0 || step == 60 || n == 0) {
		/* minutes: the detector's, over its window and before */
		if (cols > d->nminutes)
			cols = d->nminutes;
		b = ui_textf(t, y, 1, 14, theme_attr(THEME_ROLE_MUTED),
		    "msgs per min ");
		ui_sparkline(t, y, 1 + b, cols, d->msgs, d->nminutes);
	} else {
		memset(bins, 0, sizeof(bins));
		for (i = 0; i < t->a->msgs.n; i++) {
			m = msgring_get(&t->a->msgs, i);
			if (!detail_mine(t, m) || m->time > now ||
			    (now - m->time) / step >= cols)
				continue;
			bins[cols - 1 - (int)((now - m->time) / step)]++;
		}
		b = ui_textf(t, y, 1, 14, theme_attr(THEME_ROLE_MUTED),
		    "msgs per %d s ", step);
		ui_sparkline(t, y, 1 + b, cols, bins, cols);
	}
	detail_rates(t, r, d, y, 2 + b + cols, w);
}

/* Level, counts, when it was flagged, and every reason. */
static void
detail_summary(struct tui *t, struct page *p, const struct server *s,
    const struct account_report *r, int w)
{
	char		 t1[32], t2[32], t3[32];
	const char	*nl, *next;
	long		 idx = t->a->detail_index;
	int		 y, x, k;
	size_t		 n;

	if ((y = page_next(p)) >= 0) {
		x = ui_text(t, y, 1, w / 2, r->account, strlen(r->account),
		    theme_attr(THEME_ROLE_DEFAULT) | A_BOLD);
		ui_textf(t, y, x + 2, w - x - 3, ui_level_attr(r->level),
		    "%s %s on %s (peak %s)%s%s", ui_level_marker(r->level),
		    level_name(r->level), s->name, level_name(r->peak_level),
		    r->allowed ? " allow-listed" : "",
		    app_act_suspended(t->a, s->index, r->account) ?
		    " SUSPENDED" : "");
	}
	if ((y = page_next(p)) >= 0)
		ui_textf(t, y, 1, w - 2, theme_attr(THEME_ROLE_DEFAULT),
		    "%llu msgs to %llu rcpts, %llu login IPs%s, %llu failed "
		    "logins, %llu queued", (unsigned long long)r->messages,
		    (unsigned long long)r->recipients,
		    (unsigned long long)r->auth_ips,
		    r->auth_ips_exact ? "" : " (estimate)",
		    (unsigned long long)r->auth_fail,
		    (unsigned long long)r->queued_now);
	if (s->queue_total > 0 && idx >= 0 && (size_t)idx < s->nqueue_owned &&
	    (y = page_next(p)) >= 0)
		ui_textf(t, y, 1, w - 2, theme_attr(THEME_ROLE_DEFAULT),
		    "in the queue now: %u of %lld messages (%.0f%%), by the "
		    "queue ids its logins submitted", s->queue_owned[idx],
		    (long long)s->queue_total, 100.0 * s->queue_owned[idx] /
		    (double)s->queue_total);
	if ((y = page_next(p)) < 0)
		;
	else if (r->flagged_at >= 0)
		ui_textf(t, y, 1, w - 2, theme_attr(THEME_ROLE_SUSPICIOUS),
		    "seen %s to %s UTC; flagged at %s after %llu messages",
		    ui_clock(r->first_seen, t1, sizeof(t1)),
		    ui_clock(r->last_seen, t2, sizeof(t2)),
		    ui_clock(r->flagged_at, t3, sizeof(t3)),
		    (unsigned long long)r->messages_before_flag);
	else
		ui_textf(t, y, 1, w - 2, theme_attr(THEME_ROLE_DEFAULT),
		    "seen %s to %s UTC", ui_clock(r->first_seen, t1,
		    sizeof(t1)), ui_clock(r->last_seen, t2, sizeof(t2)));
	for (k = 0; k < r->nreasons; k++) {
		/* every reason whole, wrapped under its dash */
		for (nl = r->reasons[k], x = 0; *nl != '\0'; nl = next, x++) {
			n = ui_wrap(nl, w - 6, &next);
			if ((y = page_next(p)) >= 0)
				ui_textf(t, y, 3, w - 4,
				    theme_attr(THEME_ROLE_DEFAULT), "%s %.*s",
				    x == 0 ? "-" : " ", (int)n, nl);
		}
	}
	if (r->nreasons == 0 && r->npeak_reasons > 0 &&
	    (y = page_next(p)) >= 0)
		ui_textf(t, y, 3, w - 4, theme_attr(THEME_ROLE_MUTED),
		    "- earlier: %s", r->peak_reasons[0]);
}

/* The addresses that logged in as it, most logins first. */
static void
detail_addresses(struct tui *t, struct page *p, const struct server *s,
    int w)
{
	struct account_detail	 d;
	char			 t1[16], t2[16], ipbuf[64];
	int			 y, aw = w >= 120 ? 39 : 16;
	size_t			 i;

	if (detector_detail(s->det, t->a->detail_index, &d, detail_ips,
	    DETECT_EXACT_IPS) == -1)
		return;
	qsort(detail_ips, d.nips, sizeof(detail_ips[0]), detail_ip_cmp);
	if ((y = page_next(p)) >= 0) {
		ui_textf(t, y, 1, w - 2, theme_attr(THEME_ROLE_HEADER) | A_BOLD,
		    "%-*s %6s %8s %8s ", aw, "LOGIN IP", "LOGINS",
		    "FIRST", "LAST");
		ui_textf(t, y, aw + 27, w - aw - 28,
		    theme_attr(THEME_ROLE_MUTED), "%zu%s, most logins first",
		    d.ips_total, d.ips_exact ? "" : " kept (more were seen)");
	}
	for (i = 0; i < d.nips && i < DETAIL_IPS_SHOWN; i++)
		if ((y = page_next(p)) >= 0)
			ui_textf(t, y, 1, w - 2,
			    theme_attr(THEME_ROLE_DEFAULT), "%-*s %6u %8s %8s",
			    aw, detail_ip(&detail_ips[i].ip, detail_ips[i].key,
			    ipbuf, sizeof(ipbuf)), detail_ips[i].count,
			    ui_clock(detail_ips[i].first, t1, sizeof(t1)),
			    ui_clock(detail_ips[i].last, t2, sizeof(t2)));
	if (d.nips > DETAIL_IPS_SHOWN && (y = page_next(p)) >= 0)
		ui_textf(t, y, 1, w - 2, theme_attr(THEME_ROLE_MUTED),
		    "(+%zu more, fewer logins each)", d.nips -
		    DETAIL_IPS_SHOWN);
	if (d.nips == 0 && (y = page_next(p)) >= 0)
		ui_textf(t, y, 1, w - 2, theme_attr(THEME_ROLE_MUTED),
		    "(no login seen)");
}

/* Its recent messages (those still in the message ring), newest first. */
static void
detail_messages(struct tui *t, struct page *p, int w)
{
	const struct msg_record	*m;
	char			 t1[16], ipbuf[64];
	size_t			 i, shown = 0, mine = 0;
	int			 y, wide = w >= 120;

	for (i = 0; i < t->a->msgs.n; i++)
		mine += detail_mine(t, msgring_get(&t->a->msgs, i));
	(void)page_next(p);
	if ((y = page_next(p)) >= 0)
		ui_textf(t, y, 1, w - 2, theme_attr(THEME_ROLE_HEADER),
		    "Recent messages: %zu still in memory, newest first", mine);
	if ((y = page_next(p)) >= 0)
		ui_textf(t, y, 1, w - 2, theme_attr(THEME_ROLE_MUTED) | A_BOLD,
		    "%-8s %-12s %-15s %5s %5s %5s %6s %-7s%s", "TIME",
		    "QUEUE ID", "FROM", "RCPTS", "SENT", "DEFER", "BOUNCE",
		    "STATE", wide ? " FIRST RECIPIENT" : "");
	for (i = 0; i < t->a->msgs.n && shown < DETAIL_MSGS_SHOWN; i++) {
		m = msgring_get(&t->a->msgs, i);
		if (!detail_mine(t, m))
			continue;
		shown++;
		if ((y = page_next(p)) < 0)
			continue;
		ui_textf(t, y, 1, w - 2, theme_attr(THEME_ROLE_DEFAULT),
		    "%-8s %-12.12s %-15.15s %5u %5u %5u %6u %-7s%s%s",
		    ui_clock(m->time, t1, sizeof(t1)), m->qid,
		    detail_ip(&m->client, 0, ipbuf, sizeof(ipbuf)), m->nrcpt,
		    m->sent, m->deferred, m->bounced, m->gone ? "gone" :
		    "queued", wide ? " " : "", wide ? m->rcpt : "");
	}
	if (mine == 0 && (y = page_next(p)) >= 0)
		ui_textf(t, y, 1, w - 2, theme_attr(THEME_ROLE_MUTED),
		    "(none in memory: the ring keeps the latest %zu "
		    "messages of all accounts)", t->a->msgs.cap);
}

/* The whole detail page. */
static void
detail_draw(struct tui *t, int top, int h, int w)
{
	const struct account_report	*r = t->a->detail_valid ?
	    &t->a->detail : NULL;
	const struct server		*s;
	struct account_detail		 d;
	struct page			 p;
	int64_t				 now;

	if (r == NULL || t->a->detail_server >= t->a->nservers) {
		ui_textf(t, top, 1, w - 2, theme_attr(THEME_ROLE_MUTED),
		    "no account %s", t->a->detail_account);
		return;
	}
	s = t->a->servers[t->a->detail_server];
	if (detector_detail(s->det, t->a->detail_index, &d, NULL, 0) == -1)
		memset(&d, 0, sizeof(d));
	page_begin(&p, t, top, h);
	detail_summary(t, &p, s, r, w);
	now = r->last_seen > s->last_event ? r->last_seen : s->last_event;
	if (server_clock(s, loop_now_ms()) > now)
		now = server_clock(s, loop_now_ms());
	detail_spark(t, &p, r, &d, now, w);
	detail_addresses(t, &p, s, w);
	detail_messages(t, &p, w);
	page_end(&p);
}

const struct view_ops view_detail = {
	.title = "account",
	.keymask = VIEW_DETAIL,
	.draw = detail_draw,
};
