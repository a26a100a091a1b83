/*
 * test_server_queue.c: which command a server reads its queue with
 * (server_new, console/live/server.c): queue_command when given; else,
 * for a [server] of the file (queue_on), the command the actions read it
 * with, postqueue -j with -c postfix_config; none with queue = off and
 * for the servers the program makes itself (config_add_server).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/config.h"
#include "live/server.h"

/* The server's queue command as one line, or "-" for none. */
static const char *
queue_line(const struct mailcon_config *cfg, size_t i)
{
	static char	 buf[512];
	struct server	*s;
	size_t		 k, n = 0;

	s = server_new(&cfg->servers[i], (unsigned)i, &cfg->detect, 0, 1,
	    NULL, NULL);
	buf[0] = '\0';
	for (k = 0; s->queue_argv != NULL && s->queue_argv[k] != NULL; k++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
		    k > 0 ? " " : "", s->queue_argv[k]);
	if (s->queue_argv == NULL)
		snprintf(buf, sizeof(buf), "-");
	server_free(s);
	return buf;
}

static void
test_queue_command(void **state)
{
	static const char text[] =
	    "[server a]\nqueue_interval = 5s\n"
	    "[server b]\npostfix_config = /etc/postfix-out\n"
	    "[server c]\nqueue = off\n"
	    "[server d]\nqueue_command = off\n"
	    "[server e]\nqueue_command = cat /q.jsonl\n"
	    "[server f]\nhost = 127.0.0.1\nqueue_command = off\n"
	    "[server g]\nhost = 127.0.0.1\npostfix_config = /etc/pf\n";
	struct mailcon_config	 cfg;
	struct server_config	*sc;
	char			 path[] = "/tmp/mailcon-test-queue-XXXXXX";
	char			 err[256];
	FILE			*f;
	int			 fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	fputs(text, f);
	fclose(f);
	config_init(&cfg);
	if (config_load(&cfg, path, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	unlink(path);
	assert_string_equal(queue_line(&cfg, 0), "postqueue -j");
	assert_string_equal(queue_line(&cfg, 1),
	    "postqueue -c /etc/postfix-out -j");
	assert_string_equal(queue_line(&cfg, 2), "-");
	assert_string_equal(queue_line(&cfg, 3), "-");
	assert_string_equal(queue_line(&cfg, 4), "cat /q.jsonl");
	assert_string_equal(queue_line(&cfg, 5), "-");
	assert_string_equal(queue_line(&cfg, 6), "postqueue -c /etc/pf -j");
	/* made here (the demo, this machine's): nothing unless given */
	sc = config_add_server(&cfg, "demo");
	(void)sc;
	assert_string_equal(queue_line(&cfg, cfg.nservers - 1), "-");
	config_free(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue_command),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
