/*
 * accounts.c: how Exim refuses the mail of an authenticated login, as
 * fixed scripts (backend.h, struct backend_accounts; the prelude and its
 * locks: fileedit.h).  Logins and passwords stay Dovecot's (the auth
 * role): this is Debian's exim4 + Dovecot, DirectAdmin's Exim, any Exim
 * whose admin added the ACL.
 *
 * The login goes into a file, one a line, that an ACL looks up with
 * lsearch (case-insensitive keys, a key ends at ':' or a blank), which
 * the admin puts before the accept of authenticated clients in the RCPT
 * ACL (README.md, "Exim", has the lines):
 *
 *	deny  authenticated = *
 *	      condition = ${lookup{$authenticated_id}lsearch\
 *	                  {/etc/exim4/mailcon-refuse}{yes}{no}}
 *	      message = 5.7.1 account suspended
 *
 * Exim reads an lsearch file at every lookup: no reload, no rebuild; a
 * session already open is refused from its next RCPT.  The file must stay
 * readable by Exim's user (cp -p keeps its mode).
 */
#include <stddef.h>

#include "exim.h"
#include "backends/backend.h"
#include "backends/fileedit.h"

/* Lines whose lsearch key is the login, case-insensitively. */
#define EX_REFUSE_HAS \
	"has() {\n" \
	"  A=$a awk '{ k = $1; sub(/:.*/, \"\", k) }\n" \
	"    tolower(k) == tolower(ENVIRON[\"A\"]) { n++ }\n" \
	"    END { exit !n }' \"$1\"\n" \
	"}\n"

static const char refuse_add[] = FE_PRELUDE EX_REFUSE_HAS
	"a=$1 f=$2\n"
	"need_writable \"$f\"\n"
	FE_APPEND_A
	FE_EDIT_F;

static const char refuse_del[] = FE_PRELUDE EX_REFUSE_HAS
	"a=$1 f=$2\n"
	"need_writable \"$f\"\n"
	"holds() { ! has \"$1\"; }\n"
	"edit_into() {\n"
	"  A=$a awk '{ k = $1; sub(/:.*/, \"\", k) }\n"
	"    tolower(k) != tolower(ENVIRON[\"A\"]) { print }' \"$1\" \\\n"
	"    >\"$2\" || die \"cannot write beside $1\"\n"
	"}\n"
	FE_EDIT_F;

/* The refuse file's part of the suspension check (backend.h). */
static const char refuse_check[] =
	"r=$1; shift\n"
	"need_file \"$r\"\n"
	"v=0\n"
	"A=$a awk '{ k = $1; sub(/:.*/, \"\", k) }\n"
	"  tolower(k) == tolower(ENVIRON[\"A\"]) { n++ }\n"
	"  END { exit !n }' \"$r\" && v=1\n";

static const char *const refuse_args[] = { "%{account}",
	"%{exim_refuse_file}", NULL };
static const char *const refuse_check_args[] = { "%{exim_refuse_file}",
	NULL };

static const struct backend_step ex_refuse_add = {
	.name = "mailcon-exim-refuse-add",
	.script = refuse_add,
	.args = refuse_args,
	.what = "refuse its mail (Exim ACL lookup file)",
};

static const struct backend_step ex_refuse_del = {
	.name = "mailcon-exim-refuse-del",
	.script = refuse_del,
	.args = refuse_args,
	.what = "allow its mail again (Exim ACL lookup file)",
};

static const struct backend_check ex_check = {
	.key = "refuse",
	.script = refuse_check,
	.args = refuse_check_args,
	.on = "mail refused (listed in Exim's refuse file)",
	.place = "Exim's refuse file",
	.label = "exim refuse file",
	.yes = "listed",
	.no = "not listed",
};

/* See exim.h. */
const struct backend_accounts exim_accounts = {
	.refuse_add = &ex_refuse_add,
	.refuse_del = &ex_refuse_del,
	.check = &ex_check,
};
