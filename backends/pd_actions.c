/*
 * pd_actions.c: the scripts behind Postfix + Dovecot suspend, unsuspend
 * and password reset; see pd_actions.h.  POSIX sh (dash), coreutils, awk.
 */
#include <stddef.h>

#include "pd_actions.h"

/* Shared by every script: strict mode, and the refusal of read-only files. */
#define PD_PRELUDE \
	"set -eu\n" \
	"die() { printf '%s\\n' \"$*\" >&2; exit 3; }\n" \
	"need_file() {\n" \
	"  [ -f \"$1\" ] || die \"$1: no such file\"\n" \
	"}\n" \
	"need_writable() {\n" \
	"  need_file \"$1\"\n" \
	"  [ -n \"$(find \"$1\" -prune -perm /222)\" ] ||\n" \
	"    die \"$1 is read-only (no write bit): not changed\"\n" \
	"}\n" \
	/* a temporary copy beside the file keeps owner and mode */ \
	"tmp_beside() {\n" \
	"  t=$(mktemp \"$1.mailcon.XXXXXX\") || die \"cannot create a file beside $1\"\n" \
	"  trap 'rm -f \"$t\"' EXIT\n" \
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
	"}\n"

static const char deny_add[] = PD_PRELUDE
	"a=$1 f=$2 pw=$3\n"
	"need_writable \"$f\"\n"
	"if [ -n \"$pw\" ]; then\n"
	"  need_file \"$pw\"\n"
	"  A=$a awk -F: '$1 == ENVIRON[\"A\"] { n++ } END { exit !n }' \"$pw\" ||\n"
	"    die \"no account $a in $pw\"\n"
	"fi\n"
	"grep -qxF -- \"$a\" \"$f\" && exit 0\n"
	"tmp_beside \"$f\"\n"
	/* awk 1 ends the last line with a newline if the file did not */
	"awk 1 \"$f\" >\"$t\"\n"
	"printf '%s\\n' \"$a\" >>\"$t\"\n"
	"replace \"$t\" \"$f\"\n"
	"trap - EXIT\n";

static const char deny_del[] = PD_PRELUDE
	"a=$1 f=$2\n"
	"need_writable \"$f\"\n"
	"grep -qxF -- \"$a\" \"$f\" || exit 0\n"
	"tmp_beside \"$f\"\n"
	"grep -vxF -- \"$a\" \"$f\" >\"$t\" || [ $? -eq 1 ]\n"
	"replace \"$t\" \"$f\"\n"
	"trap - EXIT\n";

/* Rewrite the map without the account's line (plus a new one), rebuild. */
#define PD_MAP_EDIT(add) \
	"a=$1 f=$2; shift 2\n" \
	"need_writable \"$f\"\n" \
	"tmp_beside \"$f\"\n" \
	"b=$(mktemp \"$f.mailcon.XXXXXX\") || die \"cannot create a file beside $f\"\n" \
	"trap 'rm -f \"$t\" \"$b\"' EXIT\n" \
	"cp -p -- \"$f\" \"$b\"\n" \
	"A=$a awk '{ k = $1 } tolower(k) != tolower(ENVIRON[\"A\"]) { print }' \"$f\" >\"$t\"\n" \
	add \
	"mv -f -- \"$t\" \"$f\"\n" \
	"if ! \"$@\" \"hash:$f\"; then\n" \
	"  mv -f -- \"$b\" \"$f\"\n" \
	"  die \"postmap failed; $f put back as it was\"\n" \
	"fi\n" \
	"rm -f \"$b\"\n" \
	"trap - EXIT\n"

static const char map_add[] = PD_PRELUDE PD_MAP_EDIT(
	"printf '%s\\tREJECT 5.7.1 account suspended by mailcon\\n' \"$a\" >>\"$t\"\n");

static const char map_del[] = PD_PRELUDE PD_MAP_EDIT("");

static const char check[] = PD_PRELUDE
	"a=$1 f=$2 m=$3; shift 3\n"
	"need_file \"$f\"\n"
	"d=0; grep -qxF -- \"$a\" \"$f\" && d=1\n"
	"r=$(\"$@\" -q \"$a\" \"hash:$m\") || r=\n"
	"case $r in REJECT*|reject*) r=1 ;; *) r=0 ;; esac\n"
	"printf 'deny=%s map=%s\\n' \"$d\" \"$r\"\n";

static const char passwd_set[] = PD_PRELUDE
	"a=$1 f=$2 s=$3; shift 3\n"
	"IFS= read -r pw || die \"no password on stdin\"\n"
	"need_writable \"$f\"\n"
	"A=$a awk -F: '$1 == ENVIRON[\"A\"] { n++ } END { exit n != 1 }' \"$f\" ||\n"
	"  die \"no account $a in $f (or more than one line for it)\"\n"
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
	"tmp_beside \"$f\"\n"
	"A=$a H=$h awk 'BEGIN { FS = OFS = \":\" }\n"
	"  $1 == ENVIRON[\"A\"] { $2 = ENVIRON[\"H\"] } { print }' \"$f\" >\"$t\"\n"
	"replace \"$t\" \"$f\"\n"
	"trap - EXIT\n";

static const char passwd_check[] = PD_PRELUDE
	"a=$1 f=$2; shift 2\n"
	"IFS= read -r pw || die \"no password on stdin\"\n"
	"need_file \"$f\"\n"
	"h=$(A=$a awk -F: '$1 == ENVIRON[\"A\"] { print $2; exit }' \"$f\")\n"
	"[ -n \"$h\" ] || die \"no account $a in $f\"\n"
	"printf '%s\\n' \"$pw\" | \"$@\" pw -t \"$h\" >/dev/null 2>&1 ||\n"
	"  die \"the password in $f does not match the new one\"\n";

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
