/*
 * keys.h: the console's key table.  Every binding, its F-key twin and its
 * help text live in one table, from which the help screen and the bottom
 * bar are generated, so they can never disagree with what the keys do.
 */
#ifndef MAILCON_KEYS_H
#define MAILCON_KEYS_H

enum ui_action {
	ACT_NONE = 0,
	ACT_QUIT,
	ACT_HELP,
	ACT_SEARCH,
	ACT_FILTER,
	ACT_ENTER,
	ACT_BACK,
	ACT_NEXT_VIEW,
	ACT_UP,
	ACT_DOWN,
	ACT_TOP,
	ACT_BOTTOM,
	ACT_PAGE_UP,
	ACT_PAGE_DOWN,
	ACT_SORT_PREV,
	ACT_SORT_NEXT,
	ACT_PAUSE,
	ACT_REDRAW,
	ACT_VIEW_SERVERS,
	ACT_VIEW_ACCOUNTS,
	ACT_VIEW_LOG,
	ACT_VIEW_HISTORY,
	ACT_SUSPEND,
	ACT_UNSUSPEND,
	ACT_RESET,
	ACT_HOLD,
	ACT_RELEASE,
	ACT_PURGE,
	ACT_RBL,
	ACT_HOSTKEY,
	ACT_RECONNECT
};

/* Views, as bits, for bindings that apply to some views only. */
#define VIEW_SERVERS	0x01
#define VIEW_ACCOUNTS	0x02
#define VIEW_DETAIL	0x04
#define VIEW_LOG	0x08
#define VIEW_HISTORY	0x10
#define VIEW_HELP	0x20
#define VIEW_RBL	0x40
#define VIEW_ALL	0x7f

struct key_binding {
	int		 key;		/* curses key code or character */
	const char	*label;		/* how the help screen names the key */
	enum ui_action	 action;
	unsigned	 views;		/* where it applies */
	const char	*help;		/* what it does, for the help screen */
	const char	*bar;		/* short bottom-bar label, or NULL */
	unsigned	 bar_views;	/* where the label shows (0: views) */
};

extern const struct key_binding key_table[];

/* A containment key (off with --read-only)? */
int		 keys_is_action(enum ui_action a);
/* The action bound to key in view, or ACT_NONE. */
enum ui_action	 keys_lookup(int key, unsigned view);

#endif
