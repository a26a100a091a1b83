/*
 * ssh_driver.c: drive console/net/ssh_conn.c and ssh_exec.c against a real
 * sshd with poll() as the console's loop would, for
 * tests/integration/test_ssh.sh.
 *
 *	ssh_driver [-k KEY] [-K KNOWN_HOSTS] [-O OWN_KNOWN_HOSTS] [-u USER]
 *	    [-n CONNS] [-t EXEC_MS] [-H HANDSHAKE_MS] [-i INPUT | -I BYTES]
 *	    [-b SNDBUF] [-q RUNS] [-S LINES -F DIR] [-R] [-A FINGERPRINT]
 *	    HOST PORT[,PORT...] COMMAND
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
 *
 * -q runs COMMAND RUNS times on each connection, one after the other
 * (each starts in the step its predecessor ended), and prints
 *
 *	seq i runs=N failed=N ms=MS		(MS: first start to last end)
 *	exec i run=J error=WHY			(an earlier run that failed)
 *
 * Every start is checked to make ssh_conn_wait_ms() 0 (the channel must
 * be opened in the next step, not after a timer), else "exec i
 * start-wait=MS" and the command counts as failed.
 * before the last run's lines.  -I gives BYTES of input (lines of x)
 * instead of -i's text.  -b shrinks
 * each live connection's socket send buffer to SNDBUF bytes, so libssh2
 * leaves packets half-sent as on a slow link.
 *
 * -S is the log follower's pattern: every live connection first starts a
 * streaming command, with a callback, that prints "line 0" to "line
 * LINES-1"; once its first line has arrived, COMMAND starts on the same
 * connection.  The two meet halfway through the stream on a FIFO in DIR
 * (the stream waits there for COMMAND's last run to start), so both
 * channels run at once.  Each stream is checked line by line and printed as
 *
 *	stream i result=R lines=N bad=N errbytes=N
 *	stream i error=WHY			(when it failed)
 *
 * and the summary gains " streams=N": the streams that got every line in
 * order and exited 0.  Their stderr is counted (errbytes), and must be 0:
 * the login shell of the test user says nothing.
 *
 * The login is -u USER, else $SSHD_USER (the test user of sshd.sh, whose
 * shell is /bin/sh): never root by default, so no test depends on root's
 * shell start-up files.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <poll.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/loop.h"
#include "core/sanitize.h"
#include "net/ssh_conn.h"
#include "net/ssh_exec.h"

#include "driverlib.h"

#define USAGE	"ssh_driver [-k key] [-K known_hosts] [-O own_known_hosts] " \
		"[-u user] [-n conns] [-t exec_ms] [-H handshake_ms] " \
		"[-i input | -I bytes] [-b sndbuf] [-S lines -F dir] [-R] " \
		"[-A fingerprint] host port[,port...] command"

#define MAXC		256
#define GUARD_MS	60000

/* What one stream has delivered so far, checked as it arrives. */
struct stream {
	long	 lines;		/* whole lines seen */
	long	 bad;		/* not "line <number of lines before>" */
	size_t	 errbytes;	/* on its stderr (login shell noise) */
	char	 line[64];	/* the line being put together */
	size_t	 len;
	int	 toolong;
};

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
	int		 i, k = 0, ms = 60000, w;

	for (i = 0; i < n; i++) {
		k += (int)ssh_conn_fds(c[i], &pfd[k]);
		w = ssh_conn_wait_ms(c[i], loop_now_ms());
		if (w >= 0 && w < ms)
			ms = w;
	}
	if (poll(pfd, (nfds_t)k, ms) == -1 && errno != EINTR)
		exit(1);
	for (i = 0; i < n; i++)
		ssh_conn_step(c[i], loop_now_ms());
}

/* One line of raw output, sanitised. */
static void
show(const char *p, size_t len, char *out, size_t size)
{
	sanitize_text(out, size, p, len);
}

/* Callback of a stream: check each line against the one expected next. */
static void
stream_cb(void *arg, int stream, const char *p, size_t len)
{
	struct stream	*st = arg;
	char		 want[64];

	if (stream != SSH_STDOUT) {
		st->errbytes += len;
		return;
	}
	for (; len > 0; p++, len--) {
		if (*p != '\n') {
			if (st->len < sizeof(st->line) - 1)
				st->line[st->len++] = *p;
			else
				st->toolong = 1;
			continue;
		}
		st->line[st->len] = '\0';
		snprintf(want, sizeof(want), "line %ld", st->lines);
		if (st->toolong || strcmp(st->line, want) != 0)
			st->bad++;
		st->lines++;
		st->len = 0;
		st->toolong = 0;
	}
}

/* Start run number run of COMMAND (argv[2]) on connection i; the last
   run of a -S test meets the stream first. */
static struct ssh_exec *
start_cmd(struct ssh_conn *c, int i, int last, const char *dir,
    const char *command, const char *input, size_t inlen, int exec_ms)
{
	struct ssh_exec	*e;
	char		 cmd[2048], err[512];

	if (dir != NULL && last)
		snprintf(cmd, sizeof(cmd), "echo go >'%s/meet.%d' && %s", dir,
		    i, command);
	else
		snprintf(cmd, sizeof(cmd), "%s", command);
	e = ssh_exec_start(c, cmd, input, inlen, loop_now_ms(), exec_ms, NULL,
	    NULL, err, sizeof(err));
	if (e == NULL)
		printf("exec %d start-error=%s\n", i, err);
	return e;
}

/* Is path safe inside single quotes of a remote shell line? */
static int
plain_path(const char *path)
{
	return path[0] == '/' && strspn(path, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-") == strlen(path);
}

int
main(int argc, char *argv[])
{
	struct ssh_conn_config	 cfg = { 0 };
	struct ssh_conn		*c[MAXC];
	struct ssh_exec		*e[MAXC], *s[MAXC];
	struct stream		 st[MAXC];
	struct pollfd		 pfd;
	const char		*input = NULL, *accept = NULL, *dir = NULL;
	char			*ports, *p, *big = NULL, err[512];
	char			 a[SSH_EXEC_OUT_MAX * 4];
	char			 b[SSH_EXEC_OUT_MAX * 4];
	char			 st_line[1024], fifo[512], cmd[2048];
	int			 ch, n = 1, exec_ms = 30000, after = 0, i;
	int			 portv[MAXC], np = 0, live = 0, ok = 0, bad = 0;
	int			 sndbuf = 0, sok = 0, busy, seq = 1, w;
	int			 runs[MAXC], seqbad[MAXC], go[MAXC];
	long			 lines = 0;
	size_t			 la, lb, inlen = 0, k;
	int64_t			 give_up, t0[MAXC], t1[MAXC];
	struct passwd		*login;

	setvbuf(stdout, NULL, _IOLBF, 0);
	cfg.user = getenv("SSHD_USER");
	cfg.keepalive_s = 2;
	while ((ch = getopt(argc, argv, "A:b:F:H:i:I:k:K:n:O:q:RS:t:u:")) !=
	    -1) {
		switch (ch) {
		case 'A': accept = optarg; break;
		case 'b': sndbuf = atoi(optarg); break;
		case 'F': dir = optarg; break;
		case 'H': cfg.handshake_ms = atoi(optarg); break;
		case 'i': input = optarg; inlen = strlen(optarg); break;
		case 'I':
			inlen = strtoul(optarg, NULL, 10);
			big = malloc(inlen + 1);
			if (big == NULL)
				driver_usage(USAGE);
			for (k = 0; k < inlen; k++)
				big[k] = k % 64 == 63 ? '\n' : 'x';
			input = big;
			break;
		case 'k': cfg.key_file = optarg; break;
		case 'K': cfg.known_hosts = optarg; break;
		case 'n': n = atoi(optarg); break;
		case 'O': cfg.own_known_hosts = optarg; break;
		case 'q': seq = atoi(optarg); break;
		case 'R': after = 1; break;
		case 'S': lines = atol(optarg); break;
		case 't': exec_ms = atoi(optarg); break;
		case 'u': cfg.user = optarg; break;
		default: driver_usage(USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 3 || n < 1 || n > MAXC || lines < 0 || seq < 1 ||
	    cfg.user == NULL || *cfg.user == '\0' ||
	    (lines > 0 && (dir == NULL || !plain_path(dir))))
		driver_usage(USAGE);
	cfg.host = argv[0];
	ports = argv[1];
	/* the sshd is on this machine: its login meets the stream on FIFOs
	   of its own */
	login = getpwnam(cfg.user);
	for (p = strtok(ports, ","); p != NULL && np < MAXC;
	    p = strtok(NULL, ","))
		portv[np++] = atoi(p);
	if (np == 0)
		driver_usage(USAGE);

	memset(st, 0, sizeof(st));
	memset(runs, 0, sizeof(runs));
	memset(seqbad, 0, sizeof(seqbad));
	memset(go, 0, sizeof(go));
	for (i = 0; i < n; i++) {
		cfg.name = "test";
		cfg.port = portv[i % np];
		c[i] = ssh_conn_new(&cfg, loop_now_ms());
		e[i] = s[i] = NULL;
	}
	give_up = loop_now_ms() + GUARD_MS;
	for (;;) {
		for (i = 0; i < n && settled(ssh_conn_state(c[i])); i++)
			;
		if (i == n || loop_now_ms() > give_up)
			break;
		step_all(c, n);
		for (i = 0; accept != NULL && i < n; i++)
			if (ssh_conn_state(c[i]) == SSH_HOSTKEY_UNKNOWN &&
			    ssh_conn_accept_hostkey(c[i], accept, loop_now_ms(),
			    err, sizeof(err)) == -1)
				printf("conn %d accept-error=%s\n", i, err);
	}
	for (i = 0; i < n; i++) {
		printf("conn %d state=%s fp=%s known=%s\n", i,
		    ssh_state_name(ssh_conn_state(c[i])),
		    ssh_conn_fingerprint(c[i]),
		    ssh_conn_known_fingerprint(c[i]));
		if (ssh_conn_state(c[i]) != SSH_LIVE) {
			ssh_conn_status(c[i], loop_now_ms(), st_line,
			    sizeof(st_line));
			printf("conn %d error=%s\n", i, st_line);
			continue;
		}
		live++;
		if (sndbuf > 0 && ssh_conn_fds(c[i], &pfd) == 1 &&
		    setsockopt(pfd.fd, SOL_SOCKET, SO_SNDBUF, &sndbuf,
		    sizeof(sndbuf)) == -1)
			printf("conn %d sndbuf-error=%s\n", i, strerror(errno));
		if (lines > 0) {
			snprintf(fifo, sizeof(fifo), "%s/meet.%d", dir, i);
			(void)unlink(fifo);
			if (mkfifo(fifo, 0600) == -1 || (login != NULL &&
			    chown(fifo, login->pw_uid, -1) == -1)) {
				printf("stream %d fifo-error=%s\n", i,
				    strerror(errno));
				continue;
			}
			snprintf(cmd, sizeof(cmd), "i=0; while [ $i -lt %ld ]; "
			    "do echo \"line $i\"; i=$((i+1)); "
			    "if [ $i = %ld ]; then read go <'%s'; fi; done",
			    lines, lines / 2, fifo);
			s[i] = ssh_exec_start(c[i], cmd, NULL, 0, loop_now_ms(),
			    exec_ms, stream_cb, &st[i], err, sizeof(err));
			if (s[i] == NULL) {
				printf("stream %d start-error=%s\n", i, err);
				continue;
			}
		}
		go[i] = 1;	/* the loop below starts its command */
	}
	give_up = loop_now_ms() + GUARD_MS;
	for (;;) {
		busy = 0;
		for (i = 0; i < n; i++) {
			if (e[i] != NULL && ssh_exec_result(e[i]) != 0 &&
			    runs[i] < seq) {
				t1[i] = loop_now_ms();
				if (++runs[i] < seq) {
					/* one of a sequence: the next now */
					if (ssh_exec_result(e[i]) != 1) {
						seqbad[i]++;
						printf("exec %d run=%d "
						    "error=%s\n", i, runs[i],
						    ssh_exec_error(e[i]));
					}
					ssh_exec_free(e[i]);
					e[i] = NULL;
				}
			}
			/* With -S, once the stream runs, beside it on the
			   same connection. */
			if (go[i] && e[i] == NULL && runs[i] < seq &&
			    (s[i] == NULL || (st[i].lines > 0 &&
			    ssh_exec_result(s[i]) == 0))) {
				if (runs[i] == 0)
					t0[i] = loop_now_ms();
				e[i] = start_cmd(c[i], i, runs[i] == seq - 1,
				    s[i] != NULL ? dir : NULL, argv[2], input,
				    inlen, exec_ms);
				if (e[i] == NULL)
					go[i] = 0;
				else if ((w = ssh_conn_wait_ms(c[i],
				    loop_now_ms())) != 0) {
					printf("exec %d start-wait=%d\n", i, w);
					seqbad[i]++;
				}
			}
			if ((e[i] != NULL && ssh_exec_result(e[i]) == 0) ||
			    (s[i] != NULL && ssh_exec_result(s[i]) == 0))
				busy = 1;
		}
		if (!busy || loop_now_ms() > give_up)
			break;
		step_all(c, n);
	}
	for (i = 0; i < n; i++) {
		if (s[i] != NULL) {
			printf("stream %d result=%d lines=%ld bad=%ld "
			    "errbytes=%zu\n", i, ssh_exec_result(s[i]),
			    st[i].lines, st[i].bad, st[i].errbytes);
			if (ssh_exec_result(s[i]) != 1)
				printf("stream %d error=%s\n", i,
				    ssh_exec_error(s[i]));
			else if (st[i].lines == lines && st[i].bad == 0 &&
			    st[i].len == 0)
				sok++;
		}
		if (lines > 0 && e[i] == NULL)
			bad++;	/* its command never started */
		if (e[i] == NULL)
			continue;
		if (seq > 1)
			printf("seq %d runs=%d failed=%d ms=%lld\n", i, runs[i],
			    seqbad[i], (long long)(t1[i] - t0[i]));
		bad += seqbad[i];
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
	give_up = loop_now_ms() + GUARD_MS;
	while (after && loop_now_ms() < give_up) {
		for (i = 0; i < n && ssh_conn_state(c[i]) != SSH_LIVE; i++)
			;
		if (i == n)
			break;
		step_all(c, n);
	}
	for (i = 0; after && i < n; i++) {
		ssh_conn_status(c[i], loop_now_ms(), st_line, sizeof(st_line));
		printf("conn %d after=%s status=%s\n", i,
		    ssh_state_name(ssh_conn_state(c[i])), st_line);
	}
	if (lines > 0)
		printf("summary live=%d ok=%d failed=%d streams=%d\n", live,
		    ok, bad, sok);
	else
		printf("summary live=%d ok=%d failed=%d\n", live, ok, bad);
	for (i = 0; i < n; i++) {
		ssh_exec_free(s[i]);
		ssh_exec_free(e[i]);
		ssh_conn_free(c[i]);
	}
	free(big);
	return live == n && bad == 0 && (lines == 0 || sok == live) ? 0 : 1;
}
