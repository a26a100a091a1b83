/*
 * dialog_act.c: the containment dialogs over the view: the question of a
 * destructive action (purge names the count, reset the account; both
 * default to No), its result (a new password shown once), and at start
 * the actions of earlier runs.  What shows is struct app_act's state;
 * the answers go back to app_act.c.
 */
#include <stdio.h>
#include <string.h>

#include "overlay.h"
#include "theme_curses.h"
#include "live/app_act.h"
#include "live/demo.h"

/* Shown while the action's state has something to show. */
static int
dialog_act_check(struct tui *t, struct overlay *o)
{
	switch (t->a->act.state) {
	case ACTS_CONFIRM:
	case ACTS_RESULT:
	case ACTS_EARLIER:
		return 1;
	default:
		return 0;
	}
}

/* The demo's mark: where its sandbox is (nothing else is touched). */
static void
dialog_act_demo(const struct tui *t, char *buf, size_t size)
{
	buf[0] = '\0';
	if (t->a->demo != NULL)
		snprintf(buf, size, "DEMO: the sandbox in %s, no real server",
		    demo_dir(t->a->demo));
}

/* The question of a purge or a password reset. */
static void
dialog_act_confirm(struct tui *t)
{
	struct app_act	*x = &t->a->act;
	char		 title[512], body[1024], demo[256];
	const char	*server = t->a->servers[x->server]->name;

	dialog_act_demo(t, demo, sizeof(demo));
	if (x->req.action == CA_PURGE)
		snprintf(title, sizeof(title), " Purge %zu queued message%s "
		    "of %s on %s? ", x->count, x->count == 1 ? "" : "s",
		    x->account, server);
	else
		snprintf(title, sizeof(title), " Reset the password of %s on "
		    "%s? ", x->account, server);
	snprintf(body, sizeof(body), "%s%s%s\n\ny: yes, do it    any other "
	    "key: No (the default)", demo, demo[0] != '\0' ? "\n" : "",
	    x->req.action == CA_PURGE ?
	    "They are deleted from the queue and cannot be brought back.\n"
	    "Hold (h) keeps them without sending." :
	    "The old password stops working at once.  The new one is shown\n"
	    "here once and written nowhere.");
	overlay_box(t, title, body, theme_attr(THEME_ROLE_CRITICAL));
}

/* The result of the action that ended; the password is wiped after. */
static void
dialog_act_result(struct tui *t)
{
	struct app_act			*x = &t->a->act;
	const struct contain_result	*r = app_act_result(t->a);
	char				 title[512], body[4096], demo[256];
	const char			*what;
	int				 pw;

	if (r == NULL)
		return;
	what = r->outcome == CO_DONE ? "done" : r->outcome == CO_PARTIAL ?
	    "PARTLY DONE" : r->outcome == CO_REFUSED ? "refused" : "FAILED";
	pw = r->password[0] != '\0' && r->outcome == CO_DONE;
	dialog_act_demo(t, demo, sizeof(demo));
	snprintf(title, sizeof(title), " %s%s %s on %s: %s ",
	    t->a->demo != NULL ? "DEMO: " : "",
	    x->req.count_only ? "count" : contain_action_name(x->req.action),
	    x->account, t->a->servers[x->server]->name, what);
	snprintf(body, sizeof(body), "%s%s%s\n%s%s%s%s\n\nany key: close",
	    demo, demo[0] != '\0' ? "\n" : "", r->text, r->verify[0] != '\0' ?
	    "verification: " : "", r->verify,
	    pw ? "\n\nnew password (shown once, stored nowhere): " : "",
	    pw ? r->password : "");
	overlay_box(t, title, body, r->outcome == CO_DONE && r->verified != 0 ?
	    theme_attr(THEME_ROLE_HEADER) : theme_attr(THEME_ROLE_CRITICAL));
	explicit_bzero(body, sizeof(body));
}

/* See struct overlay. */
static void
dialog_act_draw(struct tui *t, struct overlay *o)
{
	switch (t->a->act.state) {
	case ACTS_CONFIRM:
		dialog_act_confirm(t);
		break;
	case ACTS_RESULT:
		dialog_act_result(t);
		break;
	case ACTS_EARLIER:
		overlay_box(t, " Actions since your last session (audit log) ",
		    t->a->act.earlier, theme_attr(THEME_ROLE_HEADER));
		break;
	default:
		break;
	}
}

/* y runs the action asked about; any other key is No, or closes. */
static int
dialog_act_key(struct tui *t, struct overlay *o, int ch)
{
	if (t->a->act.state == ACTS_CONFIRM)
		app_act_answer(t->a, ch == 'y' || ch == 'Y');
	else
		app_act_dismiss(t->a);
	/* an action refused at once has its result to show next */
	if (!dialog_act_check(t, o))
		overlay_clear(t);
	return 1;
}

/* See overlay.h. */
int
dialog_act_open(struct tui *t)
{
	struct overlay	 o = {
		.check = dialog_act_check,
		.draw = dialog_act_draw,
		.key = dialog_act_key,
	};

	return overlay_set(t, &o);
}
