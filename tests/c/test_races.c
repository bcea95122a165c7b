/* Close against Send, many times: a thread closes a socket while others are
 * blocked in Send on it. No crash, no hang; every Send ends with
 * ObjectDisposed or SocketException; every byte that reached the peer is
 * accounted for by a count the caller got; a socket opened right after the
 * close (often on the same descriptor number) never receives a byte. */
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

#define SENDERS 2
#define CHUNK (64 * 1024)

static char chunk[CHUNK];

typedef struct sender {
    csend_socket *s;
    pthread_barrier_t *go;
    int64_t result;
    csend_error err;
} sender;

static void *send_chunk(void *arg)
{
    sender *x = arg;
    pthread_barrier_wait(x->go);
    x->result = csend_send(x->s, chunk, CHUNK, 0, CHUNK, 0, &x->err);
    return NULL;
}

static int64_t fill(int fd)
{
    int64_t total = 0;
    for (;;) {
        ssize_t n = send(fd, chunk, CHUNK, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n <= 0)
            return total;
        total += n;
    }
}

static long rounds(void)
{
    const char *v = getenv("CSEND_RACES");
    return v ? strtol(v, NULL, 10) : 10000;
}

static void test_close_while_sends_are_blocked_many_times(void **state)
{
    (void)state;
    memset(chunk, 0xAA, sizeof chunk);
    long n = rounds(), disposed = 0, aborted = 0, reused = 0;
    for (long i = 0; i < n; i++) {
        int sv[2];
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        small_buffers(sv[0]);
        int64_t prefill = fill(sv[0]);
        int old_fd = sv[0];
        csend_error err;
        csend_socket *s = csend_socket_from_fd(sv[0], &err);
        assert_non_null(s);

        pthread_barrier_t go;
        pthread_barrier_init(&go, NULL, SENDERS + 1);
        sender x[SENDERS];
        pthread_t t[SENDERS];
        for (int k = 0; k < SENDERS; k++) {
            x[k] = (sender){.s = s, .go = &go};
            pthread_create(&t[k], NULL, send_chunk, &x[k]);
        }
        pthread_barrier_wait(&go);
        /* Sometimes before the sends reach the kernel, mostly during. */
        if (i % 4 != 0)
            usleep((useconds_t)(i % 200));
        csend_close(s);

        /* Opened right after the close: it may get old_fd's number. */
        int nv[2];
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, nv), 0);
        for (int k = 0; k < SENDERS; k++)
            pthread_join(t[k], NULL);
        int mv[2]; /* and once every sender has let go */
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, mv), 0);
        if (nv[0] == old_fd || nv[1] == old_fd || mv[0] == old_fd || mv[1] == old_fd)
            reused++;

        int64_t told = prefill;
        for (int k = 0; k < SENDERS; k++) {
            assert_int_equal(x[k].result, -1);
            if (x[k].err.kind == CSEND_ERR_OBJECT_DISPOSED) {
                disposed++;
            } else {
                assert_int_equal(x[k].err.kind, CSEND_ERR_SOCKET);
                assert_int_equal(x[k].err.socket_error, CSEND_SOCKET_ERROR_CONNECTION_ABORTED);
                aborted++;
                told += x[k].err.bytes_transferred;
            }
        }
        /* Nothing meant for the closed socket reached the new ones. */
        assert_int_equal(drain(nv[1], 0, NULL) + drain(nv[0], 0, NULL), 0);
        assert_int_equal(drain(mv[1], 0, NULL) + drain(mv[0], 0, NULL), 0);
        /* Every byte the old peer got is one the callers were told of. */
        assert_int_equal(drain(sv[1], 0, NULL), told);

        csend_socket_free(s);
        close(sv[1]);
        close(nv[0]);
        close(nv[1]);
        close(mv[0]);
        close(mv[1]);
        pthread_barrier_destroy(&go);
    }
    print_message("%ld rounds: %ld sends disposed, %ld aborted, descriptor reused in %ld\n",
                  n, disposed, aborted, reused);
    assert_true(aborted > 0);
    assert_true(reused > 0);
}

const struct CMUnitTest race_tests[] = {
    cmocka_unit_test(test_close_while_sends_are_blocked_many_times),
};
const size_t race_test_count = sizeof race_tests / sizeof race_tests[0];
