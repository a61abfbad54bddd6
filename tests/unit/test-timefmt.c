/*
 * Unit tests for lib/timefmt.c: every date form feeds write (RFC 822 in
 * its wild variants, ISO 8601 / RFC 3339 / W3CDTF), each against the UTC
 * time it names, and the dates that must stay unread rather than guessed.
 */
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "item.h"
#include "timefmt.h"

static void
test_parse_good(void **state UNUSED)
{
	static const struct {
		const char	*in;
		const char	*want;
	} t[] = {
		/* RFC 822 / 2822 */
		{ "Thu, 05 Sep 2024 14:30:00 +0000", "2024-09-05T14:30:00Z" },
		{ "Thu, 05 Sep 2024 14:30:00 GMT", "2024-09-05T14:30:00Z" },
		{ "Thu, 05 Sep 2024 16:30:00 +0200", "2024-09-05T14:30:00Z" },
		{ "Thu, 05 Sep 2024 10:30:00 -0400", "2024-09-05T14:30:00Z" },
		{ "Thu, 05 Sep 2024 10:30:00 EDT", "2024-09-05T14:30:00Z" },
		{ "Thu, 05 Sep 2024 09:30:00 EST", "2024-09-05T14:30:00Z" },
		{ "Thu, 05 Sep 2024 07:30:00 PDT", "2024-09-05T14:30:00Z" },
		{ "Thu, 05 Sep 2024 06:30:00 PST", "2024-09-05T14:30:00Z" },
		{ "Thu, 05 Sep 2024 14:30:00 UT", "2024-09-05T14:30:00Z" },
		{ "Thu, 05 Sep 2024 14:30:00 Z", "2024-09-05T14:30:00Z" },
		{ "Thu, 05 Sep 2024 13:30:00 A", "2024-09-05T14:30:00Z" },
		{ "Thu, 05 Sep 2024 15:30:00 N", "2024-09-05T14:30:00Z" },
		{ "Thu, 05 Sep 2024 14:30 GMT", "2024-09-05T14:30:00Z" },
		{ "05 Sep 2024 14:30:00 GMT", "2024-09-05T14:30:00Z" },
		{ "Thu 05 Sep 2024 14:30:00 GMT", "2024-09-05T14:30:00Z" },
		{ "thu, 05 SEP 2024 14:30:00 gmt", "2024-09-05T14:30:00Z" },
		{ "Thursday, 05 September 2024 14:30:00 GMT",
		    "2024-09-05T14:30:00Z" },
		{ "Thu,  5 Sep 2024  14:30:00   GMT", "2024-09-05T14:30:00Z" },
		{ "Thu, 5 Sep 24 14:30:00 GMT", "2024-09-05T14:30:00Z" },
		{ "Sun, 5 Sep 99 14:30:00 GMT", "1999-09-05T14:30:00Z" },
		{ "Thu, 05 Sep 2024 14:30:00", "2024-09-05T14:30:00Z" },
		{ "Thu, 05 Sep 2024 14:30:00 +02:00", "2024-09-05T12:30:00Z" },
		{ "Thu, 05 Sep 2024 14:30:00 GMT+0200", "2024-09-05T12:30:00Z" },
		{ "Tue, 05 Mar 2024 09:05:00 GMT+4", "2024-03-05T05:05:00Z" },
		{ "Tue, 05 Mar 2024 09:05:00 GMT+04", "2024-03-05T05:05:00Z" },
		{ "Tue, 05 Mar 2024 09:05:00 GMT+04:00", "2024-03-05T05:05:00Z" },
		{ "Tue, 05 Mar 2024 09:05:00 GMT+0400", "2024-03-05T05:05:00Z" },
		{ "Tue, 05 Mar 2024 09:05:00 GMT+4:30", "2024-03-05T04:35:00Z" },
		{ "Tue, 05 Mar 2024 09:05:00 UTC-5", "2024-03-05T14:05:00Z" },
		{ "Tue, 05 Mar 2024 09:05:00 utc-5:30", "2024-03-05T14:35:00Z" },
		{ "Tue, 05 Mar 2024 09:05:00 +4", "2024-03-05T05:05:00Z" },
		{ "Tue, 05 Mar 2024 09:05:00 -4", "2024-03-05T13:05:00Z" },
		{ "Tue, 05 Mar 2024 09:05:00 +4:00", "2024-03-05T05:05:00Z" },
		{ "Tue, 05 Mar 2024 09:05:00 -9:30", "2024-03-05T18:35:00Z" },
		{ "Tue, 05 Mar 2024 09:05:00 +04", "2024-03-05T05:05:00Z" },
		{ "Tue, 05 Mar 2024 09:05:00 -11", "2024-03-05T20:05:00Z" },
		{ "Tue, 05 Mar 2024 09:05:00 GMT+0", "2024-03-05T09:05:00Z" },
		{ "Thu, 05 Sep 2024 14:30:00 +0200 (CEST)",
		    "2024-09-05T12:30:00Z" },
		{ "Thu, 05 Sep 2024 14:30:00.123 GMT", "2024-09-05T14:30:00Z" },
		{ "Thu, 05-Sep-2024 14:30:00 GMT", "2024-09-05T14:30:00Z" },
		{ "Thu Sep  5 14:30:00 2024", "2024-09-05T14:30:00Z" },
		{ "Sep 5, 2024 2:30:00 PM GMT", "2024-09-05T14:30:00Z" },
		{ "Thu, 05 Sep 2024", "2024-09-05T00:00:00Z" },
		{ "Sat, 29 Feb 2020 00:00:00 GMT", "2020-02-29T00:00:00Z" },
		/* ISO 8601 / RFC 3339 / W3CDTF */
		{ "2024-09-05T14:30:00Z", "2024-09-05T14:30:00Z" },
		{ "2024-09-05T14:30:00.5Z", "2024-09-05T14:30:00Z" },
		{ "2024-09-05T14:30:00.123456789+00:00",
		    "2024-09-05T14:30:00Z" },
		{ "2024-09-05T16:30:00+02:00", "2024-09-05T14:30:00Z" },
		{ "2024-09-05T09:30:00-05:00", "2024-09-05T14:30:00Z" },
		{ "2024-09-05T16:30:00+0200", "2024-09-05T14:30:00Z" },
		{ "2024-09-05T16:30+02:00", "2024-09-05T14:30:00Z" },
		{ "2024-09-05t14:30:00z", "2024-09-05T14:30:00Z" },
		{ "2024-09-05 14:30:00", "2024-09-05T14:30:00Z" },
		{ "2024-09-05", "2024-09-05T00:00:00Z" },
		{ "2024-09", "2024-09-01T00:00:00Z" },
		{ "2024", "2024-01-01T00:00:00Z" },
		{ "20240905T143000Z", "2024-09-05T14:30:00Z" },
		{ "  2024-09-05T14:30:00Z\n", "2024-09-05T14:30:00Z" },
		{ "2024-12-31T23:59:60Z", "2025-01-01T00:00:00Z" },
		{ "2024-09-05T24:00:00Z", "2024-09-06T00:00:00Z" },
		{ "1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z" },
	};
	char	buf[32];
	int64_t	got;
	size_t	i;

	for (i = 0; i < nitems(t); i++) {
		got = timefmt_parse(t[i].in);
		if (got == TIME_NONE)
			fail_msg("'%s': not read", t[i].in);
		assert_int_equal(timefmt_rfc3339(got, buf, sizeof buf), 0);
		if (strcmp(buf, t[i].want) != 0)
			fail_msg("'%s': got %s, want %s", t[i].in, buf,
			    t[i].want);
	}
}

static void
test_parse_bad(void **state UNUSED)
{
	static const char *t[] = {
		"",
		"   ",
		"yesterday",
		"Thu, 32 Sep 2024 14:30:00 GMT",	/* no such day */
		"Thu, 31 Sep 2024 14:30:00 GMT",
		"Fri, 29 Feb 2019 00:00:00 GMT",	/* not a leap year */
		"Thu, 05 Foo 2024 14:30:00 GMT",
		"Thu, 05 Sep 2024 25:30:00 GMT",
		"Thu, 05 Sep 2024 14:61:00 GMT",
		"Thu, 05 Sep 2024 14:30:00 XYZ",	/* unknown zone */
		"Thu, 05 Sep 2024 14:30:00 IST",	/* ambiguous zone */
		"Sep 2024",				/* no day */
		"2024-13-01",
		"2024-02-30",
		"2024-09-05T14",
		"2024-09-05T14:30:00+25:00",
		"Tue, 05 Mar 2024 09:05:00 +123",	/* three digits */
		"Tue, 05 Mar 2024 09:05:00 GMT+123",
		"Tue, 05 Mar 2024 09:05:00 -123",
		"Tue, 05 Mar 2024 09:05:00 +12345",
		"Tue, 05 Mar 2024 09:05:00 GMT+24",	/* hours > 23 */
		"Tue, 05 Mar 2024 09:05:00 +2400",
		"Tue, 05 Mar 2024 09:05:00 +4:60",	/* minutes > 59 */
		"Tue, 05 Mar 2024 09:05:00 +4:3",
		"Tue, 05 Mar 2024 09:05:00 GMT+",
		"Tue, 05 Mar 2024 09:05:00 +",
		"Tue, 05 Mar 2024 09:05:00 +4 +4",
		"September 5-6, 2024",			/* a range, no zone */
		"2024-09-05T14:30:00+2",	/* RFC 3339 has two digits */
		"2024-09-05T14:30:00+2:00",
		"2024-09-05T14:30:00 garbage",
		"2024/09/05",
		"0000-01-01",
		"12:30:00",
	};
	size_t	i;

	for (i = 0; i < nitems(t); i++) {
		if (timefmt_parse(t[i]) != TIME_NONE)
			fail_msg("'%s': read, should not be", t[i]);
	}
	assert_true(timefmt_parse(NULL) == TIME_NONE);
}

static void
test_rfc3339(void **state UNUSED)
{
	char	buf[32];

	assert_int_equal(timefmt_rfc3339(1725546600, buf, sizeof buf), 0);
	assert_string_equal(buf, "2024-09-05T14:30:00Z");
	assert_int_equal(timefmt_parse_rfc3339("2024-09-05T14:30:00Z"),
	    1725546600);
	assert_true(timefmt_parse_rfc3339("2024-09-05") == TIME_NONE);
}

/*
 * The fixed-place reading of "Thu, 05 Sep 2024 14:30:00 +0200" agrees with
 * the general RFC 822 reader: each date, and the same with two spaces
 * after the comma (which only the general reader takes), over every
 * weekday, month, day edge, time edge and offset form, valid or not.
 */
static void
test_parse_fixed_form(void **state UNUSED)
{
	static const char *wday[] = { "Mon", "tue", "WED", "Thu", "Fri",
	    "Sat", "Sun", "Xyz" };
	static const char *mon[] = { "Jan", "feb", "MAR", "Apr", "May", "Jun",
	    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Foo" };
	static const char *day[] = { "01", "28", "29", "30", "31", "32", "00",
	    "1x" };
	static const char *year[] = { "2024", "2023", "1999", "0000", "20x4" };
	static const char *tod[] = { "00:00:00", "23:59:59", "24:00:00",
	    "24:00:01", "12:60:00", "12:00:60", "12:00:61", "1a:00:00" };
	static const char *zone[] = { "+0000", "+0200", "-0430", "+2359",
	    "+2400", "-0060", "GMT", "gmt", "UTC", "EST", "+02:00", "+0x00",
	    "+4:00", "-9:30", "+4:60", "GMT+4", "+4", "+123", "+12345" };
	char		 a[64], b[64];
	size_t		 w, m, d, y, t, z;
	int		 n = 0;

	for (w = 0; w < nitems(wday); w++)
	for (m = 0; m < nitems(mon); m++)
	for (d = 0; d < nitems(day); d++)
	for (y = 0; y < nitems(year); y++)
	for (t = 0; t < nitems(tod); t++)
	for (z = 0; z < nitems(zone); z++) {
		snprintf(a, sizeof a, "%s, %s %s %s %s %s", wday[w], day[d],
		    mon[m], year[y], tod[t], zone[z]);
		snprintf(b, sizeof b, "%s,  %s %s %s %s %s", wday[w], day[d],
		    mon[m], year[y], tod[t], zone[z]);
		if (timefmt_parse(a) != timefmt_parse(b))
			fail_msg("\"%s\" and \"%s\" differ", a, b);
		n += timefmt_parse(a) != TIME_NONE;
	}
	/* Not a vacuous agreement: many of them are dates. */
	assert_true(n > 1000);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_parse_fixed_form),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
