/*
 * console.h: `mailcon` without a command: the live console, the loop of
 * live/app.c (set up by live/app_main.c) with the curses screen of this
 * folder as its front end.
 */
#ifndef MAILCON_CONSOLE_H
#define MAILCON_CONSOLE_H

int	cmd_console(int argc, char **argv);

#endif
