/*
 * test_wiring.c: the backends' wiring judges (backend.h, struct
 * backend_wiring) on real output of postconf -nx, postconf -Px and
 * doveconf -n (tests/fixtures/wiring/, taken from the test stack and from
 * a Debian-style master.cf), put in the sections the read prints: what is
 * wired, what is not, and the exact line to add.  And the read itself,
 * run here on the fixtures' tools' stand-ins, gives those sections.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend.h"

#define OUT_MAX	65536

struct opts {
	const char	*map, *deny, *passwd;
};

/* The option values of a test (backend_env). */
static const char *
opt_of(void *arg, const char *name, char *const **words)
{
	const struct opts *o = arg;

	*words = NULL;
	if (strcmp(name, "sasl_access_map") == 0)
		return o->map;
	if (strcmp(name, "deny_file") == 0)
		return o->deny;
	if (strcmp(name, "passwd_file") == 0)
		return o->passwd;
	return NULL;
}

/* Append a fixture file's text to buf. */
static void
add_fixture(char *buf, size_t size, const char *name)
{
	const char	*dir = getenv("MAILCON_FIXTURES");
	char		 path[1024];
	size_t		 len = strlen(buf), n;
	FILE		*f;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/wiring/%s", dir, name);
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("cannot open %s", path);
	n = fread(buf + len, 1, size - len - 1, f);
	buf[len + n] = '\0';
	fclose(f);
}

/* Append printf-style text to buf. */
static void
add(char *buf, size_t size, const char *fmt, ...)
{
	size_t	 len = strlen(buf);
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

/* The judge of b on out: the findings. */
static size_t
judge(const struct mail_backend *b, const char *out, struct opts *o,
    struct wiring_finding *f, size_t max)
{
	struct backend_env	 env;

	memset(&env, 0, sizeof(env));
	env.opt = opt_of;
	env.arg = o;
	assert_non_null(b->wiring);
	return b->wiring->judge(out, strlen(out), &env, f, max);
}

/* The finding of part, which must be there once. */
static const struct wiring_finding *
part(const struct wiring_finding *f, size_t n, enum wiring_part p)
{
	const struct wiring_finding *got = NULL;
	size_t	 i;

	for (i = 0; i < n; i++)
		if (f[i].part == p) {
			assert_null(got);
			got = &f[i];
		}
	assert_non_null(got);
	return got;
}

/* A Postfix read's output: main.cf's and master.cf's fixtures (or a
   main.cf text), with the tools found. */
static void
pf_out(char *out, const char *n_fixture, const char *n_text,
    const char *p_fixture)
{
	out[0] = '\0';
	add(out, OUT_MAX, "@mailcon postconf -nx\n");
	if (n_fixture != NULL)
		add_fixture(out, OUT_MAX, n_fixture);
	else
		add(out, OUT_MAX, "%s", n_text);
	add(out, OUT_MAX, "@mailcon status 0\n@mailcon postconf -Px\n");
	add_fixture(out, OUT_MAX, p_fixture);
	add(out, OUT_MAX, "@mailcon status 0\n"
	    "@mailcon tool postmap /usr/sbin/postmap\n"
	    "@mailcon tool postsuper /usr/sbin/postsuper\n"
	    "@mailcon notool postqueue\n");
}

/* The stack's main.cf: check_sasl_access first in smtpd_relay_restrictions. */
static void
test_postfix_wired(void **state)
{
	static char		 out[OUT_MAX];
	struct wiring_finding	 f[16];
	struct opts		 o = { "/srv/stack/postfix/sasl_access", NULL,
				    NULL };
	const struct wiring_finding *m;
	size_t			 n;

	pf_out(out, "postconf-n-stack.txt", NULL, "postconf-P-stack.txt");
	n = judge(&backend_postfix, out, &o, f, 16);
	assert_int_equal(part(f, n, WIRE_CONFIG)->state, WIRE_OK);
	m = part(f, n, WIRE_MAIL);
	assert_int_equal(m->state, WIRE_OK);
	assert_non_null(strstr(m->text, "smtpd_relay_restrictions"));
	/* another map is not this one */
	o.map = "/etc/postfix/sasl_access";
	n = judge(&backend_postfix, out, &o, f, 16);
	m = part(f, n, WIRE_MAIL);
	assert_int_equal(m->state, WIRE_MISSING);
	assert_string_equal(m->fix, "add check_sasl_access "
	    "hash:/etc/postfix/sasl_access to smtpd_recipient_restrictions "
	    "(first, before permit_sasl_authenticated)");
	assert_string_equal(m->text, "Postfix does not read the map "
	    "/etc/postfix/sasl_access");
}

/* Debian's main.cf without the check, then with it after the permit,
   then with it but a submission service that replaces the list. */
static void
test_postfix_missing(void **state)
{
	static char		 out[OUT_MAX];
	struct wiring_finding	 f[16];
	struct opts		 o = { "/etc/postfix/sasl_access", NULL, NULL };
	const struct wiring_finding *m;
	size_t			 n, i, tools = 0, missing = 0;

	pf_out(out, "postconf-n-debian.txt", NULL, "postconf-P-debian.txt");
	n = judge(&backend_postfix, out, &o, f, 16);
	for (i = 0; i < n; i++)
		if (f[i].part == WIRE_MAIL) {
			assert_int_equal(f[i].state, WIRE_MISSING);
			missing++;
		}
	/* main.cf, and the submission service's own list */
	assert_int_equal(missing, 2);
	assert_non_null(strstr(f[1].fix, "add check_sasl_access "
	    "hash:/etc/postfix/sasl_access to smtpd_recipient_restrictions"));
	for (i = 0; i < n; i++) {
		if (f[i].part != WIRE_TOOL)
			continue;
		tools++;
		if (strstr(f[i].text, "postqueue") != NULL)
			assert_int_equal(f[i].state, WIRE_MISSING);
		else
			assert_int_equal(f[i].state, WIRE_OK);
	}
	assert_int_equal(tools, 3);

	pf_out(out, NULL, "smtpd_recipient_restrictions = permit_mynetworks, "
	    "permit_sasl_authenticated, check_sasl_access "
	    "hash:/etc/postfix/sasl_access, reject_unauth_destination\n",
	    "postconf-P-stack.txt");
	n = judge(&backend_postfix, out, &o, f, 16);
	m = part(f, n, WIRE_MAIL);
	assert_int_equal(m->state, WIRE_MISSING);
	assert_string_equal(m->fix, "move check_sasl_access "
	    "hash:/etc/postfix/sasl_access before permit_sasl_authenticated "
	    "in smtpd_recipient_restrictions");

	pf_out(out, NULL, "smtpd_recipient_restrictions = check_sasl_access "
	    "hash:/etc/postfix/sasl_access, permit_mynetworks, "
	    "permit_sasl_authenticated, reject_unauth_destination\n",
	    "postconf-P-debian.txt");
	n = judge(&backend_postfix, out, &o, f, 16);
	assert_int_equal(f[1].part, WIRE_MAIL);
	assert_int_equal(f[1].state, WIRE_OK);
	assert_int_equal(f[2].part, WIRE_MAIL);
	assert_int_equal(f[2].state, WIRE_MISSING);
	assert_non_null(strstr(f[2].text, "submission/inet"));
	assert_non_null(strstr(f[2].fix, "master.cf"));

	/* webmail from mynetworks passes before the check: a note */
	pf_out(out, NULL, "smtpd_recipient_restrictions = permit_mynetworks, "
	    "check_sasl_access hash:/etc/postfix/sasl_access, "
	    "permit_sasl_authenticated, reject\n", "postconf-P-stack.txt");
	n = judge(&backend_postfix, out, &o, f, 16);
	assert_int_equal(f[1].part, WIRE_MAIL);
	assert_int_equal(f[1].state, WIRE_OK);
	assert_int_equal(f[2].part, WIRE_MAIL);
	assert_int_equal(f[2].state, WIRE_NOTE);
	assert_string_equal(f[2].fix, "put check_sasl_access "
	    "hash:/etc/postfix/sasl_access before permit_mynetworks in "
	    "smtpd_recipient_restrictions");

	/* another type of table on the same file */
	pf_out(out, NULL, "smtpd_sender_restrictions = check_sasl_access "
	    "lmdb:/etc/postfix/sasl_access\n", "postconf-P-stack.txt");
	n = judge(&backend_postfix, out, &o, f, 16);
	m = part(f, n, WIRE_MAIL);
	assert_int_equal(m->state, WIRE_MISSING);
	assert_non_null(strstr(m->text, "lmdb:/etc/postfix/sasl_access"));
}

/* A missing main.cf: postconf's own words, and what to do. */
static void
test_postfix_no_config(void **state)
{
	static char		 out[OUT_MAX];
	struct wiring_finding	 f[16];
	struct opts		 o = { "/etc/postfix/sasl_access", NULL, NULL };
	const struct wiring_finding *c;
	size_t			 n;

	snprintf(out, OUT_MAX, "@mailcon postconf -nx\npostconf: fatal: open "
	    "/nonexistent/main.cf: No such file or directory\n"
	    "@mailcon status 1\n@mailcon postconf -Px\n@mailcon status 1\n"
	    "@mailcon file missing /etc/postfix/sasl_access\n");
	n = judge(&backend_postfix, out, &o, f, 16);
	c = part(f, n, WIRE_CONFIG);
	assert_int_equal(c->state, WIRE_MISSING);
	assert_non_null(strstr(c->text, "/nonexistent/main.cf: No such file"));
	assert_int_equal(part(f, n, WIRE_FILE)->state, WIRE_MISSING);
	/* nothing said of the map's wiring: it could not be read */
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(f[i].part, WIRE_MAIL);
}

/* A Dovecot read's output of fixture. */
static void
dc_out(char *out, const char *fixture)
{
	out[0] = '\0';
	add(out, OUT_MAX, "@mailcon doveconf -n\n");
	add_fixture(out, OUT_MAX, fixture);
	add(out, OUT_MAX, "@mailcon status 0\n"
	    "@mailcon tool doveadm /usr/bin/doveadm\n"
	    "@mailcon file writable /srv/stack/dovecot/deny\n");
}

/* The stack: a deny passdb first, the passwd-file after. */
static void
test_dovecot_wired(void **state)
{
	static char		 out[OUT_MAX];
	struct wiring_finding	 f[16];
	struct opts		 o = { NULL, "/srv/stack/dovecot/deny",
				    "/srv/stack/dovecot/passwd" };
	size_t			 n;

	dc_out(out, "doveconf-n-stack.txt");
	n = judge(&backend_dovecot, out, &o, f, 16);
	assert_int_equal(part(f, n, WIRE_CONFIG)->state, WIRE_OK);
	assert_int_equal(part(f, n, WIRE_LOGINS)->state, WIRE_OK);
	assert_int_equal(part(f, n, WIRE_PASSWD)->state, WIRE_OK);
	assert_int_equal(part(f, n, WIRE_TOOL)->state, WIRE_OK);
	assert_int_equal(part(f, n, WIRE_FILE)->state, WIRE_OK);
	/* a deny file Dovecot does not read */
	o.deny = "/etc/dovecot/deny";
	o.passwd = "/etc/dovecot/users";
	n = judge(&backend_dovecot, out, &o, f, 16);
	assert_int_equal(part(f, n, WIRE_LOGINS)->state, WIRE_MISSING);
	assert_string_equal(part(f, n, WIRE_PASSWD)->fix,
	    "set passwd_file = /srv/stack/dovecot/passwd (the passwd-file "
	    "Dovecot reads)");
}

/* No deny passdb; a deny passdb after the one that lets logins in. */
static void
test_dovecot_missing(void **state)
{
	static char		 out[OUT_MAX];
	struct wiring_finding	 f[16];
	struct opts		 o = { NULL, "/etc/dovecot/deny",
				    "/etc/dovecot/users" };
	const struct wiring_finding *d;
	size_t			 n;

	dc_out(out, "doveconf-n-nodeny.txt");
	n = judge(&backend_dovecot, out, &o, f, 16);
	d = part(f, n, WIRE_LOGINS);
	assert_int_equal(d->state, WIRE_MISSING);
	assert_string_equal(d->text, "Dovecot does not read the deny file "
	    "/etc/dovecot/deny (no deny passdb on it)");
	assert_string_equal(d->fix, "add, first among the passdbs: passdb { "
	    "driver = passwd-file  deny = yes  args = /etc/dovecot/deny }");
	assert_int_equal(part(f, n, WIRE_PASSWD)->state, WIRE_OK);

	dc_out(out, "doveconf-n-denylast.txt");
	n = judge(&backend_dovecot, out, &o, f, 16);
	d = part(f, n, WIRE_LOGINS);
	assert_int_equal(d->state, WIRE_MISSING);
	assert_non_null(strstr(d->text, "after the passdb on "
	    "/etc/dovecot/users"));
	assert_non_null(strstr(d->fix, "move the passdb"));

	/* doveconf failed */
	snprintf(out, OUT_MAX, "@mailcon doveconf -n\ndoveconf: Fatal: "
	    "open(/x/dovecot.conf) failed: No such file or directory\n"
	    "@mailcon status 89\n@mailcon notool doveadm\n");
	n = judge(&backend_dovecot, out, &o, f, 16);
	assert_int_equal(part(f, n, WIRE_CONFIG)->state, WIRE_MISSING);
	assert_int_equal(part(f, n, WIRE_TOOL)->state, WIRE_MISSING);
}

/* Sections: the body between its line and the next, and its status. */
static void
test_section(void **state)
{
	const char	*out = "@mailcon a\nx = 1\ny = 2\n@mailcon status 3\n"
	    "@mailcon b\n@mailcon status 0\n";
	const char	*body;
	size_t		 len;
	int		 st;

	assert_int_equal(wiring_section(out, strlen(out), "a", &body, &len,
	    &st), 1);
	assert_int_equal(st, 3);
	assert_int_equal(len, 11);
	assert_memory_equal(body, "x = 1\ny = 2", 11);
	assert_int_equal(wiring_section(out, strlen(out), "b", &body, &len,
	    &st), 1);
	assert_non_null(body);
	assert_int_equal(len, 0);
	assert_int_equal(st, 0);
	assert_int_equal(wiring_section(out, strlen(out), "c", &body, &len,
	    &st), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_section),
		cmocka_unit_test(test_postfix_wired),
		cmocka_unit_test(test_postfix_missing),
		cmocka_unit_test(test_postfix_no_config),
		cmocka_unit_test(test_dovecot_wired),
		cmocka_unit_test(test_dovecot_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
