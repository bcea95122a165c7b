/* What the core's files share; nothing here is public. */
#ifndef CSEND_INTERNAL_H
#define CSEND_INTERNAL_H

#include "csend.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <sys/socket.h>

struct csend_socket {
    atomic_int fd;           /* -1 once released */
    atomic_int refs;         /* the descriptor: 1 while open, +1 per operation in flight */
    atomic_int holds;        /* the memory: 1 for the owner, 1 while the descriptor lives */
    atomic_int waiting;      /* operations that may wait (in the kernel or in poll) */
    atomic_bool closed;      /* Dispose was called */
    atomic_bool connected;
    atomic_bool was_connected;   /* connected at some point (Shutdown ignores ENOTCONN then) */
    atomic_bool connect_pending; /* a non-blocking Connect said WouldBlock */
    atomic_bool bound;       /* has a local address: bind, connect, accept or a SendTo
                              * that succeeded (.NET's _rightEndPoint) */
    atomic_bool shutdown_send; /* Shutdown(Send or Both) was called */
    atomic_bool blocking;    /* csend's mode (contract §3); O_NONBLOCK follows it only when owned */
    bool owns_mode;          /* csend made the descriptor (open, accept): it may set O_NONBLOCK */
    atomic_bool async_mode;  /* an owned descriptor set O_NONBLOCK for a connect or accept that
                              * waits for the caller: it stays so, whatever the mode */
    int family, type, protocol; /* .NET numbers; type without SOCK_NONBLOCK/SOCK_CLOEXEC */
    _Atomic int64_t send_timeout_ms; /* 0 = infinite */
    _Atomic int64_t receive_timeout_ms;
    const csend_hooks *hooks;
    void *context;           /* the runtime's, for hooks->trace */
    char *bound_path;        /* a Unix-domain path this socket bound: removed at release */
};

/* Relaxed reads of the settings another thread may change at any time. */
static inline int csend__blocking(const csend_socket *s)
{
    return atomic_load_explicit(&s->blocking, memory_order_relaxed);
}

static inline int64_t csend__timeout(const _Atomic int64_t *slot)
{
    return atomic_load_explicit(slot, memory_order_relaxed);
}

/* ---- error.c: every way to fill a csend_error ---- */
void csend__argument_null(csend_error *err, const char *param);
void csend__argument(csend_error *err, const char *param, const char *what);
void csend__out_of_range_min(csend_error *err, const char *param, int64_t value, int64_t min);
void csend__out_of_range_max(csend_error *err, const char *param, int64_t value, int64_t max);
void csend__out_of_range_message(csend_error *err, const char *param, int64_t value,
                                 const char *what);
void csend__object_disposed(csend_error *err);
void csend__invalid_operation(csend_error *err, const char *message);
void csend__not_supported(csend_error *err, const char *message);
/* SocketException from an errno, with bytes already transferred. */
void csend__socket_errno(csend_error *err, int errnum, int64_t transferred);
/* SocketException with an explicit SocketError (the errno is kept). */
void csend__socket_error(csend_error *err, int socket_error, int errnum, int64_t transferred);
void csend__out_of_memory(csend_error *err);
void csend__runtime_interrupt(csend_error *err, int64_t transferred);

/* ---- validate.c: every argument check (contract §1 rows 3–5, §2, ranges) ----
 * 0 when min <= value <= max; else -1 with the out-of-range error for the
 * bound it crossed. */
int csend__check_range(csend_error *err, const char *param, int64_t value, int64_t min,
                       int64_t max);
/* The buffer and flags checks are inline: they run on every Send, and
 * their failures call out of line. */
int csend__check_buffer_failed(const void *buffer, int64_t len, int64_t offset, int64_t size,
                               csend_error *err);

/* 0 when buffer/offset/size are valid, else -1 with err filled. */
static inline int csend__check_buffer(const void *buffer, int64_t len, int64_t offset,
                                      int64_t size, csend_error *err)
{
    /* .NET lengths and offsets are int32: a larger value is out of range. */
    if (buffer != NULL && offset >= 0 && offset <= len && offset <= INT32_MAX && size >= 0 &&
        size <= len - offset && size <= INT32_MAX)
        return 0;
    return csend__check_buffer_failed(buffer, len, offset, size, err);
}

int csend__check_segment_count(int64_t count, csend_error *err);
int csend__check_segments(const csend_segment *segments, int64_t count, int64_t *total,
                          csend_error *err);

int csend__flags(int64_t flags, uint32_t allowed, const char *op, csend_error *err);

/* The OS flags for an allowed SocketFlags value, or -1 with err filled. */
static inline int csend__send_flags(int64_t flags, csend_error *err)
{
    if (flags == CSEND_FLAG_NONE)
        return MSG_NOSIGNAL;
    return csend__flags(flags, CSEND_FLAG_OUT_OF_BAND | CSEND_FLAG_DONT_ROUTE, "Send", err);
}

static inline int csend__receive_flags(int64_t flags, csend_error *err)
{
    int os = csend__flags(flags, CSEND_FLAG_OUT_OF_BAND | CSEND_FLAG_PEEK, "Receive", err);
    return os < 0 ? os : os & ~MSG_NOSIGNAL;
}

/* ---- socket.c: the operation guard (SafeSocketHandle) ---- */
/* Whether fd listens (SO_ACCEPTCONN); 0 when it cannot say. */
int csend__is_listening(int fd);
/* Whether fd has a local address of its own (a port, a path). */
int csend__has_address(int fd);
/* Drops one reference; the last one closes the descriptor. */
void csend__release_slow(csend_socket *s);

static inline void csend__leave(csend_socket *s)
{
    if (atomic_fetch_sub(&s->refs, 1) == 1)
        csend__release_slow(s);
}

/* Every public function accepts err == NULL (the caller does not want the
 * details): it then fills a value of its own. */
#define CSEND_ERR(err)                                                                        \
    csend_error err##_scratch;                                                                \
    if ((err) == NULL)                                                                        \
    (err) = &err##_scratch

/* Takes a reference for one operation; -1 with ArgumentNull socket for NULL,
 * ObjectDisposed when closed. */
static inline int csend__enter(csend_socket *s, csend_error *err)
{
    if (s == NULL) {
        csend__argument_null(err, "socket");
        return -1;
    }
    if (!atomic_load(&s->closed)) {
        atomic_fetch_add(&s->refs, 1);
        /* Close may have run between the check and the increment. */
        if (!atomic_load(&s->closed))
            return 0;
        csend__leave(s);
    }
    csend__object_disposed(err);
    return -1;
}

/* ---- trace.c ---- */
extern atomic_int csend__trace_on;
int csend__trace_from_environment(void);

/* Free when off: one relaxed load on every Send. */
static inline int csend__trace_enabled(void)
{
    int on = atomic_load_explicit(&csend__trace_on, memory_order_relaxed);
    return on >= 0 ? on : csend__trace_from_environment();
}
void csend__trace_begin(csend_socket *s, const char *op, int64_t size);
void csend__trace_segments(csend_socket *s, const csend_segment *segments, int64_t count,
                           int64_t n);
void csend__trace_error(csend_socket *s, const char *op, const csend_error *err);

#endif
