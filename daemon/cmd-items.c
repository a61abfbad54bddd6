/*
 * Items over the socket: items, show, read, unread, and follow.  items
 * (listings and searches) is handed to query.c, which runs it on a read
 * connection off the loop and streams it as the client reads.  follow keeps the client as a
 * follower with a cursor (the last item id sent): replay and live items
 * are the same query, run again whenever items are announced or the
 * client's output drains.
 */
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include "aggd.h"
#include "buf.h"
#include "cmd.h"
#include "log.h"
#include "proto.h"
#include "store.h"
#include "xmalloc.h"

#define ITEMS_PAGE		256
/* A follower with this much unsent output is paused (replay) or, when
 * live items keep coming, dropped with a message to resume. */
#define FOLLOW_HIGH_WATER	(4 * 1024 * 1024)
#define FOLLOW_MAX_PENDING	(32 * 1024 * 1024)

struct follower {
	struct client		*client;
	int64_t			 feed;		/* 0: all */
	int64_t			 last_id;
	LIST_ENTRY(follower)	 entry;
};
static LIST_HEAD(, follower)	followers = LIST_HEAD_INITIALIZER(followers);

static json_t *
cmd_items_row_json(sqlite3_stmt *st)
{
	struct item_record	 r;
	char			*feed_url;
	json_t			*j;

	store_item_row(st, &r, &feed_url);
	j = item_record_json(&r);
	item_release(&r.item);
	free(feed_url);
	return (j);
}

/* Listings and searches run off the loop (query.c); this checks the
 * request and resolves the feed. */
void
cmd_items(struct client *c, json_t *req)
{
	struct query_items	p = { 0, -1, -1, -1, 0, NULL, NULL };

	if (json_object_get(req, "feed") != NULL &&
	    !json_is_null(json_object_get(req, "feed")) &&
	    (p.feed = cmd_feed(c, req, "feed")) == -1)
		return;
	if (cmd_bool(c, req, "unread", &p.unread) != 0 ||
	    cmd_integer(c, req, "since", 0, &p.since) != 0 ||
	    cmd_integer(c, req, "after_id", 0, &p.after) != 0 ||
	    cmd_integer(c, req, "limit", 0, &p.limit) != 0 ||
	    cmd_string(c, req, "tag", 0, &p.tag) != 0 ||
	    cmd_string(c, req, "search", 0, &p.search) != 0)
		return;
	query_items(c, &p);
}

static int64_t
cmd_items_id(json_t *v)
{
	char		*end;
	long long	 n;

	if (json_is_integer(v))
		return (json_integer_value(v));
	if (!json_is_string(v))
		return (-1);
	n = strtoll(json_string_value(v), &end, 10);
	if (*json_string_value(v) == '\0' || *end != '\0' || n <= 0)
		return (-1);
	return (n);
}

void
cmd_show(struct client *c, json_t *req)
{
	sqlite3_stmt	*st;
	int64_t		 id;

	if ((id = cmd_items_id(json_object_get(req, "item"))) <= 0) {
		/* Worded as read and unread word it. */
		if (json_is_string(json_object_get(req, "item")))
			server_client_send(c, proto_error("not an item id: %s",
			    json_string_value(json_object_get(req, "item"))));
		else
			server_client_send(c, proto_error("field 'item' must "
			    "be an item id"));
		return;
	}
	st = store_stmt(aggd->store, STMT_ITEM_GET);
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		server_client_send(c, proto_error("no such item: %lld",
		    (long long)id));
		return;
	}
	server_client_send(c, proto_ok(cmd_items_row_json(st)));
	sqlite3_reset(st);
}

static void
cmd_items_mark(struct client *c, json_t *req, int read)
{
	sqlite3_stmt	*st;
	json_t		*items, *v;
	int64_t		 id, feed, changed = 0;
	int		 all = 0;
	size_t		 i;

	if (cmd_bool(c, req, "all", &all) != 0)
		return;
	items = json_object_get(req, "items");
	if (items != NULL && !json_is_array(items)) {
		server_client_send(c, proto_error("field 'items' must be an "
		    "array of item ids"));
		return;
	}
	if (store_begin(aggd->store) != 0) {
		server_client_send(c, proto_error("database busy"));
		return;
	}
	if (all) {
		st = store_stmt(aggd->store, STMT_ALL_SET_READ);
		sqlite3_bind_int(st, 1, read);
		if (store_exec(aggd->store, st) != 0)
			goto fail;
		changed = sqlite3_changes(store_db(aggd->store));
	} else if (json_object_get(req, "feed") != NULL) {
		if ((feed = cmd_feed(c, req, "feed")) == -1) {
			store_rollback(aggd->store);
			return;
		}
		st = store_stmt(aggd->store, STMT_FEED_SET_READ);
		sqlite3_bind_int64(st, 1, feed);
		sqlite3_bind_int(st, 2, read);
		if (store_exec(aggd->store, st) != 0)
			goto fail;
		changed = sqlite3_changes(store_db(aggd->store));
	} else if (items != NULL && json_array_size(items) > 0) {
		json_array_foreach(items, i, v) {
			if ((id = cmd_items_id(v)) <= 0) {
				store_rollback(aggd->store);
				server_client_send(c, proto_error("not an item "
				    "id: %s", json_is_string(v) ?
				    json_string_value(v) : "(not a string)"));
				return;
			}
			st = store_stmt(aggd->store, STMT_ITEM_SET_READ);
			sqlite3_bind_int64(st, 1, id);
			sqlite3_bind_int(st, 2, read);
			if (store_exec(aggd->store, st) != 0)
				goto fail;
			if (sqlite3_changes(store_db(aggd->store)) == 0) {
				store_rollback(aggd->store);
				server_client_send(c, proto_error("no such "
				    "item: %lld", (long long)id));
				return;
			}
			changed++;
		}
	} else {
		store_rollback(aggd->store);
		server_client_send(c, proto_error("%s: give item ids, a feed "
		    "or all", read ? "read" : "unread"));
		return;
	}
	if (store_commit(aggd->store) != 0)
		goto fail;
	server_client_send(c, proto_ok(json_pack("{s:I}", "changed",
	    (json_int_t)changed)));
	return;
fail:
	store_rollback(aggd->store);
	server_client_send(c, proto_error("database error"));
}

void
cmd_read(struct client *c, json_t *req)
{
	cmd_items_mark(c, req, 1);
}

void
cmd_unread(struct client *c, json_t *req)
{
	cmd_items_mark(c, req, 0);
}

/* Send a follower what it has not seen, while its output has room. */
static void
cmd_follow_push(struct follower *fw)
{
	sqlite3_stmt	*st;
	int		 rows;

	do {
		if (server_client_dead(fw->client))
			return;
		if (server_client_pending(fw->client) > FOLLOW_HIGH_WATER)
			return;		/* resumes on drain */
		st = store_stmt(aggd->store, STMT_ITEMS_ANNOUNCED);
		sqlite3_bind_int64(st, 1, fw->last_id);
		store_bind_int(st, 2, fw->feed, 0);
		sqlite3_bind_int(st, 3, ITEMS_PAGE);
		rows = 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			fw->last_id = sqlite3_column_int64(st, 0);
			server_client_send(fw->client,
			    proto_row(cmd_items_row_json(st)));
			rows++;
		}
		sqlite3_reset(st);
	} while (rows == ITEMS_PAGE);
}

static void
cmd_follow_close_cb(struct client *c UNUSED, void *arg)
{
	struct follower	*fw = arg;

	LIST_REMOVE(fw, entry);
	free(fw);
}

static void
cmd_follow_drain_cb(struct client *c UNUSED, void *arg)
{
	cmd_follow_push(arg);
}

/* Items were announced: bring every follower up to date. */
void
cmd_follow_notify(void)
{
	struct follower	*fw, *next;

	for (fw = LIST_FIRST(&followers); fw != NULL; fw = next) {
		next = LIST_NEXT(fw, entry);
		if (server_client_pending(fw->client) > FOLLOW_MAX_PENDING) {
			log_warnx("client %u: follow too far behind, closing",
			    server_client_id(fw->client));
			server_client_fail(fw->client, proto_error("too far "
			    "behind; resume with --after-id %lld",
			    (long long)fw->last_id));
			continue;
		}
		cmd_follow_push(fw);
	}
}

void
cmd_follow(struct client *c, json_t *req)
{
	struct follower	*fw;
	sqlite3_stmt	*st;
	int64_t		 feed = 0, after = -1;

	if (json_object_get(req, "feed") != NULL &&
	    !json_is_null(json_object_get(req, "feed")) &&
	    (feed = cmd_feed(c, req, "feed")) == -1)
		return;
	if (cmd_integer(c, req, "after_id", 0, &after) != 0)
		return;
	fw = xcalloc(1, sizeof *fw);
	fw->client = c;
	fw->feed = feed;
	if (after >= 0)
		fw->last_id = after;
	else {
		/* From now on: start after the newest stored item. */
		fw->last_id = 0;
		st = store_stmt(aggd->store, STMT_MAX_ITEM);
		if (sqlite3_step(st) == SQLITE_ROW)
			fw->last_id = store_col_int(st, 0, 0);
		sqlite3_reset(st);
	}
	LIST_INSERT_HEAD(&followers, fw, entry);
	server_client_busy(c);
	server_client_set_close(c, cmd_follow_close_cb, fw);
	server_client_set_drain(c, cmd_follow_drain_cb, fw);
	server_client_send(c, json_pack("{s:s, s:I}", "type", "following",
	    "after_id", (json_int_t)fw->last_id));
	cmd_follow_push(fw);
}
