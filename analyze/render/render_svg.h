/*
 * render_svg.h — the inline SVG pictures of the HTML page (render_html.c): line charts of values
 * against event number (with dashed fitted lines), and one horizontal bar split into segments.
 * Plain SVG elements with presentation attributes only, so the page needs no script and no style
 * sheet to draw them. No xmlns attribute: the HTML parser puts <svg> in the SVG namespace itself, and
 * the page then holds no URL at all (its test checks that nothing could be fetched).
 */
#ifndef LS_RENDER_SVG_H
#define LS_RENDER_SVG_H

#include <stddef.h>
#include <stdio.h>

typedef struct svg_series {
    const char *label;        /* legend text (escaped here) */
    const char *color;
    const double *y;          /* y[i] at x = x0 + i */
    size_t n;
    int has_fit;              /* also draw slope * x + intercept, dashed */
    double slope, intercept;
} svg_series;

typedef struct svg_chart {
    int width, height;
    const char *title;        /* escaped here */
    const char *subtitle;     /* a second, plain line under the title; NULL: none */
    const char *xlabel;
    double x0;                /* x of y[0] */
    int legend_below;         /* legend lines under the plot instead of inside it */
    int log_y;                /* logarithmic y axis for values >= 1 (ticks at powers of 32 bytes); values
                               * below 1 are drawn on the axis's floor */
} svg_chart;

/* A single series gets no legend: the title names it. */
void svg_line_chart(FILE *out, const svg_chart *c, const svg_series *s, size_t ns);

typedef struct svg_segment {
    double width;             /* relative (e.g. microseconds) */
    const char *label;        /* shown inside the segment when it fits, always in its tooltip */
    const char *tooltip;
    const char *color;
} svg_segment;

void svg_bar(FILE *out, int width, const svg_segment *seg, size_t n);

/* Text escaped for HTML/SVG character data and attribute values. */
void svg_escape(FILE *out, const char *s);

#endif
