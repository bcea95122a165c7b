/* One loop for every call that may block (retry on EINTR, wait until the
 * deadline, lend the runtime's lock); send, send_to, receive, accept and
 * connect each supply only their one system call. */
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* A first attempt this small runs without lending the runtime's lock: it
 * cannot block (MSG_DONTWAIT) and copies little. */
#define INLINE_MAX 16384

typedef struct call {
    csend_socket *s;
    int fd;
    int lent;            /* the runtime's lock is lent out: blocking is allowed */
    void *token;
    int64_t deadline_ns; /* 0: none */
} call;

/* One system call; dontwait asks it not to block. */
typedef ssize_t (*io_fn)(int fd, void *op, int dontwait);

enum { ABORTED = -2 }; /* a runtime hook asked to stop */

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void lend(call *c)
{
    if (!c->lent) {
        const csend_hooks *h = c->s->hooks;
        if (h != NULL)
            c->token = h->release();
        c->lent = 1;
    }
}

static void take_back(call *c)
{
    const csend_hooks *h = c->s->hooks;
    if (c->lent && h != NULL) {
        h->reacquire(c->token);
        c->lent = 0;
    }
}

/* lend_now: the call copies much or may wait at once (accept, connect). */
static void call_begin(call *c, csend_socket *s, int lend_now, int64_t timeout_ms)
{
    c->s = s;
    c->fd = atomic_load(&s->fd);
    c->token = NULL;
    /* Without hooks there is no lock to lend: a blocking call may go
     * straight to the kernel, one system call for the whole buffer. */
    c->lent = s->hooks == NULL;
    c->deadline_ns = timeout_ms > 0 ? now_ns() + timeout_ms * 1000000 : 0;
    if (lend_now)
        lend(c);
}

static void call_end(call *c)
{
    take_back(c);
}

/* After EINTR: the runtime runs its signal handlers; nonzero aborts. */
static int interrupted(call *c)
{
    const csend_hooks *h = c->s->hooks;
    if (h == NULL || h->check_interrupt == NULL)
        return 0;
    int was_lent = c->lent;
    take_back(c);
    if (h->check_interrupt())
        return 1;
    if (was_lent)
        lend(c);
    return 0;
}

/* Waits until fd is ready or the deadline passes: 0 ready, -1 with errno,
 * ABORTED. */
static int wait_ready(call *c, short events)
{
    for (;;) {
        int timeout = -1;
        if (c->deadline_ns) {
            int64_t left = c->deadline_ns - now_ns();
            if (left <= 0) {
                errno = ETIMEDOUT;
                return -1;
            }
            timeout = (int)((left + 999999) / 1000000);
        }
        struct pollfd p = {.fd = c->fd, .events = events};
        int rc = poll(&p, 1, timeout);
        if (rc > 0)
            return 0;
        if (rc < 0) {
            if (errno != EINTR || atomic_load(&c->s->closed))
                return -1; /* EINTR with the socket closed: Close woke the wait */
            if (interrupted(c))
                return ABORTED;
        }
    }
}

/* Runs fn until it succeeds, fails for good, or the deadline passes.
 * Returns its result, -1 with errno, or ABORTED. */
static ssize_t perform(call *c, short events, io_fn fn, void *op)
{
    for (;;) {
        int may_block = c->s->blocking && c->lent && c->deadline_ns == 0;
        ssize_t n = fn(c->fd, op, !may_block);
        if (n >= 0)
            return n;
        int e = errno;
        if (e == EINTR && !atomic_load(&c->s->closed)) {
            if (interrupted(c))
                return ABORTED;
            continue;
        }
        if ((e != EAGAIN && e != EWOULDBLOCK) || !c->s->blocking) {
            errno = e;
            return -1;
        }
        if (!c->lent) {
            lend(c); /* the inline attempt would block: now it may */
            continue;
        }
        int rc = wait_ready(c, events);
        if (rc != 0)
            return rc;
    }
}

static int is_stream(const csend_socket *s)
{
    return s->type == CSEND_SOCK_STREAM;
}

/* Fills err for a failed operation and updates Connected as .NET does. */
static void fail(csend_socket *s, ssize_t rc, int e, int64_t done, csend_error *err)
{
    if (rc == ABORTED) {
        csend__runtime_interrupt(err, done);
        return;
    }
    if (atomic_load(&s->closed))
        /* Closed under the call: as .NET, an abort on a stream socket and an
         * interruption on a datagram socket. */
        csend__socket_error(err,
                            is_stream(s) ? CSEND_SOCKET_ERROR_CONNECTION_ABORTED
                                         : CSEND_SOCKET_ERROR_INTERRUPTED,
                            e, done);
    else
        csend__socket_errno(err, e, done);
    int code = err->socket_error;
    if (code != CSEND_SOCKET_ERROR_WOULD_BLOCK && code != CSEND_SOCKET_ERROR_TIMED_OUT &&
        code != CSEND_SOCKET_ERROR_NO_BUFFER_SPACE_AVAILABLE)
        atomic_store(&s->connected, false);
}

/* A blocking send cut short (by a signal, most often) with more to go: the
 * runtime runs its handlers first (Ctrl-C must stop a long send); nonzero
 * if one of them aborts the call. */
static int stop_after_partial(call *c, int more)
{
    return more && c->s->blocking && c->lent && c->deadline_ns == 0 && interrupted(c);
}

/* ---- send, send_to ---- */

typedef struct out {
    const char *p;
    size_t len;
    int flags;
    const csend_endpoint *to;
} out;

static ssize_t do_send(int fd, void *op, int dontwait)
{
    out *o = op;
    int fl = o->flags | (dontwait ? MSG_DONTWAIT : 0);
    if (o->to != NULL)
        return sendto(fd, o->p, o->len, fl, (const struct sockaddr *)&o->to->addr, o->to->len);
    return send(fd, o->p, o->len, fl);
}

/* The loop over partial writes (SPEC §3): a blocking call hands over every
 * byte; a non-blocking call makes one attempt. */
static int64_t send_loop(csend_socket *s, const char *p, int64_t size, int flags,
                         const csend_endpoint *to, int64_t done, csend_error *err)
{
    int tracing = csend__trace_enabled();
    if (tracing)
        csend__trace_begin(s, "Send", size);
    call c;
    call_begin(&c, s, size - done > INLINE_MAX, s->send_timeout_ms);
    out o = {.p = p + done, .len = (size_t)(size - done), .flags = flags, .to = to};
    ssize_t n;
    int e = 0;
    do {
        n = perform(&c, POLLOUT, do_send, &o);
        if (n < 0) {
            e = errno;
            break;
        }
        done += n;
        o.p += n;
        o.len -= (size_t)n;
        if (stop_after_partial(&c, o.len > 0)) {
            n = ABORTED;
            break;
        }
    } while (o.len > 0 && s->blocking);
    call_end(&c);
    if (n < 0) {
        fail(s, n, e, done, err);
        if (tracing && n != ABORTED)
            csend__trace_error(s, "Send", err);
        return -1;
    }
    if (tracing)
        csend__trace_result(s, "Send", p, done);
    return done;
}

/* After a first attempt that did not finish: go on, or report its error. */
static int64_t send_rest(csend_socket *s, const char *p, int64_t size, int flags, ssize_t n,
                         int e, csend_error *err)
{
    if (n > 0)
        return send_loop(s, p, size, flags, NULL, n, err); /* cut short */
    if (!s->blocking || (e != EAGAIN && e != EWOULDBLOCK && e != EINTR)) {
        fail(s, -1, e, 0, err); /* never retried: ECONNRESET is reported once */
        return -1;
    }
    return send_loop(s, p, size, flags, NULL, 0, err);
}

int64_t csend_send(csend_socket *s, const void *buffer, int64_t buffer_len, int64_t offset,
                   int64_t size, int64_t flags, csend_error *err)
{
    CSEND_ERR(err);
    if (csend__enter(s, err) < 0)
        return -1;
    int64_t rc = -1;
    int os;
    if (csend__check_buffer(buffer, buffer_len, offset, size, err) == 0 &&
        (os = csend__send_flags(flags, err)) >= 0) {
        const char *p = (const char *)buffer + offset;
        if (!csend__trace_enabled() && s->send_timeout_ms == 0 &&
            (s->hooks == NULL || size <= INLINE_MAX)) {
            /* The common case in one system call, before any of the loop's
             * set-up: a blocking send without a runtime lock to lend goes
             * straight to the kernel; otherwise the attempt cannot block. */
            int may_block = s->blocking && s->hooks == NULL;
            ssize_t n = send(atomic_load_explicit(&s->fd, memory_order_relaxed), p,
                             (size_t)size, os | (may_block ? 0 : MSG_DONTWAIT));
            if (n == size || (n >= 0 && !s->blocking))
                rc = n;
            else
                rc = send_rest(s, p, size, os, n, errno, err);
        } else {
            rc = send_loop(s, p, size, os, NULL, 0, err);
        }
    }
    csend__leave(s);
    return rc;
}

int64_t csend_send_to(csend_socket *s, const void *buffer, int64_t buffer_len, int64_t offset,
                      int64_t size, int64_t flags, const csend_endpoint *remote,
                      csend_error *err)
{
    CSEND_ERR(err);
    if (csend__enter(s, err) < 0)
        return -1;
    int64_t rc = -1;
    int os = -1;
    if (csend__check_buffer(buffer, buffer_len, offset, size, err) == 0) {
        if (remote == NULL)
            csend__argument_null(err, "remoteEP");
        else if ((os = csend__send_flags(flags, err)) >= 0)
            rc = send_loop(s, (const char *)buffer + offset, size, os, remote, 0, err);
    }
    csend__leave(s);
    return rc;
}

/* ---- the gather form ---- */

typedef struct gather {
    struct iovec *iov;
    int iovcnt;
    int flags;
} gather;

static ssize_t do_sendmsg(int fd, void *op, int dontwait)
{
    gather *g = op;
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = g->iov;
    m.msg_iovlen = (size_t)(g->iovcnt < IOV_MAX ? g->iovcnt : IOV_MAX);
    return sendmsg(fd, &m, g->flags | (dontwait ? MSG_DONTWAIT : 0));
}

static int check_segments(const csend_segment *segments, int64_t count, csend_error *err)
{
    if (segments == NULL) {
        csend__argument_null(err, "buffers");
        return -1;
    }
    if (count <= 0) {
        csend__argument(err, "buffers",
                        "The parameter buffers must contain one or more elements.");
        return -1;
    }
    for (int64_t i = 0; i < count; i++)
        if (segments[i].base == NULL || segments[i].len < 0) {
            csend__argument_null(err, "buffers");
            return -1;
        }
    return 0;
}

static void advance(gather *g, size_t n)
{
    while (g->iovcnt > 0 && n >= g->iov->iov_len) {
        n -= g->iov->iov_len;
        g->iov++;
        g->iovcnt--;
    }
    if (n > 0) {
        g->iov->iov_base = (char *)g->iov->iov_base + n;
        g->iov->iov_len -= n;
    }
}

static int64_t gather_loop(csend_socket *s, struct iovec *iov, int count, int64_t total,
                           int flags, const csend_segment *segments, csend_error *err)
{
    int tracing = csend__trace_enabled();
    if (tracing)
        csend__trace_begin(s, "Send", total);
    if (!is_stream(s) && count > IOV_MAX) {
        /* One Send is one datagram: never split. */
        csend__socket_errno(err, EMSGSIZE, 0);
        if (tracing)
            csend__trace_error(s, "Send", err);
        return -1;
    }
    call c;
    call_begin(&c, s, total > INLINE_MAX, s->send_timeout_ms);
    gather g = {.iov = iov, .iovcnt = count, .flags = flags};
    int64_t done = 0;
    ssize_t n;
    int e = 0;
    do {
        n = perform(&c, POLLOUT, do_sendmsg, &g);
        if (n < 0) {
            e = errno;
            break;
        }
        done += n;
        advance(&g, (size_t)n); /* also steps over empty segments */
        if (stop_after_partial(&c, g.iovcnt > 0)) {
            n = ABORTED;
            break;
        }
    } while (g.iovcnt > 0 && s->blocking);
    call_end(&c);
    if (n < 0) {
        fail(s, n, e, done, err);
        if (tracing && n != ABORTED)
            csend__trace_error(s, "Send", err);
        return -1;
    }
    if (tracing)
        csend__trace_segments(s, segments, count, done);
    return done;
}

int64_t csend_send_segments(csend_socket *s, const csend_segment *segments, int64_t count,
                            int64_t flags, csend_error *err)
{
    CSEND_ERR(err);
    if (csend__enter(s, err) < 0)
        return -1;
    int64_t rc = -1;
    int os;
    if (check_segments(segments, count, err) == 0 && (os = csend__send_flags(flags, err)) >= 0) {
        if (count > INT_MAX / 2) {
            csend__out_of_range_max(err, "buffers", count, INT_MAX / 2);
        } else {
            struct iovec stack[64];
            struct iovec *iov = count <= 64 ? stack : malloc((size_t)count * sizeof *iov);
            if (iov == NULL) {
                csend__out_of_memory(err);
            } else {
                int64_t total = 0, i = 0;
                for (; i < count && segments[i].len <= INT64_MAX - total; i++) {
                    iov[i].iov_base = (void *)segments[i].base;
                    iov[i].iov_len = (size_t)segments[i].len;
                    total += segments[i].len;
                }
                if (i < count) /* lengths that add up beyond int64 */
                    csend__out_of_range_max(err, "buffers", segments[i].len, INT64_MAX - total);
                else
                    rc = gather_loop(s, iov, (int)count, total, os, segments, err);
                if (iov != stack)
                    free(iov);
            }
        }
    }
    csend__leave(s);
    return rc;
}

/* ---- receive ---- */

typedef struct in {
    char *p;
    size_t len;
    int flags;
} in;

static ssize_t do_recv(int fd, void *op, int dontwait)
{
    in *i = op;
    return recv(fd, i->p, i->len, i->flags | (dontwait ? MSG_DONTWAIT : 0));
}

int64_t csend_receive(csend_socket *s, void *buffer, int64_t buffer_len, int64_t offset,
                      int64_t size, int64_t flags, csend_error *err)
{
    CSEND_ERR(err);
    if (csend__enter(s, err) < 0)
        return -1;
    int64_t rc = -1;
    int os;
    if (csend__check_buffer(buffer, buffer_len, offset, size, err) == 0 &&
        (os = csend__receive_flags(flags, err)) >= 0) {
        call c;
        call_begin(&c, s, size > INLINE_MAX, s->receive_timeout_ms);
        in i = {.p = (char *)buffer + offset, .len = (size_t)size, .flags = os};
        ssize_t n = perform(&c, POLLIN, do_recv, &i);
        int e = errno;
        call_end(&c);
        if (n == 0 && size > 0 && atomic_load(&s->closed)) {
            n = -1; /* woken by Close, not by the peer */
            e = EINTR;
        }
        if (n < 0)
            fail(s, n, e, 0, err);
        else
            rc = n;
    }
    csend__leave(s);
    return rc;
}

/* ---- connection ---- */

static ssize_t do_accept(int fd, void *op, int dontwait)
{
    (void)dontwait;
    int *out_fd = op;
    int fl = SOCK_CLOEXEC;
    *out_fd = accept4(fd, NULL, NULL, fl);
    return *out_fd < 0 ? -1 : 0;
}

csend_socket *csend_accept(csend_socket *s, csend_error *err)
{
    CSEND_ERR(err);
    if (csend__enter(s, err) < 0)
        return NULL;
    call c;
    call_begin(&c, s, 1, 0); /* .NET's Accept has no timeout */
    int fd = -1;
    ssize_t n = perform(&c, POLLIN, do_accept, &fd);
    int e = errno;
    call_end(&c);
    csend_socket *a = NULL;
    if (n < 0) {
        fail(s, n, e, 0, err);
    } else if ((a = csend_socket_from_fd(fd, err)) != NULL) {
        a->hooks = s->hooks;
        a->protocol = s->protocol;
    } else {
        close(fd);
    }
    csend__leave(s);
    return a;
}

int csend_connect(csend_socket *s, const csend_endpoint *remote, csend_error *err)
{
    CSEND_ERR(err);
    if (csend__enter(s, err) < 0)
        return -1;
    int rc = -1;
    if (remote == NULL) {
        csend__argument_null(err, "remoteEP");
    } else {
        call c;
        call_begin(&c, s, 1, 0);
        rc = connect(c.fd, (const struct sockaddr *)&remote->addr, remote->len);
        int e = errno;
        /* Interrupted, the connection goes on: wait for it and read its fate. */
        while (rc < 0 && e == EINTR && s->blocking && !atomic_load(&s->closed)) {
            int w = wait_ready(&c, POLLOUT);
            if (w != 0) {
                rc = w;
                e = errno;
                break;
            }
            int soerr = 0;
            socklen_t len = sizeof soerr;
            getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
            rc = soerr ? -1 : 0;
            e = soerr;
        }
        call_end(&c);
        if (rc < 0)
            fail(s, rc, e, 0, err);
        else
            atomic_store(&s->connected, true);
        rc = rc < 0 ? -1 : 0;
    }
    csend__leave(s);
    return rc;
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
    if (csend__check_range(err, "how", how, CSEND_SHUTDOWN_RECEIVE, CSEND_SHUTDOWN_BOTH) == 0 &&
        (rc = shutdown(atomic_load(&s->fd), (int)how)) < 0)
        csend__socket_errno(err, errno, 0);
    csend__leave(s);
    return rc;
}
