/*
 * render_svg.c — SVG line charts and segment bars for the HTML page (see render_svg.h).
 *
 * Axes get "nice" ticks (1, 2 or 5 times a power of ten; bytes in binary units so the labels read
 * like the text report's). Long series are drawn as one polyline each: 10,000 events are 10,000 points,
 * which a browser draws without trouble and which keeps every step visible.
 */
#include "render/render_svg.h"

#include <math.h>
#include <string.h>

#include "render/units.h"

enum { LEFT = 78, RIGHT = 16, TOP = 46, BOTTOM = 42, LEGEND_LINE = 17 };

void svg_escape(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default:
            if ((unsigned char)*s < 0x20)
                fputc(' ', out);
            else
                fputc(*s, out);
        }
    }
}

/* A step of 1, 2 or 5 x 10^k (or binary 1, 2, 4, ... KiB/MiB multiples for bytes) giving ~5 ticks. */
static double nice_step(double span, int bytes)
{
    if (!(span > 0))
        return 1;
    double raw = span / 5;
    if (bytes && raw >= 1024) {
        double unit = pow(1024, floor(log(raw) / log(1024)));
        double m = raw / unit, steps[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024 };
        for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
            if (steps[i] >= m)
                return steps[i] * unit;
        return 1024 * unit;
    }
    double p = pow(10, floor(log10(raw))), m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

static void range_of(const svg_series *s, size_t ns, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t k = 0; k < ns; k++)
        for (size_t i = 0; i < s[k].n; i++) {
            if (s[k].y[i] < *lo)
                *lo = s[k].y[i];
            if (s[k].y[i] > *hi)
                *hi = s[k].y[i];
        }
    if (!isfinite(*lo))
        *lo = 0, *hi = 1;
    if (*hi - *lo < 1e-9 * fabs(*hi) || *hi == *lo) {   /* flat: give it room */
        double pad = *hi ? fabs(*hi) * 0.05 : 1;
        *lo -= pad;
        *hi += pad;
    }
}

/* Log axis: coordinates are log10 of the value; ticks every factor of 32 (1 B, 32 B, 1 KiB, ...). */
#define LOG_STEP (5 * M_LN2 / M_LN10)

static double ycoord(const svg_chart *c, double y)
{
    return c->log_y ? log10(y > 1 ? y : 1) : y;
}

static void log_range(const svg_series *s, size_t ns, double *lo, double *hi)
{
    double top = 1;
    for (size_t k = 0; k < ns; k++)
        for (size_t i = 0; i < s[k].n; i++)
            if (s[k].y[i] > top)
                top = s[k].y[i];
    *lo = 0;
    *hi = ceil(log10(top) / LOG_STEP) * LOG_STEP;
    if (*hi <= *lo)
        *hi = LOG_STEP;
}

void svg_line_chart(FILE *out, const svg_chart *c, const svg_series *s, size_t ns)
{
    size_t n = 0;
    for (size_t k = 0; k < ns; k++)
        if (s[k].n > n)
            n = s[k].n;
    int legend_h = c->legend_below ? (int)ns * LEGEND_LINE + 8 : 0;
    int pw = c->width - LEFT - RIGHT, ph = c->height - TOP - BOTTOM - legend_h;
    double x0 = c->x0, x1 = c->x0 + (n > 1 ? (double)n - 1 : 1);
    double lo, hi, ystep;
    if (c->log_y) {
        log_range(s, ns, &lo, &hi);
        ystep = LOG_STEP;
    } else {
        range_of(s, ns, &lo, &hi);
        ystep = nice_step(hi - lo, 1);
        lo = floor(lo / ystep) * ystep;
        hi = ceil(hi / ystep) * ystep;
    }
#define PX(x) (LEFT + ((x) - x0) / (x1 - x0) * pw)
#define PY(y) (TOP + (hi - ycoord(c, y)) / (hi - lo) * ph)
    fprintf(out, "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "font-family=\"sans-serif\" font-size=\"12\" role=\"img\">\n", c->width, c->height, c->width, c->height);
    fprintf(out, "<title>");
    svg_escape(out, c->title);
    fprintf(out, "</title>\n<text x=\"4\" y=\"16\" font-weight=\"bold\" font-size=\"13\">");
    svg_escape(out, c->title);
    fprintf(out, "</text>\n");
    if (c->subtitle) {
        fprintf(out, "<text x=\"4\" y=\"34\" fill=\"#333\">");
        svg_escape(out, c->subtitle);
        fprintf(out, "</text>\n");
    }
    /* grid and y labels */
    for (double y = lo; y <= hi + ystep / 2; y += ystep) {
        char lab[32];
        double v = c->log_y ? round(pow(10, y)) : y;   /* y is the axis coordinate */
        double py = TOP + (hi - y) / (hi - lo) * ph;
        units_bytes(v, lab, sizeof lab);
        fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#444\">%s</text>\n",
                LEFT, LEFT + pw, py, py, LEFT - 6, py + 4, lab);
    }
    double xstep = nice_step(x1 - x0, 0);
    if (xstep < 1)
        xstep = 1;
    for (double x = ceil(x0 / xstep) * xstep; x <= x1 + 1e-9; x += xstep)
        fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#eee\"/>"
                "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#444\">%.0f</text>\n",
                PX(x), PX(x), TOP, TOP + ph, PX(x), TOP + ph + 16, x);
    fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>\n", LEFT,
            TOP, pw, ph);
    fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#444\">", LEFT + pw / 2, TOP + ph + 34);
    svg_escape(out, c->xlabel);
    fprintf(out, "</text>\n");
    for (size_t k = 0; k < ns; k++) {
        fprintf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", s[k].color);
        for (size_t i = 0; i < s[k].n; i++)
            fprintf(out, "%s%.1f,%.1f", i ? " " : "", PX(x0 + (double)i), PY(s[k].y[i]));
        fprintf(out, "\"/>\n");
        if (s[k].n == 1)
            fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", PX(x0), PY(s[k].y[0]), s[k].color);
        if (s[k].has_fit) {
            double ya = s[k].slope * x0 + s[k].intercept, yb = s[k].slope * x1 + s[k].intercept;
            fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\" "
                    "stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n",
                    PX(x0), PY(ya < lo ? lo : ya > hi ? hi : ya), PX(x1), PY(yb < lo ? lo : yb > hi ? hi : yb));
        }
    }
    for (size_t k = 0; k < ns; k++) {
        double lx = c->legend_below ? LEFT : LEFT + 10, ly = c->legend_below
                                                        ? TOP + ph + BOTTOM + (double)k * LEGEND_LINE + 6
                                                        : TOP + 14 + (double)k * LEGEND_LINE;
        if (!s[k].label || ns == 1)
            continue;
        fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"4\" fill=\"%s\"/>"
                "<text x=\"%.1f\" y=\"%.1f\">", lx, ly - 4, s[k].color, lx + 20, ly);
        svg_escape(out, s[k].label);
        fprintf(out, "</text>\n");
    }
#undef PX
#undef PY
    fprintf(out, "</svg>\n");
}

void svg_bar(FILE *out, int width, const svg_segment *seg, size_t n)
{
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += seg[i].width > 0 ? seg[i].width : 0;
    int h = 46, pw = width - 2;
    fprintf(out, "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "font-family=\"sans-serif\" font-size=\"12\" role=\"img\">\n", width, h, width, h);
    double x = 1;
    for (size_t i = 0; i < n; i++) {
        double w = total > 0 && seg[i].width > 0 ? seg[i].width / total * pw : 0;
        fprintf(out, "<g><title>");
        svg_escape(out, seg[i].tooltip);
        fprintf(out, "</title><rect x=\"%.1f\" y=\"1\" width=\"%.1f\" height=\"%d\" fill=\"%s\" stroke=\"#fff\"/>",
                x, w, h - 2, seg[i].color);
        /* ~7 px per character at 12 px: label only segments it fits into */
        if (seg[i].label && w > 7.0 * (double)strlen(seg[i].label) + 8) {
            fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#000\">", x + w / 2, h / 2 + 4);
            svg_escape(out, seg[i].label);
            fprintf(out, "</text>");
        }
        fprintf(out, "</g>\n");
        x += w;
    }
    fprintf(out, "</svg>\n");
}
