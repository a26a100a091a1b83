/*
 * shquote.h: words quoted for a POSIX shell, for commands that reach a
 * remote shell (SSH exec runs its command through the user's login shell)
 * and for --dry-run output.  Values in such words may come from logs, so
 * they are attacker text: every word that is not plainly safe is wrapped
 * in single quotes, inside which the shell expands nothing.
 */
#ifndef MAILCON_SHQUOTE_H
#define MAILCON_SHQUOTE_H

#include <stddef.h>

/*
 * Write argv[0..argc) as one shell command line into buf (size bytes,
 * NUL-terminated): words separated by one space, each single-quoted
 * unless it is made only of [A-Za-z0-9@%+=:,./_-]; a quote inside a word
 * becomes '\''.  Returns the length, or -1 when it does not fit.
 */
int	shquote_argv(int argc, char *const argv[], char *buf, size_t size);

#endif
