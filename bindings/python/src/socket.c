/* csend.Socket: the core's socket, its Send overloads and properties. */
#include "binding.h"

#include <math.h>

#include <unistd.h>

static void *lend_gil(void) { return PyEval_SaveThread(); }
static void take_gil(void *token) { PyEval_RestoreThread(token); }
static int signals_raised(void) { return PyErr_CheckSignals() < 0; }

/* The GIL is lent out around every call that may block or copies much;
 * pending signal handlers run on EINTR, so Ctrl-C stops a blocked send;
 * trace lines go to the callback of csend.set_trace. */
const csend_hooks csendpy_hooks = {lend_gil, take_gil, signals_raised, csendpy_trace};

/* A Socket object of this type, with no core socket yet: allocated before a
 * descriptor is adopted, so that adoption is the last step that can fail. */
static SocketObject *alloc_socket(PyTypeObject *type)
{
    SocketObject *self = (SocketObject *)type->tp_alloc(type, 0);
    if (self != NULL)
        self->s = NULL;
    return self;
}

static PyObject *adopt(SocketObject *self, csend_socket *s)
{
    csend_socket_set_hooks(s, &csendpy_hooks);
    csend_socket_set_context(s, STATE(self)); /* where its trace lines go */
    self->s = s;
    return (PyObject *)self;
}

static PyObject *Socket_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *names[] = {"family", "type", "proto", NULL};
    PyObject *o[3] = {NULL, NULL, NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OOO:Socket", names, &o[0], &o[1], &o[2]))
        return NULL;
    int64_t family = CSEND_AF_INTER_NETWORK, stype = CSEND_SOCK_STREAM, proto = 0;
    if ((o[0] && csendpy_int(o[0], "family", &family) < 0) ||
        (o[1] && csendpy_int(o[1], "type", &stype) < 0) ||
        (o[2] && csendpy_int(o[2], "proto", &proto) < 0))
        return NULL;
    SocketObject *self = alloc_socket(type);
    if (self == NULL)
        return NULL;
    csend_error err;
    csend_socket *s;
    Py_BEGIN_ALLOW_THREADS
    s = csend_socket_open(family, stype, proto, &err);
    Py_END_ALLOW_THREADS
    if (s == NULL) {
        Py_DECREF(self);
        return csendpy_raise(csendpy_state_of(type), &err);
    }
    return adopt(self, s);
}

/* The socket is made in __new__; __init__ accepts the same arguments so a
 * subclass may call super().__init__(family, type, proto). */
static int Socket_init(PyObject *self, PyObject *args, PyObject *kwds)
{
    (void)self;
    (void)args;
    (void)kwds;
    return 0;
}

/* Adopts fd: on failure the descriptor stays the caller's (csend.h). */
static PyObject *from_fd(PyTypeObject *type, int64_t fd)
{
    SocketObject *self = alloc_socket(type);
    if (self == NULL)
        return NULL;
    csend_error err;
    csend_socket *s = csend_socket_from_fd(fd, &err);
    if (s == NULL) {
        Py_DECREF(self);
        return csendpy_raise(csendpy_state_of(type), &err);
    }
    return adopt(self, s);
}

static PyObject *Socket_from_fd(PyObject *cls, PyObject *arg)
{
    int64_t fd;
    if (csendpy_int(arg, "fd", &fd) < 0)
        return NULL;
    return from_fd((PyTypeObject *)cls, fd);
}

/* from_socket's mode (contract §6): the Python socket's timeout, where it has
 * one.  None: blocking, no timeouts; 0.0: non-blocking; t: blocking with
 * send and receive timeouts of t seconds, rounded up to whole ms.  The
 * descriptor's O_NONBLOCK is left as the original set it. */
static int take_timeout(PyObject *self, PyObject *sock)
{
    PyObject *method = PyObject_GetAttrString(sock, "gettimeout");
    if (method == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError))
            return -1; /* its own failure (KeyboardInterrupt...) */
        PyErr_Clear();
        return 0; /* no timeout: the descriptor's mode */
    }
    PyObject *t = PyObject_CallNoArgs(method);
    Py_DECREF(method);
    if (t == NULL)
        return -1;
    int none = t == Py_None;
    double seconds = none ? -1.0 : PyFloat_AsDouble(t);
    if (!none && !(seconds >= 0.0) && !PyErr_Occurred()) /* negative or NaN */
        PyErr_Format(PyExc_ValueError, "sock.gettimeout() returned %R: not a timeout", t);
    Py_DECREF(t);
    if (PyErr_Occurred())
        return -1;
    csend_socket *s = ((SocketObject *)self)->s;
    csend_error err;
    int64_t ms = 0;
    if (seconds > 0) {
        double whole = ceil(seconds * 1000.0);
        ms = whole > (double)INT32_MAX ? INT32_MAX : (int64_t)whole;
    }
    if (csend_set_blocking(s, seconds != 0.0, &err) < 0 ||
        csend_set_send_timeout(s, ms, &err) < 0 || csend_set_receive_timeout(s, ms, &err) < 0) {
        csendpy_raise(STATE(self), &err);
        return -1;
    }
    return 0;
}

static PyObject *Socket_from_socket(PyObject *cls, PyObject *sock)
{
    PyObject *method = PyLong_Check(sock) ? NULL : PyObject_GetAttrString(sock, "fileno");
    if (method == NULL) {
        if (PyLong_Check(sock) || PyErr_ExceptionMatches(PyExc_AttributeError)) {
            PyErr_Format(PyExc_TypeError,
                         "from_socket() takes a socket object (with fileno()), not %.100s; "
                         "from_fd() takes a descriptor",
                         Py_TYPE(sock)->tp_name);
        }
        return NULL;
    }
    PyObject *n = PyObject_CallNoArgs(method);
    Py_DECREF(method);
    if (n == NULL)
        return NULL;
    int64_t fd;
    int rc = csendpy_int(n, "fileno()", &fd);
    Py_DECREF(n);
    if (rc < 0)
        return NULL;
    if (fd == -1) {
        /* A closed Python socket: the caller passed sock, not a descriptor. */
        PyObject *exc = PyObject_CallFunction(
            csendpy_state_of((PyTypeObject *)cls)->by_kind[CSEND_ERR_ARGUMENT], "ss",
            "The socket is closed: its fileno() is -1. (Parameter 'sock')", "sock");
        if (exc != NULL) {
            PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
            Py_DECREF(exc);
        }
        return NULL;
    }
    csend_error err;
    int copy = csend_dup_fd(fd, &err);
    if (copy < 0)
        return csendpy_raise(csendpy_state_of((PyTypeObject *)cls), &err);
    PyObject *self = from_fd((PyTypeObject *)cls, copy);
    if (self == NULL) {
        close(copy); /* the duplicate is ours until adopted */
        return NULL;
    }
    if (take_timeout(self, sock) < 0) {
        csend_close(((SocketObject *)self)->s); /* the duplicate: never handed out */
        Py_CLEAR(self);
    }
    return self;
}

static void Socket_finalize(PyObject *op)
{
    SocketObject *self = (SocketObject *)op;
    if (self->s != NULL && !csend_is_closed(self->s)) {
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        if (PyErr_ResourceWarning(op, 1, "unclosed %R", op) < 0)
            PyErr_WriteUnraisable(op);
        /* As socket.socket: the warning may keep the object alive (a
         * recorded warning holds its source), but not the descriptor, and
         * it warns once. */
        csend_close(self->s);
        PyErr_Restore(type, value, tb);
    }
}

static int Socket_traverse(PyObject *op, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(op));
    Py_VISIT(((SocketObject *)op)->async_lines);
    return 0;
}

static int Socket_clear(PyObject *op)
{
    Py_CLEAR(((SocketObject *)op)->async_lines);
    return 0;
}

static void Socket_dealloc(PyObject *op)
{
    if (PyObject_CallFinalizerFromDealloc(op) < 0)
        return;
    PyObject_GC_UnTrack(op);
    SocketObject *self = (SocketObject *)op;
    PyTypeObject *type = Py_TYPE(op);
    Socket_clear(op);
    csend_socket_free(self->s);
    type->tp_free(op);
    Py_DECREF(type); /* instances of a heap type hold it */
}

static PyObject *Socket_repr(PyObject *op)
{
    SocketObject *self = (SocketObject *)op;
    csend_error err;
    if (csend_is_closed(self->s))
        return PyUnicode_FromFormat("<csend.Socket [closed] family=%d type=%d>",
                                    csend_get_family(self->s), csend_get_type(self->s));
    return PyUnicode_FromFormat("<csend.Socket fd=%d family=%d type=%d proto=%d blocking=%s>",
                                csend_get_fd(self->s), csend_get_family(self->s),
                                csend_get_type(self->s), csend_get_protocol(self->s),
                                csend_get_blocking(self->s, &err) == 1 ? "True" : "False");
}

/* ---- Send and its overloads ---- */

static void release_args(buffer_args *a)
{
    if (a->view.obj != NULL)
        PyBuffer_Release(&a->view);
}

/* (buffer, offset, size, flags): positional in .NET's order; offset 0,
 * size the rest of the buffer and flags None when left out or None. */
static int buffer_arguments(PyObject **slot, const char *function, int writable, buffer_args *a)
{
    a->view.obj = NULL;
    if (slot[0] == NULL) {
        PyErr_Format(PyExc_TypeError, "%s() missing required argument 'buffer'", function);
        return -1;
    }
    a->offset = 0;
    a->flags = 0;
    /* None is "not given", as a trailing argument left out. */
    for (int i = 1; i < 4; i++)
        if (slot[i] == Py_None)
            slot[i] = NULL;
    if ((slot[1] && csendpy_int(slot[1], "offset", &a->offset) < 0) ||
        (slot[2] && csendpy_int(slot[2], "size", &a->size) < 0) ||
        (slot[3] && csendpy_int(slot[3], "flags", &a->flags) < 0))
        return -1;
    if (csendpy_buffer(slot[0], &a->view, writable) < 0)
        return -1;
    if (slot[2] == NULL) {
        int64_t len = (int64_t)a->view.len;
        a->size = csend_rest_of_buffer(len, a->offset);
    }
    return 0;
}

static const char *const send_names[] = {"buffer", "offset", "size", "flags"};
static const csendpy_signature send_sig = {send_names, 4, "send"};
static const csendpy_signature try_send_sig = {send_names, 4, "try_send"};
static const csendpy_signature receive_sig = {send_names, 4, "receive"};

/* Parses (buffer, offset, size, flags) and runs csend_send, or csend_try_send
 * when code is not NULL: the count, -1 with err filled, or -2 when a Python
 * exception is already set. */
static int64_t send_call(PyObject *op, PyObject *const *args, Py_ssize_t nargs,
                         PyObject *kwnames, const csendpy_signature *sig, int *code,
                         csend_error *err)
{
    PyObject *slot[4];
    buffer_args a = {.view = {.obj = NULL}};
    int64_t n = -2;
    if (csendpy_parse(sig, args, nargs, kwnames, slot) == 0 &&
        buffer_arguments(slot, sig->function, 0, &a) == 0) {
        csend_socket *s = ((SocketObject *)op)->s;
        n = code ? csend_try_send(s, a.view.buf, (int64_t)a.view.len, a.offset, a.size, a.flags,
                                  code, err)
                 : csend_send(s, a.view.buf, (int64_t)a.view.len, a.offset, a.size, a.flags, err);
    }
    release_args(&a);
    return n;
}

static PyObject *Socket_send(PyObject *op, PyObject *const *args, Py_ssize_t nargs,
                             PyObject *kwnames)
{
    csend_error err;
    int64_t n = send_call(op, args, nargs, kwnames, &send_sig, NULL, &err);
    if (n < 0)
        return n == -2 ? NULL : csendpy_raise(STATE(op), &err);
    return PyLong_FromLongLong(n);
}

/* An asynchronous operation's buffer outlives the call: even bytes (read in
 * place by the synchronous forms) are exported, so that the operation holds
 * them.  None stays NULL: the core reports it. */
static int pin(PyObject *o, buffer_args *a)
{
    if (a->view.obj == NULL && o != Py_None && PyObject_GetBuffer(o, &a->view, PyBUF_SIMPLE) < 0)
        return -1;
    return 0;
}

static const csendpy_signature send_async_sig = {send_names, 4, "send_async"};
static const csendpy_signature receive_async_sig = {send_names, 4, "receive_async"};
static const csendpy_signature receive_from_async_sig = {send_names, 4, "receive_from_async"};

/* send_async, receive_async, receive_from_async: (buffer, offset, size,
 * flags) as their synchronous forms; pending.c does the rest. */
static PyObject *buffer_async(PyObject *op, PyObject *const *args, Py_ssize_t nargs,
                              PyObject *kwnames, const csendpy_signature *sig, int kind)
{
    PyObject *slot[4];
    csendpy_async_args a = {.b = {.view = {.obj = NULL}}};
    int writable = kind != CSENDPY_SEND;
    if (csendpy_parse(sig, args, nargs, kwnames, slot) < 0 ||
        buffer_arguments(slot, sig->function, writable, &a.b) < 0 ||
        (!writable && pin(slot[0], &a.b) < 0)) {
        release_args(&a.b);
        return NULL;
    }
    return csendpy_async(op, kind, &a);
}

static PyObject *Socket_send_async(PyObject *op, PyObject *const *args, Py_ssize_t nargs,
                                   PyObject *kwnames)
{
    return buffer_async(op, args, nargs, kwnames, &send_async_sig, CSENDPY_SEND);
}

static PyObject *Socket_receive_async(PyObject *op, PyObject *const *args, Py_ssize_t nargs,
                                      PyObject *kwnames)
{
    return buffer_async(op, args, nargs, kwnames, &receive_async_sig, CSENDPY_RECEIVE);
}

static PyObject *Socket_receive_from_async(PyObject *op, PyObject *const *args,
                                           Py_ssize_t nargs, PyObject *kwnames)
{
    return buffer_async(op, args, nargs, kwnames, &receive_from_async_sig,
                        CSENDPY_RECEIVE_FROM);
}

static PyObject *Socket_try_send(PyObject *op, PyObject *const *args, Py_ssize_t nargs,
                                 PyObject *kwnames)
{
    csend_error err;
    int code;
    int64_t n = send_call(op, args, nargs, kwnames, &try_send_sig, &code, &err);
    if (n < 0)
        return n == -2 ? NULL : csendpy_raise(STATE(op), &err);
    PyObject *member = csendpy_socket_error(STATE(op), code);
    if (member == NULL)
        return NULL;
    return Py_BuildValue("(LN)", (long long)n, member);
}

static const char *const send_to_names[] = {"buffer", "offset", "size", "flags", "remote_ep"};
static const csendpy_signature send_to_sig = {send_to_names, 5, "send_to"};

/* send_to's overloads -> the buffer arguments and the endpoint: 0, or -1
 * with an exception set (a's buffer released). */
static int send_to_arguments(SocketObject *self, PyObject *const *args, Py_ssize_t nargs,
                             PyObject *kwnames, const csendpy_signature *sig, int async,
                             csendpy_async_args *a)
{
    PyObject *slot[5];
    a->b.view.obj = NULL;
    if (csendpy_parse(sig, args, nargs, kwnames, slot) < 0)
        return -1;
    /* .NET's overloads put remoteEP last: (buffer, ep), (buffer, flags, ep),
     * (buffer, size, flags, ep), (buffer, offset, size, flags, ep). */
    if (slot[4] == NULL && nargs >= 2 && nargs <= 4) {
        /* The middle positionals are the last of (offset, size, flags). */
        int k = (int)nargs - 2;
        PyObject *mid[3] = {NULL, NULL, NULL};
        for (int i = 0; i < k; i++)
            mid[3 - k + i] = args[1 + i];
        for (int j = 1; j <= 3; j++) {
            PyObject *keyword = j >= nargs ? slot[j] : NULL;
            if (keyword != NULL && mid[j - 1] != NULL) {
                PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'",
                             sig->function, send_to_names[j]);
                return -1;
            }
            slot[j] = mid[j - 1] ? mid[j - 1] : keyword;
        }
        slot[4] = args[nargs - 1];
    }
    if (slot[4] == NULL) {
        PyErr_Format(PyExc_TypeError, "%s() missing required argument 'remote_ep'",
                     sig->function);
        return -1;
    }
    if (buffer_arguments(slot, sig->function, 0, &a->b) < 0)
        goto fail;
    int has = csendpy_endpoint(STATE(self), self->s, slot[4], &a->ep);
    if (has < 0)
        goto fail;
    a->has_ep = has == 0;
    if (async && pin(slot[0], &a->b) < 0)
        goto fail;
    return 0;
fail:
    release_args(&a->b);
    return -1;
}

static PyObject *Socket_send_to(PyObject *op, PyObject *const *args, Py_ssize_t nargs,
                                PyObject *kwnames)
{
    SocketObject *self = (SocketObject *)op;
    csendpy_async_args a;
    if (send_to_arguments(self, args, nargs, kwnames, &send_to_sig, 0, &a) < 0)
        return NULL;
    csend_error err;
    int64_t n = csend_send_to(self->s, a.b.view.buf, (int64_t)a.b.view.len, a.b.offset,
                              a.b.size, a.b.flags, a.has_ep ? &a.ep : NULL, &err);
    release_args(&a.b);
    if (n < 0)
        return csendpy_raise(STATE(op), &err);
    return PyLong_FromLongLong(n);
}

static const csendpy_signature send_to_async_sig = {send_to_names, 5, "send_to_async"};

static PyObject *Socket_send_to_async(PyObject *op, PyObject *const *args, Py_ssize_t nargs,
                                      PyObject *kwnames)
{
    csendpy_async_args a = {.b = {.view = {.obj = NULL}}};
    if (send_to_arguments((SocketObject *)op, args, nargs, kwnames, &send_to_async_sig, 1,
                          &a) < 0)
        return NULL;
    return csendpy_async(op, CSENDPY_SEND_TO, &a);
}

static const char *const segments_names[] = {"buffers", "flags"};
static const csendpy_signature segments_sig = {segments_names, 2, "send_segments"};
static const csendpy_signature segments_async_sig = {segments_names, 2, "send_segments_async"};

void csendpy_release_segments(csendpy_async_args *a)
{
    for (Py_ssize_t i = 0; i < a->got; i++)
        if (a->views[i].obj != NULL)
            PyBuffer_Release(&a->views[i]);
    a->got = 0;
    PyMem_Free(a->views);
    PyMem_Free(a->segs);
    a->views = NULL;
    a->segs = NULL;
    Py_CLEAR(a->seq);
}

/* (buffers, flags) -> the segments: 1, 0 when buffers is None (the core
 * reports it), or -1 with an exception set (nothing held). */
static int segments_arguments(SocketObject *self, PyObject *const *args, Py_ssize_t nargs,
                              PyObject *kwnames, const csendpy_signature *sig,
                              csendpy_async_args *a)
{
    PyObject *slot[2];
    if (csendpy_parse(sig, args, nargs, kwnames, slot) < 0)
        return -1;
    if (slot[0] == NULL) {
        PyErr_Format(PyExc_TypeError, "%s() missing required argument 'buffers'",
                     sig->function);
        return -1;
    }
    a->b.flags = 0;
    if (slot[1] && slot[1] != Py_None && csendpy_int(slot[1], "flags", &a->b.flags) < 0)
        return -1;
    if (slot[0] == Py_None)
        return 0;
    if (PyObject_CheckBuffer(slot[0])) {
        /* One buffer is not a list of them (and iterating a memoryview of
         * several dimensions fails in its own way). */
        PyErr_Format(PyExc_TypeError,
                     "buffers must be a sequence of bytes-like objects, not a single %.100s "
                     "(send() takes one buffer)",
                     Py_TYPE(slot[0])->tp_name);
        return -1;
    }
    /* A tuple of the items, not the list itself: it holds a reference to
     * every item while the GIL is out (or the operation pends), so another
     * thread that clears or mutates the list cannot free a buffer the
     * kernel is reading. */
    a->seq = PyTuple_CheckExact(slot[0]) ? Py_NewRef(slot[0]) : PySequence_Tuple(slot[0]);
    if (a->seq == NULL) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            PyErr_SetString(PyExc_TypeError, "buffers must be a sequence of bytes-like objects");
        }
        return -1;
    }
    a->count = PyTuple_GET_SIZE(a->seq);
    csend_error err;
    if (csend_check_segment_count(self->s, a->count, &err) < 0) {
        Py_CLEAR(a->seq);
        csendpy_raise(STATE(self), &err);
        return -1;
    }
    a->views = PyMem_Calloc((size_t)(a->count ? a->count : 1), sizeof *a->views);
    a->segs = PyMem_Calloc((size_t)(a->count ? a->count : 1), sizeof *a->segs);
    a->got = 0;
    if (a->views == NULL || a->segs == NULL) {
        PyErr_NoMemory();
        csendpy_release_segments(a);
        return -1;
    }
    for (; a->got < a->count; a->got++) {
        if (csendpy_buffer(PyTuple_GET_ITEM(a->seq, a->got), &a->views[a->got], 0) < 0) {
            csendpy_release_segments(a);
            return -1;
        }
        a->segs[a->got].base = a->views[a->got].buf;
        a->segs[a->got].len = (int64_t)a->views[a->got].len;
    }
    return 1;
}

static PyObject *Socket_send_segments(PyObject *op, PyObject *const *args, Py_ssize_t nargs,
                                      PyObject *kwnames)
{
    SocketObject *self = (SocketObject *)op;
    csendpy_async_args a = {.seq = NULL};
    int rc = segments_arguments(self, args, nargs, kwnames, &segments_sig, &a);
    if (rc < 0)
        return NULL;
    csend_error err;
    int64_t n = csend_send_segments(self->s, rc ? a.segs : NULL, rc ? a.count : 0, a.b.flags,
                                    &err);
    csendpy_release_segments(&a);
    return n < 0 ? csendpy_raise(STATE(op), &err) : PyLong_FromLongLong(n);
}

static PyObject *Socket_send_segments_async(PyObject *op, PyObject *const *args,
                                            Py_ssize_t nargs, PyObject *kwnames)
{
    csendpy_async_args a = {.seq = NULL};
    int rc = segments_arguments((SocketObject *)op, args, nargs, kwnames, &segments_async_sig,
                                &a);
    if (rc < 0)
        return NULL;
    a.count = rc ? a.count : -1; /* -1: None, for the core to report */
    return csendpy_async(op, CSENDPY_SEND_SEGMENTS, &a);
}

static PyObject *Socket_receive(PyObject *op, PyObject *const *args, Py_ssize_t nargs,
                                PyObject *kwnames)
{
    SocketObject *self = (SocketObject *)op;
    PyObject *slot[4];
    buffer_args a = {.view = {.obj = NULL}};
    if (csendpy_parse(&receive_sig, args, nargs, kwnames, slot) < 0 ||
        buffer_arguments(slot, "receive", 1, &a) < 0) {
        release_args(&a);
        return NULL;
    }
    csend_error err;
    int64_t n = csend_receive(self->s, a.view.buf, (int64_t)a.view.len, a.offset, a.size,
                              a.flags, &err);
    release_args(&a);
    if (n < 0)
        return csendpy_raise(STATE(op), &err);
    return PyLong_FromLongLong(n);
}

static const csendpy_signature receive_from_sig = {send_names, 4, "receive_from"};

static PyObject *Socket_receive_from(PyObject *op, PyObject *const *args, Py_ssize_t nargs,
                                     PyObject *kwnames)
{
    SocketObject *self = (SocketObject *)op;
    PyObject *slot[4];
    buffer_args a = {.view = {.obj = NULL}};
    if (csendpy_parse(&receive_from_sig, args, nargs, kwnames, slot) < 0 ||
        buffer_arguments(slot, "receive_from", 1, &a) < 0) {
        release_args(&a);
        return NULL;
    }
    csend_error err;
    csend_endpoint from;
    int64_t n = csend_receive_from(self->s, a.view.buf, (int64_t)a.view.len, a.offset, a.size,
                                   a.flags, &from, &err);
    release_args(&a);
    if (n < 0)
        return csendpy_raise(STATE(op), &err);
    PyObject *ep = csendpy_endpoint_object(&from);
    return ep == NULL ? NULL : Py_BuildValue("(LN)", (long long)n, ep);
}

/* ---- socket options ---- */

/* (enabled, seconds) -> a LingerOption; None -> NULL (the core reports it).
 * 0, or -1 with a TypeError set. */
static int linger_arg(PyObject *o, csend_linger *l, const csend_linger **out)
{
    *out = NULL;
    if (o == Py_None)
        return 0;
    PyObject *seq = PySequence_Check(o) && !PyUnicode_Check(o) && !PyObject_CheckBuffer(o)
                        ? PySequence_Tuple(o) : NULL;
    if (seq == NULL && PyErr_Occurred() && !PyErr_ExceptionMatches(PyExc_TypeError))
        return -1; /* the sequence's own failure (MemoryError, KeyboardInterrupt...) */
    if (seq == NULL || PyTuple_GET_SIZE(seq) != 2 || !PyBool_Check(PyTuple_GET_ITEM(seq, 0))) {
        Py_XDECREF(seq);
        PyErr_Clear();
        PyErr_SetString(PyExc_TypeError, "a linger value is (enabled: bool, seconds: int)");
        return -1;
    }
    l->enabled = PyTuple_GET_ITEM(seq, 0) == Py_True;
    int rc = csendpy_int(PyTuple_GET_ITEM(seq, 1), "seconds", &l->seconds);
    Py_DECREF(seq);
    if (rc == 0)
        *out = l;
    return rc;
}

static PyObject *linger_object(const csend_linger *l)
{
    return Py_BuildValue("(NL)", PyBool_FromLong(l->enabled), (long long)l->seconds);
}

static const char *const option_names[] = {"level", "name", "value"};
static const csendpy_signature set_option_sig = {option_names, 3, "set_socket_option"};
static const csendpy_signature get_option_sig = {option_names, 2, "get_socket_option"};

static PyObject *Socket_set_socket_option(PyObject *op, PyObject *const *args, Py_ssize_t nargs,
                                          PyObject *kwnames)
{
    SocketObject *self = (SocketObject *)op;
    PyObject *slot[3];
    int64_t level, name, value;
    if (csendpy_parse(&set_option_sig, args, nargs, kwnames, slot) < 0)
        return NULL;
    if (slot[0] == NULL || slot[1] == NULL || slot[2] == NULL) {
        PyErr_SetString(PyExc_TypeError, "set_socket_option() takes (level, name, value)");
        return NULL;
    }
    if (csendpy_int(slot[0], "level", &level) < 0 || csendpy_int(slot[1], "name", &name) < 0)
        return NULL;
    csend_error err;
    int rc;
    PyObject *v = slot[2];
    if (PyBool_Check(v)) {
        rc = csend_set_socket_option(self->s, level, name, v == Py_True, &err);
    } else if (PyLong_Check(v)) {
        if (csendpy_int(v, "value", &value) < 0)
            return NULL;
        rc = csend_set_socket_option(self->s, level, name, value, &err);
    } else {
        /* An object value: .NET's LingerOption, here (enabled, seconds). */
        csend_linger l;
        const csend_linger *lp;
        if (linger_arg(v, &l, &lp) < 0) {
            if (!csend_is_closed(self->s) || !PyErr_ExceptionMatches(PyExc_TypeError))
                return NULL;
            /* Disposed comes first, as everywhere: the core says so. */
            PyErr_Clear();
            lp = NULL;
        }
        rc = csend_set_socket_option_linger(self->s, level, name, lp, &err);
    }
    if (rc < 0)
        return csendpy_raise(STATE(op), &err);
    Py_RETURN_NONE;
}

static PyObject *Socket_get_socket_option(PyObject *op, PyObject *const *args, Py_ssize_t nargs,
                                          PyObject *kwnames)
{
    SocketObject *self = (SocketObject *)op;
    PyObject *slot[2];
    int64_t level, name, value;
    if (csendpy_parse(&get_option_sig, args, nargs, kwnames, slot) < 0)
        return NULL;
    if (slot[0] == NULL || slot[1] == NULL) {
        PyErr_SetString(PyExc_TypeError, "get_socket_option() takes (level, name)");
        return NULL;
    }
    if (csendpy_int(slot[0], "level", &level) < 0 || csendpy_int(slot[1], "name", &name) < 0)
        return NULL;
    csend_error err;
    csend_linger l;
    int kind = csend_get_socket_option(self->s, level, name, &value, &l, &err);
    if (kind < 0)
        return csendpy_raise(STATE(op), &err);
    return kind == 1 ? linger_object(&l) : PyLong_FromLongLong(value);
}

/* ---- connection ---- */

static PyObject *with_endpoint(SocketObject *self, PyObject *arg,
                               int (*fn)(csend_socket *, const csend_endpoint *, csend_error *))
{
    csend_endpoint ep;
    int has = csendpy_endpoint(STATE(self), self->s, arg, &ep);
    if (has < 0)
        return NULL;
    csend_error err;
    /* A call that may block lends the GIL through the socket's hooks. */
    int rc = fn(self->s, has == 0 ? &ep : NULL, &err);
    if (rc < 0)
        return csendpy_raise(STATE(self), &err);
    Py_RETURN_NONE;
}

static PyObject *Socket_connect(PyObject *op, PyObject *ep)
{
    return with_endpoint((SocketObject *)op, ep, csend_connect);
}

static PyObject *Socket_connect_async(PyObject *op, PyObject *arg)
{
    SocketObject *self = (SocketObject *)op;
    csendpy_async_args a = {.b = {.view = {.obj = NULL}}};
    int has = csendpy_endpoint(STATE(self), self->s, arg, &a.ep);
    if (has < 0)
        return NULL;
    a.has_ep = has == 0;
    return csendpy_async(op, CSENDPY_CONNECT, &a);
}

static PyObject *Socket_accept_async(PyObject *op, PyObject *unused)
{
    (void)unused;
    csendpy_async_args a = {.b = {.view = {.obj = NULL}}};
    return csendpy_async(op, CSENDPY_ACCEPT, &a);
}

PyObject *csendpy_adopt_accepted(PyObject *listener, csend_socket *a)
{
    SocketObject *conn = alloc_socket(STATE(listener)->socket_type);
    if (conn == NULL) {
        csend_socket_free(a);
        return NULL;
    }
    return adopt(conn, a);
}

static PyObject *Socket_bind(PyObject *op, PyObject *ep)
{
    return with_endpoint((SocketObject *)op, ep, csend_bind);
}

static PyObject *Socket_listen(PyObject *op, PyObject *const *args, Py_ssize_t nargs)
{
    SocketObject *self = (SocketObject *)op;
    int64_t backlog = CSEND_LISTEN_BACKLOG_DEFAULT;
    if (nargs > 1) {
        PyErr_SetString(PyExc_TypeError, "listen() takes at most 1 argument");
        return NULL;
    }
    if (nargs == 1 && csendpy_int(args[0], "backlog", &backlog) < 0)
        return NULL;
    csend_error err;
    if (csend_listen(self->s, backlog, &err) < 0)
        return csendpy_raise(STATE(op), &err);
    Py_RETURN_NONE;
}

static PyObject *Socket_accept(PyObject *op, PyObject *unused)
{
    (void)unused;
    SocketObject *self = (SocketObject *)op;
    SocketObject *conn = alloc_socket(STATE(op)->socket_type);
    if (conn == NULL)
        return NULL;
    csend_error err;
    csend_socket *a = csend_accept(self->s, &err);
    if (a == NULL) {
        Py_DECREF(conn);
        return csendpy_raise(STATE(op), &err);
    }
    return adopt(conn, a);
}

static PyObject *Socket_shutdown(PyObject *op, PyObject *arg)
{
    SocketObject *self = (SocketObject *)op;
    int64_t how;
    if (csendpy_int(arg, "how", &how) < 0)
        return NULL;
    csend_error err;
    if (csend_shutdown(self->s, how, &err) < 0)
        return csendpy_raise(STATE(op), &err);
    Py_RETURN_NONE;
}

static PyObject *Socket_close(PyObject *op, PyObject *unused)
{
    (void)unused;
    csend_close(((SocketObject *)op)->s);
    csendpy_async_closed(op);
    Py_RETURN_NONE;
}

static PyObject *Socket_fileno(PyObject *op, PyObject *unused)
{
    (void)unused;
    return PyLong_FromLong(csend_get_fd(((SocketObject *)op)->s));
}

static PyObject *Socket_enter(PyObject *op, PyObject *unused)
{
    (void)unused;
    return Py_NewRef(op);
}

static PyObject *Socket_exit(PyObject *op, PyObject *args)
{
    (void)args;
    csend_close(((SocketObject *)op)->s);
    csendpy_async_closed(op);
    Py_RETURN_FALSE;
}

/* ---- properties ---- */

#define S(op) (((SocketObject *)(op))->s)

typedef struct {
    int (*get)(csend_socket *, csend_error *);
    int (*set)(csend_socket *, int, csend_error *);
    const char *name;
} bool_property;

static const bool_property blocking = {csend_get_blocking, csend_set_blocking, "blocking"};
static const bool_property no_delay = {csend_get_no_delay, csend_set_no_delay, "no_delay"};
static const bool_property enable_broadcast = {csend_get_enable_broadcast,
                                               csend_set_enable_broadcast, "enable_broadcast"};
static const bool_property dont_fragment = {csend_get_dont_fragment, csend_set_dont_fragment,
                                            "dont_fragment"};
static const bool_property dual_mode = {csend_get_dual_mode, csend_set_dual_mode, "dual_mode"};

static PyObject *get_bool(PyObject *op, void *c)
{
    csend_error err;
    int v = ((const bool_property *)c)->get(S(op), &err);
    return v < 0 ? csendpy_raise(STATE(op), &err) : PyBool_FromLong(v);
}

static int set_bool(PyObject *op, PyObject *v, void *c)
{
    const bool_property *p = c;
    if (v == NULL || !PyBool_Check(v)) {
        PyErr_Format(PyExc_TypeError, "%s must be a bool", p->name);
        return -1;
    }
    csend_error err;
    if (p->set(S(op), v == Py_True, &err) < 0) {
        csendpy_raise(STATE(op), &err);
        return -1;
    }
    return 0;
}

typedef struct {
    int64_t (*get)(csend_socket *, csend_error *);
    int (*set)(csend_socket *, int64_t, csend_error *);
} ms_property;

static const ms_property send_timeout = {csend_get_send_timeout, csend_set_send_timeout};
static const ms_property receive_timeout = {csend_get_receive_timeout,
                                            csend_set_receive_timeout};
static const ms_property send_buffer_size = {csend_get_send_buffer_size,
                                             csend_set_send_buffer_size};
static const ms_property receive_buffer_size = {csend_get_receive_buffer_size,
                                                csend_set_receive_buffer_size};
static const ms_property ttl = {csend_get_ttl, csend_set_ttl};

static PyObject *get_ms(PyObject *op, void *c)
{
    csend_error err;
    int64_t v = ((const ms_property *)c)->get(S(op), &err);
    return v < 0 ? csendpy_raise(STATE(op), &err) : PyLong_FromLongLong(v);
}

static int set_ms(PyObject *op, PyObject *v, void *c)
{
    int64_t ms;
    if (v == NULL) {
        PyErr_SetString(PyExc_AttributeError, "cannot delete a socket property");
        return -1;
    }
    if (csendpy_int(v, "value", &ms) < 0)
        return -1;
    csend_error err;
    if (((const ms_property *)c)->set(S(op), ms, &err) < 0) {
        csendpy_raise(STATE(op), &err);
        return -1;
    }
    return 0;
}

static PyObject *get_linger(PyObject *op, void *c)
{
    (void)c;
    csend_error err;
    csend_linger l;
    if (csend_get_linger_state(S(op), &l, &err) < 0)
        return csendpy_raise(STATE(op), &err);
    return linger_object(&l);
}

static int set_linger(PyObject *op, PyObject *v, void *c)
{
    (void)c;
    if (v == NULL) {
        PyErr_SetString(PyExc_AttributeError, "cannot delete a socket property");
        return -1;
    }
    csend_linger l;
    const csend_linger *lp;
    if (linger_arg(v, &l, &lp) < 0)
        return -1;
    csend_error err;
    if (csend_set_linger_state(S(op), lp, &err) < 0) {
        csendpy_raise(STATE(op), &err);
        return -1;
    }
    return 0;
}

static PyObject *get_available(PyObject *op, void *c)
{
    (void)c;
    csend_error err;
    int64_t v = csend_get_available(S(op), &err);
    return v < 0 ? csendpy_raise(STATE(op), &err) : PyLong_FromLongLong(v);
}

static PyObject *get_connected(PyObject *op, void *c)
{
    (void)c;
    return PyBool_FromLong(csend_get_connected(S(op)));
}

static PyObject *get_closed(PyObject *op, void *c)
{
    (void)c;
    return PyBool_FromLong(csend_is_closed(S(op)));
}

static PyObject *get_endpoint(PyObject *op, void *c)
{
    csend_endpoint ep;
    csend_error err;
    int rc = c ? csend_get_remote_endpoint(S(op), &ep, &err)
               : csend_get_local_endpoint(S(op), &ep, &err);
    return rc < 0 ? csendpy_raise(STATE(op), &err) : csendpy_endpoint_object(&ep);
}

typedef struct {
    int (*get)(const csend_socket *);
    int which; /* the enum: 0 AddressFamily, 1 SocketType, 2 ProtocolType */
} int_property;

static const int_property family = {csend_get_family, 0};
static const int_property socket_type = {csend_get_type, 1};
static const int_property protocol = {csend_get_protocol, 2};

static PyObject *get_int(PyObject *op, void *c)
{
    const int_property *p = c;
    return csendpy_kind_member(STATE(op), p->which, p->get(S(op)));
}

static PyGetSetDef Socket_getset[] = {
    {"blocking", get_bool, set_bool, "Blocking: csend's own mode; an adopted descriptor's O_NONBLOCK is never changed.", (void *)&blocking},
    {"send_timeout", get_ms, set_ms, "SendTimeout in ms; 0 = infinite, -1 reads back as 0.", (void *)&send_timeout},
    {"receive_timeout", get_ms, set_ms, "ReceiveTimeout in ms; 0 = infinite.", (void *)&receive_timeout},
    {"available", get_available, NULL, "Bytes ready to be received.", NULL},
    {"connected", get_connected, NULL, "Connected as of the last operation (False after a failed send).", NULL},
    {"closed", get_closed, NULL, "True once close() was called.", NULL},
    {"no_delay", get_bool, set_bool, "NoDelay: TCP_NODELAY.", (void *)&no_delay},
    {"send_buffer_size", get_ms, set_ms, "SendBufferSize in bytes (SO_SNDBUF); < 0 is out of range.", (void *)&send_buffer_size},
    {"receive_buffer_size", get_ms, set_ms, "ReceiveBufferSize in bytes (SO_RCVBUF).", (void *)&receive_buffer_size},
    {"ttl", get_ms, set_ms, "Ttl: 0..255, IPv4 and IPv6 only.", (void *)&ttl},
    {"enable_broadcast", get_bool, set_bool, "EnableBroadcast: SO_BROADCAST.", (void *)&enable_broadcast},
    {"dont_fragment", get_bool, set_bool, "DontFragment: IPv4 only (NotSupportedException elsewhere).", (void *)&dont_fragment},
    {"dual_mode", get_bool, set_bool, "DualMode: an IPv6 socket that also takes IPv4 (not IPV6_V6ONLY).", (void *)&dual_mode},
    {"linger_state", get_linger, set_linger, "LingerState: (enabled, seconds).", NULL},
    {"local_endpoint", get_endpoint, NULL, "LocalEndPoint: (host, port), or a path for a Unix-domain socket; None until the socket is bound (by bind, connect, accept or a send_to).", NULL},
    {"remote_endpoint", get_endpoint, NULL, "RemoteEndPoint: the peer's endpoint, or None until connected.", (void *)1},
    {"family", get_int, NULL, "AddressFamily: the AddressFamily member (.NET's number).", (void *)&family},
    {"type", get_int, NULL, "SocketType: the SocketType member (.NET's number).", (void *)&socket_type},
    {"proto", get_int, NULL, "ProtocolType: the ProtocolType member (.NET's number).", (void *)&protocol},
    {NULL, NULL, NULL, NULL, NULL},
};

#define FASTKW (METH_FASTCALL | METH_KEYWORDS)
static PyMethodDef Socket_methods[] = {
    {"send_async", (PyCFunction)(void (*)(void))Socket_send_async, FASTKW,
     "send_async($self, /, buffer, offset=0, size=None, flags=csend.SocketFlags.NONE)\n--\n\n"
     "System.Net.Sockets.Socket.SendAsync(buffer, socketFlags): awaitable, on the\n"
     "running asyncio loop (the default one or uvloop), with no helper threads.\n\n"
     "Disposal and the arguments are checked by the call itself, as send()\n"
     "checks them; the await gives the count (every byte of a stream, one\n"
     "datagram) or raises SocketException. Sends of one socket complete in\n"
     "call order and never interleave. Blocking and send_timeout do not apply;\n"
     "close() fails a pending send with OperationAborted (995); cancelling\n"
     "the awaiting task gives it up, and the future's bytes_transferred says\n"
     "what the kernel took. The buffer is pinned until the send ends.\n"
     "Outside a running loop, or while operations of the socket pend on\n"
     "another loop: RuntimeError, before anything is sent."},
    {"send_to_async", (PyCFunction)(void (*)(void))Socket_send_to_async, FASTKW,
     "send_to_async($self, buffer, /, *args, **kwargs)\n--\n\n"
     "Socket.SendToAsync: send_to's overloads and checks, awaited as send_async\n"
     "(in line with the socket's sends). The await gives the count."},
    {"send_segments_async", (PyCFunction)(void (*)(void))Socket_send_segments_async, FASTKW,
     "send_segments_async($self, /, buffers, flags=csend.SocketFlags.NONE)\n--\n\n"
     "Socket.SendAsync(IList<ArraySegment<byte>>): send_segments' checks,\n"
     "awaited as send_async. Every buffer is pinned until the send ends."},
    {"receive_async", (PyCFunction)(void (*)(void))Socket_receive_async, FASTKW,
     "receive_async($self, /, buffer, offset=0, size=None, flags=csend.SocketFlags.NONE)\n--\n\n"
     "Socket.ReceiveAsync: receive's checks; the await gives the count of bytes\n"
     "written into buffer (0 at the end of the stream) once any came.\n"
     "Receives of one socket complete in call order; receive_timeout does not\n"
     "apply; close() fails a pending receive with OperationAborted (995)."},
    {"receive_from_async", (PyCFunction)(void (*)(void))Socket_receive_from_async, FASTKW,
     "receive_from_async($self, /, buffer, offset=0, size=None, flags=csend.SocketFlags.NONE)\n--\n\n"
     "Socket.ReceiveFromAsync: receive_from's checks (a bound socket); the\n"
     "await gives (count, remote_ep), in line with the socket's receives."},
    {"connect_async", Socket_connect_async, METH_O,
     "connect_async($self, remote_ep, /)\n--\n\n"
     "Socket.ConnectAsync: connect's checks; the await gives None once\n"
     "connected, or raises SocketException (ConnectionRefused...). A name is\n"
     "resolved by the call. An adopted descriptor that blocks underneath is\n"
     "InvalidOperationException (its O_NONBLOCK is never touched)."},
    {"accept_async", Socket_accept_async, METH_NOARGS,
     "accept_async($self, /)\n--\n\n"
     "Socket.AcceptAsync: accept's check (a listening socket); the await gives\n"
     "the next connection, as a new blocking Socket, in line with the\n"
     "socket's receives."},
    {"send", (PyCFunction)(void (*)(void))Socket_send, FASTKW,
     "send($self, /, buffer, offset=0, size=None, flags=csend.SocketFlags.NONE)\n--\n\n"
     "Socket.Send(buffer, offset, size, socketFlags): hand bytes to the kernel.\n\n"
     ".NET's overloads: send(buffer), send(buffer, flags=f), send(buffer,\n"
     "size=n, flags=f), send(buffer, offset, size, flags). Left out (or None):\n"
     "offset 0, size the rest of the buffer, flags SocketFlags.NONE. buffer is\n"
     "any C-contiguous buffer; offset and size count bytes.\n\n"
     "Blocking (the default): returns only when all size bytes are sent, within\n"
     "send_timeout ms if set. Non-blocking: one attempt; the count may be less.\n\n"
     "Returns the number of bytes sent.\n"
     "Raises ObjectDisposedException (closed), ArgumentNullException (buffer\n"
     "None), ArgumentOutOfRangeException (offset, size, socketFlags beyond 32\n"
     "bits), SocketException (flags other than OUT_OF_BAND and DONT_ROUTE:\n"
     "OperationNotSupported; then the OS's error, with bytes_transferred)."},
    {"try_send", (PyCFunction)(void (*)(void))Socket_try_send, FASTKW,
     "try_send($self, /, buffer, offset=0, size=None, flags=csend.SocketFlags.NONE)\n--\n\n"
     "Socket.Send(buffer, offset, size, socketFlags, out SocketError).\n\n"
     "As send, but a socket failure is returned, not raised: (count, code),\n"
     "where count is what the kernel took before the failure and code is\n"
     "SocketError.SUCCESS when there was none. ObjectDisposedException and\n"
     "the argument exceptions are still raised."},
    {"send_to", (PyCFunction)(void (*)(void))Socket_send_to, FASTKW,
     "send_to($self, buffer, /, *args, **kwargs)\n--\n\n"
     "Socket.SendTo: one datagram to an endpoint.\n\n"
     ".NET's overloads, the endpoint always last: send_to(buffer, remote_ep),\n"
     "send_to(buffer, flags, remote_ep), send_to(buffer, size, flags,\n"
     "remote_ep), send_to(buffer, offset, size, flags, remote_ep); keywords\n"
     "offset, size, flags and remote_ep work too. remote_ep is (host, port),\n"
     "or a path for a Unix-domain socket. A successful send_to binds an\n"
     "unbound socket (local_endpoint is then set).\n\n"
     "Returns the number of bytes sent.\n"
     "Raises as send, and ArgumentNullException (remoteEP None)."},
    {"send_segments", (PyCFunction)(void (*)(void))Socket_send_segments, FASTKW,
     "send_segments($self, /, buffers, flags=csend.SocketFlags.NONE)\n--\n\n"
     "Socket.Send(IList<ArraySegment<byte>>, socketFlags): the gather form.\n\n"
     "buffers is a sequence of buffers, sent in order as one stream of bytes\n"
     "(one datagram on a datagram socket). The items are held for the whole\n"
     "call, whatever another thread does to the sequence.\n\n"
     "Returns the number of bytes sent.\n"
     "Raises ObjectDisposedException, ArgumentNullException (buffers None, or\n"
     "an item None), ArgumentException (buffers empty),\n"
     "ArgumentOutOfRangeException, SocketException."},
    {"receive", (PyCFunction)(void (*)(void))Socket_receive, FASTKW,
     "receive($self, /, buffer, offset=0, size=None, flags=csend.SocketFlags.NONE)\n--\n\n"
     "Socket.Receive(buffer, offset, size, socketFlags) into a writable buffer.\n\n"
     "Waits (blocking mode, up to receive_timeout ms) for data; flags may be\n"
     "OUT_OF_BAND and PEEK. Returns the count, 0 at the end of a stream.\n"
     "Raises as send (TimedOut when receive_timeout passes)."},
    {"receive_from", (PyCFunction)(void (*)(void))Socket_receive_from, FASTKW,
     "receive_from($self, /, buffer, offset=0, size=None, flags=csend.SocketFlags.NONE)\n--\n\n"
     "Socket.ReceiveFrom: one datagram into a writable buffer, and its sender.\n\n"
     "Returns (count, endpoint): (host, port), or a path for a Unix-domain\n"
     "socket (a connected stream socket names its peer).\n"
     "Raises as receive, and InvalidOperationException when the socket is\n"
     "not bound yet (.NET: 'You must call the Bind method...')."},
    {"set_socket_option", (PyCFunction)(void (*)(void))Socket_set_socket_option, FASTKW,
     "set_socket_option($self, /, level, name, value)\n--\n\n"
     "Socket.SetSocketOption(SocketOptionLevel, SocketOptionName, value).\n\n"
     "value: an int, a bool, or (enabled, seconds) for SocketOptionName.LINGER\n"
     "(.NET's LingerOption). Raises ObjectDisposedException;\n"
     "ArgumentNullException optionValue (None for LINGER); ArgumentException\n"
     "optionValue (a pair for any other name, seconds outside 0..65535);\n"
     "SocketException ProtocolOption for a pair Linux does not have."},
    {"get_socket_option", (PyCFunction)(void (*)(void))Socket_get_socket_option, FASTKW,
     "get_socket_option($self, /, level, name)\n--\n\n"
     "Socket.GetSocketOption(SocketOptionLevel, SocketOptionName).\n\n"
     "Returns an int, or (enabled, seconds) for LINGER. ERROR reads (and\n"
     "clears) the pending error as its SocketError number.\n"
     "Raises ObjectDisposedException, SocketException (ProtocolOption)."},
    {"connect", Socket_connect, METH_O,
     "connect($self, remote_ep, /)\n--\n\n"
     "Socket.Connect: (host, port), or a path for a Unix-domain socket.\n\n"
     "A blocking connect waits (Ctrl-C and close() interrupt it); a\n"
     "non-blocking one still in progress raises SocketException WouldBlock,\n"
     "and `connected` turns true once it completes.\n"
     "Raises ObjectDisposedException (before any name is resolved),\n"
     "ArgumentNullException, SocketException (HostNotFound, ConnectionRefused...)."},
    {"bind", Socket_bind, METH_O,
     "bind($self, local_ep, /)\n--\n\n"
     "Socket.Bind: (host, port), or a path for a Unix-domain socket (removed\n"
     "again when the socket closes).\n"
     "Raises ObjectDisposedException, ArgumentNullException, SocketException."},
    {"listen", (PyCFunction)(void (*)(void))Socket_listen, METH_FASTCALL,
     "listen($self, backlog=2147483647, /)\n--\n\n"
     "Socket.Listen(backlog); without one, .NET's Listen(): int.MaxValue, which\n"
     "the kernel caps at net.core.somaxconn.\n"
     "Raises ObjectDisposedException, ArgumentOutOfRangeException (backlog < 0),\n"
     "SocketException."},
    {"accept", Socket_accept, METH_NOARGS,
     "accept($self, /)\n--\n\n"
     "Socket.Accept: the next connection, as a new blocking Socket.\n"
     "Raises ObjectDisposedException, SocketException (WouldBlock when\n"
     "non-blocking and none is waiting)."},
    {"shutdown", Socket_shutdown, METH_O,
     "shutdown($self, how, /)\n--\n\n"
     "Socket.Shutdown(SocketShutdown.RECEIVE, SEND or BOTH). After SEND or\n"
     "BOTH, a later close is graceful. A socket once connected shuts down\n"
     "without error after its connection closed.\n"
     "Raises ObjectDisposedException, ArgumentOutOfRangeException (how),\n"
     "SocketException (NotConnected for a socket never connected)."},
    {"close", Socket_close, METH_NOARGS,
     "close($self, /)\n--\n\n"
     "Socket.Close (Dispose): idempotent. Calls blocked in other threads wake\n"
     "and fail (a TCP socket not shut down for sending is reset, so its peer\n"
     "cannot mistake an aborted transfer for a complete one); the descriptor\n"
     "is released when the last of them returns."},
    {"fileno", Socket_fileno, METH_NOARGS,
     "fileno($self, /)\n--\n\nSocket.Handle: the descriptor, -1 once closed."},
    {"from_fd", Socket_from_fd, METH_O | METH_CLASS,
     "from_fd($type, fd, /)\n--\n\n"
     "new Socket(SafeSocketHandle): adopt a descriptor; the Socket owns it from\n"
     "then on (it stays the caller's if this raises). Family and type are read\n"
     "from it; the mode starts as its O_NONBLOCK flag, which csend never changes.\n"
     "Raises ArgumentOutOfRangeException (fd), SocketException (NotSocket)."},
    {"from_socket", Socket_from_socket, METH_O | METH_CLASS,
     "from_socket($type, sock, /)\n--\n\n"
     "A csend Socket on a duplicate of sock's descriptor (any object with\n"
     "fileno()); sock stays open, and csend's mode and timeouts never change\n"
     "it. (The two share one socket: closing this one while another thread\n"
     "waits on it shuts the connection down for both.) The mode follows sock's\n"
     "timeout: None -> blocking; 0.0 -> non-blocking; t -> blocking with\n"
     "send_timeout and receive_timeout of t seconds (rounded up to ms).\n"
     "Raises TypeError (no fileno()), ArgumentException (sock closed),\n"
     "SocketException."},
    {"__enter__", Socket_enter, METH_NOARGS, "__enter__($self, /)\n--\n\nReturns the socket."},
    {"__exit__", Socket_exit, METH_VARARGS,
     "__exit__($self, /, *exc_info)\n--\n\nCloses the socket."},
    {NULL, NULL, 0, NULL},
};

/* A heap type, made for each module object from this spec (PEP 489, as
 * CPython's own modules): its module's state is where errors, the
 * SocketError members and the trace callback are found. */
static PyType_Slot Socket_slots[] = {
    {Py_tp_doc, "Socket(family=csend.AddressFamily.INTER_NETWORK, type=csend.SocketType.STREAM, proto=0)\n--\n\n"
                "System.Net.Sockets.Socket: new Socket(addressFamily, socketType,\n"
                "protocolType), whose send() keeps .NET's Socket.Send contract.\n\n"
                "family, type and proto take csend's enums or the stdlib's socket.AF_*\n"
                "and SOCK_* numbers; proto 0 means TCP for a stream and UDP for a\n"
                "datagram IP socket. A context manager: `with` closes it.\n"
                "Raises ArgumentOutOfRangeException (beyond 32 bits), SocketException."},
    {Py_tp_new, __extension__(void *)Socket_new},
    {Py_tp_init, __extension__(void *)Socket_init},
    {Py_tp_dealloc, __extension__(void *)Socket_dealloc},
    {Py_tp_traverse, __extension__(void *)Socket_traverse},
    {Py_tp_clear, __extension__(void *)Socket_clear},
    {Py_tp_finalize, __extension__(void *)Socket_finalize},
    {Py_tp_repr, __extension__(void *)Socket_repr},
    {Py_tp_methods, Socket_methods},
    {Py_tp_getset, Socket_getset},
    {0, NULL},
};

PyType_Spec csendpy_socket_spec = {
    .name = "csend.Socket",
    .basicsize = sizeof(SocketObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = Socket_slots,
};
