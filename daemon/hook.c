/*
 * Hooks: placeholder until announcing lands.  Deliveries are already
 * recorded in the store's outbox.
 */
#include "aggd.h"

void
hook_init(struct event_base *base UNUSED)
{
}

void
hook_reap(void)
{
}

void
hook_free(void)
{
}

void
hook_kick(void)
{
}
