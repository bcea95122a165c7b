/* csend._core: the Socket type, the core's tables and tracing. */
#include "binding.h"

static PyObject *trace_callback;

/* The core may trace from a thread without the GIL. */
static void trace_to_python(const char *line, void *userdata)
{
    (void)userdata;
    PyGILState_STATE g = PyGILState_Ensure();
    if (trace_callback != NULL) {
        PyObject *r = PyObject_CallFunction(trace_callback, "s", line);
        if (r == NULL)
            PyErr_WriteUnraisable(trace_callback);
        Py_XDECREF(r);
    }
    PyGILState_Release(g);
}

static PyObject *set_trace(PyObject *mod, PyObject *args, PyObject *kwds)
{
    (void)mod;
    static char *names[] = {"enabled", "callback", NULL};
    int enabled = 1;
    PyObject *callback = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|pO:set_trace", names, &enabled, &callback))
        return NULL;
    if (callback != Py_None && !PyCallable_Check(callback)) {
        PyErr_SetString(PyExc_TypeError, "callback must be callable or None");
        return NULL;
    }
    if (callback == Py_None) {
        csend_set_trace(enabled, NULL, NULL);
        Py_CLEAR(trace_callback);
    } else {
        Py_XSETREF(trace_callback, Py_NewRef(callback));
        csend_set_trace(enabled, trace_to_python, NULL);
    }
    Py_RETURN_NONE;
}

static PyObject *get_trace(PyObject *mod, PyObject *unused)
{
    (void)mod;
    (void)unused;
    return PyBool_FromLong(csend_get_trace());
}

static PyObject *bind_classes(PyObject *mod, PyObject *classes)
{
    (void)mod;
    if (csendpy_bind_classes(classes) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *table(const csend_constant *t, size_t n)
{
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++) {
        PyObject *row = Py_BuildValue("(ssi)", t[i].name, t[i].upper_name, t[i].value);
        if (row == NULL) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, row);
    }
    return list;
}

/* The core's (name, UPPER_NAME, value) rows, from which csend/_enums.py
 * builds its enums: the numbers live only in the core. */
static int add_table(PyObject *m, const char *name, const csend_constant *(*fn)(size_t *))
{
    size_t n;
    const csend_constant *rows = fn(&n);
    PyObject *list = table(rows, n);
    if (list == NULL)
        return -1;
    int rc = PyModule_AddObjectRef(m, name, list);
    Py_DECREF(list);
    return rc;
}

static PyMethodDef module_methods[] = {
    {"set_trace", (PyCFunction)(void (*)(void))set_trace, METH_VARARGS | METH_KEYWORDS,
     "set_trace(enabled=True, callback=None)\n\n"
     "Network tracing: each Send logs the socket, its endpoints and size, then\n"
     "the result with a hex dump of what was sent, or the SocketError. Lines go\n"
     "to callback(line), or to stderr when callback is None. CSEND_TRACE=1 in the\n"
     "environment switches it on too."},
    {"get_trace", get_trace, METH_NOARGS, "get_trace() -> bool"},
    {"_bind", bind_classes, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "csend._core", "The C core of csend.", -1, module_methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__core(void)
{
    if (PyType_Ready(&Socket_Type) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    if (PyModule_AddObjectRef(m, "Socket", (PyObject *)&Socket_Type) < 0 ||
        add_table(m, "SOCKET_ERRORS", csend_socket_error_table) < 0 ||
        add_table(m, "SOCKET_FLAGS", csend_socket_flags_table) < 0 ||
        add_table(m, "ADDRESS_FAMILIES", csend_address_family_table) < 0 ||
        add_table(m, "SOCKET_TYPES", csend_socket_type_table) < 0 ||
        add_table(m, "PROTOCOL_TYPES", csend_protocol_type_table) < 0 ||
        PyModule_AddStringConstant(m, "CORE_VERSION", CSEND_VERSION) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
