/*
 * test_grammar.c: properties of the account grammars (account_is_valid,
 * action_login_ok, action_account_ok, action_render) and of the shell
 * quoting (shquote_argv), over random input built from pieces whose verdict
 * is known, and a round trip of random words through a real /bin/sh.
 *
 * The random generator is seeded from MAILCON_SEED, or the clock; the seed
 * is printed, so a failure can be replayed.
 */
#include <sys/wait.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "backends/backend.h"
#include "backends/unichar.h"
#include "core/action.h"
#include "core/shquote.h"

#define ROUNDS		20000
#define SH_ROUNDS	300

static uint64_t	 rng_state;

/* xorshift64*: small, fast and reproducible from its seed. */
static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

/* A number in [0, n). */
static size_t
pick(size_t n)
{
	return (size_t)(rng() % n);
}

/* A piece of a login, and whether the grammar must take it. */
struct piece {
	const char	*s;
	int		 ok;
};

static const struct piece pieces[] = {
	/* what logins are made of */
	{ "a", 1 }, { "Z", 1 }, { "7", 1 }, { ".", 1 }, { "_", 1 },
	{ "%", 1 }, { "+", 1 }, { "@", 1 }, { "-", 1 }, { "judy", 1 },
	{ "example.test", 1 },
	/* letters of other scripts: what Dovecot and Postfix take */
	{ "\xc3\xbc", 1 },		/* U+00FC u with diaeresis */
	{ "\xc3\x9f", 1 },		/* U+00DF sharp s */
	{ "\xd0\xb6", 1 },		/* U+0436 Cyrillic zhe */
	{ "\xe4\xb8\xad", 1 },		/* U+4E2D CJK */
	{ "\xf0\x9d\x92\x9c", 1 },	/* U+1D49C mathematical script A */
	/* quotes, blanks, controls, shell syntax */
	{ "'", 0 }, { "\"", 0 }, { "`", 0 }, { " ", 0 }, { "\t", 0 },
	{ "\n", 0 }, { "\x1b", 0 }, { "\x7f", 0 }, { ";", 0 }, { "$", 0 },
	{ "(", 0 }, { "|", 0 }, { "&", 0 }, { "<", 0 }, { "*", 0 },
	{ "\\", 0 }, { ",", 0 }, { ":", 0 }, { "=", 0 }, { "/", 0 },
	{ "\x01", 0 },
	/* invisible and format characters (the hidden table) */
	{ "\xe2\x80\x8b", 0 },		/* U+200B zero-width space */
	{ "\xe2\x80\x8d", 0 },		/* U+200D zero-width joiner */
	{ "\xc2\xad", 0 },		/* U+00AD soft hyphen */
	{ "\xe2\x80\xae", 0 },		/* U+202E right-to-left override */
	{ "\xe2\x81\xa6", 0 },		/* U+2066 left-to-right isolate */
	{ "\xe2\x81\xa4", 0 },		/* U+2064 invisible plus */
	{ "\xe3\x85\xa4", 0 },		/* U+3164 Hangul filler */
	{ "\xef\xbb\xbf", 0 },		/* U+FEFF BOM */
	{ "\xf3\xa0\x81\x81", 0 },	/* U+E0041 tag latin capital A */
	{ "\xe1\xa0\x8f", 0 },		/* U+180F Mongolian FVS4 */
	{ "\xc2\x9b", 0 },		/* U+009B C1 CSI */
	/* look-alikes and symbols */
	{ "\xc2\xa0", 0 },		/* U+00A0 no-break space */
	{ "\xe2\x80\x99", 0 },		/* U+2019 right single quote */
	{ "\xe2\x82\xac", 0 },		/* U+20AC euro sign */
	{ "\xf0\x9f\x98\x80", 0 },	/* U+1F600 emoji */
	/* not UTF-8 */
	{ "\xff", 0 }, { "\xc3", 0 }, { "\xed\xa0\x80", 0 },
	{ "\xc0\xaf", 0 }, { "\xe2\x80", 0 },
};
#define NPIECES	(sizeof(pieces) / sizeof(pieces[0]))

/*
 * A random login in buf, built from pieces; *ok says whether every piece
 * is one a login may hold.  Some are padded around the 255-byte limit,
 * some start with '-' or '.', some are the word ALL.
 */
static size_t
gen_login(char *buf, size_t size, int *ok)
{
	size_t	 n = 0, k, count, target;
	int	 mode = (int)pick(10);

	*ok = 1;
	buf[0] = '\0';
	if (mode == 0) {
		/* ALL in any case */
		snprintf(buf, size, "%c%c%c", "aA"[pick(2)], "lL"[pick(2)],
		    "lL"[pick(2)]);
		return 3;
	}
	count = 1 + pick(mode == 1 ? 3 : 8);
	for (k = 0; k < count; k++) {
		const struct piece *p = &pieces[pick(4) == 0 ? pick(NPIECES) :
		    pick(16)];	/* mostly good pieces */

		if (n + strlen(p->s) >= size)
			break;
		memcpy(buf + n, p->s, strlen(p->s));
		n += strlen(p->s);
		*ok = *ok && p->ok;
	}
	if (mode == 2 || mode == 3) {
		/* pad to 254..257 bytes, in ASCII or two-byte letters */
		target = 254 + pick(4);
		while (n < target && n + 2 < size) {
			if (mode == 2 || n + 2 > target)
				buf[n++] = 'a';
			else {
				buf[n++] = '\xc3';
				buf[n++] = '\xa9';
			}
		}
	}
	buf[n] = '\0';
	return n;
}

/* Whether the grammar must take s: the oracle the properties hold to. */
static int
oracle_login(const char *s, size_t n, int pieces_ok)
{
	return pieces_ok && n > 0 && n <= 255 && s[0] != '-';
}

/* Every code point of an accepted login is one the grammar allows. */
static void
check_chars(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, k;
	uint32_t		 cp;

	for (i = 0; i < n; i += k) {
		k = uni_decode(p + i, n - i, &cp);
		if (k == 0)
			fail_msg("accepted a login with invalid UTF-8 at %zu",
			    i);
		if (cp < 0x80) {
			if (strchr("abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+@-",
			    (int)cp) == NULL || cp == 0)
				fail_msg("accepted ASCII 0x%02x", cp);
		} else if (cp < 0xC0 || uni_is_hidden(cp))
			fail_msg("accepted U+%04X", cp);
	}
}

/* The grammars against the oracle, over random logins. */
static void
test_login_properties(void **state)
{
	char		 buf[600], why[256];
	size_t		 n, r;
	int		 ok, want, got, accepted = 0;

	for (r = 0; r < ROUNDS; r++) {
		n = gen_login(buf, sizeof(buf), &ok);
		want = oracle_login(buf, n, ok);
		got = account_is_valid(buf, n);
		if (got != want)
			fail_msg("seed round %zu: account_is_valid(\"%s\") = "
			    "%d, want %d", r, buf, got, want);
		if (action_login_ok(buf, why, sizeof(why)) != want)
			fail_msg("action_login_ok(\"%s\"): %s", buf, why);
		if (!want && (why[0] == '\0' ||
		    strstr(why, "other than letters") != NULL))
			fail_msg("refusal of \"%s\" says \"%s\"", buf, why);
		/* action_account_ok: the same, minus '.', ALL */
		want = want && buf[0] != '.' && strcasecmp(buf, "ALL") != 0;
		got = action_account_ok(buf, why, sizeof(why));
		if (got != want)
			fail_msg("action_account_ok(\"%s\") = %d, want %d "
			    "(%s)", buf, got, want, why);
		if (got) {
			accepted++;
			assert_true(n >= 1 && n <= 255);
			assert_true(buf[0] != '-' && buf[0] != '.');
			assert_true(strcasecmp(buf, "ALL") != 0);
			check_chars(buf, n);
		}
	}
	/* the generator makes both kinds, or the test proves nothing */
	assert_true(accepted > ROUNDS / 10);
	assert_true(accepted < ROUNDS - ROUNDS / 10);
}

/* 255 bytes pass, 256 do not, whatever the characters. */
static void
test_login_length_boundary(void **state)
{
	char	 buf[300], why[256];
	size_t	 i;

	memset(buf, 'a', 255);
	buf[255] = '\0';
	assert_true(account_is_valid(buf, 255));
	assert_true(action_account_ok(buf, why, sizeof(why)));
	buf[255] = 'a';
	buf[256] = '\0';
	assert_false(account_is_valid(buf, 256));
	assert_false(action_account_ok(buf, why, sizeof(why)));
	assert_non_null(strstr(why, "255"));
	/* 127 two-byte letters and an 'a': 255 bytes */
	for (i = 0; i < 254; i += 2) {
		buf[i] = '\xc3';
		buf[i + 1] = '\xbc';
	}
	buf[254] = 'a';
	buf[255] = '\0';
	assert_true(action_account_ok(buf, why, sizeof(why)));
	/* 128 of them: 256 */
	buf[254] = '\xc3';
	buf[255] = '\xbc';
	buf[256] = '\0';
	assert_false(action_account_ok(buf, why, sizeof(why)));
	/* a letter cut by the limit is no letter */
	buf[254] = '\xc3';
	buf[255] = '\0';
	assert_false(account_is_valid(buf, 255));
}

/* What an admin reads when an account is refused names the character. */
static void
test_login_messages(void **state)
{
	static const struct {
		const char	*login;
		const char	*says;	/* NULL: accepted */
	} cases[] = {
		{ "j\xc3\xbcrgen@example.test", NULL },
		{ "100%club@example.test", NULL },
		{ "a@b@c", NULL },
		{ "a\xe2\x80\x8b" "b", "U+200B, an invisible" },
		{ "o'brien", "a quote (')" },
		{ "a b", "a space at byte 2" },
		{ "a\x1b[2J", "the control byte \\x1b" },
		{ "caf\xc3", "the byte \\xc3, which is not UTF-8" },
		{ "-oX", "starts with '-'" },
		{ ".x", "starts with '.'" },
		{ "All", "the reserved word ALL" },
		{ "a\xe2\x82\xac", "U+20AC, a symbol" },
		{ "", "is empty" },
	};
	char	 why[256];
	size_t	 i;
	int	 ok;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		ok = action_account_ok(cases[i].login, why, sizeof(why));
		if (ok != (cases[i].says == NULL) || (!ok &&
		    strstr(why, cases[i].says) == NULL))
			fail_msg("\"%s\": %d, \"%s\"", cases[i].login, ok, why);
		assert_null(strchr(why, '\x1b'));
	}
}

/* Run sh -c line; its stdout into out (at most size - 1 bytes). */
static size_t
sh_run(const char *line, char *out, size_t size)
{
	int	 fd[2], status;
	pid_t	 pid;
	size_t	 n = 0;
	ssize_t	 k;

	assert_int_equal(pipe(fd), 0);
	if ((pid = fork()) == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execl("/bin/sh", "sh", "-c", line, (char *)NULL);
		_exit(127);
	}
	assert_true(pid > 0);
	close(fd[1]);
	while (n + 1 < size && (k = read(fd[0], out + n, size - 1 - n)) > 0)
		n += (size_t)k;
	close(fd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	out[n] = '\0';
	return n;
}

/* A random word: any bytes but NUL, with the shell's syntax favoured. */
static size_t
gen_word(char *buf, size_t size)
{
	static const char special[] = "'\"`$\\ \t\n;|&<>()*?[]{}~#=!%^";
	size_t	 n = pick(40), i;

	if (n >= size)
		n = size - 1;
	for (i = 0; i < n; i++) {
		switch (pick(4)) {
		case 0:
			buf[i] = special[pick(sizeof(special) - 1)];
			break;
		case 1:
			buf[i] = (char)(1 + pick(255));
			break;
		default:
			buf[i] = (char)('a' + pick(26));
		}
	}
	buf[n] = '\0';
	return n;
}

/*
 * shquote_argv's line, given to a real /bin/sh with printf '%s\0' before
 * it, gives back every word byte for byte: no word is split, joined,
 * expanded or run.
 */
static void
test_shquote_roundtrip(void **state)
{
	char	 words[8][64], *argv[10], line[8192], out[8192];
	size_t	 r, i, nw, o, len[8];

	for (r = 0; r < SH_ROUNDS; r++) {
		nw = 1 + pick(8);
		argv[0] = "printf";
		argv[1] = "%s\\0";
		for (i = 0; i < nw; i++) {
			len[i] = gen_word(words[i], sizeof(words[i]));
			argv[2 + i] = words[i];
		}
		assert_true(shquote_argv((int)nw + 2, argv, line,
		    sizeof(line)) > 0);
		sh_run(line, out, sizeof(out));
		for (i = 0, o = 0; i < nw; i++) {
			if (memcmp(out + o, words[i], len[i] + 1) != 0)
				fail_msg("round %zu word %zu: sent \"%s\" got "
				    "\"%s\" (line %s)", r, i, words[i],
				    out + o, line);
			o += len[i] + 1;
		}
	}
}

/*
 * An accepted account rendered into a template and quoted reaches the
 * shell as one word, unchanged; a short buffer is refused, never overrun.
 */
static void
test_render_roundtrip(void **state)
{
	struct action_values	 v;
	struct action_argv	 a;
	char			 acct[600], line[4096], out[4096], err[256];
	size_t			 r, n, done = 0, size;
	int			 ok, k;

	for (r = 0; r < ROUNDS && done < SH_ROUNDS; r++) {
		n = gen_login(acct, sizeof(acct), &ok);
		if (!action_account_ok(acct, err, sizeof(err)))
			continue;
		memset(&v, 0, sizeof(v));
		v.v[AV_ACCOUNT] = acct;
		assert_int_equal(action_render("printf %s\\0 %{account}", &v,
		    &a, err, sizeof(err)), 0);
		assert_int_equal(a.argc, 3);
		assert_string_equal(a.argv[2], acct);
		k = action_shell_quote(&a, line, sizeof(line));
		assert_true(k > 0);
		/* every shorter buffer is refused with its last byte kept */
		size = pick((size_t)k + 1);
		line[size] = '#';
		assert_int_equal(shquote_argv(a.argc, a.argv, line, size), -1);
		assert_int_equal(line[size], '#');
		assert_int_equal(action_shell_quote(&a, line, sizeof(line)),
		    k);
		assert_int_equal(sh_run(line, out, sizeof(out)), n + 1);
		assert_memory_equal(out, acct, n + 1);
		action_argv_free(&a);
		done++;
	}
	assert_int_equal(done, SH_ROUNDS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_properties),
		cmocka_unit_test(test_login_length_boundary),
		cmocka_unit_test(test_login_messages),
		cmocka_unit_test(test_shquote_roundtrip),
		cmocka_unit_test(test_render_roundtrip),
	};
	const char	*s = getenv("MAILCON_SEED");

	rng_state = s != NULL ? strtoull(s, NULL, 0) :
	    (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	if (rng_state == 0)
		rng_state = 1;
	printf("test_grammar: MAILCON_SEED=%llu\n",
	    (unsigned long long)rng_state);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
