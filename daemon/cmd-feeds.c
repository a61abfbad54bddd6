/*
 * Subscriptions over the socket: add, remove, feeds, status, and OPML
 * import/export (set, pause and resume are in cmd-manage.c).  Adding a
 * URL we already know (as given, normalised, or as the old URL of a feed
 * that moved permanently) answers its id and changes nothing.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aggd.h"
#include "buf.h"
#include "cmd.h"
#include "log.h"
#include "proto.h"
#include "units.h"
#include "xmalloc.h"

/* Only absolute http and https URLs with a host can be subscribed. */
static int
cmd_feeds_check_url(const char *url, char **cause)
{
	const char	*host;
	size_t		 i;

	if (strncasecmp(url, "http://", 7) == 0)
		host = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		host = url + 8;
	else {
		xasprintf(cause, "not an http or https URL: %s", url);
		return (-1);
	}
	if (*host == '\0' || *host == '/' || *host == '?' || *host == '#') {
		xasprintf(cause, "URL has no host: %s", url);
		return (-1);
	}
	for (i = 0; url[i] != '\0'; i++) {
		if (isspace((unsigned char)url[i]) ||
		    iscntrl((unsigned char)url[i])) {
			xasprintf(cause, "URL contains white space: %s", url);
			return (-1);
		}
	}
	return (0);
}

json_t *
cmd_feeds_feed_json(int64_t id)
{
	struct store_feed	*f;
	json_t			*o;

	if ((f = store_feed_get(aggd->store, id)) == NULL)
		return (json_null());
	o = store_feed_json(aggd->store, f, aggd->conf->interval);
	store_feed_free(f);
	return (o);
}

char *
cmd_feeds_interval(int64_t *interval)
{
	char	*notice = NULL, a[32], b[32];

	if (*interval < aggd->conf->min_interval) {
		units_format_duration(*interval, a, sizeof a);
		units_format_duration(aggd->conf->min_interval, b, sizeof b);
		xasprintf(&notice, "interval %s is below min_interval, "
		    "raised to %s", a, b);
		*interval = aggd->conf->min_interval;
	} else if (*interval > aggd->conf->max_interval) {
		units_format_duration(*interval, a, sizeof a);
		units_format_duration(aggd->conf->max_interval, b, sizeof b);
		xasprintf(&notice, "interval %s is above max_interval, "
		    "lowered to %s", a, b);
		*interval = aggd->conf->max_interval;
	}
	return (notice);
}

void
cmd_add(struct client *c, json_t *req)
{
	const char	*url = NULL, *title = NULL;
	int64_t		 interval = -1, id;
	int		 announce = 0;
	json_t		*tags, *t, *reply;
	struct buf	 tagbuf;
	char		*cause = NULL, *notice = NULL;
	size_t		 i;

	if (cmd_string(c, req, "url", 1, &url) != 0 ||
	    cmd_string(c, req, "title", 0, &title) != 0 ||
	    cmd_integer(c, req, "interval", 0, &interval) != 0 ||
	    cmd_bool(c, req, "announce_existing", &announce) != 0 ||
	    cmd_strings(c, req, "tags", &tags) != 0)
		return;
	if (cmd_feeds_check_url(url, &cause) != 0) {
		server_client_send(c, proto_error("%s", cause));
		free(cause);
		return;
	}
	if ((id = store_feed_find(aggd->store, url)) < 0) {
		server_client_send(c, proto_error("database error"));
		return;
	}
	if (id > 0) {
		reply = proto_ok(cmd_feeds_feed_json(id));
		json_object_set_new(reply, "existed", json_true());
		server_client_send(c, reply);
		return;
	}
	if (interval != -1)
		notice = cmd_feeds_interval(&interval);
	buf_init(&tagbuf);
	if (tags != NULL) {
		json_array_foreach(tags, i, t) {
			if (strchr(json_string_value(t), ',') != NULL) {
				server_client_send(c, proto_error("a tag "
				    "cannot contain ','"));
				buf_release(&tagbuf);
				free(notice);
				return;
			}
			if (tagbuf.len > 0)
				buf_addc(&tagbuf, ',');
			buf_adds(&tagbuf, json_string_value(t));
		}
	}
	id = store_feed_add(aggd->store, url, title, interval,
	    tagbuf.len > 0 ? tagbuf.data : NULL, announce, NULL, NULL, &cause);
	buf_release(&tagbuf);
	if (id == -1) {
		server_client_send(c, proto_error("%s", cause));
		free(cause);
		free(notice);
		return;
	}
	log_info("feed %lld (%s): added", (long long)id, url);
	reply = proto_ok(cmd_feeds_feed_json(id));
	if (notice != NULL) {
		json_object_set_new(reply, "notice", json_string(notice));
		free(notice);
	}
	server_client_send(c, reply);
	sched_update();
}

/*
 * {"cmd":"remove","feeds":[F...]} (or "feed":F): all or nothing, so an
 * unknown feed or one of the config file's refuses every one, named.
 * Answered {"removed":[ids]}.
 */
void
cmd_remove(struct client *c, json_t *req)
{
	struct store_feed	*f;
	json_t			*one, *done;
	int64_t			*ids;
	size_t			 n, i;

	if (json_object_get(req, "feeds") == NULL &&
	    json_object_get(req, "feed") != NULL) {
		one = json_pack("{s:[O]}", "feeds", json_object_get(req,
		    "feed"));
		ids = cmd_manage_feeds(c, one, "feeds", &n);
		json_decref(one);
	} else
		ids = cmd_manage_feeds(c, req, "feeds", &n);
	if (ids == NULL)
		return;
	for (i = 0; i < n; i++) {
		if ((f = store_feed_get(aggd->store, ids[i])) == NULL) {
			free(ids);
			server_client_send(c, proto_error("database error"));
			return;
		}
		if (cmd_manage_config_refuse(c, f, "remove") != 0) {
			store_feed_free(f);
			free(ids);
			return;
		}
		store_feed_free(f);
	}
	if (store_begin(aggd->store) != 0) {
		free(ids);
		server_client_send(c, proto_error("database busy"));
		return;
	}
	done = json_array();
	for (i = 0; i < n; i++) {
		if (store_feed_remove(aggd->store, ids[i]) != 0) {
			store_rollback(aggd->store);
			json_decref(done);
			free(ids);
			server_client_send(c, proto_error("database error"));
			return;
		}
		json_array_append_new(done, json_integer(ids[i]));
	}
	if (store_commit(aggd->store) != 0) {
		json_decref(done);
		free(ids);
		server_client_send(c, proto_error("database error"));
		return;
	}
	/* Gone from the database: a transfer in flight is dropped. */
	for (i = 0; i < n; i++) {
		sched_forget(ids[i]);
		log_info("feed %lld: removed", (long long)ids[i]);
	}
	free(ids);
	server_client_send(c, proto_ok(json_pack("{s:o}", "removed", done)));
	sched_update();
}

/*
 * {"cmd":"feeds","failing":true,"tag":T}: rows of feed objects, read on a
 * query thread (10,000 feeds take a while to render).
 */
void
cmd_feeds(struct client *c, json_t *req)
{
	const char	*tag = NULL;
	int		 failing = 0;

	if (cmd_bool(c, req, "failing", &failing) != 0 ||
	    cmd_string(c, req, "tag", 0, &tag) != 0)
		return;
	query_feeds(c, failing, tag);
}

/* Answers at once: counters the writes keep, never a count of rows. */
void
cmd_status(struct client *c, json_t *req UNUSED)
{
	struct store_counts	 n;
	int64_t			 next, dberrors;
	const char		*dberror;
	json_t			*o;

	if (store_counts(aggd->store, &n) != 0) {
		server_client_send(c, proto_error("database error"));
		return;
	}
	next = store_next_due(aggd->store, NULL);
	o = json_object();
	json_object_set_new(o, "version", json_string(AGG_VERSION));
	json_object_set_new(o, "uptime",
	    json_integer(time(NULL) - aggd->started));
	json_object_set_new(o, "feeds", json_integer(n.feeds));
	json_object_set_new(o, "items", json_integer(n.items));
	json_object_set_new(o, "unread", json_integer(n.unread));
	json_object_set_new(o, "transfers", json_integer(aggd->transfers));
	json_object_set_new(o, "next_fetch", next < 0 ? json_null() :
	    json_time_or_null(next));
	json_object_set_new(o, "hooks_pending", json_integer(n.hooks_pending));
	json_object_set_new(o, "hooks_failed", json_integer(n.hooks_failed));
	json_object_set_new(o, "failing", json_integer(n.failing));
	json_object_set_new(o, "paused", json_integer(n.paused));
	json_object_set_new(o, "database_bytes",
	    json_integer(n.database_bytes));
	/* Failed database statements since start, and the last one's
	 * error until a write succeeds again (a full disk shows here). */
	dberrors = store_errors(aggd->store, &dberror);
	json_object_set_new(o, "database_errors", json_integer(dberrors));
	json_object_set_new(o, "database_error", json_str_or_null(dberror));
	/* How late the loop runs its timers while queries are served. */
	json_object_set_new(o, "loop_lag_ms", query_lag_json());
	server_client_send(c, proto_ok(o));
}

/*
 * Subscribe many at once (aggctl import reads the OPML and sends the
 * feeds): one transaction.  A feed already subscribed gets the tags it
 * lacks (its folders in the file); an htmlUrl becomes the link of a feed
 * that has none yet.  With "dry_run" the same work is done and rolled
 * back, so what would change is what will.  The reply counts, lists each
 * feed's outcome, and reports bad entries.
 */
void
cmd_import(struct client *c, json_t *req)
{
	json_t		*feeds, *f, *tags, *t, *errors, *results, *r, *added_tags;
	const char	*url, *title, *link;
	struct buf	 tagbuf;
	int64_t		 added = 0, existing = 0, tagged = 0, id;
	char		*cause = NULL;
	size_t		 i, k;
	int		 dry = 0, rc;

	feeds = json_object_get(req, "feeds");
	if (!json_is_array(feeds)) {
		server_client_send(c, proto_error("field 'feeds' must be an "
		    "array"));
		return;
	}
	if (cmd_bool(c, req, "dry_run", &dry) != 0)
		return;
	if (store_begin(aggd->store) != 0) {
		server_client_send(c, proto_error("database busy"));
		return;
	}
	errors = json_array();
	results = json_array();
	buf_init(&tagbuf);
	json_array_foreach(feeds, i, f) {
		url = json_string_value(json_object_get(f, "url"));
		title = json_string_value(json_object_get(f, "title"));
		link = json_string_value(json_object_get(f, "link"));
		tags = json_object_get(f, "tags");
		if (url == NULL) {
			json_array_append_new(errors, json_sprintf("entry %zu "
			    "has no url", i + 1));
			continue;
		}
		if (cmd_feeds_check_url(url, &cause) != 0) {
			json_array_append_new(errors, json_string(cause));
			free(cause);
			continue;
		}
		if ((id = store_feed_find(aggd->store, url)) < 0)
			goto fail;
		added_tags = json_array();
		if (id > 0) {
			existing++;
			json_array_foreach(tags, k, t) {
				if (!json_is_string(t) ||
				    strchr(json_string_value(t), ',') != NULL ||
				    *json_string_value(t) == '\0')
					continue;
				if ((rc = store_feed_tag(aggd->store, id,
				    json_string_value(t), 1)) == -1) {
					json_decref(added_tags);
					goto fail;
				}
				if (rc == 1)
					json_array_append(added_tags, t);
			}
			tagged += json_array_size(added_tags) > 0;
			r = json_pack("{s:s, s:I, s:s, s:o}", "url", url, "id",
			    (json_int_t)id, "action", json_array_size(
			    added_tags) > 0 ? "tag" : "none", "tags",
			    added_tags);
		} else {
			buf_clear(&tagbuf);
			json_array_foreach(tags, k, t) {
				if (!json_is_string(t) ||
				    strchr(json_string_value(t), ',') != NULL)
					continue;
				if (tagbuf.len > 0)
					buf_addc(&tagbuf, ',');
				buf_adds(&tagbuf, json_string_value(t));
				json_array_append(added_tags, t);
			}
			if ((id = store_feed_add(aggd->store, url, title, -1,
			    tagbuf.len > 0 ? tagbuf.data : NULL, 0, NULL, NULL,
			    &cause)) == -1) {
				json_array_append_new(errors,
				    json_string(cause));
				free(cause);
				json_decref(added_tags);
				continue;
			}
			added++;
			r = json_pack("{s:s, s:o, s:s, s:o}", "url", url, "id",
			    dry ? json_null() : json_integer(id), "action",
			    "add", "tags", added_tags);
		}
		json_array_append_new(results, r);
		if (link != NULL && *link != '\0' &&
		    store_feed_link_default(aggd->store, id, link) != 0)
			goto fail;
	}
	buf_release(&tagbuf);
	if (dry)
		store_rollback(aggd->store);
	else if (store_commit(aggd->store) != 0) {
		json_decref(errors);
		json_decref(results);
		server_client_send(c, proto_error("database error"));
		return;
	}
	if (!dry)
		log_info("import: %lld feed(s) added, %lld already subscribed "
		    "(%lld given new tags)", (long long)added,
		    (long long)existing, (long long)tagged);
	server_client_send(c, proto_ok(json_pack("{s:I, s:I, s:I, s:b, s:o, "
	    "s:o}", "added", (json_int_t)added, "existing",
	    (json_int_t)existing, "tagged", (json_int_t)tagged, "dry_run", dry,
	    "feeds", results, "errors", errors)));
	if (!dry)
		sched_update();
	return;
fail:
	buf_release(&tagbuf);
	store_rollback(aggd->store);
	json_decref(errors);
	json_decref(results);
	server_client_send(c, proto_error("database error"));
}

void
cmd_export(struct client *c, json_t *req)
{
	cmd_feeds(c, req);
}
