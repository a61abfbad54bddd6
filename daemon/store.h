/*
 * The store's statement table, for the daemon files that run their own
 * queries (cmd-items.c, fetch.c, hook.c).  Other callers use aggd.h.
 */
#ifndef AGGD_STORE_H
#define AGGD_STORE_H

#include <stdint.h>

#include <sqlite3.h>

enum store_stmt {
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_SAVEPOINT,
	STMT_RELEASE,
	STMT_ROLLBACK_TO,
	STMT_SEARCH_SYNC,
	STMT_ITEMS_ADDED,
	STMT_FEED_ITEMS_ADDED,
	STMT_FEED_GET,
	STMT_FEED_BY_URL,
	STMT_FEED_INSERT,
	STMT_FEED_DELETE,
	STMT_TAG_INSERT,
	STMT_TAG_DELETE,
	STMT_TAGS,
	STMT_FEED_IDS,
	STMT_FEED_COUNTS,
	STMT_FEED_SET_NEXT,
	STMT_NEXT_DUE,
	STMT_COUNTS,
	STMT_PAGES,
	STMT_FEED_BY_NAME,
	STMT_FEED_CONFIG_UPDATE,
	STMT_FEED_CONFIG_NAMES,
	STMT_FEED_UNNAME,
	STMT_FEED_FETCHED,
	STMT_FEED_MOVE,
	STMT_ALIAS_INSERT,
	STMT_DUE,
	STMT_NEXT_AFTER,
	STMT_ITEM_BY_KEY,
	STMT_ITEM_BY_NLINK,
	STMT_ITEM_ARTICLE_ELSEWHERE,
	STMT_ITEM_INSERT,
	STMT_ITEM_UPDATE,
	STMT_ITEM_BY_SHASH,
	STMT_DELIVERY_INSERT,
	STMT_FEED_PUBLISHED,
	STMT_ITEMS_ANNOUNCED,
	STMT_ITEM_GET,
	STMT_MAX_ITEM,
	STMT_DELIVERY_HEADS,
	STMT_DELIVERY_DONE,
	STMT_DELIVERY_FAIL,
	STMT_ITEM_SET_READ,
	STMT_FEED_SET_READ,
	STMT_ALL_SET_READ,
	STMT_FEED_LINK_DEFAULT,
	STMT_TOMB_BY_KEY,
	STMT_TOMB_BY_NLINK,
	STMT_TOMB_BY_SHASH,
	STMT_TOMB_SEEN,
	STMT_TOMB_INSERT,
	STMT_TOMB_PRUNE,
	STMT_TOMB_OLD,
	STMT_FEED_PARSED,
	STMT_PURGE_ITEM,
	STMT_ITEM_DELETE,
	STMT_RETAIN_FEEDS,
	STMT_RETAIN_OLD,
	STMT_RETAIN_EXCESS,
	STMT_RETAIN_HELD,
	STMT_TAG_REMOVE,
	STMT_FEED_UPDATE,
	STMT_FEED_SET_DISABLED,
	STMT_LOG_INSERT,
	STMT_LOG_PRUNE,
	STMT_COUNT
};

struct store;

/* Reset, clear bindings and hand out a prepared statement (borrowed). */
sqlite3_stmt	*store_stmt(struct store *, enum store_stmt);
sqlite3		*store_db(struct store *);
int		 store_exec(struct store *, sqlite3_stmt *);
int		 store_in_tx(struct store *);
/* Log a failed statement (with sqlite3_errmsg) and count it for status. */
void		 store_log_error(struct store *, const char *what);
void		 store_bind_text(sqlite3_stmt *, int, const char *);
void		 store_bind_static(sqlite3_stmt *, int, const char *);
void		 store_bind_int(sqlite3_stmt *, int, int64_t v, int64_t none);
char		*store_col_text(sqlite3_stmt *, int);
int64_t		 store_col_int(sqlite3_stmt *, int, int64_t none);
/* The columns of STMT_ITEM_GET and the pages: *feed_url is the caller's
 * to free, as is r->item (item_release). */
struct item_record;
void		 store_item_row(sqlite3_stmt *, struct item_record *,
		     char **feed_url);

/* Item text, packed (store-text.c): store_body_pack returns NULL when the
 * texts are best stored as they are; unpack reads on the connection
 * given (a 'D' frame's dictionary is there) and returns -1 when the
 * text is damaged or its dictionary missing, *cause (if not NULL,
 * the caller's to free) saying which. */
unsigned char	*store_body_pack(struct store *, const char *summary,
		     const char *content, size_t *len);
int		 store_body_unpack(sqlite3 *, const void *, size_t,
		     char **summary, char **content, char **cause);
/*
 * What storing an item makes of it, made beforehand on any thread
 * (fetch.c's work thread): summary and content packed as
 * store_body_pack would, the search index's words, and the keys and
 * hashes it is matched by.  store_items_apply takes them when given
 * (struct store_fetch), and makes them itself when not.  The item must
 * be as it will be stored (an Atom entry's author filled in).
 */
struct store_items_prep;
struct store_prep {
	unsigned char	*body;		/* packed, or NULL: stored as they are */
	size_t		 bodylen;
	int		 undict;	/* packed without the dictionary */
	char		*text;		/* the search words; taken at insert */
	struct store_items_prep *ip;	/* keys and hashes; taken too */
	int		 done;
};
void		 store_prep(struct store *, const struct item *,
		     struct store_prep *);
void		 store_prep_release(struct store_prep *);
/* Train the text dictionary now, outside a transaction (tests). */
int		 store_dict_train(struct store *);
/* item_summary() and item_content() for a connection's statements. */
int		 store_functions(sqlite3 *);

/* A feed's columns as store_feed_read reads them, for a statement on
 * any connection (the query threads list feeds on theirs). */
#define STORE_FEED_COLUMNS						\
	"id, url, name, COALESCE(user_title, title), link, hook,"	\
	" interval, adaptive, etag, last_modified, last_fetch,"		\
	" last_status, last_error, next_fetch, next_reason, retry_until,"\
	" errors, primed, announce_existing, disabled, key_mode, hint,"	\
	" retain, retain_items"
#define STORE_FEED_NCOLUMNS	24
struct store_feed;
struct store_feed *store_feed_read(sqlite3_stmt *);
/* The feed object (steals tags); failed: store_failed's, or NULL. */
json_t		*store_feed_object(const struct store_feed *, json_t *tags,
		     int64_t items, int64_t unread, const char *failed,
		     int64_t default_interval);
/* Every error store_fail keeps, as {"id": error}, a copy. */
json_t		*store_failed_json(struct store *);

/* store-items.c: what one fetch brought, applied inside the caller's
 * transaction. */
struct store_fetch {
	/* in */
	int64_t		 feed_id;
	const char	*key_mode;	/* the feed's: guid, link or hash */
	int		 announce;	/* new items are announced */
	int		 deliver;	/* a hook applies: queue deliveries */
	struct item	*items;		/* document order */
	struct store_prep *prep;	/* each item's, or NULL */
	size_t		 nitems;
	int64_t		 now;
	/* out */
	const char	*new_key_mode;	/* static string, when it changed */
	const char	*why;		/* why it changed */
	int64_t		 added;
	int64_t		 changed;
	int64_t		 announced;
};
int		 store_items_apply(struct store *, struct store_fetch *);
/* Fill the shash column of items stored before it existed (a migration,
 * inside its transaction). */
/* What an item's stable hash is made of, as columns: title, published,
 * enclosures, and the text when nothing else is there. */
#define STORE_STABLE_COLUMNS						\
	"title, published, enclosures, CASE WHEN title IS NULL AND"	\
	" published IS NULL AND enclosures = '[]' THEN"			\
	" COALESCE(item_summary(summary, content),"			\
	" item_content(content)) END"
int		 store_items_backfill(struct store *, char **cause);
/*
 * Remove items for retention, each leaving a tombstone: the one place
 * items are deleted one by one (a feed's removal cascades).  Inside the
 * caller's transaction.
 */
int		 store_items_purge(struct store *, const int64_t *ids, size_t n,
		     int64_t now);

/* store.c: SQL for the counters' triggers: a feed whose last poll failed
 * (T is new, old or the table). */
#define STORE_FAILING(t)						\
	"(" t ".errors > 0 OR (" t ".disabled IS NOT NULL AND "		\
	t ".disabled IS NOT 'paused'))"
/*
 * Migration 6's search key (sort time and id in one integer), kept for
 * that migration's text; migration 8 keys the index by id.
 */
#define STORE_SEARCH_KEY(t)						\
	"((max(0, min(" t ".sort_time, 8589934591)) << 30) | " t ".id)"
/*
 * How far after first_seen an item's sort time may be: a published date
 * further ahead (a broken clock or date) sorts as this.  Searches rely on
 * it: an item's sort time is at most its first_seen plus this, and ids
 * grow with first_seen (query_search_run).
 */
#define STORE_SORT_AHEAD	86400
/* The same, for SQL text: one number, written once. */
#define STORE_STR_(x)		#x
#define STORE_STR(x)		STORE_STR_(x)
#define STORE_SORT_AHEAD_SQL	STORE_STR(STORE_SORT_AHEAD)
/* Index every stored item (a migration, inside its transaction). */
int		 store_search_build(struct store *, char **cause);
/* Index the items inserted since the last sync (store_commit does). */
int		 store_search_sync(struct store *);
/* Item id was inserted: it joins the search index at the sync (now,
 * outside a transaction).  Items have no trigger on insert (migration
 * 10): whoever inserts one says so, and keeps the counts (see
 * store_items_counted). */
int		 store_search_added(struct store *, int64_t id);
/* n items were inserted into feed_id, unread of them unread: the
 * counters and the feed's counts follow. */
int		 store_items_counted(struct store *, int64_t feed_id, int64_t n,
		     int64_t unread);
/* Interval from the feed's own posting rate, or -1 when too few dates. */
int64_t		 store_items_rate(struct store *, int64_t feed_id);

#endif
