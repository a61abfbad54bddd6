/*
 * Unit tests for lib/units.c: durations and sizes as the configuration
 * file and aggctl's options spell them, the errors for what is not
 * understood, and the shortest spelling units_format_duration() prints.
 */
#include <string.h>

#include "unit.h"
#include "units.h"

static void
test_duration_good(void **state UNUSED)
{
	static const struct {
		const char	*in;
		int64_t		 want;
	} t[] = {
		{ "30s", 30 },
		{ "15m", 15 * 60 },
		{ "2h", 2 * 3600 },
		{ "1d", 86400 },
		{ "1w", 7 * 86400 },
		{ "1h30m", 5400 },
		{ "1d2h3m4s", 86400 + 7200 + 180 + 4 },
		{ "90", 90 },			/* a bare number is seconds */
		{ "0", 0 },
		{ "0s", 0 },
		{ "  45m  ", 45 * 60 },		/* surrounding blanks */
		{ "\t10s", 10 },
		{ "30m30m", 3600 },		/* parts add up */
		{ "120m", 7200 },
		{ "36500d", 36500LL * 86400 },	/* at the cap */
	};
	int64_t	 got;
	char	*cause;
	size_t	 i;

	for (i = 0; i < nitems(t); i++) {
		cause = NULL;
		got = -1;
		if (units_parse_duration(t[i].in, &got, &cause) != 0)
			fail_msg("'%s': refused: %s", t[i].in, cause);
		if (got != t[i].want)
			fail_msg("'%s': got %lld, want %lld", t[i].in,
			    (long long)got, (long long)t[i].want);
		assert_null(cause);
	}
}

static void
test_duration_bad(void **state UNUSED)
{
	static const struct {
		const char	*in;
		const char	*cause;
	} t[] = {
		{ "", "invalid duration '' (use e.g. 30s, 15m, 2h, 1d)" },
		{ "   ", "invalid duration '   ' (use e.g. 30s, 15m, 2h, 1d)" },
		{ "m", "invalid duration 'm' (use e.g. 30s, 15m, 2h, 1d)" },
		{ "10x", "invalid duration '10x' (use e.g. 30s, 15m, 2h, 1d)" },
		{ "-5m", "invalid duration '-5m' (use e.g. 30s, 15m, 2h, 1d)" },
		{ "1.5h", "invalid duration '1.5h' (use e.g. 30s, 15m, 2h, "
		    "1d)" },
		{ "1h 30m", "invalid duration '1h 30m' (use e.g. 30s, 15m, 2h, "
		    "1d)" },
		{ "1h30", "invalid duration '1h30' (use e.g. 30s, 15m, 2h, "
		    "1d)" },			/* a bare number only alone */
		{ "10 minutes", "invalid duration '10 minutes' (use e.g. 30s, "
		    "15m, 2h, 1d)" },
		{ "15M", "invalid duration '15M' (use e.g. 30s, 15m, 2h, 1d)" },
		{ "1hh", "invalid duration '1hh' (use e.g. 30s, 15m, 2h, 1d)" },
		{ "36501d", "duration '36501d' is too long" },
		{ "99999999999999999999s", "duration '99999999999999999999s' "
		    "is too long" },
	};
	int64_t	 got;
	char	*cause;
	size_t	 i;

	for (i = 0; i < nitems(t); i++) {
		cause = NULL;
		got = 1234;
		if (units_parse_duration(t[i].in, &got, &cause) == 0)
			fail_msg("'%s': accepted as %lld", t[i].in,
			    (long long)got);
		if (cause == NULL || strcmp(cause, t[i].cause) != 0)
			fail_msg("'%s': cause '%s', want '%s'", t[i].in,
			    cause, t[i].cause);
		assert_int_equal(got, 1234);	/* untouched on error */
		free(cause);
	}
	/* A NULL cause is allowed. */
	assert_int_equal(units_parse_duration("x", &got, NULL), -1);
}

static void
test_size_good(void **state UNUSED)
{
	static const struct {
		const char	*in;
		int64_t		 want;
	} t[] = {
		{ "16M", 16 * 1024 * 1024 },
		{ "512K", 512 * 1024 },
		{ "1G", 1024 * 1024 * 1024 },
		{ "16m", 16 * 1024 * 1024 },
		{ "512k", 512 * 1024 },
		{ "1000", 1000 },
		{ "0", 0 },
		{ "16MB", 16 * 1024 * 1024 },
		{ "16MiB", 16 * 1024 * 1024 },
		{ "2KiB", 2048 },
		{ "100B", 100 },
		{ " 4K ", 4096 },
	};
	int64_t	 got;
	char	*cause;
	size_t	 i;

	for (i = 0; i < nitems(t); i++) {
		cause = NULL;
		got = -1;
		if (units_parse_size(t[i].in, &got, &cause) != 0)
			fail_msg("'%s': refused: %s", t[i].in, cause);
		if (got != t[i].want)
			fail_msg("'%s': got %lld, want %lld", t[i].in,
			    (long long)got, (long long)t[i].want);
	}
}

static void
test_size_bad(void **state UNUSED)
{
	static const char *t[] = {
		"", "M", "16Q", "-1M", "1.5M", "16 M B", "16MM", "0x10",
		"1T", "99999999999999G",
	};
	char	 want[128], *cause;
	int64_t	 got;
	size_t	 i;

	for (i = 0; i < nitems(t); i++) {
		cause = NULL;
		if (units_parse_size(t[i], &got, &cause) == 0)
			fail_msg("'%s': accepted as %lld", t[i],
			    (long long)got);
		snprintf(want, sizeof want,
		    "invalid size '%s' (use e.g. 512K, 16M, 1G)", t[i]);
		if (cause == NULL || strcmp(cause, want) != 0)
			fail_msg("'%s': cause '%s', want '%s'", t[i], cause,
			    want);
		free(cause);
	}
}

/*
 * Sizes too large for int64_t once multiplied by their unit (2^63 bytes
 * and up) are refused, not wrapped.
 */
static void
test_size_overflow(void **state UNUSED)
{
	static const char *t[] = { "1000000000000G", "17179869184G",
	    "9007199254740992K" };
	int64_t	 got;
	char	*cause;
	size_t	 i;
	int	 rv;

	for (i = 0; i < nitems(t); i++) {
		cause = NULL;
		got = 0;
		rv = units_parse_size(t[i], &got, &cause);
		if (rv != -1)
			fail_msg("'%s' accepted as %lld", t[i],
			    (long long)got);
		free(cause);
	}
}

static void
test_format_duration(void **state UNUSED)
{
	static const struct {
		int64_t		 in;
		const char	*want;
	} t[] = {
		{ 0, "0s" },
		{ -5, "0s" },
		{ 1, "1s" },
		{ 30, "30s" },
		{ 60, "1m" },
		{ 90, "1m30s" },
		{ 900, "15m" },
		{ 3600, "1h" },
		{ 5400, "1h30m" },
		{ 7200, "2h" },
		{ 86400, "1d" },
		{ 86400 + 3600 + 60 + 1, "1d1h1m1s" },
		{ 7 * 86400, "7d" },
		{ 86400 + 1, "1d1s" },
	};
	char	 buf[64], *cause;
	int64_t	 back;
	size_t	 i;

	for (i = 0; i < nitems(t); i++) {
		units_format_duration(t[i].in, buf, sizeof buf);
		if (strcmp(buf, t[i].want) != 0)
			fail_msg("%lld: got '%s', want '%s'",
			    (long long)t[i].in, buf, t[i].want);
		/* What is printed parses back to the same value. */
		if (t[i].in < 0)
			continue;
		cause = NULL;
		if (units_parse_duration(buf, &back, &cause) != 0 ||
		    back != t[i].in)
			fail_msg("'%s' does not parse back to %lld", buf,
			    (long long)t[i].in);
	}
	/* A short buffer is cut, never overrun, and stays a string. */
	memset(buf, 'x', sizeof buf);
	units_format_duration(5400, buf, 3);
	assert_true(strlen(buf) < 3);
	units_format_duration(5400, buf, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration_good),
		cmocka_unit_test(test_duration_bad),
		cmocka_unit_test(test_size_good),
		cmocka_unit_test(test_size_bad),
		cmocka_unit_test(test_size_overflow),
		cmocka_unit_test(test_format_duration),
	};

	return (cmocka_run_group_tests_name("units", tests, NULL, NULL));
}
