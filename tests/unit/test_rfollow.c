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

#include <dirent.h>
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

#include "intake/rfollow.h"

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
	/* nothing until the program says the file was not cut under it */
	assert_string_equal(g.text, "");
	assert_int_equal(feed_bytes(r, "K\n"), 0);
	assert_string_equal(g.text, "one|two|");
	assert_int_equal(rfollow_position(r, &ino, &off), 1);
	assert_int_equal(ino, 77);
	assert_int_equal(off, 108);	/* "t" is not delivered yet */
	assert_int_equal(feed_bytes(r, "H\nD 4\nhreeK\n"), 0);
	assert_string_equal(g.text, "one|two|");
	assert_int_equal(feed_bytes(r, "R 77\nF 78 0 5 0\n"), 0);
	/* the renamed file is watched: its unfinished line may still end */
	assert_string_equal(g.text, "one|two|");
	assert_int_equal(feed_bytes(r, "d 2\n!\nK\n"), 0);
	assert_string_equal(g.text, "one|two|three!|");
	assert_int_equal(g.partials, 0);
	/* ... and once it is let go, a partial one is whole as it is */
	assert_int_equal(feed_bytes(r, "d 3\noldK\n"), 0);
	assert_string_equal(g.text, "one|two|three!|");
	assert_int_equal(feed_bytes(r, "Q\n"), 0);
	assert_string_equal(g.text, "one|two|three!|old|");
	assert_int_equal(g.partials, 1);
	assert_int_equal(feed_bytes(r, "D 5\nfour\nK\n"), 0);
	assert_int_equal(rfollow_position(r, &ino, &off), 1);
	assert_int_equal(ino, 78);
	assert_int_equal(off, 5);
	assert_int_equal(feed_bytes(r, "T 78\nF 78 0 5 0\nG lost a bit\nD 5\nfive\nK\n"), 0);
	assert_string_equal(g.text, "one|two|three!|old|four|five|");
	assert_int_equal(g.gaps, 1);
	assert_string_equal(g.gap, "lost a bit");
	assert_int_equal(rfollow_stats(r)->lines, 6);
	assert_int_equal(rfollow_stats(r)->rotations, 2);
	/* a data chunk may carry bytes that look like headers */
	assert_int_equal(feed_bytes(r, "D 8\nR 1\nF 2\nK\n"), 0);
	assert_string_equal(g.text, "one|two|three!|old|four|five|R 1|F 2|");
	/* a chunk read while the file was truncated under it is dropped */
	assert_int_equal(feed_bytes(r, "D 6\nstale\nX\nT 78\nF 78 0 0 0\n"
	    "D 6\nfresh\nK\n"), 0);
	assert_string_equal(g.text,
	    "one|two|three!|old|four|five|R 1|F 2|fresh|");
	assert_int_equal(rfollow_position(r, &ino, &off), 1);
	assert_int_equal(off, 6);
	/* and a chunk must be followed by one of the two */
	assert_int_equal(feed_bytes(r, "D 1\nxH\n"), -1);
	rfollow_close(r);
}

/*
 * "P n", between a chunk and its K, carries the bytes before the chunk as
 * they are now: the same as received, nothing happens (and bytes not
 * known yet are learnt); others, and the chunk is dropped and the
 * follower must start the program again, ignoring what it says from
 * there.
 */
static void
test_protocol_prev(void **state)
{
	struct got	 g;
	struct rfollow	*r;
	char		 back[48];

	memset(&g, 0, sizeof(g));
	r = rfollow_open("/var/log/mail.log", 0, on_line, on_gap, &g);
	assert_int_equal(feed_bytes(r, "F 7 100 1 64\nD 8\none\ntwo\n"
	    "P 4\nold\nK\n"), 0);
	assert_string_equal(g.text, "one|two|");
	assert_int_equal(rfollow_must_restart(r), 0);
	/* the bytes before the resume point, for the next start */
	rfollow_resume_back(r, back, sizeof(back));
	assert_string_equal(back + strcspn(back, " "), " 12");
	assert_int_equal(feed_bytes(r, "D 6\nthree\nP 6\ne\ntwo\nK\n"), 0);
	assert_string_equal(g.text, "one|two|three|");
	assert_int_equal(rfollow_must_restart(r), 0);
	/* cut and written again: the bytes before differ */
	assert_int_equal(feed_bytes(r, "D 5\nfour\nP 6\nXXXXXXK\n"), 0);
	assert_int_equal(rfollow_must_restart(r), 1);
	assert_string_equal(g.text, "one|two|three|");
	rfollow_close(r);
	/* outside a chunk, twice, or more than 64 bytes: not the program's */
	r = rfollow_open("/var/log/mail.log", 0, on_line, on_gap, &g);
	assert_int_equal(feed_bytes(r, "F 7 0 0 0\nP 3\nabc"), -1);
	rfollow_close(r);
	r = rfollow_open("/var/log/mail.log", 0, on_line, on_gap, &g);
	assert_int_equal(feed_bytes(r, "F 7 9 0 0\nD 1\nxP 1\naP 1\n"), -1);
	rfollow_close(r);
	r = rfollow_open("/var/log/mail.log", 0, on_line, on_gap, &g);
	assert_int_equal(feed_bytes(r, "F 7 99 0 0\nD 1\nxP 65\n"), -1);
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
	assert_int_equal(feed_bytes(r, "K\n"), 0);
	assert_int_equal(z.n, 0);
	assert_int_equal(rfollow_position(r, &ino, &off), 1);
	assert_int_equal(off, 10);		/* the line is not done */
	assert_int_equal(feed_bytes(r, "D 4\nx\nokK\n"), 0);
	assert_int_equal(z.n, 1);
	assert_int_equal(z.len[0], FOLLOW_LINE_MAX);
	assert_true(z.flags[0] & FOLLOW_LINE_TRUNCATED);
	assert_int_equal(feed_bytes(r, "D 1\n\nK\n"), 0);
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

/* Start the program under /bin/sh as rfollow does over SSH, with the
   renamed file still watched (oino, ooff; empty when there is none) and
   the bytes before the offset (back; NULL: not given), in a process group
   of its own when group is set (so that it can be stopped whole). */
static void
prog_exec_all(struct prog *p, const char *file, const char *ino,
    const char *off, const char *head, const char *oino, const char *ooff,
    const char *back, int group)
{
	int	 in[2], out[2];
	size_t	 n = strlen(rfollow_script);

	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	p->pid = fork();
	assert_true(p->pid != -1);
	if (p->pid == 0) {
		if (group)
			setpgid(0, 0);
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execl("/bin/sh", "sh", "-s", file, ino, off, head, oino, ooff,
		    back, (char *)NULL);
		_exit(127);
	}
	if (group)
		setpgid(p->pid, p->pid);
	close(in[0]);
	close(out[1]);
	assert_int_equal(write(in[1], rfollow_script, n), (ssize_t)n);
	close(in[1]);
	p->out = out[0];
}

/* The same without the bytes before the offset, in our process group. */
static void
prog_exec(struct prog *p, const char *file, const char *ino,
    const char *off, const char *head, const char *oino, const char *ooff)
{
	prog_exec_all(p, file, ino, off, head, oino, ooff, NULL, 0);
}

/* A first start, or a restart with no renamed file watched. */
static void
prog_start(struct prog *p, const char *file, const char *ino,
    const char *off, const char *head)
{
	prog_exec(p, file, ino, off, head, "", "");
}

/* Start the program again where the follower stopped, as rfollow does. */
static void
prog_resume(struct prog *p, struct rfollow *r, const char *file)
{
	char	 ino[24], off[24], head[48], oino[24], ooff[24];

	assert_int_equal(rfollow_resume_args(r, ino, off, head, oino, ooff), 1);
	prog_exec(p, file, ino, off, head, oino, ooff);
}

/* What feeding waits for. */
enum until { UNTIL_LINES, UNTIL_STARTED, UNTIL_RESTART, UNTIL_GAP };

/* Is what feeding waits for there? */
static int
prog_there(struct rfollow *r, struct got *g, enum until until, size_t want,
    uint64_t moved)
{
	uint64_t	 ino, off;

	switch (until) {
	case UNTIL_LINES:
		return g->lines >= want;
	case UNTIL_STARTED:
		return rfollow_position(r, &ino, &off);
	case UNTIL_RESTART:
		return rfollow_must_restart(r);
	case UNTIL_GAP:
		return g->gaps > 0 && rfollow_stats(r)->rotations != moved;
	}
	return 1;
}

/*
 * Feed what the program prints until what is awaited is there (or 10 s):
 * want lines; its F; the follower must start it again; a gap and an F at
 * another place.  Those but the lines a byte at a time: nothing after
 * them may be read here.
 */
static void
prog_feed(struct prog *p, struct rfollow *r, struct got *g,
    enum until until, size_t want)
{
	struct pollfd	 pfd;
	char		 buf[4096];
	ssize_t		 n;
	uint64_t	 moved = rfollow_stats(r)->rotations;
	time_t		 end = time(NULL) + 10;

	while (!prog_there(r, g, until, want, moved) && time(NULL) < end) {
		pfd.fd = p->out;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		if ((n = read(p->out, buf, until == UNTIL_LINES ? sizeof(buf) :
		    1)) <= 0)
			break;
		assert_int_equal(rfollow_input(r, buf, (size_t)n), 0);
	}
}

/* Feed what the program prints until want lines arrived (or 10 s). */
static void
prog_pump(struct prog *p, struct rfollow *r, struct got *g, size_t want)
{
	prog_feed(p, r, g, UNTIL_LINES, want);
}

/* Feed until the program has said where it starts. */
static void
prog_wait_start(struct prog *p, struct rfollow *r, struct got *g)
{
	uint64_t	 ino, off;

	prog_feed(p, r, g, UNTIL_STARTED, 0);
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

/*
 * Start the program in its own process group (so that it can be stopped
 * whole), resuming where r stopped with the bytes before it (BACK) as
 * rfollow does; r NULL: a first start from the file's start.
 */
static void
prog_exec_back(struct prog *p, struct rfollow *r, const char *file)
{
	char	 ino[24] = "", off[24] = "0", head[48] = "", oino[24] = "";
	char	 ooff[24] = "", back[48] = "";

	if (r != NULL) {
		assert_int_equal(rfollow_resume_args(r, ino, off, head, oino,
		    ooff), 1);
		rfollow_resume_back(r, back, sizeof(back));
		rfollow_restart(r);
	}
	prog_exec_all(p, file, ino, off, head, oino, ooff, back, 1);
}

/* Stop the program's whole process group, and wait until every process
   in it has stopped (a signal is delivered asynchronously). */
static void
prog_freeze(struct prog *p)
{
	char		 path[300], buf[512], *c, st;
	long		 pgrp;
	FILE		*f;
	DIR		*d;
	struct dirent	*de;
	int		 i, running = 1;

	assert_int_equal(kill(-p->pid, SIGSTOP), 0);
	for (i = 0; i < 3000 && running; i++) {	/* 30 s */
		running = 0;
		assert_non_null(d = opendir("/proc"));
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] < '0' || de->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/stat",
			    de->d_name);
			if ((f = fopen(path, "r")) == NULL)
				continue;
			if (fgets(buf, sizeof(buf), f) != NULL &&
			    (c = strrchr(buf, ')')) != NULL &&
			    sscanf(c + 1, " %c %*d %ld", &st, &pgrp) == 2 &&
			    pgrp == p->pid && st != 'T' && st != 'Z' &&
			    st != 'X')
				running = 1;
			fclose(f);
		}
		closedir(d);
		if (running)
			usleep(10000);
	}
	assert_int_equal(running, 0);
}

/* The byte offset of "line k" in a file of lines 0.. (append()). */
static off_t
line_at(int k)
{
	off_t	 off = 0;
	int	 i;

	for (i = 0; i < k; i++)
		off += (off_t)snprintf(NULL, 0, "line %d\n", i);
	return off;
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
	char		 want[4096];
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
	prog_resume(&p, r, log);
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
	char		 want[4096];
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
	prog_resume(&p, r, log);
	prog_pump(&p, r, &g, 6);
	prog_stop(&p);
	expect(want, sizeof(want), 0, 3);
	strcat(want, "line 6|line 7|line 8|");
	assert_string_equal(g.text, want);
	assert_int_equal(g.gaps, 1);
	assert_non_null(strstr(g.gap, "the file we were reading is gone"));
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

/* Rotate file as logrotate does: .1 moved to .2, then file copied to .1
   and truncated (copy set) or renamed to .1. */
static void
rotate(const char *file, int copy)
{
	char	 cmd[1024];

	if (copy)
		snprintf(cmd, sizeof(cmd), "if [ -e '%s.1' ]; then mv '%s.1' "
		    "'%s.2'; fi; cp -p '%s' '%s.1' && truncate -s 0 '%s'",
		    file, file, file, file, file, file);
	else
		snprintf(cmd, sizeof(cmd), "if [ -e '%s.1' ]; then mv '%s.1' "
		    "'%s.2'; fi; mv '%s' '%s.1'", file, file, file, file,
		    file);
	assert_int_equal(system(cmd), 0);
}

/*
 * A log that starts empty grows, is copied and truncated, and more is
 * written right away than had been read (its first bytes were learnt as
 * they were read, so the truncation is seen): every line once, no gap.
 */
static void
test_script_empty_copytruncate(void **state)
{
	struct got	 g;
	struct rfollow	*r;
	struct prog	 p;
	char		 want[4096];
	const char	*log = path("ct.log");

	memset(&g, 0, sizeof(g));
	append(log, 0, 0);
	r = rfollow_open(log, 0, on_line, on_gap, &g);
	prog_start(&p, log, "", "end", "");
	prog_wait_start(&p, r, &g);
	append(log, 0, 10);
	prog_pump(&p, r, &g, 10);
	append(log, 10, 14);			/* not read yet */
	rotate(log, 1);
	append(log, 14, 60);
	prog_pump(&p, r, &g, 60);
	prog_stop(&p);
	expect(want, sizeof(want), 0, 60);
	assert_string_equal(g.text, want);
	assert_int_equal(g.gaps, 0);
	rfollow_close(r);
}

/*
 * Rotated twice while disconnected (copy set: copied and truncated, else
 * renamed): the rest of ours from its copy or by its inode, the file
 * rotated after it, then the live file: every line once, no gap.
 */
static void
rotated_twice_away(const char *log, int copy)
{
	struct got	 g;
	struct rfollow	*r;
	struct prog	 p;
	char		 want[4096];

	memset(&g, 0, sizeof(g));
	r = rfollow_open(log, 1, on_line, on_gap, &g);
	append(log, 0, 5);
	prog_start(&p, log, "", "0", "");
	prog_pump(&p, r, &g, 5);
	prog_stop(&p);
	append(log, 5, 8);
	rotate(log, copy);
	append(log, 8, 12);
	rotate(log, copy);
	append(log, 12, 30);
	prog_resume(&p, r, log);
	prog_pump(&p, r, &g, 30);
	prog_stop(&p);
	expect(want, sizeof(want), 0, 30);
	assert_string_equal(g.text, want);
	assert_int_equal(g.gaps, 0);
	rfollow_close(r);
}

static void
test_script_copytruncate_away(void **state)
{
	rotated_twice_away(path("cta.log"), 1);
}

static void
test_script_rename_twice_away(void **state)
{
	rotated_twice_away(path("twice.log"), 0);
}

/* The daemon writes to the renamed file after the new one has lines, and
   again after a disconnect: those lines arrive (the renamed file is
   watched, and found again by its inode on a restart). */
static void
test_script_rename_late(void **state)
{
	struct got	 g;
	struct rfollow	*r;
	struct prog	 p;
	const char	*log = path("late.log");
	char		 old[128];

	memset(&g, 0, sizeof(g));
	snprintf(old, sizeof(old), "%s.1", log);
	r = rfollow_open(log, 1, on_line, on_gap, &g);
	append(log, 0, 2);
	prog_start(&p, log, "", "0", "");
	prog_pump(&p, r, &g, 2);
	rotate(log, 0);
	append(log, 2, 4);
	prog_pump(&p, r, &g, 4);
	assert_string_equal(g.text, "line 0|line 1|line 2|line 3|");
	append(old, 4, 6);			/* late, in the renamed file */
	prog_pump(&p, r, &g, 6);
	prog_stop(&p);
	append(old, 6, 7);			/* while disconnected */
	append(log, 7, 8);
	prog_resume(&p, r, log);
	prog_pump(&p, r, &g, 8);
	prog_stop(&p);
	assert_int_equal(g.lines, 8);
	assert_non_null(strstr(g.text, "line 4|line 5|"));
	assert_non_null(strstr(g.text, "line 6|"));
	assert_non_null(strstr(g.text, "line 7|"));
	assert_int_equal(g.gaps, 0);
	rfollow_close(r);
}

/* Cut to a non-zero size while it runs: nothing read twice, reading goes
   on at the new end, and a gap says what may be lost. */
static void
test_script_cut(void **state)
{
	struct got	 g;
	struct rfollow	*r;
	struct prog	 p;
	char		 want[4096];
	const char	*log = path("cut.log");

	memset(&g, 0, sizeof(g));
	r = rfollow_open(log, 1, on_line, on_gap, &g);
	append(log, 0, 20);
	prog_start(&p, log, "", "0", "");
	prog_pump(&p, r, &g, 20);
	assert_int_equal(truncate(log, 7 * 10), 0);	/* "line N\n" x 10 */
	prog_pump(&p, r, &g, 21);			/* let it see the cut */
	append(log, 20, 23);
	prog_pump(&p, r, &g, 23);
	prog_stop(&p);
	expect(want, sizeof(want), 0, 23);
	assert_string_equal(g.text, want);
	assert_int_equal(g.gaps, 1);
	assert_non_null(strstr(g.gap, "was cut to 70 bytes"));
	rfollow_close(r);
}

/* Emptied with no copy while disconnected: a gap, then the new lines. */
static void
test_script_emptied_away(void **state)
{
	struct got	 g;
	struct rfollow	*r;
	struct prog	 p;
	const char	*log = path("emptied.log");

	memset(&g, 0, sizeof(g));
	r = rfollow_open(log, 1, on_line, on_gap, &g);
	append(log, 0, 3);
	prog_start(&p, log, "", "0", "");
	prog_pump(&p, r, &g, 3);
	prog_stop(&p);
	append(log, 3, 5);			/* lost with the truncation */
	assert_int_equal(truncate(log, 0), 0);
	append(log, 5, 7);
	prog_resume(&p, r, log);
	prog_pump(&p, r, &g, 5);
	prog_stop(&p);
	assert_string_equal(g.text, "line 0|line 1|line 2|line 5|line 6|");
	assert_int_equal(g.gaps, 1);
	assert_non_null(strstr(g.gap, "truncated"));
	rfollow_close(r);
}

/*
 * After lines 0-29 were read, the log was cut before line 20 and lines
 * 100-139 written (more than was cut): start the program again where r
 * stopped, as rfollow does (BACK given).  It reports a gap and goes on
 * at the end: lines 140-144 written then arrive, nothing read from the
 * middle of a line or twice.
 */
static void
grown_resume(struct prog *p, struct rfollow *r, struct got *g,
    const char *log)
{
	char	 want[4096];

	prog_exec_back(p, r, log);
	prog_feed(p, r, g, UNTIL_GAP, 0);
	assert_int_equal(g->gaps, 1);
	append(log, 140, 145);
	prog_pump(p, r, g, 35);
	prog_stop(p);
	expect(want, sizeof(want), 0, 30);
	strcat(want, "line 140|line 141|line 142|line 143|line 144|");
	assert_string_equal(g->text, want);
	assert_int_equal(g->gaps, 1);
	assert_non_null(strstr(g->gap, "grew past byte"));
}

/*
 * Cut to a non-zero size past its first bytes and grown past where it
 * was read by more than was cut, while disconnected (issue 20): the
 * restart finds it by the bytes before the offset (BACK).
 */
static void
test_script_cut_grown_away(void **state)
{
	struct got	 g;
	struct rfollow	*r;
	struct prog	 p;
	const char	*log = path("grown.log");

	memset(&g, 0, sizeof(g));
	r = rfollow_open(log, 1, on_line, on_gap, &g);
	append(log, 0, 30);
	prog_exec_back(&p, NULL, log);
	prog_pump(&p, r, &g, 30);
	prog_stop(&p);
	assert_int_equal(truncate(log, line_at(20)), 0);
	append(log, 100, 140);
	grown_resume(&p, r, &g, log);
	rfollow_close(r);
}

/*
 * The same while connected: the program stopped between two looks (as
 * a busy server may be), the cut and the growth happen, it goes on: the
 * bytes it sends with the next chunk ("P") differ, the follower drops
 * the chunk and must start it again, and the restart reports the gap.
 */
static void
test_script_cut_grown_live(void **state)
{
	struct got	 g;
	struct rfollow	*r;
	struct prog	 p;
	char		 want[4096];
	const char	*log = path("grownlive.log");

	memset(&g, 0, sizeof(g));
	r = rfollow_open(log, 1, on_line, on_gap, &g);
	append(log, 0, 30);
	prog_exec_back(&p, NULL, log);
	prog_pump(&p, r, &g, 30);
	prog_freeze(&p);
	assert_int_equal(truncate(log, line_at(20)), 0);
	append(log, 100, 140);
	assert_int_equal(kill(-p.pid, SIGCONT), 0);
	prog_feed(&p, r, &g, UNTIL_RESTART, 0);
	assert_int_equal(rfollow_must_restart(r), 1);
	prog_stop(&p);
	expect(want, sizeof(want), 0, 30);
	assert_string_equal(g.text, want);
	grown_resume(&p, r, &g, log);
	rfollow_close(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_protocol),
		cmocka_unit_test(test_protocol_prev),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_not_ours),
		cmocka_unit_test(test_gap_sanitised),
		cmocka_unit_test(test_script_resume),
		cmocka_unit_test(test_script_gap),
		cmocka_unit_test(test_script_rotate_live),
		cmocka_unit_test(test_script_empty_copytruncate),
		cmocka_unit_test(test_script_copytruncate_away),
		cmocka_unit_test(test_script_rename_twice_away),
		cmocka_unit_test(test_script_rename_late),
		cmocka_unit_test(test_script_cut),
		cmocka_unit_test(test_script_emptied_away),
		cmocka_unit_test(test_script_cut_grown_away),
		cmocka_unit_test(test_script_cut_grown_live),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
