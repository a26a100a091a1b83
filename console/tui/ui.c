/*
 * ui.c: the curses frame: start and stop, header and bars, the prompt,
 * the too-small screen, the view stack, key dispatch to the key table's
 * handlers, and the overlay (a dialog) over it all.
 *
 * Redraw is deferred: the engines and the key handlers say what changed
 * (app->dirty, a handler's TR_* reaction), and ui_draw draws once per
 * loop wake-up into curses' buffers; doupdate() sends only what changed.
 */
#include <ctype.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "overlay.h"
#include "term.h"
#include "theme_curses.h"
#include "ui.h"
#include "act/contain.h"
#include "core/loop.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"

const struct view_ops *const tui_views[TV_COUNT] = {
	[TV_SERVERS] = &view_servers,
	[TV_ACCOUNTS] = &view_accounts,
	[TV_LOG] = &view_log,
	[TV_HISTORY] = &view_history,
	[TV_RBL] = &view_rbl,
	[TV_MESSAGES] = &view_messages,
	[TV_DETAIL] = &view_detail,
	[TV_SERVER] = &view_server,
	[TV_HELP] = &view_help,
};

static SCREEN	*ui_screen;

/* See ui.h. */
int
ui_start(struct app *a, const char *theme, char *err, size_t errlen)
{
	struct tui	*t;
	enum theme_fit	 fit;
	char		 terr[256];

	if (ui_terminal_check(err, errlen) == -1)
		return -1;
	if ((ui_screen = newterm(NULL, stdout, stdin)) == NULL) {
		snprintf(err, errlen, "cannot start the screen on terminal "
		    "type \"%.64s\" (TERM)", getenv("TERM"));
		return -1;
	}
	set_term(ui_screen);
	t = xcalloc(1, sizeof(*t));
	t->a = a;
	a->ui = t;
	t->utf8 = sanitize_utf8();
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
	else if (fit == THEME_FIT_MONO && strcmp(theme, "mono") != 0)
		app_note(a, 8, "no colours (NO_COLOR or terminal): mono theme");
	else if (fit == THEME_FIT_DEFAULT)
		app_note(a, 8, "terminal has fewer colours than theme %s "
		    "needs: default theme", theme);
	if (!t->utf8)
		app_note(a, 0, "locale is not UTF-8: non-ASCII letters are "
		    "shown escaped (set LANG=C.UTF-8)");
	bkgd(theme_attr(THEME_ROLE_DEFAULT));
	getmaxyx(stdscr, t->lines, t->cols);
	t->view = a->start_history ? TV_HISTORY : a->nservers > 1 ?
	    TV_SERVERS : TV_ACCOUNTS;
	t->list[TV_LOG].follow = 1;
	t->list[TV_MESSAGES].follow = 1;
	a->dirty |= APP_DIRTY_ALL;
	overlay_pending(t);	/* the actions of earlier runs */
	return 0;
}

/* See ui.h. */
void
ui_stop(struct app *a)
{
	struct tui	*t = TUI(a);

	if (t == NULL)
		return;
	overlay_clear(t);
	endwin();
	delscreen(ui_screen);
	ui_screen = NULL;
	free(t->vis);
	free(t);
	a->ui = NULL;
}

/* See ui.h. */
void
ui_resize(struct tui *t)
{
	getmaxyx(stdscr, t->lines, t->cols);
	t->a->dirty |= APP_DIRTY_ALL;
}

/* See ui.h.  Without a filter every row shows and nothing is built
   (100,000 accounts, every frame). */
void
ui_filter_rows(struct tui *t)
{
	const struct view_ops	*v = tui_views[t->view];
	const char		*f = t->filter[t->view];
	size_t			 n, i;

	if (v->count == NULL) {
		t->nvis = 0;
		t->vis_all = 1;
		return;
	}
	n = v->count(t);
	t->vis_all = f[0] == '\0' || v->match == NULL;
	if (t->vis_all) {
		t->nvis = n;
		return;
	}
	if (t->capvis < n) {
		t->capvis = n + 64;
		t->vis = xreallocarray(t->vis, t->capvis, sizeof(*t->vis));
	}
	t->nvis = 0;
	for (i = 0; i < n; i++)
		if (v->match(t, i, f))
			t->vis[t->nvis++] = i;
}

/* See ui.h. */
size_t
ui_vis(const struct tui *t, size_t i)
{
	return t->vis_all ? i : t->vis[i];
}

/*
 * "50 servers", "50 servers, 48 live" or "500 servers, 497 live, 2
 * silent" (fed by a log host, no line for its silent minutes); "NO LOG
 * SOURCE: local" (and how many more) when a server has nothing to read,
 * which must not pass for a quiet server: 1 then, else 0.
 */
static int
ui_fleet(const struct app *a, char *buf, size_t size)
{
	size_t	 i, live = 0, silent = 0, none = 0, first = 0;

	for (i = 0; i < a->nservers; i++) {
		if (a->servers[i]->state == SRV_LIVE)
			live++;
		silent += a->servers[i]->silent != 0;
		if (a->servers[i]->no_source && none++ == 0)
			first = i;
	}
	if (none > 0) {
		snprintf(buf, size, "NO LOG SOURCE: %s%s", a->servers[first]->name,
		    none > 1 ? " and more" : "");
		return 1;
	}
	if (live == a->nservers)
		snprintf(buf, size, "%zu server%s", a->nservers,
		    a->nservers == 1 ? "" : "s");
	else if (silent == 0)
		snprintf(buf, size, "%zu server%s, %zu live", a->nservers,
		    a->nservers == 1 ? "" : "s", live);
	else
		snprintf(buf, size, "%zu server%s, %zu live, %zu silent",
		    a->nservers, a->nservers == 1 ? "" : "s", live, silent);
	return 0;
}

/* The first server with nothing to read, or NULL. */
static const struct server *
ui_no_source(const struct app *a)
{
	size_t	 i;

	for (i = 0; i < a->nservers; i++)
		if (a->servers[i]->no_source)
			return a->servers[i];
	return NULL;
}

/*
 * The header line: the view and its filter, the fleet, the level
 * summary, the time.
 */
static void
ui_draw_header(struct tui *t)
{
	struct app	*a = t->a;
	char		 clock[16], fleet[96], filter[TUI_TEXT_MAX + 16];
	time_t		 now = time(NULL);
	struct tm	 tm;
	attr_t		 h = theme_attr(THEME_ROLE_HEADER);

	gmtime_r(&now, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%SZ", &tm);
	if (ui_fleet(a, fleet, sizeof(fleet)))
		h = theme_attr(THEME_ROLE_CRITICAL) | A_BOLD | A_REVERSE;
	attrset(h);
	mvhline(0, 0, ' ', t->cols);
	filter[0] = '\0';
	if (t->filter[t->view][0] != '\0')
		snprintf(filter, sizeof(filter), " | filter: %s",
		    t->filter[t->view]);
	ui_textf(t, 0, 0, t->cols - 11, h,
	    " mailcon%s | %s%s | %s | crit %zu susp %zu watch %zu%s",
	    a->demo != NULL ? " DEMO" : "", tui_views[t->view]->title, filter,
	    fleet,
	    a->nlevel[LEVEL_CRITICAL], a->nlevel[LEVEL_SUSPICIOUS],
	    a->nlevel[LEVEL_WATCH], a->paused ? " | PAUSED" : "");
	ui_text(t, 0, t->cols - 10, 10, clock, strlen(clock), h);
}

/* See ui.h.  Help is about the view it was opened over. */
long
ui_selected_server(struct tui *t)
{
	int	 view = t->view;

	if (view == TV_HELP && t->depth > 0)
		view = t->stack[t->depth - 1].view;
	switch (view) {
	case TV_DETAIL:
		return t->a->detail_server;
	case TV_SERVER:
		return t->server;
	default:
		if (tui_views[view]->server != NULL)
			return t->sel_server[view];
		return t->a->nservers == 1 ? 0 : -1;
	}
}

/* See ui.h. */
int
ui_key_capable(struct tui *t, const struct key_binding *b, char *why,
    size_t size)
{
	long	 s;

	if (b->action == 0)
		return 1;
	if (t->a->read_only) {
		snprintf(why, size, "read-only (--read-only): actions are off");
		return 0;
	}
	if ((s = ui_selected_server(t)) < 0 ||
	    (size_t)s >= t->a->nservers) {
		snprintf(why, size, "select an account first");
		return 0;
	}
	return contain_capable(t->a->servers[s]->cfg,
	    (enum contain_action)(b->action - 1), why, size);
}

/* The status line: a note, else a lasting warning, else what is watched. */
static void
ui_draw_status(struct tui *t, int y)
{
	struct app	*a = t->a;
	const char	*warn;
	char		 wbuf[300];

	attrset(theme_attr(THEME_ROLE_STATUS));
	mvhline(y, 0, ' ', t->cols);
	if (a->note[0] != '\0' && loop_now_ms() < a->note_until)
		ui_text(t, y, 0, t->cols, a->note, strlen(a->note),
		    theme_attr(THEME_ROLE_STATUS));
	else if ((warn = app_warning(a, loop_now_ms(), wbuf,
	    sizeof(wbuf))) != NULL)
		ui_text(t, y, 0, t->cols, warn, strlen(warn),
		    theme_attr(THEME_ROLE_SUSPICIOUS));
	else
		ui_textf(t, y, 0, t->cols, theme_attr(THEME_ROLE_STATUS),
		    " %s", a->watching);
}

/* The key bar from the key table (what the selected server can do), or
   the prompt while typing. */
static void
ui_draw_bars(struct tui *t)
{
	const struct key_binding	*b;
	unsigned			 mask = tui_views[t->view]->keymask;
	int				 x = 0, y = t->lines - 1;
	const char			*label;

	ui_draw_status(t, y - 1);
	attrset(theme_attr(THEME_ROLE_DEFAULT));
	mvhline(y, 0, ' ', t->cols);
	if (t->prompt != 0) {
		ui_textf(t, y, 0, t->cols, theme_attr(THEME_ROLE_KEY_HINT),
		    "%s: %s", t->prompt == '/' ? "search" : "filter",
		    t->input);
		curs_set(1);
		return;
	}
	curs_set(0);
	for (b = key_table; b->label != NULL && x < t->cols; b++) {
		if (b->bar == NULL || ((b->bar_views != 0 ? b->bar_views :
		    b->views) & mask) == 0 || !ui_key_capable(t, b, NULL, 0))
			continue;
		label = b->bar;
		if (b->fn == key_back_or_quit && t->depth > 0)
			label = "Back";
		/* our own labels: drawn as they are, not sanitised */
		attrset(theme_attr(THEME_ROLE_KEY_HINT));
		mvaddnstr(y, x, b->label, t->cols - x);
		x += (int)strlen(b->label);
		if (x >= t->cols)
			break;
		x += ui_textf(t, y, x, t->cols - x,
		    theme_attr(THEME_ROLE_DEFAULT), "%s ", label);
	}
}

/* Below the minimum size: say what is needed, nothing else. */
static void
ui_draw_too_small(struct tui *t)
{
	char	 msg[64];
	int	 len;

	len = snprintf(msg, sizeof(msg), "need %dx%d, have %dx%d",
	    TUI_MIN_COLS, TUI_MIN_LINES, t->cols, t->lines);
	attrset(theme_attr(THEME_ROLE_DEFAULT));
	mvaddnstr(t->lines / 2, t->cols > len ? (t->cols - len) / 2 : 0, msg,
	    t->cols);
}

/* See ui.h. */
void
ui_draw_list(struct tui *t, int top, int h)
{
	const struct view_ops	*v = tui_views[t->view];
	const struct server	*quiet;
	struct list		*l = &t->list[t->view];
	int			 y;
	size_t			 i;

	if (v->header != NULL) {
		v->header(t, top, t->cols);
		top++;
		h--;
	}
	ui_filter_rows(t);
	list_resize(l, t->nvis, h);
	for (i = l->top, y = top; i < t->nvis && y < top + h; i++, y++)
		v->row(t, ui_vis(t, i), y, t->cols, i == l->sel);
	if (v->server != NULL)
		t->sel_server[t->view] = v->server(t);
	if (t->nvis == 0 && !t->filter[t->view][0] &&
	    (quiet = ui_no_source(t->a)) != NULL)
		ui_textf(t, top + 1, 2, t->cols - 4,
		    theme_attr(THEME_ROLE_CRITICAL) | A_BOLD,
		    "server %s: %s", quiet->name, quiet->status);
	else if (t->nvis == 0)
		ui_textf(t, top + 1, 2, t->cols - 4,
		    theme_attr(THEME_ROLE_MUTED), "%s",
		    t->filter[t->view][0] ? "no row matches the filter" :
		    "nothing yet");
}

/* See ui.h. */
int
ui_draw(struct app *a)
{
	struct tui		*t = TUI(a);
	const struct view_ops	*v = tui_views[t->view];
	unsigned		 dirty = a->dirty;

	a->dirty = 0;
	if ((dirty & (APP_DIRTY_ALL | v->dirty)) == 0 && t->overlay == NULL)
		return 0;
	overlay_pending(t);
	erase();
	if (t->cols < TUI_MIN_COLS || t->lines < TUI_MIN_LINES) {
		ui_draw_too_small(t);
		refresh();
		return 1;
	}
	ui_draw_header(t);
	if (v->draw != NULL)
		v->draw(t, 1, t->lines - 3, t->cols);
	else
		ui_draw_list(t, 1, t->lines - 3);
	if (t->overlay != NULL)
		overlay_draw(t);
	ui_draw_bars(t);
	if (t->prompt != 0)
		move(t->lines - 1, (int)strlen(t->input) + 8);
	refresh();
	return 1;
}

/* See ui.h. */
void
ui_switch(struct tui *t, int view)
{
	if (view < 0 || view > TV_TOP_LAST)
		return;
	/* leaving nested views: their filters come back as they were */
	while (ui_back(t))
		;
	t->view = view;
	t->prompt = 0;
}

/* See ui.h. */
void
ui_push(struct tui *t, int view)
{
	struct tui_frame	*f;

	if (view == t->view)
		return;
	if (t->depth == TUI_DEPTH) {
		/* deep enough: forget the oldest way back */
		memmove(t->stack, t->stack + 1, (TUI_DEPTH - 1) *
		    sizeof(t->stack[0]));
		t->depth--;
	}
	f = &t->stack[t->depth++];
	memset(f, 0, sizeof(*f));
	f->view = t->view;
	t->view = view;
	t->prompt = 0;
}

/* See ui.h. */
int
ui_back(struct tui *t)
{
	struct tui_frame	*f;
	int			 from = t->view;

	if (t->depth == 0)
		return 0;
	f = &t->stack[--t->depth];
	t->view = f->view;
	if (f->restore)
		memcpy(t->filter[from], f->filter, sizeof(t->filter[0]));
	if (from == TV_DETAIL && t->view != TV_DETAIL)
		app_detail_close(t->a);
	t->prompt = 0;
	return 1;
}

/* See ui.h. */
void
ui_open_detail(struct tui *t, unsigned server, const char *account)
{
	ui_push(t, TV_DETAIL);
	t->list[TV_DETAIL].sel = t->list[TV_DETAIL].top = 0;
	app_detail_open(t->a, server, account);
}

/* See ui.h. */
const struct acct_row *
ui_selected_row(struct tui *t)
{
	const struct list	*l = &t->list[TV_ACCOUNTS];
	size_t			 i;

	if (t->view != TV_ACCOUNTS || l->sel >= t->nvis)
		return NULL;
	i = ui_vis(t, l->sel);
	return i < t->a->nrows ? &t->a->rows[i] : NULL;
}

/* A key while the search or filter prompt is open. */
static unsigned
ui_prompt_key(struct tui *t, int ch)
{
	size_t	 n = strlen(t->input);

	if (ch == 27) {
		t->prompt = 0;
	} else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		snprintf(t->last_input, sizeof(t->last_input), "%s", t->input);
		if (t->prompt == '/') {
			snprintf(t->search, sizeof(t->search), "%s", t->input);
			t->prompt = 0;
			return key_search_next(t, NULL) | TR_REDRAW;
		}
		snprintf(t->filter[t->view], sizeof(t->filter[0]), "%s",
		    t->input);
		t->prompt = 0;
	} else if (ch == KEY_UP) {
		/* the last text entered, to edit */
		snprintf(t->input, sizeof(t->input), "%s", t->last_input);
	} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (n > 0)
			t->input[n - 1] = '\0';
	} else if (ch >= 0x20 && ch < 0x7f && n + 1 < sizeof(t->input)) {
		t->input[n] = (char)ch;
		t->input[n + 1] = '\0';
	} else
		return TR_NONE;
	return TR_REDRAW;
}

/* Handle one key outside the prompt and the overlay. */
static unsigned
ui_key(struct tui *t, int ch)
{
	const struct key_binding	*b;

	if ((b = keys_lookup(ch, tui_views[t->view]->keymask)) == NULL)
		return TR_NONE;
	return b->fn(t, b);
}

/* Do what a handler's reaction says. */
static void
ui_react(struct tui *t, unsigned r)
{
	struct app	*a = t->a;

	if (r & TR_REFRESH)
		app_refresh_rows(a);
	if (r & TR_CLEAR)
		clearok(curscr, TRUE);
	if (r & (TR_REDRAW | TR_REFRESH | TR_CLEAR))
		a->dirty |= APP_DIRTY_ALL;
	if (r & TR_QUIT)
		a->quit = 1;
}

/* See ui.h. */
void
ui_input(struct app *a)
{
	struct tui	*t = TUI(a);
	int		 ch;

	while ((ch = getch()) != ERR) {
		if (ch == KEY_RESIZE)
			ui_resize(t);
		else if (t->overlay != NULL && overlay_key(t, ch))
			a->dirty |= APP_DIRTY_ALL;
		else if (t->prompt != 0)
			ui_react(t, ui_prompt_key(t, ch));
		else
			ui_react(t, ui_key(t, ch));
		if (a->quit)
			return;
	}
}
