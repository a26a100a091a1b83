/*
 * queue_take.c: run an MTA's take (queue_take.h) for the event loop: one
 * command, here or over SSH, whose stdout is split into lines; those
 * before the line TAKE_RECORDS are the tool's (the op's line() judges
 * each), those after it go to a queue snapshot as queue_read.c's do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue_take.h"
#include "core/linebuf.h"
#include "core/xmalloc.h"
#include "net/cmdrun.h"

#define QT_LINE_MAX	(1024u * 1024)	/* longer lines are cut, refused */

struct queue_take {
	struct cmdrun		*run;
	enum queue_op		 op;
	const struct backend_queue_op *qop;
	struct linebuf		 lb;
	int			 records;	/* after TAKE_RECORDS */
	int			 ended;
	struct queue_snapshot	 snap;
	/* "ID\0" of each id the tool said it did or found gone */
	char			*said;
	size_t			 saidlen, saidcap, nsaid;
	char			**sorted;	/* once ended: nsaid, sorted */
	struct queue_take_result res;
	size_t			 textlen;
	char			 error[QUEUE_OP_STDERR_MAX * 4 + 256];
};

/* Keep an id the tool reported on. */
static void
qt_said(struct queue_take *qt, const struct queue_line *l)
{
	if (l->id.p == NULL || l->id.len == 0 || l->id.len > QUEUE_ID_MAX)
		return;
	if (qt->saidlen + l->id.len + 1 > qt->saidcap) {
		qt->saidcap = qt->saidcap ? qt->saidcap * 2 : 16384;
		qt->said = xreallocarray(qt->said, qt->saidcap, 1);
	}
	memcpy(qt->said + qt->saidlen, l->id.p, l->id.len);
	qt->said[qt->saidlen + l->id.len] = '\0';
	qt->saidlen += l->id.len + 1;
	qt->nsaid++;
}

/* Keep a line that is not the tool's per-message word (sanitised). */
static void
qt_keep(struct queue_take *qt, const char *p, size_t len)
{
	qt->res.errors++;
	qt->textlen = queue_op_text_add(qt->res.text, sizeof(qt->res.text),
	    qt->textlen, p, len);
}

/* One line of stdout: the tool's, the mark, or a record's. */
static void
qt_line(void *arg, const char *p, size_t len, int cut)
{
	struct queue_take	*qt = arg;
	struct queue_line	 l;

	if (qt->records) {
		/* a record cut short is refused by the parser, never read
		   as another */
		if (cut)
			p = "\001", len = 1;
		queue_snapshot_feed(&qt->snap, p, len);
		queue_snapshot_feed(&qt->snap, "\n", 1);
		return;
	}
	if (!cut && len == sizeof(TAKE_RECORDS) - 1 &&
	    memcmp(p, TAKE_RECORDS, len) == 0) {
		qt->records = 1;
		return;
	}
	if (len > 0 && p[len - 1] == '\r')
		len--;
	memset(&l, 0, sizeof(l));
	if (!cut)
		qt->qop->line(qt->op, p, len, &l);
	switch (l.kind) {
	case QLINE_DONE:
		qt->res.done++;
		qt_said(qt, &l);
		return;
	case QLINE_NOT_DONE:
		qt_said(qt, &l);
		return;
	case QLINE_BUSY:
		qt->res.busy++;
		return;
	default:
		if (len > 0)
			qt_keep(qt, p, len);
		return;
	}
}

/* The command's output (its callback): stdout into lines. */
static void
qt_feed(void *arg, int stream, const char *p, size_t len)
{
	struct queue_take	*qt = arg;

	if (stream == CMDRUN_STDOUT)
		linebuf_feed(&qt->lb, p, len, qt_line, qt);
}

/* See queue_take.h. */
struct queue_take *
queue_take_start(const struct cmdrun_via *via, const struct mail_backend *b,
    enum queue_op op, char *const argv[], int64_t now_ms, int deadline_ms,
    char *err, size_t errlen)
{
	struct queue_take	*qt;
	struct cmdrun_spec	 spec;

	if ((unsigned)op >= QOP_COUNT || b->queue == NULL ||
	    b->queue->take[op] == NULL || b->queue->op[op] == NULL ||
	    b->queue->parse_line == NULL) {
		snprintf(err, errlen, "not supported by %s", b->name);
		return NULL;
	}
	qt = xcalloc(1, sizeof(*qt));
	qt->op = op;
	qt->qop = b->queue->op[op];
	linebuf_init(&qt->lb, QT_LINE_MAX);
	queue_snapshot_init(&qt->snap, 0);
	queue_snapshot_parser(&qt->snap, b->queue);

	memset(&spec, 0, sizeof(spec));
	spec.argv = argv;
	/* a backend's script (/bin/sh -c SCRIPT NAME ...) goes by its NAME */
	if (argv[0] != NULL && argv[1] != NULL && strcmp(argv[1], "-c") == 0 &&
	    argv[2] != NULL && argv[3] != NULL)
		spec.name = argv[3];
	spec.deadline_ms = deadline_ms;
	spec.cb = qt_feed;
	spec.arg = qt;
	spec.budget = QUEUE_READ_SLICE;
	spec.hint = b->queue->hint;
	if ((qt->run = cmdrun_run(via != NULL && via->ssh != NULL ? via :
	    NULL, &spec, now_ms, err, errlen)) == NULL) {
		queue_take_free(qt);
		return NULL;
	}
	return qt;
}

/* See queue_take.h. */
size_t
queue_take_fds(const struct queue_take *qt, struct pollfd *pfd)
{
	return cmdrun_fds(qt->run, pfd);
}

static int
qt_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The ids reported, sorted, for queue_take_reported(). */
static void
qt_sort(struct queue_take *qt)
{
	size_t	 i, n;
	char	*p;

	qt->sorted = xcalloc(qt->nsaid + 1, sizeof(*qt->sorted));
	for (i = 0, p = qt->said; i < qt->nsaid; i++, p += strlen(p) + 1)
		qt->sorted[i] = p;
	qsort(qt->sorted, qt->nsaid, sizeof(*qt->sorted), qt_cmp);
	/* a message gone is said in two or three lines */
	for (i = 0, n = 0; i < qt->nsaid; i++)
		if (n == 0 || strcmp(qt->sorted[n - 1], qt->sorted[i]) != 0)
			qt->sorted[n++] = qt->sorted[i];
	qt->nsaid = n;
	qt->res.gone = n > qt->res.done ? n - qt->res.done : 0;
}

/* See queue_take.h. */
int
queue_take_step(struct queue_take *qt, int64_t now_ms)
{
	int	 rc;

	if (qt->ended)
		return qt->error[0] != '\0' ? -1 : 1;
	if ((rc = cmdrun_step(qt->run, now_ms)) == 0)
		return 0;
	qt->ended = 1;
	linebuf_end(&qt->lb, qt_line, qt);
	queue_snapshot_end(&qt->snap);
	qt_sort(qt);
	if (rc == -1) {
		snprintf(qt->error, sizeof(qt->error), "%s",
		    cmdrun_error(qt->run));
		return -1;
	}
	if (!qt->records) {
		/* ended without its records: not this tool's take */
		snprintf(qt->error, sizeof(qt->error), "%s printed no "
		    "records of the messages it chose%s%s",
		    cmdrun_name(qt->run), qt->textlen > 0 ? ": " : "",
		    qt->res.text);
		return -1;
	}
	return 1;
}

/* See queue_take.h. */
int
queue_take_wait_ms(const struct queue_take *qt, int64_t now_ms)
{
	return qt->ended ? 0 : cmdrun_wait_ms(qt->run, now_ms);
}

/* See queue_take.h. */
void
queue_take_result(const struct queue_take *qt, struct queue_take_result *out)
{
	*out = qt->res;
	out->text[qt->textlen < sizeof(out->text) ? qt->textlen :
	    sizeof(out->text) - 1] = '\0';
}

/* See queue_take.h. */
int
queue_take_reported(const struct queue_take *qt, const char *id)
{
	if (qt->sorted == NULL)
		return 0;
	return bsearch(&id, qt->sorted, qt->nsaid, sizeof(*qt->sorted),
	    qt_cmp) != NULL;
}

/* See queue_take.h. */
void
queue_take_snapshot(struct queue_take *qt, struct queue_snapshot *out)
{
	const struct backend_queue	*q = qt->snap.parser;

	*out = qt->snap;
	queue_snapshot_init(&qt->snap, 0);
	queue_snapshot_parser(&qt->snap, q);
}

/* See queue_take.h. */
const char *
queue_take_error(const struct queue_take *qt)
{
	return qt->error;
}

/* See queue_take.h. */
void
queue_take_free(struct queue_take *qt)
{
	if (qt == NULL)
		return;
	cmdrun_free(qt->run);
	linebuf_free(&qt->lb);
	queue_snapshot_clear(&qt->snap);
	free(qt->sorted);
	free(qt->said);
	free(qt);
}
