/*
 * contain.h: the containment actions (suspend, unsuspend, password reset,
 * hold, release, purge of one account's queued mail), one code path for
 * the console's keys, `mailcon act` and `mailcon watch --headless`.
 *
 * An action is a short program of steps, run without blocking: the
 * caller polls contain_fds() and calls contain_step() (the console from
 * its loop), or calls contain_wait() where nothing is drawn.  Every step
 * that changes something writes its intent to the audit and waits until
 * it is durable before it runs, then writes its outcome; the action ends
 * with a verification whose result is audited and shown.  Without an
 * audit nothing runs.
 *
 * The commands are the server's backends' (backends/backend.h): its
 * authentication service's and its MTA's.  Suspend: the MTA refuses its
 * mail (Postfix: a check_sasl_access map, which only new sessions read),
 * then its sessions already open are ended (the MTA's session processes
 * that req.pids names, each checked by the backend first), then the
 * authentication service refuses its logins (AUTH fails; Dovecot: its
 * deny passdb) and ends its own sessions, then its queued mail is held,
 * what those sessions queued included.  Mail first: that is what stops
 * the flow.  All or nothing: when refusing its logins fails the map
 * entry is undone, and if even that fails the result says exactly which
 * half is in place (ended sessions stay ended).  Unsuspend
 * removes both; held mail stays on hold until released or purged (after a
 * hijack most of it is spam).  What the server's backends cannot do is
 * refused, nothing run: "hold: not supported by <backend>".
 *
 * Queued mail of an account: the queue ids its authenticated sessions
 * produced (req.owns, from the logs: a hijacker forges envelope senders)
 * intersected with a fresh read of the queue, plus the messages whose
 * envelope sender is the account.
 */
#ifndef MAILCON_CONTAIN_H
#define MAILCON_CONTAIN_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

#define CONTAIN_PW_LEN		20	/* characters of a new password */
#define CONTAIN_NFDS		4
#define CONTAIN_TEXT_MAX	2048
#define CONTAIN_PIDS_MAX	512	/* session processes one suspend ends */
#define CONTAIN_ADDRS_MAX	256	/* and addresses it ends sessions of */

struct audit;
struct contain;
struct ssh_conn;

enum contain_action {
	CA_SUSPEND = 0,
	CA_UNSUSPEND,
	CA_RESET,
	CA_HOLD,
	CA_RELEASE,
	CA_PURGE,
	CA_COUNT
};

enum contain_outcome {
	CO_RUNNING = 0,
	CO_DONE,	/* everything ran */
	CO_PARTIAL,	/* some steps ran, the text says which */
	CO_FAILED,	/* nothing was changed (or a failure left it so) */
	CO_REFUSED	/* nothing was run: a bad value, no capability */
};

/* Does the account's login own queue id qid?  Called on the caller's
   thread, from contain_step(). */
typedef int	(*contain_owns_cb)(const char *qid, size_t len, void *arg);

/* What the caller knows of the account's mail at the moment the
   suspension takes effect, in plain words ("12 messages queued after it
   was flagged, 3 after it was confirmed") into buf; "" for nothing.
   Called once, on the caller's thread, from contain_step(). */
typedef void	(*contain_counts_cb)(char *buf, size_t size, void *arg);

struct contain_request {
	enum contain_action	 action;
	const struct server_config *server;
	const char		*account;
	const char		*operator;	/* login of the admin */
	int			 dry_run;	/* describe, run nothing */
	int			 count_only;	/* hold, release, purge: count
						   the messages, change nothing
						   (res.selected; no audit) */
	int			 hold_first;	/* suspend: hold its mail (1) */
	int			 sandbox;	/* the demo's: no live
						   configuration to read, no
						   process to signal */
	contain_owns_cb		 owns;		/* NULL: the sender only */
	void			*owns_arg;
	contain_counts_cb	 counts;	/* suspend: NULL for none; said
						   in the result and audited as
						   the suspending row's counts */
	void			*counts_arg;
	int			 verify_read;	/* hold, release, purge: read the
						   queue again at the end to
						   check; 0: the tool's own
						   report checks (one read) */
	/* a queue operation's progress as the tool reports it, on the
	   caller's thread: done of total so far; NULL: none */
	void			(*progress)(void *arg, size_t done,
				    size_t total);
	void			*progress_arg;
	const char		*pids;		/* suspend: the processes the log
						   named for its sessions
						   (log_header.pid), decimal,
						   one space between; checked
						   by the backend before any
						   signal; NULL: none; copied */
	/*
	 * suspend: the same, asked again when its sessions are ended (the
	 * log has read on since the start: sessions that logged their
	 * first message meanwhile), and once more after its logins are
	 * refused, for those not ended yet; into buf (size bytes), the
	 * count as the return.  NULL: req.pids alone.
	 */
	size_t			(*pids_now)(void *arg, char *buf,
				    size_t size);
	/* suspend, asked with pids_now: the addresses its logins came
	   from lately (sesspids.h), which name sessions that have not
	   logged a message yet, and in spared (spsize bytes) the words
	   for those left out because others use them too ("" for none:
	   said in the result and in the audit of the step); NULL: none */
	size_t			(*addrs_now)(void *arg, char *buf,
				    size_t size, char *spared,
				    size_t spsize);
	void			*pids_arg;
	int			 deadline_ms;	/* per step; 0: 60 s */
	struct ssh_conn		*ssh;		/* the server's connection when
						   it has a host; borrowed */
};

struct contain_result {
	enum contain_outcome	 outcome;
	int			 verified;	/* 1 ok, 0 failed, -1 not checked */
	size_t			 selected;	/* messages chosen */
	size_t			 done;		/* messages changed */
	size_t			 busy;		/* still locked by a delivery
						   after every try */
	char			 text[CONTAIN_TEXT_MAX];	/* plain words */
	char			 verify[512];
	char			 commands[32768];	/* dry run: what would run */
	char			 summary[16384];	/* dry run: what it would
						   do and the checks, numbered */
	size_t			 checks_failed;	/* dry run: checks not passed */
	char			 password[CONTAIN_PW_LEN + 1];	/* reset: show
						   once, then contain_free */
};

/* "suspend", "unsuspend", "reset-password", "hold", "release", "purge". */
const char	*contain_action_name(enum contain_action a);
/* The reverse; -1 for a name that is none of them. */
int		 contain_action_parse(const char *s, enum contain_action *out);
/* Destructive actions ask, naming the target, and default to No. */
int		 contain_action_dangerous(enum contain_action a);
/*
 * Can the server do it, as configured?  1, or 0 with the reason (which
 * keys to set) in why.
 */
int		 contain_capable(const struct server_config *sc,
		     enum contain_action a, char *why, size_t size);
/*
 * Can the server's mail systems do it at all, keys set or not?  1, or 0
 * with "ACTION: not supported by BACKEND ..." in why.
 */
int		 contain_supported(const struct server_config *sc,
		     enum contain_action a, char *why, size_t size);

/* The command that lists sc's queue (its queue_command, else its MTA's
   listing), the caller's to free (contain_argv_free); NULL: none. */
char		**contain_queue_argv(const struct server_config *sc);
void		 contain_argv_free(char **argv);

/*
 * May the action name this account?  Hold, release and purge move queue
 * ids and never put the name in a command: any login the detector tracks
 * (action_login_ok).  Suspend, unsuspend and reset hand it to a script or
 * a template: action_account_ok.  0 with why (size bytes) naming what is
 * wrong.
 */
int		 contain_account_ok(enum contain_action a, const char *account,
		     char *why, size_t size);
/*
 * Check the request and start it.  NULL never: a refused request (a bad
 * account, no capability, no audit) is an action already finished with
 * outcome CO_REFUSED and the reason in its text.
 */
struct contain	*contain_start(const struct contain_request *req,
		     struct audit *audit, int64_t now_ms);
size_t		 contain_fds(const struct contain *c, struct pollfd *pfd);
/* Advance: 0 running, 1 finished (contain_result says how). */
int		 contain_step(struct contain *c, int64_t now_ms);
int		 contain_wait_ms(const struct contain *c, int64_t now_ms);
/* Run to the end, blocking; returns the outcome. */
enum contain_outcome contain_wait(struct contain *c);
const struct contain_result *contain_result(const struct contain *c);
/* Free, wiping the password. */
void		 contain_free(struct contain *c);

#endif
