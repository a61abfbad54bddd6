/*
 * The control socket protocol between aggctl and aggd.
 *
 * A frame is one JSON object on one line (newline-delimited JSON), so the
 * socket is scriptable with socat.  The first frame each way is a hello:
 *
 *	C: {"hello":"aggctl","version":"0.1.0","proto":1}
 *	S: {"hello":"aggd","version":"0.1.0","proto":1}
 *
 * then any number of requests, each answered by one terminal frame (ok,
 * error or end), lists being row frames before their end frame:
 *
 *	C: {"cmd":"add","url":"https://jam-news.net/feed/","tags":["news"]}
 *	S: {"type":"ok","data":{"id":3,"url":...},"notice":"..."}
 *	C: {"cmd":"feeds"}
 *	S: {"type":"row","data":{"id":1,...}}
 *	S: {"type":"row","data":{"id":3,...}}
 *	S: {"type":"end"}
 *	C: {"cmd":"remove","feeds":["99"]}
 *	S: {"type":"error","error":"no such feed: 99"}
 *
 * The other requests and their fields (cmd.c's table; a field a command
 * does not know is an error naming it):
 *
 *	set	 feed, title, interval (seconds or "default"), tags, untags,
 *		 hook, no_hook, retain, retain_items -> ok with the feed,
 *		 and "notice" when the interval was brought inside bounds
 *	pause, resume	feeds -> ok {"paused"|"resumed":[ids]}
 *	feeds	 failing, tag -> rows of feeds
 *	items	 feed, tag, unread, since, after_id, limit, search -> rows
 *		 of items, streamed a page at a time from a reader thread
 *	read, unread	items | feed | all -> ok {"changed":N}
 *	log	 feed, limit -> rows {time, feed_id, status, bytes,
 *		 duration_ms, new, changed, error, next_fetch_reason}
 *	import	 feeds, dry_run -> ok {added, existing, tagged, dry_run, feeds}
 *	backup	 file (absolute), force -> ok {"file","bytes"}
 *	show, follow, refresh, export, status: as aggctl's commands say
 *
 * "follow" answers with row frames until the client goes; "refresh" with
 * "wait" sends {"type":"progress",...} frames before its ok, which names
 * the polls that failed:
 *
 *	S: {"type":"ok","data":{"feeds":2,"failed":[{"id":3,
 *	    "url":"https://x.example/feed","error":"HTTP 404"}]}}
 *
 * On a hello with another proto, aggd answers an error naming both
 * versions and closes.
 *
 * Bump PROTO_VERSION whenever a message changes shape in a way the other
 * side cannot ignore: a field removed, renamed, retyped or newly required.
 * A new optional field is no change: readers skip keys they do not know
 * and take a missing one as empty (refresh's "failed" came so).
 */
#ifndef AGG_PROTO_H
#define AGG_PROTO_H

#include <stddef.h>

#include <jansson.h>

#include "buf.h"

#define PROTO_VERSION		1
/* Requests are small; a longer line is refused before it is buffered. */
#define PROTO_MAX_REQUEST	(256 * 1024)
/* Replies carry whole items (content can be large). */
#define PROTO_MAX_REPLY		(64 * 1024 * 1024)

/* Decode one line (without its newline) into an object; NULL and *cause. */
json_t	*proto_decode(const char *, size_t, char **cause);
/* Encode an object as one line with its newline; caller frees. */
char	*proto_encode(const json_t *);

json_t	*proto_hello(const char *program);
/* 0 when the hello is acceptable; -1 and *cause naming both versions. */
int	 proto_check_hello(const json_t *, const char *self, char **cause);

json_t	*proto_ok(json_t *data);		/* steals data (may be NULL) */
json_t	*proto_row(json_t *data);		/* steals data */
json_t	*proto_end(void);
json_t	*proto_error(const char *, ...) __attribute__((__format__(__printf__, 1, 2)));

/*
 * Blocking reader for aggctl: reads from fd into in until a whole line is
 * there.  Returns 1 and *out, 0 at end of file, -1 and *cause on error.
 */
int	 proto_read(int fd, struct buf *in, json_t **out, char **cause);
/* Blocking write of one frame; -1 and errno on failure. */
int	 proto_write(int fd, const json_t *);

#endif
