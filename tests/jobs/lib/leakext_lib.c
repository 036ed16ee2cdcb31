/*
 * leakext_lib.c — leakext.so, a CPython extension module (tests/integration/test_real_shapes.sh):
 * leakext.leak(n) keeps n bytes from leakext_keep and returns None. Its blocks live at exit are the
 * job's, not the interpreter's.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>

__attribute__((noinline)) static void *leakext_keep(Py_ssize_t n) { return malloc((size_t)n); }

static PyObject *leak(PyObject *self, PyObject *args)
{
    (void)self;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "n", &n))
        return NULL;
    if (!leakext_keep(n))
        return PyErr_NoMemory();
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    { "leak", leak, METH_VARARGS, "keep n bytes until the process ends" },
    { NULL, NULL, 0, NULL },
};

static struct PyModuleDef module = { PyModuleDef_HEAD_INIT, "leakext", NULL, -1, methods, NULL, NULL, NULL, NULL };

PyMODINIT_FUNC PyInit_leakext(void)
{
    return PyModule_Create(&module);
}
