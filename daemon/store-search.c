/*
 * The search index's side of the store: the text it holds for an item
 * (aggd_text), the new items it takes at a transaction's end
 * (store_search_sync, and the functions its triggers call), and its
 * building for a database from before it.  The index itself, its
 * triggers and its migration are in store.c's schema; searching is
 * query.c's and search.c's.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "aggd.h"
#include "buf.h"
#include "log.h"
#include "search.h"
#include "store-int.h"
#include "xmalloc.h"

/*
 * aggd_fts_defer(id): item id was inserted.  In a transaction it joins
 * the search index at store_search_sync (1: deferred; ids only grow, so
 * one bound says which); a lone statement indexes it at once (0).
 */
void
store_fts_defer_fn(sqlite3_context *ctx, int argc UNUSED,
    sqlite3_value **argv)
{
	struct store	*s = sqlite3_user_data(ctx);
	int64_t		 id = sqlite3_value_int64(argv[0]);

	if (sqlite3_get_autocommit(s->db)) {
		sqlite3_result_int(ctx, 0);
		return;
	}
	if (id < s->fts_from)
		s->fts_from = id;
	s->fts_pending++;
	sqlite3_result_int(ctx, 1);
}

/* aggd_fts_from(): the first id not yet in the search index. */
void
store_fts_from_fn(sqlite3_context *ctx, int argc UNUSED,
    sqlite3_value **argv UNUSED)
{
	struct store	*s = sqlite3_user_data(ctx);

	sqlite3_result_int64(ctx, s->fts_from);
}

/* See store.h.  In a transaction, as aggd_fts_defer did for the trigger
 * that called it before migration 10. */
int
store_search_added(struct store *s, int64_t id)
{
	if (id < s->fts_from)
		s->fts_from = id;
	s->fts_pending++;
	if (sqlite3_get_autocommit(s->db))
		return (store_search_sync(s));
	return (0);
}

/*
 * Index the items inserted since the last sync, in the transaction that
 * inserted them, in id order, as one batch: FTS5 writes it as one
 * segment.  A row a savepoint took back is simply not there; one changed
 * or removed since its insert is indexed as it is now.
 */
int
store_search_sync(struct store *s)
{
	sqlite3_stmt	*st;

	if (s->fts_from == INT64_MAX)
		return (0);
	st = store_stmt(s, STMT_SEARCH_SYNC);
	sqlite3_bind_int64(st, 1, s->fts_from);
	if (store_exec(s, st) != 0)
		return (-1);
	s->fts_from = INT64_MAX;
	s->fts_pending = 0;
	store_words_clear(s, 0);
	return (0);
}

/*
 * Each thread's copy of the index's tokenizer, for store_search_words.
 * FTS5 hands out its tokenizers through a connection: this one is of a
 * connection in memory of the thread's own.
 */
struct store_tok {
	sqlite3			*db;
	struct search_tok	*tk;
};
static pthread_key_t	store_tok_key;
static pthread_once_t	store_tok_once = PTHREAD_ONCE_INIT;

static void
store_tok_free(void *arg)
{
	struct store_tok	*t = arg;

	search_tok_close(t->tk);
	sqlite3_close(t->db);
	free(t);
}

static void
store_tok_key_init(void)
{
	if (pthread_key_create(&store_tok_key, store_tok_free) != 0)
		fatalx("search: cannot make a per-thread key");
}

static struct search_tok *
store_tok(void)
{
	struct store_tok	*t;
	char			*cause = NULL;

	pthread_once(&store_tok_once, store_tok_key_init);
	if ((t = pthread_getspecific(store_tok_key)) != NULL)
		return (t->tk);
	t = xcalloc(1, sizeof *t);
	if (sqlite3_open_v2(":memory:", &t->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    (t->tk = search_tok_open(t->db, &cause)) == NULL)
		fatalx("search: no tokenizer: %s", cause != NULL ? cause :
		    sqlite3_errmsg(t->db));
	pthread_setspecific(store_tok_key, t);
	return (t->tk);
}

/* The calling thread's tokenizer, freed now (the main thread's would
 * outlive the store). */
void
store_tok_release(void)
{
	struct store_tok	*t;

	pthread_once(&store_tok_once, store_tok_key_init);
	if ((t = pthread_getspecific(store_tok_key)) != NULL) {
		store_tok_free(t);
		pthread_setspecific(store_tok_key, NULL);
	}
}

/* The words the search index holds for an item (allocated, never
 * NULL): the distinct words of its title, summary and content as text
 * (search_distinct).  Any thread. */
char *
store_search_words(const char *title, const char *summary,
    const char *content)
{
	struct buf	 text, words;
	char		*s;

	buf_init(&text);
	buf_init(&words);
	search_text(&text, title, summary, content);
	search_distinct(&words, store_tok(), text.data, text.len);
	s = words.len > 0 ? buf_detach(&words) : xstrdup("");
	buf_release(&text);
	buf_release(&words);
	return (s);
}

/* aggd_text(title, summary, content): store_search_words of a row.  A
 * packed row (a NULL summary and a BLOB content, see store_body_pack)
 * is unpacked first, so that the words are the same whichever way the
 * text was stored. */
void
store_text_fn(sqlite3_context *ctx, int argc UNUSED, sqlite3_value **argv)
{
	char	*summary = NULL, *content = NULL, *words;
	int	 packed;

	packed = sqlite3_value_type(argv[2]) == SQLITE_BLOB;
	if (packed && store_body_unpack(sqlite3_context_db_handle(ctx),
	    sqlite3_value_blob(argv[2]), (size_t)sqlite3_value_bytes(argv[2]),
	    &summary, &content, NULL) != 0) {
		sqlite3_result_error(ctx, "damaged item text", -1);
		return;
	}
	words = store_search_words((const char *)sqlite3_value_text(argv[0]),
	    packed ? summary : (const char *)sqlite3_value_text(argv[1]),
	    packed ? content : (const char *)sqlite3_value_text(argv[2]));
	free(summary);
	free(content);
	sqlite3_result_text(ctx, words, -1, free);
}

/*
 * The words of items inserted in this transaction, made before their
 * insert (store_prep, off the loop): store_search_sync takes them instead
 * of unpacking and stripping each row again.  Ids only grow, so the list
 * stays in id order.
 */
void
store_words_keep(struct store *s, int64_t id, char *text)
{
	if (s->nwords > 0 && s->words[s->nwords - 1].id >= id) {
		free(text);
		return;
	}
	if (s->nwords == s->wordscap) {
		s->wordscap = s->wordscap ? s->wordscap * 2 : 256;
		s->words = xreallocarray(s->words, s->wordscap,
		    sizeof *s->words);
	}
	s->words[s->nwords].id = id;
	s->words[s->nwords].text = text;
	s->nwords++;
}

static struct store_words *
store_words_find(struct store *s, int64_t id)
{
	size_t	lo = 0, hi = s->nwords, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->words[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo < s->nwords && s->words[lo].id == id ? &s->words[lo] :
	    NULL);
}

/* Item id changed: its words are made again from the row. */
void
store_words_forget(struct store *s, int64_t id)
{
	struct store_words	*w;

	if ((w = store_words_find(s, id)) != NULL) {
		free(w->text);
		w->text = NULL;
	}
}

/* Drop the words kept from the from'th on (a savepoint rolled back:
 * its ids will be used again). */
void
store_words_clear(struct store *s, size_t from)
{
	while (s->nwords > from)
		free(s->words[--s->nwords].text);
}

/* aggd_words(id, title, summary, content): the item's words as kept, or
 * else as aggd_text makes them. */
void
store_words_fn(sqlite3_context *ctx, int argc UNUSED, sqlite3_value **argv)
{
	struct store		*s = sqlite3_user_data(ctx);
	struct store_words	*w;

	w = store_words_find(s, sqlite3_value_int64(argv[0]));
	if (w != NULL && w->text != NULL) {
		sqlite3_result_text(ctx, w->text, -1, free);
		w->text = NULL;
		return;
	}
	store_text_fn(ctx, 3, argv + 1);
}

/*
 * Index every item an older schema stored, a slice of ids at a time so
 * the log shows progress (1,000,000 items take a minute or two), then
 * merge the index into one b-tree, smallest and fastest to search.
 */
#define STORE_BUILD_SLICE	20000
int
store_search_build(struct store *s, char **cause)
{
	sqlite3_stmt	*st = NULL;
	int64_t		 lo = 0, hi = 0, total = 0, done = 0, from;
	time_t		 t0 = time(NULL), last = t0;

	if (sqlite3_prepare_v2(s->db, "SELECT min(id), max(id), count(*)"
	    " FROM items", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		goto fail;
	lo = sqlite3_column_int64(st, 0);
	hi = sqlite3_column_int64(st, 1);
	total = sqlite3_column_int64(st, 2);
	sqlite3_finalize(st);
	st = NULL;
	if (total == 0)
		return (0);
	log_info("database %s: building the search index of %lld items",
	    s->path, (long long)total);
	notify_send("EXTEND_TIMEOUT_USEC=600000000\n"
	    "STATUS=building the search index (%lld items)", (long long)total);
	if (sqlite3_prepare_v2(s->db, "INSERT INTO items_fts(rowid, text)"
	    " SELECT id, aggd_text(title, summary,"
	    " content) FROM items WHERE id >= ?1 AND id < ?2", -1, &st,
	    NULL) != SQLITE_OK)
		goto fail;
	for (from = lo; from <= hi; from += STORE_BUILD_SLICE) {
		sqlite3_bind_int64(st, 1, from);
		sqlite3_bind_int64(st, 2, from + STORE_BUILD_SLICE);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
		done += sqlite3_changes(s->db);
		sqlite3_reset(st);
		if (time(NULL) - last >= 5) {
			last = time(NULL);
			log_info("database %s: search index: %lld of %lld "
			    "items", s->path, (long long)done,
			    (long long)total);
		}
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_exec(s->db, "INSERT INTO items_fts(items_fts)"
	    " VALUES ('optimize')", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	log_info("database %s: search index built: %lld items in %lld s",
	    s->path, (long long)done, (long long)(time(NULL) - t0));
	return (0);
fail:
	xasprintf(cause, "database %s: building the search index: %s",
	    s->path, sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	return (-1);
}
