/*
 * exitcodes.h: the exit codes every command shares (mailcon(1), EXIT
 * STATUS).  A command may add its own above these (rbl: 3, unknown).
 */
#ifndef MAILCON_EXITCODES_H
#define MAILCON_EXITCODES_H

#define EXIT_CLEAN	0	/* nothing suspicious */
#define EXIT_FOUND	1	/* something suspicious or worse */
#define EXIT_ERROR	2	/* bad input: nothing useful printed */

#endif
