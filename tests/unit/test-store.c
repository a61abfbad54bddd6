/*
 * Unit tests for daemon/store.c, through aggd.h and store.h: opening a
 * database creates the schema and sets user_version, reopening changes
 * nothing, the connection runs in WAL with foreign keys on, feeds are added
 * and found by id, URL, normalised URL, alias and config name, removing one
 * takes its tags, aliases and items with it, and [feed] sections are
 * synchronised.  Items of successive fetches keep their identity whatever
 * the feed does to its guids and links (store-items.c), and a database of
 * schema 1 is migrated with its items still found.  Each test gets a fresh
 * database in a scratch directory.
 */
#include <sys/stat.h>

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"
#include "aggd.h"
#include "log.h"
#include "store.h"
#include "xmalloc.h"

/* daemon/main.c owns this; the tests link the daemon without main.c. */
struct aggd	*aggd;

static char	 dir[] = "/tmp/test-store.XXXXXX";
static int	 seq;

struct fixture {
	char		 path[256];
	struct store	*s;
};

static int
group_setup(void **state UNUSED)
{
	if (mkdtemp(dir) == NULL)
		return (-1);
	return (0);
}

static int
group_teardown(void **state UNUSED)
{
	char	cmd[64];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return (system(cmd) == 0 ? 0 : -1);
}

static int
setup(void **state)
{
	struct fixture	*fx;
	char		*cause = NULL;

	fx = calloc(1, sizeof *fx);
	/* A directory that does not exist yet: store_open makes it. */
	snprintf(fx->path, sizeof fx->path, "%s/%d/sub/aggd.db", dir, ++seq);
	if ((fx->s = store_open(fx->path, &cause)) == NULL) {
		fprintf(stderr, "store_open: %s\n", cause);
		free(fx);
		return (-1);
	}
	*state = fx;
	return (0);
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;

	store_close(fx->s);
	free(fx);
	return (0);
}

/* Close the store and open it again, as a restart of aggd does. */
static void
reopen(struct fixture *fx)
{
	char	*cause = NULL;

	store_close(fx->s);
	fx->s = store_open(fx->path, &cause);
	if (fx->s == NULL)
		fail_msg("reopen: %s", cause);
}

/* One integer from a query on the store's connection. */
static int64_t
sql_int(struct store *s, const char *sql)
{
	sqlite3_stmt	*st;
	int64_t		 v;

	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(store_db(s)));
	if (sqlite3_step(st) != SQLITE_ROW)
		fail_msg("%s: no row: %s", sql, sqlite3_errmsg(store_db(s)));
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return (v);
}

/* One text from a query; the caller frees. */
static char *
sql_text(struct store *s, const char *sql)
{
	sqlite3_stmt	*st;
	char		*v;

	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(store_db(s)));
	if (sqlite3_step(st) != SQLITE_ROW)
		fail_msg("%s: no row", sql);
	v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return (v);
}

static void
sql_exec(struct store *s, const char *sql)
{
	char	*err = NULL;

	if (sqlite3_exec(store_db(s), sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
}

/* How many items the search index holds for an FTS5 query. */
static int64_t
indexed(struct store *s, const char *query)
{
	sqlite3_stmt	*st;
	int64_t		 n;

	if (sqlite3_prepare_v2(store_db(s), "SELECT count(*) FROM items_fts"
	    " WHERE items_fts MATCH ?1", -1, &st, NULL) != SQLITE_OK)
		fail_msg("indexed: %s", sqlite3_errmsg(store_db(s)));
	sqlite3_bind_text(st, 1, query, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		fail_msg("indexed %s: %s", query, sqlite3_errmsg(store_db(s)));
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return (n);
}

/* FTS5's own check of the search index against itself. */
static void
index_sound(struct store *s)
{
	sql_exec(s, "INSERT INTO items_fts(items_fts, rank)"
	    " VALUES ('integrity-check', 0)");
}

static int64_t
add(struct store *s, const char *url)
{
	int64_t	 id;
	char	*cause = NULL;

	id = store_feed_add(s, url, NULL, -1, NULL, 0, NULL, NULL, &cause);
	if (id <= 0)
		fail_msg("add %s: %s", url, cause);
	return (id);
}

static void
test_open(void **state)
{
	struct fixture	*fx = *state;
	struct stat	 sb;
	char		*mode, *cause = NULL;
	int64_t		 version, id;
	static const char *tables[] = {
		"feeds", "feed_tags", "feed_aliases", "items", "deliveries",
	};
	char		 sql[128];
	size_t		 i;

	mode = sql_text(fx->s, "PRAGMA journal_mode");
	assert_string_equal(mode, "wal");
	free(mode);
	assert_int_equal(sql_int(fx->s, "PRAGMA foreign_keys"), 1);
	assert_true(sql_int(fx->s, "PRAGMA busy_timeout") > 0);
	version = sql_int(fx->s, "PRAGMA user_version");
	assert_true(version >= 1);
	for (i = 0; i < nitems(tables); i++) {
		snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_master"
		    " WHERE type = 'table' AND name = '%s'", tables[i]);
		if (sql_int(fx->s, sql) != 1)
			fail_msg("no table %s", tables[i]);
	}
	assert_int_equal(stat(fx->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);

	/* Reopening keeps the data and the schema version, and migrates
	 * nothing again. */
	id = add(fx->s, "http://127.0.0.1:9/keep.xml");
	reopen(fx);
	assert_int_equal(sql_int(fx->s, "PRAGMA user_version"), version);
	assert_int_equal(store_feed_find(fx->s, "http://127.0.0.1:9/keep.xml"),
	    id);
	assert_int_equal(sql_int(fx->s, "SELECT count(*) FROM feeds"), 1);
	mode = sql_text(fx->s, "PRAGMA journal_mode");
	assert_string_equal(mode, "wal");
	free(mode);
	assert_int_equal(sql_int(fx->s, "PRAGMA foreign_keys"), 1);

	/* A database from a newer aggd is refused, not touched. */
	sql_exec(fx->s, "PRAGMA user_version = 9999");
	store_close(fx->s);
	cause = NULL;
	fx->s = store_open(fx->path, &cause);
	assert_null(fx->s);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "has schema 9999, newer than"));
	free(cause);
	cause = NULL;
	/* Put it back so teardown has a store to close. */
	{
		sqlite3	*db;

		assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
		snprintf(sql, sizeof sql, "PRAGMA user_version = %lld",
		    (long long)version);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL),
		    SQLITE_OK);
		sqlite3_close(db);
	}
	fx->s = store_open(fx->path, &cause);
	assert_non_null(fx->s);
}

static void
test_open_fails(void **state UNUSED)
{
	struct store	*s;
	char		 path[256], *cause = NULL;
	FILE		*fp;

	/* A file that is no database. */
	snprintf(path, sizeof path, "%s/junk.db", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("this is not an SQLite database, not at all, no\n", fp);
	fclose(fp);
	s = store_open(path, &cause);
	assert_null(s);
	assert_non_null(cause);
	assert_non_null(strstr(cause, path));
	free(cause);
}

static void
test_add_find(void **state)
{
	struct fixture		*fx = *state;
	struct store_feed	*f;
	int64_t			 a, b, c;
	char			*cause = NULL;
	static const struct {
		const char	*url;
		int		 which;	/* 0 none, 1 a, 2 b, 3 c */
	} t[] = {
		{ "https://example.org/feed", 1 },
		{ "https://EXAMPLE.org/feed", 1 },
		{ "HTTPS://Example.ORG/feed", 1 },
		{ "https://example.org:443/feed", 1 },
		{ "https://example.org/feed#top", 1 },
		{ "https://example.org/Feed", 0 },	/* paths keep case */
		{ "https://example.org/feed/", 0 },
		{ "http://example.org/feed", 0 },	/* scheme matters */
		{ "https://example.org:8443/feed", 0 },
		{ "http://example.net", 2 },		/* empty path is / */
		{ "http://example.net/", 2 },
		{ "http://example.net:80/", 2 },
		{ "http://EXAMPLE.NET:80", 2 },
		{ "http://example.net/?x=1", 0 },
		{ "http://127.0.0.1:9/a?b=1&c=2", 3 },
		{ "http://127.0.0.1:9/a?c=2&b=1", 0 },	/* query order kept */
		{ "http://127.0.0.1:9/A?b=1&c=2", 0 },
		{ "not a url", 0 },
		{ "", 0 },
	};
	int64_t		 want[4];
	size_t		 i;

	a = add(fx->s, "https://Example.ORG:443/feed");
	b = add(fx->s, "http://example.net/");
	c = add(fx->s, "http://127.0.0.1:9/a?b=1&c=2");
	assert_true(a > 0 && b > a && c > b);
	want[0] = 0;
	want[1] = a;
	want[2] = b;
	want[3] = c;
	for (i = 0; i < nitems(t); i++) {
		if (store_feed_find(fx->s, t[i].url) != want[t[i].which])
			fail_msg("find '%s': got %lld, want %lld", t[i].url,
			    (long long)store_feed_find(fx->s, t[i].url),
			    (long long)want[t[i].which]);
	}

	/* The URL is kept as given; lookups by id and by URL. */
	f = store_feed_get(fx->s, a);
	assert_non_null(f);
	assert_int_equal(f->id, a);
	assert_string_equal(f->url, "https://Example.ORG:443/feed");
	assert_null(f->name);
	assert_int_equal(f->interval, -1);
	assert_null(f->disabled);
	assert_int_equal(f->primed, 0);
	assert_string_equal(f->next_reason, "new");
	assert_true(f->next_fetch > 0 && f->next_fetch <= time(NULL));
	store_feed_free(f);
	store_feed_free(NULL);
	assert_null(store_feed_get(fx->s, 9999));

	assert_int_equal(store_feed_lookup(fx->s, "1"), a);
	{
		char	num[32];

		snprintf(num, sizeof num, "%lld", (long long)c);
		assert_int_equal(store_feed_lookup(fx->s, num), c);
	}
	assert_int_equal(store_feed_lookup(fx->s, "9999"), 0);
	assert_int_equal(store_feed_lookup(fx->s, "0"), 0);
	assert_int_equal(store_feed_lookup(fx->s, "-1"), 0);
	assert_int_equal(store_feed_lookup(fx->s, ""), 0);
	assert_int_equal(store_feed_lookup(fx->s,
	    "https://example.org/feed"), a);
	assert_int_equal(store_feed_lookup(fx->s, "http://example.net"), b);

	/* store_feed_add trusts its caller to check; a duplicate URL is a
	 * database error, not a second feed. */
	assert_int_equal(store_feed_add(fx->s, "http://example.net/", NULL,
	    -1, NULL, 0, NULL, NULL, &cause), -1);
	assert_non_null(cause);
	free(cause);
	assert_int_equal(sql_int(fx->s, "SELECT count(*) FROM feeds"), 3);
	assert_int_equal(store_in_tx(fx->s), 0);
}

static void
test_add_fields(void **state)
{
	struct fixture		*fx = *state;
	struct store_feed	*f;
	json_t			*o, *want;
	struct store_counts	 counts;
	int64_t			 id, fid;
	char			*cause = NULL;
	const char		*key;
	json_t			*v;

	id = store_feed_add(fx->s, "http://127.0.0.1:9/t.xml", "My title",
	    7200, "news, local,,  ,news", 1, NULL, NULL, &cause);
	assert_true(id > 0);
	f = store_feed_get(fx->s, id);
	assert_non_null(f);
	assert_string_equal(f->title, "My title");
	assert_int_equal(f->interval, 7200);
	assert_int_equal(f->announce_existing, 1);

	o = store_feed_json(fx->s, f, 1800);
	want = json_pack("{s:I, s:s, s:s, s:n, s:i, s:[ss], s:n, s:n, s:n,"
	    " s:s, s:i, s:i, s:b, s:n, s:n, s:n, s:n}", "id", (json_int_t)id,
	    "url", "http://127.0.0.1:9/t.xml", "title", "My title",
	    "link", "interval", 7200, "tags", "local", "news",
	    "last_fetch", "last_status", "last_error",
	    "next_fetch_reason", "new", "items", 0, "unread", 0,
	    "disabled", 0, "config", "hook", "retain", "retain_items");
	assert_non_null(want);
	/* next_fetch is a time; compare the rest exactly. */
	assert_true(json_is_string(json_object_get(o, "next_fetch")));
	json_object_del(o, "next_fetch");
	json_object_foreach(want, key, v) {
		if (!json_equal(v, json_object_get(o, key)))
			fail_msg("key %s: got %s", key, json_dumps(
			    json_object_get(o, key), JSON_ENCODE_ANY));
	}
	assert_int_equal(json_object_size(o), json_object_size(want));
	json_decref(o);
	json_decref(want);
	store_feed_free(f);

	/* No interval of its own: the default passed in shows. */
	id = add(fx->s, "http://127.0.0.1:9/u.xml");
	f = store_feed_get(fx->s, id);
	o = store_feed_json(fx->s, f, 1234);
	assert_int_equal(json_integer_value(json_object_get(o, "interval")),
	    1234);
	assert_int_equal(json_array_size(json_object_get(o, "tags")), 0);
	assert_true(json_is_null(json_object_get(o, "title")));
	json_decref(o);
	store_feed_free(f);

	assert_int_equal(store_counts(fx->s, &counts), 0);
	assert_int_equal(counts.feeds, 2);
	assert_int_equal(counts.items, 0);
	assert_int_equal(counts.unread, 0);
	assert_int_equal(counts.hooks_pending, 0);
	assert_int_equal(counts.hooks_failed, 0);
	assert_int_equal(counts.failing, 0);
	assert_int_equal(counts.paused, 0);
	assert_true(counts.database_bytes > 0);

	/* Scheduling fields. */
	assert_int_equal(store_feed_set_next(fx->s, 1, 5000, "interval"), 0);
	assert_int_equal(store_feed_set_next(fx->s, id, 4000, "backoff"), 0);
	assert_int_equal(store_next_due(fx->s, &fid), 4000);
	assert_int_equal(fid, id);
	f = store_feed_get(fx->s, id);
	assert_string_equal(f->next_reason, "backoff");
	store_feed_free(f);
}

static void
each_cb(struct store_feed *f, void *arg)
{
	int64_t	*ids = arg;

	ids[ids[0] + 1] = f->id;
	ids[0]++;
}

static void
test_remove_cascades(void **state)
{
	struct fixture	*fx = *state;
	int64_t		 a, b, ids[8] = { 0 };
	char		 sql[512], *cause = NULL;

	a = store_feed_add(fx->s, "http://127.0.0.1:9/a.xml", NULL, -1,
	    "x,y", 0, NULL, NULL, &cause);
	b = store_feed_add(fx->s, "http://127.0.0.1:9/b.xml", NULL, -1,
	    "x", 0, NULL, NULL, &cause);
	assert_true(a > 0 && b > a);
	/* An old URL of a's (a permanent redirect), two items, one owed to
	 * a hook; b gets an item too. */
	snprintf(sql, sizeof sql,
	    "INSERT INTO feed_aliases (url, norm_url, feed_id) VALUES"
	    " ('http://127.0.0.1:9/old.xml', 'http://127.0.0.1:9/old.xml',"
	    " %lld);"
	    "INSERT INTO items (feed_id, key, hash, first_seen, sort_time)"
	    " VALUES (%lld, 'k1', 'h', 1, 1), (%lld, 'k2', 'h', 2, 2),"
	    " (%lld, 'k1', 'h', 3, 3);", (long long)a, (long long)a,
	    (long long)a, (long long)b);
	sql_exec(fx->s, sql);
	/* Items have no trigger on insert: told as store_items_apply
	 * tells them. */
	assert_int_equal(store_items_counted(fx->s, a, 2, 2), 0);
	assert_int_equal(store_items_counted(fx->s, b, 1, 1), 0);
	assert_int_equal(store_search_added(fx->s, sql_int(fx->s,
	    "SELECT min(id) FROM items")), 0);
	snprintf(sql, sizeof sql, "INSERT INTO deliveries (item_id, feed_id)"
	    " SELECT id, feed_id FROM items WHERE feed_id = %lld",
	    (long long)a);
	sql_exec(fx->s, sql);

	/* The alias finds the feed, as add's "moved" rule needs. */
	assert_int_equal(store_feed_find(fx->s, "http://127.0.0.1:9/old.xml"),
	    a);
	assert_int_equal(store_feed_lookup(fx->s,
	    "HTTP://127.0.0.1:9/old.xml"), a);
	store_feed_each(fx->s, each_cb, ids);
	assert_int_equal(ids[0], 2);
	assert_int_equal(ids[1], a);
	assert_int_equal(ids[2], b);
	{
		int64_t	unread;

		assert_int_equal(store_feed_items(fx->s, a, &unread), 2);
		assert_int_equal(unread, 2);
	}

	assert_int_equal(store_feed_remove(fx->s, a), 0);
	assert_null(store_feed_get(fx->s, a));
	assert_int_equal(store_feed_find(fx->s, "http://127.0.0.1:9/a.xml"),
	    0);
	assert_int_equal(store_feed_find(fx->s, "http://127.0.0.1:9/old.xml"),
	    0);
	snprintf(sql, sizeof sql, "SELECT (SELECT count(*) FROM items WHERE"
	    " feed_id = %lld) + (SELECT count(*) FROM feed_tags WHERE"
	    " feed_id = %lld) + (SELECT count(*) FROM feed_aliases WHERE"
	    " feed_id = %lld) + (SELECT count(*) FROM deliveries)",
	    (long long)a, (long long)a, (long long)a);
	assert_int_equal(sql_int(fx->s, sql), 0);
	/* b and its own rows stay. */
	assert_int_equal(sql_int(fx->s, "SELECT count(*) FROM items"), 1);
	assert_int_equal(sql_int(fx->s, "SELECT count(*) FROM feed_tags"), 1);
	/* Ids are not reused. */
	assert_true(add(fx->s, "http://127.0.0.1:9/c.xml") > b);
	/* Removing what is not there is not an error. */
	assert_int_equal(store_feed_remove(fx->s, 9999), 0);
}

/* The config's feeds, from text, through config_load. */
static struct config *
conf(const char *text)
{
	char		 path[256], *cause = NULL;
	FILE		*fp;
	struct config	*c;

	snprintf(path, sizeof path, "%s/sync.conf", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	if ((c = config_load(path, 1, &cause)) == NULL)
		fail_msg("config: %s", cause);
	return (c);
}

static char *
tags_of(struct store *s, int64_t id)
{
	struct store_feed	*f;
	json_t			*o;
	char			*t;

	f = store_feed_get(s, id);
	assert_non_null(f);
	o = store_feed_json(s, f, 60);
	t = json_dumps(json_object_get(o, "tags"), JSON_COMPACT);
	json_decref(o);
	store_feed_free(f);
	return (t);
}

static void
test_config_sync(void **state)
{
	struct fixture		*fx = *state;
	struct config		*c;
	struct store_feed	*f;
	int64_t			 a, b, user, n;
	char			*t;

	user = add(fx->s, "http://127.0.0.1:9/user.xml");
	c = conf("[feed \"a\"]\nurl = http://127.0.0.1:9/a.xml\n"
	    "interval = 15m\ntitle = A\ntags = x, y\nhook = /bin/true\n"
	    "[feed \"b\"]\nurl = http://127.0.0.1:9/b.xml\n"
	    "[feed \"adopt\"]\nurl = HTTP://127.0.0.1:9/user.xml\n");
	assert_int_equal(store_config_sync(fx->s, c), 0);
	config_free(c);
	assert_int_equal(store_in_tx(fx->s), 0);
	a = store_feed_find(fx->s, "http://127.0.0.1:9/a.xml");
	b = store_feed_find(fx->s, "http://127.0.0.1:9/b.xml");
	assert_true(a > 0 && b > 0);
	assert_int_equal(store_feed_lookup(fx->s, "a"), a);
	assert_int_equal(store_feed_lookup(fx->s, "b"), b);
	/* A section with the URL of an aggctl-added feed adopts it. */
	assert_int_equal(store_feed_lookup(fx->s, "adopt"), user);
	assert_int_equal(sql_int(fx->s, "SELECT count(*) FROM feeds"), 3);
	f = store_feed_get(fx->s, a);
	assert_string_equal(f->name, "a");
	assert_string_equal(f->title, "A");
	assert_int_equal(f->interval, 900);
	assert_string_equal(f->hook, "/bin/true");
	store_feed_free(f);
	t = tags_of(fx->s, a);
	assert_string_equal(t, "[\"x\",\"y\"]");
	free(t);

	/* Syncing the same file again changes nothing. */
	c = conf("[feed \"a\"]\nurl = http://127.0.0.1:9/a.xml\n"
	    "interval = 15m\ntitle = A\ntags = x, y\nhook = /bin/true\n"
	    "[feed \"b\"]\nurl = http://127.0.0.1:9/b.xml\n"
	    "[feed \"adopt\"]\nurl = HTTP://127.0.0.1:9/user.xml\n");
	assert_int_equal(store_config_sync(fx->s, c), 0);
	config_free(c);
	assert_int_equal(sql_int(fx->s, "SELECT count(*) FROM feeds"), 3);
	assert_int_equal(store_feed_lookup(fx->s, "a"), a);

	/* Settings change; b's section goes; a new one comes. */
	c = conf("[feed \"a\"]\nurl = http://127.0.0.1:9/a.xml\n"
	    "interval = 2h\ntags = z\n"
	    "[feed \"adopt\"]\nurl = http://127.0.0.1:9/user.xml\n"
	    "[feed \"new\"]\nurl = http://127.0.0.1:9/new.xml\n");
	assert_int_equal(store_config_sync(fx->s, c), 0);
	config_free(c);
	f = store_feed_get(fx->s, a);
	assert_int_equal(f->interval, 7200);
	assert_null(f->title);
	assert_null(f->hook);
	store_feed_free(f);
	t = tags_of(fx->s, a);
	assert_string_equal(t, "[\"z\"]");
	free(t);
	/* b is kept as an ordinary subscription, without its name. */
	f = store_feed_get(fx->s, b);
	assert_non_null(f);
	assert_null(f->name);
	assert_null(f->hook);
	store_feed_free(f);
	assert_int_equal(store_feed_lookup(fx->s, "b"), 0);
	assert_true(store_feed_lookup(fx->s, "new") > 0);
	n = sql_int(fx->s, "SELECT count(*) FROM feeds");
	assert_int_equal(n, 4);

	/* A section that drops its interval and tags: back to defaults. */
	c = conf("[feed \"a\"]\nurl = http://127.0.0.1:9/a.xml\n");
	assert_int_equal(store_config_sync(fx->s, c), 0);
	config_free(c);
	f = store_feed_get(fx->s, a);
	assert_int_equal(f->interval, -1);
	store_feed_free(f);
	t = tags_of(fx->s, a);
	/* The file is the authority: tags gone from it go. */
	assert_string_equal(t, "[]");
	free(t);

	/* An empty configuration unnames every feed and deletes none. */
	c = conf("");
	assert_int_equal(store_config_sync(fx->s, c), 0);
	config_free(c);
	assert_int_equal(sql_int(fx->s, "SELECT count(*) FROM feeds"), n);
	assert_int_equal(sql_int(fx->s,
	    "SELECT count(*) FROM feeds WHERE name IS NOT NULL"), 0);
}

static void
test_transactions(void **state)
{
	struct fixture	*fx = *state;

	assert_int_equal(store_begin(fx->s), 0);
	assert_int_equal(store_in_tx(fx->s), 1);
	add(fx->s, "http://127.0.0.1:9/rolled-back.xml");
	store_rollback(fx->s);
	assert_int_equal(store_in_tx(fx->s), 0);
	assert_int_equal(store_feed_find(fx->s,
	    "http://127.0.0.1:9/rolled-back.xml"), 0);

	assert_int_equal(store_begin(fx->s), 0);
	add(fx->s, "http://127.0.0.1:9/committed.xml");
	assert_int_equal(store_commit(fx->s), 0);
	assert_int_equal(store_in_tx(fx->s), 0);
	assert_true(store_feed_find(fx->s,
	    "http://127.0.0.1:9/committed.xml") > 0);
	/* A rollback outside a transaction does nothing. */
	store_rollback(fx->s);
}

/*
 * A document in one line: items separated by ';', each
 * "guid|title|link|day|enclosure|summary" with empty fields left out
 * (day: of January 2024).  Returns the items, *n of them.
 */
static struct item *
items_of(const char *doc, size_t *n)
{
	struct item	*v = NULL;
	char		*copy, *rest, *one, *f[6];
	size_t		 k;

	*n = 0;
	copy = xstrdup(doc);
	for (rest = copy; (one = strsep(&rest, ";")) != NULL;) {
		for (k = 0; k < nitems(f); k++)
			f[k] = strsep(&one, "|");
		v = xreallocarray(v, *n + 1, sizeof *v);
		item_init(&v[*n]);
		if (f[0] != NULL && *f[0] != '\0')
			v[*n].guid = xstrdup(f[0]);
		if (f[1] != NULL && *f[1] != '\0')
			v[*n].title = xstrdup(f[1]);
		if (f[2] != NULL && *f[2] != '\0')
			v[*n].link = xstrdup(f[2]);
		if (f[3] != NULL && *f[3] != '\0')
			v[*n].published = 1704067200 + 86400 *
			    (atoi(f[3]) - 1);
		if (f[4] != NULL && *f[4] != '\0')
			item_add_enclosure(&v[*n], f[4], "audio/mpeg", 1);
		if (f[5] != NULL && *f[5] != '\0')
			v[*n].summary = xstrdup(f[5]);
		(*n)++;
	}
	free(copy);
	return (v);
}

struct fetched {
	int64_t	added, changed, announced;
};

/* fetch_doc prepares the items' text first, as the daemon's work thread
 * does (store_prep). */
static int	fetch_prepared;

static void	dict_text(char *, size_t, unsigned int);

/* Apply one document to feed id as a fetch would; *mode is the feed's
 * key mode, kept up to date. */
static struct fetched
fetch_doc(struct store *s, int64_t id, const char *doc, char *mode,
    int announce)
{
	struct store_fetch	sf;
	struct fetched		r;
	size_t			i;

	memset(&sf, 0, sizeof sf);
	sf.feed_id = id;
	sf.key_mode = mode;
	sf.announce = announce;
	sf.items = items_of(doc, &sf.nitems);
	sf.now = time(NULL);
	if (fetch_prepared) {
		sf.prep = xcalloc(sf.nitems, sizeof *sf.prep);
		for (i = 0; i < sf.nitems; i++)
			store_prep(s, &sf.items[i], &sf.prep[i]);
	}
	if (store_items_apply(s, &sf) != 0)
		fail_msg("store_items_apply: %s", doc);
	for (i = 0; sf.prep != NULL && i < sf.nitems; i++)
		store_prep_release(&sf.prep[i]);
	free(sf.prep);
	if (sf.new_key_mode != NULL) {
		assert_non_null(sf.why);
		strcpy(mode, sf.new_key_mode);
	}
	for (i = 0; i < sf.nitems; i++)
		item_release(&sf.items[i]);
	free(sf.items);
	r.added = sf.added;
	r.changed = sf.changed;
	r.announced = sf.announced;
	return (r);
}

static void
test_item_identity(void **state)
{
	struct fixture	*fx = *state;
	static const struct {
		const char	*what;
		const char	*docs[8];	/* one fetch each, in order */
		int64_t		 items;		/* stored in the end */
		int64_t		 announced;	/* after the first fetch */
		int64_t		 changed;	/* updates counted */
		const char	*mode;		/* key_mode in the end */
	} t[] = {
		{ "issue 8: some items gain no guid, one no link", {
		    "g1|one|http://x/1;g2|two|http://x/2;g3|three|http://x/3",
		    "g5|five||;|four|http://x/4;"
		    "g1|one|http://x/1;g2|two|http://x/2;g3|three|http://x/3",
		    "g5|five||;|four|http://x/4;"
		    "g1|one|http://x/1;g2|two|http://x/2;g3|three|http://x/3",
		  }, 5, 2, 0, "guid" },
		{ "guids appear, disappear, come back", {
		    "|one|http://x/1;|two|http://x/2",
		    "g1|one|http://x/1;g2|two|http://x/2",
		    "|one|http://x/1;|two|http://x/2",
		    "g3|three|http://x/3;g1|one|http://x/1;g2|two|http://x/2",
		    "|three|http://x/3;g1|one|http://x/1;|two|http://x/2",
		  }, 3, 1, 8, "guid" },
		{ "guids come to items without links", {
		    "|one|||x.mp3;|two|||y.mp3",
		    "g1|one|||x.mp3;g2|two|||y.mp3",
		    "|one|||x.mp3;g2|two|||y.mp3",
		  }, 2, 0, 3, "guid" },
		{ "an item with neither guid nor link gains both", {
		    "|one|||;g2|two|http://x/2",
		    "g1|one|http://x/1;g2|two|http://x/2",
		  }, 2, 0, 1, "guid" },
		{ "guids that change on every fetch, links and dates stay", {
		    "a1|one|http://x/1|1;a2|two|http://x/2|2",
		    "b1|one|http://x/1|1;b2|two|http://x/2|2",
		    "c3|three|http://x/3|3;c1|one|http://x/1|1;"
		    "c2|two|http://x/2|2",
		    "d3|three|http://x/3|3;d1|one|http://x/1|1;"
		    "d2|two|http://x/2|2",
		  }, 3, 1, 7, "link" },
		{ "a forum: every post links to its thread", {
		    "p2|Re: t|http://x/t#2|2;p1|Re: t|http://x/t#1|1",
		    "p4|Re: t|http://x/t#4|4;p3|Re: t|http://x/t#3|3",
		    "p5|Re: t|http://x/t#5|5",
		    "p7|Re: u|http://x/u|7;p6|Re: t|http://x/t|6",
		  }, 7, 5, 0, "guid" },
		{ "one post per thread, new posts only", {
		    "p1|Re: a|http://x/a|1;p2|Re: b|http://x/b|2",
		    "p3|Re: a|http://x/a|3;p4|Re: b|http://x/b|4",
		  }, 4, 2, 0, "guid" },
		{ "repeated guids, then fixed", {
		    "s|one|http://x/1;s|two|http://x/2",
		    "g1|one|http://x/1;g2|two|http://x/2",
		    "s|three|http://x/3;s|one|http://x/1;s|two|http://x/2",
		  }, 3, 1, 4, "link" },
		{ "guids and links both repeated", {
		    "s|one|http://x/|1;s|two|http://x/|2",
		    "s|three|http://x/|3;s|one|http://x/|1;s|two|http://x/|2",
		  }, 3, 1, 0, "hash" },
		{ "an item edited: updated, not announced", {
		    "g1|one|http://x/1|1|;g2|two|http://x/2|2|",
		    "g1|one|http://x/1|1|;g2|two|http://x/2|2|better",
		    "g1|one|http://x/1|1|;g2|two|http://x/2|2|better",
		  }, 2, 0, 1, "guid" },
		{ "two items alike in one document: the first is kept", {
		    "|same|||;|same|||",
		    "|same|||;|same|||;|new|||",
		  }, 2, 1, 0, "guid" },
	};
	struct fetched	 r;
	char		 mode[16], sql[128], *got;
	int64_t		 id, announced, changed;
	size_t		 i, k;

	for (i = 0; i < nitems(t); i++) {
		snprintf(sql, sizeof sql, "http://127.0.0.1:9/%zu.xml", i);
		id = add(fx->s, sql);
		/* The cases share links: another feed's items would stop
		 * announcements (an article is announced once). */
		sql_exec(fx->s, "DELETE FROM items");
		strcpy(mode, "guid");
		announced = changed = 0;
		for (k = 0; k < nitems(t[i].docs) && t[i].docs[k]; k++) {
			r = fetch_doc(fx->s, id, t[i].docs[k], mode, k > 0);
			announced += r.announced;
			changed += r.changed;
		}
		snprintf(sql, sizeof sql, "SELECT count(*) FROM items"
		    " WHERE feed_id = %lld", (long long)id);
		if (sql_int(fx->s, sql) != t[i].items)
			fail_msg("%s: %lld items, want %lld", t[i].what,
			    (long long)sql_int(fx->s, sql),
			    (long long)t[i].items);
		snprintf(sql, sizeof sql, "SELECT count(*) FROM items"
		    " WHERE feed_id = %lld AND announced = 1", (long long)id);
		if (announced != t[i].announced ||
		    sql_int(fx->s, sql) != t[i].announced)
			fail_msg("%s: %lld announced, want %lld", t[i].what,
			    (long long)announced, (long long)t[i].announced);
		if (changed != t[i].changed)
			fail_msg("%s: %lld changed, want %lld", t[i].what,
			    (long long)changed, (long long)t[i].changed);
		if (strcmp(mode, t[i].mode) != 0)
			fail_msg("%s: mode %s, want %s", t[i].what, mode,
			    t[i].mode);
		/* Every stored item's key is one of its own identifiers. */
		snprintf(sql, sizeof sql, "SELECT count(*) FROM items"
		    " WHERE feed_id = %lld AND key NOT IN ('g:' || guid,"
		    " 'l:' || nlink, 'h:' || shash)", (long long)id);
		if (sql_int(fx->s, sql) != 0)
			fail_msg("%s: a key that is not the item's", t[i].what);
	}

	/* Whatever rule a feed goes by, and however often it changes, the
	 * same document stores nothing again. */
	id = add(fx->s, "http://127.0.0.1:9/rules.xml");
	{
		static const char *modes[] = {
			"guid", "link", "hash", "guid", "hash", "link", "guid",
		};
		static const char *doc = "g1|one|http://x/1|1;"
		    "|two|http://x/2|2;g3|three||3;|four|||x.mp3;|||5";

		for (k = 0; k < nitems(modes); k++) {
			strcpy(mode, modes[k]);
			r = fetch_doc(fx->s, id, doc, mode, 1);
			if (k > 0 && (r.added != 0 || r.changed != 0))
				fail_msg("mode %s: %lld added, %lld changed",
				    modes[k], (long long)r.added,
				    (long long)r.changed);
		}
		snprintf(sql, sizeof sql, "SELECT group_concat(substr(key, 1,"
		    " 1), '') FROM (SELECT key FROM items WHERE feed_id ="
		    " %lld ORDER BY id)", (long long)id);
		got = sql_text(fx->s, sql);
		/* Oldest first: re-keyed to the last rule, guid. */
		assert_string_equal(got, "hhglg");
		free(got);
	}
}

/*
 * A fetch without a savepoint of its own that fails takes the group's
 * other fetches with it (they say why), and its feed's fetches have a
 * savepoint from then on: its next failure takes only its own work, and
 * its kept search words with it.
 */
static void
test_fetch_careful(void **state)
{
	struct fixture	*fx = *state;
	char		 mode[16] = "guid", mode2[16] = "guid", sql[128];
	int64_t		 a, b;

	fetch_prepared = 1;
	a = add(fx->s, "http://127.0.0.1:9/a.xml");
	b = add(fx->s, "http://127.0.0.1:9/b.xml");
	assert_int_equal(store_fetch_begin(fx->s, a), 0);
	fetch_doc(fx->s, a, "a1|alpha;a2|beta", mode, 0);
	assert_int_equal(store_fetch_commit(fx->s), 0);
	assert_int_equal(store_fetch_begin(fx->s, b), 0);
	fetch_doc(fx->s, b, "b1|gamma", mode2, 0);
	store_fetch_rollback(fx->s);
	assert_non_null(store_failed(fx->s, a));
	assert_int_equal(sql_int(fx->s, "SELECT count(*) FROM items"), 0);

	assert_int_equal(store_fetch_begin(fx->s, a), 0);
	fetch_doc(fx->s, a, "a1|alpha;a2|beta", mode, 0);
	assert_int_equal(store_fetch_commit(fx->s), 0);
	assert_int_equal(store_fetch_begin(fx->s, b), 0);
	fetch_doc(fx->s, b, "b1|gamma", mode2, 0);
	store_fetch_rollback(fx->s);
	assert_int_equal(store_fetch_begin(fx->s, b), 0);
	fetch_doc(fx->s, b, "b2|delta", mode2, 0);
	assert_int_equal(store_fetch_commit(fx->s), 0);
	assert_int_equal(store_flush(fx->s), 0);
	fetch_prepared = 0;
	assert_null(store_failed(fx->s, a));
	assert_int_equal(sql_int(fx->s, "SELECT count(*) FROM items"), 3);
	assert_int_equal(sql_int(fx->s, "SELECT items FROM counters"), 3);
	snprintf(sql, sizeof sql, "SELECT n_items FROM feeds WHERE id = %lld",
	    (long long)b);
	assert_int_equal(sql_int(fx->s, sql), 1);
	assert_int_equal(indexed(fx->s, "gamma"), 0);
	assert_int_equal(indexed(fx->s, "alpha OR beta OR delta"), 3);
	index_sound(fx->s);
}

/*
 * Migration 11: an index made by schema 10 (each item's whole text) is
 * built again from the items, so an item leaves it with the words it
 * went in with (its distinct words).  A word only the old index held
 * is gone after; removing an item then leaves the index sound.
 */
static void
test_search_migrate(void **state)
{
	struct fixture	*fx = *state;
	char		 mode[16] = "guid";
	int64_t		 id, version;

	id = add(fx->s, "http://127.0.0.1:9/m.xml");
	fetch_doc(fx->s, id, "m1|rho rho rho sigma;m2|tau tau sigma", mode, 0);
	assert_int_equal(store_flush(fx->s), 0);
	version = sql_int(fx->s, "PRAGMA user_version");
	sql_exec(fx->s, "INSERT INTO items_fts(items_fts) VALUES ('delete-all');"
	    "INSERT INTO items_fts(rowid, text) SELECT id, title || ' stale'"
	    " FROM items; PRAGMA user_version = 10");
	assert_int_equal(indexed(fx->s, "stale"), 2);
	reopen(fx);
	assert_int_equal(sql_int(fx->s, "PRAGMA user_version"), version);
	assert_int_equal(indexed(fx->s, "stale"), 0);
	assert_int_equal(indexed(fx->s, "sigma"), 2);
	sql_exec(fx->s, "DELETE FROM items WHERE guid = 'm1'");
	assert_int_equal(indexed(fx->s, "rho OR sigma"), 1);
	index_sound(fx->s);
}

/* A database of schema 1 (no stable hash) is migrated: its items get the
 * hash and are found by it. */
static void
test_item_migrate(void **state)
{
	struct fixture	*fx = *state;
	char		 mode[16] = "guid";
	int64_t		 id, version;
	struct fetched	 r;

	id = add(fx->s, "http://127.0.0.1:9/old.xml");
	fetch_doc(fx->s, id, "g1|one|||x.mp3;g2|two|||y.mp3;|three|||;"
	    "g4|four|http://x/4|4", mode, 0);
	version = sql_int(fx->s, "PRAGMA user_version");
	/* Schema 1: what the later migrations add goes too. */
	sql_exec(fx->s, "DROP TABLE tombstones; DROP INDEX items_feed_seen;"
	    "ALTER TABLE feeds DROP COLUMN retain;"
	    "ALTER TABLE feeds DROP COLUMN retain_items;"
	    "ALTER TABLE feeds DROP COLUMN parsed;"
	    "DROP TABLE fetch_log;"
	    "DROP TABLE counters; DROP TABLE items_fts; DROP TABLE zdicts;"
	    "DROP TRIGGER IF EXISTS counters_items_ins; DROP TRIGGER counters_items_del;"
	    "DROP TRIGGER counters_items_read; DROP TRIGGER counters_feeds_ins;"
	    "DROP TRIGGER counters_feeds_del; DROP TRIGGER counters_feeds_upd;"
	    "DROP TRIGGER counters_deliveries_ins;"
	    "DROP TRIGGER counters_deliveries_del;"
	    "DROP TRIGGER counters_deliveries_upd;"
	    "DROP TRIGGER IF EXISTS items_fts_ins; DROP TRIGGER items_fts_del;"
	    "DROP TRIGGER items_fts_upd;"
	    "DROP TRIGGER IF EXISTS feeds_n_ins; DROP TRIGGER feeds_n_del;"
	    "DROP TRIGGER feeds_n_read;"
	    "ALTER TABLE feeds DROP COLUMN n_items;"
	    "ALTER TABLE feeds DROP COLUMN n_unread;"
	    "UPDATE items SET read = 1 WHERE guid = 'g2';"
	    "DROP INDEX items_shash;"
	    "ALTER TABLE items DROP COLUMN shash; PRAGMA user_version = 1");
	reopen(fx);
	assert_int_equal(sql_int(fx->s, "PRAGMA user_version"), version);
	/* The counters were counted, and the search index built. */
	assert_int_equal(sql_int(fx->s, "SELECT items FROM counters"), 4);
	assert_int_equal(sql_int(fx->s, "SELECT n_items * 10 + n_unread"
	    " FROM feeds"), 43);
	assert_int_equal(indexed(fx->s, "three OR four"), 2);
	/* Items without a link get theirs now; the others when looked at. */
	assert_int_equal(sql_int(fx->s, "SELECT count(*) FROM items"
	    " WHERE (shash IS NULL) != (nlink IS NOT NULL)"), 0);
	assert_int_equal(sql_int(fx->s, "SELECT count(*) FROM items"
	    " WHERE key LIKE 'h:%' AND key != 'h:' || shash"), 0);
	/* The feed drops its guids: nothing new. */
	r = fetch_doc(fx->s, id, "|one|||x.mp3;|two|||y.mp3;|three|||;"
	    "|four|http://x/4|4", mode, 1);
	assert_int_equal(r.added, 0);
	assert_int_equal(r.changed, 3);
	assert_int_equal(sql_int(fx->s, "SELECT count(*) FROM items"), 4);
	assert_int_equal(sql_int(fx->s, "SELECT count(*) FROM items"
	    " WHERE shash IS NULL"), 0);
}

/*
 * Migration 8: the search index is rebuilt keyed by item id, and a sort
 * time more than a day after first_seen is brought back to that, as a
 * new item's is.
 */
static void
test_search_by_id(void **state)
{
	struct fixture	*fx = *state;
	char		 mode[16] = "guid";
	int64_t		 id, version;

	id = add(fx->s, "http://127.0.0.1:9/s.xml");
	/* Day 5000 of 2024: a date in 2037. */
	fetch_doc(fx->s, id, "g1|one||1;g2|two||5000", mode, 0);
	assert_int_equal(sql_int(fx->s, "SELECT count(*) FROM items"
	    " WHERE sort_time = first_seen + 86400"), 1);
	version = sql_int(fx->s, "PRAGMA user_version");
	sql_exec(fx->s, "UPDATE items SET sort_time = sort_time + 864000"
	    " WHERE guid = 'g2';"
	    " PRAGMA user_version = 7");
	reopen(fx);
	assert_int_equal(sql_int(fx->s, "PRAGMA user_version"), version);
	assert_int_equal(sql_int(fx->s, "SELECT count(*) FROM items"
	    " WHERE guid = 'g2' AND sort_time = first_seen + 86400"), 1);
	assert_int_equal(sql_int(fx->s, "SELECT rowid FROM items_fts"
	    " WHERE items_fts MATCH 'two'"),
	    sql_int(fx->s, "SELECT id FROM items WHERE guid = 'g2'"));
	assert_int_equal(sql_int(fx->s, "SELECT rowid FROM items_fts"
	    " WHERE items_fts MATCH 'one'"),
	    sql_int(fx->s, "SELECT id FROM items WHERE guid = 'g1'"));
}

/*
 * In a transaction, new items join the search index at its commit: an
 * item changed or removed before then is indexed as it is at the
 * commit, one a savepoint took back not at all, and the index stays
 * whole.
 */
static void
test_search_deferred(void **state)
{
	struct fixture	*fx = *state;
	char		 mode[16] = "guid";
	int64_t		 id;

	id = add(fx->s, "http://127.0.0.1:9/d.xml");
	assert_int_equal(store_begin(fx->s), 0);
	fetch_doc(fx->s, id, "g1|alpha;g2|beta;g3|delta", mode, 0);
	assert_int_equal(indexed(fx->s, "alpha OR beta OR delta"), 0);
	fetch_doc(fx->s, id, "g1|gamma;g2|beta;g3|delta", mode, 1);
	sql_exec(fx->s, "DELETE FROM items WHERE guid = 'g3'");
	sql_exec(fx->s, "SAVEPOINT x");
	fetch_doc(fx->s, id, "g4|epsilon;g1|gamma;g2|beta", mode, 1);
	sql_exec(fx->s, "ROLLBACK TO x; RELEASE x");
	assert_int_equal(store_commit(fx->s), 0);
	assert_int_equal(indexed(fx->s, "alpha OR delta OR epsilon"), 0);
	assert_int_equal(sql_int(fx->s, "SELECT rowid FROM items_fts"
	    " WHERE items_fts MATCH 'gamma'"),
	    sql_int(fx->s, "SELECT id FROM items WHERE guid = 'g1'"));
	assert_int_equal(indexed(fx->s, "beta"), 1);
	/* Indexed now: a change after the commit replaces its words. */
	fetch_doc(fx->s, id, "g1|zeta;g2|beta", mode, 1);
	assert_int_equal(indexed(fx->s, "gamma OR zeta"), 1);
	index_sound(fx->s);
}

/*
 * Items whose text was prepared before the insert (store_prep): the
 * packed text reads back as given, and the index takes the words made
 * then; a fetch's savepoint rolled back drops its items' words, whose
 * ids the next items take, and a change before the sync drops the old
 * words.
 */
static void
test_search_prepared(void **state)
{
	struct fixture	*fx = *state;
	char		 mode[16] = "guid", text[4096], doc[4400], *got, *p;
	int64_t		 id, g3;
	struct fetched	 r;

	fetch_prepared = 1;
	id = add(fx->s, "http://127.0.0.1:9/p.xml");
	dict_text(text, sizeof text, 42);
	while ((p = strchr(text, ';')) != NULL)	/* items_of's separator */
		*p = ',';
	snprintf(doc, sizeof doc, "g1|alpha;g2|beta||||%s", text);
	assert_int_equal(store_fetch_begin(fx->s, id), 0);
	fetch_doc(fx->s, id, doc, mode, 0);
	assert_int_equal(store_fetch_commit(fx->s), 0);
	assert_int_equal(store_fetch_begin(fx->s, id), 0);
	snprintf(doc, sizeof doc, "g3|gamma;g1|alpha;g2|beta||||%s", text);
	fetch_doc(fx->s, id, doc, mode, 1);
	g3 = sql_int(fx->s, "SELECT id FROM items WHERE guid = 'g3'");
	store_fetch_rollback(fx->s);
	assert_int_equal(store_fetch_begin(fx->s, id), 0);
	snprintf(doc, sizeof doc, "g4|delta;g1|alpha;g2|beta||||%s", text);
	fetch_doc(fx->s, id, doc, mode, 1);
	assert_int_equal(sql_int(fx->s, "SELECT id FROM items"
	    " WHERE guid = 'g4'"), g3);
	/* g1 changes before its words reach the index. */
	snprintf(doc, sizeof doc, "g4|delta;g1|zeta;g2|beta||||%s", text);
	fetch_doc(fx->s, id, doc, mode, 1);
	assert_int_equal(store_fetch_commit(fx->s), 0);
	assert_int_equal(store_flush(fx->s), 0);
	fetch_prepared = 0;
	/* Made here or beforehand, an item's keys and hashes are the same. */
	r = fetch_doc(fx->s, id, doc, mode, 1);
	assert_int_equal(r.added + r.changed, 0);

	assert_int_equal(indexed(fx->s, "gamma OR alpha"), 0);
	assert_int_equal(sql_int(fx->s, "SELECT rowid FROM items_fts"
	    " WHERE items_fts MATCH 'delta'"), g3);
	assert_int_equal(sql_int(fx->s, "SELECT rowid FROM items_fts"
	    " WHERE items_fts MATCH 'zeta'"),
	    sql_int(fx->s, "SELECT id FROM items WHERE guid = 'g1'"));
	assert_int_equal(sql_int(fx->s, "SELECT rowid FROM items_fts"
	    " WHERE items_fts MATCH 'museum AND beta'"),
	    sql_int(fx->s, "SELECT id FROM items WHERE guid = 'g2'"));
	assert_int_equal(sql_int(fx->s, "SELECT typeof(content) = 'blob'"
	    " FROM items WHERE guid = 'g2'"), 1);
	got = sql_text(fx->s, "SELECT item_summary(summary, content)"
	    " FROM items WHERE guid = 'g2'");
	assert_string_equal(got, text);
	free(got);
	index_sound(fx->s);
}

/*
 * Items have no trigger on insert (migration 10): store_items_apply
 * keeps the counters and the feed's counts and hands new items to the
 * search index itself, in a transaction or out of one, and a fetch's
 * savepoint rolled back takes its counts back with its rows.
 */
static void
test_insert_counts(void **state)
{
	struct fixture	*fx = *state;
	char		 mode[16] = "guid", sql[256];
	int64_t		 id;

	assert_int_equal(sql_int(fx->s, "SELECT count(*) FROM sqlite_master"
	    " WHERE type = 'trigger' AND tbl_name = 'items'"
	    " AND sql LIKE '%AFTER INSERT%'"), 0);
	id = add(fx->s, "http://127.0.0.1:9/c.xml");
	fetch_doc(fx->s, id, "c1|kappa;c2|lambda", mode, 1);
	assert_int_equal(indexed(fx->s, "kappa OR lambda"), 2);
	assert_int_equal(store_fetch_begin(fx->s, id), 0);
	fetch_doc(fx->s, id, "c3|mu;c1|kappa;c2|lambda", mode, 1);
	store_fetch_rollback(fx->s);
	assert_int_equal(store_fetch_begin(fx->s, id), 0);
	fetch_doc(fx->s, id, "c4|nu;c1|kappa;c2|lambda", mode, 1);
	assert_int_equal(store_fetch_commit(fx->s), 0);
	assert_int_equal(store_flush(fx->s), 0);
	sql_exec(fx->s, "UPDATE items SET read = 1 WHERE guid = 'c1'");
	assert_int_equal(sql_int(fx->s, "SELECT items = (SELECT count(*)"
	    " FROM items) AND unread = (SELECT count(*) FROM items"
	    " WHERE read = 0) AND items = 3 FROM counters"), 1);
	snprintf(sql, sizeof sql, "SELECT n_items = 3 AND n_unread = 2"
	    " FROM feeds WHERE id = %lld", (long long)id);
	assert_int_equal(sql_int(fx->s, sql), 1);
	assert_int_equal(indexed(fx->s, "kappa OR lambda OR mu OR nu"), 3);
}

/* The fetch history keeps each feed's last STORE_LOG_KEEP rows, the
 * newest, whatever another feed logs; removing a feed takes its rows. */
static void
test_fetch_log(void **state)
{
	struct fixture		*fx = *state;
	struct store_feed	*f, *g;
	int64_t			 a, b, i;
	char			 sql[128];

	a = add(fx->s, "http://127.0.0.1:9/a.xml");
	b = add(fx->s, "http://127.0.0.1:9/b.xml");
	f = store_feed_get(fx->s, a);
	g = store_feed_get(fx->s, b);
	assert_int_equal(store_begin(fx->s), 0);
	for (i = 0; i < STORE_LOG_KEEP + 40; i++) {
		f->last_fetch = 1000 + i;
		assert_int_equal(store_fetch_log(fx->s, f, i, 1, 0, 0), 0);
		if (i < 3)
			assert_int_equal(store_fetch_log(fx->s, g, i, 1, 0, 0),
			    0);
	}
	assert_int_equal(store_commit(fx->s), 0);
	snprintf(sql, sizeof sql, "SELECT count(*)"
	    " FROM fetch_log WHERE feed_id = %lld", (long long)a);
	assert_int_equal(sql_int(fx->s, sql), STORE_LOG_KEEP);
	snprintf(sql, sizeof sql, "SELECT min(time) FROM fetch_log"
	    " WHERE feed_id = %lld", (long long)a);
	assert_int_equal(sql_int(fx->s, sql), 1000 + 40);
	snprintf(sql, sizeof sql, "SELECT max(bytes) FROM fetch_log"
	    " WHERE feed_id = %lld", (long long)a);
	assert_int_equal(sql_int(fx->s, sql), STORE_LOG_KEEP + 39);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM fetch_log"
	    " WHERE feed_id = %lld", (long long)b);
	assert_int_equal(sql_int(fx->s, sql), 3);
	assert_int_equal(store_feed_remove(fx->s, a), 0);
	assert_int_equal(sql_int(fx->s, "SELECT count(*) FROM fetch_log"), 3);
	store_feed_free(f);
	store_feed_free(g);
}

/* Words for item texts, varied enough that a dictionary trains on them. */
static void
dict_text(char *out, size_t size, unsigned int n)
{
	static const char *w[] = { "river", "council", "budget", "harvest",
	    "<p>", "</p>", "the", "of", "museum", "&amp;", "Парламент",
	    "ახალი", "storm", "<a href=\"https://example.org/\">", "</a>" };
	size_t		 len = 0;
	unsigned int	 x = n * 2654435761U + 1;

	while (len + 40 < size && len < 1500 + n % 700) {
		x = x * 1103515245U + 12345U;
		len += (size_t)snprintf(out + len, size - len, "%s ",
		    w[(x >> 16) % nitems(w)]);
	}
}

/* unpack(pack(summary, content)) on the writer's connection and on
 * another, is what went in. */
static void
dict_round(struct store *s, sqlite3 *other, const char *summary,
    const char *content, int kind)
{
	unsigned char	*p;
	char		*sum, *con;
	size_t		 len;
	sqlite3		*dbs[2] = { store_db(s), other };
	int		 i;

	p = store_body_pack(s, summary, content, &len);
	assert_non_null(p);
	assert_int_equal(p[0], kind);
	for (i = 0; i < 2; i++) {
		assert_int_equal(store_body_unpack(dbs[i], p, len, &sum, &con,
		    NULL), 0);
		if (summary == NULL)
			assert_null(sum);
		else
			assert_string_equal(sum, summary);
		if (content == NULL)
			assert_null(con);
		else
			assert_string_equal(con, content);
		free(sum);
		free(con);
	}
	free(p);
}

/*
 * Item text packed with a trained dictionary ('D') and without ('Z'):
 * both read back exactly, on the writer's connection and on a reader's
 * (which loads the dictionary from the database), a 'Z' frame made
 * before the dictionary still reads after it, a reopened store writes
 * with it, and a frame cut short is damaged.
 */
static void
test_body_dict(void **state)
{
	struct fixture	*fx = *state;
	sqlite3		*db = store_db(fx->s), *ro;
	sqlite3_stmt	*st;
	char		 text[4096], text2[4096], *cause = NULL, *sum, *con;
	unsigned char	*old, *p;
	size_t		 oldlen, len;
	unsigned int	 i;

	assert_int_equal(sqlite3_exec(db, "INSERT INTO feeds (url, norm_url,"
	    " added) VALUES ('http://a/', 'http://a/', 0)", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO items (feed_id,"
	    " key, hash, content, first_seen, sort_time)"
	    " VALUES (1, ?1, 'h', ?2, 0, 0)", -1, &st, NULL), SQLITE_OK);
	for (i = 0; i < 600; i++) {
		dict_text(text, sizeof text, i);
		sqlite3_bind_int(st, 1, (int)i);
		sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_open_v2(fx->path, &ro, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);

	dict_text(text, sizeof text, 1000);
	dict_text(text2, sizeof text2, 1001);
	old = store_body_pack(fx->s, "a summary", text, &oldlen);
	assert_non_null(old);
	assert_int_equal(old[0], 'Z');
	dict_round(fx->s, ro, text2, text, 'Z');

	assert_int_equal(store_dict_train(fx->s), 0);
	dict_round(fx->s, ro, "a summary", text, 'D');
	dict_round(fx->s, ro, NULL, text, 'D');
	dict_round(fx->s, ro, text2, NULL, 'D');
	assert_int_equal(store_body_unpack(ro, old, oldlen, &sum, &con,
	    NULL), 0);
	assert_string_equal(sum, "a summary");
	assert_string_equal(con, text);
	free(sum);
	free(con);

	/* A dictionary frame beats a plain one on these texts. */
	p = store_body_pack(fx->s, "a summary", text, &len);
	assert_non_null(p);
	assert_true(len < oldlen);
	/* Cut short, or of an unknown kind: damaged. */
	assert_int_equal(store_body_unpack(ro, p, len - 4, &sum, &con,
	    NULL), -1);
	assert_int_equal(store_body_unpack(ro, p, 2, &sum, &con, NULL), -1);
	p[0] = 'Q';
	assert_int_equal(store_body_unpack(ro, p, len, &sum, &con, NULL),
	    -1);
	free(p);
	sqlite3_close(ro);

	store_close(fx->s);
	fx->s = store_open(fx->path, &cause);
	assert_non_null(fx->s);
	dict_round(fx->s, store_db(fx->s), text2, text, 'D');
	assert_int_equal(store_body_unpack(store_db(fx->s), old, oldlen, &sum,
	    &con, NULL), 0);
	assert_string_equal(con, text);
	free(sum);
	free(con);
	free(old);
}

/*
 * The failure paths: a training that fails (no texts yet) leaves 'Z'
 * frames; a dictionary row is never removed; a frame whose dictionary
 * is damaged or missing reads as an error that names it, and a damaged
 * row is not written with once reopened.
 */
static void
test_body_dict_fail(void **state)
{
	struct fixture	*fx = *state;
	sqlite3		*db = store_db(fx->s), *other;
	sqlite3_stmt	*st;
	char		 text[4096], path[300], *cause = NULL, *sum, *con;
	unsigned char	*p, *d;
	size_t		 len, dlen;
	unsigned int	 i;

	assert_int_equal(store_dict_train(fx->s), -1);
	dict_text(text, sizeof text, 7000);
	p = store_body_pack(fx->s, NULL, text, &len);
	assert_non_null(p);
	assert_int_equal(p[0], 'Z');
	free(p);

	assert_int_equal(sqlite3_exec(db, "INSERT INTO feeds (url, norm_url,"
	    " added) VALUES ('http://a/', 'http://a/', 0)", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO items (feed_id,"
	    " key, hash, content, first_seen, sort_time)"
	    " VALUES (1, ?1, 'h', ?2, 0, 0)", -1, &st, NULL), SQLITE_OK);
	for (i = 0; i < 600; i++) {
		dict_text(text, sizeof text, 5000 + i * 3);
		sqlite3_bind_int(st, 1, (int)i);
		sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	assert_int_equal(store_dict_train(fx->s), 0);
	/* Packed, never read here: no process cache holds its dictionary. */
	dict_text(text, sizeof text, 7001);
	d = store_body_pack(fx->s, NULL, text, &dlen);
	assert_non_null(d);
	assert_int_equal(d[0], 'D');
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM zdicts", NULL,
	    NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE zdicts SET dict = x'00'",
	    NULL, NULL, NULL), SQLITE_OK);

	/* Another database has no such dictionary. */
	snprintf(path, sizeof path, "%s.other", fx->path);
	assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "CREATE TABLE zdicts (id INTEGER"
	    " PRIMARY KEY, dict BLOB NOT NULL, created INTEGER NOT NULL)",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_body_unpack(other, d, dlen, &sum, &con,
	    &cause), -1);
	assert_string_equal(cause, "text dictionary 1 is missing or damaged");
	free(cause);
	sqlite3_close(other);
	unlink(path);

	/* Damaged in place (the guard dropped, as a broken disk would). */
	assert_int_equal(sqlite3_exec(db, "DROP TRIGGER zdicts_keep_upd;"
	    "UPDATE zdicts SET dict = zeroblob(4096)", NULL, NULL, NULL),
	    SQLITE_OK);
	store_close(fx->s);
	fx->s = store_open(fx->path, &cause);
	assert_non_null(fx->s);
	assert_int_equal(store_body_unpack(store_db(fx->s), d, dlen, &sum,
	    &con, &cause), -1);
	assert_string_equal(cause, "text dictionary 1 is missing or damaged");
	free(cause);
	free(d);
	p = store_body_pack(fx->s, NULL, text, &len);
	assert_non_null(p);
	assert_int_equal(p[0], 'Z');
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open, setup, teardown),
		cmocka_unit_test(test_open_fails),
		cmocka_unit_test_setup_teardown(test_add_find, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_fields, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_remove_cascades, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_config_sync, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_item_identity, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_search_deferred, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_search_by_id, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_search_prepared, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_insert_counts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fetch_careful, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_search_migrate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_item_migrate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fetch_log, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_body_dict, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_body_dict_fail, setup,
		    teardown),
	};

	log_init("test-store", 0, 0);
	return (cmocka_run_group_tests_name("store", tests, group_setup,
	    group_teardown));
}
