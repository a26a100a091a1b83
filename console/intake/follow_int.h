/*
 * follow_int.h: what follow.c (tail -F) and follow_source.c (its state and
 * its source_ops) share; nothing else includes it.
 */
#ifndef MAILCON_FOLLOW_INT_H
#define MAILCON_FOLLOW_INT_H

#include <stddef.h>
#include <stdint.h>

#include "follow.h"
#include "follow_file.h"

struct follower {
	char			*path;
	enum follow_state	 state;
	char			 error[256];
	follow_gap_cb		 gap;
	follow_line_cb		 line;		/* as a source: where lines go */
	void			*arg;

	struct ffile		 cur;		/* being read */
	struct ffile		 old;		/* left, watched for late lines */
	/* rotated files to read whole after cur, then the live file */
	char			**chain;
	size_t			 nchain;
	size_t			 ichain;
	uint64_t		 live_start;	/* where the live file starts */
	uint64_t		 opened;	/* live files attached so far */

	struct ffio		 io;
};

#endif
