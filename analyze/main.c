/*
 * main.c — entry point of build/bin/leakstamp-analyze; everything else is in cli.c so the unit tests
 * can run the command in-process.
 *
 * The analyzer's rooms (includes are written "room/file.h", compiled with -Ianalyze):
 *   analyze/   the command: main.c, cli.* (dispatch, exit codes), options.* (the parsed command line
 *              every room reads), progress.* (--progress); may call all
 *   base/      diag.* (ls_error), util.* (x-alloc, vectors, paths): used by every room, so below them
 *              all; includes nothing of ours
 *   read/      report files to ls_report: inputs, report_reader, stamp_scan, report_fields,
 *              site_stream, strpool, u64map; calls base only
 *   model/     the analysis: events, series, fit, verdict, rank, process growth, merge (the merged
 *              view's accumulators), partial (sharding), timeline, symbolize, frames, runtime and
 *              suppressions (stack patterns the report and the gate share), analyze_paths (paths to
 *              a finished analysis, one report at a time); calls read, base (and options.h)
 *   render/    text, JSON, TSV, CSV, HTML, SVG, collapsed, pprof, npy, units; calls model, read, base
 *              (options.h; cli.h for the exit codes export_write returns)
 *   gate/      --gate: options, decision, output, JUnit, baseline, JSON reader; calls
 *              model, read, base, render/units.h (sizes printed as in the text report), options.h
 *              and common/size.h (SIZE)
 */
#include "cli.h"

int main(int argc, char **argv)
{
    return ls_cli_main(argc, argv);
}
