/*
 * main.c — entry point of build/bin/leakstamp-analyze; everything else is in cli.c so the unit tests
 * can run the command in-process.
 */
#include "cli.h"

int main(int argc, char **argv)
{
    return ls_cli_main(argc, argv);
}
