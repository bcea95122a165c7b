/* Endpoints: host and port (or a Unix path) <-> an OS address. */
#define _GNU_SOURCE
#include "internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

int csend_endpoint_from_host(int family, const char *host, int64_t port, csend_endpoint *ep,
                             csend_error *err)
{
    CSEND_ERR(err);
    if (ep == NULL) {
        csend__argument_null(err, "ep");
        return -1;
    }
    if (host == NULL) {
        csend__argument_null(err, "host");
        return -1;
    }
    if (csend__check_range(err, "port", port, 0, 65535) < 0)
        return -1;
    memset(ep, 0, sizeof *ep);
    int v6 = family == CSEND_AF_INTER_NETWORK_V6 || family == AF_INET6;
    if (family != CSEND_AF_INTER_NETWORK && !v6) {
        csend__socket_errno(err, EAFNOSUPPORT, 0);
        return -1;
    }
    /* Numeric addresses first: no resolver call on the common path. */
    if (!v6) {
        struct sockaddr_in *in = (struct sockaddr_in *)&ep->addr;
        if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
            in->sin_family = AF_INET;
            in->sin_port = htons((uint16_t)port);
            ep->len = sizeof *in;
            return 0;
        }
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ep->addr;
        struct in_addr v4;
        if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
            in6->sin6_family = AF_INET6;
            in6->sin6_port = htons((uint16_t)port);
            ep->len = sizeof *in6;
            return 0;
        }
        if (inet_pton(AF_INET, host, &v4) == 1) {
            /* As .NET on an IPv6 socket: an IPv4 address is its IPv4-mapped
             * form (reached when the socket is dual mode; refused by the
             * kernel when it is IPv6-only). */
            in6->sin6_family = AF_INET6;
            in6->sin6_port = htons((uint16_t)port);
            in6->sin6_addr.s6_addr[10] = 0xff;
            in6->sin6_addr.s6_addr[11] = 0xff;
            memcpy(&in6->sin6_addr.s6_addr[12], &v4, 4);
            ep->len = sizeof *in6;
            return 0;
        }
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = v6 ? AF_INET6 : AF_INET;
    int rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0 || res == NULL) {
        int code = rc == EAI_AGAIN ? CSEND_SOCKET_ERROR_TRY_AGAIN
                 : rc == EAI_FAIL ? CSEND_SOCKET_ERROR_NO_RECOVERY
                 : rc == EAI_SYSTEM ? csend_socket_error_from_errno(errno)
                                    : CSEND_SOCKET_ERROR_HOST_NOT_FOUND;
        /* The native code is the resolver's own (EAI_NONAME is -2), as
         * .NET keeps it in NativeErrorCode; EAI_SYSTEM's is the errno. */
        int saved = errno;
        int native = rc == EAI_SYSTEM ? saved : rc != 0 ? rc : EAI_NONAME;
        csend__socket_error(err, code, 0, 0);
        err->native_error = native;
        snprintf(err->message, sizeof err->message, "%s",
                 rc == EAI_SYSTEM ? strerror(saved) : gai_strerror(rc != 0 ? rc : EAI_NONAME));
        if (res)
            freeaddrinfo(res);
        return -1;
    }
    memcpy(&ep->addr, res->ai_addr, res->ai_addrlen);
    ep->len = res->ai_addrlen;
    freeaddrinfo(res);
    if (v6)
        ((struct sockaddr_in6 *)&ep->addr)->sin6_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in *)&ep->addr)->sin_port = htons((uint16_t)port);
    return 0;
}

int csend_endpoint_for_socket(csend_socket *s, const char *host, int64_t port,
                              csend_endpoint *ep, csend_error *err)
{
    CSEND_ERR(err);
    /* Disposed first, as every method: a closed socket never resolves. */
    if (csend__enter(s, err) < 0)
        return -1;
    int rc = s->family == CSEND_AF_UNIX ? csend_endpoint_from_path(host, ep, err)
                                        : csend_endpoint_from_host(s->family, host, port, ep, err);
    csend__leave(s);
    return rc;
}

int csend_endpoint_from_path(const char *path, csend_endpoint *ep, csend_error *err)
{
    CSEND_ERR(err);
    if (ep == NULL) {
        csend__argument_null(err, "ep");
        return -1;
    }
    if (path == NULL) {
        csend__argument_null(err, "path");
        return -1;
    }
    struct sockaddr_un *un = (struct sockaddr_un *)&ep->addr;
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof un->sun_path) {
        /* As .NET's UnixDomainSocketEndPoint: 1 to sizeof(sun_path) - 1
         * bytes, room left for the terminating NUL. */
        char what[96];
        snprintf(what, sizeof what,
                 "The path is %zu bytes long; a Unix-domain path must be 1 to %zu bytes.", n,
                 sizeof un->sun_path - 1);
        csend__out_of_range_message(err, "path", (int64_t)n, what);
        return -1;
    }
    memset(ep, 0, sizeof *ep);
    un->sun_family = AF_UNIX;
    memcpy(un->sun_path, path, n);
    ep->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
    return 0;
}

int csend_endpoint_format(const csend_endpoint *ep, char *host, size_t host_len, int *port)
{
    if (ep == NULL || host == NULL || port == NULL || ep->len == 0 || host_len == 0)
        return -1;
    const struct sockaddr *sa = (const struct sockaddr *)&ep->addr;
    *port = 0;
    host[0] = '\0';
    switch (sa->sa_family) {
    case AF_INET: {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, host, (socklen_t)host_len);
        *port = ntohs(in->sin_port);
        return CSEND_AF_INTER_NETWORK;
    }
    case AF_INET6: {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, (socklen_t)host_len);
        *port = ntohs(in6->sin6_port);
        return CSEND_AF_INTER_NETWORK_V6;
    }
    case AF_UNIX: {
        const struct sockaddr_un *un = (const struct sockaddr_un *)sa;
        size_t n = ep->len > offsetof(struct sockaddr_un, sun_path)
                       ? ep->len - offsetof(struct sockaddr_un, sun_path) : 0;
        n = strnlen(un->sun_path, n);
        if (n >= host_len)
            n = host_len - 1;
        memcpy(host, un->sun_path, n);
        host[n] = '\0';
        return CSEND_AF_UNIX;
    }
    default:
        return -1;
    }
}
