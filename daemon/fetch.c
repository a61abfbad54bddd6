/*
 * Fetching: placeholder until the curl multi glue lands.  A due feed is
 * simply rescheduled one interval later.
 */
#include <time.h>

#include "aggd.h"
#include "log.h"

void
fetch_run_due(void)
{
	int64_t	id, when, now = time(NULL);

	while ((when = store_next_due(aggd->store, &id)) >= 0 && when <= now)
		store_feed_set_next(aggd->store, id, now + aggd->conf->interval,
		    "interval");
}

int64_t
fetch_next_wakeup(void)
{
	return (store_next_due(aggd->store, NULL));
}

void
fetch_cancel(int64_t id UNUSED)
{
}

void
fetch_init(struct event_base *base UNUSED)
{
}

void
fetch_free(void)
{
}

void
fetch_reconfigure(void)
{
}
