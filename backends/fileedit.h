/*
 * fileedit.h: the /bin/sh prelude of every backend script that edits a
 * file of the mail system's (a deny list, an access map, a passwd-file):
 * atomic, serialised, and refusing what it must not touch.  The scripts
 * are string literals built from these macros (backends/dovecot/scripts.c,
 * backends/postfix/scripts.c); they run under POSIX sh (dash), coreutils,
 * awk and flock(1) (util-linux).
 *
 * Files are edited atomically: a temporary file beside the original (cp -p
 * keeps owner and mode), then rename.  A file with no write bit for anyone
 * is taken as the site's "do not touch" and refused, even for root.
 *
 * Every edit is serialised with every other mailcon's, here or over SSH:
 * the script holds FILE.mailcon.lock (flock(1)) from before it reads FILE
 * until it exits, so the copy, the edit, the rename (and a map's rebuild)
 * of two runs never interleave.  It waits at most lock_wait seconds,
 * which the runner sets on a line before the script ("lock_wait=N";
 * default 20), then fails with "busy: another mailcon is changing FILE
 * (pid P on HOST, for N s)".  The lock file stays, with a note of its
 * holder ("PID HOST", written when taken: the lock file's ctime is its
 * time, so no date program runs; "PID TIME HOST" as earlier versions
 * wrote it is read too) while held: a note found by the next holder was
 * left by one killed mid-edit, which it reports (its pid and age) and
 * whose temporary files it removes.  A lock that cannot be made (a
 * read-only directory) is refused, nothing changed.  A program that edits
 * FILE without the lock is noticed (inode, size, times and checksum before
 * and after): the edit is made again from the new content, never renamed
 * over it.  After the rename, FILE must hold the change.  Such notices
 * reach stderr as "note: ..." lines of a step that succeeds; a failure is
 * one line, exit 3.
 *
 * A script using FE_PRELUDE defines holds FILE (does FILE hold the change
 * already?) and edit_into FILE TMP (write FILE with the change into TMP),
 * may redefine finish TMP FILE (put TMP in place), sets id=$(ident FILE)
 * under the lock and calls edit_file FILE.
 */
#ifndef MAILCON_FILEEDIT_H
#define MAILCON_FILEEDIT_H

/* How long a step waits for another mailcon's lock, unless told. */
#define FE_LOCK_WAIT	"20"

/* The locked edit of $f, once holds and edit_into are defined. */
#define FE_EDIT_F \
	"lock \"$f\"\n" \
	"id=$(ident \"$f\")\n" \
	"edit_file \"$f\"\n"

/* holds and edit_into of a file that gets the line $a at its end. */
#define FE_APPEND_A \
	"holds() { has \"$1\"; }\n" \
	/* awk 1 ends the last line with a newline if the file did not */ \
	"edit_into() {\n" \
	"  awk 1 \"$1\" >\"$2\" || die \"cannot write beside $1\"\n" \
	"  printf '%s\\n' \"$a\" >>\"$2\" || die \"cannot write beside $1\"\n" \
	"}\n"

/* Shared by every script: strict mode and the refusal of read-only files. */
#define FE_BASE \
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
 * script (backend_step_argv() does).
 */
#define FE_PRELUDE FE_BASE \
	"case ${lock_wait:-} in\n" \
	"''|*[!0-9]*) lock_wait=" FE_LOCK_WAIT " ;;\n" \
	"esac\n" \
	"L= t= b=\n" \
	"note() { printf 'note: %s\\n' \"$*\" >&2; }\n" \
	/* this host's name (uname -n) without a program: the kernel's \
	   own, for the lock's note */ \
	"host() {\n" \
	"  hn=\n" \
	"  read -r hn 2>/dev/null </proc/sys/kernel/hostname || :\n" \
	"  [ -n \"$hn\" ] || hn=$(uname -n)\n" \
	"}\n" \
	/* temporary files go (and a map built from one), and the lock's \
	   note of its holder */ \
	"cleanup() {\n" \
	"  [ -z \"$t$b\" ] || rm -f -- ${t:+\"$t\"} ${t:+\"$t.db\"} ${b:+\"$b\"}\n" \
	"  [ -z \"$L\" ] || { : >\"$L\"; } 2>/dev/null || :\n" \
	"}\n" \
	"trap cleanup EXIT\n" \
	"trap 'exit 129' HUP\n" \
	"trap 'exit 130' INT\n" \
	"trap 'exit 143' TERM\n" \
	/* \
	 * A lock's note, "PID HOST" (its age: the lock file's ctime, as \
	 * the note was written), or "PID TIME HOST" as mailcon wrote it \
	 * before: hp, hh and its age ha in seconds, or 1 when unreadable. \
	 * Only after a wait or a takeover: date and stat are no cost of \
	 * an edit's. \
	 */ \
	"note_of() {\n" \
	"  hp= ht= hh= hx=\n" \
	"  read -r hp hh hx <\"$1\" 2>/dev/null || return 1\n" \
	"  case $hp in ''|*[!0-9]*) return 1 ;; esac\n" \
	"  case $hh in ''|*[!0-9]*) ;; *) [ -z \"$hx\" ] || { ht=$hh; hh=$hx; } ;; esac\n" \
	"  [ -n \"$hh\" ] || return 1\n" \
	"  [ -n \"$ht\" ] || ht=$(stat -c %Z -- \"$1\" 2>/dev/null) || return 1\n" \
	"  ha=$(($(date +%s) - ht))\n" \
	"}\n" \
	/* who holds a lock, from its note: " (pid P on HOST, for N s)" */ \
	"holder() {\n" \
	"  note_of \"$1\" || return 0\n" \
	"  printf ' (pid %s on %s, for %s s)' \"$hp\" \"$hh\" \"$ha\"\n" \
	"}\n" \
	/* \
	 * A note left in the lock we just took: its holder never cleared \
	 * it, so it was killed while changing the file.  Say so by its pid \
	 * and age, and remove its temporary files. \
	 */ \
	"stale() {\n" \
	"  read -r op 2>/dev/null <\"$2\" || return 0\n" \
	"  if ! note_of \"$2\"; then\n" \
	"    note \"took over the lock of $1 (its note was unreadable)\"\n" \
	"    return 0\n" \
	"  fi\n" \
	"  host\n" \
	"  if [ \"$hh\" != \"$hn\" ]; then st=\"on $hh\"\n" \
	"  elif kill -0 \"$hp\" 2>/dev/null; then\n" \
	"    st=\"running, not holding it\"\n" \
	"  else st=\"no longer running\"; rm -f -- \"$1.mailcon.$hp.\"*; fi\n" \
	"  note \"took over a stale lock of $1: pid $hp ($st) took it" \
	    " $ha s ago and was stopped before it let go\"\n" \
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
	/* made by the shell (touch and dirname: two programs) */ \
	"  if [ ! -e \"$l\" ] && ! e=$({ : >>\"$l\"; } 2>&1); then\n" \
	"    case $1 in */*) d=${1%/*}; d=${d:-/} ;; *) d=. ;; esac\n" \
	"    die \"cannot lock $1: cannot create $l (${e##*: }): mailcon" \
	    " needs to write in $d: not changed\"\n" \
	"  fi\n" \
	"  { command exec 9>>\"$l\"; } 2>/dev/null ||\n" \
	"    { command exec 9<\"$l\"; } 2>/dev/null ||\n" \
	"    die \"cannot lock $1: cannot open $l: not changed\"\n" \
	"  flock -w \"$lock_wait\" 9 ||\n" \
	"    die \"busy: another mailcon is changing $1$(holder \"$l\");" \
	    " waited $lock_wait s: not changed, try again\"\n" \
	"  L=$l\n" \
	"  stale \"$1\" \"$l\"\n" \
	"  host\n" \
	/* no date: the note's time is the lock file's ctime */ \
	"  { printf '%s %s\\n' $$ \"$hn\" >\"$l\"; } 2>/dev/null || :\n" \
	"}\n" \
	/* what tells a file was changed: inode, size, times, content */ \
	"ident() {\n" \
	"  stat -c '%d %i %s %y %z' -- \"$1\" && cksum <\"$1\"\n" \
	"}\n" \
	/* \
	 * Made new (noclobber: O_EXCL, never through a name that is there \
	 * already) under a name of this pid's, which stale() removes for \
	 * a holder killed mid-edit: one program less than mktemp; mktemp \
	 * when that name is taken. \
	 */ \
	"tmp_beside() {\n" \
	"  t=$1.mailcon.$$.new\n" \
	"  set -C\n" \
	"  if ! { true >\"$t\"; } 2>/dev/null; then\n" \
	"    set +C\n" \
	"    t=$(mktemp \"$1.mailcon.$$.XXXXXX\") ||" \
	    " die \"cannot create a file beside $1\"\n" \
	"  fi\n" \
	"  set +C\n" \
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
	 * renamed over that program's work.  A second argument "no": the \
	 * caller found FILE without the change since it took $id, so it \
	 * is not asked again (one awk less; a change since is caught by \
	 * $id all the same). \
	 */ \
	"edit_file() {\n" \
	"  n=0 k=${2:-}\n" \
	"  while [ \"$k\" = no ] || ! holds \"$1\"; do\n" \
	"    k=\n" \
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

#endif
