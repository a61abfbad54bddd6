/*
 * Time formatting.  The feed date reader lives here too (timefmt_parse).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "item.h"
#include "timefmt.h"

int
timefmt_rfc3339(int64_t t, char *buf, size_t len)
{
	time_t		tt = (time_t)t;
	struct tm	tm;

	if (gmtime_r(&tt, &tm) == NULL)
		return (-1);
	if (tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999)
		return (-1);
	if (strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return (-1);
	return (0);
}

/* Placeholder until the full reader lands: RFC 3339 only. */
int64_t
timefmt_parse(const char *s)
{
	return (timefmt_parse_rfc3339(s));
}

int64_t
timefmt_parse_rfc3339(const char *s)
{
	struct tm	tm;
	int		n = 0;

	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    s[n] != '\0')
		return (TIME_NONE);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return ((int64_t)timegm(&tm));
}
