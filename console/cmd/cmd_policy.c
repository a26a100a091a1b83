/*
 * cmd_policy.c: `mailcon policy`: the Postfix policy service on its own
 * (console/policy/): REJECT for the logins the containment suspended,
 * DUNNO for the rest, until SIGTERM (or, under spawn(8), until stdin
 * ends).  Every refusal is audited and printed with the time, as
 * `watch --headless` prints its actions.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_policy.h"
#include "act/actctx.h"
#include "act/audit.h"
#include "config/config.h"
#include "config/probe.h"
#include "core/cliopt.h"
#include "core/exitcodes.h"
#include "core/loop.h"
#include "core/sanitize.h"
#include "core/trace.h"
#include "core/xmalloc.h"
#include "live/app_act.h"
#include "policy/policy_svc.h"

#define POLICY_LISTEN_ARGS	POLICY_LISTEN_MAX

/* See cmd_policy.h. */
void
policy_usage(FILE *f)
{
	fputs("usage: mailcon policy [--config FILE] [--server NAME]\n"
	    "                      [--listen ADDR]... [--deny-file PATH]\n"
	    "                      [-v --trace FILE]\n"
	    "A Postfix policy service (check_policy_service): REJECT for an\n"
	    "account the containment suspended, DUNNO for everything else.\n\n"
	    "  --listen ADDR     unix:/PATH, 127.0.0.1:PORT, [::1]:PORT, or -\n"
	    "                    (stdin/stdout, under spawn(8)); default: the\n"
	    "                    [policy] listen key, else " POLICY_LISTEN_DEFAULT
	    "\n"
	    "  --server NAME     whose deny list (default: [policy] server,\n"
	    "                    else the first server on this machine)\n"
	    "  --deny-file PATH  the deny list, instead of the server's\n"
	    "  -v --trace FILE   refusals and decisions (-vv: bad requests too)\n"
	    "                    written to FILE\n"
	    "Wire it so that a stopped mailcon never stops mail:\n"
	    "  smtpd_recipient_restrictions = ..., check_policy_service\n"
	    "      inet:127.0.0.1:10040, ...\n"
	    "  smtpd_end_of_data_restrictions = check_policy_service\n"
	    "      inet:127.0.0.1:10040\n"
	    "  smtpd_policy_service_default_action = DUNNO\n"
	    "  smtpd_policy_service_timeout = 1s\n"
	    "See mailcon(1), POLICY SERVICE.\n", f);
}

/* SIGTERM, SIGINT: stop serving. */
static void
policy_on_signal(int signo, void *arg)
{
	loop_stop(arg);
}

/* stdin ended (spawn(8)): the work is done. */
static void
policy_on_eof(void *arg)
{
	loop_stop(arg);
}

/* The server named, else [policy] server, else the first local one. */
static struct server_config *
policy_pick_server(struct mailcon_config *cfg, const char *name)
{
	size_t	i;

	if (name == NULL)
		name = cfg->policy.server;
	for (i = 0; i < cfg->nservers; i++)
		if (name != NULL ? strcmp(cfg->servers[i].name, name) == 0 :
		    cfg->servers[i].ssh.host == NULL)
			return &cfg->servers[i];
	return NULL;
}

/* See cmd_policy.h. */
int
cmd_policy(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config",	required_argument,	NULL, 'c' },
		{ "server",	required_argument,	NULL, 's' },
		{ "listen",	required_argument,	NULL, 'l' },
		{ "deny-file",	required_argument,	NULL, 'd' },
		{ "trace",	required_argument,	NULL, 'T' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 }
	};
	struct mailcon_config	 cfg;
	struct policy_svc_config pc;
	struct server_config	*sc = NULL;
	struct policy_svc	*svc = NULL;
	struct audit		*audit = NULL;
	struct loop		*loop = NULL;
	const char		*config_path = NULL, *server = NULL;
	const char		*trace_path = NULL;
	const char		*deny = NULL, *listen[POLICY_LISTEN_ARGS + 1];
	char			 err[1200], shown[256];
	size_t			 nlisten = 0, i;
	int			 ch, rc = EXIT_ERROR, stdio = 0, verbose = 0;

	config_init(&cfg);
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":hv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config_path = optarg;
			break;
		case 's':
			server = optarg;
			break;
		case 'l':
			if (nlisten == POLICY_LISTEN_ARGS) {
				fprintf(stderr, "mailcon: policy: at most %d "
				    "--listen\n", POLICY_LISTEN_ARGS);
				goto out;
			}
			listen[nlisten++] = optarg;
			break;
		case 'd':
			deny = optarg;
			break;
		case 'T':
			trace_path = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			policy_usage(stdout);
			rc = EXIT_CLEAN;
			goto out;
		default:
			cliopt_error("policy", ch, argv);
			fputs("Try 'mailcon policy --help'.\n", stderr);
			goto out;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "mailcon: policy: \"%s\": no arguments but "
		    "options; try 'mailcon policy --help'\n",
		    sanitize_str(shown, sizeof(shown), argv[optind]));
		goto out;
	}
	if (verbose > 0 && trace_path == NULL) {
		fprintf(stderr, "mailcon: policy: -v needs --trace FILE: the "
		    "file the trace is written to\n");
		goto out;
	}
	if (trace_path != NULL && trace_open(trace_path, verbose > 0 ?
	    verbose : 1, err, sizeof(err)) == -1) {
		fprintf(stderr, "mailcon: %s\n", err);
		goto out;
	}
	if (config_load(&cfg, config_path, err, sizeof(err)) == -1) {
		fprintf(stderr, "mailcon: %s\n", err);
		goto out;
	}
	if (nlisten == 0)
		for (i = 0; cfg.policy.listen != NULL &&
		    cfg.policy.listen[i] != NULL && nlisten <
		    POLICY_LISTEN_ARGS; i++)
			listen[nlisten++] = cfg.policy.listen[i];
	if (nlisten == 0)
		listen[nlisten++] = POLICY_LISTEN_DEFAULT;
	listen[nlisten] = NULL;
	for (i = 0; i < nlisten; i++)
		if (strcmp(listen[i], "-") == 0)
			stdio = 1;
	memset(&pc, 0, sizeof(pc));
	pc.stdout_fd = STDOUT_FILENO;
	/* under spawn(8) stdout is smtpd's: answers go to a copy of it, and
	   what is printed (app_act_print: stdout) to stderr */
	if (stdio && ((pc.stdout_fd = dup(STDOUT_FILENO)) == -1 ||
	    dup2(STDERR_FILENO, STDOUT_FILENO) == -1)) {
		fprintf(stderr, "mailcon: policy: cannot set up standard "
		    "output: %s\n", strerror(errno));
		goto out;
	}
	if (deny != NULL) {
		if (!config_path_ok(deny)) {
			fprintf(stderr, "mailcon: policy: --deny-file: give "
			    "an absolute path\n");
			goto out;
		}
		pc.deny_path = deny;
		pc.deny_line = backend_default(BROLE_AUTH)->accounts->deny_line;
		pc.server = server != NULL ? server : "local";
	} else {
		if ((sc = policy_pick_server(&cfg, server)) == NULL) {
			fprintf(stderr, "mailcon: policy: %s; give "
			    "--deny-file PATH or a [server] of this machine "
			    "in %s\n", server != NULL || cfg.policy.server !=
			    NULL ? "no such server in the configuration" :
			    "no server on this machine is configured",
			    cfg.path != NULL ? cfg.path : "the configuration");
			goto out;
		}
		probe_local(sc);
		if (policy_svc_deny_of(sc, &pc.deny_path, &pc.deny_line, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "mailcon: %s\n", err);
			goto out;
		}
		pc.server = sc->name;
	}
	if ((audit = act_audit_open(&cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mailcon: policy: %s; refusals must be "
		    "audited: fix it, or set [console] history\n", err);
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((loop = loop_new()) == NULL) {
		fprintf(stderr, "mailcon: cannot create the event loop\n");
		goto out;
	}
	pc.listen = listen;
	pc.audit = audit;
	pc.print = app_act_print;
	pc.eof = policy_on_eof;
	pc.eof_arg = loop;
	if ((svc = policy_svc_start(loop, &pc, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mailcon: %s\n", err);
		goto out;
	}
	loop_add_signal(loop, SIGTERM, policy_on_signal, loop);
	loop_add_signal(loop, SIGINT, policy_on_signal, loop);
	app_act_print("policy: serving %s on %s%s; refusing the logins in %s",
	    pc.server, listen[0], nlisten > 1 ? " and more" : "",
	    pc.deny_path);
	rc = loop_run(loop) == -1 ? EXIT_ERROR : EXIT_CLEAN;
out:
	policy_svc_stop(svc);
	if (audit != NULL)
		audit_close(audit);
	if (loop != NULL)
		loop_free(loop);
	config_free(&cfg);
	trace_close();
	return rc;
}
