/*
 * Fetching: transfers on libcurl's multi socket interface, driven by the
 * daemon's libevent loop (curl's docs/examples/multi-event.c): one
 * persistent event per socket kept with curl_multi_assign, one timer.
 * Bytes go to the streaming parser as they arrive; at the end of a
 * transfer its items are written in one transaction with the feed's next
 * due time, which sched.c decides (interval, adaptive, feed hints,
 * Retry-After, backoff).  Politeness lives here: due feeds wait in their
 * host's queue only for that host's caps (transfers in flight per host and
 * in all, a least spacing between request starts, a host-wide refusal),
 * never for another transfer, however stuck.
 */
#include <sys/socket.h>
#include <sys/queue.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "aggd.h"
#include "buf.h"
#include "feedparse.h"
#include "fetch.h"
#include "log.h"
#include "proto.h"
#include "store.h"
#include "units.h"
#include "work.h"
#include "xmalloc.h"

#define FETCH_HASH	4096
/* Finished transfers stored a turn of the loop (fetch_check_done). */
#define FETCH_DONE_BATCH	4
/*
 * Finished transfers on the work thread or back from it, not yet stored
 * (fetch_prepare): enough to keep the loop storing, few enough that the
 * others wait with their text held once, not also packed.
 */
#define FETCH_PREP_MAX		8
#define FETCH_PREP_NONE		0
#define FETCH_PREP_QUEUED	1	/* on fetch_prepq */
#define FETCH_PREP_RUNNING	2	/* given to the work thread */

#define FETCH_MAX_REDIRECTS 5

struct host;

struct job {
	int64_t			 id;
	char			*url;		/* as at the start */
	struct host		*host;
	int			 running;
	CURL			*easy;
	struct curl_slist	*headers;
	struct feedparse	*fp;
	size_t			 received;
	int			 too_big;
	int			 refused;	/* redirect to a private address */
	int			 hops;		/* requests made */
	int			 first_public;
	int			 all_permanent;
	long			 status;	/* of the latest response */
	char			*etag;
	char			*last_modified;
	char			*content_type;
	char			*retry_after;
	char			*cache_control;
	char			*expires;
	struct item		*items;
	size_t			 nitems;
	size_t			 itemcap;
	struct store_prep	*prep;		/* each item's, made off the loop */
	int			 prepping;	/* FETCH_PREP_*: hands off the items
						 * while RUNNING */
	int			 cancelled;	/* removed meanwhile: only freed */
	CURLcode		 rc;		/* the transfer's, meanwhile */
	int64_t			 added;		/* items stored, for the log */
	int64_t			 changed;
	char			 errbuf[CURL_ERROR_SIZE];
	TAILQ_ENTRY(job)	 qentry;	/* host queue */
	struct job		*hnext;		/* id hash chain */
};

struct host {
	char			*name;		/* scheme://host:port */
	int			 active;
	int64_t			 last_start_ms;
	struct sched_host	 refusal;	/* 429/503 seen, see sched.c */
	struct event		*timer;
	TAILQ_HEAD(, job)	 queue;
	int			 ready;		/* on fetch_ready */
	TAILQ_ENTRY(host)	 rentry;
	struct host		*hnext;
};

static struct event_base	*fetch_base;
static CURLM			*fetch_multi;
static struct event		*fetch_timer;
static struct event		*fetch_done_ev;	/* the rest of the done */
static struct job		*fetch_jobs[FETCH_HASH];
static struct host		*fetch_hosts[FETCH_HASH];
static TAILQ_HEAD(, host)	 fetch_ready = TAILQ_HEAD_INITIALIZER(fetch_ready);
/* Finished, waiting for the work thread (fetch_prepare). */
static TAILQ_HEAD(, job)	 fetch_prepq = TAILQ_HEAD_INITIALIZER(fetch_prepq);
static int			 fetch_nprep;	/* see FETCH_PREP_MAX */
/* Cancelled while the work thread had them (fetch_cancel). */
static TAILQ_HEAD(, job)	 fetch_orphans =
				    TAILQ_HEAD_INITIALIZER(fetch_orphans);
static int			 fetch_running;
static int			 fetch_pumping;

static void	fetch_pump(void);
static void	fetch_job_free(struct job *);

static int64_t
fetch_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static unsigned int
fetch_hash_str(const char *s)
{
	unsigned int	h = 5381;

	for (; *s != '\0'; s++)
		h = h * 33 + (unsigned char)*s;
	return (h % FETCH_HASH);
}

static struct job *
fetch_job_find(int64_t id)
{
	struct job	*j;

	for (j = fetch_jobs[id % FETCH_HASH]; j != NULL; j = j->hnext)
		if (j->id == id)
			return (j);
	return (NULL);
}

static void
fetch_job_unhash(struct job *job)
{
	struct job	**jp;

	for (jp = &fetch_jobs[job->id % FETCH_HASH]; *jp != NULL;
	    jp = &(*jp)->hnext) {
		if (*jp == job) {
			*jp = job->hnext;
			return;
		}
	}
}

/* "https://example.org:443" for a URL: what politeness is counted by. */
static char *
fetch_host_name(const char *url)
{
	const char	*p, *end;
	struct buf	 b;

	buf_init(&b);
	if ((p = strstr(url, "://")) == NULL)
		return (xstrdup(url));
	end = p + 3 + strcspn(p + 3, "/?#");
	for (p = url; p < end; p++)
		buf_addc(&b, (char)tolower((unsigned char)*p));
	return (buf_detach(&b));
}

static void
fetch_host_timer_cb(evutil_socket_t fd UNUSED, short what UNUSED,
    void *arg UNUSED)
{
	fetch_pump();
}

static struct host *
fetch_host_get(const char *url)
{
	struct host	*h;
	char		*name;
	unsigned int	 slot;

	name = fetch_host_name(url);
	slot = fetch_hash_str(name);
	for (h = fetch_hosts[slot]; h != NULL; h = h->hnext) {
		if (strcmp(h->name, name) == 0) {
			free(name);
			return (h);
		}
	}
	h = xcalloc(1, sizeof *h);
	h->name = name;
	h->timer = evtimer_new(fetch_base, fetch_host_timer_cb, h);
	TAILQ_INIT(&h->queue);
	h->hnext = fetch_hosts[slot];
	fetch_hosts[slot] = h;
	return (h);
}

/* --- curl glue ------------------------------------------------------- */

static void	fetch_check_done(void);
static void	fetch_done_cb(evutil_socket_t, short, void *);

static void
fetch_event_cb(evutil_socket_t fd, short kind, void *arg UNUSED)
{
	int	action = 0;

	if (kind & EV_READ)
		action |= CURL_CSELECT_IN;
	if (kind & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	curl_multi_socket_action(fetch_multi, fd, action, &fetch_running);
	fetch_check_done();
}

static void
fetch_timer_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg UNUSED)
{
	curl_multi_socket_action(fetch_multi, CURL_SOCKET_TIMEOUT, 0,
	    &fetch_running);
	fetch_check_done();
}

static int
fetch_socket_cb(CURL *easy UNUSED, curl_socket_t s, int what, void *userp UNUSED,
    void *socketp)
{
	struct event	*ev = socketp;
	short		 kind;

	if (what == CURL_POLL_REMOVE) {
		if (ev != NULL) {
			event_free(ev);
			curl_multi_assign(fetch_multi, s, NULL);
		}
		return (0);
	}
	kind = EV_PERSIST;
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	if (ev == NULL) {
		ev = event_new(fetch_base, s, kind, fetch_event_cb, NULL);
		curl_multi_assign(fetch_multi, s, ev);
	} else {
		event_del(ev);
		event_assign(ev, fetch_base, s, kind, fetch_event_cb, NULL);
	}
	event_priority_set(ev, AGGD_PRI_BULK);
	event_add(ev, NULL);
	return (0);
}

/* -1 deletes the timer; 0 arms a 0 s timer, never a direct call back. */
static int
fetch_multi_timer_cb(CURLM *m UNUSED, long ms, void *userp UNUSED)
{
	struct timeval	tv;

	if (ms < 0) {
		evtimer_del(fetch_timer);
		return (0);
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(fetch_timer, &tv);
	return (0);
}

/* --- safe fetching ---------------------------------------------------- */

static int
fetch_ipv4_public(uint32_t a)
{
	if ((a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127)
		return (0);
	if ((a & 0xffc00000) == 0x64400000)	/* 100.64/10 */
		return (0);
	if ((a & 0xffff0000) == 0xa9fe0000)	/* 169.254/16 */
		return (0);
	if ((a & 0xfff00000) == 0xac100000)	/* 172.16/12 */
		return (0);
	if ((a & 0xffffff00) == 0xc0000000)	/* 192.0.0/24 */
		return (0);
	if ((a & 0xffff0000) == 0xc0a80000)	/* 192.168/16 */
		return (0);
	if ((a & 0xfffe0000) == 0xc6120000)	/* 198.18/15 */
		return (0);
	if ((a >> 28) >= 0xe)			/* multicast, reserved */
		return (0);
	return (1);
}

/* Is this literal address one anybody on the internet could reach? */
int
fetch_address_public(const char *ip)
{
	struct in_addr	 v4;
	struct in6_addr	 v6;
	const uint8_t	*b;
	uint32_t	 a;

	if (inet_pton(AF_INET, ip, &v4) == 1)
		return (fetch_ipv4_public(ntohl(v4.s_addr)));
	if (inet_pton(AF_INET6, ip, &v6) != 1)
		return (0);
	b = v6.s6_addr;
	if (IN6_IS_ADDR_UNSPECIFIED(&v6) || IN6_IS_ADDR_LOOPBACK(&v6) ||
	    IN6_IS_ADDR_LINKLOCAL(&v6) || IN6_IS_ADDR_SITELOCAL(&v6) ||
	    IN6_IS_ADDR_MULTICAST(&v6))
		return (0);
	if ((b[0] & 0xfe) == 0xfc)		/* fc00::/7 unique local */
		return (0);
	if (IN6_IS_ADDR_V4MAPPED(&v6) || IN6_IS_ADDR_V4COMPAT(&v6) ||
	    (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b)) {
		a = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
		    (uint32_t)b[14] << 8 | b[15];
		return (fetch_ipv4_public(a));
	}
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
		return (0);			/* documentation */
	return (1);
}

/*
 * Called for every request, on a new or reused connection, with the
 * address actually connected to.  A feed the user added on a private
 * address may stay there; a public one may not be redirected inside.
 */
static int
fetch_prereq_cb(void *arg, char *ip, char *local_ip UNUSED,
    int primary_port UNUSED, int local_port UNUSED)
{
	struct job	*job = arg;
	int		 public = fetch_address_public(ip);

	if (job->hops++ == 0) {
		job->first_public = public;
		return (CURL_PREREQFUNC_OK);
	}
	if (job->first_public && !public) {
		job->refused = 1;
		return (CURL_PREREQFUNC_ABORT);
	}
	return (CURL_PREREQFUNC_OK);
}

/* --- the transfer's callbacks ---------------------------------------- */

static void
fetch_item_cb(struct item *it, void *arg)
{
	struct job	*job = arg;

	if (job->nitems == job->itemcap) {
		job->itemcap = job->itemcap ? job->itemcap * 2 : 32;
		job->items = xreallocarray(job->items, job->itemcap,
		    sizeof *job->items);
	}
	/* Take the whole item; the parser is left an empty one. */
	job->items[job->nitems++] = *it;
	item_init(it);
}

static char *
fetch_charset(const char *ct)
{
	const char	*p;
	size_t		 n;

	if (ct == NULL)
		return (NULL);
	for (p = ct; (p = strchr(p, ';')) != NULL;) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "charset", 7) != 0)
			continue;
		p += 7;
		while (*p == ' ')
			p++;
		if (*p++ != '=')
			continue;
		while (*p == ' ')
			p++;
		if (*p == '"' || *p == '\'')
			p++;
		n = strcspn(p, "\"'; \t");
		if (n == 0)
			return (NULL);
		return (xstrndup(p, n));
	}
	return (NULL);
}

static size_t
fetch_write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct job	*job = arg;
	size_t		 len = size * n;
	char		*url = NULL, *charset;

	if (job->status != 200)
		return (len);	/* only a 200's body is a feed */
	if (job->received + len > (size_t)aggd->conf->max_feed_size) {
		job->too_big = 1;
		return (0);	/* abort the transfer */
	}
	job->received += len;
	if (job->fp == NULL) {
		curl_easy_getinfo(job->easy, CURLINFO_EFFECTIVE_URL, &url);
		charset = fetch_charset(job->content_type);
		job->fp = feedparse_new(url != NULL ? url : job->url, charset,
		    fetch_item_cb, job);
		free(charset);
	}
	feedparse_feed(job->fp, data, len);
	return (len);
}

static void
fetch_header_set(char **field, const char *v, size_t len)
{
	free(*field);
	*field = xstrndup(v, len);
}

static size_t
fetch_header_cb(char *data, size_t size, size_t n, void *arg)
{
	struct job	*job = arg;
	size_t		 len = size * n, klen;
	const char	*v, *end = data + len;
	long		 code;

	if (len > 5 && strncmp(data, "HTTP/", 5) == 0) {
		v = memchr(data, ' ', len);
		if (v == NULL)
			return (len);
		code = strtol(v + 1, NULL, 10);
		if (code >= 100 && code < 200)
			return (len);
		/* A new response: forget the previous one's headers. */
		if (job->status >= 300 && job->status < 400 &&
		    job->status != 301 && job->status != 308 &&
		    job->status != 304)
			job->all_permanent = 0;
		job->status = code;
		free(job->etag);
		free(job->last_modified);
		free(job->content_type);
		free(job->retry_after);
		free(job->cache_control);
		free(job->expires);
		job->etag = job->last_modified = job->content_type = NULL;
		job->retry_after = job->cache_control = job->expires = NULL;
		return (len);
	}
	if ((v = memchr(data, ':', len)) == NULL)
		return (len);
	klen = (size_t)(v - data);
	v++;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' ||
	    end[-1] == ' '))
		end--;
#define HDR(name) (klen == sizeof(name) - 1 && \
	strncasecmp(data, name, klen) == 0)
	if (HDR("etag"))
		fetch_header_set(&job->etag, v, (size_t)(end - v));
	else if (HDR("last-modified"))
		fetch_header_set(&job->last_modified, v, (size_t)(end - v));
	else if (HDR("content-type"))
		fetch_header_set(&job->content_type, v, (size_t)(end - v));
	else if (HDR("retry-after"))
		fetch_header_set(&job->retry_after, v, (size_t)(end - v));
	else if (HDR("cache-control"))
		fetch_header_set(&job->cache_control, v, (size_t)(end - v));
	else if (HDR("expires"))
		fetch_header_set(&job->expires, v, (size_t)(end - v));
#undef HDR
	return (len);
}

/* --- starting -------------------------------------------------------- */

static int
fetch_job_start(struct job *job)
{
	struct store_feed	*f;
	struct buf		 b;
	CURL			*e;

	if ((f = store_feed_get(aggd->store, job->id)) == NULL) {
		cmd_fetch_done(job->id, "the feed is gone from the database "
		    "or cannot be read");
		return (-1);
	}
	free(job->url);
	job->url = xstrdup(f->url);
	job->all_permanent = 1;
	if ((e = curl_easy_init()) == NULL)
		fatalx("curl_easy_init failed");
	job->easy = e;
	curl_easy_setopt(e, CURLOPT_URL, f->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, job);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, fetch_write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, job);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, fetch_header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, job);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, job->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	/* Fewer, larger reads: a typical feed arrives in two or three. */
	curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 65536L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, aggd->conf->user_agent);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)FETCH_MAX_REDIRECTS);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)aggd->conf->timeout);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT,
	    (long)(aggd->conf->timeout < 15 ? aggd->conf->timeout : 15));
	/* A transfer that moves under 1 byte/s for this long has stalled. */
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
	    (long)(aggd->conf->timeout < 20 ? aggd->conf->timeout : 20));
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
	/*
	 * Waiting for a connection that may turn out to multiplex pays only
	 * where HTTP/2 can come (TLS, settled at the handshake).  On plain
	 * http it holds every other transfer to the host until the first
	 * answer's headers arrive: one slow or hanging server would leave
	 * per_host_connections at one, or stall the host until the timeout.
	 */
	if (strncasecmp(f->url, "https:", 6) == 0)
		curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, fetch_prereq_cb);
	curl_easy_setopt(e, CURLOPT_PREREQDATA, job);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)aggd->conf->max_feed_size);

	job->headers = curl_slist_append(NULL, "Accept: application/rss+xml, "
	    "application/atom+xml, application/feed+json, "
	    "application/rdf+xml;q=0.9, application/xml;q=0.9, "
	    "text/xml;q=0.9, application/json;q=0.8, */*;q=0.5");
	buf_init(&b);
	if (f->etag != NULL) {
		buf_addf(&b, "If-None-Match: %s", f->etag);
		job->headers = curl_slist_append(job->headers, b.data);
	}
	if (f->last_modified != NULL) {
		buf_clear(&b);
		buf_addf(&b, "If-Modified-Since: %s", f->last_modified);
		job->headers = curl_slist_append(job->headers, b.data);
	}
	buf_release(&b);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, job->headers);
	store_feed_free(f);

	if (curl_multi_add_handle(fetch_multi, e) != CURLM_OK)
		fatalx("curl_multi_add_handle failed");
	job->running = 1;
	job->host->active++;
	job->host->last_start_ms = fetch_now_ms();
	aggd->transfers++;
	query_lag_watch();
	log_debug("feed %lld (%s): fetching", (long long)job->id, job->url);
	return (0);
}

/*
 * Start what the caps allow, one per host per pass so that a host with
 * many feeds does not starve the others.
 */
static void
fetch_pump(void)
{
	struct host	*h, *next;
	struct job	*job;
	struct timeval	 tv;
	int64_t		 now_ms, wait_ms, delay_ms, now, refused;
	int		 progress = 1;

	if (fetch_pumping)
		return;
	fetch_pumping = 1;
	delay_ms = aggd->conf->host_delay * 1000;
	while (progress) {
		progress = 0;
		now_ms = fetch_now_ms();
		now = time(NULL);
		for (h = TAILQ_FIRST(&fetch_ready); h != NULL; h = next) {
			next = TAILQ_NEXT(h, rentry);
			if (aggd->transfers >= aggd->conf->max_connections)
				break;
			if ((job = TAILQ_FIRST(&h->queue)) == NULL) {
				TAILQ_REMOVE(&fetch_ready, h, rentry);
				h->ready = 0;
				continue;
			}
			if (h->active >= aggd->conf->per_host_connections)
				continue;
			if ((refused = sched_host_wait(&h->refusal, now)) > 0) {
				tv.tv_sec = refused;
				tv.tv_usec = 0;
				if (!evtimer_pending(h->timer, NULL))
					evtimer_add(h->timer, &tv);
				continue;
			}
			if (h->last_start_ms != 0 && delay_ms > 0 &&
			    (wait_ms = h->last_start_ms + delay_ms - now_ms) > 0) {
				tv.tv_sec = wait_ms / 1000;
				tv.tv_usec = (wait_ms % 1000) * 1000;
				if (!evtimer_pending(h->timer, NULL))
					evtimer_add(h->timer, &tv);
				continue;
			}
			TAILQ_REMOVE(&h->queue, job, qentry);
			if (fetch_job_start(job) != 0) {
				fetch_job_unhash(job);
				fetch_job_free(job);
			}
			progress = 1;
		}
	}
	fetch_pumping = 0;
}

/* Queue a feed on its host; the caller has its URL at hand already. */
static void
fetch_queue(int64_t id, const char *url)
{
	struct job		*job;

	if (fetch_job_find(id) != NULL)
		return;
	job = xcalloc(1, sizeof *job);
	job->id = id;
	job->url = xstrdup(url);
	job->host = fetch_host_get(url);
	job->hnext = fetch_jobs[id % FETCH_HASH];
	fetch_jobs[id % FETCH_HASH] = job;
	TAILQ_INSERT_TAIL(&job->host->queue, job, qentry);
	if (!job->host->ready) {
		TAILQ_INSERT_TAIL(&fetch_ready, job->host, rentry);
		job->host->ready = 1;
	}
}

/* Queue every feed due by now; those queued or in flight already stay. */
void
fetch_run_due(int64_t now)
{
	int64_t	*ids;
	char	**urls;
	size_t	  n, i;

	ids = store_due(aggd->store, now, &urls, &n);
	for (i = 0; i < n; i++) {
		fetch_queue(ids[i], urls[i]);
		free(urls[i]);
	}
	free(ids);
	free(urls);
	fetch_pump();
}

/* --- finishing ------------------------------------------------------- */

static void
fetch_job_free(struct job *job)
{
	size_t	i;

	if (job->easy != NULL) {
		curl_multi_remove_handle(fetch_multi, job->easy);
		curl_easy_cleanup(job->easy);
	}
	curl_slist_free_all(job->headers);
	feedparse_free(job->fp);
	for (i = 0; i < job->nitems; i++) {
		item_release(&job->items[i]);
		if (job->prep != NULL)
			store_prep_release(&job->prep[i]);
	}
	free(job->items);
	free(job->prep);
	free(job->url);
	free(job->etag);
	free(job->last_modified);
	free(job->content_type);
	free(job->retry_after);
	free(job->cache_control);
	free(job->expires);
	free(job);
}

static void
fetch_set_error(struct store_feed *f, const char *fmt, ...)
    __attribute__((__format__(__printf__, 2, 3)));
static void
fetch_set_error(struct store_feed *f, const char *fmt, ...)
{
	va_list	ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		fatalx("vasprintf");
	va_end(ap);
	free(f->last_error);
	f->last_error = s;
}

static const char *
fetch_hook_for(const struct store_feed *f)
{
	if (f->hook != NULL && *f->hook != '\0')
		return (f->hook);
	return (aggd->conf->hook);
}

/* Atom entries read before the feed's <author> take it now, the parse
 * finished. */
static void
fetch_entry_authors(struct job *job)
{
	const char	*author = feedparse_entry_author(job->fp);
	size_t		 i;

	for (i = 0; author != NULL && i < job->nitems; i++) {
		if (job->items[i].author == NULL)
			job->items[i].author = xstrdup(author);
	}
}

/*
 * A 200 with a feed: store its items in one transaction with the feed's
 * new state.  Returns 0, or -1 when the database refused (the feed is then
 * retried with backoff and nothing is half-written).
 */
static int
fetch_store_items(struct job *job, struct store_feed *f, int64_t now,
    int64_t *hint)
{
	const struct feed_meta	*meta = feedparse_meta(job->fp);
	struct store_fetch	 sf;

	fetch_entry_authors(job);
	memset(&sf, 0, sizeof sf);
	sf.feed_id = f->id;
	sf.key_mode = f->key_mode != NULL ? f->key_mode : "guid";
	sf.announce = f->primed || f->announce_existing;
	sf.deliver = fetch_hook_for(f) != NULL;
	sf.items = job->items;
	sf.prep = job->prep;
	sf.nitems = job->nitems;
	sf.now = now;
	if (store_items_apply(aggd->store, &sf) != 0)
		return (-1);
	job->added = sf.added;
	job->changed = sf.changed;
	if (sf.new_key_mode != NULL) {
		log_warnx("feed %lld (%s): %s; keying items by %s from now on",
		    (long long)f->id, f->url, sf.why, sf.new_key_mode);
		free(f->key_mode);
		f->key_mode = xstrdup(sf.new_key_mode);
	}
	if (sf.added > 0 || sf.changed > 0)
		log_info("feed %lld (%s): %lld new, %lld changed item(s)%s",
		    (long long)f->id, f->url, (long long)sf.added,
		    (long long)sf.changed, sf.announce ? "" :
		    " (first fetch: not announced)");
	if (sf.added > 0)
		f->adaptive = sched_adaptive(f->adaptive, sf.added,
		    store_items_rate(aggd->store, f->id));
	f->primed = 1;
	f->hint = sched_feed_hint(meta->ttl, meta->sy_period);
	*hint = f->hint;
	if (sf.announced > 0)
		announce_stored();
	return (0);
}

/*
 * What a failed transfer means to a user (allocated): one place maps
 * curl's codes to words, curl's own message kept where it adds something.
 */
static char *
fetch_curl_error(const struct job *job, CURLcode rc, long redirects)
{
	const char	*detail;
	curl_off_t	 body = 0;
	char		*s;

	detail = job->errbuf[0] != '\0' ? job->errbuf : curl_easy_strerror(rc);
	switch (rc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
		/* Only a redirect can lead off http and https: the URLs we
		 * take are checked, but one may come from an older database
		 * or a curl built without TLS. */
		if (redirects > 0)
			xasprintf(&s, "redirect to a scheme other than http or "
			    "https refused: %s", detail);
		else
			xasprintf(&s, "URL scheme not supported: %s", detail);
		break;
	case CURLE_TOO_MANY_REDIRECTS:
		xasprintf(&s, "more than %d redirects", FETCH_MAX_REDIRECTS);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		xasprintf(&s, "timed out: %s", detail);
		break;
	case CURLE_FILESIZE_EXCEEDED:
		xasprintf(&s, "body over max_feed_size (%lld bytes)",
		    (long long)aggd->conf->max_feed_size);
		break;
	case CURLE_OUT_OF_MEMORY:
		/*
		 * curl before 8.6 says "out of memory" when a header line
		 * passes its limit (100 KiB), which is what a server sending
		 * one does; a real shortage before the body is unlikely.
		 */
		curl_easy_getinfo(job->easy, CURLINFO_SIZE_DOWNLOAD_T, &body);
		if (body == 0)
			xasprintf(&s, "response headers too large%s%s",
			    job->errbuf[0] != '\0' ? ": " : "", job->errbuf);
		else
			xasprintf(&s, "out of memory: %s", detail);
		break;
#if LIBCURL_VERSION_NUM >= 0x080600
	case CURLE_TOO_LARGE:
		xasprintf(&s, "response headers too large: %s", detail);
		break;
#endif
	default:
		s = xstrdup(detail);
		break;
	}
	return (s);
}

/*
 * The database refused a fetch's outcome: the feed's error says so (with
 * the poll's own error, if any), kept by store_fail since the database
 * could not take it.  Returns it, allocated.
 */
static char *
fetch_write_failed(const struct store_feed *f, const char *outcome)
{
	const char	*db;
	char		*error;

	store_errors(aggd->store, &db);
	if (db == NULL)
		db = "unknown error";
	if (outcome == NULL)
		xasprintf(&error, "database error: %s", db);
	else if (strncmp(outcome, "database error", 14) == 0)
		error = xstrdup(outcome);
	else
		xasprintf(&error, "%s; database error: %s", outcome, db);
	store_fail(aggd->store, f->id, error);
	log_warnx("feed %lld (%s): cannot record the fetch: %s",
	    (long long)f->id, f->url, error);
	return (error);
}

/*
 * A transfer ended: its outcome goes into the feed, in the group
 * transaction.  Returns the feed's error for whoever waits on the poll
 * (allocated), or NULL when it went well.
 */
static char *
fetch_finish(struct job *job, CURLcode rc)
{
	struct store_feed	*f;
	const struct feed_meta	*meta = NULL;
	int64_t			 now = time(NULL), hint = -1, age, nerr;
	long			 code = 0, redirects = 0;
	char			*eff = NULL, *moved = NULL, *error, dur[32];
	const char		*perr, *db;
	int			 ok = 0, disabled_now = 0, stored = 0;
	int			 recorded;
	curl_off_t		 usecs = 0;

	curl_easy_getinfo(job->easy, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(job->easy, CURLINFO_REDIRECT_COUNT, &redirects);
	curl_easy_getinfo(job->easy, CURLINFO_EFFECTIVE_URL, &eff);
	nerr = store_errors(aggd->store, &db);
	if ((f = store_feed_get(aggd->store, job->id)) == NULL) {
		if (store_errors(aggd->store, &db) == nerr)
			return (xstrdup("the feed was removed while polled"));
		xasprintf(&error, "database error: %s", db);
		return (error);
	}
	/* Stored in the group transaction (store.c, store_fetch_begin). */
	if (store_fetch_begin(aggd->store, f->id) != 0) {
		error = fetch_write_failed(f, NULL);
		store_feed_free(f);
		return (error);
	}
	nerr = store_errors(aggd->store, &db);
	f->last_fetch = now;
	f->last_status = code > 0 ? code : -1;
	free(f->last_error);
	f->last_error = NULL;

	if (job->too_big) {
		fetch_set_error(f, "body over max_feed_size (%lld bytes)",
		    (long long)aggd->conf->max_feed_size);
	} else if (job->refused)
		fetch_set_error(f, "redirect to a non-public address refused");
	else if (rc != CURLE_OK)
		f->last_error = fetch_curl_error(job, rc, redirects);
	else if (code == 200) {
		if (job->fp == NULL)
			fetch_set_error(f, "not a feed: empty body");
		else {
			feedparse_finish(job->fp);
			meta = feedparse_meta(job->fp);
			perr = feedparse_error(job->fp);
			if (feedparse_format(job->fp) == NULL)
				fetch_set_error(f, "not a feed%s%s",
				    perr != NULL ? ": " : "",
				    perr != NULL ? perr : "");
			else if (fetch_store_items(job, f, now, &hint) != 0) {
				/* Not every failure in there was logged. */
				if (store_errors(aggd->store, &db) == nerr)
					store_log_error(aggd->store,
					    "storing items");
				store_errors(aggd->store, &db);
				fetch_set_error(f, "database error: %s",
				    db != NULL ? db : "unknown error");
				/* Nothing of this fetch's items stays; the
				 * error itself is recorded afresh. */
				store_fetch_rollback(aggd->store);
				if (store_fetch_begin(aggd->store,
				    f->id) != 0) {
					error = fetch_write_failed(f,
					    f->last_error);
					store_feed_free(f);
					return (error);
				}
			} else {
				ok = stored = 1;
				if (perr != NULL)
					fetch_set_error(f, "feed error, items "
					    "before it kept: %s", perr);
			}
		}
	} else if (code == 304) {
		ok = 1;
		hint = f->hint;
	}
	else if (code == 410) {
		free(f->disabled);
		f->disabled = xstrdup("gone (HTTP 410)");
		fetch_set_error(f, "HTTP 410 Gone");
		disabled_now = 1;
	} else
		fetch_set_error(f, "HTTP %ld", code);

	if (ok) {
		f->errors = 0;
		/* Only an explicit refresh reaches a disabled feed: the
		 * answer shows it is back, so it is polled again. */
		if (f->disabled != NULL && strcmp(f->disabled, "paused") != 0) {
			log_info("feed %lld (%s): answers again (was %s); "
			    "enabled", (long long)f->id, f->url, f->disabled);
			free(f->disabled);
			f->disabled = NULL;
		}
		/* Validators only from a clean answer we fully stored. */
		if (stored && f->last_error == NULL) {
			free(f->etag);
			f->etag = job->etag != NULL ? xstrdup(job->etag) : NULL;
			free(f->last_modified);
			f->last_modified = job->last_modified != NULL ?
			    xstrdup(job->last_modified) : NULL;
		} else if (code == 304 && job->etag != NULL) {
			free(f->etag);
			f->etag = xstrdup(job->etag);
		}
		if ((age = sched_max_age(job->cache_control, job->expires,
		    now)) > hint)
			hint = age;
		f->retry_until = -1;
		sched_ok(aggd->conf, f, now, hint);
		if (redirects > 0 && job->all_permanent && eff != NULL &&
		    strcmp(eff, f->url) != 0) {
			if (store_feed_move(aggd->store, f->id, f->url, eff) == 0)
				moved = xstrdup(eff);
			else
				log_warnx("feed %lld (%s): moved permanently "
				    "to %s, which is another feed's",
				    (long long)f->id, f->url, eff);
		}
	} else if (!disabled_now) {
		f->errors++;
		/* A refusal with Retry-After waits as asked (and several
		 * feeds of one host refused make the host wait). */
		if ((code != 429 && code != 503) || sched_refused(aggd->conf,
		    f, &job->host->refusal, job->retry_after, now) != 0)
			sched_backoff(aggd->conf, f, now);
	}
	recorded = 0;
	curl_easy_getinfo(job->easy, CURLINFO_TOTAL_TIME_T, &usecs);
	if (store_fetch_log(aggd->store, f, (int64_t)job->received,
	    (int64_t)usecs / 1000, job->added, job->changed) != 0 ||
	    store_feed_fetched(aggd->store, f, meta != NULL ? meta->title :
	    NULL, meta != NULL ? meta->link : NULL, ok) != 0)
		store_fetch_rollback(aggd->store);
	else if (store_fetch_commit(aggd->store) == 0)	/* else rolled back */
		recorded = 1;
	if (!recorded) {
		error = fetch_write_failed(f, f->last_error);
		free(moved);
		store_feed_free(f);
		return (error);
	}
	if (moved != NULL)
		log_info("feed %lld (%s): moved permanently to %s",
		    (long long)f->id, job->url, moved);
	if (f->last_error != NULL) {
		units_format_duration(f->next_fetch - now, dur, sizeof dur);
		if (disabled_now)
			log_warnx("feed %lld (%s): %s; disabled",
			    (long long)f->id, f->url, f->last_error);
		else
			log_warnx("feed %lld (%s): %s; next try in %s",
			    (long long)f->id, f->url, f->last_error, dur);
	}
	error = f->last_error != NULL ? xstrdup(f->last_error) : NULL;
	free(moved);
	store_feed_free(f);
	return (error);
}

/* A transfer's outcome is stored: the job ends. */
static void
fetch_done(struct job *job, CURLcode rc)
{
	struct host	*h;
	int64_t		 id;
	char		*error;

	error = fetch_finish(job, rc);
	sched_done(job->id);
	h = job->host;
	h->active--;
	aggd->transfers--;
	id = job->id;
	fetch_job_unhash(job);
	fetch_job_free(job);
	if (!h->ready && !TAILQ_EMPTY(&h->queue)) {
		TAILQ_INSERT_TAIL(&fetch_ready, h, rentry);
		h->ready = 1;
	}
	cmd_fetch_done(id, error);
	free(error);
}

/* After transfers ended: start the next, and commit once none runs. */
static void
fetch_after_done(void)
{
	fetch_pump();
	/* The burst is over: commit the group now rather than on its timer.
	 * A failed commit takes the due times back: look again later. */
	if (aggd->transfers == 0 && store_flush(aggd->store) != 0)
		sched_rescan(time(NULL) + aggd->conf->min_interval);
	sched_rearm();
}

/* On the work thread: what storing the items makes of them. */
static void
fetch_prep_run(void *arg)
{
	struct job	*job = arg;
	size_t		 i;

	for (i = 0; i < job->nitems; i++)
		store_prep(aggd->store, &job->items[i], &job->prep[i]);
}

static void	fetch_prepared(void *);

/* Give the work thread what it has room for. */
static void
fetch_prep_next(void)
{
	struct job	*job;

	while (fetch_nprep < FETCH_PREP_MAX &&
	    (job = TAILQ_FIRST(&fetch_prepq)) != NULL) {
		TAILQ_REMOVE(&fetch_prepq, job, qentry);
		job->prepping = FETCH_PREP_RUNNING;
		fetch_nprep++;
		work_submit(fetch_prep_run, fetch_prepared, job);
	}
}

/* Back on the loop: store them. */
static void
fetch_prepared(void *arg)
{
	struct job	*job = arg;

	job->prepping = FETCH_PREP_NONE;
	fetch_nprep--;
	if (job->cancelled) {
		TAILQ_REMOVE(&fetch_orphans, job, qentry);
		fetch_job_free(job);
	} else
		fetch_done(job, job->rc);
	fetch_prep_next();
	fetch_after_done();
}

/*
 * A feed came: its items' text is packed and made into search words on
 * the work thread (fetch_prepared then stores them), which would
 * otherwise take half the loop's time in a burst of new items.  0 when
 * there is nothing to prepare: the caller stores at once.
 */
static int
fetch_prepare(struct job *job, CURLcode rc)
{
	long	code = 0;

	if (rc != CURLE_OK || job->too_big || job->refused ||
	    job->fp == NULL || !work_running())
		return (0);
	curl_easy_getinfo(job->easy, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200)
		return (0);
	feedparse_finish(job->fp);
	if (feedparse_format(job->fp) == NULL || job->nitems == 0)
		return (0);
	/* The items as they will be stored: their hashes are made now. */
	fetch_entry_authors(job);
	job->prep = xcalloc(job->nitems, sizeof *job->prep);
	job->rc = rc;
	job->prepping = FETCH_PREP_QUEUED;
	TAILQ_INSERT_TAIL(&fetch_prepq, job, qentry);
	fetch_prep_next();
	return (1);
}

static void
fetch_check_done(void)
{
	CURLMsg		*msg;
	int		 left = 0, n = 0;
	struct job	*job;
	struct timeval	 now = { 0, 0 };

	/*
	 * Store a few finished transfers a turn of the loop, then let
	 * timers, clients and hooks have theirs: on a busy loopback every
	 * transfer of a burst can finish at once, and storing 64 feeds'
	 * items in one go held everything else for 100 ms and more.
	 */
	while (n < FETCH_DONE_BATCH &&
	    (msg = curl_multi_info_read(fetch_multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &job);
		if (fetch_prepare(job, msg->data.result))
			continue;
		n++;
		fetch_done(job, msg->data.result);
	}
	if (n == FETCH_DONE_BATCH && left > 0)
		evtimer_add(fetch_done_ev, &now);
	fetch_after_done();
}

static void
fetch_done_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg UNUSED)
{
	fetch_check_done();
}

/* --- refresh, cancel, setup ------------------------------------------ */

void
fetch_cancel(int64_t id)
{
	struct job	*job;

	if ((job = fetch_job_find(id)) == NULL)
		return;
	fetch_job_unhash(job);
	if (job->running) {
		job->host->active--;
		aggd->transfers--;
	} else
		TAILQ_REMOVE(&job->host->queue, job, qentry);
	if (job->prepping == FETCH_PREP_QUEUED)
		TAILQ_REMOVE(&fetch_prepq, job, qentry);
	if (job->prepping == FETCH_PREP_RUNNING) {
		job->cancelled = 1;	/* fetch_prepared frees it */
		TAILQ_INSERT_TAIL(&fetch_orphans, job, qentry);
	} else
		fetch_job_free(job);
	cmd_fetch_done(id, "poll cancelled: the feed is being removed");
	fetch_pump();
}

/* Is the feed queued or in flight? */
int
fetch_active(int64_t id)
{
	return (fetch_job_find(id) != NULL);
}

/* Queue a feed now, whatever its schedule (but see cmd_refresh). */
void
fetch_now(int64_t id, const char *url)
{
	fetch_queue(id, url);
}

void
fetch_kick(void)
{
	fetch_pump();
}

void
fetch_init(struct event_base *base)
{
	fetch_base = base;
	if ((fetch_multi = curl_multi_init()) == NULL)
		fatalx("curl_multi_init failed");
	fetch_timer = evtimer_new(base, fetch_timer_cb, NULL);
	fetch_done_ev = evtimer_new(base, fetch_done_cb, NULL);
	event_priority_set(fetch_timer, AGGD_PRI_BULK);
	event_priority_set(fetch_done_ev, AGGD_PRI_BULK);
	curl_multi_setopt(fetch_multi, CURLMOPT_SOCKETFUNCTION,
	    fetch_socket_cb);
	curl_multi_setopt(fetch_multi, CURLMOPT_TIMERFUNCTION,
	    fetch_multi_timer_cb);
	curl_multi_setopt(fetch_multi, CURLMOPT_PIPELINING,
	    (long)CURLPIPE_MULTIPLEX);
	fetch_reconfigure();
}

void
fetch_reconfigure(void)
{
	curl_multi_setopt(fetch_multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    (long)aggd->conf->max_connections);
	curl_multi_setopt(fetch_multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)aggd->conf->per_host_connections);
	fetch_pump();
}

/* Stop: abandon every transfer (nothing of theirs is written yet). */
void
fetch_free(void)
{
	struct job	*job, *next;
	struct host	*h, *hn;
	int		 i;

	for (i = 0; i < FETCH_HASH; i++) {
		for (job = fetch_jobs[i]; job != NULL; job = next) {
			next = job->hnext;
			fetch_job_free(job);
		}
		fetch_jobs[i] = NULL;
		for (h = fetch_hosts[i]; h != NULL; h = hn) {
			hn = h->hnext;
			event_free(h->timer);
			free(h->name);
			free(h);
		}
		fetch_hosts[i] = NULL;
	}
	TAILQ_INIT(&fetch_ready);
	TAILQ_INIT(&fetch_prepq);	/* its jobs were in the hash */
	fetch_nprep = 0;
	while ((job = TAILQ_FIRST(&fetch_orphans)) != NULL) {
		TAILQ_REMOVE(&fetch_orphans, job, qentry);
		fetch_job_free(job);
	}
	if (fetch_multi != NULL)
		curl_multi_cleanup(fetch_multi);
	fetch_multi = NULL;
	if (fetch_timer != NULL)
		event_free(fetch_timer);
	fetch_timer = NULL;
	if (fetch_done_ev != NULL)
		event_free(fetch_done_ev);
	fetch_done_ev = NULL;
}
