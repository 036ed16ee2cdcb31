/*
 * render_csv.c — the ranked site table as RFC 4180 CSV: the TSV columns (site_row.c, docs/cli.md),
 * CRLF line ends, and a field quoted with "" doubling whenever it holds a comma, a quote, CR or LF.
 * C++ names are full of commas (std::map<int, std::vector<double>>), which is why TSV alone is not
 * enough for spreadsheet programs that guess the separator.
 */
#include <string.h>

#include "render/export.h"
#include "render/site_row.h"

static void csv_field(FILE *out, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* Function names go into the stack as they are: the whole stack is one quoted field. */
static char csv_frame_name_char(char c)
{
    return c;
}

static const site_row_format csv_format = {
    .sep = ',', .eol = "\r\n", .field = csv_field, .stack_field = csv_field,
    .frame_name_char = csv_frame_name_char,
};

void render_csv(FILE *out, const ls_analysis *a, const ls_options *o)
{
    (void)o;
    site_table_write(out, a, &csv_format);
}
