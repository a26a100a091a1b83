/*
 * follow.h: follow a growing log file, as tail -F does, for the event loop.
 *
 * A follower is polled from one of the loop's timers (every 200 ms is
 * plenty for "new lines within one second").  Each follow_poll() stats the
 * path, reads at most max_bytes (so one busy file cannot starve the screen)
 * and hands every complete line to a callback; a partial last line is held
 * until its newline arrives.
 *
 * Rotation is survived without losing a line where the lines still exist:
 * - rename: the path names another inode.  The old file is read to its
 *   end first; then the files rotated after it (found beside the log by
 *   rotated.h when it was rotated twice between two polls), then the new
 *   one from its start.  The old file stays open and is read whenever it
 *   grows until it has been quiet for FOLLOW_DRAIN_MS: a daemon writes
 *   there until it reopens its log, seconds after the rename.
 * - copytruncate: the file is shorter than what we have read, or its first
 *   bytes (FOLLOW_HEAD_MAX, kept as they were read, so a file that started
 *   empty has them too) are not the ones read, or the bytes just before
 *   where it is read (FOLLOW_TAIL_MAX, kept likewise) are not: cut and
 *   grown past the read position again between two polls.  The copy logrotate made
 *   beside it (another file, at least as long, with our first bytes) holds
 *   what was written between our last read and the truncation: it is read
 *   from our offset to its end, then the live file from its start.
 * - a truncation with no copy beside it, or replacement in place: the rest
 *   of the old content cannot be read, and that is a gap, told to the gap
 *   callback (follow_on_gap) with the count of bytes when it is known.
 *   When the first bytes are still the ones read (truncate -s N to a
 *   non-zero size), reading goes on at the new end (where the cut was is
 *   not known once the file grew again), else from the start.
 * A held partial line is delivered as is (FOLLOW_LINE_PARTIAL) when its file
 * is left: at once after a truncation or replacement (the rest of it cannot
 * come from this file any more), or, after a rename or deletion, once the
 * old file has ended and the partial is FOLLOW_GRACE_MS old (a daemon that
 * has not reopened its log yet may still finish the line).  It is never lost.
 *
 * Known limits: lines written between logrotate's copy and its truncation
 * are in neither file (logrotate's own window); a compressed copy is not
 * read (a gap); lines written to a renamed file after it has been quiet for
 * FOLLOW_DRAIN_MS are not seen; after a cut to a non-zero size, lines
 * written between the cut and the next poll are not seen (a gap says so,
 * also when they made the file longer than it was read).
 *
 * A missing file (deleted, not created yet) and an unreadable one (EACCES, a
 * directory, a device) are states shown to the user, retried on every poll;
 * a file that appears after the follower was opened is read from its start.
 * Files are opened O_NONBLOCK and only regular files and FIFOs are opened at
 * all, so nothing here blocks the loop.  No inotify: a stat per poll is
 * cheaper than it sounds and works on every filesystem.
 */
#ifndef MAILCON_FOLLOW_H
#define MAILCON_FOLLOW_H

#include <stddef.h>
#include <stdint.h>

#define FOLLOW_LINE_MAX		(64u * 1024)	/* bytes of a line kept */
#define FOLLOW_HEAD_MAX		64		/* first bytes compared */
#define FOLLOW_TAIL_MAX		64		/* and those before the offset */
#define FOLLOW_GRACE_MS		3000		/* wait for a partial's end */
#define FOLLOW_DRAIN_MS		15000		/* a renamed file's quiet end */
#define FOLLOW_BUDGET		(1u << 20)	/* max_bytes 0 means this */

enum follow_state {
	FOLLOW_LIVE,		/* open and being read */
	FOLLOW_MISSING,		/* no such file (yet): retried */
	FOLLOW_UNREADABLE,	/* permission, a directory, a read error */
};

/* Flags of a delivered line. */
#define FOLLOW_LINE_PARTIAL	0x1	/* no newline: its file was left */
#define FOLLOW_LINE_TRUNCATED	0x2	/* cut at FOLLOW_LINE_MAX */

/* Bits returned by follow_poll(). */
#define FOLLOW_MORE		0x1	/* max_bytes reached: poll again soon */
#define FOLLOW_CHANGED		0x2	/* state or message changed */

/*
 * A line without its newline, NUL-terminated (it may also contain NULs: use
 * len).  Borrowed: valid only during the call.  The callback must not close
 * the follower.
 */
typedef void	(*follow_line_cb)(const char *line, size_t len, int flags,
		    void *arg);
/* A part of the log that could not be read: why, in plain words. */
typedef void	(*follow_gap_cb)(const char *why, void *arg);

struct follow_stats {
	uint64_t	 bytes;		/* read from files */
	uint64_t	 lines;		/* delivered */
	uint64_t	 rotations;	/* rotated, truncated, gone */
	uint64_t	 overlong;	/* lines cut at FOLLOW_LINE_MAX */
	uint64_t	 partials;	/* delivered without their newline */
	uint64_t	 gaps;		/* parts that could not be read */
};

/*
 * Where a follower is, to resume after a restart without re-reading: kept by
 * the store.  offset is the start of the first line not delivered yet.  The
 * device number is left out on purpose: it is not stable across reboots on
 * some filesystems (btrfs, LVM, NFS); inode and head together are.
 */
struct follow_pos {
	uint64_t	 ino;
	uint64_t	 offset;
	uint64_t	 head_hash;	/* FNV-1a of the first head_len bytes */
	uint32_t	 head_len;
};

struct follower;

/*
 * Follow path: from its first byte when from_start is set, else from the end
 * of its last complete line.  Never fails: see follow_state().  The caller
 * frees with follow_close().
 */
struct follower		*follow_open(const char *path, int from_start);
/*
 * Follow path from a saved position.  When the file there is no longer the
 * one saved (another inode, shorter, other first bytes), all of it is new
 * and it is read from its start; *resumed (may be NULL) says which.
 */
struct follower		*follow_open_at(const char *path,
			    const struct follow_pos *pos, int *resumed);
void			 follow_close(struct follower *f);
/* Where gaps are told, with the arg of follow_poll (none by default). */
void			 follow_on_gap(struct follower *f, follow_gap_cb gap);

/*
 * Read what is new, at most max_bytes (0: FOLLOW_BUDGET), handing complete
 * lines to cb (and gaps to the gap callback), both with arg.  now_ms is the
 * loop's monotonic clock (loop_now_ms()): it ages held partial lines and
 * the renamed file that is still watched.  Returns FOLLOW_MORE and FOLLOW_CHANGED bits.
 */
int			 follow_poll(struct follower *f, int64_t now_ms,
			    follow_line_cb cb, void *arg, size_t max_bytes);

enum follow_state	 follow_state(const struct follower *f);
/* "path: reason" when not FOLLOW_LIVE, else NULL. */
const char		*follow_error(const struct follower *f);
const char		*follow_state_name(enum follow_state state);
const char		*follow_path(const struct follower *f);
const struct follow_stats *follow_stats(const struct follower *f);
/*
 * Keep the last FOLLOW_TAIL_MAX bytes of a stream: tail holds *len of
 * them; p[0..n) are the next.  (The bytes before a read position, which
 * tell a file cut and written again past it: here and in rfollow.c.)
 */
void			 follow_tail_add(unsigned char *tail, size_t *len,
			    const char *p, size_t n);
/* The current position; -1 when no regular file is open. */
int			 follow_get_pos(const struct follower *f,
			    struct follow_pos *pos);

#endif
