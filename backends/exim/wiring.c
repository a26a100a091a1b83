/*
 * wiring.c: does Exim read the file suspend writes?  The read asks the
 * running configuration which ACLs check RCPT and MAIL (exim -bP
 * acl_smtp_rcpt acl_smtp_mail) and which file it is (exim -bP
 * configure_file), and prints that file's "begin acl" section only (the
 * rest may hold passwords of lookups).  The judge wants, in the RCPT or
 * MAIL ACL, a deny (or drop, defer) that looks $authenticated_id up in
 * exim_refuse_file, before any accept that lets an authenticated client
 * through: README.md's lines,
 *
 *	deny    authenticated = *
 *	        condition = ${lookup{$authenticated_id}lsearch\
 *	                    {/etc/exim4/mailcon-refuse}{yes}{no}}
 *	        message = 5.7.1 account suspended
 *
 * The section is read as Exim reads it: '#' lines are comments, a line
 * ending in '\' goes on with the next (its leading blanks dropped), an
 * ACL starts with "NAME:" and a statement with its verb.  A value of
 * acl_smtp_rcpt with blanks in it is the ACL itself; one starting with
 * '/' is a file of its own; neither is read (cannot tell).  Macros are
 * not expanded: a path written through one is not recognised.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "exim.h"
#include "backends/backend.h"
#include "backends/wiring_sh.h"

/* $1 the refuse file, $2 the configuration (empty: Exim's), then exim's
   words. */
static const char ex_read_script[] =
	WIRE_SH
	"r=$1 conf=$2\n"
	"shift 2\n"
	"[ -z \"$conf\" ] || set -- \"$@\" -C \"$conf\"\n"
	"run 'exim -bP' \"$@\" -bP acl_smtp_rcpt acl_smtp_mail\n"
	"cf=$(\"$@\" -bP -n configure_file 2>/dev/null </dev/null) || cf=\n"
	"if [ -n \"$cf\" ]; then\n"
	"  sec \"configure_file\"\n"
	"  printf '%s\\n' \"$cf\"\n"
	"  run acls awk '/^[ \\t]*begin[ \\t]+acl[ \\t]*$/ { on = 1; next }\n"
	"    /^[ \\t]*begin[ \\t]/ { on = 0 } on' \"$cf\"\n"
	"fi\n"
	"wfile \"$r\"\n";

static const char *const ex_read_args[] = { "%{exim_refuse_file?}",
	"%{exim_config?}", "%{exim_command}", NULL };

static const struct backend_step ex_read = {
	.name = "mailcon-wiring-exim",
	.script = ex_read_script,
	.args = ex_read_args,
	.what = "read Exim's configuration (exim -bP, its ACLs)",
};

/* snprintf that may cut (findings are plain words of a bounded size). */
static void __attribute__((format(printf, 3, 4)))
ex_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

/* What an ACL does with the refuse file. */
enum ex_has {
	EX_NONE = 0,	/* not there */
	EX_YES,		/* a deny of the listed logins, reached */
	EX_LATE		/* there, after an accept of logins (never reached) */
};

#define EX_LINE_MAX	4096	/* a logical line (continuations joined) */

/* The next logical line of [*p, end) into buf; 0 at the end. */
static int
ex_logical(const char **p, const char *end, char *buf, size_t size)
{
	const char	*s = *p, *nl;
	size_t		 n = 0, len;
	int		 more;

	if (s >= end)
		return 0;
	buf[0] = '\0';
	do {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		len = (size_t)(nl - s);
		more = len > 0 && s[len - 1] == '\\';
		if (more)
			len--;
		if (n > 0)	/* a continuation: its leading blanks go */
			while (len > 0 && (*s == ' ' || *s == '\t')) {
				s++;
				len--;
			}
		if (len > size - 1 - n)
			len = size - 1 - n;
		memcpy(buf + n, s, len);
		n += len;
		buf[n] = '\0';
		s = nl < end ? nl + 1 : end;
	} while (more && s < end);
	*p = s;
	return 1;
}

/* The first word of line (after blanks) into w; its end. */
static const char *
ex_first_word(const char *line, char *w, size_t size)
{
	size_t	 n = 0;

	while (*line == ' ' || *line == '\t')
		line++;
	while (*line != '\0' && *line != ' ' && *line != '\t' &&
	    *line != '=' && n + 1 < size)
		w[n++] = *line++;
	w[n] = '\0';
	return line;
}

/* Is w an ACL verb? */
static int
ex_is_verb(const char *w)
{
	static const char *const verbs[] = { "accept", "deny", "drop",
	    "defer", "discard", "require", "warn", NULL };
	size_t	 i;

	for (i = 0; verbs[i] != NULL; i++)
		if (strcmp(w, verbs[i]) == 0)
			return 1;
	return 0;
}

/* Is line "NAME:" (an ACL's start: a name at the margin, a colon)? */
static int
ex_acl_start(const char *line, char *name, size_t size)
{
	size_t	 n = 0;

	if (*line == ' ' || *line == '\t' || *line == '\0' || *line == '#')
		return 0;
	while (line[n] != '\0' && line[n] != ':' && line[n] != ' ' &&
	    line[n] != '\t' && n + 1 < size) {
		name[n] = line[n];
		n++;
	}
	name[n] = '\0';
	if (line[n] != ':' || n == 0)
		return 0;
	for (n++; line[n] == ' ' || line[n] == '\t'; n++)
		;
	return line[n] == '\0';
}

/* Does one statement (verb, its text) refuse the file's logins? */
static int
ex_refuses(const char *verb, const char *text, const char *file)
{
	char	 want[1100];

	if (strcmp(verb, "deny") != 0 && strcmp(verb, "drop") != 0 &&
	    strcmp(verb, "defer") != 0)
		return 0;
	if (strstr(text, "$authenticated_id") == NULL &&
	    strstr(text, "${authenticated_id}") == NULL)
		return 0;
	ex_fmt(want, sizeof(want), "{%s}", file);
	return strstr(text, "lsearch") != NULL && strstr(text, want) != NULL;
}

/* Does an accepting statement let an authenticated client through? */
static int
ex_accepts_login(const char *verb, const char *text)
{
	const char	*a;

	if (strcmp(verb, "accept") != 0 && strcmp(verb, "discard") != 0)
		return 0;
	/* no condition at all: everyone; else "authenticated = ..." */
	for (a = text; *a == ' ' || *a == '\t'; a++)
		;
	return *a == '\0' || strstr(text, "authenticated") != NULL;
}

/* "VERB TEXT" into buf with each run of blanks one space (for a message). */
static void
ex_squeeze(char *buf, size_t size, const char *verb, const char *text)
{
	size_t	 n;
	int	 blank = 1;

	ex_fmt(buf, size, "%s", verb);
	n = strlen(buf);
	for (; *text != '\0' && n + 2 < size; text++) {
		if (*text == ' ' || *text == '\t') {
			blank = 1;
			continue;
		}
		if (blank)
			buf[n++] = ' ';
		blank = 0;
		buf[n++] = *text;
	}
	buf[n] = '\0';
}

/*
 * The statements of an ACL body (logical lines from [p, end), up to the
 * next ACL), judged in order: EX_YES, EX_LATE (with the accept in late),
 * or EX_NONE.
 */
static enum ex_has
ex_acl_has(const char *p, const char *end, const char *file, char *late,
    size_t latesize)
{
	char		 line[EX_LINE_MAX], stmt[EX_LINE_MAX], verb[16];
	char		 w[64], name[128];
	const char	*rest;
	size_t		 n;
	int		 have = 0, accepted = 0;

	late[0] = '\0';
	stmt[0] = '\0';
	verb[0] = '\0';
	for (;;) {
		int	 eof = !ex_logical(&p, end, line, sizeof(line));

		if (!eof) {
			rest = line + strspn(line, " \t");
			if (*rest == '#' || *rest == '\0')
				continue;
			if (ex_acl_start(line, name, sizeof(name)))
				eof = 1;
		}
		rest = eof ? NULL : ex_first_word(line, w, sizeof(w));
		if (eof || ex_is_verb(w)) {
			/* the statement before this one is complete */
			if (have && ex_refuses(verb, stmt, file))
				return accepted ? EX_LATE : EX_YES;
			if (have && !accepted && ex_accepts_login(verb,
			    stmt)) {
				accepted = 1;
				ex_squeeze(late, latesize, verb, stmt);
			}
			if (eof)
				return EX_NONE;
			ex_fmt(verb, sizeof(verb), "%s", w);
			ex_fmt(stmt, sizeof(stmt), "%s", rest);
			have = 1;
		} else if (have) {
			n = strlen(stmt);
			ex_fmt(stmt + n, sizeof(stmt) - n, " %s", line);
		}
	}
}

/*
 * The body of ACL name in the section [p, end): after its "NAME:" line;
 * NULL when the section has no such ACL.
 */
static const char *
ex_acl_find(const char *p, const char *end, const char *name)
{
	char	 line[EX_LINE_MAX], n[128];

	while (ex_logical(&p, end, line, sizeof(line)))
		if (ex_acl_start(line, n, sizeof(n)) && strcmp(n, name) == 0)
			return p;
	return NULL;
}

/* The value of "KEY = VALUE" in body (exim -bP's lines); 1 with it. */
static int
ex_value(const char *body, size_t blen, const char *key, char *v,
    size_t size)
{
	const char	*p = body, *end = body + blen, *nl, *s;
	size_t		 klen = strlen(key), n;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((size_t)(nl - p) < klen + 2 || memcmp(p, key, klen) != 0 ||
		    memcmp(p + klen, " =", 2) != 0)
			continue;
		for (s = p + klen + 2; s < nl && *s == ' '; s++)
			;
		n = (size_t)(nl - s);
		if (n >= size)
			n = size - 1;
		memcpy(v, s, n);
		v[n] = '\0';
		return 1;
	}
	return 0;
}

/* The first line of a section (a tool's complaint), for a message. */
static int
ex_first_line(const char *body, size_t blen)
{
	const char	*e;

	if (body == NULL)
		return 0;
	if ((e = memchr(body, '\n', blen)) != NULL)
		blen = (size_t)(e - body);
	return blen > 200 ? 200 : (int)blen;
}

/* The lines README.md gives, as the fix. */
static void
ex_fix(char *fix, size_t size, const char *verb, const char *acl,
    const char *file)
{
	ex_fmt(fix, size, "%s the RCPT ACL (%s), before its accept of "
	    "authenticated clients: deny authenticated = * condition = "
	    "${lookup{$authenticated_id}lsearch{%s}{yes}{no}} message = "
	    "5.7.1 account suspended (README.md, \"Exim\")", verb, acl, file);
}

/* The wiring's judge (backend.h). */
static size_t
ex_judge(const char *out, size_t len, const struct backend_env *env,
    struct wiring_finding *f, size_t max)
{
	static const char *const opts[2] = { "acl_smtp_rcpt", "acl_smtp_mail" };
	const char	*file = wiring_opt(env, "exim_refuse_file");
	const char	*body, *acls, *cf, *b;
	char		 acl[2][256], late[EX_LINE_MAX], fix[WIRING_TEXT];
	char		 cfname[256];
	size_t		 blen, alen, cflen, i, n = 0;
	int		 status, ast, cst, named = 0, k;
	enum ex_has	 h;

	if (!wiring_section(out, len, "exim -bP", &body, &blen, &status) ||
	    status != 0) {
		k = ex_first_line(body, blen);
		n = wiring_add(f, n, max, WIRE_CONFIG, WIRE_MISSING,
		    status == 127 ? "install Exim, or set exim_command to its "
		    "binary" : "set exim_config to the configuration Exim "
		    "runs with (Debian: /var/lib/exim4/config.autogenerated)",
		    "Exim's configuration could not be read (exim -bP: %.*s)",
		    k > 0 ? k : 9, k > 0 ? body : "no answer");
		return wiring_tools_files(out, len, f, n, max);
	}
	n = wiring_add(f, n, max, WIRE_CONFIG, WIRE_OK, NULL,
	    "Exim's configuration read (exim -bP)");
	if (file == NULL) {
		n = wiring_add(f, n, max, WIRE_MAIL, WIRE_UNSET,
		    "set exim_refuse_file to the file an ACL of Exim's looks "
		    "$authenticated_id up in (README.md, \"Exim\")",
		    "exim_refuse_file is not set: suspend cannot refuse mail");
		return wiring_tools_files(out, len, f, n, max);
	}
	for (i = 0; i < 2; i++)
		if (!ex_value(body, blen, opts[i], acl[i], sizeof(acl[i])))
			acl[i][0] = '\0';
	if (acl[0][0] == '\0' && acl[1][0] == '\0') {
		ex_fix(fix, sizeof(fix), "set acl_smtp_rcpt and add to", "its "
		    "ACL", file);
		n = wiring_add(f, n, max, WIRE_MAIL, WIRE_MISSING, fix,
		    "Exim checks RCPT and MAIL with no ACL: it never reads "
		    "%s", file);
		return wiring_tools_files(out, len, f, n, max);
	}
	cfname[0] = '\0';
	if (wiring_section(out, len, "configure_file", &cf, &cflen, &cst) &&
	    cf != NULL && (k = ex_first_line(cf, cflen)) > 0)
		ex_fmt(cfname, sizeof(cfname), "%.*s", k, cf);
	if (!wiring_section(out, len, "acls", &acls, &alen, &ast) ||
	    ast != 0) {
		n = wiring_add(f, n, max, WIRE_MAIL, WIRE_UNKNOWN, NULL,
		    "the ACLs of Exim's configuration%s%s could not be read: "
		    "cannot tell whether it reads %s", cfname[0] ? " " : "",
		    cfname, file);
		return wiring_tools_files(out, len, f, n, max);
	}
	for (i = 0; i < 2; i++) {
		if (acl[i][0] == '\0')
			continue;
		if (strpbrk(acl[i], " \t/") != NULL) {
			n = wiring_add(f, n, max, WIRE_MAIL, WIRE_UNKNOWN, NULL,
			    "%s is not the name of an ACL (%.60s): cannot tell "
			    "whether Exim reads %s", opts[i], acl[i], file);
			continue;
		}
		named++;
		if (acls == NULL || (b = ex_acl_find(acls, acls + alen,
		    acl[i])) == NULL)
			continue;
		h = ex_acl_has(b, acls + alen, file, late, sizeof(late));
		if (h == EX_YES) {
			return wiring_tools_files(out, len, f, wiring_add(f, n,
			    max, WIRE_MAIL, WIRE_OK, NULL, "Exim reads %s (a "
			    "deny on $authenticated_id in the ACL %s, %s)",
			    file, acl[i], opts[i]), max);
		}
		if (h == EX_LATE) {
			ex_fmt(fix, sizeof(fix), "move the deny that looks "
			    "$authenticated_id up in %s before \"%.80s\" in "
			    "the ACL %s", file, late, acl[i]);
			return wiring_tools_files(out, len, f, wiring_add(f, n,
			    max, WIRE_MAIL, WIRE_MISSING, fix, "Exim never "
			    "reaches the lookup of %s: \"%.80s\" comes first "
			    "in the ACL %s", file, late, acl[i]), max);
		}
	}
	if (named == 0)
		return wiring_tools_files(out, len, f, n, max);
	ex_fix(fix, sizeof(fix), "add to", acl[0][0] != '\0' ? acl[0] : acl[1],
	    file);
	n = wiring_add(f, n, max, WIRE_MAIL, WIRE_MISSING, fix,
	    "Exim does not read %s: no ACL of %s%s%s looks $authenticated_id "
	    "up in it", file, acl[0][0] != '\0' ? acl[0] : "",
	    acl[0][0] != '\0' && acl[1][0] != '\0' ? " and " : "", acl[1]);
	return wiring_tools_files(out, len, f, n, max);
}

/* See exim.h. */
const struct backend_wiring exim_wiring = {
	.read = &ex_read,
	.judge = ex_judge,
};
