/*
 * HTML to text: for people (aggctl show: paragraphs, lists, quotes,
 * wrapped lines, links listed at the end) and for indexing (the words
 * alone).  Tolerant of any markup feeds carry; never fails.
 */
#ifndef AGG_HTMLTEXT_H
#define AGG_HTMLTEXT_H

#include <stddef.h>

#include "buf.h"

/*
 * HTML rendered as readable text, appended to OUT: blocks separated by
 * blank lines, <br> a line break, list items as "- " (or "1. "),
 * blockquotes as "> ", <pre> kept as it is, entities decoded, scripts,
 * styles and comments dropped, each link followed by "[N]" and listed at
 * the end as "[N] URL".  Lines are wrapped at WIDTH columns (0: not
 * wrapped).  Text without any markup keeps its line breaks.
 */
void	htmltext_render(const char *html, size_t len, int width,
	    struct buf *out);

/*
 * The text alone: markup stripped, entities decoded, scripts, styles and
 * comments dropped, runs of white space made one space, blocks ended by a
 * newline.  No link list.  Appended to OUT.
 */
void	htmltext_plain(const char *html, size_t len, struct buf *out);

/*
 * What full-text search indexes: htmltext_plain's text appended to OUT,
 * after a space when OUT is not empty.  The same input always gives the
 * same output: the search index forgets an item by being given its text
 * again, so a change here needs the index rebuilt (a migration).
 */
void	htmltext_append(struct buf *out, const char *html, size_t len);

#endif
