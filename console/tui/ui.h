/*
 * ui.h: the console's screen: its state (struct tui: which view shows,
 * where q goes back to, each view's list, filter and scroll), the views'
 * contract (struct view_ops), the frame around them (ui.c) and the
 * drawing helpers they share (draw.c).  Log text reaches the terminal
 * only through ui_text(), which sanitises it.
 *
 * The engines (live/) know nothing of this: they set app->dirty and ask
 * for dialogs through struct app_frontend (console.c); the views read
 * their state.
 */
#ifndef MAILCON_UI_H
#define MAILCON_UI_H

#include <curses.h>
#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "list.h"
#include "theme.h"
#include "detect/detector.h"
#include "live/app.h"

/*
 * The views.  Those up to TV_TOP_LAST are top-level (number keys, Tab):
 * switching among them forgets the way back, and q there quits.  The
 * others open over the view they came from, which q returns to.
 */
enum tui_view {
	TV_SERVERS = 0,
	TV_ACCOUNTS,
	TV_LOG,
	TV_HISTORY,
	TV_RBL,
	TV_MESSAGES,
	TV_DETAIL,		/* one account */
	TV_SERVER,		/* one server */
	TV_HELP,
	TV_COUNT
};
#define TV_TOP_LAST	TV_MESSAGES

#define TUI_MIN_COLS	80
#define TUI_MIN_LINES	24
#define TUI_TEXT_MAX	64	/* search / filter input */
#define TUI_DEPTH	8	/* views q goes back through */

/* A view q goes back to, and the filter it had (restore: put it back). */
struct tui_frame {
	int		 view;
	int		 restore;
	char		 filter[TUI_TEXT_MAX];
};

struct overlay;

struct tui {
	struct app	*a;
	int		 cols, lines;
	int		 utf8;		/* the locale can show UTF-8 */
	int		 view;
	struct tui_frame stack[TUI_DEPTH];	/* where q goes back to */
	int		 depth;
	struct list	 list[TV_COUNT];	/* pages: sel is the scroll */
	char		 filter[TV_COUNT][TUI_TEXT_MAX];
	char		 search[TUI_TEXT_MAX];
	int		 prompt;	/* '/' or '\\' while typing */
	char		 input[TUI_TEXT_MAX];
	char		 last_input[TUI_TEXT_MAX];	/* Up in the prompt */
	size_t		*vis;		/* rows shown after the filter */
	size_t		 nvis, capvis;
	int		 vis_all;	/* no filter: row i is vis i */
	int		 hscroll;	/* log view: first column shown */
	unsigned	 server;	/* the server detail's */
	long		 sel_server[TV_COUNT];	/* each list's selected row's
						   server at its last draw */
	struct overlay	*overlay;	/* a dialog over the view, or NULL */
};

/*
 * A view.  The frame calls count first on every draw, then match for each
 * row when a filter is set, header, then row for the rows on screen; a
 * view with draw lays out its whole area itself (a page: detail, help,
 * server; or a list with a pane: the log).  Row indexes are the view's
 * own, before filtering; i is valid until the next count.
 */
struct view_ops {
	const char	*title;
	unsigned	 keymask;	/* VIEW_* bit for the key table */
	unsigned	 dirty;		/* APP_DIRTY_* bits it shows, besides
					   APP_DIRTY_ALL */
	size_t		(*count)(struct tui *t);
	/* does row i contain text? (filter and search) */
	int		(*match)(struct tui *t, size_t i, const char *text);
	/* the column titles at y (may be NULL) */
	void		(*header)(struct tui *t, int y, int w);
	void		(*row)(struct tui *t, size_t i, int y, int w,
			    int selected);
	/* Enter on row i */
	void		(*enter)(struct tui *t, size_t i);
	/* the whole area instead (may be NULL) */
	void		(*draw)(struct tui *t, int top, int height, int w);
	/* the server the selection is on, -1 none: which action keys
	   apply (may be NULL: the only server, if there is one) */
	long		(*server)(struct tui *t);
};

extern const struct view_ops view_servers, view_accounts, view_log,
    view_history, view_detail, view_help, view_rbl, view_messages,
    view_server;
extern const struct view_ops *const tui_views[TV_COUNT];

/* The screen's state, from the app (console.c sets it). */
#define TUI(a)	((struct tui *)(a)->ui)

/* ui.c: the frame. */
int	ui_start(struct app *a, const char *theme, char *err, size_t errlen);
void	ui_stop(struct app *a);
/* Read and handle every pending key. */
void	ui_input(struct app *a);
/* Draw the screen if what changed shows; 1 when drawn. */
int	ui_draw(struct app *a);
void	ui_resize(struct tui *t);
/* The list part of a view (header, rows) in lines top..top+h. */
void	ui_draw_list(struct tui *t, int top, int h);
/* The row shown at position i of the filtered list. */
size_t	ui_vis(const struct tui *t, size_t i);
/* Rebuild the filtered rows of the current view (before a key uses them). */
void	ui_filter_rows(struct tui *t);

/* Views: open one over the current (q comes back), or switch at the top. */
void	ui_push(struct tui *t, int view);
void	ui_switch(struct tui *t, int view);
/* q: back one level; 0 when already at the top. */
int	ui_back(struct tui *t);
/* Open the detail view of an account. */
void	ui_open_detail(struct tui *t, unsigned server, const char *account);
/* The accounts view's selected row, or NULL. */
const struct acct_row *ui_selected_row(struct tui *t);
/* The server whose actions the keys and bars offer, -1 none. */
long	ui_selected_server(struct tui *t);
/*
 * Can the key's containment action run on the selected server?  1 yes
 * (or not a containment key); 0 with why (contain_capable's words).
 */
int	ui_key_capable(struct tui *t, const struct key_binding *b, char *why,
	    size_t size);

/* The accounts view: sort by the next (dir 1) or previous column shown. */
void	accounts_sort_step(struct tui *t, int dir);

/*
 * A server's outbound messages per minute over the last 60 s and over the
 * detector's window (live/rates.h), at its own clock (view_servers.c).
 */
void	ui_server_rates(struct tui *t, const struct server *s, double *last,
	    double *avg);
/* Do the servers run more than one MTA (Postfix and Exim)?  Then the
   accounts view names each row's.  (view_servers.c) */
int	ui_fleet_mixed(const struct tui *t);

/* draw.c: helpers. */
/*
 * Draw p[0..len) at (y, x), sanitised, in at most w columns, with attr.
 * Returns the columns used.
 */
int	ui_text(struct tui *t, int y, int x, int w, const char *p, size_t len,
	    attr_t attr);
int	ui_textf(struct tui *t, int y, int x, int w, attr_t attr,
	    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Put text sanitised already (sanitize_text) the same way. */
int	ui_put(struct tui *t, int y, int x, int w, const char *s, size_t n,
	    attr_t attr);
/*
 * Draw p[0..len) sanitised from column skip of it (horizontal scroll),
 * in at most w columns.  Returns the columns used.
 */
int	ui_text_from(struct tui *t, int y, int x, int w, const char *p,
	    size_t len, int skip, attr_t attr);
/* Attribute and marker for a level ("!!" critical, "! ", "~ ", "  "). */
attr_t	ui_level_attr(enum level l);
const char *ui_level_marker(enum level l);
/* A sparkline of n values in w columns at (y, x). */
void	ui_sparkline(struct tui *t, int y, int x, int w, const uint32_t *v,
	    int n);
/* Does hay contain needle, ignoring ASCII case? */
int	ui_contains(const char *hay, const char *needle);
/* The same for len bytes of hay, not NUL-terminated (a NUL never matches). */
int	ui_contains_len(const char *hay, size_t len, const char *needle);
/* "03:17:40" (UTC) for a log time, "-" for none. */
const char *ui_clock(int64_t t, char *buf, size_t size);
/* "2026-11-28 03:17:40" (UTC), "-" for none. */
const char *ui_datetime(int64_t t, char *buf, size_t size);
/* A rate: "400", "3.5", "0.04", "0". */
const char *ui_rate(double r, char *buf, size_t size);
/*
 * The next screen line of the sanitised text p: up to w columns, broken
 * at a blank when it is longer, at a newline always.  Returns its bytes;
 * *next is where the following line starts ("" at the end).
 */
size_t	ui_wrap(const char *p, int w, const char **next);

/*
 * A pane under a list (the log's, the messages'): the selected row whole.
 * ui_pane_height gives its lines in an area of h; ui_pane draws its
 * title bar at y and text (raw: sanitised here) wrapped below, in h
 * lines.
 */
#define UI_PANE_MIN	5
#define UI_PANE_MAX	12
int	ui_pane_height(int h);
void	ui_pane(struct tui *t, int y, int h, const char *title,
	    const char *text, size_t len, attr_t attr);

/*
 * A page: a view that is one long document (help, details) scrolled as a
 * whole.  page_next gives the screen line of the next line of the
 * document, or -1 when it is scrolled off; page_end sets the view's list
 * so that Up, Down, PgUp, PgDn, g and G scroll it.
 */
struct page {
	struct tui	*t;
	int		 y0, h;		/* the area on screen */
	int		 row;		/* lines written so far */
	int		 top;		/* first line shown */
};
void	page_begin(struct page *p, struct tui *t, int top, int h);
int	page_next(struct page *p);
void	page_end(struct page *p);
/* A paragraph from column x, sanitised, wrapped to the width. */
void	page_printf(struct page *p, int x, attr_t attr, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));

#endif
