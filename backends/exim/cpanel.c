/*
 * cpanel.c: account control on a cPanel server, through cPanel's own API
 * (backend.h, struct backend_accounts), never by editing its files.
 *
 * An email address (the login Exim logs as A=dovecot_login:ADDR) is
 * suspended with UAPI, run as root for the cPanel user who owns its
 * domain (WHM API 1 getdomainowner says who):
 *
 *	uapi --output=json --user=OWNER Email suspend_login email=ADDR
 *	uapi --output=json --user=OWNER Email suspend_outgoing email=ADDR
 *	    (or hold_outgoing, with cpanel_outgoing = hold)
 *
 * and the twins unsuspend_login, unsuspend_outgoing, release_outgoing.
 * A cPanel account itself (a login without '@') has no login suspension
 * in the API short of suspending the whole account (its websites too),
 * which mailcon does not do: its outgoing mail is suspended (or held)
 * with WHM API 1, and the step says so:
 *
 *	whmapi1 --output=json suspend_outgoing_email user=ACCOUNT
 *	    (hold_outgoing_email; unsuspend_outgoing_email,
 *	    release_outgoing_email)
 *
 * Both tools print JSON and exit 0 whether or not the call succeeded: the
 * answer decides (cpanel_answer, cpjson.c).  The owner's name is read
 * from getdomainowner's JSON with perl's JSON::PP (every cPanel server
 * has both) and must be a cPanel user name.
 *
 * No password reset: uapi Email passwd_pop takes the password as an
 * argument, which every local user of a shared server can read in ps;
 * set password_command for a site's own way.  No built-in check either:
 * the answers are the verification ("not verified" is said).
 */
#include <stddef.h>

#include "exim.h"
#include "backends/backend.h"

/*
 * $1 the login, $2 cPanel's bin directory, $3 the UAPI function
 * (suspend_login, suspend_outgoing, hold_outgoing), $4 "undo" for its
 * twin.  The answer of the last tool run is the step's stdout.
 */
static const char cp_script[] =
	"set -eu\n"
	"die() { printf '%s\\n' \"$*\" >&2; exit 3; }\n"
	"a=$1 b=$2 f=$3 undo=${4:-}\n"
	"case $f in\n"
	"suspend_login) t=unsuspend_login ;;\n"
	"suspend_outgoing) t=unsuspend_outgoing ;;\n"
	"hold_outgoing) t=release_outgoing ;;\n"
	"*) die \"cpanel_outgoing must be suspend or hold (not ${f%_outgoing})\" ;;\n"
	"esac\n"
	"[ -z \"$undo\" ] || f=$t\n"
	"for x in whmapi1 uapi; do\n"
	"  [ -x \"$b/$x\" ] || die \"$b/$x: not found: is this a cPanel"
	    " server? (cpanel_bin)\"\n"
	"done\n"
	"case $a in\n"
	"*@*) ;;\n"
	"*)\n"
	"  case $f in\n"
	"  *_login)\n"
	"    printf 'note: %s\\n' \"cPanel's API has no login suspension"
	    " for the cPanel account $a itself (only for its addresses):"
	    " its outgoing mail is what mailcon stops\" >&2\n"
	"    printf 'mailcon: nothing to do\\n'\n"
	"    exit 0 ;;\n"
	"  esac\n"
	"  exec \"$b/whmapi1\" --output=json \"${f}_email\" user=\"$a\" ;;\n"
	"esac\n"
	"d=${a#*@}\n"
	"j=$(\"$b/whmapi1\" --output=json getdomainowner domain=\"$d\") ||\n"
	"  die \"whmapi1 getdomainowner domain=$d failed\"\n"
	"u=$(printf '%s' \"$j\" | perl -MJSON::PP -0777 -ne '\n"
	"  my $j = eval { decode_json($_) };\n"
	"  ref $j eq \"HASH\" or exit 2;\n"
	"  my $m = $j->{metadata} || {};\n"
	"  if (!$m->{result}) { print STDERR $m->{reason} || \"no reason\";"
	    " exit 3 }\n"
	"  my $u = ($j->{data} || {})->{user};\n"
	"  defined $u && $u =~ /\\A[a-z][a-z0-9]{0,31}\\z/ or exit 4;\n"
	"  print $u' 2>&1) || die \"whmapi1 getdomainowner domain=$d: no owner"
	    " of $d (${u:-not an answer})\"\n"
	"[ -n \"$u\" ] || die \"whmapi1 getdomainowner domain=$d: no answer\"\n"
	"exec \"$b/uapi\" --output=json --user=\"$u\" Email \"$f\""
	    " email=\"$a\"\n";

static const char *const login_args[] = { "%{account}", "%{cpanel_bin}",
	"suspend_login", NULL };
static const char *const login_undo_args[] = { "%{account}",
	"%{cpanel_bin}", "suspend_login", "undo", NULL };
static const char *const out_args[] = { "%{account}", "%{cpanel_bin}",
	"%{cpanel_outgoing}_outgoing", NULL };
static const char *const out_undo_args[] = { "%{account}", "%{cpanel_bin}",
	"%{cpanel_outgoing}_outgoing", "undo", NULL };

static const struct backend_step cp_login_add = {
	.name = "mailcon-cpanel-login",
	.script = cp_script,
	.args = login_args,
	.what = "refuse its logins (cPanel uapi Email suspend_login)",
	.answer = cpanel_answer,
};

static const struct backend_step cp_login_del = {
	.name = "mailcon-cpanel-login-undo",
	.script = cp_script,
	.args = login_undo_args,
	.what = "allow its logins again (cPanel uapi Email unsuspend_login)",
	.answer = cpanel_answer,
};

static const struct backend_step cp_out_add = {
	.name = "mailcon-cpanel-outgoing",
	.script = cp_script,
	.args = out_args,
	.what = "refuse its outgoing mail (cPanel uapi Email "
	    "suspend_outgoing or hold_outgoing; whmapi1 for a cPanel "
	    "account)",
	.answer = cpanel_answer,
};

static const struct backend_step cp_out_del = {
	.name = "mailcon-cpanel-outgoing-undo",
	.script = cp_script,
	.args = out_undo_args,
	.what = "allow its outgoing mail again (cPanel uapi Email "
	    "unsuspend_outgoing or release_outgoing)",
	.answer = cpanel_answer,
};

/* See exim.h. */
const struct backend_accounts cpanel_accounts = {
	.deny_add = &cp_login_add,
	.deny_del = &cp_login_del,
	.refuse_add = &cp_out_add,
	.refuse_del = &cp_out_del,
};
