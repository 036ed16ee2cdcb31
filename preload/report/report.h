/*
 * report/report.h — the report room of libleakstamp.so: the report file and what goes into it, and the
 * process's life around it. The only header trap/ includes from it; it includes core/core.h and nothing
 * of trap/.
 *
 * Files: outfile.c (the report descriptor), buf.c and escape.c (record text), report_writer.c (header
 * and stack definitions), stamp.c (stamps and the exit record), modules.c (module table), maps.c
 * (/proc/self/maps), procstat.c (VM, RSS, time), stamp_maps.c (the mapping lines of stamps and exit),
 * lifecycle.c (start, fork, exec, exit), hooks_exec.c (the exec family), hooks_dl.c and
 * hooks_dlopen.S (dlopen, dlclose).
 */
#ifndef LS_REPORT_H
#define LS_REPORT_H

#include "core/core.h"

/* ---- module table (modules.c) ---- */
struct ls_module_rec {
    uint32_t id;
    uintptr_t lo, hi, bias;
    uint8_t emitted;
    char buildid[41 * 2];
    char path[4096];
};
LS_HIDDEN void ls_modules_refresh(void);         /* re-read /proc/self/maps; stamp lock held */
LS_HIDDEN uint32_t ls_modules_find(uintptr_t addr);  /* module id or 0 */
LS_HIDDEN struct ls_module_rec *ls_modules_get(uint32_t id);
LS_HIDDEN void ls_modules_forget_emitted(void);
extern _Atomic int ls_modules_stale LS_HIDDEN;  /* set by dlopen/dlclose */

/* ---- /proc/self/maps (maps.c) ---- */
struct ls_mapping {
    uintptr_t lo, hi;
    unsigned long long offset, inode;
    int readable, writable;
    const char *path;   /* points into the buffer, NUL-terminated in place; " (deleted)" cut off */
};
LS_HIDDEN char *ls_maps_read(size_t *len, size_t *cap);   /* NUL-terminated; ls_unmap(buf, *cap) */
LS_HIDDEN int ls_maps_next(char **cursor, struct ls_mapping *m);   /* 0 at the end */

/* ---- growable text buffer (buf.c) and escaping (escape.c) ---- */
struct ls_buf {
    char *data;
    size_t len, cap;
    int failed;
};
LS_HIDDEN void ls_buf_reserve(struct ls_buf *b, size_t extra);
LS_HIDDEN void ls_buf_put(struct ls_buf *b, const char *s, size_t n);
LS_HIDDEN void ls_buf_str(struct ls_buf *b, const char *s);
LS_HIDDEN void ls_buf_esc(struct ls_buf *b, const char *s);   /* escaped per report-format.md */
LS_HIDDEN void ls_buf_u64(struct ls_buf *b, uint64_t v);
LS_HIDDEN void ls_buf_i64(struct ls_buf *b, int64_t v);
LS_HIDDEN void ls_buf_hex(struct ls_buf *b, uint64_t v);
LS_HIDDEN void ls_buf_tab(struct ls_buf *b);
LS_HIDDEN void ls_buf_nl(struct ls_buf *b);
LS_HIDDEN void ls_buf_free(struct ls_buf *b);
LS_HIDDEN size_t ls_escape(char *dst, size_t cap, const char *src);
LS_HIDDEN void *ls_buf_grow_mem(void *old, size_t oldcap, size_t newcap);   /* newcap 0: release */

/* ---- the report file (outfile.c) ---- */
LS_HIDDEN int ls_outfile_open(void);             /* new file for this process; 0 or -1 */
LS_HIDDEN int ls_outfile_write(const char *data, size_t len);  /* one record, reopening if needed */
LS_HIDDEN void ls_outfile_close(void);
LS_HIDDEN const char *ls_outfile_path(void);

/* ---- records (report_writer.c) and stamps (stamp.c) ---- */
LS_HIDDEN void ls_write_header(void);
/* The batch rank (MPI, Slurm, HTCondor variables; docs/report-format.md "Batch identity"), -1: none.
 * report_writer.c; outfile.c puts it in the file name. */
LS_HIDDEN long long ls_batch_rank(void);
LS_HIDDEN void ls_define_stack(struct ls_buf *b, struct ls_stack_rec *s);  /* module+stack lines, once per file */
LS_HIDDEN void ls_resolve_pending_stacks(void);
LS_HIDDEN void ls_forget_definitions(void);
LS_HIDDEN void ls_forget_previous_stamp(void);
LS_HIDDEN void ls_stamp_internal(const char *name);
LS_HIDDEN void ls_write_exit(const char *reason);
LS_HIDDEN void ls_stamp_lock(void);
LS_HIDDEN int ls_stamp_lock_bounded(int inside);   /* 0 taken; -1: `inside` the tool, may hold it */
LS_HIDDEN void ls_stamp_unlock(void);
LS_HIDDEN void ls_stamp_reset_lock(void);
/* The mapping lines (stamp_maps.c): `map` + `mapped` into a stamp's body, `maplive` + `mapped` into the
 * exit record's, stacks defined in rec; stamp lock held. */
LS_HIDDEN void ls_put_map_lines(struct ls_buf *rec, struct ls_buf *body);
LS_HIDDEN void ls_put_map_exit_lines(struct ls_buf *rec, struct ls_buf *body, int inside);
LS_HIDDEN void ls_maps_forget_previous(void);

/* ---- process statistics (procstat.c) ---- */
LS_HIDDEN void ls_proc_stat(uint64_t *vm, uint64_t *rss);
LS_HIDDEN uint64_t ls_now_us(void);

/* ---- lifecycle (lifecycle.c) ---- */
LS_HIDDEN void ls_before_exec(void);
extern pid_t ls_owner_pid LS_HIDDEN;            /* the process the report belongs to */

/* ---- named stamp symbols (trap/, docs/named-stamps.md) ----
 * The lifecycle and the header reach the named-stamp room through this table only, which trap/ fills in:
 * report/ includes nothing of trap/, and trap/ calls report/ (stamps, module table) through this header. */
struct ls_named_stamps {
    void (*start)(void);                    /* at start-up: arm the --event/--stamp functions */
    void (*put_header)(struct ls_buf *b);   /* header keys `event`, `inject` */
    void (*at_exit)(void);                  /* before the exit record: the `symbols` record */
};
extern const struct ls_named_stamps ls_named_stamps LS_HIDDEN;

/* ---- heap scans (scan/, docs/preload.md "Heap scans") ----
 * The same arrangement: report/ includes nothing of scan/, scan/ fills in this table. */
struct ls_scans {
    void (*start)(void);                                /* at start-up: LEAKSTAMP_SCAN */
    void (*after_stamp)(const char *name, uint32_t seq);   /* stamp lock held: a scan at event N */
    void (*at_exit)(void);                              /* before the exit record: the exit scan */
};
extern const struct ls_scans ls_scans LS_HIDDEN;
#endif
