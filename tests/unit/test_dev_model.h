/* Shared by the devices/core tests: a fixed-seed PRNG for the randomized
 * tests (same sequence on every run and machine). */
#ifndef VMM_TESTS_DEV_MODEL_H
#define VMM_TESTS_DEV_MODEL_H

#include <stdint.h>

struct tprng {
	uint64_t s;
};

static inline uint64_t tprng_next(struct tprng *r)
{
	/* xorshift64* */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

/* Uniform-ish in [0, n) for small n. */
static inline uint64_t tprng_below(struct tprng *r, uint64_t n)
{
	return n ? tprng_next(r) % n : 0;
}

#endif
