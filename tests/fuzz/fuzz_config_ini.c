/*
 * fuzz_config_ini.c: libFuzzer target for the configuration's INI reader
 * (console/config/config_ini.c) on arbitrary bytes.  Checks what every key it
 * hands on must be: a name without blanks at its ends, '=' or ':', no
 * control byte anywhere but a tab (and the '\n' joining continued lines
 * in a value), a line number within the input's; and that an error has a
 * line.
 *
 * Links console/config/config_ini.c, console/core/xmalloc.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_ini.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The lines of the input, for the line numbers' bound. */
static int	fuzz_lines;

/* Does s hold a control byte other than a tab (and '\n' when nl)? */
static int
fuzz_control(const char *s, int nl)
{
	for (; *s != '\0'; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t' &&
		    !(nl && *s == '\n')) || *s == 0x7f)
			return 1;
	return 0;
}

/* Check one key as config.c would get it. */
static int
fuzz_config_ini_key(void *arg, const char *section, const char *name,
    const char *value, int line)
{
	size_t	 n = strlen(name);

	if (n == 0 || name[0] == ' ' || name[0] == '\t' ||
	    name[n - 1] == ' ' || name[n - 1] == '\t' ||
	    strpbrk(name, "=:") != NULL || fuzz_control(name, 0) ||
	    fuzz_control(value, 1) || fuzz_control(section, 0))
		abort();
	if (line < 1 || line > fuzz_lines)
		abort();
	/* stop now and then, as a bad value does */
	return strcmp(value, "stop") == 0 ? -1 : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE	*f;
	char	 err[256];
	size_t	 i;
	int	 line, rc;

	fuzz_lines = 1;
	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			fuzz_lines++;
	if ((f = fmemopen((void *)data, size, "r")) == NULL)
		return 0;
	rc = config_ini_parse(f, fuzz_config_ini_key, NULL, &line, err,
	    sizeof(err));
	fclose(f);
	if (rc != 0 && rc != -1)
		abort();
	if (rc == -1 && (line < 1 || line > fuzz_lines))
		abort();
	if (rc == 0 && line != 0)
		abort();
	return 0;
}
