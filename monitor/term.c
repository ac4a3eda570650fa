/* Terminal raw mode and the console escape (see term.h). */
#include "config.h"

#include "monitor/term.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define CTRL_A 0x01

static struct termios saved;
static volatile int saved_valid;

void vmm_term_restore(void)
{
	if (saved_valid) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
		saved_valid = 0;
	}
}

void vmm_term_crash_restore(void)
{
	if (saved_valid)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
}

/* A crash must not leave the user's terminal raw: restore, then die as before. */
static void crash_handler(int sig)
{
	vmm_term_crash_restore();
	raise(sig); /* SA_RESETHAND: the default action now */
}

static void install_crash_handlers(void)
{
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = crash_handler;
	sa.sa_flags = (int)SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;
		/* a handler already there (SIGBUS for mapped disks) restores too */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_DFL)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

void vmm_term_raw(void)
{
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved) != 0)
		return;
	struct termios raw = saved;
	/* Keep output processing (OPOST): the guest's output goes through as is. */
	raw.c_iflag &= (tcflag_t) ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	raw.c_lflag &= (tcflag_t) ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	raw.c_cflag |= CS8;
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	saved_valid = 1;
	atexit(vmm_term_restore);
	install_crash_handlers();
	tcsetattr(STDIN_FILENO, TCSANOW, &raw);
}

bool vmm_console_filter(struct vmm_console_in *c, const uint8_t *in, size_t n, uint8_t *out, size_t *out_n)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t b = in[i];
		if (c->escape) {
			c->escape = false;
			if (b == 'x' || b == 'X') {
				*out_n = o;
				return true;
			}
			if (b == CTRL_A) {
				out[o++] = CTRL_A;
				continue;
			}
			if (b == 'h' || b == 'H' || b == '?') {
				static const char help[] = "\r\nvmm: escape keys: Ctrl-A x quit, Ctrl-A Ctrl-A send Ctrl-A, "
				                           "Ctrl-A h this help\r\n";
				(void)!write(STDERR_FILENO, help, sizeof(help) - 1);
				continue;
			}
			out[o++] = CTRL_A; /* not an escape after all */
			out[o++] = b;
			continue;
		}
		if (b == CTRL_A) {
			c->escape = true;
			continue;
		}
		out[o++] = b;
	}
	*out_n = o;
	return false;
}
