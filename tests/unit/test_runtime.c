/*
 * test_runtime.c — the runtime-internals rule that the report and the gate share (model/runtime.c):
 * stacks wholly in system libraries or the python interpreter, runtime blocks made on the job's behalf
 * (a built-in suppression between the allocator and the job's frame), and the job's own code called
 * back by the runtime.
 */
#include <criterion/criterion.h>

#include "model/frames.h"
#include "model/runtime.h"

#define F(fn, mod) { fn, NULL, 0, mod, 0x10, 0, 0 }

static int classify(ls_symframe *f, size_t n)
{
    frames_classify(f, n, NULL, 0);
    return runtime_stack(f, n, frames_display(f, n));
}

Test(runtime, tls_blocks_of_pthread_create_are_the_runtimes)
{
    ls_symframe f[] = {
        F("calloc", "/lib64/ld-linux-x86-64.so.2"), F("allocate_dtv", "/lib64/ld-linux-x86-64.so.2"),
        F("_dl_allocate_tls", "/lib64/ld-linux-x86-64.so.2"), F("pthread_create", "/lib/x86_64-linux-gnu/libc.so.6"),
        F("spawn", "/work/job"), F("main", "/work/job"),
    };
    cr_expect_eq(classify(f, 6), RUNTIME_BUILTIN);
}

Test(runtime, a_constructor_the_loader_runs_is_the_jobs)
{
    ls_symframe f[] = {
        F("ctorleak_init", "/work/libctorleak.so"), F("call_init", "/lib64/ld-linux-x86-64.so.2"),
        F("_dl_init", "/lib64/ld-linux-x86-64.so.2"), F("dlopen", "/lib/x86_64-linux-gnu/libc.so.6"),
        F("main", "/work/job"),
    };
    cr_expect_eq(classify(f, 5), RUNTIME_NONE);
}

Test(runtime, the_interpreter_alone_is_the_runtimes)
{
    ls_symframe f[] = {
        F("PyObject_Malloc", "/root/.pyenv/versions/3.11.7/lib/libpython3.11.so.1.0"),
        F("_PyEval_EvalFrameDefault", "/usr/local/bin/python3.11"), F("__libc_start_main", "/lib/x86_64-linux-gnu/libc.so.6"),
    };
    cr_expect_eq(classify(f, 3), RUNTIME_SYSTEM);
}

Test(runtime, a_ctypes_library_under_the_interpreter_is_the_jobs)
{
    ls_symframe f[] = {
        F("pyleak_keep", "/work/libpyleak.so"), F("ffi_call", "/lib/x86_64-linux-gnu/libffi.so.8"),
        F("_PyEval_EvalFrameDefault", "/usr/bin/python3.11"),
    };
    cr_expect_eq(classify(f, 3), RUNTIME_NONE);
    cr_expect(!runtime_module("/work/libpyleak.so"));
    cr_expect(runtime_module("/usr/bin/python3.11"));
}
