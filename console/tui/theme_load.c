/* theme_load.c: find theme files by name, read them, fit them to a terminal. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "theme.h"
#include "core/paths.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"

/* A theme is a dozen lines; anything this big is the wrong file. */
#define THEME_MAX_SIZE	(64 * 1024)

/* At most this many directories hold themes (theme_dirs). */
#define THEME_NDIRS	3

/* Copies of themes/default.theme and themes/mono.theme (tests compare). */
static const char theme_builtin_default[] =
	"default    = default default none\n"
	"header     = black   cyan    bold\n"
	"status     = black   white   none\n"
	"key_hint   = yellow  default bold\n"
	"selected   = white   blue    bold\n"
	"ok         = green   default none\n"
	"watch      = yellow  default none\n"
	"suspicious = magenta default bold\n"
	"critical   = white   red     bold\n"
	"muted      = default default dim\n"
	"graph      = cyan    default none\n";

static const char theme_builtin_mono[] =
	"default    = default default none\n"
	"header     = default default reverse\n"
	"status     = default default reverse\n"
	"key_hint   = default default bold\n"
	"selected   = default default reverse\n"
	"ok         = default default none\n"
	"watch      = default default underline\n"
	"suspicious = default default bold\n"
	"critical   = default default bold,reverse\n"
	"muted      = default default dim\n"
	"graph      = default default none\n";

/* Names are plain words, so a name can never climb out of a directory. */
static int
theme_name_ok(const char *name)
{
	size_t	 i, len = strlen(name);

	if (len == 0 || len > 64 || name[0] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789-_.", name[i]) == NULL)
			return 0;
	}
	return 1;
}

/* Whether path names a regular file (or a link to one). */
static int
theme_is_file(const char *path)
{
	struct stat	 st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * Where theme_find looks, in order, into dirs: $MAILCON_THEMEDIR alone
 * when set; else the user's directory, the installed one and the source
 * tree's.  Returns how many.
 */
static int
theme_dirs(char dirs[THEME_NDIRS][PATH_MAX])
{
	const char	*env, *home;
	char		 src[PATH_MAX];
	int		 n = 0;

	if ((env = getenv("MAILCON_THEMEDIR")) != NULL && *env != '\0') {
		snprintf(dirs[n++], PATH_MAX, "%s", env);
		return n;
	}
	/* As config.c: a relative XDG_CONFIG_HOME is ignored. */
	if ((env = getenv("XDG_CONFIG_HOME")) != NULL && *env == '/')
		snprintf(dirs[n++], PATH_MAX, "%s/mailcon/themes", env);
	else if ((home = getenv("HOME")) != NULL && *home != '\0')
		snprintf(dirs[n++], PATH_MAX, "%s/.config/mailcon/themes",
		    home);
	paths_themedir(dirs[n++], PATH_MAX);
	if (paths_srcdir(src, sizeof(src)) == 0 &&
	    (size_t)snprintf(dirs[n], PATH_MAX, "%s/themes", src) < PATH_MAX)
		n++;
	return n;
}

/* See theme.h. */
int
theme_find(const char *name, char *path, size_t pathlen, char *err,
    size_t errlen)
{
	char		 dirs[THEME_NDIRS][PATH_MAX];
	char		 tried[THEME_NDIRS * PATH_MAX + 64];
	int		 i, n, len;

	if (!theme_name_ok(name)) {
		snprintf(err, errlen, "bad theme name '%.64s': use letters, "
		    "digits, '-', '_' and '.', or give a path with a '/'",
		    sanitize_str(tried, sizeof(tried), name));
		return -1;
	}
	n = theme_dirs(dirs);
	tried[0] = '\0';
	for (i = 0; i < n; i++) {
		len = snprintf(path, pathlen, "%s/%s.theme", dirs[i], name);
		if (len >= 0 && (size_t)len < pathlen && theme_is_file(path))
			return 0;
		if (i > 0)
			strcat(tried, ", ");
		strcat(tried, dirs[i]);
	}
	snprintf(err, errlen, "theme '%s' not found in %s (or give a path "
	    "to a .theme file)", name, tried);
	return -1;
}

/* qsort comparison of two names. */
static int
theme_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* See theme.h. */
char **
theme_list(void)
{
	char		 dirs[THEME_NDIRS][PATH_MAX], path[PATH_MAX * 2];
	char		**v;
	struct dirent	*de;
	DIR		*dp;
	size_t		 n = 2, len, i, j;
	int		 d, nd;

	v = xcalloc(3, sizeof(char *));
	v[0] = xstrdup("default");	/* built in */
	v[1] = xstrdup("mono");
	nd = theme_dirs(dirs);
	for (d = 0; d < nd; d++) {
		if ((dp = opendir(dirs[d])) == NULL)
			continue;
		while ((de = readdir(dp)) != NULL) {
			len = strlen(de->d_name);
			if (len <= 6 || strcmp(de->d_name + len - 6,
			    ".theme") != 0)
				continue;
			if ((size_t)snprintf(path, sizeof(path), "%s/%s",
			    dirs[d], de->d_name) >= sizeof(path))
				continue;
			de->d_name[len - 6] = '\0';
			if (!theme_name_ok(de->d_name) || !theme_is_file(path))
				continue;
			v = xreallocarray(v, n + 2, sizeof(char *));
			v[n++] = xstrdup(de->d_name);
		}
		closedir(dp);
	}
	v[n] = NULL;
	qsort(v, n, sizeof(char *), theme_cmp);
	for (i = j = 0; i < n; i++) {
		if (j > 0 && strcmp(v[j - 1], v[i]) == 0)
			free(v[i]);
		else
			v[j++] = v[i];
	}
	v[j] = NULL;
	return v;
}

/* Read a whole theme file into a NUL-terminated buffer the caller frees. */
static char *
theme_read(const char *path, size_t *lenp, char *err, size_t errlen)
{
	struct stat	 st;
	char		*buf, shown[512];
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd;

	sanitize_str(shown, sizeof(shown), path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", shown, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > THEME_MAX_SIZE) {
		snprintf(err, errlen, "%s: not a theme file (a regular file "
		    "under %d KiB)", shown, THEME_MAX_SIZE / 1024);
		close(fd);
		return NULL;
	}
	buf = xmalloc(THEME_MAX_SIZE + 1);
	while (len < THEME_MAX_SIZE) {
		n = read(fd, buf + len, THEME_MAX_SIZE - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "%s: %s", shown, strerror(errno));
			free(buf);
			close(fd);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

/* See theme.h. */
int
theme_builtin(const char *name, struct theme *out)
{
	char	 err[256];

	if (strcmp(name, "default") == 0)
		return theme_parse_file("<built-in default>",
		    theme_builtin_default, sizeof(theme_builtin_default) - 1,
		    out, err, sizeof(err));
	if (strcmp(name, "mono") == 0)
		return theme_parse_file("<built-in mono>", theme_builtin_mono,
		    sizeof(theme_builtin_mono) - 1, out, err, sizeof(err));
	return -1;
}

/* See theme.h. */
int
theme_load(const char *what, struct theme *out, char *err, size_t errlen)
{
	char		 found[PATH_MAX];
	const char	*path = what;
	char		*text;
	size_t		 len;
	int		 rc;

	if (strchr(what, '/') == NULL) {
		if (theme_find(what, found, sizeof(found), err, errlen) == -1)
			return theme_builtin(what, out);
		path = found;
	}
	if ((text = theme_read(path, &len, err, errlen)) == NULL)
		return -1;
	rc = theme_parse_file(path, text, len, out, err, errlen);
	free(text);
	return rc;
}

/* See theme.h. */
int
theme_select(const char *name, int colors, int no_color, struct theme *out,
    enum theme_fit *fitp, char *err, size_t errlen)
{
	struct theme	 t;
	enum theme_fit	 fit;

	if (theme_load(name, &t, err, errlen) == -1)
		return -1;
	fit = theme_fit(theme_colors_needed(&t), colors, no_color);
	if (fit == THEME_FIT_DEFAULT) {
		if (theme_load("default", &t, err, errlen) == -1)
			return -1;
		/* A user's own default.theme may itself want more. */
		if (theme_colors_needed(&t) > colors)
			fit = THEME_FIT_MONO;
	}
	if (fit == THEME_FIT_MONO) {
		if (theme_load("mono", &t, err, errlen) == -1)
			return -1;
		theme_strip_colors(&t);
	}
	*out = t;
	if (fitp != NULL)
		*fitp = fit;
	return 0;
}
