/* The *_async methods: .NET's SendAsync, SendToAsync, SendAsync(segments),
 * ReceiveAsync, ReceiveFromAsync, ConnectAsync and AcceptAsync on the
 * running asyncio loop (any loop: the default one, uvloop), with no helper
 * threads (contract §10).
 *
 * The call runs the synchronous method's checks and begins the core's
 * operation (csend_send_begin in SendAsync's mode, or csend_*_begin): every
 * error of an argument or of disposal is raised by the call itself, as .NET
 * throws synchronously.  When no earlier operation of the socket's line is
 * still pending, the first attempt is made at once, and an operation that
 * ends there returns an OperationDone: awaiting it never goes through the
 * loop.  Otherwise the operation goes to csend/_async.py, which queues it
 * behind the line's earlier ones and steps it whenever the loop sees the
 * descriptor ready.  The PendingOperation object below is what it steps: it
 * pins the buffers (a bytearray cannot be resized under it) until the
 * operation ends.
 *
 * A socket has two lines: sends (and connect), which wait for writability,
 * and receives (and accept), which wait for readability.  It counts the
 * operations of each line, pending or being called, and knows the loop they
 * belong to.  An operation's place in line is taken before it begins, so
 * code that runs inside the call (a trace callback, a signal handler)
 * cannot go ahead of it; a call from another loop is refused before
 * anything is sent or received. */
#include "binding.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int line_of(int kind)
{
    return kind <= CSENDPY_CONNECT ? 0 : 1;
}

/* ---- the core's operation, whichever it is ---- */

typedef struct {
    int kind;
    csend_pending_send send; /* CSENDPY_SEND: on the stack until it must wait */
    csend_pending *other;    /* the others */
    int64_t count;           /* the bytes moved, kept after the end */
} core_op;

static int op_begin(core_op *o, csend_socket *s, csendpy_async_args *a, csend_error *err)
{
    buffer_args *b = &a->b;
    o->other = NULL;
    o->count = 0;
    switch (o->kind) {
    case CSENDPY_SEND:
        return csend_send_begin(&o->send, s, b->view.buf, (int64_t)b->view.len, b->offset,
                                b->size, b->flags, CSEND_PENDING_ASYNC, err);
    case CSENDPY_SEND_TO:
        o->other = csend_send_to_begin(s, b->view.buf, (int64_t)b->view.len, b->offset, b->size,
                                       b->flags, a->has_ep ? &a->ep : NULL, err);
        break;
    case CSENDPY_SEND_SEGMENTS:
        o->other = csend_send_segments_begin(s, a->count < 0 ? NULL : a->segs,
                                             a->count < 0 ? 0 : a->count, b->flags, err);
        break;
    case CSENDPY_CONNECT:
        o->other = csend_connect_begin(s, a->has_ep ? &a->ep : NULL, err);
        break;
    case CSENDPY_RECEIVE:
        o->other = csend_receive_begin(s, b->view.buf, (int64_t)b->view.len, b->offset,
                                       b->size, b->flags, err);
        break;
    case CSENDPY_RECEIVE_FROM:
        o->other = csend_receive_from_begin(s, b->view.buf, (int64_t)b->view.len, b->offset,
                                            b->size, b->flags, err);
        break;
    default:
        o->other = csend_accept_begin(s, err);
        break;
    }
    return o->other == NULL ? -1 : 0;
}

/* 1 complete, 0 wait, -1 failed (err): as the core's steps. */
static int op_step(core_op *o, csend_error *err)
{
    int rc;
    if (o->kind == CSENDPY_SEND) {
        rc = csend_send_step(&o->send, NULL, err);
        o->count = o->send.done;
    } else {
        rc = csend_pending_step(o->other, err);
        o->count = csend_pending_count(o->other);
    }
    return rc;
}

static int op_fd(const core_op *o)
{
    return o->kind == CSENDPY_SEND ? csend_send_wait_fd(&o->send)
                                   : csend_pending_wait_fd(o->other);
}

/* Gives an unfinished operation up; frees the core's. Idempotent. */
static void op_end(core_op *o)
{
    if (o->kind == CSENDPY_SEND) {
        csend_send_end(&o->send);
    } else if (o->other != NULL) {
        o->count = csend_pending_count(o->other);
        csend_pending_free(o->other);
        o->other = NULL;
    }
}

/* The value of the await, for a complete operation (before op_end). */
static PyObject *op_result(PyObject *sock, core_op *o)
{
    switch (o->kind) {
    case CSENDPY_CONNECT:
        Py_RETURN_NONE;
    case CSENDPY_ACCEPT:
        return csendpy_adopt_accepted(sock, csend_pending_take_accepted(o->other));
    case CSENDPY_RECEIVE_FROM: {
        csend_endpoint from;
        PyObject *ep = csend_pending_remote(o->other, &from) == 0
                           ? csendpy_endpoint_object(&from)
                           : Py_NewRef(Py_None);
        return ep == NULL ? NULL : Py_BuildValue("(LN)", (long long)o->count, ep);
    }
    default:
        return PyLong_FromLongLong(o->count);
    }
}

/* ---- PendingOperation: an operation that waits ---- */

typedef struct {
    PyObject_HEAD
    core_op op;
    csendpy_async_args args; /* the pinned buffers, until the end */
    PyObject *sock;          /* the Socket, alive as long as this */
    PyObject *loop;          /* the loop it belongs to: the socket's async_loop */
    int counted;             /* counted in the socket's async_ops */
    int watch;               /* the duplicate the loop watches, or -1 */
} PendingObject;

static void release_args(csendpy_async_args *a)
{
    if (a->b.view.obj != NULL)
        PyBuffer_Release(&a->b.view);
    a->b.view.obj = NULL;
    csendpy_release_segments(a);
}

/* One operation fewer pending or being called in the line. */
static void leave_line(SocketObject *so, int line)
{
    so->async_ops[line]--;
    if (so->async_ops[0] == 0 && so->async_ops[1] == 0)
        so->async_loop = NULL;
}

/* The end of the operation, however it ends: the buffers go back. */
static void finish(PendingObject *p)
{
    op_end(&p->op);
    release_args(&p->args);
}

/* Out of its line (csend/_async.py has taken it out): the line's count
 * drops.  Not at the end of the operation: until the line is put right, a
 * call from another loop or thread must still find it taken. */
static void release(PendingObject *p)
{
    if (p->counted) {
        p->counted = 0;
        leave_line((SocketObject *)p->sock, line_of(p->op.kind));
    }
}

static PyObject *Pending_release(PyObject *op, PyObject *unused)
{
    (void)unused;
    release((PendingObject *)op);
    Py_RETURN_NONE;
}

/* step() -> (result,) when complete, None to wait for fileno() to be
 * ready; raises SocketException (ended) otherwise. */
static PyObject *Pending_step(PyObject *op, PyObject *unused)
{
    (void)unused;
    PendingObject *p = (PendingObject *)op;
    csend_error err;
    int rc = op_step(&p->op, &err);
    if (rc == 0)
        Py_RETURN_NONE;
    PyObject *r = rc > 0 ? op_result(p->sock, &p->op) : csendpy_raise(STATE(p->sock), &err);
    finish(p);
    if (r == NULL)
        return NULL;
    PyObject *one = PyTuple_Pack(1, r);
    Py_DECREF(r);
    return one;
}

static PyObject *Pending_close(PyObject *op, PyObject *unused)
{
    (void)unused;
    finish((PendingObject *)op);
    Py_RETURN_NONE;
}

static PyObject *Pending_fileno(PyObject *op, PyObject *unused)
{
    (void)unused;
    return PyLong_FromLong(op_fd(&((PendingObject *)op)->op));
}

/* watch_fd() -> a duplicate of the descriptor for the loop to watch (its
 * own number: valid until close_watch(), however the operation ends, and
 * closed with the operation object at the latest); raises SocketException
 * (TooManyOpenSockets...) with the count so far when the process has none
 * left. */
static PyObject *Pending_watch_fd(PyObject *op, PyObject *unused)
{
    (void)unused;
    PendingObject *p = (PendingObject *)op;
    if (p->watch < 0)
        p->watch = fcntl(op_fd(&p->op), F_DUPFD_CLOEXEC, 0);
    if (p->watch >= 0)
        return PyLong_FromLong(p->watch);
    csend_error err = {.kind = CSEND_ERR_SOCKET,
                       .socket_error = csend_socket_error_from_errno(errno),
                       .native_error = errno,
                       .bytes_transferred = p->op.count};
    snprintf(err.message, sizeof err.message, "%s", strerror(errno));
    return csendpy_raise(STATE(p->sock), &err);
}

static void close_watch(PendingObject *p)
{
    if (p->watch >= 0) {
        close(p->watch);
        p->watch = -1;
    }
}

static PyObject *Pending_close_watch(PyObject *op, PyObject *unused)
{
    (void)unused;
    close_watch((PendingObject *)op);
    Py_RETURN_NONE;
}

static PyObject *Pending_count(PyObject *op, void *unused)
{
    (void)unused;
    return PyLong_FromLongLong(((PendingObject *)op)->op.count);
}

static PyObject *Pending_readable(PyObject *op, void *unused)
{
    (void)unused;
    return PyBool_FromLong(line_of(((PendingObject *)op)->op.kind) == 1);
}

static int Pending_traverse(PyObject *op, visitproc visit, void *arg)
{
    PendingObject *p = (PendingObject *)op;
    Py_VISIT(Py_TYPE(op));
    Py_VISIT(p->sock);
    Py_VISIT(p->loop);
    Py_VISIT(p->args.b.view.obj);
    Py_VISIT(p->args.seq);
    return 0;
}

static void Pending_dealloc(PyObject *op)
{
    PendingObject *p = (PendingObject *)op;
    PyTypeObject *type = Py_TYPE(op);
    PyObject_GC_UnTrack(op);
    finish(p);
    release(p);
    close_watch(p);
    Py_CLEAR(p->sock);
    Py_CLEAR(p->loop);
    type->tp_free(op);
    Py_DECREF(type);
}

static PyMethodDef Pending_methods[] = {
    {"step", Pending_step, METH_NOARGS,
     "step($self, /)\n--\n\nAttempts until the kernel would block: (result,) when the\n"
     "operation is complete, None to wait for fileno() to be ready. Raises\n"
     "SocketException."},
    {"close", Pending_close, METH_NOARGS,
     "close($self, /)\n--\n\nGives the operation up (a cancelled task); `count` stays."},
    {"watch_fd", Pending_watch_fd, METH_NOARGS,
     "watch_fd($self, /)\n--\n\nA duplicate of the descriptor for the loop to watch."},
    {"release", Pending_release, METH_NOARGS,
     "release($self, /)\n--\n\nOut of its line: the socket's count of the line drops."},
    {"close_watch", Pending_close_watch, METH_NOARGS,
     "close_watch($self, /)\n--\n\nCloses the duplicate watch_fd() made (once unwatched)."},
    {"fileno", Pending_fileno, METH_NOARGS,
     "fileno($self, /)\n--\n\nThe descriptor to wait on, held open until the operation ends."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Pending_getset[] = {
    {"count", Pending_count, NULL, "The bytes moved so far.", NULL},
    {"readable", Pending_readable, NULL, "True: wait for readability; False: writability.",
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot Pending_slots[] = {
    {Py_tp_doc, "An operation of the *_async methods still pending: csend/_async.py steps it."},
    {Py_tp_dealloc, __extension__(void *)Pending_dealloc},
    {Py_tp_traverse, __extension__(void *)Pending_traverse},
    {Py_tp_methods, Pending_methods},
    {Py_tp_getset, Pending_getset},
    {0, NULL},
};

PyType_Spec csendpy_pending_spec = {
    .name = "csend._core.PendingOperation",
    .basicsize = sizeof(PendingObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = Pending_slots,
};

/* ---- OperationDone: an operation that ended within the call ----
 *
 * Awaiting it gives the result (or raises) at once, without a round trip
 * through the loop.  It answers the Future protocol asyncio duck-types
 * (_asyncio_future_blocking, done, result, add_done_callback, get_loop), so
 * gather, wait and ensure_future take it as a finished future. */
typedef struct {
    PyObject_HEAD
    PyObject *result;    /* the count, or NULL */
    PyObject *exception; /* or the SocketException */
    PyObject *tb;        /* its traceback when made (NULL: none), restored on each raise */
    PyObject *loop;      /* the running loop of the call */
    int64_t count;       /* the bytes moved */
} DoneObject;

static void done_raise(DoneObject *d)
{
    PyException_SetTraceback(d->exception, d->tb ? d->tb : Py_None);
    PyErr_SetObject((PyObject *)Py_TYPE(d->exception), d->exception);
}

static PyObject *Done_await(PyObject *op)
{
    return Py_NewRef(op);
}

static PyObject *Done_next(PyObject *op)
{
    DoneObject *d = (DoneObject *)op;
    if (d->exception != NULL) {
        done_raise(d);
        return NULL;
    }
    /* StopIteration(count): the value of the await. */
    PyObject *stop = PyObject_CallOneArg(PyExc_StopIteration, d->result);
    if (stop != NULL) {
        PyErr_SetObject(PyExc_StopIteration, stop);
        Py_DECREF(stop);
    }
    return NULL;
}

/* The await itself (PyIter_Send): the count comes back as a return value,
 * with no StopIteration made for it. */
static PySendResult Done_send(PyObject *op, PyObject *arg, PyObject **presult)
{
    (void)arg;
    DoneObject *d = (DoneObject *)op;
    if (d->exception != NULL) {
        done_raise(d);
        *presult = NULL;
        return PYGEN_ERROR;
    }
    *presult = Py_NewRef(d->result);
    return PYGEN_RETURN;
}

static PyObject *Done_result(PyObject *op, PyObject *unused)
{
    (void)unused;
    DoneObject *d = (DoneObject *)op;
    if (d->exception != NULL) {
        done_raise(d);
        return NULL;
    }
    return Py_NewRef(d->result);
}

static PyObject *Done_exception(PyObject *op, PyObject *unused)
{
    (void)unused;
    DoneObject *d = (DoneObject *)op;
    return Py_NewRef(d->exception ? d->exception : Py_None);
}

static PyObject *Done_true(PyObject *op, PyObject *unused)
{
    (void)op;
    (void)unused;
    Py_RETURN_TRUE;
}

static PyObject *Done_false(PyObject *op, PyObject *unused)
{
    (void)op;
    (void)unused;
    Py_RETURN_FALSE;
}

static PyObject *Done_cancel(PyObject *op, PyObject *args, PyObject *kwds)
{
    static char *names[] = {"msg", NULL};
    PyObject *msg = Py_None;
    (void)op;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:cancel", names, &msg))
        return NULL;
    Py_RETURN_FALSE; /* an ended operation cannot be cancelled */
}

static PyObject *Done_get_loop(PyObject *op, PyObject *unused)
{
    (void)unused;
    return Py_NewRef(((DoneObject *)op)->loop);
}

/* add_done_callback(fn, *, context=None): already done, so scheduled at
 * once, as asyncio.Future does. */
static PyObject *Done_add_done_callback(PyObject *op, PyObject *args, PyObject *kwds)
{
    static char *names[] = {"fn", "context", NULL};
    PyObject *fn, *context = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|$O:add_done_callback", names, &fn, &context))
        return NULL;
    PyObject *call_soon = PyObject_GetAttrString(((DoneObject *)op)->loop, "call_soon");
    if (call_soon == NULL)
        return NULL;
    PyObject *a = PyTuple_Pack(2, fn, op);
    PyObject *k = a ? Py_BuildValue("{s:O}", "context", context) : NULL;
    PyObject *r = k ? PyObject_Call(call_soon, a, k) : NULL;
    Py_XDECREF(a);
    Py_XDECREF(k);
    Py_DECREF(call_soon);
    if (r == NULL)
        return NULL;
    Py_DECREF(r);
    Py_RETURN_NONE;
}

static PyObject *Done_remove_done_callback(PyObject *op, PyObject *fn)
{
    (void)op;
    (void)fn;
    return PyLong_FromLong(0);
}

static PyObject *Done_bytes(PyObject *op, void *unused)
{
    (void)unused;
    return PyLong_FromLongLong(((DoneObject *)op)->count);
}

static PyObject *Done_blocking(PyObject *op, void *unused)
{
    (void)op;
    (void)unused;
    Py_RETURN_FALSE; /* asyncio.isfuture: a future, never to be waited on */
}

static int Done_traverse(PyObject *op, visitproc visit, void *arg)
{
    DoneObject *d = (DoneObject *)op;
    Py_VISIT(Py_TYPE(op));
    Py_VISIT(d->result);
    Py_VISIT(d->exception);
    Py_VISIT(d->tb);
    Py_VISIT(d->loop);
    return 0;
}

static int Done_clear(PyObject *op)
{
    DoneObject *d = (DoneObject *)op;
    Py_CLEAR(d->result);
    Py_CLEAR(d->exception);
    Py_CLEAR(d->tb);
    Py_CLEAR(d->loop);
    return 0;
}

static void Done_dealloc(PyObject *op)
{
    PyTypeObject *type = Py_TYPE(op);
    PyObject_GC_UnTrack(op);
    Done_clear(op);
    type->tp_free(op);
    Py_DECREF(type);
}

static PyObject *Done_repr(PyObject *op)
{
    DoneObject *d = (DoneObject *)op;
    return d->exception ? PyUnicode_FromFormat("<csend.OperationDone exception=%R>", d->exception)
                        : PyUnicode_FromFormat("<csend.OperationDone result=%R>", d->result);
}

static PyMethodDef Done_methods[] = {
    {"done", Done_true, METH_NOARGS, "done($self, /)\n--\n\nTrue: the operation has ended."},
    {"cancelled", Done_false, METH_NOARGS, "cancelled($self, /)\n--\n\nFalse."},
    {"cancel", (PyCFunction)(void (*)(void))Done_cancel, METH_VARARGS | METH_KEYWORDS,
     "cancel($self, /, msg=None)\n--\n\nFalse: an ended operation cannot be cancelled."},
    {"result", Done_result, METH_NOARGS,
     "result($self, /)\n--\n\nThe result, or raises the operation's exception."},
    {"exception", Done_exception, METH_NOARGS,
     "exception($self, /)\n--\n\nThe operation's exception, or None."},
    {"get_loop", Done_get_loop, METH_NOARGS, "get_loop($self, /)\n--\n\nThe running loop."},
    {"add_done_callback", (PyCFunction)(void (*)(void))Done_add_done_callback,
     METH_VARARGS | METH_KEYWORDS,
     "add_done_callback($self, fn, /, *, context=None)\n--\n\nSchedules fn(self) at once."},
    {"__class_getitem__", Py_GenericAlias, METH_O | METH_CLASS,
     "OperationDone[T]: the type of an operation that gives T."},
    {"remove_done_callback", Done_remove_done_callback, METH_O,
     "remove_done_callback($self, fn, /)\n--\n\n0: none is kept."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Done_getset[] = {
    {"bytes_transferred", Done_bytes, NULL, "The bytes moved.", NULL},
    {"_asyncio_future_blocking", Done_blocking, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot Done_slots[] = {
    {Py_tp_doc, "An operation of the *_async methods that ended within the call: awaiting "
                "it never goes through the loop."},
    {Py_tp_dealloc, __extension__(void *)Done_dealloc},
    {Py_tp_traverse, __extension__(void *)Done_traverse},
    {Py_tp_clear, __extension__(void *)Done_clear},
    {Py_tp_repr, __extension__(void *)Done_repr},
    {Py_am_await, __extension__(void *)Done_await},
    {Py_am_send, __extension__(void *)Done_send},
    {Py_tp_iter, __extension__(void *)Done_await},
    {Py_tp_iternext, __extension__(void *)Done_next},
    {Py_tp_methods, Done_methods},
    {Py_tp_getset, Done_getset},
    {0, NULL},
};

PyType_Spec csendpy_done_spec = {
    .name = "csend.OperationDone",
    .basicsize = sizeof(DoneObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = Done_slots,
};

static PyObject *done_object(csendpy_state *st, PyObject *loop, PyObject *result,
                             PyObject *exception, int64_t count)
{
    DoneObject *d = PyObject_GC_New(DoneObject, st->done_type);
    if (d == NULL)
        return NULL;
    d->result = Py_XNewRef(result);
    d->exception = Py_XNewRef(exception);
    d->tb = exception ? PyException_GetTraceback(exception) : NULL;
    d->loop = Py_NewRef(loop);
    d->count = count;
    PyObject_GC_Track((PyObject *)d);
    return (PyObject *)d;
}

/* The OperationDone of an operation that ended in the call: its result, or
 * the exception err describes (raised from the await, as .NET's). */
static PyObject *ended(csendpy_state *st, PyObject *sock, PyObject *loop, core_op *o, int rc,
                       const csend_error *err)
{
    if (rc > 0) {
        PyObject *r = op_result(sock, o);
        PyObject *d = r ? done_object(st, loop, r, NULL, o->count) : NULL;
        Py_XDECREF(r);
        return d;
    }
    csendpy_raise(st, err);
    PyObject *type, *exc, *tb;
    PyErr_Fetch(&type, &exc, &tb);
    PyErr_NormalizeException(&type, &exc, &tb);
    if (tb != NULL)
        PyException_SetTraceback(exc, tb);
    Py_XDECREF(type);
    Py_XDECREF(tb);
    PyObject *d = exc ? done_object(st, loop, NULL, exc, o->count) : NULL;
    Py_XDECREF(exc);
    return d;
}

/* Calls csend._async's function. */
static PyObject *call_async(csendpy_state *st, int which, PyObject *a, PyObject *b, PyObject *c)
{
    return PyObject_CallFunctionObjArgs(st->async_fns[which], a, b, c, NULL);
}

/* The same, when the caller has a result (or an exception) to return all
 * the same: a failure there is reported as unraisable. */
static void call_async_quietly(csendpy_state *st, int which, PyObject *a, PyObject *b)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyObject *r = call_async(st, which, a, b, NULL);
    if (r == NULL)
        PyErr_WriteUnraisable(st->async_fns[which]);
    Py_XDECREF(r);
    PyErr_Restore(type, value, tb);
}

/* The operation, now waiting, in an object the loop's side steps; it takes
 * over the place in line the call took, and the arguments. */
static PyObject *pending_object(csendpy_state *st, PyObject *sock, PyObject *loop, core_op *o,
                                csendpy_async_args *a)
{
    PendingObject *p = PyObject_GC_New(PendingObject, st->pending_type);
    if (p == NULL)
        return NULL;
    p->op = *o; /* position-free: pointers to the buffers and the socket */
    p->args = *a;
    a->b.view.obj = NULL;
    a->seq = NULL;
    a->views = NULL;
    a->segs = NULL;
    a->got = 0;
    p->sock = Py_NewRef(sock);
    p->loop = Py_NewRef(loop);
    p->counted = 1;
    p->watch = -1;
    PyObject_GC_Track((PyObject *)p);
    return (PyObject *)p;
}

/* Nothing of the line is pending: the first attempt now. */
static PyObject *first_in_line(csendpy_state *st, PyObject *sock, PyObject *loop, int kind,
                               csendpy_async_args *a)
{
    SocketObject *so = (SocketObject *)sock;
    int line = line_of(kind);
    core_op o = {.kind = kind};
    csend_error err;
    so->async_ops[line]++;
    so->async_loop = loop;
    so->async_first[line] = 1;
    int rc = op_begin(&o, so->s, a, &err);
    rc = rc == 0 ? op_step(&o, &err) : -2; /* -2: refused, raised by the call */
    so->async_first[line] = 0;
    PyObject *result;
    if (rc == 0) {
        result = pending_object(st, sock, loop, &o, a);
        if (result == NULL) {
            op_end(&o);
            release_args(a);
            leave_line(so, line);
            return NULL;
        }
        PyObject *fut = call_async(st, ASYNC_FRONT, sock, loop, result);
        Py_DECREF(result);
        return fut;
    }
    result = rc == -2 ? csendpy_raise(st, &err) : ended(st, sock, loop, &o, rc, &err);
    op_end(&o);
    release_args(a);
    leave_line(so, line);
    if (so->async_ops[line] > 0) /* operations called during the attempt may go */
        call_async_quietly(st, ASYNC_RESUME, sock, PyBool_FromLong(line) /* immortal */);
    return result;
}

/* Behind pending operations: the place in line first, then the begin. */
static PyObject *behind(csendpy_state *st, PyObject *sock, PyObject *loop, int kind,
                        csendpy_async_args *a)
{
    SocketObject *so = (SocketObject *)sock;
    int line = line_of(kind);
    core_op o = {.kind = kind};
    csend_error err;
    so->async_ops[line]++;
    PyObject *fut = call_async(st, ASYNC_RESERVE, sock, loop, PyBool_FromLong(line));
    if (fut == NULL) {
        release_args(a);
        leave_line(so, line);
        return NULL;
    }
    PyObject *may_start = so->async_first[line] ? Py_False : Py_True;
    PyObject *p = NULL;
    if (op_begin(&o, so->s, a, &err) < 0)
        csendpy_raise(st, &err);
    else if ((p = pending_object(st, sock, loop, &o, a)) == NULL)
        op_end(&o);
    if (p == NULL) { /* refused, or no memory: the place goes to the next */
        release_args(a);
        leave_line(so, line);
        call_async_quietly(st, ASYNC_DROP, fut, may_start);
        Py_DECREF(fut);
        return NULL;
    }
    PyObject *r = call_async(st, ASYNC_ATTACH, fut, p, may_start);
    Py_DECREF(p);
    if (r == NULL) {
        Py_DECREF(fut);
        return NULL;
    }
    Py_DECREF(r);
    return fut;
}

static int loop_closed(PyObject *loop)
{
    PyObject *closed = PyObject_CallMethod(loop, "is_closed", NULL);
    int yes = closed != NULL ? PyObject_IsTrue(closed) : -1;
    Py_XDECREF(closed);
    return yes;
}

static int busy(const SocketObject *so)
{
    return so->async_first[0] || so->async_first[1];
}

/* The loop the socket's pending operations belong to is not this one: when
 * it is closed, they are given up (nothing will step them again);
 * otherwise the call is refused, before anything is sent or received. */
static int other_loop(csendpy_state *st, PyObject *sock)
{
    SocketObject *so = (SocketObject *)sock;
    int yes = loop_closed(so->async_loop);
    if (yes < 0)
        return -1;
    if (yes && !busy(so)) {
        PyObject *r = call_async(st, ASYNC_ABANDON, sock, NULL, NULL);
        if (r == NULL)
            return -1;
        Py_DECREF(r);
    }
    if (so->async_ops[0] + so->async_ops[1] > 0) {
        PyErr_SetString(PyExc_RuntimeError,
                        "this socket has operations pending on another event loop");
        return -1;
    }
    return 0;
}

PyObject *csendpy_async_lines(PyObject *mod, PyObject *sock)
{
    csendpy_state *st = PyModule_GetState(mod);
    if (!PyObject_TypeCheck(sock, st->socket_type)) {
        PyErr_SetString(PyExc_TypeError, "_lines() takes a csend.Socket");
        return NULL;
    }
    SocketObject *so = (SocketObject *)sock;
    if (so->async_lines == NULL) {
        so->async_lines = PyList_New(2);
        if (so->async_lines == NULL)
            return NULL;
        PyList_SET_ITEM(so->async_lines, 0, Py_NewRef(Py_None));
        PyList_SET_ITEM(so->async_lines, 1, Py_NewRef(Py_None));
    }
    return Py_NewRef(so->async_lines);
}

void csendpy_async_closed(PyObject *sock)
{
    SocketObject *so = (SocketObject *)sock;
    if (so->async_ops[0] + so->async_ops[1] == 0 || busy(so))
        return;
    int yes = loop_closed(so->async_loop);
    if (yes > 0)
        call_async_quietly(csendpy_state_of(Py_TYPE(sock)), ASYNC_ABANDON, sock, NULL);
    else if (yes < 0)
        PyErr_WriteUnraisable(sock);
}

PyObject *csendpy_async(PyObject *sock, int kind, csendpy_async_args *a)
{
    csendpy_state *st = STATE(sock);
    SocketObject *so = (SocketObject *)sock;
    if (st->async_fns[ASYNC_ABANDON] == NULL) {
        release_args(a);
        PyErr_SetString(PyExc_RuntimeError, "csend._async is not bound");
        return NULL;
    }
    PyObject *loop = PyObject_CallNoArgs(st->get_running_loop);
    if (loop == NULL || (so->async_ops[0] + so->async_ops[1] > 0 && so->async_loop != loop &&
                         other_loop(st, sock) < 0)) {
        /* Refused before anything moves; the operation's own checks come
         * first all the same, as they do with a loop. */
        core_op o = {.kind = kind};
        csend_error err;
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        if (op_begin(&o, so->s, a, &err) < 0) {
            Py_XDECREF(type);
            Py_XDECREF(value);
            Py_XDECREF(tb);
            csendpy_raise(st, &err);
        } else {
            op_end(&o);
            PyErr_Restore(type, value, tb);
        }
        release_args(a);
        Py_XDECREF(loop);
        return NULL;
    }
    PyObject *result = so->async_ops[line_of(kind)] == 0 ? first_in_line(st, sock, loop, kind, a)
                                                         : behind(st, sock, loop, kind, a);
    Py_DECREF(loop);
    return result;
}
