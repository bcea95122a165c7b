/* What the files of the Python binding share. */
#ifndef CSEND_PY_BINDING_H
#define CSEND_PY_BINDING_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "csend.h"

typedef struct {
    PyObject_HEAD
    csend_socket *s;
    /* The *_async methods (pending.c), for each line (0: sends and connect,
     * 1: receives and accept): the operations pending or being called, and
     * whether a call is making its first attempt; and the loop they all
     * belong to (held by each pending operation; not a reference of its own). */
    Py_ssize_t async_ops[2];
    int async_first[2];
    PyObject *async_loop;
    /* csend/_async.py's two lines of futures ([sends, receives], each a
     * deque or None), held by the socket: a cycle through a socket nobody
     * holds any more (its loop closed) is the collector's. */
    PyObject *async_lines;
} SocketObject;

/* The module's state (one per module object, as PEP 489 has it): the Socket
 * type, the exception classes handed over by csend/__init__.py, and the
 * trace callback. */
typedef struct {
    PyTypeObject *socket_type;
    PyObject *by_kind[CSEND_ERR_NOT_SUPPORTED + 1]; /* the class of each error kind */
    PyObject *socket_error_enum;
    PyObject *members;        /* SocketError members by number */
    PyObject *kind_enums[3];  /* AddressFamily, SocketType, ProtocolType */
    PyObject *trace_callback; /* set_trace's, or NULL */
    PyTypeObject *pending_type;  /* PendingSend */
    PyTypeObject *done_type;     /* SendDone */
    PyObject *async_fns[6];      /* csend._async's reserve ... abandon, by _bind_async */
    PyObject *get_running_loop;  /* asyncio.get_running_loop */
} csendpy_state;

extern PyModuleDef csendpy_module;
/* The state of the module that made type (Socket or a subclass of it). */
csendpy_state *csendpy_state_of(PyTypeObject *type);
#define STATE(op) csendpy_state_of(Py_TYPE(op))

/* socket.c */
extern PyType_Spec csendpy_socket_spec;
extern const csend_hooks csendpy_hooks;
/* module.c: hooks->trace, the lines of set_trace's callback (context: the
 * state) */
int csendpy_trace(const char *line, void *context);

/* A buffer argument and its offset, size and flags, as parsed. */
typedef struct {
    Py_buffer view;
    int64_t offset, size, flags;
} buffer_args;

/* The arguments of an asynchronous operation (contract §10), parsed by
 * socket.c as their synchronous forms parse them. */
enum {
    CSENDPY_SEND,
    CSENDPY_SEND_TO,
    CSENDPY_SEND_SEGMENTS,
    CSENDPY_CONNECT, /* the last that waits for writability: in line with the sends */
    CSENDPY_RECEIVE,
    CSENDPY_RECEIVE_FROM,
    CSENDPY_ACCEPT
};
typedef struct {
    buffer_args b;           /* send, send_to, receive, receive_from; b.flags for segments */
    csend_endpoint ep;       /* send_to, connect */
    int has_ep;              /* ep holds one (0: None was given) */
    PyObject *seq;           /* send_segments: the items, held */
    Py_buffer *views;        /* their buffers ... */
    csend_segment *segs;     /* ... as the core's segments */
    Py_ssize_t count, got;   /* count -1: None was given */
} csendpy_async_args;
void csendpy_release_segments(csendpy_async_args *a);
/* The wrapped socket of an accepted connection (a freed on failure). */
PyObject *csendpy_adopt_accepted(PyObject *listener, csend_socket *a);

/* pending.c: the *_async methods; a's resources are the callee's, released
 * or owned by the operation, whatever happens. */
extern PyType_Spec csendpy_pending_spec;
extern PyType_Spec csendpy_done_spec;
PyObject *csendpy_async(PyObject *sock, int kind, csendpy_async_args *a);
/* _core._lines(sock): the socket's async_lines, made on first use. */
PyObject *csendpy_async_lines(PyObject *mod, PyObject *sock);
/* Socket.close: the pending sends of a loop that is closed are given up. */
void csendpy_async_closed(PyObject *sock);
/* csend._async's functions, in async_fns */
enum { ASYNC_RESERVE, ASYNC_ATTACH, ASYNC_DROP, ASYNC_FRONT, ASYNC_RESUME, ASYNC_ABANDON };

/* errors.c: the classes handed over by csend/__init__.py */
int csendpy_bind_classes(csendpy_state *st, PyObject *classes);
/* Raises the exception the core's error value names; returns NULL. */
PyObject *csendpy_raise(csendpy_state *st, const csend_error *err);
/* The SocketError member for a number (a new reference). */
PyObject *csendpy_socket_error(csendpy_state *st, int code);
/* The AddressFamily (0), SocketType (1) or ProtocolType (2) member for a
 * number, or the number when it names none. */
PyObject *csendpy_kind_member(csendpy_state *st, int which, int value);

/* args.c: argument translation, never validation */
typedef struct {
    const char *const *names; /* keyword names, in positional order */
    int count;
    const char *function;
} csendpy_signature;
/* Fills out[0..count) with borrowed references (NULL when not given). */
int csendpy_parse_slow(const csendpy_signature *sig, PyObject *const *args, Py_ssize_t nargs,
                       PyObject *kwnames, PyObject **out);

/* The common call, positional only, inline: the count is a constant where
 * it is used, so this is a few moves. */
static inline int csendpy_parse(const csendpy_signature *sig, PyObject *const *args,
                                Py_ssize_t nargs, PyObject *kwnames, PyObject **out)
{
    if (kwnames != NULL || nargs > sig->count)
        return csendpy_parse_slow(sig, args, nargs, kwnames, out);
    for (int i = 0; i < sig->count; i++)
        out[i] = i < nargs ? args[i] : NULL;
    return 0;
}
/* An integer argument as int64 (beyond int64 saturates, still out of range
 * for the core); a float, bool, None or str is a TypeError. */
int csendpy_int_slow(PyObject *o, const char *name, int64_t *v);

/* The common case inline: an int (or an IntFlag/IntEnum member) of one
 * digit, read without a call.  Booleans are not integers here. */
static inline int csendpy_int(PyObject *o, const char *name, int64_t *v)
{
#if PY_VERSION_HEX >= 0x030C0000
    if (PyLong_Check(o) && !PyBool_Check(o) && PyUnstable_Long_IsCompact((PyLongObject *)o)) {
        *v = (int64_t)PyUnstable_Long_CompactValue((PyLongObject *)o);
        return 0;
    }
#else
    if (PyLong_Check(o) && !PyBool_Check(o)) {
        Py_ssize_t size = Py_SIZE(o);
        if (size >= -1 && size <= 1) {
            *v = size * (int64_t)((PyLongObject *)o)->ob_digit[0];
            return 0;
        }
    }
#endif
    return csendpy_int_slow(o, name, v);
}
/* A readable (or writable) C-contiguous buffer, counted in bytes; None
 * gives a NULL buffer for the core to report. */
int csendpy_buffer(PyObject *o, Py_buffer *view, int writable);
/* An endpoint for a socket of this family: (host, port) or a path. */
int csendpy_endpoint(csendpy_state *st, csend_socket *s, PyObject *o, csend_endpoint *ep);
PyObject *csendpy_endpoint_object(const csend_endpoint *ep);

#endif
