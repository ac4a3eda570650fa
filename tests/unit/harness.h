/* Shared main() for the Check suites: each suite binary reports every test
 * case as TAP on stdout so automake's TAP driver counts cases, not binaries. */
#ifndef VMM_TESTS_HARNESS_H
#define VMM_TESTS_HARNESS_H

#include <check.h>
#include <stdlib.h>

static inline int harness_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Use as: HARNESS_MAIN(make_my_suite) where make_my_suite returns Suite *. */
#define HARNESS_MAIN(suite_fn)                                                 \
	int main(void) { return harness_run(suite_fn()); }

#endif
