/*
 * ui.c: the curses frame: start and stop, header and bars, the prompt,
 * the too-small screen, key dispatch to views, and drawing helpers.
 *
 * Redraw is deferred: handlers set a->dirty, ui_draw draws once per loop
 * wake-up into curses' buffers and doupdate() sends only what changed.
 */
#include <ctype.h>
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "theme_curses.h"
#include "ui.h"
#include "core/loop.h"
#include "core/sanitize.h"
#include "live/app_act.h"
#include "live/app_rbl.h"
#include "live/app_ssh.h"

static const struct view_ops *const views[V_COUNT] = {
	[V_SERVERS] = &view_servers,
	[V_ACCOUNTS] = &view_accounts,
	[V_LOG] = &view_log,
	[V_HISTORY] = &view_history,
	[V_DETAIL] = &view_detail,
	[V_HELP] = &view_help,
	[V_RBL] = &view_rbl,
};

static SCREEN	*ui_screen;

/* See ui.h. */
int
ui_start(struct app *a, const char *theme, char *err, size_t errlen)
{
	const char	*term = getenv("TERM");
	enum theme_fit	 fit;
	char		 terr[256];

	if (term == NULL || *term == '\0') {
		snprintf(err, errlen, "TERM is not set: set it to your "
		    "terminal's type (e.g. TERM=xterm-256color), or use "
		    "'mailcon scan' for a report");
		return -1;
	}
	if ((ui_screen = newterm(NULL, stdout, stdin)) == NULL) {
		snprintf(err, errlen, "cannot use terminal type \"%.64s\" "
		    "(TERM): no terminfo entry; try TERM=xterm-256color or "
		    "TERM=vt100", term);
		return -1;
	}
	set_term(ui_screen);
	a->curses = 1;
	a->utf8 = sanitize_utf8();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	if (theme == NULL)
		theme = "default";
	if (theme_setup(theme, &fit, terr, sizeof(terr)) == -1)
		app_note(a, 0, "theme: %s (using mono)", terr);
	else if (fit == THEME_FIT_MONO && theme != NULL &&
	    strcmp(theme, "mono") != 0)
		app_note(a, 8, "no colours (NO_COLOR or terminal): mono theme");
	else if (fit == THEME_FIT_DEFAULT)
		app_note(a, 8, "terminal has fewer colours than theme %s "
		    "needs: default theme", theme != NULL ? theme : "default");
	if (!a->utf8)
		app_note(a, 0, "locale is not UTF-8: non-ASCII letters are "
		    "shown escaped (set LANG=C.UTF-8)");
	bkgd(theme_attr(THEME_ROLE_DEFAULT));
	getmaxyx(stdscr, a->lines, a->cols);
	a->dirty = 1;
	return 0;
}

/* See ui.h. */
void
ui_stop(struct app *a)
{
	if (!a->curses)
		return;
	endwin();
	delscreen(ui_screen);
	ui_screen = NULL;
	a->curses = 0;
}

/* See ui.h. */
void
ui_resize(struct app *a)
{
	getmaxyx(stdscr, a->lines, a->cols);
	a->dirty = 1;
}

/* See ui.h. */
int
ui_text(struct app *a, int y, int x, int w, const char *p, size_t len,
    attr_t attr)
{
	char	 buf[2048];
	size_t	 n;
	int	 cols;

	if (w <= 0 || y < 0 || y >= a->lines)
		return 0;
	/* without UTF-8 in the locale, non-ASCII comes escaped (sanitize.h) */
	n = sanitize_text(buf, sizeof(buf), p, len);
	n = text_fit(buf, n, w, &cols);
	attrset(attr);
	mvaddnstr(y, x, buf, (int)n);
	return cols;
}

/* See ui.h. */
int
ui_textf(struct app *a, int y, int x, int w, attr_t attr, const char *fmt,
    ...)
{
	char	 buf[1024];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return 0;
	return ui_text(a, y, x, w, buf, strnlen(buf, sizeof(buf)), attr);
}

/* See ui.h. */
int
ui_contains_len(const char *hay, size_t len, const char *needle)
{
	size_t		 n = strlen(needle);
	const char	*p, *end;
	int		 lo, up;

	if (n == 0)
		return 1;
	if (n > len)
		return 0;
	/*
	 * Only where the first byte matches is the rest compared: a filter
	 * runs over every line of the log view at every frame, and calling
	 * strncasecmp() at each byte was most of a busy console's time.
	 */
	lo = tolower((unsigned char)needle[0]);
	up = toupper(lo);
	end = hay + (len - n) + 1;
	for (p = hay; p < end; p++)
		if (((unsigned char)*p == lo || (unsigned char)*p == up) &&
		    strncasecmp(p + 1, needle + 1, n - 1) == 0)
			return 1;
	return 0;
}

/* See ui.h. */
int
ui_contains(const char *hay, const char *needle)
{
	return ui_contains_len(hay, strlen(hay), needle);
}

/* See ui.h. */
attr_t
ui_level_attr(enum level l)
{
	switch (l) {
	case LEVEL_CRITICAL:
		return theme_attr(THEME_ROLE_CRITICAL);
	case LEVEL_SUSPICIOUS:
		return theme_attr(THEME_ROLE_SUSPICIOUS);
	case LEVEL_WATCH:
		return theme_attr(THEME_ROLE_WATCH);
	default:
		return theme_attr(THEME_ROLE_OK);
	}
}

/* See ui.h. */
const char *
ui_level_marker(enum level l)
{
	static const char *const m[] = { "  ", "~ ", "! ", "!!" };

	return m[l <= LEVEL_CRITICAL ? l : 0];
}

/* See ui.h.  Eight levels of block when UTF-8, else digits 0-9. */
void
ui_sparkline(struct app *a, int y, int x, int w, const uint32_t *v, int n)
{
	static const char *const blocks[] = { " ", "\u2581", "\u2582",
	    "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588" };
	uint32_t	 max = 0;
	int		 i, k, start = n > w ? n - w : 0;

	for (i = start; i < n; i++)
		if (v[i] > max)
			max = v[i];
	attrset(theme_attr(THEME_ROLE_GRAPH));
	for (i = start; i < n; i++) {
		k = max == 0 ? 0 : (int)((v[i] * 8 + max - 1) / max);
		if (v[i] > 0 && k == 0)
			k = 1;
		if (a->utf8)
			mvaddstr(y, x + i - start, blocks[k]);
		else
			mvaddch(y, x + i - start, k == 0 ? ' ' : '0' + k);
	}
}

/* See ui.h. */
const char *
ui_clock(int64_t t, char *buf, size_t size)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL)
		return "-";
	strftime(buf, size, "%H:%M:%S", &tm);
	return buf;
}

/* The list rows of the current view after its filter; without a filter
   every row shows and nothing is built (100,000 accounts, every frame). */
static void
ui_filter_rows(struct app *a, const struct view_ops *v)
{
	const char	*f = a->filter[a->view];
	size_t		 n = v->count(a), i;

	a->vis_all = f[0] == '\0';
	if (a->vis_all) {
		a->nvis = n;
		return;
	}
	if (a->capvis < n) {
		a->capvis = n + 64;
		a->vis = realloc(a->vis, a->capvis * sizeof(*a->vis));
		if (a->vis == NULL)
			abort();
	}
	a->nvis = 0;
	for (i = 0; i < n; i++)
		if (v->match(a, i, f))
			a->vis[a->nvis++] = i;
}

/* The row shown at position i of the filtered list. */
static size_t
ui_vis(const struct app *a, size_t i)
{
	return a->vis_all ? i : a->vis[i];
}

/* The header line: what is watched, the level summary, the time. */
static void
ui_draw_header(struct app *a)
{
	char		 clock[16], fleet[64];
	size_t		 i, n[LEVEL_CRITICAL + 1] = { 0 };
	time_t		 now = time(NULL);
	struct tm	 tm;

	for (i = 0; i <= LEVEL_CRITICAL; i++)
		n[i] = a->nlevel[i];
	attrset(theme_attr(THEME_ROLE_HEADER));
	mvhline(0, 0, ' ', a->cols);
	gmtime_r(&now, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%SZ", &tm);
	app_ssh_fleet(a, fleet, sizeof(fleet));
	ui_textf(a, 0, 0, a->cols, theme_attr(THEME_ROLE_HEADER),
	    " mailcon | %s | %s | crit %zu susp %zu watch %zu%s",
	    views[a->view]->title, fleet,
	    n[LEVEL_CRITICAL], n[LEVEL_SUSPICIOUS], n[LEVEL_WATCH],
	    a->paused ? " | PAUSED" : "");
	ui_text(a, 0, a->cols - 10, 10, clock, strlen(clock),
	    theme_attr(THEME_ROLE_HEADER));
}

/* The key bar from the key table, or the prompt while typing. */
static void
ui_draw_bars(struct app *a)
{
	const struct key_binding	*b;
	unsigned			 mask = views[a->view]->keymask;
	int				 x = 0, y = a->lines - 1;
	int64_t				 now = loop_now_ms();
	const char			*warn;
	char				 wbuf[300];

	attrset(theme_attr(THEME_ROLE_STATUS));
	mvhline(y - 1, 0, ' ', a->cols);
	if (a->note[0] != '\0' && now < a->note_until)
		ui_text(a, y - 1, 0, a->cols, a->note, strlen(a->note),
		    theme_attr(THEME_ROLE_STATUS));
	else if ((warn = app_warning(a, now, wbuf, sizeof(wbuf))) != NULL)
		ui_text(a, y - 1, 0, a->cols, warn, strlen(warn),
		    theme_attr(THEME_ROLE_SUSPICIOUS));
	else
		ui_textf(a, y - 1, 0, a->cols, theme_attr(THEME_ROLE_STATUS),
		    " %s%s%s", a->watching, a->filter[a->view][0] ? " | filter: " :
		    "", a->filter[a->view]);
	attrset(theme_attr(THEME_ROLE_DEFAULT));
	mvhline(y, 0, ' ', a->cols);
	if (a->prompt != 0) {
		ui_textf(a, y, 0, a->cols, theme_attr(THEME_ROLE_KEY_HINT),
		    "%s: %s", a->prompt == '/' ? "search" : "filter", a->input);
		curs_set(1);
		return;
	}
	curs_set(0);
	for (b = key_table; b->label != NULL && x < a->cols; b++) {
		if (b->bar == NULL || ((b->bar_views != 0 ? b->bar_views :
		    b->views) & mask) == 0 ||
		    (a->read_only && keys_is_action(b->action)))
			continue;
		/* our own labels: drawn as they are, not sanitised */
		attrset(theme_attr(THEME_ROLE_KEY_HINT));
		mvaddnstr(y, x, b->label, a->cols - x);
		x += (int)strlen(b->label);
		if (x >= a->cols)
			break;
		x += ui_textf(a, y, x, a->cols - x,
		    theme_attr(THEME_ROLE_DEFAULT), "%s ", b->bar);
	}
}

/* Below the minimum size: say what is needed, nothing else. */
static void
ui_draw_too_small(struct app *a)
{
	char	 msg[64];
	int	 len;

	len = snprintf(msg, sizeof(msg), "need %dx%d, have %dx%d",
	    APP_MIN_COLS, APP_MIN_LINES, a->cols, a->lines);
	attrset(theme_attr(THEME_ROLE_DEFAULT));
	mvaddnstr(a->lines / 2, a->cols > len ? (a->cols - len) / 2 : 0, msg,
	    a->cols);
}

/* See ui.h. */
void
ui_draw(struct app *a)
{
	const struct view_ops	*v = views[a->view];
	struct list		*l = &a->list[a->view];
	int			 top = 1, h, y;
	size_t			 i;

	if (!a->dirty || !a->curses)
		return;
	a->dirty = 0;
	erase();
	if (a->cols < APP_MIN_COLS || a->lines < APP_MIN_LINES) {
		ui_draw_too_small(a);
		refresh();
		return;
	}
	ui_draw_header(a);
	h = a->lines - 3;
	if (v->draw != NULL)
		v->draw(a, top, h, a->cols);
	else {
		if (v->header != NULL) {
			v->header(a, top, a->cols);
			top++;
			h--;
		}
		ui_filter_rows(a, v);
		list_resize(l, a->nvis, h);
		for (i = l->top, y = top; i < a->nvis && y < top + h; i++, y++)
			v->row(a, ui_vis(a, i), y, a->cols, i == l->sel);
		if (a->nvis == 0)
			ui_textf(a, top + 1, 2, a->cols - 4,
			    theme_attr(THEME_ROLE_MUTED), "%s",
			    a->filter[a->view][0] ? "no row matches the filter"
			    : "nothing yet");
	}
	app_act_draw(a);
	app_ssh_draw(a);
	ui_draw_bars(a);
	if (a->prompt != 0)
		move(a->lines - 1, (int)strlen(a->input) + 8);
	refresh();
}

/* Jump to the next row (after the selection) matching the search text. */
static void
ui_search_next(struct app *a)
{
	const struct view_ops	*v = views[a->view];
	struct list		*l = &a->list[a->view];
	size_t			 k, i;

	if (v->match == NULL || a->search[0] == '\0' || a->nvis == 0)
		return;
	for (k = 1; k <= a->nvis; k++) {
		i = (l->sel + k) % a->nvis;
		if (v->match(a, ui_vis(a, i), a->search)) {
			l->follow = 0;
			list_select(l, i);
			return;
		}
	}
	app_note(a, 3, "not found: %s", a->search);
}

/* A key while the search or filter prompt is open. */
static void
ui_prompt_key(struct app *a, int ch)
{
	size_t	 n = strlen(a->input);

	if (ch == 27) {
		a->prompt = 0;
	} else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		if (a->prompt == '/') {
			snprintf(a->search, sizeof(a->search), "%s", a->input);
			ui_search_next(a);
		} else
			snprintf(a->filter[a->view], sizeof(a->filter[0]),
			    "%s", a->input);
		a->prompt = 0;
	} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (n > 0)
			a->input[n - 1] = '\0';
	} else if (ch >= 0x20 && ch < 0x7f && n + 1 < sizeof(a->input)) {
		a->input[n] = (char)ch;
		a->input[n + 1] = '\0';
	}
}

/* Switch to view v, remembering where Esc/q goes back to. */
static void
ui_show(struct app *a, int v)
{
	if (v == a->view)
		return;
	if (v == V_DETAIL || v == V_HELP) {
		if (a->view != V_DETAIL && a->view != V_HELP)
			a->back = a->view;
	}
	a->view = v;
}

/* Handle one key outside the prompt. */
static void
ui_key(struct app *a, int ch)
{
	const struct view_ops	*v = views[a->view];
	struct list		*l = &a->list[a->view];
	enum ui_action		 act;

	if (ch == KEY_RESIZE) {
		ui_resize(a);
		return;
	}
	act = keys_lookup(ch, v->keymask);
	switch (act) {
	case ACT_QUIT:
		if (a->view == V_DETAIL || a->view == V_HELP)
			a->view = a->back;
		else
			a->quit = 1;
		break;
	case ACT_BACK:
		if (a->view == V_DETAIL || a->view == V_HELP)
			a->view = a->back;
		else {
			a->filter[a->view][0] = '\0';
			a->search[0] = '\0';
		}
		break;
	case ACT_HELP:
		ui_show(a, V_HELP);
		break;
	case ACT_VIEW_SERVERS:
		a->view = V_SERVERS;
		break;
	case ACT_VIEW_ACCOUNTS:
		a->view = V_ACCOUNTS;
		break;
	case ACT_VIEW_LOG:
		a->view = V_LOG;
		break;
	case ACT_VIEW_HISTORY:
		a->view = V_HISTORY;
		break;
	case ACT_NEXT_VIEW:
		a->view = a->view >= V_HISTORY ? V_SERVERS : a->view + 1;
		break;
	case ACT_SEARCH:
	case ACT_FILTER:
		a->prompt = act == ACT_SEARCH ? '/' : '\\';
		snprintf(a->input, sizeof(a->input), "%s",
		    act == ACT_SEARCH ? a->search : a->filter[a->view]);
		break;
	case ACT_ENTER:
		if (v->enter != NULL && a->nvis > 0 && l->sel < a->nvis)
			v->enter(a, ui_vis(a, l->sel));
		break;
	case ACT_UP:
		list_move(l, -1);
		break;
	case ACT_DOWN:
		list_move(l, 1);
		break;
	case ACT_TOP:
		list_top(l);
		break;
	case ACT_BOTTOM:
		list_bottom(l);
		if (a->view == V_LOG)
			l->follow = 1;
		break;
	case ACT_PAGE_UP:
		list_page(l, -1);
		break;
	case ACT_PAGE_DOWN:
		list_page(l, 1);
		break;
	case ACT_SORT_PREV:
		a->sort = (a->sort + 3) % 4;
		app_refresh_rows(a);
		break;
	case ACT_SORT_NEXT:
		a->sort = (a->sort + 1) % 4;
		app_refresh_rows(a);
		break;
	case ACT_PAUSE:
		a->paused = !a->paused;
		if (!a->paused)
			app_refresh_rows(a);
		break;
	case ACT_REDRAW:
		clearok(curscr, TRUE);
		break;
	case ACT_RBL:
		app_rbl_check(a);
		a->view = V_RBL;
		break;
	case ACT_HOSTKEY:
	case ACT_RECONNECT:
		/* a view switched to in the same read has not been drawn */
		ui_filter_rows(a, v);
		if (a->view != V_SERVERS || l->sel >= a->nvis)
			break;
		if (act == ACT_HOSTKEY)
			app_ssh_ask_server(a, (unsigned)ui_vis(a, l->sel));
		else
			app_ssh_reconnect(a, (unsigned)ui_vis(a, l->sel));
		break;
	case ACT_SUSPEND:
	case ACT_UNSUSPEND:
	case ACT_RESET:
	case ACT_HOLD:
	case ACT_RELEASE:
	case ACT_PURGE:
		app_act_key(a, (enum contain_action)(CA_SUSPEND +
		    (act - ACT_SUSPEND)));
		break;
	default:
		return;
	}
	a->dirty = 1;
}

/* See ui.h. */
void
ui_input(struct app *a)
{
	int	 ch;

	while ((ch = getch()) != ERR) {
		if (app_act_overlay_key(a, ch) || app_ssh_overlay_key(a, ch))
			;
		else if (a->prompt != 0) {
			if (ch == KEY_RESIZE)
				ui_resize(a);
			else
				ui_prompt_key(a, ch);
		} else
			ui_key(a, ch);
		a->dirty = 1;
		if (a->quit)
			return;
	}
}

/* See ui.h. */
const struct acct_row *
ui_selected_row(struct app *a)
{
	const struct list	*l = &a->list[V_ACCOUNTS];
	size_t			 i;

	if (l->sel >= a->nvis)
		return NULL;
	i = ui_vis(a, l->sel);
	return i < a->nrows ? &a->rows[i] : NULL;
}

/* See ui.h. */
void
ui_open_detail(struct app *a, unsigned server, const char *account)
{
	a->detail_server = server;
	snprintf(a->detail_account, sizeof(a->detail_account), "%s", account);
	a->detail_index = -1;
	ui_show(a, V_DETAIL);
	app_refresh_rows(a);	/* fetch its full report now */
	a->list[V_DETAIL].sel = a->list[V_DETAIL].top = 0;
}
