/*
 * An item as read from a feed, and the feed's own metadata: the values the
 * parser hands to its caller and that the store keeps.  Every string is
 * UTF-8, owned by the struct, NULL where the feed gave none.
 */
#ifndef AGG_ITEM_H
#define AGG_ITEM_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* A time the feed did not give, or gave in a form that could not be read. */
#define TIME_NONE INT64_MIN

struct enclosure {
	char		*url;
	char		*type;
	int64_t		 length;	/* -1 when not given */
};

struct item {
	char		*guid;
	char		*title;
	char		*link;
	char		*author;
	char		*summary;
	char		*content;
	int64_t		 published;	/* seconds since the epoch, UTC */
	int64_t		 updated;
	char		**categories;
	size_t		 ncategories;
	struct enclosure *enclosures;
	size_t		 nenclosures;
};

struct feed_meta {
	char		*title;
	char		*link;
	char		*subtitle;
	char		*id;
	char		*language;
	char		*author;
	int64_t		 updated;
	/* Polling hints, in seconds, -1 when absent: RSS <ttl>,
	 * sy:updatePeriod/sy:updateFrequency. */
	int64_t		 ttl;
	int64_t		 sy_period;
};

void	 item_init(struct item *);
void	 item_release(struct item *);	/* frees every field, re-inits */
void	 item_add_category(struct item *, const char *);
void	 item_add_enclosure(struct item *, const char *url, const char *type,
	     int64_t length);
void	 feed_meta_init(struct feed_meta *);
void	 feed_meta_release(struct feed_meta *);

/* The parse shape of INTERFACE.md: {guid, title, ... enclosures}.  New
 * reference, caller owns. */
json_t	*item_parse_json(const struct item *);
/* Its "categories" and "enclosures" arrays alone (as stored). */
json_t	*item_categories_json(const struct item *);
json_t	*item_enclosures_json(const struct item *);
json_t	*feed_meta_json(const struct feed_meta *);

/*
 * An item as stored: the parsed fields plus what the store adds.  The
 * shape of `items`, `show`, `follow` and hook stdin.
 */
struct item_record {
	int64_t		 id;
	int64_t		 feed_id;
	const char	*feed_url;	/* borrowed */
	int64_t		 first_seen;
	int		 read;
	struct item	 item;
};
json_t	*item_record_json(const struct item_record *);
/* Fill categories and enclosures from their stored JSON arrays. */
void	 item_load_arrays(struct item *, const char *categories,
	     const char *enclosures);

/* JSON helpers shared by every renderer: a string or null, a time as
 * RFC 3339 UTC or null. */
json_t	*json_str_or_null(const char *);
json_t	*json_time_or_null(int64_t);

#endif
