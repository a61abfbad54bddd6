/*
 * refresh over the socket: poll the named feeds (or all) now, whatever
 * their interval or backoff, except inside a Retry-After the server gave;
 * with "wait", answer once those polls are over.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aggd.h"
#include "cmd.h"
#include "fetch.h"
#include "proto.h"
#include "timefmt.h"
#include "xmalloc.h"

struct cmd_refresh_ctx {
	int64_t		*go;		/* queued */
	size_t		 ngo;
	json_t		*skipped;	/* inside a Retry-After */
	int64_t		 now;
	int		 all;
};

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
	ctx->go[ctx->ngo++] = f->id;
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
	fetch_kick();
	if (json_array_size(ctx.skipped) > 0)
		server_client_send(c, json_pack("{s:s, s:o}", "type", "skipped",
		    "feeds", ctx.skipped));
	else
		json_decref(ctx.skipped);
	if (wait)
		fetch_wait(c, ctx.go, ctx.ngo, progress);
	else
		server_client_send(c, proto_ok(json_pack("{s:I}", "feeds",
		    (json_int_t)ctx.ngo)));
	free(ctx.go);
}
