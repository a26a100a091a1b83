/*
 * policy_deny.c: the logins the policy service refuses (policy_deny.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/xmalloc.h"
#include "policy_deny.h"

struct policy_deny {
	char		*path;		/* NULL: no file */
	policy_deny_line line;
	int		 known;		/* st below is the file read */
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtime;
	char		**names;	/* sorted, case-insensitively */
	size_t		 nnames;
	char		**live;		/* decisions not in the file yet */
	size_t		 nlive;
	char		 why[1100];	/* "listed in FILE" */
	char		 news[1200];	/* a problem not told yet */
	int		 told;		/* errno-ish code of the last told */
};

/* qsort and bsearch order: ASCII case folded, as the console compares. */
static int
deny_cmp(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

/* See policy_deny.h. */
struct policy_deny *
policy_deny_new(void)
{
	return xcalloc(1, sizeof(struct policy_deny));
}

/* Free the file's names. */
static void
deny_clear(struct policy_deny *d)
{
	size_t	i;

	for (i = 0; i < d->nnames; i++)
		free(d->names[i]);
	free(d->names);
	d->names = NULL;
	d->nnames = 0;
}

/* See policy_deny.h. */
void
policy_deny_free(struct policy_deny *d)
{
	size_t	i;

	if (d == NULL)
		return;
	deny_clear(d);
	for (i = 0; i < d->nlive; i++)
		free(d->live[i]);
	free(d->live);
	free(d->path);
	free(d);
}

/* See policy_deny.h. */
int
policy_deny_file(struct policy_deny *d, const char *path,
    policy_deny_line line)
{
	if (d->path != NULL)
		return -1;
	d->path = xstrdup(path);
	d->line = line;
	snprintf(d->why, sizeof(d->why), "listed in %s", path);
	return 0;
}

/*
 * Say a problem with the file once (code: which problem): "policy: " what
 * happened to the file, and that nobody is refused until until says.
 */
static void
deny_tell(struct policy_deny *d, int code, const char *what,
    const char *detail, const char *until)
{
	if (d->told == code)
		return;
	d->told = code;
	snprintf(d->news, sizeof(d->news), "policy: %s %s: %s; nobody is "
	    "refused until %s", what, d->path, detail, until);
}

/* Read the file's logins into a fresh sorted list. */
static void
deny_read(struct policy_deny *d, int fd, size_t size)
{
	struct mail_str	 login;
	char		*buf, *p, *end, *nl;
	size_t		 got = 0, cap = 0;
	ssize_t		 n;

	buf = xmalloc(size + 1);
	while (got < size && (n = read(fd, buf + got, size - got)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			deny_tell(d, 2, "cannot read", strerror(errno),
			    "it can be read");
			free(buf);
			return;
		}
		got += (size_t)n;
	}
	deny_clear(d);
	d->told = 0;
	for (p = buf, end = buf + got; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (!d->line(p, (size_t)(nl - p), &login) ||
		    !account_is_valid(login.p, login.len))
			continue;
		if (d->nnames == cap) {
			cap = cap ? cap * 2 : 64;
			d->names = xreallocarray(d->names, cap,
			    sizeof(*d->names));
		}
		d->names[d->nnames++] = xstrndup(login.p, login.len);
	}
	if (d->nnames > 1)
		qsort(d->names, d->nnames, sizeof(*d->names), deny_cmp);
	free(buf);
}

/* Read the file again when it changed since the last read. */
static void
deny_refresh(struct policy_deny *d)
{
	struct stat	st;
	int		fd;

	if (d->path == NULL)
		return;
	if (stat(d->path, &st) == -1) {
		if (d->known || d->nnames > 0)
			deny_clear(d);
		d->known = 0;
		deny_tell(d, 1, "cannot read the deny list", strerror(errno),
		    "it is there");
		return;
	}
	if (d->known && st.st_dev == d->dev && st.st_ino == d->ino &&
	    st.st_size == d->size &&
	    st.st_mtim.tv_sec == d->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == d->mtime.tv_nsec)
		return;
	if (!S_ISREG(st.st_mode) || st.st_size > (off_t)POLICY_DENY_FILE_MAX) {
		deny_clear(d);
		d->known = 0;
		deny_tell(d, 3, "the deny list", S_ISREG(st.st_mode) ?
		    "too big" : "not a file", "it is a file of at most 64 MiB");
		return;
	}
	/* O_NONBLOCK: a FIFO put in its place must not stop the answers */
	if ((fd = open(d->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		deny_tell(d, 2, "cannot read", strerror(errno),
		    "it can be read");
		return;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return;
	}
	deny_read(d, fd, (size_t)st.st_size);
	close(fd);
	d->known = 1;
	d->dev = st.st_dev;
	d->ino = st.st_ino;
	d->size = st.st_size;
	d->mtime = st.st_mtim;
}

/* See policy_deny.h. */
void
policy_deny_decide(struct policy_deny *d, const char *account, int on)
{
	size_t	i;

	for (i = 0; i < d->nlive; i++)
		if (strcasecmp(d->live[i], account) == 0)
			break;
	if (on && i == d->nlive) {
		d->live = xreallocarray(d->live, d->nlive + 1,
		    sizeof(*d->live));
		d->live[d->nlive++] = xstrdup(account);
	} else if (!on && i < d->nlive) {
		free(d->live[i]);
		d->live[i] = d->live[--d->nlive];
		/* the file decides from here: read it at the next lookup */
		d->known = 0;
	}
}

/* See policy_deny.h. */
int
policy_deny_has(struct policy_deny *d, const char *account, size_t len,
    const char **why)
{
	char	 name[ACCOUNT_MAX + 1];
	size_t	 i;

	if (len == 0 || len > ACCOUNT_MAX)
		return 0;
	memcpy(name, account, len);
	name[len] = '\0';
	for (i = 0; i < d->nlive; i++)
		if (strcasecmp(d->live[i], name) == 0) {
			*why = "suspended by the headless containment";
			return 1;
		}
	if (policy_deny_listed(d, name, len)) {
		*why = d->why;
		return 1;
	}
	return 0;
}

/* See policy_deny.h. */
int
policy_deny_listed(struct policy_deny *d, const char *account, size_t len)
{
	char	 name[ACCOUNT_MAX + 1], *key = name;

	if (len == 0 || len > ACCOUNT_MAX)
		return 0;
	memcpy(name, account, len);
	name[len] = '\0';
	deny_refresh(d);
	return d->nnames > 0 && bsearch(&key, d->names, d->nnames,
	    sizeof(*d->names), deny_cmp) != NULL;
}

/* See policy_deny.h. */
size_t
policy_deny_count(const struct policy_deny *d)
{
	return d->nnames + d->nlive;
}

/* See policy_deny.h. */
const char *
policy_deny_news(struct policy_deny *d)
{
	static char	out[sizeof(d->news)];

	deny_refresh(d);
	if (d->news[0] == '\0')
		return NULL;
	memcpy(out, d->news, sizeof(out));
	d->news[0] = '\0';
	return out;
}
