#include <string.h>
#include "progress.h"
int progress_requested(int argc, char **argv) { (void)argc; (void)argv; return 0; }
int progress_main(int argc, char **argv) { (void)argc; (void)argv; return 0; }
