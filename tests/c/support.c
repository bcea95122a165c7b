#define _GNU_SOURCE
#include "support.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

void tcp_pair(csend_socket **sender, int *peer)
{
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(lfd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(lfd, 1), 0);
    assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &len), 0);

    csend_error err;
    csend_socket *s = csend_socket_open(CSEND_AF_INTER_NETWORK, CSEND_SOCK_STREAM,
                                        CSEND_PROTO_TCP, &err);
    assert_non_null(s);
    csend_endpoint ep;
    assert_int_equal(csend_endpoint_from_host(CSEND_AF_INTER_NETWORK, "127.0.0.1",
                                              ntohs(a.sin_port), &ep, &err), 0);
    assert_int_equal(csend_connect(s, &ep, &err), 0);
    *peer = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    assert_true(*peer >= 0);
    int on = 1;
    setsockopt(*peer, SOL_SOCKET, SO_OOBINLINE, &on, sizeof on);
    close(lfd);
    *sender = s;
}

void unix_pair(csend_socket **sender, int *peer)
{
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    csend_error err;
    *sender = csend_socket_from_fd(sv[0], &err);
    assert_non_null(*sender);
    *peer = sv[1];
}

int udp_receiver(csend_endpoint *where)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    where->len = sizeof where->addr;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&where->addr, &where->len), 0);
    return fd;
}

void small_buffers(int fd)
{
    int size = 4096;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
}

uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

int64_t drain(int fd, int quiet_ms, uint64_t *hash)
{
    static char buf[1 << 16];
    int64_t total = 0;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, quiet_ms) <= 0)
            return total;
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (n <= 0)
            return total;
        if (hash)
            *hash = fnv1a(*hash, buf, (size_t)n);
        total += n;
    }
}

void *read_all(void *arg)
{
    reader *r = arg;
    size_t cap = r->slow ? 64 * 1024 : 256 * 1024;
    char *buf = malloc(cap);
    assert_non_null(buf);
    r->hash = FNV_SEED;
    for (int chunks = 0;;) {
        ssize_t n = recv(r->fd, buf, cap, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        r->hash = fnv1a(r->hash, buf, (size_t)n);
        r->total += n;
        if (r->slow && ++chunks % 64 == 0)
            usleep(1000);
    }
    free(buf);
    return NULL;
}

void read_exactly(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        assert_true(poll(&p, 1, 5000) > 0);
        ssize_t r = recv(fd, (char *)buf + got, n - got, 0);
        assert_true(r > 0);
        got += (size_t)r;
    }
}

int64_t elapsed_ms(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)(now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}
