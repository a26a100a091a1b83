/*
 * test_demo.c: what the demo's accounts view counts (console/live/demo.c
 * replaying tests/fixtures/demo, the lines read back as the console reads
 * a followed file): the busiest minute of judy@ and grace@.  The screen
 * test masks that number (tests/screen/run.sh: the demo stamps its lines
 * with the wall clock, and a minute may begin while it replays); here it
 * is pinned.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "backends/backend.h"
#include "intake/logreader.h"
#include "live/demo.h"
#include "unit_detect.h"
#include "unit_files.h"

/* The log times the replay stamped: the first and the last line's. */
struct span {
	int64_t	 first, last;
};

/* Feed every line of the replayed file at path to d; its time span. */
static struct span
demo_read_back(struct detector *d, const char *path)
{
	struct logreader	 r;
	struct mail_events	 evs;
	struct span		 sp = { -1, -1 };
	char			 err[256];
	int			 i, rc;

	assert_int_equal(logreader_open(&r, path, 0, 0, err, sizeof(err)),
	    0);
	while ((rc = logreader_next(&r, err, sizeof(err))) == 1) {
		if (sp.first == -1)
			sp.first = r.hdr.time;
		sp.last = r.hdr.time;
		backend_parse_any(&r.hdr, &evs);
		for (i = 0; i < evs.n; i++)
			detector_feed(d, &evs.ev[i]);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(r.unparsed, 0);
	logreader_close(&r);
	return sp;
}

/*
 * Replay the whole demo at once into its file and read it back into a new
 * detector; *sp is the span its stamps cover.
 */
static struct detector *
demo_replay(struct span *sp)
{
	struct detector	*d = det_default();
	struct demo	*dm;
	char		 err[256], dir[512];
	int		 steps = 0;

	snprintf(dir, sizeof(dir), "%s", uf_fixture("demo"));
	dm = demo_open(dir, 1000, err, sizeof(err));
	if (dm == NULL)
		fail_msg("%s", err);
	/* The first step starts the clock; then everything is due. */
	(void)demo_step(dm, 0);
	while (demo_step(dm, INT64_C(1) << 40) == 0)
		assert_true(++steps < 1000);
	*sp = demo_read_back(d, demo_path(dm));
	demo_close(dm);
	return d;
}

/*
 * judy@'s 400 messages and grace@'s 300 (17 s of recorded log) are each
 * counted in one minute, as the accounts and detail views show them:
 * every line replayed, none lost or counted twice by the stamping.  The
 * replay takes milliseconds; when a minute began during it (the stamps
 * straddle two minutes) it runs once more, which cannot straddle another.
 */
static void
test_busiest_minute(void **state)
{
	struct detector		*d;
	struct account_report	 r;
	struct find		 f;
	struct span		 sp;
	int			 tries;

	(void)state;
	for (tries = 0; tries < 2; tries++) {
		d = demo_replay(&sp);
		assert_true(sp.first != -1);
		if (sp.first / 60 == sp.last / 60)
			break;
		detector_free(d);
		d = NULL;
	}
	assert_non_null(d);
	r = report(d, "judy@example.test", &f);
	assert_int_equal(r.level, LEVEL_CRITICAL);
	if (!has_reason(&r, "400 msgs in one minute (critical at 200/min)"))
		fail_msg("judy@: %s", reason(&r, "msgs") != NULL ?
		    reason(&r, "msgs") : "no msgs reason");
	r = report(d, "grace@example.test", &f);
	assert_int_equal(r.level, LEVEL_WATCH);
	if (!has_reason(&r, "300 msgs in one minute (critical at 200/min"))
		fail_msg("grace@: %s", reason(&r, "msgs") != NULL ?
		    reason(&r, "msgs") : "no msgs reason");
	detector_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_busiest_minute),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
