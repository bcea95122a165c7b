/* Socket.send_async: .NET's SendAsync on the running asyncio loop (any
 * loop: the default one, uvloop), with no helper threads (contract §10).
 *
 * The call runs Send's checks and begins the core's pending send in
 * SendAsync's mode (csend_send_begin): every error of an argument or of
 * disposal is raised by the call itself, as .NET throws synchronously.  When
 * no earlier send of the socket is still pending, the first attempt is
 * made at once, and a send the kernel took whole returns a SendDone:
 * awaiting it never goes through the loop.  Otherwise the operation goes to
 * csend/_async.py, which queues it behind the socket's earlier sends and
 * steps it whenever the loop sees the descriptor writable.  The PendingSend
 * object below is what it steps: it pins the buffer (a bytearray cannot be
 * resized under it) until the send ends.
 *
 * The socket counts its sends, pending or being called (async_sends), and
 * knows their loop.  A send's place in line is taken before its send begins,
 * so code that runs inside the call (a trace callback, a signal handler)
 * cannot send ahead of it; a send from another loop is refused before
 * anything is sent. */
#include "binding.h"

#include <stddef.h>


typedef struct {
    PyObject_HEAD
    csend_pending_send op;
    Py_buffer view;   /* pinned while the operation is pending */
    PyObject *sock;   /* the Socket, alive as long as this */
    PyObject *loop;   /* the loop it belongs to: the socket's async_loop */
    int counted;      /* counted in the socket's async_sends */
} PendingObject;

/* One send fewer pending or being called on the socket. */
static void leave_line(SocketObject *so)
{
    if (--so->async_sends == 0)
        so->async_loop = NULL;
}

/* The end of the operation, however it ends: the buffer goes back, and the
 * socket's count of pending sends drops. */
static void finish(PendingObject *p)
{
    csend_send_end(&p->op);
    if (p->view.obj != NULL)
        PyBuffer_Release(&p->view);
    if (p->counted) {
        p->counted = 0;
        leave_line((SocketObject *)p->sock);
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
    Py_VISIT(((PendingObject *)op)->loop);
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
    Py_CLEAR(p->loop);
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
    PyObject *tb;        /* its traceback when made (NULL: none), restored on each raise */
    PyObject *loop;      /* the running loop of the call */
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
    Py_RETURN_FALSE; /* an ended send cannot be cancelled */
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
    .name = "csend.SendDone",
    .basicsize = sizeof(DoneObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = Done_slots,
};

static PyObject *done_object(csendpy_state *st, PyObject *loop, PyObject *result,
                             PyObject *exception)
{
    DoneObject *d = PyObject_GC_New(DoneObject, st->done_type);
    if (d == NULL)
        return NULL;
    d->result = Py_XNewRef(result);
    d->exception = Py_XNewRef(exception);
    d->tb = exception ? PyException_GetTraceback(exception) : NULL;
    d->loop = Py_NewRef(loop);
    PyObject_GC_Track((PyObject *)d);
    return (PyObject *)d;
}

/* The SendDone of a send that ended in the call: its count, or the
 * exception err describes (raised from the await, as .NET's). */
static PyObject *ended(csendpy_state *st, PyObject *loop, const csend_pending_send *op,
                       int rc, const csend_error *err)
{
    if (rc > 0) {
        PyObject *n = PyLong_FromLongLong(op->done);
        PyObject *d = n ? done_object(st, loop, n, NULL) : NULL;
        Py_XDECREF(n);
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
    PyObject *d = exc ? done_object(st, loop, NULL, exc) : NULL;
    Py_XDECREF(exc);
    return d;
}

/* Calls csend._async's function; a failure there is reported as
 * unraisable when the caller has a result to return all the same. */
static PyObject *call_async(csendpy_state *st, int which, PyObject *a, PyObject *b, PyObject *c)
{
    return PyObject_CallFunctionObjArgs(st->async_fns[which], a, b, c, NULL);
}

static void call_async_quietly(csendpy_state *st, int which, PyObject *a, PyObject *b)
{
    PyObject *r = call_async(st, which, a, b, NULL);
    if (r == NULL)
        PyErr_WriteUnraisable(st->async_fns[which]);
    Py_XDECREF(r);
}

/* The operation, now waiting, in an object the loop's side steps; it takes
 * over the place in line the call took. */
static PyObject *pending_object(csendpy_state *st, PyObject *sock, PyObject *loop,
                                csend_pending_send *op, Py_buffer *view)
{
    PendingObject *p = PyObject_GC_New(PendingObject, st->pending_type);
    if (p == NULL)
        return NULL;
    p->op = *op; /* position-free: pointers to the buffer and the socket */
    p->view = *view;
    p->sock = Py_NewRef(sock);
    p->loop = Py_NewRef(loop);
    p->counted = 1;
    PyObject_GC_Track((PyObject *)p);
    return (PyObject *)p;
}

/* No send of the socket is pending: the first attempt now. */
static PyObject *first_in_line(csendpy_state *st, PyObject *sock, PyObject *loop,
                               Py_buffer *view, int64_t offset, int64_t size, int64_t flags)
{
    SocketObject *so = (SocketObject *)sock;
    csend_pending_send op;
    csend_error err;
    so->async_sends++;
    so->async_loop = loop;
    so->async_first = 1;
    int rc = csend_send_begin(&op, so->s, view->buf, (int64_t)view->len, offset, size, flags,
                              CSEND_PENDING_ASYNC, &err);
    if (rc == 0)
        rc = csend_send_step(&op, NULL, &err);
    else
        rc = -2; /* refused: raised by the call */
    so->async_first = 0;
    PyObject *result;
    if (rc == 0) {
        result = pending_object(st, sock, loop, &op, view);
        if (result == NULL) {
            csend_send_end(&op);
            PyBuffer_Release(view);
            leave_line(so);
            return NULL;
        }
        PyObject *fut = call_async(st, ASYNC_FRONT, sock, loop, result);
        Py_DECREF(result);
        return fut;
    }
    PyBuffer_Release(view);
    result = rc == -2 ? csendpy_raise(st, &err) : ended(st, loop, &op, rc, &err);
    leave_line(so);
    if (so->async_sends > 0) { /* sends called during the attempt may go */
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        call_async_quietly(st, ASYNC_RESUME, sock, NULL);
        PyErr_Restore(type, value, tb);
    }
    return result;
}

/* Behind pending sends: the place in line first, then the send's begin. */
static PyObject *behind(csendpy_state *st, PyObject *sock, PyObject *loop, Py_buffer *view,
                        int64_t offset, int64_t size, int64_t flags)
{
    SocketObject *so = (SocketObject *)sock;
    csend_pending_send op;
    csend_error err;
    so->async_sends++;
    PyObject *fut = call_async(st, ASYNC_RESERVE, sock, loop, NULL);
    if (fut == NULL) {
        PyBuffer_Release(view);
        leave_line(so);
        return NULL;
    }
    PyObject *may_start = so->async_first ? Py_False : Py_True;
    PyObject *p = NULL;
    if (csend_send_begin(&op, so->s, view->buf, (int64_t)view->len, offset, size, flags,
                         CSEND_PENDING_ASYNC, &err) < 0) {
        PyBuffer_Release(view);
    } else if ((p = pending_object(st, sock, loop, &op, view)) == NULL) {
        csend_send_end(&op);
        PyBuffer_Release(view);
    }
    if (p == NULL) { /* refused, or no memory: the place goes to the next */
        PyObject *type, *value, *tb;
        if (!PyErr_Occurred())
            csendpy_raise(st, &err);
        PyErr_Fetch(&type, &value, &tb);
        leave_line(so);
        call_async_quietly(st, ASYNC_DROP, fut, may_start);
        Py_DECREF(fut);
        PyErr_Restore(type, value, tb);
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

/* The loop the socket's pending sends belong to is not this one: when it
 * is closed, they are given up (nothing will step them again); otherwise
 * the call is refused, before anything is sent. */
static int other_loop(csendpy_state *st, PyObject *sock)
{
    SocketObject *so = (SocketObject *)sock;
    PyObject *closed = PyObject_CallMethod(so->async_loop, "is_closed", NULL);
    if (closed == NULL)
        return -1;
    int yes = PyObject_IsTrue(closed);
    Py_DECREF(closed);
    if (yes < 0)
        return -1;
    if (yes && !so->async_first) {
        PyObject *r = call_async(st, ASYNC_ABANDON, sock, NULL, NULL);
        if (r == NULL)
            return -1;
        Py_DECREF(r);
    }
    if (so->async_sends > 0) {
        PyErr_SetString(PyExc_RuntimeError,
                        "send_async: this socket has sends pending on another event loop");
        return -1;
    }
    return 0;
}

void csendpy_async_closed(PyObject *sock)
{
    SocketObject *so = (SocketObject *)sock;
    if (so->async_sends == 0 || so->async_first)
        return;
    PyObject *closed = PyObject_CallMethod(so->async_loop, "is_closed", NULL);
    int yes = closed != NULL ? PyObject_IsTrue(closed) : -1;
    Py_XDECREF(closed);
    if (yes > 0)
        call_async_quietly(csendpy_state_of(Py_TYPE(sock)), ASYNC_ABANDON, sock, NULL);
    else if (yes < 0)
        PyErr_WriteUnraisable(sock);
}

PyObject *csendpy_send_async(PyObject *sock, Py_buffer *view, int64_t offset, int64_t size,
                             int64_t flags)
{
    csendpy_state *st = STATE(sock);
    SocketObject *so = (SocketObject *)sock;
    if (st->async_fns[ASYNC_ABANDON] == NULL) {
        PyBuffer_Release(view);
        PyErr_SetString(PyExc_RuntimeError, "csend._async is not bound");
        return NULL;
    }
    PyObject *loop = PyObject_CallNoArgs(st->get_running_loop);
    if (loop == NULL || (so->async_sends > 0 && so->async_loop != loop &&
                         other_loop(st, sock) < 0)) {
        /* Refused before anything is sent; the send's own checks come
         * first all the same, as they do with a loop. */
        csend_pending_send op;
        csend_error err;
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        if (csend_send_begin(&op, so->s, view->buf, (int64_t)view->len, offset, size, flags,
                             CSEND_PENDING_ASYNC, &err) < 0) {
            Py_XDECREF(type);
            Py_XDECREF(value);
            Py_XDECREF(tb);
            csendpy_raise(st, &err);
        } else {
            csend_send_end(&op);
            PyErr_Restore(type, value, tb);
        }
        PyBuffer_Release(view);
        Py_XDECREF(loop);
        return NULL;
    }
    PyObject *result = so->async_sends == 0
                           ? first_in_line(st, sock, loop, view, offset, size, flags)
                           : behind(st, sock, loop, view, offset, size, flags);
    Py_DECREF(loop);
    return result;
}
