/* check.h: `mailcon check`, the set-up checked end to end. */
#ifndef MAILCON_CHECK_H
#define MAILCON_CHECK_H

#include <stdio.h>

int	cmd_check(int argc, char **argv);
void	check_usage(FILE *f);

#endif
