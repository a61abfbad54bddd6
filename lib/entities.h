/*
 * HTML named character references, for feeds that use them without
 * declaring them (XML defines only five).
 */
#ifndef AGG_ENTITIES_H
#define AGG_ENTITIES_H

/* The UTF-8 text of the entity NAME (without '&' and ';'), or NULL. */
const char	*entities_lookup(const char *);

#endif
