/*
 * jexport.h: read journalctl's export format (-o export) and turn each
 * entry into one line of the form logline.h reads (journalctl -o
 * short-iso): "2026-11-29T04:00:00.123456+00:00 HOST IDENT[PID]: MESSAGE".
 *
 * The format: an entry is fields, each "KEY=value\n", or, for a value
 * that holds a newline or other bytes that are not text, "KEY\n", a
 * 64-bit little-endian length, the value and "\n"; a blank line ends an
 * entry.  Everything but the field names is attacker text (a local user
 * can log as "postfix/smtpd" to facility mail; a program's MESSAGE holds
 * what a client sent), so:
 *
 * - memory is bounded: only the fields a line needs are kept, each up to
 *   JEXPORT_FIELD_MAX bytes; an entry with a bigger one, or bigger than
 *   JEXPORT_ENTRY_MAX in all, is skipped and said (its cursor still
 *   counts as read, so it is not asked for again);
 * - HOST and IDENT lose what would shift logline's fields (blanks,
 *   controls; ':' '[' ']' in IDENT become '_'), and a PID that is not
 *   digits is left out;
 * - MESSAGE is kept whole, bytes as they are: a newline in it stays a
 *   byte of the one line (never a second line), shown escaped like a
 *   control byte or invalid UTF-8 by the terminal layer (sanitize.h).
 *
 * Output that is not the export format (a bad field name, an impossible
 * binary length) makes jexport_input() fail: the reader is then useless
 * and must be replaced (the follower restarts journalctl).
 */
#ifndef MAILCON_JEXPORT_H
#define MAILCON_JEXPORT_H

#include <stddef.h>
#include <stdint.h>

#define JEXPORT_FIELD_MAX	(64u * 1024)	/* of a kept value */
#define JEXPORT_ENTRY_MAX	(16u << 20)	/* of a whole entry */
#define JEXPORT_CURSOR_MAX	256		/* a longer one is not kept */
#define JEXPORT_NAME_MAX	64		/* journald's own limit */

struct jexport;

/*
 * An entry: line (len bytes, NUL-terminated, valid during the call) and
 * its cursor ("" when it had none or a bad one).  line is NULL for an
 * entry that was skipped, with why saying so in plain words.
 */
typedef void	(*jexport_entry_cb)(const char *line, size_t len,
		    const char *cursor, const char *why, void *arg);

struct jexport	*jexport_new(jexport_entry_cb cb, void *arg);
void		 jexport_free(struct jexport *j);
/* Forget a partial entry (the stream was cut): start afresh. */
void		 jexport_reset(struct jexport *j);
/* Feed bytes as journalctl wrote them; 0, or -1: not the export format. */
int		 jexport_input(struct jexport *j, const char *p, size_t len);
/*
 * A cursor that may go on a command line: only the characters journald
 * writes in one ([A-Za-z0-9=;_-]), at most JEXPORT_CURSOR_MAX.
 */
int		 jexport_cursor_ok(const char *s, size_t len);

#endif
