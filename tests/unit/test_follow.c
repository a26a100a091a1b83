/*
 * test_follow.c: following a log file through appends, partial lines,
 * rotation (rename, copytruncate, in place), deletion, bad files and FIFOs.
 *
 * Lines are numbered; every test checks that each line written arrives
 * exactly once, in order, and nothing else.  No timing: the follower is
 * polled until the lines arrive or an iteration cap is hit, with a fake
 * clock (the follower takes the time as an argument).
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "unit_files.h"
#include "intake/follow.h"

#define MAX_POLLS	1000
#define TICK_MS		200

struct got {
	char		**line;
	size_t		 *len;
	int		 *flags;
	size_t		  n, cap;
	size_t		  gaps;
	char		  gap[512];	/* the last one */
};

static char	 tmpdir[64];
static int64_t	 clock_ms;

/* A path inside this test's temporary directory. */
static char *
tmp(const char *name)
{
	static char	 path[4][128];
	static int	 i;

	i = (i + 1) % 4;
	snprintf(path[i], sizeof(path[i]), "%s/%s", tmpdir, name);
	return path[i];
}

/* The text of line number i, newline included. */
static const char *
text(int i)
{
	static char	 buf[128];

	snprintf(buf, sizeof(buf), "line %04d: postfix/smtpd[%d]: connect "
	    "from unknown[192.0.2.%03d]\n", i, 1000 + i, i % 250);
	return buf;
}

/* Append s to path, creating it when missing. */
static void
append(const char *path, const char *s, size_t len)
{
	int	 fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
	assert_true(fd != -1);
	assert_int_equal(write(fd, s, len), (ssize_t)len);
	close(fd);
}

/* Append lines first..last. */
static void
append_lines(const char *path, int first, int last)
{
	int	 i;

	for (i = first; i <= last; i++)
		append(path, text(i), strlen(text(i)));
}

/* The follower's callback: keep a copy of every line. */
static void
got_line(const char *line, size_t len, int flags, void *arg)
{
	struct got	*g = arg;

	assert_int_equal(line[len], '\0');
	if (g->n == g->cap) {
		g->cap = g->cap == 0 ? 64 : g->cap * 2;
		g->line = realloc(g->line, g->cap * sizeof(*g->line));
		g->len = realloc(g->len, g->cap * sizeof(*g->len));
		g->flags = realloc(g->flags, g->cap * sizeof(*g->flags));
		assert_non_null(g->line);
		assert_non_null(g->len);
		assert_non_null(g->flags);
	}
	g->line[g->n] = malloc(len + 1);
	assert_non_null(g->line[g->n]);
	memcpy(g->line[g->n], line, len + 1);
	g->len[g->n] = len;
	g->flags[g->n] = flags;
	g->n++;
}

/* The follower's gap callback: count them, keep the last. */
static void
got_gap(const char *why, void *arg)
{
	struct got	*g = arg;

	g->gaps++;
	snprintf(g->gap, sizeof(g->gap), "%s", why);
}

/* Open path from its start, gaps told to got_gap. */
static struct follower *
open_gaps(const char *path)
{
	struct follower	*f = follow_open(path, 1);

	follow_on_gap(f, got_gap);
	return f;
}

/* Free what got_line kept. */
static void
got_free(struct got *g)
{
	size_t	 i;

	for (i = 0; i < g->n; i++)
		free(g->line[i]);
	free(g->line);
	free(g->len);
	free(g->flags);
	memset(g, 0, sizeof(*g));
}

/* One poll, the clock one tick later. */
static int
poll_once(struct follower *f, struct got *g, size_t max_bytes)
{
	clock_ms += TICK_MS;
	return follow_poll(f, clock_ms, got_line, g, max_bytes);
}

/* Poll until want lines in all, then a few more times: nothing else comes. */
static void
poll_until(struct follower *f, struct got *g, size_t want, size_t max_bytes)
{
	int	 i;

	for (i = 0; i < MAX_POLLS && g->n < want; i++)
		poll_once(f, g, max_bytes);
	for (i = 0; i < 5; i++)
		poll_once(f, g, max_bytes);
	assert_int_equal(g->n, want);
}

/* Line k of g is numbered line i, whole and unflagged. */
static void
check_line(const struct got *g, size_t k, int i)
{
	const char	*t = text(i);

	assert_true(k < g->n);
	assert_int_equal(g->len[k], strlen(t) - 1);
	assert_memory_equal(g->line[k], t, strlen(t) - 1);
	assert_int_equal(g->flags[k], 0);
}

/* g holds exactly the n lines numbered in nums, in that order. */
static void
check_list(const struct got *g, const int *nums, size_t n)
{
	size_t	 k;

	assert_int_equal(g->n, n);
	for (k = 0; k < n; k++)
		check_line(g, k, nums[k]);
}

/* g holds exactly lines first..last, in order. */
static void
check_seq(const struct got *g, int first, int last)
{
	int	 i;

	assert_int_equal(g->n, (size_t)(last - first + 1));
	for (i = first; i <= last; i++)
		check_line(g, (size_t)(i - first), i);
}

/* A fresh directory per test. */
static int
setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_follow.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	clock_ms = 1000000;
	return 0;
}

/* Remove the test's directory and what is in it. */
static int
teardown(void **state)
{
	char	 cmd[256];

	snprintf(cmd, sizeof(cmd), "chmod -R u+rwx %s; rm -rf %s", tmpdir,
	    tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Appended lines arrive; a half-written line waits for its newline. */
static void
test_append_partial(void **state)
{
	const char	*p = tmp("log");
	struct follower	*f;
	struct got	 g = { 0 };
	char		 t[128];

	append_lines(p, 1, 3);
	f = follow_open(p, 1);
	assert_int_equal(follow_state(f), FOLLOW_LIVE);
	assert_null(follow_error(f));
	poll_until(f, &g, 3, 0);

	/* Line 4 in two halves: nothing until its newline. */
	snprintf(t, sizeof(t), "%s", text(4));
	append(p, t, 10);
	poll_until(f, &g, 3, 0);
	append(p, t + 10, strlen(t) - 10);
	poll_until(f, &g, 4, 0);

	append_lines(p, 5, 6);
	poll_until(f, &g, 6, 0);
	check_seq(&g, 1, 6);
	assert_int_equal(follow_stats(f)->lines, 6);
	assert_int_equal(follow_stats(f)->rotations, 0);
	assert_int_equal(follow_stats(f)->partials, 0);
	follow_close(f);
	got_free(&g);
}

/* An empty line is a line. */
static void
test_empty_line(void **state)
{
	const char	*p = tmp("log");
	struct follower	*f;
	struct got	 g = { 0 };

	f = follow_open(p, 0);
	append(p, "a\n\nb\n", 5);
	poll_until(f, &g, 3, 0);
	assert_string_equal(g.line[0], "a");
	assert_int_equal(g.len[1], 0);
	assert_string_equal(g.line[2], "b");
	follow_close(f);
	got_free(&g);
}

/* Started at the end: only new lines, the one being written whole. */
static void
test_start_at_end(void **state)
{
	const char	*p = tmp("log");
	struct follower	*f;
	struct got	 g = { 0 };
	char		 t[128];
	struct stat	 st;

	/* The line being written when we start is delivered whole. */
	append_lines(p, 1, 3);
	snprintf(t, sizeof(t), "%s", text(4));
	append(p, t, 12);
	f = follow_open(p, 0);
	poll_until(f, &g, 0, 0);
	append(p, t + 12, strlen(t) - 12);
	append_lines(p, 5, 5);
	poll_until(f, &g, 2, 0);
	check_seq(&g, 4, 5);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(follow_stats(f)->bytes,
	    (uint64_t)st.st_size - 3 * (strlen(t)));
	follow_close(f);
	got_free(&g);
}

/* Started inside a line longer than we keep: its fragment is dropped. */
static void
test_start_at_end_long_tail(void **state)
{
	const char	*p = tmp("log");
	struct follower	*f;
	struct got	 g = { 0 };
	char		*y;

	/* No newline in the last FOLLOW_LINE_MAX bytes: drop the fragment. */
	y = malloc(FOLLOW_LINE_MAX + 100);
	assert_non_null(y);
	memset(y, 'y', FOLLOW_LINE_MAX + 100);
	append(p, y, FOLLOW_LINE_MAX + 100);
	free(y);
	f = follow_open(p, 0);
	append(p, "end of y\n", 9);
	append_lines(p, 1, 2);
	poll_until(f, &g, 2, 0);
	check_seq(&g, 1, 2);
	follow_close(f);
	got_free(&g);
}

/* Rotation by rename: the old file to its end, then the new one. */
static void
test_rename(void **state)
{
	const char	*p = tmp("log"), *p1 = tmp("log.1"), *p2 = tmp("log.2");
	struct follower	*f;
	struct got	 g = { 0 };

	append_lines(p, 1, 3);
	f = follow_open(p, 1);
	poll_until(f, &g, 3, 0);

	/* Renamed; the daemon still writes to it; then the new file. */
	assert_int_equal(rename(p, p1), 0);
	assert_true(poll_once(f, &g, 0) & FOLLOW_CHANGED);
	assert_int_equal(follow_state(f), FOLLOW_MISSING);
	assert_non_null(strstr(follow_error(f), "log"));
	append_lines(p1, 4, 5);
	poll_until(f, &g, 5, 0);
	append_lines(p, 6, 7);
	poll_until(f, &g, 7, 0);
	assert_int_equal(follow_state(f), FOLLOW_LIVE);
	assert_int_equal(follow_stats(f)->rotations, 1);

	/* The same with no poll in between. */
	assert_int_equal(rename(p, p2), 0);
	append_lines(p2, 8, 9);
	append_lines(p, 10, 11);
	append_lines(p2, 12, 12);	/* still before we notice */
	poll_until(f, &g, 12, 0);
	assert_int_equal(follow_stats(f)->rotations, 2);
	follow_close(f);
	/* The old file to its end first: 8, 9, 12, then 10, 11. */
	check_list(&g, (const int []){ 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 10, 11 },
	    12);
	got_free(&g);
}

/* Rotation waits for a young partial line to be finished. */
static void
test_rename_partial_completed(void **state)
{
	const char	*p = tmp("log"), *p1 = tmp("log.1");
	struct follower	*f;
	struct got	 g = { 0 };
	char		 t[128];

	snprintf(t, sizeof(t), "%s", text(2));
	/* A half line, then rotation: wait for its end in the old file. */
	append_lines(p, 1, 1);
	append(p, t, 15);
	f = follow_open(p, 1);
	assert_int_equal(follow_poll(f, clock_ms, got_line, &g, 0), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(rename(p, p1), 0);
	append_lines(p, 3, 3);
	follow_poll(f, clock_ms + 100, got_line, &g, 0);
	follow_poll(f, clock_ms + 200, got_line, &g, 0);
	assert_int_equal(g.n, 1);
	append(p1, t + 15, strlen(t) - 15);
	poll_until(f, &g, 3, 0);
	check_seq(&g, 1, 3);
	assert_int_equal(follow_stats(f)->partials, 0);
	assert_int_equal(follow_stats(f)->rotations, 1);
	follow_close(f);
	got_free(&g);
}

/* Rotation delivers an old partial line as is. */
static void
test_rename_partial_aged(void **state)
{
	const char	*p = tmp("log"), *p1 = tmp("log.1");
	struct follower	*f;
	struct got	 g = { 0 };
	char		 t[128];

	snprintf(t, sizeof(t), "%s", text(2));
	/* The old file never finishes its line: delivered as is, once. */
	append_lines(p, 1, 1);
	append(p, t, 15);
	f = follow_open(p, 1);
	poll_until(f, &g, 1, 0);
	assert_int_equal(rename(p, p1), 0);
	append_lines(p, 3, 4);
	poll_until(f, &g, 4, 0);
	check_line(&g, 0, 1);
	assert_int_equal(g.len[1], 15);
	assert_memory_equal(g.line[1], t, 15);
	assert_int_equal(g.flags[1], FOLLOW_LINE_PARTIAL);
	check_line(&g, 2, 3);
	check_line(&g, 3, 4);
	assert_int_equal(follow_stats(f)->partials, 1);
	follow_close(f);
	got_free(&g);
}

/* cp path path.1 */
static void
copy_file(const char *from, const char *to)
{
	char	 buf[4096];
	ssize_t	 n;
	int	 in, out;

	in = open(from, O_RDONLY);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(in != -1 && out != -1);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
}

/* Rotation by copy and truncate, with and without regrowth. */
static void
test_copytruncate(void **state)
{
	const char	*p = tmp("log"), *p1 = tmp("log.1");
	struct follower	*f;
	struct got	 g = { 0 };

	append_lines(p, 1, 3);
	f = follow_open(p, 1);
	poll_until(f, &g, 3, 0);

	/* Smaller than our offset. */
	copy_file(p, p1);
	assert_int_equal(truncate(p, 0), 0);
	append_lines(p, 4, 5);
	poll_until(f, &g, 5, 0);
	assert_int_equal(follow_stats(f)->rotations, 1);

	/* Grown past our offset again before we look: the head tells. */
	copy_file(p, p1);
	assert_int_equal(truncate(p, 0), 0);
	append_lines(p, 6, 20);
	poll_until(f, &g, 20, 0);
	assert_int_equal(follow_stats(f)->rotations, 2);
	check_seq(&g, 1, 20);
	follow_close(f);
	got_free(&g);
}

/* A partial line is delivered as is when its file is truncated. */
static void
test_copytruncate_partial(void **state)
{
	const char	*p = tmp("log");
	struct follower	*f;
	struct got	 g = { 0 };
	char		 t[128];

	snprintf(t, sizeof(t), "%s", text(2));
	/* A partial line cannot end in a truncated file: delivered at once. */
	append_lines(p, 1, 1);
	append(p, t, 20);
	f = follow_open(p, 1);
	poll_until(f, &g, 1, 0);
	assert_int_equal(truncate(p, 0), 0);
	append_lines(p, 3, 3);
	poll_until(f, &g, 3, 0);
	assert_int_equal(g.len[1], 20);
	assert_memory_equal(g.line[1], t, 20);
	assert_int_equal(g.flags[1], FOLLOW_LINE_PARTIAL);
	check_line(&g, 2, 3);
	follow_close(f);
	got_free(&g);
}

/* Same inode and size, other first bytes: read again from 0. */
static void
test_replace_in_place(void **state)
{
	const char	*p = tmp("log");
	struct follower	*f;
	struct got	 g = { 0 };
	struct stat	 st1, st2;
	int		 fd, i;

	append_lines(p, 1, 3);
	assert_int_equal(stat(p, &st1), 0);
	f = follow_open(p, 1);
	poll_until(f, &g, 3, 0);

	/* Same inode, same size, other content. */
	fd = open(p, O_WRONLY | O_TRUNC);
	assert_true(fd != -1);
	for (i = 4; i <= 6; i++)
		assert_int_equal(write(fd, text(i), strlen(text(i))),
		    (ssize_t)strlen(text(i)));
	close(fd);
	assert_int_equal(stat(p, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);
	assert_int_equal(st1.st_size, st2.st_size);
	poll_until(f, &g, 6, 0);
	check_seq(&g, 1, 6);
	assert_int_equal(follow_stats(f)->rotations, 1);
	follow_close(f);
	got_free(&g);
}

/* A deleted file is a state; back, it is read from its start. */
static void
test_delete(void **state)
{
	const char	*p = tmp("log");
	struct follower	*f;
	struct got	 g = { 0 };

	append_lines(p, 1, 2);
	f = follow_open(p, 1);
	poll_until(f, &g, 2, 0);
	assert_int_equal(unlink(p), 0);
	assert_true(poll_once(f, &g, 0) & FOLLOW_CHANGED);
	assert_int_equal(follow_state(f), FOLLOW_MISSING);
	assert_non_null(strstr(follow_error(f), strerror(ENOENT)));
	assert_string_equal(follow_state_name(follow_state(f)), "missing");
	assert_int_equal(follow_get_pos(f, &(struct follow_pos){ 0 }), -1);
	assert_int_equal(poll_once(f, &g, 0), 0);

	/* Back: read from its start. */
	append_lines(p, 3, 4);
	poll_until(f, &g, 4, 0);
	assert_int_equal(follow_state(f), FOLLOW_LIVE);
	assert_int_equal(follow_stats(f)->rotations, 1);
	check_seq(&g, 1, 4);
	follow_close(f);
	got_free(&g);
}

/* A file missing at open is read from its start when it appears. */
static void
test_missing_at_open(void **state)
{
	const char	*p = tmp("sub/log");
	struct follower	*f;
	struct got	 g = { 0 };

	/* Not there yet (not even its directory): from its start later. */
	f = follow_open(p, 0);
	assert_int_equal(follow_state(f), FOLLOW_MISSING);
	poll_until(f, &g, 0, 0);
	assert_int_equal(mkdir(tmp("sub"), 0755), 0);
	poll_until(f, &g, 0, 0);
	append_lines(p, 1, 2);
	poll_until(f, &g, 2, 0);
	check_seq(&g, 1, 2);
	assert_int_equal(follow_stats(f)->rotations, 0);
	assert_string_equal(follow_path(f), p);
	follow_close(f);
	got_free(&g);
}

/* A directory is unreadable, with a message naming it. */
static void
test_unreadable_dir(void **state)
{
	const char	*p = tmp("log");
	struct follower	*f;
	struct got	 g = { 0 };

	assert_int_equal(mkdir(p, 0755), 0);
	f = follow_open(p, 1);
	assert_int_equal(follow_state(f), FOLLOW_UNREADABLE);
	assert_non_null(strstr(follow_error(f), "is a directory"));
	assert_non_null(strstr(follow_error(f), p));
	assert_int_equal(poll_once(f, &g, 0), 0);
	assert_int_equal(follow_state(f), FOLLOW_UNREADABLE);

	/* Fixed: read from its start. */
	assert_int_equal(rmdir(p), 0);
	append_lines(p, 1, 2);
	assert_true(poll_once(f, &g, 0) & FOLLOW_CHANGED);
	poll_until(f, &g, 2, 0);
	check_seq(&g, 1, 2);
	follow_close(f);
	got_free(&g);
}

/* A device is refused without being opened. */
static void
test_unreadable_device(void **state)
{
	struct follower	*f;
	struct got	 g = { 0 };

	/* A device is never opened, let alone read. */
	f = follow_open("/dev/zero", 1);
	assert_int_equal(follow_state(f), FOLLOW_UNREADABLE);
	assert_non_null(strstr(follow_error(f), "not a regular file"));
	poll_until(f, &g, 0, 0);
	assert_int_equal(follow_stats(f)->bytes, 0);
	follow_close(f);
}

/* A file without read permission is unreadable until fixed (followed as
   nobody when root: root reads mode 0 files). */
static void
test_unreadable_perm(void **state)
{
	const char	*p = tmp("log");
	struct follower	*f;
	struct got	 g = { 0 };

	append_lines(p, 1, 2);
	assert_int_equal(chmod(p, 0), 0);
	assert_int_equal(chmod(tmpdir, 0755), 0);
	uf_fs_as(UF_NOBODY);
	f = follow_open(p, 1);
	assert_int_equal(follow_state(f), FOLLOW_UNREADABLE);
	assert_non_null(strstr(follow_error(f), strerror(EACCES)));
	poll_until(f, &g, 0, 0);
	uf_fs_as(0);
	assert_int_equal(chmod(p, 0644), 0);
	uf_fs_as(UF_NOBODY);
	poll_until(f, &g, 2, 0);
	assert_int_equal(follow_state(f), FOLLOW_LIVE);
	check_seq(&g, 1, 2);
	uf_fs_as(0);
	follow_close(f);
	got_free(&g);
}

/* A FIFO is read as it fills and never blocks. */
static void
test_fifo(void **state)
{
	const char	*p = tmp("fifo");
	struct follower	*f;
	struct got	 g = { 0 };
	char		 t[128];
	int		 w, i;

	snprintf(t, sizeof(t), "%s", text(2));
	/* A watchdog, not a timing assertion: a blocking read hangs here. */
	alarm(60);
	assert_int_equal(mkfifo(p, 0644), 0);
	f = follow_open(p, 0);
	assert_int_equal(follow_state(f), FOLLOW_LIVE);
	poll_until(f, &g, 0, 0);		/* no writer */

	w = open(p, O_WRONLY | O_NONBLOCK);
	assert_true(w != -1);
	poll_until(f, &g, 0, 0);		/* a writer, no data */
	assert_int_equal(write(w, text(1), strlen(text(1))),
	    (ssize_t)strlen(text(1)));
	assert_int_equal(write(w, t, 9), 9);
	poll_until(f, &g, 1, 0);
	assert_int_equal(write(w, t + 9, strlen(t) - 9),
	    (ssize_t)(strlen(t) - 9));
	close(w);
	poll_until(f, &g, 2, 0);

	/* Another writer. */
	w = open(p, O_WRONLY | O_NONBLOCK);
	assert_true(w != -1);
	for (i = 3; i <= 4; i++)
		assert_int_equal(write(w, text(i), strlen(text(i))),
		    (ssize_t)strlen(text(i)));
	close(w);
	poll_until(f, &g, 4, 0);
	check_seq(&g, 1, 4);
	assert_int_equal(follow_get_pos(f, &(struct follow_pos){ 0 }), -1);
	follow_close(f);
	got_free(&g);
	alarm(0);
}

/* An overlong line is cut, flagged and counted; the next is whole. */
static void
test_overlong(void **state)
{
	const char	*p = tmp("log");
	struct follower	*f;
	struct got	 g = { 0 };
	size_t		 big = 3 * FOLLOW_LINE_MAX + 17, i;
	char		*x;

	x = malloc(big + 1);
	assert_non_null(x);
	for (i = 0; i < big; i++)
		x[i] = 'a' + i % 26;
	x[big] = '\n';
	f = follow_open(p, 0);
	append_lines(p, 1, 1);
	append(p, x, big + 1);
	append_lines(p, 2, 2);
	/* Small reads: the long line spans many polls. */
	poll_until(f, &g, 3, 4096);
	check_line(&g, 0, 1);
	assert_int_equal(g.len[1], FOLLOW_LINE_MAX);
	assert_memory_equal(g.line[1], x, FOLLOW_LINE_MAX);
	assert_int_equal(g.flags[1], FOLLOW_LINE_TRUNCATED);
	check_line(&g, 2, 2);
	assert_int_equal(follow_stats(f)->overlong, 1);
	assert_int_equal(follow_stats(f)->lines, 3);
	free(x);
	follow_close(f);
	got_free(&g);
}

/* max_bytes bounds each poll; FOLLOW_MORE says there is more. */
static void
test_budget(void **state)
{
	const char	*p = tmp("log"), *p1 = tmp("log.1");
	struct follower	*f;
	struct got	 g = { 0 };
	struct stat	 st;
	int		 r;

	append_lines(p, 1, 500);
	f = follow_open(p, 1);
	r = poll_once(f, &g, 1000);
	assert_true(r & FOLLOW_MORE);
	assert_true(g.n > 0 && g.n < 500);
	assert_int_equal(follow_stats(f)->bytes, 1000);
	poll_until(f, &g, 500, 1000);
	assert_int_equal(poll_once(f, &g, 1000), 0);
	check_seq(&g, 1, 500);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(follow_stats(f)->bytes, (uint64_t)st.st_size);

	/* A backlog in the renamed file, read in slices, before the new. */
	assert_int_equal(rename(p, p1), 0);
	append_lines(p1, 501, 700);
	append_lines(p, 701, 800);
	r = poll_once(f, &g, 1000);
	assert_true(r & FOLLOW_MORE);
	assert_int_equal(follow_stats(f)->bytes, st.st_size + 1000);
	poll_until(f, &g, 800, 1000);
	check_seq(&g, 1, 800);
	follow_close(f);
	got_free(&g);
}

/* A saved position resumes; a rotated or rewritten file restarts. */
static void
test_position(void **state)
{
	const char	*p = tmp("log"), *p1 = tmp("log.1");
	struct follower	*f;
	struct got	 g = { 0 };
	struct follow_pos pos;
	char		 t[128];
	int		 resumed, fd, i;

	snprintf(t, sizeof(t), "%s", text(4));
	/* Saved with a partial line held: resumed at the line's start. */
	append_lines(p, 1, 3);
	append(p, t, 7);
	f = follow_open(p, 1);
	poll_until(f, &g, 3, 0);
	assert_int_equal(follow_get_pos(f, &pos), 0);
	assert_int_equal(pos.offset, 3 * strlen(t));
	assert_int_equal(pos.head_len, FOLLOW_HEAD_MAX);
	follow_close(f);
	append(p, t + 7, strlen(t) - 7);
	append_lines(p, 5, 5);
	f = follow_open_at(p, &pos, &resumed);
	assert_int_equal(resumed, 1);
	poll_until(f, &g, 5, 0);
	assert_int_equal(follow_get_pos(f, &pos), 0);
	follow_close(f);

	/* Rotated while we were away: the new file is all new. */
	assert_int_equal(rename(p, p1), 0);
	append_lines(p, 6, 7);
	f = follow_open_at(p, &pos, &resumed);
	assert_int_equal(resumed, 0);
	poll_until(f, &g, 7, 0);
	assert_int_equal(follow_get_pos(f, &pos), 0);
	follow_close(f);

	/* Truncated while we were away. */
	assert_int_equal(truncate(p, 0), 0);
	append_lines(p, 8, 8);
	f = follow_open_at(p, &pos, &resumed);
	assert_int_equal(resumed, 0);
	poll_until(f, &g, 8, 0);
	assert_int_equal(follow_get_pos(f, &pos), 0);
	follow_close(f);

	/* Rewritten in place, longer: the head tells. */
	fd = open(p, O_WRONLY | O_TRUNC);
	assert_true(fd != -1);
	for (i = 9; i <= 12; i++)
		assert_int_equal(write(fd, text(i), strlen(text(i))),
		    (ssize_t)strlen(text(i)));
	close(fd);
	f = follow_open_at(p, &pos, &resumed);
	assert_int_equal(resumed, 0);
	poll_until(f, &g, 12, 0);
	check_seq(&g, 1, 12);
	follow_close(f);
	got_free(&g);
}

/* Lines written after our last read and before a copytruncate are read
   from the copy, then the new ones: every line once, no gap. */
static void
test_copytruncate_unread(void **state)
{
	const char	*p = tmp("log"), *p1 = tmp("log.1");
	struct follower	*f;
	struct got	 g = { 0 };

	append_lines(p, 1, 3);
	f = open_gaps(p);
	poll_until(f, &g, 3, 0);
	append_lines(p, 4, 9);			/* not read yet */
	copy_file(p, p1);
	assert_int_equal(truncate(p, 0), 0);
	append_lines(p, 10, 40);		/* past our offset again */
	poll_until(f, &g, 40, 0);
	check_seq(&g, 1, 40);
	assert_int_equal(g.gaps, 0);
	assert_int_equal(follow_stats(f)->rotations, 1);
	follow_close(f);
	got_free(&g);
}

/* A log that starts empty, grows and is copied and truncated, twice, with
   more written than we had read before we look: its first bytes were
   learnt as they were read, so the truncation is seen. */
static void
test_empty_start_copytruncate_twice(void **state)
{
	const char	*p = tmp("log"), *p1 = tmp("log.1"), *p2 = tmp("log.2");
	struct follower	*f;
	struct got	 g = { 0 };

	append(p, "", 0);
	f = open_gaps(p);
	poll_until(f, &g, 0, 0);
	append_lines(p, 1, 5);
	poll_until(f, &g, 5, 0);
	append_lines(p, 6, 8);
	copy_file(p, p1);
	assert_int_equal(truncate(p, 0), 0);
	append_lines(p, 9, 12);
	assert_int_equal(rename(p1, p2), 0);	/* logrotate shifts */
	copy_file(p, p1);
	assert_int_equal(truncate(p, 0), 0);
	append_lines(p, 13, 30);
	poll_until(f, &g, 30, 0);
	check_seq(&g, 1, 30);
	assert_int_equal(g.gaps, 0);
	follow_close(f);
	got_free(&g);
}

/* A daemon that writes to the renamed file after the new one has lines:
   those lines still arrive (the old file is watched for a while). */
static void
test_rename_late_writer(void **state)
{
	const char	*p = tmp("log"), *p1 = tmp("log.1");
	struct follower	*f;
	struct got	 g = { 0 };
	int		 i;

	append_lines(p, 1, 3);
	f = open_gaps(p);
	poll_until(f, &g, 3, 0);
	assert_int_equal(rename(p, p1), 0);
	append_lines(p, 4, 5);
	poll_until(f, &g, 5, 0);
	append_lines(p1, 6, 7);			/* late, in the old file */
	poll_until(f, &g, 7, 0);
	append_lines(p, 8, 8);
	poll_until(f, &g, 8, 0);
	check_seq(&g, 1, 8);
	/* quiet for FOLLOW_DRAIN_MS: let go */
	for (i = 0; i < FOLLOW_DRAIN_MS / TICK_MS + 2; i++)
		poll_once(f, &g, 0);
	append_lines(p, 9, 9);
	poll_until(f, &g, 9, 0);
	assert_int_equal(g.gaps, 0);
	follow_close(f);
	got_free(&g);
}

/* Renamed twice between two polls (numbered as logrotate does): ours,
   then the one rotated after it, then the live one. */
static void
test_rename_twice(void **state)
{
	const char	*p = tmp("log"), *p1 = tmp("log.1"), *p2 = tmp("log.2");
	struct follower	*f;
	struct got	 g = { 0 };

	append_lines(p, 1, 3);
	f = open_gaps(p);
	poll_until(f, &g, 3, 0);
	append_lines(p, 4, 5);
	assert_int_equal(rename(p, p1), 0);
	append_lines(p, 6, 8);
	assert_int_equal(rename(p1, p2), 0);
	assert_int_equal(rename(p, p1), 0);
	append_lines(p, 9, 10);
	poll_until(f, &g, 10, 0);
	check_seq(&g, 1, 10);
	assert_int_equal(g.gaps, 0);
	follow_close(f);
	got_free(&g);
}

/* Truncated with no copy beside it: a gap that says so, and the new
   lines from the start. */
static void
test_truncate_no_copy(void **state)
{
	const char	*p = tmp("log");
	struct follower	*f;
	struct got	 g = { 0 };

	append_lines(p, 1, 3);
	f = open_gaps(p);
	poll_until(f, &g, 3, 0);
	assert_int_equal(truncate(p, 0), 0);
	append_lines(p, 4, 5);
	poll_until(f, &g, 5, 0);
	check_seq(&g, 1, 5);
	assert_int_equal(g.gaps, 1);
	assert_non_null(strstr(g.gap, "truncated"));
	assert_non_null(strstr(g.gap, p));
	assert_int_equal(follow_stats(f)->gaps, 1);
	follow_close(f);
	got_free(&g);
}

/* Cut to a non-zero size (its first bytes kept): nothing read twice,
   reading goes on at the new end, and a gap says what may be lost. */
static void
test_cut_nonzero(void **state)
{
	const char	*p = tmp("log");
	struct follower	*f;
	struct got	 g = { 0 };

	append_lines(p, 1, 6);
	f = open_gaps(p);
	poll_until(f, &g, 6, 0);
	assert_int_equal(truncate(p, (off_t)(3 * strlen(text(1)))), 0);
	poll_once(f, &g, 0);
	append_lines(p, 7, 8);
	poll_until(f, &g, 8, 0);
	check_seq(&g, 1, 8);
	assert_int_equal(g.gaps, 1);
	assert_non_null(strstr(g.gap, "truncated"));
	follow_close(f);
	got_free(&g);
}

/*
 * Cut to a non-zero size and, before the next poll, grown past where it
 * had been read by more than was cut (issue 20): the first bytes and the
 * size alone say nothing changed.  Noticed by the bytes before the read
 * position: a gap, nothing read twice, nothing read from the middle of a
 * line, reading on at the new end.
 */
static void
test_cut_then_grown(void **state)
{
	const char	*p = tmp("log");
	struct follower	*f;
	struct got	 g = { 0 };

	append_lines(p, 1, 6);
	f = open_gaps(p);
	poll_until(f, &g, 6, 0);
	/* lines 4-6 cut, then 7-12 written before the follower looks */
	assert_int_equal(truncate(p, (off_t)(3 * strlen(text(1)))), 0);
	append_lines(p, 7, 12);
	poll_once(f, &g, 0);
	append_lines(p, 13, 14);
	poll_until(f, &g, 8, 0);
	assert_int_equal(g.gaps, 1);
	assert_non_null(strstr(g.gap, "truncated"));
	assert_non_null(strstr(g.gap, p));
	/* 1-6 read before, then what came after the cut was seen */
	check_list(&g, (const int []){ 1, 2, 3, 4, 5, 6, 13, 14 }, 8);
	follow_close(f);
	got_free(&g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_append_partial, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_empty_line, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_start_at_end, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_start_at_end_long_tail,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_partial_completed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_partial_aged,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_copytruncate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_copytruncate_partial,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_in_place, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_at_open, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_dir, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_device, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_perm, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fifo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlong, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_position, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_copytruncate_unread, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_empty_start_copytruncate_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_late_writer, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rename_twice, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_truncate_no_copy, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cut_then_grown, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cut_nonzero, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
