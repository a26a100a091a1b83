/*
 * cmd_act.c: `mailcon act ACTION --account A`: one containment action from
 * the command line, through the same engine (contain.h) as the console's
 * keys.  The server's logs are read first, so that its queued mail is
 * chosen by the queue ids the account's logins produced, not only by an
 * envelope sender a hijacker can forge.  A server with a host is acted
 * on over SSH (act_ssh.h): connected first (refused, nothing run, when
 * that fails), its logs read over the connection, every step run on it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "act_report.h"
#include "act_ssh.h"
#include "cmd_act.h"
#include "scan.h"
#include "act/actctx.h"
#include "act/audit.h"
#include "act/contain.h"
#include "act/sshtarget.h"
#include "config/config.h"
#include "config/probe.h"
#include "core/action.h"
#include "core/cliopt.h"
#include "core/loop.h"
#include "core/sanitize.h"
#include "detect/detect_detail.h"
#include "live/fleet.h"
#include "live/server.h"
#include "live/sesspids.h"
#include "net/cmdrun.h"
#include "net/ssh_conn.h"

#define ACT_READ_BUDGET	(4u << 20)	/* bytes per file per poll */

/* See cmd_act.h. */
void
act_usage(FILE *f)
{
	fputs("usage: mailcon act ACTION --account LOGIN [--server NAME]\n"
	    "                  [--dry-run [--verbose]] [--yes] [--no-hold]\n"
	    "                  [--verify]\n"
	    "                  [--timeout SECS] [--config FILE]\n"
	    "Contain one account on one server, audited, then verified.\n"
	    "\n"
	    "Actions:\n"
	    "  suspend         refuse its logins (the authentication "
	    "service) and\n"
	    "                  its mail (the MTA), then hold its queued "
	    "mail\n"
	    "  unsuspend       undo suspend (held mail stays held)\n"
	    "  reset-password  set a new random password, printed once\n"
	    "  hold            hold its queued mail\n"
	    "  release         release its held mail\n"
	    "  purge           delete its queued mail\n"
	    "Each with the server's own tools (--dry-run shows them); an "
	    "action its\n"
	    "mail system cannot do is refused as not supported.\n"
	    "\n"
	    "  --account LOGIN the account, as it logs in\n"
	    "  --server NAME   a [server NAME] of the config (may be left out\n"
	    "                  when the config has one server)\n"
	    "  --dry-run       change nothing: make the read-only checks the\n"
	    "                  real run would (the live configuration reads\n"
	    "                  the files, the tools and files are there, the\n"
	    "                  queue), then a numbered summary of what it\n"
	    "                  would do and which checks passed\n"
	    "  --verbose       with --dry-run: the exact commands and scripts\n"
	    "  --yes           do not ask before purge and reset-password\n"
	    "  --no-hold       suspend without holding its queued mail\n"
	    "  --verify        read the queue again at the end to check (else\n"
	    "                  the queue tool's own report is the check; on\n"
	    "                  Exim the chosen ids are always looked up;\n"
	    "                  there the spool names each message's login,\n"
	    "                  and hold, release and purge read no log)\n"
	    "  --timeout SECS  each command's deadline (default 60); a file\n"
	    "                  another mailcon is changing is waited for\n"
	    "                  half of it, then told busy\n"
	    "  --config FILE   read FILE instead of the default config\n"
	    "  --utc           classic syslog timestamps are UTC\n"
	    "\n"
	    "Before a suspend or reset, the server's live configuration is\n"
	    "read (mailcon check): files it does not read are said, with the\n"
	    "lines to add, and such an action is not verified.\n"
	    "\n"
	    "Exit status: 0 done and verified (a dry run: described, its\n"
	    "checks said), 1 failed, partly done or not verified, 2 refused\n"
	    "(nothing was run; also when a server behind SSH cannot be\n"
	    "reached or its host key is not known).\n",
	    f);
}

/* The server named, or the only one; NULL with a message printed. */
static struct server_config *
act_pick_server(struct mailcon_config *cfg, const char *name)
{
	char	 shown[128];
	size_t	 i;

	if (cfg->nservers == 0) {
		fprintf(stderr, "mailcon: act: no [server NAME] in %s; actions "
		    "need one, with its action keys (see mailcon(1))\n",
		    cfg->path != NULL ? cfg->path : "the config");
		return NULL;
	}
	if (name == NULL) {
		if (cfg->nservers == 1)
			return &cfg->servers[0];
		fprintf(stderr, "mailcon: act: %zu servers configured; say "
		    "which with --server:", cfg->nservers);
		for (i = 0; i < cfg->nservers; i++)
			fprintf(stderr, " %s", cfg->servers[i].name);
		fputc('\n', stderr);
		return NULL;
	}
	for (i = 0; i < cfg->nservers; i++)
		if (strcmp(cfg->servers[i].name, name) == 0)
			return &cfg->servers[i];
	sanitize_text(shown, sizeof(shown), name, strlen(name));
	fprintf(stderr, "mailcon: act: no server \"%s\" in %s\n", shown,
	    cfg->path != NULL ? cfg->path : "the config");
	return NULL;
}

/* A log host's line, read over SSH: routed as the console routes it. */
struct act_route {
	struct fleet	*f;
	size_t		 loghost;
};

/* act_ssh_read_rotated callback. */
static void
act_route_line(void *arg, const char *line, size_t len)
{
	struct act_route	*r = arg;

	fleet_line(r->f, r->loghost, line, len);
}

/*
 * A log host with host =: its files (rotated copies first) read over a
 * connection of its own, as the login its section gives, never through
 * sudo; what could not be read is said.
 */
static void
act_read_loghost_ssh(const struct mailcon_config *cfg, struct fleet *f,
    const struct loghost_config *lh)
{
	struct server_config	 sc;
	struct act_ssh		 x;
	struct act_route	 r;
	char			 name[80], err[512], note[512];

	memset(&sc, 0, sizeof(sc));
	snprintf(name, sizeof(name), "loghost %s", lh->name);
	sc.name = name;
	sc.ssh = lh->ssh;
	if (act_ssh_connect(&x, &sc, cfg->resolver, ACT_SSH_CONNECT_MS, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "mailcon: act: %s not read: %s\n", name, err);
		return;
	}
	r.f = f;
	r.loghost = (size_t)(lh - cfg->loghosts);
	if (act_ssh_read_rotated(x.conn, &sc, lh->logs, lh->nlogs,
	    act_route_line, &r, note, sizeof(note)) < lh->nlogs)
		fprintf(stderr, "mailcon: act: %s: not all read: %s\n", name,
		    note);
	act_ssh_close(&x);
}

/*
 * A server whose lines come from a log host: its lines there, picked out
 * by its HOSTNAME as the console does (fleet.h), read here on the log
 * host: the rotated files first (its logins' queue ids may be from
 * before the rotation), then the live ones.
 */
static void
act_read_loghost(const struct mailcon_config *cfg, struct server *s)
{
	const struct loghost_config	*lh;
	struct fleet			*f;
	char				 note[512];

	if ((f = fleet_new(cfg, &s, 1, 1, cfg->utc, NULL, NULL)) == NULL)
		return;
	lh = config_loghost(cfg, s->cfg->loghost);
	if (lh != NULL && lh->ssh.host != NULL) {
		act_read_loghost_ssh(cfg, f, lh);
		fleet_free(f);
		return;
	}
	(void)fleet_read_rotated(f, cfg->year, cfg->utc, note, sizeof(note));
	if (note[0] != '\0')
		fprintf(stderr, "mailcon: act: loghost %s: not read: %s\n",
		    s->cfg->loghost, note);
	while (fleet_poll(f, NULL, loop_now_ms(), ACT_READ_BUDGET))
		;
	fleet_free(f);
}

/* Where the account's logins came from lately, for the suspension. */
struct act_addrs {
	struct sesspids	*sp;
	const char	*account;
	int64_t		 now;		/* the log's time */
	const struct server_config *sc;	/* its shared_addresses */
};

/* contain_request addrs_now: the addresses the log named, but those the
   account shares. */
static size_t
act_addrs_now(void *arg, char *buf, size_t size, char *spared,
    size_t spsize)
{
	const struct act_addrs	*aa = arg;
	struct sesspids_spared	 sp;
	size_t			 n;

	n = sesspids_addrs_of(aa->sp, 0, aa->account, aa->now, ACT_ADDR_AGE,
	    aa->sc->shared, aa->sc->nshared, &sp, buf, size,
	    CONTAIN_ADDRS_MAX);
	sesspids_spared_say(&sp, spared, spsize);
	return n;
}

/* server on_event hook: note the processes of the logins' sessions. */
static void
act_note_pid(void *arg, const struct server *s, const struct mail_event *ev)
{
	sesspids_note(arg, 0, ev);
}

/*
 * Read the server's log files from their start into a detector, so that
 * the queue ids of the account's logins are known.  A followed command
 * (journalctl -f) never ends, so it is not read here; a server behind
 * SSH with journal = yes has its journal read (act_ssh.h).  A server behind
 * SSH (ssh not NULL) has its files read over the connection; a note
 * says what could not be read.
 */
static struct server *
act_read_logs(const struct mailcon_config *cfg,
    const struct server_config *sc, struct server_config *copy,
    struct ssh_conn *ssh, struct sesspids *sp)
{
	struct server	*s;
	char		 note[256];

	*copy = *sc;
	copy->log_argv = NULL;
	copy->queue_argv = NULL;
	if (ssh != NULL) {
		/* no sources of its own: nothing here is that server's */
		copy->logs = NULL;
		copy->nlogs = 0;
		copy->ssh.host = NULL;
	}
	s = server_new(copy, 0, &cfg->detect, 1, cfg->utc, NULL, NULL);
	/* before any line: a log host's lines name the sessions' pids too */
	s->on_event = act_note_pid;
	s->on_event_arg = sp;
	if (sc->loghost != NULL)
		act_read_loghost(cfg, s);
	if (ssh == NULL) {
		while (server_poll(s, 0, ACT_READ_BUDGET))
			;
		return s;
	}
	s->state = act_ssh_read_logs(s, ssh, sc, cfg->utc, note,
	    sizeof(note)) == sc->nlogs + (sc->ssh.journal != 0) ? SRV_LIVE :
	    SRV_PARTIAL;
	snprintf(s->status, sizeof(s->status), "%s", note);
	return s;
}

/*
 * Probe a server behind SSH for its mail systems, over the connection
 * (probe.h); what it cannot tell stays the default, as the console's.
 */
static void
act_probe(struct server_config *sc, struct ssh_conn *conn)
{
	struct cmdrun_via	 via;
	struct cmdrun		*r;
	char			 user[256], err[512];
	int			 ok;

	if (!server_probe_wanted(sc) || sshtarget_via(sc, conn, &via, user,
	    sizeof(user), err, sizeof(err)) == -1)
		return;
	if ((r = probe_start(&via, loop_now_ms(), err, sizeof(err))) == NULL)
		return;
	ok = cmdrun_wait(r) == 1;
	probe_apply(r, ok, sc, NULL, 0);
	cmdrun_free(r);
}

/* See cmd_act.h. */
int
cmd_act(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "account",	required_argument,	NULL, 'a' },
		{ "server",	required_argument,	NULL, 's' },
		{ "config",	required_argument,	NULL, 'c' },
		{ "dry-run",	no_argument,		NULL, 'n' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "yes",	no_argument,		NULL, 'y' },
		{ "no-hold",	no_argument,		NULL, 'H' },
		{ "verify",	no_argument,		NULL, 'V' },
		{ "utc",	no_argument,		NULL, 'u' },
		{ "timeout",	required_argument,	NULL, 't' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 }
	};
	struct mailcon_config	 cfg;
	struct contain_request	 req;
	struct server_config	 copy, *sc;
	struct act_owner	 owner = { NULL, -1, NULL };
	struct server		*srv = NULL;
	struct sesspids		*sp = NULL;
	struct act_addrs	 addrs;
	struct act_progress	 progress = { NULL, 0, 0 };
	struct audit		*audit = NULL;
	struct contain		*c = NULL;
	struct act_ssh		 ssh = { NULL, NULL };
	const struct backend_queue *q;
	const char		*config_path = NULL, *server = NULL;
	char			 err[512], operator[64], question[512];
	char			 why[256], shown[256], pids[4096];
	int			 ch, yes = 0, rc = EXIT_ERROR, capable;
	int			 verbose = 0;
	long			 secs;
	char			*end;
	enum contain_action	 action;

	config_init(&cfg);
	memset(&req, 0, sizeof(req));
	req.hold_first = 1;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			req.account = optarg;
			break;
		case 's':
			server = optarg;
			break;
		case 'c':
			config_path = optarg;
			break;
		case 'n':
			req.dry_run = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'y':
			yes = 1;
			break;
		case 'H':
			req.hold_first = 0;
			break;
		case 'V':
			req.verify_read = 1;
			break;
		case 'u':
			cfg.utc = 1;
			break;
		case 't':
			secs = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || secs < 1 ||
			    secs > 3600) {
				fprintf(stderr, "mailcon: act: --timeout: "
				    "seconds from 1 to 3600\n");
				goto out;
			}
			req.deadline_ms = (int)secs * 1000;
			break;
		case 'h':
			act_usage(stdout);
			rc = EXIT_CLEAN;
			goto out;
		default:
			cliopt_error("act", ch, argv);
			fputs("Try 'mailcon act --help'.\n", stderr);
			goto out;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "mailcon: act: %s; try 'mailcon act --help'\n",
		    optind == argc ? "which action?" : "one action at a time");
		goto out;
	}
	if (contain_action_parse(argv[optind], &action) == -1) {
		sanitize_text(question, sizeof(question), argv[optind],
		    strlen(argv[optind]));
		fprintf(stderr, "mailcon: act: no action \"%s\"; one of "
		    "suspend, unsuspend, reset-password, hold, release, "
		    "purge\n", question);
		goto out;
	}
	if (req.account == NULL) {
		fprintf(stderr, "mailcon: act: --account LOGIN is required\n");
		goto out;
	}
	if (config_load(&cfg, config_path, err, sizeof(err)) == -1) {
		fprintf(stderr, "mailcon: %s\n", err);
		goto out;
	}
	if ((sc = act_pick_server(&cfg, server)) == NULL)
		goto out;
	req.server = sc;
	req.action = action;
	sanitize_str(shown, sizeof(shown), req.account);
	act_operator(operator, sizeof(operator));
	req.operator = operator;
	/* a bad account is refused by contain_start(), before any network */
	/* a dry run connects too: its checks read the server */
	if (req.server->ssh.host != NULL &&
	    contain_account_ok(action, req.account, why, sizeof(why))) {
		if (act_ssh_connect(&ssh, req.server, cfg.resolver,
		    ACT_SSH_CONNECT_MS, err, sizeof(err)) == -1) {
			fprintf(stderr, "mailcon: act: refused, nothing run: "
			    "%s\n", err);
			goto out;
		}
		req.ssh = ssh.conn;
	}
	/* which mail systems it runs, when the config leaves it to us */
	if (sc->ssh.host == NULL)
		probe_local(sc);
	else if (ssh.conn != NULL)
		act_probe(sc, ssh.conn);
	/* what they cannot do is refused now: no logs read, nothing asked */
	capable = contain_supported(sc, action, why, sizeof(why));

	/*
	 * Queue actions choose by the ids the account's logins produced,
	 * unless the queue's read names each message's login (select: a
	 * message without one was in no authenticated session, and a log
	 * could only add what a forged line names; a long log cost more
	 * than the purge).
	 */
	q = server_mta(sc)->queue;
	if (capable && (req.server->ssh.host == NULL || ssh.conn != NULL) &&
	    ((action >= CA_HOLD && (sc->queue_argv != NULL || q == NULL ||
	    q->select == NULL)) || (action == CA_SUSPEND && req.hold_first))) {
		sp = sesspids_new();
		srv = act_read_logs(&cfg, req.server, &copy, ssh.conn, sp);
		/* its sessions open now, as the log names them: checked by
		   the backend before any signal */
		if (action == CA_SUSPEND && sesspids_of(sp, 0, req.account,
		    srv->last_event, ACT_SESSION_AGE, pids, sizeof(pids),
		    CONTAIN_PIDS_MAX) > 0)
			req.pids = pids;
		/* and the addresses of its logins: sessions that logged no
		   message yet (Dovecot's auth line names their address) */
		if (action == CA_SUSPEND) {
			addrs.sp = sp;
			addrs.account = req.account;
			addrs.now = srv->last_event;
			addrs.sc = req.server;
			req.addrs_now = act_addrs_now;
			req.pids_arg = &addrs;
		}
		owner.det = srv->det;
		owner.index = detector_find(srv->det, req.account);
		owner.account = req.account;
		if (action == CA_SUSPEND) {
			req.counts = act_counts;
			req.counts_arg = &owner;
		}
		req.owns = act_owns;
		req.owns_arg = &owner;
		if (srv->state != SRV_LIVE)
			fprintf(stderr, "mailcon: act: note: cannot read all "
			    "of the server's logs (%s)\n", srv->status);
		if (owner.index < 0)
			fprintf(stderr, "mailcon: act: note: %s has no logins "
			    "in the server's logs; its queued mail is chosen "
			    "by the login the queue listing names, where it "
			    "names one, else by envelope sender\n", shown);
	}
	if (capable && !req.dry_run && !yes &&
	    contain_action_dangerous(action)) {
		if (action == CA_PURGE)
			snprintf(question, sizeof(question), "Purge %zu queued "
			    "message(s) of %s on %s? This cannot be undone.",
			    act_count(req), shown, req.server->name);
		else
			snprintf(question, sizeof(question), "Set a new "
			    "password for %s on %s? The old one stops "
			    "working.", shown, req.server->name);
		if (!act_confirm(question)) {
			fprintf(stderr, "mailcon: act: not confirmed, nothing "
			    "run (--yes confirms without a terminal)\n");
			goto out;
		}
	}
	if (capable && !req.dry_run && (audit = act_audit_open(&cfg, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "mailcon: act: refused, nothing run: %s\n",
		    err);
		goto out;
	}
	progress.verb = contain_action_name(action);
	req.progress = act_on_progress;
	req.progress_arg = &progress;
	c = contain_start(&req, audit, loop_now_ms());
	(void)contain_wait(c);
	rc = act_report(&req, contain_result(c), verbose);
	if (audit != NULL && audit_sync(audit) == -1) {
		fprintf(stderr, "mailcon: act: the audit log failed: %s\n",
		    audit_error(audit));
		if (rc == EXIT_CLEAN)
			rc = EXIT_FOUND;
	}
out:
	contain_free(c);
	act_ssh_close(&ssh);
	audit_close(audit);
	server_free(srv);
	sesspids_free(sp);
	config_free(&cfg);
	return rc;
}
