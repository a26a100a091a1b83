/*
 * view_detail.c: one account: its level and every reason, its message rate
 * minute by minute against its earlier rate, the addresses that logged in
 * as it, and its recent messages with their delivery outcomes.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "theme_curses.h"
#include "ui.h"
#include "detect/detect_detail.h"

#define DETAIL_IPS	256
/* The address column: "%-15s %5s %8s %8s" (address, count, first, last). */
#define DETAIL_IP_W	39
/* The message column's header, and its width with the long last word. */
#define DETAIL_MSG_HDR	"%-8s %-11s %4s %s"
#define DETAIL_MSG_W	43

/* The account's report from the last refresh, or NULL. */
static const struct account_report *
detail_report(struct app *a)
{
	return a->detail_valid ? &a->detail : NULL;
}

/* Format an address for display. */
static const char *
detail_ip(const struct account_ip *ip, char *buf, size_t size)
{
	if (ip->ip.family == 4 &&
	    inet_ntop(AF_INET, ip->ip.bytes, buf, (socklen_t)size) != NULL)
		return buf;
	snprintf(buf, size, "IPv6 #%04llx",
	    (unsigned long long)(ip->key & 0xffff));
	return buf;
}

/* The whole detail screen. */
static void
detail_draw(struct app *a, int top, int h, int w)
{
	static struct account_ip	 ips[DETAIL_IPS];
	const struct account_report	*r = detail_report(a);
	const struct server		*s;
	struct account_detail		 d;
	char				 t1[16], t2[16], ipbuf[64];
	int				 y = top, k, half, x;
	long				 idx;
	size_t				 i, shown;

	if (r == NULL || a->detail_server >= a->nservers) {
		ui_textf(a, y, 1, w - 2, theme_attr(THEME_ROLE_MUTED),
		    "no account %s", a->detail_account);
		return;
	}
	s = a->servers[a->detail_server];
	idx = a->detail_index;
	if (detector_detail(s->det, idx, &d, ips, DETAIL_IPS) == -1)
		memset(&d, 0, sizeof(d));

	x = ui_text(a, y, 1, w / 2, r->account, strlen(r->account),
	    theme_attr(THEME_ROLE_DEFAULT) | A_BOLD);
	ui_textf(a, y, x + 2, w - x - 3, ui_level_attr(r->level),
	    "%s %s on %s (peak %s)%s", ui_level_marker(r->level),
	    level_name(r->level), s->name, level_name(r->peak_level),
	    r->allowed ? " allow-listed" : "");
	y++;
	ui_textf(a, y++, 1, w - 2, theme_attr(THEME_ROLE_DEFAULT),
	    "%llu msgs, %llu rcpts, %llu login IPs%s, %llu failed logins, "
	    "%llu queued; seen %s to %s UTC",
	    (unsigned long long)r->messages,
	    (unsigned long long)r->recipients,
	    (unsigned long long)r->auth_ips,
	    r->auth_ips_exact ? "" : " (estimate)",
	    (unsigned long long)r->auth_fail,
	    (unsigned long long)r->queued_now,
	    ui_clock(r->first_seen, t1, sizeof(t1)),
	    ui_clock(r->last_seen, t2, sizeof(t2)));
	if (s->queue_total > 0 && idx >= 0 && (size_t)idx < s->nqueue_owned)
		ui_textf(a, y++, 1, w - 2, theme_attr(THEME_ROLE_DEFAULT),
		    "in the queue now: %u of %lld messages (%.0f%%), by the "
		    "queue ids its logins submitted", s->queue_owned[idx],
		    (long long)s->queue_total, 100.0 * s->queue_owned[idx] /
		    (double)s->queue_total);
	if (r->flagged_at >= 0)
		ui_textf(a, y++, 1, w - 2, theme_attr(THEME_ROLE_SUSPICIOUS),
		    "flagged at %s UTC after %llu messages",
		    ui_clock(r->flagged_at, t1, sizeof(t1)),
		    (unsigned long long)r->messages_before_flag);
	for (k = 0; k < r->nreasons && y < top + h; k++)
		ui_textf(a, y++, 3, w - 4, theme_attr(THEME_ROLE_DEFAULT),
		    "- %s", r->reasons[k]);
	if (r->nreasons == 0 && r->npeak_reasons > 0 && y < top + h)
		ui_textf(a, y++, 3, w - 4, theme_attr(THEME_ROLE_MUTED),
		    "- earlier: %s", r->peak_reasons[0]);

	/* rate per minute against the earlier rate */
	if (y < top + h) {
		x = ui_textf(a, y, 1, 24, theme_attr(THEME_ROLE_MUTED),
		    "msgs/min, last %d min ", d.nminutes);
		ui_sparkline(a, y, x + 1, d.nminutes, d.msgs, d.nminutes);
		ui_textf(a, y, x + d.nminutes + 2, w - x - d.nminutes - 3,
		    theme_attr(THEME_ROLE_MUTED), "now %u/min, earlier %s",
		    d.nminutes > 0 ? d.msgs[d.nminutes - 1] : 0,
		    d.base_rate > 0 ? "" : "unknown (too little history)");
		if (d.base_rate > 0)
			ui_textf(a, y, w - 16, 15, theme_attr(THEME_ROLE_MUTED),
			    "%.1f/min", d.base_rate);
		y++;
	}

	/*
	 * Two columns: addresses left, recent messages right.  The address
	 * column is never cut (at 80 columns half the width is one short of
	 * it): the messages start after it and a blank.
	 */
	if (y + 2 >= top + h)
		return;
	half = w / 2;
	if (half < 1 + DETAIL_IP_W + 1)
		half = 1 + DETAIL_IP_W + 1;
	ui_textf(a, y, 1, half - 2, theme_attr(THEME_ROLE_MUTED) | A_BOLD,
	    "%-15s %5s %8s %8s", "LOGIN IP", "COUNT", "FIRST", "LAST");
	ui_textf(a, y, half, w - half, theme_attr(THEME_ROLE_MUTED) | A_BOLD,
	    DETAIL_MSG_HDR, "TIME", "QUEUE ID", "RCPT", w - half >=
	    DETAIL_MSG_W ? "SENT/DEFER/BOUNCE" : "SENT/DEF/BNC");
	y++;
	for (i = 0; i < d.nips && y + (int)i < top + h; i++)
		ui_textf(a, y + (int)i, 1, half - 2,
		    theme_attr(THEME_ROLE_DEFAULT), "%-15s %5u %8s %8s",
		    detail_ip(&ips[i], ipbuf, sizeof(ipbuf)), ips[i].count,
		    ui_clock(ips[i].first, t1, sizeof(t1)),
		    ui_clock(ips[i].last, t2, sizeof(t2)));
	if (d.nips < d.ips_total && y + (int)d.nips < top + h)
		ui_textf(a, y + (int)d.nips, 1, half - 2,
		    theme_attr(THEME_ROLE_MUTED), "(+%zu more)",
		    d.ips_total - d.nips);
	for (i = 0, shown = 0; i < a->msgs.n && y + (int)shown < top + h;
	    i++) {
		const struct msg_record *m = msgring_get(&a->msgs, i);

		if (m->server != a->detail_server ||
		    strncmp(m->account, a->detail_account,
		    sizeof(m->account) - 1) != 0)
			continue;
		ui_textf(a, y + (int)shown, half, w - half,
		    theme_attr(THEME_ROLE_DEFAULT),
		    "%-8s %-11.11s %4u %u/%u/%u%s",
		    ui_clock(m->time, t1, sizeof(t1)), m->qid, m->nrcpt,
		    m->sent, m->deferred, m->bounced, m->gone ? "" : " queued");
		shown++;
	}
}

const struct view_ops view_detail = {
	.title = "account",
	.keymask = VIEW_DETAIL,
	.draw = detail_draw,
};
