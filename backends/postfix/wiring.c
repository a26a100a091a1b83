/*
 * wiring.c: does Postfix read the map suspend writes?  The read runs
 * postconf -nx (main.cf as Postfix sees it, $names expanded) and
 * postconf -Px (master.cf's -o overrides), and looks for postmap,
 * postsuper, postqueue and the map's source.  The judge wants
 * check_sasl_access hash:MAP (MAP: sasl_access_map) in one of the
 * restriction lists smtpd applies to an authenticated client's mail,
 * before anything there that lets such a client through
 * (permit_sasl_authenticated, permit), in main.cf and in every service
 * whose -o overrides replace those lists (submission, smtps).
 */
#include <stdio.h>
#include <string.h>

#include "postfix.h"
#include "backends/backend.h"
#include "backends/wiring_sh.h"

#define PF_LISTS	3

/* The lists smtpd reads for the mail of a login, the first preferred. */
static const char *const pf_lists[PF_LISTS] = {
	"smtpd_recipient_restrictions", "smtpd_relay_restrictions",
	"smtpd_sender_restrictions"
};

static const char pf_read_script[] =
	WIRE_SH
	"m=$1; shift\n"
	"run 'postconf -nx' \"$@\" -nx\n"
	"run 'postconf -Px' \"$@\" -Px\n"
	"tool postmap\n"
	"tool postsuper\n"
	"tool postqueue\n"
	"wfile \"$m\"\n";

static const char *const pf_read_args[] = { "%{sasl_access_map?}",
	PF_TOOL("postconf"), NULL };

static const struct backend_step pf_read = {
	.name = "mailcon-wiring-postfix",
	.script = pf_read_script,
	.args = pf_read_args,
	.what = "read Postfix's configuration (postconf -nx, postconf -Px)",
};

/* What a restriction list does with the map. */
enum pf_has {
	PF_NONE = 0,	/* not there */
	PF_YES,		/* there, before any permit of a login */
	PF_LATE,	/* there, after such a permit (never reached) */
	PF_OTHER	/* check_sasl_access on the map as another type */
};

/* The next restriction of a list: words split on blanks, ',', '{' '}'. */
static int
pf_word(const char **p, const char *end, const char **w, size_t *len)
{
	const char	*s = *p;

	while (s < end && strchr(" \t,{}", *s) != NULL)
		s++;
	*w = s;
	while (s < end && strchr(" \t,{}", *s) == NULL)
		s++;
	*len = (size_t)(s - *w);
	*p = s;
	return *len > 0;
}

/* Does the word equal s? */
static int
pf_is(const char *w, size_t len, const char *s)
{
	return strlen(s) == len && memcmp(w, s, len) == 0;
}

/*
 * What list value (len bytes) does with map; the permit that comes first
 * in *late (PF_LATE), the other table in other (PF_OTHER); *mynet when
 * permit_mynetworks comes before it (a login's mail sent from there, as
 * webmail's, passes first).
 */
static enum pf_has
pf_list_has(const char *v, size_t len, const char *map, const char **late,
    char *other, size_t size, int *mynet)
{
	const char	*p = v, *end = v + len, *w, *t, *colon;
	size_t		 wl, tl;
	enum pf_has	 r = PF_NONE;

	*late = NULL;
	*mynet = 0;
	while (pf_word(&p, end, &w, &wl)) {
		if (pf_is(w, wl, "permit_mynetworks")) {
			*mynet = 1;
			continue;
		}
		if (pf_is(w, wl, "permit_sasl_authenticated") ||
		    pf_is(w, wl, "permit")) {
			if (*late == NULL)
				*late = pf_is(w, wl, "permit") ? "permit" :
				    "permit_sasl_authenticated";
			continue;
		}
		if (!pf_is(w, wl, "check_sasl_access") ||
		    !pf_word(&p, end, &t, &tl))
			continue;
		colon = memchr(t, ':', tl);
		if (colon == NULL || !pf_is(colon + 1,
		    (size_t)(t + tl - colon - 1), map))
			continue;
		if (pf_is(t, (size_t)(colon - t), "hash"))
			return *late != NULL ? PF_LATE : PF_YES;
		snprintf(other, size, "%.*s", (int)tl, t);
		r = PF_OTHER;
	}
	return r;
}

/*
 * The value of "KEY = VALUE" in body for key (prefix: "" for main.cf,
 * "SERVICE/TYPE/" for master.cf's); 1 with it, else 0.
 */
static int
pf_value(const char *body, size_t blen, const char *key, const char **v,
    size_t *vlen)
{
	const char	*p = body, *end = body + blen, *nl;
	size_t		 klen = strlen(key);

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((size_t)(nl - p) >= klen + 2 &&
		    memcmp(p, key, klen) == 0 && memcmp(p + klen, " =", 2) ==
		    0) {
			*v = p + klen + 2;
			while (*v < nl && **v == ' ')
				(*v)++;
			*vlen = (size_t)(nl - *v);
			return 1;
		}
	}
	return 0;
}

/* Judge one set of lists (main.cf's, or a service's): 1 wired, else 0
   with a finding of why not. */
static int
pf_judge_lists(const char *vals[PF_LISTS], const size_t lens[PF_LISTS],
    const char *map, const char *who, struct wiring_finding *f, size_t *n,
    size_t max)
{
	const char	*late;
	char		 other[256], fix[WIRING_TEXT];
	size_t		 i;
	enum pf_has	 h;
	int		 mynet;

	for (i = 0; i < PF_LISTS; i++)
		if (vals[i] != NULL && pf_list_has(vals[i], lens[i], map,
		    &late, other, sizeof(other), &mynet) == PF_YES) {
			*n = wiring_add(f, *n, max, WIRE_MAIL, WIRE_OK, NULL,
			    "Postfix reads the map %s (check_sasl_access "
			    "hash:%s in %s%s)", map, map, pf_lists[i], who);
			if (!mynet)
				return 1;
			snprintf(fix, sizeof(fix), "put check_sasl_access "
			    "hash:%s before permit_mynetworks in %s%s", map,
			    pf_lists[i], who);
			*n = wiring_add(f, *n, max, WIRE_MAIL, WIRE_NOTE, fix,
			    "permit_mynetworks comes first in %s%s: the mail "
			    "of a login from mynetworks (webmail) is not "
			    "refused", pf_lists[i], who);
			return 1;
		}
	for (i = 0; i < PF_LISTS; i++) {
		if (vals[i] == NULL)
			continue;
		h = pf_list_has(vals[i], lens[i], map, &late, other,
		    sizeof(other), &mynet);
		if (h == PF_LATE) {
			snprintf(fix, sizeof(fix), "move check_sasl_access "
			    "hash:%s before %s in %s%s", map, late,
			    pf_lists[i], who);
			*n = wiring_add(f, *n, max, WIRE_MAIL, WIRE_MISSING,
			    fix, "Postfix never reaches the map %s: %s comes "
			    "first in %s%s", map, late, pf_lists[i], who);
			return 0;
		}
		if (h == PF_OTHER) {
			snprintf(fix, sizeof(fix), "use check_sasl_access "
			    "hash:%s in %s%s", map, pf_lists[i], who);
			*n = wiring_add(f, *n, max, WIRE_MAIL, WIRE_MISSING,
			    fix, "Postfix reads %s, not the hash:%s that "
			    "postmap rebuilds%s", other, map, who);
			return 0;
		}
	}
	snprintf(fix, sizeof(fix), "add check_sasl_access hash:%s to %s%s "
	    "(first, before permit_sasl_authenticated)", map, pf_lists[0],
	    who);
	*n = wiring_add(f, *n, max, WIRE_MAIL, WIRE_MISSING, fix,
	    "Postfix does not read the map %s%s", map, who);
	return 0;
}

/* The services of postconf -Px that replace one of the lists: each
   judged with main.cf's lists where it keeps them. */
static void
pf_judge_services(const char *P, size_t plen, const char *vals[PF_LISTS],
    const size_t lens[PF_LISTS], const char *map, struct wiring_finding *f,
    size_t *n, size_t max)
{
	const char	*p = P, *end = P + plen, *nl, *s1, *s2, *sv[PF_LISTS];
	char		 svc[128], key[200], who[200], needle[130];
	size_t		 i, sl[PF_LISTS], seenlen = 0;
	char		 seen[2048] = "";
	int		 over;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		/* "SERVICE/TYPE/PARAM = VALUE" */
		if ((s1 = memchr(p, '/', (size_t)(nl - p))) == NULL ||
		    (s2 = memchr(s1 + 1, '/', (size_t)(nl - s1 - 1))) ==
		    NULL || (size_t)(s2 - p) >= sizeof(svc) - 2)
			continue;
		snprintf(svc, sizeof(svc), "%.*s/", (int)(s2 - p), p);
		snprintf(needle, sizeof(needle), " %s", svc);
		if (strstr(seen, needle) != NULL)
			continue;
		seenlen += (size_t)snprintf(seen + seenlen, seenlen <
		    sizeof(seen) ? sizeof(seen) - seenlen : 0, " %s", svc);
		if (seenlen >= sizeof(seen))
			seenlen = sizeof(seen) - 1;
		for (over = 0, i = 0; i < PF_LISTS; i++) {
			snprintf(key, sizeof(key), "%s%s", svc, pf_lists[i]);
			if (pf_value(P, plen, key, &sv[i], &sl[i]))
				over = 1;
			else {
				sv[i] = vals[i];
				sl[i] = lens[i];
			}
		}
		if (!over)
			continue;
		svc[strlen(svc) - 1] = '\0';
		snprintf(who, sizeof(who), " of the %s service (master.cf -o)",
		    svc);
		(void)pf_judge_lists(sv, sl, map, who, f, n, max);
	}
}

/* The wiring's judge (backend.h). */
static size_t
pf_judge(const char *out, size_t len, const struct backend_env *env,
    struct wiring_finding *f, size_t max)
{
	const char	*map = wiring_opt(env, "sasl_access_map");
	const char	*body, *P, *vals[PF_LISTS], *e;
	size_t		 blen, plen, lens[PF_LISTS], i, n = 0;
	int		 status, pst;
	char		 fix[WIRING_TEXT];

	if (!wiring_section(out, len, "postconf -nx", &body, &blen,
	    &status) || status != 0) {
		if (body != NULL && (e = memchr(body, '\n', blen)) != NULL)
			blen = (size_t)(e - body);
		snprintf(fix, sizeof(fix), status == 127 ? "install Postfix, "
		    "or set postfix_config to its configuration directory" :
		    "check main.cf, or set postfix_config to the directory "
		    "that holds it");
		n = wiring_add(f, n, max, WIRE_CONFIG, WIRE_MISSING, fix,
		    "Postfix's configuration could not be read (postconf "
		    "-nx: %.*s)", blen > 0 ? (int)blen : 9, blen > 0 ?
		    body : "no answer");
		return wiring_tools_files(out, len, f, n, max);
	}
	n = wiring_add(f, n, max, WIRE_CONFIG, WIRE_OK, NULL,
	    "Postfix's configuration read (postconf -nx)");
	if (map == NULL) {
		n = wiring_add(f, n, max, WIRE_MAIL, WIRE_UNSET,
		    "set sasl_access_map to the source of a check_sasl_access "
		    "hash: map Postfix reads",
		    "sasl_access_map is not set: suspend cannot refuse mail");
		return wiring_tools_files(out, len, f, n, max);
	}
	for (i = 0; i < PF_LISTS; i++)
		if (!pf_value(body, blen, pf_lists[i], &vals[i], &lens[i]))
			vals[i] = NULL;
	(void)pf_judge_lists(vals, lens, map, "", f, &n, max);
	if (wiring_section(out, len, "postconf -Px", &P, &plen, &pst) &&
	    pst == 0 && P != NULL)
		pf_judge_services(P, plen, vals, lens, map, f, &n, max);
	return wiring_tools_files(out, len, f, n, max);
}

/* See postfix.h. */
const struct backend_wiring postfix_wiring = {
	.read = &pf_read,
	.judge = pf_judge,
};
