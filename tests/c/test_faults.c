/* Faults injected under the core (tests/fault/fault.c is linked into this
 * program in front of libc): every errno of contract §4 from send, EINTR storms,
 * 1-byte partial writes, EAGAIN in the middle of a buffer with a timeout. */
#define _GNU_SOURCE
#include "support.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int csend_fault_set(const char *spec);
void csend_fault_stats(int64_t *faults, int64_t *bytes, int64_t *calls);

static int64_t faults_before;

static void fault(const char *fmt, ...)
{
    char spec[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(spec, sizeof spec, fmt, ap);
    va_end(ap);
    csend_fault_stats(&faults_before, NULL, NULL);
    assert_int_equal(csend_fault_set(spec), 0);
}

/* Faults injected since the last fault(). */
static int64_t faults_injected(void)
{
    int64_t now;
    csend_fault_stats(&now, NULL, NULL);
    return now - faults_before;
}

static char *random_bytes(size_t n, unsigned seed)
{
    char *p = malloc(n);
    assert_non_null(p);
    uint64_t x = 0x9E3779B97F4A7C15ULL * (seed + 1);
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (char)(x >> 24);
    }
    return p;
}

static int is_waiting_errno(int e)
{
    return e == EAGAIN || e == EWOULDBLOCK || e == EINTR;
}

/* Each errno of §4 from the first send: the SocketError of the table, the
 * errno as native code, nothing transferred. */
static void test_every_errno_from_send_gives_its_socket_error(void **state)
{
    (void)state;
    for (size_t i = 0; i < spec_errno_count; i++) {
        int e = spec_errno_rows[i].errnum;
        if (is_waiting_errno(e))
            continue; /* waited on or retried: the tests below */
        csend_socket *s;
        int peer;
        unix_pair(&s, &peer);
        fault("err=%s,fd=%d", strerrorname_np(e), csend_get_fd(s));
        csend_error err;
        int64_t n = csend_send(s, "hello", 5, 0, 5, 0, &err);
        csend_fault_set("");
        if (n != -1 || err.kind != CSEND_ERR_SOCKET || err.socket_error != spec_errno_rows[i].code)
            fail_msg("%s: expected %s (%d), got n=%lld kind=%d code=%d", strerrorname_np(e),
                     spec_errno_rows[i].name, spec_errno_rows[i].code, (long long)n, err.kind,
                     err.socket_error);
        assert_int_equal(err.native_error, e);
        assert_int_equal(err.bytes_transferred, 0);
        assert_string_equal(err.message, strerror(e));
        assert_int_equal(faults_injected(), 1);
        assert_int_equal(drain(peer, 20, NULL), 0);
        csend_socket_free(s);
        close(peer);
    }
}

/* The same errors after part of the buffer went: bytes_transferred says
 * exactly how much, and exactly that much arrived. */
static void test_every_errno_mid_buffer_reports_bytes_transferred(void **state)
{
    (void)state;
    char *data = random_bytes(100000, 1);
    for (size_t i = 0; i < spec_errno_count; i++) {
        int e = spec_errno_rows[i].errnum;
        if (is_waiting_errno(e))
            continue;
        csend_socket *s;
        int peer;
        unix_pair(&s, &peer);
        int64_t after = 1 + (int64_t)(i * 997) % 50000;
        fault("err=%s,after=%lld,fd=%d", strerrorname_np(e), (long long)after,
              csend_get_fd(s));
        csend_error err;
        int64_t n = csend_send(s, data, 100000, 0, 100000, 0, &err);
        csend_fault_set("");
        assert_int_equal(n, -1);
        assert_int_equal(err.socket_error, spec_errno_rows[i].code);
        assert_int_equal(err.native_error, e);
        assert_int_equal(err.bytes_transferred, after);
        uint64_t h = FNV_SEED;
        assert_int_equal(drain(peer, 20, &h), after);
        assert_int_equal(h, fnv1a(FNV_SEED, data, (size_t)after));
        csend_socket_free(s);
        close(peer);
    }
    free(data);
}

/* A blocking send through storms of EINTR (on send and on poll) and writes
 * of one byte each: every byte arrives, once, in order. */
static void storm(int gather)
{
    csend_socket *s;
    int peer;
    unix_pair(&s, &peer);
    size_t size = 48 * 1024;
    char *data = random_bytes(size, 2);
    reader r = {.fd = peer};
    pthread_t t;
    pthread_create(&t, NULL, read_all, &r);
    fault("eintr=3,max=1,fd=%d", csend_get_fd(s));
    csend_error err;
    int64_t n;
    if (gather) {
        csend_segment seg[3] = {{data, 1000}, {data + 1000, 0}, {data + 1000, (int64_t)size - 1000}};
        n = csend_send_segments(s, seg, 3, 0, &err);
    } else {
        n = csend_send(s, data, (int64_t)size, 0, (int64_t)size, 0, &err);
    }
    int64_t injected = faults_injected();
    csend_fault_set("");
    assert_int_equal(n, (int64_t)size);
    csend_shutdown(s, CSEND_SHUTDOWN_SEND, &err);
    pthread_join(t, NULL);
    assert_int_equal(r.total, (int64_t)size);
    assert_int_equal(r.hash, fnv1a(FNV_SEED, data, size));
    /* One write per byte, three EINTRs before each. */
    assert_true(injected >= 3 * (int64_t)size);
    free(data);
    csend_socket_free(s);
    close(peer);
}

static void test_eintr_storm_and_one_byte_writes_deliver_everything_once(void **state)
{
    (void)state;
    storm(0);
}

static void test_eintr_storm_and_one_byte_writes_gather_form(void **state)
{
    (void)state;
    storm(1);
}

/* EAGAIN from some point on, with a send timeout: TimedOut after the
 * timeout, with the exact count that went before. */
static void test_eagain_mid_buffer_with_timeout_is_timed_out_with_exact_count(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    tcp_pair(&s, &peer);
    char *data = random_bytes(200000, 3);
    csend_error err;
    assert_int_equal(csend_set_send_timeout(s, 150, &err), 0);
    fault("err=EAGAIN,after=12345,fd=%d", csend_get_fd(s));
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int64_t n = csend_send(s, data, 200000, 0, 200000, 0, &err);
    int64_t ms = elapsed_ms(&t0);
    csend_fault_set("");
    assert_int_equal(n, -1);
    assert_int_equal(err.socket_error, CSEND_SOCKET_ERROR_TIMED_OUT);
    assert_int_equal(err.bytes_transferred, 12345);
    assert_true(ms >= 140 && ms < 2000);
    uint64_t h = FNV_SEED;
    assert_int_equal(drain(peer, 50, &h), 12345);
    assert_int_equal(h, fnv1a(FNV_SEED, data, 12345));
    free(data);
    csend_socket_free(s);
    close(peer);
}

/* Without a timeout, EAGAIN that clears goes unnoticed: the send waits and
 * finishes. */
static void test_eagain_that_clears_is_waited_out(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    unix_pair(&s, &peer);
    char *data = random_bytes(70000, 4);
    fault("err=EAGAIN,after=5000,times=20,fd=%d", csend_get_fd(s));
    csend_error err;
    int64_t n = csend_send(s, data, 70000, 0, 70000, 0, &err);
    assert_int_equal(faults_injected(), 20);
    csend_fault_set("");
    assert_int_equal(n, 70000);
    uint64_t h = FNV_SEED;
    assert_int_equal(drain(peer, 50, &h), 70000);
    assert_int_equal(h, fnv1a(FNV_SEED, data, 70000));
    free(data);
    csend_socket_free(s);
    close(peer);
}

/* Non-blocking: EAGAIN is WouldBlock at once; a 1-byte write is returned
 * as a partial count, not completed. */
static void test_non_blocking_eagain_and_partial_write(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    unix_pair(&s, &peer);
    csend_error err;
    assert_int_equal(csend_set_blocking(s, 0, &err), 0);
    fault("err=EAGAIN,fd=%d", csend_get_fd(s));
    assert_int_equal(csend_send(s, "abc", 3, 0, 3, 0, &err), -1);
    assert_int_equal(err.socket_error, CSEND_SOCKET_ERROR_WOULD_BLOCK);
    assert_int_equal(err.native_error, EAGAIN);
    assert_int_equal(faults_injected(), 1);
    fault("max=1,fd=%d", csend_get_fd(s));
    assert_int_equal(csend_send(s, "abc", 3, 0, 3, 0, &err), 1);
    csend_fault_set("");
    char got[8];
    read_exactly(peer, got, 1);
    assert_int_equal(got[0], 'a');
    assert_int_equal(drain(peer, 20, NULL), 0);
    csend_socket_free(s);
    close(peer);
}

/* SendTo goes through the same mapping and the same EINTR retry. */
static void test_send_to_errors_map_like_send(void **state)
{
    (void)state;
    int rx;
    csend_endpoint where;
    rx = udp_receiver(&where);
    csend_error err;
    csend_socket *s = csend_socket_open(CSEND_AF_INTER_NETWORK, CSEND_SOCK_DGRAM,
                                        CSEND_PROTO_UDP, &err);
    assert_non_null(s);
    fault("err=ENETUNREACH,fd=%d", csend_get_fd(s));
    assert_int_equal(csend_send_to(s, "x", 1, 0, 1, 0, &where, &err), -1);
    assert_int_equal(err.socket_error, CSEND_SOCKET_ERROR_NETWORK_UNREACHABLE);
    assert_int_equal(err.native_error, ENETUNREACH);
    fault("eintr=5,fd=%d", csend_get_fd(s));
    assert_int_equal(csend_send_to(s, "yz", 2, 0, 2, 0, &where, &err), 2);
    assert_int_equal(faults_injected(), 5);
    csend_fault_set("");
    char got[8];
    assert_int_equal(recv(rx, got, sizeof got, 0), 2);
    assert_memory_equal(got, "yz", 2);
    csend_socket_free(s);
    close(rx);
}

const struct CMUnitTest fault_tests[] = {
    cmocka_unit_test(test_every_errno_from_send_gives_its_socket_error),
    cmocka_unit_test(test_every_errno_mid_buffer_reports_bytes_transferred),
    cmocka_unit_test(test_eintr_storm_and_one_byte_writes_deliver_everything_once),
    cmocka_unit_test(test_eintr_storm_and_one_byte_writes_gather_form),
    cmocka_unit_test(test_eagain_mid_buffer_with_timeout_is_timed_out_with_exact_count),
    cmocka_unit_test(test_eagain_that_clears_is_waited_out),
    cmocka_unit_test(test_non_blocking_eagain_and_partial_write),
    cmocka_unit_test(test_send_to_errors_map_like_send),
};
const size_t fault_test_count = sizeof fault_tests / sizeof fault_tests[0];
