/* Dropping privileges in-process, like Firecracker's jailer: after /dev/kvm,
 * the images, disks and taps are open and before any thread starts, chroot
 * into a directory and become an unprivileged user. */
#ifndef VMM_JAIL_H
#define VMM_JAIL_H

#include "monitor/cli.h"

/* With --chroot DIR: chroot(DIR) + chdir("/"). With --user UID:GID:
 * setgroups(0), setresgid, setresuid, then check the drop cannot be undone
 * (setuid(0)/setgid(0) fail, all real/effective/saved ids are the new ones).
 * With either: PR_SET_NO_NEW_PRIVS. Must run while the process has one
 * thread. Logs one line; 0 or -errno (one error line logged). */
int vmm_jail_enter(const struct vmm_config *cfg);

#endif
