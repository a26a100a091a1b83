/* cmd_policy.h: `mailcon policy`, the Postfix policy service on its own. */
#ifndef MAILCON_CMD_POLICY_H
#define MAILCON_CMD_POLICY_H

#include <stdio.h>

int	cmd_policy(int argc, char **argv);
void	policy_usage(FILE *f);

#endif
