/*
 * act_ssh.c: mailcon act's connection to a server behind SSH and its read
 * of the server's logs; see act_ssh.h.
 *
 * The logs are read with `tail -c N -- PATH`: the newest part of a big
 * log (the part that produced what is queued now) in bounded time and
 * memory.  The first line of a cut file is a fragment without a header;
 * it parses as nothing (server_line counts it unparsed).  They are read
 * as the login, without sudo: sudo = yes is for the queue and the
 * actions, and a site gives NOPASSWD for those commands, not for tail.
 * A log host's files are read with their rotated copies before them
 * (act_ssh_read_rotated: one sh, the newest N bytes of all), since an
 * account's logins may be from before the last rotation.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "act_ssh.h"
#include "act/sshtarget.h"
#include "core/linebuf.h"
#include "core/loop.h"
#include "live/server.h"
#include "net/cmdrun.h"
#include "net/resolve.h"
#include "net/ssh_conn.h"

/* One log being read into a server, or to line(arg, ...) when set. */
struct act_rlog {
	struct server	*s;
	struct source	 src;
	struct linebuf	 lb;
	void		(*line)(void *, const char *, size_t);
	void		*arg;
};

/* Why the connection is not live, and what to do, into err. */
static void
act_ssh_why(struct ssh_conn *c, const struct server_config *sc,
    const struct ssh_conn_config *cfg, int timeout_ms, char *err,
    size_t errlen)
{
	enum ssh_state	 st = ssh_conn_state(c);
	const char	*e = ssh_conn_error(c);
	int		 port = sc->ssh.port > 0 ? sc->ssh.port : 22;

	switch (st) {
	case SSH_HOSTKEY_UNKNOWN:
		snprintf(err, errlen, "%s: %s; mailcon act never trusts a "
		    "host key unattended: accept it in the console (mailcon), "
		    "or check it and add it to %s, e.g. with ssh-keyscan -p %d "
		    "%s", sc->name, e, cfg->known_hosts != NULL ?
		    cfg->known_hosts : "~/.ssh/known_hosts", port,
		    sc->ssh.host);
		break;
	case SSH_HOSTKEY_MISMATCH:
	case SSH_NO_COMMANDS:
	case SSH_FAILED:
		snprintf(err, errlen, "%s: %s", sc->name, e);
		break;
	case SSH_AUTH_FAILED:
		snprintf(err, errlen, "%s: %s (logging in as %s with %s)",
		    sc->name, e, cfg->user, cfg->key_file != NULL ?
		    cfg->key_file : "the ssh-agent's keys");
		break;
	case SSH_RETRYING:
		snprintf(err, errlen, "%s: unreachable: %s", sc->name, e);
		break;
	default:
		snprintf(err, errlen, "%s: not connected within %d s (still "
		    "%s)", sc->name, timeout_ms / 1000, ssh_state_name(st));
		break;
	}
}

/*
 * How long to sleep: until the connection's next step or the resolver's,
 * never past end.
 */
static int
act_ssh_wait_ms(struct act_ssh *x, int64_t now, int64_t end)
{
	int	 ms = ssh_conn_wait_ms(x->conn, now), rms;

	if (x->res != NULL && (rms = resolver_wait_ms(x->res)) >= 0 &&
	    (ms < 0 || rms < ms))
		ms = rms;
	if (ms < 0 || ms > end - now)
		ms = (int)(end - now);
	return ms;
}

/* See act_ssh.h. */
int
act_ssh_connect(struct act_ssh *x, const struct server_config *sc,
    const char *resolver, int timeout_ms, char *err, size_t errlen)
{
	struct ssh_conn_config	 cfg;
	struct sshtarget_paths	 paths;
	struct pollfd		 pfd[SSH_CONN_NFDS + RESOLVER_MAXFDS];
	int64_t			 now = loop_now_ms(), end = now + timeout_ms;
	enum ssh_state		 st;
	char			 why[256];
	size_t			 n, nr;

	memset(x, 0, sizeof(*x));
	if (sshtarget_conn_config(sc, &cfg, &paths, err, errlen) == -1)
		return -1;
	if (sshtarget_named(sc) && (x->res = resolver_new(resolver, 0, why,
	    sizeof(why))) == NULL) {
		snprintf(err, errlen, "%s: cannot look up %s: %s", sc->name,
		    sc->ssh.host, why);
		return -1;
	}
	cfg.resolver = x->res;
	x->conn = ssh_conn_new(&cfg, now);
	for (;;) {
		now = loop_now_ms();
		ssh_conn_step(x->conn, now);
		/*
		 * Live, and a command can run there: a nologin shell or a
		 * forced command would otherwise fail every step with
		 * words that blame the step (the queue read).
		 */
		if ((st = ssh_conn_state(x->conn)) == SSH_LIVE)
			ssh_conn_check_login(x->conn, now);
		if (st == SSH_LIVE && (ssh_conn_login(x->conn) !=
		    SSH_LOGIN_CHECKING || now >= end))
			return 0;
		/* retrying means it failed once: unattended, that is all */
		if (st >= SSH_RETRYING || now >= end)
			break;
		n = ssh_conn_fds(x->conn, pfd);
		nr = x->res != NULL ? resolver_fds(x->res, pfd + n,
		    RESOLVER_MAXFDS) : 0;
		if (poll(pfd, n + nr, act_ssh_wait_ms(x, now, end)) == -1 &&
		    errno != EINTR)
			break;
		/* answers a lookup; the step above acts on it next time */
		if (x->res != NULL)
			resolver_process(x->res, pfd + n, nr);
	}
	act_ssh_why(x->conn, sc, &cfg, timeout_ms, err, errlen);
	act_ssh_close(x);
	return -1;
}

/* See act_ssh.h. */
void
act_ssh_close(struct act_ssh *x)
{
	ssh_conn_free(x->conn);
	resolver_free(x->res);
	memset(x, 0, sizeof(*x));
}

/* A whole line of the log: into the server, as from a file. */
static void
act_rlog_line(void *arg, const char *line, size_t len, int cut)
{
	struct act_rlog	*r = arg;

	if (r->line != NULL)
		r->line(r->arg, line, len);
	else
		server_line(r->s, &r->src, line, len);
}

/* Bytes of the log from the channel (cmdrun's callback). */
static void
act_rlog_take(void *arg, int stream, const char *p, size_t n)
{
	struct act_rlog	*r = arg;

	if (stream == CMDRUN_STDOUT)
		linebuf_feed(&r->lb, p, n, act_rlog_line, r);
}

/* Append why to note, "; " between parts. */
static void
act_ssh_note(char *note, size_t size, const char *why)
{
	size_t	 len = strlen(note);

	snprintf(note + len, size - len, "%s%s", len > 0 ? "; " : "", why);
}

/* Read one log (the output of argv, named name) over via within
   deadline_ms; 1 when read whole. */
static int
act_ssh_read_log(struct act_rlog *r, const struct cmdrun_via *via,
    char *const argv[], const char *name, int deadline_ms, char *note,
    size_t notelen)
{
	char			 err[512];
	struct cmdrun_spec	 spec;
	struct cmdrun		*run;
	int			 rc;

	memset(&spec, 0, sizeof(spec));
	spec.argv = argv;
	spec.deadline_ms = deadline_ms;
	spec.cb = act_rlog_take;
	spec.arg = r;
	spec.name = name;
	if ((run = cmdrun_run(via, &spec, loop_now_ms(), err,
	    sizeof(err))) == NULL) {
		act_ssh_note(note, notelen, err);
		return 0;
	}
	if ((rc = cmdrun_wait(run)) != 1)
		act_ssh_note(note, notelen, cmdrun_error(run));
	cmdrun_free(run);
	linebuf_end(&r->lb, act_rlog_line, r);
	return rc == 1;
}

/*
 * Read the newest ACT_SSH_JOURNAL_ENTRIES of the journal's mail facility
 * (as short-iso lines, which logline reads) into s; 1 when read whole.
 */
static int
act_ssh_read_journal(struct server *s, const struct cmdrun_via *via,
    const struct server_config *sc, int utc, int deadline_ms, char *note,
    size_t notelen)
{
	struct act_rlog	 r;
	char		 n[32];
	char		*argv[] = { "journalctl", "-q", "-m", "-o", "short-iso",
			    "-n", n, "SYSLOG_FACILITY=2", NULL, NULL, NULL };
	int		 rc;

	snprintf(n, sizeof(n), "%u", ACT_SSH_JOURNAL_ENTRIES);
	if (sc->ssh.journal_dir != NULL) {
		argv[7] = "-D";
		argv[8] = sc->ssh.journal_dir;
		argv[9] = "SYSLOG_FACILITY=2";
	}
	memset(&r, 0, sizeof(r));
	r.s = s;
	log_clock_init(&r.src.clock, (int64_t)time(NULL));
	r.src.clock.utc = utc;
	linebuf_init(&r.lb, FOLLOW_LINE_MAX);
	rc = act_ssh_read_log(&r, via, argv, "the journal", deadline_ms, note,
	    notelen);
	linebuf_free(&r.lb);
	return rc;
}

/*
 * Read each of paths[0..n) with argv, the path in argv[slot], into a
 * reader made as proto (its server or line callback; a clock for utc)
 * over via, until end; how many were read whole.
 */
static size_t
act_ssh_read_each(const struct act_rlog *proto, int utc,
    const struct cmdrun_via *via, char **argv, int slot, char *const *paths,
    size_t n, int64_t end, char *note, size_t notelen)
{
	struct act_rlog	 r;
	int64_t		 left;
	size_t		 i, whole = 0;

	for (i = 0; i < n; i++) {
		if ((left = end - loop_now_ms()) <= 0) {
			act_ssh_note(note, notelen, "not all logs read within "
			    "the deadline");
			break;
		}
		argv[slot] = paths[i];
		r = *proto;
		log_clock_init(&r.src.clock, (int64_t)time(NULL));
		r.src.clock.utc = utc;
		linebuf_init(&r.lb, FOLLOW_LINE_MAX);
		whole += act_ssh_read_log(&r, via, argv, paths[i], (int)left,
		    note, notelen);
		linebuf_free(&r.lb);
	}
	return whole;
}

/* Where sc's logs are read: as the login, without sudo (see above).  -1
   with note set when c cannot be used. */
static int
act_ssh_log_via(const struct server_config *sc, struct ssh_conn *c,
    struct cmdrun_via *via, char *user, size_t size, char *note,
    size_t notelen)
{
	char	 err[256];

	note[0] = '\0';
	if (sshtarget_via(sc, c, via, user, size, err, sizeof(err)) == -1) {
		act_ssh_note(note, notelen, err);
		return -1;
	}
	via->sudo = 0;
	return 0;
}

/* See act_ssh.h. */
size_t
act_ssh_read_logs(struct server *s, struct ssh_conn *c,
    const struct server_config *sc, int utc, char *note, size_t notelen)
{
	struct act_rlog		 proto;
	struct cmdrun_via	 via;
	char			 user[256];
	int64_t			 end = loop_now_ms() + ACT_SSH_LOGS_MS, left;
	size_t			 whole;
	char			 bytes[32];
	char			*argv[] = { "tail", "-c", bytes, "--", NULL,
				    NULL };

	if (act_ssh_log_via(sc, c, &via, user, sizeof(user), note,
	    notelen) == -1)
		return 0;
	snprintf(bytes, sizeof(bytes), "%u", ACT_SSH_LOG_BYTES);
	memset(&proto, 0, sizeof(proto));
	proto.s = s;
	whole = act_ssh_read_each(&proto, utc, &via, argv, 4, sc->logs,
	    sc->nlogs, end, note, notelen);
	if (sc->ssh.journal && (left = end - loop_now_ms()) > 0) {
		/* journalctl needs group adm or systemd-journal: sudo */
		via.sudo = sc->ssh.sudo;
		whole += act_ssh_read_journal(s, &via, sc, utc, (int)left,
		    note, notelen);
	} else if (sc->ssh.journal)
		act_ssh_note(note, notelen, "the journal not read within the "
		    "deadline");
	return whole;
}

/*
 * The remote program of act_ssh_read_rotated: the rotated files beside $1
 * (rotated.h's order, as rfollow_script.c finds them; not the compressed
 * ones), then $1, the newest $2 bytes of all that.
 */
static const char act_ssh_rotated_script[] =
"f=$1\n"
"[ -r \"$f\" ] || { echo \"cannot read $f\" >&2; exit 1; }\n"
"{\n"
"	for o in \"$f\"-[0-9]*; do\n"
"		case $o in *.gz|*.bz2|*.xz|*.zst|*.lz4|*.Z) continue ;; esac\n"
"		[ -f \"$o\" ] && cat -- \"$o\"\n"
"	done\n"
"	for o in \"$f\".[0-9]*; do\n"
"		case ${o#\"$f\".} in *[!0-9]*) continue ;; esac\n"
"		[ -f \"$o\" ] && printf '%s %s\\n' \"${o#\"$f\".}\" \"$o\"\n"
"	done | sort -rn | cut -d' ' -f2- | while IFS= read -r o; do\n"
"		cat -- \"$o\"\n"
"	done\n"
"	cat -- \"$f\"\n"
"} | tail -c \"$2\"\n";

/* See act_ssh.h. */
size_t
act_ssh_read_rotated(struct ssh_conn *c, const struct server_config *sc,
    char *const *paths, size_t n, void (*line)(void *, const char *, size_t),
    void *arg, char *note, size_t notelen)
{
	struct act_rlog		 proto;
	struct cmdrun_via	 via;
	char			 user[256], bytes[32];
	char			*argv[] = { "sh", "-c", NULL, "sh", NULL, bytes,
				    NULL };

	if (act_ssh_log_via(sc, c, &via, user, sizeof(user), note,
	    notelen) == -1)
		return 0;
	argv[2] = (char *)act_ssh_rotated_script;
	snprintf(bytes, sizeof(bytes), "%u", ACT_SSH_LOG_BYTES);
	memset(&proto, 0, sizeof(proto));
	proto.line = line;
	proto.arg = arg;
	return act_ssh_read_each(&proto, 0, &via, argv, 4, paths, n,
	    loop_now_ms() + ACT_SSH_LOGS_MS, note, notelen);
}
