/* keys.c: the key table (after htop, k9s, tig and mutt conventions). */
#include <curses.h>

#include "keys.h"

#define CTRL(c)	((c) & 0x1f)
/* where the view keys give their bar place to the action keys */
#define BAR_NOT_ACCOUNTS (VIEW_ALL & ~(VIEW_ACCOUNTS | VIEW_DETAIL))

/*
 * Order matters: the help screen lists bindings in this order, and the
 * first binding of an action with a bar label is the one on the bottom bar.
 */
const struct key_binding key_table[] = {
	{ '?',		"?",		ACT_HELP,	VIEW_ALL,
	    "show this help",					"Help", 0 },
	{ KEY_F(1),	"F1",		ACT_HELP,	VIEW_ALL,
	    "show this help",					NULL, 0 },
	{ 'q',		"q",		ACT_QUIT,	VIEW_ALL,
	    "close the view; quit from the top",		"Quit", 0 },
	{ KEY_F(10),	"F10",		ACT_QUIT,	VIEW_ALL,
	    "quit",						NULL, 0 },
	{ '1',		"1",		ACT_VIEW_SERVERS, VIEW_ALL,
	    "servers view",					"Servers",
	    BAR_NOT_ACCOUNTS },
	{ '2',		"2",		ACT_VIEW_ACCOUNTS, VIEW_ALL,
	    "accounts view",					"Accounts",
	    BAR_NOT_ACCOUNTS },
	{ '3',		"3",		ACT_VIEW_LOG,	VIEW_ALL,
	    "live log view",					"Log",
	    BAR_NOT_ACCOUNTS },
	{ '4',		"4",		ACT_VIEW_HISTORY, VIEW_ALL,
	    "incidents and log gaps",				"History",
	    BAR_NOT_ACCOUNTS },
	{ '\t',		"Tab",		ACT_NEXT_VIEW,	VIEW_ALL,
	    "next view",					NULL, 0 },
	{ '\n',		"Enter",	ACT_ENTER,	VIEW_SERVERS |
	    VIEW_ACCOUNTS | VIEW_HISTORY,
	    "details of the selected row",			NULL, 0 },
	{ '\r',		"Enter",	ACT_ENTER,	VIEW_SERVERS |
	    VIEW_ACCOUNTS | VIEW_HISTORY,
	    "details of the selected row",			NULL, 0 },
	{ KEY_ENTER,	"Enter",	ACT_ENTER,	VIEW_SERVERS |
	    VIEW_ACCOUNTS | VIEW_HISTORY,
	    "details of the selected row",			NULL, 0 },
	{ 27,		"Esc",		ACT_BACK,	VIEW_ALL,
	    "back; clear the search or filter",			NULL, 0 },
	{ KEY_LEFT,	"Left",		ACT_BACK,	VIEW_DETAIL | VIEW_HELP,
	    "back",						NULL, 0 },
	{ '/',		"/",		ACT_SEARCH,	VIEW_ALL & ~VIEW_HELP,
	    "search: jump to the next row containing text",	"Search", 0 },
	{ '\\',		"\\",		ACT_FILTER,	VIEW_ALL & ~VIEW_HELP,
	    "filter: show only rows containing text",		"Filter", 0 },
	{ KEY_UP,	"Up",		ACT_UP,		VIEW_ALL,
	    "move up",						NULL, 0 },
	{ 'k',		"k",		ACT_UP,		VIEW_ALL,
	    "move up",						NULL, 0 },
	{ KEY_DOWN,	"Down",		ACT_DOWN,	VIEW_ALL,
	    "move down",					NULL, 0 },
	{ 'j',		"j",		ACT_DOWN,	VIEW_ALL,
	    "move down",					NULL, 0 },
	{ 'g',		"g",		ACT_TOP,	VIEW_ALL,
	    "first row",					NULL, 0 },
	{ KEY_HOME,	"Home",		ACT_TOP,	VIEW_ALL,
	    "first row",					NULL, 0 },
	{ 'G',		"G",		ACT_BOTTOM,	VIEW_ALL,
	    "last row",						NULL, 0 },
	{ KEY_END,	"End",		ACT_BOTTOM,	VIEW_ALL,
	    "last row",						NULL, 0 },
	{ KEY_PPAGE,	"PgUp",		ACT_PAGE_UP,	VIEW_ALL,
	    "page up",						NULL, 0 },
	{ KEY_NPAGE,	"PgDn",		ACT_PAGE_DOWN,	VIEW_ALL,
	    "page down",					NULL, 0 },
	{ '<',		"<",		ACT_SORT_PREV,	VIEW_SERVERS |
	    VIEW_ACCOUNTS,
	    "sort by the previous column",			NULL, 0 },
	{ '>',		">",		ACT_SORT_NEXT,	VIEW_SERVERS |
	    VIEW_ACCOUNTS,
	    "sort by the next column",				"Sort", 0 },
	{ 'Z',		"Z",		ACT_PAUSE,	VIEW_ALL,
	    "pause / resume the display (data keeps flowing)",	"Pause", 0 },
	{ CTRL('l'),	"^L",		ACT_REDRAW,	VIEW_ALL,
	    "redraw the screen",				NULL, 0 },
	{ 'r',		"r",		ACT_RBL,	VIEW_ALL & ~VIEW_HELP,
	    "check the servers' addresses on DNS blocklists now", NULL, 0 },
	{ 'A',		"A",		ACT_HOSTKEY,	VIEW_SERVERS,
	    "SSH: show the server's unknown host key; trust it?", NULL, 0 },
	{ 'C',		"C",		ACT_RECONNECT,	VIEW_SERVERS,
	    "SSH: connect to the selected server again now",	NULL, 0 },
	/* containment: the selected account, or the detail view's */
	{ 's',		"s",		ACT_SUSPEND,	VIEW_ACCOUNTS | VIEW_DETAIL,
	    "suspend: refuse its logins and mail, hold its queue", "Suspend", 0 },
	{ KEY_F(5),	"F5",		ACT_SUSPEND,	VIEW_ACCOUNTS | VIEW_DETAIL,
	    "suspend: refuse its logins and mail, hold its queue", NULL, 0 },
	{ 'U',		"U",		ACT_UNSUSPEND,	VIEW_ACCOUNTS | VIEW_DETAIL,
	    "unsuspend (its held mail stays held)",		NULL, 0 },
	{ KEY_F(6),	"F6",		ACT_UNSUSPEND,	VIEW_ACCOUNTS | VIEW_DETAIL,
	    "unsuspend (its held mail stays held)",		NULL, 0 },
	{ 'h',		"h",		ACT_HOLD,	VIEW_ACCOUNTS | VIEW_DETAIL,
	    "hold its queued mail",				"Hold", 0 },
	{ KEY_F(7),	"F7",		ACT_HOLD,	VIEW_ACCOUNTS | VIEW_DETAIL,
	    "hold its queued mail",				NULL, 0 },
	{ 'H',		"H",		ACT_RELEASE,	VIEW_ACCOUNTS | VIEW_DETAIL,
	    "release its held mail",				NULL, 0 },
	{ KEY_F(8),	"F8",		ACT_RELEASE,	VIEW_ACCOUNTS | VIEW_DETAIL,
	    "release its held mail",				NULL, 0 },
	{ 'D',		"D",		ACT_PURGE,	VIEW_ACCOUNTS | VIEW_DETAIL,
	    "purge its queued mail (asks, naming the count)",	"Purge", 0 },
	{ KEY_F(9),	"F9",		ACT_PURGE,	VIEW_ACCOUNTS | VIEW_DETAIL,
	    "purge its queued mail (asks, naming the count)",	NULL, 0 },
	{ 'P',		"P",		ACT_RESET,	VIEW_ACCOUNTS | VIEW_DETAIL,
	    "reset its password (asks; the new one shows once)", "Password", 0 },
	{ KEY_F(4),	"F4",		ACT_RESET,	VIEW_ACCOUNTS | VIEW_DETAIL,
	    "reset its password (asks; the new one shows once)", NULL, 0 },
	{ 0,		NULL,		ACT_NONE,	0, NULL,	NULL, 0 }
};

/* See keys.h. */
int
keys_is_action(enum ui_action a)
{
	return a >= ACT_SUSPEND && a <= ACT_PURGE;
}

/* See keys.h. */
enum ui_action
keys_lookup(int key, unsigned view)
{
	const struct key_binding	*b;

	for (b = key_table; b->label != NULL; b++)
		if (b->key == key && (b->views & view) != 0)
			return b->action;
	return ACT_NONE;
}
