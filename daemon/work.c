/*
 * Work off the loop: a function run on a thread of its own, then a
 * second one back on the loop with the result.  fetch.c hands it a
 * finished transfer's items to prepare for the store (packing their text
 * and making their search words, store_prep), which cost more than the
 * rest of storing them and need no connection.
 *
 * One thread: the loop is the other busy one.  Results come back a few
 * per loop turn, at the transfers' low priority, so a burst of them
 * never holds timers, clients or hooks.
 */
#include <sys/eventfd.h>
#include <sys/queue.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aggd.h"
#include "log.h"
#include "work.h"
#include "xmalloc.h"

#define WORK_DONE_BATCH	4	/* results taken a loop turn */

struct work {
	work_fn			*run;
	work_fn			*done;
	void			*arg;
	TAILQ_ENTRY(work)	 entry;
};
TAILQ_HEAD(work_list, work);

static struct {
	pthread_t		 thread;
	int			 started;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	struct work_list	 todo;
	struct work_list	 done;
	int			 stop;
	int			 efd;	/* the thread wakes the loop */
	struct event		*ev;
	struct event		*more;	/* results left after a batch */
} work = { .lock = PTHREAD_MUTEX_INITIALIZER,
    .cond = PTHREAD_COND_INITIALIZER, .efd = -1 };

static void *
work_main(void *arg UNUSED)
{
	struct work	*w;
	uint64_t	 one = 1;
	int		 wake;

	pthread_mutex_lock(&work.lock);
	for (;;) {
		while (!work.stop && TAILQ_EMPTY(&work.todo))
			pthread_cond_wait(&work.cond, &work.lock);
		if (work.stop)
			break;
		w = TAILQ_FIRST(&work.todo);
		TAILQ_REMOVE(&work.todo, w, entry);
		pthread_mutex_unlock(&work.lock);
		w->run(w->arg);
		pthread_mutex_lock(&work.lock);
		wake = TAILQ_EMPTY(&work.done);
		TAILQ_INSERT_TAIL(&work.done, w, entry);
		/* A full counter still wakes the loop. */
		if (wake && write(work.efd, &one, sizeof one) == -1 &&
		    errno != EAGAIN)
			log_warn("work: eventfd");
	}
	pthread_mutex_unlock(&work.lock);
	return (NULL);
}

static void
work_take(void)
{
	struct work	*w;
	struct timeval	 now = { 0, 0 };
	int		 n;

	for (n = 0; n < WORK_DONE_BATCH; n++) {
		pthread_mutex_lock(&work.lock);
		if ((w = TAILQ_FIRST(&work.done)) != NULL)
			TAILQ_REMOVE(&work.done, w, entry);
		pthread_mutex_unlock(&work.lock);
		if (w == NULL)
			return;
		w->done(w->arg);
		free(w);
	}
	pthread_mutex_lock(&work.lock);
	if (!TAILQ_EMPTY(&work.done))
		evtimer_add(work.more, &now);
	pthread_mutex_unlock(&work.lock);
}

static void
work_wake_cb(evutil_socket_t fd, short what UNUSED, void *arg UNUSED)
{
	uint64_t	n;

	if (read(fd, &n, sizeof n) == -1 && errno != EAGAIN)
		log_warn("work: eventfd");
	work_take();
}

static void
work_more_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg UNUSED)
{
	work_take();
}

int
work_init(struct event_base *base, char **cause)
{
	int	rc;

	TAILQ_INIT(&work.todo);
	TAILQ_INIT(&work.done);
	work.stop = 0;
	if ((work.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		xasprintf(cause, "eventfd: %s", strerror(errno));
		return (-1);
	}
	work.ev = event_new(base, work.efd, EV_READ | EV_PERSIST,
	    work_wake_cb, NULL);
	work.more = evtimer_new(base, work_more_cb, NULL);
	if (work.ev == NULL || work.more == NULL)
		fatalx("work: cannot make an event");
	event_priority_set(work.ev, AGGD_PRI_BULK);
	event_priority_set(work.more, AGGD_PRI_BULK);
	event_add(work.ev, NULL);
	if ((rc = pthread_create(&work.thread, NULL, work_main, NULL)) != 0) {
		xasprintf(cause, "cannot start a worker thread: %s",
		    strerror(rc));
		return (-1);
	}
	work.started = 1;
	return (0);
}

/* Is the thread there to take work? */
int
work_running(void)
{
	return (work.started);
}

/* Run run(arg) off the loop, then done(arg) on it. */
void
work_submit(work_fn *run, work_fn *done, void *arg)
{
	struct work	*w;

	w = xcalloc(1, sizeof *w);
	w->run = run;
	w->done = done;
	w->arg = arg;
	pthread_mutex_lock(&work.lock);
	TAILQ_INSERT_TAIL(&work.todo, w, entry);
	pthread_cond_signal(&work.cond);
	pthread_mutex_unlock(&work.lock);
}

/*
 * Stop the thread once what it runs now is done.  Work not done, or done
 * but not yet taken, is dropped without a call: whoever submitted it
 * still holds its argument and frees it (fetch_free).
 */
void
work_free(void)
{
	struct work	*w;

	pthread_mutex_lock(&work.lock);
	work.stop = 1;
	pthread_cond_signal(&work.cond);
	pthread_mutex_unlock(&work.lock);
	if (work.started)
		pthread_join(work.thread, NULL);
	work.started = 0;
	while ((w = TAILQ_FIRST(&work.todo)) != NULL) {
		TAILQ_REMOVE(&work.todo, w, entry);
		free(w);
	}
	while ((w = TAILQ_FIRST(&work.done)) != NULL) {
		TAILQ_REMOVE(&work.done, w, entry);
		free(w);
	}
	if (work.ev != NULL)
		event_free(work.ev);
	if (work.more != NULL)
		event_free(work.more);
	work.ev = work.more = NULL;
	if (work.efd != -1)
		close(work.efd);
	work.efd = -1;
}
