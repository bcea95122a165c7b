/* What the core's files share; nothing here is public. */
#ifndef CSEND_INTERNAL_H
#define CSEND_INTERNAL_H

#include "csend.h"

#include <stdatomic.h>
#include <stdbool.h>

struct csend_socket {
    atomic_int fd;           /* -1 once released */
    atomic_int refs;         /* 1 while open, +1 per operation in flight */
    atomic_bool closed;      /* Dispose was called */
    atomic_bool connected;
    int blocking;            /* mirrors O_NONBLOCK */
    int family, type, protocol; /* .NET numbers */
    int64_t send_timeout_ms; /* 0 = infinite */
    int64_t receive_timeout_ms;
    const csend_hooks *hooks;
};

/* ---- error.c: every way to fill a csend_error ---- */
void csend__argument_null(csend_error *err, const char *param);
void csend__argument(csend_error *err, const char *param, const char *what);
void csend__out_of_range_min(csend_error *err, const char *param, int64_t value, int64_t min);
void csend__out_of_range_max(csend_error *err, const char *param, int64_t value, int64_t max);
void csend__object_disposed(csend_error *err);
/* SocketException from an errno, with bytes already transferred. */
void csend__socket_errno(csend_error *err, int errnum, int64_t transferred);
/* SocketException with an explicit SocketError (the errno is kept). */
void csend__socket_error(csend_error *err, int socket_error, int errnum, int64_t transferred);
void csend__out_of_memory(csend_error *err);
void csend__runtime_interrupt(csend_error *err, int64_t transferred);

/* ---- validate.c: SPEC §1 rows 3–5 ---- */
/* 0 when buffer/offset/size are valid, else -1 with err filled. */
int csend__check_buffer(const void *buffer, int64_t len, int64_t offset, int64_t size,
                        csend_error *err);
/* The OS flags for an allowed SocketFlags value, or -1 with err filled. */
int csend__send_flags(int64_t flags, csend_error *err);
int csend__receive_flags(int64_t flags, csend_error *err);

/* ---- socket.c: the operation guard (SafeSocketHandle) ---- */
/* Takes a reference for one operation; -1 with ObjectDisposed when closed. */
int csend__enter(csend_socket *s, csend_error *err);
void csend__leave(csend_socket *s);

/* ---- trace.c ---- */
int csend__trace_enabled(void);
void csend__trace_begin(csend_socket *s, const char *op, int64_t size);
void csend__trace_result(csend_socket *s, const char *op, const void *data, int64_t n);
void csend__trace_segments(csend_socket *s, const csend_segment *segments, int64_t count,
                           int64_t n);
void csend__trace_error(csend_socket *s, const char *op, const csend_error *err);

#endif
