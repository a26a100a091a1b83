/*
 * keys.h: the console's key table.  Every binding, its F-key twin and its
 * help text live in one table, from which the help screen and the bottom
 * bar are generated, so they can never disagree with what the keys do.
 *
 * A key is bound to a function (keyfn.c, after htop's Action.c); the
 * function does what the key says and returns what must follow (htop's
 * Htop_Reaction): the frame redraws, rebuilds the accounts snapshot or
 * quits on its word, and nothing else sets a dirty flag for a key.
 */
#ifndef MAILCON_KEYS_H
#define MAILCON_KEYS_H

struct tui;

/* What a key handler returns: OR'd. */
#define TR_NONE		0x00
#define TR_REDRAW	0x01	/* the screen changed */
#define TR_REFRESH	0x02	/* rebuild the accounts snapshot (order) */
#define TR_CLEAR	0x04	/* repaint every cell (^L) */
#define TR_QUIT		0x08

struct key_binding;
/* A key's handler; b is the binding pressed (its arg), NULL from code. */
typedef unsigned (*key_fn)(struct tui *t, const struct key_binding *b);

/* Views, as bits, for bindings that apply to some views only. */
#define VIEW_SERVERS	0x001
#define VIEW_ACCOUNTS	0x002
#define VIEW_DETAIL	0x004
#define VIEW_LOG	0x008
#define VIEW_HISTORY	0x010
#define VIEW_HELP	0x020
#define VIEW_RBL	0x040
#define VIEW_MESSAGES	0x080
#define VIEW_SERVER	0x100
#define VIEW_ALL	0x1ff

struct key_binding {
	int		 key;		/* curses key code or character */
	const char	*label;		/* how the help screen names the key */
	key_fn		 fn;
	unsigned	 views;		/* where it applies */
	const char	*help;		/* what it does, for the help screen */
	const char	*bar;		/* short bottom-bar label, or NULL */
	unsigned	 bar_views;	/* where the label shows (0: views) */
	int		 action;	/* a containment key: its enum
					   contain_action + 1 (off with
					   --read-only, shown only where the
					   server can do it); 0 otherwise */
	int		 arg;		/* for fn: the view (key_view), the
					   step, -1 or 1 (key_move, key_page,
					   key_sort), the prompt (key_prompt) */
};

extern const struct key_binding key_table[];

/* The binding of key in the view (a VIEW_* bit), or NULL. */
const struct key_binding *keys_lookup(int key, unsigned view);
/*
 * Is b an earlier binding's twin (same function, views and help)?  The
 * help lists each binding once, with its twins' labels.
 */
int	keys_is_twin(const struct key_binding *b);
/* Are a and b twins: the same function, argument, views and help? */
int	keys_twins(const struct key_binding *a, const struct key_binding *b);

/* The handlers (keyfn.c). */
unsigned	key_help(struct tui *, const struct key_binding *);
unsigned	key_back_or_quit(struct tui *, const struct key_binding *);
unsigned	key_quit(struct tui *, const struct key_binding *);
unsigned	key_view(struct tui *, const struct key_binding *);
unsigned	key_next_view(struct tui *, const struct key_binding *);
unsigned	key_enter(struct tui *, const struct key_binding *);
unsigned	key_escape(struct tui *, const struct key_binding *);
unsigned	key_back(struct tui *, const struct key_binding *);
unsigned	key_prompt(struct tui *, const struct key_binding *);
unsigned	key_search_next(struct tui *, const struct key_binding *);
unsigned	key_move(struct tui *, const struct key_binding *);
unsigned	key_top(struct tui *, const struct key_binding *);
unsigned	key_bottom(struct tui *, const struct key_binding *);
unsigned	key_page(struct tui *, const struct key_binding *);
unsigned	key_left(struct tui *, const struct key_binding *);
unsigned	key_right(struct tui *, const struct key_binding *);
unsigned	key_sort(struct tui *, const struct key_binding *);
unsigned	key_sort_invert(struct tui *, const struct key_binding *);
unsigned	key_pause(struct tui *, const struct key_binding *);
unsigned	key_redraw(struct tui *, const struct key_binding *);
unsigned	key_rbl_check(struct tui *, const struct key_binding *);
unsigned	key_hostkey(struct tui *, const struct key_binding *);
unsigned	key_reconnect(struct tui *, const struct key_binding *);
unsigned	key_server_accounts(struct tui *, const struct key_binding *);
unsigned	key_contain(struct tui *, const struct key_binding *);

#endif
