/*
 * dialog_ssh.c: the host-key question over the view: a server offers a
 * key no known_hosts file has; y trusts it, anything else parks the
 * server (app_ssh.c).
 */
#include <stdio.h>

#include "overlay.h"
#include "theme_curses.h"
#include "live/app_ssh.h"

/* Shown while a key is asked about. */
static int
dialog_ssh_check(struct tui *t, struct overlay *o)
{
	unsigned	 server;
	const char	*fp;

	return app_ssh_asking(t->a, &server, &fp);
}

/* See struct overlay. */
static void
dialog_ssh_draw(struct tui *t, struct overlay *o)
{
	const struct server	*s;
	char			 title[256], body[1024];
	unsigned		 server;
	const char		*fp;

	if (!app_ssh_asking(t->a, &server, &fp))
		return;
	s = t->a->servers[server];
	snprintf(title, sizeof(title), " Trust the host key of %s? ", s->name);
	snprintf(body, sizeof(body), "%s (%s port %d) offers a host key that "
	    "no known_hosts file has:\n\n    %s\n\nCompare it with the "
	    "server's own (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub)\n"
	    "before you say yes.\n\ny: trust it    any other key: No (the "
	    "default)", s->name, s->cfg->ssh.host,
	    s->cfg->ssh.port > 0 ? s->cfg->ssh.port : 22, fp);
	overlay_box(t, title, body, theme_attr(THEME_ROLE_SUSPICIOUS));
}

/* y trusts the key; any other key says no. */
static int
dialog_ssh_key(struct tui *t, struct overlay *o, int ch)
{
	app_ssh_answer(t->a, ch == 'y' || ch == 'Y');
	overlay_clear(t);
	return 1;
}

/* See overlay.h. */
int
dialog_hostkey_open(struct tui *t)
{
	struct overlay	 o = {
		.check = dialog_ssh_check,
		.draw = dialog_ssh_draw,
		.key = dialog_ssh_key,
	};

	return overlay_set(t, &o);
}
