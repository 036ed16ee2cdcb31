#include "export.h"
void render_html(FILE *out, const ls_analysis *a, const ls_options *o) { (void)out; (void)a; (void)o; }
