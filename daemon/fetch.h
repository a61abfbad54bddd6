/*
 * fetch.c's interface for the command handlers (cmd-fetch.c).
 */
#ifndef AGGD_FETCH_H
#define AGGD_FETCH_H

#include <stddef.h>
#include <stdint.h>

int	 fetch_active(int64_t);
void	 fetch_now(int64_t, const char *url);
void	 fetch_kick(void);
int	 fetch_address_public(const char *);

#endif
