/* vmm: a minimal KVM micro-VMM. main(): arguments, VM assembly, run, exit status. */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "monitor/api/api.h"
#include "monitor/cli.h"
#include "monitor/jail.h"
#include "monitor/log.h"
#include "monitor/seccomp.h"
#include "monitor/vm.h"

/* fds 0-2 must be open: otherwise /dev/kvm could become "stdin". */
static void ensure_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			_exit(VMM_EXIT_SETUP);
}

int main(int argc, char **argv)
{
	uint64_t start = vmm_now_ns();
	ensure_std_fds();
	signal(SIGPIPE, SIG_IGN); /* a closed stdout drops guest output, it does not kill the VM */
	struct vmm_config cfg;
	char err[512];
	switch (vmm_cli_parse(argc, argv, &cfg, err, sizeof(err))) {
	case VMM_CLI_EXIT:
		if (cfg.print_seccomp)
			vmm_seccomp_print(stdout);
		return 0;
	case VMM_CLI_ERROR:
		fprintf(stderr, "vmm: %s\n", err);
		return VMM_EXIT_SETUP;
	case VMM_CLI_RUN:
		break;
	}
	vmm_log_set_level((enum vmm_log_level)cfg.log_level);
	if (cfg.config_file || cfg.no_api)
		return vmm_api_main(&cfg, start);
	static struct vmm_vm vm;
	/* Everything is open and no thread runs yet: drop privileges here. */
	if (vmm_vm_create(&vm, &cfg, start) < 0 || vmm_jail_enter(&cfg) < 0) {
		vmm_vm_destroy(&vm);
		return VMM_EXIT_SETUP;
	}
	int code = vmm_vm_run(&vm);
	vmm_vm_destroy(&vm);
	return code;
}
