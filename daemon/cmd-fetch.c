/*
 * refresh over the socket: poll the named feeds (or all) now, whatever
 * their interval or backoff, except inside a Retry-After the server gave;
 * with "wait", answer once those polls are over.
 */
#include <stdlib.h>
#include <time.h>

#include "aggd.h"
#include "cmd.h"
#include "fetch.h"
#include "proto.h"
#include "timefmt.h"
#include "xmalloc.h"

struct cmd_refresh_ctx {
	int64_t		*ids;
	size_t		 n;
};

static void
cmd_refresh_all_cb(struct store_feed *f, void *arg)
{
	struct cmd_refresh_ctx	*ctx = arg;

	if (f->disabled != NULL)
		return;
	ctx->ids = xreallocarray(ctx->ids, ctx->n + 1, sizeof *ctx->ids);
	ctx->ids[ctx->n++] = f->id;
}

void
cmd_refresh(struct client *c, json_t *req)
{
	struct cmd_refresh_ctx	 ctx = { NULL, 0 };
	struct store_feed	*f;
	json_t			*feeds, *v, *skipped;
	int64_t			*go, now = time(NULL), id;
	size_t			 i, ngo = 0;
	int			 wait = 0, progress = 0;
	char			 when[32];

	if (cmd_bool(c, req, "wait", &wait) != 0 ||
	    cmd_bool(c, req, "progress", &progress) != 0)
		return;
	feeds = json_object_get(req, "feeds");
	if (feeds != NULL && !json_is_array(feeds)) {
		server_client_send(c, proto_error("field 'feeds' must be an "
		    "array"));
		return;
	}
	if (feeds == NULL || json_array_size(feeds) == 0)
		store_feed_each(aggd->store, cmd_refresh_all_cb, &ctx);
	else {
		json_array_foreach(feeds, i, v) {
			json_t	*one = json_pack("{s:O}", "feed", v);

			id = cmd_feed(c, one, "feed");
			json_decref(one);
			if (id == -1) {
				free(ctx.ids);
				return;
			}
			ctx.ids = xreallocarray(ctx.ids, ctx.n + 1,
			    sizeof *ctx.ids);
			ctx.ids[ctx.n++] = id;
		}
	}

	skipped = json_array();
	go = xreallocarray(NULL, ctx.n + 1, sizeof *go);
	for (i = 0; i < ctx.n; i++) {
		if ((f = store_feed_get(aggd->store, ctx.ids[i])) == NULL)
			continue;
		if (f->retry_until > now) {
			timefmt_rfc3339(f->retry_until, when, sizeof when);
			json_array_append_new(skipped, json_pack(
			    "{s:I, s:s, s:s}", "id", (json_int_t)f->id,
			    "url", f->url, "until", when));
		} else {
			go[ngo++] = f->id;
			fetch_now(f->id);
		}
		store_feed_free(f);
	}
	free(ctx.ids);
	fetch_kick();
	if (json_array_size(skipped) > 0)
		server_client_send(c, json_pack("{s:s, s:o}", "type", "skipped",
		    "feeds", skipped));
	else
		json_decref(skipped);
	if (wait)
		fetch_wait(c, go, ngo, progress);
	else
		server_client_send(c, proto_ok(json_pack("{s:I}", "feeds",
		    (json_int_t)ngo)));
	free(go);
}
