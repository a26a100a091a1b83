/* cmd_act.h: `mailcon act`, one containment action from the shell. */
#ifndef MAILCON_CMD_ACT_H
#define MAILCON_CMD_ACT_H

#include <stdio.h>

int	cmd_act(int argc, char **argv);
void	act_usage(FILE *f);

#endif
