/* Shared by the fuzz targets: a byte reader over the fuzzer's input (reads
 * past the end yield zeros, so every input is a valid program), and CHECK,
 * which aborts with the failed invariant so libFuzzer records a crash. */
#ifndef VMM_TESTS_FUZZ_INPUT_H
#define VMM_TESTS_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fin {
	const uint8_t *p;
	size_t n;
};

static inline struct fin fin_make(const uint8_t *p, size_t n)
{
	struct fin f = {p, n};
	return f;
}

static inline size_t fin_left(const struct fin *f) { return f->n; }

static inline uint8_t fin_u8(struct fin *f)
{
	if (f->n == 0)
		return 0;
	f->n--;
	return *f->p++;
}

static inline uint16_t fin_u16(struct fin *f)
{
	return (uint16_t)(fin_u8(f) | (uint16_t)fin_u8(f) << 8);
}

static inline uint32_t fin_u32(struct fin *f)
{
	return (uint32_t)fin_u16(f) | (uint32_t)fin_u16(f) << 16;
}

static inline uint64_t fin_u64(struct fin *f)
{
	return (uint64_t)fin_u32(f) | (uint64_t)fin_u32(f) << 32;
}

/* Up to n bytes into out (zero-padded); returns how many came from input. */
static inline size_t fin_bytes(struct fin *f, void *out, size_t n)
{
	size_t k = n < f->n ? n : f->n;
	memcpy(out, f->p, k);
	memset((uint8_t *)out + k, 0, n - k);
	f->p += k;
	f->n -= k;
	return k;
}

#define CHECK(c)                                                                   \
	do {                                                                       \
		if (!(c)) {                                                        \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, \
				__LINE__, #c);                                     \
			abort();                                                   \
		}                                                                  \
	} while (0)

#define CHECK_EQ(a, b)                                                                    \
	do {                                                                              \
		long long ca_ = (long long)(a), cb_ = (long long)(b);                     \
		if (ca_ != cb_) {                                                         \
			fprintf(stderr, "%s:%d: invariant failed: %s == %s (%lld != %lld)\n", \
				__FILE__, __LINE__, #a, #b, ca_, cb_);                    \
			abort();                                                          \
		}                                                                         \
	} while (0)

#endif
