/* cmd_rbl.h: `mailcon rbl`, the DNS blocklist check from the shell. */
#ifndef MAILCON_CMD_RBL_H
#define MAILCON_CMD_RBL_H

#include <stdio.h>

/* Nothing listed, but some answers unknown or a zone failed its check. */
#define RBL_EXIT_UNKNOWN	3

int	cmd_rbl(int argc, char **argv);
void	rbl_usage(FILE *f);

#endif
