/* server.c: follow a server's logs and turn their lines into events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "logring.h"
#include "repeated.h"
#include "server.h"
#include "server_int.h"
#include "act/contain_int.h"
#include "act/queue.h"
#include "core/loop.h"
#include "core/sanitize.h"
#include "core/trace.h"
#include "core/xmalloc.h"
#include "detect/detect_detail.h"
#include "detect/msgring.h"
#include "net/ssh_conn.h"

/* follow_poll callback: the source's line. */
static void
server_on_line(const char *line, size_t len, int flags, void *arg)
{
	struct source	*src = arg;

	server_line(src->server, src, line, len);
}

/* The path or name of a source, for messages. */
static const char *
source_name(const struct source *src)
{
	if (src->feed != NULL)
		return logsource_label(src->feed);
	return src->in.ops != NULL ? logsource_label(&src->in) : "a log";
}

/* follow, rfollow and jfollow callback: part of a log is lost; say so in
   the log view, then to the owner (history, alerts). */
static void
server_on_gap(const char *why, void *arg)
{
	struct source	*src = arg;
	struct server	*s = src->server;
	const char	*path = source_name(src);
	char		 text[600];
	int		 n;

	s->gaps++;
	s->changed = 1;
	n = snprintf(text, sizeof(text), "mailcon: gap in %s: %s", path, why);
	if (s->log != NULL && n > 0)
		logring_add(s->log, (int64_t)time(NULL), s->index, EV_NONE,
		    text, (size_t)n < sizeof(text) ? (size_t)n :
		    sizeof(text) - 1);
	if (s->on_gap != NULL)
		s->on_gap(s->on_event_arg, s, path, why);
}

/* detector callback: an account's level changed (the trace). */
static void
server_on_level(void *arg, const char *account, enum level from,
    enum level to)
{
	struct server	*s = arg;
	char		 who[256];

	if (trace_level < 1)
		return;
	trace(1, "detector %s: %s: %s -> %s", s->name,
	    sanitize_str(who, sizeof(who), account), level_name(from),
	    level_name(to));
}

/* detector_on_confirm callback: note the account for on_event (the
   detector may not be called from here). */
static void
server_on_confirm(void *arg, const char *account)
{
	struct server	*s = arg;

	snprintf(s->confirmed, sizeof(s->confirmed), "%s", account);
}

/*
 * What a server's config asks to follow, in order: its logs (here, or on
 * the server over SSH), or on a server with none the default log unless
 * the journal is all it wants; a local log command; the journal of a
 * server behind SSH.  Fills kinds and specs (room for nlogs + 2);
 * returns how many.
 */
static size_t
server_plan(const struct server_config *sc, int from_start,
    const char **kinds, struct source_spec *specs)
{
	int	 remote = sc->ssh.host != NULL;
	size_t	 i, n = 0;

	memset(specs, 0, (sc->nlogs + 2) * sizeof(*specs));
	/* its lines come from a log host's stream (fleet.c), not read here */
	if (sc->loghost != NULL)
		return 0;
	for (i = 0; i < sc->nlogs; i++) {
		kinds[n] = remote ? "ssh-file" : "file";
		specs[n++].path = sc->logs[i];
	}
	if (remote && sc->nlogs == 0 && !sc->ssh.journal) {
		kinds[n] = "ssh-file";
		specs[n++].path = SERVER_REMOTE_LOG;
	}
	if (!remote && sc->log_argv != NULL) {
		kinds[n] = "command";
		specs[n++].argv = sc->log_argv;
	}
	if (remote && sc->ssh.journal) {
		kinds[n] = "ssh-journal";
		specs[n].dir = sc->ssh.journal_dir;
		specs[n++].sudo = sc->ssh.sudo;
	}
	for (i = 0; i < n; i++)
		specs[i].from_start = from_start;
	return n;
}

/* Open source i of s as kind on spec, delivering to s. */
static void
server_source_open(struct server *s, size_t i, const char *kind,
    const struct source_spec *spec, int utc)
{
	struct source_cbs	 cbs;

	s->sources[i].server = s;
	cbs.line = server_on_line;
	cbs.gap = server_on_gap;
	cbs.arg = &s->sources[i];
	/* the plan names only kinds of the registry */
	(void)logsource_open(&s->sources[i].in, kind, s->name, spec, &cbs);
	log_clock_init(&s->sources[i].clock, (int64_t)time(NULL));
	s->sources[i].clock.utc = utc;
	clockguard_init(&s->sources[i].guard);
}

/*
 * The default log of a server behind SSH (SERVER_REMOTE_LOG) is not
 * there: follow the server's journal instead, once, and say so in
 * s->chose.  The remote follower says "no such file" only when the
 * server answered that (not while connecting or after a drop).
 */
static void
server_journal_fallback(struct server *s)
{
	struct source_spec	 spec;
	const char		*err;

	if (!s->journal_fallback || s->ssh == NULL ||
	    ssh_conn_state(s->ssh) != SSH_LIVE ||
	    s->sources[0].in.ops == NULL ||
	    logsource_starting(&s->sources[0].in) ||
	    logsource_state(&s->sources[0].in) != FOLLOW_MISSING ||
	    (err = logsource_error(&s->sources[0].in)) == NULL ||
	    strstr(err, "no such file") == NULL)
		return;
	s->journal_fallback = 0;
	logsource_close(&s->sources[0].in);
	memset(&s->sources[0], 0, sizeof(s->sources[0]));
	memset(&spec, 0, sizeof(spec));
	spec.sudo = s->cfg->ssh.sudo;
	spec.from_start = s->from_start;
	server_source_open(s, 0, "ssh-journal", &spec, s->utc);
	snprintf(s->chose, sizeof(s->chose), "%s: no %s there; following "
	    "its journal (journalctl -f over SSH)", s->name,
	    SERVER_REMOTE_LOG);
	trace(1, "server %s: %s", s->name, s->chose);
}

/* See server.h. */
struct server *
server_new(const struct server_config *sc, unsigned index,
    const struct detect_config *dc, int from_start, int utc,
    struct logring *log, struct msgring *msgs)
{
	struct server		*s = xcalloc(1, sizeof(*s));
	struct source_spec	*specs;
	const char		**kinds;
	size_t			 i;

	s->name = xstrdup(sc->name);
	s->cfg = sc;
	s->index = index;
	s->det = detector_new(dc);
	detector_on_level(s->det, server_on_level, s);
	detector_on_confirm(s->det, server_on_confirm, s);
	s->log = log;
	s->msgs = msgs;
	s->queue_total = s->queue_deferred = -1;
	s->queue_interval = sc->queue_interval > 0 ? sc->queue_interval : 10;
	if (sc->queue_argv != NULL && sc->queue_argv[0] != NULL) {
		for (i = 0; sc->queue_argv[i] != NULL; i++)
			;
		s->queue_argv = xcalloc(i + 1, sizeof(char *));
		for (i = 0; sc->queue_argv[i] != NULL; i++)
			s->queue_argv[i] = xstrdup(sc->queue_argv[i]);
		snprintf(s->queue_status, sizeof(s->queue_status),
		    "queue: not read yet");
	} else if (sc->queue_on && server_mta(sc)->queue != NULL) {
		/* no queue_command: the command the actions read it with */
		s->queue_argv = cp_queue_list_argv(sc);
		snprintf(s->queue_status, sizeof(s->queue_status),
		    "queue: not read yet");
	} else if (sc->queue_on)
		snprintf(s->queue_status, sizeof(s->queue_status),
		    "queue: not supported by %s", server_mta(sc)->name);
	else
		snprintf(s->queue_status, sizeof(s->queue_status),
		    "queue: not read (off)");
	kinds = xcalloc(sc->nlogs + 2, sizeof(*kinds));
	specs = xcalloc(sc->nlogs + 2, sizeof(*specs));
	s->nsources = server_plan(sc, from_start, kinds, specs);
	s->sources = xcalloc(s->nsources > 0 ? s->nsources : 1,
	    sizeof(*s->sources));
	if (sc->loghost != NULL) {
		/* one kindless source: fleet.c routes its lines to it */
		s->nsources = 1;
		s->sources[0].server = s;
		log_clock_init(&s->sources[0].clock, (int64_t)time(NULL));
		s->sources[0].clock.utc = utc;
		clockguard_init(&s->sources[0].guard);
	}
	for (i = 0; i < s->nsources && sc->loghost == NULL; i++)
		server_source_open(s, i, kinds[i], &specs[i], utc);
	/* the default log of a server behind SSH: its journal if the file
	   is not there (a Debian 12 without rsyslog) */
	s->journal_fallback = sc->ssh.host != NULL && sc->nlogs == 0 &&
	    !sc->ssh.journal && sc->loghost == NULL && s->nsources == 1;
	s->from_start = from_start;
	s->utc = utc;
	free(kinds);
	free(specs);
	s->state = SRV_STARTING;
	snprintf(s->status, sizeof(s->status), "starting");
	return s;
}

/* See server.h. */
void
server_free(struct server *s)
{
	size_t	 i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nsources; i++)
		logsource_close(&s->sources[i].in);
	free(s->sources);
	if (s->qr != NULL)
		queue_read_free(s->qr);
	free(s->queue_owned);
	for (i = 0; s->queue_argv != NULL && s->queue_argv[i] != NULL; i++)
		free(s->queue_argv[i]);
	free(s->queue_argv);
	detector_free(s->det);
	free(s->name);
	free(s);
}

/* Shift the per-minute ring so its last bucket is minute m. */
static void
server_roll(struct server *s, int64_t m)
{
	int64_t	 shift = m - s->out_min_now;

	if (shift <= 0)
		return;
	if (shift >= SERVER_MINUTES)
		memset(s->out_min, 0, sizeof(s->out_min));
	else {
		memmove(s->out_min, s->out_min + shift,
		    (size_t)(SERVER_MINUTES - shift) * sizeof(s->out_min[0]));
		memset(s->out_min + SERVER_MINUTES - shift, 0,
		    (size_t)shift * sizeof(s->out_min[0]));
	}
	s->out_min_now = m;
}

/* Count an event in the server's own figures. */
static void
server_count(struct server *s, const struct mail_event *ev)
{
	int64_t	 m = ev->time / 60;

	s->events++;
	if (ev->time > s->last_event)
		s->last_event = ev->time;
	switch (ev->kind) {
	case EV_SUBMIT:
		if (ev->account.len == 0)
			break;	/* inbound mail is not outbound traffic */
		s->messages++;
		server_roll(s, m);
		if (m > s->out_min_now - SERVER_MINUTES && m <= s->out_min_now)
			s->out_min[SERVER_MINUTES - 1 - (s->out_min_now - m)]++;
		break;
	case EV_DEFERRED:
		s->deferred++;
		break;
	case EV_AUTH_FAIL:
		if (ev->service != SVC_UNKNOWN)
			s->auth_fail++;
		break;
	default:
		break;
	}
}

/*
 * A source's clock jumped and the guard decided what it was: a line in
 * the log view, the counters the servers view shows, then the owner
 * (status line, headless output).
 */
static void
server_on_clock(struct server *s, struct source *src)
{
	const char	*path = source_name(src);
	char		 what[256], text[600];
	int		 n;

	src->guard_told = src->guard.findings;
	s->clock_anomalies = s->clock_steps = 0;
	for (size_t i = 0; i < s->nsources; i++) {
		s->clock_anomalies += s->sources[i].guard.anomalies;
		s->clock_steps += s->sources[i].guard.steps;
	}
	clockguard_describe(&src->guard, what, sizeof(what));
	snprintf(s->clock_note, sizeof(s->clock_note), "%s", what);
	s->changed = 1;
	n = snprintf(text, sizeof(text), "mailcon: %s: %s", path, what);
	if (s->log != NULL && n > 0)
		logring_add(s->log, src->guard.jump_at, s->index, EV_NONE,
		    text, (size_t)n < sizeof(text) ? (size_t)n :
		    sizeof(text) - 1);
	if (s->on_clock != NULL)
		s->on_clock(s->on_event_arg, s, path, what);
}

/*
 * journalctl printed "[123B blob data]" for an entry (control bytes or
 * invalid UTF-8 in it: what a hostile login makes): no line was read, so
 * the log view says so, and the count tells the owner (server.h).
 */
static void
server_unreadable(struct server *s, const struct log_header *h)
{
	char	 text[512];
	int	 n;

	s->unreadable++;
	if (s->log == NULL)
		return;
	n = snprintf(text, sizeof(text), "mailcon: an unreadable journal "
	    "entry of %.*s: journalctl printed %.*s for it (control bytes or "
	    "invalid UTF-8); run it with --all to read such entries",
	    (int)(h->prog.len < 64 ? h->prog.len : 64), h->prog.p,
	    (int)(h->msg.len < 64 ? h->msg.len : 64), h->msg.p);
	if (n > 0)
		logring_add(s->log, h->time, s->index, EV_NONE, text,
		    (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1);
}

/* Hand the events of one line to the detector, the figures, the owner. */
static void
server_feed(struct server *s, struct mail_events *evs)
{
	int	 i;

	for (i = 0; i < evs->n; i++) {
		/* the end of a session is for the session pids (on_event),
		   not mail: no detector, no count */
		if (evs->ev[i].kind == EV_DISCONNECT) {
			if (s->on_event != NULL)
				s->on_event(s->on_event_arg, s, &evs->ev[i]);
			continue;
		}
		detector_feed(s->det, &evs->ev[i]);
		if (s->msgs != NULL)
			msgring_feed(s->msgs, s->index, &evs->ev[i]);
		server_count(s, &evs->ev[i]);
		if (s->on_event != NULL)
			s->on_event(s->on_event_arg, s, &evs->ev[i]);
		s->confirmed[0] = '\0';
	}
}

/* See server.h. */
void
server_line(struct server *s, struct source *src, const char *line,
    size_t len)
{
	server_line_split(s, src, line, len, NULL);
}

/* See server.h; h NULL: split here. */
void
server_line_split(struct server *s, struct source *src, const char *line,
    size_t len, const struct log_header *hdr)
{
	static char		 shown[FOLLOW_LINE_MAX + REDACT_ROOM + 1];
	struct log_header	 h, inner;
	struct mail_events	 evs;
	struct mail_event	*ev;
	const char		*text = line;
	char			 why[160];
	size_t			 tlen = len, n;
	int64_t			 t;
	unsigned		 times = 1, k;
	int			 i, split, rep;

	s->lines++;
	s->changed = 1;
	/* parsed as written, shown (anywhere) with its secrets hidden */
	if (hdr != NULL)
		h = *hdr;
	split = hdr != NULL || logline_split(&src->clock, line, len, &h) == 0;
	if (backend_redact(line, len, split ? &h : NULL, shown, sizeof(shown),
	    &n)) {
		text = shown;
		tlen = n;
	}
	if (s->on_line != NULL)
		s->on_line(s->on_event_arg, s, text, tlen);
	if (!split) {
		src->unparsed++;
		if (s->log != NULL)
			logring_add(s->log, -1, s->index, EV_NONE, text, tlen);
		return;
	}
	if (logline_blob(&h)) {
		server_unreadable(s, &h);
		return;
	}
	/* every line with a time is a neighbour the guard judges by */
	t = clockguard_time(&src->guard, h.time, loop_now_ms(),
	    (int64_t)time(NULL));
	if (src->guard.findings != src->guard_told)
		server_on_clock(s, src);
	/* rsyslog's "message repeated N times: [...]": N of its line */
	rep = repeated_split(&h, &inner, &times);
	if (!backend_parse_any(rep ? &inner : &h, &evs)) {
		if (s->log != NULL)
			logring_add(s->log, h.time, s->index, EV_NONE, text,
			    tlen);
		return;
	}
	/* the line is shown once, as its first event (an arrival's SUBMIT);
	   the end of a session looks as it did before it was an event */
	if (s->log != NULL)
		logring_add(s->log, h.time, s->index,
		    evs.ev[0].kind == EV_DISCONNECT ? EV_NONE : evs.ev[0].kind,
		    text, tlen);
	if (rep)
		times = repeated_times(&evs, times, why, sizeof(why));
	if (rep && why[0] != '\0' && s->log != NULL)
		logring_add(s->log, h.time, s->index, EV_NONE, why,
		    strlen(why));
	for (i = 0; i < evs.n; i++) {
		ev = &evs.ev[i];
		ev->time = t;
		ev->usec = h.usec;
		ev->pid = h.pid;
		ev->raw.p = text;
		ev->raw.len = tlen;
	}
	for (k = 0; k < times; k++)
		server_feed(s, &evs);
}

/* See server.h.  Every change of a source or of the server is traced. */
int
server_refresh(struct server *s)
{
	enum server_state	 before = s->state;
	char			 was[sizeof(s->status)];
	size_t			 i;

	for (i = 0; i < s->nsources; i++)
		if (s->sources[i].in.ops != NULL)
			(void)logsource_check(&s->sources[i].in);
	server_journal_fallback(s);
	snprintf(was, sizeof(was), "%s", s->status);
	server_update_state(s);
	if (s->state == before && strcmp(was, s->status) == 0)
		return 0;
	trace(1, "server %s: %s -> %s: %s", s->name,
	    server_state_name(before), server_state_name(s->state),
	    s->status);
	s->changed = 1;
	return 1;
}

/* See server.h. */
int
server_poll(struct server *s, int64_t now_ms, size_t budget)
{
	struct source_env	 env = { s->ssh, s->loop };
	size_t			 i;
	int			 more = 0, rc;

	for (i = 0; i < s->nsources; i++) {
		if (s->sources[i].in.ops == NULL)
			continue;
		rc = logsource_poll(&s->sources[i].in, &env, now_ms, budget);
		if (rc & FOLLOW_MORE)
			more = 1;
		if (rc & FOLLOW_CHANGED)
			s->changed = 1;
	}
	(void)server_refresh(s);
	return more;
}

/* See server.h.  A source that is not followed now (a server behind SSH
   that is down) does not age it: its lines will come later. */
int64_t
server_clock(const struct server *s, int64_t now_ms)
{
	int64_t	 best = -1, t;
	size_t	 i;

	for (i = 0; i < s->nsources; i++) {
		if (source_state(&s->sources[i]) != FOLLOW_LIVE)
			continue;
		if ((t = clockguard_now(&s->sources[i].guard, now_ms)) > best)
			best = t;
	}
	return best;
}

/* See server.h. */
void
server_tick(struct server *s, int64_t now_ms)
{
	int64_t	 now = server_clock(s, now_ms);

	if (now < 0)
		return;
	detector_tick(s->det, now);
	server_roll(s, now / 60);
}
