/* The allocation and close wrappers of alloc.c (C hardening tests only). */
#ifndef CSEND_FAULT_ALLOC_H
#define CSEND_FAULT_ALLOC_H

#include <stdint.h>

void csend_fault_fail_alloc(int64_t n);
int64_t csend_fault_allocs(void);
int64_t csend_fault_bad_closes(void);

#endif
