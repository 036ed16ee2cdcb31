/*
 * launch/launch.h — the `leakstamp` launcher (build/bin/leakstamp): `run`, `report`, `gate`.
 *
 * The launcher stands between the caller and the job and must not show: it execs the job itself when
 * nothing is left to do afterwards, and otherwise supervises it (forwards signals, returns its exact
 * wait status). The analysis is `leakstamp-analyze`, which `report` and `gate` exec or run.
 * One concern per file:
 *   main.c         the command word, `report`, --help/--version
 *   usage.c        the help texts
 *   diag.c         the one-line usage error (exit 2)
 *   run_options.c  the options `run` and `gate` share, and the check of the command after them
 *   locate.c       where the library and the analyzer are; the command looked up in PATH
 *   preloadable.c  whether the loader will preload into a program (set-id, capabilities, static)
 *   elf_probe.c    the ELF program headers read for that (PT_INTERP, PT_DYNAMIC)
 *   outdir.c       the output directory: default name, creation, absolute path, reports in it
 *   exec_job.c     exec of the job (or the analyzer) in this process
 *   supervise.c    a child run to its end: signal forwarding, its wait status, dying like it
 *   progress.c     the --progress status line (an analyzer in the background)
 *   cmd_run.c      `leakstamp run`
 *   cmd_gate.c     `leakstamp gate`
 */
#ifndef LS_LAUNCH_H
#define LS_LAUNCH_H

#include <stddef.h>
#include <stdio.h>
#include <stdnoreturn.h>
#include <sys/types.h>
#include <time.h>

#define LS_EXIT_USAGE 2

/* diag.c */
noreturn void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));   /* "leakstamp: ..." on stderr */
void *xmalloc(size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* usage.c */
void usage_main(FILE *f);
void usage_run(void);
void usage_gate(void);
void print_version(void);
/* -h/--help prints USAGE, -V/--version the version; either exits 0. */
void exit_if_help_or_version(const char *arg, void (*usage)(void));

/* locate.c: NULL when not found. */
const char *find_lib(void);
const char *find_analyzer(void);
/* report and gate: the analyzer, or a usage error (a LEAKSTAMP_ANALYZE that cannot be run, none found) */
const char *find_analyzer_or_die(const char *cmd);
char *find_command(const char *name);

/* run_options.c: the state of the options `run` and `gate` share. */
struct run_opts {
    const char *cmd;          /* "run" or "gate", for messages */
    const char *out;          /* -o DIR, or NULL */
    int quiet;
    const char **stamps;      /* --stamp names, in order */
    size_t nstamps;
};
/* How many words of argv (argc of them) one run option took; 0 when argv[0] is not one. Sets the
 * LEAKSTAMP_* variables as it goes; a bad value is a usage error. */
int parse_run_opt(struct run_opts *o, int argc, char **argv);

struct job {
    char **argv;              /* the command as given (argv[0] as the user wrote it) */
    char *exe;                /* the file it runs, looked up as the shell does */
    const char *lib;          /* libleakstamp.so */
    char *untracked;          /* why the loader will not preload it, or NULL */
};
/* After the options: the command, the library, LEAKSTAMP_STAMPS; a usage error when one is missing. */
struct job prepare_job(struct run_opts *o, char **argv);

/* preloadable.c: NULL, or the reason ("X is statically linked: nothing can be preloaded into it"). */
char *untracked_reason(const char *exe);

/* elf_probe.c */
enum elf_kind { ELF_NOT_ELF, ELF_DYNAMIC, ELF_STATIC };
enum elf_kind elf_probe(const char *path);

/* outdir.c */
int outdir_default(const char *exe, char **dir); /* makes a new one; *dir its name; -1 (errno) */
int outdir_make(const char *dir);               /* mkdir -p; 0 or -1 */
char *outdir_absolute(const char *dir);         /* an existing directory's absolute path, or NULL */
int outdir_writable(const char *dir);           /* reports can be created in it: 0, or -1 (errno) */
long count_reports(const char *dir);            /* entries named *.lsr; 0 when unreadable */
void outdir_remove(const char *dir);            /* rm -rf, not following symlinks */

/* exec_job.c: exec exe with argv; with lib, LD_PRELOAD gets it in front. Returns only by exiting
 * (126: found but cannot be run, 127: not found), after one line naming the command. */
noreturn void exec_job(const char *exe, char **argv, const char *lib);

/* unmatched_names.c: --event/--stamp names no process matched, said once after the job. */
int names_summary_wanted(void);                  /* names were given */
void names_summary_begin(struct timespec *start); /* before the job: the processes leave it to us */
void names_summary_say(const char *dir, const struct timespec *start);

/* supervise.c */
int supervise(const char *exe, char **argv, const char *lib);   /* the child's wait status */
int status_as_shell(int status);                                /* 128+N for signal N, else the code */
noreturn void exit_like(int status);                           /* exit with, or die of, the same */

/* progress.c: WHEN is "auto", "always" or "never". progress_start returns 0 when not started. */
int progress_wanted(const char *when);
pid_t progress_start(const char *when, const char *outdir);
void progress_stop(pid_t pid);

/* cmd_run.c, cmd_gate.c */
noreturn void cmd_run(int argc, char **argv, const char *argv0);
noreturn void cmd_gate(int argc, char **argv);

#endif
