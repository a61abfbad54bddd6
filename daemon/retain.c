/*
 * Retention: items first seen longer ago than their feed's retain, and a
 * feed's oldest items past its retain_items, are removed in the
 * background, one transaction per loop turn, so that fetches, hooks and
 * clients go on between batches.  A batch is sized to take about
 * RETAIN_BUDGET_US of the loop (from RETAIN_BATCH_MIN to RETAIN_BATCH
 * rows; an item's removal costs its search index entry, so the size
 * follows what the last batches took): a client waits at most about that
 * long per step of its request, however many items go.  Removal itself
 * (and the tombstone each item leaves) is store_items_purge's; an item a
 * hook is still owed is skipped and looked at again later.  Then free
 * pages are given back to the file system a few at a time
 * (store_vacuum_step).
 *
 * Two kinds of work: a feed that just stored items is looked at soon
 * (retain_feed_added), and every feed is walked once a pass, hourly (more
 * often when the configured retain is short), which also drops the
 * tombstones of items their feed stopped serving RETAIN_TOMB_GRACE ago.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aggd.h"
#include "log.h"
#include "store.h"
#include "xmalloc.h"

#define RETAIN_BATCH		256	/* rows removed per transaction, at most */
#define RETAIN_BATCH_MIN	8	/* and at least, when there are so many */
#define RETAIN_BUDGET_US	5000	/* what a batch aims to take */
#define RETAIN_FEEDS		64	/* feeds read per turn of a pass */
#define RETAIN_PERIOD		3600	/* s between passes, at most */
#define RETAIN_SOON		1	/* s after a feed stored items */
#define RETAIN_HELD		5	/* s between looks at held items */
#define RETAIN_VACUUM_PAGES	256	/* pages given back per turn */
#define RETAIN_TOMB_GRACE	(30 * 86400)

static struct {
	struct event	*turn;		/* one batch */
	struct event	*pass;		/* starts a pass */
	int64_t		*dirty;		/* feeds to look at soon */
	size_t		 ndirty;
	size_t		 dirtycap;
	int64_t		*held;		/* feeds with items owed to hooks */
	size_t		 nheld;
	size_t		 heldcap;
	int		 passing;	/* a pass is walking the feeds */
	int64_t		 cursor;	/* its last feed done */
	int		 vacuum;	/* free pages may be given back */
	int64_t		 removed;	/* since the last report */
	int64_t		 dropped;	/* tombstones, likewise */
	int64_t		 batches;
	size_t		 batch;		/* rows in the next batch, at most */
	struct {
		int64_t	 feed;
		int64_t	 before;
		int64_t	 n;
	}		 tombs[RETAIN_FEEDS];	/* to drop in this batch */
	size_t		 ntombs;
} retain;

static void	retain_schedule(int);

static int
retain_has(const int64_t *v, size_t n, int64_t id)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (v[i] == id)
			return (1);
	return (0);
}

static void
retain_push(int64_t **v, size_t *n, size_t *cap, int64_t id)
{
	if (retain_has(*v, *n, id))
		return;
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xreallocarray(*v, *cap, sizeof **v);
	}
	(*v)[(*n)++] = id;
}

/* A feed stored new items: look at its limits soon. */
void
retain_feed_added(int64_t feed_id)
{
	struct timeval	tv = { RETAIN_SOON, 0 };

	if (retain.turn == NULL)
		return;
	retain_push(&retain.dirty, &retain.ndirty, &retain.dirtycap, feed_id);
	if (!evtimer_pending(retain.turn, NULL))
		evtimer_add(retain.turn, &tv);
}

struct retain_feed {
	int64_t	id;
	int64_t	retain;		/* s, 0: forever */
	int64_t	cap;		/* items, 0: no cap */
	int64_t	parsed;		/* -1: never */
};

static int
retain_feed_read(struct store *s, int64_t id, struct retain_feed *f)
{
	sqlite3_stmt	*st = store_stmt(s, STMT_RETAIN_FEEDS);
	int		 found = 0;

	/* The walk's statement, from just below id, for one feed. */
	sqlite3_bind_int64(st, 1, id - 1);
	sqlite3_bind_int64(st, 2, aggd->conf->retain);
	sqlite3_bind_int64(st, 3, aggd->conf->retain_items);
	sqlite3_bind_int(st, 4, 1);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_int64(st, 0) == id) {
		f->id = id;
		f->retain = sqlite3_column_int64(st, 1);
		f->cap = sqlite3_column_int64(st, 2);
		f->parsed = store_col_int(st, 3, -1);
		found = 1;
	}
	sqlite3_reset(st);
	return (found);
}

/* Add to ids what f has to lose, up to room: returns how many. */
static size_t
retain_feed_pick(struct store *s, const struct retain_feed *f, int64_t now,
    int64_t *ids, size_t room)
{
	sqlite3_stmt	*st;
	size_t		 n = 0;

	if (f->retain > 0 && room > 0) {
		st = store_stmt(s, STMT_RETAIN_OLD);
		sqlite3_bind_int64(st, 1, f->id);
		sqlite3_bind_int64(st, 2, now - f->retain);
		sqlite3_bind_int64(st, 3, (int64_t)room);
		while (n < room && sqlite3_step(st) == SQLITE_ROW)
			ids[n++] = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	if (f->cap > 0 && n < room) {
		st = store_stmt(s, STMT_RETAIN_EXCESS);
		sqlite3_bind_int64(st, 1, f->id);
		sqlite3_bind_int64(st, 2, f->cap);
		sqlite3_bind_int64(st, 3, (int64_t)(room - n));
		while (n < room && sqlite3_step(st) == SQLITE_ROW)
			ids[n++] = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	return (n);
}

/* After its items went: does f keep some only for their deliveries? */
static int
retain_feed_held(struct store *s, const struct retain_feed *f, int64_t now)
{
	sqlite3_stmt	*st = store_stmt(s, STMT_RETAIN_HELD);
	int64_t		 n = 0;

	if (f->retain <= 0 && f->cap <= 0)
		return (0);
	sqlite3_bind_int64(st, 1, f->id);
	sqlite3_bind_int64(st, 2, f->cap > 0 ? f->cap : INT64_MAX);
	sqlite3_bind_int64(st, 3, f->retain > 0 ? now - f->retain : 0);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return (n > 0);
}

/* How many tombstones of f (up to room) are of items its documents
 * stopped carrying: they are dropped in the batch's transaction. */
static size_t
retain_tombs(struct store *s, const struct retain_feed *f, size_t room)
{
	sqlite3_stmt	*st = store_stmt(s, STMT_TOMB_OLD);
	size_t		 n = 0;

	if (f->parsed < 0 || room == 0)
		return (0);
	sqlite3_bind_int64(st, 1, f->id);
	sqlite3_bind_int64(st, 2, f->parsed - RETAIN_TOMB_GRACE);
	sqlite3_bind_int64(st, 3, (int64_t)room);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (n > 0 && retain.ntombs < nitems(retain.tombs)) {
		retain.tombs[retain.ntombs].feed = f->id;
		retain.tombs[retain.ntombs].before =
		    f->parsed - RETAIN_TOMB_GRACE;
		retain.tombs[retain.ntombs++].n = (int64_t)n;
	}
	return (n);
}

/* Drop what retain_tombs found, in the caller's transaction. */
static int
retain_tombs_drop(struct store *s)
{
	sqlite3_stmt	*st;
	size_t		 i;

	for (i = 0; i < retain.ntombs; i++) {
		st = store_stmt(s, STMT_TOMB_PRUNE);
		sqlite3_bind_int64(st, 1, retain.tombs[i].feed);
		sqlite3_bind_int64(st, 2, retain.tombs[i].before);
		sqlite3_bind_int64(st, 3, retain.tombs[i].n);
		if (store_exec(s, st) != 0)
			return (-1);
		retain.dropped += sqlite3_changes(store_db(s));
	}
	return (0);
}

/*
 * Fill one batch: dirty feeds first, then the pass's next feeds.  A feed
 * whose work does not fit stays where it is for the next turn.  Returns
 * the ids to remove (*n of them) and the tombstones to drop (retain.tombs).
 * Only reads: a turn with nothing to do writes nothing.
 */
static void
retain_collect(struct store *s, int64_t now, int64_t *ids, size_t *n)
{
	struct retain_feed	 f;
	sqlite3_stmt		*st;
	int64_t			 walk[RETAIN_FEEDS];
	size_t			 nwalk = 0, i, got, t;
	int			 found;

	*n = 0;
	retain.ntombs = 0;
	while (retain.ndirty > 0 && *n < retain.batch) {
		found = retain_feed_read(s, retain.dirty[0], &f);
		got = found ? retain_feed_pick(s, &f, now, ids + *n,
		    retain.batch - *n) : 0;	/* not found: removed */
		*n += got;
		if (*n == retain.batch)
			break;		/* it may have more */
		memmove(retain.dirty, retain.dirty + 1,
		    (--retain.ndirty) * sizeof *retain.dirty);
		if (found && retain_feed_held(s, &f, now))
			retain_push(&retain.held, &retain.nheld,
			    &retain.heldcap, f.id);
	}
	if (!retain.passing || *n == retain.batch)
		return;
	st = store_stmt(s, STMT_RETAIN_FEEDS);
	sqlite3_bind_int64(st, 1, retain.cursor);
	sqlite3_bind_int64(st, 2, aggd->conf->retain);
	sqlite3_bind_int64(st, 3, aggd->conf->retain_items);
	sqlite3_bind_int(st, 4, RETAIN_FEEDS);
	while (nwalk < RETAIN_FEEDS && sqlite3_step(st) == SQLITE_ROW)
		walk[nwalk++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	for (i = 0; i < nwalk; i++) {
		if (!retain_feed_read(s, walk[i], &f))
			continue;
		got = retain_feed_pick(s, &f, now, ids + *n,
		    retain.batch - *n);
		*n += got;
		t = retain_tombs(s, &f, retain.batch - *n);
		if (*n + t >= retain.batch)
			return;		/* this feed again next turn */
		if (retain_feed_held(s, &f, now))
			retain_push(&retain.held, &retain.nheld,
			    &retain.heldcap, f.id);
		retain.cursor = f.id;
	}
	if (nwalk < RETAIN_FEEDS)
		retain.passing = 0;	/* walked every feed */
}

static int64_t
retain_now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

/*
 * A batch of n rows took us: size the next one to take RETAIN_BUDGET_US,
 * growing at most twofold, and only after a full batch (a short one says
 * nothing of a larger one's time).
 */
static void
retain_size(size_t n, int64_t us)
{
	int64_t	want;

	if (n == 0 || (n < retain.batch && us <= RETAIN_BUDGET_US))
		return;
	want = (int64_t)n * RETAIN_BUDGET_US / (us > 0 ? us : 1);
	if (want > (int64_t)retain.batch * 2)
		want = (int64_t)retain.batch * 2;
	if (want > RETAIN_BATCH)
		want = RETAIN_BATCH;
	if (want < RETAIN_BATCH_MIN)
		want = RETAIN_BATCH_MIN;
	retain.batch = (size_t)want;
}

static void
retain_report(void)
{
	if (retain.removed == 0 && retain.dropped == 0)
		return;
	log_info("database %s: retention removed %lld items in %lld "
	    "batches, dropped %lld tombstones", store_path(aggd->store),
	    (long long)retain.removed, (long long)retain.batches,
	    (long long)retain.dropped);
	retain.removed = retain.dropped = retain.batches = 0;
	retain.vacuum = 1;
}

static void
retain_turn_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg UNUSED)
{
	struct store	*s = aggd->store;
	int64_t		 ids[RETAIN_BATCH], now = time(NULL), t0;
	size_t		 n = 0, i, nheld;

	if (retain.ndirty > 0 || retain.passing) {
		t0 = retain_now_us();
		retain_collect(s, now, ids, &n);
		if (n == 0 && retain.ntombs == 0) {
			retain_schedule(0);
			return;
		}
		if (store_begin(s) != 0)
			goto retry;
		if (retain_tombs_drop(s) != 0 ||
		    store_items_purge(s, ids, n, now) != 0) {
			store_rollback(s);
			goto retry;
		}
		if (store_commit(s) != 0)
			goto retry;
		retain_size(n, retain_now_us() - t0);
		if (n > 0) {
			retain.removed += n;
			retain.batches++;
			log_debug("database %s: retention batch of %zu items",
			    store_path(s), n);
		}
		retain_schedule(0);
		return;
	}
	retain_report();
	if (retain.vacuum) {
		if (store_vacuum_step(s, RETAIN_VACUUM_PAGES) > 0) {
			retain_schedule(0);
			return;
		}
		retain.vacuum = 0;
	}
	/* Feeds kept items for their hooks: look again later. */
	if (retain.nheld > 0) {
		nheld = retain.nheld;
		retain.nheld = 0;
		for (i = 0; i < nheld; i++)
			retain_push(&retain.dirty, &retain.ndirty,
			    &retain.dirtycap, retain.held[i]);
		retain_schedule(RETAIN_HELD);
	}
	return;
retry:
	log_warnx("database %s: retention batch failed; retrying in %d s",
	    store_path(s), RETAIN_HELD);
	retain_schedule(RETAIN_HELD);
}

static void
retain_schedule(int secs)
{
	struct timeval	tv = { secs, 0 };

	evtimer_add(retain.turn, &tv);
}

/* A pass over every feed: hourly, or at a quarter of the shortest
 * configured retain. */
static int64_t
retain_period(void)
{
	struct config_feed	*cf;
	int64_t			 p = RETAIN_PERIOD;

	if (aggd->conf->retain > 0 && aggd->conf->retain / 4 < p)
		p = aggd->conf->retain / 4;
	TAILQ_FOREACH(cf, &aggd->conf->feeds, entry)
		if (cf->retain > 0 && cf->retain / 4 < p)
			p = cf->retain / 4;
	return (p < 1 ? 1 : p);
}

static void
retain_pass_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg UNUSED)
{
	struct timeval	tv = { (time_t)retain_period(), 0 };

	if (!retain.passing) {
		retain.passing = 1;
		retain.cursor = 0;
	}
	if (!evtimer_pending(retain.turn, NULL))
		retain_schedule(0);
	evtimer_add(retain.pass, &tv);
}

void
retain_init(struct event_base *base)
{
	struct timeval	tv = { 5, 0 };

	retain.batch = RETAIN_BATCH_MIN;
	retain.turn = evtimer_new(base, retain_turn_cb, NULL);
	retain.pass = evtimer_new(base, retain_pass_cb, NULL);
	/* The first pass a little after start, once the socket answers. */
	evtimer_add(retain.pass, &tv);
}

/* The configuration changed: a pass now, at the new period. */
void
retain_kick(void)
{
	struct timeval	tv = { 0, 0 };

	if (retain.pass != NULL)
		evtimer_add(retain.pass, &tv);
}

void
retain_free(void)
{
	if (retain.turn != NULL)
		event_free(retain.turn);
	if (retain.pass != NULL)
		event_free(retain.pass);
	free(retain.dirty);
	free(retain.held);
	memset(&retain, 0, sizeof retain);
}
