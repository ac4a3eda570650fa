/* tiny: exit-cost loops for make bench (tests/bench/exits.sh); see exits.c. */
#ifndef TINY_EXITS_H
#define TINY_EXITS_H

/* Runs the test `name` (exits_pio, exits_pio_miss, exits_mmio, exits_pio_cpl3,
 * exits_mmio_cpl3); `tiny.exits=N` on the command line sets the loop count
 * (default 100000). Returns NULL or the reason for failure; the CPL3 variants
 * finish at CPL3 (they print TINY PASS and reset themselves). */
const char *tiny_exits(const char *name, const char *cmdline);

#endif
