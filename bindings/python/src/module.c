/* csend._core: the Socket type, the core's tables and tracing. */
#include "binding.h"

/* A send made by the callback is not traced again; per thread: another
 * thread's sends while a callback has lent the GIL are traced as usual. */
static _Thread_local int in_trace;

csendpy_state *csendpy_state_of(PyTypeObject *type)
{
    PyObject *m = PyType_GetModuleByDef(type, &csendpy_module);
    return m ? PyModule_GetState(m) : NULL;
}

/* hooks->trace: the core calls it with the GIL held; context is the state
 * of the module whose Socket sent.  The callback may set another callback,
 * clear it, or send: it runs on a reference of its own, and its own sends
 * are not traced (no endless recursion). */
int csendpy_trace(const char *line, void *context)
{
    csendpy_state *st = context;
    if (st == NULL || st->trace_callback == NULL)
        return 0; /* to the process-wide destination, stderr by default */
    if (in_trace)
        return 1;
    PyObject *callback = Py_NewRef(st->trace_callback);
    PyObject *exc_type, *exc_value, *exc_tb;
    PyErr_Fetch(&exc_type, &exc_value, &exc_tb);
    in_trace = 1;
    PyObject *r = PyObject_CallFunction(callback, "s", line);
    in_trace = 0;
    if (r == NULL)
        PyErr_WriteUnraisable(callback);
    Py_XDECREF(r);
    Py_DECREF(callback);
    PyErr_Restore(exc_type, exc_value, exc_tb);
    return 1;
}

static PyObject *set_trace(PyObject *mod, PyObject *args, PyObject *kwds)
{
    csendpy_state *st = PyModule_GetState(mod);
    static char *names[] = {"enabled", "callback", NULL};
    int enabled = 1;
    PyObject *callback = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|pO:set_trace", names, &enabled, &callback))
        return NULL;
    if (callback != Py_None && !PyCallable_Check(callback)) {
        PyErr_SetString(PyExc_TypeError, "callback must be callable or None");
        return NULL;
    }
    if (callback == Py_None)
        Py_CLEAR(st->trace_callback);
    else
        Py_XSETREF(st->trace_callback, Py_NewRef(callback));
    csend_enable_trace(enabled);
    Py_RETURN_NONE;
}

static PyObject *get_trace(PyObject *mod, PyObject *unused)
{
    (void)mod;
    (void)unused;
    return PyBool_FromLong(csend_get_trace());
}

/* _bind_async(reserve, attach, drop, front, resume, abandon,
 * get_running_loop): the asyncio side of send_async (csend/_async.py). */
static PyObject *bind_async(PyObject *mod, PyObject *args)
{
    csendpy_state *st = PyModule_GetState(mod);
    PyObject *f[7];
    if (!PyArg_ParseTuple(args, "OOOOOOO:_bind_async", &f[0], &f[1], &f[2], &f[3], &f[4], &f[5],
                          &f[6]))
        return NULL;
    for (int i = 0; i < 6; i++)
        Py_XSETREF(st->async_fns[i], Py_NewRef(f[i]));
    Py_XSETREF(st->get_running_loop, Py_NewRef(f[6]));
    Py_RETURN_NONE;
}

static PyObject *bind_classes(PyObject *mod, PyObject *classes)
{
    if (csendpy_bind_classes(PyModule_GetState(mod), classes) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* _plain_getattr(metaclass): class attribute lookups on classes of this
 * metaclass (csend's enums) skip the metaclass's __getattr__.  CPython
 * 3.11's EnumType defines one, which routes every lookup, found or not,
 * through a Python-level hook: SocketFlags.NONE cost ~1,100 instructions,
 * more than the send it is passed to.  csend's enums keep every member in
 * the class dict, so lookups find the same objects; a missing name is
 * still AttributeError.  (3.12 dropped EnumType.__getattr__.) */
static PyObject *plain_getattr(PyObject *mod, PyObject *meta)
{
    (void)mod;
    if (!PyType_Check(meta) || !PyType_IsSubtype((PyTypeObject *)meta, &PyType_Type) ||
        !(((PyTypeObject *)meta)->tp_flags & Py_TPFLAGS_HEAPTYPE)) {
        PyErr_SetString(PyExc_TypeError, "_plain_getattr() takes a metaclass");
        return NULL;
    }
    ((PyTypeObject *)meta)->tp_getattro = PyType_Type.tp_getattro;
    PyType_Modified((PyTypeObject *)meta);
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

/* The core's exception classes, (name, parent or None, kind) rows, for the
 * test that holds csend's classes to them. */
static int add_error_classes(PyObject *m)
{
    size_t n;
    const csend_error_class *t = csend_error_class_table(&n);
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++) {
        PyObject *row = Py_BuildValue("(szi)", t[i].name, t[i].parent, (int)t[i].kind);
        if (row == NULL) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, row);
    }
    if (list == NULL)
        return -1;
    int rc = PyModule_AddObjectRef(m, "ERROR_CLASSES", list);
    Py_DECREF(list);
    return rc;
}

static PyMethodDef module_methods[] = {
    {"set_trace", (PyCFunction)(void (*)(void))set_trace, METH_VARARGS | METH_KEYWORDS,
     "set_trace($module, /, enabled=True, callback=None)\n--\n\n"
     "Network tracing (as .NET's socket event source): each Send logs the socket, its endpoints and size, then\n"
     "the result with a hex dump of what was sent, or the SocketError. Lines go\n"
     "to callback(line), or to stderr when callback is None. CSEND_TRACE=1 in the\n"
     "environment switches it on too."},
    {"get_trace", get_trace, METH_NOARGS,
     "get_trace($module, /)\n--\n\nWhether network tracing is on (set_trace, or CSEND_TRACE=1)."},
    {"_bind", bind_classes, METH_O, NULL},
    {"_bind_async", bind_async, METH_VARARGS, NULL},
    {"_lines", csendpy_async_lines, METH_O, NULL},
    {"_plain_getattr", plain_getattr, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

/* Multi-phase initialisation: exec runs for every interpreter that imports
 * the module, so a sub-interpreter is refused even after the main one has
 * imported it. */
static int module_exec(PyObject *m)
{
    /* The core keeps process-wide state (tracing on or off, its
     * destination) that one interpreter could change under another: one
     * interpreter only. */
    if (PyInterpreterState_Get() != PyInterpreterState_Main()) {
        PyErr_SetString(PyExc_ImportError,
                        "csend does not support sub-interpreters: import it in the main "
                        "interpreter");
        return -1;
    }
    csendpy_state *st = PyModule_GetState(m);
    st->socket_type = (PyTypeObject *)PyType_FromModuleAndSpec(m, &csendpy_socket_spec, NULL);
    if (st->socket_type == NULL)
        return -1;
    st->pending_type = (PyTypeObject *)PyType_FromModuleAndSpec(m, &csendpy_pending_spec, NULL);
    if (st->pending_type == NULL)
        return -1;
    st->done_type = (PyTypeObject *)PyType_FromModuleAndSpec(m, &csendpy_done_spec, NULL);
    if (st->done_type == NULL || PyModule_AddObjectRef(m, "OperationDone", (PyObject *)st->done_type) < 0)
        return -1;
    if (PyModule_AddObjectRef(m, "Socket", (PyObject *)st->socket_type) < 0 ||
        add_table(m, "SOCKET_ERRORS", csend_socket_error_table) < 0 ||
        add_table(m, "SOCKET_FLAGS", csend_socket_flags_table) < 0 ||
        add_table(m, "ADDRESS_FAMILIES", csend_address_family_table) < 0 ||
        add_table(m, "SOCKET_TYPES", csend_socket_type_table) < 0 ||
        add_table(m, "PROTOCOL_TYPES", csend_protocol_type_table) < 0 ||
        add_table(m, "OPTION_LEVELS", csend_option_level_table) < 0 ||
        add_table(m, "OPTION_NAMES", csend_option_name_table) < 0 ||
        PyModule_AddStringConstant(m, "CORE_VERSION", CSEND_VERSION) < 0 ||
        add_error_classes(m) < 0)
        return -1;
    return 0;
}

static PyModuleDef_Slot module_slots[] = {
    /* CPython's slots hold a function as a void *, which ISO C does not
     * define but every platform CPython runs on does. */
    {Py_mod_exec, __extension__(void *)module_exec},
    {0, NULL},
};

static int module_traverse(PyObject *m, visitproc visit, void *arg)
{
    csendpy_state *st = PyModule_GetState(m);
    Py_VISIT(st->socket_type);
    for (size_t i = 0; i < sizeof st->by_kind / sizeof st->by_kind[0]; i++)
        Py_VISIT(st->by_kind[i]);
    Py_VISIT(st->socket_error_enum);
    for (int k = 0; k < 3; k++)
        Py_VISIT(st->kind_enums[k]);
    Py_VISIT(st->members);
    Py_VISIT(st->trace_callback);
    Py_VISIT(st->pending_type);
    Py_VISIT(st->done_type);
    for (int i = 0; i < 6; i++)
        Py_VISIT(st->async_fns[i]);
    Py_VISIT(st->get_running_loop);
    return 0;
}

static int module_clear(PyObject *m)
{
    csendpy_state *st = PyModule_GetState(m);
    Py_CLEAR(st->socket_type);
    for (size_t i = 0; i < sizeof st->by_kind / sizeof st->by_kind[0]; i++)
        Py_CLEAR(st->by_kind[i]);
    Py_CLEAR(st->socket_error_enum);
    for (int k = 0; k < 3; k++)
        Py_CLEAR(st->kind_enums[k]);
    Py_CLEAR(st->members);
    Py_CLEAR(st->trace_callback);
    Py_CLEAR(st->pending_type);
    Py_CLEAR(st->done_type);
    for (int i = 0; i < 6; i++)
        Py_CLEAR(st->async_fns[i]);
    Py_CLEAR(st->get_running_loop);
    return 0;
}

static void module_free(void *m)
{
    module_clear(m);
}

PyModuleDef csendpy_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "csend._core",
    .m_doc = "The C core of csend.",
    .m_size = sizeof(csendpy_state),
    .m_methods = module_methods,
    .m_slots = module_slots,
    .m_traverse = module_traverse,
    .m_clear = module_clear,
    .m_free = module_free,
};

PyMODINIT_FUNC PyInit__core(void)
{
    return PyModuleDef_Init(&csendpy_module);
}
