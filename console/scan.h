/* scan.h: `mailcon scan`, offline forensics of mail logs. */
#ifndef MAILCON_SCAN_H
#define MAILCON_SCAN_H

/* Exit codes shared by the commands. */
#define EXIT_CLEAN	0	/* nothing suspicious */
#define EXIT_FOUND	1	/* something suspicious or worse */
#define EXIT_ERROR	2	/* bad input: nothing useful printed */

int	cmd_scan(int argc, char **argv);
void	scan_usage(FILE *f);

#endif
