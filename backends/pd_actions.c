/*
 * pd_actions.c: the scripts behind Postfix + Dovecot suspend, unsuspend
 * and password reset; see pd_actions.h.  POSIX sh (dash), coreutils, awk.
 */
#include <stddef.h>

#include "pd_actions.h"

/* How long a step waits for another mailcon's lock, unless told. */
#define PD_LOCK_WAIT	"20"

/* Shared by every script: strict mode and the refusal of read-only files. */
#define PD_BASE \
	"set -eu\n" \
	"die() { printf '%s\\n' \"$*\" >&2; exit 3; }\n" \
	"need_file() {\n" \
	"  [ -f \"$1\" ] || die \"$1: no such file\"\n" \
	"}\n" \
	"need_writable() {\n" \
	"  need_file \"$1\"\n" \
	"  [ -n \"$(find \"$1\" -prune -perm /222)\" ] ||\n" \
	"    die \"$1 is read-only (no write bit): not changed\"\n" \
	"}\n"

/*
 * Shared by the scripts that change a file: the exit trap, the lock and
 * the locked edit.  lock_wait (seconds) may be set on a line before the
 * script (pd_actions.h).
 */
#define PD_PRELUDE PD_BASE \
	"case ${lock_wait:-} in\n" \
	"''|*[!0-9]*) lock_wait=" PD_LOCK_WAIT " ;;\n" \
	"esac\n" \
	"L= t= b=\n" \
	"note() { printf 'note: %s\\n' \"$*\" >&2; }\n" \
	/* temporary files go, and the lock's note of its holder */ \
	"cleanup() {\n" \
	"  rm -f -- ${t:+\"$t\"} ${b:+\"$b\"}\n" \
	"  [ -z \"$L\" ] || { : >\"$L\"; } 2>/dev/null || :\n" \
	"}\n" \
	"trap cleanup EXIT\n" \
	"trap 'exit 129' HUP\n" \
	"trap 'exit 130' INT\n" \
	"trap 'exit 143' TERM\n" \
	/* who holds a lock, from its note: " (pid P on HOST, for N s)" */ \
	"holder() {\n" \
	"  read -r hp ht hh <\"$1\" 2>/dev/null || return 0\n" \
	"  case $hp$ht in ''|*[!0-9]*) return 0 ;; esac\n" \
	"  printf ' (pid %s on %s, for %s s)' \"$hp\" \"$hh\" " \
	    "\"$(($(date +%s) - ht))\"\n" \
	"}\n" \
	/* \
	 * A note left in the lock we just took: its holder never cleared \
	 * it, so it was killed while changing the file.  Say so by its pid \
	 * and age, and remove its temporary files. \
	 */ \
	"stale() {\n" \
	"  read -r op ot oh <\"$2\" 2>/dev/null || return 0\n" \
	"  case $op$ot in ''|*[!0-9]*)\n" \
	"    note \"took over the lock of $1 (its note was unreadable)\"\n" \
	"    return 0 ;;\n" \
	"  esac\n" \
	"  if [ \"$oh\" != \"$(uname -n)\" ]; then st=\"on $oh\"\n" \
	"  elif kill -0 \"$op\" 2>/dev/null; then\n" \
	"    st=\"running, not holding it\"\n" \
	"  else st=\"no longer running\"; rm -f -- \"$1.mailcon.$op.\"*; fi\n" \
	"  note \"took over a stale lock of $1: pid $op ($st) took it" \
	    " $(($(date +%s) - ot)) s ago and was stopped before it let" \
	    " go\"\n" \
	"}\n" \
	/* \
	 * Hold FILE.mailcon.lock until the script exits, so that no two \
	 * mailcon change FILE at once, here or over SSH: flock(1), which the \
	 * kernel lets go when its holder dies; a note in it says who holds \
	 * it.  The lock file stays (removing it would let a waiter lock a \
	 * file nobody else sees). \
	 */ \
	"lock() {\n" \
	"  l=$1.mailcon.lock\n" \
	"  command -v flock >/dev/null 2>&1 ||\n" \
	"    die \"cannot lock $1: flock is not installed here (util-linux):" \
	    " not changed\"\n" \
	"  if [ ! -e \"$l\" ] && ! e=$(touch -- \"$l\" 2>&1); then\n" \
	"    die \"cannot lock $1: cannot create $l (${e##*: }): mailcon" \
	    " needs to write in $(dirname -- \"$1\"): not changed\"\n" \
	"  fi\n" \
	"  { command exec 9>>\"$l\"; } 2>/dev/null ||\n" \
	"    { command exec 9<\"$l\"; } 2>/dev/null ||\n" \
	"    die \"cannot lock $1: cannot open $l: not changed\"\n" \
	"  flock -w \"$lock_wait\" 9 ||\n" \
	"    die \"busy: another mailcon is changing $1$(holder \"$l\");" \
	    " waited $lock_wait s: not changed, try again\"\n" \
	"  L=$l\n" \
	"  stale \"$1\" \"$l\"\n" \
	"  { printf '%s %s %s\\n' $$ \"$(date +%s)\" \"$(uname -n)\"" \
	    " >\"$l\"; } 2>/dev/null || :\n" \
	"}\n" \
	/* what tells a file was changed: inode, size, times, content */ \
	"ident() {\n" \
	"  stat -c '%d %i %s %y %z' -- \"$1\" && cksum <\"$1\"\n" \
	"}\n" \
	"tmp_beside() {\n" \
	"  t=$(mktemp \"$1.mailcon.$$.XXXXXX\") ||" \
	    " die \"cannot create a file beside $1\"\n" \
	/* a temporary copy beside the file keeps owner and mode */ \
	"  cp -p -- \"$1\" \"$t\" || die \"cannot copy $1\"\n" \
	"}\n" \
	/* Dovecot re-reads a passwd-file when its size or mtime (whole \
	   seconds) changed: an edit of equal size in the same second would \
	   go unseen, so the new file is always at least a second newer */ \
	"replace() {\n" \
	"  o=$(stat -c %Y -- \"$2\") n=$(date +%s)\n" \
	"  [ \"$n\" -gt \"$o\" ] || n=$((o + 1))\n" \
	"  touch -d \"@$n\" -- \"$1\"\n" \
	"  mv -f -- \"$1\" \"$2\"\n" \
	"}\n" \
	/* \
	 * Under the lock: FILE anew with the step's edit_into, put in place \
	 * by its finish, unless it holds the change already; then it must \
	 * hold it.  $id is FILE's identity when the step judged it: when a \
	 * program that ignores the lock changed it since, the edit is made \
	 * again from the new content (three times at most) rather than \
	 * renamed over that program's work. \
	 */ \
	"edit_file() {\n" \
	"  n=0\n" \
	"  while ! holds \"$1\"; do\n" \
	"    tmp_beside \"$1\"\n" \
	"    edit_into \"$1\" \"$t\"\n" \
	"    now=$(ident \"$1\")\n" \
	"    if [ \"$now\" = \"$id\" ]; then\n" \
	"      finish \"$t\" \"$1\"\n" \
	"      t=\n" \
	"      holds \"$1\" || die \"$1 does not hold the change after it was" \
	    " written: another program changed it at the same moment;" \
	    " try again\"\n" \
	"      return 0\n" \
	"    fi\n" \
	"    n=$((n + 1))\n" \
	"    [ \"$n\" -lt 3 ] || die \"$1 keeps changing while mailcon holds" \
	    " its lock (another program edits it without the lock):" \
	    " not changed, try again\"\n" \
	"    note \"$1 was changed by another program while mailcon held its" \
	    " lock: edited again from its new content\"\n" \
	"    rm -f -- \"$t\"\n" \
	"    t= id=$now\n" \
	"  done\n" \
	"}\n" \
	"finish() { replace \"$1\" \"$2\"; }\n"

/* The deny file: one login per line. */
#define PD_DENY_HAS \
	"has() { grep -qxF -- \"$a\" \"$1\"; }\n"

static const char deny_add[] = PD_PRELUDE PD_DENY_HAS
	"a=$1 f=$2 pw=$3\n"
	"need_writable \"$f\"\n"
	"if [ -n \"$pw\" ]; then\n"
	"  need_file \"$pw\"\n"
	"  A=$a awk -F: '$1 == ENVIRON[\"A\"] { n++ } END { exit !n }' \"$pw\" ||\n"
	"    die \"no account $a in $pw\"\n"
	"fi\n"
	"holds() { has \"$1\"; }\n"
	/* awk 1 ends the last line with a newline if the file did not */
	"edit_into() {\n"
	"  awk 1 \"$1\" >\"$2\" || die \"cannot write beside $1\"\n"
	"  printf '%s\\n' \"$a\" >>\"$2\" || die \"cannot write beside $1\"\n"
	"}\n"
	"lock \"$f\"\n"
	"id=$(ident \"$f\")\n"
	"edit_file \"$f\"\n";

static const char deny_del[] = PD_PRELUDE PD_DENY_HAS
	"a=$1 f=$2\n"
	"need_writable \"$f\"\n"
	"holds() { ! has \"$1\"; }\n"
	"edit_into() {\n"
	"  grep -vxF -- \"$a\" \"$1\" >\"$2\" || [ $? -eq 1 ] ||\n"
	"    die \"cannot write beside $1\"\n"
	"}\n"
	"lock \"$f\"\n"
	"id=$(ident \"$f\")\n"
	"edit_file \"$f\"\n";

/*
 * Rewrite the map without the account's line (plus a new one), rebuild,
 * and check the rebuilt map says what the source does.  want: "REJECT" or
 * "" (what postmap -q finds); lines: how many lines of the account's.
 */
#define PD_MAP_EDIT(add, lines, want) \
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

static const char map_add[] = PD_PRELUDE PD_MAP_EDIT(
	"  printf '%s\\tREJECT 5.7.1 account suspended by mailcon\\n' \"$a\""
	    " >>\"$2\" || die \"cannot write beside $1\"\n", "1", "REJECT");

static const char map_del[] = PD_PRELUDE PD_MAP_EDIT("", "0", "");

static const char check[] = PD_BASE
	"a=$1 f=$2 m=$3; shift 3\n"
	"need_file \"$f\"\n"
	"d=0; grep -qxF -- \"$a\" \"$f\" && d=1\n"
	"r=$(\"$@\" -q \"$a\" \"hash:$m\") || r=\n"
	"case $r in REJECT*|reject*) r=1 ;; *) r=0 ;; esac\n"
	"printf 'deny=%s map=%s\\n' \"$d\" \"$r\"\n";

/* exactly one line of the account's in the passwd-file */
#define PD_PASSWD_ONE \
	"one() {\n" \
	"  A=$a awk -F: '$1 == ENVIRON[\"A\"] { n++ } END { exit n != 1 }'" \
	    " \"$1\" ||\n" \
	"    die \"no account $a in $1 (or more than one line for it)\"\n" \
	"}\n"

static const char passwd_set[] = PD_PRELUDE PD_PASSWD_ONE
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
static const char passwd_check[] = PD_BASE
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

static const struct {
	const char	*name;
	const char	*script;
} pd_steps[PD_STEP_COUNT] = {
	[PD_DENY_ADD] =		{ "mailcon-deny-add", deny_add },
	[PD_DENY_DEL] =		{ "mailcon-deny-del", deny_del },
	[PD_MAP_ADD] =		{ "mailcon-map-add", map_add },
	[PD_MAP_DEL] =		{ "mailcon-map-del", map_del },
	[PD_CHECK] =		{ "mailcon-check", check },
	[PD_PASSWD_SET] =	{ "mailcon-passwd-set", passwd_set },
	[PD_PASSWD_CHECK] =	{ "mailcon-passwd-check", passwd_check },
};

const char *
pd_script(enum pd_step step)
{
	return step < PD_STEP_COUNT ? pd_steps[step].script : NULL;
}

const char *
pd_step_name(enum pd_step step)
{
	return step < PD_STEP_COUNT ? pd_steps[step].name : NULL;
}
