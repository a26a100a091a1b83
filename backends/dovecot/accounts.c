/*
 * accounts.c: how Dovecot refuses a login and sets a password, as fixed
 * scripts (backend.h, struct backend_accounts; the prelude and its locks:
 * fileedit.h).
 *
 * Suspend puts the login into the file of a deny passdb, which the
 * admin lists first among the passdbs:
 *
 *	passdb { driver = passwd-file  deny = yes  args = /etc/dovecot/deny }
 *
 * and the next AUTH fails; a password reset writes the new hash (doveadm
 * pw, the password on stdin) into the passwd-file.  Dovecot is never
 * restarted: it reads a passwd-file on the next lookup (with
 * auth_cache_size = 0, or after the cache TTL).
 */
#include <stddef.h>

#include "dovecot.h"
#include "backends/backend.h"
#include "backends/fileedit.h"

/* The deny file: one login per line. */
#define DV_DENY_HAS \
	"has() { grep -qxF -- \"$a\" \"$1\"; }\n"

static const char deny_add[] = FE_PRELUDE DV_DENY_HAS
	"a=$1 f=$2 pw=$3\n"
	"need_writable \"$f\"\n"
	"if [ -n \"$pw\" ]; then\n"
	"  need_file \"$pw\"\n"
	"  A=$a awk -F: '$1 == ENVIRON[\"A\"] { n++ } END { exit !n }' \"$pw\" ||\n"
	"    die \"no account $a in $pw\"\n"
	"fi\n"
	FE_APPEND_A
	FE_EDIT_F;

static const char deny_del[] = FE_PRELUDE DV_DENY_HAS
	"a=$1 f=$2\n"
	"need_writable \"$f\"\n"
	"holds() { ! has \"$1\"; }\n"
	"edit_into() {\n"
	"  grep -vxF -- \"$a\" \"$1\" >\"$2\" || [ $? -eq 1 ] ||\n"
	"    die \"cannot write beside $1\"\n"
	"}\n"
	FE_EDIT_F;

/* exactly one line of the account's in the passwd-file */
#define DV_PASSWD_ONE \
	"one() {\n" \
	"  A=$a awk -F: '$1 == ENVIRON[\"A\"] { n++ } END { exit n != 1 }'" \
	    " \"$1\" ||\n" \
	"    die \"no account $a in $1 (or more than one line for it)\"\n" \
	"}\n"

static const char passwd_set[] = FE_PRELUDE DV_PASSWD_ONE
	"a=$1 f=$2 s=$3; shift 3\n"
	"IFS= read -r pw || die \"no password on stdin\"\n"
	"need_writable \"$f\"\n"
	"lock \"$f\"\n"
	"id=$(ident \"$f\")\n"
	"one \"$f\"\n"
	/*
	 * doveadm pw reads a password and its "retype" from a stdin that is
	 * no tty: given one line it finds them different, asks again, reads
	 * two empty lines and prints the hash of the EMPTY password.  So the
	 * password goes twice, and the hash is tested before it is written.
	 */
	"h=$(printf '%s\\n%s\\n' \"$pw\" \"$pw\" | \"$@\" pw -s \"$s\") ||\n"
	"  die \"doveadm pw failed\"\n"
	"case $h in '{'*'}'?*) ;; *) die \"doveadm pw printed no hash\" ;; esac\n"
	"case $h in *:*|*\"\n\"*) die \"doveadm pw printed a hash with ':'\" ;; esac\n"
	"printf '%s\\n' \"$pw\" | \"$@\" pw -t \"$h\" >/dev/null 2>&1 ||\n"
	"  die \"doveadm pw printed a hash of another password: not changed\"\n"
	"holds() {\n"
	"  A=$a H=$h awk -F: '$1 == ENVIRON[\"A\"] {\n"
	"      n++; if ($2 == ENVIRON[\"H\"]) m++ }\n"
	"    END { exit !(n == 1 && m == 1) }' \"$1\"\n"
	"}\n"
	"edit_into() {\n"
	"  one \"$1\"\n"
	"  A=$a H=$h awk 'BEGIN { FS = OFS = \":\" }\n"
	"    $1 == ENVIRON[\"A\"] { $2 = ENVIRON[\"H\"] }\n"
	"    { print }' \"$1\" >\"$2\" || die \"cannot write beside $1\"\n"
	"}\n"
	"edit_file \"$f\"\n";

/*
 * After the lock is let go, against what is on disk.  Exit 4: the file's
 * hash is not the new password's, which only a later change of the file
 * does (the set step checked it under the lock).  The hash is read again
 * after doveadm accepted it: a change during the check is checked too.
 */
static const char passwd_check[] = FE_BASE
	"a=$1 f=$2; shift 2\n"
	"IFS= read -r pw || die \"no password on stdin\"\n"
	"need_file \"$f\"\n"
	"file_hash() {\n"
	"  h=$(A=$a awk -F: '$1 == ENVIRON[\"A\"] { print $2; exit }' \"$f\")\n"
	"  [ -n \"$h\" ] || die \"no account $a in $f\"\n"
	"}\n"
	"file_hash\n"
	"n=0\n"
	"while e=$(printf '%s\\n' \"$pw\" | \"$@\" pw -t \"$h\" 2>&1); do\n"
	"  was=$h\n"
	"  file_hash\n"
	"  [ \"$h\" != \"$was\" ] || exit 0\n"
	"  n=$((n + 1))\n"
	"  [ \"$n\" -lt 3 ] || die \"the hash of $a in $f keeps changing:" \
	    " not verified\"\n"
	"done\n"
	"case $e in\n"
	"*'Password mismatch'*) ;;\n"
	"*) die \"doveadm pw -t: $e\" ;;\n"
	"esac\n"
	"printf '%s\\n' \"the password of $a in $f is not the one this reset"
	    " set: $f was changed after it (by another reset or another"
	    " program), so this new password is not in use\" >&2\n"
	"exit 4\n";


/* The deny file's part of the suspension check (backend.h). */
static const char deny_check[] =
	"f=$1; shift\n"
	"need_file \"$f\"\n"
	"v=0; grep -qxF -- \"$a\" \"$f\" && v=1\n";

static const char *const deny_add_args[] = { "%{account}", "%{deny_file}",
	"%{passwd_file?}", NULL };
static const char *const deny_del_args[] = { "%{account}", "%{deny_file}",
	NULL };
static const char *const passwd_set_args[] = { "%{account}",
	"%{passwd_file}", "%{password_scheme}", "%{doveadm}", NULL };
static const char *const passwd_check_args[] = { "%{account}",
	"%{passwd_file}", "%{doveadm}", NULL };
static const char *const deny_check_args[] = { "%{deny_file}", NULL };

/* The dry run's account of the lines they write (backend.h, edit). */
static const char *const deny_edit[] = { "%{deny_file}", "%{account}",
	NULL };
static const char *const passwd_edit[] = { "%{passwd_file}",
	"%{account}:{%{password_scheme}}<the new hash>", NULL };

static const struct backend_step dv_deny_add = {
	.name = "mailcon-deny-add",
	.script = deny_add,
	.args = deny_add_args,
	.what = "refuse its logins (Dovecot deny passdb)",
	.edit = deny_edit,
};

static const struct backend_step dv_deny_del = {
	.name = "mailcon-deny-del",
	.script = deny_del,
	.args = deny_del_args,
	.what = "allow its logins again (Dovecot deny passdb)",
	.flags = BSTEP_REMOVES,
	.edit = deny_edit,
};

static const struct backend_step dv_passwd_set = {
	.name = "mailcon-passwd-set",
	.script = passwd_set,
	.args = passwd_set_args,
	.flags = BSTEP_PASSWORD,
	.what = "set a new password in the Dovecot passwd-file",
	.edit = passwd_edit,
};

static const struct backend_step dv_passwd_check = {
	.name = "mailcon-passwd-check",
	.script = passwd_check,
	.args = passwd_check_args,
	.flags = BSTEP_PASSWORD,
	.what = "check",
	.ok = "the passwd-file's new hash matches the new password "
	    "(doveadm pw -t)",
};

static const struct backend_check dv_check = {
	.key = "deny",
	.script = deny_check,
	.args = deny_check_args,
	.on = "logins refused (listed in the deny passdb)",
	.place = "the deny passdb",
	.label = "deny passdb",
	.yes = "listed",
	.no = "not listed",
};

/*
 * One line of the deny file: the whole line is the login (deny_add
 * writes it so, and the check greps it with -x); a "\r" a hand edit left
 * is not part of it.
 */
static int
dv_deny_line(const char *p, size_t len, struct mail_str *out)
{
	if (len > 0 && p[len - 1] == '\r')
		len--;
	if (len == 0)
		return 0;
	out->p = p;
	out->len = len;
	return 1;
}

/*
 * End its open IMAP and POP3 sessions (backend.h, sessions_end): doveadm
 * kick, through anvil.  It exits 68 with "no users kicked" when there were
 * none, 0 when it kicked some, 75 when anvil's socket is missing (no
 * Dovecot running: nothing open either, said as a note).
 */
static const char kick[] = FE_BASE
	"a=$1; shift\n"
	"if o=$(\"$@\" kick \"$a\" 2>&1); then r=0; else r=$?; fi\n"
	"case $r in\n"
	"0) echo 'ended=1 skipped=0' ;;\n"
	"68) echo 'ended=0 skipped=0' ;;\n"
	/* no anvil socket: no Dovecot runs here, so no session is open */
	"75) case $o in *anvil*\"No such file\"*)\n"
	"  echo 'note: Dovecot is not running here (no anvil socket)' >&2\n"
	"  echo 'ended=0 skipped=0'; exit 0 ;; esac\n"
	"  die \"doveadm kick: $(printf '%s' \"$o\" | head -n 1) (exit $r)\" ;;\n"
	"*) die \"doveadm kick: $(printf '%s' \"$o\" | head -n 1) (exit $r)\" ;;\n"
	"esac\n";

static const char *const kick_args[] = { "%{account}", "%{doveadm}", NULL };

static const struct backend_step dv_kick = {
	.name = "mailcon-kick",
	.script = kick,
	.args = kick_args,
	.what = "end its open IMAP and POP3 sessions (doveadm kick)",
};

/* See dovecot.h. */
const struct backend_accounts dovecot_accounts = {
	.deny_add = &dv_deny_add,
	.deny_del = &dv_deny_del,
	.passwd_set = &dv_passwd_set,
	.passwd_check = &dv_passwd_check,
	.sessions_end = &dv_kick,
	.check = &dv_check,
	.deny_list = "deny_file",
	.deny_line = dv_deny_line,
};
