/*
 * paths.h: where mailcon finds what `make install` put beside it: its data
 * (themes, the demo logs) and the system-wide configuration file.
 *
 * The directories are compiled in from the Makefile's PREFIX, DATADIR,
 * THEMEDIR and SYSCONFDIR (a generated header, so that `make install
 * PREFIX=/usr` after a plain `make` rebuilds what embeds them).  Two
 * variables move them at run time, for a staged install (DESTDIR) that a
 * packager runs before it is in place, and for tests:
 *
 *	MAILCON_DATADIR		instead of DATADIR (and of THEMEDIR: its
 *				themes are then in MAILCON_DATADIR/themes)
 *	MAILCON_SYSCONFDIR	instead of SYSCONFDIR (/etc for PREFIX=/usr):
 *				the system file is then
 *				MAILCON_SYSCONFDIR/mailcon/mailcon.conf
 *
 * An empty variable counts as unset.  Every function writes a path into
 * buf and returns buf (a path longer than size is cut: the caller's lookup
 * then fails and says where it looked).
 */
#ifndef MAILCON_PATHS_H
#define MAILCON_PATHS_H

#include <stddef.h>

/* The data directory: $MAILCON_DATADIR, else DATADIR. */
const char	*paths_datadir(char *buf, size_t size);
/* The installed themes: $MAILCON_DATADIR/themes, else THEMEDIR. */
const char	*paths_themedir(char *buf, size_t size);
/* The system-wide config file, SYSCONFDIR/mailcon/mailcon.conf. */
const char	*paths_sysconfig(char *buf, size_t size);
/*
 * The source tree the running executable was built in (build/mailcon
 * run from a checkout): the first of its executable's parent directories
 * holding themes/default.theme.  0, or -1 for an installed binary (or
 * off Linux, without /proc/self/exe).
 */
int		 paths_srcdir(char *buf, size_t size);

#endif
