/* The floor for exit cost: a raw KVM_RUN loop with no device layer.
 *
 * A 2 MiB guest in long mode (identity map with user pages) runs
 *   loop: out dx, al   |  mov [rdi], al   ; N times
 *         dec ecx; jnz loop
 *         out DONE_PORT, al
 * at CPL0 or CPL3, and this program answers every exit with the least work
 * KVM allows. Prints `BENCH exits.raw_<pio|mmio>_cpl<0|3> <ns> ns` (per exit).
 * Usage: raw_exits [N]   (default 100000). Exits 77 without /dev/kvm. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MEM_SIZE (2u << 20)
#define CODE_GPA 0x1000u
#define PML4_GPA 0x2000u
#define PDPT_GPA 0x3000u
#define PD_GPA 0x4000u
#define GDT_GPA 0x5000u
#define STACK_GPA 0x8000u
#define LOOP_PORT 0x510u
#define DONE_PORT 0x511u
#define MMIO_GPA 0x30000000u

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void seg(struct kvm_segment *s, uint16_t sel, uint8_t type, uint8_t dpl, int code)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel | dpl;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->dpl = dpl;
	s->s = 1;
	s->l = code;
	s->db = code ? 0 : 1;
	s->g = 1;
}

static int run_one(int kvm, int mmio, int cpl, unsigned n, double *ns_per_exit)
{
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return -errno;
	uint8_t *mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		close(vm);
		return -ENOMEM;
	}
	struct kvm_userspace_memory_region r = {
	    .slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE, .userspace_addr = (uintptr_t)mem};
	int rc = -1;
	if (ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000ul) < 0 || ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		goto out_mem;
	/* Page tables: 1 GiB identity map, 2 MiB pages, user-accessible. */
	uint64_t *pml4 = (uint64_t *)(mem + PML4_GPA), *pdpt = (uint64_t *)(mem + PDPT_GPA),
		 *pd = (uint64_t *)(mem + PD_GPA);
	pml4[0] = PDPT_GPA | 0x7;
	pdpt[0] = PD_GPA | 0x7;
	for (uint64_t i = 0; i < 512; i++)
		pd[i] = (i << 21) | 0x87;
	/* GDT: null, code64 dpl0, data dpl0, code64 dpl3, data dpl3. */
	uint64_t *gdt = (uint64_t *)(mem + GDT_GPA);
	gdt[1] = 0x00af9a000000ffffull;
	gdt[2] = 0x00cf92000000ffffull;
	gdt[3] = 0x00affa000000ffffull;
	gdt[4] = 0x00cff2000000ffffull;
	/* Code. */
	uint8_t *c = mem + CODE_GPA;
	size_t i = 0;
	c[i++] = 0xb9; /* mov ecx, n */
	memcpy(c + i, &n, 4);
	i += 4;
	c[i++] = 0x66; /* mov dx, LOOP_PORT */
	c[i++] = 0xba;
	c[i++] = LOOP_PORT & 0xff;
	c[i++] = LOOP_PORT >> 8;
	if (mmio) {
		c[i++] = 0x88; /* mov [rdi], al */
		c[i++] = 0x07;
	} else {
		c[i++] = 0xee; /* out dx, al */
	}
	c[i++] = 0xff; /* dec ecx */
	c[i++] = 0xc9;
	c[i++] = 0x75; /* jnz loop */
	c[i++] = (uint8_t)(-(mmio ? 6 : 5));
	c[i++] = 0x66; /* mov dx, DONE_PORT */
	c[i++] = 0xba;
	c[i++] = DONE_PORT & 0xff;
	c[i++] = DONE_PORT >> 8;
	c[i++] = 0xee; /* out dx, al */
	c[i++] = 0xeb; /* jmp . */
	c[i++] = 0xfe;

	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	int sz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vcpu < 0 || sz <= 0)
		goto out_mem;
	struct kvm_run *run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		goto out_vcpu;
	struct kvm_sregs s;
	if (ioctl(vcpu, KVM_GET_SREGS, &s) < 0)
		goto out_run;
	seg(&s.cs, cpl ? 0x18 : 0x08, 0xb, (uint8_t)cpl, 1);
	seg(&s.ds, cpl ? 0x20 : 0x10, 0x3, (uint8_t)cpl, 0);
	s.es = s.fs = s.gs = s.ss = s.ds;
	s.gdt.base = GDT_GPA;
	s.gdt.limit = 5 * 8 - 1;
	s.cr3 = PML4_GPA;
	s.cr4 = 0x20;				   /* PAE */
	s.cr0 = 0x80000001 | 0x10 | 0x20;	   /* PG PE ET NE */
	s.efer = 0x500;				   /* LME LMA */
	if (ioctl(vcpu, KVM_SET_SREGS, &s) < 0)
		goto out_run;
	struct kvm_regs regs = {0};
	regs.rip = CODE_GPA;
	regs.rsp = STACK_GPA;
	regs.rdi = MMIO_GPA;
	regs.rflags = 0x2 | (cpl ? 0x3000 : 0); /* IOPL 3 so CPL3 may use OUT */
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		goto out_run;

	unsigned seen = 0;
	double t0 = now_ns();
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			goto out_run;
		}
		if (run->exit_reason == KVM_EXIT_IO) {
			if (run->io.port == LOOP_PORT) {
				seen++;
				continue;
			}
			if (run->io.port == DONE_PORT)
				break;
		} else if (run->exit_reason == KVM_EXIT_MMIO) {
			seen++;
			continue;
		}
		fprintf(stderr, "raw_exits: unexpected exit %u\n", run->exit_reason);
		goto out_run;
	}
	double t1 = now_ns();
	if (seen != n) {
		fprintf(stderr, "raw_exits: saw %u exits, expected %u\n", seen, n);
		goto out_run;
	}
	*ns_per_exit = (t1 - t0) / n;
	rc = 0;
out_run:
	munmap(run, (size_t)sz);
out_vcpu:
	close(vcpu);
out_mem:
	munmap(mem, MEM_SIZE);
	close(vm);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 100000;
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		fprintf(stderr, "raw_exits: SKIP: /dev/kvm not available\n");
		return 77;
	}
	int status = 0;
	for (int mmio = 0; mmio <= 1; mmio++)
		for (int cpl = 0; cpl <= 3; cpl += 3) {
			double ns;
			if (run_one(kvm, mmio, cpl, n, &ns) < 0) {
				fprintf(stderr, "raw_exits: %s cpl%d run failed\n", mmio ? "mmio" : "pio", cpl);
				status = 1;
				continue;
			}
			printf("BENCH exits.raw_%s_cpl%d %.0f ns\n", mmio ? "mmio" : "pio", cpl, ns);
		}
	close(kvm);
	return status;
}
