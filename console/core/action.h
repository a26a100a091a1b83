/*
 * action.h: command templates for the one-key actions (suspend, password
 * reset, hold / release / purge), and the checks every value from a log
 * passes before it may reach a command.
 *
 * A template is an argv written as words, with typed placeholders that
 * stand for a whole word or part of one: %{account}, %{domain},
 * %{localpart}, %{queue_id}.  Each value is checked against its strict
 * grammar first; a value that fails refuses the whole action with a
 * message saying which value and why, and nothing runs.  Values are never
 * split into words and never reach a local shell: argv goes to execvp.
 * For a remote shell (SSH) action_shell_quote() single-quotes each word.
 *
 * Sites keep users in SQL, LDAP or passwd-files, so every action's
 * template can be replaced per server in the config.
 */
#ifndef MAILCON_ACTION_H
#define MAILCON_ACTION_H

#include <stddef.h>

#define ACTION_MAX_ARGS		64
#define ACTION_MAX_WORD		1024

enum action_value {
	AV_ACCOUNT = 0,		/* a login: user or user@domain */
	AV_DOMAIN,		/* the part after '@' (or the configured domain) */
	AV_LOCALPART,		/* the part before '@' */
	AV_QUEUE_ID,		/* a Postfix queue id */
	AV_COUNT
};

/* The values an action is filled with; NULL where not applicable. */
struct action_values {
	const char	*v[AV_COUNT];
};

/* A rendered command: argv owned by the struct (action_argv_free). */
struct action_argv {
	char		*argv[ACTION_MAX_ARGS + 1];
	int		 argc;
};

/*
 * Is s a login at all: does it pass the log grammar (account_is_valid),
 * the grammar of every account the detector tracks?  On failure why (size
 * bytes) says what is wrong, naming the offending character.
 */
int	action_login_ok(const char *s, char *why, size_t size);
/*
 * Is s an account a command may name (suspend, reset: the value reaches
 * a script or a site's template as a quoted word)?  What Dovecot and
 * Postfix accept as a login (account_is_valid: letters of any script,
 * digits, . _ % + @ -), but not starting with '.', and not the word ALL.
 * Quotes, blanks, control bytes, invisible characters and a leading '-'
 * are refused by the log grammar already.
 */
int	action_account_ok(const char *s, char *why, size_t size);
/* A DNS domain name: labels of [A-Za-z0-9-], not starting with '-'. */
int	action_domain_ok(const char *s, const char **why);

/*
 * Render template into out with values.  Returns 0, or -1 with a message
 * in err (an unknown or missing placeholder, a value failing its grammar,
 * a template too long); then out is empty and nothing may run.
 */
int	action_render(const char *template, const struct action_values *vals,
	    struct action_argv *out, char *err, size_t errlen);
void	action_argv_free(struct action_argv *a);

/*
 * Write argv as one line for a POSIX shell (a remote command over SSH, or
 * --dry-run): every word single-quoted unless it is plainly safe.  Returns
 * the length, or -1 when it does not fit.
 */
int	action_shell_quote(const struct action_argv *a, char *buf,
	    size_t size);

#endif
