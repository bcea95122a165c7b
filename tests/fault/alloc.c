/* Allocation failures and double closes, for the C hardening tests only:
 * linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=close,
 * so that the core's own calls (and the tests') come here, while libc and
 * the sanitizers keep theirs.
 *
 *   csend_fault_fail_alloc(n)  the n-th allocation from now fails (once);
 *                              0 switches it off
 *   csend_fault_allocs()       allocations made since the last switch
 *   csend_fault_bad_closes()   close() calls that found no descriptor
 *                              (EBADF): a descriptor closed twice */
#include "alloc.h"

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t count, size_t n);
void *__real_realloc(void *p, size_t n);
int __real_close(int fd);

static _Atomic int64_t fail_at;   /* allocations left until the failure; 0: off */
static _Atomic int64_t allocs;
static _Atomic int64_t bad_closes;

void csend_fault_fail_alloc(int64_t n)
{
    atomic_store(&allocs, 0);
    atomic_store(&fail_at, n);
}

int64_t csend_fault_allocs(void)
{
    return atomic_load(&allocs);
}

int64_t csend_fault_bad_closes(void)
{
    return atomic_load(&bad_closes);
}

static int fails(void)
{
    atomic_fetch_add(&allocs, 1);
    int64_t left = atomic_load(&fail_at);
    while (left > 0 && !atomic_compare_exchange_weak(&fail_at, &left, left - 1))
        ;
    if (left == 1) {
        errno = ENOMEM;
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t n)
{
    return fails() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t count, size_t n)
{
    return fails() ? NULL : __real_calloc(count, n);
}

void *__wrap_realloc(void *p, size_t n)
{
    return fails() ? NULL : __real_realloc(p, n);
}

int __wrap_close(int fd)
{
    int rc = __real_close(fd);
    if (rc < 0 && errno == EBADF)
        atomic_fetch_add(&bad_closes, 1);
    return rc;
}
