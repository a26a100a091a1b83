/* keys.c: the key table (after htop, k9s, tig and mutt conventions). */
#include <curses.h>
#include <string.h>

#include "keys.h"
#include "ui.h"
#include "act/contain.h"

#define CTRL(c)	((c) & 0x1f)
/* where the view keys give their bar place to the action keys */
#define BAR_NOT_ACCOUNTS (VIEW_ALL & ~(VIEW_ACCOUNTS | VIEW_DETAIL | \
	VIEW_SERVER))
/* the views that are lists (search, filter) */
#define VIEW_LISTS	(VIEW_SERVERS | VIEW_ACCOUNTS | VIEW_LOG | \
	VIEW_HISTORY | VIEW_RBL | VIEW_MESSAGES)
/* the views that are one page scrolled as a whole */
#define VIEW_PAGES	(VIEW_HELP | VIEW_DETAIL | VIEW_SERVER)
/* where a server is selected (its SSH connection) */
#define VIEW_SSH	(VIEW_SERVERS | VIEW_SERVER)
/* where a containment key finds its account */
#define VIEW_ACT	(VIEW_ACCOUNTS | VIEW_DETAIL)
#define ACT(a)		((a) + 1)
/* where Enter opens the selected row */
#define VIEW_ENTER	(VIEW_SERVERS | VIEW_ACCOUNTS | VIEW_HISTORY)
/*
 * A key and its twin (an F-key, a vi key): one function, help and
 * argument; the bar label, if any, on the first.
 */
#define TWIN(k1, l1, k2, l2, f, v, h, bar, act, a)			\
	{ k1, l1, f, v, h, bar, 0, act, a },				\
	{ k2, l2, f, v, h, NULL, 0, act, a }
/* A top view's number key; its bar label gives way to the action keys. */
#define VIEW_KEY(k, l, view, bar, h)					\
	{ k, l, key_view, VIEW_ALL, h, bar, BAR_NOT_ACCOUNTS, 0, view }
/* A containment key and its F-key: the selected account, or the
   detail view's. */
#define ACT_KEY(k, l, fk, fl, ca, bar, h)				\
	TWIN(k, l, fk, fl, key_contain, VIEW_ACT, h, bar, ACT(ca), 0)

/*
 * Order matters: the help screen lists bindings in this order, and the
 * first binding of an action with a bar label is the one on the bottom bar.
 */
const struct key_binding key_table[] = {
	TWIN('?', "?", KEY_F(1), "F1", key_help, VIEW_ALL,
	    "show this help",					"Help", 0, 0),
	{ 'q',		"q",		key_back_or_quit, VIEW_ALL,
	    "back one level; from a top view (1-6), quit",	"Quit",
	    0, 0, 0 },
	{ KEY_F(10),	"F10",		key_quit,	VIEW_ALL,
	    "quit",						NULL, 0, 0, 0 },
	VIEW_KEY('1', "1", TV_SERVERS, "Servers", "servers view"),
	VIEW_KEY('2', "2", TV_ACCOUNTS, "Accounts", "accounts view"),
	VIEW_KEY('3', "3", TV_LOG, "Log", "live log view"),
	VIEW_KEY('4', "4", TV_HISTORY, "History", "incidents and log gaps"),
	VIEW_KEY('5', "5", TV_RBL, "Lists",
	    "blocklists (DNSBL) view: each address on each zone"),
	VIEW_KEY('6', "6", TV_MESSAGES, "Msgs",
	    "messages: every status line message, in full"),
	{ '\t',		"Tab",		key_next_view,	VIEW_ALL,
	    "next top view (1 to 6)",				NULL, 0, 0, 0 },
	TWIN('\n', "Enter", '\r', "Enter", key_enter, VIEW_ENTER,
	    "details of the selected row",			NULL, 0, 0),
	{ KEY_ENTER,	"Enter",	key_enter,	VIEW_ENTER,
	    "details of the selected row",			NULL, 0, 0, 0 },
	{ 27,		"Esc",		key_escape,	VIEW_ALL,
	    "back; at a top view, clear the search and filter",	NULL, 0, 0, 0 },
	{ KEY_LEFT,	"Left",		key_back,	VIEW_PAGES,
	    "back",						NULL, 0, 0, 0 },
	{ '/',		"/",		key_prompt,	VIEW_LISTS,
	    "search: jump to the next row containing text",	"Search",
	    0, 0, '/' },
	{ 'n',		"n",		key_search_next, VIEW_LISTS,
	    "the next row containing the search text",		NULL, 0, 0, 0 },
	{ '\\',		"\\",		key_prompt,	VIEW_LISTS,
	    "filter: show only rows containing text (@NAME: a server's)",
	    "Filter", 0, 0, '\\' },
	TWIN(KEY_UP, "Up", 'k', "k", key_move, VIEW_ALL,
	    "move up",						NULL, 0, -1),
	TWIN(KEY_DOWN, "Down", 'j', "j", key_move, VIEW_ALL,
	    "move down",					NULL, 0, 1),
	TWIN('g', "g", KEY_HOME, "Home", key_top, VIEW_ALL,
	    "first row",					NULL, 0, 0),
	TWIN('G', "G", KEY_END, "End", key_bottom, VIEW_ALL,
	    "last row",						NULL, 0, 0),
	{ KEY_PPAGE,	"PgUp",		key_page,	VIEW_ALL,
	    "page up",						NULL,
	    0, 0, -1 },
	{ KEY_NPAGE,	"PgDn",		key_page,	VIEW_ALL,
	    "page down",					NULL, 0, 0, 1 },
	{ ' ',		"Space",	key_page,	VIEW_PAGES,
	    "page down",					NULL, 0, 0, 1 },
	{ KEY_LEFT,	"Left",		key_left,	VIEW_LOG,
	    "scroll the lines left",				NULL, 0, 0, 0 },
	{ KEY_RIGHT,	"Right",	key_right,	VIEW_LOG,
	    "scroll the lines right (the pane below wraps the selected "
	    "one)",						NULL, 0, 0, 0 },
	{ '<',		"<",		key_sort,	VIEW_ACCOUNTS,
	    "sort by the column to the left",			NULL,
	    0, 0, -1 },
	{ '>',		">",		key_sort,	VIEW_ACCOUNTS,
	    "sort by the column to the right",			"Sort",
	    0, 0, 1 },
	{ 'I',		"I",		key_sort_invert, VIEW_ACCOUNTS,
	    "invert the sort order",				NULL, 0, 0, 0 },
	{ 'Z',		"Z",		key_pause,	VIEW_ALL,
	    "pause / resume the display (data keeps flowing)",	"Pause",
	    0, 0, 0 },
	{ CTRL('l'),	"^L",		key_redraw,	VIEW_ALL,
	    "redraw the screen",				NULL, 0, 0, 0 },
	{ 'r',		"r",		key_rbl_check,	VIEW_ALL & ~VIEW_HELP,
	    "check the servers' addresses on DNS blocklists now", NULL,
	    0, 0, 0 },
	{ 'a',		"a",		key_server_accounts, VIEW_SERVER,
	    "the server's accounts",				"Accounts",
	    0, 0, 0 },
	{ 'A',		"A",		key_hostkey,	VIEW_SSH,
	    "SSH: show the server's unknown host key; trust it?", NULL,
	    0, 0, 0 },
	{ 'C',		"C",		key_reconnect,	VIEW_SSH,
	    "SSH: connect to the selected server again now",	NULL, 0, 0, 0 },
	/* containment: the selected account, or the detail view's */
	ACT_KEY('s', "s", KEY_F(5), "F5", CA_SUSPEND, "Suspend",
	    "suspend: refuse its logins and mail, hold its queue"),
	ACT_KEY('U', "U", KEY_F(6), "F6", CA_UNSUSPEND, NULL,
	    "unsuspend (its held mail stays held)"),
	ACT_KEY('h', "h", KEY_F(7), "F7", CA_HOLD, "Hold",
	    "hold its queued mail"),
	ACT_KEY('H', "H", KEY_F(8), "F8", CA_RELEASE, NULL,
	    "release its held mail"),
	ACT_KEY('D', "D", KEY_F(9), "F9", CA_PURGE, "Purge",
	    "purge its queued mail (asks, naming the count)"),
	ACT_KEY('P', "P", KEY_F(4), "F4", CA_RESET, "Password",
	    "reset its password (asks; the new one shows once)"),
	{ 0,		NULL,		NULL,		0, NULL, NULL, 0, 0, 0 }
};

/* See keys.h. */
const struct key_binding *
keys_lookup(int key, unsigned view)
{
	const struct key_binding	*b;

	for (b = key_table; b->label != NULL; b++)
		if (b->key == key && (b->views & view) != 0)
			return b;
	return NULL;
}

/* See keys.h. */
int
keys_is_twin(const struct key_binding *b)
{
	const struct key_binding	*c;

	for (c = key_table; c < b; c++)
		if (keys_twins(c, b))
			return 1;
	return 0;
}

/* See keys.h. */
int
keys_twins(const struct key_binding *a, const struct key_binding *b)
{
	return a->fn == b->fn && a->arg == b->arg && a->views == b->views &&
	    strcmp(a->help, b->help) == 0;
}
