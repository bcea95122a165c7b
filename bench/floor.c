/* The floor of a Python send: Floor(fd).send(buffer, offset, size, flags)
 * does the least any C extension could for that call. It reads its four
 * positional arguments without checking them, reads a bytearray's bytes in
 * place (no buffer export: nothing else runs while it sends) and makes one
 * send(2). What a call of that shape costs above this is the extension's
 * own; what this costs above a raw C send() is the interpreter's. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <sys/socket.h>

typedef struct {
    PyObject_HEAD
    int fd;
} Floor;

static int Floor_init(PyObject *op, PyObject *args, PyObject *kwds)
{
    (void)kwds;
    return PyArg_ParseTuple(args, "i", &((Floor *)op)->fd) ? 0 : -1;
}

static PyObject *Floor_send(PyObject *op, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4 || !PyByteArray_CheckExact(args[0])) {
        PyErr_SetString(PyExc_TypeError, "send(bytearray, offset, size, flags)");
        return NULL;
    }
    Py_ssize_t offset = PyLong_AsSsize_t(args[1]);
    Py_ssize_t size = PyLong_AsSsize_t(args[2]);
    ssize_t n = send(((Floor *)op)->fd, PyByteArray_AS_STRING(args[0]) + offset, (size_t)size,
                     MSG_NOSIGNAL);
    if (n < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    return PyLong_FromSsize_t(n);
}

static PyMethodDef Floor_methods[] = {
    {"send", (PyCFunction)(void (*)(void))Floor_send, METH_FASTCALL, NULL},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject FloorType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "csend_bench_floor.Floor",
    .tp_basicsize = sizeof(Floor),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = Floor_init,
    .tp_methods = Floor_methods,
};

static struct PyModuleDef floor_module = {
    PyModuleDef_HEAD_INIT, .m_name = "csend_bench_floor", .m_size = -1,
};

PyMODINIT_FUNC PyInit_csend_bench_floor(void)
{
    if (PyType_Ready(&FloorType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&floor_module);
    if (m != NULL && PyModule_AddObjectRef(m, "Floor", (PyObject *)&FloorType) < 0)
        Py_CLEAR(m);
    return m;
}
