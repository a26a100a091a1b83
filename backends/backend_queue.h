/*
 * backend_queue.h: the queue of an MTA as a backend describes it (struct
 * mail_backend's queue, backend.h): how it is listed, which operations
 * change it and how their output is judged; console/act/ runs them.
 */
#ifndef MAILCON_BACKEND_QUEUE_H
#define MAILCON_BACKEND_QUEUE_H

#include <stddef.h>

#include "event.h"
#include "mailq.h"

/* The line of a queue's take between the tool's lines and the records. */
#define TAKE_RECORDS	"mailcon-queue-records"

/* What an operation on queued messages does (an index of op[]). */
enum queue_op {
	QOP_HOLD = 0,	/* keep it queued, never delivered */
	QOP_RELEASE,	/* undo hold */
	QOP_DELETE,	/* remove it (purge) */
	QOP_COUNT
};

/* How a queue op's command is given its ids. */
enum queue_ids {
	QIDS_STDIN = 0,	/* one per line on stdin (postsuper -d -) */
	QIDS_ARGV	/* as the last arguments (exim -Mrm ID...) */
};

/* What one line of a queue op's output says (queue_op->line). */
enum queue_line_kind {
	QLINE_OTHER = 0,	/* not the tool's: kept and shown */
	QLINE_DONE,		/* one message done (id may be set) */
	QLINE_SUMMARY,		/* count messages done, the tool says */
	QLINE_NOT_DONE,		/* one message it skipped (gone, already so) */
	QLINE_BUSY		/* one message it could not touch now (locked
				   by a delivery): worth another try */
};

struct queue_line {
	enum queue_line_kind	 kind;
	size_t			 count;		/* QLINE_SUMMARY */
	struct mail_str		 id;		/* when the line names it */
};

/*
 * One operation on queued messages.  The command is the queue's tool
 * (rendered), then args, then, for QIDS_ARGV, the ids.  The runner
 * (console/act/queue_op.c) checks every id with the queue's id_valid
 * before anything runs (one bad id refuses the whole run: the list came
 * from text an attacker wrote), then runs batches one after another,
 * never one process per message and never past batch_max ids or, for
 * QIDS_ARGV, argv_max bytes of ids (kept well under ARG_MAX, which a
 * remote shell's command line shares).  Each line of output, stdout and
 * stderr alike, goes to line(); what it does not recognise is kept and
 * shown.  "Done" is the sum of the summaries when summary is set (a
 * batch that exits without one fails: not this tool, or not this
 * version), else the count of QLINE_DONE lines.  The messages a line
 * says are busy (QLINE_BUSY with the id: locked by a delivery) are run
 * again, after a pause, a few times, and those still busy are reported.
 */
struct backend_queue_op {
	const char *const	*args;		/* literal words: "-d", "-" */
	const char		*name;		/* in messages ("exim -Mrm");
						   NULL: the tool's first word
						   and args[0] */
	enum queue_ids		 ids;
	size_t			 batch_max;	/* ids per process */
	size_t			 argv_max;	/* QIDS_ARGV: bytes of ids */
	int			 summary;	/* counts come from summaries */
	/*
	 * The exit status with which the tool says "some were not done",
	 * each said on its own line (Exim: 1, for a message gone, already
	 * frozen or locked): a batch that exits so is not a failure when
	 * every line of its output was the tool's.  0: none.
	 */
	int			 partial_exit;
	/* Judge one line (no newline, a "\r" removed); never NULL. */
	void			(*line)(enum queue_op op, const char *p,
				    size_t len, struct queue_line *out);
	/*
	 * The queues the tool can be told to look in alone, by a word
	 * after args (postsuper -d - deferred: one lookup an id, not one in
	 * every queue), as queue_name_string() names them; NULL-terminated,
	 * NULL: none.  Given each id's queue (the read that chose them), the
	 * runner gives each batch the ids of one of these queues; an id the
	 * tool does not say it did (moved since: deferred to active) goes
	 * again at once without the word.  Needs line() to set the id of a
	 * QLINE_DONE line.
	 */
	const char *const	*queue_words;
};

/*
 * The queue of an MTA: how to list it and how to change it.  list runs
 * before and after every hold, release and purge (the selection, then
 * the verification: the ids chosen must be gone or in the new state),
 * unless the server sets queue_command, which the console's queue view
 * also runs every queue_interval; its output must then be in the same
 * form.  The output goes to parse_line one line at a time (a message may
 * span lines: the parser keeps it in its struct queue_parse until the
 * line that ends it, and parse_end gives a last one at the end of the
 * output).  Ids are checked with id_valid before they are kept.  A queue
 * without op[k] cannot do k: "hold: not supported by <backend>".
 *
 * mailcon touches a server's queue only when told where it is: the server
 * sets queue_command or the option named by where (Postfix's
 * postfix_config), so that a console watching logs copied from elsewhere
 * never runs its own machine's queue tools on them.
 */
struct backend_queue {
	const char *const	*list;		/* template */
	const char		*list_name;	/* "postqueue -j" */
	const char		*where;		/* option; see above */
	const char		*hint;		/* when the tool is not found */
	int			(*id_valid)(const char *p, size_t len);
	/* QUEUE_PARSE_OK with *out, QUEUE_PARSE_MORE, or an error */
	int			(*parse_line)(struct queue_parse *st,
				    const char *line, size_t len,
				    struct queue_msg *out);
	/* the output ended: 1 with a last *out, else 0; NULL: none */
	int			(*parse_end)(struct queue_parse *st,
				    struct queue_msg *out);
	const char *const	*tool;		/* template: the op command */
	const struct backend_queue_op *op[QOP_COUNT];
	/*
	 * An account's messages, read where the MTA keeps each message's
	 * login (Exim: the -H spool files' -auth_id), in list's form:
	 * every message of the account's login and every message without a
	 * login (the sender and the log decide those), never another
	 * login's.  A template with %{account}, run instead of list to
	 * choose what hold, release and purge touch, unless the server sets
	 * queue_command.  NULL: list.
	 */
	const char *const	*select;
	/*
	 * The check after hold, release or purge: given the chosen ids on
	 * stdin, one a line, it prints those still queued, in list's form
	 * (with their state), and nothing of the others.  A template (no
	 * account).  NULL: the tool's report checks, or list runs again
	 * (act --verify-read).
	 */
	const char *const	*still;
	const char		*still_name;	/* "Exim's spool": in the
						   verification's words */
	/*
	 * select and op[k] at once, so that the removal starts while the
	 * queue is still read: each message whose login is the account (and
	 * which op k applies to: hold, one not held; release, one held) goes
	 * to the tool as soon as it is read, in batches (never one process a
	 * message, never past ARG_MAX), messages without a login never (the
	 * console decides those, after).  It prints the tool's lines (op[k]'s
	 * line() judges them), then a line TAKE_RECORDS, then select's
	 * records, all on stdout; it exits 0 when every batch ran (some not
	 * done, each said on its line, is no failure).  A template with
	 * %{account}, used instead of select unless the server sets
	 * queue_command.  NULL: select, then op[k].
	 */
	const char *const	*take[QOP_COUNT];
	/*
	 * The console keeps an id in a compact record of [0-9A-Za-z], at
	 * most 24 of them.  An MTA whose ids hold another character (Exim's
	 * two '-', at places its id's length fixes) maps them into that
	 * form (id_pack: the length, 0 when it cannot) and back (id_unpack);
	 * out has room for QUEUE_ID_MAX + 1 bytes.  NULL: kept as they are.
	 */
	size_t			(*id_pack)(const char *id, size_t len,
				    char *out);
	size_t			(*id_unpack)(const char *packed, size_t len,
				    char *out);
};

#endif
