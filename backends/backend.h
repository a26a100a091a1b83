/*
 * backend.h: the seam between mail systems and the rest of mailcon.
 *
 * A backend is everything mailcon knows of one mail system, written down
 * as data and pure functions: which lines of its logs mean what, where its
 * logs and configuration live, how its queue is listed and changed, how an
 * account is refused or given a new password, and which [server] keys say
 * where its files are.  It does no I/O.  It describes commands (argv
 * templates, below) and parses bytes; the console runs the commands on a
 * transport (cmdrun: a local process, or an exec channel over SSH) and
 * hands the output back to the backend's parsers, so a server here and a
 * server behind SSH are one code path, and fixtures drive the tests.
 *
 * The model is OpenSMTPD's struct table_backend (smtpd.h, table.c): one
 * named const struct per mail system in a NULL-terminated registry
 * (mail_backends[], backend.c), looked up by name or picked by a probe,
 * and an op left NULL answers "not supported" (table.c's ENOTSUP): the
 * console says "hold: not supported by exim" and runs nothing.  Adding a
 * mail system is adding a folder under backends/ with one such struct and
 * a line in the registry (README.md, "Adding a mail system").
 *
 * Roles.  A server has an MTA (the queue, its outbound mail, refusing the
 * mail of an authenticated login) and an authentication service (refusing
 * logins, passwords), which may be different mail systems: Postfix with
 * Dovecot today; Exim with Dovecot, and Exim with cPanel (one backend with
 * both roles), next.  [server] backend = and auth = name them, or leave
 * them to the probe (backend_probe()); the console asks each role for its
 * part (server_mta() and server_auth() in config.h).
 *
 * Call order, for one server:
 *   1. config load: every [server] key that is not the console's is looked
 *      up in the backends' option tables (backend_option_find()) and its
 *      value checked by its type;
 *   2. start: the roles are settled (by name, by the keys set, or by
 *      backend_probe() on the server's answer) and discovery asks where
 *      the logs are (struct backend_discovery);
 *   3. every line read: backend_parse_any() (each backend's claims then
 *      parse_line), backend_redact() before the line is shown;
 *   4. every queue_interval: the MTA's queue->list runs, its output goes
 *      to queue->parse_line line by line;
 *   5. an action: the console checks it can (every step it needs is there
 *      and every option the step names is set), renders each step's
 *      template (backend_render(), backend_step_argv()), runs it, and
 *      reads its answer with the step's or the queue op's parser.
 *   6. before a suspend, unsuspend or reset (and its dry run), and in
 *      `mailcon check`: each role's wiring->read runs once and its
 *      output goes to wiring->judge, which says what the live
 *      configuration does not read (struct backend_wiring).
 *
 * Ownership.  Everything a backend declares is static and const.  Strings
 * a parser returns (struct mail_event, struct mail_str) are BORROWED from
 * the bytes it was given and valid only until the caller reuses them;
 * argvs the render functions return are the caller's (backend_argv_free()).
 *
 * How Exim fits (backends/exim/):
 *   its queue listing (exipick -bpr with each message's login, or exim
 *	-bpr, -bpi) spans lines per message; an account's messages are
 *	read from the -H spool files themselves (select), and so is the
 *	check that the chosen ones are gone or frozen (still); parse_line
 *	keeps the message in its struct queue_parse and returns
 *	QUEUE_PARSE_MORE until the blank line that ends it; its ids keep
 *	two '-' that a record cannot hold: id_pack and id_unpack.  Freeze,
 *	thaw and -Mrm get the ids on stdin, which xargs on the server hands
 *	to exim (QIDS_STDIN: as few exim processes as its argument limit
 *	allows), and exit 1 when any was not done (partial_exit); "is locked" lines are
 *	QLINE_BUSY, tried again and said.  The listing's login of each
 *	message (mailq.h, auth_hash) decides which are an account's.
 *	Suspend: a lookup file an ACL reads (refuse_add) beside Dovecot's
 *	deny passdb.
 *   cPanel ("exim-cpanel"): one backend with both roles, account steps
 *	that call whmapi1 and uapi, whose JSON answer decides (struct
 *	backend_step, answer); its check part given once.
 * Not written yet:
 *   A policy service (Postfix's check_policy_service, Exim's readsocket
 *	ACL) is the MTA role's: server_mta() says which protocol a server's
 *	MTA speaks.
 * Ending a suspended account's open sessions is struct backend_accounts'
 * sessions_end, of either role (Postfix: the smtpd pids of its sessions,
 * checked against /proc; Dovecot: doveadm kick), NULL where not supported.
 */
#ifndef MAILCON_BACKEND_H
#define MAILCON_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "backend_discovery.h"
#include "backend_wiring.h"
#include "event.h"
#include "mailq.h"

/* ------------------------------------------------------------------ */
/* Options: the [server] keys a backend reads                          */
/* ------------------------------------------------------------------ */

enum backend_opt_type {
	BOPT_PATH = 0,	/* an absolute path of printable characters */
	BOPT_WORD,	/* a name: letters, digits, '-', '.', '_'; at most 32 */
	BOPT_COMMAND	/* words split on blanks (no shell, no quoting) */
};

/*
 * One key of [server NAME], as tmux's options-table.c declares its
 * options: the config parser takes every key of every backend's table
 * (values checked by type: config_act.c), the example configuration and
 * mailcon(1) are checked against the tables (test_config_keys.c), and a
 * template names the option by its name.  A name is the key as written
 * and unique across backends.
 */
struct backend_option {
	const char		*name;		/* "deny_file" */
	enum backend_opt_type	 type;
	const char		*def;		/* when not set; NULL: none, and
						   what needs it is not offered */
	const char		*help;		/* one line, for mailcon(1) */
	const char		*example;	/* "like SHA512-CRYPT", for the
						   message when a value is bad */
};

/* ------------------------------------------------------------------ */
/* Templates: the commands a backend describes                         */
/* ------------------------------------------------------------------ */

/*
 * A template is a NULL-terminated array of words, rendered into an argv
 * by backend_render() from the account and the server's option values:
 *
 *   %{account} %{localpart} %{domain}
 *		the account (checked with account_is_valid() and not "ALL"
 *		nor starting with '.') and its parts, in any part of a word;
 *   %{NAME}	the value of option NAME (its default when not set; a
 *		template naming an option that has neither is refused, and
 *		the console does not offer the step: backend_needs()).
 *		A path or a word may stand in any part of a word; a command
 *		must be the whole word and becomes its words;
 *   %{NAME?}	the whole word: the value, or an empty word when it is not
 *		set (a positional parameter a script may leave out);
 *   %{?NAME}word
 *		"word" (rendered) only when NAME is set, else no word at
 *		all ("-c" and its directory only when postfix_config is set).
 *
 * A '%' not followed by '{' is itself.  Values are never split (but a
 * command's) and never reach a local shell: argv goes to execvp, and
 * over SSH every word is quoted once more.  Queue ids are no
 * placeholder: the queue runner adds them (struct backend_queue_op).
 */

/* The values a template is rendered from.  Borrowed, read during the
   call only. */
struct backend_env {
	const char	*account;	/* NULL: no account in this command */
	/*
	 * The server's value of option name, or NULL when it is not set
	 * (then the option's default applies).  For a command, *words gets
	 * its words (NULL-terminated); else *words is NULL.
	 */
	const char	*(*opt)(void *arg, const char *name,
			    char *const **words);
	void		*arg;
	int		 lock_wait;	/* seconds a step waits for a lock */
	/*
	 * %{pids}: process ids, decimal, one space between (what the log's
	 * headers named for the account's sessions: a step must check each
	 * is what it should be before it signals it); NULL: none, and a
	 * template that names it does not render, unless addrs names some
	 * (then it renders as "").
	 */
	const char	*pids;
	/*
	 * %{addrs}: IP addresses (digits, hex, '.' and ':'), one space
	 * between: where the account's logins came from lately (any log's
	 * login lines, Dovecot's before the session sends anything); a step
	 * ends only its own session processes' connections from them.
	 * NULL: none (renders as "").
	 */
	const char	*addrs;
};

/*
 * One step of an account action: a fixed /bin/sh program of the
 * backend's, run as `/bin/sh -c "lock_wait=N\nSCRIPT" NAME ARGS...`, so
 * every value arrives as a positional parameter and is only expanded in
 * double quotes; or, with no script, args is the whole command.
 *
 * The contract of a script: exit 0 when done (or nothing was left to
 * do), else 3 with one line on stderr saying why (a step that checks may
 * define exit 4, below); "note: ..." lines on stderr of a step that
 * succeeded are told to the user (a stale lock taken over).  A script
 * that changes a file holds FILE.mailcon.lock (flock(1)) for at most
 * lock_wait seconds before it says "busy: another mailcon is changing
 * FILE (pid P on HOST, for N s)": two admins and a headless watch act at
 * once (fileedit.h).  The password of a step with BSTEP_PASSWORD comes on
 * stdin, never in argv.
 */
#define BSTEP_PASSWORD	0x01	/* the new password on its stdin */
#define BSTEP_REMOVES	0x02	/* edit: the line is taken out */

struct backend_step {
	const char		*name;	/* $0: "mailcon-deny-add"; in ps,
					   messages and the audit */
	const char		*script;	/* NULL: args is the command */
	const char *const	*args;	/* template: $1... */
	unsigned		 flags;	/* BSTEP_* */
	const char		*what;	/* what it does, in plain words (the
					   audit's target) */
	const char		*ok;	/* a check's success, in plain words
					   (the verification shown) */
	/*
	 * The line it writes, for the dry run's summary: a template of
	 * two words, the file and the line ("%{deny_file}", "%{account}");
	 * with BSTEP_REMOVES the line of the account it takes out.  NULL:
	 * it edits no file line by line.
	 */
	const char *const	*edit;
	/*
	 * A tool that answers in its output, not by its exit status
	 * (cPanel's whmapi1 and uapi print JSON with a status and exit 0
	 * either way): its stdout (the first 8 KiB) judged once it exited
	 * 0: 1 done, 0 failed with why (size bytes, plain words).  NULL:
	 * exit 0 is done.
	 */
	int			(*answer)(const char *out, size_t len,
				    char *why, size_t size);
};

/*
 * A backend's part of the check that an account is suspended: a fragment
 * of /bin/sh, run after the account ($a) is set, that takes its own
 * arguments from "$1"... with shift (the MTA's part, which comes last,
 * may take the rest) and sets v to 1 when the account is refused, 0 when
 * not; it may die (need_file, die: fileedit.h) when it cannot tell.  The
 * auth role's part and the MTA's make one command (backend_check_argv()),
 * which prints "KEY=V" for each, so the check is one round trip; a
 * backend that takes both roles (cPanel) gives its part once.
 */
struct backend_check {
	const char		*key;	/* "deny": letters only */
	const char		*script;
	const char *const	*args;	/* template */
	const char		*on;	/* "logins refused (listed in the deny
					   passdb)" */
	const char		*place;	/* "the deny passdb" */
	const char		*label;	/* "deny passdb" */
	const char		*yes;	/* "listed" */
	const char		*no;	/* "not listed" */
};

/*
 * Account control.  Every member may be NULL: that step is "not
 * supported by <backend>", and so is an action that needs it, unless the
 * site set its own command (suspend_command, unsuspend_command,
 * password_command: console templates with the same placeholders).
 *
 * suspend runs the auth role's deny_add, then the MTA role's refuse_add
 * (when that fails, deny_del undoes the first), then holds the account's
 * queued mail, then the check (both roles' parts in one command);
 * unsuspend runs refuse_del, then deny_del, then the check.  A password
 * reset runs passwd_set (the password on stdin), then passwd_check
 * against what is on disk, after the lock is let go: exit 4 there means
 * the password in place is not the one just set (a later change replaced
 * it), and the password is then never shown.
 */
struct backend_accounts {
	/* auth role */
	const struct backend_step	*deny_add;	/* refuse its logins */
	const struct backend_step	*deny_del;
	const struct backend_step	*passwd_set;
	const struct backend_step	*passwd_check;
	/* MTA role */
	const struct backend_step	*refuse_add;	/* refuse its mail */
	const struct backend_step	*refuse_del;
	/*
	 * Either role, after a suspension: end its sessions that are open
	 * (refuse_add reaches only new ones).  The MTA's takes %{pids}, the
	 * processes the log's headers named for its sessions, and %{addrs},
	 * where its logins came from lately (the sessions of those that are
	 * the MTA's session servers, for sessions that logged nothing yet;
	 * either may be empty, not both), checks each is
	 * the MTA's session server under the right instance and ends only
	 * those (their client connections cut where it can, so the server
	 * process lives on; else a signal); the auth role's (doveadm kick)
	 * names the account.  Both print "ended=N skipped=M" on stdout, and
	 * "killed=K" when K of the N were ended by a signal to the process
	 * (a mail system may then be slow to start new sessions: Postfix's
	 * master throttles).  NULL: not supported.
	 */
	const struct backend_step	*sessions_end;
	/* either role: its part of the suspension's check */
	const struct backend_check	*check;
	/*
	 * Auth role: the list deny_add writes, as a file the policy service
	 * (console/policy/) reads by itself, without a command and without
	 * its lock (deny_add renames a whole new file over it): deny_list is
	 * the option naming the file, deny_line a pure parser of one of its
	 * lines (no newline): 1 with the login in *out (borrowed), 0 for a
	 * line that names none.  NULL: the policy service cannot see who is
	 * suspended on this system.
	 */
	const char			*deny_list;	/* "deny_file" */
	int				(*deny_line)(const char *p, size_t len,
					    struct mail_str *out);
};

/* ------------------------------------------------------------------ */
/* The queue                                                           */
/* ------------------------------------------------------------------ */

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

/* ------------------------------------------------------------------ */
/* The backend                                                         */
/* ------------------------------------------------------------------ */

struct redact;

#define BROLE_MTA	0x1	/* queue, outbound mail, refusing mail */
#define BROLE_AUTH	0x2	/* logins, passwords */

struct mail_backend {
	const char	*name;		/* as configured: "postfix" */
	unsigned	 roles;		/* BROLE_* it can take */

	/*
	 * Turn one already-split line into its events.  out has room for
	 * MAIL_LINE_EVENTS events; the parser fills out[0..n-1] and returns
	 * n, 0 when the line is ours or foreign but carries no event
	 * (out[0] is then all zero).  Time and raw are the caller's.  A
	 * backend whose lines carry one event each (Postfix, Dovecot) only
	 * ever writes out[0] and returns 0 or 1.  Never reads outside
	 * [h->msg.p, h->msg.p + h->msg.len).  Every backend's parser sees
	 * every server's lines (one log often holds two systems'), so it
	 * must check the tag itself.  NULL: the system's lines are not read.
	 */
	int		(*parse_line)(const struct log_header *h,
			    struct mail_event out[MAIL_LINE_EVENTS]);
	/*
	 * Whether a tag may be this backend's at all (NULL: any).  A cheap
	 * filter, so that backend_parse_any does not run every parser on
	 * every line; parse_line must still check the tag itself.
	 */
	int		(*claims)(const struct mail_str *prog);
	/*
	 * Mark the secrets a raw line shows (redact.h), whether or not the
	 * line splits or is this backend's: a password a client typed, a
	 * hash, a credential in a protocol dump.  NULL: none are logged.
	 */
	void		(*redact)(struct redact *r);

	/* The [server] keys it reads; ends with a NULL name.  NULL: none. */
	const struct backend_option	*options;
	/* Where things are.  NULL: nothing to discover, never probed. */
	const struct backend_discovery	*discover;
	/* The MTA's queue.  NULL: no queue view, no hold/release/purge. */
	const struct backend_queue	*queue;
	/* Account control.  NULL: none of it. */
	const struct backend_accounts	*accounts;
	/* Whether the live configuration reads what the account steps
	   change.  NULL: nothing to check. */
	const struct backend_wiring	*wiring;
};

extern const struct mail_backend backend_postfix;
extern const struct mail_backend backend_dovecot;
extern const struct mail_backend backend_exim;
extern const struct mail_backend backend_exim_cpanel;

/* NULL-terminated registry: the parse order, and the probe's. */
extern const struct mail_backend *const mail_backends[];

/* A backend by its configured name; NULL when there is none. */
const struct mail_backend *backend_find(const char *name);
/* The first backend of the registry that takes role (and no other, if
   one does): what a server whose probe found nothing is taken to run
   (Postfix, Dovecot). */
const struct mail_backend *backend_default(unsigned role);
/* The declaration of a [server] key in any backend, and which one; NULL
   when no backend reads it. */
const struct backend_option *backend_option_find(const char *name,
	    const struct mail_backend **owner);
/* The i-th option of all backends together (no repeats), while not NULL. */
const struct backend_option *backend_option_at(size_t i,
	    const struct mail_backend **owner);

/*
 * The probe: which system of role a server runs, from which of the
 * backends' discover->probe paths exist there.  exists() is asked about
 * each path (locally: access(); over SSH: the output of the command
 * backend_probe_argv() gives, through backend_probe_seen()).  The first
 * backend of the registry with a path there, or NULL.
 */
const struct mail_backend *backend_probe(unsigned role,
	    int (*exists)(const char *path, void *arg), void *arg);
/* The command that prints, one a line, which of all probe paths exist
   (allocated; backend_argv_free). */
char	**backend_probe_argv(void);
/* backend_probe()'s exists() over that command's output (arg: a struct
   mail_str of it). */
int	 backend_probe_seen(const char *path, void *arg);

/*
 * Render a template of b's (its options' defaults) into a new argv,
 * NULL-terminated, the caller's (backend_argv_free).  NULL with err when
 * a placeholder is unknown, a value fails its grammar or a needed option
 * has no value: nothing may run.
 */
char	**backend_render(const struct mail_backend *b,
	    const char *const *tmpl, const struct backend_env *env, char *err,
	    size_t errlen);
/* The whole command of a step: /bin/sh -c "lock_wait=N\nSCRIPT" NAME ARGS,
   or its args when it has no script.  As backend_render. */
char	**backend_step_argv(const struct mail_backend *b,
	    const struct backend_step *st, const struct backend_env *env,
	    char *err, size_t errlen);
/*
 * The suspension check of auth and mta (both parts set): one /bin/sh
 * command "mailcon-check" that prints "KEY=V ..." on one line.  The
 * script alone: backend_check_script() (allocated, free()).
 */
char	**backend_check_argv(const struct mail_backend *auth,
	    const struct mail_backend *mta, const struct backend_env *env,
	    char *err, size_t errlen);
char	*backend_check_script(const struct mail_backend *auth,
	    const struct mail_backend *mta);
/*
 * The options a template needs that have no value in env (set or
 * default), appended to names (up to max, without repeats) in the order
 * met; returns how many names there are now.  The console offers what
 * needs none.
 */
size_t	 backend_needs(const struct mail_backend *b, const char *const *tmpl,
	    const struct backend_env *env, const char **names, size_t n,
	    size_t max);
void	 backend_argv_free(char **argv);
/* Split a command on blanks into a new argv (no quoting, no shell). */
char	**backend_split(const char *s);

/* ------------------------------------------------------------------ */
/* Logs                                                                */
/* ------------------------------------------------------------------ */

/*
 * Parse one line with every backend in turn (Postfix and Dovecot logs are
 * often one file): the first backend that finds events in it wins.  Sets
 * out->n and returns it; each event gets the header's time.  The struct
 * (not a bare event pointer) is the type so that a caller with room for
 * one event only does not compile.
 */
int	backend_parse_any(const struct log_header *h, struct mail_events *out);

/*
 * The line as it may be shown, stored or sent anywhere: every secret the
 * backends know of replaced by "<hidden>".  h is the line's header when it
 * split (a backend may then skip lines of a daemon that logs no secret of
 * its kind), or NULL.  1 with the copy in out (size bytes, NUL-terminated,
 * cut to fit; REDACT_ROOM beyond len always fits it whole) and its length
 * in *outlen; 0 when the line shows no secret (out is then unused: show
 * the line itself).  Parse the original, show this: it is the one seam
 * every raw line passes on its way out.
 */
#define REDACT_ROOM	512
int	backend_redact(const char *line, size_t len,
	    const struct log_header *h, char *out, size_t size,
	    size_t *outlen);

#endif
