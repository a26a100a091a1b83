/*
 * postsuper_driver.c: run the queue operation runner's batches
 * (console/act/queue_op.c) with Postfix's backend against a real Postfix,
 * for tests/integration/test_postsuper.sh and tests/bench/purge.sh.
 *
 *	postsuper_driver [-c CONFIG_DIR] [-t DEADLINE_MS] hold|release|delete
 *
 * reads queue ids on stdin, one per line, and drives queue_op_step() with
 * poll() as the console's loop would.  Prints one line:
 *
 *	requested=N done=N not_done=N lines=N errors=N batches=N/N exit=N
 *
 * and, on failure, "error: ..." on stderr.  Exit 0 when the run finished,
 * 1 when it failed, 2 when it was refused (an invalid id) or misused.
 */
#include <sys/types.h>

#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "act/queue_op.h"
#include "core/loop.h"

#include "driverlib.h"

#define USAGE	"postsuper_driver [-c CONFIG_DIR] [-t DEADLINE_MS] " \
		"hold|release|delete < ids"

/* Read stdin's lines (without newlines) into an array. */
static char **
read_ids(size_t *np)
{
	char	**ids = NULL, *line = NULL;
	size_t	 n = 0, cap = 0, linecap = 0;
	ssize_t	 len;

	while ((len = getline(&line, &linecap, stdin)) != -1) {
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			if ((ids = realloc(ids, cap * sizeof(*ids))) == NULL)
				exit(1);
		}
		if ((ids[n++] = strdup(line)) == NULL)
			exit(1);
	}
	free(line);
	*np = n;
	return ids;
}

int
main(int argc, char *argv[])
{
	char			*base[4] = { "postsuper", NULL, NULL, NULL };
	char			 err[512], **ids;
	struct pollfd		 pfd[QUEUE_OP_NFDS];
	struct queue_op_run	*run;
	struct queue_op_result	 res;
	enum queue_op	 op;
	size_t			 n, i, nfd;
	int			 ch, r, wait, deadline = 600000;

	while ((ch = getopt(argc, argv, "c:t:")) != -1) {
		switch (ch) {
		case 'c':
			base[1] = "-c";
			base[2] = optarg;
			break;
		case 't':
			deadline = atoi(optarg);
			break;
		default:
			driver_usage(USAGE);
		}
	}
	if (optind + 1 != argc)
		driver_usage(USAGE);
	if (strcmp(argv[optind], "hold") == 0)
		op = QOP_HOLD;
	else if (strcmp(argv[optind], "release") == 0)
		op = QOP_RELEASE;
	else if (strcmp(argv[optind], "delete") == 0)
		op = QOP_DELETE;
	else
		driver_usage(USAGE);

	ids = read_ids(&n);
	run = queue_op_start(NULL, &backend_postfix, op, base,
	    (const char *const *)ids, n, loop_now_ms(), deadline, err,
	    sizeof(err));
	if (run == NULL) {
		fprintf(stderr, "error: %s\n", err);
		return 2;
	}
	while ((r = queue_op_step(run, loop_now_ms())) == 0) {
		nfd = queue_op_fds(run, pfd);
		wait = queue_op_wait_ms(run, loop_now_ms());
		(void)poll(pfd, (nfds_t)nfd, wait);
	}
	queue_op_result(run, &res);
	queue_op_free(run);
	printf("requested=%zu done=%zu not_done=%zu lines=%zu errors=%zu "
	    "batches=%zu/%zu exit=%d\n", res.requested, res.done, res.not_done,
	    res.lines, res.errors, res.batches_done, res.batches,
	    res.exit_status);
	if (res.stderr_text[0] != '\0')
		fprintf(stderr, "stderr: %s\n", res.stderr_text);
	if (r == -1)
		fprintf(stderr, "error: %s\n", res.error);
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	return r == 1 ? 0 : 1;
}
