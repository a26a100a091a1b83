/*
 * test_exim_queue.c: Exim's queue as the exim backends read and change it
 * (backends/exim/queue.c): the listings of a real Exim 4.96 (exipick with
 * each message's login, exim -bpr), hostile listings, the ids packed and
 * unpacked, the answers of -Mf, -Mt, -Mrm as 4.96 prints them; cPanel's
 * JSON answers (cpjson.c) from fixtures written after its documentation;
 * and the exact commands both flavours describe.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend.h"
#include "backends/exim/exim.h"
#include "backends/mailq.h"
#include "unit_files.h"

#define QTEST_MAX	16
#define QTEXT_MAX	(64 * 1024)

/* A fixture's text into a buffer of the caller's (it fails when too big). */
static char *
slurp(const char *name, char *buf, size_t size)
{
	if (uf_read(uf_fixture(name), buf, size) < 0)
		fail_msg("cannot read %s", uf_fixture(name));
	return buf;
}

/* Parse a listing line by line; the messages into out, how many. */
static size_t
parse_listing(const char *text, struct queue_msg *out, size_t max,
    size_t *errors)
{
	struct queue_parse	 st;
	const char		*p = text, *nl;
	size_t			 n = 0;
	int			 rc;

	memset(&st, 0, sizeof(st));
	*errors = 0;
	while (*p != '\0') {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		rc = exim_queue_parse_line(&st, p, (size_t)(nl - p), &out[n]);
		if (rc == QUEUE_PARSE_OK) {
			assert_true(n + 1 < max);
			n++;
		} else if (rc < 0)
			(*errors)++;
		p = *nl == '\n' ? nl + 1 : nl;
	}
	if (exim_queue_parse_end(&st, &out[n]))
		n++;
	return n;
}

/* The message with id in out[0..n), or a failure. */
static const struct queue_msg *
find(const struct queue_msg *out, size_t n, const char *id)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(out[i].queue_id, id) == 0)
			return &out[i];
	fail_msg("no message %s", id);
	return NULL;
}

static uint64_t
h(const char *s)
{
	return queue_sender_hash(s, strlen(s));
}

/* The real exipick listing: each message's login, state and recipients. */
static void
test_exipick_listing(void **state)
{
	static char		 text[QTEXT_MAX];
	struct queue_msg	 out[QTEST_MAX];
	const struct queue_msg	*m;
	size_t			 n, errors, judy = 0, i;

	n = parse_listing(slurp("exim-queue/exipick-4.96.txt", text,
	    sizeof(text)), out, QTEST_MAX, &errors);
	assert_int_equal(n, 6);
	assert_int_equal(errors, 0);
	for (i = 0; i < n; i++)
		if (out[i].auth_hash == h("judy@example.test"))
			judy++;
	/* three as herself (one frozen), two with a forged sender */
	assert_int_equal(judy, 4);
	m = find(out, n, "1xaE1u-000163-2f");
	assert_int_equal(m->auth_hash, h("judy@example.test"));
	assert_int_equal(m->sender_hash, h("forged@bank.test"));
	assert_int_equal(m->queue, QUEUE_DEFERRED);
	assert_int_equal(m->message_size, 398);
	assert_int_equal(m->nrcpt, 1);
	m = find(out, n, "1xaE1u-000162-2h");
	assert_int_equal(m->queue, QUEUE_HOLD);
	assert_int_equal(m->auth_hash, h("judy@example.test"));
	m = find(out, n, "1xaEC6-0004sL-2W");
	assert_int_equal(m->auth_hash, h("carol@example.test"));
	assert_int_equal(m->nrcpt, 2);		/* one delivered */
	/* the first six characters: its arrival, base 62 (2026-12-06
	   15:30:30 UTC, as its "<=" line in the main log says) */
	assert_int_equal(m->arrival_time, 1796571030);
	m = find(out, n, "1xaE1u-000165-2f");
	assert_int_equal(m->auth_hash, h("ALICE@example.test"));
}

/* exim -bpr says no login: the selection falls back to sender and log. */
static void
test_bpr_listing(void **state)
{
	static char		 text[QTEXT_MAX];
	struct queue_msg	 out[QTEST_MAX];
	size_t			 n, errors, i, frozen = 0;

	n = parse_listing(slurp("exim-queue/bpr-4.96.txt", text,
	    sizeof(text)), out, QTEST_MAX, &errors);
	assert_int_equal(n, 6);
	assert_int_equal(errors, 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(out[i].auth_hash, 0);
		if (out[i].queue == QUEUE_HOLD)
			frozen++;
	}
	assert_int_equal(frozen, 1);
	assert_int_equal(find(out, n, "1xaEC6-0004sL-2W")->nrcpt, 2);
}

/*
 * Attacker text in the sender and the recipients, and lines the parser
 * must refuse rather than misread: a quoted local part holding "> ***
 * frozen ***" is not frozen, a recipient line shaped like a variable is a
 * recipient, a head with junk after the sender is refused; sizes, the
 * local caller's login, empty sizes, 4.97 ids and -bpi lines parse.
 */
static void
test_hostile_listing(void **state)
{
	static const char text[] =
	    " 2h  1.2K 1xaE1u-000170-2a <\"x> *** frozen ***\"@bank.test>\n"
	    "          authenticated_id = 'judy@example.test'\n"
	    "          \"authenticated_id = 'alice@example.test'\"@x.test\n"
	    "\n"
	    "3d    15M 1xaE1u-000171-2b <> (www-data) *** frozen ***\n"
	    "          a@b.test\n"
	    "\n"
	    " 0m       1xaE1u-000172-2c <a@b.test>\n"
	    "          deliver_freeze = '1'\n"
	    "          a@b.test\n"
	    "\n"
	    " 5m   999 1xaE1u-000173-2d <a@b.test> *** frozen *** x\n"
	    "          a@b.test\n"
	    "\n"
	    "12m   500 1xaE1u-00000000075-2eAB <n@b.test>\n"
	    "          authenticated_id = ''\n"
	    "          r@b.test\n"
	    "\n"
	    "1xaE1u-000174-2f\n"
	    "1xaE1u-00000000076-2gAB\n"
	    "garbage line\n"
	    " 1m   100 1xaE1u-000175-2h <a@b.test>\n"
	    "          q@b.test";
	struct queue_msg	 out[QTEST_MAX];
	const struct queue_msg	*m;
	size_t			 n, errors;

	n = parse_listing(text, out, QTEST_MAX, &errors);
	/* the junk head, its recipient line, the garbage line */
	assert_int_equal(errors, 3);
	assert_int_equal(n, 7);
	m = find(out, n, "1xaE1u-000170-2a");
	assert_int_equal(m->queue, QUEUE_DEFERRED);
	assert_int_equal(m->message_size, 1228);
	assert_int_equal(m->nrcpt, 1);
	assert_int_equal(m->auth_hash, h("judy@example.test"));
	assert_int_equal(m->sender_hash, h("\"x> *** frozen ***\"@bank.test"));
	m = find(out, n, "1xaE1u-000171-2b");
	assert_int_equal(m->queue, QUEUE_HOLD);
	assert_int_equal(m->message_size, 15 * 1024 * 1024);
	assert_int_equal(m->sender_hash, h(""));
	/* exipick's deliver_freeze decides over the head */
	m = find(out, n, "1xaE1u-000172-2c");
	assert_int_equal(m->queue, QUEUE_HOLD);
	assert_int_equal(m->message_size, 0);
	m = find(out, n, "1xaE1u-00000000075-2eAB");
	assert_int_equal(m->auth_hash, 0);	/* no login */
	find(out, n, "1xaE1u-000174-2f");
	find(out, n, "1xaE1u-00000000076-2gAB");
	/* cut after its last recipient: parse_end gives it */
	assert_int_equal(find(out, n, "1xaE1u-000175-2h")->nrcpt, 1);
}

/* Ids lose their two '-' in the console's record and get them back. */
static void
test_exim_ids(void **state)
{
	static const char *const good[] = { "1xaE1u-000162-2d",
	    "1xaE1u-00000000075-2eAB" };
	char	 packed[QUEUE_ID_MAX + 1], back[QUEUE_ID_MAX + 1];
	size_t	 i, n;

	for (i = 0; i < 2; i++) {
		n = exim_id_pack(good[i], strlen(good[i]), packed);
		assert_int_equal(n, strlen(good[i]) - 2);
		assert_null(strchr(packed, '-'));
		assert_int_equal(exim_id_unpack(packed, n, back),
		    strlen(good[i]));
		assert_string_equal(back, good[i]);
	}
	assert_int_equal(exim_id_pack("1xaE1u-000162-2", 15, packed), 0);
	assert_int_equal(exim_id_pack("1xaE1u_000162-2d", 16, packed), 0);
	assert_int_equal(exim_id_unpack("1xaE1u0001622", 13, back), 0);
	assert_int_equal(backend_exim.queue->id_pack, exim_id_pack);
	assert_ptr_equal(backend_exim_cpanel.queue, backend_exim.queue);
}

/* What Exim 4.96 printed for -Mf, -Mt and -Mrm here (exim.sh). */
static void
test_exim_op_lines(void **state)
{
	static const struct {
		enum queue_op		 op;
		const char		*line;
		enum queue_line_kind	 kind;
		const char		*id;
	} t[] = {
		{ QOP_HOLD, "Message 1xaE1u-000162-2d is now frozen",
		    QLINE_DONE, "1xaE1u-000162-2d" },
		{ QOP_HOLD, "Message 1xaE1u-000162-2d is already frozen",
		    QLINE_NOT_DONE, "1xaE1u-000162-2d" },
		{ QOP_HOLD, "Spool data file for 1xaE1u-000162-2X does not "
		    "exist", QLINE_NOT_DONE, "1xaE1u-000162-2X" },
		{ QOP_RELEASE, "Message 1xaE1u-000162-2d is no longer frozen",
		    QLINE_DONE, "1xaE1u-000162-2d" },
		{ QOP_RELEASE, "Message 1xaE1u-000163-2f is not frozen",
		    QLINE_NOT_DONE, "1xaE1u-000163-2f" },
		{ QOP_DELETE, "Message 1xaE1u-000162-2p has been removed",
		    QLINE_DONE, "1xaE1u-000162-2p" },
		{ QOP_DELETE, "Message 1xaE1u-000162-2Y has been removed or "
		    "did not exist", QLINE_NOT_DONE, "1xaE1u-000162-2Y" },
		{ QOP_DELETE, "Continuing, to ensure all files removed",
		    QLINE_NOT_DONE, NULL },
		{ QOP_DELETE, "Continuing to ensure all files removed",
		    QLINE_NOT_DONE, NULL },
		{ QOP_DELETE, "Spool read error for 1xaE1u-000162-2Y-H: No "
		    "such file or directory", QLINE_NOT_DONE, NULL },
		{ QOP_DELETE, "Message 1xaE1u-000165-2f is locked",
		    QLINE_BUSY, "1xaE1u-000165-2f" },
		{ QOP_HOLD, "Message 1xaE1u-000165-2f is locked", QLINE_BUSY,
		    "1xaE1u-000165-2f" },
		/* another op's words, or not the tool's */
		{ QOP_HOLD, "Message 1xaE1u-000162-2p has been removed",
		    QLINE_OTHER, NULL },
		{ QOP_DELETE, "Message 1xaE1u-000162-2d is now frozen x",
		    QLINE_OTHER, NULL },
		{ QOP_DELETE, "exim: permission denied", QLINE_OTHER, NULL },
		{ QOP_DELETE, "Message 1xaE1u-000162-2 has been removed",
		    QLINE_OTHER, NULL },
		{ QOP_HOLD, "Continuing, to ensure all files removed",
		    QLINE_OTHER, NULL },
	};
	struct queue_line	 l;
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		exim_queue_line(t[i].op, t[i].line, strlen(t[i].line), &l);
		if (l.kind != t[i].kind)
			fail_msg("\"%s\": kind %d, not %d", t[i].line, l.kind,
			    t[i].kind);
		if (t[i].id != NULL && (l.id.len != strlen(t[i].id) ||
		    memcmp(l.id.p, t[i].id, l.id.len) != 0))
			fail_msg("\"%s\": wrong id", t[i].line);
	}
	assert_int_equal(backend_exim.queue->op[QOP_DELETE]->partial_exit, 1);
	/* on stdin: xargs on the server makes as few exim processes as
	   its argument limit allows */
	assert_int_equal(backend_exim.queue->op[QOP_DELETE]->ids, QIDS_STDIN);
}

/* Every fixture answer judged as its "# expect:" line says. */
static void
test_cpanel_answers(void **state)
{
	static char	 text[QTEXT_MAX];
	DIR		*d;
	struct dirent	*e;
	char		 name[300], *body, *exp, *nl, why[512];
	size_t		 len, seen = 0;
	int		 ok;

	assert_non_null(d = opendir(uf_fixture("cpanel")));
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".txt") != 0)
			continue;
		snprintf(name, sizeof(name), "cpanel/%s", e->d_name);
		slurp(name, text, sizeof(text));
		assert_int_equal(strncmp(text, "# source: ", 10), 0);
		assert_non_null(exp = strstr(text, "\n# expect: "));
		exp += 11;
		assert_non_null(nl = strchr(exp, '\n'));
		*nl = '\0';
		body = nl + 1;
		why[0] = '\0';
		ok = cpanel_answer(body, strlen(body), why, sizeof(why));
		if (strcmp(exp, "ok") == 0) {
			if (!ok)
				fail_msg("%s: refused: %s", e->d_name, why);
		} else {
			assert_int_equal(strncmp(exp, "fail: ", 6), 0);
			if (ok)
				fail_msg("%s: taken for success", e->d_name);
			if (strcmp(why, exp + 6) != 0)
				fail_msg("%s: \"%s\", not \"%s\"", e->d_name,
				    why, exp + 6);
		}
		seen++;
	}
	closedir(d);
	assert_true(seen >= 12);
	/* the script's own word when there was nothing to call */
	assert_true(cpanel_answer("mailcon: nothing to do\n", 23, why,
	    sizeof(why)));
	assert_false(cpanel_answer("mailcon: nothing to do\n{}", 25, why,
	    sizeof(why)));
	assert_false(cpanel_answer("", 0, why, sizeof(why)));
	assert_string_equal(why, "its answer is not cPanel's JSON (it "
	    "printed nothing)");
}

/* Nesting past the bound is refused, not recursed into. */
static void
test_cpanel_deep(void **state)
{
	char	 buf[300], why[256];
	size_t	 i;

	for (i = 0; i < 100; i++)
		buf[i] = '[';
	for (; i < 200; i++)
		buf[i] = ']';
	memcpy(buf, "{\"a\":", 5);
	buf[198] = '}';
	assert_false(cpanel_answer(buf, 199, why, sizeof(why)));
	assert_non_null(strstr(why, "not well-formed JSON"));
}

/* An option's value for the render (none set: defaults). */
static const char *
opt_none(void *arg, const char *name, char *const **words)
{
	const char *const	*kv = arg;

	*words = NULL;
	for (; kv != NULL && kv[0] != NULL; kv += 2)
		if (strcmp(kv[0], name) == 0)
			return kv[1];
	return NULL;
}

/* An argv joined by spaces. */
static void
join(char **argv, char *buf, size_t size)
{
	size_t	 i;

	buf[0] = '\0';
	for (i = 0; argv[i] != NULL; i++) {
		if (i > 0)
			strncat(buf, " ", size - strlen(buf) - 1);
		strncat(buf, argv[i], size - strlen(buf) - 1);
	}
}

/* The exact commands: the listing, the tool, and the cPanel steps. */
static void
test_exim_commands(void **state)
{
	static const char *const kv[] = { "exim_config", "/etc/exim.conf",
	    "exim_spool", "/var/spool/exim", NULL };
	struct backend_env	 env = { NULL, opt_none, (void *)kv, 20, NULL,
	    NULL };
	const struct backend_accounts *ac = backend_exim_cpanel.accounts;
	char			 err[256], buf[1024], **v;
	size_t			 n;

	v = backend_render(&backend_exim, backend_exim.queue->list, &env,
	    err, sizeof(err));
	assert_non_null(v);
	join(v, buf, sizeof(buf));
	assert_string_equal(buf, "exipick -C /etc/exim.conf --spool "
	    "/var/spool/exim -bpr --show-vars authenticated_id,deliver_freeze");
	backend_argv_free(v);
	/* -Mf, -Mt, -Mrm: exim through xargs, the ids on its stdin */
	v = backend_render(&backend_exim, backend_exim.queue->tool, &env,
	    err, sizeof(err));
	assert_non_null(v);
	assert_string_equal(v[0], "/bin/sh");
	assert_non_null(strstr(v[2], "xargs \"$@\""));
	join(v + 3, buf, sizeof(buf));
	assert_string_equal(buf, "mailcon-exim-queue exim -C /etc/exim.conf");
	backend_argv_free(v);

	/* an account's messages from the spool: the account checked and
	   given as an argument, never in the script */
	env.account = "judy@example.test";
	v = backend_render(&backend_exim, backend_exim.queue->select, &env,
	    err, sizeof(err));
	assert_non_null(v);
	assert_null(strstr(v[2], "judy"));
	join(v + 3, buf, sizeof(buf));
	assert_string_equal(buf, "mailcon-exim-spool select judy@example.test "
	    "/var/spool/exim /etc/exim.conf exim");
	backend_argv_free(v);
	env.account = "judy@example.test\n--auth_id x";
	assert_null(backend_render(&backend_exim, backend_exim.queue->select,
	    &env, err, sizeof(err)));
	env.account = NULL;
	v = backend_render(&backend_exim, backend_exim.queue->still, &env,
	    err, sizeof(err));
	assert_non_null(v);
	join(v + 3, buf, sizeof(buf));
	assert_string_equal(buf, "mailcon-exim-spool still  /var/spool/exim "
	    "/etc/exim.conf exim");
	backend_argv_free(v);

	env.account = "judy@example.test";
	v = backend_step_argv(&backend_exim_cpanel, ac->refuse_add, &env,
	    err, sizeof(err));
	assert_non_null(v);
	for (n = 0; v[n] != NULL; n++)
		;
	assert_int_equal(n, 7);		/* sh -c SCRIPT NAME $1 $2 $3 */
	assert_string_equal(v[0], "/bin/sh");
	assert_non_null(strstr(v[2], "exec \"$b/uapi\" --output=json "
	    "--user=\"$u\" Email \"$f\" email=\"$a\""));
	join(v + 3, buf, sizeof(buf));
	assert_string_equal(buf, "mailcon-cpanel-outgoing judy@example.test "
	    "/usr/local/cpanel/bin suspend_outgoing");
	backend_argv_free(v);
	v = backend_step_argv(&backend_exim_cpanel, ac->deny_del, &env, err,
	    sizeof(err));
	join(v + 3, buf, sizeof(buf));
	assert_string_equal(buf, "mailcon-cpanel-login-undo "
	    "judy@example.test /usr/local/cpanel/bin suspend_login undo");
	backend_argv_free(v);
	assert_ptr_equal(ac->refuse_add->answer, cpanel_answer);
	/* the password on stdin, never an argument of the step's own */
	v = backend_step_argv(&backend_exim_cpanel, ac->passwd_set, &env,
	    err, sizeof(err));
	assert_non_null(v);
	join(v + 3, buf, sizeof(buf));
	assert_string_equal(buf, "mailcon-cpanel-passwd judy@example.test "
	    "/usr/local/cpanel/bin /proc/mounts");
	assert_non_null(strstr(v[2], "IFS= read -r pw"));
	assert_non_null(strstr(v[2], "*,hidepid=2,*|*,hidepid=invisible,*)"));
	backend_argv_free(v);
	assert_true(ac->passwd_set->flags & BSTEP_PASSWORD);
	assert_true(ac->passwd_check->flags & BSTEP_PASSWORD);
	assert_ptr_equal(ac->passwd_set->answer, cpanel_answer);
	assert_non_null(ac->check);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exipick_listing),
		cmocka_unit_test(test_bpr_listing),
		cmocka_unit_test(test_hostile_listing),
		cmocka_unit_test(test_exim_ids),
		cmocka_unit_test(test_exim_op_lines),
		cmocka_unit_test(test_cpanel_answers),
		cmocka_unit_test(test_cpanel_deep),
		cmocka_unit_test(test_exim_commands),
	};
	static const uint8_t	 key[16] = { 1, 2, 3 };

	queue_sender_hash_key(key);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
