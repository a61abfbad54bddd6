/*
 * A growable byte buffer, always NUL-terminated.  Cleared, not freed,
 * between uses so the allocation is reused (sfeed's string_clear).
 */
#ifndef AGG_BUF_H
#define AGG_BUF_H

#include <stddef.h>

#include "compat.h"

struct buf {
	char	*data;
	size_t	 len;
	size_t	 size;
};

void	 buf_init(struct buf *);
void	 buf_release(struct buf *);
void	 buf_clear(struct buf *);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addc(struct buf *, char);
void	 buf_adds(struct buf *, const char *);
void	 buf_addf(struct buf *, const char *, ...) PRINTFLIKE(2, 3);
char	*buf_detach(struct buf *);	/* caller frees; buffer is reset */

#endif
