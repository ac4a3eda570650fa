/* The controlling terminal: raw mode for the guest console while the VM runs,
 * restored on every exit path (normal return, exit(), fatal signals handled by
 * the main loop). Ctrl-A x quits, Ctrl-A Ctrl-A sends a literal Ctrl-A. */
#ifndef VMM_TERM_H
#define VMM_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Put stdin in raw mode if it is a terminal; registers the restore with atexit. */
void vmm_term_raw(void);
void vmm_term_restore(void);
/* From a fatal signal's handler: the terminal back as it was (async-signal-safe). */
void vmm_term_crash_restore(void);

/* Console input filter with the Ctrl-A escape. */
struct vmm_console_in {
	bool escape; /* last byte was Ctrl-A */
};

/* Filter n input bytes into out (room for 2*n bytes); returns bytes to send
 * to the guest in *out_n, and true if the user asked to quit. */
bool vmm_console_filter(struct vmm_console_in *c, const uint8_t *in, size_t n, uint8_t *out, size_t *out_n);

#endif
