/*
 * The words of an item's HTML: what full-text search indexes.  Markup is
 * dropped (tags, comments, script and style bodies), character references
 * are decoded, and runs of white space become one space.
 */
#ifndef AGG_HTMLTEXT_H
#define AGG_HTMLTEXT_H

#include <stddef.h>

#include "buf.h"

/* Append the text of html (len bytes) to b, a space before it when b is
 * not empty.  The same input always gives the same output: the search
 * index removes an item by indexing its text again. */
void	htmltext_append(struct buf *b, const char *html, size_t len);

#endif
