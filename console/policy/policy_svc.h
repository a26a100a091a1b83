/*
 * policy_svc.h: the policy service as run by `mailcon policy` and by
 * `mailcon watch --headless` with [policy] enabled: the server
 * (policy_srv.h), the deny list it answers from (policy_deny.h), and what
 * it tells: each refusal to the audit (its own row, bound parameters)
 * and to the output, each request with a login to the detector as a
 * submission (EVF_EARLY: before the mail is queued), bad requests counted
 * and said at most every POLICY_SAY_MS.
 */
#ifndef MAILCON_POLICY_SVC_H
#define MAILCON_POLICY_SVC_H

#include <stddef.h>

#include "policy_srv.h"

#define POLICY_SAY_MS		10000	/* bad requests said at most so often */
#define POLICY_AUDIT_INFLIGHT	10000	/* refusals waiting for the audit */

struct audit;
struct detector;
struct loop;
struct policy_svc;

/* Print one line of output (sanitised by the callee, as app_act_print). */
typedef void	(*policy_print_fn)(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));

struct policy_svc_config {
	const char		*server;	/* its name, for the audit */
	const char		*deny_path;	/* NULL: decisions only */
	policy_deny_line	 deny_line;
	const char *const	*listen;	/* NULL-terminated; "-" is
						   stdin and stdout_fd */
	int			 stdout_fd;	/* where "-" answers */
	struct audit		*audit;		/* borrowed; NULL: refusals are
						   printed only */
	struct detector		*det;		/* borrowed; NULL: none fed */
	policy_print_fn		 print;
	void			(*eof)(void *);	/* stdin ended ("-") */
	void			*eof_arg;
};

struct server_config;

/*
 * The deny list of a server's authentication service (backend.h,
 * deny_list and deny_line): 0 with *path (the option's value or its
 * default; borrowed) and *line, or -1 with err saying which key to set.
 */
int		 policy_svc_deny_of(const struct server_config *sc,
		     const char **path, policy_deny_line *line, char *err,
		     size_t errlen);
/* Start listening; NULL with err (naming the address) on failure. */
struct policy_svc *policy_svc_start(struct loop *l,
		     const struct policy_svc_config *cfg, char *err,
		     size_t errlen);
/* The headless containment decided to suspend account: refuse it now. */
void		 policy_svc_decide(struct policy_svc *v, const char *account);
/*
 * Its suspension ended (ok: done, in part or whole).  Failed, the
 * decision goes; done, it goes once the deny list has the account (the
 * list decides from then on: an admin's unsuspend counts), and stays
 * while it does not (a site's suspend_command that writes no list).
 */
void		 policy_svc_settle(struct policy_svc *v, const char *account,
		     int ok);
const struct policy_counts *policy_svc_counts(const struct policy_svc *v);
/* Say the counts, stop, free. */
void		 policy_svc_stop(struct policy_svc *v);

#endif
