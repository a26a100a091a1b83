/* action.c: render action templates from strictly checked values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../backends/backend.h"
#include "action.h"
#include "shquote.h"
#include "xmalloc.h"

static const char *const action_names[AV_COUNT] = {
	"account", "domain", "localpart", "queue_id"
};

/* A character an account may contain in an action. */
static int
action_account_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
	    c == '+' || c == '@';
}

/* See action.h. */
int
action_account_ok(const char *s, const char **why)
{
	const char	*at = NULL, *p;

	if (s == NULL || *s == '\0') {
		*why = "is empty";
		return 0;
	}
	if (strlen(s) > 255) {
		*why = "is longer than 255 characters";
		return 0;
	}
	if (*s == '-' || *s == '.') {
		*why = "starts with '-' or '.'";
		return 0;
	}
	/* postsuper's and doveadm's word for "every one" */
	if (strcasecmp(s, "ALL") == 0) {
		*why = "is the reserved word ALL";
		return 0;
	}
	for (p = s; *p != '\0'; p++) {
		if (!action_account_char((unsigned char)*p)) {
			*why = "contains a character other than letters, "
			    "digits, '.', '_', '-', '+' and '@'";
			return 0;
		}
		if (*p == '@') {
			if (at != NULL) {
				*why = "contains more than one '@'";
				return 0;
			}
			at = p;
		}
	}
	if (at != NULL && (at == s || at[1] == '\0')) {
		*why = "has nothing before or after its '@'";
		return 0;
	}
	if (!account_is_valid(s, strlen(s))) {
		*why = "fails the login grammar";
		return 0;
	}
	return 1;
}

/* See action.h. */
int
action_domain_ok(const char *s, const char **why)
{
	size_t	 label = 0, n = 0;

	if (s == NULL || *s == '\0' || *s == '-' || *s == '.') {
		*why = "is empty or starts with '-' or '.'";
		return 0;
	}
	for (; *s != '\0'; s++, n++) {
		if (*s == '.') {
			if (label == 0) {
				*why = "has an empty label";
				return 0;
			}
			label = 0;
			continue;
		}
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || (*s == '-' && label > 0)) ||
		    ++label > 63) {
			*why = "is not a DNS domain name";
			return 0;
		}
	}
	if (n > 253 || label == 0) {
		*why = "is not a DNS domain name";
		return 0;
	}
	return 1;
}

/* Check one value against its grammar. */
static int
action_value_ok(enum action_value k, const char *v, const char **why)
{
	switch (k) {
	case AV_ACCOUNT:
		return action_account_ok(v, why);
	case AV_DOMAIN:
		return action_domain_ok(v, why);
	case AV_LOCALPART:
		if (strchr(v, '@') != NULL) {
			*why = "contains '@'";
			return 0;
		}
		return action_account_ok(v, why);
	case AV_QUEUE_ID:
		if (!queue_id_is_valid(v, strlen(v)) || *v == '-') {
			*why = "is not a Postfix queue id";
			return 0;
		}
		return 1;
	default:
		*why = "is of an unknown kind";
		return 0;
	}
}

/* See action.h. */
void
action_argv_free(struct action_argv *a)
{
	int	 i;

	for (i = 0; i < a->argc; i++)
		free(a->argv[i]);
	memset(a, 0, sizeof(*a));
}

/* Append n bytes to the word being built; -1 when it is too long. */
static int
action_put(char *word, size_t *len, const char *p, size_t n)
{
	if (*len + n >= ACTION_MAX_WORD)
		return -1;
	memcpy(word + *len, p, n);
	*len += n;
	word[*len] = '\0';
	return 0;
}

/* See action.h. */
int
action_render(const char *tpl, const struct action_values *vals,
    struct action_argv *out, char *err, size_t errlen)
{
	char		 word[ACTION_MAX_WORD], name[32], shown[80];
	const char	*p = tpl, *end, *why;
	size_t		 len, n;
	int		 k;

	memset(out, 0, sizeof(*out));
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		if (out->argc == ACTION_MAX_ARGS) {
			snprintf(err, errlen, "template has more than %d words",
			    ACTION_MAX_ARGS);
			goto fail;
		}
		len = 0;
		word[0] = '\0';
		while (*p != '\0' && *p != ' ' && *p != '\t') {
			if (p[0] != '%' || p[1] != '{') {
				if (action_put(word, &len, p, 1) == -1)
					goto toolong;
				p++;
				continue;
			}
			if ((end = strchr(p + 2, '}')) == NULL ||
			    (n = (size_t)(end - p - 2)) >= sizeof(name)) {
				snprintf(err, errlen, "template: unfinished "
				    "placeholder at \"%.20s\"", p);
				goto fail;
			}
			memcpy(name, p + 2, n);
			name[n] = '\0';
			for (k = 0; k < AV_COUNT; k++)
				if (strcmp(name, action_names[k]) == 0)
					break;
			if (k == AV_COUNT) {
				snprintf(err, errlen, "template: unknown "
				    "placeholder %%{%s} (account, domain, "
				    "localpart, queue_id)", name);
				goto fail;
			}
			if (vals->v[k] == NULL) {
				snprintf(err, errlen, "template: %%{%s} has no "
				    "value for this action", name);
				goto fail;
			}
			if (!action_value_ok((enum action_value)k, vals->v[k],
			    &why)) {
				/* the value is attacker text: shown escaped */
				snprintf(shown, sizeof(shown), "%.60s",
				    vals->v[k]);
				for (n = 0; shown[n] != '\0'; n++)
					if ((unsigned char)shown[n] < 0x20 ||
					    (unsigned char)shown[n] >= 0x7f)
						shown[n] = '?';
				snprintf(err, errlen, "refused: the %s \"%s\" "
				    "%s; nothing was run", name, shown, why);
				goto fail;
			}
			if (action_put(word, &len, vals->v[k],
			    strlen(vals->v[k])) == -1)
				goto toolong;
			p = end + 1;
		}
		out->argv[out->argc++] = xstrdup(word);
	}
	if (out->argc == 0) {
		snprintf(err, errlen, "template is empty");
		goto fail;
	}
	return 0;
toolong:
	snprintf(err, errlen, "template: a word is longer than %d bytes",
	    ACTION_MAX_WORD - 1);
fail:
	action_argv_free(out);
	return -1;
}

/* See action.h. */
int
action_shell_quote(const struct action_argv *a, char *buf, size_t size)
{
	return shquote_argv(a->argc, a->argv, buf, size);
}
