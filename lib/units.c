/*
 * Parsing and printing of durations and sizes.  Both are strict: a value
 * that is not entirely understood is an error, never a guess, so that a
 * typo in the configuration is reported rather than obeyed.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "units.h"
#include "xmalloc.h"

#define UNITS_MAX_SECONDS	(100LL * 365 * 86400)

int
units_parse_duration(const char *s, int64_t *out, char **cause)
{
	const char	*p = s;
	int64_t		 total = 0, n, mul;
	int		 parts = 0;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0')
		goto bad;
	while (*p != '\0' && !isspace((unsigned char)*p)) {
		if (!isdigit((unsigned char)*p))
			goto bad;
		n = 0;
		while (isdigit((unsigned char)*p)) {
			n = n * 10 + (*p++ - '0');
			if (n > UNITS_MAX_SECONDS)
				goto big;
		}
		switch (*p) {
		case 's': mul = 1; p++; break;
		case 'm': mul = 60; p++; break;
		case 'h': mul = 3600; p++; break;
		case 'd': mul = 86400; p++; break;
		case 'w': mul = 7 * 86400; p++; break;
		case '\0':
		case ' ':
		case '\t':
			/* A bare number is seconds, but only on its own. */
			if (parts > 0)
				goto bad;
			mul = 1;
			break;
		default:
			goto bad;
		}
		total += n * mul;
		if (total > UNITS_MAX_SECONDS)
			goto big;
		parts++;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '\0')
		goto bad;
	*out = total;
	return (0);
bad:
	if (cause != NULL)
		xasprintf(cause, "invalid duration '%s' (use e.g. 30s, 15m, "
		    "2h, 1d)", s);
	return (-1);
big:
	if (cause != NULL)
		xasprintf(cause, "duration '%s' is too long", s);
	return (-1);
}

int
units_parse_size(const char *s, int64_t *out, char **cause)
{
	const char	*p = s;
	int64_t		 n = 0, mul = 1;

	while (isspace((unsigned char)*p))
		p++;
	if (!isdigit((unsigned char)*p))
		goto bad;
	while (isdigit((unsigned char)*p)) {
		n = n * 10 + (*p++ - '0');
		if (n > (1LL << 40))
			goto bad;
	}
	switch (toupper((unsigned char)*p)) {
	case 'K': mul = 1024; p++; break;
	case 'M': mul = 1024 * 1024; p++; break;
	case 'G': mul = 1024 * 1024 * 1024; p++; break;
	}
	if (mul > 1 && *p == 'i')
		p++;
	if (*p == 'B' || *p == 'b')
		p++;
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '\0' || n > INT64_MAX / mul)
		goto bad;
	*out = n * mul;
	return (0);
bad:
	if (cause != NULL)
		xasprintf(cause, "invalid size '%s' (use e.g. 512K, 16M, 1G)",
		    s);
	return (-1);
}

void
units_format_duration(int64_t secs, char *buf, size_t len)
{
	static const struct {
		char	 unit;
		int64_t	 secs;
	} u[] = { { 'd', 86400 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 } };
	size_t	 i, off = 0;
	int	 n;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (secs <= 0) {
		snprintf(buf, len, "0s");
		return;
	}
	for (i = 0; i < sizeof u / sizeof u[0]; i++) {
		if (secs < u[i].secs)
			continue;
		n = snprintf(buf + off, len - off, "%lld%c",
		    (long long)(secs / u[i].secs), u[i].unit);
		if (n < 0 || (size_t)n >= len - off)
			return;
		off += (size_t)n;
		secs %= u[i].secs;
	}
}
