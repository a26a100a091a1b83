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
 * as "LOGIN REJECT ...", and postmap changes that one entry of the map's
 * .db in place (the action's check reads the map back); smtpd notices a
 * changed hash map by itself, so Postfix is never reloaded (a session
 * that looked in the table before keeps what it read until it ends).
 */
#include <stddef.h>

#include "postfix.h"
#include "backends/backend.h"
#include "backends/fileedit.h"

/*
 * Rewrite the map's source without the account's line (plus a new one
 * for a suspension) and change the account's entry in its .db, in this
 * order under the map's lock:
 *
 *  1. one stat of the map and the lock file: its write bits (none: the
 *     site's "do not touch", refused), owner, mode and identity;
 *  2. one awk writes the edited copy beside it and says whether the map
 *     held the change already (then postmap -q says whether its .db
 *     does too: nothing to do);
 *  3. postmap -i -r (the refusal) or postmap -d (the entry out) changes
 *     that one entry of MAP.db in place, under postmap's own lock, the
 *     source untouched yet: a postmap that fails changes nothing;
 *  4. one stat: the map's identity as in 1, else another program changed
 *     it without the lock and the edit is made again from its content;
 *  5. the copy renamed over MAP.
 *
 * No rebuild (postmap of the whole map: its time grows with the map),
 * no copy kept to put back.  The .db is changed in place, as postmap
 * rebuilds it (the same inode): an smtpd that has not looked in it yet
 * reads the new entry, even in a session open before; one that has
 * keeps what it read until its session ends (the session step ends
 * those), and before its next connection sees the change: pre_accept()
 * in smtpd.c calls dict_changed_name() (src/util/dict.c), which fstat()s
 * each open table and reports it changed when "st.st_mtime !=
 * dict->mtime || st.st_nlink == 0".  A map whose .db is missing (never
 * built) is built whole after the rename, as before.  Entries of the
 * source that an admin changed without postmap stay out of the .db, as
 * he left them.  What the map says is read back by the action's check
 * (map_check: postmap -q), not here.
 *
 * The identity is the device, inode, size, mtime and ctime, and a
 * checksum only when the map's ctime is not older, in whole seconds,
 * than the lock's note (written just before the stat): any write after
 * the stat sets a ctime at least the note's second, so it differs from
 * an older one whatever the clock's grain; a map changed in the note's
 * own second may change again in the same clock tick, to the same size
 * in place, which only its content tells (cksum: one program, only
 * then).  A clock set back while the map is edited defeats the times;
 * the lock, not this check, is what serialises mailcon's own edits.
 *
 * add: 1 to add the refusal line; lines: how many lines of the
 * account's when the source holds the change; want: what postmap -q
 * finds then ("REJECT", or "" when none).
 */
#define PF_MAP_EDIT(add, lines, want) \
	"a=$1 f=$2; shift 2\n" \
	"need_file \"$f\"\n" \
	"lock \"$f\"\n" \
	/* fm fu fg fc: the map's mode, owner, group, ctime (s); fid: its \
	   identity; the second file's the same (tm ...) */ \
	"look() {\n" \
	"  s=$(stat -c '%a %u %g %Z %d %i %s %y %z' -- \"$@\") ||\n" \
	"    die \"cannot stat $1\"\n" \
	"  { read -r fm fu fg fc fid; read -r tm tu tg tc tx; } <<EOF\n" \
	"$s\n" \
	"EOF\n" \
	"}\n" \
	/* the map changed in the lock's second: its content too */ \
	"sum() {\n" \
	"  [ \"$fc\" -lt \"$lc\" ] || fid=\"$fid $(cksum <\"$f\")\"\n" \
	"}\n" \
	/* with the lock file, whose ctime is its note's (lock()) */ \
	"look \"$f\" \"$L\"\n" \
	"lc=$tc\n" \
	"sum\n" \
	/* a write bit in the last three digits of its mode */ \
	"w=00$fm\n" \
	"w=${w#\"${w%???}\"}\n" \
	"case $w in *[2367]*) ;; *) die \"$f is read-only (no write bit):" \
	    " not changed\" ;; esac\n" \
	"id=$fid\n" \
	/* our effective ids, for a copy made by this shell */ \
	"eu= eg=\n" \
	"while read -r k x y z; do\n" \
	"  case $k in Uid:) eu=$y ;; Gid:) eg=$y; break ;; esac\n" \
	"done 2>/dev/null </proc/self/status || :\n" \
	/* \
	 * The copy keeps the map's owner and mode: made by this shell \
	 * (O_EXCL) under a umask of the map's mode when the map is ours \
	 * and has no execute or special bit, else cp -p. \
	 */ \
	"cpy=\n" \
	"beside() {\n" \
	"  t=$f.mailcon.$$.new\n" \
	"  if [ -z \"$cpy\" ] && [ \"$fu $fg\" = \"$eu $eg\" ] &&\n" \
	"      [ \"$w\" = \"$fm\" ]; then\n" \
	"    case $w in *[1357]*) cpy=1 ;; esac\n" \
	"  else cpy=1; fi\n" \
	"  if [ -z \"$cpy\" ]; then\n" \
	"    u=${w%??} g=${w#?} o=${w#??}; g=${g%?}\n" \
	"    umask \"$((7 - u))$((7 - g))$((7 - o))\"\n" \
	"  fi\n" \
	"  set -C\n" \
	"  if ! { : >\"$t\"; } 2>/dev/null; then\n" \
	"    set +C\n" \
	"    t=$(mktemp \"$f.mailcon.$$.XXXXXX\") ||" \
	    " die \"cannot create a file beside $f\"\n" \
	"    cpy=1\n" \
	"  fi\n" \
	"  set +C\n" \
	"  [ -z \"$cpy\" ] || cp -p -- \"$f\" \"$t\" || die \"cannot copy $f\"\n" \
	"}\n" \
	"said() {\n" \
	"  r=$(\"$@\" -q \"$a\" \"hash:$f\" 2>/dev/null) || r=\n" \
	"  case $r in REJECT*|reject*) r=REJECT ;; '') ;; *) r=other ;; esac\n" \
	"}\n" \
	/* its entry in the .db, in place: the refusal, or out when there */ \
	"entry() {\n" \
	"  if [ \"" add "\" = 1 ]; then\n" \
	"    printf '%s\\tREJECT 5.7.1 account suspended by mailcon\\n' \"$a\" |\n" \
	"      \"$@\" -i -r \"hash:$f\" || die \"postmap failed: $f not changed\"\n" \
	"  elif [ -n \"$r\" ]; then\n" \
	"    \"$@\" -d \"$a\" \"hash:$f\" || die \"postmap failed: $f not changed\"\n" \
	"    r=\n" \
	"  fi\n" \
	"}\n" \
	"db=1\n" \
	"[ -e \"$f.db\" ] || db=\n" \
	/* what the .db says: only when the source holds it, or for an \
	   entry to take out (postmap -d cannot tell absent from failed) */ \
	"r=-\n" \
	"n=0\n" \
	"while :; do\n" \
	"  beside\n" \
	/* the map less the account's lines (plus the refusal), into the \
	   copy; exit 1: it held the change already */ \
	"  h=0\n" \
	"  A=$a awk -v add=" add " -v lines=" lines " '\n" \
	"    { k = $1 }\n" \
	"    tolower(k) == tolower(ENVIRON[\"A\"]) {\n" \
	"      n++; if (tolower($2) ~ /^reject/) r++; next }\n" \
	"    { print }\n" \
	"    END { if (add) printf \"%s\\tREJECT 5.7.1 account suspended" \
	    " by mailcon\\n\", ENVIRON[\"A\"]\n" \
	"      exit n == lines && r == n }' \"$f\" >\"$t\" || h=$?\n" \
	"  case $h in 0) ;; 1) ;; *) die \"cannot write beside $f\" ;; esac\n" \
	"  if [ -n \"$db\" ] && [ \"$r\" = - ]; then\n" \
	"    if [ \"$h\" = 1 ] || [ \"" add "\" = 0 ]; then said \"$@\"; fi\n" \
	"    [ \"$h\" != 1 ] || [ \"$r\" != \"" want "\" ] || exit 0\n" \
	"  fi\n" \
	"  [ -z \"$db\" ] || entry \"$@\"\n" \
	"  look \"$f\" \"$t\"\n" \
	"  sum\n" \
	"  if [ \"$fid\" = \"$id\" ]; then\n" \
	"    if [ -z \"$cpy\" ] && [ \"$tm $tu $tg\" != \"$fm $fu $fg\" ]; then\n" \
	/* not as asked (a default ACL): copied instead */ \
	"      rm -f -- \"$t\"\n" \
	"      cpy=1\n" \
	"      continue\n" \
	"    fi\n" \
	"    mv -f -- \"$t\" \"$f\" ||\n" \
	"      die \"cannot rename $t to $f: $f not changed${db:+ (its .db" \
	    " is)}\"\n" \
	"    t=\n" \
	/* never built: built whole, from the source as it is now */ \
	"    [ -n \"$db\" ] || \"$@\" \"hash:$f\" ||\n" \
	"      die \"postmap failed: $f changed, $f.db not built\"\n" \
	"    exit 0\n" \
	"  fi\n" \
	"  n=$((n + 1))\n" \
	"  [ \"$n\" -lt 3 ] || die \"$f keeps changing while mailcon holds" \
	    " its lock (another program edits it without the lock):" \
	    " not changed${db:+ (its entry in $f.db is)}, try again\"\n" \
	"  note \"$f was changed by another program while mailcon held its" \
	    " lock: edited again from its new content\"\n" \
	"  rm -f -- \"$t\"\n" \
	"  id=$fid\n" \
	"done\n"

static const char map_add[] = FE_PRELUDE PF_MAP_EDIT("1", "1", "REJECT");

static const char map_del[] = FE_PRELUDE PF_MAP_EDIT("0", "0", "");

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

/*
 * End the account's open sessions (backend.h, sessions_end): a session
 * already open keeps the map it started with, so its smtpd would go on
 * taking the hijacker's mail.  The pids come from the log's headers, which
 * any local user can forge (logger -t 'postfix/smtpd[1]'): a pid is acted
 * on only when its executable is this instance's daemon_directory/smtpd
 * and its parent is the master whose pid this instance's
 * queue_directory/pid/master.pid holds, itself running
 * daemon_directory/master.  A pid that exited or was reused since is
 * skipped by the same checks.  A session that has not logged a message
 * yet has no such line: the second argument, the addresses the account's
 * logins came from lately (Dovecot's auth lines, at the login), names the
 * processes with a client connection from one of them, and those that
 * pass the same checks are ended too (not counted as left alone when
 * they do not: they were never the log's).  The two directories are the
 * server's postfix_queue_directory and postfix_daemon_directory when set
 * (the checks above stay: a wrong one finds no master and ends nothing),
 * else postconf's.
 *
 * The session is ended by cutting its client connection (ss -K: the
 * established TCP sockets of that smtpd on a port it listens on), not by
 * killing the process: smtpd then logs "lost connection", drops what it
 * had not finished receiving and serves the next client.  An smtpd with
 * no client connection in ss's list has ended that session already (its
 * "disconnect from" not read yet): left alone.  A SIGTERM is the
 * fallback (no ss, or a kernel without sock_destroy): the master
 * counts an smtpd killed in its first session as "bad command startup"
 * and spawns no new smtpd for service_throttle_time (60 s), so new
 * clients wait when no idle one is left (master_spawn.c,
 * master_reap_child: use_count == 0).  "killed" counts those.
 */
static const char sessions_end[] = FE_BASE
	"p=$1 ad=$2 qd=$3 dd=$4; shift 4\n"
	/* the directories as configured: no postconf (50-110 ms under
	   load, while the tail's mail goes on); else Postfix's own word */
	"w=\" (postfix_queue_directory, postfix_daemon_directory)\"\n"
	"if [ -z \"$qd\" ] || [ -z \"$dd\" ]; then\n"
	"  d=$(\"$@\" -h queue_directory daemon_directory) ||\n"
	"    die \"postconf -h queue_directory daemon_directory failed\"\n"
	"  { read -r q2; read -r d2; } <<EOF\n"
	"$d\n"
	"EOF\n"
	"  qd=${qd:-$q2} dd=${dd:-$d2} w=\n"
	"fi\n"
	/* the pid, right-aligned in the file: read, not a program */
	"m=\n"
	"read -r m 2>/dev/null <\"$qd/pid/master.pid\" || :\n"
	"case $m in ''|*[!0-9]*) m= ;; esac\n"
	"[ -n \"$m\" ] && [ /proc/$m/exe -ef \"$dd/master\" ] ||\n"
	"  die \"no Postfix master running for $qd (pid/master.pid) from" \
	    " $dd/master$w\"\n"
	/* an smtpd of this master: the ppid is the word after the state,
	   after the last ") " (the name before it is the process's own
	   choice) */
	"mine() {\n"
	"  st=\n"
	"  read -r st 2>/dev/null <\"/proc/$1/stat\" || st=\n"
	"  pp=${st##*) }; pp=${pp#* }; pp=${pp%% *}\n"
	"  [ \"$pp\" = \"$m\" ] && [ /proc/$1/exe -ef \"$dd/smtpd\" ]\n"
	"}\n"
	"ok= s=0 n=0 k=0\n"
	"for i in $p; do\n"
	"  if mine \"$i\"; then ok=\"$ok $i\"; else s=$((s + 1)); fi\n"
	"done\n"
	/* the processes that may serve a session from its login addresses
	   (sessions that logged no message yet): every smtpd child of this
	   master, checked as the log's pids are; the kernel's list of its
	   children (pgrep reads every process: 25-60 ms here at load 5) */
	"cand=$ok\n"
	"if [ -n \"$ad\" ]; then\n"
	"  ch=/proc/$m/task/$m/children kids=\n"
	"  if [ -r \"$ch\" ]; then read -r kids <\"$ch\" || :\n"
	"  else kids=$(pgrep -P \"$m\" 2>/dev/null) || :; fi\n"
	"  for i in $kids; do\n"
	"    case \" $cand \" in *\" $i \"*) continue ;; esac\n"
	"    if mine \"$i\"; then cand=\"$cand $i\"; fi\n"
	"  done\n"
	"fi\n"
	/*
	 * Their client connections, "PID LOCAL PEER": established, on a
	 * port the same smtpd listens on (not its own connections to a
	 * policy service or a proxy), of a pid of the log's, or from one of
	 * the addresses.  Which process holds a socket: its inode among the
	 * candidates' fds (ss -p would read every process's fds: four
	 * times slower here).  Only the states the awk reads: a hijack
	 * that connects anew every few messages leaves hundreds of
	 * TIME-WAIT sockets, which ss would print and the awk skip (40 ms
	 * of the pass under load).  One ss, one find, one awk for all (each
	 * program more is 5-15 ms under load: the tail's mail goes on
	 * meanwhile).
	 */
	"c= f= cp= sk= fd= cs=\n"
	"for i in $cand; do fd=\"$fd /proc/$i/fd\"; done\n"
	"if [ -n \"$cand\" ] &&\n"
	"    sk=$(ss -Htane state established state listening 2>/dev/null) &&\n"
	"    [ -n \"$sk\" ]; then\n"
	"  so=$(find $fd -mindepth 1 -maxdepth 1 -lname 'socket:*'" \
	    " -printf '%h %l\\n' 2>/dev/null) || :\n"
	"  c=$(printf '%s\\n' \"$sk\" | OK=\"$ok\" AD=\"$ad\" SO=\"$so\" awk '\n"
	"    BEGIN { n = split(ENVIRON[\"OK\"], a, \" \")\n"
	"      for (j = 1; j <= n; j++) fromlog[a[j]] = 1\n"
	"      n = split(ENVIRON[\"AD\"], a, \" \")\n"
	"      for (j = 1; j <= n; j++) want[a[j]] = 1\n"
	/* "/proc/PID/fd socket:[INODE]": PID and INODE */
	"      n = split(ENVIRON[\"SO\"], a, \"\\n\")\n"
	"      for (j = 1; j <= n; j++) {\n"
	"        if (a[j] !~ /^\\/proc\\/[0-9]+\\/fd socket:\\[[0-9]+\\]$/) continue\n"
	"        split(a[j], w, /[\\/\\[\\]]/)\n"
	"        owner[w[5]] = owner[w[5]] \" \" w[3] } }\n"
	"    match($0, / ino:[0-9]+/) {\n"
	"      ino = substr($0, RSTART + 5, RLENGTH - 5)\n"
	"      if (!(ino in owner)) next\n"
	"      st = $1; l = $4; r = $5; x = split(l, h, \":\"); pt = h[x]\n"
	"      peer = r; sub(/:[0-9]+$/, \"\", peer)\n"
	"      gsub(/^\\[|\\]$/, \"\", peer); sub(/^::ffff:/, \"\", peer)\n"
	"      np = split(owner[ino], ps, \" \")\n"
	"      for (q = 1; q <= np; q++) {\n"
	"        pid = ps[q]\n"
	"        if (st == \"LISTEN\") lp[pid \" \" pt] = 1\n"
	"        else if (st == \"ESTAB\" && (pid in fromlog || peer in want)) {\n"
	"          e[++ne] = pid \" \" l \" \" r; ek[ne] = pid \" \" pt } } }\n"
	"    END { for (j = 1; j <= ne; j++) if (ek[j] in lp) print e[j] }')\n"
	"fi\n"
	/* a process found by its client's address is ended as the log's;
	   cs: the pids with a client connection; one ss -K cuts them all,
	   and which pids it cut (cp) comes from what it printed (the
	   sockets it destroyed) */
	"if [ -n \"$c\" ]; then\n"
	"  while read -r i l r; do\n"
	"    case \" $ok \" in *\" $i \"*) ;; *) ok=\"$ok $i\" ;; esac\n"
	"    case \"$cs \" in *\" $i \"*) ;; *) cs=\"$cs $i\" ;; esac\n"
	"    f=\"$f${f:+ or }( src $l and dst $r )\"\n"
	"  done <<EOF\n"
	"$c\n"
	"EOF\n"
	"  o=$(ss -K -Htn state established \"$f\" 2>/dev/null) || o=\n"
	/* "|LOCAL PEER|" of each socket it destroyed (the last two of at
	   least four words), by the shell: an awk is 5-15 ms under load */
	"  set -f\n"
	"  cut='|'\n"
	"  while read -r sl; do\n"
	"    nw=0 p1= p2=\n"
	"    for x in $sl; do nw=$((nw + 1)); p2=$p1; p1=$x; done\n"
	"    [ \"$nw\" -lt 4 ] || cut=\"$cut$p2 $p1|\"\n"
	"  done <<EOF\n"
	"$o\n"
	"EOF\n"
	"  set +f\n"
	"  while read -r i l r; do\n"
	"    case $cut in *\"|$l $r|\"*)\n"
	"      case \" $cp\" in *\" $i \"*) ;; *) cp=\"$cp$i \" ;; esac ;;\n"
	"    esac\n"
	"  done <<EOF\n"
	"$c\n"
	"EOF\n"
	"fi\n"
	/* cut: ended; no client connection in what ss listed: its session
	   is over already (the log's "disconnect from" not read yet); no
	   ss, or a connection ss -K could not cut: the signal */
	"cs=\"$cs \"\n"
	"for i in $ok; do\n"
	"  case \" $cp \" in *\" $i \"*) n=$((n + 1)); continue ;; esac\n"
	"  if [ -n \"$sk\" ]; then\n"
	"    case \"$cs\" in *\" $i \"*) ;; *) s=$((s + 1)); continue ;; esac\n"
	"  fi\n"
	"  if kill -TERM \"$i\" 2>/dev/null; then n=$((n + 1)) k=$((k + 1))\n"
	"  else s=$((s + 1)); fi\n"
	"done\n"
	"echo \"ended=$n skipped=$s killed=$k\"\n";

static const char *const sessions_end_args[] = { "%{pids}", "%{addrs}",
	"%{postfix_queue_directory?}", "%{postfix_daemon_directory?}",
	PF_TOOL("postconf"), NULL };

static const struct backend_step pf_sessions_end = {
	.name = "mailcon-smtpd-end",
	.script = sessions_end,
	.args = sessions_end_args,
	.what = "end its open SMTP sessions (cut the connections of its "
	    "smtpd processes, checked against /proc)",
};

/* See postfix.h. */
const struct backend_accounts postfix_accounts = {
	.refuse_add = &pf_map_add,
	.refuse_del = &pf_map_del,
	.sessions_end = &pf_sessions_end,
	.check = &pf_check,
};
