/* action.c: render action templates from strictly checked values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "action.h"
#include "sanitize.h"
#include "shquote.h"
#include "xmalloc.h"
#include "backends/backend.h"
#include "backends/unichar.h"

static const char *const action_names[AV_COUNT] = {
	"account", "domain", "localpart", "queue_id"
};

/* What the character at the fault is, in words that name it. */
static void
action_name_char(uint32_t cp, int byte, char *buf, size_t size)
{
	if (byte)
		snprintf(buf, size, "the byte \\x%02x, which is not UTF-8",
		    (unsigned)cp);
	else if (cp == ' ')
		snprintf(buf, size, "a space");
	else if (cp < 0x20 || cp == 0x7f)
		snprintf(buf, size, "the control byte \\x%02x", (unsigned)cp);
	else if (cp == '\'' || cp == '"' || cp == '`')
		snprintf(buf, size, "a quote (%c)", (char)cp);
	else if (cp < 0x80)
		snprintf(buf, size, "'%c'", (char)cp);
	else if (uni_is_hidden(cp))
		snprintf(buf, size, "U+%04X, an invisible or format character",
		    (unsigned)cp);
	else
		snprintf(buf, size, "U+%04X, a symbol, space or punctuation "
		    "mark", (unsigned)cp);
}

/* See action.h. */
int
action_login_ok(const char *s, char *why, size_t size)
{
	size_t		 off, n;
	uint32_t	 cp;
	char		 what[96];

	switch (account_check(s, s != NULL ? strlen(s) : 0, &off, &n, &cp)) {
	case ACCOUNT_OK:
		return 1;
	case ACCOUNT_EMPTY:
		snprintf(why, size, "is empty");
		return 0;
	case ACCOUNT_TOO_LONG:
		snprintf(why, size, "is longer than %d bytes", ACCOUNT_MAX);
		return 0;
	case ACCOUNT_LEADING_DASH:
		snprintf(why, size, "starts with '-' (a command would take "
		    "it for an option)");
		return 0;
	case ACCOUNT_BAD_BYTE:
		action_name_char(cp, 1, what, sizeof(what));
		break;
	default:
		action_name_char(cp, 0, what, sizeof(what));
		break;
	}
	snprintf(why, size, "holds %s at byte %zu; a login holds letters, "
	    "digits and . _ %% + @ -", what, off + 1);
	return 0;
}

/* See action.h. */
int
action_account_ok(const char *s, char *why, size_t size)
{
	if (!action_login_ok(s, why, size))
		return 0;
	if (*s == '.') {
		snprintf(why, size, "starts with '.'");
		return 0;
	}
	/* the mail tools' word for "every one" (Postfix's, Dovecot's) */
	if (strcasecmp(s, "ALL") == 0) {
		snprintf(why, size, "is the reserved word ALL");
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

/* Check one value against its grammar; why says what is wrong. */
static int
action_value_ok(enum action_value k, const char *v, char *why, size_t size)
{
	const char	*w;

	switch (k) {
	case AV_ACCOUNT:
		return action_account_ok(v, why, size);
	case AV_DOMAIN:
		if (action_domain_ok(v, &w))
			return 1;
		snprintf(why, size, "%s", w);
		return 0;
	case AV_LOCALPART:
		if (strchr(v, '@') != NULL) {
			snprintf(why, size, "contains '@'");
			return 0;
		}
		return action_account_ok(v, why, size);
	case AV_QUEUE_ID:
		if (!queue_id_is_valid(v, strlen(v)) || *v == '-') {
			snprintf(why, size, "is not a Postfix queue id");
			return 0;
		}
		return 1;
	default:
		snprintf(why, size, "is of an unknown kind");
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
	char		 word[ACTION_MAX_WORD], name[32], shown[80], why[256];
	const char	*p = tpl, *end;
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
			    why, sizeof(why))) {
				/* the value is attacker text: shown escaped */
				sanitize_text(shown, sizeof(shown), vals->v[k],
				    strnlen(vals->v[k], 60));
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
