/*
 * ssh_driver.c: drive console/ssh_conn.c and ssh_exec.c against a real
 * sshd with poll() as the console's loop would, for
 * tests/integration/test_ssh.sh.
 *
 *	ssh_driver [-k KEY] [-K KNOWN_HOSTS] [-O OWN_KNOWN_HOSTS] [-u USER]
 *	    [-n CONNS] [-t EXEC_MS] [-H HANDSHAKE_MS] [-i INPUT] [-R]
 *	    [-A FINGERPRINT] HOST PORT[,PORT...] COMMAND
 *
 * Opens CONNS connections (default 1; ports taken in turn), waits until
 * each is live or parked, runs COMMAND on every live one at once, and
 * prints for each connection i:
 *
 *	conn i state=STATE fp=FINGERPRINT known=FINGERPRINT
 *	conn i error=WHY			(when it did not get live)
 *	exec i result=R status=N signal=SIG
 *	exec i out=STDOUT err=STDERR		(sanitised, \x0a for newlines)
 *	exec i error=WHY
 *	conn i after=STATE status=STATUS	(-R: once it left live)
 *
 * then "summary live=N ok=N failed=N".  -A accepts the unknown host key
 * with that fingerprint (into -O's file) and goes on.  Never trusts a key
 * by itself.  Exit 0 when every command exited 0, 1 otherwise, 2 misuse.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sanitize.h"
#include "ssh_conn.h"
#include "ssh_exec.h"

#define MAXC		256
#define GUARD_MS	60000

/* Monotonic milliseconds. */
static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Print how to call us and exit 2. */
static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: ssh_driver [-k key] [-K known_hosts] "
	    "[-O own_known_hosts] [-u user] [-n conns] [-t exec_ms] "
	    "[-H handshake_ms] [-i input] [-R] [-A fingerprint] host "
	    "port[,port...] command\n");
	exit(2);
}

/* Is the connection's state one it will not leave by itself soon? */
static int
settled(enum ssh_state st)
{
	return st == SSH_LIVE || st == SSH_STALE || st == SSH_RETRYING ||
	    st >= SSH_HOSTKEY_UNKNOWN;
}

/* Poll every connection once and step them all. */
static void
step_all(struct ssh_conn **c, int n)
{
	struct pollfd	 pfd[MAXC];
	int		 i, k = 0, ms = 200, w;

	for (i = 0; i < n; i++) {
		k += (int)ssh_conn_fds(c[i], &pfd[k]);
		w = ssh_conn_wait_ms(c[i], now_ms());
		if (w >= 0 && w < ms)
			ms = w;
	}
	if (poll(pfd, (nfds_t)k, ms) == -1 && errno != EINTR)
		exit(1);
	for (i = 0; i < n; i++)
		ssh_conn_step(c[i], now_ms());
}

/* One line of raw output, sanitised. */
static void
show(const char *p, size_t len, char *out, size_t size)
{
	sanitize_text(out, size, p, len);
}

int
main(int argc, char *argv[])
{
	struct ssh_conn_config	 cfg = { 0 };
	struct ssh_conn		*c[MAXC];
	struct ssh_exec		*e[MAXC];
	const char		*input = NULL, *accept = NULL;
	char			*ports, *p, err[512], a[SSH_EXEC_OUT_MAX * 4];
	char			 b[SSH_EXEC_OUT_MAX * 4], st[1024];
	int			 ch, n = 1, exec_ms = 30000, after = 0, i;
	int			 portv[MAXC], np = 0, live = 0, ok = 0, bad = 0;
	int64_t			 give_up;
	size_t			 la, lb;

	setvbuf(stdout, NULL, _IOLBF, 0);
	cfg.user = "root";
	cfg.keepalive_s = 2;
	while ((ch = getopt(argc, argv, "A:H:i:k:K:n:O:Rt:u:")) != -1) {
		switch (ch) {
		case 'A': accept = optarg; break;
		case 'H': cfg.handshake_ms = atoi(optarg); break;
		case 'i': input = optarg; break;
		case 'k': cfg.key_file = optarg; break;
		case 'K': cfg.known_hosts = optarg; break;
		case 'n': n = atoi(optarg); break;
		case 'O': cfg.own_known_hosts = optarg; break;
		case 'R': after = 1; break;
		case 't': exec_ms = atoi(optarg); break;
		case 'u': cfg.user = optarg; break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 3 || n < 1 || n > MAXC)
		usage();
	cfg.host = argv[0];
	ports = argv[1];
	for (p = strtok(ports, ","); p != NULL && np < MAXC;
	    p = strtok(NULL, ","))
		portv[np++] = atoi(p);
	if (np == 0)
		usage();

	for (i = 0; i < n; i++) {
		cfg.name = "test";
		cfg.port = portv[i % np];
		c[i] = ssh_conn_new(&cfg, now_ms());
		e[i] = NULL;
	}
	give_up = now_ms() + GUARD_MS;
	for (;;) {
		for (i = 0; i < n && settled(ssh_conn_state(c[i])); i++)
			;
		if (i == n || now_ms() > give_up)
			break;
		step_all(c, n);
		for (i = 0; accept != NULL && i < n; i++)
			if (ssh_conn_state(c[i]) == SSH_HOSTKEY_UNKNOWN &&
			    ssh_conn_accept_hostkey(c[i], accept, now_ms(),
			    err, sizeof(err)) == -1)
				printf("conn %d accept-error=%s\n", i, err);
	}
	for (i = 0; i < n; i++) {
		printf("conn %d state=%s fp=%s known=%s\n", i,
		    ssh_state_name(ssh_conn_state(c[i])),
		    ssh_conn_fingerprint(c[i]),
		    ssh_conn_known_fingerprint(c[i]));
		if (ssh_conn_state(c[i]) != SSH_LIVE) {
			ssh_conn_status(c[i], now_ms(), st, sizeof(st));
			printf("conn %d error=%s\n", i, st);
			continue;
		}
		live++;
		e[i] = ssh_exec_start(c[i], argv[2], input,
		    input != NULL ? strlen(input) : 0, now_ms(), exec_ms,
		    NULL, NULL, err, sizeof(err));
		if (e[i] == NULL)
			printf("exec %d start-error=%s\n", i, err);
	}
	give_up = now_ms() + GUARD_MS;
	for (;;) {
		for (i = 0; i < n && (e[i] == NULL ||
		    ssh_exec_result(e[i]) != 0); i++)
			;
		if (i == n || now_ms() > give_up)
			break;
		step_all(c, n);
	}
	for (i = 0; i < n; i++) {
		if (e[i] == NULL)
			continue;
		printf("exec %d result=%d status=%d signal=%s\n", i,
		    ssh_exec_result(e[i]), ssh_exec_status(e[i]),
		    ssh_exec_signal(e[i]));
		ssh_exec_stdout(e[i], &la);
		ssh_exec_stderr(e[i], &lb);
		show(ssh_exec_stdout(e[i], NULL), la, a, sizeof(a));
		show(ssh_exec_stderr(e[i], NULL), lb, b, sizeof(b));
		printf("exec %d out=%s err=%s\n", i, a, b);
		if (ssh_exec_result(e[i]) == 1)
			ok++;
		else {
			bad++;
			printf("exec %d error=%s\n", i, ssh_exec_error(e[i]));
		}
	}
	/* -R: see the connections through to what comes after a loss. */
	give_up = now_ms() + GUARD_MS;
	while (after && now_ms() < give_up) {
		for (i = 0; i < n && ssh_conn_state(c[i]) != SSH_LIVE; i++)
			;
		if (i == n)
			break;
		step_all(c, n);
	}
	for (i = 0; after && i < n; i++) {
		ssh_conn_status(c[i], now_ms(), st, sizeof(st));
		printf("conn %d after=%s status=%s\n", i,
		    ssh_state_name(ssh_conn_state(c[i])), st);
	}
	printf("summary live=%d ok=%d failed=%d\n", live, ok, bad);
	for (i = 0; i < n; i++) {
		ssh_exec_free(e[i]);
		ssh_conn_free(c[i]);
	}
	return live == n && bad == 0 ? 0 : 1;
}
