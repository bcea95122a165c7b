/* A Send whose waits the caller makes (csend_send_begin/step/end): the
 * contract of Send kept by the core while a scheduler or event loop waits. */
#define _GNU_SOURCE
#include "support.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MIB (1 << 20)

static char *pattern_of(size_t n)
{
    char *p = malloc(n);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = (char)(i * 7 + i / 251);
    return p;
}

/* The caller's side of the loop: poll for writability, as a scheduler
 * would wait; returns the step's final result. */
static int run(csend_pending_send *op, csend_error *err, int *waits)
{
    int wait_ms, rc;
    while ((rc = csend_send_step(op, &wait_ms, err)) == 0) {
        struct pollfd p = {.fd = csend_send_wait_fd(op), .events = POLLOUT};
        poll(&p, 1, wait_ms);
        if (waits)
            ++*waits;
    }
    return rc;
}

static int open_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    while (readdir(d) != NULL)
        n++;
    closedir(d);
    return n;
}

static void test_pending_send_of_8_mib_to_a_slow_reader_arrives_whole(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    tcp_pair(&s, &peer);
    small_buffers(csend_get_fd(s));
    reader r = {.fd = peer, .slow = 1};
    pthread_t t;
    pthread_create(&t, NULL, read_all, &r);
    size_t size = 8 * MIB;
    char *data = pattern_of(size);
    csend_pending_send op;
    csend_error err;
    assert_int_equal(csend_send_begin(&op, s, data, (int64_t)size, 0, (int64_t)size, 0,
                                      CSEND_PENDING_SEND, &err), 0);
    int waits = 0;
    assert_int_equal(run(&op, &err, &waits), 1);
    assert_int_equal(op.done, (int64_t)size);
    assert_null(op.s); /* ended */
    assert_true(waits > 0); /* the kernel was full at least once: the caller waited */
    csend_shutdown(s, CSEND_SHUTDOWN_SEND, &err);
    pthread_join(t, NULL);
    assert_int_equal(r.total, (int64_t)size);
    assert_int_equal(r.hash, fnv1a(FNV_SEED, data, size));
    free(data);
    csend_socket_free(s);
    close(peer);
}

static void test_pending_send_checks_arguments_as_send_and_begins_nothing(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    unix_pair(&s, &peer);
    csend_pending_send op;
    csend_error err;
    assert_int_equal(csend_send_begin(&op, s, NULL, 0, 0, 0, 0, CSEND_PENDING_SEND, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_ARGUMENT_NULL);
    assert_string_equal(err.param_name, "buffer");
    assert_int_equal(csend_send_begin(&op, s, "abc", 3, 4, 0, 0, CSEND_PENDING_SEND, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_ARGUMENT_OUT_OF_RANGE);
    assert_string_equal(err.param_name, "offset");
    assert_int_equal(csend_send_begin(&op, s, "abc", 3, 1, 3, 0, CSEND_PENDING_ASYNC, &err), -1);
    assert_string_equal(err.param_name, "size");
    assert_int_equal(csend_send_begin(&op, s, "abc", 3, 0, 3, 1LL << 32, CSEND_PENDING_SEND, &err),
                     -1);
    assert_string_equal(err.param_name, "socketFlags");
    assert_null(op.s);
    csend_close(s);
    /* Disposed first, whatever the arguments. */
    assert_int_equal(csend_send_begin(&op, s, NULL, 0, 9, 9, 9, CSEND_PENDING_SEND, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_OBJECT_DISPOSED);
    assert_int_equal(drain(peer, 20, NULL), 0);
    csend_socket_free(s);
    close(peer);
}

static void test_pending_send_timeout_is_one_deadline_with_bytes_transferred(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    unix_pair(&s, &peer);
    small_buffers(csend_get_fd(s));
    csend_error err;
    csend_set_send_timeout(s, 200, &err);
    size_t size = 8 * MIB;
    char *data = pattern_of(size);
    csend_pending_send op;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(csend_send_begin(&op, s, data, (int64_t)size, 0, (int64_t)size, 0,
                                      CSEND_PENDING_SEND, &err), 0);
    int wait_ms = 0;
    assert_int_equal(csend_send_step(&op, &wait_ms, &err), 0);
    assert_true(wait_ms > 0 && wait_ms <= 200); /* what is left of the deadline */
    assert_int_equal(run(&op, &err, NULL), -1);
    int64_t took = elapsed_ms(&t0);
    assert_int_equal(err.socket_error, CSEND_SOCKET_ERROR_TIMED_OUT);
    assert_int_equal(err.bytes_transferred, op.done);
    assert_true(op.done > 0 && op.done < (int64_t)size);
    assert_true(took >= 190 && took < 1500);
    assert_true(csend_get_connected(s)); /* as after a timed-out Send */
    csend_shutdown(s, CSEND_SHUTDOWN_SEND, &err);
    uint64_t h = FNV_SEED;
    assert_int_equal(drain(peer, 2000, &h), op.done);
    assert_int_equal(h, fnv1a(FNV_SEED, data, (size_t)op.done));
    free(data);
    csend_socket_free(s);
    close(peer);
}

static void test_pending_send_on_a_non_blocking_socket_is_one_attempt(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    unix_pair(&s, &peer);
    small_buffers(csend_get_fd(s));
    csend_error err;
    csend_set_blocking(s, 0, &err);
    size_t size = 4 * MIB;
    char *data = pattern_of(size);
    csend_pending_send op;
    int wait_ms;
    assert_int_equal(csend_send_begin(&op, s, data, (int64_t)size, 0, (int64_t)size, 0,
                                      CSEND_PENDING_SEND, &err), 0);
    assert_int_equal(csend_send_step(&op, &wait_ms, &err), 1); /* a partial count, as Send */
    assert_true(op.done > 0 && op.done < (int64_t)size);
    assert_int_equal(csend_send_begin(&op, s, data, (int64_t)size, 0, (int64_t)size, 0,
                                      CSEND_PENDING_SEND, &err), 0);
    assert_int_equal(csend_send_step(&op, &wait_ms, &err), -1);
    assert_int_equal(err.socket_error, CSEND_SOCKET_ERROR_WOULD_BLOCK);
    assert_int_equal(err.bytes_transferred, 0);
    /* SendAsync's mode ignores Blocking: it waits. */
    assert_int_equal(csend_send_begin(&op, s, data, 100, 0, 100, 0, CSEND_PENDING_ASYNC, &err),
                     0);
    assert_int_equal(csend_send_step(&op, &wait_ms, &err), 0);
    assert_int_equal(wait_ms, -1);
    csend_send_end(&op);
    free(data);
    csend_socket_free(s);
    close(peer);
}

static void close_while_pending(csend_pending_mode mode, int expect)
{
    csend_socket *s;
    int peer;
    tcp_pair(&s, &peer);
    small_buffers(csend_get_fd(s));
    csend_error err;
    size_t size = 8 * MIB;
    char *data = pattern_of(size);
    int fds = open_fds();
    csend_pending_send op;
    int wait_ms;
    assert_int_equal(csend_send_begin(&op, s, data, (int64_t)size, 0, (int64_t)size, 0, mode,
                                      &err), 0);
    assert_int_equal(csend_send_step(&op, &wait_ms, &err), 0);
    int fd = csend_send_wait_fd(&op);
    assert_int_equal(fd, csend_get_fd(s));
    csend_close(s);
    assert_int_equal(csend_send_wait_fd(&op), fd); /* held by the operation */
    /* The wait a scheduler makes now returns: the socket was shut down. */
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    assert_int_equal(poll(&p, 1, 2000), 1);
    assert_int_equal(open_fds(), fds); /* still held by the operation */
    assert_int_equal(csend_send_step(&op, &wait_ms, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_SOCKET);
    assert_int_equal(err.socket_error, expect);
    assert_int_equal(err.bytes_transferred, op.done);
    assert_int_equal(open_fds(), fds - 1); /* released when the operation ended */
    /* The peer learns the transfer was cut: a reset, never a clean end. */
    char buf[65536];
    ssize_t n;
    while ((n = recv(peer, buf, sizeof buf, 0)) > 0)
        ;
    assert_int_equal(n, -1);
    assert_int_equal(errno, ECONNRESET);
    free(data);
    csend_socket_free(s);
    close(peer);
}

static void test_close_fails_a_pending_send_as_a_blocked_send(void **state)
{
    (void)state;
    close_while_pending(CSEND_PENDING_SEND, CSEND_SOCKET_ERROR_CONNECTION_ABORTED);
}

static void test_close_aborts_a_pending_async_send(void **state)
{
    (void)state;
    close_while_pending(CSEND_PENDING_ASYNC, CSEND_SOCKET_ERROR_OPERATION_ABORTED);
}

static void test_an_ended_operation_keeps_its_count_and_lets_the_socket_go(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    unix_pair(&s, &peer);
    small_buffers(csend_get_fd(s));
    csend_error err;
    size_t size = 4 * MIB;
    char *data = pattern_of(size);
    int fds = open_fds();
    csend_pending_send op;
    int wait_ms;
    assert_int_equal(csend_send_begin(&op, s, data, (int64_t)size, 0, (int64_t)size, 0,
                                      CSEND_PENDING_SEND, &err), 0);
    assert_int_equal(csend_send_step(&op, &wait_ms, &err), 0);
    int64_t done = op.done;
    assert_true(done > 0);
    csend_send_end(&op);
    csend_send_end(&op); /* idempotent */
    assert_int_equal(csend_send_wait_fd(&op), -1);
    assert_int_equal(op.done, done);
    assert_int_equal(csend_send_step(&op, &wait_ms, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_INVALID_OPERATION);
    csend_socket_free(s); /* nothing holds the descriptor any more */
    assert_int_equal(open_fds(), fds - 1);
    assert_int_equal(drain(peer, 200, NULL), done);
    free(data);
    close(peer);
}

static void test_a_switch_to_non_blocking_between_steps_is_would_block(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    unix_pair(&s, &peer);
    small_buffers(csend_get_fd(s));
    csend_error err;
    size_t size = 4 * MIB;
    char *data = pattern_of(size);
    csend_pending_send op;
    int wait_ms;
    assert_int_equal(csend_send_begin(&op, s, data, (int64_t)size, 0, (int64_t)size, 0,
                                      CSEND_PENDING_SEND, &err), 0);
    assert_int_equal(csend_send_step(&op, &wait_ms, &err), 0);
    int64_t done = op.done;
    csend_set_blocking(s, 0, &err);
    /* One attempt into a full kernel: WouldBlock with the bytes moved, as a
     * blocking Send switched to non-blocking mode under it; never success
     * for bytes that were not sent. */
    assert_int_equal(csend_send_step(&op, NULL, &err), -1);
    assert_int_equal(err.socket_error, CSEND_SOCKET_ERROR_WOULD_BLOCK);
    assert_int_equal(err.bytes_transferred, done);
    assert_int_equal(op.done, done);
    free(data);
    csend_socket_free(s);
    close(peer);
}

/* A trace callback that closes the socket once the send has completed. */
static void close_on_return(const char *line, void *userdata)
{
    if (strstr(line, "returns:") != NULL)
        csend_close(userdata);
}

static void test_a_close_from_the_trace_of_a_completed_send_is_an_ordinary_close(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    tcp_pair(&s, &peer);
    int big = 1 << 20, tiny = 4096;
    setsockopt(csend_get_fd(s), SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    setsockopt(peer, SOL_SOCKET, SO_RCVBUF, &tiny, sizeof tiny);
    size_t size = 64 * 1024;
    char *data = pattern_of(size);
    csend_pending_send op;
    csend_error err;
    csend_set_trace(1, close_on_return, s);
    assert_int_equal(csend_send_begin(&op, s, data, (int64_t)size, 0, (int64_t)size, 0,
                                      CSEND_PENDING_SEND, &err), 0);
    int rc = run(&op, &err, NULL);
    csend_set_trace(0, NULL, NULL);
    assert_int_equal(rc, 1);
    assert_true(csend_is_closed(s));
    /* The send said every byte went: the peer gets them all, then the end,
     * not a reset that drops what was still queued. */
    uint64_t h = FNV_SEED;
    assert_int_equal(drain(peer, 2000, &h), (int64_t)size);
    assert_int_equal(h, fnv1a(FNV_SEED, data, size));
    free(data);
    csend_socket_free(s);
    close(peer);
}

const struct CMUnitTest pending_tests[] = {
    cmocka_unit_test(test_a_switch_to_non_blocking_between_steps_is_would_block),
    cmocka_unit_test(test_a_close_from_the_trace_of_a_completed_send_is_an_ordinary_close),
    cmocka_unit_test(test_pending_send_of_8_mib_to_a_slow_reader_arrives_whole),
    cmocka_unit_test(test_pending_send_checks_arguments_as_send_and_begins_nothing),
    cmocka_unit_test(test_pending_send_timeout_is_one_deadline_with_bytes_transferred),
    cmocka_unit_test(test_pending_send_on_a_non_blocking_socket_is_one_attempt),
    cmocka_unit_test(test_close_fails_a_pending_send_as_a_blocked_send),
    cmocka_unit_test(test_close_aborts_a_pending_async_send),
    cmocka_unit_test(test_an_ended_operation_keeps_its_count_and_lets_the_socket_go),
};
const size_t pending_test_count = sizeof pending_tests / sizeof pending_tests[0];
