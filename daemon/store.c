/*
 * The SQLite store: one database file in WAL mode holding feeds, their
 * aliases (old URLs after a permanent redirect), items, the hook outbox
 * and the fetch history.
 * The schema is versioned with PRAGMA user_version and migrated forward in
 * one transaction at open.  Every statement is prepared once in store_open()
 * and finalized in store_close(); nothing is built by concatenation.
 * Everything runs on the loop thread; a fetched feed is one short
 * transaction.  Only WAL checkpoints (below) and the training of the
 * text dictionary (store-text.c) run on threads of their own.
 * A fetch's items are store-items.c's, item text store-text.c's, the
 * search index's upkeep store-search.c's; they share store-int.h.
 */
#include <sys/stat.h>

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>
#include <zstd.h>

#include "aggd.h"
#include "log.h"
#include "paths.h"
#include "store-int.h"
#include "uri.h"
#include "xmalloc.h"

/*
 * Migrations, in order; user_version is the number applied.  Never edit
 * one that has shipped: add another.
 */
static const char *store_migrations[] = {
	/* 1: the first schema. */
	"CREATE TABLE feeds ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  url TEXT NOT NULL UNIQUE,"
	"  norm_url TEXT NOT NULL,"
	"  name TEXT UNIQUE,"			/* [feed "name"] in the config */
	"  title TEXT,"				/* the feed's own title */
	"  user_title TEXT,"			/* aggctl add --title */
	"  link TEXT,"
	"  interval INTEGER,"			/* per-feed; NULL: adaptive */
	"  adaptive INTEGER,"			/* last computed interval */
	"  hint INTEGER,"			/* ttl or sy:* the feed gave */
	"  hook TEXT,"
	"  announce_existing INTEGER NOT NULL DEFAULT 0,"
	"  etag TEXT,"
	"  last_modified TEXT,"
	"  last_fetch INTEGER,"
	"  last_status INTEGER,"
	"  last_error TEXT,"
	"  last_success INTEGER,"
	"  errors INTEGER NOT NULL DEFAULT 0,"
	"  primed INTEGER NOT NULL DEFAULT 0,"	/* first good fetch stored */
	"  next_fetch INTEGER,"
	"  next_reason TEXT,"
	"  retry_until INTEGER,"
	"  disabled TEXT,"
	"  key_mode TEXT NOT NULL DEFAULT 'guid',"
	"  added INTEGER NOT NULL"
	");"
	"CREATE INDEX feeds_norm ON feeds(norm_url);"
	"CREATE INDEX feeds_due ON feeds(next_fetch) WHERE disabled IS NULL;"
	"CREATE TABLE feed_tags ("
	"  feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,"
	"  tag TEXT NOT NULL,"
	"  PRIMARY KEY (feed_id, tag)"
	") WITHOUT ROWID;"
	"CREATE TABLE feed_aliases ("
	"  url TEXT PRIMARY KEY,"
	"  norm_url TEXT NOT NULL,"
	"  feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE"
	");"
	"CREATE INDEX feed_aliases_norm ON feed_aliases(norm_url);"
	"CREATE INDEX feed_aliases_feed ON feed_aliases(feed_id);"
	"CREATE TABLE items ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL,"			/* dedup key within the feed */
	"  article TEXT,"			/* cross-feed key */
	"  nlink TEXT,"				/* normalised link */
	"  hash TEXT NOT NULL,"			/* of the content, for changes */
	"  guid TEXT, title TEXT, link TEXT, author TEXT,"
	"  summary TEXT, content TEXT,"
	"  published INTEGER, updated INTEGER,"
	"  categories TEXT NOT NULL DEFAULT '[]',"
	"  enclosures TEXT NOT NULL DEFAULT '[]',"
	"  first_seen INTEGER NOT NULL,"
	"  sort_time INTEGER NOT NULL,"		/* published, else first_seen */
	"  announced INTEGER NOT NULL DEFAULT 0,"
	"  read INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (feed_id, key)"
	");"
	"CREATE INDEX items_sort ON items(sort_time DESC, id DESC);"
	"CREATE INDEX items_feed_sort ON items(feed_id, sort_time DESC, id DESC);"
	"CREATE INDEX items_unread ON items(sort_time DESC, id DESC) WHERE read = 0;"
	"CREATE INDEX items_article ON items(article);"
	"CREATE INDEX items_nlink ON items(nlink);"
	"CREATE INDEX items_announced ON items(id) WHERE announced = 1;"
	/* The hook outbox: one row per delivery owed, written in the same
	 * transaction as the item, so nothing announced is ever lost. */
	"CREATE TABLE deliveries ("
	"  item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,"
	"  feed_id INTEGER NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT,"
	"  failed INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX deliveries_due ON deliveries(feed_id, item_id);",
	/* 2: an item's stable hash (title, date, first enclosure) beside its
	 * guid and link, so that any of the three finds it whatever its key;
	 * indexed only where there is no link to find it by.  Filled for
	 * stored items without a link by store_items_backfill. */
	"ALTER TABLE items ADD COLUMN shash TEXT;"
	"CREATE INDEX items_shash ON items(feed_id, shash)"
	" WHERE nlink IS NULL;",
	/* 3: retention.  A feed's own retain (seconds) and retain_items
	 * (NULL: the configured default) and when a fetched document was
	 * last applied to it (parsed), which ages its tombstones.  An item
	 * removed by retention leaves a tombstone with the identifiers it
	 * was matched on (store-items.c), so that the feed serving it again
	 * finds the tombstone and stores nothing; seen is when a fetch last
	 * carried it.  items_feed_seen finds a feed's oldest items. */
	"ALTER TABLE feeds ADD COLUMN retain INTEGER;"
	"ALTER TABLE feeds ADD COLUMN retain_items INTEGER;"
	"ALTER TABLE feeds ADD COLUMN parsed INTEGER;"
	"CREATE TABLE tombstones ("
	"  id INTEGER PRIMARY KEY,"
	"  feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL,"
	"  nlink TEXT,"
	"  shash TEXT NOT NULL,"
	"  seen INTEGER NOT NULL,"
	"  UNIQUE (feed_id, key)"
	");"
	"CREATE INDEX tombstones_nlink ON tombstones(feed_id, nlink)"
	" WHERE nlink IS NOT NULL;"
	"CREATE INDEX tombstones_shash ON tombstones(feed_id, shash)"
	" WHERE nlink IS NULL;"
	"CREATE INDEX tombstones_seen ON tombstones(feed_id, seen);"
	"CREATE INDEX items_feed_seen ON items(feed_id, first_seen);",
	/* 4: the fetch history, a row per attempt written in the fetch's
	 * own savepoint, the oldest pruned past STORE_LOG_KEEP a feed. */
	"CREATE TABLE fetch_log ("
	"  id INTEGER PRIMARY KEY,"
	"  feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,"
	"  time INTEGER NOT NULL,"
	"  status INTEGER,"			/* HTTP, NULL: no answer */
	"  bytes INTEGER NOT NULL,"
	"  duration_ms INTEGER NOT NULL,"
	"  new INTEGER NOT NULL,"
	"  changed INTEGER NOT NULL,"
	"  error TEXT,"
	"  next_reason TEXT"
	");"
	"CREATE INDEX fetch_log_feed ON fetch_log(feed_id, id);",
	/* 5: status figures kept up to date by triggers, in the transaction
	 * of whatever write changes them (a fetch, read, a removed feed's
	 * cascade, retention, a hook's delivery), so that status reads one
	 * row instead of counting a million.  Counted once here. */
	"CREATE TABLE counters ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  feeds INTEGER NOT NULL, items INTEGER NOT NULL,"
	"  unread INTEGER NOT NULL, hooks_pending INTEGER NOT NULL,"
	"  hooks_failed INTEGER NOT NULL, failing INTEGER NOT NULL,"
	"  paused INTEGER NOT NULL"
	");"
	"INSERT INTO counters SELECT 1, (SELECT count(*) FROM feeds),"
	" (SELECT count(*) FROM items),"
	" (SELECT count(*) FROM items WHERE read = 0),"
	" (SELECT count(*) FROM deliveries),"
	" (SELECT count(*) FROM deliveries WHERE failed = 1),"
	" (SELECT count(*) FROM feeds WHERE " STORE_FAILING("feeds") "),"
	" (SELECT count(*) FROM feeds WHERE disabled IS 'paused');"
	"CREATE TRIGGER counters_items_ins AFTER INSERT ON items BEGIN"
	" UPDATE counters SET items = items + 1,"
	" unread = unread + (new.read = 0); END;"
	"CREATE TRIGGER counters_items_del AFTER DELETE ON items BEGIN"
	" UPDATE counters SET items = items - 1,"
	" unread = unread - (old.read = 0); END;"
	"CREATE TRIGGER counters_items_read AFTER UPDATE OF read ON items"
	" WHEN (old.read = 0) != (new.read = 0) BEGIN"
	" UPDATE counters SET unread = unread + (new.read = 0)"
	" - (old.read = 0); END;"
	"CREATE TRIGGER counters_feeds_ins AFTER INSERT ON feeds BEGIN"
	" UPDATE counters SET feeds = feeds + 1,"
	" failing = failing + " STORE_FAILING("new") ","
	" paused = paused + (new.disabled IS 'paused'); END;"
	"CREATE TRIGGER counters_feeds_del AFTER DELETE ON feeds BEGIN"
	" UPDATE counters SET feeds = feeds - 1,"
	" failing = failing - " STORE_FAILING("old") ","
	" paused = paused - (old.disabled IS 'paused'); END;"
	"CREATE TRIGGER counters_feeds_upd AFTER UPDATE OF errors, disabled"
	" ON feeds BEGIN UPDATE counters SET"
	" failing = failing + " STORE_FAILING("new") " - " STORE_FAILING("old")
	", paused = paused + (new.disabled IS 'paused')"
	" - (old.disabled IS 'paused'); END;"
	"CREATE TRIGGER counters_deliveries_ins AFTER INSERT ON deliveries"
	" BEGIN UPDATE counters SET hooks_pending = hooks_pending + 1,"
	" hooks_failed = hooks_failed + (new.failed = 1); END;"
	"CREATE TRIGGER counters_deliveries_del AFTER DELETE ON deliveries"
	" BEGIN UPDATE counters SET hooks_pending = hooks_pending - 1,"
	" hooks_failed = hooks_failed - (old.failed = 1); END;"
	"CREATE TRIGGER counters_deliveries_upd AFTER UPDATE OF failed"
	" ON deliveries WHEN (old.failed = 1) != (new.failed = 1) BEGIN"
	" UPDATE counters SET hooks_failed = hooks_failed + (new.failed = 1)"
	" - (old.failed = 1); END;",
	/* 6: full-text search.  A contentless FTS5 table, so the text is
	 * not stored twice: it holds only the index of each item's words
	 * (aggd_text: title, summary and content with markup stripped and
	 * entities decoded).  Triggers keep it in the transaction of
	 * every insert, update and delete of an item, whoever makes it
	 * (fetches, a removed feed's cascade, retention); a contentless
	 * table forgets a row only when given its text again, which
	 * aggd_text recomputes from the row.  Its rowid was the item's
	 * sort key (STORE_SEARCH_KEY); migration 8 replaced it, and
	 * builds it. */
	"CREATE VIRTUAL TABLE items_fts USING fts5(text, content='',"
	" columnsize=0, tokenize='unicode61 remove_diacritics 2');"
	"CREATE TRIGGER items_fts_ins AFTER INSERT ON items BEGIN"
	" INSERT INTO items_fts(rowid, text) VALUES ("
	STORE_SEARCH_KEY("new") ", aggd_text(new.title, new.summary,"
	" new.content)); END;"
	"CREATE TRIGGER items_fts_del AFTER DELETE ON items BEGIN"
	" INSERT INTO items_fts(items_fts, rowid, text) VALUES ('delete', "
	STORE_SEARCH_KEY("old") ", aggd_text(old.title, old.summary,"
	" old.content)); END;"
	"CREATE TRIGGER items_fts_upd AFTER UPDATE OF title, summary,"
	" content, sort_time ON items WHEN old.title IS NOT new.title"
	" OR old.summary IS NOT new.summary OR old.content IS NOT new.content"
	" OR old.sort_time IS NOT new.sort_time BEGIN"
	" INSERT INTO items_fts(items_fts, rowid, text) VALUES ('delete', "
	STORE_SEARCH_KEY("old") ", aggd_text(old.title, old.summary,"
	" old.content));"
	" INSERT INTO items_fts(rowid, text) VALUES ("
	STORE_SEARCH_KEY("new") ", aggd_text(new.title, new.summary,"
	" new.content)); END;",
	/* 7: each feed's item and unread counts, kept by triggers in the
	 * transaction of every write that changes them, like migration 5's
	 * counters, so that feeds (10,000 of them over a million items)
	 * counts nothing.  Counted once here: the items from the
	 * (feed_id, ...) index, the unread from the partial index of
	 * unread items, neither reading an item's text. */
	"ALTER TABLE feeds ADD COLUMN n_items INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN n_unread INTEGER NOT NULL DEFAULT 0;"
	"UPDATE feeds SET n_items = c.n FROM (SELECT feed_id, count(*) AS n"
	" FROM items INDEXED BY items_feed_sort GROUP BY feed_id) AS c"
	" WHERE c.feed_id = feeds.id;"
	"UPDATE feeds SET n_unread = c.n FROM (SELECT feed_id, count(*) AS n"
	" FROM items INDEXED BY items_unread WHERE read = 0"
	" GROUP BY feed_id) AS c WHERE c.feed_id = feeds.id;"
	"CREATE TRIGGER feeds_n_ins AFTER INSERT ON items BEGIN"
	" UPDATE feeds SET n_items = n_items + 1,"
	" n_unread = n_unread + (new.read = 0) WHERE id = new.feed_id; END;"
	"CREATE TRIGGER feeds_n_del AFTER DELETE ON items BEGIN"
	" UPDATE feeds SET n_items = n_items - 1,"
	" n_unread = n_unread - (old.read = 0) WHERE id = old.feed_id; END;"
	"CREATE TRIGGER feeds_n_read AFTER UPDATE OF read ON items"
	" WHEN (old.read = 0) != (new.read = 0) BEGIN"
	" UPDATE feeds SET n_unread = n_unread + (new.read = 0)"
	" - (old.read = 0) WHERE id = new.feed_id; END;",
	/*
	 * 8: the search index keyed by the item's id.  Migration 6 keyed
	 * it by sort time and id so that its order was the listing's, but
	 * that cost twice the space (every posting carried a 5-byte gap)
	 * and, as each fetch's items came in below the last one's, FTS5
	 * flushed its pending terms at every fetch: a segment per feed
	 * polled.  Ids only grow, so inserts append, and query.c orders
	 * the matches (see query_search_run).  That order needs a bound
	 * on the sort time of items not yet walked: sort_time is now
	 * capped at a day after first_seen (STORE_SORT_AHEAD), so a date
	 * far in the future no longer holds an item above all others,
	 * and ids grow with first_seen.  Filled by store_search_build.
	 *
	 * A new item joins the index when its transaction commits, not
	 * when it is inserted (store_search_sync): FTS5 writes out its
	 * pending terms at every savepoint, and each fetch is one, so
	 * indexing at insert made a segment of the index per feed polled
	 * and merging them cost five times the rest of a poll.  The
	 * triggers leave an item not yet indexed (id >= aggd_fts_from())
	 * to that.
	 *
	 * detail=none: the index says which items hold a word, not where;
	 * phrases are checked on the items found (search.c).
	 */
	"DROP TRIGGER IF EXISTS items_fts_ins;"	/* 10 drops it too */
	"DROP TRIGGER items_fts_del;"
	"DROP TRIGGER items_fts_upd;"
	"DROP TABLE items_fts;"
	"UPDATE items SET sort_time = first_seen + " STORE_SORT_AHEAD_SQL
	" WHERE sort_time > first_seen + " STORE_SORT_AHEAD_SQL ";"
	"CREATE VIRTUAL TABLE items_fts USING fts5(text, content='',"
	" columnsize=0, detail=none,"
	" tokenize='unicode61 remove_diacritics 2');"
	"CREATE TRIGGER items_fts_ins AFTER INSERT ON items"
	" WHEN NOT aggd_fts_defer(new.id) BEGIN"
	" INSERT INTO items_fts(rowid, text) VALUES (new.id,"
	" aggd_text(new.title, new.summary, new.content)); END;"
	"CREATE TRIGGER items_fts_del AFTER DELETE ON items"
	" WHEN old.id < aggd_fts_from() BEGIN"
	" INSERT INTO items_fts(items_fts, rowid, text) VALUES ('delete',"
	" old.id, aggd_text(old.title, old.summary, old.content)); END;"
	"CREATE TRIGGER items_fts_upd AFTER UPDATE OF title, summary,"
	" content ON items WHEN (old.title IS NOT new.title"
	" OR old.summary IS NOT new.summary OR old.content IS NOT new.content)"
	" AND old.id < aggd_fts_from() BEGIN"
	" INSERT INTO items_fts(items_fts, rowid, text) VALUES ('delete',"
	" old.id, aggd_text(old.title, old.summary, old.content));"
	" INSERT INTO items_fts(rowid, text) VALUES (new.id,"
	" aggd_text(new.title, new.summary, new.content)); END;",
	/* 9: zstd dictionaries for item text (store_body_pack), trained on
	 * stored items.  Never changed or removed once written, which the
	 * triggers hold to: a packed item names the one it was made with.
	 * IF NOT EXISTS: a test that runs the migrations before it again
	 * runs this one too. */
	"CREATE TABLE IF NOT EXISTS zdicts ("
	"  id INTEGER PRIMARY KEY,"
	"  dict BLOB NOT NULL,"
	"  created INTEGER NOT NULL"
	");"
	"CREATE TRIGGER IF NOT EXISTS zdicts_keep_del BEFORE DELETE ON zdicts"
	" BEGIN SELECT RAISE(ABORT, 'a text dictionary is never removed');"
	" END;"
	"CREATE TRIGGER IF NOT EXISTS zdicts_keep_upd BEFORE UPDATE ON zdicts"
	" BEGIN SELECT RAISE(ABORT, 'a text dictionary is never changed');"
	" END;",
	/*
	 * 10: an item's insert has no triggers.  With one, SQLite wraps
	 * the insert in a statement journal that copies every page it
	 * touches (16 KB each, in 1 KB pieces), which took a quarter of a
	 * cold poll.  What they did, store_items_apply does: the counters
	 * and the feed's counts once per fetch, the search index at the
	 * sync (store_search_added).  Changes and removals keep theirs.
	 */
	"DROP TRIGGER IF EXISTS counters_items_ins;"
	"DROP TRIGGER IF EXISTS feeds_n_ins;"
	"DROP TRIGGER IF EXISTS items_fts_ins;",
	/*
	 * 11: the index is given each item's distinct words, not its whole
	 * text (search_distinct): it is built again, so that every item
	 * goes out of it with the words it went in with.
	 */
	"INSERT INTO items_fts(items_fts) VALUES ('delete-all');",
};

/* What a migration needs done in C after its SQL, in the same
 * transaction. */
static int (*store_migration_steps[])(struct store *, char **) = {
	NULL,
	store_items_backfill,
	NULL,
	NULL,
	NULL,
	NULL,		/* built by migration 8, once */
	NULL,
	store_search_build,
	NULL,		/* zdicts */
	NULL,		/* no triggers on insert */
	store_search_build,
};
_Static_assert(nitems(store_migration_steps) == nitems(store_migrations),
    "a step, or NULL, for each migration");

static const char *store_sql[STMT_COUNT] = {
	[STMT_BEGIN] = "BEGIN IMMEDIATE",
	[STMT_COMMIT] = "COMMIT",
	[STMT_ROLLBACK] = "ROLLBACK",
	[STMT_SAVEPOINT] = "SAVEPOINT fetch",
	[STMT_RELEASE] = "RELEASE fetch",
	[STMT_ROLLBACK_TO] = "ROLLBACK TO fetch",
	[STMT_ITEMS_ADDED] = "UPDATE counters SET items = items + ?1,"
	    " unread = unread + ?2",
	[STMT_FEED_ITEMS_ADDED] = "UPDATE feeds SET n_items = n_items + ?2,"
	    " n_unread = n_unread + ?3 WHERE id = ?1",
	[STMT_SEARCH_SYNC] = "INSERT INTO items_fts(rowid, text)"
	    " SELECT id, aggd_words(id, title, summary, content) FROM items"
	    " WHERE id >= ?1 ORDER BY id",
	[STMT_FEED_GET] = "SELECT " STORE_FEED_COLUMNS
	    " FROM feeds WHERE id = ?1",
	[STMT_FEED_BY_URL] =
	    "SELECT id FROM feeds WHERE url = ?1 OR norm_url = ?2"
	    " UNION ALL SELECT feed_id FROM feed_aliases"
	    " WHERE url = ?1 OR norm_url = ?2 LIMIT 1",
	[STMT_FEED_INSERT] =
	    "INSERT INTO feeds (url, norm_url, user_title, interval,"
	    " announce_existing, name, hook, next_fetch, next_reason, added)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'new', ?9)",
	[STMT_FEED_DELETE] = "DELETE FROM feeds WHERE id = ?1",
	[STMT_TAG_INSERT] =
	    "INSERT OR IGNORE INTO feed_tags (feed_id, tag) VALUES (?1, ?2)",
	[STMT_TAG_DELETE] = "DELETE FROM feed_tags WHERE feed_id = ?1",
	[STMT_TAGS] = "SELECT tag FROM feed_tags WHERE feed_id = ?1 ORDER BY tag",
	[STMT_FEED_IDS] = "SELECT id FROM feeds ORDER BY id",
	[STMT_FEED_COUNTS] =
	    "SELECT n_items, n_unread FROM feeds WHERE id = ?1",
	[STMT_FEED_SET_NEXT] =
	    "UPDATE feeds SET next_fetch = ?2, next_reason = ?3 WHERE id = ?1",
	[STMT_NEXT_DUE] =
	    "SELECT id, next_fetch FROM feeds WHERE disabled IS NULL"
	    " AND next_fetch IS NOT NULL ORDER BY next_fetch LIMIT 1",
	[STMT_COUNTS] =
	    "SELECT feeds, items, unread, hooks_pending, hooks_failed,"
	    " failing, paused FROM counters",
	[STMT_PAGES] =
	    "SELECT page_count * page_size FROM pragma_page_count,"
	    " pragma_page_size",
	[STMT_FEED_BY_NAME] = "SELECT id FROM feeds WHERE name = ?1",
	[STMT_FEED_CONFIG_UPDATE] =
	    "UPDATE feeds SET name = ?2, user_title = ?3, interval = ?4,"
	    " hook = ?5, retain = ?6, retain_items = ?7 WHERE id = ?1",
	[STMT_FEED_CONFIG_NAMES] =
	    "SELECT id, name FROM feeds WHERE name IS NOT NULL",
	[STMT_FEED_UNNAME] =
	    "UPDATE feeds SET name = NULL, hook = NULL, retain = NULL,"
	    " retain_items = NULL WHERE id = ?1",
	[STMT_FEED_FETCHED] =
	    "UPDATE feeds SET last_fetch = ?2, last_status = ?3,"
	    " last_error = ?4, etag = ?5, last_modified = ?6, errors = ?7,"
	    " next_fetch = ?8, next_reason = ?9, retry_until = ?10,"
	    " disabled = ?11, adaptive = ?12, primed = ?13,"
	    " title = COALESCE(?14, title), link = COALESCE(?15, link),"
	    " key_mode = ?16, hint = ?18,"
	    " last_success = CASE WHEN ?17 THEN ?2 ELSE last_success END"
	    " WHERE id = ?1",
	[STMT_FEED_MOVE] =
	    "UPDATE feeds SET url = ?2, norm_url = ?3 WHERE id = ?1",
	[STMT_ALIAS_INSERT] =
	    "INSERT OR REPLACE INTO feed_aliases (url, norm_url, feed_id)"
	    " VALUES (?1, ?2, ?3)",
	[STMT_DUE] =
	    "SELECT id, url FROM feeds WHERE disabled IS NULL"
	    " AND next_fetch <= ?1 ORDER BY next_fetch, id",
	[STMT_NEXT_AFTER] =
	    "SELECT min(next_fetch) FROM feeds WHERE disabled IS NULL"
	    " AND next_fetch > ?1",
	[STMT_ITEM_BY_KEY] =
	    "SELECT id, hash FROM items WHERE feed_id = ?1 AND key = ?2",
	/* The second look (store-items.c): newest first, a bounded few. */
	[STMT_ITEM_BY_NLINK] =
	    "SELECT id, key, hash, shash, " STORE_STABLE_COLUMNS
	    " FROM items WHERE nlink = ?2 AND feed_id = ?1"
	    " ORDER BY id DESC LIMIT 16",
	[STMT_ITEM_BY_SHASH] =
	    "SELECT id, key, hash, shash, " STORE_STABLE_COLUMNS
	    " FROM items WHERE feed_id = ?1 AND shash = ?2 AND nlink IS NULL"
	    " ORDER BY id DESC LIMIT 16",
	[STMT_ITEM_ARTICLE_ELSEWHERE] =
	    "SELECT 1 FROM items WHERE (article = ?1 OR nlink = ?2)"
	    " AND feed_id != ?3 LIMIT 1",
	[STMT_ITEM_INSERT] =
	    "INSERT INTO items (feed_id, key, article, nlink, hash, guid,"
	    " title, link, author, summary, content, published, updated,"
	    " categories, enclosures, first_seen, sort_time, announced, shash)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15, ?16, min(COALESCE(?12, ?16), ?16 + "
	    STORE_SORT_AHEAD_SQL "), ?17, ?18)",
	[STMT_ITEM_UPDATE] =
	    "UPDATE items SET hash = ?2, guid = ?3, title = ?4, link = ?5,"
	    " author = ?6, summary = ?7, content = ?8, published = ?9,"
	    " updated = ?10, categories = ?11, enclosures = ?12,"
	    " sort_time = min(COALESCE(?9, first_seen), first_seen + "
	    STORE_SORT_AHEAD_SQL "), article = ?13,"
	    " nlink = ?14, key = ?15, shash = ?16 WHERE id = ?1",
	[STMT_DELIVERY_INSERT] =
	    "INSERT OR IGNORE INTO deliveries (item_id, feed_id) VALUES (?1, ?2)",
	[STMT_ITEMS_ANNOUNCED] =
	    "SELECT i.id, i.feed_id, f.url, i.guid, i.title, i.link, i.author,"
	    " i.summary, i.content, i.published, i.updated, i.categories,"
	    " i.enclosures, i.first_seen, i.read, i.sort_time"
	    " FROM items i JOIN feeds f ON f.id = i.feed_id"
	    " WHERE i.id > ?1 AND i.announced = 1"
	    " AND (?2 IS NULL OR i.feed_id = ?2) ORDER BY i.id LIMIT ?3",
	[STMT_ITEM_GET] =
	    "SELECT i.id, i.feed_id, f.url, i.guid, i.title, i.link, i.author,"
	    " i.summary, i.content, i.published, i.updated, i.categories,"
	    " i.enclosures, i.first_seen, i.read, i.sort_time"
	    " FROM items i JOIN feeds f ON f.id = i.feed_id"
	    " WHERE i.id = ?1",
	[STMT_MAX_ITEM] = "SELECT max(id) FROM items",
	/* The head of each feed's delivery queue, oldest first: hooks of one
	 * feed run one at a time, in the order items were stored.  f walks
	 * the distinct feed_ids of deliveries_due one index seek at a time,
	 * so the cost grows with the feeds owed, not the deliveries. */
	[STMT_DELIVERY_HEADS] =
	    "WITH RECURSIVE f(id) AS (SELECT min(feed_id) FROM deliveries"
	    " UNION ALL SELECT (SELECT min(feed_id) FROM deliveries"
	    " WHERE feed_id > f.id) FROM f WHERE f.id IS NOT NULL)"
	    " SELECT d.item_id, d.feed_id, d.attempts, d.next_attempt"
	    " FROM f JOIN deliveries d ON d.item_id ="
	    " (SELECT min(item_id) FROM deliveries WHERE feed_id = f.id)"
	    " ORDER BY d.item_id",
	[STMT_DELIVERY_DONE] = "DELETE FROM deliveries WHERE item_id = ?1",
	[STMT_DELIVERY_FAIL] =
	    "UPDATE deliveries SET attempts = attempts + 1, next_attempt = ?2,"
	    " last_error = ?3, failed = 1 WHERE item_id = ?1",
	[STMT_ITEM_SET_READ] = "UPDATE items SET read = ?2 WHERE id = ?1",
	[STMT_FEED_SET_READ] =
	    "UPDATE items SET read = ?2 WHERE feed_id = ?1 AND read != ?2",
	[STMT_ALL_SET_READ] = "UPDATE items SET read = ?1 WHERE read != ?1",
	[STMT_FEED_LINK_DEFAULT] =
	    "UPDATE feeds SET link = ?2 WHERE id = ?1 AND link IS NULL",
	/* Tombstones, looked at like items (store-items.c) under negative
	 * ids; a tombstone has no content hash and no stable columns (its
	 * shash is always there). */
	[STMT_TOMB_BY_KEY] =
	    "SELECT -id, NULL FROM tombstones WHERE feed_id = ?1 AND key = ?2",
	[STMT_TOMB_BY_NLINK] =
	    "SELECT -id, key, NULL, shash, NULL, NULL, '[]', NULL"
	    " FROM tombstones WHERE nlink = ?2 AND feed_id = ?1"
	    " ORDER BY id DESC LIMIT 16",
	[STMT_TOMB_BY_SHASH] =
	    "SELECT -id, key, NULL, shash, NULL, NULL, '[]', NULL"
	    " FROM tombstones WHERE feed_id = ?1 AND shash = ?2"
	    " AND nlink IS NULL ORDER BY id DESC LIMIT 16",
	/* Written at most daily per tombstone: a feed that keeps serving
	 * 20 removed items would otherwise rewrite 20 rows a poll. */
	[STMT_TOMB_SEEN] =
	    "UPDATE tombstones SET seen = ?2 WHERE id = ?1"
	    " AND seen < ?2 - 86400",
	[STMT_TOMB_INSERT] =
	    "INSERT OR REPLACE INTO tombstones (feed_id, key, nlink, shash,"
	    " seen) VALUES (?1, ?2, ?3, ?4, ?5)",
	[STMT_TOMB_PRUNE] =
	    "DELETE FROM tombstones WHERE id IN (SELECT id FROM tombstones"
	    " WHERE feed_id = ?1 AND seen < ?2 LIMIT ?3)",
	[STMT_TOMB_OLD] =
	    "SELECT count(*) FROM (SELECT 1 FROM tombstones"
	    " WHERE feed_id = ?1 AND seen < ?2 LIMIT ?3)",
	[STMT_FEED_PARSED] = "UPDATE feeds SET parsed = ?2 WHERE id = ?1",
	[STMT_PURGE_ITEM] =
	    "SELECT feed_id, key, nlink, shash, " STORE_STABLE_COLUMNS
	    " FROM items WHERE id = ?1",
	[STMT_ITEM_DELETE] = "DELETE FROM items WHERE id = ?1",
	/* Retention walks the feeds in id order, a few at a time. */
	[STMT_RETAIN_FEEDS] =
	    "SELECT id, COALESCE(retain, ?2), COALESCE(retain_items, ?3),"
	    " parsed FROM feeds WHERE id > ?1 ORDER BY id LIMIT ?4",
	/* Items owed to a hook stay until delivered. */
	[STMT_RETAIN_OLD] =
	    "SELECT i.id FROM items i WHERE i.feed_id = ?1"
	    " AND i.first_seen < ?2 AND NOT EXISTS (SELECT 1 FROM deliveries d"
	    " WHERE d.item_id = i.id) LIMIT ?3",
	[STMT_RETAIN_EXCESS] =
	    "SELECT x.id FROM (SELECT id FROM items WHERE feed_id = ?1"
	    " ORDER BY sort_time DESC, id DESC LIMIT -1 OFFSET ?2) x"
	    " WHERE NOT EXISTS (SELECT 1 FROM deliveries d"
	    " WHERE d.item_id = x.id) LIMIT ?3",
	/* What a feed has past its limits, delivered or not. */
	[STMT_RETAIN_HELD] =
	    "SELECT (SELECT count(*) FROM (SELECT 1 FROM items"
	    " WHERE feed_id = ?1 ORDER BY sort_time DESC, id DESC"
	    " LIMIT -1 OFFSET ?2)) + (SELECT count(*) FROM items"
	    " WHERE feed_id = ?1 AND first_seen < ?3)",
	[STMT_TAG_REMOVE] =
	    "DELETE FROM feed_tags WHERE feed_id = ?1 AND tag = ?2",
	[STMT_FEED_UPDATE] =
	    "UPDATE feeds SET user_title = CASE WHEN ?2 THEN ?3"
	    " ELSE user_title END, interval = ?4, hook = ?5, retain = ?6,"
	    " retain_items = ?7, next_fetch = ?8, next_reason = ?9"
	    " WHERE id = ?1",
	[STMT_FEED_SET_DISABLED] =
	    "UPDATE feeds SET disabled = ?2, next_fetch = ?3, next_reason = ?4"
	    " WHERE id = ?1",
	[STMT_LOG_INSERT] =
	    "INSERT INTO fetch_log (feed_id, time, status, bytes, duration_ms,"
	    " new, changed, error, next_reason)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	/* Rows of the feed older than its STORE_LOG_KEEP newest: the
	 * offset walks the (feed_id, id) index, no more. */
	[STMT_LOG_PRUNE] =
	    "DELETE FROM fetch_log WHERE feed_id = ?1 AND id <="
	    " (SELECT id FROM fetch_log WHERE feed_id = ?1"
	    " ORDER BY id DESC LIMIT 1 OFFSET ?2)",
	[STMT_FEED_PUBLISHED] =
	    "SELECT published FROM items WHERE feed_id = ?1"
	    " AND published IS NOT NULL ORDER BY published DESC LIMIT 20",
};

static void	store_group_lost(struct store *);
static void	store_failed_clear_all(struct store *);
static void	store_vacuum_mode(struct store *);
static void	store_ckpt_start(struct store *);
static void	store_ckpt_stop(struct store *);


/* A statement failed: log it, and count it for status. */
void
store_log_error(struct store *s, const char *what)
{
	free(s->error);
	s->error = xstrdup(sqlite3_errmsg(s->db));
	log_warnx("database %s: %s: %s", s->path, what, s->error);
	s->nerrors++;
}

sqlite3_stmt *
store_stmt(struct store *s, enum store_stmt which)
{
	sqlite3_stmt	*st = s->stmt[which];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return (st);
}

sqlite3 *
store_db(struct store *s)
{
	return (s->db);
}

void
store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

/* Bind without a copy: v must live until the statement is reset. */
void
store_bind_static(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

void
store_bind_int(sqlite3_stmt *st, int i, int64_t v, int64_t none)
{
	if (v == none)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

char *
store_col_text(sqlite3_stmt *st, int i)
{
	const unsigned char	*t = sqlite3_column_text(st, i);

	return (t != NULL ? xstrdup((const char *)t) : NULL);
}

int64_t
store_col_int(sqlite3_stmt *st, int i, int64_t none)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return (none);
	return (sqlite3_column_int64(st, i));
}

/* Run a statement that returns no rows. */
int
store_exec(struct store *s, sqlite3_stmt *st)
{
	int	rc;

	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		store_log_error(s, sqlite3_sql(st));
		return (-1);
	}
	return (0);
}

static int
store_migrate(struct store *s, char **cause)
{
	sqlite3_stmt	*st;
	int		 version, target = (int)nitems(store_migrations), i;
	char		*err = NULL, sql[64];

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		goto fail;
	}
	version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version > target) {
		xasprintf(cause, "database %s has schema %d, newer than this "
		    "aggd knows (%d)", s->path, version, target);
		return (-1);
	}
	if (version == target)
		return (0);
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, &err) != SQLITE_OK)
		goto fail_err;
	for (i = version; i < target; i++) {
		if (sqlite3_exec(s->db, store_migrations[i], NULL, NULL,
		    &err) != SQLITE_OK) {
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			goto fail_err;
		}
		if (store_migration_steps[i] != NULL &&
		    store_migration_steps[i](s, cause) != 0) {
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return (-1);
		}
	}
	/* PRAGMA takes no parameters; the value is our own integer. */
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", target);
	if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK ||
	    sqlite3_exec(s->db, "COMMIT", NULL, NULL, &err) != SQLITE_OK) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		goto fail_err;
	}
	if (version != 0)
		log_info("database %s: migrated schema %d to %d", s->path,
		    version, target);
	return (0);
fail_err:
	xasprintf(cause, "database %s: migration failed: %s", s->path,
	    err != NULL ? err : sqlite3_errmsg(s->db));
	sqlite3_free(err);
	return (-1);
fail:
	xasprintf(cause, "database %s: %s", s->path, sqlite3_errmsg(s->db));
	return (-1);
}

/*
 * An older aggd left the database and its -wal and -shm 0644 for a
 * moment or for good; SQLite gives new -wal and -shm files the
 * database's mode, so set them all private before it opens anything.
 */
static void
store_open_modes(const char *path)
{
	static const char *suffixes[] = { "", "-wal", "-shm", "-journal" };
	char	*p;
	size_t	 i;

	for (i = 0; i < nitems(suffixes); i++) {
		xasprintf(&p, "%s%s", path, suffixes[i]);
		if (chmod(p, 0600) == -1 && errno != ENOENT)
			log_warn("database %s: chmod %s", path, p);
		free(p);
	}
}

#define STORE_CHECK_BIG	(256 * 1024 * 1024)

/*
 * PRAGMA quick_check before anything is written or migrated: a damaged
 * database is refused at start, with what to do, rather than failing
 * later at some write (a bad header fails here too, as "file is not a
 * database").  Returns -1 with *cause set when damaged or unreadable.
 */
static int
store_open_check(struct store *s, char **cause)
{
	sqlite3_stmt	*st = NULL;
	const char	*msg = NULL;
	char		*what;
	size_t		 i;
	int		 rc, damaged = 0;
	struct timespec	 t0, t1;
	struct stat	 sb;
	long		 ms;

	/*
	 * It reads the whole file: 3.4 s for 100,000 items (560 MB) from a
	 * cold cache here.  For a big file ask systemd for more time, rather
	 * than be killed by its start timeout (90 s) midway.
	 */
	if (stat(s->path, &sb) == 0 && sb.st_size > STORE_CHECK_BIG)
		notify_send("EXTEND_TIMEOUT_USEC=600000000\n"
		    "STATUS=checking the database (%lld MB)",
		    (long long)(sb.st_size >> 20));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &st,
	    NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		msg = (const char *)sqlite3_column_text(st, 0);
		if (msg == NULL || strcmp(msg, "ok") != 0)
			damaged = 1;
	} else
		msg = sqlite3_errmsg(s->db);
	if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
		damaged = 1;
	if (!damaged && rc != SQLITE_ROW) {
		xasprintf(cause, "cannot open database %s: %s", s->path,
		    msg);
		sqlite3_finalize(st);
		return (-1);
	}
	if (damaged) {
		if (msg == NULL)
			msg = "unknown damage";
		if (strncmp(msg, "*** in database main ***", 24) == 0)
			msg += 24 + strspn(msg + 24, " \n");
		what = xstrdup(msg);
		for (i = 0; what[i] != '\0'; i++)
			if (what[i] == '\n' || what[i] == '\r')
				what[i] = ' ';
		if (i > 160)
			strcpy(what + 157, "...");
		xasprintf(cause, "database %s is damaged (%s): copy out what "
		    "can be read with sqlite3 %s .recover (or .dump) | "
		    "sqlite3 NEW.db, see \"If the database is damaged\" in "
		    "the README", s->path, what, s->path);
		free(what);
		sqlite3_finalize(st);
		return (-1);
	}
	sqlite3_finalize(st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (long)((t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000);
	if (ms >= 1000)
		log_info("database %s: checked in %ld ms", s->path, ms);
	else
		log_debug("database %s: quick_check ok in %ld ms", s->path,
		    ms);
	return (0);
}

struct store *
store_open(const char *path, char **cause)
{
	struct store	*s;
	char		*dir, *err = NULL;
	int		 i;

	dir = paths_dirname(path);
	if (paths_mkdirs(dir, 0700) == -1) {
		xasprintf(cause, "cannot create directory %s: %s", dir,
		    log_strerror(errno));
		free(dir);
		return (NULL);
	}
	free(dir);
	store_open_modes(path);

	/*
	 * SQLite counts the memory it holds under a global mutex on every
	 * allocation, and FTS5 allocates for every term of every item: a
	 * twentieth of a cold poll went there.  Nothing reads the count.
	 * Only before SQLite starts (the first open): later it is refused.
	 */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	s = xcalloc(1, sizeof *s);
	pthread_mutex_init(&s->dict_lock, NULL);
	s->path = xstrdup(path);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		xasprintf(cause, "cannot open database %s: %s", path,
		    s->db != NULL ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 5000);
	sqlite3_extended_result_codes(s->db, 1);
	/* The search index's triggers call them: every write to items. */
	s->fts_from = INT64_MAX;
	if (sqlite3_create_function_v2(s->db, "aggd_text", 3, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL, store_text_fn,
	    NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function_v2(s->db, "aggd_fts_defer", 1,
	    SQLITE_UTF8, s, store_fts_defer_fn, NULL,
	    NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function_v2(s->db, "aggd_fts_from", 0,
	    SQLITE_UTF8, s, store_fts_from_fn, NULL,
	    NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function_v2(s->db, "aggd_words", 4,
	    SQLITE_UTF8, s, store_words_fn, NULL,
	    NULL, NULL) != SQLITE_OK) {
		xasprintf(cause, "cannot open database %s: %s", path,
		    sqlite3_errmsg(s->db));
		goto fail;
	}
	/*
	 * WAL with synchronous=NORMAL: a crash never corrupts and loses at
	 * most the last commits.  A 20 MB page cache keeps the indexes hot
	 * through a burst of fetches (the default 2 MB re-read them with a
	 * system call per page); 24 MB was no faster on the bench's cold
	 * cycle and took 4 MB more.
	 */
	/* A cache for the check; on a bad header this fails and the
	 * check says why. */
	sqlite3_exec(s->db, "PRAGMA cache_size = -20480;", NULL, NULL, NULL);
	if (store_open_check(s, cause) != 0)
		goto fail;
	/* 16 KB pages: an item with its content fits one, and each WAL frame
	 * is one write; set before the first table exists. */
	if (sqlite3_exec(s->db, "PRAGMA page_size = 16384;", NULL, NULL,
	    NULL) != SQLITE_OK)
		log_warnx("database %s: cannot set the page size", path);
	/* Space that retention frees is given back a few pages at a time
	 * (store_vacuum_step).  This too holds only for a new file: an
	 * older one keeps its mode (see store_vacuum_mode). */
	if (sqlite3_exec(s->db, "PRAGMA auto_vacuum = INCREMENTAL;", NULL,
	    NULL, NULL) != SQLITE_OK)
		log_warnx("database %s: cannot set incremental vacuum", path);
	if (store_functions(s->db) != 0) {
		xasprintf(cause, "database %s: cannot register functions: %s",
		    path, sqlite3_errmsg(s->db));
		goto fail;
	}
	if (sqlite3_exec(s->db, "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = NORMAL;"
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA cache_size = -20480;"
	    "PRAGMA temp_store = MEMORY;"
	    "PRAGMA wal_autocheckpoint = 2048;"
	    "PRAGMA journal_size_limit = 67108864;", NULL, NULL, &err) != SQLITE_OK) {
		xasprintf(cause, "cannot open database %s: %s", path, err);
		sqlite3_free(err);
		goto fail;
	}
	if (store_migrate(s, cause) != 0)
		goto fail;
	store_vacuum_mode(s);
	store_dict_load(s);
	for (i = 0; i < STMT_COUNT; i++) {
		if (store_sql[i] == NULL)
			fatalx("store: statement %d has no SQL", i);
		if (sqlite3_prepare_v3(s->db, store_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->stmt[i], NULL) != SQLITE_OK) {
			xasprintf(cause, "database %s: preparing statement "
			    "%d: %s", path, i, sqlite3_errmsg(s->db));
			goto fail;
		}
	}
	/* aggd's umask made them 0600 from the start; a caller without
	 * it (the unit tests) gets the same in the end. */
	store_open_modes(path);
	return (s);
fail:
	store_close(s);
	return (NULL);
}

void
store_close(struct store *s)
{
	int	i;

	if (s == NULL)
		return;
	if (s->group)
		store_flush(s);
	if (s->in_tx)
		store_rollback(s);
	store_dict_close(s);
	pthread_mutex_destroy(&s->dict_lock);
	store_words_clear(s, 0);
	free(s->words);
	store_ckpt_stop(s);
	if (s->flush != NULL)
		event_free(s->flush);
	for (i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	if (s->db != NULL && sqlite3_close(s->db) != SQLITE_OK)
		log_warnx("database %s: close: %s", s->path,
		    sqlite3_errmsg(s->db));
	store_failed_clear_all(s);
	ZSTD_freeCCtx(s->zc);
	store_dctx_release();
	store_tok_release();
	free(s->group_ids);
	free(s->careful);
	free(s->error);
	free(s->path);
	free(s);
}

/*
 * Group commit.  Each commit rewrites into the WAL every page it touched,
 * and a 20-item feed touches ~150 (the items and seven indexes); ten
 * thousand feeds finishing in one burst would write gigabytes.  So
 * fetches write inside a shared group transaction, which store_flush()
 * commits when the burst ends, after STORE_GROUP_MS, or before anything
 * else writes or hands data outside (a refresh --wait answer, hooks,
 * follow, shutdown).  A crash loses at most the group's last few
 * fetches, whole, and they are fetched again.
 *
 * A fetch has no savepoint of its own at first: a savepoint copies every
 * page the fetch touches first into a journal in memory (16 KB, in 1 KB
 * pieces), a seventh of a cold poll's time on the loop.  A statement
 * that fails inside a fetch then takes the whole group with it (as a
 * failed commit does, store_group_lost: those feeds show why and are
 * polled again), and the feed is marked careful: its fetches from then
 * on have their own savepoint, so a feed that keeps failing takes only
 * its own work with it.  Errors such as a full disk end the transaction
 * anyway, savepoint or not.
 */
#define STORE_GROUP_MS	250
/* New items indexed at once (store_search_sync) between a group's
 * fetches: about 5 ms of the loop's time. */
#define STORE_SYNC_BATCH	64

static void
store_flush_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	store_flush(arg);
}

void
store_attach(struct store *s, struct event_base *base)
{
	s->flush = evtimer_new(base, store_flush_cb, s);
	store_ckpt_start(s);
}

/*
 * WAL checkpoints off the loop.  A checkpoint copies the log into the
 * database file and syncs it: SQLite would run one inside whichever
 * commit filled the log past 2,048 pages (32 MB), on the loop, and a
 * sync on a slow disk takes seconds.  Instead a commit that leaves the
 * log that long wakes a thread of ours, which checkpoints on its own
 * connection without waiting for (or holding up) readers and the writer
 * (PASSIVE); the next write then starts the log over.  Also once a
 * minute, so a quiet daemon's log is folded in too.
 */
#define STORE_CKPT_PAGES	2048

static void *
store_ckpt_main(void *arg)
{
	struct store	*s = arg;
	struct timespec	 until;
	int		 nlog, nckpt;

	pthread_mutex_lock(&s->ckpt_lock);
	while (!s->ckpt_stop) {
		if (!s->ckpt_wanted) {
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 60;
			pthread_cond_timedwait(&s->ckpt_cond, &s->ckpt_lock,
			    &until);
			if (s->ckpt_stop)
				break;
		}
		s->ckpt_wanted = 0;
		pthread_mutex_unlock(&s->ckpt_lock);
		if (sqlite3_wal_checkpoint_v2(s->ckpt_db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, &nlog, &nckpt) != SQLITE_OK)
			log_warnx("database %s: checkpoint: %s", s->path,
			    sqlite3_errmsg(s->ckpt_db));
		pthread_mutex_lock(&s->ckpt_lock);
	}
	pthread_mutex_unlock(&s->ckpt_lock);
	return (NULL);
}

/* After each commit on the loop's connection: wake the thread when the
 * log is long.  (Replaces SQLite's own automatic checkpoint.) */
static int
store_ckpt_hook(void *arg, sqlite3 *db UNUSED, const char *name UNUSED,
    int pages)
{
	struct store	*s = arg;

	if (pages >= STORE_CKPT_PAGES) {
		pthread_mutex_lock(&s->ckpt_lock);
		s->ckpt_wanted = 1;
		pthread_cond_signal(&s->ckpt_cond);
		pthread_mutex_unlock(&s->ckpt_lock);
	}
	return (SQLITE_OK);
}

static void
store_ckpt_start(struct store *s)
{
	if (sqlite3_open_v2(s->path, &s->ckpt_db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		log_warnx("database %s: no checkpoint thread (%s): the loop "
		    "checkpoints", s->path, s->ckpt_db != NULL ?
		    sqlite3_errmsg(s->ckpt_db) : "out of memory");
		sqlite3_close(s->ckpt_db);
		s->ckpt_db = NULL;
		return;
	}
	pthread_mutex_init(&s->ckpt_lock, NULL);
	pthread_cond_init(&s->ckpt_cond, NULL);
	if (pthread_create(&s->ckpt_thread, NULL, store_ckpt_main, s) != 0) {
		log_warnx("database %s: no checkpoint thread: the loop "
		    "checkpoints", s->path);
		sqlite3_close(s->ckpt_db);
		s->ckpt_db = NULL;
		return;
	}
	sqlite3_wal_hook(s->db, store_ckpt_hook, s);
}

static void
store_ckpt_stop(struct store *s)
{
	if (s->ckpt_db == NULL)
		return;
	pthread_mutex_lock(&s->ckpt_lock);
	s->ckpt_stop = 1;
	pthread_cond_signal(&s->ckpt_cond);
	pthread_mutex_unlock(&s->ckpt_lock);
	pthread_join(s->ckpt_thread, NULL);
	sqlite3_close(s->ckpt_db);
	s->ckpt_db = NULL;
	pthread_cond_destroy(&s->ckpt_cond);
	pthread_mutex_destroy(&s->ckpt_lock);
	/* The loop checkpoints from here to the close. */
	sqlite3_wal_autocheckpoint(s->db, STORE_CKPT_PAGES);
}

int
store_flush(struct store *s)
{
	size_t	i;

	if (!s->group)
		return (0);
	if (s->flush != NULL)
		evtimer_del(s->flush);
	s->group = 0;
	if (store_commit(s) != 0) {
		log_warnx("database %s: group commit failed; the fetches in "
		    "it will be made again", s->path);
		store_group_lost(s);
		return (-1);
	}
	/* What those fetches recorded is on disk now, errors included. */
	for (i = 0; i < s->ngroup; i++)
		store_failed_clear(s, s->group_ids[i]);
	s->ngroup = 0;
	return (0);
}

/*
 * The group transaction is gone (its commit failed, or SQLite rolled it
 * back on an error such as SQLITE_FULL): every fetch it held is lost, and
 * its feed shows why until a later fetch of it is committed.
 */
static void
store_group_lost(struct store *s)
{
	struct store_feed	*f;
	char			*why;
	size_t			 i;

	xasprintf(&why, "database error: %s; this poll was not saved",
	    s->error != NULL ? s->error : "transaction rolled back");
	for (i = 0; i < s->ngroup; i++) {
		f = store_feed_get(s, s->group_ids[i]);
		log_warnx("feed %lld (%s): %s", (long long)s->group_ids[i],
		    f != NULL ? f->url : "?", why);
		store_feed_free(f);
		store_fail(s, s->group_ids[i], why);
	}
	free(why);
	s->ngroup = 0;
}

/* Whether feed_id's fetches have their own savepoint (see above). */
static int
store_careful(struct store *s, int64_t feed_id)
{
	size_t	i;

	for (i = 0; i < s->ncareful; i++)
		if (s->careful[i] == feed_id)
			return (1);
	return (0);
}

static void
store_careful_add(struct store *s, int64_t feed_id)
{
	if (store_careful(s, feed_id))
		return;
	if (s->ncareful == s->carefulcap) {
		s->carefulcap = s->carefulcap ? s->carefulcap * 2 : 8;
		s->careful = xreallocarray(s->careful, s->carefulcap,
		    sizeof *s->careful);
	}
	s->careful[s->ncareful++] = feed_id;
}

/* Begin feed_id's fetch in the group transaction (begun if need be). */
int
store_fetch_begin(struct store *s, int64_t feed_id)
{
	struct timeval	tv = { 0, STORE_GROUP_MS * 1000 };

	if (s->in_fetch)
		fatalx("store_fetch_begin: nested");
	if (!s->group) {
		if (store_begin(s) != 0)
			return (-1);
		s->group = 1;
		if (s->flush != NULL)
			evtimer_add(s->flush, &tv);
	}
	s->fetch_sp = store_careful(s, feed_id);
	if (s->fetch_sp && store_exec(s, store_stmt(s, STMT_SAVEPOINT)) != 0)
		return (-1);
	s->in_fetch = 1;
	s->fetch_id = feed_id;
	s->words_mark = s->nwords;
	return (0);
}

int
store_fetch_commit(struct store *s)
{
	if (s->fetch_sp && store_exec(s, store_stmt(s, STMT_RELEASE)) != 0) {
		store_fetch_rollback(s);
		return (-1);
	}
	s->in_fetch = 0;
	if (s->ngroup == s->groupcap) {
		s->groupcap = s->groupcap ? s->groupcap * 2 : 64;
		s->group_ids = xreallocarray(s->group_ids, s->groupcap,
		    sizeof *s->group_ids);
	}
	s->group_ids[s->ngroup++] = s->fetch_id;
	/*
	 * Index what the group holds so far once it is a batch: at its
	 * commit alone, a burst's thousands of items would be one long
	 * stop of the loop.  Between fetches, outside any savepoint; a
	 * failure is left to the commit, which tries again and reports it.
	 */
	if (s->fts_pending >= STORE_SYNC_BATCH)
		(void)store_search_sync(s);
	return (0);
}

void
store_fetch_rollback(struct store *s)
{
	s->in_fetch = 0;
	if (!s->fetch_sp && sqlite3_get_autocommit(s->db) == 0) {
		/* No savepoint to go back to: the group goes, and this
		 * feed's fetches have their own from now on. */
		log_warnx("database %s: a fetch of feed %lld failed; the "
		    "fetches stored with it since the last commit go too",
		    s->path, (long long)s->fetch_id);
		store_careful_add(s, s->fetch_id);
		store_exec(s, store_stmt(s, STMT_ROLLBACK));
	}
	if (sqlite3_get_autocommit(s->db) != 0) {
		/* The whole transaction is gone (SQLite gave it up, e.g.
		 * on SQLITE_FULL, or there was no savepoint). */
		s->group = s->in_tx = 0;
		s->fts_from = INT64_MAX;
		s->fts_pending = 0;
		store_words_clear(s, 0);
		if (s->flush != NULL)
			evtimer_del(s->flush);
		store_group_lost(s);
		return;
	}
	/* The ids it took are taken again by the next inserts. */
	store_words_clear(s, s->words_mark);
	store_exec(s, store_stmt(s, STMT_ROLLBACK_TO));
	store_exec(s, store_stmt(s, STMT_RELEASE));
}

int
store_begin(struct store *s)
{
	if (s->group && !s->in_fetch)
		store_flush(s);
	if (s->in_tx)
		fatalx("store_begin: nested transaction");
	if (store_exec(s, store_stmt(s, STMT_BEGIN)) != 0)
		return (-1);
	s->in_tx = 1;
	return (0);
}

int
store_commit(struct store *s)
{
	if (store_search_sync(s) != 0 ||
	    store_exec(s, store_stmt(s, STMT_COMMIT)) != 0) {
		store_rollback(s);
		return (-1);
	}
	s->in_tx = 0;
	/* Writing works again: status stops showing the last failure. */
	free(s->error);
	s->error = NULL;
	store_dict_tick(s);
	return (0);
}

void
store_rollback(struct store *s)
{
	if (!s->in_tx)
		return;
	/* A failed COMMIT may already have rolled back. */
	if (sqlite3_get_autocommit(s->db) == 0)
		store_exec(s, store_stmt(s, STMT_ROLLBACK));
	s->in_tx = 0;
	s->fts_from = INT64_MAX;
	s->fts_pending = 0;
	store_words_clear(s, 0);
}

int
store_in_tx(struct store *s)
{
	return (s->in_tx);
}

void
store_feed_free(struct store_feed *f)
{
	if (f == NULL)
		return;
	free(f->url);
	free(f->name);
	free(f->title);
	free(f->link);
	free(f->hook);
	free(f->etag);
	free(f->last_modified);
	free(f->last_error);
	free(f->next_reason);
	free(f->disabled);
	free(f->key_mode);
	free(f);
}

struct store_feed *
store_feed_get(struct store *s, int64_t id)
{
	sqlite3_stmt		*st = store_stmt(s, STMT_FEED_GET);
	struct store_feed	*f;
	int			 rc;

	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		if (rc != SQLITE_DONE)
			store_log_error(s, "reading a feed");
		sqlite3_reset(st);
		return (NULL);
	}
	f = store_feed_read(st);
	sqlite3_reset(st);
	return (f);
}

/* A feed from a row of STORE_FEED_COLUMNS (any connection's). */
struct store_feed *
store_feed_read(sqlite3_stmt *st)
{
	struct store_feed	*f;

	f = xcalloc(1, sizeof *f);
	f->id = sqlite3_column_int64(st, 0);
	f->url = store_col_text(st, 1);
	f->name = store_col_text(st, 2);
	f->title = store_col_text(st, 3);
	f->link = store_col_text(st, 4);
	f->hook = store_col_text(st, 5);
	f->interval = store_col_int(st, 6, -1);
	f->adaptive = store_col_int(st, 7, -1);
	f->etag = store_col_text(st, 8);
	f->last_modified = store_col_text(st, 9);
	f->last_fetch = store_col_int(st, 10, -1);
	f->last_status = store_col_int(st, 11, -1);
	f->last_error = store_col_text(st, 12);
	f->next_fetch = store_col_int(st, 13, -1);
	f->next_reason = store_col_text(st, 14);
	f->retry_until = store_col_int(st, 15, -1);
	f->errors = store_col_int(st, 16, 0);
	f->primed = (int)store_col_int(st, 17, 0);
	f->announce_existing = (int)store_col_int(st, 18, 0);
	f->disabled = store_col_text(st, 19);
	f->key_mode = store_col_text(st, 20);
	f->hint = store_col_int(st, 21, -1);
	f->retain = store_col_int(st, 22, -1);
	f->retain_items = store_col_int(st, 23, -1);
	return (f);
}

int64_t
store_feed_find(struct store *s, const char *url)
{
	sqlite3_stmt	*st = store_stmt(s, STMT_FEED_BY_URL);
	char		*norm;
	int64_t		 id = 0;
	int		 rc;

	norm = uri_normalize(url);
	store_bind_text(st, 1, url);
	store_bind_text(st, 2, norm != NULL ? norm : url);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE) {
		store_log_error(s, "finding a feed");
		id = -1;
	}
	sqlite3_reset(st);
	free(norm);
	return (id);
}

int64_t
store_feed_lookup(struct store *s, const char *feed)
{
	char		*end;
	long long	 n;
	sqlite3_stmt	*st;
	int64_t		 id = 0;

	errno = 0;
	n = strtoll(feed, &end, 10);
	if (*feed != '\0' && *end == '\0' && errno == 0 && n > 0) {
		st = store_stmt(s, STMT_FEED_GET);
		sqlite3_bind_int64(st, 1, n);
		if (sqlite3_step(st) == SQLITE_ROW)
			id = n;
		sqlite3_reset(st);
		return (id);
	}
	if ((id = store_feed_find(s, feed)) != 0)
		return (id);
	st = store_stmt(s, STMT_FEED_BY_NAME);
	store_bind_text(st, 1, feed);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return (id);
}

static int
store_set_tags(struct store *s, int64_t id, const char *tags)
{
	sqlite3_stmt	*st;
	char		*copy, *p, *tag, *e;
	int		 rv = 0;

	st = store_stmt(s, STMT_TAG_DELETE);
	sqlite3_bind_int64(st, 1, id);
	if (store_exec(s, st) != 0)
		return (-1);
	if (tags == NULL)
		return (0);
	copy = xstrdup(tags);
	for (p = copy; (tag = strsep(&p, ",")) != NULL;) {
		while (*tag == ' ' || *tag == '\t')
			tag++;
		e = tag + strlen(tag);
		while (e > tag && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (*tag == '\0')
			continue;
		st = store_stmt(s, STMT_TAG_INSERT);
		sqlite3_bind_int64(st, 1, id);
		store_bind_text(st, 2, tag);
		if (store_exec(s, st) != 0) {
			rv = -1;
			break;
		}
	}
	free(copy);
	return (rv);
}

/*
 * Subscribe.  The caller has checked the URL is not known.  Tags are a
 * comma-separated list.  Returns the new id, or -1 with *cause.
 */
int64_t
store_feed_add(struct store *s, const char *url, const char *title,
    int64_t interval, const char *tags, int announce_existing,
    const char *name, const char *hook, char **cause)
{
	sqlite3_stmt	*st;
	char		*norm;
	int64_t		 id, now = time(NULL);
	int		 own_tx = !s->in_tx;

	if (own_tx && store_begin(s) != 0)
		goto fail;
	norm = uri_normalize(url);
	st = store_stmt(s, STMT_FEED_INSERT);
	store_bind_text(st, 1, url);
	store_bind_text(st, 2, norm != NULL ? norm : url);
	store_bind_text(st, 3, title);
	store_bind_int(st, 4, interval, -1);
	sqlite3_bind_int(st, 5, announce_existing);
	store_bind_text(st, 6, name);
	store_bind_text(st, 7, hook);
	sqlite3_bind_int64(st, 8, now);
	sqlite3_bind_int64(st, 9, now);
	free(norm);
	if (store_exec(s, st) != 0)
		goto fail_tx;
	id = sqlite3_last_insert_rowid(s->db);
	if (store_set_tags(s, id, tags) != 0)
		goto fail_tx;
	if (own_tx && store_commit(s) != 0)
		goto fail;
	return (id);
fail_tx:
	if (own_tx)
		store_rollback(s);
fail:
	xasprintf(cause, "database: %s", sqlite3_errmsg(s->db));
	return (-1);
}

int
store_feed_remove(struct store *s, int64_t id)
{
	sqlite3_stmt	*st = store_stmt(s, STMT_FEED_DELETE);

	sqlite3_bind_int64(st, 1, id);
	if (store_exec(s, st) != 0)
		return (-1);
	store_failed_clear(s, id);
	return (0);
}

int64_t
store_feed_items(struct store *s, int64_t id, int64_t *unread)
{
	sqlite3_stmt	*st = store_stmt(s, STMT_FEED_COUNTS);
	int64_t		 n = 0;

	*unread = 0;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		n = sqlite3_column_int64(st, 0);
		*unread = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return (n);
}

json_t *
store_feed_json(struct store *s, const struct store_feed *f,
    int64_t default_interval)
{
	sqlite3_stmt	*st;
	json_t		*tags;
	int64_t		 n, unread;

	tags = json_array();
	st = store_stmt(s, STMT_TAGS);
	sqlite3_bind_int64(st, 1, f->id);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(tags, json_string(
		    (const char *)sqlite3_column_text(st, 0)));
	sqlite3_reset(st);
	n = store_feed_items(s, f->id, &unread);
	return (store_feed_object(f, tags, n, unread, store_failed(s, f->id),
	    default_interval));
}

/* The feed object of feeds, add and set, from its parts (steals tags);
 * failed is store_failed's error, NULL when none. */
json_t *
store_feed_object(const struct store_feed *f, json_t *tags, int64_t n,
    int64_t unread, const char *failed, int64_t default_interval)
{
	json_t		*o;
	int64_t		 interval;

	if (f->interval > 0)
		interval = f->interval;
	else if (f->adaptive > 0)
		interval = f->adaptive;
	else
		interval = default_interval;

	o = json_object();
	json_object_set_new(o, "id", json_integer(f->id));
	json_object_set_new(o, "url", json_string(f->url));
	json_object_set_new(o, "title", json_str_or_null(f->title));
	json_object_set_new(o, "link", json_str_or_null(f->link));
	json_object_set_new(o, "interval", json_integer(interval));
	json_object_set_new(o, "tags", tags);
	json_object_set_new(o, "last_fetch", f->last_fetch < 0 ? json_null() :
	    json_time_or_null(f->last_fetch));
	json_object_set_new(o, "last_status", f->last_status < 0 ?
	    json_null() : json_integer(f->last_status));
	/* An error the database could not take is the newer news. */
	json_object_set_new(o, "last_error", json_str_or_null(
	    failed != NULL ? failed : f->last_error));
	json_object_set_new(o, "next_fetch", f->next_fetch < 0 ||
	    f->disabled != NULL ? json_null() :
	    json_time_or_null(f->next_fetch));
	json_object_set_new(o, "next_fetch_reason", f->disabled != NULL ?
	    json_null() : json_str_or_null(f->next_reason));
	json_object_set_new(o, "items", json_integer(n));
	json_object_set_new(o, "unread", json_integer(unread));
	json_object_set_new(o, "disabled", f->disabled != NULL ?
	    json_string(f->disabled) : json_false());
	json_object_set_new(o, "config", json_str_or_null(f->name));
	json_object_set_new(o, "hook", json_str_or_null(f->hook));
	json_object_set_new(o, "retain", f->retain < 0 ? json_null() :
	    json_integer(f->retain));
	json_object_set_new(o, "retain_items", f->retain_items < 0 ?
	    json_null() : json_integer(f->retain_items));
	return (o);
}

int
store_feed_each(struct store *s, void (*cb)(struct store_feed *, void *),
    void *arg)
{
	sqlite3_stmt		*st = store_stmt(s, STMT_FEED_IDS);
	int64_t			*ids = NULL;
	size_t			 n = 0, i;
	struct store_feed	*f;

	/* Collect first: the callback may use other statements. */
	while (sqlite3_step(st) == SQLITE_ROW) {
		ids = xreallocarray(ids, n + 1, sizeof *ids);
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	for (i = 0; i < n; i++) {
		if ((f = store_feed_get(s, ids[i])) == NULL)
			continue;
		cb(f, arg);
		store_feed_free(f);
	}
	free(ids);
	return (0);
}

int
store_feed_set_next(struct store *s, int64_t id, int64_t when,
    const char *reason)
{
	sqlite3_stmt	*st = store_stmt(s, STMT_FEED_SET_NEXT);

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, when);
	store_bind_text(st, 3, reason);
	return (store_exec(s, st));
}

int64_t
store_next_due(struct store *s, int64_t *feed_id)
{
	sqlite3_stmt	*st = store_stmt(s, STMT_NEXT_DUE);
	int64_t		 when = -1;

	if (sqlite3_step(st) == SQLITE_ROW) {
		if (feed_id != NULL)
			*feed_id = sqlite3_column_int64(st, 0);
		when = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return (when);
}

int
store_counts(struct store *s, struct store_counts *n)
{
	sqlite3_stmt	*st = store_stmt(s, STMT_COUNTS);
	int		 rv = -1;

	memset(n, 0, sizeof *n);
	if (sqlite3_step(st) == SQLITE_ROW) {
		n->feeds = sqlite3_column_int64(st, 0);
		n->items = sqlite3_column_int64(st, 1);
		n->unread = sqlite3_column_int64(st, 2);
		n->hooks_pending = sqlite3_column_int64(st, 3);
		n->hooks_failed = sqlite3_column_int64(st, 4);
		n->failing = sqlite3_column_int64(st, 5);
		n->paused = sqlite3_column_int64(st, 6);
		rv = 0;
	} else
		store_log_error(s, "reading the counters");
	sqlite3_reset(st);
	if (rv == 0) {
		st = store_stmt(s, STMT_PAGES);
		if (sqlite3_step(st) == SQLITE_ROW)
			n->database_bytes = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	return (rv);
}

const char *
store_path(struct store *s)
{
	return (s->path);
}

/*
 * Bring the [feed "name"] sections into the database: a new name is
 * subscribed (or adopts an aggctl-added feed with the same URL), a known
 * one takes the file's settings, and a name gone from the file leaves its
 * feed in place as an ordinary subscription rather than deleting items
 * the user may want.
 */
int
store_config_sync(struct store *s, struct config *c)
{
	struct config_feed	*cf;
	sqlite3_stmt		*st;
	int64_t			 id, *gone = NULL;
	size_t			 ngone = 0, i;
	char			*cause = NULL;
	const char		*name;
	int			 found;

	if (store_begin(s) != 0)
		return (-1);
	st = store_stmt(s, STMT_FEED_CONFIG_NAMES);
	while (sqlite3_step(st) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(st, 1);
		found = 0;
		TAILQ_FOREACH(cf, &c->feeds, entry)
			found |= strcmp(cf->name, name) == 0;
		if (!found) {
			gone = xreallocarray(gone, ngone + 1, sizeof *gone);
			gone[ngone++] = sqlite3_column_int64(st, 0);
		}
	}
	sqlite3_reset(st);
	for (i = 0; i < ngone; i++) {
		st = store_stmt(s, STMT_FEED_UNNAME);
		sqlite3_bind_int64(st, 1, gone[i]);
		if (store_exec(s, st) != 0)
			goto fail;
	}
	TAILQ_FOREACH(cf, &c->feeds, entry) {
		st = store_stmt(s, STMT_FEED_BY_NAME);
		store_bind_text(st, 1, cf->name);
		id = sqlite3_step(st) == SQLITE_ROW ?
		    sqlite3_column_int64(st, 0) : 0;
		sqlite3_reset(st);
		if (id == 0 && (id = store_feed_find(s, cf->url)) < 0)
			goto fail;
		if (id == 0) {
			id = store_feed_add(s, cf->url, cf->title, cf->interval,
			    cf->tags, 0, cf->name, cf->hook, &cause);
			if (id == -1)
				goto fail;
			log_info("feed %lld (%s): added from [feed \"%s\"]",
			    (long long)id, cf->url, cf->name);
		}
		st = store_stmt(s, STMT_FEED_CONFIG_UPDATE);
		sqlite3_bind_int64(st, 1, id);
		store_bind_text(st, 2, cf->name);
		store_bind_text(st, 3, cf->title);
		store_bind_int(st, 4, cf->interval, -1);
		store_bind_text(st, 5, cf->hook);
		store_bind_int(st, 6, cf->retain, -1);
		store_bind_int(st, 7, cf->retain_items, -1);
		if (store_exec(s, st) != 0)
			goto fail;
		/* The file is the authority on its feeds: no tags key, no
		 * tags. */
		if (store_set_tags(s, id, cf->tags) != 0)
			goto fail;
	}
	free(gone);
	return (store_commit(s));
fail:
	if (cause != NULL) {
		log_warnx("%s", cause);
		free(cause);
	}
	free(gone);
	store_rollback(s);
	return (-1);
}

/* Record the outcome of a fetch: every fetch-state field of f. */
int
store_feed_fetched(struct store *s, const struct store_feed *f,
    const char *title, const char *link, int success)
{
	sqlite3_stmt	*st = store_stmt(s, STMT_FEED_FETCHED);

	sqlite3_bind_int64(st, 1, f->id);
	store_bind_int(st, 2, f->last_fetch, -1);
	store_bind_int(st, 3, f->last_status, -1);
	store_bind_text(st, 4, f->last_error);
	store_bind_text(st, 5, f->etag);
	store_bind_text(st, 6, f->last_modified);
	sqlite3_bind_int64(st, 7, f->errors);
	store_bind_int(st, 8, f->next_fetch, -1);
	store_bind_text(st, 9, f->next_reason);
	store_bind_int(st, 10, f->retry_until, -1);
	store_bind_text(st, 11, f->disabled);
	store_bind_int(st, 12, f->adaptive, -1);
	sqlite3_bind_int(st, 13, f->primed);
	store_bind_text(st, 14, title);
	store_bind_text(st, 15, link);
	store_bind_text(st, 16, f->key_mode);
	sqlite3_bind_int(st, 17, success);
	store_bind_int(st, 18, f->hint, -1);
	return (store_exec(s, st));
}

int
store_feed_update(struct store *s, const struct store_feed *f,
    int set_title, const char *title)
{
	sqlite3_stmt	*st = store_stmt(s, STMT_FEED_UPDATE);

	sqlite3_bind_int64(st, 1, f->id);
	sqlite3_bind_int(st, 2, set_title);
	store_bind_text(st, 3, title);
	store_bind_int(st, 4, f->interval, -1);
	store_bind_text(st, 5, f->hook);
	store_bind_int(st, 6, f->retain, -1);
	store_bind_int(st, 7, f->retain_items, -1);
	store_bind_int(st, 8, f->next_fetch, -1);
	store_bind_text(st, 9, f->next_reason);
	return (store_exec(s, st));
}

/* Tag a feed (add) or untag it: 1 when that changed it, 0 when it
 * already was so, -1 on error. */
int
store_feed_tag(struct store *s, int64_t id, const char *tag, int add)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, add ? STMT_TAG_INSERT : STMT_TAG_REMOVE);
	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, tag);
	if (store_exec(s, st) != 0)
		return (-1);
	return (sqlite3_changes(s->db) > 0);
}

int
store_feed_set_disabled(struct store *s, int64_t id, const char *disabled,
    int64_t when, const char *why)
{
	sqlite3_stmt	*st = store_stmt(s, STMT_FEED_SET_DISABLED);

	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, disabled);
	store_bind_int(st, 3, when, -1);
	store_bind_text(st, 4, why);
	return (store_exec(s, st));
}

/*
 * The fetch history: one row per attempt, in the savepoint that records
 * the attempt's outcome, so the two never disagree.  Pruning here, a feed
 * at a time, keeps the table at most STORE_LOG_KEEP rows a feed without a
 * sweep of its own.
 */
int
store_fetch_log(struct store *s, const struct store_feed *f, int64_t bytes,
    int64_t duration_ms, int64_t added, int64_t changed)
{
	sqlite3_stmt	*st = store_stmt(s, STMT_LOG_INSERT);

	sqlite3_bind_int64(st, 1, f->id);
	sqlite3_bind_int64(st, 2, f->last_fetch);
	store_bind_int(st, 3, f->last_status, -1);
	sqlite3_bind_int64(st, 4, bytes);
	sqlite3_bind_int64(st, 5, duration_ms);
	sqlite3_bind_int64(st, 6, added);
	sqlite3_bind_int64(st, 7, changed);
	store_bind_text(st, 8, f->last_error);
	store_bind_text(st, 9, f->next_reason);
	if (store_exec(s, st) != 0)
		return (-1);
	st = store_stmt(s, STMT_LOG_PRUNE);
	sqlite3_bind_int64(st, 1, f->id);
	sqlite3_bind_int(st, 2, STORE_LOG_KEEP);
	return (store_exec(s, st));
}

/*
 * A permanent redirect: the feed takes the new URL and keeps the old one
 * as an alias, so add and remove still know it.  Fails (and changes
 * nothing) when the new URL is another feed's.
 */
int
store_feed_move(struct store *s, int64_t id, const char *from, const char *to)
{
	sqlite3_stmt	*st;
	char		*nfrom, *nto;
	int64_t		 other;
	int		 rv = -1;

	if ((other = store_feed_find(s, to)) != 0 && other != id)
		return (-1);
	nfrom = uri_normalize(from);
	nto = uri_normalize(to);
	st = store_stmt(s, STMT_ALIAS_INSERT);
	store_bind_text(st, 1, from);
	store_bind_text(st, 2, nfrom != NULL ? nfrom : from);
	sqlite3_bind_int64(st, 3, id);
	if (store_exec(s, st) != 0)
		goto out;
	st = store_stmt(s, STMT_FEED_MOVE);
	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, to);
	store_bind_text(st, 3, nto != NULL ? nto : to);
	rv = store_exec(s, st);
out:
	free(nfrom);
	free(nto);
	return (rv);
}

/*
 * Feeds due at or before now, in due order: their ids and URLs (*urls), *n
 * of each.  Caller frees both arrays and each URL.
 */
int64_t *
store_due(struct store *s, int64_t now, char ***urls, size_t *n)
{
	sqlite3_stmt	*st = store_stmt(s, STMT_DUE);
	int64_t		*ids = NULL;
	size_t		 cap = 0;

	*n = 0;
	*urls = NULL;
	sqlite3_bind_int64(st, 1, now);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			ids = xreallocarray(ids, cap, sizeof *ids);
			*urls = xreallocarray(*urls, cap, sizeof **urls);
		}
		ids[*n] = sqlite3_column_int64(st, 0);
		(*urls)[(*n)++] = store_col_text(st, 1);
	}
	sqlite3_reset(st);
	return (ids);
}

/* The earliest next_fetch after now, or -1. */
int64_t
store_next_after(struct store *s, int64_t now)
{
	sqlite3_stmt	*st = store_stmt(s, STMT_NEXT_AFTER);
	int64_t		 when = -1;

	sqlite3_bind_int64(st, 1, now);
	if (sqlite3_step(st) == SQLITE_ROW)
		when = store_col_int(st, 0, -1);
	sqlite3_reset(st);
	return (when);
}

/* Read the current row of an item statement into r (see STMT_ITEM_GET). */
void
store_item_row(sqlite3_stmt *st, struct item_record *r, char **feed_url)
{
	char	*cats, *encs, *cause;

	memset(r, 0, sizeof *r);
	item_init(&r->item);
	r->id = sqlite3_column_int64(st, 0);
	r->feed_id = sqlite3_column_int64(st, 1);
	*feed_url = store_col_text(st, 2);
	r->feed_url = *feed_url;
	r->item.guid = store_col_text(st, 3);
	r->item.title = store_col_text(st, 4);
	r->item.link = store_col_text(st, 5);
	r->item.author = store_col_text(st, 6);
	if (sqlite3_column_type(st, 8) == SQLITE_BLOB) {
		/* The item is still listed, without its text, and the log
		 * says why. */
		if (store_body_unpack(sqlite3_db_handle(st),
		    sqlite3_column_blob(st, 8),
		    (size_t)sqlite3_column_bytes(st, 8), &r->item.summary,
		    &r->item.content, &cause) != 0) {
			log_warnx("item %lld: cannot read its text: %s",
			    (long long)r->id, cause);
			free(cause);
		}
	} else {
		r->item.summary = store_col_text(st, 7);
		r->item.content = store_col_text(st, 8);
	}
	r->item.published = store_col_int(st, 9, TIME_NONE);
	r->item.updated = store_col_int(st, 10, TIME_NONE);
	cats = store_col_text(st, 11);
	encs = store_col_text(st, 12);
	item_load_arrays(&r->item, cats, encs);
	free(cats);
	free(encs);
	r->first_seen = sqlite3_column_int64(st, 13);
	r->read = sqlite3_column_int(st, 14);
}

/*
 * Errors the database could not take.  When a fetch's outcome cannot be
 * written (a full disk, a read-only file), the feed's last_error in the
 * database still says what the poll before it said, or nothing; so the
 * error is kept here, shown by store_feed_json, and forgotten once a later
 * fetch of that feed is committed or the feed is removed.  It lives as
 * long as the daemon: after a restart the feed is polled again anyway.
 */
void
store_fail(struct store *s, int64_t id, const char *error)
{
	struct store_failed	*e;
	unsigned int		 slot = (uint64_t)id % STORE_FAILED_HASH;

	for (e = s->failed[slot]; e != NULL; e = e->next) {
		if (e->id == id) {
			free(e->error);
			e->error = xstrdup(error);
			return;
		}
	}
	e = xcalloc(1, sizeof *e);
	e->id = id;
	e->error = xstrdup(error);
	e->next = s->failed[slot];
	s->failed[slot] = e;
}

/* The error store_fail kept for a feed, or NULL; borrowed. */
const char *
store_failed(struct store *s, int64_t id)
{
	struct store_failed	*e;

	for (e = s->failed[(uint64_t)id % STORE_FAILED_HASH]; e != NULL;
	    e = e->next)
		if (e->id == id)
			return (e->error);
	return (NULL);
}

/* Every error store_fail keeps, {"id": error}: a copy for a reader on
 * another thread. */
json_t *
store_failed_json(struct store *s)
{
	struct store_failed	*e;
	json_t			*o;
	char			 id[24];
	int			 i;

	o = json_object();
	for (i = 0; i < STORE_FAILED_HASH; i++) {
		for (e = s->failed[i]; e != NULL; e = e->next) {
			snprintf(id, sizeof id, "%lld", (long long)e->id);
			json_object_set_new(o, id, json_string(e->error));
		}
	}
	return (o);
}

void
store_failed_clear(struct store *s, int64_t id)
{
	struct store_failed	**ep, *e;

	for (ep = &s->failed[(uint64_t)id % STORE_FAILED_HASH]; *ep != NULL;
	    ep = &(*ep)->next) {
		if ((*ep)->id == id) {
			e = *ep;
			*ep = e->next;
			free(e->error);
			free(e);
			return;
		}
	}
}

static void
store_failed_clear_all(struct store *s)
{
	struct store_failed	*e, *next;
	int			 i;

	for (i = 0; i < STORE_FAILED_HASH; i++) {
		for (e = s->failed[i]; e != NULL; e = next) {
			next = e->next;
			free(e->error);
			free(e);
		}
		s->failed[i] = NULL;
	}
}

/*
 * For status: how many statements failed since the daemon started, and
 * the last one's error while no transaction has committed since (else
 * NULL; borrowed).
 */
int64_t
store_errors(struct store *s, const char **last)
{
	*last = s->error;
	return (s->nerrors);
}

/*
 * A link for a feed that has none yet (an OPML htmlUrl): the feed's own,
 * once fetched, replaces it.
 */
int
store_feed_link_default(struct store *s, int64_t id, const char *link)
{
	sqlite3_stmt	*st = store_stmt(s, STMT_FEED_LINK_DEFAULT);

	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, link);
	return (store_exec(s, st));
}

/*
 * Whether freed pages can be given back.  A database made before
 * incremental vacuum keeps freed pages for its new items instead: turning
 * it on needs one VACUUM, a rewrite of the whole file that would stop
 * the daemon for minutes on a big one, so it is left to the user (the
 * README says how) and said once here.
 */
static void
store_vacuum_mode(struct store *s)
{
	sqlite3_stmt	*st;

	s->vacuum = 0;
	if (sqlite3_prepare_v2(s->db, "PRAGMA auto_vacuum", -1, &st,
	    NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW)
		s->vacuum = sqlite3_column_int(st, 0) == 2;
	sqlite3_finalize(st);
	if (!s->vacuum)
		log_info("database %s: made without incremental vacuum: space "
		    "freed by retention is reused for new items, not given "
		    "back (see the README, \"Retention\")", s->path);
}

/*
 * Give up to pages free pages back to the file system, in a transaction
 * of its own.  Returns the free pages left (0 when there is nothing to
 * do or the database cannot), -1 on error.
 */
int64_t
store_vacuum_step(struct store *s, int pages)
{
	sqlite3_stmt	*st;
	char		 sql[64];
	int64_t		 left = 0;

	if (!s->vacuum)
		return (0);
	if (s->group)
		store_flush(s);
	if (s->in_tx)
		return (0);
	/* PRAGMA takes no parameters; the value is our own integer. */
	snprintf(sql, sizeof sql, "PRAGMA incremental_vacuum(%d)", pages);
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		store_log_error(s, "incremental vacuum");
		return (-1);
	}
	if (sqlite3_prepare_v2(s->db, "PRAGMA freelist_count", -1, &st,
	    NULL) != SQLITE_OK)
		return (-1);
	if (sqlite3_step(st) == SQLITE_ROW)
		left = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return (left);
}
