/* scan.h: `mailcon scan`, offline forensics of mail logs. */
#ifndef MAILCON_SCAN_H
#define MAILCON_SCAN_H

#include <stdio.h>

#include "core/exitcodes.h"

int	cmd_scan(int argc, char **argv);
void	scan_usage(FILE *f);

#endif
