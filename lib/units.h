/*
 * Durations ("30s", "15m", "2h", "1d", "1h30m") and sizes ("16M", "512K"),
 * as written in the configuration file and on aggctl's command line.
 */
#ifndef AGG_UNITS_H
#define AGG_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* 0 and the value in seconds, or -1 and *cause (caller frees). */
int	units_parse_duration(const char *, int64_t *, char **cause);
/* 0 and the value in bytes, or -1 and *cause (caller frees). */
int	units_parse_size(const char *, int64_t *, char **cause);
/* "1h30m", "15m", "0s": the shortest exact spelling. */
void	units_format_duration(int64_t, char *, size_t);

#endif
