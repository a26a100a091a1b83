/*
 * wiring.c: does Dovecot read the files suspend and reset write?  The
 * read runs doveconf -n through doveadm (`doveadm config -n`: the same
 * -c as every other doveadm command of the server's), and looks for
 * doveadm, the deny file and the passwd-file.  The judge wants, among
 * the passdbs doveconf prints in the order Dovecot asks them:
 *   - a passwd-file passdb that refuses whom it finds (deny = yes, or
 *     result_success = return-fail) on deny_file, before every passdb
 *     that lets a login in (else the right password logs in first);
 *   - a passwd-file passdb on passwd_file that lets logins in.
 * A path with a %variable (one file per domain) cannot be compared: said
 * as unknown.  Dovecot 2.4's passwd_file_path is read as args is.
 */
#include <stdio.h>
#include <string.h>

#include "dovecot.h"
#include "backends/backend.h"
#include "backends/wiring_sh.h"

#define DC_PASSDB_MAX	16

static const char dc_read_script[] =
	WIRE_SH
	"d=$1 p=$2; shift 2\n"
	"run 'doveconf -n' \"$@\" config -n\n"
	"tool \"$1\"\n"
	"wfile \"$d\"\n"
	"wfile \"$p\"\n";

static const char *const dc_read_args[] = { "%{deny_file?}",
	"%{passwd_file?}", "%{doveadm}", NULL };

static const struct backend_step dc_read = {
	.name = "mailcon-wiring-dovecot",
	.script = dc_read_script,
	.args = dc_read_args,
	.what = "read Dovecot's configuration (doveconf -n)",
};

/* One passdb { } of doveconf -n. */
struct dc_passdb {
	char	 driver[32];
	char	 file[256];	/* the last word of args without '=' */
	int	 deny;
};

/* Copy "key = value" of a line in a passdb block into the passdb. */
static void
dc_setting(struct dc_passdb *pd, const char *p, size_t len)
{
	const char	*eq, *v, *w, *end = p + len;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if ((eq = memchr(p, '=', (size_t)(end - p))) == NULL)
		return;
	for (v = eq + 1; v < end && *v == ' '; v++)
		;
#define DC_KEY(k) ((size_t)(eq - p) >= sizeof(k) - 1 && \
	memcmp(p, k, sizeof(k) - 1) == 0 && \
	(p[sizeof(k) - 1] == ' ' || p[sizeof(k) - 1] == '='))
	if (DC_KEY("driver"))
		snprintf(pd->driver, sizeof(pd->driver), "%.*s",
		    (int)(end - v), v);
	else if (DC_KEY("deny"))
		pd->deny = end - v == 3 && memcmp(v, "yes", 3) == 0;
	else if (DC_KEY("result_success"))
		pd->deny |= end - v >= 11 && memcmp(v, "return-fail", 11) ==
		    0;
	else if (DC_KEY("args") || DC_KEY("passwd_file_path")) {
		/* the file is the last word that is no "key=value" */
		for (w = v; v < end; v = w) {
			while (v < end && *v == ' ')
				v++;
			for (w = v; w < end && *w != ' '; w++)
				;
			if (w > v && memchr(v, '=', (size_t)(w - v)) == NULL)
				snprintf(pd->file, sizeof(pd->file), "%.*s",
				    (int)(w - v), v);
		}
	}
#undef DC_KEY
}

/* The passdbs of doveconf -n's output, in order; how many. */
static size_t
dc_passdbs(const char *body, size_t blen, struct dc_passdb *pd, size_t max)
{
	const char	*p = body, *end = body + blen, *nl;
	size_t		 n = 0, len;
	int		 depth = 0, in = 0;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		len = (size_t)(nl - p);
		if (len > 0 && p[len - 1] == '{') {
			if (depth == 0 && len >= 7 && memcmp(p, "passdb", 6) ==
			    0 && (p[6] == ' ' || p[6] == '{') && n < max) {
				memset(&pd[n++], 0, sizeof(*pd));
				in = 1;
			}
			depth++;
			continue;
		}
		if (len > 0 && memchr(p, '}', len) != NULL &&
		    memchr(p, '=', len) == NULL) {
			if (depth > 0 && --depth == 0)
				in = 0;
			continue;
		}
		if (in && depth == 1)
			dc_setting(&pd[n - 1], p, len);
	}
	return n;
}

/* Is the passdb a passwd-file one on path? */
static int
dc_on(const struct dc_passdb *pd, const char *path)
{
	return strcmp(pd->driver, "passwd-file") == 0 &&
	    strcmp(pd->file, path) == 0;
}

/* The deny file's finding. */
static size_t
dc_judge_deny(const struct dc_passdb *pd, size_t np, const char *deny,
    struct wiring_finding *f, size_t n, size_t max)
{
	char	 fix[WIRING_TEXT];
	size_t	 i;
	int	 before = -1, vars = 0;

	for (i = 0; i < np; i++) {
		vars |= strchr(pd[i].file, '%') != NULL && pd[i].deny;
		if (pd[i].deny && dc_on(&pd[i], deny)) {
			if (before == -1)
				return wiring_add(f, n, max, WIRE_LOGINS,
				    WIRE_OK, NULL, "Dovecot reads the deny "
				    "file %s (a deny passdb, before the "
				    "others)", deny);
			snprintf(fix, sizeof(fix), "move the passdb { driver "
			    "= passwd-file  deny = yes  args = %s } above the "
			    "other passdbs", deny);
			return wiring_add(f, n, max, WIRE_LOGINS, WIRE_MISSING,
			    fix, "Dovecot asks the deny passdb on %s after "
			    "the passdb on %s: a right password logs in "
			    "first", deny, pd[before].file[0] != '\0' ?
			    pd[before].file : pd[before].driver);
		}
		if (!pd[i].deny && before == -1)
			before = (int)i;
	}
	if (vars)
		return wiring_add(f, n, max, WIRE_LOGINS, WIRE_UNKNOWN,
		    "check by hand that the deny passdb's file is deny_file",
		    "Dovecot's deny passdb names its file with a %%variable: "
		    "cannot tell whether it reads %s", deny);
	snprintf(fix, sizeof(fix), "add, first among the passdbs: passdb { "
	    "driver = passwd-file  deny = yes  args = %s }", deny);
	return wiring_add(f, n, max, WIRE_LOGINS, WIRE_MISSING, fix,
	    "Dovecot does not read the deny file %s (no deny passdb on it)",
	    deny);
}

/* The passwd-file's finding. */
static size_t
dc_judge_passwd(const struct dc_passdb *pd, size_t np, const char *pw,
    struct wiring_finding *f, size_t n, size_t max)
{
	char		 fix[WIRING_TEXT];
	const char	*other = NULL;
	size_t		 i;

	for (i = 0; i < np; i++) {
		if (pd[i].deny || strcmp(pd[i].driver, "passwd-file") != 0)
			continue;
		if (strcmp(pd[i].file, pw) == 0)
			return wiring_add(f, n, max, WIRE_PASSWD, WIRE_OK,
			    NULL, "Dovecot checks passwords in %s", pw);
		if (other == NULL)
			other = pd[i].file;
	}
	if (other != NULL && strchr(other, '%') != NULL)
		return wiring_add(f, n, max, WIRE_PASSWD, WIRE_UNKNOWN,
		    "check by hand that passwd_file is the file of the login",
		    "Dovecot's passwd-file is %s: cannot tell whether it is "
		    "%s", other, pw);
	if (other != NULL)
		snprintf(fix, sizeof(fix), "set passwd_file = %s (the "
		    "passwd-file Dovecot reads)", other);
	else
		snprintf(fix, sizeof(fix), "add a passdb { driver = "
		    "passwd-file  args = scheme=SHA512-CRYPT %s }", pw);
	return wiring_add(f, n, max, WIRE_PASSWD, WIRE_MISSING, fix,
	    "Dovecot does not check passwords in %s: a reset changes a file "
	    "no login uses", pw);
}

/* The wiring's judge (backend.h). */
static size_t
dc_judge(const char *out, size_t len, const struct backend_env *env,
    struct wiring_finding *f, size_t max)
{
	struct dc_passdb pd[DC_PASSDB_MAX];
	const char	*deny = wiring_opt(env, "deny_file");
	const char	*pw = wiring_opt(env, "passwd_file");
	const char	*body, *e;
	size_t		 blen, np, n = 0;
	int		 status;

	if (!wiring_section(out, len, "doveconf -n", &body, &blen,
	    &status) || status != 0) {
		if (body != NULL && (e = memchr(body, '\n', blen)) != NULL)
			blen = (size_t)(e - body);
		n = wiring_add(f, n, max, WIRE_CONFIG, WIRE_MISSING,
		    status == 127 ? "install Dovecot, or set doveadm to how "
		    "it is run here" : "check dovecot.conf (doveconf -n says "
		    "what is wrong), or set doveadm with its -c",
		    "Dovecot's configuration could not be read (doveconf -n: "
		    "%.*s)", blen > 0 ? (int)blen : 9, blen > 0 ?
		    body : "no answer");
		return wiring_tools_files(out, len, f, n, max);
	}
	n = wiring_add(f, n, max, WIRE_CONFIG, WIRE_OK, NULL,
	    "Dovecot's configuration read (doveconf -n)");
	np = dc_passdbs(body, blen, pd, DC_PASSDB_MAX);
	if (deny != NULL)
		n = dc_judge_deny(pd, np, deny, f, n, max);
	else
		n = wiring_add(f, n, max, WIRE_LOGINS, WIRE_UNSET,
		    "set deny_file to the file of a deny passdb Dovecot "
		    "reads first", "deny_file is not set: suspend cannot "
		    "refuse logins");
	if (pw != NULL)
		n = dc_judge_passwd(pd, np, pw, f, n, max);
	return wiring_tools_files(out, len, f, n, max);
}

/* See dovecot.h. */
const struct backend_wiring dovecot_wiring = {
	.read = &dc_read,
	.judge = dc_judge,
};
