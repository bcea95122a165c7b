/* The core's error value -> the exception class csend/_exceptions.py defines. */
#include "binding.h"

static PyObject *argument_exc, *argument_null_exc, *out_of_range_exc, *invalid_operation_exc,
    *disposed_exc, *socket_exc, *socket_error_enum;
/* SocketError members by number, filled once: no lookup through the enum per error. */
static PyObject *members;

int csendpy_bind_classes(PyObject *c)
{
    struct {
        const char *name;
        PyObject **slot;
    } want[] = {
        {"ArgumentException", &argument_exc},
        {"ArgumentNullException", &argument_null_exc},
        {"ArgumentOutOfRangeException", &out_of_range_exc},
        {"InvalidOperationException", &invalid_operation_exc},
        {"ObjectDisposedException", &disposed_exc},
        {"SocketException", &socket_exc},
        {"SocketError", &socket_error_enum},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        PyObject *o = PyMapping_GetItemString(c, want[i].name);
        if (o == NULL)
            return -1;
        Py_XSETREF(*want[i].slot, o);
    }
    PyObject *m = PyDict_New();
    if (m == NULL)
        return -1;
    size_t n;
    const csend_constant *t = csend_socket_error_table(&n);
    for (size_t i = 0; i < n; i++) {
        PyObject *member = PyObject_GetAttrString(socket_error_enum, t[i].upper_name);
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
    Py_XSETREF(members, m);
    return 0;
}

PyObject *csendpy_socket_error(int code)
{
    PyObject *key = PyLong_FromLong(code);
    if (key == NULL)
        return NULL;
    PyObject *m = members ? PyDict_GetItemWithError(members, key) : NULL;
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

PyObject *csendpy_raise(const csend_error *err)
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
        exc = PyObject_CallFunction(argument_exc, "ss", err->message, err->param_name);
        break;
    case CSEND_ERR_ARGUMENT_NULL:
        exc = PyObject_CallFunction(argument_null_exc, "ss", err->message, err->param_name);
        break;
    case CSEND_ERR_ARGUMENT_OUT_OF_RANGE: {
        PyObject *v = actual(err);
        if (v == NULL)
            return NULL;
        exc = PyObject_CallFunction(out_of_range_exc, "ssN", err->message, err->param_name, v);
        break;
    }
    case CSEND_ERR_INVALID_OPERATION:
        exc = PyObject_CallFunction(invalid_operation_exc, "s", err->message);
        break;
    case CSEND_ERR_OBJECT_DISPOSED:
        exc = PyObject_CallFunction(disposed_exc, "ss", err->message, err->object_name);
        break;
    case CSEND_ERR_SOCKET:
        exc = PyObject_CallFunction(socket_exc, "iisL", err->socket_error, err->native_error,
                                    err->message, (long long)err->bytes_transferred);
        break;
    }
    if (exc != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
        Py_DECREF(exc);
    }
    return NULL;
}
