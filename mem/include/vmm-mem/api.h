/* vmm-mem: export macro. The library is built with -fvisibility=hidden; every
 * public function declaration carries GM_API so it is exported (the version
 * script mem/libvmm-mem.map then gives it the version node VMM_MEM_1).
 * Needs GCC >= 4.0 or Clang (the visibility attribute). */
#ifndef VMM_MEM_API_H
#define VMM_MEM_API_H

#if defined(__GNUC__) || defined(__clang__)
#define GM_API __attribute__((visibility("default")))
#else
#define GM_API
#endif

#endif
