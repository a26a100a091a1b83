/* keys.c: the key table (after htop, k9s, tig and mutt conventions). */
#include <curses.h>

#include "keys.h"

#define CTRL(c)	((c) & 0x1f)

/*
 * Order matters: the help screen lists bindings in this order, and the
 * first binding of an action with a bar label is the one on the bottom bar.
 */
const struct key_binding key_table[] = {
	{ '?',		"?",		ACT_HELP,	VIEW_ALL,
	    "show this help",					"Help" },
	{ KEY_F(1),	"F1",		ACT_HELP,	VIEW_ALL,
	    "show this help",					NULL },
	{ 'q',		"q",		ACT_QUIT,	VIEW_ALL,
	    "close the view; quit from the top",		"Quit" },
	{ KEY_F(10),	"F10",		ACT_QUIT,	VIEW_ALL,
	    "quit",						NULL },
	{ '1',		"1",		ACT_VIEW_SERVERS, VIEW_ALL,
	    "servers view",					"Servers" },
	{ '2',		"2",		ACT_VIEW_ACCOUNTS, VIEW_ALL,
	    "accounts view",					"Accounts" },
	{ '3',		"3",		ACT_VIEW_LOG,	VIEW_ALL,
	    "live log view",					"Log" },
	{ '4',		"4",		ACT_VIEW_HISTORY, VIEW_ALL,
	    "incident history",					"History" },
	{ '\t',		"Tab",		ACT_NEXT_VIEW,	VIEW_ALL,
	    "next view",					NULL },
	{ '\n',		"Enter",	ACT_ENTER,	VIEW_SERVERS |
	    VIEW_ACCOUNTS | VIEW_HISTORY,
	    "details of the selected row",			NULL },
	{ '\r',		"Enter",	ACT_ENTER,	VIEW_SERVERS |
	    VIEW_ACCOUNTS | VIEW_HISTORY,
	    "details of the selected row",			NULL },
	{ KEY_ENTER,	"Enter",	ACT_ENTER,	VIEW_SERVERS |
	    VIEW_ACCOUNTS | VIEW_HISTORY,
	    "details of the selected row",			NULL },
	{ 27,		"Esc",		ACT_BACK,	VIEW_ALL,
	    "back; clear the search or filter",			NULL },
	{ KEY_LEFT,	"Left",		ACT_BACK,	VIEW_DETAIL | VIEW_HELP,
	    "back",						NULL },
	{ '/',		"/",		ACT_SEARCH,	VIEW_ALL & ~VIEW_HELP,
	    "search: jump to the next row containing text",	"Search" },
	{ '\\',		"\\",		ACT_FILTER,	VIEW_ALL & ~VIEW_HELP,
	    "filter: show only rows containing text",		"Filter" },
	{ KEY_UP,	"Up",		ACT_UP,		VIEW_ALL,
	    "move up",						NULL },
	{ 'k',		"k",		ACT_UP,		VIEW_ALL,
	    "move up",						NULL },
	{ KEY_DOWN,	"Down",		ACT_DOWN,	VIEW_ALL,
	    "move down",					NULL },
	{ 'j',		"j",		ACT_DOWN,	VIEW_ALL,
	    "move down",					NULL },
	{ 'g',		"g",		ACT_TOP,	VIEW_ALL,
	    "first row",					NULL },
	{ KEY_HOME,	"Home",		ACT_TOP,	VIEW_ALL,
	    "first row",					NULL },
	{ 'G',		"G",		ACT_BOTTOM,	VIEW_ALL,
	    "last row",						NULL },
	{ KEY_END,	"End",		ACT_BOTTOM,	VIEW_ALL,
	    "last row",						NULL },
	{ KEY_PPAGE,	"PgUp",		ACT_PAGE_UP,	VIEW_ALL,
	    "page up",						NULL },
	{ KEY_NPAGE,	"PgDn",		ACT_PAGE_DOWN,	VIEW_ALL,
	    "page down",					NULL },
	{ '<',		"<",		ACT_SORT_PREV,	VIEW_SERVERS |
	    VIEW_ACCOUNTS,
	    "sort by the previous column",			NULL },
	{ '>',		">",		ACT_SORT_NEXT,	VIEW_SERVERS |
	    VIEW_ACCOUNTS,
	    "sort by the next column",				"Sort" },
	{ 'Z',		"Z",		ACT_PAUSE,	VIEW_ALL,
	    "pause / resume the display (data keeps flowing)",	"Pause" },
	{ CTRL('l'),	"^L",		ACT_REDRAW,	VIEW_ALL,
	    "redraw the screen",				NULL },
	/* containment: the selected account, or the detail view's */
	{ 's',		"s",		ACT_SUSPEND,	VIEW_ACCOUNTS | VIEW_DETAIL,
	    "suspend: refuse its logins and mail, hold its queue", NULL },
	{ KEY_F(5),	"F5",		ACT_SUSPEND,	VIEW_ACCOUNTS | VIEW_DETAIL,
	    "suspend",						NULL },
	{ 'U',		"U",		ACT_UNSUSPEND,	VIEW_ACCOUNTS | VIEW_DETAIL,
	    "unsuspend (its held mail stays held)",		NULL },
	{ KEY_F(6),	"F6",		ACT_UNSUSPEND,	VIEW_ACCOUNTS | VIEW_DETAIL,
	    "unsuspend",					NULL },
	{ 'h',		"h",		ACT_HOLD,	VIEW_ACCOUNTS | VIEW_DETAIL,
	    "hold its queued mail",				NULL },
	{ KEY_F(7),	"F7",		ACT_HOLD,	VIEW_ACCOUNTS | VIEW_DETAIL,
	    "hold",						NULL },
	{ 'H',		"H",		ACT_RELEASE,	VIEW_ACCOUNTS | VIEW_DETAIL,
	    "release its held mail",				NULL },
	{ KEY_F(8),	"F8",		ACT_RELEASE,	VIEW_ACCOUNTS | VIEW_DETAIL,
	    "release",						NULL },
	{ 'D',		"D",		ACT_PURGE,	VIEW_ACCOUNTS | VIEW_DETAIL,
	    "purge its queued mail (asks, naming the count)",	NULL },
	{ KEY_F(9),	"F9",		ACT_PURGE,	VIEW_ACCOUNTS | VIEW_DETAIL,
	    "purge",						NULL },
	{ 'P',		"P",		ACT_RESET,	VIEW_ACCOUNTS | VIEW_DETAIL,
	    "reset its password (asks; the new one shows once)", NULL },
	{ KEY_F(4),	"F4",		ACT_RESET,	VIEW_ACCOUNTS | VIEW_DETAIL,
	    "reset password",					NULL },
	{ 0,		NULL,		ACT_NONE,	0, NULL,	NULL }
};

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
