/*
 * backend.c: the registry of mail backends (backend.h): lookup by name,
 * the default of each role, the options of all backends together, the
 * probe, and the parse of a line by every backend in turn.
 */
#include <stdlib.h>
#include <string.h>

#include "backend.h"

/*
 * Exim before Dovecot: Dovecot's filter takes every tag without a '/'.
 * Plain Exim before cPanel's: the keys both read are declared by the
 * first (backend_option_find), and a key of Exim's set says plain Exim;
 * the probe tells them apart by cPanel's binary (exim's probe_not).
 */
const struct mail_backend *const mail_backends[] = {
	&backend_postfix,
	&backend_exim,
	&backend_exim_cpanel,
	&backend_dovecot,
	NULL
};

static const char *const kind_names[EV_KIND_COUNT] = {
	[EV_NONE] = "none",
	[EV_AUTH_OK] = "AUTH_OK",
	[EV_AUTH_FAIL] = "AUTH_FAIL",
	[EV_SUBMIT] = "SUBMIT",
	[EV_QUEUED] = "QUEUED",
	[EV_DELIVERED] = "DELIVERED",
	[EV_DEFERRED] = "DEFERRED",
	[EV_BOUNCED] = "BOUNCED",
	[EV_EXPIRED] = "EXPIRED",
	[EV_REJECTED] = "REJECTED",
	[EV_REMOVED] = "REMOVED",
	[EV_HELD] = "HELD",
	[EV_RELEASED] = "RELEASED",
	[EV_DELETED] = "DELETED",
	[EV_DISCONNECT] = "DISCONNECT",
};

/*
 * The probe's command: prints each of its arguments that exists, one a
 * line.  A fixed program; the paths are its positional parameters.
 */
static const char probe_script[] =
	"for p do [ -e \"$p\" ] && printf '%s\\n' \"$p\"; done; exit 0\n";

/* Look a backend up by its configured name; NULL when there is none. */
const struct mail_backend *
backend_find(const char *name)
{
	const struct mail_backend *const *b;

	if (name == NULL)
		return NULL;
	for (b = mail_backends; *b != NULL; b++) {
		if (strcmp((*b)->name, name) == 0)
			return *b;
	}
	return NULL;
}

/* See backend.h. */
const struct mail_backend *
backend_default(unsigned role)
{
	const struct mail_backend *const *b;

	/* one that takes only this role: cPanel's both is no default */
	for (b = mail_backends; *b != NULL; b++) {
		if ((*b)->roles == role)
			return *b;
	}
	for (b = mail_backends; *b != NULL; b++) {
		if ((*b)->roles & role)
			return *b;
	}
	return NULL;
}

/* See backend.h. */
const struct backend_option *
backend_option_find(const char *name, const struct mail_backend **owner)
{
	const struct mail_backend *const *b;
	const struct backend_option	*o;

	for (b = mail_backends; name != NULL && *b != NULL; b++) {
		for (o = (*b)->options; o != NULL && o->name != NULL; o++) {
			if (strcmp(o->name, name) != 0)
				continue;
			if (owner != NULL)
				*owner = *b;
			return o;
		}
	}
	return NULL;
}

/* See backend.h.  A name two backends declare counts once (the first). */
const struct backend_option *
backend_option_at(size_t i, const struct mail_backend **owner)
{
	const struct mail_backend *const *b;
	const struct mail_backend	*first;
	const struct backend_option	*o;

	for (b = mail_backends; *b != NULL; b++) {
		for (o = (*b)->options; o != NULL && o->name != NULL; o++) {
			if (backend_option_find(o->name, &first) != o)
				continue;
			if (i-- > 0)
				continue;
			if (owner != NULL)
				*owner = first;
			return o;
		}
	}
	return NULL;
}

/* See backend.h. */
const struct mail_backend *
backend_probe(unsigned role, int (*exists)(const char *, void *), void *arg)
{
	const struct mail_backend *const *b;
	const char *const		*p;

	for (b = mail_backends; *b != NULL; b++) {
		if (!((*b)->roles & role) || (*b)->discover == NULL)
			continue;
		for (p = (*b)->discover->probe_not; p != NULL && *p != NULL;
		    p++)
			if (exists(*p, arg))
				break;
		if (p != NULL && *p != NULL)
			continue;
		for (p = (*b)->discover->probe; p != NULL && *p != NULL; p++)
			if (exists(*p, arg))
				return *b;
	}
	return NULL;
}

/* The i-th path the probe asks about (probe, then probe_not, of every
   backend), or NULL past the last. */
static const char *
backend_probe_path(size_t i)
{
	const struct mail_backend *const *b;
	const char *const		*p;
	int				 k;

	for (b = mail_backends; *b != NULL; b++) {
		if ((*b)->discover == NULL)
			continue;
		for (k = 0; k < 2; k++)
			for (p = k == 0 ? (*b)->discover->probe :
			    (*b)->discover->probe_not; p != NULL && *p != NULL;
			    p++)
				if (i-- == 0)
					return *p;
	}
	return NULL;
}

/* See backend.h. */
char **
backend_probe_argv(void)
{
	const char	*p;
	char		**v;
	size_t		 n = 4, i;	/* sh -c SCRIPT $0 */

	for (i = 0; backend_probe_path(i) != NULL; i++)
		n++;
	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		abort();
	n = 0;
	v[n++] = strdup("/bin/sh");
	v[n++] = strdup("-c");
	v[n++] = strdup(probe_script);
	v[n++] = strdup("mailcon-probe");
	for (i = 0; (p = backend_probe_path(i)) != NULL; i++)
		v[n++] = strdup(p);
	for (; n > 0; n--)
		if (v[n - 1] == NULL)
			abort();
	return v;
}

/* See backend.h: is path a whole line of the probe's output? */
int
backend_probe_seen(const char *path, void *arg)
{
	const struct mail_str	*out = arg;
	const char		*p = out->p, *end = out->p + out->len, *nl;
	size_t			 len = strlen(path);

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((size_t)(nl - p) == len && memcmp(p, path, len) == 0)
			return 1;
	}
	return 0;
}

/*
 * Offer a line to every backend whose tag filter takes it; the first that
 * recognises it wins.  The filter is one memchr, where a parser that is
 * not the line's would zero the event twice and compare tag names first.
 */
int
backend_parse_any(const struct log_header *h, struct mail_events *out)
{
	const struct mail_backend *const *b;
	int				 i, n;

	for (b = mail_backends; *b != NULL; b++) {
		if ((*b)->parse_line == NULL)
			continue;
		if ((*b)->claims != NULL && !(*b)->claims(&h->prog))
			continue;
		if ((n = (*b)->parse_line(h, out->ev)) <= 0)
			continue;
		if (n > MAIL_LINE_EVENTS)
			n = MAIL_LINE_EVENTS;
		for (i = 0; i < n; i++) {
			out->ev[i].time = h->time;
			out->ev[i].usec = h->usec;
		}
		return out->n = n;
	}
	memset(&out->ev[0], 0, sizeof(out->ev[0]));
	return out->n = 0;
}

/* Name of an event kind as shown in fixtures, JSON and the audit log. */
const char *
mail_event_kind_name(enum mail_event_kind kind)
{
	if ((unsigned)kind >= EV_KIND_COUNT)
		return "unknown";
	return kind_names[kind];
}
