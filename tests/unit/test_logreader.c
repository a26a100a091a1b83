/* test_logreader.c: reading plain and gzip logs, and every bad file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "unit_files.h"
#include "intake/logreader.h"

#define LINE1 "Nov 28 03:01:06 mail postfix/smtpd[1]: connect from unknown[127.0.0.1]"
#define LINE2 "Nov 28 03:01:07 mail postfix/smtpd[1]: disconnect from unknown[127.0.0.1]"

static char	 tmpdir[64];

/* A path inside this test's temporary directory. */
static const char *
tmp(const char *name)
{
	static char	 path[128];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

/* Write len bytes to path. */
static void
put(const char *path, const char *data, size_t len)
{
	FILE	*f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* Read every line of path; returns lines delivered, or -1 with err. */
static int
read_all(const char *path, char *err, size_t errlen, char lines[][128],
    int max)
{
	struct logreader	 r;
	int			 n = 0, rc;

	if (logreader_open(&r, path, 2026, 1, err, errlen) == -1)
		return -1;
	while ((rc = logreader_next(&r, err, errlen)) == 1) {
		if (n < max)
			snprintf(lines[n], 128, "%.*s", (int)r.len, r.line);
		n++;
	}
	logreader_close(&r);
	return rc == -1 ? -1 : n;
}

static void
test_plain_crlf_no_final_newline(void **state)
{
	char	 lines[4][128], err[256];
	const char *data = LINE1 "\r\n\n" LINE2;

	put(tmp("plain.log"), data, strlen(data));
	assert_int_equal(read_all(tmp("plain.log"), err, sizeof(err), lines,
	    4), 2);
	assert_non_null(strstr(lines[0], "connect from"));
	assert_non_null(strstr(lines[1], "disconnect from unknown[127.0.0.1]"));
}

static void
test_gzip_and_truncated(void **state)
{
	char	 lines[4][128], err[256], *buf;
	gzFile	 gz;
	FILE	*f;
	long	 size;
	int	 i;

	gz = gzopen(tmp("rot.log.gz"), "wb");
	assert_non_null(gz);
	for (i = 0; i < 20000; i++)
		gzprintf(gz, "%s\n", (i & 1) ? LINE2 : LINE1);
	gzclose(gz);
	assert_int_equal(read_all(tmp("rot.log.gz"), err, sizeof(err), lines,
	    4), 20000);
	/* Cut the file in half: an error naming it, never a silent end. */
	f = fopen(tmp("rot.log.gz"), "rb");
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	buf = malloc((size_t)size);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	put(tmp("cut.log.gz"), buf, (size_t)size / 2);
	free(buf);
	assert_int_equal(read_all(tmp("cut.log.gz"), err, sizeof(err), lines,
	    4), -1);
	assert_non_null(strstr(err, "cut.log.gz: truncated gzip data"));
}

static void
test_bad_files(void **state)
{
	char	 lines[4][128], err[256], garbage[4096];
	size_t	 i;

	assert_int_equal(read_all(tmp("missing.log"), err, sizeof(err), lines,
	    4), -1);
	assert_non_null(strstr(err, "missing.log: No such file"));
	assert_int_equal(read_all(tmpdir, err, sizeof(err), lines, 4), -1);
	assert_non_null(strstr(err, "is a directory"));
	for (i = 0; i < sizeof(garbage); i++)
		garbage[i] = (i % 61 == 60) ? '\n' : (char)('a' + i % 26);
	put(tmp("notes.txt"), garbage, sizeof(garbage));
	assert_int_equal(read_all(tmp("notes.txt"), err, sizeof(err), lines,
	    4), -1);
	assert_non_null(strstr(err, "notes.txt: not a mail log"));
	put(tmp("empty.log"), "", 0);
	assert_int_equal(read_all(tmp("empty.log"), err, sizeof(err), lines,
	    4), 0);
	/* as nobody when root: root reads mode 0 files */
	put(tmp("secret.log"), LINE1, strlen(LINE1));
	assert_int_equal(chmod(tmp("secret.log"), 0), 0);
	assert_int_equal(chmod(tmpdir, 0755), 0);
	uf_fs_as(UF_NOBODY);
	assert_int_equal(read_all(tmp("secret.log"), err, sizeof(err), lines,
	    4), -1);
	uf_fs_as(0);
	assert_non_null(strstr(err, "Permission denied"));
}

/* A line longer than the limit is dropped whole; its neighbours survive. */
static void
test_overlong_line(void **state)
{
	struct logreader r;
	size_t	 big = LOGREADER_MAX_LINE + 12345, n, m, total;
	char	*data, err[256];
	int	 rc, count = 0;

	n = strlen(LINE1);
	m = strlen(LINE2);
	total = n + 1 + big + 1 + m + 1;
	data = malloc(total);
	assert_non_null(data);
	memcpy(data, LINE1 "\n", n + 1);
	memset(data + n + 1, 'x', big);
	data[n + 1 + big] = '\n';
	memcpy(data + n + 2 + big, LINE2 "\n", m + 1);
	put(tmp("long.log"), data, total);
	free(data);
	assert_int_equal(logreader_open(&r, tmp("long.log"), 2026, 1, err,
	    sizeof(err)), 0);
	while ((rc = logreader_next(&r, err, sizeof(err))) == 1) {
		assert_true(r.len < 200);
		count++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(count, 2);
	assert_int_equal(r.overlong, 1);
	logreader_close(&r);
}

/*
 * journalctl's "[123B blob data]" stands for an entry it would not print:
 * counted as unreadable, never handed on as a line; look-alikes are lines.
 */
static void
test_blob_placeholder(void **state)
{
	struct logreader	 r;
	char			 err[256];
	const char		*data =
	    "2026-11-28T03:01:06+0000 mx postfix/smtpd[1]: [123B blob data]\n"
	    "2026-11-28T03:01:07+0000 mx dovecot[2]: [48.0K blob data]\n"
	    "2026-11-28T03:01:08+0000 mx dovecot[2]: [1.2M blob data]\n"
	    "2026-11-28T03:01:09+0000 mx postfix/smtpd[1]: [12 blob data]\n"
	    "2026-11-28T03:01:10+0000 mx postfix/smtpd[1]: [1B blob data] x\n"
	    "2026-11-28T03:01:11+0000 mx postfix/smtpd[1]: [.5K blob data]\n"
	    LINE1 "\n";
	char			 line[128];
	static const char	*const want[] = { "[12 blob data]",
	    "[1B blob data] x", "[.5K blob data]", "connect from" };
	int			 n = 0;

	put(tmp("blob.log"), data, strlen(data));
	assert_int_equal(logreader_open(&r, tmp("blob.log"), 2026, 1, err,
	    sizeof(err)), 0);
	/* the look-alikes and LINE1, in order, and nothing else */
	while (logreader_next(&r, err, sizeof(err)) == 1) {
		assert_true(n < 4);
		snprintf(line, sizeof(line), "%.*s", (int)r.len, r.line);
		assert_non_null(strstr(line, want[n]));
		n++;
	}
	assert_int_equal(n, 4);
	assert_int_equal(r.unreadable, 3);
	assert_int_equal(r.lines, 7);
	logreader_close(&r);
}

static int
setup(void **state)
{
	strcpy(tmpdir, "/tmp/mailcon-test-reader-XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char	 cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_crlf_no_final_newline),
		cmocka_unit_test(test_gzip_and_truncated),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_overlong_line),
		cmocka_unit_test(test_blob_placeholder),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
