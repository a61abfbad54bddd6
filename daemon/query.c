/*
 * Read queries off the loop.  items (a listing or a search), feeds (and
 * export, its OPML) and log run on one of a few worker threads, each with
 * its own read-only connection: WAL lets them read while the loop writes,
 * and no query, however heavy, delays polling, hooks or other clients.  Rows come back through the loop as
 * the client reads them: a worker encodes a page of frames, hands it over
 * in a bounded queue and puts the query back at the end of the line, or
 * aside while its queue is full, so memory stays bounded whatever the row
 * count, and neither a heavy query nor a slow reader holds a worker from
 * the others.  Each page is its own statement run, so a slow reader never
 * holds a read snapshot (and the WAL) for long.  A client that goes
 * away cancels its query (a flag checked per row, and sqlite3_interrupt
 * for a statement still searching).  The loop hears from workers through
 * an eventfd.  Writes never happen here.
 *
 * Also here: the loop's lag, measured while queries or transfers run by a
 * 100 ms timer that records how late it fires.
 */
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "aggd.h"
#include "buf.h"
#include "log.h"
#include "proto.h"
#include "search.h"
#include "store.h"
#include "xmalloc.h"

#define QUERY_THREADS		2
#define QUERY_PAGE		256
/* A worker stops filling a page at this many bytes; a query waits aside
 * while its queue holds this much; the loop hands the queue to the client
 * while the client's output is under QUERY_HIGH_WATER. */
#define QUERY_PAGE_BYTES	(256 * 1024)
#define QUERY_QUEUE_MAX		(256 * 1024)
#define QUERY_HIGH_WATER	(256 * 1024)
#define QUERY_MAX_TERMS		64
/* The workers' niceness above the daemon's: see query_worker_main. */
#define QUERY_NICE		10

enum query_stmt {
	QS_LIST,
	QS_LIST_UNREAD,
	QS_LIST_FEED,
	QS_AFTER,
	QS_SEARCH,
	QS_SEARCH_AFTER,
	QS_ITEM,
	QS_FEEDS,
	QS_LOG,
	QS_COUNT
};

#define QUERY_COLUMNS							\
	"SELECT i.id, i.feed_id, f.url, i.guid, i.title, i.link, i.author,"\
	" i.summary, i.content, i.published, i.updated, i.categories,"	\
	" i.enclosures, i.first_seen, i.read, i.sort_time"
#define QUERY_TAG							\
	" AND (?8 IS NULL OR i.feed_id IN"				\
	" (SELECT feed_id FROM feed_tags WHERE tag = ?8))"

/*
 * Parameters: ?1 unread, ?2 since, ?3 the FTS5 expression, ?4/?5 the last
 * row's sort time and id (a search: ?4 the last id walked), ?6 the page
 * size, ?7 the feed, ?8 the tag.  Listings walk an index in order and
 * stop at the page: since and the cursor are ranges of it, and --unread
 * has its own statement so that the partial index of unread items serves
 * it.
 */
static const char *query_sql[QS_COUNT] = {
	[QS_LIST] = QUERY_COLUMNS
	    " FROM items i JOIN feeds f ON f.id = i.feed_id"
	    " WHERE (i.sort_time, i.id) < (?4, ?5) AND i.sort_time >= ?2"
	    QUERY_TAG
	    " ORDER BY i.sort_time DESC, i.id DESC LIMIT ?6",
	[QS_LIST_UNREAD] = QUERY_COLUMNS
	    " FROM items i JOIN feeds f ON f.id = i.feed_id"
	    " WHERE i.read = 0 AND (i.sort_time, i.id) < (?4, ?5)"
	    " AND i.sort_time >= ?2" QUERY_TAG
	    " ORDER BY i.sort_time DESC, i.id DESC LIMIT ?6",
	[QS_LIST_FEED] = QUERY_COLUMNS
	    " FROM items i JOIN feeds f ON f.id = i.feed_id"
	    " WHERE i.feed_id = ?7 AND (i.sort_time, i.id) < (?4, ?5)"
	    " AND i.sort_time >= ?2 AND (?1 = 0 OR i.read = 0)" QUERY_TAG
	    " ORDER BY i.sort_time DESC, i.id DESC LIMIT ?6",
	[QS_AFTER] = QUERY_COLUMNS
	    " FROM items i JOIN feeds f ON f.id = i.feed_id"
	    " WHERE i.id > ?5 AND (?7 IS NULL OR i.feed_id = ?7)"
	    " AND (?1 = 0 OR i.read = 0) AND i.sort_time >= ?2" QUERY_TAG
	    " ORDER BY i.id LIMIT ?6",
	/* The index's rowid is the item's id: a search walks its matches
	 * newest id first, and query_search_run puts them in order. */
	[QS_SEARCH] = "SELECT s.rowid, i.sort_time, i.first_seen"
	    " FROM items_fts s JOIN items i ON i.id = s.rowid"
	    " WHERE s.items_fts MATCH ?3 AND s.rowid < ?4"
	    " AND (?1 = 0 OR i.read = 0) AND (?7 IS NULL OR i.feed_id = ?7)"
	    QUERY_TAG
	    " ORDER BY s.rowid DESC",
	[QS_SEARCH_AFTER] = QUERY_COLUMNS
	    " FROM items_fts s JOIN items i ON i.id = s.rowid"
	    " JOIN feeds f ON f.id = i.feed_id"
	    " WHERE s.items_fts MATCH ?3 AND s.rowid > ?5"
	    " AND i.sort_time >= ?2"
	    " AND (?1 = 0 OR i.read = 0) AND (?7 IS NULL OR i.feed_id = ?7)"
	    QUERY_TAG
	    " ORDER BY s.rowid LIMIT ?6",
	[QS_ITEM] = QUERY_COLUMNS
	    " FROM items i JOIN feeds f ON f.id = i.feed_id WHERE i.id = ?1",
	/*
	 * The other listings walk their table's id from the cursor ?1, ?2
	 * rows a run; ?3 is log's feed, ?4 feeds' tag.  A feed's counts
	 * are columns the writes keep (migration 7), its tags one array.
	 */
	[QS_FEEDS] = "SELECT " STORE_FEED_COLUMNS ", n_items, n_unread,"
	    " (SELECT json_group_array(tag) FROM feed_tags"
	    " WHERE feed_id = feeds.id)"
	    " FROM feeds WHERE id > ?1 AND (?4 IS NULL OR id IN"
	    " (SELECT feed_id FROM feed_tags WHERE tag = ?4))"
	    " ORDER BY id LIMIT ?2",
	[QS_LOG] = "SELECT id, time, feed_id, status, bytes, duration_ms, new,"
	    " changed, error, next_reason FROM fetch_log"
	    " WHERE id < ?1 AND (?3 IS NULL OR feed_id = ?3)"
	    " ORDER BY id DESC LIMIT ?2",
};

enum query_kind {
	QK_ITEMS,
	QK_FEEDS,
	QK_LOG
};

/* A match of a search, by the listing's order: sort time, then id. */
struct query_match {
	int64_t			 t;
	int64_t			 id;
};

struct query {
	/* Set before the query is queued, read-only after. */
	enum query_kind		 kind;
	struct query_items	 p;		/* feeds, log: feed, limit */
	char			*tag;
	struct search		*search;	/* items --search */
	/* Worker only: the search's FTS5 expression, made on the first
	 * page with a worker's tokenizer; check: rows need search_check. */
	char			*match;
	int			 check;
	int			 failing;	/* feeds --failing */
	int64_t			 interval;	/* the configured default */
	json_t			*failed;	/* store_failed_json's copy */
	unsigned int		 client_id;
	/* Worker only: where the next page starts. */
	int64_t			 sent;
	int64_t			 last_t;
	int64_t			 last_id;
	/* A search (query_search_run): matches walked, not yet sent. */
	struct query_match	*heap;
	size_t			 nheap;
	size_t			 heap_cap;
	int64_t			 walk_below;	/* the next walk's ids */
	int64_t			 bound;		/* of sort times not walked */
	int			 walked;	/* all of the matches */
	/* Loop only. */
	struct client		*client;	/* NULL once it has gone */
	/* Under query_pool.lock. */
	struct buf		 out;		/* encoded frames, not yet sent */
	int			 parked;	/* out is full: off the queue */
	int			 done;
	char			*error;		/* the final error frame's */
	atomic_int		 cancel;
	TAILQ_ENTRY(query)	 wait;		/* waiting for a worker */
	TAILQ_ENTRY(query)	 all;
};
TAILQ_HEAD(query_list, query);

struct query_worker {
	pthread_t		 thread;
	sqlite3			*db;
	sqlite3_stmt		*stmt[QS_COUNT];
	struct search_tok	*tok;		/* the search index's tokenizer */
	struct query		*current;	/* under query_pool.lock */
};

static struct {
	pthread_mutex_t		 lock;
	pthread_cond_t		 work;
	struct query_list	 waiting;
	struct query_list	 all;		/* loop's list, under lock */
	int			 stop;
	int			 efd;		/* workers wake the loop */
	struct event		*ev;
	struct query_worker	 workers[QUERY_THREADS];
	int			 nworkers;
	int			 active;	/* loop only: queries not freed */
} query_pool = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.work = PTHREAD_COND_INITIALIZER,
	.efd = -1,
};

/* The lag probe. */
#define QUERY_LAG_MS		100
#define QUERY_LAG_SAMPLES	1024
static struct {
	struct event		*ev;
	struct timespec		 due;
	int			 armed;
	uint32_t		 us[QUERY_LAG_SAMPLES];	/* lateness, µs */
	size_t			 n;			/* samples taken */
} query_lag;

static void	query_lag_cb(evutil_socket_t, short, void *);

static void
query_wake(void)
{
	uint64_t	one = 1;

	/* A full counter still wakes the loop: nothing to do on EAGAIN. */
	if (write(query_pool.efd, &one, sizeof one) == -1 && errno != EAGAIN)
		log_warn("query: eventfd");
}

/* Hand a page to the loop. */
static void
query_push(struct query *q, struct buf *page)
{
	pthread_mutex_lock(&query_pool.lock);
	if (q->out.len == 0)
		query_wake();
	buf_add(&q->out, page->data, page->len);
	pthread_mutex_unlock(&query_pool.lock);
}

static void
query_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

/* Bind what every items statement takes (query_sql's parameters), with
 * cursor as ?4 and want rows as ?6. */
static void
query_bind_items(sqlite3_stmt *st, const struct query *q, int64_t cursor,
    int64_t want)
{
	const struct query_items *p = &q->p;

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sqlite3_bind_int(st, 1, p->unread);
	sqlite3_bind_int64(st, 2, p->since >= 0 ? p->since : INT64_MIN);
	query_bind_text(st, 3, q->match);
	sqlite3_bind_int64(st, 4, cursor);
	sqlite3_bind_int64(st, 5, q->last_id);
	sqlite3_bind_int64(st, 6, want);
	if (p->feed > 0)
		sqlite3_bind_int64(st, 7, p->feed);
	query_bind_text(st, 8, q->tag);
}

/* Rows a page may take: QUERY_PAGE, less what is left of the limit. */
static int64_t
query_page_want(const struct query *q)
{
	int64_t	want = QUERY_PAGE;

	if (q->p.limit >= 0 && q->p.limit - q->sent < want)
		want = q->p.limit - q->sent;
	return (want);
}

/* One row frame onto the page. */
static void
query_page_add(struct buf *page, json_t *data)
{
	json_t	*j = proto_row(data);
	char	*line = proto_encode(j);

	json_decref(j);
	buf_adds(page, line);
	free(line);
}

/*
 * A page's statement stopped at rc: let its snapshot go, hand the page to
 * the loop (or the error, named by what), and say whether more may
 * follow (more, unless the query failed or was cancelled).
 */
static int
query_page_end(struct query_worker *w, struct query *q, sqlite3_stmt *st,
    struct buf *page, int rc, int more, const char *what)
{
	sqlite3_reset(st);
	if (atomic_load(&q->cancel)) {
		more = 0;
		goto out;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		xasprintf(&q->error, "%s: %s", what, sqlite3_errmsg(w->db));
		more = 0;
		goto out;
	}
	if (page->len > 0)
		query_push(q, page);
out:
	buf_release(page);
	return (more);
}

/* Fewer rows than asked, not cut for size, is the end. */
#define QUERY_MORE(rc, n, want)	(!((rc) == SQLITE_DONE && (n) < (want)))

/* The search's heap of matches walked, the listing's first on top. */
static int
query_match_before(const struct query_match *a, const struct query_match *b)
{
	return (a->t > b->t || (a->t == b->t && a->id > b->id));
}

static void
query_heap_push(struct query *q, int64_t t, int64_t id)
{
	struct query_match	 m = { t, id }, tmp;
	size_t			 i, up;

	if (q->nheap == q->heap_cap) {
		q->heap_cap = q->heap_cap == 0 ? 256 : q->heap_cap * 2;
		q->heap = xreallocarray(q->heap, q->heap_cap,
		    sizeof *q->heap);
	}
	i = q->nheap++;
	q->heap[i] = m;
	while (i > 0 && query_match_before(&q->heap[i],
	    &q->heap[up = (i - 1) / 2])) {
		tmp = q->heap[up];
		q->heap[up] = q->heap[i];
		q->heap[i] = tmp;
		i = up;
	}
}

static struct query_match
query_heap_pop(struct query *q)
{
	struct query_match	 top = q->heap[0], tmp;
	size_t			 i = 0, c, best;

	q->heap[0] = q->heap[--q->nheap];
	for (;;) {
		best = i;
		for (c = 2 * i + 1; c <= 2 * i + 2 && c < q->nheap; c++)
			if (query_match_before(&q->heap[c], &q->heap[best]))
				best = c;
		if (best == i)
			break;
		tmp = q->heap[best];
		q->heap[best] = q->heap[i];
		q->heap[i] = tmp;
		i = best;
	}
	return (top);
}

/* Whether a row the index found holds what the search asks for. */
static int
query_search_holds(struct query_worker *w, struct query *q,
    const struct item_record *r)
{
	return (!q->check || search_check(q->search, w->tok, r->item.title,
	    r->item.summary, r->item.content));
}

/* One matched item onto the page: 1, or 0 when it has gone since it
 * was walked or does not hold the search's phrases, or -1 with *rc the
 * statement's error. */
static int
query_search_send(struct query_worker *w, struct query *q, int64_t id,
    struct buf *page, int *rc)
{
	sqlite3_stmt		*st = w->stmt[QS_ITEM];
	struct item_record	 r;
	char			*feed_url;
	int			 sent = 0;

	sqlite3_bind_int64(st, 1, id);
	if ((*rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_item_row(st, &r, &feed_url);
		if ((sent = query_search_holds(w, q, &r)))
			query_page_add(page, item_record_json(&r));
		item_release(&r.item);
		free(feed_url);
		*rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	return (*rc == SQLITE_DONE ? sent : -1);
}

/*
 * One page of a search, newest first.  The index gives matches by id,
 * newest id first; the order is by sort time.  Ids grow with first_seen,
 * and an item's sort time is at most its first_seen plus
 * STORE_SORT_AHEAD (store.h), so once the walk has reached an item, none
 * it has not reached can sort above that item's first_seen plus
 * STORE_SORT_AHEAD: every match walked at or above that bound is sent,
 * the others wait in a heap.  A common word walks about a day's items
 * more than it sends; an item of an old date (a feed added with its
 * archive) waits in the heap until its turn.  The walk goes on where it
 * stopped at the next page, on a new statement run.
 */
static int
query_search_run(struct query_worker *w, struct query *q)
{
	const struct query_items *p = &q->p;
	sqlite3_stmt		*st = w->stmt[QS_SEARCH];
	struct buf		 page;
	struct query_match	 m;
	int64_t			 n = 0, want, t, id, seen;
	int			 rc = SQLITE_DONE;

	if ((want = query_page_want(q)) <= 0)
		return (0);
	buf_init(&page);
	query_bind_items(st, q, q->walk_below, want);
	for (;;) {
		while (n < want && page.len < QUERY_PAGE_BYTES &&
		    q->nheap > 0 && (q->walked || q->heap[0].t >= q->bound)) {
			m = query_heap_pop(q);
			if ((t = query_search_send(w, q, m.id, &page, &rc)) < 0)
				goto out;
			n += t;
		}
		if (n >= want || page.len >= QUERY_PAGE_BYTES || q->walked ||
		    atomic_load(&q->cancel))
			break;
		if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
			q->walked = 1;
			continue;
		}
		if (rc != SQLITE_ROW)
			goto out;
		id = sqlite3_column_int64(st, 0);
		t = sqlite3_column_int64(st, 1);
		seen = sqlite3_column_int64(st, 2);
		q->walk_below = id;
		if (seen < q->bound - STORE_SORT_AHEAD)
			q->bound = seen + STORE_SORT_AHEAD;
		if (p->since < 0 || t >= p->since)
			query_heap_push(q, t, id);
		if (p->since >= 0 && q->bound < p->since)
			q->walked = 1;	/* none further can be as new */
	}
	rc = SQLITE_DONE;
out:
	q->sent += n;
	return (query_page_end(w, q, st, &page, rc,
	    !(q->walked && q->nheap == 0), (rc & 0xff) == SQLITE_ERROR ?
	    "cannot run this search" : "database error"));
}

/* Run one page of q on w's connection: 1 when more may follow. */
static int
query_run(struct query_worker *w, struct query *q)
{
	const struct query_items *p = &q->p;
	sqlite3_stmt	*st;
	struct buf	 page;
	struct item_record r;
	char		*feed_url;
	int64_t		 n, want;
	enum query_stmt	 which;
	int64_t		 walked;
	int		 rc, search = q->search != NULL;

	if (search && q->match == NULL)
		q->match = search_expr(q->search, w->tok, &q->check);
	if (search && p->after < 0)
		return (query_search_run(w, q));
	if (search)
		which = QS_SEARCH_AFTER;
	else if (p->after >= 0)
		which = QS_AFTER;
	else if (p->feed > 0)
		which = QS_LIST_FEED;
	else if (p->unread)
		which = QS_LIST_UNREAD;
	else
		which = QS_LIST;
	st = w->stmt[which];
	if ((want = query_page_want(q)) <= 0)
		return (0);
	buf_init(&page);
	query_bind_items(st, q, q->last_t, want);
	n = walked = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (atomic_load(&q->cancel))
			break;
		q->last_id = sqlite3_column_int64(st, 0);
		q->last_t = sqlite3_column_int64(st, 15);
		walked++;
		store_item_row(st, &r, &feed_url);
		if (!search || query_search_holds(w, q, &r)) {
			query_page_add(&page, item_record_json(&r));
			n++;
		}
		item_release(&r.item);
		free(feed_url);
		if (page.len >= QUERY_PAGE_BYTES)
			break;
	}
	q->sent += n;
	/* The expression was checked: a failure here is the database's.
	 * Before the colon: the client's; all of it: the log's. */
	return (query_page_end(w, q, st, &page, rc,
	    QUERY_MORE(rc, walked, want),
	    search && (rc & 0xff) == SQLITE_ERROR ?
	    "cannot run this search" : "database error"));
}

static json_t	*query_feed_row(struct query *, sqlite3_stmt *);
static json_t	*query_log_row(struct query *, sqlite3_stmt *);

/* What each kind runs: its statement, which way it walks the id, how a
 * row becomes an object (NULL: left out). */
static const struct {
	const char	*name;
	enum query_stmt	 stmt;
	int		 desc;
	json_t		*(*row)(struct query *, sqlite3_stmt *);
} query_kinds[] = {
	[QK_ITEMS] = { "items", QS_LIST, 1, NULL },
	[QK_FEEDS] = { "feeds", QS_FEEDS, 0, query_feed_row },
	[QK_LOG] = { "log", QS_LOG, 1, query_log_row },
};

static json_t *
query_feed_row(struct query *q, sqlite3_stmt *st)
{
	struct store_feed	*f;
	json_t			*o, *tags;
	char			 id[24];
	const char		*failed;
	int			 n = STORE_FEED_NCOLUMNS;

	f = store_feed_read(st);
	tags = json_loads((const char *)sqlite3_column_text(st, n + 2), 0,
	    NULL);
	if (!json_is_array(tags)) {
		json_decref(tags);
		tags = json_array();
	}
	snprintf(id, sizeof id, "%lld", (long long)f->id);
	failed = json_string_value(json_object_get(q->failed, id));
	o = store_feed_object(f, tags, sqlite3_column_int64(st, n),
	    sqlite3_column_int64(st, n + 1), failed, q->interval);
	store_feed_free(f);
	if (q->failing && json_is_null(json_object_get(o, "last_error"))) {
		json_decref(o);
		return (NULL);
	}
	return (o);
}

/* {time, feed_id, status, bytes, duration_ms, new, changed, error,
 * next_fetch_reason} */
static json_t *
query_log_row(struct query *q UNUSED, sqlite3_stmt *st)
{
	json_t	*o;

	o = json_object();
	json_object_set_new(o, "time",
	    json_time_or_null(sqlite3_column_int64(st, 1)));
	json_object_set_new(o, "feed_id",
	    json_integer(sqlite3_column_int64(st, 2)));
	json_object_set_new(o, "status",
	    sqlite3_column_type(st, 3) == SQLITE_NULL ? json_null() :
	    json_integer(sqlite3_column_int64(st, 3)));
	json_object_set_new(o, "bytes",
	    json_integer(sqlite3_column_int64(st, 4)));
	json_object_set_new(o, "duration_ms",
	    json_integer(sqlite3_column_int64(st, 5)));
	json_object_set_new(o, "new",
	    json_integer(sqlite3_column_int64(st, 6)));
	json_object_set_new(o, "changed",
	    json_integer(sqlite3_column_int64(st, 7)));
	json_object_set_new(o, "error", json_str_or_null(
	    (const char *)sqlite3_column_text(st, 8)));
	json_object_set_new(o, "next_fetch_reason", json_str_or_null(
	    (const char *)sqlite3_column_text(st, 9)));
	return (o);
}

/* Run one page of a feeds or log query on w's connection, walking the
 * id (column 0) from where the last page stopped: 1 when more may
 * follow. */
static int
query_run_rows(struct query_worker *w, struct query *q)
{
	sqlite3_stmt	*st = w->stmt[query_kinds[q->kind].stmt];
	int64_t		 n, want;
	struct buf	 page;
	json_t		*j;
	int		 rc;

	if ((want = query_page_want(q)) <= 0)
		return (0);
	buf_init(&page);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sqlite3_bind_int64(st, 1, q->last_id);
	sqlite3_bind_int64(st, 2, want);
	if (q->p.feed > 0)
		sqlite3_bind_int64(st, 3, q->p.feed);
	if (q->tag != NULL)
		query_bind_text(st, 4, q->tag);
	n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (atomic_load(&q->cancel))
			break;
		q->last_id = sqlite3_column_int64(st, 0);
		n++;
		if ((j = query_kinds[q->kind].row(q, st)) == NULL)
			continue;
		query_page_add(&page, j);
		q->sent++;
		if (page.len >= QUERY_PAGE_BYTES)
			break;
	}
	return (query_page_end(w, q, st, &page, rc, QUERY_MORE(rc, n, want),
	    "database error"));
}

static void *
query_worker_main(void *arg)
{
	struct query_worker	*w = arg;
	struct query		*q;
	pid_t			 tid = (pid_t)syscall(SYS_gettid);
	int			 more;

	/*
	 * A heavy query is bulk work beside the loop on a machine of few
	 * cores: at equal weight the scheduler shares a core between them
	 * in slices of milliseconds, and status, a poll or a hook waits a
	 * slice whenever the loop wakes behind a worker.  Niced, a worker
	 * yields the core as soon as the loop wants it.  On Linux the
	 * niceness of a thread is its own (setpriority on its id).
	 */
	errno = 0;
	if (setpriority(PRIO_PROCESS, (id_t)tid,
	    getpriority(PRIO_PROCESS, (id_t)tid) + QUERY_NICE) == -1)
		log_warn("query: cannot lower thread %d's priority",
		    (int)tid);

	pthread_mutex_lock(&query_pool.lock);
	for (;;) {
		while (!query_pool.stop && TAILQ_EMPTY(&query_pool.waiting))
			pthread_cond_wait(&query_pool.work, &query_pool.lock);
		if (query_pool.stop)
			break;
		q = TAILQ_FIRST(&query_pool.waiting);
		TAILQ_REMOVE(&query_pool.waiting, q, wait);
		w->current = q;
		pthread_mutex_unlock(&query_pool.lock);
		more = 0;
		if (!atomic_load(&q->cancel))
			more = q->kind == QK_ITEMS ? query_run(w, q) :
			    query_run_rows(w, q);
		pthread_mutex_lock(&query_pool.lock);
		w->current = NULL;
		/*
		 * A page at a time, then to the back of the queue: however
		 * many heavy queries run, a small one waits a page, not a
		 * query.  A query whose client has not taken what it has
		 * waits off the queue, holding no worker, until the loop
		 * hands its output over.
		 */
		if (!more || atomic_load(&q->cancel)) {
			q->done = 1;
			query_wake();
		} else if (q->out.len >= QUERY_QUEUE_MAX)
			q->parked = 1;
		else
			TAILQ_INSERT_TAIL(&query_pool.waiting, q, wait);
	}
	pthread_mutex_unlock(&query_pool.lock);
	return (NULL);
}

static void
query_free_one(struct query *q)
{
	TAILQ_REMOVE(&query_pool.all, q, all);
	query_pool.active--;
	buf_release(&q->out);
	free(q->error);
	json_decref(q->failed);
	free(q->tag);
	free(q->match);
	search_free(q->search);
	free(q->heap);
	free(q);
}

/*
 * Loop side: move what q's worker produced to its client while the client
 * keeps up, and finish q when its worker is done and all is sent.
 */
static void
query_service(struct query *q)
{
	struct buf	 take;
	struct client	*c = q->client;
	int		 done;
	char		*error = NULL;

	buf_init(&take);
	pthread_mutex_lock(&query_pool.lock);
	if (c != NULL && server_client_pending(c) < QUERY_HIGH_WATER &&
	    q->out.len > 0) {
		take = q->out;
		buf_init(&q->out);
	}
	if (c == NULL)
		buf_clear(&q->out);	/* nobody to send it to */
	if (q->parked && q->out.len == 0) {
		q->parked = 0;
		TAILQ_INSERT_TAIL(&query_pool.waiting, q, wait);
		pthread_cond_signal(&query_pool.work);
	}
	done = q->done && q->out.len == 0;
	if (done) {
		error = q->error;
		q->error = NULL;
	}
	pthread_mutex_unlock(&query_pool.lock);
	if (take.len > 0)
		server_client_send_raw(c, take.data, take.len);
	buf_release(&take);
	if (!done) {
		free(error);
		return;
	}
	if (c != NULL) {
		server_client_set_close(c, NULL, NULL);
		server_client_set_drain(c, NULL, NULL);
		if (error != NULL) {
			log_warnx("client %u: %s: %s", q->client_id,
			    query_kinds[q->kind].name, error);
			/* The first part is the user's; the reason the log's. */
			*strchr(error, ':') = '\0';
			server_client_send(c, proto_error("%s", error));
		} else
			server_client_send(c, proto_end());
		server_client_done(c);
	}
	free(error);
	query_free_one(q);
}

static void
query_wake_cb(evutil_socket_t fd, short what UNUSED, void *arg UNUSED)
{
	struct query	*q, *next;
	uint64_t	 n;

	if (read(fd, &n, sizeof n) == -1 && errno != EAGAIN)
		log_warn("query: eventfd");
	for (q = TAILQ_FIRST(&query_pool.all); q != NULL; q = next) {
		next = TAILQ_NEXT(q, all);
		query_service(q);
	}
}

static void
query_drain_cb(struct client *c UNUSED, void *arg)
{
	query_service(arg);
}

/* The client went away: stop its query where it is. */
static void
query_close_cb(struct client *c UNUSED, void *arg)
{
	struct query	*q = arg;
	int		 i;

	q->client = NULL;
	pthread_mutex_lock(&query_pool.lock);
	atomic_store(&q->cancel, 1);
	if (q->parked) {
		/* No worker holds it, none will: it ends here. */
		q->parked = 0;
		q->done = 1;
		query_wake();
	}
	for (i = 0; i < query_pool.nworkers; i++)
		if (query_pool.workers[i].current == q)
			sqlite3_interrupt(query_pool.workers[i].db);
	pthread_mutex_unlock(&query_pool.lock);
	log_info("client %u: gone mid-reply, its query stopped",
	    q->client_id);
}

/* Queue q for a worker; its rows go to c. */
static void
query_start(struct client *c, struct query *q)
{
	q->client = c;
	q->client_id = server_client_id(c);
	q->last_t = q->walk_below = q->bound = INT64_MAX;
	if (q->kind == QK_ITEMS)
		q->last_id = q->p.after >= 0 ? q->p.after : INT64_MAX;
	else
		q->last_id = query_kinds[q->kind].desc ? INT64_MAX : 0;
	buf_init(&q->out);
	atomic_init(&q->cancel, 0);
	server_client_streaming(c);
	server_client_set_close(c, query_close_cb, q);
	server_client_set_drain(c, query_drain_cb, q);
	pthread_mutex_lock(&query_pool.lock);
	TAILQ_INSERT_TAIL(&query_pool.all, q, all);
	TAILQ_INSERT_TAIL(&query_pool.waiting, q, wait);
	pthread_cond_signal(&query_pool.work);
	pthread_mutex_unlock(&query_pool.lock);
	query_pool.active++;
	query_lag_watch();
}

void
query_items(struct client *c, const struct query_items *p)
{
	struct query	*q;
	char		*cause = NULL;

	q = xcalloc(1, sizeof *q);
	q->kind = QK_ITEMS;
	q->p = *p;
	if (p->search != NULL && *p->search != '\0') {
		if ((q->search = search_parse(p->search, &cause)) == NULL) {
			server_client_send(c, proto_error("bad search: %s",
			    cause));
			free(cause);
			free(q);
			return;
		}
	}
	q->p.search = NULL;
	if (p->tag != NULL)
		q->tag = xstrdup(p->tag);
	q->p.tag = NULL;
	query_start(c, q);
}

void
query_feeds(struct client *c, int failing, const char *tag)
{
	struct query	*q;

	q = xcalloc(1, sizeof *q);
	q->kind = QK_FEEDS;
	q->p.limit = -1;
	q->failing = failing;
	if (tag != NULL)
		q->tag = xstrdup(tag);
	/* Read here, on the loop, whose they are. */
	q->interval = aggd->conf->interval;
	q->failed = store_failed_json(aggd->store);
	query_start(c, q);
}

void
query_log(struct client *c, int64_t feed, int64_t limit)
{
	struct query	*q;

	q = xcalloc(1, sizeof *q);
	q->kind = QK_LOG;
	q->p.feed = feed;
	q->p.limit = limit;
	query_start(c, q);
}

static int
query_worker_open(struct query_worker *w, const char *path, char **cause)
{
	char	*err = NULL;
	int	 i;

	if (sqlite3_open_v2(path, &w->db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		xasprintf(cause, "cannot open database %s for reading: %s",
		    path, w->db != NULL ? sqlite3_errmsg(w->db) :
		    "out of memory");
		return (-1);
	}
	sqlite3_busy_timeout(w->db, 5000);
	sqlite3_exec(w->db, "PRAGMA cache_size = -16384;", NULL, NULL, NULL);
	for (i = 0; i < QS_COUNT; i++) {
		if (sqlite3_prepare_v3(w->db, query_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &w->stmt[i], NULL) !=
		    SQLITE_OK) {
			xasprintf(cause, "database %s: preparing query %d: %s",
			    path, i, sqlite3_errmsg(w->db));
			return (-1);
		}
	}
	if ((w->tok = search_tok_open(w->db, &err)) == NULL) {
		xasprintf(cause, "database %s: search: %s", path, err);
		free(err);
		return (-1);
	}
	return (0);
}

int
query_init(struct event_base *base, const char *path, char **cause)
{
	struct query_worker	*w;
	int			 i, rc;

	TAILQ_INIT(&query_pool.waiting);
	TAILQ_INIT(&query_pool.all);
	query_pool.stop = 0;
	if ((query_pool.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		xasprintf(cause, "eventfd: %s", strerror(errno));
		return (-1);
	}
	query_pool.ev = event_new(base, query_pool.efd, EV_READ | EV_PERSIST,
	    query_wake_cb, NULL);
	event_add(query_pool.ev, NULL);
	query_lag.ev = evtimer_new(base, query_lag_cb, NULL);
	for (i = 0; i < QUERY_THREADS; i++) {
		w = &query_pool.workers[i];
		if (query_worker_open(w, path, cause) != 0)
			return (-1);
		if ((rc = pthread_create(&w->thread, NULL, query_worker_main,
		    w)) != 0) {
			xasprintf(cause, "cannot start a query thread: %s",
			    strerror(rc));
			return (-1);
		}
		query_pool.nworkers++;
	}
	return (0);
}

void
query_free(void)
{
	struct query_worker	*w;
	struct query		*q;
	int			 i, k;

	pthread_mutex_lock(&query_pool.lock);
	query_pool.stop = 1;
	TAILQ_FOREACH(q, &query_pool.all, all) {
		atomic_store(&q->cancel, 1);
	}
	for (i = 0; i < query_pool.nworkers; i++)
		if (query_pool.workers[i].db != NULL)
			sqlite3_interrupt(query_pool.workers[i].db);
	pthread_cond_broadcast(&query_pool.work);
	pthread_mutex_unlock(&query_pool.lock);
	for (i = 0; i < QUERY_THREADS; i++) {
		w = &query_pool.workers[i];
		if (i < query_pool.nworkers)
			pthread_join(w->thread, NULL);
		for (k = 0; k < QS_COUNT; k++)
			sqlite3_finalize(w->stmt[k]);
		search_tok_close(w->tok);
		if (w->db != NULL)
			sqlite3_close(w->db);
		memset(w, 0, sizeof *w);
	}
	query_pool.nworkers = 0;
	while ((q = TAILQ_FIRST(&query_pool.all)) != NULL)
		query_free_one(q);
	if (query_pool.ev != NULL)
		event_free(query_pool.ev);
	query_pool.ev = NULL;
	if (query_pool.efd != -1)
		close(query_pool.efd);
	query_pool.efd = -1;
	if (query_lag.ev != NULL)
		event_free(query_lag.ev);
	query_lag.ev = NULL;
}

/* The lag probe: how late a 100 ms timer fires, while there is work. */
static void
query_lag_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg UNUSED)
{
	struct timespec	now;
	int64_t		late;

	clock_gettime(CLOCK_MONOTONIC, &now);
	late = (now.tv_sec - query_lag.due.tv_sec) * 1000000 +
	    (now.tv_nsec - query_lag.due.tv_nsec) / 1000;
	if (late < 0)
		late = 0;
	if (late > UINT32_MAX)
		late = UINT32_MAX;
	query_lag.us[query_lag.n++ % QUERY_LAG_SAMPLES] = (uint32_t)late;
	query_lag.armed = 0;
	query_lag_watch();
}

/* Keep the lag probe running while there is work (queries, transfers);
 * it stops by itself when there is none. */
void
query_lag_watch(void)
{
	struct timeval	tv = { 0, QUERY_LAG_MS * 1000 };

	if (query_lag.ev == NULL || query_lag.armed)
		return;
	if (query_pool.active == 0 && aggd->transfers == 0)
		return;		/* idle: no periodic wakeups */
	clock_gettime(CLOCK_MONOTONIC, &query_lag.due);
	query_lag.due.tv_nsec += QUERY_LAG_MS * 1000000L;
	if (query_lag.due.tv_nsec >= 1000000000L) {
		query_lag.due.tv_sec++;
		query_lag.due.tv_nsec -= 1000000000L;
	}
	evtimer_add(query_lag.ev, &tv);
	query_lag.armed = 1;
}

static int
query_u32cmp(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x < y ? -1 : x > y);
}

/* {"p50", "p99", "max", "samples"} over the last samples, in ms. */
json_t *
query_lag_json(void)
{
	uint32_t	 v[QUERY_LAG_SAMPLES];
	size_t		 n = query_lag.n < QUERY_LAG_SAMPLES ? query_lag.n :
			    QUERY_LAG_SAMPLES;

	if (n == 0)
		return (json_pack("{s:n, s:n, s:n, s:I}", "p50", "p99", "max",
		    "samples", (json_int_t)0));
	memcpy(v, query_lag.us, n * sizeof *v);
	qsort(v, n, sizeof *v, query_u32cmp);
	return (json_pack("{s:f, s:f, s:f, s:I}",
	    "p50", v[(n - 1) / 2] / 1000.0,
	    "p99", v[(n * 99 + 99) / 100 - 1] / 1000.0,
	    "max", v[n - 1] / 1000.0,
	    "samples", (json_int_t)query_lag.n));
}
