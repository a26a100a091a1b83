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
 * has both) and must be a cPanel user name.  Then the suspension is read
 * back from cPanel itself (cp_check: the fields cPanel documents for an
 * address's and an account's state), and the verification says what
 * cPanel answered.  The password reset is cpanel_pw.c's.
 */
#include <stddef.h>

#include "exim.h"
#include "cpanel_int.h"
#include "backends/backend.h"
#include "backends/fileedit.h"

/*
 * $1 the login, $2 cPanel's bin directory, $3 the UAPI function
 * (suspend_login, suspend_outgoing, hold_outgoing), $4 "undo" for its
 * twin.  The answer of the last tool run is the step's stdout.
 */
static const char cp_script[] = FE_BASE CP_NEED_TOOLS CP_OWNER_OF
	"a=$1 b=$2 f=$3 undo=${4:-}\n"
	"case $f in\n"
	"suspend_login) t=unsuspend_login ;;\n"
	"suspend_outgoing) t=unsuspend_outgoing ;;\n"
	"hold_outgoing) t=release_outgoing ;;\n"
	"*) die \"cpanel_outgoing must be suspend or hold (not"
	    " ${f%_outgoing})\" ;;\n"
	"esac\n"
	"[ -z \"$undo\" ] || f=$t\n"
	"need_cp\n"
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
	"owner_of \"$a\"\n"
	"exec \"$b/uapi\" --output=json --user=\"$u\" Email \"$f\""
	    " email=\"$a\"\n";

/*
 * The suspension read back from cPanel (backend.h, struct backend_check):
 * $1 cPanel's bin directory, $2 cpanel_outgoing.  v is 1 when cPanel says
 * both are stopped (an address: its logins and its outgoing mail,
 * suspended or held as cpanel_outgoing says; a cPanel account: its
 * outgoing mail), 0 when neither; a mix, a missing field or an answer
 * that is not cPanel's JSON dies with what cPanel said.  The fields are
 * those cPanel documents (api.docs.cpanel.net):
 *
 *	uapi Email list_pops_with_disk email=LOCAL domain=DOMAIN
 *	    get_restrictions=1: result.data[] of {email, suspended_login,
 *	    suspended_outgoing, hold_outgoing, ...}, each 1 or 0
 *	    ("hold_outgoing ... only if you pass get_restrictions=1")
 *	whmapi1 listaccts search=ACCOUNT searchtype=user searchmethod=exact:
 *	    data.acct[] of {user, outgoing_mail_suspended,
 *	    outgoing_mail_hold, ...}
 *
 * The perl program is in single quotes: it holds none.
 */
static const char cp_check[] = CP_NEED_TOOLS CP_OWNER_OF
	"b=$1 o=$2; shift 2\n"
	"case $o in\n"
	"suspend|hold) ;;\n"
	"*) die \"cpanel_outgoing must be suspend or hold (not $o)\" ;;\n"
	"esac\n"
	"need_cp\n"
	"case $a in\n"
	"*@*)\n"
	"  owner_of \"$a\"\n"
	"  j=$(\"$b/uapi\" --output=json --user=\"$u\" Email"
	    " list_pops_with_disk"
	    " email=\"${a%@*}\" domain=\"$d\" get_restrictions=1 no_disk=1)"
	    " ||\n"
	"    die \"uapi Email list_pops_with_disk for $a failed\" ;;\n"
	"*)\n"
	"  j=$(\"$b/whmapi1\" --output=json listaccts search=\"$a\""
	    " searchtype=user searchmethod=exact) ||\n"
	"    die \"whmapi1 listaccts search=$a failed\" ;;\n"
	"esac\n"
	"v=$(printf '%s' \"$j\" | A=$a O=$o perl -MJSON::PP -0777 -ne '\n"
	"  sub bad { print @_; exit 2 }\n"
	"  sub flag { my ($h, $k) = @_; my $v = $h->{$k};\n"
	"    defined $v or bad(\"cPanel did not say $k\");\n"
	"    $v eq \"0\" || $v eq \"1\" or bad(\"cPanel said $k=$v\");\n"
	"    return $v }\n"
	"  my $j = eval { decode_json($_) };\n"
	"  ref $j eq \"HASH\" or bad(\"its answer is not cPanel JSON\");\n"
	"  my ($w, $o, $f, @m) = (lc $ENV{A}, $ENV{O});\n"
	"  if (index($w, \"@\") >= 0) {\n"
	"    my $r = $j->{result};\n"
	"    ref $r eq \"HASH\" && defined $r->{status} &&"
	    " $r->{status} eq \"1\" or bad(\"cPanel said: \", join(\"; \","
	    " @{ ref $r eq \"HASH\" && ref $r->{errors} eq \"ARRAY\" ?"
	    " $r->{errors} : [\"no status\"] }));\n"
	"    @m = grep { ref $_ eq \"HASH\" && lc($_->{email} // \"\") eq $w }"
	    " @{ ref $r->{data} eq \"ARRAY\" ? $r->{data} : [] };\n"
	"    @m == 1 or bad(\"cPanel lists $w \" . @m . \" times\");\n"
	"    $f = $o eq \"hold\" ? \"hold_outgoing\" :"
	    " \"suspended_outgoing\";\n"
	"    my ($l, $x) = (flag($m[0], \"suspended_login\"), flag($m[0],"
	    " $f));\n"
	"    $l eq $x or bad(\"cPanel says $w is partly suspended:"
	    " suspended_login=$l, $f=$x\");\n"
	"    print $l;\n"
	"  } else {\n"
	"    my $m = $j->{metadata};\n"
	"    ref $m eq \"HASH\" && defined $m->{result} && $m->{result} eq"
	    " \"1\""
	    " or bad(\"cPanel said: \", (ref $m eq \"HASH\" ? $m->{reason} :"
	    " undef) //"
	    " \"no result\");\n"
	"    my $d = $j->{data};\n"
	"    @m = grep { ref $_ eq \"HASH\" && ($_->{user} // \"\") eq $w }"
	    " @{ ref $d eq \"HASH\" && ref $d->{acct} eq \"ARRAY\" ?"
	    " $d->{acct} :"
	    " [] };\n"
	"    @m == 1 or bad(\"cPanel lists the account $w \" . @m . \""
	    " times\");\n"
	"    print flag($m[0], $o eq \"hold\" ? \"outgoing_mail_hold\" :"
	    " \"outgoing_mail_suspended\");\n"
	"  }' 2>&1) || die \"${v:-no answer from perl}\"\n"
	"case $v in\n"
	"0|1) ;;\n"
	"*) die \"cannot read cPanel's answer: $v\" ;;\n"
	"esac\n";

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

static const char *const check_args[] = { "%{cpanel_bin}",
	"%{cpanel_outgoing}", NULL };

static const struct backend_step cp_out_del = {
	.name = "mailcon-cpanel-outgoing-undo",
	.script = cp_script,
	.args = out_undo_args,
	.what = "allow its outgoing mail again (cPanel uapi Email "
	    "unsuspend_outgoing or release_outgoing)",
	.answer = cpanel_answer,
};

static const struct backend_check cp_check_part = {
	.key = "cpanel",
	.script = cp_check,
	.args = check_args,
	.on = "logins and outgoing mail stopped (cPanel's API reads back)",
	.place = "cPanel's record",
	.label = "cPanel's API reads back",
	.yes = "suspended",
	.no = "not suspended",
};

/* See exim.h. */
const struct backend_accounts cpanel_accounts = {
	.deny_add = &cp_login_add,
	.deny_del = &cp_login_del,
	.refuse_add = &cp_out_add,
	.refuse_del = &cp_out_del,
	.passwd_set = &cpanel_passwd_set,
	.passwd_check = &cpanel_passwd_check,
	.check = &cp_check_part,
};
