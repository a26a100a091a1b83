/*
 * policy_deny.h: who the policy service refuses: the logins the
 * containment suspended (the deny list its actions write, a file) and
 * the decisions of the headless containment not yet written there.
 *
 * The file is read by itself, never through a command and never under
 * its lock: a suspension renames a whole new file over it (fileedit.h),
 * so every read sees one complete version.  A lookup stat()s the file
 * and reads it again when its inode, size or mtime changed: a suspension
 * counts from the next request, with no timer to wait for.  A file that
 * is missing or unreadable refuses nobody, and says so once.
 */
#ifndef MAILCON_POLICY_DENY_H
#define MAILCON_POLICY_DENY_H

#include <stddef.h>

#include "backends/event.h"

#define POLICY_DENY_FILE_MAX	(64u << 20)	/* bytes read of the file */

struct policy_deny;

/* Parse one line of the file (backend.h, deny_line). */
typedef int	(*policy_deny_line)(const char *p, size_t len,
		    struct mail_str *out);

struct policy_deny *policy_deny_new(void);
void		 policy_deny_free(struct policy_deny *d);
/* Watch path (copied), read with line; 0, or -1 when one is watched. */
int		 policy_deny_file(struct policy_deny *d, const char *path,
		     policy_deny_line line);
/*
 * The headless containment decided to suspend account (on 1), or its
 * action ended and the file decides again (on 0).
 */
void		 policy_deny_decide(struct policy_deny *d, const char *account,
		     int on);
/*
 * Is the login refused?  1 with *why ("listed in FILE", "suspended by
 * the headless containment"; static or the set's), else 0.
 */
int		 policy_deny_has(struct policy_deny *d, const char *account,
		     size_t len, const char **why);
/* Is the login in the file (decisions aside)?  Reads it if it changed. */
int		 policy_deny_listed(struct policy_deny *d, const char *account,
		     size_t len);
/* Logins listed now (file and decisions). */
size_t		 policy_deny_count(const struct policy_deny *d);
/*
 * A problem with the file not yet told (missing, unreadable, too big):
 * a one-line message naming it, given once per problem; else NULL.
 */
const char	*policy_deny_news(struct policy_deny *d);

#endif
