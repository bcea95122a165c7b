/* The core's error value -> the exception class csend/_exceptions.py defines. */
#include "binding.h"

/* The class raised for each error kind is looked up by the core's class
 * names in what csend/__init__.py hands over: the names live in the core. */
int csendpy_bind_classes(csendpy_state *st, PyObject *c)
{
    size_t count;
    const csend_error_class *classes = csend_error_class_table(&count);
    for (size_t i = 0; i < count; i++) {
        /* Exception and SystemException are Python's own; OutOfMemory is
         * MemoryError, and an interrupt leaves the runtime's exception. */
        csend_error_kind k = classes[i].kind;
        if (k == CSEND_OK || k == CSEND_ERR_OUT_OF_MEMORY || k == CSEND_ERR_RUNTIME_INTERRUPT)
            continue;
        PyObject *o = PyMapping_GetItemString(c, classes[i].name);
        if (o == NULL)
            return -1;
        Py_XSETREF(st->by_kind[k], o);
    }
    PyObject *e = PyMapping_GetItemString(c, "SocketError");
    if (e == NULL)
        return -1;
    Py_XSETREF(st->socket_error_enum, e);
    PyObject *m = PyDict_New();
    if (m == NULL)
        return -1;
    size_t n;
    const csend_constant *t = csend_socket_error_table(&n);
    for (size_t i = 0; i < n; i++) {
        PyObject *member = PyObject_GetAttrString(st->socket_error_enum, t[i].upper_name);
        PyObject *key = PyLong_FromLong(t[i].value);
        if (member == NULL || key == NULL || PyDict_SetItem(m, key, member) < 0) {
            Py_XDECREF(member);
            Py_XDECREF(key);
            Py_DECREF(m);
            return -1;
        }
        Py_DECREF(member);
        Py_DECREF(key);
    }
    Py_XSETREF(st->members, m); /* filled once: no lookup through the enum per error */
    static const char *const kinds[3] = {"AddressFamily", "SocketType", "ProtocolType"};
    for (int k = 0; k < 3; k++) {
        PyObject *cls = PyMapping_GetItemString(c, kinds[k]);
        if (cls == NULL)
            return -1;
        Py_XSETREF(st->kind_enums[k], cls);
    }
    return 0;
}

PyObject *csendpy_kind_member(csendpy_state *st, int which, int value)
{
    PyObject *n = PyLong_FromLong(value);
    if (n == NULL || st->kind_enums[which] == NULL)
        return n;
    PyObject *member = PyObject_CallOneArg(st->kind_enums[which], n);
    if (member == NULL && PyErr_ExceptionMatches(PyExc_ValueError)) {
        PyErr_Clear(); /* a number .NET's enum does not name: the number */
        return n;
    }
    Py_DECREF(n);
    return member;
}

PyObject *csendpy_socket_error(csendpy_state *st, int code)
{
    PyObject *key = PyLong_FromLong(code);
    if (key == NULL)
        return NULL;
    PyObject *m = st->members ? PyDict_GetItemWithError(st->members, key) : NULL;
    Py_DECREF(key);
    if (m != NULL)
        return Py_NewRef(m);
    return PyErr_Occurred() ? NULL : PyLong_FromLong(code);
}

static PyObject *actual(const csend_error *err)
{
    if (err->has_actual_value)
        return PyLong_FromLongLong(err->actual_value);
    Py_RETURN_NONE;
}

PyObject *csendpy_raise(csendpy_state *st, const csend_error *err)
{
    PyObject *exc = NULL;
    switch (err->kind) {
    case CSEND_OK:
        PyErr_SetString(PyExc_SystemError, "csend: error raised without an error");
        return NULL;
    case CSEND_ERR_RUNTIME_INTERRUPT: {
        /* The runtime's own exception (KeyboardInterrupt...) is set: it also
         * learns how far the stream got. */
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        PyErr_NormalizeException(&type, &value, &tb);
        PyObject *n = PyLong_FromLongLong(err->bytes_transferred);
        if (n == NULL || PyObject_SetAttrString(value, "bytes_transferred", n) < 0)
            PyErr_Clear(); /* an exception without a __dict__ keeps its meaning */
        Py_XDECREF(n);
        PyErr_Restore(type, value, tb);
        return NULL;
    }
    case CSEND_ERR_OUT_OF_MEMORY:
        return PyErr_NoMemory();
    case CSEND_ERR_ARGUMENT:
    case CSEND_ERR_ARGUMENT_NULL:
        exc = PyObject_CallFunction(st->by_kind[err->kind], "ss", err->message, err->param_name);
        break;
    case CSEND_ERR_ARGUMENT_OUT_OF_RANGE: {
        PyObject *v = actual(err);
        if (v == NULL)
            return NULL;
        exc = PyObject_CallFunction(st->by_kind[err->kind], "ssN", err->message, err->param_name, v);
        break;
    }
    case CSEND_ERR_INVALID_OPERATION:
    case CSEND_ERR_NOT_SUPPORTED:
        exc = PyObject_CallFunction(st->by_kind[err->kind], "s", err->message);
        break;
    case CSEND_ERR_OBJECT_DISPOSED:
        exc = PyObject_CallFunction(st->by_kind[err->kind], "ss", err->message, err->object_name);
        break;
    case CSEND_ERR_SOCKET:
        exc = PyObject_CallFunction(st->by_kind[err->kind], "iisL", err->socket_error, err->native_error,
                                    err->message, (long long)err->bytes_transferred);
        break;
    }
    if (exc != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
        Py_DECREF(exc);
    }
    return NULL;
}
