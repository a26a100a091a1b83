/*
 * test_rfollow.c: the remote follower without SSH.
 *
 * The protocol parser is fed what the remote program sends, split at
 * every byte boundary, and must deliver each line exactly once, keep the
 * resume position at the start of an unfinished line, and refuse output
 * that is not the program's.  The program itself (rfollow_script) runs
 * here under /bin/sh on real files: a first start from the end, a resume
 * by inode after a rename, a gap when the file is gone or shorter, and a
 * rotation while it runs.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "rfollow.h"

struct got {
	char	 text[65536];	/* lines joined by '|' */
	size_t	 len;
	size_t	 lines;
	size_t	 partials;
	char	 gap[512];
	size_t	 gaps;
};

/* Line callback: append "line|". */
static void
on_line(const char *line, size_t len, int flags, void *arg)
{
	struct got	*g = arg;

	assert_true(g->len + len + 1 < sizeof(g->text));
	memcpy(g->text + g->len, line, len);
	g->len += len;
	g->text[g->len++] = '|';
	g->text[g->len] = '\0';
	g->lines++;
	if (flags & FOLLOW_LINE_PARTIAL)
		g->partials++;
}

/* Gap callback: keep the last reason. */
static void
on_gap(const char *why, void *arg)
{
	struct got	*g = arg;

	snprintf(g->gap, sizeof(g->gap), "%s", why);
	g->gaps++;
}

/* Feed s one byte at a time. */
static int
feed_bytes(struct rfollow *r, const char *s)
{
	size_t	 i, n = strlen(s);

	for (i = 0; i < n; i++)
		if (rfollow_input(r, s + i, 1) == -1)
			return -1;
	return 0;
}

/* Lines, rotation and truncation, split at every byte. */
static void
test_protocol(void **state)
{
	struct got	 g;
	struct rfollow	*r;
	uint64_t	 ino, off;

	memset(&g, 0, sizeof(g));
	r = rfollow_open("/var/log/mail.log", 0, on_line, on_gap, &g);
	assert_int_equal(rfollow_position(r, &ino, &off), 0);
	assert_int_equal(feed_bytes(r, "F 77 100 123 64\nD 9\none\ntwo\nt"), 0);
	assert_string_equal(g.text, "one|two|");
	assert_int_equal(rfollow_position(r, &ino, &off), 1);
	assert_int_equal(ino, 77);
	assert_int_equal(off, 108);	/* "t" is not delivered yet */
	assert_int_equal(feed_bytes(r, "H\nD 4\nhree"), 0);
	assert_string_equal(g.text, "one|two|");
	assert_int_equal(feed_bytes(r, "R 78\nF 78 0 5 0\n"), 0);
	/* the old file's unfinished line is whole once its file is left */
	assert_string_equal(g.text, "one|two|three|");
	assert_int_equal(g.partials, 1);
	assert_int_equal(feed_bytes(r, "D 5\nfour\n"), 0);
	assert_int_equal(rfollow_position(r, &ino, &off), 1);
	assert_int_equal(ino, 78);
	assert_int_equal(off, 5);
	assert_int_equal(feed_bytes(r, "T 78\nF 78 0 5 0\nG lost a bit\nD 5\nfive\n"), 0);
	assert_string_equal(g.text, "one|two|three|four|five|");
	assert_int_equal(g.gaps, 1);
	assert_string_equal(g.gap, "lost a bit");
	assert_int_equal(rfollow_stats(r)->lines, 5);
	assert_int_equal(rfollow_stats(r)->rotations, 2);
	/* a data chunk may carry bytes that look like headers */
	assert_int_equal(feed_bytes(r, "D 8\nR 1\nF 2\n"), 0);
	assert_string_equal(g.text, "one|two|three|four|five|R 1|F 2|");
	rfollow_close(r);
}

/* Collects line lengths and flags: lines too long for struct got. */
struct sizes {
	size_t	 len[4];
	int	 flags[4];
	size_t	 n;
	char	 last[16];
};

static void
on_size(const char *line, size_t len, int flags, void *arg)
{
	struct sizes	*z = arg;

	assert_true(z->n < 4);
	z->len[z->n] = len;
	z->flags[z->n++] = flags;
	snprintf(z->last, sizeof(z->last), "%.*s", (int)(len < 15 ? len : 15),
	    line);
}

static void
on_no_gap(const char *why, void *arg)
{
	(void)arg;
	fail_msg("a gap where none is: %s", why);
}

/* A line of three times FOLLOW_LINE_MAX (a log line is attacker text) is
   delivered once, cut and marked, in bounded memory; the resume position
   stays at its start until its newline, then the next line is whole. */
static void
test_overlong(void **state)
{
	const size_t	 big = 3 * FOLLOW_LINE_MAX + 17;
	struct sizes	 z;
	struct rfollow	*r;
	uint64_t	 ino, off;
	char		*chunk, hdr[64];

	(void)state;
	memset(&z, 0, sizeof(z));
	assert_non_null(chunk = malloc(big));
	memset(chunk, 'x', big);
	r = rfollow_open("/var/log/mail.log", 0, on_size, on_no_gap, &z);
	assert_int_equal(feed_bytes(r, "F 5 10 0 0\n"), 0);
	snprintf(hdr, sizeof(hdr), "D %zu\n", big);
	assert_int_equal(rfollow_input(r, hdr, strlen(hdr)), 0);
	assert_int_equal(rfollow_input(r, chunk, big), 0);
	assert_int_equal(z.n, 0);
	assert_int_equal(rfollow_position(r, &ino, &off), 1);
	assert_int_equal(off, 10);		/* the line is not done */
	assert_int_equal(feed_bytes(r, "D 4\nx\nok"), 0);
	assert_int_equal(z.n, 1);
	assert_int_equal(z.len[0], FOLLOW_LINE_MAX);
	assert_true(z.flags[0] & FOLLOW_LINE_TRUNCATED);
	assert_int_equal(feed_bytes(r, "D 1\n\n"), 0);
	assert_int_equal(z.n, 2);
	assert_int_equal(z.len[1], 2);
	assert_string_equal(z.last, "ok");
	assert_false(z.flags[1] & FOLLOW_LINE_TRUNCATED);
	assert_int_equal(rfollow_position(r, &ino, &off), 1);
	assert_int_equal(off, 10 + big + 2 + 3);
	rfollow_close(r);
	free(chunk);
}

/* Output that is not the program's is refused. */
static void
test_not_ours(void **state)
{
	static const char *const bad[] = {
		"hello\n",		/* not a header */
		"D 5\nabcde",		/* data before F */
		"F 1 0 5 5\nD 99999999\n",	/* chunk too large */
		"F 1 0 5 5\nD x\n",
		"F 1\n",
		"F 1 0\n",			/* no head */
		"F 1 0 5 65\n",		/* head longer than 64 */
		"F 1 0 5 5\nR\n",
		"F 1 0 5 5\nD 0\n",
		"F 18446744073709551616 0 5 5\n",	/* 2^64 */
		"Dx\n",
	};
	char		 longhdr[1024];
	struct got	 g;
	struct rfollow	*r;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&g, 0, sizeof(g));
		r = rfollow_open("/l", 1, on_line, on_gap, &g);
		assert_int_equal(rfollow_input(r, bad[i], strlen(bad[i])), -1);
		assert_int_equal(rfollow_state(r), FOLLOW_UNREADABLE);
		assert_int_equal(g.lines, 0);
		rfollow_close(r);
	}
	memset(longhdr, 'G', sizeof(longhdr));
	memset(&g, 0, sizeof(g));
	r = rfollow_open("/l", 1, on_line, on_gap, &g);
	assert_int_equal(rfollow_input(r, longhdr, sizeof(longhdr)), -1);
	rfollow_close(r);
}

/* A gap's text is attacker-influenced (a path): control bytes go. */
static void
test_gap_sanitised(void **state)
{
	struct got	 g;
	struct rfollow	*r;

	memset(&g, 0, sizeof(g));
	r = rfollow_open("/l", 1, on_line, on_gap, &g);
	assert_int_equal(feed_bytes(r, "G a\033[2Jb\x07\n"), 0);
	assert_int_equal(g.gaps, 1);
	assert_null(strchr(g.gap, '\033'));
	assert_null(strchr(g.gap, '\x07'));
	rfollow_close(r);
}

static char	 dir[64];

/* A path in the test's directory. */
static const char *
path(const char *name)
{
	static char	 buf[4][128];
	static int	 i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

/* Append numbered lines [from, to) to file. */
static void
append(const char *file, int from, int to)
{
	FILE	*f = fopen(file, "a");
	int	 i;

	assert_non_null(f);
	for (i = from; i < to; i++)
		fprintf(f, "line %d\n", i);
	fclose(f);
}

/* The running program: its pid and stdout. */
struct prog {
	pid_t	 pid;
	int	 out;
};

/* Start the program under /bin/sh as rfollow does over SSH. */
static void
prog_start(struct prog *p, const char *file, const char *ino,
    const char *off, const char *head)
{
	int	 in[2], out[2];
	size_t	 n = strlen(rfollow_script);

	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	p->pid = fork();
	assert_true(p->pid != -1);
	if (p->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execl("/bin/sh", "sh", "-s", file, ino, off, head, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	assert_int_equal(write(in[1], rfollow_script, n), (ssize_t)n);
	close(in[1]);
	p->out = out[0];
}

/* Feed what the program prints until want lines arrived (or 10 s). */
static void
prog_pump(struct prog *p, struct rfollow *r, struct got *g, size_t want)
{
	struct pollfd	 pfd;
	char		 buf[4096];
	ssize_t		 n;
	time_t		 end = time(NULL) + 10;

	while (g->lines < want && time(NULL) < end) {
		pfd.fd = p->out;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		if ((n = read(p->out, buf, sizeof(buf))) <= 0)
			break;
		assert_int_equal(rfollow_input(r, buf, (size_t)n), 0);
	}
}

/* Feed until the program has said where it starts. */
static void
prog_wait_start(struct prog *p, struct rfollow *r, struct got *g)
{
	struct pollfd	 pfd;
	char		 c;
	uint64_t	 ino, off;
	time_t		 end = time(NULL) + 10;

	/* a byte at a time: nothing after the F may be read here */
	while (!rfollow_position(r, &ino, &off) && time(NULL) < end) {
		pfd.fd = p->out;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		if (read(p->out, &c, 1) != 1)
			break;
		assert_int_equal(rfollow_input(r, &c, 1), 0);
	}
	assert_int_equal(rfollow_position(r, &ino, &off), 1);
}

/* Stop the program (as a dropped connection would). */
static void
prog_stop(struct prog *p)
{
	kill(p->pid, SIGKILL);
	waitpid(p->pid, NULL, 0);
	close(p->out);
}

/* "line a|line a+1|...|line b-1|" */
static void
expect(char *buf, size_t size, int a, int b)
{
	size_t	 off = 0;
	int	 i;

	buf[0] = '\0';
	for (i = a; i < b; i++)
		off += (size_t)snprintf(buf + off, size - off, "line %d|", i);
}

/* Resume arguments from the follower's position. */
static void
resume_args(struct rfollow *r, char *ino, char *off, char *head)
{
	assert_int_equal(rfollow_resume_args(r, ino, off, head), 1);
}

static int
setup_dir(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/mctest-rfollow.XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown_dir(void **state)
{
	char	 cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/*
 * From the end; lines while it runs; a stop; lines meanwhile, a rename
 * and lines in the new file; a resume reads the rest of the old file by
 * its inode, then the new one: every line once, in order.
 */
static void
test_script_resume(void **state)
{
	struct got	 g;
	struct rfollow	*r;
	struct prog	 p;
	char		 ino[24], off[24], head[48], want[4096];
	const char	*log = path("mail.log");

	memset(&g, 0, sizeof(g));
	append(log, 0, 5);			/* before: not read */
	r = rfollow_open(log, 0, on_line, on_gap, &g);
	prog_start(&p, log, "", "end", "");
	prog_wait_start(&p, r, &g);
	append(log, 5, 10);
	prog_pump(&p, r, &g, 5);
	expect(want, sizeof(want), 5, 10);
	assert_string_equal(g.text, want);
	prog_stop(&p);
	append(log, 10, 15);
	assert_int_equal(rename(log, path("mail.log.1")), 0);
	append(log, 15, 20);
	resume_args(r, ino, off, head);
	prog_start(&p, log, ino, off, head);
	prog_pump(&p, r, &g, 15);
	prog_stop(&p);
	expect(want, sizeof(want), 5, 20);
	assert_string_equal(g.text, want);
	assert_int_equal(g.gaps, 0);
	rfollow_close(r);
}

/* The old file is gone: a gap, then the new file from its start. */
static void
test_script_gap(void **state)
{
	struct got	 g;
	struct rfollow	*r;
	struct prog	 p;
	char		 ino[24], off[24], head[48], want[4096];
	const char	*log = path("gap.log");

	memset(&g, 0, sizeof(g));
	r = rfollow_open(log, 1, on_line, on_gap, &g);
	append(log, 0, 3);
	prog_start(&p, log, "", "0", "");
	prog_pump(&p, r, &g, 3);
	prog_stop(&p);
	append(log, 3, 6);			/* lost with the file */
	assert_int_equal(unlink(log), 0);
	append(log, 6, 9);
	resume_args(r, ino, off, head);
	prog_start(&p, log, ino, off, head);
	prog_pump(&p, r, &g, 6);
	prog_stop(&p);
	expect(want, sizeof(want), 0, 3);
	strcat(want, "line 6|line 7|line 8|");
	assert_string_equal(g.text, want);
	assert_int_equal(g.gaps, 1);
	assert_non_null(strstr(g.gap, "rotated or replaced"));
	rfollow_close(r);
}

/* A rename while it runs: the old file's rest, then the new file. */
static void
test_script_rotate_live(void **state)
{
	struct got	 g;
	struct rfollow	*r;
	struct prog	 p;
	char		 want[4096];
	const char	*log = path("live.log");

	memset(&g, 0, sizeof(g));
	r = rfollow_open(log, 1, on_line, on_gap, &g);
	append(log, 0, 2);
	prog_start(&p, log, "", "0", "");
	prog_pump(&p, r, &g, 2);
	assert_int_equal(rename(log, path("live.log.1")), 0);
	append(path("live.log.1"), 2, 4);	/* a late writer */
	append(log, 4, 7);
	prog_pump(&p, r, &g, 7);
	prog_stop(&p);
	expect(want, sizeof(want), 0, 7);
	assert_string_equal(g.text, want);
	assert_int_equal(rfollow_stats(r)->rotations, 1);
	rfollow_close(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_protocol),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_not_ours),
		cmocka_unit_test(test_gap_sanitised),
		cmocka_unit_test(test_script_resume),
		cmocka_unit_test(test_script_gap),
		cmocka_unit_test(test_script_rotate_live),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
