/*
 * units.h — human units for the text renderer: bytes in B/KiB/MiB/GiB (binary, as memory is
 * counted), rates with an explicit sign so growth and shrinkage read apart.
 */
#ifndef LS_UNITS_H
#define LS_UNITS_H

#include <stddef.h>

/* "512 B", "4.00 KiB", "1.50 MiB", "-2.25 GiB" */
void units_bytes(double v, char *buf, size_t size);
/* Same with a sign: "+4.00 KiB", "-512 B", "0 B" */
void units_bytes_signed(double v, char *buf, size_t size);
/* "+1701", "+0.5", "0" */
void units_count_signed(double v, char *buf, size_t size);

#endif
