/* Shared main() for the Check suites: each suite binary reports every test
 * case as TAP on stdout so automake's TAP driver counts cases, not binaries.
 *
 * A case that cannot run here (no /dev/kvm, no hugetlbfs, a tool or a
 * compression format not built in) calls harness_skip("why", ...) instead of
 * returning early: the case ends, and its TAP line becomes
 * `ok N # SKIP why`, which automake counts as a SKIP, not a PASS. Check has
 * no skip result, so harness_skip is a failure with a tagged message that
 * harness_run rewrites before the TAP reaches the driver. */
#ifndef VMM_TESTS_HARNESS_H
#define VMM_TESTS_HARNESS_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HARNESS_SKIP_TAG "harness-skip: "

/* End the current case as a TAP SKIP; the arguments are a printf format (a
 * string literal) and its values. Does not return. */
#define harness_skip(...) ck_abort_msg(HARNESS_SKIP_TAG __VA_ARGS__)

/* One TAP line from Check: a `not ok N - ...: harness-skip: why` line
 * becomes `ok N # SKIP why` in out (size n); any other line is copied.
 * Returns 1 if the line was a skip, 0 if copied, -1 if out is too small. */
static inline int harness_tap_line(const char *in, char *out, size_t n)
{
	const char *tag = strstr(in, HARNESS_SKIP_TAG);
	unsigned long num;
	int used;
	if (strncmp(in, "not ok ", 7) == 0 && tag && sscanf(in + 7, "%lu", &num) == 1) {
		const char *why = tag + strlen(HARNESS_SKIP_TAG);
		used = snprintf(out, n, "ok %lu # SKIP %s", num, why);
		return used >= 0 && (size_t)used < n ? 1 : -1;
	}
	used = snprintf(out, n, "%s", in);
	return used >= 0 && (size_t)used < n ? 0 : -1;
}

static inline int harness_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	char path[] = "/tmp/vmm-tap-XXXXXX";
	int fd = mkstemp(path);
	if (fd >= 0)
		close(fd);
	srunner_set_tap(sr, fd >= 0 ? path : "-");
	srunner_run_all(sr, CK_SILENT);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr); /* closes and flushes the TAP file */
	if (fd >= 0) {
		FILE *f = fopen(path, "r");
		char in[4096], out[4096 + 16];
		if (!f) {
			perror(path);
			unlink(path);
			return EXIT_FAILURE;
		}
		while (fgets(in, sizeof(in), f)) {
			in[strcspn(in, "\n")] = '\0';
			int r = harness_tap_line(in, out, sizeof(out));
			if (r == 1)
				failed--;
			fputs(r < 0 ? in : out, stdout);
			fputc('\n', stdout);
		}
		fclose(f);
		unlink(path);
		fflush(stdout);
	}
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Use as: HARNESS_MAIN(make_my_suite) where make_my_suite returns Suite *. */
#define HARNESS_MAIN(suite_fn)                                                 \
	int main(void) { return harness_run(suite_fn()); }

#endif
