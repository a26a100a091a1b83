/*
 * grammar.c: the strict grammars that every value taken from a log must
 * pass before it names anything: a login, a queue id of each MTA, a client
 * address.
 *
 * Log text is attacker text: a login, a sender or a HELO name is whatever a
 * client typed.  The parsers anchor on the parts the server wrote and then
 * hold what they extracted against the grammars below; a value that fails
 * is dropped, never "cleaned up".
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <string.h>

#include "backend.h"
#include "unichar.h"

/*
 * Code points that decode fine but must not appear in a login besides the
 * hidden ones (unichar.h): they look like spaces or punctuation, draw as
 * symbols, or are reserved.  Full Unicode letter tables are not worth
 * their size here; everything from U+00C0 up that is not listed is taken
 * as a letter.
 */
static const struct {
	uint32_t	lo, hi;
} account_bad_ranges[] = {
	{ 0x00A0, 0x00BF },	/* NBSP, Latin-1 symbols */
	{ 0x00D7, 0x00D7 },	/* multiplication sign */
	{ 0x00F7, 0x00F7 },	/* division sign */
	{ 0x02B9, 0x02FF },	/* spacing modifier letters (quote look-alikes) */
	{ 0x1680, 0x1680 },	/* Ogham space */
	{ 0x2000, 0x206F },	/* spaces, dashes, quotes, punctuation */
	{ 0x20A0, 0x2BFF },	/* symbols, arrows, box drawing, shapes */
	{ 0x2E00, 0x2E7F },	/* supplemental punctuation */
	{ 0x3000, 0x3003 },	/* ideographic space and punctuation */
	{ 0x3008, 0x3020 },	/* CJK brackets */
	{ 0xE000, 0xF8FF },	/* private use */
	{ 0xFDD0, 0xFDEF },	/* noncharacters */
	{ 0xFE10, 0xFE6F },	/* CJK compatibility forms, small forms */
	{ 0xFF00, 0xFF20 },	/* full-width punctuation and digits */
	{ 0xFF3B, 0xFF40 },
	{ 0xFF5B, 0xFF65 },
	{ 0xFFF0, 0xFFFF },	/* specials */
	{ 0x1F000, 0x1FFFF },	/* emoji and pictographs */
	{ 0xE0000, 0x10FFFF },	/* tags, selectors, private use planes */
};

/* Whether a decoded code point (U+0080 and up) may stand in a login. */
static int
account_cp_ok(uint32_t cp)
{
	size_t	 i;

	if (cp < 0xC0 || uni_is_hidden(cp))
		return 0;
	if ((cp & 0xFFFE) == 0xFFFE)
		return 0;	/* U+xFFFE and U+xFFFF in every plane */
	for (i = 0; i < sizeof(account_bad_ranges) /
	    sizeof(account_bad_ranges[0]); i++) {
		if (cp >= account_bad_ranges[i].lo &&
		    cp <= account_bad_ranges[i].hi)
			return 0;
	}
	return 1;
}

/* An ASCII byte a login may hold. */
static int
account_ascii_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '%' ||
	    c == '+' || c == '@' || c == '-';
}

/* See backend.h. */
enum account_fault
account_check(const char *p, size_t len, size_t *off, size_t *n,
    uint32_t *cp)
{
	const unsigned char	*s = (const unsigned char *)p;
	size_t			 i, k;
	uint32_t		 c;

	*off = *n = 0;
	*cp = 0;
	if (p == NULL || len == 0)
		return ACCOUNT_EMPTY;
	if (len > ACCOUNT_MAX)
		return ACCOUNT_TOO_LONG;
	if (s[0] == '-') {
		*n = 1;
		*cp = '-';
		return ACCOUNT_LEADING_DASH;
	}
	for (i = 0; i < len; i += k) {
		*off = i;
		if ((k = uni_decode(s + i, len - i, &c)) == 0) {
			*n = 1;
			*cp = s[i];
			return ACCOUNT_BAD_BYTE;
		}
		*n = k;
		*cp = c;
		if (c < 0x80 ? !account_ascii_ok((unsigned char)c) :
		    !account_cp_ok(c))
			return ACCOUNT_BAD_CHAR;
	}
	*off = *n = 0;
	*cp = 0;
	return ACCOUNT_OK;
}

/*
 * A login we are willing to show, store and hand to an action template:
 * 1..255 bytes of [A-Za-z0-9._%+@-] and well-formed UTF-8 letters, not
 * starting with '-' (it would read as an option to a command).
 */
int
account_is_valid(const char *p, size_t len)
{
	const unsigned char	*s = (const unsigned char *)p;
	size_t			 off, n, i;
	uint32_t		 cp;

	/* the common case, plain ASCII, without decoding */
	if (p == NULL || len == 0 || len > ACCOUNT_MAX || s[0] == '-')
		return 0;
	for (i = 0; i < len && s[i] < 0x80; i++)
		if (!account_ascii_ok(s[i]))
			return 0;
	if (i == len)
		return 1;
	return account_check(p, len, &off, &n, &cp) == ACCOUNT_OK;
}

/* Postfix's 52-character long queue id alphabet: digits and consonants. */
static int
qid_long_char(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return 1;
	if (c >= 'B' && c <= 'Z')
		return c != 'E' && c != 'I' && c != 'O' && c != 'U';
	if (c >= 'b' && c <= 'z')
		return c != 'e' && c != 'i' && c != 'o' && c != 'u';
	return 0;
}

/*
 * A queue id that may be handed to postsuper.  Postfix has two forms
 * (postconf(5), enable_long_queue_ids):
 *   short: upper-case hex, 5 digits of microseconds then the inode number
 *          (e.g. BAC3910614B); we accept 6..20;
 *   long:  base-52 alphabet without vowels, 6+ digits of seconds, 4 of
 *          microseconds, the letter 'z', then the inode number in the
 *          first 51 letters of that alphabet (which exclude 'z'), e.g.
 *          3Pt2mN2VXxznjll; we accept 12..32.
 */
int
queue_id_is_valid(const char *p, size_t len)
{
	const unsigned char	*s = (const unsigned char *)p;
	size_t			 i, z;
	int			 hex = 1;

	if (p == NULL || len < 6 || len > 32)
		return 0;
	for (i = 0; i < len; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'A' && s[i] <= 'F'))) {
			hex = 0;
			break;
		}
	}
	if (hex)
		return len <= 20;
	if (len < 12)
		return 0;
	for (z = len; z > 0 && s[z - 1] != 'z'; z--)
		;
	if (z == 0 || z - 1 < 10 || z == len)
		return 0;
	for (i = 0; i < len; i++) {
		if (!qid_long_char(s[i]))
			return 0;
	}
	return 1;
}

/*
 * Exim's message id alphabet: base 62 (base 36 on case-blind systems), as
 * a table (every Exim line asks, twice): 0-9, A-Z, a-z.
 */
static const uint8_t exim_id_chars[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};

/* Whether [s, s + n) is all of the id alphabet (no early exit: n <= 11). */
static int
exim_id_run(const unsigned char *s, size_t n)
{
	size_t	 i;
	unsigned ok = 1;

	for (i = 0; i < n; i++)
		ok &= exim_id_chars[s[i]];
	return ok;
}

/*
 * An Exim message id (spec section "Message identification", local_scan.h
 * MESSAGE_ID_LENGTH and MESSAGE_ID_LENGTH_OLD): six characters of time, a
 * '-', the pid, a '-', the sub-second part.  Before 4.97
 * "TTTTTT-PPPPPP-SS" (16 characters), from 4.97 on
 * "TTTTTT-PPPPPPPPPPP-SSSS" (23); one log holds both on upgrade day.
 * Nothing but these two shapes is an id: no leading '-' can reach a
 * command line.  The dashes first: every Exim line asks, most are ids.
 */
int
exim_id_is_valid(const char *p, size_t len)
{
	const unsigned char	*s = (const unsigned char *)p;
	size_t			 d2;

	if (p == NULL || (len != 16 && len != 23))
		return 0;
	d2 = len == 16 ? 13 : 18;
	return s[6] == '-' && s[d2] == '-' && exim_id_run(s, 6) &&
	    exim_id_run(s + 7, d2 - 7) && exim_id_run(s + d2 + 1, len - d2 - 1);
}

/*
 * Dotted-quad IPv4 into out[4], by the rules of inet_pton(AF_INET): four
 * decimal parts of at most 255 without leading zeros, nothing else.  By
 * hand because this runs for most event lines.  0, or -1.
 */
static int
ipv4_parse(const char *p, size_t len, uint8_t out[4])
{
	unsigned	 v = 0;
	size_t		 i;
	int		 parts = 0, digits = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c >= '0' && c <= '9') {
			if (digits > 0 && v == 0)
				return -1;	/* leading zero */
			v = v * 10 + (c - '0');
			if (v > 255)
				return -1;
			digits++;
		} else if (c == '.' && digits > 0) {
			if (parts == 3)
				return -1;
			out[parts++] = (uint8_t)v;
			v = 0;
			digits = 0;
		} else
			return -1;
	}
	if (parts != 3 || digits == 0)
		return -1;
	out[3] = (uint8_t)v;
	return 0;
}

/*
 * Parse a bare IPv4 or IPv6 address (no brackets, no "IPv6:" prefix, no
 * port, no zone).  An IPv4-mapped IPv6 address (::ffff:a.b.c.d, as Dovecot
 * logs clients of a dual-stack socket) becomes plain IPv4 so that the same
 * client is one client.  Returns 0, or -1 and out->family 0.
 */
int
mail_ip_parse(const char *p, size_t len, struct mail_ip *out)
{
	static const uint8_t	 mapped[12] = {
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	char			 buf[46];
	struct in6_addr		 a6;

	memset(out, 0, sizeof(*out));
	if (p == NULL || len == 0 || len > 45)
		return -1;
	/* a NUL byte is no digit: refused like any other */
	if (ipv4_parse(p, len, out->bytes) == 0) {
		out->family = 4;
		return 0;
	}
	memset(out, 0, sizeof(*out));
	if (memchr(p, ':', len) == NULL)
		return -1;
	if (memchr(p, '\0', len) != NULL)
		return -1;	/* a NUL would end the copy early */
	memcpy(buf, p, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET6, buf, &a6) != 1)
		return -1;
	if (memcmp(&a6, mapped, sizeof(mapped)) == 0) {
		out->family = 4;
		memcpy(out->bytes, (const uint8_t *)&a6 + 12, 4);
		return 0;
	}
	out->family = 6;
	memcpy(out->bytes, &a6, 16);
	return 0;
}

/* Text form of an address ("" when absent) into buf; returns buf. */
char *
mail_ip_format(const struct mail_ip *ip, char *buf, size_t size)
{
	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (ip == NULL)
		return buf;
	if (ip->family == 4) {
		if (inet_ntop(AF_INET, ip->bytes, buf, size) == NULL)
			buf[0] = '\0';
	} else if (ip->family == 6) {
		if (inet_ntop(AF_INET6, ip->bytes, buf, size) == NULL)
			buf[0] = '\0';
	}
	return buf;
}
