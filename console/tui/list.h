/*
 * list.h: the state of a scrolling list (selection, top row, paging), shared
 * by every view.  Pure: the views draw the rows; this only keeps the
 * selection on a row and the selected row on screen as rows come and go.
 */
#ifndef MAILCON_LIST_H
#define MAILCON_LIST_H

#include <stddef.h>

struct list {
	size_t	 nrows;		/* rows after filtering */
	size_t	 sel;		/* selected row (0 when empty) */
	size_t	 top;		/* first row on screen */
	int	 height;	/* rows visible */
	int	 follow;	/* keep the last row selected (live log) */
};

/* Set the row count and visible height, keeping sel and top valid. */
void	list_resize(struct list *l, size_t nrows, int height);
/* Move the selection by delta rows (clamped). */
void	list_move(struct list *l, long delta);
void	list_top(struct list *l);
void	list_bottom(struct list *l);
void	list_page(struct list *l, int direction);
/* Select row (clamped) and scroll it into view. */
void	list_select(struct list *l, size_t row);

#endif
