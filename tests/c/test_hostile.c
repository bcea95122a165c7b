/* The core used as a hostile but legal C program would: another thread reads
 * properties while the socket is closed, every allocation fails once, a
 * hook frees the socket under the call it runs in, and settings change
 * while other threads send (ThreadSanitizer's part: `make test-tsan`). */
#define _GNU_SOURCE
#include "support.h"
#include "../fault/alloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    assert_non_null(d);
    int n = 0;
    while (readdir(d) != NULL)
        n++;
    closedir(d);
    return n;
}

/* ---- close with a getter in flight (review finding 7) ---- */

typedef struct hammer {
    csend_socket *s;
    atomic_bool stop;
    atomic_long calls;
} hammer;

static void *read_properties(void *arg)
{
    hammer *h = arg;
    csend_error err;
    while (!atomic_load(&h->stop)) {
        csend_get_available(h->s, &err);
        csend_get_no_delay(h->s, &err);
        csend_get_blocking(h->s, &err);
        atomic_fetch_add(&h->calls, 1);
    }
    return NULL;
}

static void test_close_of_a_duplicate_with_getters_in_flight_leaves_the_original(void **state)
{
    (void)state;
    for (int round = 0; round < 300; round++) {
        int sv[2];
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        csend_error err;
        int copy = csend_dup_fd(sv[0], &err);
        csend_socket *dup = csend_socket_from_fd(copy, &err);
        assert_non_null(dup);
        hammer h = {.s = dup};
        atomic_init(&h.stop, false);
        atomic_init(&h.calls, 0);
        pthread_t t;
        pthread_create(&t, NULL, read_properties, &h);
        while (atomic_load(&h.calls) < 3)
            sched_yield();
        csend_close(dup);
        atomic_store(&h.stop, true);
        pthread_join(t, NULL);
        /* The original's connection is whole: both ways, no end of stream. */
        assert_int_equal(send(sv[0], "ping", 4, MSG_NOSIGNAL), 4);
        char buf[8];
        read_exactly(sv[1], buf, 4);
        assert_int_equal(send(sv[1], "pong", 4, MSG_NOSIGNAL), 4);
        read_exactly(sv[0], buf, 4);
        assert_memory_equal(buf, "pong", 4);
        csend_socket_free(dup);
        close(sv[0]);
        close(sv[1]);
    }
}

/* ---- every allocation fails once (review finding 8) ---- */

/* Runs call with the k-th allocation failing, for k = 1, 2, ... until a
 * run makes fewer than k allocations (so every site has failed once).
 * Each failing run must report OutOfMemory and leave no descriptor open
 * and none closed twice. Returns the number of sites. */
typedef void *(*alloc_call)(void *ctx, csend_error *err);

static int every_allocation_fails_once(alloc_call call, void (*undo)(void *), void *ctx)
{
    int64_t bad = csend_fault_bad_closes();
    int k = 1;
    for (;; k++) {
        int before = open_fds();
        csend_error err;
        memset(&err, 0, sizeof err);
        csend_fault_fail_alloc(k);
        void *made = call(ctx, &err);
        int64_t allocs = csend_fault_allocs();
        csend_fault_fail_alloc(0);
        if (allocs < k) { /* no k-th allocation: the call ran whole */
            assert_non_null(made);
            undo(made);
            break;
        }
        assert_null(made);
        assert_int_equal(err.kind, CSEND_ERR_OUT_OF_MEMORY);
        assert_int_equal(open_fds(), before);
        assert_int_equal(csend_fault_bad_closes(), bad);
    }
    return k - 1;
}

static void *open_socket(void *ctx, csend_error *err)
{
    (void)ctx;
    return csend_socket_open(CSEND_AF_INTER_NETWORK, CSEND_SOCK_STREAM, 0, err);
}

static void free_socket(void *s)
{
    csend_socket_free(s);
}

static void test_socket_open_survives_every_allocation_failing(void **state)
{
    (void)state;
    assert_true(every_allocation_fails_once(open_socket, free_socket, NULL) >= 1);
}

static void *adopt(void *ctx, csend_error *err)
{
    return csend_socket_from_fd(*(int *)ctx, err);
}

static void test_from_fd_failure_leaves_the_descriptor_to_the_caller(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    csend_fault_fail_alloc(1);
    csend_error err;
    assert_null(csend_socket_from_fd(sv[0], &err));
    csend_fault_fail_alloc(0);
    assert_int_equal(err.kind, CSEND_ERR_OUT_OF_MEMORY);
    assert_true(fcntl(sv[0], F_GETFD) >= 0); /* still open: the caller's */
    /* And the other failure paths keep the same rule. */
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    assert_null(csend_socket_from_fd(pipefd[0], &err));
    assert_int_equal(err.socket_error, CSEND_SOCKET_ERROR_NOT_SOCKET);
    assert_true(fcntl(pipefd[0], F_GETFD) >= 0);
    close(pipefd[0]);
    close(pipefd[1]);
    assert_true(every_allocation_fails_once(adopt, free_socket, &sv[0]) >= 1);
    close(sv[1]);
}

typedef struct accepting {
    csend_socket *listener;
    csend_endpoint where;
    int client;
} accepting;

static void *accept_one(void *ctx, csend_error *err)
{
    accepting *a = ctx;
    a->client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_int_equal(connect(a->client, (struct sockaddr *)&a->where.addr, a->where.len), 0);
    csend_socket *conn = csend_accept(a->listener, err);
    if (conn == NULL) {
        /* The core closed the accepted connection (once): the client sees
         * its end. */
        char c;
        struct pollfd p = {.fd = a->client, .events = POLLIN};
        assert_int_equal(poll(&p, 1, 2000), 1);
        assert_true(recv(a->client, &c, 1, 0) <= 0);
        close(a->client);
    }
    return conn;
}

static void test_accept_survives_every_allocation_failing(void **state)
{
    (void)state;
    accepting a;
    csend_error err;
    a.listener = csend_socket_open(CSEND_AF_INTER_NETWORK, CSEND_SOCK_STREAM, 0, &err);
    assert_non_null(a.listener);
    assert_int_equal(csend_endpoint_from_host(CSEND_AF_INTER_NETWORK, "127.0.0.1", 0, &a.where,
                                              &err), 0);
    assert_int_equal(csend_bind(a.listener, &a.where, &err), 0);
    assert_int_equal(csend_listen(a.listener, 8, &err), 0);
    assert_int_equal(csend_get_local_endpoint(a.listener, &a.where, &err), 0);
    assert_true(every_allocation_fails_once(accept_one, free_socket, &a) >= 1);
    close(a.client);
    csend_socket_free(a.listener);
}

static char many_segments_data[300];

static void *send_many_segments(void *ctx, csend_error *err)
{
    csend_segment seg[300];
    for (int i = 0; i < 300; i++)
        seg[i] = (csend_segment){many_segments_data + i, 1};
    int64_t n = csend_send_segments(ctx, seg, 300, 0, err);
    return n == 300 ? ctx : NULL;
}

static void nothing(void *p)
{
    (void)p;
}

static void test_gather_send_survives_every_allocation_failing(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    unix_pair(&s, &peer);
    assert_true(every_allocation_fails_once(send_many_segments, nothing, s) >= 1);
    /* Exactly one whole send arrived: the failed ones sent nothing. */
    assert_int_equal(drain(peer, 50, NULL), 300);
    csend_socket_free(s);
    close(peer);
}

/* ---- a hook that frees the socket under its call (review finding 9) ---- */

static int free_from_trace(const char *line, void *context)
{
    (void)line;
    csend_socket **slot = context;
    csend_socket_free(*slot); /* the owner lets go in the middle of a send */
    *slot = NULL;
    return 1;
}

static const csend_hooks freeing_hooks = {NULL, NULL, NULL, free_from_trace};

static void test_free_from_a_hook_inside_a_send_is_safe(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    tcp_pair(&s, &peer);
    csend_socket *slot = s;
    csend_socket_set_hooks(s, &freeing_hooks);
    csend_socket_set_context(s, &slot);
    csend_set_trace(1, NULL, NULL);
    csend_error err;
    int64_t n = csend_send(s, "abc", 3, 0, 3, 0, &err);
    csend_set_trace(0, NULL, NULL);
    /* Freed (so closed) before the system call: the send is aborted, and
     * the memory lived until it returned (ASan and valgrind check). */
    assert_int_equal(n, -1);
    assert_int_equal(err.socket_error, CSEND_SOCKET_ERROR_CONNECTION_ABORTED);
    assert_null(slot);
    close(peer);
}

/* ---- settings that change while other threads send (TSan) ---- */

typedef struct churn {
    csend_socket *s;
    atomic_bool stop;
    atomic_long lines;
} churn;

static void quiet_trace(const char *line, void *userdata)
{
    (void)line;
    atomic_fetch_add(&((churn *)userdata)->lines, 1);
}

static void *change_settings(void *arg)
{
    churn *c = arg;
    csend_error err;
    for (int i = 0; !atomic_load(&c->stop); i++) {
        /* Long enough never to expire, even under valgrind. */
        csend_set_send_timeout(c->s, i % 2 ? 0 : 600000, &err);
        csend_set_receive_timeout(c->s, i % 3, &err);
        csend_get_send_timeout(c->s, &err);
        csend_set_trace(i % 2, quiet_trace, c);
        usleep(20); /* let the sender run (valgrind runs one thread at a time) */
    }
    csend_set_trace(0, NULL, NULL);
    return NULL;
}

static void test_settings_change_while_other_threads_send(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    unix_pair(&s, &peer);
    reader r = {.fd = peer};
    pthread_t rt, ct;
    pthread_create(&rt, NULL, read_all, &r);
    churn c = {.s = s};
    atomic_init(&c.stop, false);
    atomic_init(&c.lines, 0);
    pthread_create(&ct, NULL, change_settings, &c);
    static char data[1024];
    int64_t sent = 0;
    csend_error err;
    /* At least 3000 sends, and on until one of them was traced: on a busy
     * machine the sender can finish 3000 before the other thread first runs.
     * The deadline keeps a broken trace switch a failure, not a hang. */
    time_t deadline = time(NULL) + 60;
    for (int i = 0; i < 3000 || (atomic_load(&c.lines) == 0 && time(NULL) < deadline); i++) {
        int64_t n = csend_send(s, data, sizeof data, 0, sizeof data, 0, &err);
        if (n != (int64_t)sizeof data)
            fail_msg("send %d: %lld, %s", i, (long long)n, err.message);
        sent += n;
    }
    atomic_store(&c.stop, true);
    pthread_join(ct, NULL);
    csend_set_trace(0, NULL, NULL);
    csend_shutdown(s, CSEND_SHUTDOWN_SEND, &err);
    pthread_join(rt, NULL);
    assert_int_equal(r.total, sent);
    assert_true(atomic_load(&c.lines) > 0); /* tracing was on for some sends */
    csend_socket_free(s);
    close(peer);
}

/* ---- the process-wide trace destination changes under tracing threads ---- */

typedef struct destination {
    atomic_bool gone; /* "freed": the callback must never see it again */
    atomic_long used_after_gone;
} destination;

static void into(const char *line, void *userdata)
{
    (void)line;
    destination *d = userdata;
    if (atomic_load(&d->gone))
        atomic_fetch_add(&d->used_after_gone, 1);
}

typedef struct tracer {
    csend_socket *s;
    atomic_bool stop;
} tracer;

static void *send_traced(void *arg)
{
    tracer *t = arg;
    csend_error err;
    while (!atomic_load(&t->stop))
        csend_send(t->s, "x", 1, 0, 1, 0, &err);
    return NULL;
}

static void test_a_replaced_trace_destination_is_never_called_again(void **state)
{
    (void)state;
    csend_socket *s;
    int peer;
    unix_pair(&s, &peer);
    reader r = {.fd = peer};
    pthread_t rt, tt;
    pthread_create(&rt, NULL, read_all, &r);
    tracer t = {.s = s};
    atomic_init(&t.stop, false);
    static destination d[2];
    atomic_init(&d[0].gone, false);
    atomic_init(&d[1].gone, false);
    csend_set_trace(1, into, &d[0]);
    pthread_create(&tt, NULL, send_traced, &t);
    for (int i = 0; i < 2000; i++) {
        destination *old = &d[i % 2], *next = &d[(i + 1) % 2];
        atomic_store(&next->gone, false);
        csend_set_trace(1, into, next);
        atomic_store(&old->gone, true); /* as if freed: csend_set_trace returned */
    }
    atomic_store(&t.stop, true);
    pthread_join(tt, NULL);
    csend_set_trace(0, NULL, NULL);
    csend_error err;
    csend_shutdown(s, CSEND_SHUTDOWN_SEND, &err);
    pthread_join(rt, NULL);
    assert_int_equal(atomic_load(&d[0].used_after_gone) + atomic_load(&d[1].used_after_gone), 0);
    csend_socket_free(s);
    close(peer);
}

/* ---- close wakes a datagram receive that has a timeout (finding 3) ---- */

typedef struct receiving {
    csend_socket *s;
    int64_t result;
    csend_error err;
    struct timespec cpu;
} receiving;

static void *receive_one(void *arg)
{
    receiving *r = arg;
    char buf[64];
    r->result = csend_receive(r->s, buf, sizeof buf, 0, sizeof buf, 0, &r->err);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &r->cpu);
    return NULL;
}

static void test_close_wakes_a_datagram_receive_with_a_timeout_without_spinning(void **state)
{
    (void)state;
    csend_error err;
    csend_socket *s = csend_socket_open(CSEND_AF_INTER_NETWORK, CSEND_SOCK_DGRAM, 0, &err);
    csend_endpoint ep;
    assert_int_equal(csend_endpoint_from_host(CSEND_AF_INTER_NETWORK, "127.0.0.1", 0, &ep, &err),
                     0);
    assert_int_equal(csend_bind(s, &ep, &err), 0);
    assert_int_equal(csend_set_receive_timeout(s, 3000, &err), 0);
    receiving r = {.s = s};
    pthread_t t;
    pthread_create(&t, NULL, receive_one, &r);
    usleep(200000);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    csend_close(s);
    pthread_join(t, NULL);
    assert_true(elapsed_ms(&t0) < 1000);
    assert_true(r.cpu.tv_sec == 0 && r.cpu.tv_nsec < 250000000L);
    assert_int_equal(r.result, -1);
    assert_int_equal(r.err.socket_error, CSEND_SOCKET_ERROR_INTERRUPTED);
    csend_socket_free(s);
}

const struct CMUnitTest hostile_tests[] = {
    cmocka_unit_test(test_close_of_a_duplicate_with_getters_in_flight_leaves_the_original),
    cmocka_unit_test(test_socket_open_survives_every_allocation_failing),
    cmocka_unit_test(test_from_fd_failure_leaves_the_descriptor_to_the_caller),
    cmocka_unit_test(test_accept_survives_every_allocation_failing),
    cmocka_unit_test(test_gather_send_survives_every_allocation_failing),
    cmocka_unit_test(test_free_from_a_hook_inside_a_send_is_safe),
    cmocka_unit_test(test_settings_change_while_other_threads_send),
    cmocka_unit_test(test_close_wakes_a_datagram_receive_with_a_timeout_without_spinning),
    cmocka_unit_test(test_a_replaced_trace_destination_is_never_called_again),
};
const size_t hostile_test_count = sizeof hostile_tests / sizeof hostile_tests[0];
