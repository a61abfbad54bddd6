/*
 * Unit tests for daemon/sched.c: the schedule's policy as tables of
 * inputs and the due time or answer each gives.  Intervals and their
 * bounds, the adaptive interval, the feed's hints, Cache-Control and
 * Expires, backoff, Retry-After and the host-wide refusal, jitter (with a
 * random source the test controls), and when the loop wakes.
 */
#include <string.h>

#include "unit.h"
#include "aggd.h"

/* daemon/main.c owns this; the tests link the daemon without main.c. */
struct aggd	*aggd;

#define NOW	1700000000LL	/* 2023-11-14T22:13:20Z */

/* The random draw sched_jitter() gets: -1 for the middle of its span. */
static int64_t	 draw = -1;

static uint32_t
fixed_random(uint32_t upper)
{
	if (draw < 0)
		return (upper / 2);
	return ((uint32_t)draw < upper ? (uint32_t)draw : upper - 1);
}

static struct config *
conf_new(int64_t interval, int64_t min, int64_t max)
{
	struct config	*c = config_defaults();

	c->interval = interval;
	c->min_interval = min;
	c->max_interval = max;
	return (c);
}

static void
feed_init(struct store_feed *f, int64_t interval, int64_t adaptive,
    int64_t errors)
{
	memset(f, 0, sizeof *f);
	f->id = 1;
	f->interval = interval;
	f->adaptive = adaptive;
	f->errors = errors;
	f->next_fetch = -1;
	f->retry_until = -1;
}

static int
setup(void **state UNUSED)
{
	sched_set_random(fixed_random);
	return (0);
}

static int
teardown(void **state UNUSED)
{
	sched_set_random(NULL);
	return (0);
}

static void
test_clamp(void **state UNUSED)
{
	static const struct {
		int64_t	min, max, in, want;
	} t[] = {
		{ 60, 86400, 1800, 1800 },
		{ 60, 86400, 59, 60 },
		{ 60, 86400, 0, 60 },
		{ 60, 86400, -5, 60 },
		{ 60, 86400, 86401, 86400 },
		{ 60, 86400, 60, 60 },
		{ 60, 86400, 86400, 86400 },
		{ 1, 1, 1000, 1 },
	};
	struct config	*c;
	size_t		 i;

	for (i = 0; i < nitems(t); i++) {
		c = conf_new(1800, t[i].min, t[i].max);
		if (sched_clamp(c, t[i].in) != t[i].want)
			fail_msg("clamp %lld in [%lld, %lld]: got %lld, want "
			    "%lld", (long long)t[i].in, (long long)t[i].min,
			    (long long)t[i].max, (long long)sched_clamp(c,
			    t[i].in), (long long)t[i].want);
		config_free(c);
	}
}

static void
test_jitter(void **state UNUSED)
{
	static const struct {
		int64_t	v, draw, want;
	} t[] = {
		{ 9, 0, 9 },		/* under 10 s: no span, no jitter */
		{ 10, 0, 10 },		/* span 1: the draw is always 0 */
		{ 100, 0, 95 },		/* span 10: from v - 5 ... */
		{ 100, 9, 104 },	/* ... to v + 4 */
		{ 100, 5, 100 },
		{ 1800, 0, 1710 },
		{ 1800, 179, 1889 },
		{ 86400, 8639, 86400 - 4320 + 8639 },
		{ 0, 0, 0 },
	};
	size_t	i;
	int64_t	got;

	for (i = 0; i < nitems(t); i++) {
		draw = t[i].draw;
		got = sched_jitter(t[i].v);
		if (got != t[i].want)
			fail_msg("jitter %lld, draw %lld: got %lld, want %lld",
			    (long long)t[i].v, (long long)t[i].draw,
			    (long long)got, (long long)t[i].want);
	}
	draw = -1;
}

/* With the real random source every result stays within the tenth. */
static void
test_jitter_bounds(void **state UNUSED)
{
	int64_t	got;
	int	i;

	sched_set_random(NULL);
	for (i = 0; i < 1000; i++) {
		got = sched_jitter(1800);
		if (got < 1800 - 90 || got >= 1800 + 90)
			fail_msg("jitter 1800: %lld out of bounds",
			    (long long)got);
	}
	sched_set_random(fixed_random);
}

static void
test_base_interval(void **state UNUSED)
{
	static const struct {
		int64_t		 interval, adaptive, want;
		const char	*reason;
	} t[] = {
		{ -1, -1, 1800, "interval" },		/* the default */
		{ 0, -1, 1800, "interval" },
		{ 300, -1, 300, "interval" },		/* the feed's own */
		{ 300, 7200, 300, "interval" },		/* beats adaptive */
		{ -1, 7200, 7200, "adaptive" },
		{ -1, 10, 60, "adaptive" },		/* min_interval */
		{ -1, 999999, 86400, "adaptive" },	/* max_interval */
		{ 5, -1, 60, "interval" },		/* clamped too */
		{ 999999, -1, 86400, "interval" },
	};
	struct config		*c = conf_new(1800, 60, 86400);
	struct store_feed	 f;
	const char		*reason;
	int64_t			 got;
	size_t			 i;

	for (i = 0; i < nitems(t); i++) {
		feed_init(&f, t[i].interval, t[i].adaptive, 0);
		reason = NULL;
		got = sched_base_interval(c, &f, &reason);
		if (got != t[i].want || reason == NULL ||
		    strcmp(reason, t[i].reason) != 0)
			fail_msg("interval %lld adaptive %lld: got %lld (%s), "
			    "want %lld (%s)", (long long)t[i].interval,
			    (long long)t[i].adaptive, (long long)got,
			    reason != NULL ? reason : "null",
			    (long long)t[i].want, t[i].reason);
	}
	config_free(c);
}

static void
test_adaptive(void **state UNUSED)
{
	static const struct {
		int64_t	old, added, rate, want;
	} t[] = {
		{ -1, 3, 1800, 1800 },		/* first rate known */
		{ 3600, 1, 600, 600 },		/* new items, new rate */
		{ 3600, 0, 600, 3600 },		/* nothing added: kept */
		{ 3600, 2, -1, 3600 },		/* too few dated items */
		{ -1, 2, -1, -1 },
		{ -1, 0, -1, -1 },
	};
	size_t	i;
	int64_t	got;

	for (i = 0; i < nitems(t); i++) {
		got = sched_adaptive(t[i].old, t[i].added, t[i].rate);
		if (got != t[i].want)
			fail_msg("adaptive old %lld added %lld rate %lld: got "
			    "%lld, want %lld", (long long)t[i].old,
			    (long long)t[i].added, (long long)t[i].rate,
			    (long long)got, (long long)t[i].want);
	}
}

static void
test_feed_hint(void **state UNUSED)
{
	static const struct {
		int64_t	ttl, sy, want;
	} t[] = {
		{ 0, 0, -1 },
		{ -1, -1, -1 },
		{ 3600, 0, 3600 },		/* <ttl>60</ttl> */
		{ 0, 86400, 86400 },		/* sy:updatePeriod daily */
		{ 3600, 43200, 43200 },		/* the longer wins */
		{ 7200, 3600, 7200 },
	};
	size_t	i;
	int64_t	got;

	for (i = 0; i < nitems(t); i++) {
		got = sched_feed_hint(t[i].ttl, t[i].sy);
		if (got != t[i].want)
			fail_msg("hint ttl %lld sy %lld: got %lld, want %lld",
			    (long long)t[i].ttl, (long long)t[i].sy,
			    (long long)got, (long long)t[i].want);
	}
}

static void
test_max_age(void **state UNUSED)
{
	static const struct {
		const char	*cc, *expires;
		int64_t		 want;
	} t[] = {
		{ NULL, NULL, -1 },
		{ "max-age=600", NULL, 600 },
		{ "public, max-age=3600", NULL, 3600 },
		{ "Max-Age = 60", NULL, 60 },
		{ "max-age =120, must-revalidate", NULL, 120 },
		{ "no-cache", NULL, -1 },
		{ "max-age", NULL, -1 },
		/* max-age wins over Expires */
		{ "max-age=60", "Tue, 14 Nov 2023 23:13:20 GMT", 60 },
		{ NULL, "Tue, 14 Nov 2023 23:13:20 GMT", 3600 },
		{ "no-store", "Tue, 14 Nov 2023 22:23:20 GMT", 600 },
		{ NULL, "Tue, 14 Nov 2023 21:13:20 GMT", 0 },	/* past */
		{ NULL, "soon", -1 },
	};
	size_t	i;
	int64_t	got;

	for (i = 0; i < nitems(t); i++) {
		got = sched_max_age(t[i].cc, t[i].expires, NOW);
		if (got != t[i].want)
			fail_msg("cache-control '%s' expires '%s': got %lld, "
			    "want %lld", t[i].cc != NULL ? t[i].cc : "null",
			    t[i].expires != NULL ? t[i].expires : "null",
			    (long long)got, (long long)t[i].want);
	}
}

static void
test_retry_after(void **state UNUSED)
{
	static const struct {
		const char	*in;
		int64_t		 want;
	} t[] = {
		{ NULL, -1 },
		{ "", -1 },
		{ "120", 120 },
		{ "0", 0 },
		{ "86400", 86400 },
		{ "12abc", -1 },
		{ "-5", -1 },
		{ "99999999999999999999999", -1 },
		{ "Tue, 14 Nov 2023 22:23:20 GMT", 600 },
		{ "Tuesday, 14-Nov-23 22:23:20 GMT", 600 },	/* RFC 850 */
		{ "Tue Nov 14 22:23:20 2023", 600 },		/* asctime */
		{ "Tue, 14 Nov 2023 22:00:00 GMT", 0 },		/* past */
		{ "soon", -1 },
	};
	size_t	i;
	int64_t	got;

	for (i = 0; i < nitems(t); i++) {
		got = sched_retry_after(t[i].in, NOW);
		if (got != t[i].want)
			fail_msg("retry-after '%s': got %lld, want %lld",
			    t[i].in != NULL ? t[i].in : "null",
			    (long long)got, (long long)t[i].want);
	}
}

static void
test_ok(void **state UNUSED)
{
	static const struct {
		int64_t		 interval, adaptive, hint, want;
		const char	*reason;
	} t[] = {
		{ -1, -1, -1, 1800, "interval" },
		{ -1, -1, 600, 1800, "interval" },	/* hint shorter */
		{ -1, -1, 7200, 7200, "feed-hint" },	/* hint longer */
		{ -1, 600, 3600, 3600, "feed-hint" },
		{ -1, 7200, 3600, 7200, "adaptive" },
		{ -1, -1, 999999, 86400, "feed-hint" },	/* max_interval */
		{ 300, -1, 7200, 300, "interval" },	/* the user's wins */
		{ 2, -1, -1, 60, "interval" },		/* min_interval */
	};
	struct config		*c = conf_new(1800, 60, 86400);
	struct store_feed	 f;
	size_t			 i;

	for (i = 0; i < nitems(t); i++) {
		feed_init(&f, t[i].interval, t[i].adaptive, 0);
		sched_ok(c, &f, NOW, t[i].hint);
		if (f.next_fetch != NOW + t[i].want ||
		    strcmp(f.next_reason, t[i].reason) != 0)
			fail_msg("ok, interval %lld adaptive %lld hint %lld: "
			    "in %lld (%s), want %lld (%s)",
			    (long long)t[i].interval, (long long)t[i].adaptive,
			    (long long)t[i].hint, (long long)(f.next_fetch -
			    NOW), f.next_reason, (long long)t[i].want,
			    t[i].reason);
		free(f.next_reason);
	}
	config_free(c);
}

/* Jitter applies to the due time a good answer gives. */
static void
test_ok_jitter(void **state UNUSED)
{
	struct config		*c = conf_new(1800, 60, 86400);
	struct store_feed	 f;

	feed_init(&f, -1, -1, 0);
	draw = 0;
	sched_ok(c, &f, NOW, -1);
	assert_int_equal(f.next_fetch, NOW + 1800 - 90);
	free(f.next_reason);
	draw = -1;
	config_free(c);
}

static void
test_backoff(void **state UNUSED)
{
	static const struct {
		int64_t	interval, errors, want;
	} t[] = {
		{ -1, 1, 1800 },		/* the first error: as usual */
		{ -1, 2, 3600 },		/* then doubling */
		{ -1, 3, 7200 },
		{ -1, 6, 57600 },
		{ -1, 7, 86400 },		/* capped at max_interval */
		{ -1, 100, 86400 },		/* no overflow */
		{ 60, 1, 60 },
		{ 60, 4, 480 },
		{ -1, 0, 1800 },
	};
	struct config		*c = conf_new(1800, 60, 86400);
	struct store_feed	 f;
	size_t			 i;

	for (i = 0; i < nitems(t); i++) {
		feed_init(&f, t[i].interval, -1, t[i].errors);
		sched_backoff(c, &f, NOW);
		if (f.next_fetch != NOW + t[i].want ||
		    strcmp(f.next_reason, "backoff") != 0)
			fail_msg("backoff, interval %lld errors %lld: in %lld "
			    "(%s), want %lld", (long long)t[i].interval,
			    (long long)t[i].errors, (long long)(f.next_fetch -
			    NOW), f.next_reason, (long long)t[i].want);
		free(f.next_reason);
	}
	config_free(c);
}

static void
test_refused(void **state UNUSED)
{
	static const struct {
		const char	*header;
		int		 rv;
		int64_t		 wait;		/* seconds, when rv is 0 */
	} t[] = {
		{ "120", 0, 120 },
		{ "0", 0, 1 },			/* at least a second */
		{ "999999", 0, 86400 },		/* at most max_interval */
		{ "Tue, 14 Nov 2023 22:23:20 GMT", 0, 600 },
		{ NULL, -1, 0 },		/* none: the caller backs off */
		{ "later", -1, 0 },
	};
	struct config		*c = conf_new(1800, 60, 86400);
	struct store_feed	 f;
	struct sched_host	 h;
	size_t			 i;
	int			 rv;

	for (i = 0; i < nitems(t); i++) {
		feed_init(&f, -1, -1, 1);
		memset(&h, 0, sizeof h);
		rv = sched_refused(c, &f, &h, t[i].header, NOW);
		if (rv != t[i].rv)
			fail_msg("refused '%s': returned %d, want %d",
			    t[i].header != NULL ? t[i].header : "null", rv,
			    t[i].rv);
		if (rv != 0) {
			/* Nothing changed. */
			assert_int_equal(f.next_fetch, -1);
			assert_int_equal(f.retry_until, -1);
			assert_null(f.next_reason);
			assert_int_equal(h.refusals, 0);
			continue;
		}
		if (f.next_fetch != NOW + t[i].wait ||
		    f.retry_until != NOW + t[i].wait ||
		    strcmp(f.next_reason, "retry-after") != 0)
			fail_msg("refused '%s': in %lld until %lld (%s), want "
			    "%lld", t[i].header, (long long)(f.next_fetch -
			    NOW), (long long)(f.retry_until - NOW),
			    f.next_reason, (long long)t[i].wait);
		assert_int_equal(h.refusals, 1);
		assert_int_equal(h.refused_until, 0);
		free(f.next_reason);
	}
	config_free(c);
}

/* Three refusals within ten minutes make the whole host wait. */
static void
test_refused_host(void **state UNUSED)
{
	static const struct {
		int64_t		 at;		/* seconds after NOW */
		const char	*header;
		int		 refusals;
		int64_t		 until;		/* refused_until - NOW */
		int64_t		 wait;		/* sched_host_wait at "at" */
	} t[] = {
		{ 0, "60", 1, -NOW, 0 },
		{ 10, "60", 2, -NOW, 0 },
		{ 20, "300", 3, 320, 300 },	/* the third: host waits */
		{ 30, "100", 4, 130, 100 },	/* each later one sets it */
		{ 700, "50", 1, 130, 0 },	/* ten minutes on: afresh */
		{ 701, "50", 2, 130, 0 },
		{ 702, "50", 3, 752, 50 },
	};
	struct config		*c = conf_new(1800, 60, 86400);
	struct store_feed	 f;
	struct sched_host	 h;
	size_t			 i;

	memset(&h, 0, sizeof h);
	for (i = 0; i < nitems(t); i++) {
		feed_init(&f, -1, -1, 1);
		assert_int_equal(sched_refused(c, &f, &h, t[i].header,
		    NOW + t[i].at), 0);
		free(f.next_reason);
		if (h.refusals != t[i].refusals ||
		    h.refused_until - NOW != t[i].until ||
		    sched_host_wait(&h, NOW + t[i].at) != t[i].wait)
			fail_msg("refusal %zu at +%lld: %d refusals, until "
			    "%lld, wait %lld; want %d, %lld, %lld", i,
			    (long long)t[i].at, h.refusals,
			    (long long)(h.refused_until - NOW),
			    (long long)sched_host_wait(&h, NOW + t[i].at),
			    t[i].refusals, (long long)t[i].until,
			    (long long)t[i].wait);
	}
	/* After the wait the host may be asked again. */
	assert_int_equal(sched_host_wait(&h, NOW + 752), 0);
	assert_int_equal(sched_host_wait(&h, NOW + 751), 1);
	config_free(c);
}

static void
test_next_wakeup(void **state UNUSED)
{
	static const struct {
		const char	*what;
		int64_t		 now, scanned, next, retry, want;
	} t[] = {
		{ "never looked", 100, -1, -1, -1, 100 },
		{ "feeds changed", 100, -1, 500, -1, 100 },
		{ "nothing due ever", 100, 90, -1, -1, -1 },
		{ "next in the future", 100, 90, 160, -1, 160 },
		/* The bug of issue 8: due this very second must not wait
		 * for anything, nor be skipped for being "not after now". */
		{ "due now", 100, 98, 100, -1, 100 },
		{ "due a while ago", 100, 90, 95, -1, 100 },
		{ "retry first", 100, 90, 500, 200, 200 },
		{ "next first", 100, 90, 150, 200, 150 },
		{ "retry alone", 100, 90, -1, 300, 300 },
		{ "retry past", 100, 90, -1, 95, 100 },
		{ "clock went back", 100, 150, 160, -1, 100 },
	};
	size_t	i;
	int64_t	got;

	for (i = 0; i < nitems(t); i++) {
		got = sched_next_wakeup(t[i].now, t[i].scanned, t[i].next,
		    t[i].retry);
		if (got != t[i].want)
			fail_msg("%s: got %lld, want %lld", t[i].what,
			    (long long)got, (long long)t[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clamp),
		cmocka_unit_test(test_jitter),
		cmocka_unit_test(test_jitter_bounds),
		cmocka_unit_test(test_base_interval),
		cmocka_unit_test(test_adaptive),
		cmocka_unit_test(test_feed_hint),
		cmocka_unit_test(test_max_age),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_ok_jitter),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_refused_host),
		cmocka_unit_test(test_next_wakeup),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
