/*
 * refresh over the socket: poll the named feeds (or all) now, whatever
 * their interval or backoff, except inside a Retry-After the server gave;
 * with "wait", answer once those polls are over, naming the feeds whose
 * poll failed.  fetch.c knows nothing of the waiting: it reports each
 * feed's end through cmd_fetch_done().
 */
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aggd.h"
#include "cmd.h"
#include "fetch.h"
#include "proto.h"
#include "timefmt.h"
#include "xmalloc.h"

/* One feed a waiter waits on. */
struct cmd_wait_feed {
	int64_t		 id;
	char		*url;
	int		 done;
	int		 failed;
};

/* A refresh --wait client, answered when all its feeds are done. */
struct cmd_waiter {
	struct client		*client;
	struct cmd_wait_feed	*feeds;		/* sorted by id, for bsearch */
	size_t			 nfeeds;
	size_t			 done;
	int			 progress;
	json_t			*failed;	/* [{"id","url","error"}] */
	LIST_ENTRY(cmd_waiter)	 entry;
};
LIST_HEAD(cmd_waiters, cmd_waiter);

static struct cmd_waiters	 cmd_waiters = LIST_HEAD_INITIALIZER(cmd_waiters);

struct cmd_refresh_ctx {
	struct cmd_wait_feed	*go;		/* queued */
	size_t			 ngo;
	json_t			*skipped;	/* inside a Retry-After */
	int64_t			 now;
	int			 all;
};

static int
cmd_fetch_cmp(const void *a, const void *b)
{
	int64_t	x = ((const struct cmd_wait_feed *)a)->id;
	int64_t	y = ((const struct cmd_wait_feed *)b)->id;

	return (x < y ? -1 : x > y);
}

static void
cmd_fetch_waiter_free(struct cmd_waiter *w)
{
	size_t	i;

	for (i = 0; i < w->nfeeds; i++)
		free(w->feeds[i].url);
	free(w->feeds);
	json_decref(w->failed);
	free(w);
}

static void
cmd_fetch_fail(struct cmd_waiter *w, struct cmd_wait_feed *wf,
    const char *error)
{
	wf->failed = 1;
	json_array_append_new(w->failed, json_pack("{s:I, s:s, s:s}", "id",
	    (json_int_t)wf->id, "url", wf->url, "error", error));
}

/* The client went away while waiting. */
static void
cmd_fetch_waiter_close_cb(struct client *c UNUSED, void *arg)
{
	struct cmd_waiter	*w = arg;

	LIST_REMOVE(w, entry);
	cmd_fetch_waiter_free(w);
}

/* Answer a waiter already off the list: its feeds are all done. */
static void
cmd_fetch_waiter_finish(struct cmd_waiter *w)
{
	const char	*error;
	size_t		 i;

	/*
	 * What the client waited for is on disk before it hears so.  A
	 * group commit that fails here leaves its feeds' errors with the
	 * store (store_failed): those polls failed too.
	 */
	store_flush(aggd->store);
	for (i = 0; i < w->nfeeds; i++) {
		if (!w->feeds[i].failed &&
		    (error = store_failed(aggd->store, w->feeds[i].id)) != NULL)
			cmd_fetch_fail(w, &w->feeds[i], error);
	}
	server_client_set_close(w->client, NULL, NULL);
	server_client_send(w->client, proto_ok(json_pack("{s:I, s:O}",
	    "feeds", (json_int_t)w->nfeeds, "failed", w->failed)));
	server_client_done(w->client);
	server_client_unref(w->client);
	cmd_fetch_waiter_free(w);
}

/*
 * A feed's poll ended (or was cancelled): count it for every waiter that
 * waits on it.  Called once per finished transfer, so a refresh --wait of
 * 10,000 feeds must not scan its list each time: the ids are sorted.
 * Waiters are answered after the walk, since answering one may run that
 * client's next request, which may end another poll and come back here.
 */
void
cmd_fetch_done(int64_t id, const char *error)
{
	struct cmd_waiters	 ready = LIST_HEAD_INITIALIZER(ready);
	struct cmd_waiter	*w, *next;
	struct cmd_wait_feed	 key, *wf;

	key.id = id;
	for (w = LIST_FIRST(&cmd_waiters); w != NULL; w = next) {
		next = LIST_NEXT(w, entry);
		wf = bsearch(&key, w->feeds, w->nfeeds, sizeof *w->feeds,
		    cmd_fetch_cmp);
		if (wf == NULL || wf->done)
			continue;
		wf->done = 1;
		w->done++;
		if (error != NULL)
			cmd_fetch_fail(w, wf, error);
		if (w->done == w->nfeeds) {
			LIST_REMOVE(w, entry);
			LIST_INSERT_HEAD(&ready, w, entry);
		}
		/* Last: a client too far behind is closed on the spot, and
		 * its close callback frees w. */
		if (w->progress)
			server_client_send(w->client, json_pack(
			    "{s:s, s:I, s:I, s:I}", "type", "progress",
			    "feed", (json_int_t)id, "done",
			    (json_int_t)w->done, "total",
			    (json_int_t)w->nfeeds));
	}
	while ((w = LIST_FIRST(&ready)) != NULL) {
		LIST_REMOVE(w, entry);
		cmd_fetch_waiter_finish(w);
	}
}

/*
 * Wait on the feeds in go (taken over), registered before their polls
 * start: a poll that cannot even start ends at once and must be heard.
 */
static void
cmd_fetch_wait(struct client *c, struct cmd_wait_feed *go, size_t n,
    int progress)
{
	struct cmd_waiter	*w;
	size_t			 i, m = 0;

	/* The same feed named twice is waited on once; one not queued
	 * (there is nothing to wait for) not at all. */
	if (n > 0)
		qsort(go, n, sizeof *go, cmd_fetch_cmp);
	for (i = 0; i < n; i++) {
		if ((m > 0 && go[m - 1].id == go[i].id) ||
		    !fetch_active(go[i].id)) {
			free(go[i].url);
			continue;
		}
		go[m++] = go[i];
	}
	w = xcalloc(1, sizeof *w);
	w->client = c;
	w->feeds = go;
	w->nfeeds = m;
	w->progress = progress;
	w->failed = json_array();
	server_client_ref(c);
	server_client_busy(c);
	server_client_set_close(c, cmd_fetch_waiter_close_cb, w);
	if (m == 0)
		cmd_fetch_waiter_finish(w);
	else
		LIST_INSERT_HEAD(&cmd_waiters, w, entry);
}

/* One feed, read once: queue it, or say why not. */
static void
cmd_refresh_one(struct store_feed *f, void *arg)
{
	struct cmd_refresh_ctx	*ctx = arg;
	char			 when[32];

	/* "refresh" of everything leaves disabled feeds alone; naming one
	 * asks for it. */
	if (ctx->all && f->disabled != NULL)
		return;
	if (f->retry_until > ctx->now) {
		timefmt_rfc3339(f->retry_until, when, sizeof when);
		json_array_append_new(ctx->skipped, json_pack("{s:I, s:s, s:s}",
		    "id", (json_int_t)f->id, "url", f->url, "until", when));
		return;
	}
	ctx->go = xreallocarray(ctx->go, ctx->ngo + 1, sizeof *ctx->go);
	memset(&ctx->go[ctx->ngo], 0, sizeof *ctx->go);
	ctx->go[ctx->ngo].id = f->id;
	ctx->go[ctx->ngo++].url = xstrdup(f->url);
	fetch_now(f->id, f->url);
}

void
cmd_refresh(struct client *c, json_t *req)
{
	struct cmd_refresh_ctx	 ctx;
	struct store_feed	*f;
	json_t			*feeds, *v, *one;
	int64_t			*ids = NULL, id;
	size_t			 i, n = 0;
	int			 wait = 0, progress = 0;

	if (cmd_bool(c, req, "wait", &wait) != 0 ||
	    cmd_bool(c, req, "progress", &progress) != 0)
		return;
	feeds = json_object_get(req, "feeds");
	if (feeds != NULL && !json_is_array(feeds)) {
		server_client_send(c, proto_error("field 'feeds' must be an "
		    "array"));
		return;
	}
	memset(&ctx, 0, sizeof ctx);
	ctx.now = time(NULL);
	ctx.all = feeds == NULL || json_array_size(feeds) == 0;
	if (!ctx.all) {
		/* Resolve every name first: one unknown feed refuses all. */
		json_array_foreach(feeds, i, v) {
			one = json_pack("{s:O}", "feed", v);
			id = cmd_feed(c, one, "feed");
			json_decref(one);
			if (id == -1) {
				free(ids);
				return;
			}
			ids = xreallocarray(ids, n + 1, sizeof *ids);
			ids[n++] = id;
		}
	}
	ctx.skipped = json_array();
	if (ctx.all)
		store_feed_each(aggd->store, cmd_refresh_one, &ctx);
	for (i = 0; i < n; i++) {
		if ((f = store_feed_get(aggd->store, ids[i])) == NULL)
			continue;
		cmd_refresh_one(f, &ctx);
		store_feed_free(f);
	}
	free(ids);
	if (json_array_size(ctx.skipped) > 0)
		server_client_send(c, json_pack("{s:s, s:o}", "type", "skipped",
		    "feeds", ctx.skipped));
	else
		json_decref(ctx.skipped);
	if (wait)
		cmd_fetch_wait(c, ctx.go, ctx.ngo, progress);
	else {
		server_client_send(c, proto_ok(json_pack("{s:I}", "feeds",
		    (json_int_t)ctx.ngo)));
		for (i = 0; i < ctx.ngo; i++)
			free(ctx.go[i].url);
		free(ctx.go);
	}
	fetch_kick();
}
