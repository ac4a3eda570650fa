/* Sanity check of the test harness itself: a passing case is counted. */
#include "tests/unit/harness.h"

START_TEST(harness_counts_a_case)
{
	ck_assert_int_eq(1 + 1, 2);
}
END_TEST

static Suite *harness_suite(void)
{
	Suite *s = suite_create("harness");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, harness_counts_a_case);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(harness_suite)
