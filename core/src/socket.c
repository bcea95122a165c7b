/* The socket object: lifecycle, the operation guard and the properties. */
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int native_family(int family)
{
    switch (family) {
    case CSEND_AF_UNIX: return AF_UNIX;
    case CSEND_AF_INTER_NETWORK: return AF_INET;
    case CSEND_AF_INTER_NETWORK_V6: return AF_INET6;
    case AF_INET6: return AF_INET6;
    default: return -1;
    }
}

static int dotnet_family(int native)
{
    switch (native) {
    case AF_UNIX: return CSEND_AF_UNIX;
    case AF_INET: return CSEND_AF_INTER_NETWORK;
    case AF_INET6: return CSEND_AF_INTER_NETWORK_V6;
    default: return native;
    }
}

static csend_socket *wrap(int fd, int family, int type, int protocol, csend_error *err)
{
    csend_socket *s = calloc(1, sizeof *s);
    if (s == NULL) {
        close(fd);
        csend__out_of_memory(err);
        return NULL;
    }
    atomic_init(&s->fd, fd);
    atomic_init(&s->refs, 1);
    atomic_init(&s->closed, false);
    int fl = fcntl(fd, F_GETFL);
    s->blocking = fl < 0 || !(fl & O_NONBLOCK);
    s->family = family;
    s->type = type;
    s->protocol = protocol;
    struct sockaddr_storage peer;
    socklen_t len = sizeof peer;
    atomic_init(&s->connected, getpeername(fd, (struct sockaddr *)&peer, &len) == 0);
    return s;
}

csend_socket *csend_socket_open(int64_t family, int64_t type, int64_t protocol,
                                csend_error *err)
{
    CSEND_ERR(err);
    /* The enums are 32-bit: a wider value is out of range, never wrapped. */
    if (csend__check_range(err, "addressFamily", family, INT32_MIN, INT32_MAX) < 0 ||
        csend__check_range(err, "socketType", type, INT32_MIN, INT32_MAX) < 0 ||
        csend__check_range(err, "protocolType", protocol, INT32_MIN, INT32_MAX) < 0)
        return NULL;
    int af = native_family((int)family);
    if (af < 0) {
        csend__socket_errno(err, EAFNOSUPPORT, 0);
        return NULL;
    }
    int fd = socket(af, (int)type | SOCK_CLOEXEC, (int)protocol);
    if (fd < 0) {
        csend__socket_errno(err, errno, 0);
        return NULL;
    }
    if (protocol == CSEND_PROTO_UNSPECIFIED && af != AF_UNIX)
        protocol = type == CSEND_SOCK_STREAM ? CSEND_PROTO_TCP
                 : type == CSEND_SOCK_DGRAM ? CSEND_PROTO_UDP : protocol;
    return wrap(fd, dotnet_family(af), type, protocol, err);
}

csend_socket *csend_socket_from_fd(int64_t handle, csend_error *err)
{
    CSEND_ERR(err);
    if (csend__check_range(err, "fd", handle, 0, INT32_MAX) < 0)
        return NULL;
    int fd = (int)handle;
    int type = 0, protocol = 0;
    socklen_t len = sizeof type;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0) {
        csend__socket_errno(err, errno, 0);
        return NULL;
    }
    len = sizeof protocol;
    if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len) < 0)
        protocol = 0;
    struct sockaddr_storage local;
    len = sizeof local;
    if (getsockname(fd, (struct sockaddr *)&local, &len) < 0) {
        csend__socket_errno(err, errno, 0);
        return NULL;
    }
    return wrap(fd, dotnet_family(local.ss_family), type, protocol, err);
}

int csend_dup_fd(int64_t fd, csend_error *err)
{
    CSEND_ERR(err);
    if (csend__check_range(err, "fd", fd, 0, INT32_MAX) < 0)
        return -1;
    int copy = fcntl((int)fd, F_DUPFD_CLOEXEC, 0);
    if (copy < 0)
        csend__socket_errno(err, errno, 0);
    return copy;
}

/* The last reference releases the descriptor, never earlier: a send in
 * flight can never reach a descriptor number the OS has handed out again. */
void csend__release_slow(csend_socket *s)
{
    int fd = atomic_exchange(&s->fd, -1);
    if (fd >= 0)
        close(fd);
}

void csend_close(csend_socket *s)
{
    if (s == NULL || atomic_exchange(&s->closed, true))
        return;
    atomic_store(&s->connected, false);
    /* Operations in flight hold references: shutdown wakes a send or
     * receive blocked in the kernel or in poll, as SafeSocketHandle does. */
    if (atomic_load(&s->refs) > 1) {
        int fd = atomic_load(&s->fd);
        if (fd >= 0)
            shutdown(fd, SHUT_RDWR);
    }
    csend__leave(s); /* the reference Open took */
}

void csend_socket_free(csend_socket *s)
{
    if (s == NULL)
        return;
    csend_close(s);
    free(s);
}

void csend_socket_set_hooks(csend_socket *s, const csend_hooks *hooks)
{
    if (s != NULL)
        s->hooks = hooks;
}

/* ---- properties ---- */

#define ENTER_OR_FAIL(s, err) \
    if (csend__enter((s), (err)) < 0) \
        return -1

int csend_get_blocking(csend_socket *s, csend_error *err)
{
    CSEND_ERR(err);
    ENTER_OR_FAIL(s, err);
    int blocking = s->blocking;
    csend__leave(s);
    return blocking;
}

int csend_set_blocking(csend_socket *s, int blocking, csend_error *err)
{
    CSEND_ERR(err);
    ENTER_OR_FAIL(s, err);
    int fd = atomic_load(&s->fd);
    int fl = fcntl(fd, F_GETFL);
    int rc = -1;
    if (fl >= 0) {
        fl = blocking ? fl & ~O_NONBLOCK : fl | O_NONBLOCK;
        rc = fcntl(fd, F_SETFL, fl);
    }
    if (rc < 0)
        csend__socket_errno(err, errno, 0);
    else
        s->blocking = blocking != 0;
    csend__leave(s);
    return rc < 0 ? -1 : 0;
}

/* slot: where in *s the value goes (an offset: s may be NULL here). */
static int set_timeout(csend_socket *s, size_t slot, int64_t ms, csend_error *err)
{
    ENTER_OR_FAIL(s, err);
    csend__leave(s);
    if (csend__check_range(err, "value", ms, -1, INT32_MAX) < 0)
        return -1;
    *(int64_t *)((char *)s + slot) = ms == -1 ? 0 : ms;
    return 0;
}

int64_t csend_get_send_timeout(csend_socket *s, csend_error *err)
{
    CSEND_ERR(err);
    ENTER_OR_FAIL(s, err);
    csend__leave(s);
    return s->send_timeout_ms;
}

int csend_set_send_timeout(csend_socket *s, int64_t ms, csend_error *err)
{
    CSEND_ERR(err);
    return set_timeout(s, offsetof(csend_socket, send_timeout_ms), ms, err);
}

int64_t csend_get_receive_timeout(csend_socket *s, csend_error *err)
{
    CSEND_ERR(err);
    ENTER_OR_FAIL(s, err);
    csend__leave(s);
    return s->receive_timeout_ms;
}

int csend_set_receive_timeout(csend_socket *s, int64_t ms, csend_error *err)
{
    CSEND_ERR(err);
    return set_timeout(s, offsetof(csend_socket, receive_timeout_ms), ms, err);
}

int64_t csend_get_available(csend_socket *s, csend_error *err)
{
    CSEND_ERR(err);
    ENTER_OR_FAIL(s, err);
    int n = 0;
    int rc = ioctl(atomic_load(&s->fd), FIONREAD, &n);
    if (rc < 0)
        csend__socket_errno(err, errno, 0);
    csend__leave(s);
    return rc < 0 ? -1 : n;
}

int csend_get_connected(const csend_socket *s)
{
    return s != NULL && atomic_load(&s->connected);
}

int csend_get_no_delay(csend_socket *s, csend_error *err)
{
    CSEND_ERR(err);
    ENTER_OR_FAIL(s, err);
    int on = 0;
    socklen_t len = sizeof on;
    int rc = getsockopt(atomic_load(&s->fd), IPPROTO_TCP, TCP_NODELAY, &on, &len);
    if (rc < 0)
        csend__socket_errno(err, errno, 0);
    csend__leave(s);
    return rc < 0 ? -1 : on != 0;
}

int csend_set_no_delay(csend_socket *s, int on, csend_error *err)
{
    CSEND_ERR(err);
    ENTER_OR_FAIL(s, err);
    int v = on != 0;
    int rc = setsockopt(atomic_load(&s->fd), IPPROTO_TCP, TCP_NODELAY, &v, sizeof v);
    if (rc < 0)
        csend__socket_errno(err, errno, 0);
    csend__leave(s);
    return rc < 0 ? -1 : 0;
}

typedef int (*name_fn)(int, struct sockaddr *, socklen_t *);

static int endpoint_of(csend_socket *s, name_fn fn, int missing_ok, csend_endpoint *ep,
                       csend_error *err)
{
    ENTER_OR_FAIL(s, err);
    ep->len = sizeof ep->addr;
    int rc = fn(atomic_load(&s->fd), (struct sockaddr *)&ep->addr, &ep->len);
    if (rc < 0 && missing_ok && errno == ENOTCONN) {
        ep->len = 0;
        rc = 0;
    } else if (rc < 0) {
        csend__socket_errno(err, errno, 0);
    }
    csend__leave(s);
    return rc < 0 ? -1 : 0;
}

static int need_endpoint(csend_endpoint *ep, csend_error *err)
{
    if (ep != NULL)
        return 0;
    csend__argument_null(err, "ep");
    return -1;
}

int csend_get_local_endpoint(csend_socket *s, csend_endpoint *ep, csend_error *err)
{
    CSEND_ERR(err);
    if (need_endpoint(ep, err) < 0)
        return -1;
    return endpoint_of(s, getsockname, 0, ep, err);
}

int csend_get_remote_endpoint(csend_socket *s, csend_endpoint *ep, csend_error *err)
{
    CSEND_ERR(err);
    if (need_endpoint(ep, err) < 0)
        return -1;
    return endpoint_of(s, getpeername, 1, ep, err);
}

/* These plain getters answer for NULL as for a closed socket. */
int csend_get_fd(const csend_socket *s)
{
    return s == NULL || atomic_load(&s->closed) ? -1 : atomic_load(&s->fd);
}

int csend_is_closed(const csend_socket *s)
{
    return s == NULL || atomic_load(&s->closed);
}

int csend_get_family(const csend_socket *s) { return s ? s->family : -1; }
int csend_get_type(const csend_socket *s) { return s ? s->type : -1; }
int csend_get_protocol(const csend_socket *s) { return s ? s->protocol : -1; }
