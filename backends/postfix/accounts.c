/*
 * accounts.c: how Postfix refuses the mail of an authenticated login, as
 * fixed scripts (backend.h, struct backend_accounts; the prelude and its
 * locks: fileedit.h).
 *
 * The login goes into the source of a check_sasl_access map, which the
 * admin puts first in smtpd_relay_restrictions (or
 * smtpd_recipient_restrictions):
 *
 *	check_sasl_access hash:/etc/postfix/sasl_access
 *
 * as "LOGIN REJECT ...", and postmap rebuilds it; smtpd notices a rebuilt
 * hash map by itself, so Postfix is never reloaded (a session already
 * open keeps the old table until it ends).
 */
#include <stddef.h>

#include "postfix.h"
#include "backends/backend.h"
#include "backends/fileedit.h"

/*
 * Rewrite the map without the account's line (plus a new one), rebuild,
 * and check the rebuilt map says what the source does.  want: "REJECT" or
 * "" (what postmap -q finds); lines: how many lines of the account's.
 */
#define PF_MAP_EDIT(add, lines, want) \
	"a=$1 f=$2; shift 2\n" \
	"need_writable \"$f\"\n" \
	"holds() {\n" \
	"  A=$a awk '{ k = $1 }\n" \
	"    tolower(k) == tolower(ENVIRON[\"A\"]) { n++ }\n" \
	"    END { exit n != " lines " }' \"$1\"\n" \
	"}\n" \
	"edit_into() {\n" \
	"  A=$a awk '{ k = $1 }\n" \
	"    tolower(k) != tolower(ENVIRON[\"A\"]) { print }' \"$1\" \\\n" \
	"    >\"$2\" || die \"cannot write beside $1\"\n" \
	add \
	"}\n" \
	/* the map as it was, to put back if postmap fails */ \
	"finish() {\n" \
	"  b=$(mktemp \"$2.mailcon.$$.XXXXXX\") ||" \
	    " die \"cannot create a file beside $2\"\n" \
	"  cp -p -- \"$2\" \"$b\" || die \"cannot copy $2\"\n" \
	"  mv -f -- \"$1\" \"$2\"\n" \
	"}\n" \
	"said() {\n" \
	"  r=$(\"$@\" -q \"$a\" \"hash:$f\" 2>/dev/null) || r=\n" \
	"  case $r in REJECT*|reject*) r=REJECT ;; *) r= ;; esac\n" \
	"}\n" \
	"lock \"$f\"\n" \
	"id=$(ident \"$f\")\n" \
	"said \"$@\"\n" \
	"if holds \"$f\" && [ \"$r\" = \"" want "\" ]; then exit 0; fi\n" \
	"edit_file \"$f\"\n" \
	"if ! \"$@\" \"hash:$f\"; then\n" \
	"  if [ -n \"$b\" ]; then\n" \
	"    mv -f -- \"$b\" \"$f\"\n" \
	"    b=\n" \
	"    die \"postmap failed; $f put back as it was\"\n" \
	"  fi\n" \
	"  die \"postmap failed\"\n" \
	"fi\n" \
	"said \"$@\"\n" \
	"[ \"$r\" = \"" want "\" ] || die \"postmap -q $a hash:$f does not" \
	    " agree with $f after the rebuild\"\n"

static const char map_add[] = FE_PRELUDE PF_MAP_EDIT(
	"  printf '%s\\tREJECT 5.7.1 account suspended by mailcon\\n' \"$a\""
	    " >>\"$2\" || die \"cannot write beside $1\"\n", "1", "REJECT");

static const char map_del[] = FE_PRELUDE PF_MAP_EDIT("", "0", "");

/* The map's part of the suspension check (backend.h): what postmap -q
   finds, so a source never rebuilt does not pass. */
static const char map_check[] =
	"m=$1; shift\n"
	"r=$(\"$@\" -q \"$a\" \"hash:$m\") || r=\n"
	"case $r in REJECT*|reject*) v=1 ;; *) v=0 ;; esac\n";

static const char *const map_args[] = { "%{account}", "%{sasl_access_map}",
	PF_TOOL("postmap"), NULL };
static const char *const map_check_args[] = { "%{sasl_access_map}",
	PF_TOOL("postmap"), NULL };

/* The dry run's account of the line they write (backend.h, edit). */
static const char *const map_edit[] = { "%{sasl_access_map}",
	"%{account}\tREJECT 5.7.1 account suspended by mailcon", NULL };

static const struct backend_step pf_map_add = {
	.name = "mailcon-map-add",
	.script = map_add,
	.args = map_args,
	.what = "refuse its mail (Postfix check_sasl_access map, rebuilt "
	    "with postmap)",
	.edit = map_edit,
};

static const struct backend_step pf_map_del = {
	.name = "mailcon-map-del",
	.script = map_del,
	.args = map_args,
	.what = "allow its mail again (Postfix check_sasl_access map, "
	    "rebuilt with postmap)",
	.flags = BSTEP_REMOVES,
	.edit = map_edit,
};

static const struct backend_check pf_check = {
	.key = "map",
	.script = map_check,
	.args = map_check_args,
	.on = "mail refused (postmap -q finds REJECT)",
	.place = "the sasl access map",
	.label = "sasl access map",
	.yes = "REJECT",
	.no = "no entry",
};

/* See postfix.h. */
const struct backend_accounts postfix_accounts = {
	.refuse_add = &pf_map_add,
	.refuse_del = &pf_map_del,
	.check = &pf_check,
};
