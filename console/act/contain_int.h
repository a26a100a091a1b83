/*
 * contain_int.h: what contain.c, contain_plan.c and contain_queue.c share:
 * an action in progress, and the commands it runs: the steps and queue
 * operations of the server's backends (backends/backend.h), rendered with
 * the server's option values.  Every argv is NULL-terminated and owned by
 * the caller (cp_argv_free).
 */
#ifndef MAILCON_CONTAIN_INT_H
#define MAILCON_CONTAIN_INT_H

#include <stddef.h>
#include <stdint.h>

#include "contain.h"
#include "queue_op.h"
#include "backends/backend.h"
#include "config/config.h"
#include "net/cmdrun.h"

struct queue_snapshot;
struct queue_take;
struct wiring_report;
struct wiring_run;

#define CONTAIN_STEP_MS		60000	/* a command */
#define CONTAIN_QUEUE_MS	300000	/* reading a 3-million-message queue */
#define CONTAIN_MAX_ROWS	8	/* audit rows one action writes */

enum phase {
	P_START = 0,
	/* suspend */
	P_SUS_MAP, P_SUS_MAP_DONE, P_SUS_DENY, P_SUS_DENY_DONE, P_SUS_WIRED,
	P_SUS_UNDO_DONE, P_SUS_TMPL_DONE,
	P_SUS_END, P_SUS_END_DONE, P_SUS_END2, P_SUS_END2_DONE,
	P_SUS_KICK, P_SUS_KICK_DONE, P_SUS_HOLD,
	/* unsuspend */
	P_UNS_MAP, P_UNS_MAP_DONE, P_UNS_DENY_DONE, P_UNS_TMPL_DONE,
	/* either: the check of both entries */
	P_CHECK, P_CHECK_DONE,
	/* reset */
	P_PW_SET_DONE, P_PW_CHECK_DONE,
	/* queued mail */
	P_Q_READ, P_Q_READ_DONE, P_Q_RUN_DONE, P_Q_VERIFY_DONE,
	P_FINISHED
};

enum op { OP_NONE = 0, OP_AUDIT, OP_CMD, OP_QREAD, OP_QOP, OP_WIRE,
	OP_QTAKE };

/* One action in progress (contain.c, contain_queue.c). */
struct contain {
	struct contain_request	 req;
	const struct server_config *sc;
	const struct mail_backend *mta;		/* its systems: server_mta() */
	const struct mail_backend *auth;	/* and server_auth() */
	char			 account[256];
	char			 operator[64];
	struct audit		*audit;
	struct contain_result	 res;
	enum phase		 phase;
	int			 deadline_ms;
	/* where its commands run: here, or over req.ssh (sshtarget.h) */
	struct cmdrun_via	 via;
	char			 via_user[256];
	char			 via_where[300];	/* "over SSH as ..." */

	/* the step running */
	enum op			 op;
	const struct backend_step *step;	/* a backend's, or NULL */
	char			**argv;		/* its command */
	size_t			 argv_shown;	/* words skipped in the audit */
	char			 what[512];	/* audit target, plain words */
	int			 with_password;	/* password on its stdin */
	int			 audited;
	int64_t			 audit_id;	/* this step's row */
	struct cmdrun		*cmd;
	struct queue_read	*qr;
	struct queue_op_run	*qo;
	enum op			 after_audit;	/* the op the intent waits for */
	int			 last_ok;
	int			 last_status;	/* its exit status */
	char			 last_err[1024];
	char			 last_out[256];	/* its stdout (the check's) */
	int			 partial;	/* suspended, its mail not held */

	/* audit rows written, for the verification */
	int64_t			 rows[CONTAIN_MAX_ROWS];
	size_t			 nrows;

	/* queued mail: the ids chosen, sorted, in one buffer, each after
	   the byte of its queue (cq_queue) */
	enum queue_op		 qop;
	char			*idbuf;
	const char		**ids;
	size_t			 nids;
	uint64_t		 beyond_cap;	/* queue records not examined */
	/*
	 * the take (contain_take.c): the read that gave the tool each
	 * message of the account's login as it went; what it did, and the
	 * chosen ids left for the op (into idbuf; NULL: all of ids)
	 */
	struct queue_take	*qt;
	int			 took;
	size_t			 take_done;
	const char		**opids;
	size_t			 nopids;
	int			 deny_done, map_done;

	/* the server's wiring, read before the first step (wiring.h) */
	struct wiring_run	*wire;
	struct wiring_report	*wrep;		/* NULL until read */
	/* a dry run of a server it cannot reach now: why its checks were
	   not made ("" when they were) */
	char			 offline[512];
	char			 sus_counts[256];	/* req.counts' words */
	char			*pids;		/* req.pids, checked; or NULL */
	char			*pids_ended;	/* those the first pass was
						   given; or NULL */
	char			*addrs;		/* req.addrs_now's; or NULL */
	char			 spared[256];	/* its words for the addresses
						   left out, this pass's */
	char			 spared_say[256];	/* the last pass's
						   that left some out: said at
						   the end */
	unsigned		 ended;		/* sessions ended */
	/* what ending the SMTP sessions did, said after what the
	   suspension is (refused, or PARTLY DONE): "" once said */
	char			 ended_say[1024 + 64];
	size_t			 qo_lines;	/* the tool's per-message lines */
	size_t			 qo_busy;	/* messages it could not touch */
	size_t			 qo_shown;	/* progress last told */
};


void	 cp_argv_free(char **v);
/* The MTA's queue tool, with -c and the like: the queue op adds the rest. */
char	**cp_queue_tool_argv(const struct server_config *sc);
/* The whole command of op as it runs, without the ids (for a dry run). */
char	**cp_queue_op_argv(const struct server_config *sc, enum queue_op op);
/* The server's queue_command, else its MTA's listing. */
char	**cp_queue_list_argv(const struct server_config *sc);
/* The read that chooses account's messages: the MTA's select, else the
   listing (backend.h). */
char	**cp_queue_select_argv(const struct server_config *sc,
	    const char *account);
/* The MTA's take of op for account (backend.h); NULL when it has none,
   or the server sets queue_command. */
char	**cp_queue_take_argv(const struct server_config *sc,
	    const char *account, enum queue_op op);
/* The MTA's check of which chosen ids are still queued (their ids on its
   stdin); NULL when it has none or the server sets queue_command. */
char	**cp_queue_still_argv(const struct server_config *sc);
int	 cp_queue_has_still(const struct server_config *sc);
/*
 * A step of b's for the account: /bin/sh -c SCRIPT NAME and its
 * arguments (backend_step_argv()); the script waits at most lock_wait
 * seconds (at least 1) for its file's lock.  NULL with err.
 */
char	**cp_step_argv(const struct mail_backend *b,
	    const struct backend_step *st, const struct server_config *sc,
	    const char *account, int lock_wait, char *err, size_t errlen);
/* The suspension check of the server's two roles; NULL with err. */
char	**cp_check_argv(const struct server_config *sc, const char *account,
	    int lock_wait, char *err, size_t errlen);
/* The queue operation of hold, release or purge. */
enum queue_op cp_queue_op(enum contain_action a);
/* Can the server check a suspension (both roles have their part)? */
int	 cp_check_possible(const struct server_config *sc);
/* The lock wait of c's steps: half a step's deadline, so a busy file is
   told as busy before the step times out. */
int	 cp_lock_wait(const struct contain *c);
/* A site's template with the account's values; NULL with err. */
char	**cp_template_argv(const char *tmpl, const char *account, char *err,
	    size_t errlen);
/* A new password into buf (CONTAIN_PW_LEN + 1); -1 without randomness. */
int	 cp_password(char *buf, size_t size);

/* Append plain words to the result's text, "; " between parts. */
void	 contain_say(struct contain *c, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* The end: the outcome, and the verification on every row written. */
void	 contain_finish(struct contain *c, enum contain_outcome o);
/* The password made for this action, as a secrets list (or NULL). */
const char *const *contain_secrets(const struct contain *c,
	    const char *list[2]);

/*
 * contain_step.c: one step.  contain_run() makes argv (taken) the step,
 * its intent audited first when audited (shown: leading words the audit
 * leaves out); the *_step functions advance the op running and return 1
 * once it has ended; contain_step_clear() keeps what it printed and frees
 * it.
 */
void	 contain_run(struct contain *c, enum op op, char **argv,
	    size_t shown, int audited, int with_password, const char *fmt,
	    ...) __attribute__((format(printf, 7, 8)));
int	 contain_cmd_step(struct contain *c, int64_t now);
int	 contain_qread_step(struct contain *c, int64_t now, enum phase next);
int	 contain_qop_step(struct contain *c, int64_t now);
void	 contain_step_clear(struct contain *c);
/* The outcome of the audited step that just ended (counts: NULL, or its
   words). */
void	 contain_outcome(struct contain *c, int ok, int status,
	    const char *counts, const char *err, size_t errlen);
/* A step of b's for c's account; NULL when it does not render (then c is
   refused and finished). */
char	**contain_step_argv(struct contain *c, const struct mail_backend *b,
	    const struct backend_step *st);
/* That step as the next one (what: NULL for its own words); -1 refused. */
int	 contain_step_of(struct contain *c, const struct mail_backend *b,
	    const struct backend_step *st, int audited, const char *what);
/*
 * A step that may be left out (ending its sessions) as the next one, with
 * %{pids} (or NULL); -1, said but not finished, when it does not render.
 */
int	 contain_step_extra(struct contain *c, const struct mail_backend *b,
	    const struct backend_step *st, const char *pids);
/* A site's template as the next step; -1 when it does not render. */
int	 contain_template(struct contain *c, const char *tmpl,
	    int with_password, const char *what);
/*
 * Start reading the queue: to choose the account's messages, or, after
 * the operation (again), to check the chosen ones: by the MTA's still
 * when it has one (the ids on its stdin), else by listing it again.
 * contain_queue_op(): the queue operation c->qop on c->ids.
 */
void	 contain_read_queue(struct contain *c, int64_t now, int again);
void	 contain_queue_op(struct contain *c);
/* "hold", "release", "purge". */
const char *contain_verb(enum queue_op op);

/*
 * contain_take.c: the queue read and the operation at once, where the MTA
 * has a take: contain_take_start() makes it the next step (audited) and
 * returns 0, or -1 when there is none (then the read, then the op);
 * contain_take_step() advances it, 1 once it has ended, with c->ids
 * chosen as cq_select() does, c->take_done, and c->opids, the chosen
 * ones the tool did not report on.
 */
int	 contain_take_start(struct contain *c);
int	 contain_take_step(struct contain *c, int64_t now);

/* contain.c: the session pids from req.pids_now (the second pass: less
   those the first was given) and the addresses from req.addrs_now; 1
   when there is one of either. */
int	 contain_pids_refresh(struct contain *c, int second);

/* contain_phase.c: the next step of c's program, after the last ended. */
void	 contain_advance(struct contain *c, int64_t now);
/*
 * contain_dry.c: --dry-run: the read-only checks the real run would make
 * (the wiring, the queue), then a numbered summary of what it would do
 * and the exact commands (shown with --verbose); changes nothing.
 * contain_dry_advance() is the dry run's program: 1 when it took the
 * phase.
 */
void	 contain_dry_run(struct contain *c);
int	 contain_dry_advance(struct contain *c, int64_t now);

/*
 * contain_wire.c: the wiring read before an action (a suspend: after
 * its refusals, at P_SUS_DENY_DONE; wiring.h): started as the op
 * OP_WIRE, once; what the result and the verification say
 * when the live configuration does not read what was changed.
 */
int	 contain_wire_wanted(const struct contain *c);
void	 contain_wire_start(struct contain *c, int64_t now);
void	 contain_wire_done(struct contain *c);
/* The action's words when it changed files the configuration does not
   read: 1 with "files updated; ..." said, else 0. */
int	 contain_wire_said(struct contain *c, enum contain_action a);
/* After the check: a suspension the configuration does not read is not
   verified, whatever the files say. */
void	 contain_wire_verify(struct contain *c);

/* Set the verification result, in plain words (ok: 1, 0, -1 unchecked). */
void	 contain_verified(struct contain *c, int ok, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* contain_queue.c: choose the account's queued messages from a read of
   the queue (c->ids, sorted), and check afterwards that they were done. */
void	 cq_select(struct contain *c, const struct queue_snapshot *s);
/* The queue the read saw an id of c->ids (or c->opids) in. */
enum queue_name cq_queue(const char *id);
void	 cq_verify(struct contain *c, const struct queue_snapshot *s);
/* The check without a second read: what the tool itself reported. */
void	 cq_reported(struct contain *c);
void	 cq_free(struct contain *c);

#endif
