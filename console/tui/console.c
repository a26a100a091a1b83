/* console.c: the console's front end for live/app.c (struct app_frontend). */
#include <curses.h>

#include "console.h"
#include "overlay.h"
#include "ui.h"

/* The bell, for what needs the operator's eyes. */
static void
console_bell(struct app *a)
{
	beep();
}

static const struct app_frontend console_frontend = {
	.start = ui_start,
	.stop = ui_stop,
	.input = ui_input,
	.draw = ui_draw,
	.dialog = overlay_open,
	.bell = console_bell,
};

/* See console.h. */
int
cmd_console(int argc, char **argv)
{
	return app_main(argc, argv, &console_frontend);
}
