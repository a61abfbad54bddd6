/*
 * Announcing: one step after the store.  When a fetch's transaction holds
 * announced items, fetch.c calls announce_stored(); on the next loop turn
 * the store's group transaction is committed and only then are followers
 * (cmd-items.c) and hooks (hook.c) told.  So neither ever sees a row that
 * could still be rolled back, and neither knows about the other.
 */
#include <sys/types.h>

#include <stdlib.h>

#include "aggd.h"
#include "log.h"

static struct event	*announce_event;

static void
announce_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg UNUSED)
{
	/* A failed group commit rolled the items back: nothing to tell. */
	if (store_flush(aggd->store) != 0)
		return;
	cmd_follow_notify();
	hook_kick();
}

/* Announced items were written in the open transaction; many calls in one
 * loop turn make one announcement. */
void
announce_stored(void)
{
	struct timeval	tv = { 0, 0 };

	if (announce_event != NULL && !evtimer_pending(announce_event, NULL))
		evtimer_add(announce_event, &tv);
}

void
announce_init(struct event_base *base)
{
	announce_event = evtimer_new(base, announce_cb, NULL);
	if (announce_event == NULL)
		fatalx("announce: cannot make an event");
}

void
announce_free(void)
{
	if (announce_event != NULL)
		event_free(announce_event);
	announce_event = NULL;
}
