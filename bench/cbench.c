/* The C contenders: `raw` is a plain send() loop (the physical limit of this
 * machine), `core` the same loop through csend_send.
 * Usage: csend_cbench raw|core tcp|unix ADDRESS SIZE N
 * Prints the nanoseconds the N sends took; exits 3 when the sink did not
 * receive exactly N x SIZE bytes. */
#include "common.h"

#include <time.h>

#include "csend.h"

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void raw_send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            bench_die("raw send");
        }
        p += k;
        n -= (size_t)k;
    }
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s raw|core tcp|unix ADDRESS SIZE N\n", argv[0]);
        return 2;
    }
    int core = strcmp(argv[1], "core") == 0;
    size_t size = strtoull(argv[4], NULL, 10);
    long n = strtol(argv[5], NULL, 10);
    struct sockaddr_storage ss;
    socklen_t len = bench_address(argv[2], argv[3], &ss);
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0)
        bench_die("connect");
    char *buf = malloc(size ? size : 1);
    memset(buf, 'x', size);
    csend_error err;
    csend_socket *s = core ? csend_socket_from_fd(fd, &err) : NULL;

    int64_t t0 = now_ns();
    if (core) {
        for (long i = 0; i < n; i++)
            if (csend_send(s, buf, (int64_t)size, 0, (int64_t)size, 0, &err) < 0) {
                fprintf(stderr, "csend_send: %s\n", err.message);
                return 2;
            }
    } else {
        for (long i = 0; i < n; i++)
            raw_send_all(fd, buf, size);
    }
    int64_t elapsed = now_ns() - t0;

    shutdown(fd, SHUT_WR);
    unsigned char le[8];
    size_t got = 0;
    while (got < sizeof le) {
        ssize_t k = read(fd, le + got, sizeof le - got);
        if (k <= 0)
            bench_die("read count");
        got += (size_t)k;
    }
    uint64_t total = 0;
    for (int i = 7; i >= 0; i--)
        total = total << 8 | le[i];
    if (total != (uint64_t)n * size) {
        fprintf(stderr, "sink received %llu bytes, expected %llu\n", (unsigned long long)total,
                (unsigned long long)((uint64_t)n * size));
        return 3;
    }
    printf("%lld\n", (long long)elapsed);
    if (core)
        csend_socket_free(s);
    else
        close(fd);
    free(buf);
    return 0;
}
