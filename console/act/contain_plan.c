/*
 * contain_plan.c: what each containment action needs and the exact
 * commands it runs: names, capabilities, argv built from the server's
 * configuration, and new passwords.
 */
#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "contain.h"
#include "contain_int.h"
#include "backends/pd_actions.h"
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

/* See contain.h. */
int
contain_capable(const struct server_config *sc, enum contain_action a,
    char *why, size_t size)
{
	const struct action_config *ac = &sc->act;

	switch (a) {
	case CA_SUSPEND:
	case CA_UNSUSPEND:
		if ((a == CA_SUSPEND ? ac->suspend_command :
		    ac->unsuspend_command) != NULL)
			return 1;
		if (ac->deny_file != NULL && ac->sasl_access_map != NULL)
			return 1;
		snprintf(why, size, "server %s cannot %s accounts: set "
		    "deny_file and sasl_access_map (or %s_command) in "
		    "[server %s]", sc->name, contain_names[a],
		    contain_names[a], sc->name);
		return 0;
	case CA_RESET:
		if (ac->password_command != NULL || ac->passwd_file != NULL)
			return 1;
		snprintf(why, size, "server %s cannot reset passwords: set "
		    "passwd_file (or password_command) in [server %s]",
		    sc->name, sc->name);
		return 0;
	case CA_HOLD:
	case CA_RELEASE:
	case CA_PURGE:
		if (sc->queue_argv != NULL || ac->postfix_config != NULL)
			return 1;
		snprintf(why, size, "server %s has no queue access: set "
		    "postfix_config (or queue_command) in [server %s]",
		    sc->name, sc->name);
		return 0;
	default:
		snprintf(why, size, "no such action");
		return 0;
	}
}

/* A NULL-terminated argv of n words from a list (copied). */
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

/* "postmap" or "postsuper", with -c DIR when configured. */
static char **
cp_postfix_tool(const struct server_config *sc, const char *tool,
    size_t extra)
{
	char	**v = cp_argv_build(3 + extra);
	size_t	 n = 0;

	v[n++] = xstrdup(tool);
	if (sc->act.postfix_config != NULL) {
		v[n++] = xstrdup("-c");
		v[n++] = xstrdup(sc->act.postfix_config);
	}
	return v;
}

/* See contain_int.h. */
char **
cp_postsuper_argv(const struct server_config *sc)
{
	return cp_postfix_tool(sc, "postsuper", 0);
}

/* See contain_int.h. */
char **
cp_postsuper_op_argv(const struct server_config *sc, enum postsuper_op op)
{
	char	**v = cp_postfix_tool(sc, "postsuper", 2);
	size_t	 n = cp_argv_len(v);

	v[n++] = xstrdup(postsuper_op_flag(op));
	v[n] = xstrdup("-");
	return v;
}

/* See contain_int.h. */
char **
cp_postqueue_argv(const struct server_config *sc)
{
	char	**v;
	size_t	 n;

	if (sc->queue_argv != NULL) {
		v = cp_argv_build(cp_argv_len(sc->queue_argv));
		cp_argv_cat(v, 0, sc->queue_argv);
		return v;
	}
	v = cp_postfix_tool(sc, "postqueue", 1);
	n = cp_argv_len(v);
	v[n] = xstrdup("-j");
	return v;
}

/*
 * See contain_int.h.  The script's positional parameters, in the order
 * pd_actions.h gives for each step; before the script, how long it waits
 * for another mailcon's lock.
 */
char **
cp_script_argv(enum pd_step step, const struct server_config *sc,
    const char *account, int lock_wait)
{
	const struct action_config *ac = &sc->act;
	static char *const doveadm_default[] = { "doveadm", NULL };
	const char *script = pd_script(step);
	char	**tool = NULL, **v;
	size_t	 n = 0, len;

	switch (step) {
	case PD_MAP_ADD:
	case PD_MAP_DEL:
	case PD_CHECK:
		tool = cp_postfix_tool(sc, "postmap", 0);
		break;
	case PD_PASSWD_SET:
	case PD_PASSWD_CHECK:
		tool = cp_argv_build(cp_argv_len(ac->doveadm_argv) + 1);
		cp_argv_cat(tool, 0, ac->doveadm_argv != NULL ?
		    ac->doveadm_argv : doveadm_default);
		break;
	default:
		break;
	}
	v = cp_argv_build(8 + cp_argv_len(tool));
	v[n++] = xstrdup("/bin/sh");
	v[n++] = xstrdup("-c");
	len = strlen(script) + 32;
	v[n] = xmalloc(len);
	snprintf(v[n++], len, "lock_wait=%d\n%s", lock_wait < 1 ? 1 :
	    lock_wait, script);
	v[n++] = xstrdup(pd_step_name(step));
	v[n++] = xstrdup(account);
	switch (step) {
	case PD_DENY_ADD:
		v[n++] = xstrdup(ac->deny_file);
		v[n++] = xstrdup(ac->passwd_file != NULL ? ac->passwd_file :
		    "");
		break;
	case PD_DENY_DEL:
		v[n++] = xstrdup(ac->deny_file);
		break;
	case PD_MAP_ADD:
	case PD_MAP_DEL:
		v[n++] = xstrdup(ac->sasl_access_map);
		break;
	case PD_CHECK:
		v[n++] = xstrdup(ac->deny_file);
		v[n++] = xstrdup(ac->sasl_access_map);
		break;
	case PD_PASSWD_SET:
		v[n++] = xstrdup(ac->passwd_file);
		v[n++] = xstrdup(ac->password_scheme != NULL ?
		    ac->password_scheme : "SHA512-CRYPT");
		break;
	case PD_PASSWD_CHECK:
		v[n++] = xstrdup(ac->passwd_file);
		break;
	default:
		break;
	}
	cp_argv_cat(v, n, tool);
	cp_argv_free(tool);
	return v;
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
