/*
 * cpanel_pw.c: an address's new password on a cPanel server, through
 * cPanel's own API (backend.h, struct backend_accounts: passwd_set and
 * passwd_check), as the cPanel user who owns its domain:
 *
 *	uapi --output=json --user=OWNER Email passwd_pop email=ADDR
 *	    password=NEW
 *	uapi --output=json --user=OWNER Email verify_password email=ADDR
 *	    password=NEW
 *
 * cPanel's command-line tools take every parameter as KEY=VALUE in their
 * arguments; none of cPanel's documentation (api.docs.cpanel.net: the
 * UAPI and WHM API 1 introductions, Email::passwd_pop) offers a way to
 * give one on stdin or in a file.  An argument can be read by every
 * local user of the server in /proc/PID/cmdline (ps), unless /proc is
 * mounted with hidepid=2 (hidepid=invisible on Linux 5.8 and later),
 * which hides every process from the users who do not own it.  So both
 * steps first read the server's mount table (cpanel_proc_mounts,
 * /proc/mounts) and refuse, before anything runs with the password in
 * its arguments, when the proc file system on /proc lacks that option;
 * the refusal says why and what to do.  The password itself comes on
 * stdin (BSTEP_PASSWORD) and is never in mailcon's own command line or
 * output; the dry run shows the scripts, which name it $pw.
 *
 * A cPanel account's own password (a login without '@') is also its
 * websites' and FTP's: mailcon resets an address's password only.
 *
 * passwd_pop's answer is judged as every cPanel answer (cpanel_answer);
 * the check asks verify_password, whose result.data is 1 when the
 * password is the address's (cPanel's UAPI reference, Email::
 * verify_password): 0 is exit 4, the password in place is not the one
 * just set, and the new password is never shown.
 */
#include <stddef.h>

#include "exim.h"
#include "cpanel_int.h"
#include "backends/backend.h"
#include "backends/fileedit.h"

/*
 * hidden MOUNTS: return when the proc file system on /proc (the last
 * such line: a later mount covers an earlier one) hides other users'
 * processes, else die with why.
 */
#define CP_HIDDEN \
	"hidden() {\n" \
	"  [ -r \"$1\" ] || die \"cannot read $1: cannot tell whether /proc" \
	    " hides other users' processes (cpanel_proc_mounts)\"\n" \
	"  o=$(awk '$2 == \"/proc\" && $3 == \"proc\" { o = $4 }" \
	    " END { print o }' \"$1\")\n" \
	"  [ -n \"$o\" ] || die \"$1 lists no proc file system on /proc:" \
	    " cannot tell whether it hides other users' processes\"\n" \
	"  case ,$o, in\n" \
	"  *,hidepid=2,*|*,hidepid=invisible,*) return 0 ;;\n" \
	"  esac\n" \
	"  die \"refused, nothing changed: uapi Email passwd_pop takes the" \
	    " new password as an argument, and /proc on this server is" \
	    " mounted without hidepid=2 ($o, in $1), so any local user could" \
	    " read it with ps; mount /proc with hidepid=2 (mount -o" \
	    " remount,hidepid=2 /proc, and the same in /etc/fstab) or set" \
	    " password_command\"\n" \
	"}\n"

/* What both steps do first: $1 the address, $2 cpanel_bin, $3 mounts. */
#define CP_PW_START \
	FE_BASE CP_NEED_TOOLS CP_OWNER_OF CP_HIDDEN \
	"a=$1 b=$2 m=$3; shift 3\n" \
	"IFS= read -r pw || die \"no password on stdin\"\n" \
	"case $a in\n" \
	"*@*) ;;\n" \
	"*) die \"$a is a cPanel account, not an address: its password is" \
	    " also its websites' and FTP's; mailcon resets an address's" \
	    " password only (use WHM for the account's)\" ;;\n" \
	"esac\n" \
	"hidden \"$m\"\n" \
	"need_cp\n" \
	"owner_of \"$a\"\n"

static const char cp_pw_set[] = CP_PW_START
	"exec \"$b/uapi\" --output=json --user=\"$u\" Email passwd_pop"
	    " email=\"$a\" password=\"$pw\"\n";

/* cPanel's verdict read with perl: 1 or 0 on stdout, else why, exit 2. */
static const char cp_pw_check[] = CP_PW_START
	"j=$(\"$b/uapi\" --output=json --user=\"$u\" Email verify_password"
	    " email=\"$a\" password=\"$pw\") ||\n"
	"  die \"uapi Email verify_password for $a failed\"\n"
	"v=$(printf '%s' \"$j\" | perl -MJSON::PP -0777 -ne '\n"
	"  my $j = eval { decode_json($_) };\n"
	"  my $r = ref $j eq \"HASH\" ? $j->{result} : undef;\n"
	"  ref $r eq \"HASH\" or do { print \"its answer is not cPanel JSON\";"
	    " exit 2 };\n"
	"  defined $r->{status} && $r->{status} eq \"1\" or do {\n"
	"    print \"cPanel said: \", join(\"; \", @{ ref $r->{errors} eq"
	    " \"ARRAY\" ? $r->{errors} : [\"no status\"] }); exit 2 };\n"
	"  my $d = $r->{data};\n"
	"  defined $d && ($d eq \"0\" || $d eq \"1\") or do {"
	    " print \"cPanel said neither 1 nor 0\"; exit 2 };\n"
	"  print $d' 2>&1) || die \"uapi Email verify_password: $v\"\n"
	"case $v in\n"
	"1) exit 0 ;;\n"
	"0) ;;\n"
	"*) die \"uapi Email verify_password: $v\" ;;\n"
	"esac\n"
	"printf '%s\\n' \"cPanel does not take the new password for $a"
	    " (uapi Email verify_password): it was changed again after this"
	    " reset, so this new password is not in use\" >&2\n"
	"exit 4\n";

static const char *const pw_args[] = { "%{account}", "%{cpanel_bin}",
	"%{cpanel_proc_mounts}", NULL };

/* See exim.h. */
const struct backend_step cpanel_passwd_set = {
	.name = "mailcon-cpanel-passwd",
	.script = cp_pw_set,
	.args = pw_args,
	.flags = BSTEP_PASSWORD,
	.what = "set a new password (cPanel uapi Email passwd_pop)",
	.answer = cpanel_answer,
};

/* See exim.h. */
const struct backend_step cpanel_passwd_check = {
	.name = "mailcon-cpanel-passwd-check",
	.script = cp_pw_check,
	.args = pw_args,
	.flags = BSTEP_PASSWORD,
	.what = "check",
	.ok = "cPanel takes the new password (uapi Email verify_password)",
};
