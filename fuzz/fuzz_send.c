/* libFuzzer target for csend_send: random buffer length, offset, size,
 * flags, socket state and payload, sent over a real TCP connection on
 * 127.0.0.1. The outcome must be the one contract §1-2 predicts (computed here
 * independently of the core), and on success the peer must receive exactly
 * buffer[offset : offset + size]; on failure, nothing.
 *
 * Input: byte 0 = mode (bit 0 null buffer, bit 1 closed socket, bit 2
 * non-blocking, bit 3 adversary), then offset, size and flags, each a
 * selector byte and, for raw values, 8 little-endian bytes; the rest is the
 * buffer.
 *
 * With the adversary bit, the send goes to a fresh socketpair with a small
 * send buffer, a thread reads the peer, and a second thread closes the
 * socket or shuts it down (byte 1 says which and after how long) while the
 * send may be blocked.  Then every outcome .NET allows is accepted (the
 * close may come first: ObjectDisposed), and the peer must have received
 * exactly the prefix the send reported: all of it, a partial count, or
 * bytes_transferred of a SocketException. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "csend.h"

static csend_socket *open_sock, *closed_sock;
static int peer = -1;
static long outcomes[CSEND_ERR_RUNTIME_INTERRUPT + 1]; /* by kind; [CSEND_OK]: sends */
static long long bytes_checked;
/* Against the adversary: whole sends, partial sends, disposed, SocketException. */
static long adversary_outcomes[4];

static void summary(void)
{
    fprintf(stderr, "csend_fuzz_send adversary: %ld whole, %ld partial, %ld disposed, "
                    "%ld socket errors\n",
            adversary_outcomes[0], adversary_outcomes[1], adversary_outcomes[2],
            adversary_outcomes[3]);
    fprintf(stderr, "csend_fuzz_send: %ld sends checked (%lld bytes), %ld disposed, %ld null, "
                    "%ld out of range, %ld socket errors\n",
            outcomes[CSEND_OK], bytes_checked, outcomes[CSEND_ERR_OBJECT_DISPOSED],
            outcomes[CSEND_ERR_ARGUMENT_NULL], outcomes[CSEND_ERR_ARGUMENT_OUT_OF_RANGE],
            outcomes[CSEND_ERR_SOCKET]);
}

static void die(const char *what)
{
    perror(what);
    abort();
}

static void tcp_pair(void)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 1) < 0 ||
        getsockname(l, (struct sockaddr *)&a, &alen) < 0)
        die("listener");
    int c = socket(AF_INET, SOCK_STREAM, 0);
    if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof a) < 0)
        die("connect");
    peer = accept(l, NULL, NULL);
    if (peer < 0)
        die("accept");
    int one = 1;
    setsockopt(peer, SOL_SOCKET, SO_OOBINLINE, &one, sizeof one); /* urgent byte in line */
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    close(l);
    csend_error err;
    open_sock = csend_socket_from_fd(c, &err);
    if (open_sock == NULL)
        die("csend_socket_from_fd");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    tcp_pair();
    csend_error err;
    closed_sock = csend_socket_open(CSEND_AF_INTER_NETWORK, CSEND_SOCK_STREAM, CSEND_PROTO_TCP,
                                    &err);
    if (closed_sock == NULL)
        die("csend_socket_open");
    csend_close(closed_sock);
    atexit(summary);
    return 0;
}

typedef struct input {
    const uint8_t *p;
    size_t n;
} input;

static uint8_t take_byte(input *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

/* A selector byte (and 8 raw bytes for a raw value), read before the
 * buffer's length is known; resolved against it afterwards. */
typedef struct value {
    uint8_t sel;
    uint64_t raw;
} value;

static value take_value(input *in)
{
    value v = {.sel = take_byte(in)};
    if (v.sel % 16 >= 14)
        for (int i = 0; i < 8; i++)
            v.raw |= (uint64_t)take_byte(in) << (8 * i);
    return v;
}

/* Values near the edges that matter, or the raw ones. */
static int64_t resolve(value v, int64_t len)
{
    switch (v.sel % 16) {
    case 0: return 0;
    case 1: return 1;
    case 2: return -1;
    case 3: return len;
    case 4: return len + 1;
    case 5: return len - 1;
    case 6: return INT32_MAX;
    case 7: return (int64_t)INT32_MAX + 1;
    case 8: return INT32_MIN;
    case 9: return (int64_t)INT32_MIN - 1;
    case 10: return INT64_MAX;
    case 11: return INT64_MIN;
    case 12: return (int64_t)UINT32_MAX;
    case 13: return v.sel >> 4; /* 0..15: small, often valid */
    default: return (int64_t)v.raw;
    }
}

typedef struct expected {
    csend_error_kind kind;
    const char *param;
    int socket_error;
} expected;

/* contract §1-2, written out on its own. */
static expected predict(int closed, int null_buffer, int64_t len, int64_t offset, int64_t size,
                        int64_t flags)
{
    if (closed)
        return (expected){CSEND_ERR_OBJECT_DISPOSED, NULL, 0};
    if (null_buffer)
        return (expected){CSEND_ERR_ARGUMENT_NULL, "buffer", 0};
    if (offset < 0 || offset > len)
        return (expected){CSEND_ERR_ARGUMENT_OUT_OF_RANGE, "offset", 0};
    if (size < 0 || size > len - offset)
        return (expected){CSEND_ERR_ARGUMENT_OUT_OF_RANGE, "size", 0};
    if (flags < INT32_MIN || flags > (int64_t)UINT32_MAX) /* not a 32-bit enum value */
        return (expected){CSEND_ERR_ARGUMENT_OUT_OF_RANGE, "socketFlags", 0};
    if ((uint32_t)flags & ~(uint32_t)(CSEND_FLAG_OUT_OF_BAND | CSEND_FLAG_DONT_ROUTE))
        return (expected){CSEND_ERR_SOCKET, NULL, CSEND_SOCKET_ERROR_OPERATION_NOT_SUPPORTED};
    return (expected){CSEND_OK, NULL, 0};
}

static size_t read_available(uint8_t *buf, size_t cap, int wait_ms)
{
    size_t got = 0;
    while (got < cap) {
        struct pollfd p = {.fd = peer, .events = POLLIN};
        if (poll(&p, 1, wait_ms) <= 0)
            break;
        ssize_t n = recv(peer, buf + got, cap - got, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got;
}

/* ---- the adversary ---- */

typedef struct reader {
    int fd;
    uint8_t *got;
    size_t cap, n;
} reader;

static void *read_to_end(void *arg)
{
    reader *r = arg;
    for (;;) {
        uint8_t sink[4096];
        size_t room = r->cap - r->n;
        ssize_t k = recv(r->fd, room ? r->got + r->n : sink, room ? room : sizeof sink, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return NULL;
        if (room)
            r->n += (size_t)k;
        else
            abort(); /* more bytes than the buffer holds */
    }
}

typedef struct adversary {
    csend_socket *s;
    int action;  /* 0 close, 1 shutdown both, 2 shutdown send, 3 nothing */
    int delay_us;
} adversary;

static void *interfere(void *arg)
{
    adversary *a = arg;
    if (a->delay_us)
        usleep((useconds_t)a->delay_us);
    csend_error err;
    if (a->action == 0)
        csend_close(a->s);
    else if (a->action == 1)
        csend_shutdown(a->s, CSEND_SHUTDOWN_BOTH, &err);
    else if (a->action == 2)
        csend_shutdown(a->s, CSEND_SHUTDOWN_SEND, &err);
    return NULL;
}

static void against_an_adversary(uint8_t how, int null_buffer, int non_blocking,
                                 const uint8_t *buffer, int64_t len, int64_t offset,
                                 int64_t size, int64_t flags)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        die("socketpair");
    int small = 4096;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    csend_error err;
    csend_socket *s = csend_socket_from_fd(sv[0], &err);
    if (s == NULL)
        die("csend_socket_from_fd");
    if (non_blocking && csend_set_blocking(s, 0, &err) != 0)
        abort();
    reader r = {.fd = sv[1], .cap = (size_t)len, .got = malloc(len ? (size_t)len : 1)};
    static const int delays_us[4] = {0, 50, 300, 2000};
    adversary a = {.s = s, .action = how & 3, .delay_us = delays_us[(how >> 2) & 3]};
    pthread_t rt, at;
    pthread_create(&rt, NULL, read_to_end, &r);
    pthread_create(&at, NULL, interfere, &a);
    int64_t got = csend_send(s, null_buffer ? NULL : buffer, len, offset, size, flags, &err);
    pthread_join(at, NULL);
    csend_close(s); /* the reader sees the end */
    pthread_join(rt, NULL);
    expected want = predict(0, null_buffer, len, offset, size, flags);
    int64_t sent;
    if (got >= 0) {
        if (want.kind != CSEND_OK || (!non_blocking && got != size) || got > size)
            abort();
        sent = got;
        adversary_outcomes[got == size ? 0 : 1]++;
    } else if (err.kind == CSEND_ERR_OBJECT_DISPOSED) {
        sent = 0; /* the close came first */
        adversary_outcomes[2]++;
    } else if (err.kind == CSEND_ERR_SOCKET && want.kind == CSEND_OK) {
        sent = err.bytes_transferred; /* aborted, shut down, or would block */
        if (sent < 0 || sent > size)
            abort();
        adversary_outcomes[3]++;
    } else {
        if (err.kind != want.kind ||
            (want.param && (err.param_name == NULL || strcmp(err.param_name, want.param) != 0)))
            abort();
        sent = 0;
    }
    if ((int64_t)r.n != sent || (sent && memcmp(r.got, buffer + offset, (size_t)sent) != 0)) {
        fprintf(stderr, "adversary %d: send gave %lld (kind %d, code %d, transferred %lld), "
                        "the peer got %zu bytes\n",
                how & 3, (long long)got, err.kind, err.socket_error,
                (long long)err.bytes_transferred, r.n);
        abort();
    }
    free(r.got);
    csend_socket_free(s);
    close(sv[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    input in = {data, n};
    uint8_t mode = take_byte(&in);
    if (mode & 8) {
        /* how: bits 0-1 the action, 2-3 the delay, 4-7 how many times the
         * payload repeats (up to 1 MiB), so that the send outlasts a small
         * send buffer and the adversary lands while it waits. */
        uint8_t how = take_byte(&in);
        value vo = take_value(&in), vs = take_value(&in), vf = take_value(&in);
        size_t unit = in.n ? in.n : 1;
        size_t want = unit * (1 + (size_t)(how >> 4) * 4096);
        int64_t len = (int64_t)(want > (1u << 20) ? (1u << 20) : want);
        uint8_t *buffer = malloc((size_t)len);
        if (buffer == NULL)
            abort();
        for (int64_t i = 0; i < len; i++)
            buffer[i] = in.n ? in.p[(size_t)i % unit] : (uint8_t)i;
        /* Urgent data on AF_UNIX is the kernel's to place: left out here. */
        int64_t flags = resolve(vf, len) & ~(int64_t)CSEND_FLAG_OUT_OF_BAND;
        against_an_adversary(how, mode & 1, (mode >> 2) & 1, buffer, len, resolve(vo, len),
                             resolve(vs, len), flags);
        free(buffer);
        return 0;
    }
    int null_buffer = mode & 1, closed = (mode >> 1) & 1, non_blocking = (mode >> 2) & 1;
    value vo = take_value(&in), vs = take_value(&in), vf = take_value(&in);
    /* The buffer is what is left, bounded so a blocking send never waits on
     * the peer (which reads only afterwards). */
    int64_t len = (int64_t)(in.n > 32768 ? 32768 : in.n);
    int64_t offset = resolve(vo, len), size = resolve(vs, len), flags = resolve(vf, len);
    /* A copy of its own, so reading past it is caught by the sanitizer. */
    uint8_t *buffer = malloc(len ? (size_t)len : 1);
    if (buffer == NULL)
        abort();
    if (len)
        memcpy(buffer, in.p, (size_t)len);

    csend_socket *s = closed ? closed_sock : open_sock;
    csend_error err;
    if (csend_set_blocking(open_sock, !non_blocking, &err) != 0)
        abort();
    expected want = predict(closed, null_buffer, len, offset, size, flags);
    int64_t r = csend_send(s, null_buffer ? NULL : buffer, len, offset, size, flags, &err);

    if (want.kind == CSEND_OK && non_blocking && r == -1 && size > 0 &&
        err.socket_error == CSEND_SOCKET_ERROR_WOULD_BLOCK) {
        /* allowed: nothing could be sent at once */
    } else if (want.kind == CSEND_OK) {
        if (non_blocking && r >= 0 && r < size)
            size = r; /* a partial count is allowed: exactly that arrives */
        if (r != size) {
            fprintf(stderr, "send(len=%lld, offset=%lld, size=%lld, flags=%lld) = %lld: %s\n",
                    (long long)len, (long long)offset, (long long)size, (long long)flags,
                    (long long)r, err.message);
            abort();
        }
        uint8_t *got = malloc((size_t)size + 1);
        size_t m = read_available(got, (size_t)size, 2000);
        if (m != (size_t)size || memcmp(got, buffer + offset, (size_t)size) != 0) {
            fprintf(stderr, "peer got %zu of %lld bytes, or other bytes\n", m, (long long)size);
            abort();
        }
        free(got);
        bytes_checked += size;
    } else {
        if (r != -1 || err.kind != want.kind ||
            (want.param && (err.param_name == NULL || strcmp(err.param_name, want.param) != 0)) ||
            (want.kind == CSEND_ERR_SOCKET && err.socket_error != want.socket_error)) {
            fprintf(stderr,
                    "send(len=%lld, offset=%lld, size=%lld, flags=%lld, closed=%d, null=%d) = "
                    "%lld, kind %d param %s code %d; expected kind %d param %s code %d\n",
                    (long long)len, (long long)offset, (long long)size, (long long)flags, closed,
                    null_buffer, (long long)r, err.kind, err.param_name ? err.param_name : "-",
                    err.socket_error, want.kind, want.param ? want.param : "-",
                    want.socket_error);
            abort();
        }
        uint8_t spill[64];
        if (read_available(spill, sizeof spill, 0) != 0) {
            fprintf(stderr, "bytes arrived although send raised\n");
            abort();
        }
    }
    outcomes[want.kind]++;
    free(buffer);
    return 0;
}
