/*
 * leakstamp.h — the public stamp API of leakstamp, and nothing internal.
 *
 * A stamp marks a point in a job's event loop. At every stamp, libleakstamp.so (when it is preloaded)
 * records how much live memory each call site holds, with the process's time, VM and RSS. Stamps with
 * the same name mark the same point in successive events.
 *
 *     #include <leakstamp.h>
 *     for (...) { leakstamp_stamp("event"); process_one_event(); }
 *
 * A job built against this header runs unchanged without the preload: the function is declared weak,
 * and the macro below calls it only when the dynamic linker found a definition (the preloaded library).
 * Without the preload a stamp costs one compare. Link nothing: there is no library to link against.
 */
#ifndef LEAKSTAMP_H
#define LEAKSTAMP_H

#ifdef __cplusplus
extern "C" {
#endif

/* Record a stamp named `name` (copied; any string). Thread-safe. */
void leakstamp_stamp(const char *name) __attribute__((weak));

#ifdef __cplusplus
}
#endif

/* The parenthesised name inside the macro is not expanded again, so this calls the real function. */
#define leakstamp_stamp(name) \
    ((leakstamp_stamp) ? (leakstamp_stamp)(name) : (void)0)

#endif
