/*
 * template.c: a backend's argv templates rendered into commands
 * (backend.h): the placeholders, the step's /bin/sh wrapper, and the
 * suspension check made of the auth role's part and the MTA's.
 *
 * Pure but for memory: an argv is built word by word with malloc, and a
 * failed allocation aborts (as xmalloc does in the console).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend.h"
#include "fileedit.h"

/* An argv being built. */
struct bk_argv {
	char		**v;
	size_t		 n, cap;
};

/* A word being built. */
struct bk_word {
	char		*p;
	size_t		 len, cap;
};

/* What a placeholder names. */
struct bk_value {
	const char	*text;		/* NULL: no value */
	char *const	*words;		/* a command's, or NULL */
	int		 set;		/* configured (not the default) */
	enum backend_opt_type type;
};

/* The allocations below abort when memory is out, as xmalloc does. */
static void *
bk_realloc(void *p, size_t n)
{
	if ((p = realloc(p, n == 0 ? 1 : n)) == NULL)
		abort();
	return p;
}

static char *
bk_strdup(const char *s)
{
	size_t	 n = strlen(s) + 1;

	return memcpy(bk_realloc(NULL, n), s, n);
}

/* Append a word (taken). */
static void
bk_push(struct bk_argv *a, char *w)
{
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? a->cap * 2 : 16;
		a->v = bk_realloc(a->v, a->cap * sizeof(*a->v));
	}
	a->v[a->n++] = w;
	a->v[a->n] = NULL;
}

/* Append bytes to a word. */
static void
bk_put(struct bk_word *w, const char *p, size_t len)
{
	if (w->len + len + 1 > w->cap) {
		w->cap = (w->len + len + 1) * 2;
		w->p = bk_realloc(w->p, w->cap);
	}
	memcpy(w->p + w->len, p, len);
	w->len += len;
	w->p[w->len] = '\0';
}

/* Append a string to a word. */
static void
bk_puts(struct bk_word *w, const char *s)
{
	bk_put(w, s, strlen(s));
}

/* See backend.h. */
void
backend_argv_free(char **argv)
{
	size_t	 i;

	for (i = 0; argv != NULL && argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

/* See backend.h. */
char **
backend_split(const char *s)
{
	struct bk_argv	 a = { NULL, 0, 0 };
	const char	*start;
	struct bk_word	 w;

	bk_push(&a, NULL);	/* an empty argv is { NULL } */
	a.n = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			return a.v;
		start = s;
		while (*s != '\0' && *s != ' ' && *s != '\t')
			s++;
		memset(&w, 0, sizeof(w));
		bk_put(&w, start, (size_t)(s - start));
		bk_push(&a, w.p);
	}
}

/* The declaration of option name in b; NULL when b has none. */
static const struct backend_option *
bk_option(const struct mail_backend *b, const char *name)
{
	const struct backend_option	*o;

	for (o = b->options; o != NULL && o->name != NULL; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

/*
 * The value of option name for env: configured, else the default.  -1
 * when b has no such option.  A command's default is split into *split,
 * which the caller frees.
 */
static int
bk_lookup(const struct mail_backend *b, const char *name,
    const struct backend_env *env, struct bk_value *out, char ***split)
{
	const struct backend_option	*o = bk_option(b, name);
	char *const			*words = NULL;

	memset(out, 0, sizeof(*out));
	*split = NULL;
	if (o == NULL)
		return -1;
	out->type = o->type;
	if (env != NULL && env->opt != NULL &&
	    (out->text = env->opt(env->arg, name, &words)) != NULL) {
		out->set = 1;
		out->words = words;
	} else
		out->text = o->def;
	if (out->text != NULL && o->type == BOPT_COMMAND && out->words == NULL)
		out->words = *split = backend_split(out->text);
	if (out->words != NULL && out->words[0] == NULL) {
		out->text = NULL;
		out->words = NULL;
	}
	return 0;
}

/* Is the account one a command may name (backend.h, %{account})? */
static int
bk_account_ok(const char *a)
{
	return a != NULL && account_is_valid(a, strlen(a)) && a[0] != '.' &&
	    strcasecmp(a, "ALL") != 0;
}

/*
 * The value of an account placeholder into w; 1 when name is one, 0 when
 * it is not, -1 with err when it has no value.
 */
static int
bk_account_part(const char *name, const struct backend_env *env,
    struct bk_word *w, char *err, size_t errlen)
{
	const char	*a = env != NULL ? env->account : NULL, *at;

	if (strcmp(name, "account") != 0 && strcmp(name, "localpart") != 0 &&
	    strcmp(name, "domain") != 0)
		return 0;
	if (!bk_account_ok(a)) {
		snprintf(err, errlen, "%%{%s}: no account a command may name",
		    name);
		return -1;
	}
	at = strchr(a, '@');
	if (name[0] == 'a')
		bk_put(w, a, strlen(a));
	else if (name[0] == 'l')
		bk_put(w, a, at != NULL ? (size_t)(at - a) : strlen(a));
	else if (at != NULL && at[1] != '\0')
		bk_put(w, at + 1, strlen(at + 1));
	else {
		snprintf(err, errlen, "%%{domain}: the account has no domain");
		return -1;
	}
	return 1;
}

/* Is s decimal numbers, one space between, at least one? */
static int
bk_pids_ok(const char *s)
{
	int	 digit = 0;

	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			digit = 1;
		else if (*s == ' ' && digit && s[1] != '\0')
			digit = 0;
		else
			return 0;
	}
	return digit;
}

/* Is s IP addresses (digits, hex, '.', ':'), one space between, at
   least one? */
static int
bk_addrs_ok(const char *s)
{
	size_t	 word = 0;

	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if ((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
		    (*s >= 'A' && *s <= 'F') || *s == '.' || *s == ':') {
			if (++word > 45)
				return 0;
		} else if (*s == ' ' && word > 0 && s[1] != '\0')
			word = 0;
		else
			return 0;
	}
	return word > 0;
}

/* Expand the placeholders of one word into w; -1 with err. */
static int
bk_expand(const struct mail_backend *b, const char *s,
    const struct backend_env *env, struct bk_word *w, char *err,
    size_t errlen)
{
	const char	*e;
	char		 name[64], **split;
	struct bk_value	 val;
	int		 r;

	while (*s != '\0') {
		if (s[0] != '%' || s[1] != '{') {
			bk_put(w, s, 1);
			s++;
			continue;
		}
		if ((e = strchr(s + 2, '}')) == NULL ||
		    (size_t)(e - s - 2) >= sizeof(name)) {
			snprintf(err, errlen, "unfinished placeholder in "
			    "\"%.40s\"", s);
			return -1;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(e - s - 2), s + 2);
		s = e + 1;
		if ((r = bk_account_part(name, env, w, err, errlen)) != 0) {
			if (r == -1)
				return -1;
			continue;
		}
		if (strcmp(name, "addrs") == 0) {
			if (env == NULL || env->addrs == NULL)
				continue;
			if (!bk_addrs_ok(env->addrs)) {
				snprintf(err, errlen, "%%{addrs}: not IP "
				    "addresses");
				return -1;
			}
			bk_puts(w, env->addrs);
			continue;
		}
		if (strcmp(name, "pids") == 0) {
			/* none from the log: the addresses name them */
			if (env != NULL && (env->pids == NULL ||
			    env->pids[0] == '\0') && bk_addrs_ok(env->addrs))
				continue;
			if (env == NULL || !bk_pids_ok(env->pids)) {
				snprintf(err, errlen, "%%{pids}: no process "
				    "ids");
				return -1;
			}
			bk_puts(w, env->pids);
			continue;
		}
		if (bk_lookup(b, name, env, &val, &split) == -1) {
			snprintf(err, errlen, "unknown placeholder %%{%s}",
			    name);
			return -1;
		}
		backend_argv_free(split);
		if (val.type == BOPT_COMMAND) {
			snprintf(err, errlen, "%%{%s}: a command is a word of "
			    "its own", name);
			return -1;
		}
		if (val.text == NULL) {
			snprintf(err, errlen, "%s is not set", name);
			return -1;
		}
		bk_put(w, val.text, strlen(val.text));
	}
	return 0;
}

/*
 * A word that is one placeholder alone ("%{NAME}" or "%{NAME?}"): its
 * name into name and 1 (*optional for the '?'), else 0.
 */
static int
bk_whole(const char *s, char *name, size_t size, int *optional)
{
	size_t	 len = strlen(s);

	if (len < 4 || s[0] != '%' || s[1] != '{' || s[len - 1] != '}' ||
	    strchr(s + 2, '}') != s + len - 1)
		return 0;
	*optional = s[len - 2] == '?';
	len -= 3 + *optional;
	if (len == 0 || len >= size)
		return 0;
	memcpy(name, s + 2, len);
	name[len] = '\0';
	return 1;
}

/*
 * One template word into a: dropped (a %{?NAME} prefix whose option is
 * not set), an optional or a command spliced, or expanded.  -1 with err.
 */
static int
bk_word_into(const struct mail_backend *b, const char *s,
    const struct backend_env *env, struct bk_argv *a, char *err,
    size_t errlen)
{
	struct bk_word	 w = { NULL, 0, 0 };
	struct bk_value	 val;
	const char	*e;
	char		 name[64], **split;
	size_t		 i;
	int		 optional;

	if (s[0] == '%' && s[1] == '{' && s[2] == '?') {
		if ((e = strchr(s + 3, '}')) == NULL ||
		    (size_t)(e - s - 3) >= sizeof(name)) {
			snprintf(err, errlen, "unfinished %%{?...}");
			return -1;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(e - s - 3), s + 3);
		if (bk_lookup(b, name, env, &val, &split) == -1) {
			snprintf(err, errlen, "unknown option %%{?%s}", name);
			return -1;
		}
		backend_argv_free(split);
		if (!val.set)
			return 0;
		s = e + 1;
	}
	if (bk_whole(s, name, sizeof(name), &optional) &&
	    bk_lookup(b, name, env, &val, &split) == 0) {
		if (val.text == NULL && !optional) {
			backend_argv_free(split);
			snprintf(err, errlen, "%s is not set", name);
			return -1;
		}
		if (val.type == BOPT_COMMAND) {
			for (i = 0; val.words != NULL && val.words[i] != NULL;
			    i++)
				bk_push(a, bk_strdup(val.words[i]));
		} else
			bk_push(a, bk_strdup(val.text != NULL ? val.text : ""));
		backend_argv_free(split);
		return 0;
	}
	bk_put(&w, "", 0);
	if (bk_expand(b, s, env, &w, err, errlen) == -1) {
		free(w.p);
		return -1;
	}
	bk_push(a, w.p);
	return 0;
}

/* Render tmpl onto a; -1 with err (a keeps what was pushed). */
static int
bk_render_into(const struct mail_backend *b, const char *const *tmpl,
    const struct backend_env *env, struct bk_argv *a, char *err,
    size_t errlen)
{
	for (; tmpl != NULL && *tmpl != NULL; tmpl++)
		if (bk_word_into(b, *tmpl, env, a, err, errlen) == -1)
			return -1;
	return 0;
}

/* An empty argv ({ NULL }). */
static void
bk_start(struct bk_argv *a)
{
	memset(a, 0, sizeof(*a));
	bk_push(a, NULL);
	a->n = 0;
}

/* See backend.h. */
char **
backend_render(const struct mail_backend *b, const char *const *tmpl,
    const struct backend_env *env, char *err, size_t errlen)
{
	struct bk_argv	 a;

	bk_start(&a);
	if (bk_render_into(b, tmpl, env, &a, err, errlen) == -1) {
		backend_argv_free(a.v);
		return NULL;
	}
	return a.v;
}

/* "/bin/sh" "-c" "lock_wait=N\nSCRIPT" NAME onto a. */
static void
bk_shell(struct bk_argv *a, const char *script, const char *name,
    const struct backend_env *env)
{
	size_t	 len = strlen(script) + 32;
	char	*w = bk_realloc(NULL, len);
	int	 wait = env != NULL ? env->lock_wait : 0;

	bk_push(a, bk_strdup("/bin/sh"));
	bk_push(a, bk_strdup("-c"));
	snprintf(w, len, "lock_wait=%d\n%s", wait < 1 ? 1 : wait, script);
	bk_push(a, w);
	bk_push(a, bk_strdup(name));
}

/* See backend.h. */
char **
backend_step_argv(const struct mail_backend *b, const struct backend_step *st,
    const struct backend_env *env, char *err, size_t errlen)
{
	struct bk_argv	 a;

	bk_start(&a);
	if (st->script != NULL)
		bk_shell(&a, st->script, st->name, env);
	if (bk_render_into(b, st->args, env, &a, err, errlen) == -1) {
		backend_argv_free(a.v);
		return NULL;
	}
	return a.v;
}

/* The check's part of b, or NULL. */
static const struct backend_check *
bk_check(const struct mail_backend *b)
{
	return b != NULL && b->accounts != NULL ? b->accounts->check : NULL;
}

/* See backend.h: the base, the account, each part, one line of KEY=V. */
char *
backend_check_script(const struct mail_backend *auth,
    const struct mail_backend *mta)
{
	const struct backend_check	*part[2] = { bk_check(auth),
	    bk_check(mta) };
	struct bk_word			 w = { NULL, 0, 0 };
	size_t				 i, n = auth == mta ? 1 : 2;

	if (part[0] == NULL || part[1] == NULL)
		return NULL;
	bk_puts(&w, FE_BASE "a=$1; shift\n");
	for (i = 0; i < n; i++) {
		bk_puts(&w, part[i]->script);
		bk_puts(&w, "printf '");
		bk_puts(&w, part[i]->key);
		bk_puts(&w, "=%s ' \"$v\"\n");
	}
	bk_puts(&w, "echo\n");
	return w.p;
}

/* See backend.h. */
char **
backend_check_argv(const struct mail_backend *auth,
    const struct mail_backend *mta, const struct backend_env *env, char *err,
    size_t errlen)
{
	static const char *const account[] = { "%{account}", NULL };
	struct bk_argv	 a;
	char		*script;

	if ((script = backend_check_script(auth, mta)) == NULL) {
		snprintf(err, errlen, "no check of a suspension by %s and %s",
		    auth != NULL ? auth->name : "none",
		    mta != NULL ? mta->name : "none");
		return NULL;
	}
	bk_start(&a);
	bk_shell(&a, script, "mailcon-check", env);
	free(script);
	if (bk_render_into(auth, account, env, &a, err, errlen) == -1 ||
	    bk_render_into(auth, auth->accounts->check->args, env, &a, err,
	    errlen) == -1 || (mta != auth &&
	    bk_render_into(mta, mta->accounts->check->args, env, &a, err,
	    errlen) == -1)) {
		backend_argv_free(a.v);
		return NULL;
	}
	return a.v;
}

/* Add name to names unless it is there; the new count. */
static size_t
bk_need(const char **names, size_t n, size_t max, const char *name)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return n;
	if (n < max)
		names[n++] = name;
	return n;
}

/* See backend.h. */
size_t
backend_needs(const struct mail_backend *b, const char *const *tmpl,
    const struct backend_env *env, const char **names, size_t n, size_t max)
{
	const struct backend_option	*o;
	const char			*s, *e;
	char				 name[64], **split;
	struct bk_value			 val;
	int				 optional;

	for (; tmpl != NULL && *tmpl != NULL; tmpl++) {
		s = *tmpl;
		if (s[0] == '%' && s[1] == '{' && s[2] == '?')
			continue;	/* only when set: never needed */
		if (bk_whole(s, name, sizeof(name), &optional) && optional)
			continue;
		while ((s = strstr(s, "%{")) != NULL) {
			if ((e = strchr(s + 2, '}')) == NULL)
				break;
			snprintf(name, sizeof(name), "%.*s",
			    (int)(e - s - 2), s + 2);
			s = e + 1;
			if ((o = bk_option(b, name)) == NULL ||
			    bk_lookup(b, name, env, &val, &split) == -1)
				continue;
			backend_argv_free(split);
			if (val.text == NULL)
				n = bk_need(names, n, max, o->name);
		}
	}
	return n;
}
