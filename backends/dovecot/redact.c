/*
 * dovecot_redact.c: the secrets Dovecot 2.2, 2.3 and 2.4 write into their
 * logs, and where they end; see redact.h.
 *
 * From dovecot/core src/auth (auth-request.c, passdb.c, passdb-pam.c,
 * passdb-ldap.c, passdb-cache.c, auth-client-connection.c,
 * auth-master-connection.c, db-ldap.c):
 *
 *   auth_verbose_passwords = plain | sha1[:N]:
 *     "... Password mismatch (given password: PW)"
 *     "... unknown user (SHA1 of given password: HEX) - trying the next passdb"
 *     pam: "pam_authenticate() failed: ... (Password mismatch?) (given password: PW)"
 *     ldap (2.2): "invalid credentials (given password: PW)"
 *   auth_debug_passwords = yes:
 *     "Debug: ...: SHA512-CRYPT(PW) != 'HASH'[, try SCHEME scheme instead]"
 *     "Error: ...: Invalid password 'HASH' in passdb: ERROR"
 *     "Debug: ...: Credentials: HEX"
 *     "Debug: ...: Generating SCHEME from user 'U', password 'PW'"
 *     "Info: ...: Requested X scheme, but we have only Y (input: CREDENTIALS)"
 *     "Debug: ...: cache hit: PW<TAB>fields"
 *     "Debug: client in: AUTH<TAB>1<TAB>PLAIN<TAB>...<TAB>resp=BASE64"
 *     "Debug: client in: CONT<TAB>1<TAB>BASE64"
 *     "Debug: client passdb out: OK<TAB>1<TAB>user=u<TAB>pass=PW", and the
 *       "passdb out:", "master out:" lines; LDAP result dumps
 *       " userPassword=PW": any field whose name holds "pass".
 *
 * PW is what the client sent: attacker text that may imitate any of the
 * markers.  Each rule therefore starts hiding at the FIRST place the
 * secret could start (a marker imitated earlier in the line only hides
 * more) and runs to the end of the line unless the server wrote a known
 * tail after it.
 */
#include <string.h>

#include "backends/redact.h"
#include "backends/textscan.h"

/* "given password: PW)" and its SHA1 form, from PW to the server's tail. */
static void
dr_given(struct redact *r)
{
	static const char *const tails[] = { ") - trying the next passdb",
	    ") - trying the next userdb", ")" };
	size_t		 at, e = r->len, i, n;

	if ((at = redact_find(r, 0, "given password: ",
	    LIT("given password: "))) == REDACT_NONE)
		return;
	at += LIT("given password: ");
	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		n = strlen(tails[i]);
		if (r->len - at >= n &&
		    memcmp(r->line + r->len - n, tails[i], n) == 0) {
			e = r->len - n;
			break;
		}
	}
	redact_hide(r, at, e, NULL);
}

/* A scheme name as Dovecot writes it before "(": SHA512-CRYPT, PLAIN. */
static int
dr_scheme_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
	    c == '.' || c == '_';
}

/*
 * "SCHEME(PW) != 'HASH'": from the first ": SCHEME(" of the line; when
 * none is found (a scheme written in lower case), from the first ": "
 * (the log prefix's, before any text of the client's), or all of it.
 */
static void
dr_mismatch(struct redact *r)
{
	size_t	 m, at = 0, i;

	if ((m = redact_find(r, 0, ") != '", LIT(") != '"))) == REDACT_NONE)
		return;
	while ((at = redact_find(r, at, ": ", 2)) != REDACT_NONE && at < m) {
		for (i = at + 2; i < m && dr_scheme_char(r->line[i]); i++)
			;
		if (i > at + 2 && i < m && r->line[i] == '(') {
			redact_hide(r, i + 1, r->len, REDACT_HIDDEN ") != '"
			    REDACT_HIDDEN "'");
			return;
		}
		at += 2;
	}
	at = redact_find(r, 0, ": ", 2);
	redact_hide(r, at == REDACT_NONE || at > m ? 0 : at + 2, r->len, NULL);
}

/* MARKER then the secret to the end of the line (or to stop, if found). */
static void
dr_after(struct redact *r, const char *marker, const char *stop)
{
	size_t	 at, e = r->len, k;

	if ((at = redact_find(r, 0, marker, strlen(marker))) == REDACT_NONE)
		return;
	at += strlen(marker);
	/* the last stop: the secret may hold one */
	if (stop != NULL)
		for (k = at; (k = redact_find(r, k, stop, strlen(stop))) !=
		    REDACT_NONE; k++)
			e = k;
	redact_hide(r, at, e, NULL);
}

/* Whether the line holds marker anywhere (a rule's condition). */
static int
dr_has(const struct redact *r, const char *marker)
{
	return redact_find(r, 0, marker, strlen(marker)) != REDACT_NONE;
}

/*
 * A passdb cache hit shows the password first; a userdb one does not.
 * The first that is no userdb's (a login may imitate one before it).
 */
static void
dr_cache_hit(struct redact *r)
{
	size_t	 at = 0;

	while ((at = redact_find(r, at, "cache hit: ", LIT("cache hit: "))) !=
	    REDACT_NONE) {
		if (at < LIT("userdb ") || memcmp(r->line + at -
		    LIT("userdb "), "userdb ", LIT("userdb ")) != 0) {
			redact_hide(r, at + LIT("cache hit: "), r->len, NULL);
			return;
		}
		at += LIT("cache hit: ");
	}
}

/* Whether c is a byte of a field name (a letter, digit, '_' or '-'). */
static int
dr_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/*
 * Every "NAME=VALUE" field whose NAME holds "pass" (any case), in the
 * tab-separated protocol dumps (a tab before NAME: the value ends at the
 * next, Dovecot escapes tabs in values), written by rsyslog with "#011"
 * for a tab (which a value may hold as text: to the end of the line), or
 * space-separated (LDAP results: a value may hold spaces: to the end).
 */
static void
dr_pass_fields(struct redact *r)
{
	const char	*p = r->line;
	size_t		 i, s, e, k;

	for (i = 0; i + 4 <= r->len; i++) {
		if ((p[i] | 0x20) != 'p' || (p[i + 1] | 0x20) != 'a' ||
		    (p[i + 2] | 0x20) != 's' || (p[i + 3] | 0x20) != 's')
			continue;
		for (s = i; s > 0 && dr_name_char(p[s - 1]); s--)
			;
		for (e = i + 4; e < r->len && dr_name_char(p[e]); e++)
			;
		if (e >= r->len || p[e] != '=')
			continue;
		/* "#011" is a tab as rsyslog writes it: its digits are no
		   part of the name */
		if (s > 0 && p[s - 1] == '#' && i - s >= 3 &&
		    memcmp(p + s, "011", 3) == 0)
			s += 3;
		if (s > 0 && p[s - 1] == '\t') {
			/* Dovecot escapes a tab in a value: the next ends it */
			for (k = ++e; k < r->len && p[k] != '\t'; k++)
				;
			redact_hide(r, e, k, NULL);
			i = k;
		} else if ((s >= 4 && memcmp(p + s - 4, "#011", 4) == 0) ||
		    (s > 0 && p[s - 1] == ' ')) {
			/* a value may hold "#011" or a blank: to the end */
			redact_hide(r, e + 1, r->len, NULL);
			return;
		}
	}
}

/*
 * Whether any rule below may find something: one pass over the line for
 * the words every rule needs ("pass" in any case: given password, Invalid
 * password, Generating ... password, the pass fields), so that most lines
 * cost one look, not a dozen.  A rule added below adds its word here.
 */
static int
dr_maybe(const struct redact *r)
{
	const char	*p = r->line, *e = r->line + r->len;

#define AT(s)	((size_t)(e - p) >= sizeof(s) - 1 && \
		    memcmp(p, s, sizeof(s) - 1) == 0)
	for (; p < e; p++) {
		switch (*p) {
		case 'p':
		case 'P':
			if (e - p >= 4 && (p[1] | 0x20) == 'a' &&
			    (p[2] | 0x20) == 's' && (p[3] | 0x20) == 's')
				return 1;
			break;
		case ')':
			if (AT(") != '"))
				return 1;
			break;
		case 'C':
			if (AT("Credentials: "))
				return 1;
			break;
		case '(':
			if (AT("(input: "))
				return 1;
			break;
		case 'c':
			if (AT("cache hit: ") || AT("client in: "))
				return 1;
			break;
		default:
			break;
		}
	}
#undef AT
	return 0;
}

/* See redact.h. */
void
dovecot_redact(struct redact *r)
{
	/* a Postfix daemon's line (postfix/smtpd, postfix-out/qmgr) holds
	   no secret of Dovecot's: most lines of a mail log, skipped */
	if (r->prog.len > LIT("postfix/") && memcmp(r->prog.p, "postfix",
	    LIT("postfix")) == 0 && memchr(r->prog.p, '/', r->prog.len) !=
	    NULL)
		return;
	if (!dr_maybe(r))
		return;
	dr_given(r);
	dr_mismatch(r);
	dr_after(r, "Credentials: ", NULL);
	dr_after(r, "Invalid password '", "' in passdb: ");
	if (dr_has(r, "Generating "))
		dr_after(r, ", password '", NULL);
	if (dr_has(r, "but we have only "))
		dr_after(r, " (input: ", NULL);
	dr_cache_hit(r);
	if (dr_has(r, "client in: ")) {
		dr_after(r, "resp=", NULL);
		dr_after(r, "client in: CONT", NULL);
	}
	dr_pass_fields(r);
}
