/*
 * The streaming feed parser.  Bytes are given in chunks of any size as they
 * arrive; each item is reported through a callback as soon as it is
 * complete, so memory stays bounded by the largest item, not the document.
 * The feed's metadata is complete after feedparse_finish().
 *
 *	fp = feedparse_new(base_url, http_charset, item_cb, arg);
 *	while (more bytes)
 *		feedparse_feed(fp, chunk, len);
 *	feedparse_finish(fp);
 *	... feedparse_meta(fp), feedparse_format(fp), feedparse_error(fp)
 *	feedparse_free(fp);
 */
#ifndef AGG_FEEDPARSE_H
#define AGG_FEEDPARSE_H

#include <stddef.h>

#include "item.h"

struct feedparse;

/*
 * Called once per item, in document order.  The item is borrowed for the
 * duration of the call (the parser clears and reuses it); a callback that
 * keeps anything copies it, or takes ownership of a field by setting the
 * pointer to NULL.
 */
typedef void (*feedparse_item_cb)(struct item *, void *arg);

/* base: the URL the document came from (or NULL); charset: the charset of
 * an HTTP Content-Type (or NULL).  Both are copied. */
struct feedparse *feedparse_new(const char *base, const char *charset,
		    feedparse_item_cb, void *arg);
void		 feedparse_free(struct feedparse *);	/* takes NULL */

/* Give the next chunk.  Returns 0, or -1 once a fatal error has been met
 * (the rest of the document is then ignored; items already reported stay). */
int		 feedparse_feed(struct feedparse *, const char *, size_t);
/* End of document.  Returns 0 for a clean parse, -1 when there is an error. */
int		 feedparse_finish(struct feedparse *);

/* "rss2.0", "atom1.0", ... as in INTERFACE.md, or NULL when not a feed. */
const char	*feedparse_format(const struct feedparse *);
/* The WHATWG name of the charset the document was read in ("utf-8"). */
const char	*feedparse_encoding(const struct feedparse *);
/* "LINE:COLUMN: reason", or NULL for a clean parse. */
const char	*feedparse_error(const struct feedparse *);
const struct feed_meta *feedparse_meta(const struct feedparse *);
size_t		 feedparse_nitems(const struct feedparse *);
/*
 * The author an Atom entry without one takes from its feed (RFC 4287),
 * once the document has been read: entries before the feed's <author>
 * were handed on without it, and a caller that holds its items until the
 * end gives it to those whose author is NULL.  NULL when the feed is not
 * Atom or names none.
 */
const char	*feedparse_entry_author(const struct feedparse *);

/*
 * Limits against hostile documents (0 keeps the default): element depth
 * (256), bytes of one text field (8 MiB), items (100000).  Reaching one is
 * a fatal error.  Call before the first feedparse_feed().
 */
void		 feedparse_set_limits(struct feedparse *, size_t, size_t,
		     size_t);

#endif
