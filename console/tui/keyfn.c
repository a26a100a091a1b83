/*
 * keyfn.c: what each key of the key table does (after htop's Action.c).
 * A handler changes the screen's state or asks an engine, and returns
 * what must follow (keys.h: TR_*); the frame does the redrawing.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "overlay.h"
#include "theme_curses.h"
#include "ui.h"
#include "act/contain.h"
#include "live/app_act.h"
#include "live/app_rbl.h"
#include "live/app_ssh.h"

/* Columns the log view scrolls per Left or Right. */
#define KEY_HSCROLL	20
#define KEY_HSCROLL_MAX	4096

/* See keys.h. */
unsigned
key_help(struct tui *t, const struct key_binding *b)
{
	ui_push(t, TV_HELP);
	t->list[TV_HELP].sel = 0;
	return TR_REDRAW;
}

/* The quit question, while an action runs. */
static void
dialog_quit_draw(struct tui *t, struct overlay *o)
{
	struct app_act	*x = &t->a->act;
	char		 title[512];

	snprintf(title, sizeof(title), " %s %s on %s is running: quit "
	    "anyway? ", contain_action_name(x->req.action), x->account,
	    x->server < t->a->nservers ? t->a->servers[x->server]->name : "-");
	overlay_box(t, title, "Quitting leaves it unfinished: the audit keeps "
	    "it as \"no outcome\"\nand the next session lists it for "
	    "checking.\n\ny: quit    any other key: No (the default)",
	    theme_attr(THEME_ROLE_SUSPICIOUS));
}

/* y quits; anything else stays. */
static int
dialog_quit_key(struct tui *t, struct overlay *o, int ch)
{
	overlay_clear(t);
	if (ch == 'y' || ch == 'Y')
		t->a->quit = 1;
	return 1;
}

/* See overlay.h. */
int
dialog_quit_open(struct tui *t)
{
	struct overlay	 o = {
		.draw = dialog_quit_draw,
		.key = dialog_quit_key,
	};

	return overlay_set(t, &o);
}

/* See keys.h.  An action still running asks first. */
unsigned
key_back_or_quit(struct tui *t, const struct key_binding *b)
{
	if (ui_back(t))
		return TR_REDRAW;
	if (t->a->act.state == ACTS_RUNNING ||
	    t->a->act.state == ACTS_COUNTING) {
		(void)dialog_quit_open(t);
		return TR_REDRAW;
	}
	return TR_QUIT;
}

/* See keys.h. */
unsigned
key_quit(struct tui *t, const struct key_binding *b)
{
	return TR_QUIT;
}

/* See keys.h.  The top view of the binding (its arg). */
unsigned
key_view(struct tui *t, const struct key_binding *b)
{
	ui_switch(t, (enum tui_view)b->arg);
	return TR_REDRAW;
}

/* See keys.h. */
unsigned
key_next_view(struct tui *t, const struct key_binding *b)
{
	while (ui_back(t))
		;
	ui_switch(t, t->view >= TV_TOP_LAST ? TV_SERVERS : t->view + 1);
	return TR_REDRAW;
}

/* See keys.h. */
unsigned
key_enter(struct tui *t, const struct key_binding *b)
{
	const struct view_ops	*v = tui_views[t->view];
	struct list		*l = &t->list[t->view];

	/* a view switched to in the same read has not been drawn */
	ui_filter_rows(t);
	if (v->enter != NULL && t->nvis > 0 && l->sel < t->nvis)
		v->enter(t, ui_vis(t, l->sel));
	return TR_REDRAW;
}

/* See keys.h. */
unsigned
key_escape(struct tui *t, const struct key_binding *b)
{
	if (ui_back(t))
		return TR_REDRAW;
	t->filter[t->view][0] = '\0';
	t->search[0] = '\0';
	return TR_REDRAW;
}

/* See keys.h. */
unsigned
key_back(struct tui *t, const struct key_binding *b)
{
	return ui_back(t) ? TR_REDRAW : TR_NONE;
}

/* See keys.h.  The search ('/') or filter ('\\') prompt of the binding;
   it starts empty (Up brings the last text back). */
unsigned
key_prompt(struct tui *t, const struct key_binding *b)
{
	t->prompt = (char)b->arg;
	t->input[0] = '\0';
	return TR_REDRAW;
}

/* See keys.h.  From the row after the selection, round to it. */
unsigned
key_search_next(struct tui *t, const struct key_binding *b)
{
	const struct view_ops	*v = tui_views[t->view];
	struct list		*l = &t->list[t->view];
	size_t			 k, i;

	if (v->match == NULL || t->search[0] == '\0')
		return TR_NONE;
	ui_filter_rows(t);
	list_resize(l, t->nvis, l->height);
	for (k = 1; k <= t->nvis; k++) {
		i = (l->sel + k) % t->nvis;
		if (v->match(t, ui_vis(t, i), t->search)) {
			l->follow = 0;
			list_select(l, i);
			return TR_REDRAW;
		}
	}
	app_note(t->a, 3, "not found: %s", t->search);
	return TR_REDRAW;
}

/* See keys.h.  A row up or down (the binding's step). */
unsigned
key_move(struct tui *t, const struct key_binding *b)
{
	list_move(&t->list[t->view], b->arg);
	return TR_REDRAW;
}

/* See keys.h. */
unsigned
key_top(struct tui *t, const struct key_binding *b)
{
	list_top(&t->list[t->view]);
	return TR_REDRAW;
}

/* See keys.h.  The live log follows new lines again from there. */
unsigned
key_bottom(struct tui *t, const struct key_binding *b)
{
	list_bottom(&t->list[t->view]);
	if (t->view == TV_LOG)
		t->list[TV_LOG].follow = 1;
	return TR_REDRAW;
}

/* See keys.h.  A page up or down (the binding's step). */
unsigned
key_page(struct tui *t, const struct key_binding *b)
{
	list_page(&t->list[t->view], b->arg);
	return TR_REDRAW;
}

/* See keys.h. */
unsigned
key_left(struct tui *t, const struct key_binding *b)
{
	if (t->hscroll == 0)
		return TR_NONE;
	t->hscroll = t->hscroll > KEY_HSCROLL ? t->hscroll - KEY_HSCROLL : 0;
	return TR_REDRAW;
}

/* See keys.h. */
unsigned
key_right(struct tui *t, const struct key_binding *b)
{
	if (t->hscroll + KEY_HSCROLL > KEY_HSCROLL_MAX)
		return TR_NONE;
	t->hscroll += KEY_HSCROLL;
	return TR_REDRAW;
}

/* See keys.h.  The column to the left or right (the binding's step). */
unsigned
key_sort(struct tui *t, const struct key_binding *b)
{
	accounts_sort_step(t, b->arg);
	return TR_REFRESH;
}

/* See keys.h. */
unsigned
key_sort_invert(struct tui *t, const struct key_binding *b)
{
	t->a->sort_reverse = !t->a->sort_reverse;
	return TR_REFRESH;
}

/* See keys.h. */
unsigned
key_pause(struct tui *t, const struct key_binding *b)
{
	t->a->paused = !t->a->paused;
	return t->a->paused ? TR_REDRAW : TR_REFRESH;
}

/* See keys.h. */
unsigned
key_redraw(struct tui *t, const struct key_binding *b)
{
	return TR_CLEAR;
}

/* See keys.h. */
unsigned
key_rbl_check(struct tui *t, const struct key_binding *b)
{
	app_rbl_check(t->a);
	ui_switch(t, TV_RBL);
	return TR_REDRAW;
}

/* The server of the servers view's selected row or of the server view. */
static long
key_server(struct tui *t)
{
	const struct list	*l = &t->list[t->view];

	if (t->view == TV_SERVER)
		return t->server;
	/* a view switched to in the same read has not been drawn */
	ui_filter_rows(t);
	if (t->view != TV_SERVERS || l->sel >= t->nvis)
		return -1;
	/* in a fleet, rows are not servers' indices (view_servers.c) */
	return view_servers.server(t);
}

/* See keys.h. */
unsigned
key_hostkey(struct tui *t, const struct key_binding *b)
{
	long	 s = key_server(t);

	if (s >= 0)
		app_ssh_ask_server(t->a, (unsigned)s);
	return TR_REDRAW;
}

/* See keys.h. */
unsigned
key_reconnect(struct tui *t, const struct key_binding *b)
{
	long	 s = key_server(t);

	if (s >= 0)
		app_ssh_reconnect(t->a, (unsigned)s);
	return TR_REDRAW;
}

/* See keys.h.  Its accounts over the server view: q comes back, and the
   accounts view's own filter with it. */
unsigned
key_server_accounts(struct tui *t, const struct key_binding *b)
{
	struct tui_frame	*f;
	char			 saved[TUI_TEXT_MAX];

	if (t->server >= t->a->nservers)
		return TR_NONE;
	snprintf(saved, sizeof(saved), "%s", t->filter[TV_ACCOUNTS]);
	ui_push(t, TV_ACCOUNTS);
	f = &t->stack[t->depth - 1];
	f->restore = 1;
	snprintf(f->filter, sizeof(f->filter), "%s", saved);
	snprintf(t->filter[TV_ACCOUNTS], sizeof(t->filter[0]), "@%s",
	    t->a->servers[t->server]->name);
	list_top(&t->list[TV_ACCOUNTS]);
	return TR_REDRAW;
}

/* See keys.h.  The binding's action on the detail's account, or on the
   selected row's. */
unsigned
key_contain(struct tui *t, const struct key_binding *b)
{
	const struct acct_row	*row;
	enum contain_action	 action = (enum contain_action)(b->action - 1);

	if (t->view == TV_DETAIL) {
		app_act_key(t->a, action, t->a->detail_server,
		    t->a->detail_account);
		return TR_REDRAW;
	}
	/* a view switched to in the same read has not been drawn */
	ui_filter_rows(t);
	if ((row = ui_selected_row(t)) == NULL)
		app_act_key(t->a, action, 0, NULL);
	else
		app_act_key(t->a, action, row->server, row->account);
	return TR_REDRAW;
}
