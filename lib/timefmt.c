/*
 * Times: formatting as RFC 3339 UTC, and reading the dates feeds carry.
 * Two readers: ISO 8601 as RFC 3339 and W3CDTF profile it (Atom, dc:date),
 * and RFC 822 as it is really written in RSS (named and military zones,
 * two-digit years, no seconds, no weekday, month names in any case, stray
 * spaces and commas, asctime order).  A date that cannot be read is
 * TIME_NONE: a wrong date is worse than none, so nothing is guessed.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "compat.h"
#include "item.h"
#include "timefmt.h"

struct timefmt_zone {
	const char	*name;
	int		 minutes;	/* east of UTC */
};

/* Zone names seen in feeds that have one meaning.  IST, BST and the like
 * name several zones and are left out: a guess would be wrong somewhere. */
static const struct timefmt_zone timefmt_zones[] = {
	{ "ut", 0 }, { "utc", 0 }, { "gmt", 0 }, { "z", 0 }, { "wet", 0 },
	{ "west", 60 }, { "cet", 60 }, { "cest", 120 }, { "met", 60 },
	{ "mest", 120 }, { "eet", 120 }, { "eest", 180 }, { "msk", 180 },
	{ "msd", 240 }, { "jst", 540 }, { "kst", 540 }, { "hkt", 480 },
	{ "sgt", 480 }, { "awst", 480 }, { "acst", 570 }, { "aest", 600 },
	{ "aedt", 660 }, { "nzst", 720 }, { "nzdt", 780 },
	{ "ast", -240 }, { "adt", -180 }, { "at", -240 },
	{ "est", -300 }, { "edt", -240 }, { "et", -300 },
	{ "cst", -360 }, { "cdt", -300 }, { "ct", -360 },
	{ "mst", -420 }, { "mdt", -360 }, { "mt", -420 },
	{ "pst", -480 }, { "pdt", -420 }, { "pt", -480 },
	{ "akst", -540 }, { "akdt", -480 }, { "hst", -600 },
};

static const char *timefmt_months[] = {
	"jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec"
};

static const char *timefmt_days[] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun"
};

int
timefmt_rfc3339(int64_t t, char *buf, size_t len)
{
	time_t		tt = (time_t)t;
	struct tm	tm;

	if (gmtime_r(&tt, &tm) == NULL)
		return (-1);
	if (tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999)
		return (-1);
	/* Not strftime's %Y: RFC 3339 wants four digits in year 24 too. */
	if ((size_t)snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec) >= len)
		return (-1);
	return (0);
}

static int
timefmt_leap(int y)
{
	return ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0);
}

static int
timefmt_mdays(int y, int m)
{
	static const int days[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return (m == 2 && timefmt_leap(y) ? 29 : days[m - 1]);
}

/* Seconds since the epoch of a UTC civil time, checked; TIME_NONE when a
 * field is out of range.  Hour 24:00:00 and second 60 are allowed (ISO 8601
 * end of day, leap second) and roll over. */
static int64_t
timefmt_make(int y, int mo, int d, int h, int mi, int s, int off_min)
{
	int64_t	days, yy;
	int	mm;

	if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > timefmt_mdays(y, mo) || h < 0 || h > 24 || mi < 0 ||
	    mi > 59 || s < 0 || s > 60 || (h == 24 && (mi != 0 || s != 0)))
		return (TIME_NONE);
	/* Days from civil (H. Hinnant's algorithm). */
	yy = mo <= 2 ? y - 1 : y;
	mm = mo <= 2 ? mo + 9 : mo - 3;
	days = 365 * yy + yy / 4 - yy / 100 + yy / 400 +
	    (153 * mm + 2) / 5 + d - 1 - 719468;
	return (days * 86400 + h * 3600 + mi * 60 + s - (int64_t)off_min * 60);
}

/* Read exactly N digits at *SP. */
static int
timefmt_digits(const char **sp, int n, int *v)
{
	const char	*s = *sp;
	int		 i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return (-1);
		*v = *v * 10 + (s[i] - '0');
	}
	*sp = s + n;
	return (0);
}

/*
 * A numeric offset: "+hh:mm", "+hhmm", "+hh", and with SHORT_HOUR also
 * "+h" and "+h:mm", as hand-written RFC 822 dates have them ("GMT+4");
 * minutes east in *OFF.  Three digits or more than four are refused:
 * "+123" could be 1:23 or 12:03.
 */
static int
timefmt_offset(const char **sp, int *off, int short_hour)
{
	const char	*s = *sp;
	int		 sign, h, m = 0, n;

	if (*s != '+' && *s != '-')
		return (-1);
	sign = *s++ == '-' ? -1 : 1;
	for (n = 0; n < 5 && isdigit((unsigned char)s[n]); n++)
		;
	if (n == 4) {
		timefmt_digits(&s, 2, &h);
		timefmt_digits(&s, 2, &m);
	} else if (n == 2 || (n == 1 && short_hour)) {
		timefmt_digits(&s, n, &h);
		if (*s == ':')
			s++;
		if (isdigit((unsigned char)*s) &&
		    timefmt_digits(&s, 2, &m) == -1)
			return (-1);
	} else
		return (-1);
	if (h > 23 || m > 59)
		return (-1);
	*off = sign * (h * 60 + m);
	*sp = s;
	return (0);
}

/* ISO 8601 as feeds use it: "2024-09-05T14:30:00.123+02:00", "2024-09-05",
 * "2024-09", "2024", "20240905T143000Z", a space for the T. */
static int64_t
timefmt_iso8601(const char *s)
{
	int	y, mo = 1, d = 1, h = 0, mi = 0, sec = 0, off = 0, basic;

	if (timefmt_digits(&s, 4, &y) == -1)
		return (TIME_NONE);
	basic = isdigit((unsigned char)*s);
	if (*s == '-' || basic) {
		if (*s == '-')
			s++;
		if (timefmt_digits(&s, 2, &mo) == -1)
			return (TIME_NONE);
		if (*s == '-' || (basic && isdigit((unsigned char)*s))) {
			if (*s == '-')
				s++;
			if (timefmt_digits(&s, 2, &d) == -1)
				return (TIME_NONE);
		}
	}
	if (*s == 'T' || *s == 't' || (*s == ' ' && isdigit((unsigned char)
	    s[1]))) {
		s++;
		if (timefmt_digits(&s, 2, &h) == -1)
			return (TIME_NONE);
		if (*s == ':')
			s++;
		if (timefmt_digits(&s, 2, &mi) == -1)
			return (TIME_NONE);
		if (*s == ':' || isdigit((unsigned char)*s)) {
			if (*s == ':')
				s++;
			if (timefmt_digits(&s, 2, &sec) == -1)
				return (TIME_NONE);
			if (*s == '.' || *s == ',') {
				s++;
				if (!isdigit((unsigned char)*s))
					return (TIME_NONE);
				while (isdigit((unsigned char)*s))
					s++;
			}
		}
		while (*s == ' ')
			s++;
		if (*s == 'Z' || *s == 'z')
			s++;
		else if (*s == '+' || *s == '-') {
			if (timefmt_offset(&s, &off, 0) == -1)
				return (TIME_NONE);
		} else if (strncasecmp(s, "utc", 3) == 0 ||
		    strncasecmp(s, "gmt", 3) == 0)
			s += 3;
	}
	while (*s == ' ')
		s++;
	if (*s != '\0')
		return (TIME_NONE);
	return (timefmt_make(y, mo, d, h, mi, sec, off));
}

/* A month name, as the word LW (already in lower case, N letters). */
static int
timefmt_month(const char *lw, size_t n)
{
	static const char *full[] = {
		"january", "february", "march", "april", "may", "june",
		"july", "august", "september", "october", "november",
		"december"
	};
	size_t	i;

	/* Most words are three letters (months and weekdays alike):
	 * no name of another length is compared. */
	if (n < 3)
		return (0);
	for (i = 0; i < 12; i++) {
		if (n == 3 ? memcmp(lw, timefmt_months[i], 3) == 0 :
		    memcmp(lw, full[i], 3) == 0 && strcmp(lw, full[i]) == 0)
			return ((int)i + 1);
	}
	if (n == 4 && memcmp(lw, "sept", 4) == 0)
		return (9);
	return (0);
}

static int
timefmt_weekday(const char *lw, size_t n)
{
	static const char *full[] = {
		"monday", "tuesday", "wednesday", "thursday", "friday",
		"saturday", "sunday"
	};
	size_t	i;

	for (i = 0; i < 7; i++) {
		if ((n == 3 && memcmp(lw, timefmt_days[i], 3) == 0) ||
		    strcmp(lw, full[i]) == 0)
			return (1);
	}
	if (strcmp(lw, "tues") == 0 || strcmp(lw, "thur") == 0 ||
	    strcmp(lw, "thurs") == 0)
		return (1);
	return (0);
}

/* A zone name or military letter, as the word LW (in lower case, N
 * letters); minutes east in *OFF. */
static int
timefmt_zone(const char *lw, size_t n, int *off)
{
	size_t	i;
	int	c;

	for (i = 0; i < nitems(timefmt_zones); i++) {
		if (strcmp(lw, timefmt_zones[i].name) == 0) {
			*off = timefmt_zones[i].minutes;
			return (0);
		}
	}
	if (n == 1) {
		/* RFC 822's military zones, with its signs. */
		c = (unsigned char)lw[0];
		if (c >= 'a' && c <= 'i')
			*off = -60 * (c - 'a' + 1);
		else if (c >= 'k' && c <= 'm')
			*off = -60 * (c - 'k' + 10);
		else if (c >= 'n' && c <= 'y')
			*off = 60 * (c - 'n' + 1);
		else
			return (-1);
		return (0);
	}
	return (-1);
}

/*
 * RFC 822 and what feeds make of it: "Thu, 05 Sep 2024 14:30:00 +0200",
 * "5 sep 24 14:30 EST", "Thursday, September 5, 2024 2:30:00 GMT",
 * "Thu Sep  5 14:30:00 2024" (asctime).  Read word by word.
 */
static int64_t
timefmt_rfc822(const char *s)
{
	const char	*w, *p;
	char		 lw[16];
	size_t		 n, i;
	int		 nums[3], nnum = 0, mon = 0, mon_at = -1, y, d;
	int		 h = 0, mi = 0, sec = 0, off = 0, have_time = 0;
	int		 have_zone = 0, pm = -1, v;

	while (*s != '\0') {
		while (*s == ' ' || *s == ',' || *s == '\t' || *s == '.')
			s++;
		if (*s == '\0')
			break;
		if (*s == '(') {
			/* A comment, like "(EST)" after an offset. */
			while (*s != '\0' && *s != ')')
				s++;
			if (*s == ')')
				s++;
			continue;
		}
		w = s;
		if (isdigit((unsigned char)*s)) {
			/* The value of up to four digits; more are refused
			 * below. */
			for (v = 0; isdigit((unsigned char)*s); s++) {
				if (s - w < 4)
					v = v * 10 + (*s - '0');
			}
			n = s - w;
			if (*s == ':') {
				if (have_time || n > 2)
					return (TIME_NONE);
				h = v;
				s++;
				if (timefmt_digits(&s, 2, &mi) == -1)
					return (TIME_NONE);
				if (*s == ':') {
					s++;
					if (timefmt_digits(&s, 2, &sec) == -1)
						return (TIME_NONE);
					if (*s == '.')
						for (s++; isdigit(
						    (unsigned char)*s); s++)
							;
				}
				have_time = 1;
				continue;
			}
			if (nnum == 3 || n > 4)
				return (TIME_NONE);
			nums[nnum++] = v + (n == 4 ? 100000 : 0);
			if (*s == '-' && mon == 0 && isalpha((unsigned char)
			    s[1]))
				s++;	/* "05-Sep-2024" */
			continue;
		}
		if (*s == '+' || *s == '-') {
			/* A one-digit hour only after the time: in
			 * "September 5-6, 2024" it is no zone. */
			p = s;
			if (have_zone || timefmt_offset(&p, &off,
			    have_time) == -1)
				return (TIME_NONE);
			s = p;
			have_zone = 1;
			continue;
		}
		if (!isalpha((unsigned char)*s))
			return (TIME_NONE);
		while (isalpha((unsigned char)*s))
			s++;
		n = s - w;
		/* Names are matched in lower case, folded once here; no
		 * name is as long as the buffer. */
		if (n >= sizeof lw)
			return (TIME_NONE);
		for (i = 0; i < n; i++)
			lw[i] = (char)tolower((unsigned char)w[i]);
		lw[n] = '\0';
		if (*s == '-' && isdigit((unsigned char)s[1]) && mon == 0 &&
		    (v = timefmt_month(lw, n)) != 0) {
			s++;	/* "Sep-2024" */
			mon = v;
			mon_at = nnum;
		} else if (mon == 0 && (v = timefmt_month(lw, n)) != 0) {
			mon = v;
			mon_at = nnum;
		} else if (timefmt_weekday(lw, n))
			;
		else if (strcmp(lw, "am") == 0)
			pm = 0;
		else if (strcmp(lw, "pm") == 0)
			pm = 1;
		else if (!have_zone && timefmt_zone(lw, n, &off) == 0) {
			have_zone = 1;
			/* "GMT+0200", "GMT+4": the offset is from UTC
			 * anyway. */
			if ((*s == '+' || *s == '-') &&
			    timefmt_offset(&s, &off, 1) == -1)
				return (TIME_NONE);
		} else
			return (TIME_NONE);
	}
	if (mon == 0 || nnum != 2)
		return (TIME_NONE);
	/* The year has four digits, or comes last. */
	if (nums[0] >= 100000 && nums[1] < 100000) {
		y = nums[0] - 100000;
		d = nums[1];
	} else if (nums[1] >= 100000 || mon_at <= 1) {
		d = nums[0];
		y = nums[1] >= 100000 ? nums[1] - 100000 : nums[1];
		if (nums[1] < 100000) {
			/* RFC 2822 4.3: two digits, 50 and over are 19xx. */
			if (y < 50)
				y += 2000;
			else if (y < 1000)
				y += 1900;
		}
	} else
		return (TIME_NONE);
	if (d >= 100000)
		return (TIME_NONE);
	if (pm != -1) {
		if (h < 1 || h > 12)
			return (TIME_NONE);
		h = h % 12 + (pm ? 12 : 0);
	}
	return (timefmt_make(y, mon, d, h, mi, sec, off));
}

/*
 * The form nearly every RSS feed writes, "Thu, 05 Sep 2024 14:30:00 +0200"
 * or "... GMT", read at its fixed places.  TIME_NONE sends everything else
 * to timefmt_rfc822, which reads this form the same way, only slower.
 */
static int64_t
timefmt_rfc822_fixed(const char *s, size_t n)
{
	static const struct {
		int	pos, len;
	} at[] = { { 5, 2 }, { 12, 4 }, { 17, 2 }, { 20, 2 }, { 23, 2 } };
	const char	*p;
	char		 lw[4];
	int		 i, mon, v[5], off = 0;

	if ((n != 29 && n != 31) || s[3] != ',' || s[4] != ' ' ||
	    s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[19] != ':' ||
	    s[22] != ':' || s[25] != ' ')
		return (TIME_NONE);
	for (i = 0; i < 3; i++)
		lw[i] = (char)tolower((unsigned char)s[i]);
	lw[3] = '\0';
	if (!timefmt_weekday(lw, 3))
		return (TIME_NONE);
	for (i = 0; i < 3; i++)
		lw[i] = (char)tolower((unsigned char)s[8 + i]);
	if ((mon = timefmt_month(lw, 3)) == 0)
		return (TIME_NONE);
	/* Day, year, hour, minute, second. */
	for (i = 0; i < 5; i++) {
		p = s + at[i].pos;
		if (timefmt_digits(&p, at[i].len, &v[i]) == -1)
			return (TIME_NONE);
	}
	p = s + 26;
	if (n == 29 ? strcasecmp(p, "gmt") != 0 :
	    timefmt_offset(&p, &off, 1) == -1 || p != s + n)
		return (TIME_NONE);
	return (timefmt_make(v[1], mon, v[0], v[2], v[3], v[4], off));
}

int64_t
timefmt_parse(const char *s)
{
	char	buf[128];
	size_t	n;
	int64_t	t;

	if (s == NULL)
		return (TIME_NONE);
	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0 || n >= sizeof buf)
		return (TIME_NONE);
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (n >= 4 && isdigit((unsigned char)buf[0]) &&
	    isdigit((unsigned char)buf[1]) && isdigit((unsigned char)buf[2]) &&
	    isdigit((unsigned char)buf[3]))
		return (timefmt_iso8601(buf));
	if ((t = timefmt_rfc822_fixed(buf, n)) != TIME_NONE)
		return (t);
	return (timefmt_rfc822(buf));
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
