/*
 * overlay.h: a dialog over the view (after tmux's server_client_set_overlay
 * in popup.c): whoever opens one registers its callbacks, so the frame
 * draws it and gives it the keys without knowing what it is.  One at a
 * time.  The engines ask for dialogs (app_dialog); overlay_open picks the
 * one that shows their state (dialog_act.c, dialog_ssh.c).
 */
#ifndef MAILCON_OVERLAY_H
#define MAILCON_OVERLAY_H

#include <curses.h>

#include "ui.h"

struct overlay {
	/* still wanted?  0 closes it (the engine moved on); may be NULL */
	int	(*check)(struct tui *t, struct overlay *o);
	/* draw it over the view */
	void	(*draw)(struct tui *t, struct overlay *o);
	/* a key: 1 taken; then the overlay may have closed itself */
	int	(*key)(struct tui *t, struct overlay *o, int ch);
	/* free data (may be NULL) */
	void	(*free)(struct tui *t, struct overlay *o);
	void	*data;
};

/* Show o (copied) over the view: 0, or -1 when another overlay shows. */
int	overlay_set(struct tui *t, const struct overlay *o);
/* Close the overlay, if one shows. */
void	overlay_clear(struct tui *t);
void	overlay_draw(struct tui *t);
/* Give it a key: 1 taken. */
int	overlay_key(struct tui *t, int ch);
/*
 * The front end's dialog entry (struct app_frontend): open the overlay
 * for what an engine asks: 0, or -1 when another overlay shows.
 */
int	overlay_open(struct app *a, enum app_dialog what);
/* Open what an engine waits to show, when no overlay shows. */
void	overlay_pending(struct tui *t);
/*
 * A box of text mid-screen: the title on its first line, body below (each
 * line sanitised, long ones wrapped at a blank, cut to the screen).
 */
void	overlay_box(struct tui *t, const char *title, const char *body,
	    attr_t battr);

/* The dialogs. */
int	dialog_act_open(struct tui *t);		/* dialog_act.c */
int	dialog_hostkey_open(struct tui *t);	/* dialog_ssh.c */
int	dialog_quit_open(struct tui *t);	/* keyfn.c */

#endif
