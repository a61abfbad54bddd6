/*
 * The schedule: when each feed is next due and why (intervals within
 * min_interval and max_interval, the adaptive interval, the feed's own
 * hints, backoff on errors, a server's Retry-After, jitter), and when the
 * loop should next look for due feeds (OpenSMTPD's runq.c).  The policy is
 * plain functions of their inputs, so a table test can drive them; the one
 * timer and the mark of the last look are the only state.  Transfers, and
 * the caps that decide when a due feed may start, are fetch.c's.
 */
#include <sys/time.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "aggd.h"
#include "log.h"
#include "xmalloc.h"

static struct event	*sched_timer;

/*
 * The time of the last look for due feeds, -1 when feeds changed since
 * (added, imported, reconfigured): every feed due by then was handed to
 * fetch.c, and ending its transfer moves its due time past this mark.
 */
static int64_t		 sched_scanned = -1;
static int64_t		 sched_retry = -1;	/* a look asked for */

static uint32_t	(*sched_random)(uint32_t) = arc4random_uniform;

/* The jitter's random source, uniform in [0, upper); NULL restores it. */
void
sched_set_random(uint32_t (*fn)(uint32_t))
{
	sched_random = fn != NULL ? fn : arc4random_uniform;
}

int64_t
sched_clamp(const struct config *conf, int64_t v)
{
	if (v < conf->min_interval)
		v = conf->min_interval;
	if (v > conf->max_interval)
		v = conf->max_interval;
	return (v);
}

/* Spread schedules by up to a tenth, so feeds added together part. */
int64_t
sched_jitter(int64_t v)
{
	int64_t	span = v / 10;

	if (span <= 0)
		return (v);
	return (v - span / 2 + (int64_t)sched_random((uint32_t)
	    (span > UINT32_MAX ? UINT32_MAX : span)));
}

/* The interval a feed runs at when all goes well, and why. */
int64_t
sched_base_interval(const struct config *conf, const struct store_feed *f,
    const char **reason)
{
	if (f->interval > 0) {
		*reason = "interval";
		return (sched_clamp(conf, f->interval));
	}
	if (f->adaptive > 0) {
		*reason = "adaptive";
		return (sched_clamp(conf, f->adaptive));
	}
	*reason = "interval";
	return (sched_clamp(conf, conf->interval));
}

/*
 * The adaptive interval after a fetch that added items: the rate the
 * stored items show (half their median gap, store_items_rate()), when
 * there is one; a fetch that added nothing tells nothing new.
 */
int64_t
sched_adaptive(int64_t old, int64_t added, int64_t rate)
{
	if (added > 0 && rate > 0)
		return (rate);
	return (old);
}

/* The least time between polls a feed asks for (RSS ttl, sy:*), or -1. */
int64_t
sched_feed_hint(int64_t ttl, int64_t sy_period)
{
	int64_t	hint = -1;

	if (ttl > 0)
		hint = ttl;
	if (sy_period > 0 && sy_period > hint)
		hint = sy_period;
	return (hint);
}

/* Seconds of freshness in Cache-Control max-age, else Expires, or -1. */
int64_t
sched_max_age(const char *cache_control, const char *expires, int64_t now)
{
	const char	*p;
	time_t		 t;

	if (cache_control != NULL &&
	    (p = strcasestr(cache_control, "max-age")) != NULL) {
		p += 7;
		while (*p == ' ')
			p++;
		if (*p == '=')
			return (strtol(p + 1, NULL, 10));
	}
	if (expires != NULL && (t = curl_getdate(expires, NULL)) != -1)
		return (t > now ? t - now : 0);
	return (-1);
}

/* Seconds from a Retry-After (seconds or HTTP-date), -1 if unreadable. */
int64_t
sched_retry_after(const char *v, int64_t now)
{
	char	*end;
	long	 n;
	time_t	 t;

	if (v == NULL || *v == '\0')
		return (-1);
	if (isdigit((unsigned char)*v)) {
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno != 0 || *end != '\0' || n < 0)
			return (-1);
		return (n);
	}
	if ((t = curl_getdate(v, NULL)) == -1)
		return (-1);
	return (t > now ? t - now : 0);
}

static void
sched_set(struct store_feed *f, int64_t when, const char *reason)
{
	f->next_fetch = when;
	free(f->next_reason);
	f->next_reason = xstrdup(reason);
}

/* A good answer: due again after the interval, or the hint if longer. */
void
sched_ok(const struct config *conf, struct store_feed *f, int64_t now,
    int64_t hint)
{
	const char	*reason;
	int64_t		 v;

	v = sched_base_interval(conf, f, &reason);
	/* The feed's hints are the least time between polls, within
	 * bounds; a per-feed interval the user gave is obeyed as given. */
	if (f->interval <= 0 && hint > v) {
		v = sched_clamp(conf, hint);
		reason = "feed-hint";
	}
	sched_set(f, now + sched_jitter(v), reason);
}

/* A failure: the interval doubled per error after the first, capped. */
void
sched_backoff(const struct config *conf, struct store_feed *f, int64_t now)
{
	const char	*reason;
	int64_t		 v;
	int		 shift;

	v = sched_base_interval(conf, f, &reason);
	shift = f->errors > 1 ? (int)(f->errors - 1) : 0;
	if (shift > 20)
		shift = 20;
	v <<= shift;
	if (v > conf->max_interval)
		v = conf->max_interval;
	sched_set(f, now + sched_jitter(v), "backoff");
}

/*
 * A 429 or 503 with retry_after (the header as sent, or NULL): the feed
 * waits as long as the server asked, within 1 s and max_interval, and the
 * host with it once three of its feeds were refused within ten minutes.
 * Returns -1, changing nothing, when there is no readable Retry-After (the
 * caller backs off instead).
 */
int
sched_refused(const struct config *conf, struct store_feed *f,
    struct sched_host *h, const char *retry_after, int64_t now)
{
	int64_t	ra;

	if ((ra = sched_retry_after(retry_after, now)) < 0)
		return (-1);
	if (ra < 1)
		ra = 1;
	if (ra > conf->max_interval)
		ra = conf->max_interval;
	f->retry_until = now + ra;
	sched_set(f, now + ra, "retry-after");
	if (h->refusal_since < now - 600) {
		h->refusal_since = now;
		h->refusals = 0;
	}
	if (++h->refusals >= 3)
		h->refused_until = now + ra;
	return (0);
}

/* Seconds until a host may be asked again, 0 when it may be now. */
int64_t
sched_host_wait(const struct sched_host *h, int64_t now)
{
	return (h->refused_until > now ? h->refused_until - now : 0);
}

/*
 * When the loop should look for due feeds again, or -1 for never.
 * scanned is the time of the last look (-1: none yet, or feeds changed
 * since), next the earliest due time after it (-1: none), retry a look
 * asked for (-1: none).  Every feed due by scanned is queued or in flight
 * and stays due, with its old time, until its transfer ends, however long
 * that takes; so feeds are counted from scanned, never from now: one that
 * fell due a moment ago is not left behind because the question came
 * late, nor does a stuck transfer hold anyone's turn.  A clock that went
 * back below scanned asks for a look now.
 */
int64_t
sched_next_wakeup(int64_t now, int64_t scanned, int64_t next, int64_t retry)
{
	int64_t	when;

	if (scanned < 0 || scanned > now)
		return (now);
	when = next;
	if (retry >= 0 && (when < 0 || retry < when))
		when = retry;
	if (when < 0)
		return (-1);
	return (when > now ? when : now);
}

/* --- the timer --------------------------------------------------------- */

/*
 * Fire at the start of second when (a little after, so that time() has
 * turned too), not whole seconds from now: a feed due every 2 s would
 * otherwise drift to every 2.9.
 */
static void
sched_arm(int64_t when)
{
	struct timeval	tv, now;
	int64_t		ms;

	evtimer_del(sched_timer);
	if (when < 0)
		return;		/* nothing due, ever: sleep */
	gettimeofday(&now, NULL);
	ms = when * 1000 + 10 - ((int64_t)now.tv_sec * 1000 +
	    now.tv_usec / 1000);
	if (ms < 1)
		ms = 1;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(sched_timer, &tv);
}

static void
sched_timer_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg UNUSED)
{
	int64_t	now = time(NULL);

	/* Marked before the look: a feed handed over and finished at once
	 * already has its new time past the mark. */
	sched_scanned = now;
	if (sched_retry <= now)
		sched_retry = -1;
	fetch_run_due(now);
	sched_rearm();
}

void
sched_init(struct event_base *base)
{
	sched_timer = evtimer_new(base, sched_timer_cb, NULL);
	sched_update();
}

/* Feeds changed outside the schedule (added, imported, reloaded): look. */
void
sched_update(void)
{
	sched_scanned = -1;
	if (sched_timer != NULL)
		sched_arm(time(NULL));
}

/* Due times moved forward (transfers ended): sleep until the next one. */
void
sched_rearm(void)
{
	int64_t	now = time(NULL), next = -1;

	if (sched_timer == NULL)
		return;
	if (sched_scanned >= 0)
		next = store_next_after(aggd->store, sched_scanned);
	sched_arm(sched_next_wakeup(now, sched_scanned, next, sched_retry));
}

/*
 * A feed's transfer ended.  Its due time should now be past the last look;
 * if recording the fetch failed it is not, and no look would come for it,
 * so one is asked for after min_interval.
 */
void
sched_done(int64_t id)
{
	struct store_feed	*f;
	int64_t			 when;

	if ((f = store_feed_get(aggd->store, id)) == NULL)
		return;
	if (f->disabled == NULL && f->next_fetch >= 0 &&
	    f->next_fetch <= sched_scanned) {
		when = time(NULL) + aggd->conf->min_interval;
		log_warnx("feed %lld (%s): due time not recorded; looking "
		    "again in %llds", (long long)id, f->url,
		    (long long)aggd->conf->min_interval);
		sched_rescan(when);
	}
	store_feed_free(f);
}

/* Feeds may be due below the mark (a write was lost): look at when. */
void
sched_rescan(int64_t when)
{
	if (sched_retry < 0 || when < sched_retry)
		sched_retry = when;
}

void
sched_forget(int64_t id)
{
	fetch_cancel(id);
}

void
sched_free(void)
{
	if (sched_timer != NULL)
		event_free(sched_timer);
	sched_timer = NULL;
}
