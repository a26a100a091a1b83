/*
 * complete.h: `mailcon --list-servers` and `mailcon --list-themes`, the
 * names the shell completions (dist/completion) offer, one a line, found
 * by the same code the console uses: the config file it would read, the
 * theme directories it would search.
 */
#ifndef MAILCON_COMPLETE_H
#define MAILCON_COMPLETE_H

/* argv[0] is --list-servers or --list-themes; exit status 0, or 2. */
int	cmd_list(int argc, char **argv);

#endif
