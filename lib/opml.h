/*
 * OPML 2.0: reading subscription lists (any OPML version seen in the wild:
 * outlines with xmlUrl, nested in folders) and writing them.
 */
#ifndef AGG_OPML_H
#define AGG_OPML_H

#include <stddef.h>
#include <stdio.h>

struct opml_feed {
	const char	 *url;
	const char	 *title;
	const char	 *site;		/* htmlUrl: the site's page, or NULL */
	const char	**tags;		/* every enclosing folder's name, and
					 * the category attribute's */
	size_t		  ntags;
};

/*
 * Parse a whole document; cb is called once per feed outline, borrowed
 * for the call (a feed in two folders comes twice: the caller merges).
 * Returns the number of feed outlines, or -1 and *cause.
 */
int	opml_parse(const char *, size_t, void (*)(const struct opml_feed *,
	    void *), void *, char **cause);

/* Writing: header, one outline per feed, footer. */
void	opml_write_head(FILE *, const char *title);
/* tags: the feed's tags, written as OPML 2.0's category attribute
 * ("/news,/caucasus") so that an import gives them back. */
void	opml_write_feed(FILE *, const char *url, const char *title,
	    const char *site, const char **tags, size_t ntags);
void	opml_write_tail(FILE *);

#endif
