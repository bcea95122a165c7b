/* Helpers shared by the C tests: real sockets over loopback and socketpairs. */
#ifndef CSEND_TEST_SUPPORT_H
#define CSEND_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "csend.h"

/* A connected TCP pair over 127.0.0.1: csend's side and the peer's raw
 * descriptor (urgent data inline, so out-of-band bytes arrive in order). */
void tcp_pair(csend_socket **sender, int *peer);
/* A connected AF_UNIX stream socketpair, csend adopting one end. */
void unix_pair(csend_socket **sender, int *peer);
/* A UDP socket bound to 127.0.0.1 (raw descriptor) and its endpoint. */
int udp_receiver(csend_endpoint *where);
/* Shrinks the kernel buffers so that a few hundred KiB fill them. */
void small_buffers(int fd);
/* Reads until nothing arrives for quiet_ms; returns the count, hashing
 * what it read into *hash when hash is not NULL. */
int64_t drain(int fd, int quiet_ms, uint64_t *hash);
/* Reads exactly n bytes (failing the test after 5 s without progress). */
void read_exactly(int fd, void *buf, size_t n);
/* A reader thread: read_all(&r) reads r.fd to its end, counting and
 * hashing; slow makes it pause now and then. */
typedef struct reader {
    int fd;
    int64_t total;
    uint64_t hash;
    int slow;
} reader;
void *read_all(void *arg);
/* FNV-1a over data, continuing from h. */
uint64_t fnv1a(uint64_t h, const void *data, size_t n);
#define FNV_SEED 1469598103934665603ULL
int64_t elapsed_ms(const struct timespec *since);

/* contract §4's errno table, written out from the text (spec_errno.c). */
struct spec_errno {
    int errnum;
    const char *name;
    int code;
};
extern const struct spec_errno spec_errno_rows[];
extern const size_t spec_errno_count;

/* The test lists, defined in their files. */
extern const struct CMUnitTest behaviour_tests[];
extern const size_t behaviour_test_count;
extern const struct CMUnitTest pending_tests[];
extern const size_t pending_test_count;
extern const struct CMUnitTest error_tests[];
extern const size_t error_test_count;
extern const struct CMUnitTest catalogue_tests[];
extern const size_t catalogue_test_count;
extern const struct CMUnitTest fault_tests[];
extern const size_t fault_test_count;
extern const struct CMUnitTest race_tests[];
extern const size_t race_test_count;
extern const struct CMUnitTest hostile_tests[];
extern const size_t hostile_test_count;
/* One test per row of tests/vectors/send.txt; the caller frees it. */
struct CMUnitTest *vector_tests(const char *path, size_t *count);
void free_vector_tests(struct CMUnitTest *tests, size_t count);

#endif
