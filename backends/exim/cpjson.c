/*
 * cpjson.c: judge what cPanel's whmapi1 and uapi print with --output=json
 * (exim.h, cpanel_answer).  Both exit 0 whether or not the call worked;
 * the JSON says (cPanel's API documentation, api.docs.cpanel.net):
 *
 *   WHM API 1:	{"metadata":{"command":"suspend_outgoing_email",
 *		 "reason":"OK","result":1,"version":1}}
 *		a failure has "result":0 and the reason in words;
 *   UAPI:	{"apiversion":3,"func":"suspend_outgoing","module":"Email",
 *		 "result":{"data":1,"errors":null,"messages":null,
 *		 "metadata":{},"status":1,"warnings":null}}
 *		a failure has "status":0 and "errors":["..."].
 *
 * The whole answer must be one well-formed JSON object (RFC 8259, nested
 * at most 32 deep): anything else, or an object with neither verdict, is
 * a failure, never taken for success.  The words of a failure are the
 * tool's, shown to the admin: control characters become spaces.  The
 * step's script prints "mailcon: nothing to do" when there was nothing
 * to call (cpanel.c).
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "exim.h"

#define CJ_DEPTH	32

/* Where a value sits, for the few that matter. */
enum cj_at {
	CJ_OTHER = 0,
	CJ_TOP,		/* the answer */
	CJ_META,	/* top.metadata (WHM API 1) */
	CJ_RESULT,	/* top.result (UAPI) */
	CJ_ERRORS	/* top.result.errors */
};

struct cj {
	const char	*p, *e;
	int		 depth;
	int		 meta_result;	/* -1 absent, else 0/1 */
	int		 status;	/* -1 absent */
	char		 reason[256];
	char		 errors[512];
};

static int	cj_value(struct cj *, enum cj_at, int *);

static void
cj_ws(struct cj *j)
{
	while (j->p < j->e && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

/* Append a decoded byte to a buffer (control bytes as spaces). */
static void
cj_put(char *buf, size_t size, unsigned char c)
{
	size_t	 n = strlen(buf);

	if (n + 1 < size) {
		buf[n] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
		buf[n + 1] = '\0';
	}
}

/* A string at p ('"'); its text into buf (may be NULL).  0 or -1. */
static int
cj_string(struct cj *j, char *buf, size_t size)
{
	int	 i;

	if (j->p >= j->e || *j->p != '"')
		return -1;
	for (j->p++; j->p < j->e; j->p++) {
		unsigned char c = (unsigned char)*j->p;

		if (c == '"') {
			j->p++;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c != '\\') {
			if (buf != NULL)
				cj_put(buf, size, c);
			continue;
		}
		if (++j->p >= j->e)
			return -1;
		switch (*j->p) {
		case '"': case '\\': case '/':
			c = (unsigned char)*j->p;
			break;
		case 'b': case 'f': case 'n': case 'r': case 't':
			c = ' ';
			break;
		case 'u':
			for (i = 1; i <= 4; i++)
				if (j->p + i >= j->e || strchr(
				    "0123456789abcdefABCDEF", j->p[i]) == NULL ||
				    j->p[i] == '\0')
					return -1;
			j->p += 4;
			c = '?';	/* not ASCII text we need */
			break;
		default:
			return -1;
		}
		if (buf != NULL)
			cj_put(buf, size, c);
	}
	return -1;
}

/* A number; *v its value when it is exactly 0 or 1, else -1. */
static int
cj_number(struct cj *j, int *v)
{
	const char	*s = j->p;

	if (j->p < j->e && *j->p == '-')
		j->p++;
	if (j->p >= j->e || *j->p < '0' || *j->p > '9')
		return -1;
	if (*j->p == '0')
		j->p++;
	else
		while (j->p < j->e && *j->p >= '0' && *j->p <= '9')
			j->p++;
	if (j->p < j->e && *j->p == '.') {
		if (++j->p >= j->e || *j->p < '0' || *j->p > '9')
			return -1;
		while (j->p < j->e && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->e && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->e && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->e || *j->p < '0' || *j->p > '9')
			return -1;
		while (j->p < j->e && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	*v = j->p - s == 1 && (*s == '0' || *s == '1') ? *s - '0' : -1;
	return 0;
}

/* After a member or an element: 1 another follows (',' taken), 0 the
   closing character was taken, -1 neither. */
static int
cj_next(struct cj *j, char close)
{
	cj_ws(j);
	if (j->p < j->e && *j->p == ',') {
		j->p++;
		cj_ws(j);
		return 1;
	}
	if (j->p < j->e && *j->p == close) {
		j->p++;
		return 0;
	}
	return -1;
}

/* The place of key inside an object at at. */
static enum cj_at
cj_child(enum cj_at at, const char *key)
{
	if (at == CJ_TOP && strcmp(key, "metadata") == 0)
		return CJ_META;
	if (at == CJ_TOP && strcmp(key, "result") == 0)
		return CJ_RESULT;
	if (at == CJ_RESULT && strcmp(key, "errors") == 0)
		return CJ_ERRORS;
	return CJ_OTHER;
}

/* An object; the verdicts it holds at at are kept. */
static int
cj_object(struct cj *j, enum cj_at at)
{
	char		 key[32], text[256];
	enum cj_at	 child;
	int		 v, rc;

	j->p++;
	cj_ws(j);
	if (j->p < j->e && *j->p == '}') {
		j->p++;
		return 0;
	}
	for (;;) {
		key[0] = '\0';
		if (cj_string(j, key, sizeof(key)) == -1)
			return -1;
		cj_ws(j);
		if (j->p >= j->e || *j->p++ != ':')
			return -1;
		cj_ws(j);
		child = cj_child(at, key);
		text[0] = '\0';
		if ((at == CJ_META && strcmp(key, "reason") == 0 &&
		    j->p < j->e && *j->p == '"')) {
			if (cj_string(j, text, sizeof(text)) == -1)
				return -1;
			snprintf(j->reason, sizeof(j->reason), "%s", text);
		} else {
			v = -1;
			if (cj_value(j, child, &v) == -1)
				return -1;
			if (at == CJ_META && strcmp(key, "result") == 0)
				j->meta_result = v == 1;
			if (at == CJ_RESULT && strcmp(key, "status") == 0)
				j->status = v == 1;
		}
		if ((rc = cj_next(j, '}')) != 1)
			return rc;
	}
}

/* An array; at CJ_ERRORS its strings are joined into errors. */
static int
cj_array(struct cj *j, enum cj_at at)
{
	char	 text[256];
	int	 v, rc;

	j->p++;
	cj_ws(j);
	if (j->p < j->e && *j->p == ']') {
		j->p++;
		return 0;
	}
	for (;;) {
		if (at == CJ_ERRORS && j->p < j->e && *j->p == '"') {
			text[0] = '\0';
			if (cj_string(j, text, sizeof(text)) == -1)
				return -1;
			if (j->errors[0] != '\0')
				strncat(j->errors, "; ", sizeof(j->errors) -
				    strlen(j->errors) - 1);
			strncat(j->errors, text, sizeof(j->errors) -
			    strlen(j->errors) - 1);
		} else if (cj_value(j, CJ_OTHER, &v) == -1)
			return -1;
		if ((rc = cj_next(j, ']')) != 1)
			return rc;
	}
}

/* Any value; *v 0/1 for a number or a string "0"/"1" (else -1). */
static int
cj_value(struct cj *j, enum cj_at at, int *v)
{
	char	 text[4];
	int	 rc;

	*v = -1;
	if (j->p >= j->e)
		return -1;
	switch (*j->p) {
	case '{':
		if (++j->depth > CJ_DEPTH)
			return -1;
		rc = cj_object(j, at);
		j->depth--;
		return rc;
	case '[':
		if (++j->depth > CJ_DEPTH)
			return -1;
		rc = cj_array(j, at);
		j->depth--;
		return rc;
	case '"':
		text[0] = '\0';
		if (cj_string(j, text, sizeof(text)) == -1)
			return -1;
		if (strcmp(text, "0") == 0 || strcmp(text, "1") == 0)
			*v = text[0] - '0';
		return 0;
	case 't':
		if (j->e - j->p < 4 || memcmp(j->p, "true", 4) != 0)
			return -1;
		j->p += 4;
		return 0;
	case 'f':
		if (j->e - j->p < 5 || memcmp(j->p, "false", 5) != 0)
			return -1;
		j->p += 5;
		return 0;
	case 'n':
		if (j->e - j->p < 4 || memcmp(j->p, "null", 4) != 0)
			return -1;
		j->p += 4;
		return 0;
	default:
		return cj_number(j, v);
	}
}

/* See exim.h. */
int
cpanel_answer(const char *out, size_t len, char *why, size_t size)
{
	static const char	 nothing[] = "mailcon: nothing to do\n";
	struct cj		 j;

	if (len == sizeof(nothing) - 1 && memcmp(out, nothing, len) == 0)
		return 1;
	memset(&j, 0, sizeof(j));
	j.p = out;
	j.e = out + len;
	j.meta_result = j.status = -1;
	cj_ws(&j);
	if (j.p >= j.e || *j.p != '{') {
		snprintf(why, size, "its answer is not cPanel's JSON (%s)",
		    len == 0 ? "it printed nothing" : "it does not start with "
		    "'{'");
		return 0;
	}
	if (cj_value(&j, CJ_TOP, &(int){ 0 }) == -1 ||
	    (cj_ws(&j), j.p != j.e)) {
		snprintf(why, size, "its answer is not well-formed JSON "
		    "(at byte %zu)", (size_t)(j.p - out));
		return 0;
	}
	if (j.meta_result == 1 || (j.meta_result == -1 && j.status == 1))
		return 1;
	if (j.meta_result == 0)
		snprintf(why, size, "cPanel said: %s", j.reason[0] != '\0' ?
		    j.reason : "failed (no reason given)");
	else if (j.status == 0)
		snprintf(why, size, "cPanel said: %s", j.errors[0] != '\0' ?
		    j.errors : "failed (no error given)");
	else
		snprintf(why, size, "its answer has no verdict (neither "
		    "metadata.result nor result.status)");
	return 0;
}
