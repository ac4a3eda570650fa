/* vmm-mem: guest-memory library (placeholder until mem/ lands). */
#ifndef VMM_MEM_MEM_H
#define VMM_MEM_MEM_H
#endif
