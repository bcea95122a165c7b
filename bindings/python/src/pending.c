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

/* A future of the running loop, already done with n. */
static PyObject *done_future(csendpy_state *st, PyObject *result, PyObject *exc)
{
    PyObject *loop = PyObject_CallNoArgs(st->get_running_loop);
    if (loop == NULL)
        return NULL;
    PyObject *fut = PyObject_CallMethod(loop, "create_future", NULL);
    Py_DECREF(loop);
    if (fut == NULL)
        return NULL;
    PyObject *r = exc ? PyObject_CallMethod(fut, "set_exception", "O", exc)
                      : PyObject_CallMethod(fut, "set_result", "O", result);
    if (r == NULL) {
        Py_DECREF(fut);
        return NULL;
    }
    Py_DECREF(r);
    return fut;
}

PyObject *csendpy_send_async(PyObject *sock, Py_buffer *view, int64_t offset, int64_t size,
                             int64_t flags)
{
    csendpy_state *st = STATE(sock);
    SocketObject *so = (SocketObject *)sock;
    if (st->start_send == NULL) {
        PyBuffer_Release(view);
        PyErr_SetString(PyExc_RuntimeError, "csend._async is not bound");
        return NULL;
    }
    PendingObject *p = PyObject_GC_New(PendingObject, st->pending_type);
    if (p == NULL) {
        PyBuffer_Release(view);
        return NULL;
    }
    memset(&p->op, 0, sizeof p->op);
    p->view = *view; /* the object owns the buffer from here on */
    p->sock = Py_NewRef(sock);
    p->counted = 0;
    PyObject_GC_Track((PyObject *)p);
    csend_error err;
    if (csend_send_begin(&p->op, so->s, view->buf, (int64_t)view->len, offset, size, flags,
                         CSEND_PENDING_ASYNC, &err) < 0) {
        Py_DECREF(p);
        return csendpy_raise(st, &err);
    }
    PyObject *result;
    if (so->async_sends == 0) {
        /* No earlier send waits: the first attempt now. */
        int rc = csend_send_step(&p->op, NULL, &err);
        if (rc != 0) {
            int64_t done = p->op.done;
            finish(p);
            Py_DECREF(p);
            if (rc > 0) {
                PyObject *n = PyLong_FromLongLong(done);
                result = n ? done_future(st, n, NULL) : NULL;
                Py_XDECREF(n);
                return result;
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
            result = exc ? done_future(st, NULL, exc) : NULL;
            Py_XDECREF(exc);
            return result;
        }
    }
    p->counted = 1;
    so->async_sends++;
    result = PyObject_CallFunctionObjArgs(st->start_send, sock, (PyObject *)p, NULL);
    Py_DECREF(p);
    return result;
}
