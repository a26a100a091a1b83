/*
 * contain_wire.c: the wiring read before a containment action, or for
 * a suspend right after its refusals are written (contain_int.h,
 * wiring.h).  A suspend that writes a deny file Dovecot
 * has no deny passdb for, or a map no restriction list of Postfix's
 * names, has changed files and stopped nobody: its result says "files
 * updated" and the lines to add, and its verification fails whatever
 * the files hold.  A read that cannot run does not stop the action (the
 * files are still worth changing); the result says it was not checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contain.h"
#include "contain_int.h"
#include "wiring.h"
#include "core/xmalloc.h"

/* See contain_int.h: the actions whose files the wiring is about, and
   every dry run; never a site's own command (its wiring is the site's). */
int
contain_wire_wanted(const struct contain *c)
{
	const struct action_config *ac = &c->sc->act;

	if (c->wrep != NULL || c->wire != NULL || c->req.sandbox)
		return 0;
	switch (c->req.action) {
	case CA_SUSPEND:
		/* read after its refusals are written, not before: the
		   wiring's two reads cost more than the deny step itself,
		   and its result changes no step, only what is said */
		return ac->suspend_command == NULL && (c->req.dry_run ||
		    c->phase == P_SUS_DENY_DONE);
	case CA_UNSUSPEND:
		return ac->unsuspend_command == NULL && c->req.dry_run;
	case CA_RESET:
		return ac->password_command == NULL;
	default:
		return c->req.dry_run;
	}
}

/* See contain_int.h. */
void
contain_wire_start(struct contain *c, int64_t now)
{
	c->wire = wiring_start(c->sc, c->via.ssh != NULL ? &c->via : NULL,
	    c->deadline_ms, now);
	c->op = OP_WIRE;
}

/* See contain_int.h: keep the report, free the run. */
void
contain_wire_done(struct contain *c)
{
	c->wrep = xmalloc(sizeof(*c->wrep));
	*c->wrep = *wiring_result(c->wire);
	wiring_free(c->wire);
	c->wire = NULL;
	c->op = OP_NONE;
}

/* See contain_int.h. */
int
contain_wire_said(struct contain *c, enum contain_action a)
{
	char	 logins[2 * WIRING_TEXT + 4], mail[2 * WIRING_TEXT + 4];
	int	 l, m;

	if (c->wrep == NULL)
		return 0;
	if (c->wrep->err[0] != '\0')
		contain_say(c, "wiring not checked: %s", c->wrep->err);
	if (a == CA_RESET) {
		if (!wiring_missing(c->wrep, WIRE_PASSWD, logins,
		    sizeof(logins)))
			return 0;
		contain_say(c, "file updated; %s", logins);
		return 1;
	}
	l = wiring_missing(c->wrep, WIRE_LOGINS, logins, sizeof(logins));
	m = wiring_missing(c->wrep, WIRE_MAIL, mail, sizeof(mail));
	if (!l && !m)
		return 0;
	if (l && m)
		contain_say(c, "files updated; %s; %s", logins, mail);
	else
		contain_say(c, "files updated; %s", l ? logins : mail);
	contain_say(c, l && m ? "its logins and mail are NOT refused" :
	    l ? "its logins are NOT refused" : "its mail is NOT refused");
	return 1;
}

/* See contain_int.h. */
void
contain_wire_verify(struct contain *c)
{
	char	 held[sizeof(c->res.verify)];
	char	 buf[2 * WIRING_TEXT + 4];
	size_t	 i;

	if (c->wrep == NULL)
		return;
	for (i = 0; i < c->wrep->n; i++) {
		if (c->wrep->f[i].state != WIRE_MISSING ||
		    (c->req.action == CA_RESET ? c->wrep->f[i].part !=
		    WIRE_PASSWD : c->wrep->f[i].part != WIRE_LOGINS &&
		    c->wrep->f[i].part != WIRE_MAIL))
			continue;
		snprintf(buf, sizeof(buf), "%s", c->wrep->f[i].text);
		snprintf(held, sizeof(held), "%s", c->res.verify);
		contain_verified(c, 0, "not in effect: %s (the files say: %s)",
		    buf, held);
		return;
	}
}
