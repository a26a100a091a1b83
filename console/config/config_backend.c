/*
 * config_backend.c: which mail systems a [server] runs (config.h): the
 * keys backend = and auth =, what the keys set imply, what the probe
 * found, and the registry's first of each role for what is left.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "core/xmalloc.h"

/* The role a key names, and its words in messages. */
static const struct {
	const char	*key;
	unsigned	 role;
	const char	*what;
} config_roles[] = {
	{ "backend", BROLE_MTA, "mail system (MTA)" },
	{ "auth", BROLE_AUTH, "authentication service" },
};

/* See config.h. */
const struct mail_backend *
server_mta(const struct server_config *sc)
{
	if (sc != NULL && sc->mta != NULL)
		return sc->mta;
	return backend_default(BROLE_MTA);
}

/* See config.h. */
const struct mail_backend *
server_auth(const struct server_config *sc)
{
	const struct mail_backend	*mta;

	if (sc != NULL && sc->auth != NULL)
		return sc->auth;
	if (sc != NULL && sc->mta != NULL &&
	    ((mta = sc->mta)->roles & BROLE_AUTH))
		return mta;
	return backend_default(BROLE_AUTH);
}

/* See config.h. */
int
server_probe_wanted(const struct server_config *sc)
{
	return !sc->probed && (sc->mta == NULL || sc->auth == NULL);
}

/* See config.h. */
void
server_probe_done(struct server_config *sc, const struct mail_backend *mta,
    const struct mail_backend *auth)
{
	if (sc->mta == NULL && mta != NULL)
		sc->mta = mta;
	if (sc->auth == NULL && auth != NULL && !(server_mta(sc)->roles &
	    BROLE_AUTH))
		sc->auth = auth;
	sc->probed = 1;
}

/* The names of the backends of role, for a message. */
static void
config_role_names(unsigned role, char *buf, size_t size)
{
	const struct mail_backend *const *b;
	size_t				 n = 0;

	buf[0] = '\0';
	for (b = mail_backends; *b != NULL; b++)
		if ((*b)->roles & role && n < size)
			n += (size_t)snprintf(buf + n, size - n, "%s%s",
			    n > 0 ? ", " : "", (*b)->name);
}

/* See config.h. */
int
config_set_backend(struct server_config *sc, const char *name,
    const char *value, char *err, size_t errlen)
{
	const struct mail_backend	*b;
	char				 names[128], **slot;
	size_t				 i;

	for (i = 0; i < sizeof(config_roles) / sizeof(config_roles[0]); i++)
		if (strcmp(name, config_roles[i].key) == 0)
			break;
	if (i == sizeof(config_roles) / sizeof(config_roles[0]))
		return 0;
	slot = i == 0 ? &sc->mta_name : &sc->auth_name;
	if (strcasecmp(value, "auto") == 0) {
		free(*slot);
		*slot = NULL;
		return 1;
	}
	if ((b = backend_find(value)) == NULL ||
	    !(b->roles & config_roles[i].role)) {
		config_role_names(config_roles[i].role, names, sizeof(names));
		snprintf(err, errlen, "%s: \"%.32s\" is no %s mailcon knows; "
		    "expected auto or one of: %s", name, value,
		    config_roles[i].what, names);
		return -1;
	}
	free(*slot);
	*slot = xstrdup(b->name);
	return 1;
}

/*
 * The backend of role that the keys set point to: the one that declares
 * a key set, when only one of the role does.  NULL when none or several.
 * One that takes both roles (cPanel) is implied as the MTA only: it then
 * is its own auth, never the auth of another MTA.
 */
static const struct mail_backend *
config_implied(const struct server_config *sc, unsigned role)
{
	const struct mail_backend	*owner, *found = NULL;
	size_t				 i;

	for (i = 0; i < sc->act.nopts; i++) {
		if (backend_option_find(sc->act.opts[i].opt->name, &owner) ==
		    NULL || !(owner->roles & role) || (role == BROLE_AUTH &&
		    owner->roles != BROLE_AUTH))
			continue;
		if (found != NULL && found != owner)
			return NULL;
		found = owner;
	}
	return found;
}

/* Does b read the key name too (two flavours of one system share keys)? */
static int
config_declares(const struct mail_backend *b, const char *name)
{
	const struct backend_option	*o;

	for (o = b->options; o != NULL && o->name != NULL; o++)
		if (strcmp(o->name, name) == 0)
			return 1;
	return 0;
}

/* See config.h. */
int
config_server_backends(struct server_config *sc, char *err, size_t errlen)
{
	const struct mail_backend	*owner, *mta, *auth;
	size_t				 i;

	sc->mta = backend_find(sc->mta_name);
	sc->auth = backend_find(sc->auth_name);
	if (sc->mta == NULL)
		sc->mta = config_implied(sc, BROLE_MTA);
	if (sc->auth == NULL && !(server_mta(sc)->roles & BROLE_AUTH))
		sc->auth = config_implied(sc, BROLE_AUTH);
	/* a key of a system the server was said not to run is a mistake */
	mta = server_mta(sc);
	auth = server_auth(sc);
	for (i = 0; i < sc->act.nopts; i++) {
		if (backend_option_find(sc->act.opts[i].opt->name, &owner) ==
		    NULL || owner == mta || owner == auth ||
		    config_declares(mta, sc->act.opts[i].opt->name) ||
		    config_declares(auth, sc->act.opts[i].opt->name))
			continue;
		if ((owner->roles & BROLE_MTA && sc->mta_name != NULL) ||
		    (owner->roles & BROLE_AUTH && sc->auth_name != NULL)) {
			snprintf(err, errlen, "[server %s]: %s is a key of %s, "
			    "and this server's %s is %s", sc->name,
			    sc->act.opts[i].opt->name, owner->name,
			    owner->roles & BROLE_MTA ? "backend" : "auth",
			    owner->roles & BROLE_MTA ? mta->name : auth->name);
			return -1;
		}
	}
	return 0;
}

/* The env's lookup: the server's value of a backend key (backend.h). */
static const char *
server_env_opt(void *arg, const char *name, char *const **words)
{
	const struct server_config	*sc = arg;

	*words = config_action_words(&sc->act, name);
	return config_action_opt(&sc->act, name);
}

/* See config.h. */
void
server_backend_env(const struct server_config *sc, struct backend_env *env)
{
	memset(env, 0, sizeof(*env));
	env->opt = server_env_opt;
	env->arg = (void *)(uintptr_t)sc;
}
