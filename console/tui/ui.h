/*
 * ui.h: the curses frame around the views (header, status and key bars,
 * prompt, the too-small screen), key dispatch, and drawing helpers shared
 * by the views.  Log text reaches the terminal only through ui_text(),
 * which sanitises it.
 */
#ifndef MAILCON_UI_H
#define MAILCON_UI_H

#include <curses.h>
#include <stddef.h>
#include <stdint.h>

#include "theme.h"
#include "detect/detector.h"
#include "live/app.h"

struct view_ops {
	const char	*title;
	unsigned	 keymask;	/* VIEW_* bit for the key table */
	/* rows before filtering */
	size_t		(*count)(struct app *a);
	/* does row i contain text? (filter and search) */
	int		(*match)(struct app *a, size_t i, const char *text);
	/* draw the column header at y (may be NULL) */
	void		(*header)(struct app *a, int y, int w);
	/* draw row i at y */
	void		(*row)(struct app *a, size_t i, int y, int w,
			    int selected);
	/* Enter on row i */
	void		(*enter)(struct app *a, size_t i);
	/* a whole-screen view draws itself instead (detail, help) */
	void		(*draw)(struct app *a, int top, int height, int w);
};

extern const struct view_ops view_servers, view_accounts, view_log,
    view_history, view_detail, view_help, view_rbl;

/* Start curses on the terminal; -1 with a message in err (TERM etc.). */
int	ui_start(struct app *a, const char *theme, char *err, size_t errlen);
void	ui_stop(struct app *a);
/* Read and handle every pending key. */
void	ui_input(struct app *a);
/* Draw the whole screen if something changed. */
void	ui_draw(struct app *a);
void	ui_resize(struct app *a);

/*
 * Draw p[0..len) at (y, x), sanitised, in at most w columns, with attr.
 * Returns the columns used.
 */
int	ui_text(struct app *a, int y, int x, int w, const char *p, size_t len,
	    attr_t attr);
int	ui_textf(struct app *a, int y, int x, int w, attr_t attr,
	    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Attribute and marker for a level ("!!" critical, "! ", "~ ", "  "). */
attr_t	ui_level_attr(enum level l);
const char *ui_level_marker(enum level l);
/* A sparkline of n values in w columns at (y, x). */
void	ui_sparkline(struct app *a, int y, int x, int w, const uint32_t *v,
	    int n);
/* Does hay contain needle, ignoring ASCII case? */
int	ui_contains(const char *hay, const char *needle);
/* The same for len bytes of hay, not NUL-terminated (a NUL never matches). */
int	ui_contains_len(const char *hay, size_t len, const char *needle);
/* Open the detail view of an account. */
/* The accounts view's selected row, or NULL. */
const struct acct_row *ui_selected_row(struct app *a);
void	ui_open_detail(struct app *a, unsigned server, const char *account);
/* "03:17:40" (UTC) for a log time, "-" for none. */
const char *ui_clock(int64_t t, char *buf, size_t size);

#endif
