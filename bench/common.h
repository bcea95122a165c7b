/* What the sink and the C contenders share: addresses and the count check. */
#ifndef CSEND_BENCH_COMMON_H
#define CSEND_BENCH_COMMON_H

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* "tcp" with a port, or "unix" with a path: the address as the OS wants it. */
static inline socklen_t bench_address(const char *transport, const char *where,
                                      struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (strcmp(transport, "unix") == 0) {
        struct sockaddr_un *un = (struct sockaddr_un *)ss;
        un->sun_family = AF_UNIX;
        snprintf(un->sun_path, sizeof un->sun_path, "%s", where);
        return sizeof *un;
    }
    struct sockaddr_in *in = (struct sockaddr_in *)ss;
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    in->sin_port = htons((uint16_t)atoi(where));
    return sizeof *in;
}

static inline void bench_die(const char *what)
{
    perror(what);
    exit(2);
}

#endif
