/*
 * aggd: the daemon.  One libevent loop runs everything: the control socket
 * (server.c, server-client.c, cmd*.c), the schedule (sched.c), transfers on
 * libcurl's multi interface (fetch.c), the SQLite store (store.c) and hooks
 * (hook.c).  This header has a section per file.
 */
#ifndef AGGD_H
#define AGGD_H

#include <sys/types.h>
#include <sys/queue.h>

#include <stdint.h>
#include <stdio.h>

#include <event2/event.h>
#include <jansson.h>

#include "compat.h"
#include "item.h"

struct store;
struct server;
struct client;

/* config.c */
struct config_feed {
	char			*name;		/* section name */
	char			*url;
	char			*title;
	char			*hook;
	char			*tags;		/* comma-separated, or NULL */
	int64_t			 interval;	/* -1: the default */
	int64_t			 retain;	/* -1: the default */
	int64_t			 retain_items;	/* -1: the default */
	int			 line;
	TAILQ_ENTRY(config_feed) entry;
};
TAILQ_HEAD(config_feeds, config_feed);

struct config {
	char			*path;		/* NULL: built-in defaults */
	char			*database;
	char			*socket;
	char			*socket_group;
	gid_t			 socket_gid;
	int64_t			 interval;
	int64_t			 min_interval;
	int64_t			 max_interval;
	int64_t			 max_connections;
	int64_t			 per_host_connections;
	int64_t			 host_delay;
	int64_t			 timeout;
	int64_t			 max_feed_size;
	char			*user_agent;
	char			*hook;
	int64_t			 hook_timeout;
	int64_t			 retain;	/* seconds, 0: forever */
	int64_t			 retain_items;	/* per feed, 0: no cap */
	struct config_feeds	 feeds;
};

struct config	*config_defaults(void);
/* Load path (NULL: the default location).  A missing file gives the
 * defaults; a bad one returns NULL with *cause "FILE:LINE: reason". */
struct config	*config_load(const char *path, int explicit, char **cause);
void		 config_free(struct config *);
/* The effective configuration, in the file's syntax (--print-config). */
void		 config_print(FILE *, const struct config *);

/* store.c */
struct store_feed {
	int64_t		 id;
	char		*url;
	char		*name;
	char		*title;
	char		*link;
	char		*hook;
	int64_t		 interval;	/* per-feed interval, -1 for adaptive */
	int64_t		 adaptive;	/* last computed interval, -1 none */
	char		*etag;
	char		*last_modified;
	int64_t		 last_fetch;
	int64_t		 last_status;	/* -1: none */
	char		*last_error;
	int64_t		 next_fetch;
	char		*next_reason;
	int64_t		 retry_until;	/* a Retry-After the server gave */
	int64_t		 errors;	/* consecutive failures */
	int		 primed;	/* first successful fetch done */
	int		 announce_existing;
	char		*disabled;
	char		*key_mode;	/* "guid", "link", "hash" */
	int64_t		 hint;		/* the feed's ttl/sy:*, -1 none */
	int64_t		 retain;	/* own retain, -1: the default */
	int64_t		 retain_items;	/* own retain_items, -1: default */
};

struct store	*store_open(const char *path, char **cause);
void		 store_close(struct store *);
int		 store_begin(struct store *);
int		 store_commit(struct store *);
void		 store_rollback(struct store *);
void		 store_attach(struct store *, struct event_base *);
int		 store_fetch_begin(struct store *, int64_t feed_id); /* store.c */
int		 store_fetch_commit(struct store *);
void		 store_fetch_rollback(struct store *);
int		 store_flush(struct store *);
void		 store_feed_free(struct store_feed *);
struct store_feed *store_feed_get(struct store *, int64_t id);
/* By URL, normalised URL or alias: the id, 0 when none, -1 on error. */
int64_t		 store_feed_find(struct store *, const char *url);
/* FEED as the user gives it: an id or a URL. */
int64_t		 store_feed_lookup(struct store *, const char *);
int64_t		 store_feed_add(struct store *, const char *url,
		     const char *title, int64_t interval, const char *tags,
		     int announce_existing, const char *name, const char *hook,
		     char **cause);
int		 store_feed_remove(struct store *, int64_t id);
json_t		*store_feed_json(struct store *, const struct store_feed *,
		     int64_t default_interval);
/* Call cb for every feed in id order. */
int		 store_feed_each(struct store *,
		     void (*)(struct store_feed *, void *), void *);
int		 store_config_sync(struct store *, struct config *);
int		 store_feed_set_next(struct store *, int64_t id, int64_t when,
		     const char *reason);
/* The earliest next_fetch of an enabled feed, or -1. */
int64_t		 store_next_due(struct store *, int64_t *feed_id);
/* status's figures: read from counters the writes keep, not counted. */
struct store_counts {
	int64_t		 feeds;
	int64_t		 items;
	int64_t		 unread;
	int64_t		 hooks_pending;
	int64_t		 hooks_failed;
	int64_t		 failing;	/* feeds whose last poll failed */
	int64_t		 paused;
	int64_t		 database_bytes;
};
int		 store_counts(struct store *, struct store_counts *);
const char	*store_path(struct store *);
int64_t		 store_feed_items(struct store *, int64_t id, int64_t *unread);
int		 store_feed_fetched(struct store *, const struct store_feed *,
		     const char *title, const char *link, int success);
int		 store_feed_move(struct store *, int64_t, const char *from,
		     const char *to);
int64_t		*store_due(struct store *, int64_t now, char ***urls,
		     size_t *);
int64_t		 store_next_after(struct store *, int64_t now);
/* A feed's error the database could not take, shown until a later fetch
 * of it commits (store_failed: NULL when none, borrowed). */
void		 store_fail(struct store *, int64_t id, const char *error);
const char	*store_failed(struct store *, int64_t id);
void		 store_failed_clear(struct store *, int64_t id);
/* aggctl set: write f's interval, hook, retain, retain_items and due
 * time; the title too when set_title (NULL: the feed's own again). */
int		 store_feed_update(struct store *, const struct store_feed *,
		     int set_title, const char *title);
/* 1 when the tag was added (removed, add = 0), 0 when it already was
 * so, -1 on error. */
int		 store_feed_tag(struct store *, int64_t id, const char *tag,
		     int add);
/* Pause, resume: disabled is the reason or NULL; when (-1: none) and why
 * the next poll. */
int		 store_feed_set_disabled(struct store *, int64_t id,
		     const char *disabled, int64_t when, const char *why);
/* A fetch's line in the history, stored with the fetch (fetch.c): f's
 * time, status, error and next reason with the figures given; the
 * feed's oldest lines past STORE_LOG_KEEP go. */
#define STORE_LOG_KEEP	64
int		 store_fetch_log(struct store *, const struct store_feed *,
		     int64_t bytes, int64_t duration_ms, int64_t added,
		     int64_t changed);
/* Statements failed since start; *last: the latest one's error, NULL once
 * a transaction committed after it (borrowed). */
int64_t		 store_errors(struct store *, const char **last);
int		 store_feed_link_default(struct store *, int64_t id,
		     const char *link);
/* Give free pages back, up to pages of them: the free pages left. */
int64_t		 store_vacuum_step(struct store *, int pages);

/* retain.c: removes items past retain and retain_items in the
 * background, a batch per loop turn. */
void	retain_init(struct event_base *);
void	retain_free(void);
void	retain_kick(void);	/* run a pass soon (the config changed) */
void	retain_feed_added(int64_t);	/* a feed stored new items */

/* notify.c: sd_notify(3); every call is a no-op outside systemd. */
int	notify_init(void);	/* 1: a service manager listens */
void	notify_start(struct event_base *);	/* READY=1, watchdog */
void	notify_reloading(void);
void	notify_reloaded(const char *error);	/* NULL: it went well */
void	notify_stopping(void);
void	notify_free(void);
void	notify_send(const char *fmt, ...) PRINTFLIKE(1, 2);

/* server.c */
struct server	*server_start(struct event_base *, const char *path,
		     gid_t gid, int use_gid, char **cause);
void		 server_stop(struct server *);
struct event_base *server_base(struct server *);

/* server-client.c */
void	server_client_accept(struct server *, int fd, uid_t uid);
void	server_client_send(struct client *, json_t *);	/* steals */
void	server_client_fail(struct client *, json_t *);	/* send, close */
void	server_client_close_all(void);
int	server_client_dead(const struct client *);
unsigned int server_client_id(const struct client *);
void	server_client_ref(struct client *);
void	server_client_unref(struct client *);
void	server_client_busy(struct client *);
void	server_client_streaming(struct client *);
void	server_client_send_raw(struct client *, const char *, size_t);
void	server_client_done(struct client *);
size_t	server_client_pending(const struct client *);
void	server_client_set_close(struct client *,
	    void (*)(struct client *, void *), void *);
void	server_client_set_drain(struct client *,
	    void (*)(struct client *, void *), void *);

/* cmd-items.c */
void	cmd_follow_notify(void);

/* cmd.c */
void	cmd_dispatch(struct client *, json_t *);

/* query.c: read queries on their own connections, off the loop. */
struct query_items {
	int64_t		 feed;		/* 0: all */
	int64_t		 since;		/* -1: none */
	int64_t		 after;		/* -1: newest first; else id order */
	int64_t		 limit;		/* -1: none */
	int		 unread;
	const char	*tag;		/* NULL: any */
	const char	*search;	/* the user's query, NULL: none */
};
int	 query_init(struct event_base *, const char *path, char **cause);
void	 query_free(void);
/* Stream the items asked for to c (rows, then end or error). */
void	 query_items(struct client *, const struct query_items *);
/* feeds (and export): feed objects, all or --failing, --tag. */
void	 query_feeds(struct client *, int failing, const char *tag);
/* log: the fetch history, newest first; feed 0: all, limit -1: none. */
void	 query_log(struct client *, int64_t feed, int64_t limit);
/* The loop's lag (status --json's loop_lag_ms), measured while there
 * are queries or transfers: query_lag_watch when one starts. */
json_t	*query_lag_json(void);
void	 query_lag_watch(void);

/* cmd-fetch.c: fetch.c tells it that a feed's poll ended (error NULL when
 * it went well), once per transfer that ends or is cancelled. */
void	cmd_fetch_done(int64_t, const char *error);

/* sched.c */
struct sched_host {			/* a host's refusals (429, 503) */
	int64_t		 refused_until;	/* several feeds refused: wait */
	int		 refusals;	/* seen since refusal_since */
	int64_t		 refusal_since;
};
void	sched_init(struct event_base *);
void	sched_update(void);	/* feeds changed: look for due ones */
void	sched_rearm(void);	/* due times moved: re-read the next */
void	sched_done(int64_t);	/* a feed's transfer ended */
void	sched_rescan(int64_t);	/* look for due feeds at this time */
void	sched_forget(int64_t);	/* a feed is being removed */
void	sched_free(void);
void	sched_set_random(uint32_t (*)(uint32_t));
int64_t	sched_clamp(const struct config *, int64_t);
int64_t	sched_jitter(int64_t);
int64_t	sched_base_interval(const struct config *, const struct store_feed *,
	    const char **);
int64_t	sched_adaptive(int64_t old, int64_t added, int64_t rate);
int64_t	sched_feed_hint(int64_t ttl, int64_t sy_period);
int64_t	sched_max_age(const char *cache_control, const char *expires,
	    int64_t now);
int64_t	sched_retry_after(const char *, int64_t now);	/* -1: unreadable */
void	sched_ok(const struct config *, struct store_feed *, int64_t now,
	    int64_t hint);
void	sched_backoff(const struct config *, struct store_feed *,
	    int64_t now);
int	sched_refused(const struct config *, struct store_feed *,
	    struct sched_host *, const char *retry_after, int64_t now);
int64_t	sched_host_wait(const struct sched_host *, int64_t now);
int64_t	sched_next_wakeup(int64_t now, int64_t scanned, int64_t next,
	    int64_t retry);	/* -1: nothing to wake for */

/* fetch.c */
void	fetch_run_due(int64_t now);	/* queue what is due by now */
void	fetch_cancel(int64_t);
void	fetch_init(struct event_base *);
void	fetch_free(void);
void	fetch_reconfigure(void);

/* announce.c */
void	announce_init(struct event_base *);
void	announce_free(void);
void	announce_stored(void);	/* the open transaction announced items */

/* hook.c */
void	hook_init(struct event_base *);
void	hook_reap(void);
void	hook_free(void);
void	hook_kick(void);	/* committed deliveries are owed */

/* main.c: the daemon's state, one of it. */
/* Event priorities (main_base): transfers' events last. */
#define AGGD_PRIORITIES	3
#define AGGD_PRI_BULK	2

struct aggd {
	struct event_base	*base;
	struct config		*conf;
	struct store		*store;
	struct server		*server;
	time_t			 started;
	int			 transfers;
	mode_t			 umask;	/* the user's, for hooks */
};
extern struct aggd	*aggd;

#endif
