/* The test harness itself: harness_tap_line turns a tagged Check failure
 * into a TAP SKIP and leaves every other line alone (a case that calls
 * harness_skip is then counted as SKIP by automake's TAP driver; the real
 * skips, e.g. an absent iasl, show that path without a case that always skips). */
#include "tests/unit/harness.h"

START_TEST(harness_rewrites_a_skip)
{
	char out[128];
	ck_assert_int_eq(harness_tap_line("not ok 7 - t.c:12:core:c: " HARNESS_SKIP_TAG "no /dev/kvm",
					  out, sizeof(out)),
			 1);
	ck_assert_str_eq(out, "ok 7 # SKIP no /dev/kvm");
}
END_TEST

START_TEST(harness_keeps_other_lines)
{
	char out[128];
	static const char *const keep[] = {
		"1..3",
		"ok 1 - t.c:1:core:a: Passed",
		"not ok 2 - t.c:2:core:b: Assertion 'x == 1' failed",
		"not ok x - " HARNESS_SKIP_TAG "no number",
		"# a comment",
	};
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		ck_assert_int_eq(harness_tap_line(keep[i], out, sizeof(out)), 0);
		ck_assert_str_eq(out, keep[i]);
	}
	/* too small an output buffer is reported, not truncated silently */
	volatile size_t small = 4; /* not a constant, so no truncation warning */
	ck_assert_int_eq(harness_tap_line("ok 1 - long enough", out, small), -1);
}
END_TEST

static Suite *harness_suite(void)
{
	Suite *s = suite_create("harness");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, harness_rewrites_a_skip);
	tcase_add_test(tc, harness_keeps_other_lines);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(harness_suite)
