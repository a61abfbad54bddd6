/*
 * Announcing.  After a fetch's transaction commits with announced items,
 * followers are brought up to date (cmd-items.c) and hooks are run.  The
 * kick is deferred to the next loop turn, so it never runs inside the
 * fetch's transaction and never sees rows that could still be rolled back.
 *
 * Hooks are at-least-once: the store's outbox (deliveries) gets a row in
 * the same transaction as its item, and the row goes only when the hook
 * exits 0.  Hooks of one feed run one at a time in storage order (the
 * head of each feed's queue); different feeds' hooks run side by side, up
 * to HOOK_MAX.  A failure or a timeout is retried with backoff; the feed's
 * later items wait behind it, so order holds.  A delivery in flight when
 * aggd stops or crashes is made again at the next start.
 *
 * The hook is an argv split like a shell would (config.c) and exec'd
 * directly, never through a shell: a feed's text reaches it only as data,
 * on stdin (the item's JSON) and in AGG_* environment variables.
 */
#include <sys/queue.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aggd.h"
#include "argv.h"
#include "log.h"
#include "proto.h"
#include "store.h"
#include "xmalloc.h"

#define HOOK_MAX		8
#define HOOK_KILL_GRACE		5	/* SIGTERM, then SIGKILL after this */
#define HOOK_RETRY_MIN		10
#define HOOK_RETRY_MAX		3600

struct hook_run {
	pid_t			 pid;
	int64_t			 item_id;
	int64_t			 feed_id;
	int64_t			 attempts;
	int			 fd;		/* stdin pipe, -1 when done */
	char			*input;
	size_t			 len;
	size_t			 off;
	struct event		*wev;
	struct event		*timer;
	int			 timed_out;
	int			 killed;
	LIST_ENTRY(hook_run)	 entry;
};

static struct event_base	*hook_base;
static struct event		*hook_event;	/* deferred kick */
static struct event		*hook_retry;	/* next backoff due */
static LIST_HEAD(, hook_run)	 hook_runs = LIST_HEAD_INITIALIZER(hook_runs);
static int			 hook_nruns;

static void	hook_run_due(void);

static void
hook_close_stdin(struct hook_run *r)
{
	if (r->wev != NULL) {
		event_free(r->wev);
		r->wev = NULL;
	}
	if (r->fd != -1) {
		close(r->fd);
		r->fd = -1;
	}
	free(r->input);
	r->input = NULL;
}

static void
hook_run_free(struct hook_run *r)
{
	LIST_REMOVE(r, entry);
	hook_nruns--;
	hook_close_stdin(r);
	if (r->timer != NULL)
		event_free(r->timer);
	free(r);
}

static void
hook_write_cb(evutil_socket_t fd, short what UNUSED, void *arg)
{
	struct hook_run	*r = arg;
	ssize_t		 n;

	n = write(fd, r->input + r->off, r->len - r->off);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n == -1) {
		/* EPIPE: the hook did not want its stdin; its exit decides. */
		hook_close_stdin(r);
		return;
	}
	r->off += (size_t)n;
	if (r->off == r->len)
		hook_close_stdin(r);
}

static void
hook_timeout_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	struct hook_run	*r = arg;
	struct timeval	 tv = { HOOK_KILL_GRACE, 0 };

	if (!r->timed_out) {
		log_warnx("hook for item %lld: timed out after %llds, "
		    "stopping it", (long long)r->item_id,
		    (long long)aggd->conf->hook_timeout);
		r->timed_out = 1;
		kill(-r->pid, SIGTERM);
		evtimer_add(r->timer, &tv);
	} else if (!r->killed) {
		r->killed = 1;
		kill(-r->pid, SIGKILL);
	}
}

static int
hook_running_for(int64_t feed_id)
{
	struct hook_run	*r;

	LIST_FOREACH(r, &hook_runs, entry)
		if (r->feed_id == feed_id)
			return (1);
	return (0);
}

extern char	**environ;

/*
 * The hook's environment: ours without any AGG_* of our own, plus the
 * item's.  Built before fork: the child must not allocate, since curl's
 * resolver threads may hold malloc's locks at the moment of fork.
 */
static char **
hook_environ(const struct item_record *rec, const struct store_feed *f)
{
	char		**env;
	size_t		  n = 0, i;
	char		  num[32];

	for (i = 0; environ[i] != NULL; i++)
		;
	env = xcalloc(i + 8, sizeof *env);
	for (i = 0; environ[i] != NULL; i++)
		if (strncmp(environ[i], "AGG_", 4) != 0)
			env[n++] = xstrdup(environ[i]);
#define ADD(name, v) xasprintf(&env[n++], "%s=%s", name, (v) != NULL ? (v) : "")
	snprintf(num, sizeof num, "%lld", (long long)rec->id);
	ADD("AGG_ITEM_ID", num);
	ADD("AGG_ITEM_GUID", rec->item.guid);
	ADD("AGG_ITEM_TITLE", rec->item.title);
	ADD("AGG_ITEM_LINK", rec->item.link);
	snprintf(num, sizeof num, "%lld", (long long)f->id);
	ADD("AGG_FEED_ID", num);
	ADD("AGG_FEED_URL", f->url);
	ADD("AGG_FEED_TITLE", f->title);
#undef ADD
	env[n] = NULL;
	return (env);
}

static void
hook_finished(int64_t item_id, int ok, const char *why, int64_t attempts)
{
	sqlite3_stmt	*st;
	int64_t		 delay;
	int		 shift;

	if (ok) {
		st = store_stmt(aggd->store, STMT_DELIVERY_DONE);
		sqlite3_bind_int64(st, 1, item_id);
		store_exec(aggd->store, st);
		return;
	}
	/* attempts counts this failure too: the first retry waits
	 * HOOK_RETRY_MIN, each later one twice the one before. */
	shift = attempts < 1 ? 0 : attempts > 13 ? 12 : (int)attempts - 1;
	delay = (int64_t)HOOK_RETRY_MIN << shift;
	if (delay > HOOK_RETRY_MAX)
		delay = HOOK_RETRY_MAX;
	st = store_stmt(aggd->store, STMT_DELIVERY_FAIL);
	sqlite3_bind_int64(st, 1, item_id);
	sqlite3_bind_int64(st, 2, (int64_t)time(NULL) + delay);
	store_bind_text(st, 3, why);
	store_exec(aggd->store, st);
	log_warnx("hook for item %lld: %s; retry in %llds", (long long)item_id,
	    why, (long long)delay);
}

/* Start the hook for one delivery; 0, or -1 when none was started. */
static int
hook_start(int64_t item_id, int64_t feed_id, int64_t attempts)
{
	struct store_feed	*f;
	struct item_record	 rec;
	struct hook_run		*r;
	sqlite3_stmt		*st;
	const char		*cmd;
	char			**argv, *cause = NULL, *feed_url = NULL, *line;
	char			**env;
	json_t			*j;
	int			 p[2];
	pid_t			 pid;

	if ((f = store_feed_get(aggd->store, feed_id)) == NULL)
		return (-1);
	cmd = f->hook != NULL && *f->hook != '\0' ? f->hook : aggd->conf->hook;
	if (cmd == NULL) {
		log_info("item %lld: no hook configured any more, delivery "
		    "dropped", (long long)item_id);
		hook_finished(item_id, 1, NULL, attempts);
		store_feed_free(f);
		return (-1);
	}
	if ((argv = argv_split(cmd, &cause)) == NULL) {
		hook_finished(item_id, 0, cause, attempts + 1);
		free(cause);
		store_feed_free(f);
		return (-1);
	}
	st = store_stmt(aggd->store, STMT_ITEM_GET);
	sqlite3_bind_int64(st, 1, item_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		hook_finished(item_id, 1, NULL, attempts);
		argv_free(argv);
		store_feed_free(f);
		return (-1);
	}
	store_item_row(st, &rec, &feed_url);
	sqlite3_reset(st);
	j = item_record_json(&rec);
	line = proto_encode(j);
	json_decref(j);
	env = hook_environ(&rec, f);

	if (pipe2(p, O_CLOEXEC) == -1) {
		log_warn("hook: pipe");
		goto fail;
	}
	switch (pid = fork()) {
	case -1:
		log_warn("hook: fork");
		close(p[0]);
		close(p[1]);
		goto fail;
	case 0:
		/* The child: its own process group, so a timeout stops
		 * whatever it started too. */
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		umask(aggd->umask);	/* aggd's own is 077 */
		if (dup2(p[0], STDIN_FILENO) == -1)
			_exit(127);
		execvpe(argv[0], argv, env);
		_exit(127);
	}
	setpgid(pid, pid);	/* also here: no race with kill(-pid) */
	close(p[0]);
	fcntl(p[1], F_SETFL, fcntl(p[1], F_GETFL) | O_NONBLOCK);

	r = xcalloc(1, sizeof *r);
	r->pid = pid;
	r->item_id = item_id;
	r->feed_id = feed_id;
	r->attempts = attempts;
	r->fd = p[1];
	r->input = line;
	r->len = strlen(line);
	r->wev = event_new(hook_base, r->fd, EV_WRITE | EV_PERSIST,
	    hook_write_cb, r);
	event_add(r->wev, NULL);
	r->timer = evtimer_new(hook_base, hook_timeout_cb, r);
	if (aggd->conf->hook_timeout > 0) {
		struct timeval	tv = { aggd->conf->hook_timeout, 0 };

		evtimer_add(r->timer, &tv);
	}
	LIST_INSERT_HEAD(&hook_runs, r, entry);
	hook_nruns++;
	log_debug("hook for item %lld (feed %lld): started, pid %ld",
	    (long long)item_id, (long long)feed_id, (long)pid);
	argv_free(env);
	item_release(&rec.item);
	free(feed_url);
	argv_free(argv);
	store_feed_free(f);
	return (0);
fail:
	free(line);
	argv_free(env);
	item_release(&rec.item);
	free(feed_url);
	argv_free(argv);
	store_feed_free(f);
	return (-1);
}

static void
hook_arm_retry(void)
{
	sqlite3_stmt	*st = store_stmt(aggd->store, STMT_DELIVERY_NEXT);
	int64_t		 when = -1, now = time(NULL);
	struct timeval	 tv;

	if (sqlite3_step(st) == SQLITE_ROW)
		when = store_col_int(st, 0, -1);
	sqlite3_reset(st);
	evtimer_del(hook_retry);
	if (when < 0 || when <= now)
		return;		/* none, or due now: a run will come */
	tv.tv_sec = when - now;
	tv.tv_usec = 0;
	evtimer_add(hook_retry, &tv);
}

/* Start what is due and allowed: one per feed, HOOK_MAX in all. */
static void
hook_run_due(void)
{
	sqlite3_stmt	*st;
	int64_t		 heads[HOOK_MAX * 8][3];
	size_t		 n = 0, i;

	if (aggd->store == NULL || hook_nruns >= HOOK_MAX)
		return;
	st = store_stmt(aggd->store, STMT_DELIVERY_HEADS);
	sqlite3_bind_int64(st, 1, time(NULL));
	sqlite3_bind_int(st, 2, (int)nitems(heads));
	while (n < nitems(heads) && sqlite3_step(st) == SQLITE_ROW) {
		heads[n][0] = sqlite3_column_int64(st, 0);
		heads[n][1] = sqlite3_column_int64(st, 1);
		heads[n][2] = sqlite3_column_int64(st, 2);
		n++;
	}
	sqlite3_reset(st);
	for (i = 0; i < n && hook_nruns < HOOK_MAX; i++) {
		if (hook_running_for(heads[i][1]))
			continue;
		hook_start(heads[i][0], heads[i][1], heads[i][2]);
	}
	hook_arm_retry();
}

static void
hook_kick_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg UNUSED)
{
	/* Announce only what is committed. */
	if (store_flush(aggd->store) != 0)
		return;
	cmd_follow_notify();
	hook_run_due();
}

void
hook_kick(void)
{
	struct timeval	tv = { 0, 0 };

	if (hook_event != NULL && !evtimer_pending(hook_event, NULL))
		evtimer_add(hook_event, &tv);
}

/* SIGCHLD: collect every finished hook. */
void
hook_reap(void)
{
	struct hook_run	*r;
	pid_t		 pid;
	int		 status;
	char		 why[64];

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		LIST_FOREACH(r, &hook_runs, entry)
			if (r->pid == pid)
				break;
		if (r == NULL)
			continue;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
		    !r->timed_out) {
			log_debug("hook for item %lld: delivered",
			    (long long)r->item_id);
			hook_finished(r->item_id, 1, NULL, r->attempts);
		} else {
			if (r->timed_out)
				snprintf(why, sizeof why, "timed out");
			else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
				snprintf(why, sizeof why, "exit 127 (cannot "
				    "run the hook?)");
			else if (WIFEXITED(status))
				snprintf(why, sizeof why, "exit %d",
				    WEXITSTATUS(status));
			else
				snprintf(why, sizeof why, "killed by signal %d",
				    WTERMSIG(status));
			hook_finished(r->item_id, 0, why, r->attempts + 1);
		}
		hook_run_free(r);
	}
	hook_kick();
}

static void
hook_retry_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg UNUSED)
{
	hook_run_due();
}

void
hook_init(struct event_base *base)
{
	hook_base = base;
	hook_event = evtimer_new(base, hook_kick_cb, NULL);
	hook_retry = evtimer_new(base, hook_retry_cb, NULL);
	/* Deliveries owed from before (a stop or a crash) go out now. */
	hook_kick();
}

/* Stopping: hooks still running keep their deliveries owed. */
void
hook_free(void)
{
	struct hook_run	*r;

	while ((r = LIST_FIRST(&hook_runs)) != NULL) {
		kill(-r->pid, SIGTERM);
		hook_run_free(r);
	}
	if (hook_event != NULL)
		event_free(hook_event);
	if (hook_retry != NULL)
		event_free(hook_retry);
	hook_event = hook_retry = NULL;
}
