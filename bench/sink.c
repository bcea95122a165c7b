/* The receiver every contender sends to: reads and discards, then answers
 * each connection with the count it received (8 bytes, little-endian) so the
 * sender can check that exactly n x size bytes arrived.
 * Usage: csend_sink tcp|unix PATH   (prints the port or path, one line) */
#include "common.h"

#include <signal.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    signal(SIGPIPE, SIG_IGN);
    int unix_domain = strcmp(argv[1], "unix") == 0;
    struct sockaddr_storage ss;
    socklen_t len = bench_address(argv[1], unix_domain ? argv[2] : "0", &ss);
    int l = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (unix_domain)
        unlink(argv[2]);
    if (l < 0 || bind(l, (struct sockaddr *)&ss, len) < 0 || listen(l, 16) < 0)
        bench_die("sink: listen");
    if (unix_domain) {
        printf("%s\n", argv[2]);
    } else {
        struct sockaddr_in in;
        socklen_t n = sizeof in;
        getsockname(l, (struct sockaddr *)&in, &n);
        printf("%d\n", ntohs(in.sin_port));
    }
    fflush(stdout);
    static char buf[1 << 20];
    for (;;) {
        int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) {
            if (errno == EINTR)
                continue;
            bench_die("sink: accept");
        }
        uint64_t total = 0;
        for (;;) {
            ssize_t n = read(c, buf, sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            total += (uint64_t)n;
        }
        unsigned char le[8];
        for (int i = 0; i < 8; i++)
            le[i] = (unsigned char)(total >> (8 * i));
        if (write(c, le, sizeof le) != (ssize_t)sizeof le)
            perror("sink: write");
        close(c);
    }
}
