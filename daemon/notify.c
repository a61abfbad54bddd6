/*
 * The service manager's side of aggd: sd_notify(3) written by hand, one
 * datagram to $NOTIFY_SOCKET per message (READY=1, RELOADING=1, STOPPING=1,
 * STATUS=, WATCHDOG=1).  By hand rather than with libsystemd because the
 * protocol is a few lines and a build without libsystemd-dev (or on a
 * system without systemd) should still speak it.  Outside systemd every
 * call does nothing.  The watchdog ping and the STATUS line come from
 * timers on the event loop, so a loop that stalls stops pinging and the
 * service manager restarts us.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aggd.h"
#include "log.h"
#include "xmalloc.h"

static int			 notify_fd = -1;
static struct sockaddr_un	 notify_sun;
static socklen_t		 notify_sunlen;
static uint64_t			 notify_wd_usec;	/* 0: no watchdog */
static struct event		*notify_wd_ev;
static struct event		*notify_status_ev;
static char			*notify_reload_error;
static char			 notify_last[512];
static int64_t			 notify_feeds, notify_failing, notify_pending;

/*
 * Read (and remove from our environment, so that hooks do not inherit
 * them) NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID.  Returns 1 when a
 * service manager listens: aggd must then stay the process it started.
 */
int
notify_init(void)
{
	const char	*path, *e;
	char		*end;
	unsigned long long usec;
	long		 pid;
	size_t		 len;

	path = getenv("NOTIFY_SOCKET");
	if (path != NULL && *path != '\0') {
		len = strlen(path);
		if ((path[0] != '/' && path[0] != '@') ||
		    len >= sizeof notify_sun.sun_path)
			log_warnx("NOTIFY_SOCKET %s: not a socket path, "
			    "ignored", path);
		else if ((notify_fd = socket(AF_UNIX, SOCK_DGRAM |
		    SOCK_CLOEXEC, 0)) == -1)
			log_warn("NOTIFY_SOCKET %s: socket", path);
		else {
			memset(&notify_sun, 0, sizeof notify_sun);
			notify_sun.sun_family = AF_UNIX;
			memcpy(notify_sun.sun_path, path, len);
			if (path[0] == '@')
				notify_sun.sun_path[0] = '\0';	/* abstract */
			notify_sunlen = (socklen_t)(offsetof(struct
			    sockaddr_un, sun_path) + len);
		}
	}
	/* WATCHDOG_PID names the process meant to ping; another's value
	 * (a parent that forgot to clear it) is not ours. */
	if ((e = getenv("WATCHDOG_USEC")) != NULL) {
		errno = 0;
		usec = strtoull(e, &end, 10);
		if (errno != 0 || *e == '\0' || *end != '\0' || usec == 0)
			log_warnx("WATCHDOG_USEC %s: not a number of "
			    "microseconds, ignored", e);
		else
			notify_wd_usec = usec;
	}
	if (notify_wd_usec != 0 && (e = getenv("WATCHDOG_PID")) != NULL) {
		pid = strtol(e, &end, 10);
		if (*end != '\0' || pid != (long)getpid())
			notify_wd_usec = 0;
	}
	if (notify_fd == -1)
		notify_wd_usec = 0;
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	return (notify_fd != -1);
}

void
notify_send(const char *fmt, ...)
{
	char	msg[1024];
	va_list	ap;
	int	n;

	if (notify_fd == -1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof msg)
		return;
	if (sendto(notify_fd, msg, (size_t)n, MSG_NOSIGNAL,
	    (struct sockaddr *)&notify_sun, notify_sunlen) == -1)
		log_warn("notify: cannot send %.*s", (int)strcspn(msg, "\n"),
		    msg);
}

/* The figures that need the store: its counters, one row (store.c keeps
 * them in the transaction of every write). */
static void
notify_read_figures(void)
{
	struct store_counts	n;

	if (aggd->store == NULL || store_counts(aggd->store, &n) != 0)
		return;
	notify_feeds = n.feeds;
	notify_failing = n.failing;
	notify_pending = n.hooks_pending;
}

/* Write the STATUS= line into notify_last; 1 when it changed. */
static int
notify_format(void)
{
	char	line[sizeof notify_last];

	snprintf(line, sizeof line, "%s%s%s%lld feeds, %lld failing, "
	    "%d transfers, %lld hooks pending",
	    notify_reload_error != NULL ? "reload failed: " : "",
	    notify_reload_error != NULL ? notify_reload_error : "",
	    notify_reload_error != NULL ? "; " : "",
	    (long long)notify_feeds, (long long)notify_failing,
	    aggd->transfers, (long long)notify_pending);
	if (strcmp(line, notify_last) == 0)
		return (0);
	memcpy(notify_last, line, sizeof notify_last);
	return (1);
}

static void
notify_status_cb(evutil_socket_t fd UNUSED, short what UNUSED,
    void *arg UNUSED)
{
	notify_read_figures();
	if (notify_format())
		notify_send("STATUS=%s", notify_last);
}

static void
notify_watchdog_cb(evutil_socket_t fd UNUSED, short what UNUSED,
    void *arg UNUSED)
{
	notify_send("WATCHDOG=1");
}

/*
 * We serve: READY=1 with a first STATUS=, then the timers.  The watchdog
 * pings at half the interval systemd gave, as sd_watchdog_enabled(3)
 * advises, from the loop itself.
 */
void
notify_start(struct event_base *base)
{
	struct timeval	tv;

	if (notify_fd == -1)
		return;
	notify_read_figures();
	notify_format();
	notify_send("READY=1\nSTATUS=%s", notify_last);
	tv.tv_sec = 1;
	tv.tv_usec = 0;
	notify_status_ev = event_new(base, -1, EV_PERSIST, notify_status_cb,
	    NULL);
	event_add(notify_status_ev, &tv);
	if (notify_wd_usec == 0)
		return;
	tv.tv_sec = (time_t)(notify_wd_usec / 2 / 1000000);
	tv.tv_usec = (suseconds_t)(notify_wd_usec / 2 % 1000000);
	notify_wd_ev = event_new(base, -1, EV_PERSIST, notify_watchdog_cb,
	    NULL);
	event_add(notify_wd_ev, &tv);
	notify_send("WATCHDOG=1");
	log_info("watchdog: pinging every %llu ms",
	    (unsigned long long)(notify_wd_usec / 2000));
}

/* SIGHUP: systemd wants the monotonic time with RELOADING=1. */
void
notify_reloading(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	notify_send("RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL);
}

/* The reload ended; error (NULL when it went well) stays in STATUS= until
 * a later reload succeeds. */
void
notify_reloaded(const char *error)
{
	free(notify_reload_error);
	notify_reload_error = error != NULL ? xstrdup(error) : NULL;
	if (notify_fd == -1)
		return;
	notify_read_figures();
	notify_format();
	notify_send("READY=1\nSTATUS=%s", notify_last);
}

void
notify_stopping(void)
{
	notify_send("STOPPING=1");
}

void
notify_free(void)
{
	if (notify_wd_ev != NULL)
		event_free(notify_wd_ev);
	if (notify_status_ev != NULL)
		event_free(notify_status_ev);
	notify_wd_ev = notify_status_ev = NULL;
	free(notify_reload_error);
	notify_reload_error = NULL;
	if (notify_fd != -1)
		close(notify_fd);
	notify_fd = -1;
}
