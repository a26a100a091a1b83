/*
 * source.h: every kind of log source behind one contract, struct
 * source_ops, in the manner of ncdu's dir.h and tig's view.h; the owner
 * (live/server.c) holds a struct logsource and never asks which kind it
 * is.
 *
 * The kinds, each a named const ops in the NULL-terminated registry
 * source_kinds[] (source.c):
 *
 *   "file"         a local file, followed as tail -F does (follow.h)
 *   "command"      a local command's output, restarted when it ends
 *                  (cmdfollow.h: journalctl -f on this machine)
 *   "ssh-file"     a file on a server, over its SSH connection (rfollow.h)
 *   "ssh-journal"  the journal of a server, over SSH (jfollow.h)
 *
 * A new kind (issue 19's central log host, whose aggregated stream names
 * each line's origin server) is one new file that fills a struct
 * source_ops, plus its entry in source_kinds[]: nothing here or in the
 * owner changes.  What it needs of the owner comes in struct source_spec
 * (at open) and struct source_env (at each poll); a line that names its
 * origin is handed on as any other, and the owner routes it by the host
 * name logline_split() finds in it.
 *
 * Call order: open, then poll from the loop (about every 100 ms, and
 * again at once while it answers FOLLOW_MORE), state/error/label/
 * starting between polls, close once.  Lines and gaps go to the callbacks
 * of struct source_cbs: during poll for a local kind, from the loop for
 * the others (the loop reads a command's pipe, the SSH connection's step
 * delivers a channel's bytes).  The callbacks must not close the source.
 */
#ifndef MAILCON_SOURCE_H
#define MAILCON_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "follow.h"

struct loop;
struct ssh_conn;

/* What a source is opened on.  Only read during open (copied). */
struct source_spec {
	const char	*path;		/* file kinds: the log, on its host */
	char *const	*argv;		/* "command": what to run */
	const char	*dir;		/* "ssh-journal": journalctl -D, or
					   NULL for the system's */
	int		 sudo;		/* "ssh-journal": through sudo -n -- */
	int		 from_start;	/* read what is there, not from now */
};

/* Where a source delivers, with arg: copied at open; arg must outlive
   the source. */
struct source_cbs {
	follow_line_cb	 line;		/* one line, without its newline */
	follow_gap_cb	 gap;		/* a part of the log that was lost */
	void		*arg;
};

/* What a poll may use.  Borrowed for the call. */
struct source_env {
	struct ssh_conn	*ssh;		/* the server's connection, or NULL */
	struct loop	*loop;		/* where a child it starts and its
					   pipes are watched; NULL: read in
					   poll */
};

struct source_ops {
	/* The kind, as source_kind() finds it: "file", "ssh-journal" ... */
	const char	*name;
	/* 1: it reads over the server's SSH connection, and poll is only
	   called while the server has one (struct source_env's ssh). */
	int		 remote;
	/*
	 * A new source on spec, delivering to cbs.  Never NULL: a source
	 * that cannot start says why in its state.  Does no I/O that
	 * could block (a file is opened O_NONBLOCK; a command and a remote
	 * program start at the first poll, with what its env gives).
	 */
	void		*(*open)(const struct source_spec *spec,
			    const struct source_cbs *cbs);
	/* Stop, kill what it started (a command, a remote program's
	   channel) and free it.  Nothing is delivered from here on. */
	void		 (*close)(void *self);
	/*
	 * Move on: read at most budget bytes (0: FOLLOW_BUDGET) where it
	 * reads itself, start or restart what must run, notice an end.
	 * Returns FOLLOW_MORE (more is waiting: poll again soon) and
	 * FOLLOW_CHANGED (its state or error changed) bits.
	 */
	int		 (*poll)(void *self, const struct source_env *env,
			    int64_t now_ms, size_t budget);
	/* FOLLOW_LIVE while it delivers what is written; else why not. */
	enum follow_state (*state)(const void *self);
	/* "NAME: why" in plain words when not live (escaped: it may hold a
	   server's words), else NULL.  Owned by the source. */
	const char	*(*error)(const void *self);
	/* What messages call it: the path, "journal DIR", the command. */
	const char	*(*label)(const void *self);
	/*
	 * Nothing read yet and nothing gone wrong: the owner says
	 * "starting" rather than the error.  NULL: never (a local kind
	 * answers at its first poll).
	 */
	int		 (*starting)(const void *self);
};

/* The kinds, NULL-terminated; and one of them by name (NULL: none). */
extern const struct source_ops *const source_kinds[];
const struct source_ops	*source_kind(const char *name);

/*
 * One open source of any kind, for its owner: which kind, its own state,
 * and what the owner was last told (so that every change of state or
 * error is traced, whichever path it came by).
 */
struct logsource {
	const struct source_ops	*ops;
	void			*self;
	enum follow_state	 was;		/* last seen */
	int			 was_starting;
	uint32_t		 was_error;	/* hash of the last error */
	char			 owner[64];	/* the server, for the trace */
};

/*
 * Open a source of kind (a name in source_kinds[]) for owner (a name for
 * the trace).  0, or -1 when there is no such kind.
 */
int		 logsource_open(struct logsource *ls, const char *kind,
		    const char *owner, const struct source_spec *spec,
		    const struct source_cbs *cbs);
void		 logsource_close(struct logsource *ls);
/* ops->poll, skipped for a remote kind without a connection; the
   result has FOLLOW_CHANGED when the state or error changed since. */
int		 logsource_poll(struct logsource *ls,
		    const struct source_env *env, int64_t now_ms,
		    size_t budget);
/* Look at the state between polls (a remote source changes as its
   connection delivers); 1 when it changed since it was last seen. */
int		 logsource_check(struct logsource *ls);
enum follow_state logsource_state(const struct logsource *ls);
const char	*logsource_error(const struct logsource *ls);
const char	*logsource_label(const struct logsource *ls);
int		 logsource_starting(const struct logsource *ls);

#endif
