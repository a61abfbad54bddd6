/*
 * Write a database of N items over F feeds straight through SQLite, for
 * bench/queries.sh and the tests of heavy queries: the daemon's own
 * store_open() makes the schema, then one prepared INSERT a row, 50,000
 * rows a transaction, each row handed to the search index and the
 * counts made at the end (items have no trigger on insert).  Text is mixed English, Russian and
 * Georgian in a little HTML; words come with known frequencies, so the
 * benchmark can search a common word ("government", about 1 item in 5), a
 * rare one ("zeppelin", 1 in 10,000), one absent ("xylophonist"), a
 * phrase ("prime minister") and a Cyrillic word ("парламент", 1 in 20).
 * The feeds point at a closed port and are not due for a year; one in
 * ten has the tag "news".
 *
 * usage: gen-db DATABASE ITEMS [FEEDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "aggd.h"
#include "buf.h"
#include "log.h"
#include "store.h"

struct aggd	*aggd;

static const char *gen_words[] = {
	"the", "of", "and", "to", "in", "news", "said", "city", "report",
	"new", "year", "people", "state", "world", "market", "water",
	"school", "energy", "court", "election", "river", "bridge",
	"festival", "museum", "road", "budget", "health", "railway",
	"новости", "город", "году", "люди", "мир", "рынок", "вода",
	"школа", "суд", "выборы", "река", "мост", "фестиваль", "бюджет",
	"ახალი", "ამბები", "ქალაქი", "წელი", "ხალხი", "სამყარო", "ბაზარი",
	"წყალი", "სკოლა", "სასამართლო", "არჩევნები", "მდინარე",
};

static uint64_t	gen_state = 88172645463325252ULL;

static uint32_t
gen_rand(void)
{
	gen_state ^= gen_state << 13;
	gen_state ^= gen_state >> 7;
	gen_state ^= gen_state << 17;
	return ((uint32_t)(gen_state >> 11));
}

static void
gen_text(struct buf *b, int words)
{
	int	i;

	for (i = 0; i < words; i++) {
		if (i > 0)
			buf_addc(b, ' ');
		if (i % 24 == 0)
			buf_adds(b, i == 0 ? "<p>" : "</p><p>");
		buf_adds(b, gen_words[gen_rand() % nitems(gen_words)]);
	}
	buf_adds(b, "</p>");
}

int
main(int argc, char **argv)
{
	struct store	*s;
	sqlite3		*db;
	sqlite3_stmt	*feed, *item;
	struct buf	 title, summary, content;
	char		*cause = NULL, url[128], key[64];
	long long	 n, nfeeds, i, f;
	int64_t		 now = time(NULL), published;
	time_t		 t0 = time(NULL);

	if (argc < 3) {
		fprintf(stderr, "usage: gen-db DATABASE ITEMS [FEEDS]\n");
		return (2);
	}
	n = atoll(argv[2]);
	nfeeds = argc > 3 ? atoll(argv[3]) : 10000;
	if (n < 0 || nfeeds < 1) {
		fprintf(stderr, "gen-db: bad counts\n");
		return (2);
	}
	log_init("gen-db", 0, 0);
	if ((s = store_open(argv[1], &cause)) == NULL) {
		fprintf(stderr, "gen-db: %s\n", cause);
		return (1);
	}
	db = store_db(s);
	sqlite3_exec(db, "PRAGMA synchronous = OFF", NULL, NULL, NULL);
	if (sqlite3_prepare_v2(db, "INSERT INTO feeds (url, norm_url,"
	    " interval, next_fetch, next_reason, added, primed, title)"
	    " VALUES (?1, ?1, 31536000, ?2, 'interval', ?3, 1, ?4)", -1,
	    &feed, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO items (feed_id, key, article,"
	    " nlink, hash, guid, title, link, summary, content, published,"
	    " first_seen, sort_time, read) VALUES (?1, ?2, ?3, ?3, ?2, ?3,"
	    " ?4, ?3, ?5, ?6, ?7, ?8, ?7, ?9)", -1, &item, NULL) != SQLITE_OK) {
		fprintf(stderr, "gen-db: %s\n", sqlite3_errmsg(db));
		return (1);
	}
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (f = 1; f <= nfeeds; f++) {
		snprintf(url, sizeof url, "http://127.0.0.1:9/feed/%lld.xml",
		    f);
		sqlite3_bind_text(feed, 1, url, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(feed, 2, now + 365 * 86400);
		sqlite3_bind_int64(feed, 3, now);
		snprintf(key, sizeof key, "Feed %lld", f);
		sqlite3_bind_text(feed, 4, key, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(feed) != SQLITE_DONE) {
			fprintf(stderr, "gen-db: %s\n", sqlite3_errmsg(db));
			return (1);
		}
		sqlite3_reset(feed);
		/* One feed in ten is tagged "news". */
		if (f % 10 == 0)
			sqlite3_exec(db, "INSERT INTO feed_tags (feed_id, tag)"
			    " VALUES (last_insert_rowid(), 'news')", NULL, NULL,
			    NULL);
	}
	buf_init(&title);
	buf_init(&summary);
	buf_init(&content);
	for (i = 0; i < n; i++) {
		f = 1 + i % nfeeds;
		/* A year of items, newest last, a few seconds apart. */
		published = now - 365 * 86400 + (i * 365 * 86400) / (n + 1);
		buf_clear(&title);
		buf_clear(&summary);
		buf_clear(&content);
		gen_text(&title, 6);
		if (i % 5 == 0)
			buf_adds(&title, " government");
		if (i % 20 == 3)
			buf_adds(&title, " парламент");
		if (i % 10000 == 7)
			buf_adds(&title, " zeppelin");
		gen_text(&summary, 30);
		gen_text(&content, 120);
		if (i % 50 == 1)
			buf_adds(&content, "<p>the prime minister said</p>");
		if (i % 7 == 0)
			buf_adds(&content, "<p><a href=\"https://example.org/"
			    "x\">link</a> &amp; more</p>");
		snprintf(key, sizeof key, "g:%lld", i);
		snprintf(url, sizeof url, "https://example.org/%lld/%lld", f,
		    i);
		sqlite3_bind_int64(item, 1, f);
		sqlite3_bind_text(item, 2, key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(item, 3, url, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(item, 4, title.data, (int)title.len,
		    SQLITE_STATIC);
		sqlite3_bind_text(item, 5, summary.data, (int)summary.len,
		    SQLITE_STATIC);
		sqlite3_bind_text(item, 6, content.data, (int)content.len,
		    SQLITE_STATIC);
		sqlite3_bind_int64(item, 7, published);
		sqlite3_bind_int64(item, 8, published);
		sqlite3_bind_int(item, 9, i % 3 != 0);	/* a third unread */
		if (sqlite3_step(item) != SQLITE_DONE) {
			fprintf(stderr, "gen-db: %s\n", sqlite3_errmsg(db));
			return (1);
		}
		sqlite3_reset(item);
		/* No trigger on insert (migration 10): the index is told. */
		if (store_search_added(s, sqlite3_last_insert_rowid(db)) != 0) {
			fprintf(stderr, "gen-db: %s\n", sqlite3_errmsg(db));
			return (1);
		}
		if (i % 50000 == 49999) {
			store_search_sync(s);
			sqlite3_exec(db, "COMMIT; BEGIN", NULL, NULL, NULL);
			fprintf(stderr, "gen-db: %lld items, %lld s\n", i + 1,
			    (long long)(time(NULL) - t0));
		}
	}
	/* The counts, once, from the rows (store_items_counted would make
	 * them an item at a time). */
	if (store_search_sync(s) != 0 ||
	    sqlite3_exec(db, "UPDATE counters SET items = (SELECT count(*)"
	    " FROM items), unread = (SELECT count(*) FROM items"
	    " WHERE read = 0);"
	    "UPDATE feeds SET n_items = (SELECT count(*) FROM items"
	    " WHERE feed_id = feeds.id), n_unread = (SELECT count(*)"
	    " FROM items WHERE feed_id = feeds.id AND read = 0);"
	    "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "gen-db: %s\n", sqlite3_errmsg(db));
		return (1);
	}
	sqlite3_exec(db, "INSERT INTO items_fts(items_fts) VALUES ('optimize');"
	    "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	buf_release(&title);
	buf_release(&summary);
	buf_release(&content);
	sqlite3_finalize(feed);
	sqlite3_finalize(item);
	store_close(s);
	fprintf(stderr, "gen-db: %lld items over %lld feeds in %lld s\n", n,
	    nfeeds, (long long)(time(NULL) - t0));
	return (0);
}
