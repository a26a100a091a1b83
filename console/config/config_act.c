/*
 * config_act.c: the configuration of actions: the [server NAME] keys that
 * say how a server suspends, resets and reaches its queue (the site's own
 * templates, and every key a backend declares, checked by its type), and
 * [watch].
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

/* A word option's value: letters, digits, '-', '.', '_'; at most 32. */
static int
config_act_word_ok(const char *s)
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

/* The slot of option o in ac, made when missing. */
static struct server_opt *
config_act_slot(struct action_config *ac, const struct backend_option *o)
{
	size_t	 i;

	for (i = 0; i < ac->nopts; i++)
		if (ac->opts[i].opt == o)
			return &ac->opts[i];
	ac->opts = xreallocarray(ac->opts, ac->nopts + 1, sizeof(*ac->opts));
	memset(&ac->opts[ac->nopts], 0, sizeof(ac->opts[0]));
	ac->opts[ac->nopts].opt = o;
	return &ac->opts[ac->nopts++];
}

/*
 * A backend's key, checked by its type (backend.h): 1 taken, -1 with err
 * naming the key and what it expects.
 */
static int
config_act_option(struct action_config *ac, const struct backend_option *o,
    const char *value, char *err, size_t errlen)
{
	struct server_opt	*slot;
	char			**words = NULL;

	switch (o->type) {
	case BOPT_PATH:
		if (!config_path_ok(value)) {
			snprintf(err, errlen, "%s: expected an absolute path",
			    o->name);
			return -1;
		}
		break;
	case BOPT_WORD:
		if (!config_act_word_ok(value)) {
			snprintf(err, errlen, "%s: expected %s", o->name,
			    o->example != NULL ? o->example : "a name of "
			    "letters, digits, '-', '.' and '_'");
			return -1;
		}
		break;
	case BOPT_COMMAND:
		words = config_split_argv(value);
		if (words[0] == NULL) {
			free(words);
			snprintf(err, errlen, "%s: expected %s", o->name,
			    o->example != NULL ? o->example : "a command");
			return -1;
		}
		break;
	}
	slot = config_act_slot(ac, o);
	config_act_set(&slot->value, value);
	config_free_strv(slot->words);
	slot->words = words;
	return 1;
}

/* See config.h. */
int
config_set_action(struct action_config *ac, const char *name,
    const char *value, char *err, size_t errlen)
{
	const struct backend_option	*o;

	if (strcmp(name, "suspend_command") == 0)
		return config_act_template(&ac->suspend_command, name, value,
		    err, errlen);
	if (strcmp(name, "unsuspend_command") == 0)
		return config_act_template(&ac->unsuspend_command, name,
		    value, err, errlen);
	if (strcmp(name, "password_command") == 0)
		return config_act_template(&ac->password_command, name, value,
		    err, errlen);
	if ((o = backend_option_find(name, NULL)) == NULL)
		return 0;
	return config_act_option(ac, o, value, err, errlen);
}

/* The slot of the key called name, or NULL when it is not set. */
static const struct server_opt *
config_act_find(const struct action_config *ac, const char *name)
{
	size_t	 i;

	for (i = 0; i < ac->nopts; i++)
		if (strcmp(ac->opts[i].opt->name, name) == 0)
			return &ac->opts[i];
	return NULL;
}

/* See config.h. */
const char *
config_action_opt(const struct action_config *ac, const char *name)
{
	const struct server_opt	*o = config_act_find(ac, name);

	return o != NULL ? o->value : NULL;
}

/* See config.h. */
char *const *
config_action_words(const struct action_config *ac, const char *name)
{
	const struct server_opt	*o = config_act_find(ac, name);

	return o != NULL ? o->words : NULL;
}

/* See config.h. */
void
config_action_free(struct action_config *ac)
{
	size_t	 i;

	for (i = 0; i < ac->nopts; i++) {
		free(ac->opts[i].value);
		config_free_strv(ac->opts[i].words);
	}
	free(ac->opts);
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
