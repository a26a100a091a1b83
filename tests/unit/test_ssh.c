/*
 * test_ssh.c: the pure parts of the SSH transport: fingerprints as
 * OpenSSH writes them, known_hosts names and lines, state names, the
 * backoff schedule with its jitter, remote-shell quoting, and the states
 * a connection reaches without a server (a host name without a resolver
 * refused; a name that does not resolve retried and asked again; a
 * refused TCP connect retried, with the wait it says).
 *
 * The real sshd cases are in tests/integration/test_ssh.sh.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <poll.h>
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
#include "core/shquote.h"
#include "net/resolve.h"
#include "net/ssh_conn.h"
#include "net/ssh_exec.h"
#include "net/ssh_hostkey.h"

/* An ed25519 public key and what `ssh-keygen -lf` says of it. */
#define ED_B64	"AAAAC3NzaC1lZDI1NTE5AAAAIKLp4aArhT70uJEigYGcej4sFkLctN2/VZ1XieuPb2M3"
#define ED_FP	"SHA256:W1vqQwanuoV9cHKrsvEvNODjfUxxaXqegpG8yDzy9G0"

static void
test_fingerprint(void **state)
{
	char	 fp[SSH_FP_MAX];

	assert_int_equal(ssh_fingerprint_b64(ED_B64, fp, sizeof(fp)), 0);
	assert_string_equal(fp, ED_FP);
	/* not base64: refused, never a made-up fingerprint */
	assert_int_equal(ssh_fingerprint_b64("AAA", fp, sizeof(fp)), -1);
	assert_int_equal(ssh_fingerprint_b64("!!!!", fp, sizeof(fp)), -1);
	assert_int_equal(ssh_fingerprint_b64("", fp, sizeof(fp)), -1);
	/* SHA-256 of nothing, base64 without padding */
	ssh_fingerprint((const unsigned char *)"", 0, fp, sizeof(fp));
	assert_string_equal(fp,
	    "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU");
}

static void
test_names(void **state)
{
	char	 n[64];

	ssh_hostkey_name("127.0.0.1", 2222, n, sizeof(n));
	assert_string_equal(n, "[127.0.0.1]:2222");
	ssh_hostkey_name("::1", 22, n, sizeof(n));
	assert_string_equal(n, "::1");
	assert_string_equal(ssh_hostkey_type_name(LIBSSH2_HOSTKEY_TYPE_ED25519),
	    "ssh-ed25519");
	assert_string_equal(ssh_hostkey_type_name(99), "unknown");
	assert_string_equal(ssh_state_name(SSH_RESOLVING), "resolving");
	assert_string_equal(ssh_state_name(SSH_LIVE), "live");
	assert_string_equal(ssh_state_name(SSH_HOSTKEY_MISMATCH),
	    "hostkey-mismatch");
	assert_string_equal(ssh_state_name(SSH_HOSTKEY_UNKNOWN),
	    "hostkey-unknown");
	assert_string_equal(ssh_state_name(SSH_AUTH_FAILED), "auth-failed");
	assert_string_equal(ssh_state_name(SSH_RETRYING), "retrying");
	assert_string_equal(ssh_state_name(SSH_STALE), "stale");
	assert_string_equal(ssh_state_name(SSH_NSTATES), "?");
}

/* The accepted key's line: the OpenSSH form, after a line without '\n'. */
static void
test_append(void **state)
{
	char		 dir[] = "/tmp/mcsshu.XXXXXX", path[256], buf[512];
	char		 err[256];
	unsigned char	 blob[51];
	size_t		 i;

	uf_mkdtemp(dir);
	uf_path(path, sizeof(path), dir, "known_hosts");
	uf_write(path, "# no newline at the end", 0600);
	for (i = 0; i < sizeof(blob); i++)
		blob[i] = (unsigned char)i;
	assert_int_equal(ssh_hostkey_append(path, "127.0.0.1", 2222,
	    LIBSSH2_HOSTKEY_TYPE_ED25519, blob, sizeof(blob), err,
	    sizeof(err)), 0);
	assert_true(uf_read(path, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "end\n[127.0.0.1]:2222 ssh-ed25519 "
	    "AAECAwQF"));
	assert_int_equal(buf[strlen(buf) - 1], '\n');
	assert_int_equal(ssh_hostkey_append(path, "127.0.0.1", 2222, 99,
	    blob, sizeof(blob), err, sizeof(err)), -1);
	uf_path(path, sizeof(path), dir, "no/such/dir");
	assert_int_equal(ssh_hostkey_append(path, "127.0.0.1", 22,
	    LIBSSH2_HOSTKEY_TYPE_ED25519, blob, sizeof(blob), err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open"));
	uf_rmtree(dir);
}

/* An ECDSA P-256 public key (any valid one: only its type matters). */
#define EC_B64	"AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEkd" \
	"gWqDMAcVGKzUEDtM5wL3DxuD8ozS3FVtnMfyMtB0LzG9vp1yNHgsHajBGk+Wyzmab" \
	"u0AaOZ2oKYUpXJDs9g="

/* The host key algorithms offered: the type known_hosts has for this host
   first, then the others, every one a name this libssh2 supports (libssh2
   1.10 removes an unsupported one with an overlapping memcpy(), which the
   sanitizer build catches in libssh2_session_method_pref below), and
   nothing at all when the host is not known. */
static void
test_hostkey_prefs(void **state)
{
	char		 dir[] = "/tmp/mcsshu.XXXXXX", path[256], line[512];
	char		 prefs[512], copy[512], *name, *last;
	const char	*files[1], **sup = NULL;
	LIBSSH2_SESSION	*s;
	int		 nsup, i, found, n = 0;

	(void)state;
	assert_int_equal(libssh2_init(0), 0);
	assert_non_null(s = libssh2_session_init());
	uf_mkdtemp(dir);
	uf_path(path, sizeof(path), dir, "known_hosts");
	snprintf(line, sizeof(line), "[127.0.0.1]:2222 ecdsa-sha2-nistp256 "
	    "%s\n", EC_B64);
	uf_write(path, line, 0600);
	files[0] = path;
	ssh_hostkey_prefs(s, "127.0.0.1", 2222, files, 1, prefs,
	    sizeof(prefs));
	assert_int_equal(strncmp(prefs, "ecdsa-sha2-nistp256,", 20), 0);
	assert_non_null(strstr(prefs, "ssh-ed25519"));
	nsup = libssh2_session_supported_algs(s, LIBSSH2_METHOD_HOSTKEY, &sup);
	assert_true(nsup > 0);
	snprintf(copy, sizeof(copy), "%s", prefs);
	for (name = strtok_r(copy, ",", &last); name != NULL;
	    name = strtok_r(NULL, ",", &last), n++) {
		for (found = 0, i = 0; i < nsup; i++)
			found |= strcmp(sup[i], name) == 0;
		if (!found)
			fail_msg("%s is offered but not supported", name);
	}
	assert_true(n >= 3);
	libssh2_free(s, (void *)sup);
	assert_int_equal(libssh2_session_method_pref(s,
	    LIBSSH2_METHOD_HOSTKEY, prefs), 0);
	/* Another port is another host: nothing known, no preference. */
	ssh_hostkey_prefs(s, "127.0.0.1", 2223, files, 1, prefs,
	    sizeof(prefs));
	assert_string_equal(prefs, "");
	libssh2_session_free(s);
	uf_rmtree(dir);
}

/* 1 s doubling to 60 s; jitter only shortens, by at most a fifth. */
static void
test_backoff(void **state)
{
	static const int want[] = { 1000, 2000, 4000, 8000, 16000, 32000,
	    60000, 60000, 60000 };
	unsigned	 i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(ssh_backoff_ms(i, 0.0), want[i]);
		assert_int_equal(ssh_backoff_ms(i, 0.5), want[i] -
		    want[i] / 10);
		assert_true(ssh_backoff_ms(i, 0.999) > want[i] * 4 / 5);
	}
	assert_int_equal(ssh_backoff_ms(1000, 0.0), 60000);
	assert_int_equal(ssh_backoff_ms(0, 7.0), 1000);	/* out of range */
}

static void
test_quote(void **state)
{
	char	*argv[] = { "postsuper", "-d", "-", "it's", "$(rm -rf /)",
	    "a b", "", NULL };
	char	 line[256];

	assert_true(shquote_argv(7, argv, line, sizeof(line)) > 0);
	assert_string_equal(line, "postsuper -d - 'it'\\''s' '$(rm -rf /)' "
	    "'a b' ''");
	assert_int_equal(shquote_argv(7, argv, line, 12), -1);
}

/* A name without a resolver is refused, never retried. */
static void
test_name_refused(void **state)
{
	struct ssh_conn_config	 cfg = { .name = "mx1", .host = "mx1.example",
	    .port = 22, .user = "root", .key_file = "/nonexistent" };
	struct ssh_conn		*c;
	struct pollfd		 pfd[SSH_CONN_NFDS];
	char			 st[512], err[128];

	c = ssh_conn_new(&cfg, 0);
	assert_int_equal(ssh_conn_state(c), SSH_FAILED);
	assert_non_null(strstr(ssh_conn_error(c), "is a name, and there is "
	    "no resolver"));
	assert_int_equal(ssh_conn_fds(c, pfd), 0);
	assert_int_equal(ssh_conn_wait_ms(c, 0), -1);
	assert_int_equal(ssh_conn_step(c, 100000), 0);
	ssh_conn_restart(c, 100000);
	assert_int_equal(ssh_conn_state(c), SSH_FAILED);
	ssh_conn_status(c, 0, st, sizeof(st));
	assert_non_null(strstr(st, "failed: host \"mx1.example\""));
	assert_null(ssh_exec_start(c, "true", NULL, 0, 0, 0, NULL, NULL, err,
	    sizeof(err)));
	assert_non_null(strstr(err, "not connected (failed)"));
	ssh_conn_free(c);
}

/* A loopback port nobody listens on (SOCK_STREAM or SOCK_DGRAM). */
static int
closed_port_type(int type)
{
	struct sockaddr_in	 sin = { .sin_family = AF_INET };
	socklen_t		 len = sizeof(sin);
	int			 s, port;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, type, 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(s);
	return port;
}

static int
closed_port(void)
{
	return closed_port_type(SOCK_STREAM);
}

/*
 * Step c with r's sockets polled, as the loop does, while it is in state
 * st (600 polls of 50 ms at most: a bound for a hang); the clock stays
 * at now.
 */
static void
drive(struct ssh_conn *c, struct resolver *r, enum ssh_state st,
    int64_t now)
{
	struct pollfd	 pfd[RESOLVER_MAXFDS + SSH_CONN_NFDS];
	size_t		 n, nr;
	int		 i;

	for (i = 0; i < 600 && ssh_conn_state(c) == st; i++) {
		n = ssh_conn_fds(c, pfd);
		nr = resolver_fds(r, pfd + n, RESOLVER_MAXFDS);
		poll(pfd, n + nr, 50);
		resolver_process(r, pfd + n, nr);
		ssh_conn_step(c, now);
	}
}

/*
 * A name that does not resolve (the resolver is a closed port): the
 * reason, the backoff of a refused connection, and a new lookup at the
 * next attempt; freeing the connection cancels its lookup.
 */
static void
test_name_unresolved(void **state)
{
	struct ssh_conn_config	 cfg = { .name = "mx1", .host = "mx1.test",
	    .user = "root", .key_file = "/nonexistent" };
	struct ssh_conn		*c;
	struct resolver		*r;
	struct pollfd		 pfd[SSH_CONN_NFDS];
	int64_t			 now = 1000000, in;
	char			 srv[32], st[512], err[256];

	snprintf(srv, sizeof(srv), "127.0.0.1:%d",
	    closed_port_type(SOCK_DGRAM));
	r = resolver_new(srv, 1000, err, sizeof(err));
	assert_non_null(r);
	cfg.resolver = r;
	c = ssh_conn_new(&cfg, now);
	assert_int_equal(ssh_conn_state(c), SSH_RESOLVING);
	assert_int_equal(ssh_conn_fds(c, pfd), 0);
	assert_int_equal(ssh_conn_wait_ms(c, now), -1);
	ssh_conn_status(c, now, st, sizeof(st));
	assert_string_equal(st, "resolving mx1.test");
	assert_int_equal(resolver_pending(r), 1);
	drive(c, r, SSH_RESOLVING, now);
	assert_int_equal(ssh_conn_state(c), SSH_RETRYING);
	assert_int_equal(strncmp(ssh_conn_error(c), "cannot resolve mx1.test: ",
	    25), 0);
	in = ssh_conn_retry_in_ms(c, now);
	assert_true(in > 800 && in <= 1000);
	ssh_conn_status(c, now, st, sizeof(st));
	assert_int_equal(strncmp(st, "retrying in 1 s: cannot resolve "
	    "mx1.test: ", 42), 0);
	assert_int_equal(resolver_pending(r), 0);
	ssh_conn_step(c, now + in);
	assert_int_equal(ssh_conn_state(c), SSH_RESOLVING);
	assert_int_equal(resolver_pending(r), 1);
	ssh_conn_free(c);
	assert_int_equal(resolver_pending(r), 0);
	resolver_free(r);
}

/*
 * localhost resolves without a query; the connection then goes to the
 * address, and its messages name both.
 */
static void
test_name_resolved(void **state)
{
	struct ssh_conn_config	 cfg = { .name = "mx1", .host = "LocalHost",
	    .user = "root", .key_file = "/nonexistent" };
	struct ssh_conn		*c;
	struct resolver		*r;
	char			 err[256], want[128];

	r = resolver_new(NULL, 1000, err, sizeof(err));
	assert_non_null(r);
	cfg.resolver = r;
	cfg.port = closed_port();
	c = ssh_conn_new(&cfg, 0);
	assert_int_equal(ssh_conn_state(c), SSH_RESOLVING);
	drive(c, r, SSH_RESOLVING, 0);
	drive(c, r, SSH_CONNECTING, 0);
	assert_int_equal(ssh_conn_state(c), SSH_RETRYING);
	snprintf(want, sizeof(want), "cannot connect to LocalHost (127.0.0.1) "
	    "port %d: Connection refused", cfg.port);
	assert_string_equal(ssh_conn_error(c), want);
	/* restart: asked again */
	ssh_conn_restart(c, 0);
	assert_int_equal(ssh_conn_state(c), SSH_RESOLVING);
	ssh_conn_free(c);
	resolver_free(r);

	/* not a host name at all: failed, nothing asked */
	r = resolver_new(NULL, 1000, err, sizeof(err));
	cfg.host = "mx1:test";
	cfg.resolver = r;
	c = ssh_conn_new(&cfg, 0);
	assert_int_equal(ssh_conn_state(c), SSH_FAILED);
	assert_non_null(strstr(ssh_conn_error(c), "neither an IP address nor "
	    "a host name"));
	assert_int_equal(resolver_pending(r), 0);
	ssh_conn_free(c);
	resolver_free(r);
}

/*
 * A refused connect retries after the backoff, which the injected clock
 * walks through: 1 s (less jitter), then 2 s, and "retrying in N s".
 */
static void
test_refused_retries(void **state)
{
	struct ssh_conn_config	 cfg = { .name = "mx1", .host = "127.0.0.1",
	    .user = "root", .key_file = "/nonexistent" };
	struct ssh_conn		*c;
	struct pollfd		 pfd[SSH_CONN_NFDS];
	int64_t			 now = 1000000, in;
	char			 st[512];
	int			 i;

	cfg.port = closed_port();
	c = ssh_conn_new(&cfg, now);
	for (i = 0; i < 600 && ssh_conn_state(c) == SSH_CONNECTING; i++) {
		poll(pfd, ssh_conn_fds(c, pfd), 50);
		ssh_conn_step(c, now);
	}
	assert_int_equal(ssh_conn_state(c), SSH_RETRYING);
	assert_non_null(strstr(ssh_conn_error(c), "refused"));
	in = ssh_conn_retry_in_ms(c, now);
	assert_true(in > 800 && in <= 1000);
	assert_int_equal(ssh_conn_wait_ms(c, now), (int)in);
	ssh_conn_status(c, now, st, sizeof(st));
	assert_int_equal(strncmp(st, "retrying in 1 s: cannot connect to "
	    "127.0.0.1 port ", 49), 0);
	assert_non_null(strstr(st, ": Connection refused"));
	now += in - 1;
	ssh_conn_step(c, now);
	assert_int_equal(ssh_conn_state(c), SSH_RETRYING);
	now += 1;
	ssh_conn_step(c, now);
	assert_int_equal(ssh_conn_state(c), SSH_CONNECTING);
	for (i = 0; i < 600 && ssh_conn_state(c) == SSH_CONNECTING; i++) {
		poll(pfd, ssh_conn_fds(c, pfd), 50);
		ssh_conn_step(c, now);
	}
	assert_int_equal(ssh_conn_state(c), SSH_RETRYING);
	in = ssh_conn_retry_in_ms(c, now);
	assert_true(in > 1600 && in <= 2000);
	assert_int_equal(ssh_conn_attempts(c), 2);
	ssh_conn_restart(c, now);
	assert_int_equal(ssh_conn_attempts(c), 0);
	assert_int_equal(ssh_conn_state(c), SSH_CONNECTING);
	ssh_conn_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_hostkey_prefs),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_name_refused),
		cmocka_unit_test(test_name_unresolved),
		cmocka_unit_test(test_name_resolved),
		cmocka_unit_test(test_refused_retries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
