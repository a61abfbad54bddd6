/*
 * Times: formatting as RFC 3339 UTC, and reading every date form feeds use
 * (RFC 822 and its wild variants, RFC 3339 / ISO 8601 / W3CDTF).
 */
#ifndef AGG_TIMEFMT_H
#define AGG_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* "2024-09-05T14:30:00Z"; -1 if the time does not fit. */
int	 timefmt_rfc3339(int64_t, char *, size_t);
/* Parse a feed date; TIME_NONE when it cannot be read (never a guess). */
int64_t	 timefmt_parse(const char *);
/* Parse an RFC 3339 time given by a user or stored by us. */
int64_t	 timefmt_parse_rfc3339(const char *);

#endif
