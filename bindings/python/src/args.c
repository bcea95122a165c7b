/* Python objects -> the core's arguments. Nothing here checks a range:
 * the core does, so every runtime raises the same thing. */
#include "binding.h"

#include <string.h>

int csendpy_parse_slow(const csendpy_signature *sig, PyObject *const *args, Py_ssize_t nargs,
                       PyObject *kwnames, PyObject **out)
{
    if (nargs > sig->count) {
        PyErr_Format(PyExc_TypeError, "%s() takes at most %d arguments (%zd given)",
                     sig->function, sig->count, nargs);
        return -1;
    }
    Py_ssize_t i0 = 0;
    for (; i0 < nargs; i0++)
        out[i0] = args[i0];
    for (; i0 < sig->count; i0++)
        out[i0] = NULL;
    if (kwnames == NULL)
        return 0; /* the common call: positional only */
    Py_ssize_t nkw = PyTuple_GET_SIZE(kwnames);
    for (Py_ssize_t k = 0; k < nkw; k++) {
        const char *key = PyUnicode_AsUTF8(PyTuple_GET_ITEM(kwnames, k));
        if (key == NULL)
            return -1;
        int i = 0;
        while (i < sig->count && strcmp(sig->names[i], key) != 0)
            i++;
        if (i == sig->count) {
            PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%s'",
                         sig->function, key);
            return -1;
        }
        if (out[i] != NULL) {
            PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'",
                         sig->function, key);
            return -1;
        }
        out[i] = args[nargs + k];
    }
    return 0;
}

int csendpy_int_slow(PyObject *o, const char *name, int64_t *v)
{
    if (PyLong_CheckExact(o) || (PyLong_Check(o) && !PyBool_Check(o))) {
        int overflow;
        long long x = PyLong_AsLongLongAndOverflow(o, &overflow);
        if (x == -1 && PyErr_Occurred())
            return -1;
        *v = overflow > 0 ? INT64_MAX : overflow < 0 ? INT64_MIN : x;
        return 0;
    }
    if (!PyBool_Check(o) && !PyFloat_Check(o) && PyIndex_Check(o)) {
        PyObject *i = PyNumber_Index(o);
        if (i == NULL)
            return -1;
        int rc = csendpy_int_slow(i, name, v);
        Py_DECREF(i);
        return rc;
    }
    PyErr_Format(PyExc_TypeError, "%s must be an integer, not %.100s", name, Py_TYPE(o)->tp_name);
    return -1;
}

int csendpy_buffer(PyObject *o, Py_buffer *view, int writable)
{
    if (o == Py_None) {
        view->obj = NULL;
        view->buf = NULL;
        view->len = 0;
        return 0;
    }
    if (!writable && PyBytes_CheckExact(o)) {
        /* Immutable and kept alive by the caller: no export needed. */
        view->obj = NULL;
        view->buf = PyBytes_AS_STRING(o);
        view->len = PyBytes_GET_SIZE(o);
        return 0;
    }
    /* As socket.send ("y*"): any C-contiguous buffer, counted in bytes
     * whatever its item type (array('i'), a 2-D memoryview). */
    if (PyObject_GetBuffer(o, view, writable ? PyBUF_WRITABLE : PyBUF_SIMPLE) < 0) {
        if (!PyObject_CheckBuffer(o)) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError,
                         "buffer must be a bytes-like object (bytes, bytearray, memoryview...), "
                         "not %.100s", Py_TYPE(o)->tp_name);
        } else if (PyErr_ExceptionMatches(PyExc_BufferError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, writable
                             ? "buffer must be a writable, C-contiguous buffer (%.100s)"
                             : "buffer must be a C-contiguous buffer (%.100s)",
                         Py_TYPE(o)->tp_name);
        }
        return -1;
    }
    return 0;
}

int csendpy_endpoint(csendpy_state *st, csend_socket *s, PyObject *o, csend_endpoint *ep)
{
    csend_error err;
    if (o == Py_None) {
        /* The core names the null endpoint. */
        ep->len = 0;
        return 1;
    }
    /* The shape a Python caller writes depends on the family: a path, or a
     * (host, port) tuple; which address it means is the core's to say. */
    PyObject *path = NULL;
    const char *host = NULL;
    int64_t port = 0;
    if (csend_get_family(s) == CSEND_AF_UNIX) {
        if (!PyUnicode_FSConverter(o, &path))
            return -1;
        host = PyBytes_AS_STRING(path);
    } else {
        if (!PyTuple_Check(o) || PyTuple_GET_SIZE(o) < 2) {
            PyErr_Format(PyExc_TypeError, "an endpoint must be a (host, port) tuple, not %.100s",
                         Py_TYPE(o)->tp_name);
            return -1;
        }
        PyObject *h = PyTuple_GET_ITEM(o, 0);
        if (h != Py_None) {
            host = PyUnicode_Check(h) ? PyUnicode_AsUTF8(h) : NULL;
            if (host == NULL) {
                if (!PyErr_Occurred())
                    PyErr_Format(PyExc_TypeError, "host must be a str, not %.100s",
                                 Py_TYPE(h)->tp_name);
                return -1;
            }
        }
        if (csendpy_int(PyTuple_GET_ITEM(o, 1), "port", &port) < 0)
            return -1;
    }
    int rc;
    Py_BEGIN_ALLOW_THREADS /* a name may need the resolver */
    rc = csend_endpoint_for_socket(s, host, port, ep, &err);
    Py_END_ALLOW_THREADS
    Py_XDECREF(path);
    if (rc < 0)
        csendpy_raise(st, &err);
    return rc;
}

PyObject *csendpy_endpoint_object(const csend_endpoint *ep)
{
    char host[256];
    int port;
    int family = csend_endpoint_format(ep, host, sizeof host, &port);
    if (family < 0)
        Py_RETURN_NONE;
    if (family == CSEND_AF_UNIX)
        return PyUnicode_DecodeFSDefault(host);
    return Py_BuildValue("(si)", host, port);
}
