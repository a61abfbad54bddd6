/*
 * Changing subscriptions over the socket: set, pause, resume, and the fetch
 * history (log).  A feed from a [feed "name"] section is the config file's
 * to change, so set (like remove, in cmd-feeds.c) refuses it, naming the
 * section; pausing is state, not configuration, and works on any feed.
 * The history itself is written by fetch.c through store_fetch_log().
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aggd.h"
#include "argv.h"
#include "cmd.h"
#include "log.h"
#include "proto.h"
#include "store.h"
#include "xmalloc.h"

#define CMD_PAUSED	"paused"

/*
 * A feed the config file defines, refused with where to change it; 0 for
 * any other feed.
 */
int
cmd_manage_config_refuse(struct client *c, const struct store_feed *f,
    const char *what)
{
	if (f->name == NULL)
		return (0);
	server_client_send(c, proto_error("feed %lld comes from [feed \"%s\"] "
	    "in %s; %s it there", (long long)f->id, f->name,
	    aggd->conf->path != NULL ? aggd->conf->path : "the config file",
	    what));
	return (-1);
}

/*
 * The FEED... of key (an array of ids or URLs), all resolved before
 * anything is done: one unknown feed refuses them all, named.  NULL after
 * an error frame; the caller frees the ids.
 */
int64_t *
cmd_manage_feeds(struct client *c, json_t *req, const char *key, size_t *n)
{
	json_t	*feeds, *v, *one;
	int64_t	*ids = NULL, id;
	size_t	 i;

	*n = 0;
	feeds = json_object_get(req, key);
	if (!json_is_array(feeds) || json_array_size(feeds) == 0) {
		server_client_send(c, proto_error("field '%s' must be an "
		    "array of feeds", key));
		return (NULL);
	}
	ids = xreallocarray(NULL, json_array_size(feeds), sizeof *ids);
	json_array_foreach(feeds, i, v) {
		one = json_pack("{s:O}", "feed", v);
		id = cmd_feed(c, one, "feed");
		json_decref(one);
		if (id == -1) {
			free(ids);
			return (NULL);
		}
		ids[(*n)++] = id;
	}
	return (ids);
}

/*
 * An integer field that may also be "default" (NULL in the database):
 * 1 when given (*out -1 for the default), 0 when absent, -1 after an
 * error frame.
 */
static int
cmd_manage_or_default(struct client *c, json_t *req, const char *key,
    int64_t *out)
{
	json_t	*v = json_object_get(req, key);

	if (v == NULL || json_is_null(v))
		return (0);
	if (json_is_string(v) && strcmp(json_string_value(v), "default") == 0) {
		*out = -1;
		return (1);
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		server_client_send(c, proto_error("field '%s' must be a "
		    "number of at least 0 or \"default\"", key));
		return (-1);
	}
	*out = json_integer_value(v);
	return (1);
}

/* The tags of key, each checked; -1 after an error frame. */
static int
cmd_manage_tags(struct client *c, json_t *req, const char *key,
    json_t **out)
{
	json_t	*t;
	size_t	 i;

	if (cmd_strings(c, req, key, out) != 0)
		return (-1);
	json_array_foreach(*out, i, t) {
		if (*json_string_value(t) == '\0' ||
		    strchr(json_string_value(t), ',') != NULL) {
			server_client_send(c, proto_error("not a tag: '%s' (a "
			    "tag is not empty and has no ',')",
			    json_string_value(t)));
			return (-1);
		}
	}
	return (0);
}

/*
 * A new interval: due again after it from the last poll (now at the
 * latest), unless the feed is failing, held by a Retry-After or not yet
 * polled, where the next poll's outcome decides as it would have.
 */
static void
cmd_manage_reschedule(struct store_feed *f, int64_t now)
{
	const char	*reason;
	int64_t		 when;

	if (f->disabled != NULL || f->errors > 0 || f->last_fetch < 0 ||
	    f->retry_until > now)
		return;
	when = f->last_fetch + sched_base_interval(aggd->conf, f, &reason);
	if (when < now)
		when = now;
	f->next_fetch = when;
	free(f->next_reason);
	f->next_reason = xstrdup(reason);
}

/*
 * {"cmd":"set","feed":F, "title":T, "interval":N|"default",
 *  "tags":[..], "untags":[..], "hook":CMD, "no_hook":true,
 *  "retain":N|"default", "retain_items":N|"default"}
 * answered with the feed object, and a notice when the interval was
 * brought within bounds.
 */
void
cmd_set(struct client *c, json_t *req)
{
	struct store_feed	*f;
	const char		*title = NULL, *hook = NULL;
	json_t			*tags, *untags, *t, *reply;
	int64_t			 id, interval = -1, retain, retain_items;
	int			 has_ivl, has_ret, has_reti, no_hook = 0;
	char			*cause = NULL, *notice = NULL, **argv;
	size_t			 i;

	if ((id = cmd_feed(c, req, "feed")) == -1)
		return;
	if (cmd_string(c, req, "title", 0, &title) != 0 ||
	    cmd_string(c, req, "hook", 0, &hook) != 0 ||
	    cmd_bool(c, req, "no_hook", &no_hook) != 0 ||
	    (has_ivl = cmd_manage_or_default(c, req, "interval",
	    &interval)) == -1 ||
	    (has_ret = cmd_manage_or_default(c, req, "retain",
	    &retain)) == -1 ||
	    (has_reti = cmd_manage_or_default(c, req, "retain_items",
	    &retain_items)) == -1 ||
	    cmd_manage_tags(c, req, "tags", &tags) != 0 ||
	    cmd_manage_tags(c, req, "untags", &untags) != 0)
		return;
	if (hook != NULL && no_hook) {
		server_client_send(c, proto_error("give a hook or no_hook, "
		    "not both"));
		return;
	}
	if (hook != NULL) {
		if ((argv = argv_split(hook, &cause)) == NULL) {
			server_client_send(c, proto_error("hook: %s", cause));
			free(cause);
			return;
		}
		argv_free(argv);
	}
	if (has_ivl && interval == 0) {
		server_client_send(c, proto_error("interval must be above 0"));
		return;
	}
	if ((f = store_feed_get(aggd->store, id)) == NULL) {
		server_client_send(c, proto_error("database error"));
		return;
	}
	if (cmd_manage_config_refuse(c, f, "change") != 0) {
		store_feed_free(f);
		return;
	}
	if (has_ivl && interval > 0)
		notice = cmd_feeds_interval(&interval);
	if (has_ivl) {
		f->interval = interval;
		cmd_manage_reschedule(f, time(NULL));
	}
	if (hook != NULL || no_hook) {
		free(f->hook);
		f->hook = hook != NULL && *hook != '\0' ? xstrdup(hook) : NULL;
	}
	if (has_ret)
		f->retain = retain;
	if (has_reti)
		f->retain_items = retain_items;
	if (store_begin(aggd->store) != 0)
		goto fail;
	if (store_feed_update(aggd->store, f, title != NULL,
	    title != NULL && *title != '\0' ? title : NULL) != 0)
		goto fail_tx;
	json_array_foreach(tags, i, t) {
		if (store_feed_tag(aggd->store, id, json_string_value(t),
		    1) == -1)
			goto fail_tx;
	}
	json_array_foreach(untags, i, t) {
		if (store_feed_tag(aggd->store, id, json_string_value(t),
		    0) == -1)
			goto fail_tx;
	}
	if (store_commit(aggd->store) != 0)
		goto fail;
	log_info("feed %lld (%s): changed by set", (long long)id, f->url);
	store_feed_free(f);
	reply = proto_ok(cmd_feeds_feed_json(id));
	if (notice != NULL)
		json_object_set_new(reply, "notice", json_string(notice));
	free(notice);
	server_client_send(c, reply);
	if (has_ivl)
		sched_update();
	/* A tighter retain takes effect now, not at the next hourly pass. */
	if (has_ret || has_reti)
		retain_kick();
	return;
fail_tx:
	store_rollback(aggd->store);
fail:
	store_feed_free(f);
	free(notice);
	server_client_send(c, proto_error("database error"));
}

/*
 * {"cmd":"pause"|"resume","feeds":[F...]}, answered {"paused":[ids]} or
 * {"resumed":[ids]}.  Resuming a paused feed keeps its due time (a time
 * passed meanwhile is due at once); one disabled by the server (410) is
 * polled at once.
 */
static void
cmd_manage_pause(struct client *c, json_t *req, int pause)
{
	struct store_feed	*f;
	int64_t			*ids, now = time(NULL), when;
	const char		*why;
	json_t			*done;
	size_t			 n, i;
	int			 rc;

	if ((ids = cmd_manage_feeds(c, req, "feeds", &n)) == NULL)
		return;
	if (store_begin(aggd->store) != 0) {
		free(ids);
		server_client_send(c, proto_error("database busy"));
		return;
	}
	done = json_array();
	for (i = 0; i < n; i++) {
		if ((f = store_feed_get(aggd->store, ids[i])) == NULL)
			goto fail;
		json_array_append_new(done, json_integer(f->id));
		/* Already so: nothing to write or say. */
		if (pause ? f->disabled != NULL && strcmp(f->disabled,
		    CMD_PAUSED) == 0 : f->disabled == NULL) {
			store_feed_free(f);
			continue;
		}
		when = f->next_fetch;
		why = f->next_reason;
		if (pause)
			rc = store_feed_set_disabled(aggd->store, f->id,
			    CMD_PAUSED, when, why);
		else {
			if (strcmp(f->disabled, CMD_PAUSED) != 0 || when < 0) {
				when = now;
				why = "resumed";
			}
			rc = store_feed_set_disabled(aggd->store, f->id, NULL,
			    when, why);
		}
		if (rc != 0) {
			store_feed_free(f);
			goto fail;
		}
		if (pause)
			log_info("feed %lld (%s): paused%s%s", (long long)f->id,
			    f->url, f->disabled != NULL ? ", was " : "",
			    f->disabled != NULL ? f->disabled : "");
		else
			log_info("feed %lld (%s): resumed (was %s)",
			    (long long)f->id, f->url, f->disabled);
		store_feed_free(f);
	}
	if (store_commit(aggd->store) != 0)
		goto fail;
	free(ids);
	server_client_send(c, proto_ok(json_pack("{s:o}", pause ? "paused" :
	    "resumed", done)));
	sched_update();
	return;
fail:
	store_rollback(aggd->store);
	free(ids);
	json_decref(done);
	server_client_send(c, proto_error("database error"));
}

void
cmd_pause(struct client *c, json_t *req)
{
	cmd_manage_pause(c, req, 1);
}

void
cmd_resume(struct client *c, json_t *req)
{
	cmd_manage_pause(c, req, 0);
}

/*
 * {"cmd":"log","feed":F,"limit":N}: the fetch history, newest first, as
 * rows of {time, feed_id, status, bytes, duration_ms, new, changed, error,
 * next_fetch_reason}, read on a query thread (every feed's, without a
 * limit, is up to STORE_LOG_KEEP rows a feed).
 */
void
cmd_log(struct client *c, json_t *req)
{
	int64_t		 feed = 0, limit = -1;

	if (json_object_get(req, "feed") != NULL &&
	    !json_is_null(json_object_get(req, "feed")) &&
	    (feed = cmd_feed(c, req, "feed")) == -1)
		return;
	if (cmd_integer(c, req, "limit", 0, &limit) != 0)
		return;
	query_log(c, feed, limit);
}
