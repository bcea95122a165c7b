/* Every call that may wait goes through one loop, drive(): send, send_to,
 * the gather form, receive, accept and connect each describe their one
 * system call as an `op`, and drive() owns everything around it. */
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* An attempt that moves at most this much runs first without lending the
 * runtime's lock: it cannot block (MSG_DONTWAIT) and copies little. */
#define FAST_MAX 16384

/* ---- what one system call needs ---- */

typedef enum { OP_SEND, OP_RECEIVE, OP_ACCEPT, OP_CONNECT } op_kind;

typedef struct op {
    op_kind kind;
    short events;            /* what poll waits for: POLLOUT or POLLIN */
    int flags;               /* MSG_* for send and receive */
    /* OP_SEND, OP_RECEIVE: the iovec cursor (a single buffer is one
     * element); msg_name is send_to's destination. */
    struct msghdr msg;
    struct iovec one;
    int64_t size;            /* bytes the whole call moves */
    const csend_segment *trace_segments; /* OP_SEND: what the trace dumps */
    int64_t trace_count;
    int accepted;            /* OP_ACCEPT: the new descriptor */
    const csend_endpoint *remote; /* OP_CONNECT */
    csend_socket *closing;   /* OP_CONNECT: whose close to look for first */
    int connecting;          /* OP_CONNECT: started; only its outcome is left */
} op;

static void op_buffer(op *o, op_kind kind, const void *p, int64_t size, int flags)
{
    memset(&o->msg, 0, sizeof o->msg);
    o->kind = kind;
    o->events = kind == OP_SEND ? POLLOUT : POLLIN;
    o->flags = flags;
    o->one.iov_base = (void *)p;
    o->one.iov_len = (size_t)size;
    o->msg.msg_iov = &o->one;
    o->msg.msg_iovlen = 1;
    o->size = size;
    o->trace_segments = NULL;
    o->trace_count = 0;
}

/* The one system call: bytes moved (0 for accept and connect), or -1 with
 * errno; EAGAIN when it would have to wait. */
static ssize_t attempt(op *o, int fd, int may_block)
{
    int dontwait = may_block ? 0 : MSG_DONTWAIT;
    struct msghdr *m = &o->msg;
    switch (o->kind) {
    case OP_SEND:
        if (m->msg_iovlen == 1 && m->msg_name == NULL)
            return send(fd, m->msg_iov->iov_base, m->msg_iov->iov_len, o->flags | dontwait);
        if (m->msg_iovlen == 1)
            return sendto(fd, m->msg_iov->iov_base, m->msg_iov->iov_len, o->flags | dontwait,
                          m->msg_name, m->msg_namelen);
        {
            /* The kernel takes at most IOV_MAX segments a call: a stream
             * goes on with the rest. */
            struct msghdr part = *m;
            if (part.msg_iovlen > IOV_MAX)
                part.msg_iovlen = IOV_MAX;
            return sendmsg(fd, &part, o->flags | dontwait);
        }
    case OP_RECEIVE:
        if (m->msg_name == NULL)
            return recv(fd, m->msg_iov->iov_base, m->msg_iov->iov_len, o->flags | dontwait);
        {
            /* ReceiveFrom: the sender's address, whole, every attempt. */
            socklen_t len = sizeof(struct sockaddr_storage);
            ssize_t n = recvfrom(fd, m->msg_iov->iov_base, m->msg_iov->iov_len,
                                 o->flags | dontwait, m->msg_name, &len);
            m->msg_namelen = n < 0 ? 0 : len;
            return n;
        }
    case OP_ACCEPT:
        if (!may_block) {
            /* accept4 has no MSG_DONTWAIT: an adopted listener may be
             * blocking underneath while csend's mode is not.  (Another
             * thread may take the connection between the two calls; the
             * accept then waits for the next one.) */
            struct pollfd p = {.fd = fd, .events = POLLIN};
            if (poll(&p, 1, 0) == 0) {
                errno = EAGAIN;
                return -1;
            }
        }
        o->accepted = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        return o->accepted < 0 ? -1 : 0;
    case OP_CONNECT:
        if (!o->connecting) {
            if (atomic_load(&o->closing->closed)) {
                errno = ECANCELED; /* a close already woke this call's wait */
                return -1;
            }
            if (connect(fd, (const struct sockaddr *)&o->remote->addr, o->remote->len) == 0)
                return 0;
            /* Interrupted or in progress, the connection goes on in the
             * kernel: from now on only its outcome is read. */
            if (errno == EINTR || errno == EINPROGRESS)
                o->connecting = 1;
            return -1;
        }
        {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            if (poll(&p, 1, 0) == 0) {
                errno = EAGAIN;
                return -1;
            }
            int soerr = 0;
            socklen_t len = sizeof soerr;
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
                return -1;
            errno = soerr;
            return soerr ? -1 : 0;
        }
    }
    errno = EINVAL;
    return -1;
}

/* An error that means "not yet": the call waits for readiness. */
static int not_yet(const op *o, int e)
{
    return e == EAGAIN || e == EWOULDBLOCK || (o->kind == OP_CONNECT && e == EINPROGRESS);
}

/* Steps the cursor over n bytes moved; nonzero while bytes remain. */
static int advance(op *o, size_t n)
{
    struct msghdr *m = &o->msg;
    while (m->msg_iovlen > 0 && n >= m->msg_iov->iov_len) {
        n -= m->msg_iov->iov_len;
        m->msg_iov++;
        m->msg_iovlen--;
    }
    if (n > 0) {
        m->msg_iov->iov_base = (char *)m->msg_iov->iov_base + n;
        m->msg_iov->iov_len -= n;
    }
    /* Trailing empty segments are stepped over too. */
    while (m->msg_iovlen > 0 && m->msg_iov->iov_len == 0) {
        m->msg_iov++;
        m->msg_iovlen--;
    }
    return m->msg_iovlen > 0;
}

/* ---- the call: lock, deadline ---- */

typedef struct call {
    csend_socket *s;
    int fd;
    int lock_out;            /* the runtime's lock is out (or there is none) */
    void *token;
    int64_t deadline_ns; /* 0: none */
    int ready;           /* the last wait said the descriptor was ready */
    int backoff_ms;      /* poll cannot tell: sleep this long between tries */
} call;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int has_lock(const csend_socket *s)
{
    return s->hooks != NULL && s->hooks->release != NULL;
}

/* The one predicate: may this attempt block in the kernel?  Only in
 * blocking mode, with the runtime's lock out (or none to lend), with no
 * deadline (a deadline is kept by poll, never by a blocking call), and when
 * close can wake the kernel's wait: a send_to on a Unix-domain datagram
 * socket waits for the receiver's queue, which no shutdown of ours wakes. */
static inline int may_block(const csend_socket *s, int lock_out, int64_t deadline_ns,
                            const void *destination)
{
    return csend__blocking(s) && lock_out && deadline_ns == 0 &&
           !(destination != NULL && s->family == CSEND_AF_UNIX);
}

static void lend(call *c)
{
    if (!c->lock_out) {
        c->token = c->s->hooks->release();
        c->lock_out = 1;
    }
}

static void take_back(call *c)
{
    if (c->lock_out && has_lock(c->s)) {
        c->s->hooks->reacquire(c->token);
        c->lock_out = 0;
    }
}

/* After EINTR, or a partial write: the runtime runs its signal handlers with
 * its lock held; nonzero aborts the call. */
static int interrupted(call *c)
{
    const csend_hooks *h = c->s->hooks;
    if (h == NULL || h->check_interrupt == NULL)
        return 0;
    int was_out = c->lock_out && has_lock(c->s);
    take_back(c);
    if (h->check_interrupt())
        return 1;
    if (was_out)
        lend(c);
    return 0;
}

enum { WAIT_READY = 0, WAIT_FAILED = -1, WAIT_ABORTED = -2 };

/* The longest sleep between tries when poll cannot tell: also how long a
 * close may take to be noticed then. */
#define BACKOFF_MAX_MS 16

/* Waits until the descriptor is ready, the deadline passes (ETIMEDOUT) or
 * the socket is closed (ECANCELED).  Some waits poll cannot see (an
 * unconnected Unix-domain datagram sender whose receiver's queue is full is
 * always "writable"): once a wait said ready and the attempt still could
 * not proceed, the loop sleeps 1, 2, 4 ... BACKOFF_MAX_MS ms between
 * tries instead, so it never spins. */
static int wait_ready(call *c, short events)
{
    if (c->ready)
        c->backoff_ms = c->backoff_ms ? c->backoff_ms * 2 : 1;
    if (c->backoff_ms > BACKOFF_MAX_MS)
        c->backoff_ms = BACKOFF_MAX_MS;
    c->ready = 0;
    for (;;) {
        if (atomic_load(&c->s->closed)) {
            errno = ECANCELED;
            return WAIT_FAILED;
        }
        int timeout = c->backoff_ms ? c->backoff_ms : -1;
        if (c->deadline_ns) {
            int64_t left = c->deadline_ns - now_ns();
            if (left <= 0) {
                errno = ETIMEDOUT;
                return WAIT_FAILED;
            }
            int left_ms = (int)((left + 999999) / 1000000);
            if (timeout < 0 || left_ms < timeout)
                timeout = left_ms;
        }
        struct pollfd p = {.fd = c->backoff_ms ? -1 : c->fd, .events = events};
        int rc = poll(&p, 1, timeout);
        if (rc > 0 || (rc == 0 && c->backoff_ms)) {
            c->ready = 1;
            return WAIT_READY;
        }
        if (rc < 0 && errno != EINTR)
            return WAIT_FAILED;
        if (rc < 0 && interrupted(c))
            return WAIT_ABORTED;
    }
}

/* ---- failures ---- */

static int is_stream(const csend_socket *s)
{
    return s->type == SOCK_STREAM;
}

/* Fills err for a failed operation and updates Connected as .NET does. */
static void fail(csend_socket *s, int e, int64_t done, csend_error *err)
{
    if (atomic_load(&s->closed)) {
        /* Closed under the call, as .NET: an abort on a stream socket, an
         * interruption on a datagram socket.  The message describes that,
         * the errno stays the one the system call gave. */
        int code = is_stream(s) ? CSEND_SOCKET_ERROR_CONNECTION_ABORTED
                                : CSEND_SOCKET_ERROR_INTERRUPTED;
        csend__socket_error(err, code, is_stream(s) ? ECONNABORTED : EINTR, done);
        err->native_error = e;
    } else {
        csend__socket_errno(err, e, done);
    }
    int code = err->socket_error;
    if (code != CSEND_SOCKET_ERROR_WOULD_BLOCK && code != CSEND_SOCKET_ERROR_TIMED_OUT &&
        code != CSEND_SOCKET_ERROR_NO_BUFFER_SPACE_AVAILABLE)
        atomic_store(&s->connected, false);
}

/* ---- the loop ---- */

/* Counts the call among those close() must wake: 0, or -1 when the socket
 * was closed first (close() may then not have seen it). */
static int start_waiting(csend_socket *s)
{
    atomic_fetch_add(&s->waiting, 1);
    if (!atomic_load(&s->closed))
        return 0;
    atomic_fetch_sub(&s->waiting, 1);
    return -1;
}

static void stop_waiting(csend_socket *s)
{
    atomic_fetch_sub(&s->waiting, 1);
}

/*
 * drive(s, o, timeout_ms, done, err): runs o's system call until it is done,
 * fails for good, or the deadline passes.
 *
 * Return: the bytes moved by the whole call (done counts those moved before
 * it was called); -1 with err filled, err->bytes_transferred then being the
 * bytes moved before the failure.
 * Lock rule: the runtime's lock (hooks->release/reacquire) is held on entry
 * and on return, and while hooks run; it is lent out before any attempt that
 * may block, before any wait, and before an attempt that moves more than
 * FAST_MAX bytes.
 * Blocking rule: may_block() is the only place that decides whether an
 * attempt may block in the kernel; otherwise it does not (MSG_DONTWAIT) and
 * the loop waits in poll.  A non-blocking socket makes exactly one attempt:
 * a partial count is returned, nothing at all is WouldBlock.
 * EINTR rule: a signal that interrupts an attempt or a wait runs the
 * runtime's check_interrupt (lock held); nonzero aborts the call with
 * CSEND_ERR_RUNTIME_INTERRUPT and the bytes moved.  So does a signal that
 * cut a blocking write short.  Otherwise the call goes on where it was (a
 * connect is never restarted: its outcome is awaited).
 * Deadline rule: timeout_ms (0: none) is one deadline for the whole call,
 * not per attempt; when it passes, TimedOut with the bytes moved.
 * Close rule: the call counts itself in s->waiting; close() wakes it and it
 * fails at once, ConnectionAborted on a stream, Interrupted otherwise.
 * Stream rule: a blocking send goes on after a partial write until every
 * byte is handed over; a datagram is one attempt, never split.
 */
static int64_t drive(csend_socket *s, op *o, int64_t timeout_ms, int64_t done, csend_error *err)
{
    if (start_waiting(s) < 0) {
        fail(s, ECANCELED, done, err);
        return -1;
    }
    call c = {.s = s, .fd = atomic_load(&s->fd), .lock_out = !has_lock(s)};
    c.deadline_ns = timeout_ms > 0 ? now_ns() + timeout_ms * 1000000 : 0;
    int stream_send = o->kind == OP_SEND && is_stream(s);
    if (o->size - done > FAST_MAX || o->kind == OP_ACCEPT || o->kind == OP_CONNECT)
        lend(&c);
    enum { MOVED, FAILED, ABORTED } outcome = MOVED;
    int e = 0;
    for (;;) {
        outcome = MOVED;
        ssize_t n = attempt(o, c.fd, may_block(s, c.lock_out, c.deadline_ns,
                                               o->kind == OP_SEND ? o->msg.msg_name : NULL));
        if (n >= 0) {
            done += n;
            c.ready = c.backoff_ms = 0; /* progress: poll is to be trusted again */
            if (!(stream_send && advance(o, (size_t)n) && csend__blocking(s)))
                break; /* done, one attempt of a non-blocking call, or one datagram */
            if (c.lock_out && c.deadline_ns == 0 && interrupted(&c)) {
                outcome = ABORTED; /* Ctrl-C must stop a long send */
                break;
            }
            continue;
        }
        e = errno;
        outcome = FAILED;
        if (atomic_load(&s->closed))
            break;
        if (e == EINTR) {
            if (interrupted(&c)) {
                outcome = ABORTED;
                break;
            }
            continue;
        }
        if (!not_yet(o, e) || !csend__blocking(s))
            break;
        if (!c.lock_out) {
            lend(&c); /* the fast attempt would wait: now it may */
            continue;
        }
        int w = wait_ready(&c, o->events);
        if (w == WAIT_ABORTED) {
            outcome = ABORTED;
            break;
        }
        if (w == WAIT_FAILED) {
            e = errno;
            break;
        }
    }
    take_back(&c);
    stop_waiting(s);
    if (outcome == ABORTED) {
        csend__runtime_interrupt(err, done);
        return -1;
    }
    if (outcome == FAILED) {
        fail(s, e, done, err);
        return -1;
    }
    return done;
}

/* ---- send, send_to, the gather form ---- */

/* The trace line that ends a send (contract §7): its bytes when complete
 * (rc 1), OperationAborted when given up (rc 0), its SocketException when
 * it failed (rc -1); nothing if tracing was switched off meanwhile. */
static void trace_send_end(csend_socket *s, const csend_segment *segments, int64_t count,
                           int64_t done, int rc, const csend_error *err)
{
    if (!csend__trace_enabled())
        return;
    if (rc > 0) {
        csend__trace_segments(s, segments, count, done);
    } else if (rc == 0) {
        csend_error given_up;
        csend__socket_error(&given_up, CSEND_SOCKET_ERROR_OPERATION_ABORTED, ECANCELED, done);
        csend__trace_error(s, "Send", &given_up);
    } else if (err->kind == CSEND_ERR_SOCKET) {
        csend__trace_error(s, "Send", err);
    }
}

/* A send through drive(), with its trace lines (contract §7). */
static int64_t traced_send(csend_socket *s, op *o, int64_t done, csend_error *err)
{
    int tracing = csend__trace_enabled();
    if (tracing)
        csend__trace_begin(s, "Send", o->size);
    const csend_segment one = {o->one.iov_base, o->size};
    const csend_segment *segments = o->trace_segments ? o->trace_segments : &one;
    int64_t count = o->trace_segments ? o->trace_count : 1;
    int64_t n = drive(s, o, csend__timeout(&s->send_timeout_ms), done, err);
    if (tracing)
        trace_send_end(s, segments, count, n, n >= 0 ? 1 : -1, err);
    return n;
}

/* The common Send in one system call, before any of drive()'s set-up: no
 * trace, no timeout, and an attempt that either may block (no lock to lend)
 * or is small enough to make with the lock held.  Anything else, and any
 * attempt that did not finish the call, goes on in drive(). */
static int64_t send_fast(csend_socket *s, const char *p, int64_t size, int flags, int lock,
                         csend_error *err)
{
    int blocking = may_block(s, !lock, 0, NULL);
    if (blocking && start_waiting(s) < 0) {
        fail(s, ECANCELED, 0, err);
        return -1;
    }
    ssize_t n = send(atomic_load_explicit(&s->fd, memory_order_relaxed), p, (size_t)size,
                     flags | (blocking ? 0 : MSG_DONTWAIT));
    if (blocking)
        stop_waiting(s); /* an atomic: errno stays */
    if (n == size || (n >= 0 && !csend__blocking(s)))
        return n;
    int e = errno;
    op o;
    op_buffer(&o, OP_SEND, p, size, flags);
    if (n > 0) {
        advance(&o, (size_t)n); /* cut short: go on */
        return drive(s, &o, 0, n, err);
    }
    if (!csend__blocking(s) || !(not_yet(&o, e) || e == EINTR) || atomic_load(&s->closed)) {
        fail(s, e, 0, err); /* never retried: ECONNRESET is reported once */
        return -1;
    }
    return drive(s, &o, 0, 0, err);
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
        int lock = has_lock(s);
        if (!csend__trace_enabled() && csend__timeout(&s->send_timeout_ms) == 0 &&
            (!lock || size <= FAST_MAX)) {
            rc = send_fast(s, p, size, os, lock, err);
        } else {
            op o;
            op_buffer(&o, OP_SEND, p, size, os);
            rc = traced_send(s, &o, 0, err);
        }
    }
    csend__leave(s);
    return rc;
}

int64_t csend_try_send(csend_socket *s, const void *buffer, int64_t buffer_len, int64_t offset,
                       int64_t size, int64_t flags, int *socket_error, csend_error *err)
{
    CSEND_ERR(err);
    int code = CSEND_SOCKET_ERROR_SUCCESS;
    int64_t n = csend_send(s, buffer, buffer_len, offset, size, flags, err);
    if (n < 0 && err->kind == CSEND_ERR_SOCKET) {
        code = err->socket_error;
        n = err->bytes_transferred; /* .NET returns 0: csend keeps the count */
    }
    if (socket_error != NULL)
        *socket_error = code;
    return n;
}

/* SendTo's checks after disposal: the buffer, remoteEP, then the flags (the
 * OS's flags, or -1 with err filled). */
static int check_send_to(const void *buffer, int64_t buffer_len, int64_t offset, int64_t size,
                         int64_t flags, const csend_endpoint *remote, csend_error *err)
{
    if (csend__check_buffer(buffer, buffer_len, offset, size, err) < 0)
        return -1;
    if (remote == NULL) {
        csend__argument_null(err, "remoteEP");
        return -1;
    }
    return csend__send_flags(flags, err);
}

int64_t csend_send_to(csend_socket *s, const void *buffer, int64_t buffer_len, int64_t offset,
                      int64_t size, int64_t flags, const csend_endpoint *remote,
                      csend_error *err)
{
    CSEND_ERR(err);
    if (csend__enter(s, err) < 0)
        return -1;
    int64_t rc = -1;
    int os = check_send_to(buffer, buffer_len, offset, size, flags, remote, err);
    if (os >= 0) {
        op o;
        op_buffer(&o, OP_SEND, (const char *)buffer + offset, size, os);
        o.msg.msg_name = (void *)&remote->addr;
        o.msg.msg_namelen = remote->len;
        rc = traced_send(s, &o, 0, err);
        if (rc >= 0)
            atomic_store(&s->bound, true); /* the kernel bound it (.NET: only if it succeeded) */
    }
    csend__leave(s);
    return rc;
}

static int64_t send_iov(csend_socket *s, struct iovec *iov, int64_t count, int64_t total,
                        int flags, const csend_segment *segments, csend_error *err)
{
    op o;
    op_buffer(&o, OP_SEND, NULL, total, flags);
    o.msg.msg_iov = iov;
    o.msg.msg_iovlen = (size_t)count;
    o.trace_segments = segments;
    o.trace_count = count;
    if (!is_stream(s) && count > IOV_MAX) {
        /* One Send is one datagram: never split. */
        int tracing = csend__trace_enabled();
        if (tracing)
            csend__trace_begin(s, "Send", total);
        csend__socket_errno(err, EMSGSIZE, 0);
        if (tracing)
            csend__trace_error(s, "Send", err);
        return -1;
    }
    return traced_send(s, &o, 0, err);
}

int64_t csend_send_segments(csend_socket *s, const csend_segment *segments, int64_t count,
                            int64_t flags, csend_error *err)
{
    CSEND_ERR(err);
    if (csend__enter(s, err) < 0)
        return -1;
    int64_t rc = -1;
    int os;
    int64_t total;
    if (csend__check_segments(segments, count, &total, err) == 0 &&
        (os = csend__send_flags(flags, err)) >= 0) {
        struct iovec stack[64];
        struct iovec *iov = count <= 64 ? stack : malloc((size_t)count * sizeof *iov);
        if (iov == NULL) {
            csend__out_of_memory(err);
        } else {
            for (int64_t i = 0; i < count; i++) {
                iov[i].iov_base = (void *)segments[i].base;
                iov[i].iov_len = (size_t)segments[i].len;
            }
            rc = send_iov(s, iov, count, total, os, segments, err);
            if (iov != stack)
                free(iov);
        }
    }
    csend__leave(s);
    return rc;
}

/* ---- a Send whose waits the caller makes ---- */

int csend_send_begin(csend_pending_send *op, csend_socket *s, const void *buffer,
                     int64_t buffer_len, int64_t offset, int64_t size, int64_t flags,
                     csend_pending_mode mode, csend_error *err)
{
    CSEND_ERR(err);
    memset(op, 0, sizeof *op); /* every field defined, whatever fails below */
    if (csend__enter(s, err) < 0)
        return -1;
    int os;
    if (csend__check_buffer(buffer, buffer_len, offset, size, err) < 0 ||
        (os = csend__send_flags(flags, err)) < 0) {
        csend__leave(s);
        return -1;
    }
    if (start_waiting(s) < 0) { /* closed since the check: no wait would be woken */
        csend__leave(s);
        csend__object_disposed(err);
        return -1;
    }
    op->s = s;
    op->p = (const char *)buffer + offset;
    op->size = size;
    op->flags = os;
    op->mode = mode;
    int64_t timeout = mode == CSEND_PENDING_SEND ? csend__timeout(&s->send_timeout_ms) : 0;
    op->deadline_ns = timeout > 0 ? now_ns() + timeout * 1000000 : 0;
    op->tracing = csend__trace_enabled();
    if (op->tracing)
        csend__trace_begin(s, "Send", size);
    return 0;
}

/* The end of an operation: its trace line, and the socket let go.  rc 0
 * is an operation given up (csend_send_end): traced as aborted. */
static int pending_end(csend_pending_send *op, int rc, const csend_error *err)
{
    csend_socket *s = op->s;
    op->s = NULL;     /* first: a trace callback that ends it again finds it ended */
    stop_waiting(s);  /* before the trace: a close from its callback is an ordinary close */
    if (op->tracing) {
        const csend_segment all = {op->p, op->size};
        trace_send_end(s, &all, 1, op->done, rc, err);
    }
    csend__leave(s);  /* last: the descriptor (and s's memory) may go here */
    return rc;
}

int csend_send_step(csend_pending_send *op, int *wait_ms, csend_error *err)
{
    CSEND_ERR(err);
    int scratch_ms;
    if (wait_ms == NULL)
        wait_ms = &scratch_ms;
    csend_socket *s = op->s;
    if (s == NULL) {
        csend__invalid_operation(err, "The operation has already ended.");
        return -1;
    }
    int stream = is_stream(s);
    int e;
    for (;;) {
        if (atomic_load(&s->closed)) {
            e = ECANCELED;
            break;
        }
        /* Send in non-blocking mode (now: the mode may change between
         * steps) is one attempt, as drive() makes it. */
        int once = op->mode == CSEND_PENDING_SEND && !csend__blocking(s);
        ssize_t n = send(atomic_load(&s->fd), op->p + op->done, (size_t)(op->size - op->done),
                         op->flags | MSG_DONTWAIT);
        if (n >= 0) {
            op->done += n;
            if (op->done == op->size || !stream || once)
                return pending_end(op, 1, err); /* all, one datagram, or Send's one try */
            continue;
        }
        e = errno;
        if (e == EINTR)
            continue;
        if (e != EAGAIN && e != EWOULDBLOCK)
            break;
        if (once)
            break; /* WouldBlock with the bytes moved so far, as drive() */
        if (op->deadline_ns) {
            int64_t left = op->deadline_ns - now_ns();
            if (left <= 0) {
                e = ETIMEDOUT;
                break;
            }
            *wait_ms = left / 1000000 >= INT_MAX ? INT_MAX : (int)((left + 999999) / 1000000);
        } else {
            *wait_ms = -1;
        }
        return 0;
    }
    if (atomic_load(&s->closed) && op->mode == CSEND_PENDING_ASYNC) {
        /* As .NET's SendAsync: a close aborts the operation. */
        csend__socket_error(err, CSEND_SOCKET_ERROR_OPERATION_ABORTED, ECANCELED, op->done);
        err->native_error = e;
        atomic_store(&s->connected, false);
    } else {
        fail(s, e, op->done, err);
    }
    return pending_end(op, -1, err);
}

int csend_send_wait_fd(const csend_pending_send *op)
{
    return op->s == NULL ? -1 : atomic_load(&op->s->fd);
}

void csend_send_end(csend_pending_send *op)
{
    if (op->s != NULL)
        pending_end(op, 0, NULL);
}

/* ---- receive ---- */

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
        op o;
        op_buffer(&o, OP_RECEIVE, (char *)buffer + offset, size, os);
        rc = drive(s, &o, csend__timeout(&s->receive_timeout_ms), 0, err);
        if (rc == 0 && size > 0 && atomic_load(&s->closed)) {
            fail(s, ECANCELED, 0, err); /* woken by Close, not by the peer */
            rc = -1;
        }
    }
    csend__leave(s);
    return rc;
}

/* ReceiveFrom's checks after disposal and the buffer: an address to
 * receive on, then the flags (the OS's, or -1 with err filled). */
static int check_receive_from(csend_socket *s, int64_t flags, csend_error *err)
{
    if (!atomic_load(&s->bound) && (s->owns_mode || !csend__has_address(atomic_load(&s->fd)))) {
        /* As .NET: a socket with no address cannot be sent to (an adopted
         * one may have been bound through its original since). */
        csend__invalid_operation(err, "You must call the Bind method before performing "
                                      "this operation.");
        return -1;
    }
    return csend__receive_flags(flags, err);
}

/* The sender of a receive that moved n bytes (a connected stream names
 * none: its peer sent it). */
static void sender(csend_socket *s, const op *o, csend_endpoint *remote)
{
    remote->len = o->msg.msg_namelen;
    if (remote->len == 0) {
        remote->len = sizeof remote->addr;
        if (getpeername(atomic_load(&s->fd), (struct sockaddr *)&remote->addr, &remote->len) < 0)
            remote->len = 0;
    }
}

int64_t csend_receive_from(csend_socket *s, void *buffer, int64_t buffer_len, int64_t offset,
                           int64_t size, int64_t flags, csend_endpoint *remote, csend_error *err)
{
    CSEND_ERR(err);
    if (csend__enter(s, err) < 0)
        return -1;
    int64_t rc = -1;
    int os;
    if (csend__check_buffer(buffer, buffer_len, offset, size, err) == 0) {
        if (remote == NULL) {
            csend__argument_null(err, "remoteEP");
        } else if ((os = check_receive_from(s, flags, err)) >= 0) {
            op o;
            op_buffer(&o, OP_RECEIVE, (char *)buffer + offset, size, os);
            o.msg.msg_name = &remote->addr;
            rc = drive(s, &o, csend__timeout(&s->receive_timeout_ms), 0, err);
            if (rc >= 0)
                sender(s, &o, remote);
            else
                remote->len = o.msg.msg_namelen;
            if (rc == 0 && size > 0 && atomic_load(&s->closed)) {
                fail(s, ECANCELED, 0, err);
                rc = -1;
            }
        }
    }
    csend__leave(s);
    return rc;
}

/* ---- accept, connect ---- */

/* Accept's check before any wait: 0, or -1 with err filled.  As .NET, a
 * socket that does not listen has nothing to accept (and a readable
 * datagram socket is no listener). */
static int check_accept(csend_socket *s, csend_error *err)
{
    if (csend__is_listening(atomic_load(&s->fd)))
        return 0;
    csend__invalid_operation(err, atomic_load(&s->bound)
                                      ? "You must call the Listen method before performing "
                                        "this operation."
                                      : "You must call the Bind method before performing "
                                        "this operation.");
    return -1;
}

/* The socket for an accepted descriptor, as its listener's; NULL with err
 * filled (the descriptor closed). */
static csend_socket *accepted(csend_socket *s, int fd, csend_error *err)
{
    csend_socket *a = csend_socket_from_fd(fd, err);
    if (a == NULL) {
        close(fd); /* ours: never returned */
        return NULL;
    }
    a->owns_mode = true; /* csend made this descriptor */
    a->hooks = s->hooks;
    a->context = s->context;
    a->protocol = s->protocol;
    return a;
}

csend_socket *csend_accept(csend_socket *s, csend_error *err)
{
    CSEND_ERR(err);
    if (csend__enter(s, err) < 0)
        return NULL;
    op o = {.kind = OP_ACCEPT, .events = POLLIN, .accepted = -1};
    csend_socket *a = NULL;
    if (check_accept(s, err) == 0 && drive(s, &o, 0, 0, err) == 0) /* no timeout, as .NET */
        a = accepted(s, o.accepted, err);
    csend__leave(s);
    return a;
}

static void now_connected(csend_socket *s)
{
    atomic_store(&s->connected, true);
    atomic_store(&s->was_connected, true);
    atomic_store(&s->bound, true);
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
        op o = {.kind = OP_CONNECT, .events = POLLOUT, .remote = remote, .closing = s};
        rc = drive(s, &o, 0, 0, err) < 0 ? -1 : 0;
        if (rc == 0 && atomic_load(&s->closed)) {
            /* Closed while connecting: a close between the look above and
             * connect(2) cannot wake it, but it must not succeed. */
            fail(s, ECANCELED, 0, err);
            rc = -1;
        } else if (rc == 0) {
            now_connected(s);
        } else if (err->socket_error == CSEND_SOCKET_ERROR_IN_PROGRESS) {
            /* As .NET: a non-blocking Connect still going on is WouldBlock;
             * Connected turns true when it completes. */
            csend__socket_error(err, CSEND_SOCKET_ERROR_WOULD_BLOCK, EWOULDBLOCK, 0);
            err->native_error = EINPROGRESS;
            atomic_store(&s->connect_pending, true);
        }
    }
    csend__leave(s);
    return rc;
}

/* ---- the other operations, in their *Async modes ---- */

struct csend_pending {
    csend_socket *s;          /* NULL once the operation has ended */
    op o;                     /* the system call and its cursor */
    int64_t done;             /* bytes moved so far */
    int send;                 /* a send: traced, and whole on a stream */
    int tracing;
    struct iovec *iov;        /* send_segments: the copied list */
    const csend_segment *segments; /* and the caller's, for the trace */
    int64_t count;
    csend_endpoint remote;    /* send_to's and connect's destination; receive_from's sender */
    csend_socket *accepted;   /* accept's result, until taken */
};

/* The common start of every begin: the socket entered (disposal first),
 * counted among the calls close wakes, and the operation allocated. */
static csend_pending *pending_new(csend_socket *s, csend_error *err)
{
    CSEND_ERR(err);
    if (csend__enter(s, err) < 0)
        return NULL;
    csend_pending *p = calloc(1, sizeof *p);
    if (p == NULL) {
        csend__leave(s);
        csend__out_of_memory(err);
        return NULL;
    }
    return p;
}

/* The checks failed (err filled): nothing begun. */
static csend_pending *pending_refused(csend_pending *p, csend_socket *s)
{
    free(p->iov);
    free(p);
    csend__leave(s);
    return NULL;
}

/* The checks passed: the operation holds the socket from now on. */
static csend_pending *pending_started(csend_pending *p, csend_socket *s, csend_error *err)
{
    if (start_waiting(s) < 0) { /* closed since the check: no wait would be woken */
        csend__object_disposed(err);
        return pending_refused(p, s);
    }
    p->s = s;
    if (p->send) {
        p->tracing = csend__trace_enabled();
        if (p->tracing)
            csend__trace_begin(s, "Send", p->o.size);
    }
    return p;
}

/* Connect and accept have no MSG_DONTWAIT: only a descriptor that does
 * not block underneath keeps their steps from blocking.  One csend made is
 * switched for good (a later Blocking = true changes csend's mode only, kept
 * with poll, so that no step of another operation ever finds it blocking);
 * an adopted one is its owner's: it is refused rather than touched. */
static int nonblocking_underneath(csend_socket *s, const char *what, csend_error *err)
{
    int fd = atomic_load(&s->fd);
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0 && (fl & O_NONBLOCK))
        return 0;
    if (fl >= 0 && !s->owns_mode) {
        char message[160];
        snprintf(message, sizeof message,
                 "An adopted descriptor that blocks underneath cannot %s without blocking; "
                 "its mode is its owner's.", what);
        csend__invalid_operation(err, message);
        return -1;
    }
    atomic_store(&s->async_mode, true); /* before the switch: set_blocking keeps it then */
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        csend__socket_errno(err, errno, 0);
        return -1;
    }
    return 0;
}

csend_pending *csend_send_to_begin(csend_socket *s, const void *buffer, int64_t buffer_len,
                                   int64_t offset, int64_t size, int64_t flags,
                                   const csend_endpoint *remote, csend_error *err)
{
    csend_pending *p = pending_new(s, err);
    if (p == NULL)
        return NULL;
    int os = check_send_to(buffer, buffer_len, offset, size, flags, remote, err);
    if (os < 0)
        return pending_refused(p, s);
    p->remote = *remote;
    op_buffer(&p->o, OP_SEND, (const char *)buffer + offset, size, os);
    p->o.msg.msg_name = &p->remote.addr;
    p->o.msg.msg_namelen = p->remote.len;
    p->send = 1;
    return pending_started(p, s, err);
}

csend_pending *csend_send_segments_begin(csend_socket *s, const csend_segment *segments,
                                         int64_t count, int64_t flags, csend_error *err)
{
    csend_pending *p = pending_new(s, err);
    if (p == NULL)
        return NULL;
    int os;
    int64_t total;
    if (csend__check_segments(segments, count, &total, err) < 0 ||
        (os = csend__send_flags(flags, err)) < 0)
        return pending_refused(p, s);
    if (!is_stream(s) && count > IOV_MAX) {
        csend__socket_errno(err, EMSGSIZE, 0); /* one datagram: never split */
        return pending_refused(p, s);
    }
    p->iov = malloc((size_t)count * sizeof *p->iov);
    if (p->iov == NULL) {
        csend__out_of_memory(err);
        return pending_refused(p, s);
    }
    for (int64_t i = 0; i < count; i++) {
        p->iov[i].iov_base = (void *)segments[i].base;
        p->iov[i].iov_len = (size_t)segments[i].len;
    }
    op_buffer(&p->o, OP_SEND, NULL, total, os);
    p->o.msg.msg_iov = p->iov;
    p->o.msg.msg_iovlen = (size_t)count;
    p->segments = segments;
    p->count = count;
    p->send = 1;
    return pending_started(p, s, err);
}

csend_pending *csend_receive_begin(csend_socket *s, void *buffer, int64_t buffer_len,
                                   int64_t offset, int64_t size, int64_t flags, csend_error *err)
{
    csend_pending *p = pending_new(s, err);
    if (p == NULL)
        return NULL;
    int os;
    if (csend__check_buffer(buffer, buffer_len, offset, size, err) < 0 ||
        (os = csend__receive_flags(flags, err)) < 0)
        return pending_refused(p, s);
    op_buffer(&p->o, OP_RECEIVE, (char *)buffer + offset, size, os);
    return pending_started(p, s, err);
}

csend_pending *csend_receive_from_begin(csend_socket *s, void *buffer, int64_t buffer_len,
                                        int64_t offset, int64_t size, int64_t flags,
                                        csend_error *err)
{
    csend_pending *p = pending_new(s, err);
    if (p == NULL)
        return NULL;
    int os;
    if (csend__check_buffer(buffer, buffer_len, offset, size, err) < 0 ||
        (os = check_receive_from(s, flags, err)) < 0)
        return pending_refused(p, s);
    op_buffer(&p->o, OP_RECEIVE, (char *)buffer + offset, size, os);
    p->o.msg.msg_name = &p->remote.addr;
    return pending_started(p, s, err);
}

csend_pending *csend_connect_begin(csend_socket *s, const csend_endpoint *remote,
                                   csend_error *err)
{
    csend_pending *p = pending_new(s, err);
    if (p == NULL)
        return NULL;
    if (remote == NULL) {
        csend__argument_null(err, "remoteEP");
        return pending_refused(p, s);
    }
    if (nonblocking_underneath(s, "connect", err) < 0)
        return pending_refused(p, s);
    p->remote = *remote;
    p->o.kind = OP_CONNECT;
    p->o.events = POLLOUT;
    p->o.remote = &p->remote;
    p->o.closing = s;
    return pending_started(p, s, err);
}

csend_pending *csend_accept_begin(csend_socket *s, csend_error *err)
{
    csend_pending *p = pending_new(s, err);
    if (p == NULL)
        return NULL;
    if (check_accept(s, err) < 0 || nonblocking_underneath(s, "accept", err) < 0)
        return pending_refused(p, s);
    p->o.kind = OP_ACCEPT;
    p->o.events = POLLIN;
    p->o.accepted = -1;
    return pending_started(p, s, err);
}

/* The end, however it comes: the descriptor's flags put back, the trace
 * line of a send, and the socket let go.  rc 0 is an operation given up. */
static int op_end(csend_pending *p, int rc, const csend_error *err)
{
    csend_socket *s = p->s;
    p->s = NULL;
    stop_waiting(s);
    if (p->tracing) {
        const csend_segment one = {p->o.one.iov_base, p->o.size};
        trace_send_end(s, p->segments ? p->segments : &one, p->segments ? p->count : 1,
                       p->done, rc, err);
    }
    csend__leave(s);
    return rc;
}

int csend_pending_step(csend_pending *p, csend_error *err)
{
    CSEND_ERR(err);
    csend_socket *s = p == NULL ? NULL : p->s;
    if (s == NULL) {
        csend__invalid_operation(err, "The operation has already ended.");
        return -1;
    }
    int e;
    for (;;) {
        if (atomic_load(&s->closed)) {
            e = ECANCELED;
            break;
        }
        ssize_t n = attempt(&p->o, atomic_load(&s->fd), 0);
        if (n >= 0) {
            p->done += n;
            if (p->send && is_stream(s) && advance(&p->o, (size_t)n))
                continue; /* a stream send goes on until every byte is handed over */
            if (p->o.kind == OP_RECEIVE && n == 0 && p->o.size > 0 &&
                atomic_load(&s->closed)) {
                e = ECANCELED; /* woken by close, not by the peer */
                break;
            }
            if (p->send && p->o.msg.msg_name != NULL)
                atomic_store(&s->bound, true);
            if (p->o.kind == OP_RECEIVE && p->o.msg.msg_name != NULL)
                sender(s, &p->o, &p->remote);
            if (p->o.kind == OP_CONNECT)
                now_connected(s);
            if (p->o.kind == OP_ACCEPT) {
                p->accepted = accepted(s, p->o.accepted, err);
                if (p->accepted == NULL)
                    return op_end(p, -1, err);
            }
            return op_end(p, 1, err);
        }
        e = errno;
        if (e == EINTR && p->o.kind != OP_CONNECT)
            continue;
        if (not_yet(&p->o, e) || (e == EINTR && p->o.kind == OP_CONNECT))
            return 0; /* a connect goes on in the kernel: its outcome is awaited */
        break;
    }
    if (atomic_load(&s->closed)) {
        /* As .NET's *Async: a close aborts the operation. */
        csend__socket_error(err, CSEND_SOCKET_ERROR_OPERATION_ABORTED, ECANCELED, p->done);
        err->native_error = e;
        if (is_stream(s))
            atomic_store(&s->connected, false);
    } else {
        fail(s, e, p->done, err);
    }
    return op_end(p, -1, err);
}

int csend_pending_wait_fd(const csend_pending *p)
{
    return p == NULL || p->s == NULL ? -1 : atomic_load(&p->s->fd);
}

int csend_pending_wants_read(const csend_pending *p)
{
    return p != NULL && p->o.events == POLLIN;
}

int64_t csend_pending_count(const csend_pending *p)
{
    return p == NULL ? 0 : p->done;
}

int csend_pending_remote(const csend_pending *p, csend_endpoint *remote)
{
    if (p == NULL || p->s != NULL || p->o.kind != OP_RECEIVE || p->o.msg.msg_name == NULL)
        return -1;
    *remote = p->remote;
    return remote->len > 0 ? 0 : -1;
}

csend_socket *csend_pending_take_accepted(csend_pending *p)
{
    if (p == NULL)
        return NULL;
    csend_socket *a = p->accepted;
    p->accepted = NULL;
    return a;
}

void csend_pending_free(csend_pending *p)
{
    if (p == NULL)
        return;
    if (p->s != NULL)
        op_end(p, 0, NULL);
    if (p->accepted != NULL)
        csend_socket_free(p->accepted); /* closes it: nobody took it */
    free(p->iov);
    free(p);
}
