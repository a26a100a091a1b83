/*
 * config_ini.h: the INI syntax of the configuration file, read line by
 * line with lines of any length up to CONFIG_INI_LINE_MAX (inih, which
 * read it before, cut every line at 200 bytes and parsed the rest as the
 * next line, so a long allow-list failed with an error about something
 * else).
 *
 *	; a comment (also # at the start of a line)
 *	[section]
 *	key = value		; an inline comment (";" after a blank)
 *	list = a, b,
 *	    c, d		; an indented line continues the value above
 *
 * Names and values are stripped of blanks at both ends.  "key: value" is
 * read as "key = value" (as inih and Python's configparser do).  A line
 * that starts with a blank continues the value of the key above it in the
 * same section; the pieces are joined with '\n' and the callback decides
 * what a multi-line value means (config.c: lists and commands only).
 * Comment and blank lines inside a continued value are skipped.  CRLF
 * line ends and a UTF-8 byte order mark at the start are accepted; any
 * other control byte but a tab is an error.
 */
#ifndef MAILCON_CONFIG_INI_H
#define MAILCON_CONFIG_INI_H

#include <stddef.h>
#include <stdio.h>

#define CONFIG_INI_LINE_MAX	65536		/* bytes of one line */
#define CONFIG_INI_VALUE_MAX	(1024 * 1024)	/* of a continued value */

/*
 * One key and its value, which started on line (1-based).  section is ""
 * before the first [section].  Strings are valid during the call only.
 * Return 0 to go on, -1 to stop: the error is the callback's to keep.
 */
typedef int	(*config_ini_cb)(void *arg, const char *section,
		    const char *name, const char *value, int line);

/*
 * Read f to its end, calling cb for each key.  0 when every line was
 * read; -1 when cb stopped (*errline is the key's line, err is "") or
 * the file is not INI (*errline and err say where and why: a line too
 * long, a control byte, a line that is neither [section] nor key = value).
 */
int	config_ini_parse(FILE *f, config_ini_cb cb, void *arg, int *errline,
	    char *err, size_t errlen);

#endif
