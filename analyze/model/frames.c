/*
 * frames.c — frame roles, display-frame choice and site keys (see frames.h).
 */
#include "model/frames.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static const char *const allocator_functions[] = {
    "malloc", "calloc", "realloc", "free", "reallocarray", "posix_memalign", "aligned_alloc",
    "memalign", "valloc", "pvalloc", "__libc_malloc", "__libc_calloc", "__libc_realloc",
    "__libc_memalign", "__libc_valloc", "__libc_pvalloc", "__posix_memalign", "_int_malloc",
    "_int_realloc", "_int_memalign", "tcache_init", "malloc_hook_ini", NULL,
};

static int has_prefix(const char *s, const char *prefix)
{
    return s && !strncmp(s, prefix, strlen(prefix));
}

static int is_allocator(const ls_symframe *f)
{
    if (f->module && has_prefix(path_base(f->module), "libleakstamp"))
        return 1;
    if (!f->function)
        return 0;
    for (const char *const *a = allocator_functions; *a; a++)
        if (!strcmp(f->function, *a))
            return 1;
    /* every operator new/delete form, demangled ("operator new(unsigned long)") or not (_Znwm) */
    return has_prefix(f->function, "operator new") || has_prefix(f->function, "operator delete") ||
           has_prefix(f->function, "_Znw") || has_prefix(f->function, "_Zna");
}

/* Code from the system's headers (libstdc++'s templates: std::string, std::vector, allocators) is
 * compiled into the user's own module, often inlined; by its source file it is still the runtime's,
 * and the line a user can change is the caller's. */
static int in_system_header(const char *file)
{
    return has_prefix(file, "/usr/include/") || has_prefix(file, "/usr/lib/gcc/") ||
           (file && strstr(file, "/include/c++/"));
}

static int is_runtime(const ls_symframe *f)
{
    const char *b = f->module ? path_base(f->module) : NULL;
    return has_prefix(b, "libc.so") || has_prefix(b, "libc-2.") || has_prefix(b, "libstdc++.so") ||
           has_prefix(b, "ld-linux") || has_prefix(b, "libgcc_s.so") || in_system_header(f->file);
}

static int is_skipped(const ls_symframe *f, const regex_t *skip, size_t nskip)
{
    for (size_t i = 0; f->function && i < nskip; i++)
        if (regexec(&skip[i], f->function, 0, NULL, 0) == 0)
            return 1;
    return 0;
}

void frames_classify(ls_symframe *f, size_t n, const regex_t *skip, size_t nskip)
{
    for (size_t i = 0; i < n; i++)
        f[i].role = is_allocator(&f[i]) ? ROLE_ALLOCATOR
                  : is_skipped(&f[i], skip, nskip) ? ROLE_SKIPPED
                  : is_runtime(&f[i]) ? ROLE_RUNTIME
                  : ROLE_USER;
}

size_t frames_display(const ls_symframe *f, size_t n)
{
    /* best role wins, innermost first among equals; an allocator frame only if nothing else exists */
    for (int role = ROLE_USER; role <= ROLE_ALLOCATOR; role++)
        for (size_t i = 0; i < n; i++)
            if (f[i].role == role)
                return i;
    return 0;
}

const char *frames_function_label(strpool *pool, const ls_symframe *f)
{
    if (f->function)
        return f->function;
    char buf[4096];
    if (f->module)
        snprintf(buf, sizeof buf, "%s+0x%llx", path_base(f->module), (unsigned long long)f->addr);
    else
        snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)f->addr);
    return strpool_intern(pool, buf);
}

const char *frames_key(strpool *pool, const ls_symframe *f, size_t n, size_t display)
{
    size_t cap = 256, len = 0;
    char *key = xmalloc(cap);
    key[0] = '\0';
    for (size_t i = display; i < n; i++) {
        /* unresolved frames keep their address so distinct unknown code does not merge */
        const char *fn = f[i].function;
        char addr[32] = "";
        if (!fn)
            snprintf(addr, sizeof addr, "%llx", (unsigned long long)f[i].addr);
        /* the module by its file name: one binary staged at different paths is one program */
        const char *parts[] = { fn ? fn : addr, f[i].file ? f[i].file : "", f[i].module ? path_base(f[i].module) : "" };
        char line[16];
        snprintf(line, sizeof line, "%d", f[i].line);
        size_t need = len + strlen(parts[0]) + strlen(parts[1]) + strlen(parts[2]) + strlen(line) + 8;
        if (need > cap) {
            cap = need * 2;
            key = xrealloc(key, cap);
        }
        len += (size_t)sprintf(key + len, "%s\x1f%s\x1f%s\x1f%s\x1e", parts[0], parts[1], line, parts[2]);
    }
    const char *pooled = strpool_intern(pool, key);
    free(key);
    return pooled;
}
