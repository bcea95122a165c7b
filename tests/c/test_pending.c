/* Operations whose waits the caller makes (csend_send_begin/step/end, and
 * csend_*_begin with csend_pending_*): the contract kept by the core while a
 * scheduler or event loop waits. */
#define _GNU_SOURCE
#include "support.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

/* ---- the other operations (csend_*_begin, csend_pending_*) ---- */

/* The caller's loop for a csend_pending: poll for what it waits for. */
static int run_op(csend_pending *op, csend_error *err, int *waits)
{
    int rc;
    while ((rc = csend_pending_step(op, err)) == 0) {
        short events = csend_pending_wants_read(op) ? POLLIN : POLLOUT;
        struct pollfd p = {.fd = csend_pending_wait_fd(op), .events = events};
        assert_int_equal(poll(&p, 1, 5000), 1);
        if (waits)
            ++*waits;
    }
    return rc;
}

static csend_socket *tcp_listener(csend_endpoint *where)
{
    csend_error err;
    csend_socket *l = csend_socket_open(CSEND_AF_INTER_NETWORK, CSEND_SOCK_STREAM, 0, &err);
    assert_non_null(l);
    csend_endpoint any;
    assert_int_equal(csend_endpoint_from_host(CSEND_AF_INTER_NETWORK, "127.0.0.1", 0, &any, &err), 0);
    assert_int_equal(csend_bind(l, &any, &err), 0);
    assert_int_equal(csend_listen(l, 16, &err), 0);
    assert_int_equal(csend_get_local_endpoint(l, where, &err), 0);
    return l;
}

static void *pong_later(void *arg)
{
    csend_error err;
    usleep(100 * 1000);
    csend_send(arg, "pong", 4, 0, 4, 0, &err);
    return NULL;
}

static void test_accept_and_connect_wait_without_blocking(void **state)
{
    (void)state;
    csend_endpoint where;
    csend_socket *l = tcp_listener(&where);
    csend_error err;
    csend_pending *acc = csend_accept_begin(l, &err);
    assert_non_null(acc);
    assert_true(csend_pending_wants_read(acc));
    assert_int_equal(csend_pending_step(acc, &err), 0); /* nobody connects yet */
    csend_socket *c = csend_socket_open(CSEND_AF_INTER_NETWORK, CSEND_SOCK_STREAM, 0, &err);
    assert_false(fcntl(csend_get_fd(c), F_GETFL) & O_NONBLOCK);
    csend_pending *con = csend_connect_begin(c, &where, &err);
    assert_non_null(con);
    assert_false(csend_pending_wants_read(con));
    int rc = run_op(con, &err, NULL);
    assert_int_equal(rc, 1);
    assert_int_equal(csend_get_connected(c), 1);
    /* Non-blocking underneath for good, and blocking in csend's mode. */
    assert_true(fcntl(csend_get_fd(c), F_GETFL) & O_NONBLOCK);
    assert_true(fcntl(csend_get_fd(l), F_GETFL) & O_NONBLOCK);
    assert_int_equal(csend_set_blocking(c, 1, &err), 0);
    assert_true(fcntl(csend_get_fd(c), F_GETFL) & O_NONBLOCK);
    assert_int_equal(csend_get_blocking(c, &err), 1);
    assert_int_equal(run_op(acc, &err, NULL), 1);
    csend_socket *a = csend_pending_take_accepted(acc);
    assert_non_null(a);
    assert_null(csend_pending_take_accepted(acc)); /* taken once */
    /* The pair works, and a blocking receive on c still waits (with poll)
     * for what a is about to send. */
    assert_int_equal(csend_send(c, "ping", 4, 0, 4, 0, &err), 4);
    char buf[8];
    assert_int_equal(csend_receive(a, buf, 8, 0, 8, 0, &err), 4);
    pthread_t later;
    pthread_create(&later, NULL, pong_later, a);
    assert_int_equal(csend_receive(c, buf, 8, 0, 8, 0, &err), 4);
    assert_memory_equal(buf, "pong", 4);
    pthread_join(later, NULL);
    csend_pending_free(acc);
    csend_pending_free(con);
    csend_socket_free(a);
    csend_socket_free(c);
    csend_socket_free(l);
}

static void test_receive_completes_with_what_came_and_receive_from_names_the_sender(void **state)
{
    (void)state;
    csend_error err;
    csend_endpoint where, from;
    int sender = udp_receiver(&where); /* a bound UDP socket, used here to send */
    csend_socket *r = csend_socket_open(CSEND_AF_INTER_NETWORK, CSEND_SOCK_DGRAM, 0, &err);
    csend_endpoint any;
    csend_endpoint_from_host(CSEND_AF_INTER_NETWORK, "127.0.0.1", 0, &any, &err);
    assert_int_equal(csend_bind(r, &any, &err), 0);
    csend_endpoint mine;
    csend_get_local_endpoint(r, &mine, &err);
    char buf[64];
    csend_pending *op = csend_receive_from_begin(r, buf, 64, 0, 64, 0, &err);
    assert_non_null(op);
    assert_int_equal(csend_pending_step(op, &err), 0);
    assert_int_equal(csend_pending_remote(op, &from), -1); /* not yet */
    assert_int_equal(sendto(sender, "hello", 5, 0, (struct sockaddr *)&mine.addr, mine.len), 5);
    assert_int_equal(run_op(op, &err, NULL), 1);
    assert_int_equal(csend_pending_count(op), 5);
    assert_memory_equal(buf, "hello", 5);
    assert_int_equal(csend_pending_remote(op, &from), 0);
    assert_int_equal(from.len, where.len);
    assert_memory_equal(&from.addr, &where.addr, where.len);
    csend_pending_free(op);
    /* A plain receive: any bytes complete it. */
    op = csend_receive_begin(r, buf, 64, 0, 64, 0, &err);
    assert_int_equal(sendto(sender, "xy", 2, 0, (struct sockaddr *)&mine.addr, mine.len), 2);
    assert_int_equal(run_op(op, &err, NULL), 1);
    assert_int_equal(csend_pending_count(op), 2);
    csend_pending_free(op);
    csend_socket_free(r);
    close(sender);
}

static void test_connect_and_accept_refuse_an_adopted_descriptor_that_blocks(void **state)
{
    (void)state;
    csend_error err;
    int raw = socket(AF_INET, SOCK_STREAM, 0);
    csend_socket *c = csend_socket_from_fd(raw, &err);
    csend_endpoint ep;
    csend_endpoint_from_host(CSEND_AF_INTER_NETWORK, "127.0.0.1", 9, &ep, &err);
    assert_null(csend_connect_begin(c, &ep, &err));
    assert_int_equal(err.kind, CSEND_ERR_INVALID_OPERATION);
    assert_false(fcntl(raw, F_GETFL) & O_NONBLOCK); /* the owner's mode, untouched */
    csend_socket_free(c);
    csend_endpoint where;
    csend_socket *l = tcp_listener(&where);
    int dup_fd = dup(csend_get_fd(l));
    assert_int_equal(fcntl(dup_fd, F_SETFL, fcntl(dup_fd, F_GETFL) & ~O_NONBLOCK), 0);
    csend_socket *adopted = csend_socket_from_fd(dup_fd, &err);
    assert_null(csend_accept_begin(adopted, &err));
    assert_int_equal(err.kind, CSEND_ERR_INVALID_OPERATION);
    assert_false(fcntl(dup_fd, F_GETFL) & O_NONBLOCK);
    csend_socket_free(adopted);
    csend_socket_free(l);
}

static void test_two_connects_in_line_never_block(void **state)
{
    (void)state;
    /* A second connect begun while the first pends, then stepped after the
     * first ended: its connect(2) must not find the descriptor blocking. */
    csend_endpoint where;
    csend_socket *l = tcp_listener(&where);
    csend_error err;
    csend_socket *c = csend_socket_open(CSEND_AF_INTER_NETWORK, CSEND_SOCK_STREAM, 0, &err);
    csend_pending *first = csend_connect_begin(c, &where, &err);
    csend_pending *second = csend_connect_begin(c, &where, &err);
    assert_non_null(first);
    assert_non_null(second);
    csend_pending_free(first); /* given up before its first step */
    assert_true(fcntl(csend_get_fd(c), F_GETFL) & O_NONBLOCK);
    assert_int_equal(run_op(second, &err, NULL), 1);
    csend_pending_free(second);
    csend_socket_free(c);
    csend_socket_free(l);
}

static void test_every_begin_checks_as_its_method_and_begins_nothing(void **state)
{
    (void)state;
    csend_error err;
    csend_socket *s;
    int peer;
    tcp_pair(&s, &peer);
    char buf[4];
    csend_endpoint ep;
    csend_endpoint_from_host(CSEND_AF_INTER_NETWORK, "127.0.0.1", 9, &ep, &err);
    assert_null(csend_send_to_begin(s, buf, 4, 0, 4, 0, NULL, &err));
    assert_int_equal(err.kind, CSEND_ERR_ARGUMENT_NULL);
    assert_string_equal(err.param_name, "remoteEP");
    assert_null(csend_send_to_begin(s, buf, 4, 5, 0, 0, &ep, &err));
    assert_int_equal(err.kind, CSEND_ERR_ARGUMENT_OUT_OF_RANGE);
    assert_null(csend_send_segments_begin(s, NULL, 0, 0, &err));
    assert_int_equal(err.kind, CSEND_ERR_ARGUMENT_NULL);
    assert_null(csend_receive_begin(s, buf, 4, 0, 5, 0, &err));
    assert_int_equal(err.kind, CSEND_ERR_ARGUMENT_OUT_OF_RANGE);
    assert_string_equal(err.param_name, "size");
    assert_null(csend_receive_begin(s, buf, 4, 0, 4, CSEND_FLAG_DONT_ROUTE, &err));
    assert_int_equal(err.kind, CSEND_ERR_SOCKET);
    assert_null(csend_accept_begin(s, &err)); /* not listening */
    assert_int_equal(err.kind, CSEND_ERR_INVALID_OPERATION);
    assert_null(csend_connect_begin(s, NULL, &err));
    assert_int_equal(err.kind, CSEND_ERR_ARGUMENT_NULL);
    csend_close(s);
    assert_null(csend_receive_begin(s, buf, 4, 0, 4, 0, &err)); /* disposal first */
    assert_int_equal(err.kind, CSEND_ERR_OBJECT_DISPOSED);
    assert_null(csend_send_to_begin(s, NULL, 0, 0, 0, 0, NULL, &err));
    assert_int_equal(err.kind, CSEND_ERR_OBJECT_DISPOSED);
    csend_socket_free(s);
    close(peer);
}

static void test_segments_of_a_stream_arrive_whole_in_order(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    tcp_pair(&s, &peer);
    small_buffers(csend_get_fd(s));
    reader r = {.fd = peer, .slow = 1};
    pthread_t t;
    pthread_create(&t, NULL, read_all, &r);
    size_t size = 4 * MIB;
    char *data = pattern_of(size);
    csend_segment segs[3] = {{data, 1}, {data + 1, (int64_t)size / 2}, {data + 1 + size / 2,
                                                                       (int64_t)(size - 1 - size / 2)}};
    csend_error err;
    csend_pending *op = csend_send_segments_begin(s, segs, 3, 0, &err);
    assert_non_null(op);
    int waits = 0;
    assert_int_equal(run_op(op, &err, &waits), 1);
    assert_true(waits > 0);
    assert_int_equal(csend_pending_count(op), (int64_t)size);
    csend_pending_free(op);
    csend_shutdown(s, CSEND_SHUTDOWN_SEND, &err);
    pthread_join(t, NULL);
    assert_int_equal(r.total, (int64_t)size);
    assert_int_equal(r.hash, fnv1a(FNV_SEED, data, size));
    free(data);
    csend_socket_free(s);
    close(peer);
}

static void test_close_aborts_a_pending_receive_and_accept(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    tcp_pair(&s, &peer);
    csend_error err;
    char buf[16];
    int fds = open_fds();
    csend_pending *op = csend_receive_begin(s, buf, 16, 0, 16, 0, &err);
    assert_int_equal(csend_pending_step(op, &err), 0);
    int fd = csend_pending_wait_fd(op);
    csend_close(s);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    assert_int_equal(poll(&p, 1, 2000), 1); /* the close woke the loop's wait */
    assert_int_equal(open_fds(), fds);     /* held until the operation ends */
    assert_int_equal(csend_pending_step(op, &err), -1);
    assert_int_equal(err.socket_error, CSEND_SOCKET_ERROR_OPERATION_ABORTED);
    assert_int_equal(open_fds(), fds - 1);
    csend_pending_free(op);
    csend_socket_free(s);
    close(peer);

    csend_endpoint where;
    csend_socket *l = tcp_listener(&where);
    op = csend_accept_begin(l, &err);
    assert_int_equal(csend_pending_step(op, &err), 0);
    p.fd = csend_pending_wait_fd(op);
    csend_close(l);
    assert_int_equal(poll(&p, 1, 2000), 1);
    assert_int_equal(csend_pending_step(op, &err), -1);
    assert_int_equal(err.socket_error, CSEND_SOCKET_ERROR_OPERATION_ABORTED);
    csend_pending_free(op);
    csend_socket_free(l);
}

static void test_a_freed_operation_is_given_up_and_a_step_after_the_end_is_refused(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    tcp_pair(&s, &peer);
    csend_error err;
    char buf[16];
    int fds = open_fds();
    csend_pending *op = csend_receive_begin(s, buf, 16, 0, 16, 0, &err);
    csend_socket_free(s); /* the operation holds the descriptor */
    assert_int_equal(open_fds(), fds);
    assert_int_equal(csend_pending_step(op, &err), -1); /* closed: aborted */
    assert_int_equal(err.socket_error, CSEND_SOCKET_ERROR_OPERATION_ABORTED);
    assert_int_equal(csend_pending_step(op, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_INVALID_OPERATION);
    assert_int_equal(csend_pending_wait_fd(op), -1);
    csend_pending_free(op);
    csend_pending_free(NULL);
    assert_int_equal(open_fds(), fds - 1);
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
    cmocka_unit_test(test_accept_and_connect_wait_without_blocking),
    cmocka_unit_test(test_receive_completes_with_what_came_and_receive_from_names_the_sender),
    cmocka_unit_test(test_every_begin_checks_as_its_method_and_begins_nothing),
    cmocka_unit_test(test_connect_and_accept_refuse_an_adopted_descriptor_that_blocks),
    cmocka_unit_test(test_two_connects_in_line_never_block),
    cmocka_unit_test(test_segments_of_a_stream_arrive_whole_in_order),
    cmocka_unit_test(test_close_aborts_a_pending_receive_and_accept),
    cmocka_unit_test(test_a_freed_operation_is_given_up_and_a_step_after_the_end_is_refused),
};
const size_t pending_test_count = sizeof pending_tests / sizeof pending_tests[0];
