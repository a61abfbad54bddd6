/*
 * Allocators that never return NULL: on exhaustion they log and exit, so
 * callers need not check.
 */
#ifndef AGG_XMALLOC_H
#define AGG_XMALLOC_H

#include <stddef.h>

#include "compat.h"

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...) PRINTFLIKE(2, 3);

#endif
