/*
 * test_redact.c: backend_redact() hides every password form Dovecot 2.2,
 * 2.3 and 2.4 (and a verbose Postfix) write, whatever the password holds,
 * keeps the server's words around it, and leaves every other line of the
 * fixtures alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <cmocka.h>

#include "backends/backend.h"
#include "backends/logline.h"

/* The line redacted, as a C string ("" when nothing was hidden). */
static const char *
red(const char *line)
{
	static char	 out[8192];
	size_t		 n;

	if (!backend_redact(line, strlen(line), NULL, out, sizeof(out), &n))
		return "";
	assert_int_equal(strlen(out), n);
	return out;
}

/* Each form, as the daemons write it, and what may be shown of it. */
static void
test_forms(void **state)
{
	static const struct {
		const char	*line, *want;
	} cases[] = {
		/* auth_verbose_passwords = plain, 2.2/2.3 and 2.4 */
		{ "Nov 28 03:05:09 auth: Info: passwd-file(ivan@example.test,"
		    "127.66.0.2,<Zz9A>): Password mismatch (given password: "
		    "hunter2)",
		  "Nov 28 03:05:09 auth: Info: passwd-file(ivan@example.test,"
		    "127.66.0.2,<Zz9A>): Password mismatch (given password: "
		    "<hidden>)" },
		{ "Nov 28 03:05:10 mx dovecot: auth: passwd-file(ivan@example."
		    "test,127.66.0.2): unknown user (SHA1 of given password: "
		    "f3bbbd66a63d4bf1747940578ec3d0103530e21d) - trying the "
		    "next passdb",
		  "Nov 28 03:05:10 mx dovecot: auth: passwd-file(ivan@example."
		    "test,127.66.0.2): unknown user (SHA1 of given password: "
		    "<hidden>) - trying the next passdb" },
		{ "2026-11-28T03:05:09.1+00:00 mx dovecot: auth(ivan@example."
		    "test,127.66.0.2,sasl:plain)<1><Zz>: passwd-file: Password "
		    "mismatch (given password: s3cr3t)",
		  "2026-11-28T03:05:09.1+00:00 mx dovecot: auth(ivan@example."
		    "test,127.66.0.2,sasl:plain)<1><Zz>: passwd-file: Password "
		    "mismatch (given password: <hidden>)" },
		/* PAM and LDAP with auth_debug_passwords */
		{ "auth-worker(7): Info: pam(u,1.2.3.4): pam_authenticate() "
		    "failed: Authentication failure (Password mismatch?) "
		    "(given password: pw)",
		  "auth-worker(7): Info: pam(u,1.2.3.4): pam_authenticate() "
		    "failed: Authentication failure (Password mismatch?) "
		    "(given password: <hidden>)" },
		/* the debug comparison, 2.3 and 2.4 */
		{ "Nov 28 03:05:09 auth: Debug: passwd-file(u,1.2.3.4): "
		    "SHA512-CRYPT(hunter2) != '$6$abc$def', try PLAIN scheme "
		    "instead",
		  "Nov 28 03:05:09 auth: Debug: passwd-file(u,1.2.3.4): "
		    "SHA512-CRYPT(<hidden>) != '<hidden>'" },
		{ "auth(u,1.2.3.4)<9><s>: Debug: passwd-file: CRAM-MD5(pw) != "
		    "'x'",
		  "auth(u,1.2.3.4)<9><s>: Debug: passwd-file: CRAM-MD5(<hidden>) "
		    "!= '<hidden>'" },
		/* a scheme in lower case: hidden from the first ": " */
		{ "auth: Debug: sql(u): sha256.hex(pw) != 'x'",
		  "auth: <hidden>" },
		{ "auth: Error: passwd-file(u,1.2.3.4): Invalid password "
		    "'{BOGUS}x' in passdb: Unknown scheme BOGUS",
		  "auth: Error: passwd-file(u,1.2.3.4): Invalid password "
		    "'<hidden>' in passdb: Unknown scheme BOGUS" },
		{ "auth: Debug: sql(u,1.2.3.4): Credentials: 68756e74657232",
		  "auth: Debug: sql(u,1.2.3.4): Credentials: <hidden>" },
		{ "auth: Debug: sql(u,1.2.3.4): Generating CRAM-MD5 from user "
		    "'u', password 'hunter2'",
		  "auth: Debug: sql(u,1.2.3.4): Generating CRAM-MD5 from user "
		    "'u', password '<hidden>" },
		{ "auth: Info: sql(u,1.2.3.4): Requested CRAM-MD5 scheme, but "
		    "we have only SHA1 (input: hunter2)",
		  "auth: Info: sql(u,1.2.3.4): Requested CRAM-MD5 scheme, but "
		    "we have only SHA1 (input: <hidden>" },
		{ "auth: Debug: sql(u,1.2.3.4): cache hit: hunter2\tuid=1",
		  "auth: Debug: sql(u,1.2.3.4): cache hit: <hidden>" },
		{ "auth: Debug: sql(u,1.2.3.4): userdb cache hit: uid=1", "" },
		/* a login imitating the userdb form before the real one */
		{ "auth: Debug: sql(a userdb cache hit: b,1.2.3.4): cache hit: "
		    "hunter2\tuid=1",
		  "auth: Debug: sql(a userdb cache hit: b,1.2.3.4): cache hit: "
		    "<hidden>" },
		/* protocol dumps */
		{ "auth: Debug: client in: AUTH\t1\tPLAIN\tservice=smtp\t"
		    "resp=AGp1ZHkAaHVudGVyMg== (previous base64 data may "
		    "contain sensitive data)",
		  "auth: Debug: client in: AUTH\t1\tPLAIN\tservice=smtp\t"
		    "resp=<hidden>" },
		{ "auth: Debug: client in: CONT\t1\taHVudGVyMg==",
		  "auth: Debug: client in: CONT<hidden>" },
		{ "auth: Debug: client passdb out: OK\t1\tuser=u\tpass=hunter2"
		    "\tnopassword",
		  "auth: Debug: client passdb out: OK\t1\tuser=u\tpass=<hidden>"
		    "\tnopassword" },
		{ "mx dovecot: auth: Debug: master out: PASS#0111#011user=u"
		    "#011password=hunter2#011uid=1",
		  "mx dovecot: auth: Debug: master out: PASS#0111#011user=u"
		    "#011password=<hidden>" },
		{ "auth: Debug: ldap(u): result: uid=u userPassword=hunt er2",
		  "auth: Debug: ldap(u): result: uid=u userPassword=<hidden>" },
		/* Postfix, verbose */
		{ "Dec  8 18:31:54 server postfix/submission/smtpd[4292]: < "
		    "client.example[10.0.1.20]: AUTH PLAIN AGZvbwBiYXI=",
		  "Dec  8 18:31:54 server postfix/submission/smtpd[4292]: < "
		    "client.example[10.0.1.20]: AUTH PLAIN <hidden>" },
		{ "Dec  8 18:31:54 server postfix/smtpd[4292]: xsasl_dovecot_"
		    "server_first: sasl_method PLAIN, init_response AGZvbwBiYXI=",
		  "Dec  8 18:31:54 server postfix/smtpd[4292]: xsasl_dovecot_"
		    "server_first: sasl_method PLAIN, init_response <hidden>" },
		/* lines that hold none */
		{ "Nov 28 03:01:06 auth: Info: passwd-file(ivan@example.test,"
		    "127.66.0.2): Password mismatch", "" },
		{ "Nov 28 03:00:26 mail postfix/smtpd[1]: BAC3910614B: client="
		    "unknown[127.0.1.1], sasl_method=PLAIN, sasl_username="
		    "passman@example.test", "" },
		{ "Nov 28 04:00:00 mail postfix/smtpd[5]: warning: unknown[1.2."
		    "3.4]: SASL LOGIN authentication failed: UGFzc3dvcmQ6", "" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strcmp(red(cases[i].line), cases[i].want) != 0)
			fail_msg("case %zu: %s\n  got  %s\n  want %s", i,
			    cases[i].line, red(cases[i].line), cases[i].want);
}

/* form with @L as login and @P as pw, into buf. */
static void
fill(char *buf, size_t size, const char *form, const char *login,
    const char *pw)
{
	size_t	 o = 0;

	for (; *form != '\0' && o + 1 < size; form++) {
		if (form[0] == '@' && (form[1] == 'L' || form[1] == 'P')) {
			o += (size_t)snprintf(buf + o, size - o, "%s",
			    form[1] == 'L' ? login : pw);
			form++;
		} else
			buf[o++] = *form;
	}
	buf[o < size ? o : size - 1] = '\0';
}

/* A random password made to imitate the markers around it. */
static void
gen_password(char *buf, size_t size)
{
	static const char *const bits[] = { ")", " - trying the next passdb",
	    "' in passdb: ", "(given password: ", ") != '", ": X(", "\t",
	    "#011", " ", "'", "pass=", "<hidden>", ", password '" };
	size_t	 n = 0, k;

	/* a core no line holds by chance */
	n = (size_t)snprintf(buf, size, "Q%08xZ", (unsigned)rand());
	for (k = 0; k < 3; k++)
		n += (size_t)snprintf(buf + n, size - n, "%s%c",
		    bits[(size_t)rand() % (sizeof(bits) / sizeof(bits[0]))],
		    'a' + rand() % 26);
}

/*
 * Whatever the password holds, no part of it that could identify it is
 * left: its core never shows, in any form.
 */
static void
test_hostile_passwords(void **state)
{
	static const char *const forms[] = {
		"auth: Info: passwd-file(@L,1.2.3.4): Password mismatch "
		    "(given password: @P)",
		"auth: Info: passwd-file(@L,1.2.3.4): Password mismatch "
		    "(given password: @P) - trying the next passdb",
		"auth: Debug: passwd-file(@L,1.2.3.4): SHA512-CRYPT(@P) != "
		    "'$6$x'",
		"auth: Debug: sql(@L): Generating PLAIN from user 'u', "
		    "password '@P'",
		"auth: Debug: sql(@L): cache hit: @P\tuid=1",
		"auth: Debug: client passdb out: OK\t1\tuser=@L\tpass=@P\tx=1",
		"auth: Debug: client in: AUTH\t1\tPLAIN\tuser=@L\tresp=@P",
		"auth: Debug: ldap(@L): result: userPassword=@P",
		"mx dovecot: auth: Debug: master out: PASS#0111#011user=@L"
		    "#011password=@P#011uid=1",
		"auth: Debug: sql(@L): cache hit: @P",
	};
	char		 pw[256], login[256], line[1024], core[16];
	const char	*out;
	size_t		 r, f;
	unsigned	 seed = (unsigned)time(NULL);

	printf("test_redact: seed %u\n", seed);
	srand(seed);
	for (r = 0; r < 20000; r++) {
		f = (size_t)rand() % (sizeof(forms) / sizeof(forms[0]));
		gen_password(pw, sizeof(pw));
		memcpy(core, pw, 10);
		core[10] = '\0';
		/* the login imitates markers too, sometimes */
		snprintf(login, sizeof(login), "%s", rand() % 2 ? "ivan" :
		    "a: B(x) != '(given password: ");
		fill(line, sizeof(line), forms[f], login, pw);
		out = red(line);
		if (*out == '\0' || strstr(out, core) != NULL)
			fail_msg("form %zu leaks: %s -> %s", f, line, out);
	}
}

/*
 * No line of the fixtures but the password ones is touched, and the line's
 * header (which lets a backend skip another daemon's lines) changes
 * nothing.
 */
static void
test_fixtures_untouched(void **state)
{
	const char	*dir = getenv("MAILCON_FIXTURES");
	static char	 line[1 << 16], out[(1 << 16) + 1024];
	static char	 out2[(1 << 16) + 1024];
	char		 path[512];
	struct log_clock c;
	struct log_header h;
	DIR		*d;
	struct dirent	*e;
	FILE		*f;
	size_t		 n, outlen, outlen2, hidden = 0, lines = 0, given = 0;
	int		 r1, r2;

	if (dir == NULL)
		dir = "tests/fixtures";
	assert_non_null(d = opendir(dir));
	while ((e = readdir(d)) != NULL) {
		n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 4, ".log") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		assert_non_null(f = fopen(path, "r"));
		while (fgets(line, sizeof(line), f) != NULL) {
			n = strcspn(line, "\n");
			if (n == 0 || line[0] == '#')
				continue;
			lines++;
			line[n] = '\0';
			given += strstr(line, "given password") != NULL;
			r1 = backend_redact(line, n, NULL, out, sizeof(out),
			    &outlen);
			log_clock_init(&c, INT64_C(1795867200));
			if (logline_split(&c, line, n, &h) == 0) {
				r2 = backend_redact(line, n, &h, out2,
				    sizeof(out2), &outlen2);
				if (r2 != r1 || (r1 && (outlen2 != outlen ||
				    memcmp(out, out2, outlen) != 0)))
					fail_msg("%s: with its header: %s",
					    e->d_name, line);
			}
			if (!r1)
				continue;
			hidden++;
			if (strstr(out, "<hidden>") == NULL ||
			    strstr(line, "given password") == NULL)
				fail_msg("%s: %.*s -> %s", e->d_name, (int)n,
				    line, out);
		}
		fclose(f);
	}
	closedir(d);
	assert_true(lines > 100);
	/* every line that logs a password, and only those */
	assert_true(given >= 2);
	assert_int_equal(hidden, given);
}

/* A short buffer cuts the line; the secret is never what is left. */
static void
test_short_buffer(void **state)
{
	const char	*line = "auth: Info: passwd-file(u,1.2.3.4): Password "
	    "mismatch (given password: hunter2)";
	char		 out[64];
	size_t		 n, size;

	for (size = 1; size <= sizeof(out); size++) {
		memset(out, '#', sizeof(out));
		assert_int_equal(backend_redact(line, strlen(line), NULL, out,
		    size, &n), 1);
		assert_true(n < size);
		assert_int_equal(out[n], '\0');
		assert_null(strstr(out, "hunt"));
		if (size < sizeof(out))
			assert_int_equal(out[size], '#');
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_hostile_passwords),
		cmocka_unit_test(test_fixtures_untouched),
		cmocka_unit_test(test_short_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
