/*
 * Announcing: after a fetch's transaction commits with announced items,
 * followers are brought up to date (cmd-items.c).  The kick is deferred to
 * the next loop turn, so it never runs inside the fetch's transaction and
 * never sees rows that could still be rolled back.
 *
 * Running hook programs is not here yet: deliveries owed are recorded in
 * the store's outbox (the deliveries table) in the same transaction as
 * their item, so nothing announced is lost when the runner comes.
 */
#include "aggd.h"

static struct event	*hook_event;

static void
hook_kick_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg UNUSED)
{
	cmd_follow_notify();
}

void
hook_init(struct event_base *base)
{
	hook_event = evtimer_new(base, hook_kick_cb, NULL);
}

void
hook_reap(void)
{
}

void
hook_kick(void)
{
	struct timeval	tv = { 0, 0 };

	if (hook_event != NULL && !evtimer_pending(hook_event, NULL))
		evtimer_add(hook_event, &tv);
}

void
hook_free(void)
{
	if (hook_event != NULL)
		event_free(hook_event);
	hook_event = NULL;
}
