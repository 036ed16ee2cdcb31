/*
 * frames.h — which frame of a symbolized stack names the call site, and the key that identifies a
 * site across processes.
 *
 * The display frame is the first frame in the user's code: frames inside the allocator (malloc family,
 * operator new, libleakstamp.so) never qualify, frames in libc/libstdc++ (strdup calling malloc) are
 * kept in the stack but passed over, and so are frames whose function matches a --skip-frames regex
 * (pool allocators, std:: internals). The site key is the symbolized stack from the display frame
 * outwards: two raw stacks that differ only in collapsed frames, or only in raw addresses (another
 * process, another load address), are the same site.
 */
#ifndef LS_FRAMES_H
#define LS_FRAMES_H

#include <regex.h>
#include <stddef.h>

#include "read/strpool.h"
#include "model/symbolize.h"

enum {
    ROLE_USER = 0,      /* may be the display frame */
    ROLE_RUNTIME = 1,   /* libc, libstdc++, the dynamic loader: shown, not the display frame */
    ROLE_SKIPPED = 2,   /* matched --skip-frames */
    ROLE_ALLOCATOR = 3, /* the allocator or the tool itself */
};

/* Set each frame's role. `skip` holds nskip compiled POSIX EREs matched against function names. */
void frames_classify(ls_symframe *f, size_t n, const regex_t *skip, size_t nskip);

/* Index of the display frame (0 when n is 0). */
size_t frames_display(const ls_symframe *f, size_t n);

/* Pooled key of the site: frames display..n-1. */
const char *frames_key(strpool *pool, const ls_symframe *f, size_t n, size_t display);

/* "function", or "module+0xaddr" / "0xaddr" when the function is unknown; pooled. */
const char *frames_function_label(strpool *pool, const ls_symframe *f);

#endif
