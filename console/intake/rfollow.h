/*
 * rfollow.h: follow a log file on a server over SSH, as follow.h does for
 * a local one, without losing a line or counting one twice across
 * disconnects.
 *
 * The "ssh-file" kind of source.h.  A small POSIX sh program
 * (rfollow_script.c) runs on the server on an exec channel, started,
 * watched and restarted as rexec.h does it (for jfollow.h too).  It
 * holds the log open on a descriptor and sends what is new in framed
 * chunks ("D n", n bytes, then "K crc len" once it has seen
 * that the file was not truncated under the read, or "X": drop it), so
 * the console always knows which file (inode, and a checksum of its first
 * bytes, learnt as they are read: inode numbers are reused) and which
 * byte offset each line came from ("F ino pos crc len" at the start and
 * whenever it opens another file).  Between a chunk of the live file and
 * its K it sends the 64 bytes before the chunk again as they are now ("P
 * n", n bytes): when they are not the bytes received there, the file was
 * cut and written again past the read position between two looks, and
 * the chunk is dropped and the program started again, which reports the
 * cut.  It says when the file was renamed
 * ("R ino": it becomes the old file, still read when it grows, "d n" ...
 * "K", until "Q" lets it go), when the rest of what it read is in a copy
 * ("N ino": the same content goes on there), truncated with no copy ("T
 * ino", after a "G" gap), missing ("M"), unreadable ("E why"), and sends
 * a heartbeat ("H") when idle so that a copy left behind by a dead
 * session meets SIGPIPE instead of running for ever.  Rotations are read
 * as follow.h reads them locally: see rfollow_script.c.
 *
 * When the channel or the connection is lost, the follower starts the
 * program again once the connection is live, asking for the inode and the
 * offset of the first line it has not delivered (a line cut by the
 * disconnect is read again whole), with a checksum of the bytes before
 * that offset (so a file cut and grown past it meanwhile is a gap, not
 * read from the middle of a line), and for the renamed file it still
 * watched.  The program resumes there; when that file was rotated
 * meanwhile, perhaps more than once, it is found beside the log (rotated.h's
 * names) by its inode, or by its first bytes for a copy, read to its end,
 * then the files rotated after it, then the live one from its start.  When
 * it cannot be found (compressed, deleted), the lost part is a gap: told
 * to the gap callback, counted, and the live file is read from its start.
 *
 * Known limits, as for follow.h: lines written between logrotate's copy
 * and its truncation are in neither file; a compressed copy is not read
 * (a gap); lines written to a renamed file after 15 s of quiet are not
 * seen; after a cut to a non-zero size, lines written between the cut and
 * when it is seen are not (a gap says so: where the cut was is not known
 * once the file grew past the read position again), and a cut below the
 * first 64 bytes is read again from the start.
 */
#ifndef MAILCON_RFOLLOW_H
#define MAILCON_RFOLLOW_H

#include <stddef.h>
#include <stdint.h>

#include "follow.h"

#define RFOLLOW_START_MS	20000	/* its first F, or it is restarted */

struct rfollow;
struct ssh_conn;

/* A part of the log that could not be read: why, in plain words. */
typedef follow_gap_cb	rfollow_gap_cb;

struct rfollow_stats {
	uint64_t	 bytes;		/* log bytes received */
	uint64_t	 lines;		/* delivered */
	uint64_t	 starts;	/* times the remote program was started */
	uint64_t	 rotations;	/* renamed or truncated */
	uint64_t	 gaps;
};

/*
 * Follow path (on the server) from its start, or from its end when
 * from_start is 0.  Lines go to cb, gaps to gap (may be NULL), both with
 * arg, from within ssh_conn_step() (while the connection reads).
 */
struct rfollow	*rfollow_open(const char *path, int from_start,
		    follow_line_cb cb, rfollow_gap_cb gap, void *arg);
void		 rfollow_close(struct rfollow *r);
/*
 * Start the remote program when conn is live and it is not running;
 * notice that it ended.  Returns FOLLOW_CHANGED when the state changed.
 */
int		 rfollow_poll(struct rfollow *r, struct ssh_conn *conn,
		    int64_t now_ms);
enum follow_state rfollow_state(const struct rfollow *r);
/* "path: why" when not FOLLOW_LIVE, else NULL. */
const char	*rfollow_error(const struct rfollow *r);
const char	*rfollow_path(const struct rfollow *r);
/* Not read anything yet, and nothing went wrong so far. */
int		 rfollow_starting(const struct rfollow *r);
const struct rfollow_stats *rfollow_stats(const struct rfollow *r);
/*
 * The program sent bytes before where it reads ("P") that are not the
 * ones received: the file was cut and written again past that point.
 * Its output is ignored from there, and the next poll starts it again
 * (BACK then makes it find the cut and report the gap).
 */
int		 rfollow_must_restart(const struct rfollow *r);
/* A new program starts (tests; rfollow_poll() does it): what the old one
   said is forgotten, a partial line is read again. */
void		 rfollow_restart(struct rfollow *r);
/* Where the next start resumes: 1 with *ino and *offset, 0 not known. */
int		 rfollow_position(const struct rfollow *r, uint64_t *ino,
		    uint64_t *offset);

/*
 * The program's arguments after the path (INODE, OFFSET, HEAD, OINODE,
 * OOFFSET: each 24 bytes, head 48; the last two empty unless a renamed
 * file is still watched): 1 resuming, 0 a first start.
 */
int		 rfollow_resume_args(const struct rfollow *r, char *ino,
		    char *off, char *head, char *oino, char *ooff);

/*
 * The argument after those (BACK): "CRC LEN", cksum(1) of the bytes
 * received just before the resume offset, so that the program notices a
 * file cut and written again past it; "" when none are known.
 */
void		 rfollow_resume_back(const struct rfollow *r, char *back,
		    size_t size);

/* The remote program (rfollow_script.c), fed to sh -s on stdin. */
extern const char rfollow_script[];

/*
 * Feed bytes as the remote program sent them (the exec callback; tests
 * call it directly).  Returns 0, or -1 on output that is not the
 * program's (the follower then restarts it).
 */
int		 rfollow_input(struct rfollow *r, const char *p, size_t len);

#endif
