/* Dropping privileges (see jail.h). */
#include "config.h"

#include "monitor/jail.h"

#include <errno.h>
#include <grp.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "monitor/log.h"

static int fail(int e, const char *what, const char *hint)
{
	vmm_err("%s: %s%s", what, strerror(e), e == EPERM ? hint : "");
	return -e;
}

int vmm_jail_enter(const struct vmm_config *cfg)
{
	if (!cfg->chroot_dir && !cfg->drop_user)
		return 0;
	if (cfg->chroot_dir) {
		if (chroot(cfg->chroot_dir) != 0)
			return fail(errno, "--chroot: chroot failed", " (needs root or CAP_SYS_CHROOT)");
		if (chdir("/") != 0)
			return fail(errno, "--chroot: chdir(\"/\") failed", "");
	}
	if (cfg->drop_user) {
		uid_t uid = (uid_t)cfg->uid;
		gid_t gid = (gid_t)cfg->gid;
		if (setgroups(0, NULL) != 0)
			return fail(errno, "--user: setgroups failed", " (needs root or CAP_SETGID)");
		if (setresgid(gid, gid, gid) != 0)
			return fail(errno, "--user: setresgid failed", " (needs root or CAP_SETGID)");
		if (setresuid(uid, uid, uid) != 0)
			return fail(errno, "--user: setresuid failed", " (needs root or CAP_SETUID)");
		uid_t r, e, s;
		gid_t rg, eg, sg;
		if (getresuid(&r, &e, &s) != 0 || r != uid || e != uid || s != uid || getresgid(&rg, &eg, &sg) != 0 ||
		    rg != gid || eg != gid || sg != gid) {
			vmm_err("--user: the ids did not change to %u:%u", cfg->uid, cfg->gid);
			return -EPERM;
		}
		if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
			vmm_err("--user: setuid(0) still works after dropping to %u: refusing to run", cfg->uid);
			return -EPERM;
		}
		if (uid != 0 && gid != 0 && (setgid(0) == 0 || setegid(0) == 0)) {
			vmm_err("--user: setgid(0) still works after dropping to %u:%u: refusing to run", cfg->uid, cfg->gid);
			return -EPERM;
		}
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return fail(errno, "prctl(PR_SET_NO_NEW_PRIVS) failed", "");
	vmm_info("privileges dropped: uid %u gid %u, root directory %s", (unsigned)getuid(), (unsigned)getgid(),
	         cfg->chroot_dir ? cfg->chroot_dir : "unchanged");
	return 0;
}
