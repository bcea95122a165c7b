/* The socket object: lifecycle, the operation guard and the properties. */
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stddef.h>
#include <sys/un.h>
#include <stdlib.h>
#include <string.h>
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

/* Whether fd has a local address of its own: a port for IP, a name for a
 * Unix-domain socket.  An unbound socket reads back the wildcard and port 0,
 * or an unnamed Unix address. */
int csend__is_listening(int fd)
{
    int listening = 0;
    socklen_t len = sizeof listening;
    return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 && listening;
}

int csend__has_address(int fd)
{
    struct sockaddr_storage local;
    socklen_t len = sizeof local;
    if (getsockname(fd, (struct sockaddr *)&local, &len) < 0)
        return 0;
    switch (local.ss_family) {
    case AF_INET: return ((struct sockaddr_in *)&local)->sin_port != 0;
    case AF_INET6: return ((struct sockaddr_in6 *)&local)->sin6_port != 0;
    case AF_UNIX: return len > offsetof(struct sockaddr_un, sun_path);
    default: return 1;
    }
}

/* A socket object for fd, or NULL (OutOfMemory) with fd left open: who
 * closes it is the caller's rule (csend.h). */
static csend_socket *wrap(int fd, int family, int protocol, csend_error *err)
{
    int type = 0;
    socklen_t len = sizeof type;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0) {
        csend__socket_errno(err, errno, 0);
        return NULL;
    }
    csend_socket *s = calloc(1, sizeof *s);
    if (s == NULL) {
        csend__out_of_memory(err);
        return NULL;
    }
    atomic_init(&s->fd, fd);
    atomic_init(&s->refs, 1);
    atomic_init(&s->holds, 2);
    atomic_init(&s->waiting, 0);
    atomic_init(&s->closed, false);
    atomic_init(&s->shutdown_send, false);
    int fl = fcntl(fd, F_GETFL);
    atomic_init(&s->blocking, fl < 0 || !(fl & O_NONBLOCK));
    s->owns_mode = false; /* csend_socket_open and csend_accept say otherwise */
    atomic_init(&s->send_timeout_ms, 0);
    atomic_init(&s->receive_timeout_ms, 0);
    s->family = family;
    /* SO_TYPE is the kind alone: SOCK_NONBLOCK and SOCK_CLOEXEC given to
     * socket(2) are not part of it. */
    s->type = type;
    s->protocol = protocol;
    struct sockaddr_storage peer;
    len = sizeof peer;
    int has_peer = getpeername(fd, (struct sockaddr *)&peer, &len) == 0;
    atomic_init(&s->connected, has_peer);
    atomic_init(&s->was_connected, has_peer);
    atomic_init(&s->connect_pending, false);
    atomic_init(&s->bound, has_peer || csend__has_address(fd));
    s->bound_path = NULL;
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
    int kind = (int)type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (protocol == CSEND_PROTO_UNSPECIFIED && af != AF_UNIX)
        protocol = kind == CSEND_SOCK_STREAM ? CSEND_PROTO_TCP
                 : kind == CSEND_SOCK_DGRAM ? CSEND_PROTO_UDP : protocol;
    csend_socket *s = wrap(fd, dotnet_family(af), (int)protocol, err);
    if (s == NULL)
        close(fd); /* ours: never returned */
    else
        s->owns_mode = true;
    return s;
}

csend_socket *csend_socket_from_fd(int64_t handle, csend_error *err)
{
    CSEND_ERR(err);
    if (csend__check_range(err, "fd", handle, 0, INT32_MAX) < 0)
        return NULL;
    int fd = (int)handle;
    int protocol = 0;
    socklen_t len = sizeof protocol;
    if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len) < 0 && errno != ENOPROTOOPT) {
        csend__socket_errno(err, errno, 0);
        return NULL;
    }
    struct sockaddr_storage local;
    len = sizeof local;
    if (getsockname(fd, (struct sockaddr *)&local, &len) < 0) {
        csend__socket_errno(err, errno, 0);
        return NULL;
    }
    return wrap(fd, dotnet_family(local.ss_family), protocol, err);
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

/* Drops one hold on the memory; the last one frees it. */
static void unhold(csend_socket *s)
{
    if (atomic_fetch_sub(&s->holds, 1) == 1)
        free(s);
}

/* The last reference releases the descriptor, never earlier: a send in
 * flight can never reach a descriptor number the OS has handed out again.
 * The descriptor's hold on the memory goes with it, once (the last thing
 * this thread touches). */
void csend__release_slow(csend_socket *s)
{
    int fd = atomic_exchange(&s->fd, -1);
    if (fd < 0)
        return; /* a late csend__enter took and dropped a reference again */
    close(fd);
    if (s->bound_path != NULL) {
        /* As .NET: the socket file of a path this socket bound goes with
         * it, so the path can be bound again. */
        unlink(s->bound_path);
        free(s->bound_path);
        s->bound_path = NULL;
    }
    unhold(s);
}

/* Wakes the operations waiting on s, as .NET's SafeSocketHandle does before
 * it closes (TryUnblockSocket): a stream socket not shut down for sending is
 * disconnected, so the peer sees a reset and never mistakes an aborted
 * transfer for a complete one; anything else is shut down both ways. */
static void wake_waiters(csend_socket *s, int fd)
{
    /* A listener has no peer, and disconnecting it wakes only one of the
     * threads blocked in accept: a shutdown wakes them all. */
    if (s->type == SOCK_STREAM && !csend__is_listening(fd) && !atomic_load(&s->shutdown_send)) {
        struct sockaddr unspec;
        memset(&unspec, 0, sizeof unspec);
        unspec.sa_family = AF_UNSPEC;
        if (connect(fd, &unspec, sizeof unspec) == 0)
            return;
        /* A Unix-domain stream cannot be disconnected: shut it down. */
    }
    shutdown(fd, SHUT_RDWR);
}

void csend_close(csend_socket *s)
{
    if (s == NULL || atomic_exchange(&s->closed, true))
        return;
    atomic_store(&s->connected, false);
    /* An operation counts itself in `waiting` before it may wait, then
     * checks `closed`; here the order is the reverse, so either it sees the
     * close or this sees it.  Operations that cannot wait (getters, bind)
     * are left alone: an ordinary close. */
    if (atomic_load(&s->waiting) > 0) {
        int fd = atomic_load(&s->fd);
        if (fd >= 0)
            wake_waiters(s, fd);
    }
    csend__leave(s); /* the reference Open took */
}

void csend_socket_free(csend_socket *s)
{
    if (s == NULL)
        return;
    csend_close(s);
    unhold(s);
}

void csend_socket_set_hooks(csend_socket *s, const csend_hooks *hooks)
{
    if (s != NULL)
        s->hooks = hooks;
}

void csend_socket_set_context(csend_socket *s, void *context)
{
    if (s != NULL)
        s->context = context;
}

/* ---- calls that never wait ---- */

/* A path in the file system (not the abstract namespace) that bind made. */
static void remember_path(csend_socket *s, const csend_endpoint *local)
{
    const struct sockaddr_un *un = (const struct sockaddr_un *)&local->addr;
    size_t off = offsetof(struct sockaddr_un, sun_path);
    if (un->sun_family != AF_UNIX || local->len <= off || un->sun_path[0] == '\0' ||
        s->bound_path != NULL)
        return;
    s->bound_path = strndup(un->sun_path, local->len - off);
}

int csend_bind(csend_socket *s, const csend_endpoint *local, csend_error *err)
{
    CSEND_ERR(err);
    if (csend__enter(s, err) < 0)
        return -1;
    int rc = -1;
    if (local == NULL)
        csend__argument_null(err, "localEP");
    else if ((rc = bind(atomic_load(&s->fd), (const struct sockaddr *)&local->addr,
                        local->len)) < 0)
        csend__socket_errno(err, errno, 0);
    else {
        atomic_store(&s->bound, true);
        remember_path(s, local);
    }
    csend__leave(s);
    return rc;
}

int csend_listen(csend_socket *s, int64_t backlog, csend_error *err)
{
    CSEND_ERR(err);
    if (csend__enter(s, err) < 0)
        return -1;
    int rc = -1;
    if (csend__check_range(err, "backlog", backlog, 0, INT32_MAX) == 0 &&
        (rc = listen(atomic_load(&s->fd), (int)backlog)) < 0)
        csend__socket_errno(err, errno, 0);
    csend__leave(s);
    return rc;
}

int csend_shutdown(csend_socket *s, int64_t how, csend_error *err)
{
    CSEND_ERR(err);
    if (csend__enter(s, err) < 0)
        return -1;
    int rc = -1;
    if (csend__check_range(err, "how", how, CSEND_SHUTDOWN_RECEIVE, CSEND_SHUTDOWN_BOTH) == 0) {
        rc = shutdown(atomic_load(&s->fd), (int)how);
        if (rc < 0 && errno == ENOTCONN && atomic_load(&s->was_connected))
            rc = 0; /* as .NET: the connection it had has since closed */
        if (rc < 0)
            csend__socket_errno(err, errno, 0);
        else if (how != CSEND_SHUTDOWN_RECEIVE)
            atomic_store(&s->shutdown_send, true); /* a later close is graceful */
    }
    csend__leave(s);
    return rc;
}

/* ---- properties ---- */

int csend_get_blocking(csend_socket *s, csend_error *err)
{
    CSEND_ERR(err);
    /* As .NET: the mode asked for, readable even after Dispose. */
    if (s == NULL) {
        csend__argument_null(err, "socket");
        return -1;
    }
    return csend__blocking(s);
}

int csend_set_blocking(csend_socket *s, int blocking, csend_error *err)
{
    CSEND_ERR(err);
    if (csend__enter(s, err) < 0)
        return -1;
    int rc = 0;
    if (s->owns_mode) {
        /* Only a descriptor csend made: O_NONBLOCK belongs to the open file
         * description, which an adopted descriptor shares with its original
         * (a stdlib socket, a LuaSocket object) — there the mode is csend's
         * alone, and the driver waits with poll (contract §3). */
        int fd = atomic_load(&s->fd);
        int fl = fcntl(fd, F_GETFL);
        rc = -1;
        if (fl >= 0) {
            /* Once a connect or accept waited for its caller, the descriptor
             * stays non-blocking (csend_nonblocking_underneath): blocking
             * is then csend's own mode, kept with poll. */
            fl = blocking && !atomic_load(&s->async_mode) ? fl & ~O_NONBLOCK : fl | O_NONBLOCK;
            rc = fcntl(fd, F_SETFL, fl);
        }
    }
    if (rc < 0)
        csend__socket_errno(err, errno, 0);
    else
        atomic_store(&s->blocking, blocking != 0);
    csend__leave(s);
    return rc < 0 ? -1 : 0;
}

/* SendTimeout and ReceiveTimeout: disposed first, then the range; -1 is
 * stored (and read back) as 0, infinite. */
static int set_timeout(csend_socket *s, _Atomic int64_t *slot, int64_t ms, csend_error *err)
{
    if (csend__enter(s, err) < 0)
        return -1;
    int rc = csend__check_range(err, "value", ms, -1, INT32_MAX);
    if (rc == 0)
        atomic_store(slot, ms == -1 ? 0 : ms);
    csend__leave(s);
    return rc;
}

static int64_t get_timeout(csend_socket *s, _Atomic int64_t *slot, csend_error *err)
{
    if (csend__enter(s, err) < 0)
        return -1;
    int64_t ms = atomic_load(slot);
    csend__leave(s);
    return ms;
}

int64_t csend_get_send_timeout(csend_socket *s, csend_error *err)
{
    CSEND_ERR(err);
    return get_timeout(s, s ? &s->send_timeout_ms : NULL, err);
}

int csend_set_send_timeout(csend_socket *s, int64_t ms, csend_error *err)
{
    CSEND_ERR(err);
    return set_timeout(s, s ? &s->send_timeout_ms : NULL, ms, err);
}

int64_t csend_get_receive_timeout(csend_socket *s, csend_error *err)
{
    CSEND_ERR(err);
    return get_timeout(s, s ? &s->receive_timeout_ms : NULL, err);
}

int csend_set_receive_timeout(csend_socket *s, int64_t ms, csend_error *err)
{
    CSEND_ERR(err);
    return set_timeout(s, s ? &s->receive_timeout_ms : NULL, ms, err);
}

int64_t csend_get_available(csend_socket *s, csend_error *err)
{
    CSEND_ERR(err);
    if (csend__enter(s, err) < 0)
        return -1;
    int n = 0;
    int rc = ioctl(atomic_load(&s->fd), FIONREAD, &n);
    if (rc < 0)
        csend__socket_errno(err, errno, 0);
    csend__leave(s);
    return rc < 0 ? -1 : n;
}

int csend_get_connected(csend_socket *s)
{
    if (s == NULL)
        return 0;
    /* After a non-blocking Connect, as .NET: connected once the handshake
     * has completed. */
    csend_error ignored;
    if (atomic_load(&s->connect_pending) && csend__enter(s, &ignored) == 0) {
        int fd = atomic_load(&s->fd);
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        if (poll(&p, 1, 0) == 1) {
            /* Finished, one way or the other: a peer says which (SO_ERROR
             * may have been read, and cleared, by the Error option). */
            struct sockaddr_storage peer;
            socklen_t len = sizeof peer;
            atomic_store(&s->connect_pending, false);
            if (getpeername(fd, (struct sockaddr *)&peer, &len) == 0) {
                atomic_store(&s->connected, true);
                atomic_store(&s->was_connected, true);
                atomic_store(&s->bound, true);
            }
        }
        csend__leave(s);
    }
    return atomic_load(&s->connected);
}

int csend_get_no_delay(csend_socket *s, csend_error *err)
{
    CSEND_ERR(err);
    if (csend__enter(s, err) < 0)
        return -1;
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
    if (csend__enter(s, err) < 0)
        return -1;
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
    if (csend__enter(s, err) < 0)
        return -1;
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
    if (endpoint_of(s, getsockname, 0, ep, err) < 0)
        return -1;
    /* As .NET: null until the socket is bound (a Connect still in progress
     * counts once it has completed). */
    if (!atomic_load(&s->bound)) {
        csend_get_connected(s);
        /* An adopted descriptor is shared: its original may have bound it
         * since.  (csend's own sockets keep .NET's rule: a failed SendTo
         * the kernel bound anyway still reads null.) */
        if (!s->owns_mode && csend__has_address(atomic_load(&s->fd)))
            atomic_store(&s->bound, true);
        if (!atomic_load(&s->bound))
            ep->len = 0;
    }
    return 0;
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
