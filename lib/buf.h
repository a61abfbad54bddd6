/*
 * A growable byte buffer, always NUL-terminated.  Cleared, not freed,
 * between uses so the allocation is reused (sfeed's string_clear).
 */
#ifndef AGG_BUF_H
#define AGG_BUF_H

#include <stddef.h>
#include <string.h>

#include "compat.h"

struct buf {
	char	*data;
	size_t	 len;
	size_t	 size;
};

void	 buf_init(struct buf *);
void	 buf_release(struct buf *);
void	 buf_clear(struct buf *);
void	 buf_add_grow(struct buf *, const void *, size_t);
void	 buf_addc(struct buf *, char);
void	 buf_adds(struct buf *, const char *);
void	 buf_addf(struct buf *, const char *, ...) PRINTFLIKE(2, 3);
char	*buf_detach(struct buf *);	/* caller frees; buffer is reset */

/* Append N bytes at P.  Inline, for the parser's text callbacks: most
 * appends fit and are a copy, not a call. */
static inline void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->size > 0 && b->len + n < b->size) {
		if (n > 0)
			memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
	} else
		buf_add_grow(b, p, n);
}

#endif
