/*
 * spool.c: an account's queued mail read from Exim's own record of it
 * (backend.h, struct backend_queue's select and still), one process, here
 * or over SSH, instead of exipick's listing of the whole queue.
 *
 * Each message's -H file in the spool's input/ directory (input/X/ when
 * split_spool_directory is set; X is the id's sixth character) begins,
 * as spool_write_header() writes it (Exim 4.96, spool_out.c):
 *
 *	ID-H
 *	LOGIN UID GID
 *	<SENDER>
 *	TIME WARNINGS
 *	-flag VALUE, or --flag VALUE when Exim took VALUE from a client
 *	    ("--auth_id judy@example.test", "--helo_name ..."), one a line,
 *	    but for the ACL variables: "-aclm NAME LENGTH" (or "--aclm") and
 *	    then LENGTH bytes of value, newlines and all, and a newline
 *	-frozen TIME when frozen
 *	the non-recipients, the recipients, a blank line, the headers
 *
 * The login a client proved is -auth_id; a hijacker can forge the sender
 * but not that.  The flags end at the first line that does not start
 * with '-'; an ACL variable's value (which a client may fill, and which
 * may hold "\n--auth_id victim") is stepped over by its length, never
 * read as flags; an -auth_id that comes twice with two values names
 * nobody.  A file whose first line is not its own name is not a message.
 *
 * select prints, in exipick -bpr --show-vars' form (queue.c reads it),
 * every message whose login is the account (ASCII case folded, as the
 * console's hash does) and every message that has no login (the sender
 * and the log decide those), never one of another login:
 *
 *	 0m 0 ID <> *** frozen ***
 *	          authenticated_id = 'judy@example.test'
 *	<blank>
 *
 * with "<>" for the sender of a message with a login (its login
 * decides) and the sender line as Exim wrote it for one without.  Age
 * and size are not read (the id holds the arrival time).  still reads ids
 * on stdin, one a line, and prints each that still has a -H file, the
 * same way: the check after hold, release and purge, without listing
 * the queue again (the -H files there are listed once, and only the
 * chosen ones among them are read).  Both need to read the spool: root or Exim's user.
 *
 * select reads with two awks at once: the first hands every second -H
 * file it is listed to a second (a pipe to it; the program comes in
 * $P), so that two cores share the read, the larger part of a purge's
 * time beside exim -Mrm (20,000 files: 0.4 s of the first's CPU time).
 * The second prints its records itself as it goes; the first keeps its
 * own until the second has ended (closing the pipe waits for it), so
 * that no record is cut by the other's.  The second exits 4 when it
 * opened none of its files: "none could be read" is said of the two
 * together, as one reader said it before.
 *
 * take (struct backend_queue's take: modes take-Mf, take-Mt, take-Mrm)
 * is select with one reader that gives each message of the account's
 * login, as it reads it (for -Mf one not frozen, for -Mt one frozen), to
 * one of two xargs of exim with that word (every second id to each, an
 * awk pipe apiece, EXIM_TAKE_BATCH ids an exim: the first starts once
 * that many are read, so that exim removes while the spool is read); a
 * message of no login is never given (the console decides those).  Each
 * exim's lines pass through an awk that writes them whole, on stdout;
 * once both xargs have ended (closing a pipe waits for it) the reader
 * prints TAKE_RECORDS and then its records, which it kept: nothing else
 * writes then.  An xargs that fails (not 0, nor 123: some not done, each
 * said) makes the script exit 3, after the records.
 */
#include <stddef.h>

#include "exim.h"
#include "backends/backend.h"

/*
 * $1 select or still, $2 the account, $3 the spool (empty: Exim says),
 * $4 the configuration (empty: Exim's own), then exim's words.  POSIX sh
 * and awk (mawk, gawk, BSD awk: no regex intervals); LC_ALL=C so that
 * lengths are bytes.
 */
static const char spool_script[] =
	"die() { printf '%s: %s\\n' \"$0\" \"$*\" >&2; exit 3; }\n"
	"mode=$1 a=$2 spool=$3 conf=$4 word=\n"
	"shift 4\n"
	"case $mode in take-Mf|take-Mt|take-Mrm) word=${mode#take}; mode=take ;;" \
	    " select|still) ;; *) die \"unknown mode $mode\" ;; esac\n"
	"export LC_ALL=C\n"
	"if [ -z \"$spool\" ]; then\n"
	"  if [ -n \"$conf\" ]; then\n"
	"    spool=$(\"$@\" -C \"$conf\" -bP -n spool_directory) ||\n"
	"      die \"$* -bP spool_directory failed: set exim_spool\"\n"
	"  else\n"
	"    spool=$(\"$@\" -bP -n spool_directory) ||\n"
	"      die \"$* -bP spool_directory failed: set exim_spool\"\n"
	"  fi\n"
	"fi\n"
	"case $spool in /*) ;; *) die \"no spool directory (Exim said" \
	    " '$spool'): set exim_spool\" ;; esac\n"
	"cd \"$spool/input\" 2>/dev/null ||\n"
	"  die \"cannot enter $spool/input: run as root or Exim's user," \
	    " or set exim_spool\"\n"
	/* still: one file read first, or "gone" could mean "unreadable" */
	"if [ \"$mode\" = still ]; then\n"
	"  f=$(find . -name '*-H' | head -n 1)\n"
	"  [ -z \"$f\" ] || [ -r \"$f\" ] ||\n"
	"    die \"cannot read $spool/input/${f#./}: run as root or Exim's" \
	    " user\"\n"
	"fi\n"
	/*
	 * take: the command each chosen id goes to (two of them, every second
	 * id to each): xargs with exim's words, quoted for awk's sh, each line
	 * written whole, "some not done" (123: exim said 1) no failure
	 */
	"if [ \"$mode\" = take ]; then\n"
	"  q() { printf \"'%s'\" \"$(printf '%s' \"$1\" | sed \"s/'/'\\\\\\\\''/g\")\"; }\n"
	"  x=\n"
	"  for w in \"$@\"; do x=\"$x $(q \"$w\")\"; done\n"
	"  [ -z \"$conf\" ] || x=\"$x -C $(q \"$conf\")\"\n"
	"  R=\"{ xargs -n " EXIM_TAKE_BATCH "$x $word 2>&1;" \
	    " echo mailcon-exim-exit \\$?; } | awk '\\$1 == \\\"mailcon-exim-exit\\\"" \
	    " { s = \\$2; next } { print; fflush() }" \
	    " END { exit (s == 0 || s == 123) ? 0 : 5 }'\"\n"
	"  export R\n"
	"fi\n"
	"prog='\n"
	"function idok(s,  n) {\n"
	"  n = length(s)\n"
	"  if (n != 16 && n != 23) return 0\n"
	"  if (s !~ /^[0-9A-Za-z]+-[0-9A-Za-z]+-[0-9A-Za-z]+$/) return 0\n"
	"  return substr(s, 7, 1) == \"-\" && substr(s, n == 16 ? 14 : 19, 1)" \
	    " == \"-\"\n"
	"}\n"
	"function scan(path, id,  line, st, n, skip, k, v, nauth, auth," \
	    " bad, frozen, snd) {\n"
	"  n = 0; skip = 0; nauth = 0; bad = 0; frozen = 0; snd = \"\"\n"
	"  while ((st = (getline line < path)) > 0) {\n"
	"    n++\n"
	"    if (skip > 0) { skip -= length(line) + 1; continue }\n"
	"    if (n == 1) { if (line != id \"-H\") { bad = 1; break } continue }\n"
	"    if (n == 3) snd = line\n"
	"    if (n <= 4) continue\n"
	"    if (substr(line, 1, 1) != \"-\") break\n"
	"    if (line ~ /^--?acl/) {\n"
	"      k = line; sub(/.* /, \"\", k)\n"
	"      if (k !~ /^[0-9]+$/) { bad = 1; break }\n"
	"      skip = k + 1; continue\n"
	"    }\n"
	"    if (line ~ /^--?auth_id /) {\n"
	"      v = line; sub(/^--?auth_id /, \"\", v)\n"
	"      if (nauth++ > 0 && v != auth) bad = 1\n"
	"      auth = v; continue\n"
	"    }\n"
	"    if (line == \"-frozen\" || substr(line, 1, 8) == \"-frozen \")" \
	    " frozen = 1\n"
	"  }\n"
	"  close(path)\n"
	"  if (n == 0) return 0\n"
	"  opened++\n"
	"  if (mode == \"still\") { say(id, \"<>\", frozen, \"\"); return 1 }\n"
	"  if (bad || n < 5) return 1\n"
	"  if (nauth > 0) {\n"
	"    if (tolower(auth) == acc) {\n"
	"      say(id, \"<>\", frozen, ENVIRON[\"A\"])\n"
	"      if (mode == \"take\" && (word == \"-Mrm\" ||" \
	    " (word == \"-Mf\" && !frozen) || (word == \"-Mt\" && frozen)))" \
	    " give(id)\n"
	"    }\n"
	"    return 1\n"
	"  }\n"
	"  if (snd !~ /^<.*>$/) snd = \"<>\"\n"
	"  say(id, snd, frozen, \"\")\n"
	"  return 1\n"
	"}\n"
	/* the first reader holds its records until the second has ended */
	"function say(id, snd, frozen, login,  r) {\n"
	"  r = \" 0m 0 \" id \" \" snd (frozen ? \" *** frozen ***\" : \"\")" \
	    " \"\\n\"\n"
	"  if (login != \"\") r = r \"          authenticated_id = '\\''\"" \
	    " login \"'\\''\\n\"\n"
	"  r = r \"\\n\"\n"
	"  if ((mode == \"select\" && helper == \"\") || mode == \"take\")" \
	    " held[++nheld] = r\n"
	"  else printf \"%s\", r\n"
	"}\n"
	/* take: the id to one of the two commands, in turn */
	"function give(id) {\n"
	"  if (ngive++ % 2 == 0) { print id | R1; u1 = 1 }\n"
	"  else { print id | R2; u2 = 1 }\n"
	"}\n"
	/* the id of a -H file's path as find prints it, or "" */
	"function pathid(p,  id) {\n"
	"  id = p; sub(/^.\\//, \"\", id); sub(/-H$/, \"\", id)\n"
	"  if (!idok(id) || (p != id \"-H\" && p != substr(id, 6, 1) \"/\" id" \
	    " \"-H\")) return \"\"\n"
	"  return id\n"
	"}\n"
	/*
	 * still: the -H files there are, listed once; a chosen id not
	 * among them is gone (looking each up would be two failed opens
	 * apiece, 20,000 after a purge of 10,000)
	 */
	"BEGIN {\n"
	"  acc = tolower(ENVIRON[\"A\"])\n"
	"  R1 = ENVIRON[\"R\"] \" # 1\"; R2 = ENVIRON[\"R\"] \" # 2\"\n"
	"  if (mode == \"still\") {\n"
	"    cmd = \"find . -name \\\"*-H\\\"\"\n"
	"    while ((cmd | getline p) > 0) {\n"
	"      sub(/^\\.\\//, \"\", p)\n"
	"      if ((id = pathid(p)) != \"\") there[id] = p\n"
	"    }\n"
	"    close(cmd)\n"
	"  }\n"
	"}\n"
	"mode == \"still\" {\n"
	"  if (idok($0) && ($0 in there)) scan(there[$0], $0)\n"
	"  next\n"
	"}\n"
	"{\n"
	"  p = $0; sub(/^\\.\\//, \"\", p)\n"
	"  if ((id = pathid(p)) == \"\") next\n"
	"  if (mode == \"select\" && helper == \"\" && ++seen % 2 == 0) {\n"
	"    if (!other) other = \"exec awk -v mode=select -v helper=1" \
	    " \\\"$P\\\"\"\n"
	"    print p | other\n"
	"    next\n"
	"  }\n"
	"  files++\n"
	"  scan(p, id)\n"
	"}\n"
	/*
	 * The second reader exits 4 (a wait status of 1024 in some awks)
	 * when it opened none of its files: whether none at all could be
	 * read is the sum of both
	 */
	"END {\n"
	"  if (helper != \"\") exit (files > 0 && opened == 0) ? 4 : 0\n"
	"  if (other) {\n"
	"    files += int(seen / 2)\n"
	"    rc = close(other)\n"
	"    if (rc != 0 && rc != 4 && rc != 1024) {\n"
	"      print \"mailcon-exim-spool: the second reader of the -H files\"" \
	    " \" failed (\" rc \")\" > \"/dev/stderr\"\n"
	"      exit 3\n"
	"    }\n"
	"    if (rc == 0) opened++\n"
	"  }\n"
	"  if (files > 0 && opened == 0) {\n"
	"    print \"mailcon-exim-spool: none of the \" files \" -H files" \
	    " could be read: run as root or Exim user\" > \"/dev/stderr\"\n"
	"    exit 3\n"
	"  }\n"
	/*
	 * take: the two commands' lines are all out (closing waits for each)
	 * before the records, after a line that tells them apart
	 */
	"  if (mode == \"take\") {\n"
	"    s1 = u1 ? close(R1) : 0; s2 = u2 ? close(R2) : 0\n"
	"    if (s1 != 0 || s2 != 0) {\n"
	"      print \"mailcon-exim-spool: xargs \" ENVIRON[\"W\"] \" failed (\"" \
	    " s1 \", \" s2 \")\" > \"/dev/stderr\"\n"
	"      failed = 1\n"
	"    }\n"
	"    print \"mailcon-queue-records\"\n"
	"  }\n"
	"  for (i = 1; i <= nheld; i++) printf \"%s\", held[i]\n"
	"  if (failed) exit 3\n"
	"}'\n"
	"if [ \"$mode\" = still ]; then\n"
	"  A=$a awk -v mode=still \"$prog\"\n"
	"else\n"
	"  find . -name '*-H' | P=$prog A=$a W=\"$* $word\" awk -v mode=\"$mode\"" \
	    " -v word=\"$word\" \"$prog\"\n"
	"fi\n";

/* The account's messages, and those of no login. */
const char *const exim_spool_select[] = { "/bin/sh", "-c", spool_script,
	"mailcon-exim-spool", "select", "%{account}", "%{exim_spool?}",
	"%{exim_config?}", "%{exim_command}", NULL };
/*
 * Each of the account's messages the operation applies to, given to exim
 * as it is read; then the records, as select's.
 */
const char *const exim_spool_take_hold[] = { "/bin/sh", "-c", spool_script,
	"mailcon-exim-spool", "take-Mf", "%{account}", "%{exim_spool?}",
	"%{exim_config?}", "%{exim_command}", NULL };
const char *const exim_spool_take_release[] = { "/bin/sh", "-c",
	spool_script, "mailcon-exim-spool", "take-Mt", "%{account}",
	"%{exim_spool?}", "%{exim_config?}", "%{exim_command}", NULL };
const char *const exim_spool_take_purge[] = { "/bin/sh", "-c", spool_script,
	"mailcon-exim-spool", "take-Mrm", "%{account}", "%{exim_spool?}",
	"%{exim_config?}", "%{exim_command}", NULL };
/* Which of the ids on stdin still have a -H file. */
const char *const exim_spool_still[] = { "/bin/sh", "-c", spool_script,
	"mailcon-exim-spool", "still", "", "%{exim_spool?}",
	"%{exim_config?}", "%{exim_command}", NULL };

