/*
 * app_wake.h: the headless watch reads a local log as soon as it grows
 * (inotify on the logs' directories), not at the next poll: the
 * detector, and the containment it triggers, see a hijack's lines up to
 * a poll interval sooner.  The poll stays, for files inotify cannot see
 * (network file systems, a directory created later).
 */
#ifndef MAILCON_APP_WAKE_H
#define MAILCON_APP_WAKE_H

struct app;

/* Watch the local file sources' directories (after the loop exists);
   nothing when inotify is not available. */
void	app_wake_open(struct app *a);
void	app_wake_close(struct app *a);

#endif
