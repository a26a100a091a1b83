/*
 * config_act.c: the configuration of actions: the [server NAME] keys that
 * say how a server suspends, resets and reaches its queue, and [watch].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "core/action.h"
#include "core/xmalloc.h"

/* See config.h. */
int
config_path_ok(const char *s)
{
	if (s[0] != '/' || strlen(s) > 1024)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* A password scheme name for doveadm pw -s: letters, digits, '-', '.'. */
static int
config_act_scheme_ok(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++, n++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '.' ||
		    *s == '_'))
			return 0;
	return n > 0 && n <= 32;
}

/* Replace *dst with a copy of value. */
static void
config_act_set(char **dst, const char *value)
{
	free(*dst);
	*dst = xstrdup(value);
}

/* A template must render with a sample account; err says why not. */
static int
config_act_template(char **dst, const char *name, const char *value,
    char *err, size_t errlen)
{
	struct action_values	 v;
	struct action_argv	 out;
	char			 why[256];

	memset(&v, 0, sizeof(v));
	v.v[AV_ACCOUNT] = "user@example.org";
	v.v[AV_DOMAIN] = "example.org";
	v.v[AV_LOCALPART] = "user";
	if (action_render(value, &v, &out, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "%s: %s", name, why);
		return -1;
	}
	action_argv_free(&out);
	config_act_set(dst, value);
	return 1;
}

/* See config.h. */
int
config_set_action(struct action_config *ac, const char *name,
    const char *value, char *err, size_t errlen)
{
	char	**pathp = NULL;

	if (strcmp(name, "postfix_config") == 0)
		pathp = &ac->postfix_config;
	else if (strcmp(name, "deny_file") == 0)
		pathp = &ac->deny_file;
	else if (strcmp(name, "sasl_access_map") == 0)
		pathp = &ac->sasl_access_map;
	else if (strcmp(name, "passwd_file") == 0)
		pathp = &ac->passwd_file;
	if (pathp != NULL) {
		if (!config_path_ok(value)) {
			snprintf(err, errlen, "%s: expected an absolute path",
			    name);
			return -1;
		}
		config_act_set(pathp, value);
		return 1;
	}
	if (strcmp(name, "password_scheme") == 0) {
		if (!config_act_scheme_ok(value)) {
			snprintf(err, errlen, "password_scheme: expected a "
			    "doveadm pw scheme, like SHA512-CRYPT");
			return -1;
		}
		config_act_set(&ac->password_scheme, value);
		return 1;
	}
	if (strcmp(name, "doveadm") == 0) {
		char	**v = config_split_argv(value);

		if (v[0] == NULL) {
			free(v);
			snprintf(err, errlen, "doveadm: expected a command, "
			    "like /usr/bin/doveadm -c /etc/dovecot/dovecot.conf");
			return -1;
		}
		for (size_t i = 0; ac->doveadm_argv != NULL &&
		    ac->doveadm_argv[i] != NULL; i++)
			free(ac->doveadm_argv[i]);
		free(ac->doveadm_argv);
		ac->doveadm_argv = v;
		return 1;
	}
	if (strcmp(name, "suspend_command") == 0)
		return config_act_template(&ac->suspend_command, name, value,
		    err, errlen);
	if (strcmp(name, "unsuspend_command") == 0)
		return config_act_template(&ac->unsuspend_command, name,
		    value, err, errlen);
	if (strcmp(name, "password_command") == 0)
		return config_act_template(&ac->password_command, name, value,
		    err, errlen);
	return 0;
}

/* See config.h. */
void
config_action_free(struct action_config *ac)
{
	size_t	 i;

	free(ac->postfix_config);
	free(ac->deny_file);
	free(ac->sasl_access_map);
	free(ac->passwd_file);
	free(ac->password_scheme);
	for (i = 0; ac->doveadm_argv != NULL && ac->doveadm_argv[i] != NULL;
	    i++)
		free(ac->doveadm_argv[i]);
	free(ac->doveadm_argv);
	free(ac->suspend_command);
	free(ac->unsuspend_command);
	free(ac->password_command);
	memset(ac, 0, sizeof(*ac));
}

/* See config.h. */
int
config_set_watch(struct watch_config *wc, const char *name,
    const char *value, char *err, size_t errlen)
{
	const char	*p = value, *start;
	char		 word[32];
	size_t		 len;
	unsigned	 bits = 0;

	if (strcmp(name, "level") == 0) {
		if (strcasecmp(value, "critical") == 0)
			wc->level = LEVEL_CRITICAL;
		else if (strcasecmp(value, "suspicious") == 0)
			wc->level = LEVEL_SUSPICIOUS;
		else {
			snprintf(err, errlen, "level: expected suspicious or "
			    "critical");
			return -1;
		}
		return 1;
	}
	if (strcmp(name, "contain") != 0)
		return 0;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		for (start = p; *p != '\0' && *p != ',' && *p != ' ' &&
		    *p != '\t'; p++)
			;
		len = (size_t)(p - start);
		snprintf(word, sizeof(word), "%.*s", (int)(len < 31 ? len : 31),
		    start);
		if (strcasecmp(word, "hold") == 0)
			bits |= WATCH_HOLD;
		else if (strcasecmp(word, "suspend") == 0)
			bits |= WATCH_SUSPEND;
		else if (strcasecmp(word, "purge") == 0)
			bits |= WATCH_PURGE;
		else if (strcasecmp(word, "none") != 0 &&
		    strcasecmp(word, "off") != 0) {
			snprintf(err, errlen, "contain: \"%.31s\" is not hold, "
			    "suspend, purge or none (a password reset needs "
			    "someone to read the password)", word);
			return -1;
		}
	}
	wc->contain = bits;
	return 1;
}
