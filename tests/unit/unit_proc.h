/*
 * unit_proc.h: whether a test's child processes are gone, for the tests of
 * what starts and kills them (test_child.c, test_cmdrun.c, test_queue.c,
 * test_postsuper.c).  Header only (static inline), since the Makefile
 * builds each test_*.c alone against libmailcon.a.  Include after
 * <cmocka.h>.
 *
 * SIGKILL is delivered asynchronously and a killed grandchild may take a
 * moment to die on a loaded machine, so the waits look again every 10 ms
 * until it is so, for up to UP_GUARD_MS: a bound that only turns a process
 * left behind into a failure, never a measure of how fast it went.
 */
#ifndef MAILCON_UNIT_PROC_H
#define MAILCON_UNIT_PROC_H

#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define UP_GUARD_MS	30000

/* "pid (comm) S ...": the state of pid, or 0 when it cannot be read. */
static inline char
up_state(long pid, long *pgrp)
{
	char	 path[64], buf[512], *p, st;
	long	 g;
	FILE	*f;
	int	 n = 0;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	/* the state and the group follow the last ')' */
	if (fgets(buf, sizeof(buf), f) != NULL &&
	    (p = strrchr(buf, ')')) != NULL)
		n = sscanf(p + 1, " %c %*d %ld", &st, &g);
	fclose(f);
	if (n != 2)
		return 0;
	if (pgrp != NULL)
		*pgrp = g;
	return st;
}

/* Is pid gone, or a zombie (an orphan waits for PID 1 to reap it)? */
static inline int
up_pid_gone_now(pid_t pid)
{
	char	 st;

	if (kill(pid, 0) == -1 && errno == ESRCH)
		return 1;
	st = up_state((long)pid, NULL);
	return st == 'Z' || st == 'X';
}

/*
 * Is the leader pid reaped and no live process left in its group?
 * Zombie grandchildren wait for PID 1 (some container inits never reap
 * them) and do not count.
 */
static inline int
up_group_gone_now(pid_t pid)
{
	struct dirent	*de;
	DIR		*d;
	long		 pgrp;
	char		 st;
	int		 alive = 0;

	if (kill(pid, 0) != -1 || errno != ESRCH)
		return 0;
	if (kill(-pid, 0) == -1 && errno == ESRCH)
		return 1;
	assert_non_null(d = opendir("/proc"));
	while (!alive && (de = readdir(d)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		st = up_state(strtol(de->d_name, NULL, 10), &pgrp);
		if (st != 0 && st != 'Z' && pgrp == (long)pid)
			alive = 1;
	}
	closedir(d);
	return !alive;
}

/* Look again every 10 ms until now(pid) says gone (UP_GUARD_MS at most). */
static inline int
up_wait(int (*now)(pid_t), pid_t pid)
{
	int	 i;

	for (i = 0; i < UP_GUARD_MS / 10; i++) {
		if (now(pid))
			return 1;
		usleep(10000);
	}
	return 0;
}

/* up_pid_gone_now, waited for. */
static inline int
up_pid_gone(pid_t pid)
{
	return up_wait(up_pid_gone_now, pid);
}

/* up_group_gone_now, waited for. */
static inline int
up_group_gone(pid_t pid)
{
	return up_wait(up_group_gone_now, pid);
}

#endif
