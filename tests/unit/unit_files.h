/*
 * unit_files.h: what the tests of commands share: a temporary directory,
 * files written into it and read back, and the monotonic clock.  Header
 * only (static inline), since the Makefile builds each test_*.c alone
 * against libmailcon.a.  Include after <cmocka.h>.
 */
#ifndef MAILCON_UNIT_FILES_H
#define MAILCON_UNIT_FILES_H

#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Monotonic milliseconds. */
static inline int64_t
uf_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Make dir (a buffer holding "/tmp/NAME.XXXXXX") a new directory. */
static inline void
uf_mkdtemp(char *dir)
{
	if (mkdtemp(dir) == NULL)
		fail_msg("mkdtemp %s failed", dir);
}

/* Remove a temporary directory and everything below it. */
static inline void
uf_rmtree(const char *dir)
{
	char	 cmd[512];

	if (strncmp(dir, "/tmp/", 5) != 0 || strstr(dir, "..") != NULL)
		fail_msg("refusing to remove %s", dir);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* dir/name into buf. */
static inline const char *
uf_path(char *buf, size_t size, const char *dir, const char *name)
{
	assert_true((size_t)snprintf(buf, size, "%s/%s", dir, name) < size);
	return buf;
}

/* The path of a fixture: MAILCON_FIXTURES (run.sh sets it) or
   tests/fixtures; the buffer is reused by the next call. */
static inline const char *
uf_fixture(const char *name)
{
	static char	 path[512];
	const char	*dir = getenv("MAILCON_FIXTURES");

	return uf_path(path, sizeof(path), dir != NULL ? dir :
	    "tests/fixtures", name);
}

/* Write text to path with mode (0755 makes a script). */
static inline void
uf_write(const char *path, const char *text, mode_t mode)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL)
		fail_msg("cannot write %s", path);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/*
 * Write a Postfix configuration file (main.cf, master.cf) dated a minute
 * back: Postfix reads a file changed within the last second again and
 * again, 0.3 s apart, until it has "cooled down", and a test that
 * writes one and runs postconf at once would wait for that each time.
 */
static inline void
uf_write_postfix(const char *path, const char *text)
{
	struct timeval	 tv[2];

	uf_write(path, text, 0644);
	assert_int_equal(gettimeofday(&tv[0], NULL), 0);
	tv[0].tv_sec -= 60;
	tv[1] = tv[0];
	assert_int_equal(utimes(path, tv), 0);
}

/*
 * The whole of path into buf (NUL-terminated, raw bytes: may hold NULs);
 * its length, or -1 when it cannot be opened.  A file too big fails.
 */
static inline long
uf_read(const char *path, char *buf, size_t size)
{
	FILE	*f;
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, size - 1, f);
	assert_int_equal(fgetc(f), EOF);
	fclose(f);
	buf[n] = '\0';
	return (long)n;
}

/*
 * Permission paths under `make check`, which runs as root (and root reads
 * a mode-0 file): uf_fs_as(UF_NOBODY) makes this thread's file access that
 * of nobody (the filesystem uid and gid; the kernel drops root's file
 * capabilities with them), uf_fs_as(0) gives it back.  The directories on
 * the way must let nobody through.  Nothing happens when not root.
 */
#define UF_NOBODY	65534

static inline void
uf_fs_as(unsigned id)
{
	if (geteuid() != 0)
		return;
	(void)setfsgid((gid_t)id);
	(void)setfsuid((uid_t)id);
	if ((unsigned)setfsuid((uid_t)-1) != id ||
	    (unsigned)setfsgid((gid_t)-1) != id)
		fail_msg("cannot access files as uid %u (setfsuid)", id);
}

/* Does the file exist (as anything)? */
static inline int
uf_exists(const char *path)
{
	struct stat	 st;

	return lstat(path, &st) == 0;
}

#endif
