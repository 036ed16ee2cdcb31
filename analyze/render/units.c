/*
 * units.c — see units.h.
 */
#include "render/units.h"

#include <math.h>
#include <stdio.h>

static void scaled(double v, const char *sign, char *buf, size_t size)
{
    static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
    double a = fabs(v);
    size_t u = 0;
    while (a >= 1024 && u + 1 < sizeof unit / sizeof *unit) {
        a /= 1024;
        u++;
    }
    if (u == 0 && a == floor(a))
        snprintf(buf, size, "%s%.0f %s", sign, a, unit[u]);
    else
        snprintf(buf, size, "%s%.2f %s", sign, a, unit[u]);
}

void units_bytes(double v, char *buf, size_t size)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "-");
        return;
    }
    scaled(v, v < 0 ? "-" : "", buf, size);
}

void units_bytes_signed(double v, char *buf, size_t size)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "-");
        return;
    }
    scaled(v, v > 0 ? "+" : v < 0 ? "-" : "", buf, size);
}

void units_count_signed(double v, char *buf, size_t size)
{
    if (!isfinite(v))
        snprintf(buf, size, "-");
    else if (v == 0)
        snprintf(buf, size, "0");
    else if (v == floor(v) && fabs(v) < 1e15)
        snprintf(buf, size, "%+.0f", v);
    else
        snprintf(buf, size, "%+.2f", v);
}
