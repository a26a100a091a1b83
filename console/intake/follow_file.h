/*
 * follow_file.h: one open file of a follower (follow.c): its descriptor,
 * where it is read, its first bytes as read, and the line being assembled
 * from it.  A follower has two: the file it reads, and the one it left at
 * a rotation, watched for lines a daemon still writes there.  Private to
 * follow.c; the unit tests reach it through follow.h.
 */
#ifndef MAILCON_FOLLOW_FILE_H
#define MAILCON_FOLLOW_FILE_H

#include <sys/types.h>
#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>

#include "follow.h"

/* What the follower shares between its files. */
struct ffio {
	int64_t			 now;		/* the poll's now_ms */
	char			*chunk;		/* read buffer */
	struct follow_stats	 stats;
};

struct ffile {
	int		 fd;		/* -1: nothing open */
	int		 fifo;
	int		 live;		/* the file at the path, not a rotated one */
	dev_t		 dev;
	ino_t		 ino;
	uint64_t	 offset;	/* bytes read from fd */
	uint64_t	 seen;		/* its size at the last poll */
	unsigned char	 head[FOLLOW_HEAD_MAX];	/* its first bytes, as read */
	size_t		 head_len;
	unsigned char	 tail[FOLLOW_TAIL_MAX];	/* the bytes before offset */
	size_t		 tail_len;
	int		 eof;		/* the last read hit the end */
	int		 resync;	/* drop bytes up to a newline */
	int64_t		 active;	/* now of its last bytes (old file) */

	/* The line being assembled: bytes kept, and all its bytes so far. */
	char		*line;
	size_t		 line_len;
	size_t		 line_cap;
	uint64_t	 line_bytes;
	int64_t		 line_since;	/* now of its first byte */
};

/* ffile_check: the live file against what was read from it. */
#define FFILE_SAME	0	/* as read, perhaps longer */
#define FFILE_CUT	1	/* shorter, its first bytes as read */
#define FFILE_NEW	2	/* other first bytes: truncated, rewritten */
#define FFILE_GROWN	3	/* its first bytes as read, not those before
				   the offset: cut, then written past it */

void	 ffile_init(struct ffile *ff);
/* Open path (st: its stat) at offset 0; -1 with why filled. */
int	 ffile_open(struct ffile *ff, const char *path, const struct stat *st,
	    char *why, size_t size);
/* Read and split up to budget bytes; -1 on a read error (errno). */
ssize_t	 ffile_read(struct ffile *ff, struct ffio *io, size_t budget,
	    follow_line_cb cb, void *arg);
/* Is a held partial line young enough to wait for its newline? */
int	 ffile_waiting(const struct ffile *ff, const struct ffio *io);
/* Deliver a held partial line as is: its file is being left. */
void	 ffile_flush(struct ffile *ff, struct ffio *io, follow_line_cb cb,
	    void *arg);
/* Flush, then close the descriptor. */
void	 ffile_close(struct ffile *ff, struct ffio *io, follow_line_cb cb,
	    void *arg);
/* Close and free without delivering anything. */
void	 ffile_free(struct ffile *ff);
/* Hand src (line included) over to dst, which is closed; src is reset. */
void	 ffile_move(struct ffile *dst, struct ffile *src);
/* Go on reading the same content from fd (a copy), at the same offset. */
void	 ffile_switch(struct ffile *ff, int fd);
/* Read from offset on; the first bytes before it are learnt. */
void	 ffile_seek(struct ffile *ff, uint64_t offset);
/* Start at the end of the last complete line of a file of size bytes. */
void	 ffile_seek_end(struct ffile *ff, uint64_t size);
/* Read the same file again from its start, as a new one. */
void	 ffile_restart(struct ffile *ff);
/* FFILE_SAME, _CUT, _NEW or _GROWN for the open file of size bytes. */
int	 ffile_check(struct ffile *ff, uint64_t size);
/* Does fd start with the first bytes read from ff? */
int	 ffile_head_same(const struct ffile *ff, int fd);

#endif
