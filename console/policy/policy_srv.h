/*
 * policy_srv.h: mailcon's Postfix policy service (`mailcon policy`, and
 * [policy] in `mailcon watch --headless`): listeners and connections on
 * the console's event loop, one answer per request.
 *
 * Wiring (README.md, mailcon(1)):
 *	smtpd_recipient_restrictions = ..., check_policy_service
 *	    { unix:private/mailcon, default_action=DUNNO }, ...
 *	smtpd_policy_service_default_action = DUNNO
 *	smtpd_policy_service_timeout = 1s
 * so that smtpd asks at every RCPT, also in sessions opened before a
 * suspension, and a stopped mailcon never stops mail.
 *
 * The answer is REJECT for a login the containment suspended
 * (policy_deny.h) and DUNNO for everything else: the service makes no
 * decision of its own.  Each request with a login is handed to the
 * caller (hooks.request: the detector sees the submission before the
 * mail is queued), each refusal too (hooks.refused: the audit and the
 * output).  A bad request gets DUNNO and is counted by its fault.
 *
 * Bounds: a connection holds its parser (policy_proto.h) and at most
 * POLICY_OUT_MAX bytes of answers not yet written (then it is not read
 * until smtpd reads them); at most POLICY_CONNS_MAX connections (then,
 * or when descriptors run out, the one idle longest is closed to make
 * room: smtpd opens another when it needs one); a
 * request not finished within POLICY_STALL_MS is answered DUNNO and the
 * connection closed.  Nothing here blocks: sockets are non-blocking.
 */
#ifndef MAILCON_POLICY_SRV_H
#define MAILCON_POLICY_SRV_H

#include <stddef.h>
#include <stdint.h>

#include "policy_deny.h"
#include "policy_proto.h"

#define POLICY_CONNS_MAX	512
#define POLICY_OUT_MAX		4096
#define POLICY_STALL_MS		5000
#define POLICY_LISTEN_MAX	4

/* The answer to a suspended login: Postfix says it with the status. */
#define POLICY_REJECT_TEXT \
	"5.7.1 account suspended; contact your mail administrator"

struct loop;
struct policy_srv;

struct policy_counts {
	uint64_t	 requests;	/* answered */
	uint64_t	 refused;	/* REJECT */
	uint64_t	 errors;	/* bad requests, by fault below */
	uint64_t	 fault[PF_COUNT];
	uint64_t	 conns;		/* accepted */
	uint64_t	 conns_dropped;	/* closed to make room, or refused */
	size_t		 open;		/* connections now */
};

/* What the caller is told; every member may be NULL.  On the loop. */
struct policy_hooks {
	/* a request with a valid login, about to be answered DUNNO */
	void	(*request)(void *arg, const struct policy_req *r);
	/* a request answered REJECT: why is policy_deny_has()'s */
	void	(*refused)(void *arg, const struct policy_req *r,
		    const char *why);
	/* a bad request (the counts have it already) */
	void	(*fault)(void *arg, enum policy_fault f);
	/* standard input ended (a service run by spawn(8)) */
	void	(*eof)(void *arg);
	void	*arg;
};

/* deny is borrowed; the hooks are copied. */
struct policy_srv *policy_srv_new(struct loop *l, struct policy_deny *deny,
		     const struct policy_hooks *h);
/*
 * Listen on addr: "unix:PATH" or an absolute PATH (a unix socket, made
 * mode 0666: put it in a directory only Postfix reaches, such as its
 * private/), "inet:IP:PORT", "IP:PORT" or "[IPv6]:PORT" (loopback
 * addresses only), or "-" (requests on stdin, answers on stdout: a
 * service under Postfix's spawn(8)).  0, or -1 with err naming the
 * address and what to do.
 */
int		 policy_srv_listen(struct policy_srv *s, const char *addr,
		     char *err, size_t errlen);
/* Serve requests read from in, answers written to out (a pipe pair;
   listen "-" is 0 and 1).  Neither is closed. */
void		 policy_srv_pipe(struct policy_srv *s, int in, int out);
/* Close every connection and listener (unlinking sockets made). */
void		 policy_srv_free(struct policy_srv *s);
const struct policy_counts *policy_srv_counts(const struct policy_srv *s);
/* Answer one finished request (the decision alone; tests, fuzzing):
   returns the answer's text without "action=" and newlines. */
const char	*policy_srv_decide(struct policy_srv *s,
		     const struct policy_req *r);

#endif
