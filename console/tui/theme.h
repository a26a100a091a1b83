/*
 * theme.h: colour themes, parsed and chosen without a terminal.
 *
 * A theme maps roles (not widgets) to a style: `role = fg bg [attrs]`, one
 * per line, `#` starts a comment.  Colours are `default` (the terminal's
 * own), black red green yellow blue magenta cyan white (0-7), the same with
 * a `bright` prefix (8-15), or a number 0-255.  Attributes are a
 * comma-separated list of bold dim reverse underline standout, or `none`;
 * omitted means none.  A role left out takes the `default` role's style.
 * Unknown roles, bad colours or attributes and duplicate roles are errors
 * naming the file and line.
 *
 * The curses side (init_pair, attributes) is in theme_curses.h so that this
 * part can be tested without a terminal.
 */
#ifndef MAILCON_THEME_H
#define MAILCON_THEME_H

#include <stddef.h>

enum theme_role {
	THEME_ROLE_DEFAULT,
	THEME_ROLE_HEADER,
	THEME_ROLE_STATUS,
	THEME_ROLE_KEY_HINT,
	THEME_ROLE_SELECTED,
	THEME_ROLE_OK,
	THEME_ROLE_WATCH,
	THEME_ROLE_SUSPICIOUS,
	THEME_ROLE_CRITICAL,
	THEME_ROLE_MUTED,
	THEME_ROLE_GRAPH,
	THEME_NROLES
};

#define THEME_COLOR_DEFAULT	(-1)	/* the terminal's own fg or bg */

/* Attribute bits; theme_curses.c maps them to A_*. */
#define THEME_ATTR_BOLD		0x01
#define THEME_ATTR_DIM		0x02
#define THEME_ATTR_REVERSE	0x04
#define THEME_ATTR_UNDERLINE	0x08
#define THEME_ATTR_STANDOUT	0x10

struct theme_style {
	short		 fg;		/* THEME_COLOR_DEFAULT or 0-255 */
	short		 bg;
	unsigned int	 attrs;		/* THEME_ATTR_* */
};

struct theme {
	struct theme_style	 style[THEME_NROLES];
};

/*
 * What to do with a theme on a given terminal (see theme_fit):
 * use it, fall back to the default theme, or to the mono theme without any
 * colour.
 */
enum theme_fit {
	THEME_FIT_AS_IS,
	THEME_FIT_DEFAULT,
	THEME_FIT_MONO
};

/* The role's name as written in a theme file ("key_hint"). */
const char	*theme_role_name(enum theme_role role);

/*
 * Parse a theme from text[0..len) into *out.  On error returns -1 with
 * "line N: message" in err.
 */
int	theme_parse(const char *text, size_t len, struct theme *out, char *err,
	    size_t errlen);

/* theme_parse, with errors as "path:line: message". */
int	theme_parse_file(const char *path, const char *text, size_t len,
	    struct theme *out, char *err, size_t errlen);

/*
 * Resolve a theme name ("light") to a file path:
 *   1. $MAILCON_THEMEDIR/NAME.theme when that variable is set, and nowhere
 *      else (tests, packaging);
 *   2. $XDG_CONFIG_HOME/mailcon/themes (else ~/.config/mailcon/themes);
 *   3. the installed themes (paths_themedir: $MAILCON_DATADIR/themes, else
 *      the THEMEDIR `make install` compiled in);
 *   4. themes/ of the source tree the executable was built in
 *      (paths_srcdir), so that build/mailcon finds the themes when run
 *      from a checkout.
 * Returns 0 with the path, or -1 with a message listing where it looked.
 */
int	theme_find(const char *name, char *path, size_t pathlen, char *err,
	    size_t errlen);

/*
 * The names theme_load finds without a path (the built-in default and mono
 * too), sorted, each once: a NULL-terminated array the caller frees, each
 * name and then the array.  For the shell completions.
 */
char	**theme_list(void);

/*
 * Load a theme by name (see theme_find) or, when what contains a '/', from
 * that file.  On error returns -1 with "path:line: message" in err.
 */
int	theme_load(const char *what, struct theme *out, char *err,
	    size_t errlen);

/*
 * The compiled-in copy of themes/default.theme or themes/mono.theme, so the
 * console still starts when no theme is installed.  -1 for other names.
 */
int	theme_builtin(const char *name, struct theme *out);

/* How many colours the theme needs: 0 (none), 8, 16 or 256. */
int	theme_colors_needed(const struct theme *t);

/*
 * Decide how a theme needing `needed` colours (theme_colors_needed) is
 * shown on a terminal with `colors` colours (COLORS, 0 without colour):
 *   - no_color (NO_COLOR set and non-empty) or fewer than 8 colours: mono;
 *   - the terminal has what the theme needs: as is;
 *   - else the default theme.  A 256-colour palette is not mapped down to
 *     the nearest of 8 or 16: hand-picked shades (252 on 235, 250 on 238)
 *     collapse into the same pair and lose the contrast they were chosen
 *     for, while default.theme is designed for 8 colours.
 */
enum theme_fit	theme_fit(int needed, int colors, int no_color);

/* Whether NO_COLOR is set to a non-empty value (no-color.org). */
int	theme_no_color(void);

/* Drop every colour, keeping the attributes (the mono fallback). */
void	theme_strip_colors(struct theme *t);

/*
 * Load the theme `name` and fit it to the terminal (theme_fit): when it
 * needs more colours than there are, load "default"; when that still does
 * not fit, or for mono, load "mono" and strip its colours.  "default" and
 * "mono" fall back to the built-in copies when not installed.  Errors in
 * the requested theme are reported even when it would not be used.  The
 * decision taken is stored in *fit when fit is not NULL.
 */
int	theme_select(const char *name, int colors, int no_color,
	    struct theme *out, enum theme_fit *fit, char *err, size_t errlen);

#endif
