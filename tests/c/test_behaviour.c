/* contract §3 on real sockets: blocking, timeouts, non-blocking, UDP, closed
 * peers, close from another thread. */
#define _GNU_SOURCE
#include "support.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024 * 1024)

static char *pattern(size_t n)
{
    char *p = malloc(n);
    assert_non_null(p);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (char)x;
    }
    return p;
}

static void blocking_send_arrives_whole(csend_socket *s, int peer)
{
    size_t size = 64 * MIB;
    char *data = pattern(size);
    reader r = {.fd = peer, .slow = 1};
    pthread_t t;
    pthread_create(&t, NULL, read_all, &r);
    csend_error err;
    int64_t n = csend_send(s, data, (int64_t)size, 0, (int64_t)size, 0, &err);
    assert_int_equal(n, (int64_t)size);
    csend_shutdown(s, CSEND_SHUTDOWN_SEND, &err);
    pthread_join(t, NULL);
    assert_int_equal(r.total, (int64_t)size);
    assert_int_equal(r.hash, fnv1a(FNV_SEED, data, size));
    free(data);
    csend_socket_free(s);
    close(peer);
}

static void test_blocking_send_of_64_mib_to_slow_reader_arrives_whole_tcp(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    tcp_pair(&s, &peer);
    blocking_send_arrives_whole(s, peer);
}

static void test_blocking_send_of_64_mib_to_slow_reader_arrives_whole_socketpair(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    unix_pair(&s, &peer);
    blocking_send_arrives_whole(s, peer);
}

static void test_send_timeout_gives_timed_out_with_bytes_transferred(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    unix_pair(&s, &peer);
    small_buffers(csend_get_fd(s));
    csend_error err;
    assert_int_equal(csend_set_send_timeout(s, 200, &err), 0);
    size_t size = 8 * MIB;
    char *data = pattern(size);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int64_t n = csend_send(s, data, (int64_t)size, 0, (int64_t)size, 0, &err);
    int64_t took = elapsed_ms(&t0);
    assert_int_equal(n, -1);
    assert_int_equal(err.kind, CSEND_ERR_SOCKET);
    assert_int_equal(err.socket_error, CSEND_SOCKET_ERROR_TIMED_OUT);
    assert_true(err.bytes_transferred > 0);
    assert_true(err.bytes_transferred < (int64_t)size);
    /* A deadline for the whole call, not per wait. */
    assert_true(took >= 190);
    assert_true(took < 1500);
    /* Still connected after TimedOut, as .NET. */
    assert_true(csend_get_connected(s));
    assert_int_equal(csend_shutdown(s, CSEND_SHUTDOWN_SEND, &err), 0);
    uint64_t h = FNV_SEED;
    assert_int_equal(drain(peer, 2000, &h), err.bytes_transferred);
    assert_int_equal(h, fnv1a(FNV_SEED, data, (size_t)err.bytes_transferred));
    free(data);
    csend_socket_free(s);
    close(peer);
}

static void test_send_timeout_minus_one_reads_zero_and_below_is_out_of_range(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    unix_pair(&s, &peer);
    csend_error err;
    assert_int_equal(csend_set_send_timeout(s, -1, &err), 0);
    assert_int_equal(csend_get_send_timeout(s, &err), 0);
    assert_int_equal(csend_set_send_timeout(s, 1500, &err), 0);
    assert_int_equal(csend_get_send_timeout(s, &err), 1500);
    assert_int_equal(csend_set_send_timeout(s, -2, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_ARGUMENT_OUT_OF_RANGE);
    assert_string_equal(err.param_name, "value");
    assert_int_equal(err.actual_value, -2);
    assert_int_equal(csend_get_send_timeout(s, &err), 1500);
    assert_int_equal(csend_set_receive_timeout(s, -5, &err), -1);
    assert_string_equal(err.param_name, "value");
    csend_socket_free(s);
    close(peer);
}

static void test_non_blocking_send_gives_partial_count_then_would_block(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    tcp_pair(&s, &peer);
    small_buffers(csend_get_fd(s));
    small_buffers(peer);
    csend_error err;
    assert_int_equal(csend_set_blocking(s, 0, &err), 0);
    assert_int_equal(csend_get_blocking(s, &err), 0);
    size_t size = 8 * MIB;
    char *data = pattern(size);
    int64_t first = csend_send(s, data, (int64_t)size, 0, (int64_t)size, 0, &err);
    assert_true(first > 0);
    assert_true(first < (int64_t)size);
    int64_t second;
    int64_t more = 0;
    /* Whatever space remains is taken, then the next attempt would block. */
    while ((second = csend_send(s, data, (int64_t)size, first + more,
                                (int64_t)size - first - more, 0, &err)) > 0)
        more += second;
    assert_int_equal(second, -1);
    assert_int_equal(err.kind, CSEND_ERR_SOCKET);
    assert_int_equal(err.socket_error, CSEND_SOCKET_ERROR_WOULD_BLOCK);
    assert_int_equal(err.native_error, EAGAIN);
    assert_int_equal(err.bytes_transferred, 0);
    assert_true(csend_get_connected(s));
    assert_int_equal(csend_shutdown(s, CSEND_SHUTDOWN_SEND, &err), 0);
    uint64_t h = FNV_SEED;
    assert_int_equal(drain(peer, 2000, &h), first + more);
    assert_int_equal(h, fnv1a(FNV_SEED, data, (size_t)(first + more)));
    free(data);
    csend_socket_free(s);
    close(peer);
}

/* Send(..., out SocketError): a socket failure is a code and the count; an
 * argument or disposed error still fails. */
static void test_try_send_returns_the_code_instead_of_failing(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    tcp_pair(&s, &peer);
    small_buffers(csend_get_fd(s));
    small_buffers(peer);
    csend_error err;
    int code = -7;
    assert_int_equal(csend_try_send(s, "abc", 3, 0, 3, 0, &code, &err), 3);
    assert_int_equal(code, CSEND_SOCKET_ERROR_SUCCESS);
    assert_int_equal(csend_set_blocking(s, 0, &err), 0);
    size_t size = 8 * MIB;
    char *data = pattern(size);
    int64_t total = 0, n;
    while ((n = csend_try_send(s, data, (int64_t)size, 0, (int64_t)size, 0, &code, &err)) > 0)
        total += n;
    assert_int_equal(n, 0); /* nothing went: the count, not -1 */
    assert_int_equal(code, CSEND_SOCKET_ERROR_WOULD_BLOCK);
    assert_int_equal(csend_try_send(s, data, 5, 6, 0, 0, &code, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_ARGUMENT_OUT_OF_RANGE);
    assert_string_equal(err.param_name, "offset");
    assert_int_equal(csend_try_send(s, "x", 1, 0, 1, 0, NULL, NULL), 0); /* NULLs allowed */
    csend_close(s);
    assert_int_equal(csend_try_send(s, "x", 1, 0, 1, 0, &code, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_OBJECT_DISPOSED);
    free(data);
    csend_socket_free(s);
    close(peer);
}

/* The size check of a receive whose buffer the runtime makes (Lua). */
static void test_receive_size_is_checked_after_disposal(void **state)
{
    (void)state;
    csend_error err;
    csend_socket *s = csend_socket_open(CSEND_AF_INTER_NETWORK, CSEND_SOCK_STREAM, 0, &err);
    assert_non_null(s);
    assert_int_equal(csend_check_receive_size(s, 0, &err), 0);
    assert_int_equal(csend_check_receive_size(s, INT32_MAX, &err), 0);
    assert_int_equal(csend_check_receive_size(s, -1, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_ARGUMENT_OUT_OF_RANGE);
    assert_string_equal(err.param_name, "size");
    assert_int_equal(err.actual_value, -1);
    assert_int_equal(csend_check_receive_size(s, (int64_t)INT32_MAX + 1, &err), -1);
    assert_string_equal(err.message, "size ('2147483648') must be less than or equal to "
                                     "'2147483647'. (Parameter 'size')");
    csend_close(s);
    assert_int_equal(csend_check_receive_size(s, -1, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_OBJECT_DISPOSED);
    csend_socket_free(s);
}

static void test_udp_send_without_connect_needs_a_destination(void **state)
{
    (void)state;
    csend_error err;
    csend_socket *s = csend_socket_open(CSEND_AF_INTER_NETWORK, CSEND_SOCK_DGRAM,
                                        CSEND_PROTO_UDP, &err);
    assert_non_null(s);
    assert_int_equal(csend_send(s, "x", 1, 0, 1, 0, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_SOCKET);
    assert_true(err.socket_error == CSEND_SOCKET_ERROR_DESTINATION_ADDRESS_REQUIRED ||
                err.socket_error == CSEND_SOCKET_ERROR_NOT_CONNECTED);
    csend_socket_free(s);
}

static csend_socket *udp_connected(int *receiver)
{
    csend_endpoint where;
    *receiver = udp_receiver(&where);
    csend_error err;
    csend_socket *s = csend_socket_open(CSEND_AF_INTER_NETWORK, CSEND_SOCK_DGRAM,
                                        CSEND_PROTO_UDP, &err);
    assert_non_null(s);
    assert_int_equal(csend_connect(s, &where, &err), 0);
    return s;
}

static void test_udp_oversized_datagram_is_message_size(void **state)
{
    (void)state;
    int rx;
    csend_socket *s = udp_connected(&rx);
    size_t size = 70000;
    char *data = pattern(size);
    csend_error err;
    assert_int_equal(csend_send(s, data, (int64_t)size, 0, (int64_t)size, 0, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_SOCKET);
    assert_int_equal(err.socket_error, CSEND_SOCKET_ERROR_MESSAGE_SIZE);
    assert_int_equal(err.native_error, EMSGSIZE);
    assert_int_equal(drain(rx, 20, NULL), 0);
    free(data);
    csend_socket_free(s);
    close(rx);
}

static void test_udp_send_is_one_datagram_and_zero_size_is_empty_datagram(void **state)
{
    (void)state;
    int rx;
    csend_socket *s = udp_connected(&rx);
    csend_error err;
    char data[1200];
    memset(data, 'u', sizeof data);
    assert_int_equal(csend_send(s, data, sizeof data, 100, 1000, 0, &err), 1000);
    assert_int_equal(csend_send(s, data, sizeof data, 0, 0, 0, &err), 0);
    char got[2000];
    assert_int_equal(recv(rx, got, sizeof got, 0), 1000);
    assert_int_equal(recv(rx, got, sizeof got, 0), 0);
    csend_socket_free(s);
    close(rx);
}

static void test_udp_send_to_without_connect_arrives(void **state)
{
    (void)state;
    csend_endpoint where;
    int rx = udp_receiver(&where);
    csend_error err;
    csend_socket *s = csend_socket_open(CSEND_AF_INTER_NETWORK, CSEND_SOCK_DGRAM, 0, &err);
    assert_int_equal(csend_send_to(s, "hello", 5, 1, 3, 0, &where, &err), 3);
    char got[16];
    assert_int_equal(recv(rx, got, sizeof got, 0), 3);
    assert_memory_equal(got, "ell", 3);
    assert_int_equal(csend_send_to(s, "hello", 5, 0, 5, 0, NULL, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_ARGUMENT_NULL);
    assert_string_equal(err.param_name, "remoteEP");
    assert_int_equal(csend_send_to(s, "hello", 5, 0, 6, 0, NULL, &err), -1);
    assert_string_equal(err.param_name, "size");
    csend_socket_free(s);
    close(rx);
}

static void test_reset_peer_gives_connection_reset_then_shutdown_without_sigpipe(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    tcp_pair(&s, &peer);
    csend_error err;
    /* Unread data at close makes the peer answer with a reset. */
    assert_int_equal(csend_send(s, "unread", 6, 0, 6, 0, &err), 6);
    usleep(20000);
    close(peer);
    usleep(20000);
    int64_t n = csend_send(s, "x", 1, 0, 1, 0, &err);
    assert_int_equal(n, -1);
    assert_int_equal(err.socket_error, CSEND_SOCKET_ERROR_CONNECTION_RESET);
    assert_int_equal(err.native_error, ECONNRESET);
    assert_string_equal(err.message, "Connection reset by peer");
    assert_false(csend_get_connected(s));
    assert_int_equal(csend_send(s, "x", 1, 0, 1, 0, &err), -1);
    assert_int_equal(err.socket_error, CSEND_SOCKET_ERROR_SHUTDOWN);
    assert_int_equal(err.native_error, EPIPE);
    csend_socket_free(s);
}

static void test_closed_peer_gives_shutdown_without_sigpipe(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    unix_pair(&s, &peer);
    close(peer);
    csend_error err;
    assert_int_equal(csend_send(s, "x", 1, 0, 1, 0, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_SOCKET);
    assert_int_equal(err.socket_error, CSEND_SOCKET_ERROR_SHUTDOWN);
    assert_false(csend_get_connected(s));
    csend_socket_free(s);
}

static void test_never_connected_stream_socket_reports_shutdown(void **state)
{
    (void)state;
    csend_error err;
    csend_socket *s = csend_socket_open(CSEND_AF_INTER_NETWORK, CSEND_SOCK_STREAM, 0, &err);
    assert_false(csend_get_connected(s));
    assert_int_equal(csend_send(s, "x", 1, 0, 1, 0, &err), -1);
    assert_int_equal(err.socket_error, CSEND_SOCKET_ERROR_SHUTDOWN);
    csend_socket_free(s);
}

static void test_send_after_close_is_object_disposed(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    unix_pair(&s, &peer);
    int fd = csend_get_fd(s);
    csend_close(s);
    csend_close(s); /* idempotent */
    assert_int_equal(csend_get_fd(s), -1);
    assert_int_equal(fcntl(fd, F_GETFD), -1); /* the descriptor was released */
    csend_error err;
    assert_int_equal(csend_send(s, "x", 1, 0, 1, 0, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_OBJECT_DISPOSED);
    assert_string_equal(err.object_name, "csend.Socket");
    /* .NET's Blocking getter reads the mode even after Dispose. */
    assert_int_equal(csend_get_blocking(s, &err), 1);
    csend_socket_free(s);
    close(peer);
}

typedef struct blocked {
    csend_socket *s;
    const char *data;
    int64_t size;
    int64_t result;
    csend_error err;
    int receive;
} blocked;

static void *blocked_call(void *arg)
{
    blocked *b = arg;
    if (b->receive)
        b->result = csend_receive(b->s, (void *)b->data, b->size, 0, b->size, 0, &b->err);
    else
        b->result = csend_send(b->s, b->data, b->size, 0, b->size, 0, &b->err);
    return NULL;
}

static void test_close_from_another_thread_wakes_blocked_send(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    tcp_pair(&s, &peer);
    small_buffers(csend_get_fd(s));
    size_t size = 8 * MIB;
    char *data = pattern(size);
    blocked b = {.s = s, .data = data, .size = (int64_t)size};
    pthread_t t;
    pthread_create(&t, NULL, blocked_call, &b);
    usleep(150000);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    csend_close(s);
    pthread_join(t, NULL);
    assert_true(elapsed_ms(&t0) < 2000);
    assert_int_equal(b.result, -1);
    assert_int_equal(b.err.kind, CSEND_ERR_SOCKET);
    assert_int_equal(b.err.socket_error, CSEND_SOCKET_ERROR_CONNECTION_ABORTED);
    assert_true(b.err.bytes_transferred > 0);
    /* contract §3: the close was abortive, so the peer cannot mistake the cut
     * stream for a whole one: a prefix of what was sent, then a reset. */
    errno = 0;
    assert_true(drain(peer, 2000, NULL) <= b.err.bytes_transferred);
    assert_int_equal(errno, ECONNRESET);
    csend_error err;
    assert_int_equal(csend_send(s, "x", 1, 0, 1, 0, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_OBJECT_DISPOSED);
    free(data);
    csend_socket_free(s);
    close(peer);
}

static void test_close_from_another_thread_interrupts_datagram_call(void **state)
{
    (void)state;
    int rx;
    csend_socket *s = udp_connected(&rx);
    char buf[64];
    blocked b = {.s = s, .data = buf, .size = sizeof buf, .receive = 1};
    pthread_t t;
    pthread_create(&t, NULL, blocked_call, &b);
    usleep(100000);
    csend_close(s);
    pthread_join(t, NULL);
    assert_int_equal(b.result, -1);
    assert_int_equal(b.err.kind, CSEND_ERR_SOCKET);
    assert_int_equal(b.err.socket_error, CSEND_SOCKET_ERROR_INTERRUPTED);
    csend_socket_free(s);
    close(rx);
}

static void on_signal(int sig)
{
    (void)sig;
}

typedef struct sender {
    csend_socket *s;
    const char *data;
    int64_t size, result;
    csend_error err;
} sender;

static void *send_all(void *arg)
{
    sender *x = arg;
    x->result = csend_send(x->s, x->data, x->size, 0, x->size, 0, &x->err);
    return NULL;
}

static void test_eintr_is_retried_and_the_send_completes(void **state)
{
    (void)state;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: the kernel returns EINTR */
    sigaction(SIGUSR1, &sa, &old);
    csend_socket *s;
    int peer;
    tcp_pair(&s, &peer);
    small_buffers(csend_get_fd(s));
    size_t size = 4 * MIB;
    char *data = pattern(size);
    sender x = {.s = s, .data = data, .size = (int64_t)size};
    pthread_t t;
    pthread_create(&t, NULL, send_all, &x);
    for (int i = 0; i < 20; i++) {
        usleep(5000);
        pthread_kill(t, SIGUSR1);
    }
    reader r = {.fd = peer};
    pthread_t rt;
    pthread_create(&rt, NULL, read_all, &r);
    pthread_join(t, NULL);
    assert_int_equal(x.result, (int64_t)size);
    csend_shutdown(s, CSEND_SHUTDOWN_SEND, &x.err);
    pthread_join(rt, NULL);
    assert_int_equal(r.total, (int64_t)size);
    assert_int_equal(r.hash, fnv1a(FNV_SEED, data, size));
    sigaction(SIGUSR1, &old, NULL);
    free(data);
    csend_socket_free(s);
    close(peer);
}

static void test_gather_send_arrives_in_order(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    unix_pair(&s, &peer);
    csend_segment seg[3] = {{"This ", 5}, {"is a ", 5}, {"test", 4}};
    csend_error err;
    assert_int_equal(csend_send_segments(s, seg, 3, 0, &err), 14);
    char got[14];
    read_exactly(peer, got, sizeof got);
    assert_memory_equal(got, "This is a test", 14);

    assert_int_equal(csend_send_segments(s, NULL, 0, 0, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_ARGUMENT_NULL);
    assert_string_equal(err.param_name, "buffers");
    assert_int_equal(csend_send_segments(s, seg, 0, 0, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_ARGUMENT);
    assert_string_equal(err.param_name, "buffers");
    csend_segment with_null[2] = {{"a", 1}, {NULL, 0}};
    assert_int_equal(csend_send_segments(s, with_null, 2, 0, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_ARGUMENT_NULL);
    assert_int_equal(csend_send_segments(s, seg, 3, CSEND_FLAG_PEEK, &err), -1);
    assert_int_equal(err.socket_error, CSEND_SOCKET_ERROR_OPERATION_NOT_SUPPORTED);
    assert_int_equal(drain(peer, 20, NULL), 0);
    csend_socket_free(s);
    close(peer);
}

static void test_gather_send_of_many_large_segments_arrives_whole(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    tcp_pair(&s, &peer);
    size_t count = 2000, each = 4096; /* more than IOV_MAX segments */
    char *data = pattern(count * each);
    csend_segment *seg = calloc(count, sizeof *seg);
    for (size_t i = 0; i < count; i++)
        seg[i] = (csend_segment){data + i * each, (int64_t)each};
    reader r = {.fd = peer};
    pthread_t t;
    pthread_create(&t, NULL, read_all, &r);
    csend_error err;
    assert_int_equal(csend_send_segments(s, seg, (int64_t)count, 0, &err), (int64_t)(count * each));
    csend_shutdown(s, CSEND_SHUTDOWN_SEND, &err);
    pthread_join(t, NULL);
    assert_int_equal(r.total, (int64_t)(count * each));
    assert_int_equal(r.hash, fnv1a(FNV_SEED, data, count * each));
    free(seg);
    free(data);
    csend_socket_free(s);
    close(peer);
}

static void test_receive_validates_like_send_and_reads(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    unix_pair(&s, &peer);
    char buf[8];
    csend_error err;
    assert_int_equal(csend_receive(s, NULL, 0, 0, 0, 0, &err), -1);
    assert_string_equal(err.param_name, "buffer");
    assert_int_equal(csend_receive(s, buf, 8, 9, 0, 0, &err), -1);
    assert_string_equal(err.param_name, "offset");
    assert_int_equal(csend_receive(s, buf, 8, 4, 5, 0, &err), -1);
    assert_string_equal(err.param_name, "size");
    assert_int_equal(csend_receive(s, buf, 8, 0, 8, CSEND_FLAG_PARTIAL, &err), -1);
    assert_int_equal(err.socket_error, CSEND_SOCKET_ERROR_OPERATION_NOT_SUPPORTED);
    assert_int_equal(write(peer, "abc", 3), 3);
    assert_int_equal(csend_receive(s, buf, 8, 2, 6, CSEND_FLAG_PEEK, &err), 3);
    assert_memory_equal(buf + 2, "abc", 3);
    assert_int_equal(csend_get_available(s, &err), 3);
    assert_int_equal(csend_receive(s, buf, 8, 0, 8, 0, &err), 3);
    assert_int_equal(csend_set_receive_timeout(s, 50, &err), 0);
    assert_int_equal(csend_receive(s, buf, 8, 0, 8, 0, &err), -1);
    assert_int_equal(err.socket_error, CSEND_SOCKET_ERROR_TIMED_OUT);
    close(peer);
    assert_int_equal(csend_receive(s, buf, 8, 0, 8, 0, &err), 0);
    csend_socket_free(s);
}

static void test_adopted_descriptor_keeps_its_mode_family_and_type(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv), 0);
    csend_error err;
    csend_socket *s = csend_socket_from_fd(sv[0], &err);
    assert_non_null(s);
    assert_int_equal(csend_get_blocking(s, &err), 0);
    assert_int_equal(csend_get_family(s), CSEND_AF_UNIX);
    assert_int_equal(csend_get_type(s), CSEND_SOCK_DGRAM);
    assert_true(csend_get_connected(s));
    assert_int_equal(csend_get_fd(s), sv[0]);
    csend_socket_free(s);
    assert_int_equal(fcntl(sv[0], F_GETFD), -1);
    close(sv[1]);

    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    assert_null(csend_socket_from_fd(pipefd[0], &err));
    assert_int_equal(err.socket_error, CSEND_SOCKET_ERROR_NOT_SOCKET);
    close(pipefd[0]);
    close(pipefd[1]);
}

static void test_listen_accept_endpoints_and_no_delay(void **state)
{
    (void)state;
    csend_error err;
    csend_socket *l = csend_socket_open(CSEND_AF_INTER_NETWORK_V6, CSEND_SOCK_STREAM, 0, &err);
    assert_non_null(l);
    csend_endpoint ep;
    assert_int_equal(csend_endpoint_from_host(CSEND_AF_INTER_NETWORK_V6, "::1", 0, &ep, &err), 0);
    assert_int_equal(csend_bind(l, &ep, &err), 0);
    assert_int_equal(csend_listen(l, -1, &err), -1);
    assert_string_equal(err.param_name, "backlog");
    assert_int_equal(csend_listen(l, 4, &err), 0);
    csend_endpoint local;
    assert_int_equal(csend_get_local_endpoint(l, &local, &err), 0);
    char host[64];
    int port;
    assert_int_equal(csend_endpoint_format(&local, host, sizeof host, &port),
                     CSEND_AF_INTER_NETWORK_V6);
    assert_string_equal(host, "::1");
    assert_true(port > 0);
    csend_socket *c = csend_socket_open(CSEND_AF_INTER_NETWORK_V6, CSEND_SOCK_STREAM, 0, &err);
    csend_endpoint remote;
    assert_int_equal(csend_get_remote_endpoint(c, &remote, &err), 0);
    assert_int_equal(remote.len, 0);
    assert_int_equal(csend_connect(c, &local, &err), 0);
    csend_socket *a = csend_accept(l, &err);
    assert_non_null(a);
    assert_true(csend_get_connected(a));
    assert_true(csend_get_connected(c));
    assert_int_equal(csend_set_no_delay(c, 1, &err), 0);
    assert_int_equal(csend_get_no_delay(c, &err), 1);
    assert_int_equal(csend_send(c, "ping", 4, 0, 4, 0, &err), 4);
    char buf[4];
    assert_int_equal(csend_receive(a, buf, 4, 0, 4, 0, &err), 4);
    assert_memory_equal(buf, "ping", 4);
    assert_int_equal(csend_shutdown(c, 7, &err), -1);
    assert_string_equal(err.param_name, "how");
    csend_socket_free(a);
    csend_socket_free(c);
    csend_socket_free(l);
}

/* .NET: LocalEndPoint is null until the socket is bound; a SendTo that
 * fails (AccessDenied to a broadcast address) leaves it null, one that
 * succeeds binds it. */
static void test_local_endpoint_is_empty_until_bound(void **state)
{
    (void)state;
    csend_error err;
    csend_endpoint where, ep, bcast;
    int rx = udp_receiver(&where);
    csend_socket *s = csend_socket_open(CSEND_AF_INTER_NETWORK, CSEND_SOCK_DGRAM,
                                        CSEND_PROTO_UDP, &err);
    assert_non_null(s);
    assert_int_equal(csend_get_local_endpoint(s, &ep, &err), 0);
    assert_int_equal(ep.len, 0);
    char host[64];
    int port;
    csend_endpoint_format(&where, host, sizeof host, &port);
    assert_int_equal(csend_endpoint_from_host(CSEND_AF_INTER_NETWORK, "127.255.255.255", port,
                                              &bcast, &err), 0);
    assert_int_equal(csend_send_to(s, "x", 1, 0, 1, 0, &bcast, &err), -1);
    assert_int_equal(err.socket_error, CSEND_SOCKET_ERROR_ACCESS_DENIED);
    assert_int_equal(csend_get_local_endpoint(s, &ep, &err), 0);
    assert_int_equal(ep.len, 0);
    assert_int_equal(csend_send_to(s, "x", 1, 0, 1, 0, &where, &err), 1);
    assert_int_equal(csend_get_local_endpoint(s, &ep, &err), 0);
    assert_int_not_equal(ep.len, 0);
    assert_int_equal(csend_endpoint_format(&ep, host, sizeof host, &port),
                     CSEND_AF_INTER_NETWORK);
    assert_string_equal(host, "0.0.0.0");
    assert_int_not_equal(port, 0);
    csend_socket_free(s);
    close(rx);
}

/* ReceiveFrom: InvalidOperation before the socket is bound (.NET's
 * "must call Bind"), then the datagram and its sender. */
static void test_receive_from_needs_a_bound_socket_and_names_the_sender(void **state)
{
    (void)state;
    csend_error err;
    csend_endpoint here, from, none;
    char buf[8];
    csend_socket *r = csend_socket_open(CSEND_AF_INTER_NETWORK, CSEND_SOCK_DGRAM,
                                        CSEND_PROTO_UDP, &err);
    assert_int_equal(csend_receive_from(r, buf, 8, 0, 8, 0, &from, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_INVALID_OPERATION);
    assert_int_equal(csend_receive_from(r, buf, 8, 0, 8, 0, NULL, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_ARGUMENT_NULL);
    assert_string_equal(err.param_name, "remoteEP");
    assert_int_equal(csend_receive_from(r, buf, 8, 0, 9, 0, &from, &err), -1);
    assert_string_equal(err.param_name, "size");
    assert_int_equal(csend_endpoint_from_host(CSEND_AF_INTER_NETWORK, "127.0.0.1", 0, &here, &err), 0);
    assert_int_equal(csend_bind(r, &here, &err), 0);
    assert_int_equal(csend_get_local_endpoint(r, &here, &err), 0);
    csend_socket *s = csend_socket_open(CSEND_AF_INTER_NETWORK, CSEND_SOCK_DGRAM,
                                        CSEND_PROTO_UDP, &err);
    assert_int_equal(csend_send_to(s, "abc", 3, 0, 3, 0, &here, &err), 3);
    assert_int_equal(csend_receive_from(r, buf, 8, 0, 8, 0, &from, &err), 3);
    assert_memory_equal(buf, "abc", 3);
    assert_int_equal(csend_get_local_endpoint(s, &none, &err), 0);
    char a[64], b[64];
    int pa, pb;
    csend_endpoint_format(&from, a, sizeof a, &pa);
    csend_endpoint_format(&none, b, sizeof b, &pb);
    assert_string_equal(a, "127.0.0.1");
    assert_int_equal(pa, pb);
    csend_socket_free(s);
    csend_socket_free(r);
}

/* contract §9: the translation table, ProtocolOption for a pair Linux lacks,
 * .NET's value checks, and NotSupported where the family has no option. */
static void test_socket_options_translate_and_check_like_dotnet(void **state)
{
    (void)state;
    csend_error err;
    int64_t v;
    csend_linger l;
    csend_socket *s = csend_socket_open(CSEND_AF_INTER_NETWORK, CSEND_SOCK_DGRAM,
                                        CSEND_PROTO_UDP, &err);
    assert_int_equal(csend_get_enable_broadcast(s, &err), 0);
    assert_int_equal(csend_set_socket_option(s, CSEND_OPTION_LEVEL_SOCKET, CSEND_OPTION_BROADCAST,
                                             1, &err), 0);
    assert_int_equal(csend_get_enable_broadcast(s, &err), 1);
    int on = 0;
    socklen_t len = sizeof on;
    getsockopt(csend_get_fd(s), SOL_SOCKET, SO_BROADCAST, &on, &len);
    assert_int_equal(on, 1);
    assert_int_equal(csend_set_socket_option(s, CSEND_OPTION_LEVEL_UDP, CSEND_OPTION_NO_CHECKSUM,
                                             1, &err), -1);
    assert_int_equal(err.socket_error, CSEND_SOCKET_ERROR_PROTOCOL_OPTION);
    assert_int_equal(csend_get_socket_option(s, 1LL << 40, 1, &v, NULL, &err), -1);
    assert_string_equal(err.param_name, "optionLevel");
    assert_int_equal(csend_set_ttl(s, 256, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_ARGUMENT_OUT_OF_RANGE);
    assert_int_equal(csend_set_ttl(s, 7, &err), 0);
    assert_int_equal(csend_get_ttl(s, &err), 7);
    assert_int_equal(csend_set_send_buffer_size(s, -1, &err), -1);
    assert_string_equal(err.param_name, "value");
    l.enabled = 1;
    l.seconds = 65536;
    assert_int_equal(csend_set_linger_state(s, &l, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_ARGUMENT);
    assert_string_equal(err.param_name, "optionValue");
    assert_int_equal(csend_set_linger_state(s, NULL, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_ARGUMENT_NULL);
    l.seconds = 9;
    assert_int_equal(csend_set_linger_state(s, &l, &err), 0);
    assert_int_equal(csend_get_socket_option(s, CSEND_OPTION_LEVEL_SOCKET, CSEND_OPTION_LINGER, &v,
                                             &l, &err), 1);
    assert_true(l.enabled && l.seconds == 9);
    assert_int_equal(csend_set_send_timeout(s, 1500, &err), 0);
    assert_int_equal(csend_get_socket_option(s, CSEND_OPTION_LEVEL_SOCKET,
                                             CSEND_OPTION_SEND_TIMEOUT, &v, NULL, &err), 0);
    assert_int_equal(v, 1500);
    /* .NET: DualMode reads false on IPv4 and cannot be set there. */
    assert_int_equal(csend_get_dual_mode(s, &err), 0);
    assert_int_equal(csend_set_dual_mode(s, 1, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_NOT_SUPPORTED);
    csend_close(s);
    assert_int_equal(csend_get_ttl(s, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_OBJECT_DISPOSED);
    assert_int_equal(csend_set_socket_option(s, 1LL << 40, 0, 0, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_OBJECT_DISPOSED);
    csend_socket_free(s);
    csend_socket *u = csend_socket_open(CSEND_AF_UNIX, CSEND_SOCK_STREAM, 0, &err);
    assert_int_equal(csend_get_ttl(u, &err), -1);
    assert_int_equal(err.kind, CSEND_ERR_NOT_SUPPORTED);
    csend_socket_free(u);
}

const struct CMUnitTest behaviour_tests[] = {
    cmocka_unit_test(test_blocking_send_of_64_mib_to_slow_reader_arrives_whole_tcp),
    cmocka_unit_test(test_blocking_send_of_64_mib_to_slow_reader_arrives_whole_socketpair),
    cmocka_unit_test(test_send_timeout_gives_timed_out_with_bytes_transferred),
    cmocka_unit_test(test_send_timeout_minus_one_reads_zero_and_below_is_out_of_range),
    cmocka_unit_test(test_non_blocking_send_gives_partial_count_then_would_block),
    cmocka_unit_test(test_try_send_returns_the_code_instead_of_failing),
    cmocka_unit_test(test_receive_size_is_checked_after_disposal),
    cmocka_unit_test(test_udp_send_without_connect_needs_a_destination),
    cmocka_unit_test(test_udp_oversized_datagram_is_message_size),
    cmocka_unit_test(test_udp_send_is_one_datagram_and_zero_size_is_empty_datagram),
    cmocka_unit_test(test_udp_send_to_without_connect_arrives),
    cmocka_unit_test(test_reset_peer_gives_connection_reset_then_shutdown_without_sigpipe),
    cmocka_unit_test(test_closed_peer_gives_shutdown_without_sigpipe),
    cmocka_unit_test(test_never_connected_stream_socket_reports_shutdown),
    cmocka_unit_test(test_send_after_close_is_object_disposed),
    cmocka_unit_test(test_close_from_another_thread_wakes_blocked_send),
    cmocka_unit_test(test_close_from_another_thread_interrupts_datagram_call),
    cmocka_unit_test(test_eintr_is_retried_and_the_send_completes),
    cmocka_unit_test(test_gather_send_arrives_in_order),
    cmocka_unit_test(test_gather_send_of_many_large_segments_arrives_whole),
    cmocka_unit_test(test_receive_validates_like_send_and_reads),
    cmocka_unit_test(test_adopted_descriptor_keeps_its_mode_family_and_type),
    cmocka_unit_test(test_listen_accept_endpoints_and_no_delay),
    cmocka_unit_test(test_local_endpoint_is_empty_until_bound),
    cmocka_unit_test(test_receive_from_needs_a_bound_socket_and_names_the_sender),
    cmocka_unit_test(test_socket_options_translate_and_check_like_dotnet),
};
const size_t behaviour_test_count = sizeof behaviour_tests / sizeof behaviour_tests[0];
