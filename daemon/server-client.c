/*
 * One control-socket client: a bufferevent reading newline-delimited JSON
 * requests and writing frames back.  A line over PROTO_MAX_REQUEST is
 * refused before it is buffered whole; a malformed frame gets an error
 * frame and the connection stays usable; a vanished client is freed on the
 * next loop turn, never inside a callback that other events can still
 * reach.  A command that answers later (refresh --wait, follow) holds a
 * reference and stops reading until it is done.  A client that owes us a
 * frame for too long (silent, or stopped mid-frame) is closed, and so is
 * one that stops reading a reply: descriptors are not ours to hoard.
 */
#include <sys/types.h>
#include <sys/queue.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "aggd.h"
#include "log.h"
#include "proto.h"
#include "xmalloc.h"

/* A client that lets this much output pile up is dropped. */
#define CLIENT_MAX_OUTPUT	(64 * 1024 * 1024)

/*
 * Seconds a client may take to send its next whole frame while nothing
 * is being answered (the first, the hello, gets less: aggctl sends it at
 * once), and to take any of a pending reply.  follow and refresh --wait
 * are exempt while they run.  AGGD_CLIENT_TIMEOUT overrides the first
 * two, for tests only.
 */
#define CLIENT_IDLE_TIMEOUT	30
#define CLIENT_HELLO_TIMEOUT	10

struct client {
	struct bufferevent	*bev;
	uid_t			 uid;
	unsigned int		 id;
	int			 flags;
#define CLIENT_HELLO	0x1	/* hello received */
#define CLIENT_DEAD	0x2	/* closed; freed when refs drop */
#define CLIENT_CLOSING	0x4	/* close once output is flushed */
#define CLIENT_BUSY	0x8	/* a request is still being answered */
#define CLIENT_EOF	0x10	/* the client has shut its writing side */
#define CLIENT_STREAM	0x20	/* busy with a reply it must keep reading */
	int			 refs;
	struct event		*idle;
	void			(*on_close)(struct client *, void *);
	void			*on_close_arg;
	void			(*on_drain)(struct client *, void *);
	void			*on_drain_arg;
	TAILQ_ENTRY(client)	 entry;
};
static TAILQ_HEAD(, client)	 clients = TAILQ_HEAD_INITIALIZER(clients);
static unsigned int		 client_next_id = 1;

static void	server_client_read_cb(struct bufferevent *, void *);
static void	server_client_write_cb(struct bufferevent *, void *);
static void	server_client_event_cb(struct bufferevent *, short, void *);

/* The idle timeout, or with hello set the hello one. */
static struct timeval
server_client_timeout(int hello)
{
	static double	 idle = -1;
	const char	*e;
	double		 t;
	struct timeval	 tv;

	if (idle < 0) {
		idle = CLIENT_IDLE_TIMEOUT;
		if ((e = getenv("AGGD_CLIENT_TIMEOUT")) != NULL &&
		    (t = strtod(e, NULL)) > 0 && t < 86400)
			idle = t;
	}
	t = hello && idle > CLIENT_HELLO_TIMEOUT ? CLIENT_HELLO_TIMEOUT : idle;
	tv.tv_sec = (time_t)t;
	tv.tv_usec = (suseconds_t)((t - floor(t)) * 1e6);
	return (tv);
}

/*
 * (Re)start the wait for the client's next frame, or stop it while the
 * client owes us nothing: a command is running (follow, refresh --wait),
 * the client has sent end of file, or it is being closed.  While a reply
 * is pending, the bufferevent's write timeout watches the client instead.
 */
static void
server_client_idle(struct client *c)
{
	struct timeval	tv;

	if (c->flags & CLIENT_DEAD)
		return;		/* its events are gone with it */
	/* A streamed reply (a query) is still judged by its progress:
	 * a client that stops reading it must not hold a worker. */
	if (c->flags & CLIENT_STREAM) {
		evtimer_del(c->idle);
		tv = server_client_timeout(0);
		bufferevent_set_timeouts(c->bev, NULL, &tv);
		return;
	}
	if (c->flags & (CLIENT_CLOSING | CLIENT_BUSY | CLIENT_EOF)) {
		evtimer_del(c->idle);
		bufferevent_set_timeouts(c->bev, NULL, NULL);
		return;
	}
	tv = server_client_timeout(!(c->flags & CLIENT_HELLO));
	evtimer_add(c->idle, &tv);
	tv = server_client_timeout(0);
	bufferevent_set_timeouts(c->bev, NULL, &tv);
}

static void
server_client_idle_cb(evutil_socket_t fd UNUSED, short what UNUSED,
    void *arg)
{
	struct client	*c = arg;
	struct timeval	 tv;

	if (c->flags & (CLIENT_DEAD | CLIENT_CLOSING | CLIENT_BUSY))
		return;
	/* Still taking a long reply: the write timeout judges that. */
	if (server_client_pending(c) > 0) {
		server_client_idle(c);
		return;
	}
	tv = server_client_timeout(!(c->flags & CLIENT_HELLO));
	log_info("client %u: no %s in %ld s, closing", c->id,
	    (c->flags & CLIENT_HELLO) ? "request" : "hello",
	    (long)tv.tv_sec);
	server_client_fail(c, proto_error("no %s in %ld s: closing",
	    (c->flags & CLIENT_HELLO) ? "request" : "hello",
	    (long)tv.tv_sec));
}

static void
server_client_free_cb(evutil_socket_t fd UNUSED, short what UNUSED,
    void *arg)
{
	struct client	*c = arg;

	free(c);
}

void
server_client_ref(struct client *c)
{
	c->refs++;
}

void
server_client_unref(struct client *c)
{
	if (--c->refs > 0)
		return;
	event_base_once(aggd->base, -1, EV_TIMEOUT, server_client_free_cb,
	    c, NULL);
}

static void
server_client_close(struct client *c)
{
	if (c->flags & CLIENT_DEAD)
		return;
	c->flags |= CLIENT_DEAD;
	log_debug("client %u: closed", c->id);
	if (c->on_close != NULL)
		c->on_close(c, c->on_close_arg);
	TAILQ_REMOVE(&clients, c, entry);
	event_free(c->idle);
	c->idle = NULL;
	bufferevent_free(c->bev);
	c->bev = NULL;
	server_client_unref(c);
}

void
server_client_close_all(void)
{
	struct client	*c;

	while ((c = TAILQ_FIRST(&clients)) != NULL)
		server_client_close(c);
}

int
server_client_dead(const struct client *c)
{
	return ((c->flags & CLIENT_DEAD) != 0);
}

unsigned int
server_client_id(const struct client *c)
{
	return (c->id);
}

void
server_client_set_close(struct client *c,
    void (*cb)(struct client *, void *), void *arg)
{
	c->on_close = cb;
	c->on_close_arg = arg;
}

/* Called whenever the client's output has been written out. */
void
server_client_set_drain(struct client *c,
    void (*cb)(struct client *, void *), void *arg)
{
	c->on_drain = cb;
	c->on_drain_arg = arg;
}

void
server_client_accept(struct server *srv, int fd, uid_t uid)
{
	struct client	*c;

	c = xcalloc(1, sizeof *c);
	c->uid = uid;
	c->id = client_next_id++;
	c->refs = 1;
	c->bev = bufferevent_socket_new(server_base(srv), fd,
	    BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		log_warnx("client: cannot create bufferevent");
		close(fd);
		free(c);
		return;
	}
	bufferevent_setcb(c->bev, server_client_read_cb,
	    server_client_write_cb, server_client_event_cb, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	c->idle = evtimer_new(server_base(srv), server_client_idle_cb, c);
	server_client_idle(c);
	TAILQ_INSERT_TAIL(&clients, c, entry);
	log_debug("client %u: connected (uid %u)", c->id, (unsigned)uid);
}

/* Queue one frame.  Steals j.  A client too far behind is dropped. */
void
server_client_send(struct client *c, json_t *j)
{
	struct evbuffer	*out;
	char		*line;

	if (c->flags & CLIENT_DEAD) {
		json_decref(j);
		return;
	}
	out = bufferevent_get_output(c->bev);
	if (evbuffer_get_length(out) > CLIENT_MAX_OUTPUT) {
		log_warnx("client %u: not reading its replies, closing",
		    c->id);
		json_decref(j);
		server_client_close(c);
		return;
	}
	line = proto_encode(j);
	evbuffer_add(out, line, strlen(line));
	free(line);
	json_decref(j);
}

/* Queue bytes already encoded as frames (a query's rows). */
void
server_client_send_raw(struct client *c, const char *data, size_t len)
{
	if (c->flags & CLIENT_DEAD)
		return;
	evbuffer_add(bufferevent_get_output(c->bev), data, len);
}

size_t
server_client_pending(const struct client *c)
{
	if (c->flags & CLIENT_DEAD)
		return (0);
	return (evbuffer_get_length(bufferevent_get_output(c->bev)));
}

/* Send a final frame and close once it is written. */
void
server_client_fail(struct client *c, json_t *j)
{
	server_client_send(c, j);
	if (c->flags & CLIENT_DEAD)
		return;
	c->flags |= CLIENT_CLOSING;
	bufferevent_disable(c->bev, EV_READ);
	evtimer_del(c->idle);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		server_client_close(c);
}

/* An asynchronous command started: stop reading requests until done. */
void
server_client_busy(struct client *c)
{
	c->flags |= CLIENT_BUSY;
	server_client_idle(c);
}

/*
 * A client that has sent everything (end of file) still gets every reply:
 * close once nothing is being answered and the output is written.
 */
static void
server_client_maybe_close(struct client *c)
{
	if (c->flags & CLIENT_DEAD)
		return;
	if (!(c->flags & (CLIENT_EOF | CLIENT_CLOSING)))
		return;
	if (c->flags & CLIENT_BUSY)
		return;
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		server_client_close(c);
}

/* Like busy, for a reply streamed as the client reads it: the client
 * is still closed when it stops reading. */
void
server_client_streaming(struct client *c)
{
	c->flags |= CLIENT_BUSY | CLIENT_STREAM;
	server_client_idle(c);
}

void
server_client_done(struct client *c)
{
	if (c->flags & CLIENT_DEAD)
		return;
	c->flags &= ~(CLIENT_BUSY | CLIENT_STREAM);
	server_client_idle(c);
	/* Requests that arrived meanwhile are waiting in the input. */
	server_client_read_cb(c->bev, c);
	server_client_maybe_close(c);
}

static void
server_client_line(struct client *c, const char *line, size_t len)
{
	json_t	*j;
	char	*cause = NULL;

	if ((j = proto_decode(line, len, &cause)) == NULL) {
		log_debug("client %u: %s", c->id, cause);
		if (!(c->flags & CLIENT_HELLO))
			server_client_fail(c, proto_error("%s", cause));
		else
			server_client_send(c, proto_error("%s", cause));
		free(cause);
		return;
	}
	if (!(c->flags & CLIENT_HELLO)) {
		if (proto_check_hello(j, "aggd", &cause) != 0) {
			server_client_fail(c, proto_error("%s", cause));
			free(cause);
		} else {
			c->flags |= CLIENT_HELLO;
			server_client_send(c, proto_hello("aggd"));
		}
		json_decref(j);
		return;
	}
	cmd_dispatch(c, j);
	json_decref(j);
}

static void
server_client_read_cb(struct bufferevent *bev, void *arg)
{
	struct client		*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct evbuffer_ptr	 eol;
	size_t			 eol_len, len;
	char			*line;

	server_client_ref(c);
	/* A busy client (follow, refresh --wait) is not read from, but its
	 * input still arrives: cap what it may pile up meanwhile. */
	if ((c->flags & CLIENT_BUSY) &&
	    evbuffer_get_length(in) > PROTO_MAX_REQUEST) {
		log_warnx("client %u: sent %zu bytes while busy, closing",
		    c->id, evbuffer_get_length(in));
		server_client_fail(c, proto_error("request longer than %d "
		    "bytes", PROTO_MAX_REQUEST));
	}
	while (!(c->flags & (CLIENT_DEAD | CLIENT_CLOSING | CLIENT_BUSY))) {
		eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);
		if (eol.pos == -1) {
			if (evbuffer_get_length(in) > PROTO_MAX_REQUEST) {
				log_warnx("client %u: request over %d bytes",
				    c->id, PROTO_MAX_REQUEST);
				server_client_fail(c, proto_error(
				    "request longer than %d bytes",
				    PROTO_MAX_REQUEST));
			}
			break;
		}
		len = (size_t)eol.pos;
		if (len > PROTO_MAX_REQUEST) {
			server_client_fail(c, proto_error(
			    "request longer than %d bytes", PROTO_MAX_REQUEST));
			break;
		}
		line = xmalloc(len + 1);
		evbuffer_remove(in, line, len);
		line[len] = '\0';
		evbuffer_drain(in, eol_len);
		if (len > 0)
			server_client_line(c, line, len);
		free(line);
		/* A whole frame: the wait for the next starts again. */
		if (!(c->flags & CLIENT_DEAD))
			server_client_idle(c);
	}
	server_client_unref(c);
}

static void
server_client_write_cb(struct bufferevent *bev, void *arg)
{
	struct client	*c = arg;

	if ((c->flags & CLIENT_CLOSING) &&
	    evbuffer_get_length(bufferevent_get_output(bev)) == 0) {
		server_client_close(c);
		return;
	}
	if (c->on_drain != NULL && !(c->flags & CLIENT_DEAD))
		c->on_drain(c, c->on_drain_arg);
	server_client_maybe_close(c);
}

static void
server_client_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct client	*c = arg;

	if (what & BEV_EVENT_ERROR) {
		server_client_close(c);
		return;
	}
	if (what & BEV_EVENT_TIMEOUT) {
		log_info("client %u: not reading its reply, closing", c->id);
		server_client_close(c);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		/* Half-closed (socat does this): answer what was asked. */
		c->flags |= CLIENT_EOF;
		bufferevent_disable(bev, EV_READ);
		server_client_idle(c);
		server_client_ref(c);
		server_client_read_cb(bev, c);
		server_client_maybe_close(c);
		server_client_unref(c);
	}
}
