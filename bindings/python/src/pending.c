/* Socket.send_async: .NET's SendAsync on the running asyncio loop (any
 * loop: the default one, uvloop), with no helper threads (contract §10).
 *
 * The call runs Send's checks and begins the core's pending send in
 * SendAsync's mode (csend_send_begin): every error of an argument or of
 * disposal is raised by the call itself, as .NET throws synchronously.  When
 * no earlier send of the socket is still pending, the first attempt is
 * made at once, and a send the kernel took whole returns a future that is
 * already done: awaiting it never goes through the loop.  Otherwise the
 * operation goes to csend/_async.py, which queues it behind the socket's
 * earlier sends and steps it whenever the loop sees the descriptor
 * writable.  The PendingSend object below is what it steps: it pins the
 * buffer (a bytearray cannot be resized under it) until the send ends. */
#include "binding.h"

#include <stddef.h>

#define STATE_OF_DONE(op) csendpy_state_of(Py_TYPE(op))

typedef struct {
    PyObject_HEAD
    csend_pending_send op;
    Py_buffer view;   /* pinned while the operation is pending */
    PyObject *sock;   /* the Socket, alive as long as this */
    int counted;      /* counted in the socket's async_sends */
} PendingObject;

/* The end of the operation, however it ends: the buffer goes back, and the
 * socket's count of pending sends drops. */
static void finish(PendingObject *p)
{
    csend_send_end(&p->op);
    if (p->view.obj != NULL)
        PyBuffer_Release(&p->view);
    if (p->counted) {
        p->counted = 0;
        ((SocketObject *)p->sock)->async_sends--;
    }
}

/* step() -> the count when the send is complete, None to wait for the
 * descriptor to be writable; raises SocketException (ended) otherwise. */
static PyObject *Pending_step(PyObject *op, PyObject *unused)
{
    (void)unused;
    PendingObject *p = (PendingObject *)op;
    csend_error err;
    int rc = csend_send_step(&p->op, NULL, &err);
    if (rc == 0)
        Py_RETURN_NONE;
    finish(p);
    if (rc < 0)
        return csendpy_raise(STATE(p->sock), &err);
    return PyLong_FromLongLong(p->op.done);
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
    return PyLong_FromLong(csend_send_wait_fd(&((PendingObject *)op)->op));
}

static PyObject *Pending_sent(PyObject *op, void *unused)
{
    (void)unused;
    return PyLong_FromLongLong(((PendingObject *)op)->op.done);
}

static int Pending_traverse(PyObject *op, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(op));
    Py_VISIT(((PendingObject *)op)->sock);
    Py_VISIT(((PendingObject *)op)->view.obj);
    return 0;
}

static void Pending_dealloc(PyObject *op)
{
    PendingObject *p = (PendingObject *)op;
    PyTypeObject *type = Py_TYPE(op);
    PyObject_GC_UnTrack(op);
    finish(p);
    Py_CLEAR(p->sock);
    type->tp_free(op);
    Py_DECREF(type);
}

static PyMethodDef Pending_methods[] = {
    {"step", Pending_step, METH_NOARGS,
     "step($self, /)\n--\n\nAttempts until the kernel is full: the count when the send is\n"
     "complete, None to wait for fileno() to be writable. Raises SocketException."},
    {"close", Pending_close, METH_NOARGS,
     "close($self, /)\n--\n\nGives the send up (a cancelled task); `sent` stays."},
    {"fileno", Pending_fileno, METH_NOARGS,
     "fileno($self, /)\n--\n\nThe descriptor to wait on, held open until the send ends."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Pending_getset[] = {
    {"sent", Pending_sent, NULL, "The bytes the kernel took so far.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot Pending_slots[] = {
    {Py_tp_doc, "A send_async still pending: csend/_async.py steps it."},
    {Py_tp_dealloc, __extension__(void *)Pending_dealloc},
    {Py_tp_traverse, __extension__(void *)Pending_traverse},
    {Py_tp_methods, Pending_methods},
    {Py_tp_getset, Pending_getset},
    {0, NULL},
};

PyType_Spec csendpy_pending_spec = {
    .name = "csend._core.PendingSend",
    .basicsize = sizeof(PendingObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = Pending_slots,
};

/* ---- SendDone: a send_async that ended within the call ----
 *
 * Awaiting it gives the count (or raises) at once, without a round trip
 * through the loop.  It answers the Future protocol asyncio duck-types
 * (_asyncio_future_blocking, done, result, add_done_callback, get_loop), so
 * gather, wait and ensure_future take it as a finished future. */
typedef struct {
    PyObject_HEAD
    PyObject *result;    /* the count, or NULL */
    PyObject *exception; /* or the SocketException */
} DoneObject;

static PyObject *Done_await(PyObject *op)
{
    return Py_NewRef(op);
}

static PyObject *Done_next(PyObject *op)
{
    DoneObject *d = (DoneObject *)op;
    if (d->exception != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(d->exception), d->exception);
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
        PyErr_SetObject((PyObject *)Py_TYPE(d->exception), d->exception);
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
        PyErr_SetObject((PyObject *)Py_TYPE(d->exception), d->exception);
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
    Py_RETURN_FALSE; /* an ended send cannot be cancelled */
}

static PyObject *Done_get_loop(PyObject *op, PyObject *unused)
{
    (void)unused;
    return PyObject_CallNoArgs(STATE_OF_DONE(op)->get_running_loop);
}

/* add_done_callback(fn, *, context=None): already done, so scheduled at
 * once, as asyncio.Future does. */
static PyObject *Done_add_done_callback(PyObject *op, PyObject *args, PyObject *kwds)
{
    static char *names[] = {"fn", "context", NULL};
    PyObject *fn, *context = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|$O:add_done_callback", names, &fn, &context))
        return NULL;
    PyObject *loop = PyObject_CallNoArgs(STATE_OF_DONE(op)->get_running_loop);
    if (loop == NULL)
        return NULL;
    PyObject *call_soon = PyObject_GetAttrString(loop, "call_soon");
    Py_DECREF(loop);
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
    DoneObject *d = (DoneObject *)op;
    if (d->result != NULL)
        return Py_NewRef(d->result);
    return PyObject_GetAttrString(d->exception, "bytes_transferred");
}

static PyObject *Done_blocking(PyObject *op, void *unused)
{
    (void)op;
    (void)unused;
    Py_RETURN_FALSE; /* asyncio.isfuture: a future, never to be waited on */
}

static void Done_dealloc(PyObject *op)
{
    DoneObject *d = (DoneObject *)op;
    PyTypeObject *type = Py_TYPE(op);
    Py_XDECREF(d->result);
    Py_XDECREF(d->exception);
    type->tp_free(op);
    Py_DECREF(type);
}

static PyObject *Done_repr(PyObject *op)
{
    DoneObject *d = (DoneObject *)op;
    return d->exception ? PyUnicode_FromFormat("<csend.SendDone exception=%R>", d->exception)
                        : PyUnicode_FromFormat("<csend.SendDone result=%R>", d->result);
}

static PyMethodDef Done_methods[] = {
    {"done", Done_true, METH_NOARGS, "done($self, /)\n--\n\nTrue: the send has ended."},
    {"cancelled", Done_false, METH_NOARGS, "cancelled($self, /)\n--\n\nFalse."},
    {"cancel", (PyCFunction)(void (*)(void))Done_cancel, METH_VARARGS | METH_KEYWORDS,
     "cancel($self, /, msg=None)\n--\n\nFalse: an ended send cannot be cancelled."},
    {"result", Done_result, METH_NOARGS,
     "result($self, /)\n--\n\nThe count, or raises the send's exception."},
    {"exception", Done_exception, METH_NOARGS,
     "exception($self, /)\n--\n\nThe send's exception, or None."},
    {"get_loop", Done_get_loop, METH_NOARGS, "get_loop($self, /)\n--\n\nThe running loop."},
    {"add_done_callback", (PyCFunction)(void (*)(void))Done_add_done_callback,
     METH_VARARGS | METH_KEYWORDS,
     "add_done_callback($self, fn, /, *, context=None)\n--\n\nSchedules fn(self) at once."},
    {"remove_done_callback", Done_remove_done_callback, METH_O,
     "remove_done_callback($self, fn, /)\n--\n\n0: none is kept."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Done_getset[] = {
    {"bytes_transferred", Done_bytes, NULL, "The bytes the kernel took.", NULL},
    {"_asyncio_future_blocking", Done_blocking, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot Done_slots[] = {
    {Py_tp_doc, "A send_async that ended within the call: awaiting it never goes through "
                "the loop."},
    {Py_tp_dealloc, __extension__(void *)Done_dealloc},
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
    .name = "csend.SendDone",
    .basicsize = sizeof(DoneObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = Done_slots,
};

static PyObject *done_object(csendpy_state *st, PyObject *result, PyObject *exception)
{
    DoneObject *d = PyObject_New(DoneObject, st->done_type);
    if (d == NULL)
        return NULL;
    d->result = Py_XNewRef(result);
    d->exception = Py_XNewRef(exception);
    return (PyObject *)d;
}

PyObject *csendpy_send_async(PyObject *sock, Py_buffer *view, int64_t offset, int64_t size,
                             int64_t flags)
{
    csendpy_state *st = STATE(sock);
    SocketObject *so = (SocketObject *)sock;
    csend_pending_send op;
    csend_error err;
    if (csend_send_begin(&op, so->s, view->buf, (int64_t)view->len, offset, size, flags,
                         CSEND_PENDING_ASYNC, &err) < 0) {
        PyBuffer_Release(view);
        return csendpy_raise(st, &err);
    }
    if (so->async_sends == 0) {
        /* No earlier send waits: the first attempt now, and a send that
         * ends here needs nothing more than its result. */
        int rc = csend_send_step(&op, NULL, &err);
        if (rc != 0) {
            PyBuffer_Release(view);
            if (rc > 0) {
                PyObject *n = PyLong_FromLongLong(op.done);
                PyObject *d = n ? done_object(st, n, NULL) : NULL;
                Py_XDECREF(n);
                return d;
            }
            /* An OS error surfaces from the await, as .NET's. */
            csendpy_raise(st, &err);
            PyObject *type, *exc, *tb;
            PyErr_Fetch(&type, &exc, &tb);
            PyErr_NormalizeException(&type, &exc, &tb);
            if (tb != NULL)
                PyException_SetTraceback(exc, tb);
            Py_XDECREF(type);
            Py_XDECREF(tb);
            PyObject *d = exc ? done_object(st, NULL, exc) : NULL;
            Py_XDECREF(exc);
            return d;
        }
    }
    if (st->start_send == NULL) {
        csend_send_end(&op);
        PyBuffer_Release(view);
        PyErr_SetString(PyExc_RuntimeError, "csend._async is not bound");
        return NULL;
    }
    /* It waits: the operation (position-free: pointers to the buffer and the
     * socket) moves into an object the loop's side steps. */
    PendingObject *p = PyObject_GC_New(PendingObject, st->pending_type);
    if (p == NULL) {
        csend_send_end(&op);
        PyBuffer_Release(view);
        return NULL;
    }
    p->op = op;
    p->view = *view;
    p->sock = Py_NewRef(sock);
    p->counted = 1;
    so->async_sends++;
    PyObject_GC_Track((PyObject *)p);
    PyObject *result = PyObject_CallFunctionObjArgs(st->start_send, sock, (PyObject *)p, NULL);
    Py_DECREF(p);
    return result;
}
