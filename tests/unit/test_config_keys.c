/*
 * test_config_keys.c: the example configuration (console/dist/mailcon.conf)
 * and the man page against the keys the parser accepts (config_keys.c:
 * the console's and every backend's), the example's defaults against the
 * backends' option tables, and which file is read without --config (user
 * file, else system file).
 */
#include <sys/stat.h>

#include <ctype.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "unit_files.h"
#include "config/config.h"

#define MAXLINES	4000

/* A file of the source tree: $MAILCON_SRCDIR/name, else ./name. */
static const char *
src_path(char *buf, size_t size, const char *name)
{
	const char	*d = getenv("MAILCON_SRCDIR");

	snprintf(buf, size, "%s/%s", d != NULL && *d != '\0' ? d : ".", name);
	return buf;
}

/* The lines of a source file, NULL-terminated; free with free_lines. */
static char **
read_lines(const char *name)
{
	char	 path[PATH_MAX], line[4096], **v;
	FILE	*f;
	size_t	 n = 0;

	if ((f = fopen(src_path(path, sizeof(path), name), "r")) == NULL)
		fail_msg("%s: cannot open (run from the top of the tree or "
		    "set MAILCON_SRCDIR)", path);
	v = calloc(MAXLINES + 1, sizeof(char *));
	assert_non_null(v);
	while (fgets(line, sizeof(line), f) != NULL) {
		assert_true(n < MAXLINES);
		line[strcspn(line, "\n")] = '\0';
		v[n++] = strdup(line);
	}
	fclose(f);
	return v;
}

static void
free_lines(char **v)
{
	size_t	 i;

	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/*
 * A setting of the example, commented out (";key = value") or not: its
 * key into key, 1; 0 for any other line.
 */
static int
example_key(const char *line, char *key, size_t size)
{
	size_t	 n;

	if (*line == ';')
		line++;
	for (n = 0; line[n] == '_' || islower((unsigned char)line[n]); n++)
		;
	if (n == 0 || n >= size || strncmp(line + n, " = ", 3) != 0)
		return 0;
	memcpy(key, line, n);
	key[n] = '\0';
	return 1;
}

/* A section header, commented out or not: its name into sec, 1. */
static int
example_section(const char *line, char *sec, size_t size)
{
	size_t	 n;

	if (*line == ';')
		line++;
	if (*line != '[' || (n = strcspn(line, "]")) >= size ||
	    line[n] != ']')
		return 0;
	snprintf(sec, size, "%.*s", (int)n - 1, line + 1);
	if (strncmp(sec, "server ", 7) == 0)
		sec[6] = '\0';
	if (strncmp(sec, "loghost ", 8) == 0)
		sec[7] = '\0';
	return 1;
}

/* Whether the example sets key in section (as "server" for servers). */
static int
example_has(char **lines, const char *section, const char *key)
{
	char	 sec[128] = "", k[128];
	size_t	 i;

	for (i = 0; lines[i] != NULL; i++) {
		if (example_section(lines[i], sec, sizeof(sec)))
			continue;
		if (example_key(lines[i], k, sizeof(k)) &&
		    strcmp(sec, section) == 0 && strcmp(k, key) == 0)
			return 1;
	}
	return 0;
}

/* Every key the parser takes is in the example, in its section. */
static void
test_example_has_every_key(void **state)
{
	char		**lines = read_lines("console/dist/mailcon.conf");
	const char	*section, *name;
	char		 missing[2048] = "";
	size_t		 i;

	(void)state;
	for (i = 0; config_key_at(i, &section, &name); i++)
		if (!example_has(lines, section, name) &&
		    strlen(missing) + strlen(name) + 16 < sizeof(missing))
			snprintf(missing + strlen(missing), sizeof(missing) -
			    strlen(missing), " [%s] %s", section, name);
	free_lines(lines);
	if (missing[0] != '\0')
		fail_msg("console/dist/mailcon.conf lacks:%s", missing);
	assert_true(i > 40);	/* the table was walked */
}

/*
 * The example with every setting uncommented: a config that config_load
 * takes, whose global sections say the defaults.
 */
static void
test_example_parses(void **state)
{
	char			**lines = read_lines("console/dist/mailcon.conf");
	char			 dir[] = "/tmp/mailcon-test-keys.XXXXXX";
	char			 path[PATH_MAX], err[512], k[128], sec[128];
	struct mailcon_config	 cfg, def;
	size_t			 i, nset = 0;
	FILE			*f;
	int			 s;

	(void)state;
	uf_mkdtemp(dir);
	uf_path(path, sizeof(path), dir, "mailcon.conf");
	assert_non_null(f = fopen(path, "w"));
	for (i = 0; lines[i] != NULL; i++) {
		if (lines[i][0] == ';' && (example_key(lines[i], k,
		    sizeof(k)) || example_section(lines[i], sec, sizeof(sec)))) {
			fprintf(f, "%s\n", lines[i] + 1);
			nset++;
		} else
			fprintf(f, "%s\n", lines[i]);
	}
	fclose(f);
	free_lines(lines);
	assert_true(nset > 40);

	config_init(&cfg);
	config_init(&def);
	err[0] = '\0';
	if (config_load(&cfg, path, err, sizeof(err)) != 0)
		fail_msg("the uncommented example does not parse: %s", err);
	assert_int_equal(cfg.nservers, 3);
	assert_non_null(cfg.servers[1].ssh.host);
	assert_int_equal(cfg.nloghosts, 2);
	assert_int_equal(cfg.loghosts[0].silent_s, LOGHOST_SILENT_S);

	/* what it says is the default is the default */
	assert_int_equal(cfg.detect.window, def.detect.window);
	for (s = 0; s < SIG_COUNT; s++)
		if (memcmp(&cfg.detect.limits[s], &def.detect.limits[s],
		    sizeof(def.detect.limits[s])) != 0)
			fail_msg("[detect] %s is not the default",
			    signal_name((enum signal_id)s));
	assert_int_equal(cfg.detect.baseline_min_history,
	    def.detect.baseline_min_history);
	assert_true(cfg.detect.baseline_min_rate ==
	    def.detect.baseline_min_rate);
	assert_int_equal(cfg.detect.ratio_min_attempts,
	    def.detect.ratio_min_attempts);
	assert_int_equal(cfg.detect.queue_min_messages,
	    def.detect.queue_min_messages);
	assert_int_equal(cfg.detect.new_ip_min_history,
	    def.detect.new_ip_min_history);
	assert_int_equal(cfg.detect.max_accounts, def.detect.max_accounts);
	assert_int_equal(cfg.servers[0].queue_interval, 10);
	assert_int_equal(cfg.rbl.interval, def.rbl.interval);
	assert_int_equal(cfg.rbl.timeout_ms, def.rbl.timeout_ms);
	assert_int_equal(cfg.rbl.concurrency, def.rbl.concurrency);
	assert_null(cfg.rbl.resolver);
	assert_int_equal(cfg.watch.level, def.watch.level);
	assert_int_equal(cfg.watch.contain, def.watch.contain);
	assert_int_equal(cfg.alert.notify, def.alert.notify);
	assert_int_equal(cfg.alert.rate, def.alert.rate);
	assert_int_equal(cfg.alert.dedupe, def.alert.dedupe);
	assert_int_equal(cfg.alert.command_timeout,
	    def.alert.command_timeout);
	assert_int_equal(cfg.utc, def.utc);
	assert_null(cfg.resolver);
	config_free(&cfg);
	config_free(&def);
	uf_rmtree(dir);
}

/*
 * Every key a backend declares (backend.h) is in the example's [server]
 * sections with its default, when it has one: the example says what the
 * option table says.
 */
static void
test_example_backend_defaults(void **state)
{
	char				**lines = read_lines(
	    "console/dist/mailcon.conf");
	const struct backend_option	*o;
	char				 sec[128] = "", k[128], want[256];
	size_t				 i, j, checked = 0;
	int				 found;

	(void)state;
	for (i = 0; (o = backend_option_at(i, NULL)) != NULL; i++) {
		if (o->def == NULL)
			continue;
		snprintf(want, sizeof(want), ";%s = %s", o->name, o->def);
		found = 0;
		for (j = 0; lines[j] != NULL && !found; j++) {
			if (example_section(lines[j], sec, sizeof(sec)))
				continue;
			found = strcmp(sec, "server") == 0 &&
			    example_key(lines[j], k, sizeof(k)) &&
			    strcmp(k, o->name) == 0 &&
			    strcmp(lines[j], want) == 0;
		}
		if (!found)
			fail_msg("console/dist/mailcon.conf lacks \"%s\" in a "
			    "[server] section", want);
		checked++;
	}
	free_lines(lines);
	assert_true(checked >= 2);
}

/* A key the table does not have is refused in every section. */
static void
test_unknown_key(void **state)
{
	const char	*section, *name;
	size_t		 i;

	(void)state;
	assert_int_equal(config_key_known("detect", "auth_ips"), 1);
	assert_int_equal(config_key_known("server mx1", "host"), 1);
	assert_int_equal(config_key_known("server mx1", "hots"), 0);
	assert_int_equal(config_key_known("console", "window"), 0);
	assert_int_equal(config_key_known("nosuch", "window"), -1);
	for (i = 0; config_key_at(i, &section, &name); i++)
		assert_int_equal(config_key_known(section, "no_such_key"), 0);
}

/* Every key is in mailcon(1), as a command word (".It Cm key", "Cm key"). */
static void
test_manpage_has_every_key(void **state)
{
	char		**lines = read_lines("console/mailcon.1");
	const char	*section, *name;
	char		 missing[2048] = "", *p, *w;
	size_t		 i, j;
	int		 found;

	(void)state;
	for (i = 0; config_key_at(i, &section, &name); i++) {
		found = 0;
		for (j = 0; lines[j] != NULL && !found; j++) {
			if ((w = strstr(lines[j], "Cm ")) == NULL)
				continue;
			p = strdup(w + 3);
			for (w = strtok(p, " ,"); w != NULL && !found;
			    w = strtok(NULL, " ,"))
				found = strcmp(w, name) == 0;
			free(p);
		}
		if (!found && strlen(missing) + strlen(name) + 16 <
		    sizeof(missing))
			snprintf(missing + strlen(missing), sizeof(missing) -
			    strlen(missing), " [%s] %s", section, name);
	}
	free_lines(lines);
	if (missing[0] != '\0')
		fail_msg("console/mailcon.1 lacks:%s", missing);
}

/* Point the user and system files into dir (no HOME fallback). */
static void
files_in(const char *dir)
{
	char	 p[PATH_MAX];

	assert_int_equal(setenv("XDG_CONFIG_HOME", uf_path(p, sizeof(p), dir,
	    "user"), 1), 0);
	assert_int_equal(setenv("MAILCON_SYSCONFDIR", uf_path(p, sizeof(p),
	    dir, "etc"), 1), 0);
}

/*
 * Without --config: the user's file when it is there, else the system
 * file, else the defaults; never both.
 */
static void
test_user_then_system(void **state)
{
	char			 dir[] = "/tmp/mailcon-test-keys.XXXXXX";
	char			 p[PATH_MAX], sys[PATH_MAX], user[PATH_MAX];
	char			 err[512], *found;
	struct mailcon_config	 cfg;

	(void)state;
	uf_mkdtemp(dir);
	files_in(dir);
	uf_path(sys, sizeof(sys), dir, "etc/mailcon/mailcon.conf");
	uf_path(user, sizeof(user), dir, "user/mailcon/config");

	/* neither: defaults */
	assert_null(config_find());
	config_init(&cfg);
	assert_int_equal(config_load(&cfg, NULL, err, sizeof(err)), 0);
	assert_null(cfg.path);
	config_free(&cfg);

	/* the system file alone */
	assert_int_equal(mkdir(uf_path(p, sizeof(p), dir, "etc"), 0755), 0);
	assert_int_equal(mkdir(uf_path(p, sizeof(p), dir, "etc/mailcon"),
	    0755), 0);
	uf_write(sys, "[detect]\nwindow = 20m\n[server sysmx]\n"
	    "logs = /var/log/mail.log\n", 0644);
	assert_non_null(found = config_find());
	assert_string_equal(found, sys);
	free(found);
	config_init(&cfg);
	assert_int_equal(config_load(&cfg, NULL, err, sizeof(err)), 0);
	assert_string_equal(cfg.path, sys);
	assert_int_equal(cfg.detect.window, 1200);
	assert_int_equal(cfg.nservers, 1);
	config_free(&cfg);

	/* the user's file replaces it: nothing of the system file is read */
	assert_int_equal(mkdir(uf_path(p, sizeof(p), dir, "user"), 0700), 0);
	assert_int_equal(mkdir(uf_path(p, sizeof(p), dir, "user/mailcon"),
	    0700), 0);
	uf_write(user, "[console]\ntheme = light\n", 0600);
	config_init(&cfg);
	assert_int_equal(config_load(&cfg, NULL, err, sizeof(err)), 0);
	assert_string_equal(cfg.path, user);
	assert_string_equal(cfg.theme, "light");
	assert_int_equal(cfg.detect.window, 600);
	assert_int_equal(cfg.nservers, 0);
	config_free(&cfg);

	/* a user's "file" that cannot be read is an error, not a fallback */
	assert_int_equal(unlink(user), 0);
	assert_int_equal(mkdir(user, 0700), 0);
	config_init(&cfg);
	assert_int_equal(config_load(&cfg, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, user));
	config_free(&cfg);

	/* a bad system file names itself */
	assert_int_equal(rmdir(user), 0);
	uf_write(sys, "[detect]\nwindw = 20m\n", 0644);
	config_init(&cfg);
	assert_int_equal(config_load(&cfg, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, sys));
	assert_non_null(strstr(err, "unknown key \"windw\" in [detect]"));
	config_free(&cfg);

	unsetenv("XDG_CONFIG_HOME");
	unsetenv("MAILCON_SYSCONFDIR");
	uf_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_has_every_key),
		cmocka_unit_test(test_example_parses),
		cmocka_unit_test(test_example_backend_defaults),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_manpage_has_every_key),
		cmocka_unit_test(test_user_then_system),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
