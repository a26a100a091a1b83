/*
 * check.c: `mailcon check [--server S] [--config F]`, in the manner of
 * `postfix check`, `nginx -t` and `fail2ban-client -t`: the configuration
 * is loaded and checked, then each server is connected to (host key,
 * login, sudo), each of its log files read once, its queue read, and the
 * wiring of its actions read (wiring.h: does the live configuration read
 * the files suspend and reset change?), here or over SSH as the actions
 * run; then the GeoIP databases and the DNS resolvers, when configured.
 * One line per finding, with what to do; exit 0 only when all is well.
 * It changes nothing.  It waits, as a command line tool may: nothing is
 * drawn meanwhile.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "act_ssh.h"
#include "check.h"
#include "act/contain.h"
#include "act/queue.h"
#include "act/sshtarget.h"
#include "act/wiring.h"
#include "backends/backend.h"
#include "backends/logline.h"
#include "config/config.h"
#include "config/probe.h"
#include "core/cliopt.h"
#include "core/exitcodes.h"
#include "core/loop.h"
#include "core/sanitize.h"
#include "detect/geo.h"
#include "net/cmdrun.h"
#include "net/resolve.h"
#include "net/ssh_conn.h"

#define CHECK_CMD_MS	30000	/* one command on a server */
#define CHECK_LOG_LINES	"200"	/* the newest lines of each log read */
#define CHECK_OUT_MAX	(256u << 10)
#define CHECK_DNS_NAME	"mailcon-check.example.org"

struct check {
	size_t		 problems;
	size_t		 notes;
};

/* See check.h. */
void
check_usage(FILE *f)
{
	fputs("usage: mailcon check [--server NAME] [--config FILE]\n"
	    "Check the set-up end to end, changing nothing: the "
	    "configuration;\n"
	    "for each server the connection (host key, login, sudo), each "
	    "log\n"
	    "file read once, the queue read, and the wiring of the "
	    "actions (does\n"
	    "the live configuration read the files suspend and "
	    "reset-password\n"
	    "change, as its mail systems tell it); then the GeoIP\n"
	    "databases and the DNS resolvers, when configured.\n"
	    "\n"
	    "  --server NAME   only this [server NAME]\n"
	    "  --config FILE   read FILE instead of the default config\n"
	    "\n"
	    "One line per finding: ok, FAIL (with what to do), note.\n"
	    "Exit status: 0 all is well, 1 something FAILed, 2 usage.\n", f);
}

/* One finding, on its line: "WHO: MARK  TEXT[: FIX]". */
static void
check_say(struct check *k, const char *who, const char *mark,
    const char *fix, const char *fmt, ...)
{
	char	 text[1024], shown[2048], f[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	sanitize_text(shown, sizeof(shown), text, strlen(text));
	sanitize_text(f, sizeof(f), fix != NULL ? fix : "", fix != NULL ?
	    strlen(fix) : 0);
	printf("%s: %-4s  %s%s%s\n", who, mark, shown, f[0] != '\0' ? ": " :
	    "", f);
	if (strcmp(mark, "FAIL") == 0)
		k->problems++;
	else if (strcmp(mark, "note") == 0)
		k->notes++;
}

/* Poll the connection's descriptors and extra ones, then step it. */
static void
check_poll(struct ssh_conn *ssh, struct pollfd *pfd, size_t n, int ms)
{
	struct pollfd	 all[CMDRUN_NFDS + SSH_CONN_NFDS + 4];
	int		 sms;

	if (n > 4 + CMDRUN_NFDS)
		n = 4 + CMDRUN_NFDS;
	memcpy(all, pfd, n * sizeof(*pfd));
	if (ssh != NULL) {
		n += ssh_conn_fds(ssh, all + n);
		sms = ssh_conn_wait_ms(ssh, loop_now_ms());
		if (ms < 0 || (sms >= 0 && sms < ms))
			ms = sms;
	}
	if (ms < 0 || ms > 200)
		ms = 200;
	if (poll(all, n, ms) == -1 && errno != EINTR)
		return;
	if (ssh != NULL)
		ssh_conn_step(ssh, loop_now_ms());
}

/* cmdrun_cb: keep the output (up to CHECK_OUT_MAX). */
struct check_out {
	char	*p;
	size_t	 len;
};

static void
check_keep(void *arg, int stream, const char *p, size_t len)
{
	struct check_out	*o = arg;

	if (stream != CMDRUN_STDOUT || o->len >= CHECK_OUT_MAX)
		return;
	if (len > CHECK_OUT_MAX - o->len)
		len = CHECK_OUT_MAX - o->len;
	memcpy(o->p + o->len, p, len);
	o->len += len;
}

/* Run argv on via to its end, its output in o; 1 ok, else 0 with err. */
static int
check_run(const struct cmdrun_via *via, char *const *argv,
    struct check_out *o, char *err, size_t errlen)
{
	struct cmdrun_spec	 spec;
	struct cmdrun		*r;
	int			 ok;

	memset(&spec, 0, sizeof(spec));
	spec.argv = argv;
	spec.deadline_ms = CHECK_CMD_MS;
	spec.cb = check_keep;
	spec.arg = o;
	o->len = 0;
	if ((r = cmdrun_run(via, &spec, loop_now_ms(), err, errlen)) == NULL)
		return 0;
	ok = cmdrun_wait(r) == 1;
	if (!ok)
		snprintf(err, errlen, "%s", cmdrun_error(r));
	cmdrun_free(r);
	return ok;
}

/* Each log file, its newest lines read once; how many are mail lines. */
static void
check_logs(struct check *k, const struct server_config *sc,
    const struct cmdrun_via *via, struct check_out *o)
{
	struct cmdrun_via	 plain;
	struct log_clock	 clk;
	struct log_header	 h;
	struct mail_events	 ev;
	const char		*p, *nl, *end;
	char			*argv[6], err[1024];
	size_t			 i, lines, mail;

	if (sc->nlogs == 0 && sc->log_argv == NULL && !sc->ssh.journal)
		check_say(k, sc->name, "FAIL", "set logs = the files its mail "
		    "system writes, or journal = yes", "no log source");
	if (sc->log_argv != NULL)
		check_say(k, sc->name, "note", NULL, "its log command (%s) "
		    "follows the log: not read here", sc->log_argv[0]);
	if (sc->ssh.journal)
		check_say(k, sc->name, "note", NULL, "its journal is followed "
		    "over SSH: not read here");
	/* logs are followed as the login, never through sudo */
	if (via != NULL) {
		plain = *via;
		plain.sudo = 0;
		via = &plain;
	}
	for (i = 0; i < sc->nlogs; i++) {
		argv[0] = "tail";
		argv[1] = "-n";
		argv[2] = CHECK_LOG_LINES;
		argv[3] = "--";
		argv[4] = sc->logs[i];
		argv[5] = NULL;
		if (!check_run(via, argv, o, err, sizeof(err))) {
			check_say(k, sc->name, "FAIL", "check the path and "
			    "that the login mailcon uses may read it", "cannot "
			    "read the log %s (%s)", sc->logs[i], err);
			continue;
		}
		log_clock_init(&clk, (int64_t)time(NULL));
		for (lines = mail = 0, p = o->p, end = o->p + o->len; p < end;
		    p = nl + 1) {
			if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
				nl = end;
			lines++;
			if (logline_split(&clk, p, (size_t)(nl - p), &h) == 0 &&
			    backend_parse_any(&h, &ev) > 0 &&
			    ev.ev[0].kind != EV_DISCONNECT)
				mail++;
		}
		check_say(k, sc->name, "ok", NULL, "log %s read: %zu of its "
		    "last %zu lines are mail events", sc->logs[i], mail,
		    lines);
	}
}

/* The queue, read once as the console and the actions read it. */
static void
check_queue(struct check *k, const struct server_config *sc,
    const struct cmdrun_via *via, struct ssh_conn *ssh)
{
	const struct mail_backend *mta = server_mta(sc);
	const struct queue_snapshot *s;
	struct queue_read	*qr;
	struct pollfd		 pfd[2];
	char			 why[512], err[512], **argv;
	size_t			 n;
	int			 r;

	if (!contain_capable(sc, CA_HOLD, why, sizeof(why))) {
		check_say(k, sc->name, "note", NULL, "its queue is not read: "
		    "%s", why);
		return;
	}
	if ((argv = contain_queue_argv(sc)) == NULL) {
		check_say(k, sc->name, "FAIL", NULL, "no queue listing");
		return;
	}
	qr = queue_read_start_via(via, mta->queue, argv, loop_now_ms(),
	    CHECK_CMD_MS, err, sizeof(err));
	contain_argv_free(argv);
	if (qr == NULL) {
		check_say(k, sc->name, "FAIL", NULL, "cannot read its queue: "
		    "%s", err);
		return;
	}
	queue_read_set_maxrec(qr, 1);
	while ((r = queue_read_input(qr, loop_now_ms())) == 0) {
		n = 0;
		if (queue_read_fd(qr) != -1) {
			pfd[n].fd = queue_read_fd(qr);
			pfd[n++].events = POLLIN;
		}
		if (queue_read_errfd(qr) != -1) {
			pfd[n].fd = queue_read_errfd(qr);
			pfd[n++].events = POLLIN;
		}
		check_poll(ssh, pfd, n, queue_read_wait_ms(qr,
		    loop_now_ms()));
	}
	if (r == 1) {
		s = queue_read_snapshot(qr);
		check_say(k, sc->name, "ok", NULL, "queue read: %llu "
		    "message%s", (unsigned long long)s->messages,
		    s->messages == 1 ? "" : "s");
	} else
		check_say(k, sc->name, "FAIL", mta->queue != NULL ?
		    mta->queue->hint : NULL, "cannot read its queue: %s",
		    queue_read_error(qr));
	queue_read_free(qr);
}

/* The wiring of its actions, read as they run (wiring.h). */
static void
check_wiring(struct check *k, const struct server_config *sc,
    const struct cmdrun_via *via, struct ssh_conn *ssh)
{
	static const char *const mark[] = { "ok", "FAIL", "FAIL", "note",
	    "note" };
	const struct wiring_report *rep;
	struct wiring_run	*w;
	struct pollfd		 pfd[CMDRUN_NFDS];
	char			 why[512];
	size_t			 i;

	if (!contain_capable(sc, CA_SUSPEND, why, sizeof(why)) &&
	    !contain_capable(sc, CA_RESET, why, sizeof(why)) &&
	    !contain_capable(sc, CA_HOLD, why, sizeof(why))) {
		check_say(k, sc->name, "note", NULL, "no action configured "
		    "(%s): nothing of its wiring to check", why);
		return;
	}
	w = wiring_start(sc, via, CHECK_CMD_MS, loop_now_ms());
	while (!wiring_step(w, loop_now_ms()))
		check_poll(ssh, pfd, wiring_fds(w, pfd), wiring_wait_ms(w,
		    loop_now_ms()));
	rep = wiring_result(w);
	if (rep->err[0] != '\0')
		check_say(k, sc->name, "FAIL", NULL, "cannot read the wiring: "
		    "%s", rep->err);
	for (i = 0; i < rep->n; i++)
		check_say(k, sc->name, mark[rep->f[i].state], rep->f[i].fix,
		    "%s", rep->f[i].text);
	wiring_free(w);
}

/* A server behind SSH: connected (host key, login), its mail systems
   probed, sudo tried; 0, or -1 when it cannot be reached. */
static int
check_connect(struct check *k, struct server_config *sc,
    const struct mailcon_config *cfg, struct act_ssh *ssh,
    struct cmdrun_via *via, char *user, size_t usize, struct check_out *o)
{
	char	 err[1024], where[300];
	char	*argv[] = { "/bin/sh", "-c", ":", NULL };
	struct cmdrun	*r;

	sshtarget_where(sc, where, sizeof(where));
	if (act_ssh_connect(ssh, sc, cfg->resolver, ACT_SSH_CONNECT_MS, err,
	    sizeof(err)) == -1) {
		check_say(k, sc->name, "FAIL", NULL, "%s", err);
		return -1;
	}
	check_say(k, sc->name, "ok", NULL, "connected over SSH as %s (host "
	    "key known, logged in)", where);
	if (sshtarget_via(sc, ssh->conn, via, user, usize, err,
	    sizeof(err)) == -1) {
		check_say(k, sc->name, "FAIL", NULL, "%s", err);
		return -1;
	}
	if (server_probe_wanted(sc) && (r = probe_start(via, loop_now_ms(),
	    err, sizeof(err))) != NULL) {
		probe_apply(r, cmdrun_wait(r) == 1, sc, NULL, 0);
		cmdrun_free(r);
	}
	if (!sc->ssh.sudo)
		return 0;
	if (check_run(via, argv, o, err, sizeof(err)))
		check_say(k, sc->name, "ok", NULL, "sudo -n runs /bin/sh there "
		    "(the actions' scripts)");
	else
		check_say(k, sc->name, "FAIL", NULL, "%s", err);
	return 0;
}

/* One server, end to end. */
static void
check_server(struct check *k, struct server_config *sc,
    const struct mailcon_config *cfg, struct check_out *o)
{
	struct act_ssh		 ssh = { NULL, NULL };
	struct cmdrun_via	 via, *v = NULL;
	char			 user[256];

	if (sc->ssh.host != NULL) {
		if (check_connect(k, sc, cfg, &ssh, &via, user, sizeof(user),
		    o) == -1) {
			act_ssh_close(&ssh);
			return;
		}
		v = &via;
	} else
		probe_local(sc);
	check_say(k, sc->name, "ok", NULL, "mail systems: %s (MTA), %s "
	    "(logins)", server_mta(sc)->name, server_auth(sc)->name);
	check_logs(k, sc, v, o);
	check_queue(k, sc, v, ssh.conn);
	check_wiring(k, sc, v, ssh.conn);
	act_ssh_close(&ssh);
}

/* resolver_cb: the answer (any answer) or why not. */
struct check_dns {
	int	 done;
	char	 why[256];
};

static void
check_dns_answer(void *arg, const char *host, const char *addr,
    const char *why)
{
	struct check_dns	*d = arg;

	d->done = 1;
	snprintf(d->why, sizeof(d->why), "%s", why != NULL ? why : "");
}

/* Does the resolver (NULL: the system's) answer at all? */
static void
check_dns(struct check *k, const char *resolver, const char *what)
{
	struct resolver		*r;
	struct check_dns	 d = { 0, "" };
	struct pollfd		 pfd[RESOLVER_MAXFDS];
	const char		*name = resolver != NULL ? resolver :
	    "the system's resolver";
	char			 err[256];
	size_t			 n;
	int			 ms;

	if ((r = resolver_new(resolver, 0, err, sizeof(err))) == NULL) {
		check_say(k, "dns", "FAIL", NULL, "%s: %s", name, err);
		return;
	}
	if (resolver_lookup(r, CHECK_DNS_NAME, check_dns_answer, &d) == -1)
		d.done = 1;
	while (!d.done) {
		n = resolver_fds(r, pfd, RESOLVER_MAXFDS);
		ms = resolver_wait_ms(r);
		if (poll(pfd, n, ms < 0 || ms > 200 ? 200 : ms) == -1 &&
		    errno != EINTR)
			break;
		resolver_process(r, pfd, n);
	}
	resolver_free(r);
	/* any answer, NXDOMAIN and REFUSED too, is an answer */
	if (strcmp(d.why, "timed out") == 0 ||
	    strcmp(d.why, "resolver unreachable") == 0)
		check_say(k, "dns", "FAIL", "set it to one that answers, or "
		    "IP:PORT of a local one", "the resolver %s does not answer "
		    "(%s), which %s needs", resolver != NULL ? resolver :
		    "of this system", d.why, what);
	else
		check_say(k, "dns", "ok", NULL, "%s answers (%s; for %s: %s)",
		    name, what, CHECK_DNS_NAME, d.why[0] != '\0' ? d.why :
		    "an address");
}

/* The machine's part: GeoIP databases, DNS resolvers (when used). */
static void
check_machine(struct check *k, const struct mailcon_config *cfg)
{
	struct geo	*g;
	char		 err[1024];
	size_t		 i;
	int		 named = 0;

	if (cfg->geoip != NULL) {
		if ((g = geo_open(cfg->geoip, err, sizeof(err))) == NULL)
			check_say(k, "geoip", "FAIL", NULL, "%s", err);
		else {
			check_say(k, "geoip", "ok", NULL, "%s opened",
			    cfg->geoip[0]);
			geo_close(g);
		}
	}
	if (config_rbl_interval(cfg) > 0)
		check_dns(k, cfg->rbl.resolver, "the DNSBL checks ([rbl])");
	for (i = 0; i < cfg->nservers; i++)
		named |= cfg->servers[i].ssh.host != NULL &&
		    sshtarget_named(&cfg->servers[i]);
	if (named)
		check_dns(k, cfg->resolver, "the servers' host names");
}

/* See check.h. */
int
cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "server",	required_argument,	NULL, 's' },
		{ "config",	required_argument,	NULL, 'c' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 }
	};
	struct mailcon_config	 cfg;
	struct check		 k = { 0, 0 };
	struct check_out	 o = { NULL, 0 };
	const char		*config_path = NULL, *server = NULL;
	char			 err[1024], shown[128];
	size_t			 i, done = 0;
	int			 ch;

	config_init(&cfg);
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			server = optarg;
			break;
		case 'c':
			config_path = optarg;
			break;
		case 'h':
			check_usage(stdout);
			return EXIT_CLEAN;
		default:
			cliopt_error("check", ch, argv);
			fputs("Try 'mailcon check --help'.\n", stderr);
			return EXIT_ERROR;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "mailcon: check: no arguments but options; try "
		    "'mailcon check --help'\n");
		return EXIT_ERROR;
	}
	if (config_load(&cfg, config_path, err, sizeof(err)) == -1) {
		check_say(&k, "config", "FAIL", NULL, "%s", err);
		config_free(&cfg);
		return EXIT_FOUND;
	}
	check_say(&k, "config", "ok", NULL, "%s read: %zu server%s",
	    cfg.path != NULL ? cfg.path : "no config file (the defaults)",
	    cfg.nservers, cfg.nservers == 1 ? "" : "s");
	if (config_check_keys(&cfg, err, sizeof(err)) == -1)
		check_say(&k, "config", "FAIL", NULL, "%s", err);
	o.p = malloc(CHECK_OUT_MAX);
	if (o.p == NULL) {
		config_free(&cfg);
		return EXIT_ERROR;
	}
	for (i = 0; i < cfg.nservers; i++) {
		if (server != NULL && strcmp(cfg.servers[i].name, server) != 0)
			continue;
		check_server(&k, &cfg.servers[i], &cfg, &o);
		done++;
	}
	if (server != NULL && done == 0) {
		sanitize_text(shown, sizeof(shown), server, strlen(server));
		check_say(&k, "config", "FAIL", NULL, "no server \"%s\" in %s",
		    shown, cfg.path != NULL ? cfg.path : "the config");
	}
	if (server == NULL)
		check_machine(&k, &cfg);
	if (k.problems == 0)
		printf("mailcon check: all is well (%zu note%s)\n", k.notes,
		    k.notes == 1 ? "" : "s");
	else
		printf("mailcon check: %zu problem%s found\n", k.problems,
		    k.problems == 1 ? "" : "s");
	free(o.p);
	config_free(&cfg);
	return k.problems == 0 ? EXIT_CLEAN : EXIT_FOUND;
}
