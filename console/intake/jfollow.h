/*
 * jfollow.h: follow the systemd journal's mail facility on a server over
 * SSH, as rfollow.h follows a log file there: every entry delivered once,
 * across disconnects, as one line logline.h reads (jexport.h).
 *
 * journalctl -f -q -m -o export [-D DIR] (--cursor=C | --no-tail)
 * SYSLOG_FACILITY=2 runs on an exec channel (through sudo -n -- with
 * sudo = yes: reading the journal needs group adm or systemd-journal).
 * The cursor of the last entry read is kept; when the channel or the
 * connection is lost, journalctl is started again at it.
 *
 * Following "from now" starts with a probe, journalctl --show-cursor -n 0
 * (same filters, no -f): it gives the newest entry's cursor, and
 * following starts there, so entries written during a disconnect that
 * comes before the first new entry are not lost either.  No cursor: the
 * journal had no mail entry yet, so every one it has later is new
 * (--no-tail).
 *
 * Why --cursor and not --after-cursor: journalctl 252 seeks to a cursor
 * and then steps one entry further without checking where it landed.
 * When the cursor's entry is gone (the journal was vacuumed or its files
 * deleted meanwhile) the seek lands on the nearest entry and
 * --after-cursor silently skips that one too.  With --cursor the first
 * entry says it all: the cursor's own entry (already delivered: dropped)
 * or another one, and then the entries between were lost: a gap is told
 * to the gap callback, and following goes on from that entry, the oldest
 * the journal still has after the lost one.
 *
 * Why -m: journalctl -f implies "this boot only" (-b) unless -m is given,
 * so resuming after a reboot would skip the entries the old boot wrote
 * after the cursor.  -m also merges the journals of other machines kept
 * under /var/log/journal/remote; their lines carry their own host name.
 *
 * journalctl says nothing while nothing is logged, so it counts as live
 * once it ran JFOLLOW_SETTLE_MS without failing (errors such as a missing
 * directory or no permission end it at once) or an entry arrived.  A
 * journalctl left behind by a dead session ends at its next write
 * (SIGPIPE).
 */
#ifndef MAILCON_JFOLLOW_H
#define MAILCON_JFOLLOW_H

#include <stddef.h>
#include <stdint.h>

#include "follow.h"
#include "rfollow.h"

#define JFOLLOW_SETTLE_MS	1000
#define JFOLLOW_ARGV_MAX	16

struct jfollow;
struct ssh_conn;

struct jfollow_stats {
	uint64_t	 entries;	/* delivered as lines */
	uint64_t	 skipped;	/* oversized or without a time */
	uint64_t	 starts;	/* times journalctl was started */
	uint64_t	 gaps;
};

/*
 * Follow the journal of the server (dir: journalctl -D DIR, or NULL for
 * the system's), from now, or from its start when from_start.  Lines go
 * to cb, gaps (and skipped entries) to gap, both with arg, from within
 * ssh_conn_step().
 */
struct jfollow	*jfollow_open(const char *dir, int sudo, int from_start,
		    follow_line_cb cb, rfollow_gap_cb gap, void *arg);
void		 jfollow_close(struct jfollow *j);
/* As rfollow_poll(): start journalctl, notice that it ended. */
int		 jfollow_poll(struct jfollow *j, struct ssh_conn *conn,
		    int64_t now_ms);
enum follow_state jfollow_state(const struct jfollow *j);
/* "NAME: why" when not FOLLOW_LIVE, else NULL. */
const char	*jfollow_error(const struct jfollow *j);
/* "journal", or "journal DIR": what gap notes name. */
const char	*jfollow_name(const struct jfollow *j);
int		 jfollow_starting(const struct jfollow *j);
const struct jfollow_stats *jfollow_stats(const struct jfollow *j);
/* The cursor the next start resumes at, "" when none yet. */
const char	*jfollow_cursor(const struct jfollow *j);
/*
 * The command's words (NULL-terminated, into argv of JFOLLOW_ARGV_MAX;
 * they point into j and buf, size bytes); the number of words.
 */
int		 jfollow_argv(const struct jfollow *j, char **argv, char *buf,
		    size_t size);
/*
 * The anchor probe's output (journalctl -n 0 --show-cursor): the cursor to
 * resume at, or, with none, "everything to come is new".  -1 for a cursor
 * that may not go on a command line.  Called when the probe ends; tests
 * call it.
 */
int		 jfollow_anchor(struct jfollow *j, const char *out, size_t len);
/* Feed journalctl's output (the exec callback; tests call it). */
int		 jfollow_input(struct jfollow *j, const char *p, size_t len);
/* A new journalctl starts (tests): as after a disconnect. */
void		 jfollow_restart(struct jfollow *j);

#endif
