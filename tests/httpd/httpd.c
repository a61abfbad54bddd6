/*
 * httpd: the loopback HTTP server that the integration tests fetch from.  It
 * takes its behaviour from the request path, logs every request as a JSON
 * line so that tests can check what aggd sent, and never touches anything
 * but 127.0.0.1 (or, with -a, another address a test has put on the
 * loopback interface of a network namespace of its own).  Tests start and
 * query it through tests/integration/httpd.sh.
 *
 * usage: httpd [-a ADDRESS] -d DOCROOT -p PORTFILE -l LOGFILE [-P PIDFILE]
 *
 * It binds ADDRESS (default 127.0.0.1) on a port the kernel picks and
 * writes the number to
 * PORTFILE (a temporary file renamed into place) only once it listens, so a
 * reader that sees the file can connect.  SIGTERM or SIGINT end it.
 *
 * The log gets one line per request, flushed as it arrives (before any
 * answer, so a request that is never answered is logged too):
 *
 *	{"n": 1, "time": 1725546600.123, "method": "GET",
 *	 "path": "/etag/feed.xml?x=1", "headers": {"user-agent": "..."}}
 *
 * Header names are lower-cased; a repeated header's values are joined with
 * ", ".  A request that carries a body (a hook's POST, say) gets "body"
 * too: the body as a string, up to 64 KiB, bytes that are not UTF-8
 * written as '?'.  So any path answers a POST (/status/200/hook), and the
 * log shows what was posted.
 *
 * The path language.  A path is a run of modifiers followed by one answer;
 * modifiers compose in any order (/cache/60/gzip/etag/feeds/a.xml).
 *
 * Modifiers, each taking the rest of the path:
 *
 *	/gzip/...	gzip the body (Content-Encoding: gzip, Vary:
 *			Accept-Encoding) when Accept-Encoding names gzip
 *	/etag/...	send an ETag (a hash of the body as served) and
 *			Last-Modified (the file's mtime); answer 304 when
 *			If-None-Match matches, or, without If-None-Match, when
 *			If-Modified-Since is not older than the file
 *	/cache/S/...	add Cache-Control: max-age=S
 *	/delay/S/...	wait S seconds (fractions allowed) before going on
 *	/stall/...	send the headers (with the full Content-Length) and
 *			half the body, then nothing more until the client
 *			gives up
 *	/truncate/...	send the headers (with the full Content-Length) and
 *			half the body, then close the connection
 *	/dribble/...	send the headers (with the full Content-Length) at
 *			once, then the body one byte a second: a transfer
 *			that moves, and never ends within a client's timeout
 *	/rotate/...	rotate the document's <item> (else <entry>) elements
 *			by one more place on each request to this path: the
 *			first request serves the file as it is
 *	/seq/...	request N to this path serves FILE.N if it exists,
 *			else the highest FILE.K (K < N) that does, else FILE:
 *			feed.xml.1, feed.xml.2 ... let a feed change between
 *			polls
 *
 * Answers:
 *
 *	/feeds/NAME	DOCROOT/NAME (also any path naming a file under
 *			DOCROOT, without the /feeds).  Content-Type comes from
 *			the extension: .xml .rss application/rss+xml, .rdf
 *			application/rdf+xml, .atom application/atom+xml, .json
 *			application/feed+json, .html text/html, .txt
 *			text/plain.  A sidecar NAME.headers file holds extra
 *			"Name: value" lines that replace or add headers
 *			(Content-Type: text/xml; charset=koi8-r)
 *	/status/N/...	status N with a one-line body; ?retry-after=120 or
 *			?retry-after=HTTP-DATE (URL-encoded) adds Retry-After
 *	/redirect/C/T...	C in 300..399: status C with Location: /T...
 *			(the query kept); C below 100: a chain of C 302
 *			redirects, /redirect/2/T -> /redirect/1/T -> /T
 *	/redirect-to?url=U&code=C
 *			status C (default 302) with Location: U as given, for
 *			targets like file:///etc/passwd or http://10.0.0.1/
 *	/big/BYTES	an RSS document of about BYTES bytes, streamed in
 *			chunks without a Content-Length (with /gzip/ it
 *			compresses to a small fraction: a decompression bomb)
 *	/hang		accept the request and never answer
 *	/endless-headers
 *			send the status line, then a header line every
 *			second and never the blank line that ends them
 *	anything else	404
 *
 * Programmed answers: POST /_set with a JSON body
 *
 *	{"path": "/x", "status": 200, "headers": {"Name": "value"},
 *	 "body": "..."}
 *
 * makes later requests for /x (matched on path and query first, then on
 * the path alone) answer that, before the path language is looked at.  A
 * later /_set of the same path replaces it; POST /_reset forgets them all.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>
#include <jansson.h>
#include <zlib.h>

#include "buf.h"
#include "log.h"
#include "xmalloc.h"

/* Requests so far to one path, for /rotate/ and /seq/. */
struct httpd_counter {
	char			*path;
	unsigned long		 n;
	struct httpd_counter	*next;
};

/* An answer programmed with POST /_set. */
struct httpd_answer {
	char			*path;
	int			 status;
	json_t			*headers;
	char			*body;
	size_t			 bodylen;
	struct httpd_answer	*next;
};

/*
 * One request whose answer is being composed.  Answers that outlive the
 * request callback (delay, stall, truncate, hang, big) keep it until they
 * finish or the client goes away, whichever comes first: the connection's
 * close callback frees it, so no timer or chunk callback ever sees a request
 * libevent has freed.
 */
struct httpd_req {
	struct evhttp_request		*req;
	struct evhttp_connection	*evcon;
	char				*path;	/* without the query */
	const char			*rest;	/* what the modifiers left */
	unsigned long			 count;
	long				 max_age;

	int				 flags;
#define HTTPD_GZIP	0x1
#define HTTPD_ETAG	0x2
#define HTTPD_STALL	0x4
#define HTTPD_TRUNCATE	0x8
#define HTTPD_ROTATE	0x10
#define HTTPD_SEQ	0x20
#define HTTPD_DRIBBLE	0x40

	struct event			*timer;

	/* /big/: generated and streamed chunk by chunk. */
	size_t				 big_size;
	size_t				 big_done;
	unsigned long			 big_item;
	z_stream			 z;
	int				 zinit;

	/* /dribble/ and /endless-headers: what is left, a second apart. */
	struct event			*slow_timer;
	struct buf			 slow;
	size_t				 slow_done;
};

#define HTTPD_CHUNK	65536
#define HTTPD_MAXFILE	(64 * 1024 * 1024)

static struct event_base	*httpd_base;
static const char		*httpd_docroot;
static FILE			*httpd_logf;
static unsigned long		 httpd_seq;
static struct httpd_counter	*httpd_counters;
static struct httpd_answer	*httpd_answers;

static void	httpd_walk(struct httpd_req *);

static void
httpd_usage(void)
{
	fprintf(stderr,
	    "usage: httpd [-a ADDRESS] -d DOCROOT -p PORTFILE -l LOGFILE "
	    "[-P PIDFILE]\n");
	exit(2);
}

static const char *
httpd_reason(int status)
{
	switch (status) {
	case 200: return ("OK");
	case 201: return ("Created");
	case 204: return ("No Content");
	case 301: return ("Moved Permanently");
	case 302: return ("Found");
	case 303: return ("See Other");
	case 304: return ("Not Modified");
	case 307: return ("Temporary Redirect");
	case 308: return ("Permanent Redirect");
	case 400: return ("Bad Request");
	case 401: return ("Unauthorized");
	case 403: return ("Forbidden");
	case 404: return ("Not Found");
	case 410: return ("Gone");
	case 429: return ("Too Many Requests");
	case 500: return ("Internal Server Error");
	case 502: return ("Bad Gateway");
	case 503: return ("Service Unavailable");
	case 504: return ("Gateway Timeout");
	}
	return ("Status");
}

/* Header values are bytes; JSON wants UTF-8, so unreadable ones degrade. */
static json_t *
httpd_json_string(const char *s)
{
	json_t	*j;
	char	*copy, *p;

	if ((j = json_string(s)) != NULL)
		return (j);
	copy = xstrdup(s);
	for (p = copy; *p != '\0'; p++) {
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	}
	j = json_string(copy);
	free(copy);
	return (j);
}

/* The request's body, when it has one, as "body" (see the top). */
static void
httpd_log_body(json_t *o, struct evhttp_request *req)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(req);
	size_t		 len = evbuffer_get_length(in);
	char		*copy;

	if (len == 0)
		return;
	if (len > 64 * 1024)
		len = 64 * 1024;
	copy = xmalloc(len + 1);
	evbuffer_copyout(in, copy, len);
	copy[len] = '\0';
	json_object_set_new(o, "body", httpd_json_string(copy));
	free(copy);
}

static void
httpd_log_request(struct evhttp_request *req)
{
	struct evkeyvalq	*hdrs = evhttp_request_get_input_headers(req);
	struct evkeyval		*kv;
	struct timeval		 tv;
	json_t			*o, *h, *old;
	const char		*method;
	char			*name, *p, *joined;

	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET:	method = "GET"; break;
	case EVHTTP_REQ_POST:	method = "POST"; break;
	case EVHTTP_REQ_HEAD:	method = "HEAD"; break;
	case EVHTTP_REQ_PUT:	method = "PUT"; break;
	case EVHTTP_REQ_DELETE:	method = "DELETE"; break;
	default:		method = "OTHER"; break;
	}
	h = json_object();
	TAILQ_FOREACH(kv, hdrs, next) {
		name = xstrdup(kv->key);
		for (p = name; *p != '\0'; p++)
			*p = tolower((unsigned char)*p);
		old = json_object_get(h, name);
		if (old != NULL) {
			xasprintf(&joined, "%s, %s", json_string_value(old),
			    kv->value);
			json_object_set_new(h, name, httpd_json_string(joined));
			free(joined);
		} else
			json_object_set_new(h, name,
			    httpd_json_string(kv->value));
		free(name);
	}
	gettimeofday(&tv, NULL);
	o = json_object();
	json_object_set_new(o, "n", json_integer(++httpd_seq));
	json_object_set_new(o, "time",
	    json_real(tv.tv_sec + tv.tv_usec / 1e6));
	json_object_set_new(o, "method", json_string(method));
	json_object_set_new(o, "path",
	    httpd_json_string(evhttp_request_get_uri(req)));
	json_object_set_new(o, "headers", h);
	httpd_log_body(o, req);
	if (json_dumpf(o, httpd_logf, JSON_COMPACT) == -1 ||
	    fputc('\n', httpd_logf) == EOF || fflush(httpd_logf) == EOF)
		log_warn("cannot write the request log");
	json_decref(o);
}

static unsigned long
httpd_count(const char *path)
{
	struct httpd_counter	*c;

	for (c = httpd_counters; c != NULL; c = c->next) {
		if (strcmp(c->path, path) == 0)
			return (++c->n);
	}
	c = xcalloc(1, sizeof *c);
	c->path = xstrdup(path);
	c->n = 1;
	c->next = httpd_counters;
	httpd_counters = c;
	return (c->n);
}

static void
httpd_req_free(struct httpd_req *r)
{
	if (r->timer != NULL)
		event_free(r->timer);
	if (r->zinit)
		deflateEnd(&r->z);
	if (r->slow_timer != NULL)
		event_free(r->slow_timer);
	buf_release(&r->slow);
	free(r->path);
	free(r);
}

/*
 * The client went away (or we closed): whatever was pending is dropped.
 * When the client closed, libevent has already detached the unanswered
 * request from the connection and leaves it to us to free; when we close
 * (/truncate/), it is still attached and libevent frees it.
 */
static void
httpd_closed_cb(struct evhttp_connection *evcon, void *arg)
{
	struct httpd_req	*r = arg;

	evhttp_connection_set_closecb(evcon, NULL, NULL);
	if (evhttp_request_get_connection(r->req) == NULL)
		evhttp_request_free(r->req);
	httpd_req_free(r);
}

/* The answer is complete: the connection may serve another request. */
static void
httpd_req_done(struct httpd_req *r)
{
	evhttp_connection_set_closecb(r->evcon, NULL, NULL);
	httpd_req_free(r);
}

static void
httpd_common_headers(struct httpd_req *r)
{
	struct evkeyvalq	*out = evhttp_request_get_output_headers(r->req);
	char			 v[64];

	if (r->max_age >= 0) {
		snprintf(v, sizeof v, "max-age=%ld", r->max_age);
		evhttp_add_header(out, "Cache-Control", v);
	}
}

static void
httpd_reply(struct httpd_req *r, int status, const char *body)
{
	struct evbuffer	*b = evbuffer_new();

	if (b == NULL)
		fatalx("evbuffer_new failed");
	httpd_common_headers(r);
	if (body != NULL) {
		evhttp_add_header(evhttp_request_get_output_headers(r->req),
		    "Content-Type", "text/plain");
		evbuffer_add(b, body, strlen(body));
	}
	evhttp_send_reply(r->req, status, httpd_reason(status), b);
	evbuffer_free(b);
	httpd_req_done(r);
}

static void
httpd_not_found(struct httpd_req *r)
{
	httpd_reply(r, 404, "404 not found\n");
}

/*
 * If the rest of the path starts with /NAME (then / or the end), step over
 * it.
 */
static int
httpd_take(struct httpd_req *r, const char *name)
{
	size_t	len = strlen(name);

	if (r->rest[0] != '/' || strncmp(r->rest + 1, name, len) != 0)
		return (0);
	if (r->rest[1 + len] != '/' && r->rest[1 + len] != '\0')
		return (0);
	r->rest += 1 + len;
	return (1);
}

/* Take the number segment after a modifier: /delay/1.5/... */
static int
httpd_take_number(struct httpd_req *r, double *value)
{
	char	*end;

	if (r->rest[0] != '/')
		return (0);
	errno = 0;
	*value = strtod(r->rest + 1, &end);
	if (end == r->rest + 1 || errno != 0 || *value < 0 ||
	    (*end != '/' && *end != '\0'))
		return (0);
	r->rest = end;
	return (1);
}

static void
httpd_delay_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	struct httpd_req	*r = arg;

	httpd_walk(r);
}

static time_t
httpd_parse_date(const char *s)
{
	struct tm	 tm;
	const char	*end;

	memset(&tm, 0, sizeof tm);
	end = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (end == NULL || *end != '\0')
		return (-1);
	return (timegm(&tm));
}

static void
httpd_format_date(time_t t, char *out, size_t outlen)
{
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(out, outlen, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static const char *
httpd_content_type(const char *name)
{
	static const struct {
		const char	*ext;
		const char	*type;
	} types[] = {
		{ ".xml", "application/rss+xml" },
		{ ".rss", "application/rss+xml" },
		{ ".rdf", "application/rdf+xml" },
		{ ".atom", "application/atom+xml" },
		{ ".json", "application/feed+json" },
		{ ".html", "text/html" },
		{ ".htm", "text/html" },
		{ ".txt", "text/plain" },
	};
	const char	*dot;
	size_t		 i;

	if ((dot = strrchr(name, '.')) == NULL || strchr(dot, '/') != NULL)
		return ("application/octet-stream");
	for (i = 0; i < nitems(types); i++) {
		if (strcasecmp(dot, types[i].ext) == 0)
			return (types[i].type);
	}
	return ("application/octet-stream");
}

static int
httpd_read_file(const char *path, struct buf *b, time_t *mtime)
{
	FILE		*f;
	struct stat	 sb;
	char		 chunk[16384];
	size_t		 n;

	if ((f = fopen(path, "r")) == NULL)
		return (-1);
	if (fstat(fileno(f), &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > HTTPD_MAXFILE) {
		fclose(f);
		return (-1);
	}
	*mtime = sb.st_mtime;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(b, chunk, n);
	if (ferror(f)) {
		fclose(f);
		return (-1);
	}
	fclose(f);
	return (0);
}

/* Sidecar "Name: value" lines replace or add headers. */
static void
httpd_sidecar(struct httpd_req *r, const char *path)
{
	struct evkeyvalq	*out = evhttp_request_get_output_headers(r->req);
	FILE			*f;
	char			*line = NULL, *colon, *v, *end;
	size_t			 size = 0;

	if ((f = fopen(path, "r")) == NULL)
		return;
	while (getline(&line, &size, f) != -1) {
		end = line + strcspn(line, "\r\n");
		*end = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if ((colon = strchr(line, ':')) == NULL)
			continue;
		*colon = '\0';
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		evhttp_remove_header(out, line);
		evhttp_add_header(out, line, v);
	}
	free(line);
	fclose(f);
}

static int
httpd_is_item_start(const char *p, const char *tag)
{
	size_t	len = strlen(tag);

	if (strncmp(p, tag, len) != 0)
		return (0);
	return (p[len] == '>' || p[len] == ' ' || p[len] == '\t' ||
	    p[len] == '\n' || p[len] == '\r');
}

/*
 * Rotate the items of a document by k places, keeping what lies between
 * them where it was.  Feeds that reorder items between polls (popularity
 * lists, sloppy CMS caches) must not produce duplicates.
 */
static void
httpd_rotate(struct buf *b, unsigned long k)
{
	static const char	*tags[][2] = {
		{ "<item", "</item>" }, { "<entry", "</entry>" }
	};
	size_t			 starts[1024], ends[1024], n, i, j;
	const char		*p, *e;
	struct buf		 out;

	if (b->len == 0)
		return;
	for (i = 0; i < nitems(tags); i++) {
		n = 0;
		p = b->data;
		while (n < nitems(starts) &&
		    (p = strstr(p, tags[i][0])) != NULL) {
			if (!httpd_is_item_start(p, tags[i][0])) {
				p++;
				continue;
			}
			if ((e = strstr(p, tags[i][1])) == NULL)
				break;
			starts[n] = p - b->data;
			ends[n] = e + strlen(tags[i][1]) - b->data;
			n++;
			p = b->data + ends[n - 1];
		}
		if (n > 0)
			break;
	}
	if (n < 2 || (k %= n) == 0)
		return;
	buf_init(&out);
	buf_add(&out, b->data, starts[0]);
	for (i = 0; i < n; i++) {
		j = (i + k) % n;
		buf_add(&out, b->data + starts[j], ends[j] - starts[j]);
		if (i + 1 < n)
			buf_add(&out, b->data + ends[i],
			    starts[i + 1] - ends[i]);
	}
	buf_add(&out, b->data + ends[n - 1], b->len - ends[n - 1]);
	buf_release(b);
	*b = out;
}

static uint64_t
httpd_hash(const char *data, size_t len)
{
	uint64_t	h = 0xcbf29ce484222325ULL;
	size_t		i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)data[i];
		h *= 0x100000001b3ULL;
	}
	return (h);
}

static int
httpd_accepts_gzip(struct httpd_req *r)
{
	const char	*ae;

	ae = evhttp_find_header(evhttp_request_get_input_headers(r->req),
	    "Accept-Encoding");
	return (ae != NULL && strcasestr(ae, "gzip") != NULL);
}

static int
httpd_gzip(const char *in, size_t inlen, struct buf *out)
{
	z_stream	z;
	char		chunk[16384];
	int		rc;

	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return (-1);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = inlen;
	do {
		z.next_out = (Bytef *)chunk;
		z.avail_out = sizeof chunk;
		rc = deflate(&z, Z_FINISH);
		if (rc == Z_STREAM_ERROR) {
			deflateEnd(&z);
			return (-1);
		}
		buf_add(out, chunk, sizeof chunk - z.avail_out);
	} while (rc != Z_STREAM_END);
	deflateEnd(&z);
	return (0);
}

static void
httpd_close_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	struct httpd_req	*r = arg;

	/* Frees r through httpd_closed_cb. */
	evhttp_connection_free(r->evcon);
}

/*
 * Half the body is out: /truncate/ closes on the next loop turn (not from
 * inside libevent's write callback), /stall/ just stops.
 */
static void
httpd_half_sent_cb(struct evhttp_connection *evcon UNUSED, void *arg)
{
	struct httpd_req	*r = arg;
	struct timeval		 tv = { 0, 0 };

	if (!(r->flags & HTTPD_TRUNCATE))
		return;
	if (r->timer != NULL)
		event_free(r->timer);
	if ((r->timer = evtimer_new(httpd_base, httpd_close_cb, r)) == NULL)
		fatalx("evtimer_new failed");
	evtimer_add(r->timer, &tv);
}

/* Call cb for r once a second until r is done or the client goes away. */
static void
httpd_slow_start(struct httpd_req *r, event_callback_fn cb)
{
	struct timeval	tv = { 1, 0 };

	if ((r->slow_timer = event_new(httpd_base, -1, EV_PERSIST, cb,
	    r)) == NULL)
		fatalx("event_new failed");
	evtimer_add(r->slow_timer, &tv);
}

/* /dribble/: the next byte of the body, the end after the last. */
static void
httpd_dribble_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	struct httpd_req	*r = arg;
	struct evbuffer		*eb;

	if (r->slow_done < r->slow.len) {
		if ((eb = evbuffer_new()) == NULL)
			fatalx("evbuffer_new failed");
		evbuffer_add(eb, r->slow.data + r->slow_done++, 1);
		evhttp_send_reply_chunk(r->req, eb);
		evbuffer_free(eb);
		return;
	}
	evhttp_send_reply_end(r->req);
	httpd_req_done(r);
}

/*
 * /endless-headers: evhttp only ever sends a whole header block, so these
 * lines go straight to the socket, which nothing else writes to while the
 * request is unanswered.
 */
static void
httpd_endless_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	struct httpd_req	*r = arg;
	struct bufferevent	*bev;
	char			 line[64];
	int			 n;

	bev = evhttp_connection_get_bufferevent(r->evcon);
	if (r->slow_done++ == 0)
		n = snprintf(line, sizeof line, "HTTP/1.1 200 OK\r\n");
	else
		n = snprintf(line, sizeof line, "X-Wait: %zu\r\n",
		    r->slow_done - 1);
	/* A client gone is seen by the close callback, which frees r. */
	(void)send(bufferevent_getfd(bev), line, (size_t)n, MSG_NOSIGNAL);
}

static void
httpd_send_body(struct httpd_req *r, struct buf *body, time_t mtime,
    const char *type, const char *sidecar, const char *sidecar2)
{
	struct evkeyvalq	*in = evhttp_request_get_input_headers(r->req);
	struct evkeyvalq	*out = evhttp_request_get_output_headers(r->req);
	struct evbuffer		*eb;
	struct buf		 gz;
	const char		*inm, *ims, *data = body->data;
	char			 etag[64], date[64], len[32];
	size_t			 datalen = body->len;
	time_t			 since;
	int			 fresh = 0;

	if (r->flags & HTTPD_ROTATE)
		httpd_rotate(body, r->count - 1);
	data = body->data;
	datalen = body->len;

	httpd_common_headers(r);
	evhttp_add_header(out, "Content-Type", type);
	if (r->flags & HTTPD_ETAG) {
		snprintf(etag, sizeof etag, "\"%016llx\"",
		    (unsigned long long)httpd_hash(data, datalen));
		httpd_format_date(mtime, date, sizeof date);
		evhttp_add_header(out, "ETag", etag);
		evhttp_add_header(out, "Last-Modified", date);
		inm = evhttp_find_header(in, "If-None-Match");
		ims = evhttp_find_header(in, "If-Modified-Since");
		if (inm != NULL)
			fresh = strstr(inm, etag) != NULL ||
			    strcmp(inm, "*") == 0;
		else if (ims != NULL) {
			since = httpd_parse_date(ims);
			fresh = since != -1 && mtime <= since;
		}
	}
	if (sidecar2 != NULL && access(sidecar, F_OK) == -1)
		sidecar = sidecar2;
	httpd_sidecar(r, sidecar);
	if (fresh) {
		evhttp_remove_header(out, "Content-Type");
		evhttp_send_reply(r->req, 304, httpd_reason(304), NULL);
		httpd_req_done(r);
		return;
	}

	buf_init(&gz);
	if (r->flags & HTTPD_GZIP) {
		evhttp_add_header(out, "Vary", "Accept-Encoding");
		if (httpd_accepts_gzip(r)) {
			if (httpd_gzip(data, datalen, &gz) == -1) {
				buf_release(&gz);
				httpd_reply(r, 500, "gzip failed\n");
				return;
			}
			evhttp_add_header(out, "Content-Encoding", "gzip");
			data = gz.data;
			datalen = gz.len;
		}
	}

	if ((eb = evbuffer_new()) == NULL)
		fatalx("evbuffer_new failed");
	if (r->flags & HTTPD_DRIBBLE) {
		snprintf(len, sizeof len, "%zu", datalen);
		evhttp_add_header(out, "Content-Length", len);
		evhttp_send_reply_start(r->req, 200, httpd_reason(200));
		buf_add(&r->slow, data, datalen);
		httpd_slow_start(r, httpd_dribble_cb);
	} else if (r->flags & (HTTPD_STALL|HTTPD_TRUNCATE)) {
		/*
		 * The full Content-Length keeps the client waiting for a
		 * rest that never comes.
		 */
		snprintf(len, sizeof len, "%zu", datalen);
		evhttp_add_header(out, "Content-Length", len);
		evhttp_send_reply_start(r->req, 200, httpd_reason(200));
		evbuffer_add(eb, data, datalen / 2 > 0 ? datalen / 2 : datalen);
		evhttp_send_reply_chunk_with_cb(r->req, eb, httpd_half_sent_cb,
		    r);
	} else {
		evbuffer_add(eb, data, datalen);
		evhttp_send_reply(r->req, 200, httpd_reason(200), eb);
		httpd_req_done(r);
	}
	evbuffer_free(eb);
	buf_release(&gz);
}

static int
httpd_safe_name(const char *name)
{
	const char	*p = name;
	size_t		 len;

	if (*name == '\0')
		return (0);
	while (*p != '\0') {
		len = strcspn(p, "/");
		if (len == 0 || (len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.'))
			return (0);
		p += len;
		if (*p == '/')
			p++;
	}
	return (1);
}

static void
httpd_file(struct httpd_req *r)
{
	struct buf	 body;
	char		*path = NULL, *try = NULL, *side = NULL, *side2 = NULL;
	const char	*name;
	time_t		 mtime;
	unsigned long	 k;

	name = r->rest[0] == '/' ? r->rest + 1 : r->rest;
	if (!httpd_safe_name(name)) {
		httpd_not_found(r);
		return;
	}
	xasprintf(&path, "%s/%s", httpd_docroot, name);
	buf_init(&body);
	if (r->flags & HTTPD_SEQ) {
		for (k = r->count; k > 0; k--) {
			free(try);
			xasprintf(&try, "%s.%lu", path, k);
			if (access(try, F_OK) == 0)
				break;
		}
		if (k > 0) {
			xasprintf(&side2, "%s.headers", path);
			free(path);
			path = try;
			try = NULL;
		}
		free(try);
	}
	xasprintf(&side, "%s.headers", path);
	if (httpd_read_file(path, &body, &mtime) == -1) {
		httpd_not_found(r);
	} else {
		httpd_send_body(r, &body, mtime, httpd_content_type(name),
		    side, side2);
	}
	buf_release(&body);
	free(side2);
	free(side);
	free(path);
}

static const char *
httpd_query(struct httpd_req *r, struct evkeyvalq *q, const char *key)
{
	const char	*query;

	query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(r->req));
	if (query == NULL)
		return (NULL);
	if (TAILQ_EMPTY(q) && evhttp_parse_query_str(query, q) == -1)
		return (NULL);
	return (evhttp_find_header(q, key));
}

static void
httpd_status(struct httpd_req *r, int status)
{
	struct evkeyvalq	 q;
	const char		*ra;
	char			 body[64];

	TAILQ_INIT(&q);
	if ((ra = httpd_query(r, &q, "retry-after")) != NULL)
		evhttp_add_header(evhttp_request_get_output_headers(r->req),
		    "Retry-After", ra);
	evhttp_clear_headers(&q);
	snprintf(body, sizeof body, "%d %s\n", status, httpd_reason(status));
	httpd_reply(r, status, status == 304 ? NULL : body);
}

static void
httpd_redirect(struct httpd_req *r, int code, const char *target)
{
	evhttp_add_header(evhttp_request_get_output_headers(r->req),
	    "Location", target);
	httpd_reply(r, code, "redirecting\n");
}

/* /redirect/C/T...: C is a status, or below 100 a count of hops left. */
static void
httpd_redirect_path(struct httpd_req *r, long code)
{
	const char	*query;
	char		*target;

	query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(r->req));
	if (code < 100 && code > 1)
		xasprintf(&target, "/redirect/%ld%s%s%s", code - 1, r->rest,
		    query != NULL ? "?" : "", query != NULL ? query : "");
	else
		xasprintf(&target, "%s%s%s", r->rest[0] == '\0' ? "/" : r->rest,
		    query != NULL ? "?" : "", query != NULL ? query : "");
	httpd_redirect(r, code < 100 ? 302 : (int)code, target);
	free(target);
}

static void
httpd_redirect_to(struct httpd_req *r)
{
	struct evkeyvalq	 q;
	const char		*url, *code;
	long			 c = 302;
	char			*target;

	TAILQ_INIT(&q);
	if ((url = httpd_query(r, &q, "url")) == NULL) {
		evhttp_clear_headers(&q);
		httpd_reply(r, 400, "url missing\n");
		return;
	}
	if ((code = evhttp_find_header(&q, "code")) != NULL)
		c = strtol(code, NULL, 10);
	if (c < 300 || c > 399)
		c = 302;
	target = xstrdup(url);
	evhttp_clear_headers(&q);
	httpd_redirect(r, (int)c, target);
	free(target);
}

/* Append about one item (1 KB) of a generated feed to b. */
static void
httpd_big_item(struct buf *b, unsigned long i)
{
	char	date[64];

	httpd_format_date(1700000000 - (time_t)i * 3600, date, sizeof date);
	buf_addf(b, "<item>\n<title>Generated item %lu</title>\n"
	    "<link>http://127.0.0.1/big/item/%lu</link>\n"
	    "<guid isPermaLink=\"false\">big-%lu</guid>\n"
	    "<pubDate>%s</pubDate>\n<description>", i, i, i, date);
	buf_adds(b, "Lorem ipsum dolor sit amet, consectetur adipiscing "
	    "elit, sed do eiusmod tempor incididunt ut labore et dolore "
	    "magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation "
	    "ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis "
	    "aute irure dolor in reprehenderit in voluptate velit esse cillum "
	    "dolore eu fugiat nulla pariatur. Excepteur sint occaecat "
	    "cupidatat non proident, sunt in culpa qui officia deserunt "
	    "mollit anim id est laborum. Sed ut perspiciatis unde omnis iste "
	    "natus error sit voluptatem accusantium doloremque laudantium, "
	    "totam rem aperiam, eaque ipsa quae ab illo inventore veritatis "
	    "et quasi architecto beatae vitae dicta sunt explicabo. Nemo enim "
	    "ipsam voluptatem quia voluptas sit aspernatur aut odit aut "
	    "fugit, sed quia consequuntur magni dolores eos qui ratione "
	    "voluptatem sequi nesciunt.");
	buf_adds(b, "</description>\n</item>\n");
}

/*
 * Stream the next piece of a /big/ document; called again by libevent
 * each time the previous piece has left the output buffer, so memory stays
 * at one chunk however big the document.
 */
static void
httpd_big_cb(struct evhttp_connection *evcon UNUSED, void *arg)
{
	struct httpd_req	*r = arg;
	struct evbuffer		*eb;
	struct buf		 b;
	char			 out[16384];
	int			 last = 0, rc;

	if ((eb = evbuffer_new()) == NULL)
		fatalx("evbuffer_new failed");
	/* deflate may swallow a whole piece: go on until there is output. */
	do {
		buf_init(&b);
		if (r->big_done == 0)
			buf_adds(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
			    "<rss version=\"2.0\">\n<channel>\n"
			    "<title>A very big feed</title>\n"
			    "<link>http://127.0.0.1/big/</link>\n"
			    "<description>Generated to test size caps"
			    "</description>\n");
		while (b.len < HTTPD_CHUNK && r->big_done + b.len < r->big_size)
			httpd_big_item(&b, r->big_item++);
		if (r->big_done + b.len >= r->big_size) {
			buf_adds(&b, "</channel>\n</rss>\n");
			last = 1;
		}
		r->big_done += b.len;
		if (r->zinit) {
			r->z.next_in = (Bytef *)b.data;
			r->z.avail_in = b.len;
			do {
				r->z.next_out = (Bytef *)out;
				r->z.avail_out = sizeof out;
				rc = deflate(&r->z, last ? Z_FINISH : Z_NO_FLUSH);
				evbuffer_add(eb, out, sizeof out - r->z.avail_out);
			} while (r->z.avail_out == 0 || (last &&
			    rc != Z_STREAM_END && rc != Z_STREAM_ERROR));
		} else
			evbuffer_add(eb, b.data, b.len);
		buf_release(&b);
	} while (evbuffer_get_length(eb) == 0 && !last);

	if (evbuffer_get_length(eb) > 0)
		evhttp_send_reply_chunk_with_cb(r->req, eb,
		    last ? NULL : httpd_big_cb, r);
	evbuffer_free(eb);
	if (last) {
		evhttp_send_reply_end(r->req);
		httpd_req_done(r);
	}
}

static void
httpd_big(struct httpd_req *r, double size)
{
	struct evkeyvalq	*out = evhttp_request_get_output_headers(r->req);

	r->big_size = size;
	httpd_common_headers(r);
	evhttp_add_header(out, "Content-Type", "application/rss+xml");
	if (r->flags & HTTPD_GZIP) {
		evhttp_add_header(out, "Vary", "Accept-Encoding");
		if (httpd_accepts_gzip(r)) {
			if (deflateInit2(&r->z, 9, Z_DEFLATED, 31, 8,
			    Z_DEFAULT_STRATEGY) != Z_OK)
				fatalx("deflateInit2 failed");
			r->zinit = 1;
			evhttp_add_header(out, "Content-Encoding", "gzip");
		}
	}
	evhttp_send_reply_start(r->req, 200, httpd_reason(200));
	httpd_big_cb(NULL, r);
}

/* Apply modifiers until an answer takes the rest of the path. */
static void
httpd_walk(struct httpd_req *r)
{
	struct timeval	tv;
	double		n;

	for (;;) {
		if (httpd_take(r, "gzip"))
			r->flags |= HTTPD_GZIP;
		else if (httpd_take(r, "etag"))
			r->flags |= HTTPD_ETAG;
		else if (httpd_take(r, "stall"))
			r->flags |= HTTPD_STALL;
		else if (httpd_take(r, "truncate"))
			r->flags |= HTTPD_TRUNCATE;
		else if (httpd_take(r, "rotate"))
			r->flags |= HTTPD_ROTATE;
		else if (httpd_take(r, "seq"))
			r->flags |= HTTPD_SEQ;
		else if (httpd_take(r, "dribble"))
			r->flags |= HTTPD_DRIBBLE;
		else if (httpd_take(r, "cache")) {
			if (!httpd_take_number(r, &n))
				break;
			r->max_age = n;
		} else if (httpd_take(r, "delay")) {
			if (!httpd_take_number(r, &n))
				break;
			tv.tv_sec = n;
			tv.tv_usec = (n - tv.tv_sec) * 1e6;
			if (r->timer == NULL &&
			    (r->timer = evtimer_new(httpd_base, httpd_delay_cb,
			    r)) == NULL)
				fatalx("evtimer_new failed");
			evtimer_add(r->timer, &tv);
			return;
		} else if (httpd_take(r, "status")) {
			if (!httpd_take_number(r, &n) || n < 100 || n > 999)
				break;
			httpd_status(r, n);
			return;
		} else if (httpd_take(r, "redirect")) {
			if (!httpd_take_number(r, &n) || n < 1 || n > 399)
				break;
			httpd_redirect_path(r, n);
			return;
		} else if (httpd_take(r, "redirect-to")) {
			httpd_redirect_to(r);
			return;
		} else if (httpd_take(r, "big")) {
			if (!httpd_take_number(r, &n) || r->rest[0] != '\0')
				break;
			httpd_big(r, n);
			return;
		} else if (httpd_take(r, "hang")) {
			/* r is freed when the client gives up. */
			return;
		} else if (httpd_take(r, "endless-headers")) {
			/* The status line now, then a header a second; r is
			 * freed when the client gives up. */
			httpd_endless_cb(-1, 0, r);
			httpd_slow_start(r, httpd_endless_cb);
			return;
		} else {
			httpd_take(r, "feeds");
			httpd_file(r);
			return;
		}
	}
	httpd_not_found(r);
}

static struct httpd_answer *
httpd_answer_find(const char *key)
{
	struct httpd_answer	*a;

	for (a = httpd_answers; a != NULL; a = a->next) {
		if (strcmp(a->path, key) == 0)
			return (a);
	}
	return (NULL);
}

static void
httpd_answer_free(struct httpd_answer *a)
{
	free(a->path);
	json_decref(a->headers);
	free(a->body);
	free(a);
}

/* POST /_set: remember an answer for a path; the last one set wins. */
static const char *
httpd_set(struct evhttp_request *req)
{
	struct evbuffer		*in = evhttp_request_get_input_buffer(req);
	struct httpd_answer	*a, **ap;
	json_t			*j, *path, *status, *headers, *body;
	json_error_t		 err;
	size_t			 len = evbuffer_get_length(in);

	j = json_loadb((const char *)evbuffer_pullup(in, len), len, 0, &err);
	if (j == NULL || !json_is_object(j))
		return ("body is not a JSON object");
	path = json_object_get(j, "path");
	status = json_object_get(j, "status");
	headers = json_object_get(j, "headers");
	body = json_object_get(j, "body");
	if (!json_is_string(path) || json_string_value(path)[0] != '/' ||
	    (status != NULL && !json_is_integer(status)) ||
	    (headers != NULL && !json_is_object(headers)) ||
	    (body != NULL && !json_is_string(body))) {
		json_decref(j);
		return ("want {\"path\": \"/x\", \"status\": N, "
		    "\"headers\": {}, \"body\": \"\"}");
	}
	for (ap = &httpd_answers; *ap != NULL; ap = &(*ap)->next) {
		if (strcmp((*ap)->path, json_string_value(path)) == 0) {
			a = *ap;
			*ap = a->next;
			httpd_answer_free(a);
			break;
		}
	}
	a = xcalloc(1, sizeof *a);
	a->path = xstrdup(json_string_value(path));
	a->status = status != NULL ? json_integer_value(status) : 200;
	a->headers = headers != NULL ? json_incref(headers) : json_object();
	if (body != NULL) {
		a->bodylen = json_string_length(body);
		a->body = xmalloc(a->bodylen + 1);
		memcpy(a->body, json_string_value(body), a->bodylen + 1);
	} else
		a->body = xstrdup("");
	a->next = httpd_answers;
	httpd_answers = a;
	json_decref(j);
	return (NULL);
}

static void
httpd_answer_send(struct evhttp_request *req, struct httpd_answer *a)
{
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	struct evbuffer		*eb;
	const char		*k;
	json_t			*v;

	json_object_foreach(a->headers, k, v) {
		if (json_is_string(v))
			evhttp_add_header(out, k, json_string_value(v));
	}
	if ((eb = evbuffer_new()) == NULL)
		fatalx("evbuffer_new failed");
	evbuffer_add(eb, a->body, a->bodylen);
	evhttp_send_reply(req, a->status, httpd_reason(a->status), eb);
	evbuffer_free(eb);
}

static void
httpd_request_cb(struct evhttp_request *req, void *arg UNUSED)
{
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	struct httpd_req	*r;
	struct httpd_answer	*a;
	struct httpd_answer	*next;
	struct evbuffer		*eb;
	const char		*path, *error;

	httpd_log_request(req);
	path = evhttp_uri_get_path(uri);
	if (path == NULL || *path == '\0')
		path = "/";

	if (evhttp_request_get_command(req) == EVHTTP_REQ_POST &&
	    (strcmp(path, "/_set") == 0 || strcmp(path, "/_reset") == 0)) {
		error = NULL;
		if (strcmp(path, "/_set") == 0)
			error = httpd_set(req);
		else {
			for (a = httpd_answers; a != NULL; a = next) {
				next = a->next;
				httpd_answer_free(a);
			}
			httpd_answers = NULL;
		}
		if ((eb = evbuffer_new()) == NULL)
			fatalx("evbuffer_new failed");
		evbuffer_add_printf(eb, "%s\n", error != NULL ? error : "ok");
		evhttp_send_reply(req, error != NULL ? 400 : 200,
		    error != NULL ? "Bad Request" : "OK", eb);
		evbuffer_free(eb);
		return;
	}
	if ((a = httpd_answer_find(evhttp_request_get_uri(req))) != NULL ||
	    (a = httpd_answer_find(path)) != NULL) {
		httpd_answer_send(req, a);
		return;
	}

	r = xcalloc(1, sizeof *r);
	r->req = req;
	r->evcon = evhttp_request_get_connection(req);
	r->path = xstrdup(path);
	r->rest = r->path;
	r->max_age = -1;
	r->count = httpd_count(path);
	evhttp_connection_set_closecb(r->evcon, httpd_closed_cb, r);
	httpd_walk(r);
}

static void
httpd_signal_cb(evutil_socket_t sig UNUSED, short what UNUSED, void *arg)
{
	event_base_loopexit(arg, NULL);
}

/* Write a file whole under a temporary name, then rename it into place. */
static void
httpd_write_atomic(const char *path, const char *fmt, long value)
{
	char	*tmp;
	FILE	*f;

	xasprintf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	if ((f = fopen(tmp, "w")) == NULL)
		fatal("cannot create %s", tmp);
	if (fprintf(f, fmt, value) < 0 || fclose(f) == EOF)
		fatal("cannot write %s", tmp);
	if (rename(tmp, path) == -1)
		fatal("cannot rename %s to %s", tmp, path);
	free(tmp);
}

int
main(int argc, char **argv)
{
	struct evhttp			*http;
	struct evhttp_bound_socket	*bound;
	struct event			*sigterm, *sigint;
	struct sockaddr_in		 sin;
	socklen_t			 slen = sizeof sin;
	struct httpd_counter		*c;
	struct httpd_answer		*a;
	const char			*portfile = NULL, *logfile = NULL;
	const char			*pidfile = NULL, *addr = "127.0.0.1";
	int				 ch;

	log_init("httpd", 0, 0);
	while ((ch = getopt(argc, argv, "a:d:l:P:p:")) != -1) {
		switch (ch) {
		case 'a':
			addr = optarg;
			break;
		case 'd':
			httpd_docroot = optarg;
			break;
		case 'l':
			logfile = optarg;
			break;
		case 'P':
			pidfile = optarg;
			break;
		case 'p':
			portfile = optarg;
			break;
		default:
			httpd_usage();
		}
	}
	if (optind != argc || httpd_docroot == NULL || portfile == NULL ||
	    logfile == NULL)
		httpd_usage();

	signal(SIGPIPE, SIG_IGN);
	if ((httpd_logf = fopen(logfile, "a")) == NULL)
		fatal("cannot open %s", logfile);
	if ((httpd_base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	if ((http = evhttp_new(httpd_base)) == NULL)
		fatalx("evhttp_new failed");
	/* Long enough that /hang and /stall outlast any client timeout. */
	evhttp_set_timeout(http, 3600);
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE);
	evhttp_set_gencb(http, httpd_request_cb, NULL);
	if ((bound = evhttp_bind_socket_with_handle(http, addr, 0)) == NULL)
		fatalx("cannot listen on %s", addr);
	if (getsockname(evhttp_bound_socket_get_fd(bound),
	    (struct sockaddr *)&sin, &slen) == -1)
		fatal("getsockname");

	sigterm = evsignal_new(httpd_base, SIGTERM, httpd_signal_cb,
	    httpd_base);
	sigint = evsignal_new(httpd_base, SIGINT, httpd_signal_cb, httpd_base);
	if (sigterm == NULL || sigint == NULL ||
	    evsignal_add(sigterm, NULL) == -1 || evsignal_add(sigint, NULL) == -1)
		fatalx("cannot set up signal events");

	if (pidfile != NULL)
		httpd_write_atomic(pidfile, "%ld\n", (long)getpid());
	httpd_write_atomic(portfile, "%ld\n", (long)ntohs(sin.sin_port));

	event_base_dispatch(httpd_base);

	unlink(portfile);
	if (pidfile != NULL)
		unlink(pidfile);
	evhttp_free(http);
	event_free(sigterm);
	event_free(sigint);
	event_base_free(httpd_base);
	while ((c = httpd_counters) != NULL) {
		httpd_counters = c->next;
		free(c->path);
		free(c);
	}
	while ((a = httpd_answers) != NULL) {
		httpd_answers = a->next;
		httpd_answer_free(a);
	}
	fclose(httpd_logf);
	return (0);
}
