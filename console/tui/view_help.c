/*
 * view_help.c: the help, one page scrolled as a whole (Up, Down, PgUp,
 * PgDn, g, G): every key, generated from the key table (action keys only
 * where the selected server can do them, none with --read-only), then
 * what the markers and the columns of each view mean.
 */
#include <stdio.h>
#include <string.h>

#include "theme_curses.h"
#include "ui.h"
#include "act/contain.h"

/* Markers and columns: what each means (a "" line is a blank). */
static const char *const help_text[][2] = {
	{ "Markers", NULL },
	{ "!!", "critical: hijacked by every sign (bold or coloured too)" },
	{ "!", "suspicious" },
	{ "~", "watch: worth a look (a loud newsletter stays here)" },
	{ "(blank)", "ok" },
	{ "allowed", "allow-listed (config): shown, never flagged" },
	{ "~N", "a count that is an estimate (more addresses than kept)" },
	{ "--", "incidents view: a log gap, lines lost before they were "
	    "read" },
	{ "(earlier)", "from an earlier session (the history)" },
	{ "\u25bc \u25b2", "accounts view: the sorted column, most first (v), "
	    "or inverted with I (^)" },
	{ "!", "messages view: a lasting warning" },
	{ "", NULL },
	{ "Rates", NULL },
	{ "MSG/MIN", "messages per minute over the last 60 s: a burst of 400 "
	    "in 17 s is 400" },
	{ "AVG10M", "the same averaged over the detection window (10 min by "
	    "default), as the reasons count it" },
	{ "", NULL },
	{ "Servers view (1)", NULL },
	{ "STATE", "live, partial (some logs unreadable), down, starting; "
	    "why, when not live" },
	{ "MTA", "its mail system (backend =, or what the probe found)" },
	{ "LAST 12 MIN", "outbound messages per minute, oldest left (20 "
	    "minutes from 100 columns)" },
	{ "QUEUE DEFER", "messages in the queue, of them deferred (last "
	    "read)" },
	{ "AUTHF", "failed logins" },
	{ "WORST", "its worst account now" },
	{ "DNSBL", "its addresses on the blocklists (r checks, 5 shows)" },
	{ "", NULL },
	{ "Accounts view (2)", NULL },
	{ "LEVEL", "now (the detail has the peak)" },
	{ "MSGS", "messages it submitted since first seen" },
	{ "IPS", "distinct addresses that logged in as it" },
	{ "MTA", "its server's mail system, when the servers run several" },
	{ "RCPTS", "recipients of its messages (wider screens)" },
	{ "QUEUED SHARE", "its messages still queued, and their share of the "
	    "server's queue" },
	{ "FLAGGED", "when it reached suspicious (UTC)" },
	{ "FIRST SEEN", "its first line (UTC), this session or the history" },
	{ "WHY", "its strongest reason in few words; + means more: Enter" },
	{ "", NULL },
	{ "Log view (3)", NULL },
	{ "SERVER LINE", "each line as read, escaped; the pane below wraps "
	    "the selected one" },
	{ "", NULL },
	{ "Incidents view (4)", NULL },
	{ "OPENED PEAK", "when it reached suspicious, and its worst level" },
	{ "BEFORE", "messages it sent before it was flagged" },
	{ "", NULL },
	{ "Blocklists view (5)", NULL },
	{ "STATUS", "listed, clean (an NXDOMAIN from a healthy zone), unknown, "
	    "error: why" },
};

/* Key labels of binding b and its twins ("s, F5"). */
static void
help_labels(const struct key_binding *b, char *keys, size_t size)
{
	const struct key_binding	*c;

	snprintf(keys, size, "%s", b->label);
	for (c = b + 1; c->label != NULL; c++)
		if (keys_twins(c, b) && strstr(keys, c->label) == NULL &&
		    strlen(keys) + strlen(c->label) + 3 < size)
			snprintf(keys + strlen(keys), size - strlen(keys),
			    ", %s", c->label);
}

/* A key or a word in the key colour, then what it means, wrapped. */
static void
help_line(struct page *p, const char *key, const char *what, attr_t wattr)
{
	struct tui	*t = p->t;
	const char	*next;
	size_t		 n;
	int		 y, first = 1;

	do {
		n = ui_wrap(what, t->cols - 21, &next);
		if ((y = page_next(p)) >= 0) {
			if (first) {
				attrset(theme_attr(THEME_ROLE_KEY_HINT));
				mvaddnstr(y, 2, key, 16);
			}
			ui_text(t, y, 20, t->cols - 21, what, n, wattr);
		}
		first = 0;
		what = next;
	} while (*what != '\0');
}

/*
 * The action keys the selected server cannot use, a line per reason
 * ("not on mx1: hold, release, purge: server mx1 has no queue access:
 * ..."), so the help says why they are not listed.
 */
static void
help_not_here(struct page *p, long server)
{
	const struct key_binding	*b, *c;
	char				 line[1024], why[512], other[512];
	size_t				 off;
	int				 y, seen;

	for (b = key_table; b->label != NULL; b++) {
		if (b->action == 0 || keys_is_twin(b) ||
		    ui_key_capable(p->t, b, why, sizeof(why)))
			continue;
		/* said with an earlier key of the same reason */
		for (seen = 0, c = key_table; c < b && !seen; c++)
			seen = c->action != 0 && !keys_is_twin(c) &&
			    !ui_key_capable(p->t, c, other, sizeof(other)) &&
			    strcmp(other, why) == 0;
		if (seen)
			continue;
		off = (size_t)snprintf(line, sizeof(line), "not on %s: %s",
		    p->t->a->servers[server]->name, contain_action_name(
		    (enum contain_action)(b->action - 1)));
		for (c = b + 1; c->label != NULL && off < sizeof(line); c++)
			if (c->action != 0 && !keys_is_twin(c) &&
			    !ui_key_capable(p->t, c, other, sizeof(other)) &&
			    strcmp(other, why) == 0)
				off += (size_t)snprintf(line + off,
				    sizeof(line) - off, ", %s",
				    contain_action_name((enum contain_action)
				    (c->action - 1)));
		if (off < sizeof(line))
			snprintf(line + off, sizeof(line) - off, ": %s", why);
		if ((y = page_next(p)) >= 0)
			ui_text(p->t, y, 2, p->t->cols - 3, line,
			    strlen(line), theme_attr(THEME_ROLE_MUTED));
	}
}

/* The whole help. */
static void
help_draw(struct tui *t, int top, int h, int w)
{
	const struct key_binding	*b;
	struct page			 p;
	char				 keys[32];
	long				 server = ui_selected_server(t);
	size_t				 i;
	int				 y;

	page_begin(&p, t, top, h);
	if ((y = page_next(&p)) >= 0)
		ui_textf(t, y, 1, w - 2, theme_attr(THEME_ROLE_HEADER),
		    "Keys (q or Esc goes back; Up/Down, PgUp/PgDn, g/G "
		    "scroll)");
	for (b = key_table; b->label != NULL; b++) {
		if (keys_is_twin(b))
			continue;
		if (b->action != 0 && t->a->read_only)
			continue;	/* --read-only: no action keys */
		/* what the selected server cannot do: said below */
		if (b->action != 0 && server >= 0 &&
		    !ui_key_capable(t, b, NULL, 0))
			continue;
		help_labels(b, keys, sizeof(keys));
		help_line(&p, keys, b->help, theme_attr(THEME_ROLE_DEFAULT));
	}
	if (server >= 0 && !t->a->read_only)
		help_not_here(&p, server);
	if (t->a->read_only && (y = page_next(&p)) >= 0)
		ui_textf(t, y, 2, w - 3, theme_attr(THEME_ROLE_MUTED),
		    "read-only (--read-only): no action keys");
	for (i = 0; i < sizeof(help_text) / sizeof(help_text[0]); i++) {
		if (help_text[i][1] == NULL) {
			if ((y = page_next(&p)) >= 0 && help_text[i][0][0])
				ui_textf(t, y, 1, w - 2,
				    theme_attr(THEME_ROLE_HEADER), "%s",
				    help_text[i][0]);
			continue;
		}
		help_line(&p, strcmp(help_text[i][0], "\u25bc \u25b2") == 0 &&
		    !t->utf8 ? "v ^" : help_text[i][0], help_text[i][1],
		    theme_attr(THEME_ROLE_DEFAULT));
	}
	page_end(&p);
}

const struct view_ops view_help = {
	.title = "help",
	.keymask = VIEW_HELP,
	.draw = help_draw,
};
