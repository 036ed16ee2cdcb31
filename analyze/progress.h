/*
 * progress.h — `leakstamp-analyze --progress-line DIR`: the one updating status line `leakstamp run
 * --progress` shows on a terminal during a long run (events seen, RSS, the fastest-growing site so
 * far), read incrementally from the newest report in DIR every second (progress.c).
 */
#ifndef LS_PROGRESS_H
#define LS_PROGRESS_H

/* argv holds --progress-line (the analyzer then runs only this mode). */
int progress_requested(int argc, char **argv);
int progress_main(int argc, char **argv);

#endif
