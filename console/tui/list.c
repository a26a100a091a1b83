/* list.c: selection and scrolling arithmetic for the views' lists. */
#include "list.h"

/* Scroll so the selection is visible. */
static void
list_scroll(struct list *l)
{
	size_t	 h = l->height > 0 ? (size_t)l->height : 1;

	if (l->sel < l->top)
		l->top = l->sel;
	else if (l->sel >= l->top + h)
		l->top = l->sel - h + 1;
	if (l->nrows <= h)
		l->top = 0;
	else if (l->top > l->nrows - h)
		l->top = l->nrows - h;
}

/* See list.h. */
void
list_resize(struct list *l, size_t nrows, int height)
{
	l->nrows = nrows;
	l->height = height;
	if (l->follow && nrows > 0)
		l->sel = nrows - 1;
	if (l->sel >= nrows)
		l->sel = nrows > 0 ? nrows - 1 : 0;
	list_scroll(l);
}

/* See list.h. */
void
list_select(struct list *l, size_t row)
{
	l->sel = row;
	if (l->nrows == 0)
		l->sel = 0;
	else if (l->sel >= l->nrows)
		l->sel = l->nrows - 1;
	l->follow = l->nrows > 0 && l->sel == l->nrows - 1 && l->follow;
	list_scroll(l);
}

/* See list.h. */
void
list_move(struct list *l, long delta)
{
	if (delta < 0 && (size_t)-delta > l->sel)
		list_select(l, 0);
	else
		list_select(l, l->sel + (size_t)delta);
	if (delta < 0)
		l->follow = 0;
}

/* See list.h. */
void
list_top(struct list *l)
{
	l->follow = 0;
	list_select(l, 0);
}

/* See list.h. */
void
list_bottom(struct list *l)
{
	list_select(l, l->nrows > 0 ? l->nrows - 1 : 0);
}

/* See list.h. */
void
list_page(struct list *l, int direction)
{
	long	 h = l->height > 1 ? l->height - 1 : 1;

	list_move(l, direction < 0 ? -h : h);
}
