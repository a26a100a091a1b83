/* test_theme.c: theme files, inheritance, errors, lookup and fallback. */
#include <sys/stat.h>

#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tui/theme.h"

static const enum theme_role levels[4] = {
	THEME_ROLE_OK, THEME_ROLE_WATCH, THEME_ROLE_SUSPICIOUS,
	THEME_ROLE_CRITICAL
};

/* The shipped themes' directory: $MAILCON_THEMES, else "themes". */
static const char *
themes_dir(void)
{
	const char	*d = getenv("MAILCON_THEMES");

	return d != NULL && *d != '\0' ? d : "themes";
}

/* Load a shipped theme by file name, failing the test on error. */
static void
load_shipped(const char *name, struct theme *t)
{
	char	 path[PATH_MAX], err[512];

	snprintf(path, sizeof(path), "%s/%s.theme", themes_dir(), name);
	err[0] = '\0';
	if (theme_load(path, t, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

/* Write text to a temporary file and return its path (static buffer). */
static const char *
write_theme(const char *text)
{
	static char	 path[64];
	FILE		*f;
	int		 fd;

	strcpy(path, "/tmp/mailcon-test-theme-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fwrite(text, 1, strlen(text), f);
	fclose(f);
	return path;
}

/* Whether two styles are the same. */
static int
same_style(const struct theme_style *a, const struct theme_style *b)
{
	return a->fg == b->fg && a->bg == b->bg && a->attrs == b->attrs;
}

/* Every *.theme in the directory parses; the four required ones exist. */
static void
test_shipped_parse(void **state)
{
	struct theme	 t;
	struct dirent	*de;
	DIR		*d;
	char		 path[PATH_MAX], err[512];
	size_t		 len;
	int		 n = 0, seen = 0;

	(void)state;
	d = opendir(themes_dir());
	if (d == NULL)
		fail_msg("cannot open %s (set MAILCON_THEMES)", themes_dir());
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 7 || strcmp(de->d_name + len - 6, ".theme") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", themes_dir(), de->d_name);
		if (theme_load(path, &t, err, sizeof(err)) != 0)
			fail_msg("%s", err);
		n++;
		if (strcmp(de->d_name, "default.theme") == 0)
			seen |= 1;
		else if (strcmp(de->d_name, "mono.theme") == 0)
			seen |= 2;
		else if (strcmp(de->d_name, "light.theme") == 0)
			seen |= 4;
		else if (strcmp(de->d_name, "256.theme") == 0)
			seen |= 8;
	}
	closedir(d);
	assert_true(n >= 4);
	assert_int_equal(seen, 15);
}

/* Each shipped theme sets every role itself and needs what it claims. */
static void
test_shipped_content(void **state)
{
	struct theme	 t;

	(void)state;
	load_shipped("default", &t);
	assert_int_equal(theme_colors_needed(&t), 8);
	load_shipped("light", &t);
	assert_int_equal(theme_colors_needed(&t), 8);
	load_shipped("256", &t);
	assert_int_equal(theme_colors_needed(&t), 256);
	assert_int_equal(t.style[THEME_ROLE_HEADER].fg, 231);
	assert_int_equal(t.style[THEME_ROLE_HEADER].bg, 24);
	assert_int_equal(t.style[THEME_ROLE_HEADER].attrs, THEME_ATTR_BOLD);
	load_shipped("mono", &t);
	assert_int_equal(theme_colors_needed(&t), 0);
}

/* The compiled-in default and mono are the shipped files, unchanged. */
static void
test_builtins_match_files(void **state)
{
	static const char	*names[] = { "default", "mono" };
	struct theme		 file, built;
	size_t			 i;

	(void)state;
	for (i = 0; i < 2; i++) {
		load_shipped(names[i], &file);
		assert_int_equal(theme_builtin(names[i], &built), 0);
		if (memcmp(&file, &built, sizeof(file)) != 0)
			fail_msg("built-in %s differs from %s/%s.theme",
			    names[i], themes_dir(), names[i]);
	}
	assert_int_equal(theme_builtin("light", &built), -1);
}

/* In every shipped theme the four levels look different from each other. */
static void
test_levels_distinct(void **state)
{
	static const char	*names[] = { "default", "mono", "light", "256" };
	struct theme		 t;
	size_t			 i, a, b;

	(void)state;
	for (i = 0; i < 4; i++) {
		load_shipped(names[i], &t);
		for (a = 0; a < 4; a++) {
			for (b = a + 1; b < 4; b++) {
				if (same_style(&t.style[levels[a]],
				    &t.style[levels[b]]))
					fail_msg("%s: %s looks like %s",
					    names[i], theme_role_name(levels[a]),
					    theme_role_name(levels[b]));
			}
		}
	}
}

/* Without colour, mono alone tells ok, watch, suspicious, critical apart. */
static void
test_mono_levels(void **state)
{
	struct theme	 t;
	char		 err[512];
	size_t		 a, b;

	(void)state;
	assert_int_equal(setenv("MAILCON_THEMEDIR", themes_dir(), 1), 0);
	assert_int_equal(theme_select("256", 256, 1, &t, NULL, err,
	    sizeof(err)), 0);
	unsetenv("MAILCON_THEMEDIR");
	for (a = 0; a < 4; a++) {
		for (b = a + 1; b < 4; b++)
			assert_int_not_equal(t.style[levels[a]].attrs,
			    t.style[levels[b]].attrs);
	}
	/* critical must stand out from a selected (reversed) row too */
	assert_int_not_equal(t.style[THEME_ROLE_CRITICAL].attrs,
	    t.style[THEME_ROLE_SELECTED].attrs);
	assert_true(t.style[THEME_ROLE_CRITICAL].attrs & THEME_ATTR_BOLD);
}

/* Roles left out take default's style, whether default comes first or not. */
static void
test_inherit(void **state)
{
	struct theme	 t;
	char		 err[256];
	const char	*after = "ok = green default\ndefault = red blue bold\n";
	const char	*none = "watch = yellow default underline\n";

	(void)state;
	assert_int_equal(theme_parse(after, strlen(after), &t, err,
	    sizeof(err)), 0);
	assert_int_equal(t.style[THEME_ROLE_DEFAULT].fg, 1);
	assert_int_equal(t.style[THEME_ROLE_DEFAULT].bg, 4);
	assert_int_equal(t.style[THEME_ROLE_DEFAULT].attrs, THEME_ATTR_BOLD);
	assert_true(same_style(&t.style[THEME_ROLE_HEADER],
	    &t.style[THEME_ROLE_DEFAULT]));
	assert_true(same_style(&t.style[THEME_ROLE_GRAPH],
	    &t.style[THEME_ROLE_DEFAULT]));
	assert_int_equal(t.style[THEME_ROLE_OK].fg, 2);
	assert_int_equal(t.style[THEME_ROLE_OK].bg, THEME_COLOR_DEFAULT);
	assert_int_equal(t.style[THEME_ROLE_OK].attrs, 0);

	/* no default role: the terminal's own colours, no attributes */
	assert_int_equal(theme_parse(none, strlen(none), &t, err,
	    sizeof(err)), 0);
	assert_int_equal(t.style[THEME_ROLE_MUTED].fg, THEME_COLOR_DEFAULT);
	assert_int_equal(t.style[THEME_ROLE_MUTED].bg, THEME_COLOR_DEFAULT);
	assert_int_equal(t.style[THEME_ROLE_MUTED].attrs, 0);
	assert_int_equal(t.style[THEME_ROLE_WATCH].attrs,
	    THEME_ATTR_UNDERLINE);
}

/* Colour names, bright names, numbers; attributes; comments, blanks, CRLF. */
static void
test_syntax(void **state)
{
	struct theme	 t;
	char		 err[256];
	const char	*text =
	    "\xef\xbb\xbf# comment\n"
	    "\n"
	    "   \t\n"
	    "default=white black   # trailing comment\r\n"
	    "header = brightred brightblack bold,dim,reverse\n"
	    "status\t=\t0\t255\tunderline, standout\n"
	    "graph = 196 default none";

	(void)state;
	if (theme_parse(text, strlen(text), &t, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(t.style[THEME_ROLE_DEFAULT].fg, 7);
	assert_int_equal(t.style[THEME_ROLE_DEFAULT].bg, 0);
	assert_int_equal(t.style[THEME_ROLE_HEADER].fg, 9);
	assert_int_equal(t.style[THEME_ROLE_HEADER].bg, 8);
	assert_int_equal(t.style[THEME_ROLE_HEADER].attrs,
	    THEME_ATTR_BOLD | THEME_ATTR_DIM | THEME_ATTR_REVERSE);
	assert_int_equal(t.style[THEME_ROLE_STATUS].fg, 0);
	assert_int_equal(t.style[THEME_ROLE_STATUS].bg, 255);
	assert_int_equal(t.style[THEME_ROLE_STATUS].attrs,
	    THEME_ATTR_UNDERLINE | THEME_ATTR_STANDOUT);
	assert_int_equal(t.style[THEME_ROLE_GRAPH].fg, 196);
	assert_int_equal(t.style[THEME_ROLE_GRAPH].bg, THEME_COLOR_DEFAULT);
	assert_int_equal(theme_colors_needed(&t), 256);
	assert_string_equal(theme_role_name(THEME_ROLE_KEY_HINT), "key_hint");
}

/* How many colours a theme needs, by its highest colour. */
static void
test_colors_needed(void **state)
{
	struct theme	 t;
	char		 err[256];

	(void)state;
	assert_int_equal(theme_parse("", 0, &t, err, sizeof(err)), 0);
	assert_int_equal(theme_colors_needed(&t), 0);
	assert_int_equal(theme_parse("ok = white default", 18, &t, err,
	    sizeof(err)), 0);
	assert_int_equal(theme_colors_needed(&t), 8);
	assert_int_equal(theme_parse("ok = default brightwhite", 24, &t, err,
	    sizeof(err)), 0);
	assert_int_equal(theme_colors_needed(&t), 16);
	assert_int_equal(theme_parse("ok = 16 default", 15, &t, err,
	    sizeof(err)), 0);
	assert_int_equal(theme_colors_needed(&t), 256);
}

/* Every error names the file and line, and says what is wrong. */
static void
test_errors(void **state)
{
	static const struct {
		const char	*text;
		int		 line;
		const char	*msg;
	} cases[] = {
		{ "okk = red default\n", 1, "unknown role 'okk'" },
		{ "# c\nok = pink default\n", 2, "bad foreground colour 'pink'" },
		{ "ok = red 256\n", 1, "bad background colour '256'" },
		{ "ok = red -1\n", 1, "bad background colour '-1'" },
		{ "ok = brightpink red\n", 1, "bad foreground colour" },
		{ "ok = bright red\n", 1, "bad foreground colour 'bright'" },
		{ "ok = Red default\n", 1, "bad foreground colour 'Red'" },
		{ "ok = red\n", 1, "missing background colour" },
		{ "ok =\n", 1, "missing foreground colour" },
		{ "ok red default\n", 1, "expected '=' after 'ok'" },
		{ "= red default\n", 1, "missing role name" },
		{ "ok = red default blink\n", 1, "unknown attribute 'blink'" },
		{ "ok = red default bold,none\n", 1, "'none' cannot be" },
		{ "\n\nok = red default\nwatch = red default\nok = red red\n",
		    5, "duplicate role 'ok' (already set on line 3)" },
		{ "ok = red default\nx\001y = red default\n", 2,
		    "unknown role 'x?y'" },
	};
	struct theme	 t;
	char		 err[512], want[512];
	const char	*path;
	size_t		 i;
	int		 rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		path = write_theme(cases[i].text);
		err[0] = '\0';
		rc = theme_load(path, &t, err, sizeof(err));
		unlink(path);
		snprintf(want, sizeof(want), "%s:%d: %s", path, cases[i].line,
		    cases[i].msg);
		if (rc != -1 || strncmp(err, want, strlen(want)) != 0)
			fail_msg("case %zu: rc %d, got \"%s\", want \"%s...\"",
			    i, rc, err, want);
	}
	/* from a string: the line alone */
	assert_int_equal(theme_parse("ok = red\0 x", 11, &t, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "line 1: NUL byte: not a theme file");
}

/* Missing files, bad names and directories are errors that say so. */
static void
test_load_errors(void **state)
{
	struct theme	 t;
	char		 err[512];

	(void)state;
	assert_int_equal(theme_load("/nonexistent/x.theme", &t, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/x.theme: "));
	assert_int_equal(theme_load("/tmp/", &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a theme file"));
	assert_int_equal(setenv("MAILCON_THEMEDIR", themes_dir(), 1), 0);
	assert_int_equal(theme_load("nosuch", &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "theme 'nosuch' not found in "));
	assert_non_null(strstr(err, themes_dir()));
	assert_int_equal(theme_load("..", &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad theme name"));
	assert_int_equal(theme_load(".hidden", &t, err, sizeof(err)), -1);
	unsetenv("MAILCON_THEMEDIR");
}

/* Lookup order: MAILCON_THEMEDIR alone, else the user's dir first. */
static void
test_find(void **state)
{
	char		 base[] = "/tmp/mailcon-test-xdg-XXXXXX";
	char		 dir[256], file[PATH_MAX], path[PATH_MAX];
	char		 err[512];
	struct theme	 t;
	enum theme_fit	 fit;
	FILE		*f;

	(void)state;
	assert_non_null(mkdtemp(base));
	snprintf(dir, sizeof(dir), "%s/mailcon", base);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(dir, sizeof(dir), "%s/mailcon/themes", base);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(file, sizeof(file), "%s/mine.theme", dir);
	assert_non_null(f = fopen(file, "w"));
	fputs("ok = brightgreen default\n", f);
	fclose(f);

	unsetenv("MAILCON_THEMEDIR");
	assert_int_equal(setenv("XDG_CONFIG_HOME", base, 1), 0);
	assert_int_equal(theme_find("mine", path, sizeof(path), err,
	    sizeof(err)), 0);
	assert_string_equal(path, file);
	assert_int_equal(theme_load("mine", &t, err, sizeof(err)), 0);
	assert_int_equal(t.style[THEME_ROLE_OK].fg, 10);

	/* the override replaces the user's directory */
	assert_int_equal(setenv("MAILCON_THEMEDIR", themes_dir(), 1), 0);
	assert_int_equal(theme_find("mine", path, sizeof(path), err,
	    sizeof(err)), -1);
	assert_int_equal(theme_find("light", path, sizeof(path), err,
	    sizeof(err)), 0);
	snprintf(file, sizeof(file), "%s/light.theme", themes_dir());
	assert_string_equal(path, file);

	/* a user's mono.theme with colours still gives no colour */
	snprintf(file, sizeof(file), "%s/mono.theme", dir);
	assert_non_null(f = fopen(file, "w"));
	fputs("ok = red green bold\n", f);
	fclose(f);
	assert_int_equal(setenv("MAILCON_THEMEDIR", dir, 1), 0);
	assert_int_equal(theme_select("default", 256, 1, &t, NULL, err,
	    sizeof(err)), 0);
	assert_int_equal(t.style[THEME_ROLE_OK].fg, THEME_COLOR_DEFAULT);
	assert_int_equal(t.style[THEME_ROLE_OK].bg, THEME_COLOR_DEFAULT);
	assert_int_equal(t.style[THEME_ROLE_OK].attrs, THEME_ATTR_BOLD);

	/* a user's 256-colour default.theme on 8 colours: mono, not a loop */
	snprintf(file, sizeof(file), "%s/default.theme", dir);
	assert_non_null(f = fopen(file, "w"));
	fputs("ok = 200 default\n", f);
	fclose(f);
	assert_int_equal(theme_select("default", 8, 0, &t, &fit, err,
	    sizeof(err)), 0);
	assert_int_equal(fit, THEME_FIT_MONO);
	assert_int_equal(t.style[THEME_ROLE_OK].fg, THEME_COLOR_DEFAULT);
	assert_int_equal(t.style[THEME_ROLE_OK].attrs, THEME_ATTR_BOLD);
	unlink(file);
	snprintf(file, sizeof(file), "%s/mono.theme", dir);
	unlink(file);

	/* without any file, default and mono are still there, built in */
	assert_int_equal(setenv("MAILCON_THEMEDIR", base, 1), 0);
	assert_int_equal(theme_load("mono", &t, err, sizeof(err)), 0);
	assert_int_equal(t.style[THEME_ROLE_CRITICAL].attrs,
	    THEME_ATTR_BOLD | THEME_ATTR_REVERSE);
	assert_int_equal(theme_load("default", &t, err, sizeof(err)), 0);
	assert_int_equal(t.style[THEME_ROLE_CRITICAL].bg, 1);
	unsetenv("MAILCON_THEMEDIR");
	unsetenv("XDG_CONFIG_HOME");

	snprintf(file, sizeof(file), "%s/mine.theme", dir);
	unlink(file);
	rmdir(dir);
	snprintf(dir, sizeof(dir), "%s/mailcon", base);
	rmdir(dir);
	rmdir(base);
}

/* The decision table: terminal colours and NO_COLOR against the need. */
static void
test_fit(void **state)
{
	(void)state;
	/* a 256-colour theme */
	assert_int_equal(theme_fit(256, 256, 0), THEME_FIT_AS_IS);
	assert_int_equal(theme_fit(256, 88, 0), THEME_FIT_DEFAULT);
	assert_int_equal(theme_fit(256, 16, 0), THEME_FIT_DEFAULT);
	assert_int_equal(theme_fit(256, 8, 0), THEME_FIT_DEFAULT);
	assert_int_equal(theme_fit(256, 2, 0), THEME_FIT_MONO);
	assert_int_equal(theme_fit(256, 0, 0), THEME_FIT_MONO);
	assert_int_equal(theme_fit(256, 256, 1), THEME_FIT_MONO);
	/* a 16-colour theme */
	assert_int_equal(theme_fit(16, 256, 0), THEME_FIT_AS_IS);
	assert_int_equal(theme_fit(16, 16, 0), THEME_FIT_AS_IS);
	assert_int_equal(theme_fit(16, 8, 0), THEME_FIT_DEFAULT);
	/* an 8-colour theme */
	assert_int_equal(theme_fit(8, 256, 0), THEME_FIT_AS_IS);
	assert_int_equal(theme_fit(8, 16, 0), THEME_FIT_AS_IS);
	assert_int_equal(theme_fit(8, 8, 0), THEME_FIT_AS_IS);
	assert_int_equal(theme_fit(8, 2, 0), THEME_FIT_MONO);
	assert_int_equal(theme_fit(8, 8, 1), THEME_FIT_MONO);
	/* a colourless theme is mono on any terminal */
	assert_int_equal(theme_fit(0, 256, 0), THEME_FIT_AS_IS);
	assert_int_equal(theme_fit(0, 0, 0), THEME_FIT_MONO);
}

/* theme_select loads what the decision says, with no colour left in mono. */
static void
test_select(void **state)
{
	struct theme	 t, def, mono;
	enum theme_fit	 fit;
	char		 err[512];
	int		 r;

	(void)state;
	load_shipped("default", &def);
	load_shipped("mono", &mono);
	assert_int_equal(setenv("MAILCON_THEMEDIR", themes_dir(), 1), 0);

	assert_int_equal(theme_select("256", 256, 0, &t, &fit, err,
	    sizeof(err)), 0);
	assert_int_equal(fit, THEME_FIT_AS_IS);
	assert_int_equal(t.style[THEME_ROLE_HEADER].bg, 24);

	assert_int_equal(theme_select("256", 16, 0, &t, &fit, err,
	    sizeof(err)), 0);
	assert_int_equal(fit, THEME_FIT_DEFAULT);
	assert_memory_equal(&t, &def, sizeof(t));

	assert_int_equal(theme_select("256", 8, 0, &t, &fit, err,
	    sizeof(err)), 0);
	assert_int_equal(fit, THEME_FIT_DEFAULT);
	assert_memory_equal(&t, &def, sizeof(t));

	assert_int_equal(theme_select("light", 8, 0, &t, &fit, err,
	    sizeof(err)), 0);
	assert_int_equal(fit, THEME_FIT_AS_IS);
	assert_int_equal(t.style[THEME_ROLE_WATCH].bg, 3);

	assert_int_equal(theme_select("default", 2, 0, &t, &fit, err,
	    sizeof(err)), 0);
	assert_int_equal(fit, THEME_FIT_MONO);
	assert_memory_equal(&t, &mono, sizeof(t));

	assert_int_equal(theme_select("light", 256, 1, &t, &fit, err,
	    sizeof(err)), 0);
	assert_int_equal(fit, THEME_FIT_MONO);
	for (r = 0; r < THEME_NROLES; r++) {
		assert_int_equal(t.style[r].fg, THEME_COLOR_DEFAULT);
		assert_int_equal(t.style[r].bg, THEME_COLOR_DEFAULT);
		assert_int_equal(t.style[r].attrs, mono.style[r].attrs);
	}

	/* a broken theme is reported even when mono would be used */
	assert_int_equal(theme_select("nosuch", 0, 1, &t, &fit, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "theme 'nosuch' not found"));
	unsetenv("MAILCON_THEMEDIR");
}

/* NO_COLOR counts only when set to something (no-color.org). */
static void
test_no_color(void **state)
{
	(void)state;
	unsetenv("NO_COLOR");
	assert_int_equal(theme_no_color(), 0);
	assert_int_equal(setenv("NO_COLOR", "", 1), 0);
	assert_int_equal(theme_no_color(), 0);
	assert_int_equal(setenv("NO_COLOR", "1", 1), 0);
	assert_int_equal(theme_no_color(), 1);
	unsetenv("NO_COLOR");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_parse),
		cmocka_unit_test(test_shipped_content),
		cmocka_unit_test(test_builtins_match_files),
		cmocka_unit_test(test_levels_distinct),
		cmocka_unit_test(test_mono_levels),
		cmocka_unit_test(test_inherit),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_colors_needed),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_no_color),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
