/*
 * csv.h: write CSV (RFC 4180) that a spreadsheet cannot be tricked by.
 *
 * Fields are quoted when they hold a comma, a double quote, a CR or a LF
 * (quotes doubled), and records end in CRLF.  Log text is attacker text,
 * and a spreadsheet runs a cell that starts with =, +, -, @, a tab or a CR
 * as a formula ("=cmd|' /C calc'!A0"): as OWASP's CSV injection advice
 * says, such a field gets a leading single quote and is quoted, so it is
 * shown as text.  Control bytes are written escaped (\xNN, sanitize.h), so
 * a field never breaks the record or a terminal that shows the file.
 */
#ifndef MAILCON_CSV_H
#define MAILCON_CSV_H

#include <stddef.h>
#include <stdio.h>

/* One field, p[0..len), with the separator before it unless first. */
void	csv_field(FILE *f, const char *p, size_t len, int first);
void	csv_cfield(FILE *f, const char *s, int first);
/* A number (never quoted, never neutralised: we wrote it). */
void	csv_number(FILE *f, unsigned long long v, int first);
/* End the record: CRLF. */
void	csv_end(FILE *f);
/*
 * Would the field be written with a leading quote (a formula)?  For the
 * tests and the documentation.
 */
int	csv_is_formula(const char *p, size_t len);

#endif
