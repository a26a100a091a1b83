/*
 * driverlib.h: what the integration test drivers share (postsuper_driver.c,
 * resolve_driver.c, ssh_driver.c) besides the console's own clock, which
 * they step the console's modules by: loop_now_ms() from loop.h.  Header
 * only (static inline), as the tests build each driver from its one .c
 * file (`cc ... tests/integration/X_driver.c build/libmailcon.a`), which
 * finds this header next to it.
 */
#ifndef DRIVERLIB_H
#define DRIVERLIB_H

#include <stdio.h>
#include <stdlib.h>

/* Print "usage: " and SYNOPSIS on stderr and exit 2, the drivers' misuse. */
static inline void __attribute__((noreturn))
driver_usage(const char *synopsis)
{
	fprintf(stderr, "usage: %s\n", synopsis);
	exit(2);
}

#endif /* DRIVERLIB_H */
