/*
 * audit.h: the audit log of actions, in the history database's audit table.
 *
 * Every action writes its intent before its command runs and its outcome
 * after; then the result of verifying it.  Unlike the history, an audit
 * row must survive a crash the moment it is reported written: the audit
 * has its own sqlite connection to the same file with synchronous=FULL,
 * and each write is its own transaction, never batched.
 *
 * The console must not block on the disk, so writes run on the audit's
 * worker thread.  audit_fd() becomes readable when a write has finished;
 * the poll loop then calls audit_poll(), which runs the callbacks.  The
 * callback of audit_intent() gets the row's id once the intent is durable:
 * only then may the caller run the command.  It gets -1 (and a message)
 * when the intent could not be written: the action must then refuse to
 * run.  Nothing is ever run unaudited.  Where no screen is drawn (mailcon
 * act, mailcon watch --headless) audit_intent_sync() blocks instead.
 *
 * Secrets: the record carries the argv and a bitmask of the words that
 * are secret; the audit quotes the argv for display itself and writes
 * <secret> for those words, for the value of any word naming a password
 * ("password=...", "--pass=...", the word after "--password") and for any
 * occurrence of the strings in rec.secrets, in command and target alike,
 * and later in the command's stderr and the verification (secret.h).
 * Redaction happens in the caller's thread before anything is copied, so a
 * secret never reaches the worker, the database or its -wal file.
 *
 * Account names and servers come from logs (attacker text): they are
 * stored byte-exact, through bound parameters only.  stderr is stored
 * sanitised (sanitize.h) and cut to AUDIT_STDERR_MAX bytes.
 *
 * Rows whose state is still "intent" at start-up are actions whose
 * outcome never came (a crash, kill -9): audit_pending() lists them so the
 * console can verify them, then records what it found with
 * audit_outcome(..., AUDIT_UNKNOWN, ...) and audit_verified().
 */
#ifndef MAILCON_AUDIT_H
#define MAILCON_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#define AUDIT_STDERR_MAX	4096
#define AUDIT_MAX_ARGS		64	/* bits of secret_mask */

struct audit;

enum audit_state {
	AUDIT_INTENT = 0,	/* written before the command runs */
	AUDIT_DONE,		/* it ran and succeeded */
	AUDIT_FAILED,		/* it ran and failed, or could not start */
	AUDIT_UNKNOWN		/* the outcome never came; see verified */
};

/* What an action is about to do.  Strings are borrowed for the call. */
struct audit_rec {
	int64_t			 started;	/* 0: now */
	const char		*operator;	/* login of the admin, or NULL */
	const char		*server;
	const char		*account;
	const char		*action;	/* "suspend", "purge", ... */
	const char		*target;	/* "1,234 queued messages" */
	const char *const	*argv;		/* the exact command, or NULL */
	int			 argc;
	uint64_t		 secret_mask;	/* bit i: argv[i] is secret */
	const char *const	*secrets;	/* NULL-terminated, or NULL */
};

/* One row, for audit_pending() and audit_list(); strings borrowed. */
struct audit_row {
	int64_t			 id;
	int64_t			 started;
	const char		*operator;
	const char		*server;
	const char		*account;
	const char		*action;
	const char		*target;
	const char		*command;
	enum audit_state	 state;
	int			 has_exit;	/* exit_status is set */
	int			 exit_status;
	const char		*counts;
	const char		*stderr_text;
	int64_t			 finished;	/* 0: not yet */
	const char		*verified;	/* NULL: not yet */
	int64_t			 verified_at;
};

/*
 * A write finished: id is the row's (for an intent) or the id given,
 * or -1 with err saying why (err is NULL on success).
 */
typedef void	(*audit_cb)(int64_t id, const char *err, void *arg);
/* audit_pending() and audit_list(); return non-zero to stop. */
typedef int	(*audit_row_cb)(const struct audit_row *, void *);

/*
 * Open the audit on the database at path (store_path() of the history, or
 * its default), creating or upgrading the schema as needed, and start the
 * worker.  NULL with a one-line message naming the file in err.
 */
struct audit	*audit_open(const char *path, char *err, size_t errlen);
/* Finish the writes queued, stop the worker, close.  No callbacks run. */
void		 audit_close(struct audit *a);

/*
 * Queue the intent of rec.  0: cb(id) follows from audit_poll() once it
 * is durable (or cb(-1, why) if it could not be written); -1: refused at
 * once (no action, more than AUDIT_MAX_ARGS words: see audit_error(); a
 * NULL audit, which could not be opened: audit_open() said why); then cb
 * never runs.  Either way the command must not run before cb(id > 0).
 */
int		 audit_intent(struct audit *a, const struct audit_rec *rec,
		     audit_cb cb, void *arg);
/* Write the intent now: the durable row's id, or -1, see audit_error(). */
int64_t		 audit_intent_sync(struct audit *a,
		     const struct audit_rec *rec);
/*
 * Queue the outcome of row id: its state, the exit status (-1: none, it
 * never started or was killed; 128 + signal is the caller's choice),
 * counts ("held 1234 of 1234") and the command's stderr (stderr_len
 * bytes, need not be NUL-terminated).  cb may be NULL.  Every one of
 * secrets (NULL-terminated, or NULL) in counts and stderr is written as
 * <secret>, in the caller's thread: a command that echoes the password it
 * was given leaves none in the database.
 */
int		 audit_outcome(struct audit *a, int64_t id,
		     enum audit_state state, int exit_status,
		     const char *counts, const char *stderr_text,
		     size_t stderr_len, const char *const *secrets,
		     audit_cb cb, void *arg);
/* Queue the verification of row id: "ok", or "failed: " and text, the
   secrets scrubbed from it as by audit_outcome(). */
int		 audit_verified(struct audit *a, int64_t id, int ok,
		     const char *text, const char *const *secrets,
		     audit_cb cb, void *arg);
/*
 * Block until every queued write is done (CLI path, tests).  0, or -1 when
 * a write failed since the last call (audit_error() says which).
 */
int		 audit_sync(struct audit *a);

/* Readable when a write has finished. */
int		 audit_fd(struct audit *a);
/* After audit_fd() was readable: run the callbacks; -1 if a write failed. */
int		 audit_poll(struct audit *a);
/* The last failure, a one-line message naming the file; NULL if none. */
const char	*audit_error(struct audit *a);

/*
 * Rows still in state intent, oldest first (blocks: for start-up).  A
 * mailcon running at the same time (watch --headless) may have an action
 * in flight: its row is listed too, so verify before calling it unknown.
 */
int		 audit_pending(struct audit *a, audit_row_cb cb, void *arg);
/* Rows started at or after since, oldest first (blocks). */
int		 audit_list(struct audit *a, int64_t since, audit_row_cb cb,
		     void *arg);

/* "intent", "done", "failed", "unknown". */
const char	*audit_state_name(enum audit_state s);
/*
 * The display form of argv as written to the audit: shell-quoted, secrets
 * as <secret> (--dry-run prints the same).  As snprintf: the length it
 * needs; the output (always NUL-terminated when size > 0) is cut when that
 * is >= size.
 */
int		 audit_command(const struct audit_rec *rec, char *buf,
		     size_t size);

#endif
