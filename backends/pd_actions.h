/*
 * pd_actions.h: how Postfix + Dovecot suspend a login and reset its
 * password, as fixed commands (the backend describes; the console runs).
 *
 * Each step is `/bin/sh -c SCRIPT mailcon-STEP ARG...`: the script is ours
 * and constant, every value (the account, a path from the config) arrives
 * as a positional parameter and is only ever expanded inside double quotes,
 * so no value is parsed by a shell as code, locally or over SSH (where the
 * whole argv is single-quoted once more).  A password travels on stdin.
 *
 * Files are edited atomically: a temporary file beside the original (cp -p
 * keeps owner and mode), then rename.  A file with no write bit for anyone
 * is taken as the site's "do not touch" and refused, even for root.
 *
 * Every edit is serialised with every other mailcon's, here or over SSH:
 * the script holds FILE.mailcon.lock (flock(1), util-linux) from before it
 * reads FILE until it exits, so the copy, the edit, the rename (and
 * postmap) of two runs never interleave.  It waits at most lock_wait
 * seconds, which the runner may set on a line before the script
 * ("lock_wait=N"; default 20), then fails with "busy: another mailcon is
 * changing FILE (pid P on HOST, for N s)".  The lock file stays, with a
 * note of its holder ("PID TIME HOST") while held: a note found by the
 * next holder was left by one killed mid-edit, which it reports (its pid
 * and age) and whose temporary files it removes.  A lock that cannot be
 * made (a read-only directory) is refused, nothing changed.  A program
 * that edits FILE without the lock is noticed (inode, size, times and
 * checksum before and after): the edit is made again from the new
 * content, never renamed over it.  After the rename, FILE must hold the
 * change.  Such notices reach stderr as "note: ..." lines of a step that
 * succeeds; a failure is one line, exit 3.
 * Neither daemon is restarted: Dovecot reads a passwd-file on the next
 * lookup (with auth_cache_size = 0, or after the cache TTL) and smtpd
 * notices a rebuilt hash map by itself.
 */
#ifndef MAILCON_PD_ACTIONS_H
#define MAILCON_PD_ACTIONS_H

enum pd_step {
	/* $1 account  $2 deny file  $3 passwd-file or "" (unknown-account
	   check): add the login to the Dovecot deny passdb */
	PD_DENY_ADD = 0,
	/* $1 account  $2 deny file: remove it */
	PD_DENY_DEL,
	/* $1 account  $2 map source  $3... postmap command: add
	   "account REJECT ..." to the check_sasl_access map and rebuild it;
	   the source is put back when postmap fails */
	PD_MAP_ADD,
	/* $1 account  $2 map source  $3... postmap command: remove it */
	PD_MAP_DEL,
	/* $1 account  $2 deny file  $3 map source  $4... postmap command:
	   prints "deny=0|1 map=0|1", exit 0 */
	PD_CHECK,
	/* $1 account  $2 passwd-file  $3 scheme  $4... doveadm command; the
	   password on stdin: set its hash with doveadm pw */
	PD_PASSWD_SET,
	/* $1 account  $2 passwd-file  $3... doveadm command; the password on
	   stdin: does the file's hash match it?  exit 0 yes, 4 no (the file
	   changed after the set step, which checked it under the lock); run
	   after the lock is let go, against what is on disk */
	PD_PASSWD_CHECK,
	PD_STEP_COUNT
};

/* The script of a step, and the name it runs as ($0, in ps and errors). */
const char	*pd_script(enum pd_step step);
const char	*pd_step_name(enum pd_step step);

#endif
