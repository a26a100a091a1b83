/*
 * test_ssh_words.c: libssh2's errors put into plain words (ssh_words.c):
 * its own phrases ("transport read", "Waiting for USERAUTH response")
 * never reach the operator for a code that has words, the server's
 * goodbye is quoted when it closed, and an unknown code is marked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "net/ssh_int.h"

/* ssh_words with libssh2's text lib, into a static buffer. */
static const char *
words(int rc, const char *lib, const char *bye)
{
	static char	 buf[256];

	ssh_words(rc, lib, lib != NULL ? strlen(lib) : 0, bye, buf,
	    sizeof(buf));
	return buf;
}

/* What the issue met: a read that failed mid-command. */
static void
test_transport_read(void **state)
{
	const char	*w;

	w = words(LIBSSH2_ERROR_SOCKET_RECV, "transport read", "");
	assert_null(strstr(w, "transport read"));
	assert_string_equal(w, "the connection broke while reading from the "
	    "server");
	w = words(LIBSSH2_ERROR_SOCKET_DISCONNECT, "socket disconnect", NULL);
	assert_string_equal(w, "the server closed the connection");
	w = words(LIBSSH2_ERROR_SOCKET_SEND,
	    "Unable to send userauth-publickey request", "");
	assert_null(strstr(w, "Unable"));
}

/* A refusal after the last of several keys: no stale "Waiting for". */
static void
test_stale_text(void **state)
{
	const char	*w;

	w = words(LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED,
	    "Waiting for USERAUTH response", "");
	assert_string_equal(w, "the server refused it");
	w = words(LIBSSH2_ERROR_EAGAIN, "Would block", "");
	assert_null(strstr(w, "Would block"));
}

/* The server's own goodbye is what the operator needs to read. */
static void
test_goodbye(void **state)
{
	const char	*w;

	w = words(LIBSSH2_ERROR_SOCKET_DISCONNECT, "socket disconnect",
	    "Too many authentication failures");
	assert_string_equal(w, "the server closed the connection (\"Too many "
	    "authentication failures\")");
	w = words(LIBSSH2_ERROR_SOCKET_RECV, "transport read", "bye now");
	assert_non_null(strstr(w, "\"bye now\""));
	/* a goodbye says nothing about a refused key */
	w = words(LIBSSH2_ERROR_AUTHENTICATION_FAILED, "x", "bye now");
	assert_null(strstr(w, "bye now"));
}

/* A code without words keeps libssh2's text, marked and escaped. */
static void
test_unknown_code(void **state)
{
	const char	*w;

	w = words(-999, "odd\x1b[2Jthing", "");
	assert_non_null(strstr(w, "SSH error -999 (libssh2: odd"));
	assert_null(strchr(w, '\x1b'));
	w = words(-999, NULL, "");
	assert_string_equal(w, "SSH error -999");
}

/* Every code in the table: words, never libssh2's text. */
static void
test_every_code_has_words(void **state)
{
	int		 rc;
	const char	*w;
	int		 known = 0;

	for (rc = -1; rc >= -49; rc--) {
		w = words(rc, "LIBSSH2-OWN-TEXT", "");
		assert_true(w[0] != '\0');
		if (strstr(w, "LIBSSH2-OWN-TEXT") == NULL)
			known++;
	}
	/* the codes a connection meets have words */
	assert_true(known >= 35);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transport_read),
		cmocka_unit_test(test_stale_text),
		cmocka_unit_test(test_goodbye),
		cmocka_unit_test(test_unknown_code),
		cmocka_unit_test(test_every_code_has_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
