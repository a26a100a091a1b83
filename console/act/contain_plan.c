/*
 * contain_plan.c: what each containment action needs and the exact
 * commands it runs: names, capabilities (what the server's backends can
 * do, and the keys they need), argv rendered from the backends' templates
 * with the server's configuration, and new passwords.
 */
#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "contain.h"
#include "contain_int.h"
#include "core/action.h"
#include "core/xmalloc.h"

static const char *const contain_names[CA_COUNT] = {
	[CA_SUSPEND] = "suspend",
	[CA_UNSUSPEND] = "unsuspend",
	[CA_RESET] = "reset-password",
	[CA_HOLD] = "hold",
	[CA_RELEASE] = "release",
	[CA_PURGE] = "purge",
};

/* See contain.h. */
const char *
contain_action_name(enum contain_action a)
{
	return (unsigned)a < CA_COUNT ? contain_names[a] : "unknown";
}

/* See contain.h. */
int
contain_action_parse(const char *s, enum contain_action *out)
{
	int	 i;

	for (i = 0; i < CA_COUNT; i++)
		if (strcmp(s, contain_names[i]) == 0) {
			*out = (enum contain_action)i;
			return 0;
		}
	if (strcmp(s, "reset") == 0 || strcmp(s, "password") == 0) {
		*out = CA_RESET;
		return 0;
	}
	return -1;
}

/* See contain.h. */
int
contain_action_dangerous(enum contain_action a)
{
	return a == CA_PURGE || a == CA_RESET;
}

/* See contain_int.h. */
enum queue_op
cp_queue_op(enum contain_action a)
{
	return a == CA_HOLD ? QOP_HOLD : a == CA_RELEASE ? QOP_RELEASE :
	    QOP_DELETE;
}

/* "a", "a and b", "a, b and c" into buf. */
static void
cp_join(const char *const *names, size_t n, char *buf, size_t size)
{
	size_t	 i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < n && off < size; i++)
		off += (size_t)snprintf(buf + off, size - off, "%s%s",
		    i == 0 ? "" : i + 1 == n ? " and " : ", ", names[i]);
}

/* The keys the args of st (b's) need that sc does not set, onto names. */
static size_t
cp_needs(const struct server_config *sc, const struct mail_backend *b,
    const struct backend_step *st, const char **names, size_t n,
    size_t max)
{
	struct backend_env	 env;

	server_backend_env(sc, &env);
	return backend_needs(b, st->args, &env, names, n, max);
}

/* "ACTION: not supported by BACKEND", and how a site may still do it. */
static int
cp_unsupported(const struct server_config *sc, enum contain_action a,
    const struct mail_backend *b, const char *site, char *why,
    size_t size, int *unsupported)
{
	*unsupported = 1;
	if (site != NULL)
		snprintf(why, size, "%s: not supported by %s (a site's %s in "
		    "[server %s] can do it)", contain_names[a], b->name, site,
		    sc->name);
	else
		snprintf(why, size, "%s: not supported by %s",
		    contain_names[a], b->name);
	return 0;
}

/*
 * Suspend and unsuspend: the auth role's step and the MTA's, each of
 * them there, every key they name set.
 */
static int
cp_capable_suspend(const struct server_config *sc, enum contain_action a,
    char *why, size_t size, int *unsupported)
{
	const struct mail_backend	*b[2] = { server_auth(sc),
	    server_mta(sc) };
	const struct backend_step	*st[2] = { NULL, NULL };
	const char			*names[8];
	char				 keys[256], site[32];
	size_t				 i, n = 0;

	snprintf(site, sizeof(site), "%s_command", contain_names[a]);
	if (b[0]->accounts != NULL)
		st[0] = a == CA_SUSPEND ? b[0]->accounts->deny_add :
		    b[0]->accounts->deny_del;
	if (b[1]->accounts != NULL)
		st[1] = a == CA_SUSPEND ? b[1]->accounts->refuse_add :
		    b[1]->accounts->refuse_del;
	for (i = 0; i < 2; i++)
		if (st[i] == NULL)
			return cp_unsupported(sc, a, b[i], site, why, size,
			    unsupported);
	for (i = 0; i < 2; i++)
		n = cp_needs(sc, b[i], st[i], names, n, 8);
	if (n == 0)
		return 1;
	cp_join(names, n, keys, sizeof(keys));
	snprintf(why, size, "server %s cannot %s accounts: set %s (or %s) in "
	    "[server %s]", sc->name, contain_names[a], keys, site, sc->name);
	return 0;
}

/* A password reset: the auth role's set and check, their keys set. */
static int
cp_capable_reset(const struct server_config *sc, char *why, size_t size,
    int *unsupported)
{
	const struct mail_backend	*b = server_auth(sc);
	const struct backend_accounts	*ac = b->accounts;
	const char			*names[8];
	char				 keys[256];
	size_t				 n;

	if (ac == NULL || ac->passwd_set == NULL || ac->passwd_check == NULL)
		return cp_unsupported(sc, CA_RESET, b, "password_command", why,
		    size, unsupported);
	n = cp_needs(sc, b, ac->passwd_set, names, 0, 8);
	n = cp_needs(sc, b, ac->passwd_check, names, n, 8);
	if (n == 0)
		return 1;
	cp_join(names, n, keys, sizeof(keys));
	snprintf(why, size, "server %s cannot reset passwords: set %s (or "
	    "password_command) in [server %s]", sc->name, keys, sc->name);
	return 0;
}

/* Hold, release, purge: the MTA's op, and the server says where its
   queue is. */
static int
cp_capable_queue(const struct server_config *sc, enum contain_action a,
    char *why, size_t size, int *unsupported)
{
	const struct mail_backend	*b = server_mta(sc);
	const struct backend_queue	*q = b->queue;

	if (q == NULL || q->op[cp_queue_op(a)] == NULL)
		return cp_unsupported(sc, a, b, NULL, why, size, unsupported);
	if (sc->queue_argv != NULL || q->where == NULL ||
	    config_action_opt(&sc->act, q->where) != NULL)
		return 1;
	snprintf(why, size, "server %s has no queue access: set %s (or "
	    "queue_command) in [server %s]", sc->name, q->where, sc->name);
	return 0;
}

/*
 * Can sc do a?  1, or 0 with why; *unsupported says whether the server's
 * mail systems lack it (1) or only a key is missing (0).
 */
static int
cp_capable(const struct server_config *sc, enum contain_action a,
    char *why, size_t size, int *unsupported)
{
	const struct action_config *ac = &sc->act;

	*unsupported = 0;
	switch (a) {
	case CA_SUSPEND:
	case CA_UNSUSPEND:
		if ((a == CA_SUSPEND ? ac->suspend_command :
		    ac->unsuspend_command) != NULL)
			return 1;
		return cp_capable_suspend(sc, a, why, size, unsupported);
	case CA_RESET:
		if (ac->password_command != NULL)
			return 1;
		return cp_capable_reset(sc, why, size, unsupported);
	case CA_HOLD:
	case CA_RELEASE:
	case CA_PURGE:
		return cp_capable_queue(sc, a, why, size, unsupported);
	default:
		snprintf(why, size, "no such action");
		*unsupported = 1;
		return 0;
	}
}

/* See contain.h. */
int
contain_capable(const struct server_config *sc, enum contain_action a,
    char *why, size_t size)
{
	int	 unsupported;

	return cp_capable(sc, a, why, size, &unsupported);
}

/* See contain.h. */
int
contain_supported(const struct server_config *sc, enum contain_action a,
    char *why, size_t size)
{
	char	 tmp[512];
	int	 unsupported;

	if (cp_capable(sc, a, tmp, sizeof(tmp), &unsupported) ||
	    !unsupported)
		return 1;
	snprintf(why, size, "%s", tmp);
	return 0;
}

/* A NULL-terminated argv with room for cap words. */
static char **
cp_argv_build(size_t cap)
{
	return xcalloc(cap + 1, sizeof(char *));
}

/* Append copies of a NULL-terminated argv; returns the new count. */
static size_t
cp_argv_cat(char **v, size_t n, char *const *more)
{
	for (; more != NULL && *more != NULL; more++)
		v[n++] = xstrdup(*more);
	return n;
}

/* See contain_int.h. */
void
cp_argv_free(char **v)
{
	size_t	 i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static size_t
cp_argv_len(char *const *v)
{
	size_t	 n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

/* Render a template of b's that names no account; NULL with err. */
static char **
cp_render(const struct server_config *sc, const struct mail_backend *b,
    const char *const *tmpl, char *err, size_t errlen)
{
	struct backend_env	 env;

	server_backend_env(sc, &env);
	return backend_render(b, tmpl, &env, err, errlen);
}

/* A template that cannot fail for want of a key, rendered; never NULL. */
static char **
cp_render_sure(const struct server_config *sc, const struct mail_backend *b,
    const char *const *tmpl)
{
	char	 err[256], **v;

	if ((v = cp_render(sc, b, tmpl, err, sizeof(err))) == NULL)
		v = cp_argv_build(0);	/* runs nothing: said when it fails */
	return v;
}

/* See contain_int.h. */
char **
cp_queue_tool_argv(const struct server_config *sc)
{
	const struct mail_backend	*b = server_mta(sc);

	return cp_render_sure(sc, b, b->queue != NULL ? b->queue->tool : NULL);
}

/* See contain_int.h. */
char **
cp_queue_op_argv(const struct server_config *sc, enum queue_op op)
{
	const struct backend_queue	*q = server_mta(sc)->queue;
	char				**tool = cp_queue_tool_argv(sc), **v;
	size_t				 n = cp_argv_len(tool), i;

	if (q == NULL || q->op[op] == NULL)
		return tool;
	for (i = 0; q->op[op]->args[i] != NULL; i++)
		;
	v = cp_argv_build(n + i);
	n = cp_argv_cat(v, 0, tool);
	cp_argv_cat(v, n, (char *const *)q->op[op]->args);
	cp_argv_free(tool);
	return v;
}

/* See contain_int.h. */
char **
cp_queue_list_argv(const struct server_config *sc)
{
	const struct mail_backend	*b = server_mta(sc);
	char				**v;

	if (sc->queue_argv != NULL) {
		v = cp_argv_build(cp_argv_len(sc->queue_argv));
		cp_argv_cat(v, 0, sc->queue_argv);
		return v;
	}
	return cp_render_sure(sc, b, b->queue != NULL ? b->queue->list : NULL);
}

/* See contain_int.h. */
char **
cp_queue_select_argv(const struct server_config *sc, const char *account)
{
	const struct mail_backend	*b = server_mta(sc);
	struct backend_env		 env;
	char				 err[256], **v;

	if (sc->queue_argv != NULL || b->queue == NULL ||
	    b->queue->select == NULL)
		return cp_queue_list_argv(sc);
	server_backend_env(sc, &env);
	env.account = account;
	if ((v = backend_render(b, b->queue->select, &env, err,
	    sizeof(err))) == NULL)
		v = cp_argv_build(0);	/* runs nothing: said when it fails */
	return v;
}

/* See contain_int.h. */
char **
cp_queue_take_argv(const struct server_config *sc, const char *account,
    enum queue_op op)
{
	const struct mail_backend	*b = server_mta(sc);
	struct backend_env		 env;
	char				 err[256];

	if (sc->queue_argv != NULL || b->queue == NULL ||
	    (unsigned)op >= QOP_COUNT || b->queue->take[op] == NULL ||
	    b->queue->op[op] == NULL)
		return NULL;
	server_backend_env(sc, &env);
	env.account = account;
	/* one that does not render: the read, then the op, say why */
	return backend_render(b, b->queue->take[op], &env, err, sizeof(err));
}

/* See contain_int.h. */
int
cp_queue_has_still(const struct server_config *sc)
{
	const struct mail_backend	*b = server_mta(sc);

	return sc->queue_argv == NULL && b->queue != NULL &&
	    b->queue->still != NULL;
}

/* See contain_int.h. */
char **
cp_queue_still_argv(const struct server_config *sc)
{
	if (!cp_queue_has_still(sc))
		return NULL;
	return cp_render_sure(sc, server_mta(sc), server_mta(sc)->queue->still);
}

/* See contain_int.h. */
char **
cp_step_argv(const struct mail_backend *b, const struct backend_step *st,
    const struct server_config *sc, const char *account, int lock_wait,
    char *err, size_t errlen)
{
	struct backend_env	 env;

	server_backend_env(sc, &env);
	env.account = account;
	env.lock_wait = lock_wait;
	return backend_step_argv(b, st, &env, err, errlen);
}

/* See contain_int.h. */
int
cp_check_possible(const struct server_config *sc)
{
	const struct mail_backend	*auth = server_auth(sc);
	const struct mail_backend	*mta = server_mta(sc);

	return auth->accounts != NULL && auth->accounts->check != NULL &&
	    mta->accounts != NULL && mta->accounts->check != NULL;
}

/* See contain_int.h. */
char **
cp_check_argv(const struct server_config *sc, const char *account,
    int lock_wait, char *err, size_t errlen)
{
	struct backend_env	 env;

	server_backend_env(sc, &env);
	env.account = account;
	env.lock_wait = lock_wait;
	return backend_check_argv(server_auth(sc), server_mta(sc), &env, err,
	    errlen);
}

/* See contain_int.h. */
int
cp_lock_wait(const struct contain *c)
{
	return c->deadline_ms / 2000 > 0 ? c->deadline_ms / 2000 : 1;
}

/* See contain_int.h. */
char **
cp_template_argv(const char *tmpl, const char *account, char *err,
    size_t errlen)
{
	struct action_values	 vals;
	struct action_argv	 out;
	char			 local[256];
	const char		*at = strchr(account, '@');
	char			**v;
	int			 i;

	memset(&vals, 0, sizeof(vals));
	vals.v[AV_ACCOUNT] = account;
	if (at != NULL) {
		snprintf(local, sizeof(local), "%.*s", (int)(at - account),
		    account);
		vals.v[AV_LOCALPART] = local;
		vals.v[AV_DOMAIN] = at + 1;
	} else
		vals.v[AV_LOCALPART] = account;
	if (action_render(tmpl, &vals, &out, err, errlen) == -1)
		return NULL;
	v = cp_argv_build((size_t)out.argc);
	for (i = 0; i < out.argc; i++)
		v[i] = xstrdup(out.argv[i]);
	action_argv_free(&out);
	return v;
}

/*
 * See contain_int.h.  20 characters from 57 that cannot be mistaken for
 * one another when read off a screen (no 0/O, 1/l/I), drawn from the
 * kernel's CSPRNG without modulo bias: about 116 bits.
 */
int
cp_password(char *buf, size_t size)
{
	static const char alphabet[] = "abcdefghijkmnopqrstuvwxyz"
	    "ABCDEFGHJKLMNPQRSTUVWXYZ" "23456789";
	const unsigned	 n = sizeof(alphabet) - 1;
	const unsigned	 limit = 256 - 256 % n;
	unsigned char	 r[64];
	size_t		 got = 0, i;
	ssize_t		 k;

	if (size < CONTAIN_PW_LEN + 1)
		return -1;
	while (got < CONTAIN_PW_LEN) {
		if ((k = getrandom(r, sizeof(r), 0)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (i = 0; i < (size_t)k && got < CONTAIN_PW_LEN; i++)
			if (r[i] < limit)
				buf[got++] = alphabet[r[i] % n];
	}
	buf[got] = '\0';
	explicit_bzero(r, sizeof(r));
	return 0;
}

/* See contain.h. */
char **
contain_queue_argv(const struct server_config *sc)
{
	return cp_queue_list_argv(sc);
}

/* See contain.h. */
void
contain_argv_free(char **argv)
{
	cp_argv_free(argv);
}
