/*
 * test_store_mode.c: the history database holds the audit trail (account
 * names, addresses, what was done to whom): whoever makes it, a console,
 * a headless watch or `mailcon act`'s audit, it is mode 600, its -wal and
 * -shm too, in a directory of mode 700, whatever the umask.
 */
#include <sys/stat.h>

#include <limits.h>
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
#include "act/audit.h"
#include "store/store.h"

#define NOW	((int64_t)1795000000)

static char	 dir[64];
static mode_t	 old_umask;

/* A fresh directory per test, and the loosest umask there is. */
static int
setup(void **state)
{
	strcpy(dir, "/tmp/mailcon-test-store-mode-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	old_umask = umask(0);
	return 0;
}

/* Put the umask back and remove the test's directory. */
static int
teardown(void **state)
{
	umask(old_umask);
	uf_rmtree(dir);
	return 0;
}

/* Fail unless path is there with exactly mode. */
static void
assert_mode(const char *path, mode_t mode)
{
	struct stat	 sb;

	if (stat(path, &sb) == -1)
		fail_msg("%s is not there", path);
	if ((sb.st_mode & 07777) != mode)
		fail_msg("%s is mode %03o, not %03o", path,
		    (unsigned)(sb.st_mode & 07777), (unsigned)mode);
}

/* The database and its -wal and -shm, as they are while it is open. */
static void
assert_history_private(const char *path)
{
	char	 side[PATH_MAX];

	assert_mode(path, 0600);
	snprintf(side, sizeof(side), "%s-wal", path);
	assert_mode(side, 0600);
	snprintf(side, sizeof(side), "%s-shm", path);
	assert_mode(side, 0600);
}

/* A console's (or headless watch's) new history, in a new directory. */
static void
test_console_history(void **state)
{
	struct store_opts	 o;
	struct store		*st;
	char			 path[PATH_MAX], sub[PATH_MAX], err[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/state/mailcon/history.db", dir);
	store_opts_init(&o);
	o.path = path;
	if ((st = store_open(&o, NOW, err, sizeof(err))) == NULL)
		fail_msg("store_open: %s", err);
	assert_history_private(path);
	snprintf(sub, sizeof(sub), "%s/state/mailcon", dir);
	assert_mode(sub, 0700);
	store_close(st, NOW + 1);
	assert_mode(path, 0600);
}

/* `mailcon act` makes the history when its audit opens first. */
static void
test_audit_history(void **state)
{
	struct audit	*a;
	char		 path[PATH_MAX], err[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/history.db", dir);
	if ((a = audit_open(path, err, sizeof(err))) == NULL)
		fail_msg("audit_open: %s", err);
	assert_history_private(path);
	audit_close(a);
	assert_mode(path, 0600);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_console_history, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_audit_history, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
