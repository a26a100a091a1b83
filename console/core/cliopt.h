/*
 * cliopt.h: what is wrong with a command-line option, said by us instead
 * of getopt: an argument is echoed escaped like any other text shown
 * (sanitize.h), so "mailcon scan $'--\x1b[2J'" writes no raw escape.
 */
#ifndef MAILCON_CLIOPT_H
#define MAILCON_CLIOPT_H

/*
 * getopt_long() returned ch, '?' (an unknown option) or ':' (a value
 * missing; optstring starts with ':'), with opterr 0: say which, as
 * "mailcon CMD: unknown option "--x"" or "mailcon CMD: --year needs a
 * value", on stderr.  cmd is "scan", "act", ... or NULL for the console.
 */
void	cliopt_error(const char *cmd, int ch, char *const argv[]);

#endif
