/* serial_stamp: run a command, read its output as it arrives and print when
 * each given pattern first appears, in milliseconds since the command started.
 *
 *   serial_stamp [-t TIMEOUT_S] [-o LOGFILE] -p PATTERN [-p PATTERN...] -- CMD ARGS...
 *
 * Prints `STAMP <ms> <pattern>` per pattern seen (in order of appearance),
 * `MISSING <pattern>` for the others, and `EXIT <status> <ms>` or
 * `TIMEOUT <ms>` (the command's process group is then killed). The command's
 * combined stdout+stderr goes to LOGFILE. Exits 0 if every pattern was seen. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PATTERNS 32
#define LINE_MAX_LEN 8192

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	const char *pat[MAX_PATTERNS];
	int seen[MAX_PATTERNS] = {0};
	int npat = 0, opt;
	double timeout_s = 120;
	const char *logfile = "/dev/null";
	while ((opt = getopt(argc, argv, "+t:o:p:")) != -1) {
		switch (opt) {
		case 't': timeout_s = atof(optarg); break;
		case 'o': logfile = optarg; break;
		case 'p':
			if (npat == MAX_PATTERNS) {
				fprintf(stderr, "serial_stamp: too many patterns\n");
				return 2;
			}
			pat[npat++] = optarg;
			break;
		default: return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: serial_stamp [-t S] [-o LOG] -p PAT... -- CMD ARGS...\n");
		return 2;
	}
	FILE *log = fopen(logfile, "w");
	if (!log) {
		perror(logfile);
		return 2;
	}
	int fds[2];
	if (pipe(fds) < 0)
		return 2;
	double t0 = now_ms();
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		int devnull = open("/dev/null", O_RDONLY);
		dup2(devnull, 0);
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		execvp(argv[optind], argv + optind);
		perror(argv[optind]);
		_exit(127);
	}
	close(fds[1]);
	char line[LINE_MAX_LEN];
	size_t len = 0;
	int timed_out = 0;
	for (;;) {
		double left = timeout_s * 1e3 - (now_ms() - t0);
		if (left <= 0) {
			timed_out = 1;
			break;
		}
		struct pollfd p = {.fd = fds[0], .events = POLLIN};
		int r = poll(&p, 1, (int)(left > 1000 ? 1000 : left + 1));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		char buf[4096];
		ssize_t n = read(fds[0], buf, sizeof(buf));
		if (n <= 0)
			break;
		fwrite(buf, 1, (size_t)n, log);
		double t = now_ms() - t0;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n' && len < sizeof(line) - 1) {
				line[len++] = buf[i];
				continue;
			}
			if (buf[i] != '\n')
				continue;
			line[len] = 0;
			for (int k = 0; k < npat; k++)
				if (!seen[k] && strstr(line, pat[k])) {
					seen[k] = 1;
					printf("STAMP %.1f %s\n", t, pat[k]);
					fflush(stdout);
				}
			len = 0;
		}
	}
	int status = 0;
	if (timed_out) {
		kill(-pid, SIGKILL);
		waitpid(pid, &status, 0);
		printf("TIMEOUT %.1f\n", now_ms() - t0);
	} else {
		waitpid(pid, &status, 0);
		printf("EXIT %d %.1f\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
		       now_ms() - t0);
	}
	fclose(log);
	int all = 1;
	for (int k = 0; k < npat; k++)
		if (!seen[k]) {
			printf("MISSING %s\n", pat[k]);
			all = 0;
		}
	return all ? 0 : 1;
}
