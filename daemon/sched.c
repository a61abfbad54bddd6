/*
 * The schedule: answers "what is due next, and when" from the feeds'
 * persisted next_fetch times (OpenSMTPD's runq.c).  One timer is armed for
 * the earliest due feed and nothing else, so an idle daemon sleeps until
 * then.  Deciding when a feed is next due after a fetch is fetch.c's
 * business (it knows the answer, the hints and the failures).
 */
#include <time.h>

#include "aggd.h"
#include "log.h"

static struct event	*sched_timer;

static void
sched_timer_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg UNUSED)
{
	fetch_run_due();
	sched_update();
}

static void
sched_arm(int64_t when)
{
	struct timeval	tv;
	int64_t		now = time(NULL);

	evtimer_del(sched_timer);
	if (when < 0)
		return;		/* nothing due, ever: sleep */
	tv.tv_sec = when > now ? when - now : 0;
	tv.tv_usec = when > now ? 0 : 1000;
	evtimer_add(sched_timer, &tv);
}

void
sched_init(struct event_base *base)
{
	sched_timer = evtimer_new(base, sched_timer_cb, NULL);
	sched_update();
}

/* Re-read when the next feed is due (fetch_next_wakeup() answers "now"
 * when feeds became due outside the timer) and sleep until then. */
void
sched_update(void)
{
	if (sched_timer == NULL)
		return;
	sched_arm(fetch_next_wakeup());
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
