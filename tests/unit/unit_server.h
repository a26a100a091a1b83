/*
 * unit_server.h: a [server] built by a test as the config parser builds
 * it: the backends' keys through config_set_action() (typed, copied), so
 * the test frees them with config_action_free().  Header only (static
 * inline).  Include after <cmocka.h> and config/config.h.
 */
#ifndef MAILCON_UNIT_SERVER_H
#define MAILCON_UNIT_SERVER_H

#include <stdio.h>
#include <string.h>

/* Set key = value in sc's section, as a config file would; fails the test
   when the parser refuses it. */
static inline void
us_set(struct server_config *sc, const char *key, const char *value)
{
	char	 err[512];

	if (config_set_action(&sc->act, key, value, err, sizeof(err)) != 1)
		fail_msg("%s = %s refused: %s", key, value, err);
}

/* Unset every backend key of sc (the site's templates stay). */
static inline void
us_clear(struct server_config *sc)
{
	char	*t[3];

	t[0] = sc->act.suspend_command;
	t[1] = sc->act.unsuspend_command;
	t[2] = sc->act.password_command;
	sc->act.suspend_command = sc->act.unsuspend_command =
	    sc->act.password_command = NULL;
	config_action_free(&sc->act);
	sc->act.suspend_command = t[0];
	sc->act.unsuspend_command = t[1];
	sc->act.password_command = t[2];
}

/* Unset key in sc's section, the other keys as they were. */
static inline void
us_unset(struct server_config *sc, const char *key)
{
	struct action_config	 old = sc->act;
	size_t			 i;

	memset(&sc->act, 0, sizeof(sc->act));
	sc->act.suspend_command = old.suspend_command;
	sc->act.unsuspend_command = old.unsuspend_command;
	sc->act.password_command = old.password_command;
	for (i = 0; i < old.nopts; i++)
		if (strcmp(old.opts[i].opt->name, key) != 0)
			us_set(sc, old.opts[i].opt->name, old.opts[i].value);
	old.suspend_command = old.unsuspend_command =
	    old.password_command = NULL;
	config_action_free(&old);
}

#endif
