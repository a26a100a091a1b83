/*
 * demo.h: `mailcon --demo`: replay the bundled incident logs, in time
 * order and at the speed they happened (times a factor), into a log file
 * that the console follows like any other, so a newcomer watches an
 * account turn critical through the same live path as in production.
 * Each line's timestamp is rewritten to the moment it is replayed.
 *
 * The action keys act on a sandbox in the same temporary directory
 * (demo_sandbox.h): a queue, an access map, a deny file and users that
 * follow the replay, acted on by the real backends' commands through
 * stand-in tools.  demo_close removes the directory and all in it.
 */
#ifndef MAILCON_DEMO_H
#define MAILCON_DEMO_H

#include <stddef.h>
#include <stdint.h>

struct demo;
struct server_config;

/*
 * Open the recorded logs in dir (every *.log.gz) and create the file to
 * replay into under a new temporary directory.  -1 with err on failure.
 */
struct demo	*demo_open(const char *dir, double speed, char *err,
		    size_t errlen);
/* The file the console should follow. */
const char	*demo_path(const struct demo *d);
/* The demo's temporary directory (the log and the sandbox). */
const char	*demo_dir(const struct demo *d);
/* Point the demo's server at the sandbox (its actions act there). */
int		 demo_server(const struct demo *d, struct server_config *sc,
		    char *err, size_t errlen);
/* Append every line due by now_ms; returns 0 while lines remain, 1 done. */
int		 demo_step(struct demo *d, int64_t now_ms);
/* Remove the replay file, the sandbox and their directory. */
void		 demo_close(struct demo *d);
/* The directory holding the recorded logs, for --demo without DIR. */
const char	*demo_default_dir(void);

#endif
