/* Built by test_install.sh against the installed libvmm-mem only: the
 * address space seen from outside (a RAM region shadowed by a higher-priority
 * one, a listener, an endian store and load). Exits non-zero on failure. */
#include <stdio.h>
#include <string.h>

#include <vmm-mem/as.h>

static int adds;

static void on_add(void *o, const struct gm_flatview_section *s)
{
	(void)o;
	(void)s;
	adds++;
}

int main(void)
{
	struct gm_as *as;
	struct gm_asregion *ram, *rom;
	if (gm_as_new(&as) || gm_asregion_new_ram(&ram, "ram", 1 << 16, 0) ||
	    gm_asregion_add_mapping(ram, 0, 1 << 16, -1, 0, true) ||
	    gm_asregion_new_ram(&rom, "rom", 4096, 1) ||
	    gm_asregion_add_mapping(rom, 0, 4096, -1, 0, false))
		return 1;
	struct gm_as_listener l = {.add = on_add};
	gm_as_begin(as);
	if (gm_as_map(as, ram, 0) || gm_as_map(as, rom, 0x1000) || gm_as_commit(as) ||
	    gm_as_listener_add(as, &l) || adds != 3)
		return 2;
	uint64_t v = 0;
	if (gm_as_store(as, 0x10, 4, GM_AS_BIG, 0xcafe, NULL) != GM_AS_OK ||
	    gm_as_load(as, 0x10, 4, GM_AS_BIG, &v, NULL) != GM_AS_OK || v != 0xcafe ||
	    gm_as_store(as, 0x1000, 1, GM_AS_NATIVE, 1, NULL) != GM_AS_ACCESS_DENIED)
		return 3;
	gm_as_free(as);
	gm_asregion_free(rom);
	gm_asregion_free(ram);
	puts("consumer_as: ok");
	return 0;
}
