/*
 * rfollow_int.h: what rfollow.c (the follower's life) and rfollow_input.c
 * (reading its program's output) share: the follower and the files it
 * reads.  Private to the remote follower; see rfollow.h.
 */
#ifndef MAILCON_RFOLLOW_INT_H
#define MAILCON_RFOLLOW_INT_H

#include <stddef.h>
#include <stdint.h>

#include "rexec.h"
#include "rfollow.h"

#define RFOLLOW_HDR_MAX		512	/* a header line of the program */
#define RFOLLOW_CHUNK_MAX	(1u << 20)	/* the program sends 256 KiB */
#define RFOLLOW_BACK_MAX	FOLLOW_TAIL_MAX	/* bytes before pos ("P") */

/* A file the program reads, and the line being assembled from it. */
struct rstream {
	int			 open;
	uint64_t		 ino;
	uint64_t		 pos;		/* bytes of ino received */
	uint64_t		 lstart;	/* where the line starts in ino */
	char			*line;
	size_t			 llen;
	int			 overlong;
	/* the bytes received just before pos, and before lstart */
	unsigned char		 back[RFOLLOW_BACK_MAX];
	size_t			 backlen;
	unsigned char		 lback[RFOLLOW_BACK_MAX];
	size_t			 lbacklen;
};

struct rfollow {
	char			*path;
	int			 from_start;
	follow_line_cb		 cb;
	rfollow_gap_cb		 gap;
	void			*arg;

	/* the program: started once its F arrives, broken when its output
	   is not its own */
	struct rexec		 rx;

	/* what the program is doing, from its headers */
	char			 hdr[RFOLLOW_HDR_MAX];
	size_t			 hlen;
	uint64_t		 data_left;	/* of the current D or d chunk */
	int			 data_old;	/* it is a d chunk */
	int			 data_prev;	/* it is a P: bytes before pos */
	unsigned char		 prev[RFOLLOW_BACK_MAX];
	size_t			 prevlen;
	int			 prev_bad;	/* this chunk's P differed */
	int			 rewritten;	/* ... and it got its K: restart */
	int			 await;		/* a chunk awaits its K or X */
	char			*pend;		/* the chunk, until its K */
	size_t			 pend_len;
	size_t			 pend_cap;
	int			 have_pos;	/* an F was seen: cur is valid */
	uint64_t		 head_crc;	/* cksum of its first head_len */
	uint64_t		 head_len;	/* bytes (up to 64) */
	struct rstream		 cur;		/* the file read */
	struct rstream		 old;		/* renamed, watched: R to Q */

	enum follow_state	 state;
	char			 error[300];
	struct rfollow_stats	 stats;
};

#endif
