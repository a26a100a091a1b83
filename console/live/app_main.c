/*
 * app_main.c: the live console's start and end: its options, the servers,
 * engines and hooks set up, the loop run (app.c), everything released.
 * mailcon watch --headless is the same without a screen.
 */
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "app_act.h"
#include "app_policy.h"
#include "app_wake.h"
#include "app_alert.h"
#include "app_loop.h"
#include "app_probe.h"
#include "app_geo.h"
#include "app_rbl.h"
#include "app_ssh.h"
#include "demo.h"
#include "fleet.h"
#include "history.h"
#include "config/discover.h"
#include "config/probe.h"
#include "core/child.h"
#include "recent.h"
#include "core/cliopt.h"
#include "core/exitcodes.h"
#include "core/loop.h"
#include "core/sanitize.h"
#include "core/trace.h"
#include "core/xmalloc.h"

#define POLL_MS		100	/* log reads */
#define FLEET_POLL_MS	50	/* the log hosts' streams: read */
#define REFRESH_MS	500	/* windows and the accounts snapshot */
#define HEADLESS_REFRESH_MS 100

/* The console's usage. */
static void
app_usage(FILE *f)
{
	fputs("usage: mailcon [--config FILE] [--theme NAME] [--from-start]\n"
	    "               [--read-only] [--demo [--speed N]] [-v --trace FILE]\n"
	    "       mailcon watch --headless [--config FILE] [--from-start]\n"
	    "                     [--lines] [-v --trace FILE]\n"
	    "Open the live console on the servers in the config file, or on\n"
	    "this machine's mail logs when none is configured.\n"
	    "\n"
	    "  --config FILE   read FILE instead of the default config\n"
	    "  --theme NAME    default, mono, light, 256 or a file path\n"
	    "  --from-start    read the logs from their start, not their end\n"
	    "  --demo          replay the bundled incident (a hijack from 200\n"
	    "                  addresses) through the live path; the action\n"
	    "                  keys act on a private sandbox, removed at exit\n"
	    "  --speed N       demo replay speed factor (default 1)\n"
	    "  --utc           classic syslog timestamps are UTC\n"
	    "  --read-only     no action keys (suspend, hold, purge, ...)\n"
	    "  --headless      (watch) no screen: follow the logs, print\n"
	    "                  alerts, apply the [watch] containment policy,\n"
	    "                  audit everything; stop with SIGTERM or ^C\n"
	    "  --lines         (watch) print every log line as it is read\n"
	    "                  (passwords in it shown as <hidden>)\n"
	    "  --trace FILE    append a trace of what happens to FILE, for a\n"
	    "                  bug report: log sources, servers, SSH\n"
	    "                  connections, actions, account levels, each\n"
	    "                  change time-stamped (escaped, no secrets)\n"
	    "  -v              more detail in the trace (-vv: each command\n"
	    "                  and remote program started and ended)\n"
	    "\n"
	    "A server here with no logs or log_command follows its mail\n"
	    "log, else the journal of its mail units; one with nothing to\n"
	    "read says NO LOG SOURCE on every view.\n"
	    "The console needs a terminal (watch --headless runs without).\n"
	    "Exit status: 0, 2 when it cannot start, 128+N when signal N\n"
	    "stopped it (143 after SIGTERM, 130 after ^C).\n"
	    "Keys: ? shows them all.  Other commands: mailcon --help.\n", f);
}

/* The terminal back as it was, once. */
static void
app_stop_screen(struct app *a)
{
	if (a->fe != NULL)
		a->fe->stop(a);
	a->fe = NULL;
}

/*
 * The servers here with neither logs nor log_command follow what
 * discover_source() finds (a log file, else the journal); what each
 * follows, or that it has nothing, goes after a->watching.
 */
static void
app_default_sources(struct app *a, struct mailcon_config *cfg)
{
	char	 said[1200];
	size_t	 i, off;

	for (i = 0; i < cfg->nservers; i++) {
		if (discover_source(&cfg->servers[i], NULL, NULL, said,
		    sizeof(said)) == DISCOVER_CONFIGURED)
			continue;
		off = strlen(a->watching);
		if (off < sizeof(a->watching))
			snprintf(a->watching + off, sizeof(a->watching) - off,
			    "; %s", said);
	}
}

/* See app.h. */
int
app_main(int argc, char **argv, const struct app_frontend *fe)
{
	static const struct option longopts[] = {
		{ "config",	required_argument,	NULL, 'c' },
		{ "theme",	required_argument,	NULL, 't' },
		{ "from-start",	no_argument,		NULL, 'f' },
		{ "demo",	no_argument,		NULL, 'd' },
		{ "speed",	required_argument,	NULL, 's' },
		{ "utc",	no_argument,		NULL, 'u' },
		{ "read-only",	no_argument,		NULL, 'r' },
		{ "headless",	no_argument,		NULL, 'H' },
		{ "lines",	no_argument,		NULL, 'L' },
		{ "trace",	required_argument,	NULL, 'T' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 }
	};
	struct mailcon_config	 cfg;
	struct app		 a;
	const char		*config_path = NULL, *theme = NULL;
	const char		*trace_path = NULL;
	char			 err[512], *end;
	double			 speed = 1;
	int			 ch, from_start = 0, demo = 0, rc = EXIT_ERROR;
	int			 local = 0;
	int			 lines = 0, verbose = 0, headless = fe == NULL;
	size_t			 i;

	config_init(&cfg);
	memset(&a, 0, sizeof(a));
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":hv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config_path = optarg;
			break;
		case 't':
			theme = optarg;
			break;
		case 'f':
			from_start = 1;
			break;
		case 'd':
			demo = 1;
			break;
		case 's':
			speed = strtod(optarg, &end);
			if (*end != '\0' || speed <= 0 || speed > 1000) {
				fprintf(stderr, "mailcon: --speed: expected a "
				    "factor from 0.1 to 1000\n");
				goto out;
			}
			break;
		case 'u':
			cfg.utc = 1;
			break;
		case 'r':
			a.read_only = 1;
			break;
		case 'H':
			if (!headless) {
				fprintf(stderr, "mailcon: --headless is for "
				    "'mailcon watch --headless'\n");
				goto out;
			}
			a.headless = 2;	/* said */
			break;
		case 'L':
			lines = 1;
			break;
		case 'T':
			trace_path = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			app_usage(stdout);
			rc = EXIT_CLEAN;
			goto out;
		default:
			cliopt_error(headless ? "watch" : NULL, ch, argv);
			fputs("Try 'mailcon --help'.\n", stderr);
			goto out;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mailcon: unknown command \"%s\"; try "
		    "'mailcon --help'\n", sanitize_str(err, sizeof(err),
		    argv[optind]));
		goto out;
	}
	if (headless && a.headless != 2) {
		fprintf(stderr, "mailcon: watch: only --headless is there "
		    "(the console is plain 'mailcon')\n");
		goto out;
	}
	if (lines && !headless) {
		fprintf(stderr, "mailcon: --lines is for 'mailcon watch "
		    "--headless'\n");
		goto out;
	}
	if (headless && demo) {
		fprintf(stderr, "mailcon: watch --headless: no --demo\n");
		goto out;
	}
	if (verbose > 0 && trace_path == NULL) {
		fprintf(stderr, "mailcon: -v needs --trace FILE: the file the "
		    "trace is written to\n");
		goto out;
	}
	if (trace_path != NULL && trace_open(trace_path, verbose, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "mailcon: %s\n", err);
		goto out;
	}
	a.headless = headless;
	if (config_load(&cfg, config_path, err, sizeof(err)) == -1) {
		fprintf(stderr, "mailcon: %s\n", err);
		goto out;
	}
	/* a key file that is not there stops the start, naming the server */
	if (!demo && config_check_keys(&cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "mailcon: %s\n", err);
		goto out;
	}
	if (theme == NULL)
		theme = cfg.theme;
	if (demo) {
		struct server_config *sc;
		char hist[PATH_MAX];

		if ((a.demo = demo_open(demo_default_dir(), speed, err,
		    sizeof(err))) == NULL) {
			fprintf(stderr, "mailcon: %s\n", err);
			goto out;
		}
		/* the demo is its own server, whatever the config says */
		for (i = 0; i < cfg.nservers; i++)
			cfg.servers[i].nlogs = 0;
		cfg.nservers = 0;
		sc = config_add_server(&cfg, "demo");
		config_server_add_log(sc, demo_path(a.demo));
		if (demo_server(a.demo, sc, err, sizeof(err)) == -1) {
			fprintf(stderr, "mailcon: %s\n", err);
			goto out;
		}
		/* its audit is the sandbox's, gone with it: no demo action
		   in the admin's history */
		snprintf(hist, sizeof(hist), "%s/history.db",
		    demo_dir(a.demo));
		free(cfg.history);
		cfg.history = xstrdup(hist);
		from_start = 1;
		snprintf(a.watching, sizeof(a.watching), "DEMO: replaying a "
		    "recorded hijack into %s; actions act on a sandbox in %s",
		    demo_path(a.demo), demo_dir(a.demo));
	} else if (cfg.nservers == 0) {
		discover_local(&cfg, a.watching, sizeof(a.watching));
		local = 1;
	} else
		snprintf(a.watching, sizeof(a.watching), "%zu server%s from %s",
		    cfg.nservers, cfg.nservers == 1 ? "" : "s",
		    cfg.path != NULL ? cfg.path : "the config");

	a.cfg = &cfg;
	/* the mail systems of the servers here; those behind SSH are asked
	   once connected (app_probe.c) */
	for (i = 0; i < cfg.nservers; i++)
		if (cfg.servers[i].ssh.host == NULL)
			probe_local(&cfg.servers[i]);
	/* a server here with no logs configured: the default source */
	if (!demo && !local)
		app_default_sources(&a, &cfg);
	logring_init(&a.log, 5000);
	msgring_init(&a.msgs, 20000);
	a.nservers = cfg.nservers;
	a.servers = xcalloc(a.nservers > 0 ? a.nservers : 1,
	    sizeof(*a.servers));
	for (i = 0; i < a.nservers; i++)
		a.servers[i] = server_new(&cfg.servers[i], (unsigned)i,
		    &cfg.detect, from_start, cfg.utc, &a.log, &a.msgs);
	app_geo_open(&a);
	for (i = 0; i < a.nservers; i++) {
		a.servers[i]->on_event = app_on_event;
		a.servers[i]->on_event_arg = &a;
		a.servers[i]->on_gap = app_on_gap;
		a.servers[i]->on_clock = app_on_clock;
		if (lines)
			a.servers[i]->on_line = app_on_line;
	}
	a.fleet = demo ? NULL : fleet_new(&cfg, a.servers, a.nservers,
	    from_start, cfg.utc,
	    app_on_unknown, &a);
	fleet_on_state(a.fleet, app_on_loghost_state);
	if (!demo)
		history_open(&a);

	if ((a.loop = loop_new()) == NULL) {
		fprintf(stderr, "mailcon: cannot create the event loop\n");
		goto out;
	}
	/* children are reaped from SIGCHLD, their pipes read by the loop */
	(void)child_attach(a.loop);
	for (i = 0; i < a.nservers; i++)
		a.servers[i]->loop = a.loop;
	a.warning_epoch = loop_now_ms();
	app_act_open(&a);
	if (headless) {
		app_act_print("watching %s; policy: at %s, %s", a.watching,
		    level_name((enum level)cfg.watch.level),
		    cfg.watch.contain == 0 ? "alert only (no [watch] contain)" :
		    (cfg.watch.contain & WATCH_SUSPEND) ? "suspend" :
		    "hold its mail");
	} else {
		if (fe->start(&a, theme, err, sizeof(err)) == -1) {
			fprintf(stderr, "mailcon: %s\n", err);
			goto out;
		}
		a.fe = fe;
		loop_add_fd(a.loop, STDIN_FILENO, POLLIN, app_on_key, &a);
	}
	app_policy_open(&a);
	app_wake_open(&a);
	app_alert_open(&a);
	app_rbl_open(&a);
	app_ssh_open(&a);
	loop_add_timer(a.loop, POLL_MS, 1, app_on_poll, &a);
	if (a.fleet != NULL)
		loop_add_timer(a.loop, FLEET_POLL_MS, 1, app_on_fleet_tick,
		    &a);
	/* without a screen nothing is drawn: the snapshot (where incidents
	   and the policy are found) can be taken more often */
	loop_add_timer(a.loop, headless ? HEADLESS_REFRESH_MS : REFRESH_MS, 1,
	    app_on_refresh, &a);
	loop_add_signal(a.loop, SIGTERM, app_on_signal, &a);
	loop_add_signal(a.loop, SIGINT, app_on_signal, &a);
	loop_add_signal(a.loop, SIGHUP, app_on_signal, &a);
	loop_set_idle(a.loop, app_on_idle, &a);
	app_fleet_read(&a, loop_now_ms());
	app_on_poll(&a);
	app_refresh_rows(&a);
	rc = loop_run(a.loop) == -1 ? EXIT_ERROR : a.signo != 0 ?
	    128 + a.signo : EXIT_CLEAN;
	app_stop_screen(&a);
	if (headless)
		app_act_print("stopped; %u containment action%s run",
		    a.act.contained, a.act.contained == 1 ? "" : "s");
	app_write_stats(&a);
	app_wake_close(&a);
	app_policy_close(&a);
	app_act_close(&a);
	app_rbl_close(&a);
	app_alert_close(&a);
	history_close(&a);
out:
	app_stop_screen(&a);
	app_probe_close(&a);
	app_ssh_close(&a);
	app_wake_close(&a);
	app_policy_close(&a);
	app_act_close(&a);
	app_rbl_close(&a);
	app_alert_close(&a);
	history_close(&a);
	fleet_free(a.fleet);
	for (i = 0; i < a.nservers; i++)
		server_free(a.servers[i]);
	app_geo_close();
	if (a.loop != NULL) {
		child_detach();
		loop_free(a.loop);
	}
	free(a.servers);
	free(a.rows);
	free(a.next);
	free(a.worst_next);
	notelog_free(&a.notes);
	recent_free(&a);
	free(a.incidents);
	free(a.gaps);
	free(a.hist);
	if (a.log.v != NULL)
		logring_free(&a.log);
	if (a.msgs.v != NULL)
		msgring_free(&a.msgs);
	demo_close(a.demo);
	config_free(&cfg);
	trace_close();
	return rc;
}

/* See app.h. */
int
cmd_watch(int argc, char **argv)
{
	return app_main(argc, argv, NULL);
}
