/*
 * test_cmdrun_ssh.c: the parts of running commands over SSH that need no
 * server (console/net/cmdrun_ssh.c, sshtarget.c, contain.c's refusals):
 * sudo's words and the quoting of the remote command line, what sudo's
 * stderr means, the plain messages for sudo and exit 127, the default
 * login and known_hosts, and that nothing of a server behind SSH ever
 * runs here nor over a connection that is not live.  The real sshd runs
 * in tests/integration/test_ssh_act.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "act/contain.h"
#include "act/sshtarget.h"
#include "live/server.h"
#include "net/cmdrun.h"
#include "net/ssh_conn.h"
#include "unit_server.h"

/* A port nothing listens on would do; the connection is never awaited. */
#define NOWHERE_PORT	1

/* sudo -n -- comes first, with argv's own words (borrowed) after. */
static void
test_remote_argv(void **state)
{
	char *const	 argv[] = { "postsuper", "-d", "-", NULL };
	char		**v;

	v = cmdrun_remote_argv(argv, 1);
	assert_string_equal(v[0], "sudo");
	assert_string_equal(v[1], "-n");
	assert_string_equal(v[2], "--");
	assert_ptr_equal(v[3], argv[0]);
	assert_ptr_equal(v[5], argv[2]);
	assert_null(v[6]);
	free(v);
	v = cmdrun_remote_argv(argv, 0);
	assert_ptr_equal(v[0], argv[0]);
	assert_null(v[3]);
	free(v);
}

/* The remote line quotes every word the shell would otherwise parse. */
static void
test_remote_line(void **state)
{
	char *const	 argv[] = { "/bin/sh", "-c", "echo \"$1\"", "x",
	    "a'b; touch /tmp/pwned $(id)", "", NULL };
	char		 buf[256];
	int		 n;

	n = cmdrun_remote_line(argv, 1, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf, "sudo -n -- /bin/sh -c 'echo \"$1\"' x "
	    "'a'\\''b; touch /tmp/pwned $(id)' ''");
	assert_true(cmdrun_remote_line(argv, 0, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "/bin/sh -c 'echo \"$1\"' x "
	    "'a'\\''b; touch /tmp/pwned $(id)' ''");
	/* too long for the buffer: -1, never a cut command */
	assert_int_equal(cmdrun_remote_line(argv, 1, buf, 20), -1);
}

/* sudo's refusals, as sudo 1.9 and older and the shells word them. */
static void
test_sudo_said(void **state)
{
	static const struct {
		const char		*err;
		int			 status;
		enum cmdrun_sudo	 want;
	} cases[] = {
		{ "sudo: a password is required\n", 1, CMDRUN_SUDO_PASSWORD },
		{ "Could not chdir to home directory /x: No such file\n"
		  "sudo: a password is required\n", 1, CMDRUN_SUDO_PASSWORD },
		{ "sudo: a terminal is required to read the password; either "
		  "use the -S option\n", 1, CMDRUN_SUDO_PASSWORD },
		{ "sudo: no tty present and no askpass program specified\n",
		  1, CMDRUN_SUDO_PASSWORD },
		{ "sudo: sorry, you must have a tty to run sudo\n", 1,
		  CMDRUN_SUDO_PASSWORD },
		{ "mc is not in the sudoers file.  This incident will be "
		  "reported.\n", 1, CMDRUN_SUDO_DENIED },
		{ "Sorry, user mc is not allowed to execute '/usr/sbin/"
		  "postsuper -d -' as root on mx.\n", 1, CMDRUN_SUDO_DENIED },
		{ "sudo: postsuper: command not found\n", 1,
		  CMDRUN_SUDO_NOTFOUND },
		{ "sh: 1: sudo: not found\n", 127, CMDRUN_SUDO_MISSING },
		{ "bash: line 1: sudo: command not found\r\n", 127,
		  CMDRUN_SUDO_MISSING },
		/* not sudo's */
		{ "sh: 1: postsuper: not found\n", 127, CMDRUN_SUDO_NONE },
		{ "postsuper: a password is required\n", 1, CMDRUN_SUDO_NONE },
		{ "sudo: a password is required\n", 0, CMDRUN_SUDO_NONE },
		{ "postsuper: fatal: queue gone\n", 75, CMDRUN_SUDO_NONE },
		{ "", 1, CMDRUN_SUDO_NONE },
	};
	const char	*line = NULL;
	size_t		 i, n = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %zu\n", i);
		assert_int_equal(cmdrun_sudo_said(cases[i].err,
		    strlen(cases[i].err), cases[i].status, NULL, NULL),
		    cases[i].want);
	}
	/* the line that said it, without its newline */
	assert_int_equal(cmdrun_sudo_said(cases[1].err, strlen(cases[1].err),
	    1, &line, &n), CMDRUN_SUDO_PASSWORD);
	assert_int_equal(n, strlen("sudo: a password is required"));
	assert_memory_equal(line, "sudo: a password is required", n);
}

/* The words for a remote failure name the server and the login. */
static void
test_remote_failure(void **state)
{
	struct cmdrun_via	 via = { NULL, "mx1", "deploy", 1 };
	const char		*pw = "sudo: a password is required\n";
	const char		*nf = "Could not chdir to home directory /x\n"
	    "sh: 1: postqueue: not found\n";
	const char		*esc = "sh: 1: \033]0;x\007: not found\n";
	char			 buf[512];
	int			 full = -1;

	cmdrun_remote_failure(&via, 1, pw, strlen(pw), buf, sizeof(buf),
	    &full);
	assert_string_equal(buf, "failed: sudo on mx1 wants a password: "
	    "give deploy NOPASSWD for these commands, or connect as root");
	assert_int_equal(full, 1);
	/* without sudo = yes, a sudo line is the command's own business */
	via.sudo = 0;
	cmdrun_remote_failure(&via, 1, pw, strlen(pw), buf, sizeof(buf),
	    &full);
	assert_string_equal(buf, "failed with exit status 1");
	assert_int_equal(full, 0);
	/* exit 127: the line saying what was not found, not sshd's */
	cmdrun_remote_failure(&via, 127, nf, strlen(nf), buf, sizeof(buf),
	    &full);
	assert_non_null(strstr(buf, "not found on mx1 (exit 127: sh: 1: "
	    "postqueue: not found)"));
	assert_non_null(strstr(buf, "PATH deploy's"));
	assert_null(strstr(buf, "chdir"));
	/* attacker bytes in stderr are shown escaped */
	cmdrun_remote_failure(&via, 127, esc, strlen(esc), buf, sizeof(buf),
	    &full);
	assert_null(strchr(buf, '\033'));
	assert_null(strchr(buf, '\007'));
	via.sudo = 1;
	cmdrun_remote_failure(&via, 127, "sh: 1: sudo: not found\n", 23, buf,
	    sizeof(buf), &full);
	assert_non_null(strstr(buf, "sudo is not installed on mx1"));
}

/* A connection that is not live runs nothing, and says its state. */
static void
test_not_live(void **state)
{
	struct ssh_conn_config	 cfg;
	struct ssh_conn		*c;
	struct cmdrun_via	 via;
	struct cmdrun_spec	 spec;
	char *const		 argv[] = { "true", NULL };
	char			 err[512] = "";

	memset(&cfg, 0, sizeof(cfg));
	cfg.name = "mx1";
	cfg.host = "127.0.0.1";
	cfg.port = NOWHERE_PORT;
	cfg.user = "root";
	c = ssh_conn_new(&cfg, 0);
	memset(&via, 0, sizeof(via));
	via.ssh = c;
	via.server = "mx1";
	memset(&spec, 0, sizeof(spec));
	spec.argv = argv;
	spec.deadline_ms = 1000;
	assert_null(cmdrun_run(&via, &spec, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "mx1: not connected ("));
	ssh_conn_free(c);
}

/* A [server] for the contain tests: postfix_config and suspend keys. */
static void
server_init(struct server_config *sc)
{
	static char	 name[] = "mx1", host[] = "127.0.0.1", user[] = "mc";

	memset(sc, 0, sizeof(*sc));
	sc->name = name;
	sc->ssh.host = host;
	sc->ssh.port = 2222;
	sc->ssh.user = user;
	us_set(sc, "postfix_config", "/etc/postfix");
	us_set(sc, "deny_file", "/etc/dovecot/deny");
	us_set(sc, "sasl_access_map", "/etc/postfix/sasl_access");
}

/* A server behind SSH without a live connection: refused, nothing run. */
static void
test_contain_refused(void **state)
{
	struct server_config	 sc;
	struct contain_request	 req;
	struct ssh_conn_config	 cfg;
	struct contain		*c;
	const struct contain_result *r;

	server_init(&sc);
	memset(&req, 0, sizeof(req));
	req.action = CA_HOLD;
	req.server = &sc;
	req.account = "bob@example.test";
	req.count_only = 1;	/* no audit needed: refused all the same */
	c = contain_start(&req, NULL, 0);
	r = contain_result(c);
	assert_int_equal(r->outcome, CO_REFUSED);
	assert_non_null(strstr(r->text, "refused, nothing run: mx1: not "
	    "connected (no SSH connection to 127.0.0.1)"));
	contain_free(c);

	memset(&cfg, 0, sizeof(cfg));
	cfg.name = "mx1";
	cfg.host = "127.0.0.1";
	cfg.port = NOWHERE_PORT;
	cfg.user = "mc";
	req.ssh = ssh_conn_new(&cfg, 0);
	c = contain_start(&req, NULL, 0);
	r = contain_result(c);
	assert_int_equal(r->outcome, CO_REFUSED);
	assert_non_null(strstr(r->text, "mx1: not connected (connecting)"));
	contain_free(c);
	ssh_conn_free(req.ssh);
	config_action_free(&sc.act);
}

/* The dry run of a server behind SSH: where, and sudo's words first. */
static void
test_contain_dry_run(void **state)
{
	struct server_config	 sc;
	struct contain_request	 req;
	struct contain		*c;
	const struct contain_result *r;

	server_init(&sc);
	sc.ssh.sudo = 1;
	memset(&req, 0, sizeof(req));
	req.action = CA_PURGE;
	req.server = &sc;
	req.account = "bob@example.test";
	req.dry_run = 1;
	c = contain_start(&req, NULL, 0);
	r = contain_result(c);
	assert_int_equal(r->outcome, CO_DONE);
	assert_non_null(strstr(r->commands, "# on mx1 over SSH as "
	    "mc@127.0.0.1 port 2222, through sudo;"));
	assert_non_null(strstr(r->commands, "\nsudo -n -- postqueue -c "
	    "/etc/postfix -j  # read the queue\n"));
	assert_non_null(strstr(r->commands, "\nsudo -n -- postsuper -c "
	    "/etc/postfix -d -  # stdin"));
	contain_free(c);
	config_action_free(&sc.act);
}

/* Defaults: mailcon's own known_hosts beside the history; the login. */
static void
test_target(void **state)
{
	struct server_config	 sc;
	struct ssh_conn_config	 cfg;
	struct sshtarget_paths	 p;
	struct cmdrun_via	 via;
	char			 buf[256], err[256];

	setenv("XDG_STATE_HOME", "/state", 1);
	assert_int_equal(sshtarget_own_known_hosts(buf, sizeof(buf), err,
	    sizeof(err)), 0);
	assert_string_equal(buf, "/state/mailcon/known_hosts");
	unsetenv("XDG_STATE_HOME");
	setenv("HOME", "/home/op", 1);
	assert_int_equal(sshtarget_own_known_hosts(buf, sizeof(buf), err,
	    sizeof(err)), 0);
	assert_string_equal(buf, "/home/op/.local/state/mailcon/known_hosts");

	server_init(&sc);
	assert_int_equal(sshtarget_conn_config(&sc, &cfg, &p, err,
	    sizeof(err)), 0);
	assert_string_equal(cfg.user, "mc");
	assert_string_equal(cfg.known_hosts, "/home/op/.ssh/known_hosts");
	assert_int_equal(cfg.port, 2222);
	sc.ssh.user = NULL;	/* ours, then */
	assert_int_equal(sshtarget_conn_config(&sc, &cfg, &p, err,
	    sizeof(err)), 0);
	assert_string_not_equal(cfg.user, "");
	/* a server with a host never runs here */
	assert_int_equal(sshtarget_via(&sc, NULL, &via, buf, sizeof(buf),
	    err, sizeof(err)), -1);
	sc.ssh.host = NULL;
	assert_int_equal(sshtarget_via(&sc, NULL, &via, buf, sizeof(buf),
	    err, sizeof(err)), 0);
	assert_null(via.ssh);
	config_action_free(&sc.act);
}

/* A remote server's queue is never read here, even without a connection. */
static void
test_server_queue(void **state)
{
	struct server_config	 sc;
	struct mailcon_config	 cfg;
	struct server		*s;
	char			*qargv[] = { "sh", "-c", "exit 0", NULL };

	config_init(&cfg);
	server_init(&sc);
	sc.queue_argv = qargv;
	s = server_new(&sc, 0, &cfg.detect, 0, 1, NULL, NULL);
	server_queue(s, 0);
	assert_null(s->qr);
	assert_non_null(strstr(s->queue_status, "mx1: not connected"));
	server_free(s);
	config_free(&cfg);
	config_action_free(&sc.act);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_remote_argv),
		cmocka_unit_test(test_remote_line),
		cmocka_unit_test(test_sudo_said),
		cmocka_unit_test(test_remote_failure),
		cmocka_unit_test(test_not_live),
		cmocka_unit_test(test_contain_refused),
		cmocka_unit_test(test_contain_dry_run),
		cmocka_unit_test(test_target),
		cmocka_unit_test(test_server_queue),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
