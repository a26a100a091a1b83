/*
 * dovecot.c: the Dovecot backend's log parser (auth process and login
 * processes), for Dovecot 2.2, 2.3 and 2.4.
 *
 * Lines arrive through syslog ("host dovecot: imap-login: ...") or from
 * Dovecot's own log_path ("imap-login: Info: ...", no host); logline_split
 * leaves prog "dovecot" or the process name, and this file handles both.
 *
 * Formats, from dovecot/core src/auth/auth-request.c (get_log_prefix() and
 * auth_request_log_login_failure()) and src/login-common:
 *
 *   2.2  passwd-file(USER,IP[,master]): MSG
 *   2.3  passwd-file(USER,IP[,master][,<SESSION>]): MSG
 *   2.4  auth(USER,IP[,sasl:MECH][,master])[<PID>][<SESSION>]: [request [N]: ]
 *        passwd-file: MSG   (the event prefix replaces "auth: ";
 *        auth-worker lines carry <PID> and "request [N]: ")
 *
 * where IP is absent for requests without a remote address, and MSG is
 * "Password mismatch" or "unknown user", followed, with
 * auth_verbose_passwords, by " (given password: PW)" or " (SHA1 of given
 * password: HEX)", then possibly " - trying the next passdb".
 *
 * Login processes (login_log_format_elements):
 *   2.2/2.3  Login: user=<U>, method=M, rip=IP, lip=IP, ...
 *            Disconnected (auth failed, N attempts in S secs): user=<U>, ...
 *            Aborted login (auth failed, N attempts): user=<U>, ...
 *   2.4      Logged in: user=<U>, method=M, rip=IP, ...
 *            Login aborted: REASON (auth failed, N attempts in S secs)
 *            (auth_failed): user=<U>, method=M, rip=IP, ...
 *
 * USER/U is what the client sent (sanitised for control bytes, cut to 64
 * bytes with "..." appended) and PW is the client's password: both are
 * attacker text and may imitate any field.  So a line is read from the
 * parts the server wrote: the end of the line (MSG), the last " rip=",
 * and the fields closing "USER,IP..." taken from the right.  When the
 * password is logged in plain the end of the line is the client's too; we
 * then need the MSG marker to occur exactly once, or give up on naming
 * anyone.
 *
 * Not resolvable from the text alone, and left as is: a request without a
 * remote IP (local, over a UNIX socket) whose login ends in ",1.2.3.4" reads
 * exactly like that login from 1.2.3.4.  Dovecot's default
 * auth_username_chars refuses ',' in logins before any passdb sees them.
 */
#include <string.h>

#include "dovecot.h"
#include "backends/backend.h"
#include "backends/redact.h"
#include "backends/textscan.h"

enum dv_proc {
	DV_NONE = 0,
	DV_AUTH,
	DV_LOGIN
};

static const struct {
	const char		*name;
	size_t			 len;
	enum dv_proc		 proc;
	enum mail_service	 service;
} dv_procs[] = {
	{ "auth", LIT("auth"), DV_AUTH, SVC_UNKNOWN },
	{ "auth-worker", LIT("auth-worker"), DV_AUTH, SVC_UNKNOWN },
	{ "imap-login", LIT("imap-login"), DV_LOGIN, SVC_IMAP },
	{ "pop3-login", LIT("pop3-login"), DV_LOGIN, SVC_POP3 },
	{ "submission-login", LIT("submission-login"), DV_LOGIN, SVC_SMTP },
	{ "managesieve-login", LIT("managesieve-login"), DV_LOGIN, SVC_OTHER },
};

static const struct {
	const char	*s;
	size_t		 n;
} dv_levels[] = {
	{ "Info", LIT("Info") },
	{ "Warning", LIT("Warning") },
	{ "Error", LIT("Error") },
	{ "Debug", LIT("Debug") },
	{ "Fatal", LIT("Fatal") },
	{ "Panic", LIT("Panic") },
};

#define MSG_MISMATCH	"Password mismatch"
#define MSG_UNKNOWN	"unknown user"

/* Find a Dovecot process by name; its index or -1. */
static int
dv_proc_find(const char *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < sizeof(dv_procs) / sizeof(dv_procs[0]); i++) {
		if (dv_procs[i].len == n && memcmp(dv_procs[i].name, p, n) == 0)
			return (int)i;
	}
	return -1;
}

/* Step over a leading log level ("Info: "); returns the new start. */
static const char *
dv_skip_level(const char *p, const char *e)
{
	size_t	 i;

	for (i = 0; i < sizeof(dv_levels) / sizeof(dv_levels[0]); i++) {
		if (ts_starts(p, e, dv_levels[i].s, dv_levels[i].n) &&
		    ts_starts(p + dv_levels[i].n, e, ": ", 2))
			return p + dv_levels[i].n + 2;
	}
	return p;
}

/* Cut a trailing "LEVEL: " or "request [N]: " off [p, *ep); 1 if cut. */
static int
dv_cut_prefix_piece(const char *p, const char **ep)
{
	const char	*q = *ep, *b;
	size_t		 i;

	if (!ts_cut(p, &q, ": ", 2))
		return 0;
	for (i = 0; i < sizeof(dv_levels) / sizeof(dv_levels[0]); i++) {
		if (ts_cut(p, &q, dv_levels[i].s, dv_levels[i].n)) {
			*ep = q;
			return 1;
		}
	}
	if (!ts_cut(p, &q, "]", 1))
		return 0;
	for (b = q; b > p && b[-1] >= '0' && b[-1] <= '9'; b--)
		;
	if (b == q || !ts_cut(p, &b, "request [", LIT("request [")))
		return 0;
	*ep = b;
	return 1;
}

/* Keep a login when it passes the grammar and was not cut by Dovecot. */
static void
dv_account(const char *p, const char *e, struct mail_event *out)
{
	if (p == e)
		return;
	/* str_sanitize() marks a login longer than its limit with "..." */
	if (!ts_ends(p, e, "...", 3) && account_is_valid(p, (size_t)(e - p)))
		ts_set(&out->account, p, e);
	else
		out->flags |= EVF_BAD_ACCOUNT;
}

/*
 * The fields inside "NAME(...)" of a passdb line, [p, e) without the
 * parentheses, taken from the right: the optional tails the server adds,
 * then the IP, and what is left is the login.
 */
static void
dv_fields(const char *p, const char *e, struct mail_event *out)
{
	const char	*c, *t;

	/* 2.3: ",<SESSION>" */
	if (e > p && e[-1] == '>' && (c = ts_rchr(p, e, ',')) != NULL &&
	    c + 1 < e && c[1] == '<') {
		for (t = c + 2; t < e - 1 && (ts_tokch((unsigned char)*t) ||
		    *t == '+' || *t == '/' || *t == '='); t++)
			;
		if (t == e - 1)
			e = c;
	}
	ts_cut(p, &e, ",master", LIT(",master"));
	/* 2.4: ",sasl:MECH" */
	if ((c = ts_rchr(p, e, ',')) != NULL &&
	    ts_starts(c, e, ",sasl:", LIT(",sasl:")) &&
	    ts_token(c + LIT(",sasl:"), e) == e)
		e = c;
	if ((c = ts_rchr(p, e, ',')) != NULL &&
	    mail_ip_parse(c + 1, (size_t)(e - c - 1), &out->client) == 0)
		e = c;
	dv_account(p, e, out);
}

/*
 * Where the MSG of a passdb failure starts, and which one it is.  Returns
 * the position of MSG (after ": "), or NULL; *ambiguous is set when the
 * line is one but cannot be read safely.
 */
static const char *
dv_passdb_anchor(const char *p, const char *e, struct mail_event *out,
    int *ambiguous)
{
	const char	*q = e, *m;
	int		 n;

	*ambiguous = 0;
	if (!ts_cut(p, &q, " - trying the next passdb",
	    LIT(" - trying the next passdb")))
		ts_cut(p, &q, " - trying the next userdb",
		    LIT(" - trying the next userdb"));
	if (q > p && q[-1] == ' ')
		q--;	/* "MSG " + an empty password */
	/* Ends with MSG: no password follows, the end is the server's. */
	if (ts_ends(p, q, ": " MSG_MISMATCH, LIT(": " MSG_MISMATCH)) ||
	    ts_ends(p, q, ": " MSG_UNKNOWN, LIT(": " MSG_UNKNOWN))) {
		m = ts_ends(p, q, MSG_MISMATCH, LIT(MSG_MISMATCH)) ?
		    q - LIT(MSG_MISMATCH) : q - LIT(MSG_UNKNOWN);
		ts_set(&out->reason, m, q);
		return m;
	}
	/*
	 * "MSG (given password: PW)" or "(SHA1 of given password: HEX)":
	 * trust the marker only when nothing else in the line imitates it.
	 */
	n = ts_count(p, e, ": " MSG_MISMATCH " (", LIT(": " MSG_MISMATCH " ("),
	    2);
	n += ts_count(p, e, ": " MSG_UNKNOWN " (", LIT(": " MSG_UNKNOWN " ("),
	    2);
	if (n == 0)
		return NULL;
	if (n > 1) {
		*ambiguous = 1;
		return NULL;
	}
	if ((m = ts_find(p, e, ": " MSG_MISMATCH " (",
	    LIT(": " MSG_MISMATCH " ("))) != NULL) {
		ts_set(&out->reason, m + 2, m + 2 + LIT(MSG_MISMATCH));
		return m + 2;
	}
	m = ts_find(p, e, ": " MSG_UNKNOWN " (", LIT(": " MSG_UNKNOWN " ("));
	ts_set(&out->reason, m + 2, m + 2 + LIT(MSG_UNKNOWN));
	return m + 2;
}

/*
 * A passdb failure from the auth process: 2.2/2.3 "DRIVER(fields): MSG"
 * (body after the process tag) or 2.4 "auth(fields)<...>: DB: MSG".
 */
static int
dv_passdb(const char *p, const char *e, int form24, struct mail_event *out)
{
	const char	*m, *q, *open, *b;
	int		 ambiguous, i;

	if ((m = dv_passdb_anchor(p, e, out, &ambiguous)) == NULL) {
		if (!ambiguous)
			return 0;
		out->kind = EV_AUTH_FAIL;
		out->flags |= EVF_BAD_ACCOUNT | EVF_BAD_CLIENT;
		return 1;
	}
	q = m - 2;	/* the ": " before MSG */
	if (!form24) {
		/* DRIVER(fields): MSG */
		p = dv_skip_level(p, e);
		open = ts_token(p, q);
		if (open == p || open >= q || *open != '(' || q[-1] != ')' ||
		    q - 1 < open + 1)
			return 0;
		out->kind = EV_AUTH_FAIL;
		dv_fields(open + 1, q - 1, out);
		return 1;
	}
	/* NAME(fields)[<PID>][<SESSION>]: [LEVEL: ][request [N]: ]DB: MSG */
	if ((b = ts_rtoken(p, q)) == q || !ts_cut(p, &b, ": ", 2))
		return 0;
	b += 2;		/* dv_cut_prefix_piece wants the ": " still on */
	for (i = 0; i < 2 && dv_cut_prefix_piece(p, &b); i++)
		;
	if (!ts_cut(p, &b, ": ", 2))
		return 0;
	for (i = 0; i < 2 && b > p && b[-1] == '>'; i++) {
		for (b--; b > p && b[-1] != '<' && (ts_tokch(
		    (unsigned char)b[-1]) || b[-1] == '+' || b[-1] == '/' ||
		    b[-1] == '='); b--)
			;
		if (b == p || b[-1] != '<')
			return 0;
		b--;
	}
	open = ts_token(p, b);
	if (open == p || open >= b || *open != '(' || b[-1] != ')' ||
	    b - 1 < open + 1)
		return 0;
	out->kind = EV_AUTH_FAIL;
	dv_fields(open + 1, b - 1, out);
	return 1;
}

/*
 * A login process line: "Login: user=<U>, method=M, rip=IP, ..." and the
 * failed forms.  The client's address is the last " rip=" (the login comes
 * before it); the login is what lies between "user=<" and the '>' that
 * closes it, found from the rip end.
 */
static int
dv_login(const char *p, const char *e, enum mail_service svc,
    struct mail_event *out)
{
	const char	*f, *r, *ip, *ipe, *s, *se, *t;

	p = dv_skip_level(p, e);
	if (ts_eat(&p, e, "Login: ", LIT("Login: ")) ||
	    ts_eat(&p, e, "Logged in: ", LIT("Logged in: "))) {
		out->kind = EV_AUTH_OK;
		f = p;
	} else {
		if ((f = ts_find(p, e, "(auth failed", LIT("(auth failed"))) ==
		    NULL)
			return 0;
		t = f + LIT("(auth failed");
		if (t >= e || (*t != ',' && *t != ')'))
			return 0;
		if ((t = ts_find(t, e, "): ", 3)) == NULL)
			return 0;
		out->kind = EV_AUTH_FAIL;
		ts_set(&out->reason, p, t + 1);
		f = t + 3;
	}
	/* the rip field */
	if ((r = ts_rfind(f, e, ", rip=", LIT(", rip="))) != NULL) {
		se = r;
		ip = r + LIT(", rip=");
	} else if (ts_starts(f, e, "rip=", LIT("rip="))) {
		se = f;
		ip = f + LIT("rip=");
	} else
		return 0;
	if ((ipe = memchr(ip, ',', (size_t)(e - ip))) == NULL)
		ipe = e;
	if (mail_ip_parse(ip, (size_t)(ipe - ip), &out->client) != 0)
		out->flags |= EVF_BAD_CLIENT;
	/* "user=<U>, method=M" or a part of it before rip */
	s = f;
	if ((t = ts_rfind(s, se, "method=", LIT("method="))) != NULL &&
	    ts_token(t + LIT("method="), se) == se &&
	    (t == s || (t - s >= 2 && t[-2] == ',' && t[-1] == ' ')))
		se = t == s ? s : t - 2;
	if (se > s) {
		if (!ts_starts(s, se, "user=<", LIT("user=<")) ||
		    se[-1] != '>' || se - 1 < s + LIT("user=<"))
			return 0;
		dv_account(s + LIT("user=<"), se - 1, out);
	}
	out->service = svc;
	return 1;
}

/* Parse one Dovecot line (see backend.h for the contract). */
int
dovecot_parse_line(const struct log_header *h, struct mail_event *out)
{
	const char	*p = h->msg.p, *e = h->msg.p + h->msg.len, *q, *d;
	int		 idx, form24 = 0;

	memset(out, 0, sizeof(*out));
	if (p == NULL || h->prog.p == NULL)
		return 0;
	if (ts_eq(&h->prog, "dovecot", LIT("dovecot"))) {
		/* syslog: the process name leads the message */
		for (q = p; q < e && ((*q >= 'a' && *q <= 'z') ||
		    (*q >= '0' && *q <= '9') || *q == '-'); q++)
			;
		if ((idx = dv_proc_find(p, (size_t)(q - p))) < 0 || q >= e)
			return 0;
		if (ts_starts(q, e, ": ", 2))
			p = q + 2;
		else if (*q == '(') {
			for (d = q + 1; d < e && *d >= '0' && *d <= '9'; d++)
				;
			if (d > q + 1 && ts_starts(d, e, "): ", 3))
				p = d + 3;	/* 2.2/2.3 "auth-worker(PID): " */
			else
				form24 = 1;	/* 2.4 event prefix */
		} else
			return 0;
	} else {
		if ((idx = dv_proc_find(h->prog.p, h->prog.len)) < 0)
			return 0;
		/* logline_split leaves 2.4's "auth(...)" prefix in msg */
		form24 = ts_starts(p, e, h->prog.p, h->prog.len) &&
		    p + h->prog.len < e && p[h->prog.len] == '(';
	}
	if (dv_procs[idx].proc == DV_AUTH) {
		if (dv_passdb(p, e, form24, out))
			return 1;
	} else if (!form24 && dv_login(p, e, dv_procs[idx].service, out))
		return 1;
	memset(out, 0, sizeof(*out));
	return 0;
}

/* Dovecot's tags ("dovecot", process names) never hold a '/'. */
int
dovecot_claims(const struct mail_str *prog)
{
	return prog->len == 0 || memchr(prog->p, '/', prog->len) == NULL;
}

