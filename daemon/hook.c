/*
 * Hooks.  For each delivery the store's outbox owes, run the feed's hook
 * with the item's JSON on stdin.  announce.c kicks us once new deliveries
 * are committed; we never look at rows that could still be rolled back.
 *
 * Hooks are at-least-once: the outbox (deliveries) gets a row in the same
 * transaction as its item, and the row goes only when the hook exits 0.
 * Hooks of one feed run one at a time in storage order (the head of each
 * feed's queue); different feeds' hooks run side by side, up to HOOK_MAX.
 * A failure or a timeout is retried with backoff; the feed's later items
 * wait behind it, so order holds.  Verdicts are written in one transaction
 * per loop turn (hook_kick_cb), never one per delivery: a crash repeats at
 * most the deliveries that finished in the turn it interrupted, and those
 * in flight.
 *
 * The hook is an argv split like a shell would (lib/argv.c) and spawned
 * directly, never through a shell: a feed's text reaches it only as data,
 * on stdin and in AGG_* environment variables.  Its stdout and stderr are
 * pipes the loop reads: each line goes to our log tagged with the hook
 * and the item (stderr as a warning, stdout as info), escaped, cut at
 * HOOK_LINE_MAX; past HOOK_KEEP bytes of log, a run's output is read and
 * counted but dropped, so a chatty hook can neither fill the disk through
 * our log nor block on a full pipe.
 */
#include <sys/queue.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
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
#define HOOK_KEEP		(64 * 1024)	/* output logged per run */
#define HOOK_LINE_MAX		1024	/* a longer line is cut */
#define HOOK_READ		(64 * 1024)	/* one read(2) */
#define HOOK_DRAIN_MAX		64	/* exited runs whose output is open */
#define HOOK_DRAIN_WAIT		60	/* how long, without hook_timeout */

/* Every log line about a run names the hook and the item. */
#define HOOK_TAG		"%s: "
#define HOOK_TAGARGS(r)		(r)->tag

struct hook_run;

/* A run's stdout or stderr, read by the loop. */
struct hook_out {
	struct hook_run		*run;
	int			 fd;		/* -1 once closed */
	int			 err;		/* stderr: warnings */
	struct event		*ev;
	int			 cut;		/* dropping a long line's rest */
	size_t			 len;
	char			 line[HOOK_LINE_MAX];
};

struct hook_run {
	pid_t			 pid;
	int64_t			 item_id;
	int64_t			 feed_id;
	int64_t			 attempts;
	char			*tag;		/* "hook ARGV0 (feed F, item I)" */
	time_t			 started;
	int			 fd;		/* stdin pipe, -1 when done */
	char			*input;
	size_t			 len;
	size_t			 off;
	struct event		*wev;
	struct event		*timer;
	struct hook_out		 out[2];	/* stdout, stderr */
	size_t			 kept;		/* log bytes its output made */
	unsigned long long	 dropped;	/* ... and not */
	int			 over;		/* past HOOK_KEEP */
	int			 exited;
	int			 timed_out;
	int			 killed;
	TAILQ_ENTRY(hook_run)	 entry;
};
TAILQ_HEAD(hook_runs, hook_run);

/* A verdict waiting for the turn's transaction. */
struct hook_verdict {
	int64_t			 item_id;
	int64_t			 next_attempt;	/* -1: delivered */
	char			*why;
};

static struct event_base	*hook_base;
static struct event		*hook_event;	/* commit, then start more */
static struct event		*hook_retry;	/* next backoff due */
static struct hook_runs		 hook_runs = TAILQ_HEAD_INITIALIZER(hook_runs);
static struct hook_runs		 hook_draining =
				     TAILQ_HEAD_INITIALIZER(hook_draining);
static int			 hook_nruns;
static int			 hook_ndraining;
static struct hook_verdict	*hook_verdicts;
static size_t			 hook_nverdicts;
static size_t			 hook_verdicts_size;
static int			 hook_commit_failing;

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

/*
 * Output bytes to something a log line can carry: printable ASCII and
 * valid UTF-8 (but C1 controls) as they are, anything else as \xNN, so a
 * hook's escape sequences or binary noise cannot forge or break a line.
 */
static void
hook_escape(const unsigned char *p, size_t n, char *dst, size_t size)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i = 0, o = 0, k, need;
	unsigned int		 cp = 0, min = 0;

	while (i < n && o + 5 <= size) {
		if (p[i] >= 0x20 && p[i] < 0x7f) {
			dst[o++] = (char)p[i++];
			continue;
		}
		need = 0;
		if (p[i] >= 0xc2 && p[i] <= 0xdf) {
			need = 1; cp = p[i] & 0x1f; min = 0xa0;
		} else if (p[i] >= 0xe0 && p[i] <= 0xef) {
			need = 2; cp = p[i] & 0x0f; min = 0x800;
		} else if (p[i] >= 0xf0 && p[i] <= 0xf4) {
			need = 3; cp = p[i] & 0x07; min = 0x10000;
		}
		for (k = 1; need > 0 && k <= need; k++) {
			if (i + k >= n || (p[i + k] & 0xc0) != 0x80)
				break;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (need > 0 && k > need && cp >= min && cp <= 0x10ffff &&
		    (cp < 0xd800 || cp > 0xdfff) && o + need + 1 < size) {
			memcpy(dst + o, p + i, need + 1);
			o += need + 1;
			i += need + 1;
			continue;
		}
		dst[o++] = '\\';
		dst[o++] = 'x';
		dst[o++] = hex[p[i] >> 4];
		dst[o++] = hex[p[i] & 0xf];
		i++;
	}
	dst[o] = '\0';
}

/*
 * Log the line gathered so far, unless the run's allowance is spent.  The
 * allowance counts the log's bytes, tag included, since the log's size is
 * what it protects: a hook printing "y" lines would else make 70 bytes of
 * log for every 2 it wrote.
 */
static void
hook_out_emit(struct hook_out *o, int cut, int nl)
{
	struct hook_run	*r = o->run;
	char		 esc[HOOK_LINE_MAX * 4 + 8];
	size_t		 raw = o->len, n = raw, cost;

	o->len = 0;
	if (n > 0 && !cut && o->line[n - 1] == '\r')
		n--;
	if (n == 0)
		return;
	hook_escape((unsigned char *)o->line, n, esc, sizeof esc);
	cost = strlen(r->tag) + strlen(esc) + 16;
	if (r->over || r->kept + cost > HOOK_KEEP) {
		r->over = 1;
		r->dropped += raw + (nl ? 1 : 0);
		return;
	}
	r->kept += cost;
	if (o->err)
		log_warnx(HOOK_TAG "%s%s", HOOK_TAGARGS(r), esc,
		    cut ? " [cut]" : "");
	else
		log_info(HOOK_TAG "%s%s", HOOK_TAGARGS(r), esc,
		    cut ? " [cut]" : "");
}

static void
hook_out_feed(struct hook_out *o, const char *p, size_t n)
{
	struct hook_run	*r = o->run;
	const char	*nl;
	size_t		 take, room;

	while (n > 0) {
		if (r->over) {
			/* Past the allowance: count, do not even split. */
			r->dropped += n;
			return;
		}
		nl = memchr(p, '\n', n);
		take = nl != NULL ? (size_t)(nl - p) : n;
		room = sizeof o->line - o->len;
		if (o->cut)
			r->dropped += take;
		else if (take <= room) {
			memcpy(o->line + o->len, p, take);
			o->len += take;
		} else {
			memcpy(o->line + o->len, p, room);
			o->len += room;
			r->dropped += take - room;
			hook_out_emit(o, 1, 0);
			o->cut = 1;
		}
		if (nl == NULL)
			return;
		if (!o->cut)
			hook_out_emit(o, 0, 1);
		o->cut = 0;
		p += take + 1;
		n -= take + 1;
	}
}

static void
hook_out_close(struct hook_out *o)
{
	if (o->fd == -1)
		return;
	if (o->len > 0)
		hook_out_emit(o, 0, 0);
	event_free(o->ev);
	o->ev = NULL;
	close(o->fd);
	o->fd = -1;
}

/* Read at most chunks times: the loop goes on even if the hook floods. */
static void
hook_out_read(struct hook_out *o, int chunks)
{
	static char	 buf[HOOK_READ];
	ssize_t		 n;

	while (o->fd != -1 && chunks-- > 0) {
		n = read(o->fd, buf, sizeof buf);
		if (n > 0) {
			hook_out_feed(o, buf, (size_t)n);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n == -1)
			log_warn(HOOK_TAG "cannot read its output",
			    HOOK_TAGARGS(o->run));
		hook_out_close(o);
	}
}

static void
hook_run_free(struct hook_run *r)
{
	int	i;

	for (i = 0; i < 2; i++)
		hook_out_close(&r->out[i]);
	if (r->dropped > 0)
		log_warnx(HOOK_TAG "%llu bytes of output dropped (%s)",
		    HOOK_TAGARGS(r), r->dropped, r->over ? "over 64 KiB" :
		    "the rest of lines over 1024 bytes");
	hook_close_stdin(r);
	if (r->timer != NULL)
		event_free(r->timer);
	free(r->tag);
	free(r);
}

/* A run is over once it has exited and its output is closed. */
static void
hook_run_check(struct hook_run *r)
{
	if (!r->exited || r->out[0].fd != -1 || r->out[1].fd != -1)
		return;
	TAILQ_REMOVE(&hook_draining, r, entry);
	hook_ndraining--;
	hook_run_free(r);
}

/* Give up on an exited hook's output (something it started holds it). */
static void
hook_run_abandon(struct hook_run *r, const char *why)
{
	log_warnx(HOOK_TAG "exited, but its output is still open (something "
	    "it started?); %s, closing it", HOOK_TAGARGS(r), why);
	hook_out_close(&r->out[0]);
	hook_out_close(&r->out[1]);
	hook_run_check(r);
}

static void
hook_out_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	struct hook_out	*o = arg;

	hook_out_read(o, 1);
	hook_run_check(o->run);
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

	if (r->exited)
		hook_run_abandon(r, "time is up");
	else if (!r->timed_out) {
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

	TAILQ_FOREACH(r, &hook_runs, entry)
		if (r->feed_id == feed_id)
			return (1);
	return (0);
}

extern char	**environ;

/* The hook's environment: ours without any AGG_* of our own, plus the
 * item's. */
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

/*
 * A delivery's verdict, written with the others of this loop turn by
 * hook_kick_cb.  attempts counts this failure too: the first retry waits
 * HOOK_RETRY_MIN, each later one twice the one before.
 */
static void
hook_finished(int64_t item_id, int ok, const char *why, int64_t attempts)
{
	struct hook_verdict	*v;
	int64_t			 delay;
	int			 shift;

	if (hook_nverdicts == hook_verdicts_size) {
		hook_verdicts_size = hook_verdicts_size * 2 + 16;
		hook_verdicts = xreallocarray(hook_verdicts,
		    hook_verdicts_size, sizeof *hook_verdicts);
	}
	v = &hook_verdicts[hook_nverdicts++];
	v->item_id = item_id;
	v->next_attempt = -1;
	v->why = NULL;
	hook_kick();
	if (ok)
		return;
	shift = attempts < 1 ? 0 : attempts > 13 ? 12 : (int)attempts - 1;
	delay = (int64_t)HOOK_RETRY_MIN << shift;
	if (delay > HOOK_RETRY_MAX)
		delay = HOOK_RETRY_MAX;
	v->next_attempt = (int64_t)time(NULL) + delay;
	v->why = xstrdup(why);
	log_warnx("hook for item %lld: %s; retry in %llds", (long long)item_id,
	    why, (long long)delay);
}

/* Write the turn's verdicts in one transaction: 0, or -1 (kept for the
 * next try; until then nothing new starts, so nothing runs twice). */
static int
hook_commit(void)
{
	struct store	*s = aggd->store;
	sqlite3_stmt	*st;
	size_t		 i;

	if (hook_nverdicts == 0)
		return (0);
	if (store_begin(s) != 0)
		goto fail;
	for (i = 0; i < hook_nverdicts; i++) {
		if (hook_verdicts[i].next_attempt == -1) {
			st = store_stmt(s, STMT_DELIVERY_DONE);
			sqlite3_bind_int64(st, 1, hook_verdicts[i].item_id);
		} else {
			st = store_stmt(s, STMT_DELIVERY_FAIL);
			sqlite3_bind_int64(st, 1, hook_verdicts[i].item_id);
			sqlite3_bind_int64(st, 2,
			    hook_verdicts[i].next_attempt);
			store_bind_text(st, 3, hook_verdicts[i].why);
		}
		if (store_exec(s, st) != 0) {
			store_rollback(s);
			goto fail;
		}
	}
	if (store_commit(s) != 0)
		goto fail;
	for (i = 0; i < hook_nverdicts; i++)
		free(hook_verdicts[i].why);
	hook_nverdicts = 0;
	if (hook_commit_failing)
		log_info("hooks: outbox written again");
	hook_commit_failing = 0;
	return (0);
fail:
	if (!hook_commit_failing)
		log_warnx("hooks: cannot write %zu delivery result(s) to the "
		    "outbox; holding them and starting no hook until it works",
		    hook_nverdicts);
	hook_commit_failing = 1;
	return (-1);
}

/* Start the hook for one delivery; 0, or -1 when none was started. */
static int
hook_start(int64_t item_id, int64_t feed_id, int64_t attempts)
{
	struct store_feed		*f;
	struct item_record		 rec;
	struct hook_run			*r;
	sqlite3_stmt			*st;
	const char			*cmd;
	char				**argv, *cause = NULL, *feed_url = NULL;
	char				**env, *line, *why;
	json_t				*j;
	int				 p[3][2], i, error;
	ssize_t				 n;
	pid_t				 pid;
	mode_t				 old;
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 sa;
	sigset_t			 all, none;

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

	for (i = 0; i < 3; i++) {
		if (pipe2(p[i], O_CLOEXEC) == -1) {
			error = errno;
			while (i-- > 0) {
				close(p[i][0]);
				close(p[i][1]);
			}
			xasprintf(&why, "cannot start: pipe: %s",
			    log_strerror(error));
			goto fail;
		}
	}
	/*
	 * posix_spawn, not fork: it does not copy our page tables (a vfork
	 * underneath), and the child does nothing but set up and exec, so
	 * it cannot trip on locks curl's resolver threads hold.  The child
	 * gets its own process group, so a timeout stops whatever it
	 * started too, and every signal at its default.
	 */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[0][0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, p[1][1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, p[2][1], STDERR_FILENO);
	posix_spawnattr_init(&sa);
	sigfillset(&all);
	sigemptyset(&none);
	posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	posix_spawnattr_setpgroup(&sa, 0);
	posix_spawnattr_setsigdefault(&sa, &all);
	posix_spawnattr_setsigmask(&sa, &none);
	/* The hook's files get the user's umask, not aggd's 077; one
	 * thread, so nothing else of ours is created meanwhile. */
	old = umask(aggd->umask);
	error = posix_spawnp(&pid, argv[0], &fa, &sa, argv, env);
	umask(old);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&sa);
	close(p[0][0]);
	close(p[1][1]);
	close(p[2][1]);
	if (error != 0) {
		close(p[0][1]);
		close(p[1][0]);
		close(p[2][0]);
		xasprintf(&why, "cannot run %s: %s", argv[0],
		    log_strerror(error));
		goto fail;
	}

	r = xcalloc(1, sizeof *r);
	r->pid = pid;
	r->item_id = item_id;
	r->feed_id = feed_id;
	r->attempts = attempts;
	xasprintf(&r->tag, "hook %s (feed %lld, item %lld)", argv[0],
	    (long long)feed_id, (long long)item_id);
	r->started = time(NULL);
	for (i = 0; i < 2; i++) {
		r->out[i].run = r;
		r->out[i].err = i == 1;
		r->out[i].fd = p[i + 1][0];
		fcntl(r->out[i].fd, F_SETFL, O_NONBLOCK);
		r->out[i].ev = event_new(hook_base, r->out[i].fd,
		    EV_READ | EV_PERSIST, hook_out_cb, &r->out[i]);
		event_add(r->out[i].ev, NULL);
	}
	/* The item fits the pipe's buffer nearly always: write it now and
	 * spare a loop turn; the rest, if any, when the pipe drains. */
	r->fd = p[0][1];
	fcntl(r->fd, F_SETFL, O_NONBLOCK);
	r->input = line;
	r->len = strlen(line);
	n = write(r->fd, r->input, r->len);
	if (n > 0)
		r->off = (size_t)n;
	if (r->off == r->len || (n == -1 && errno != EAGAIN &&
	    errno != EINTR))
		hook_close_stdin(r);
	else {
		r->wev = event_new(hook_base, r->fd, EV_WRITE | EV_PERSIST,
		    hook_write_cb, r);
		event_add(r->wev, NULL);
	}
	r->timer = evtimer_new(hook_base, hook_timeout_cb, r);
	if (aggd->conf->hook_timeout > 0) {
		struct timeval	tv = { aggd->conf->hook_timeout, 0 };

		evtimer_add(r->timer, &tv);
	}
	TAILQ_INSERT_TAIL(&hook_runs, r, entry);
	hook_nruns++;
	log_debug(HOOK_TAG "started, pid %ld", HOOK_TAGARGS(r), (long)pid);
	argv_free(env);
	item_release(&rec.item);
	free(feed_url);
	argv_free(argv);
	store_feed_free(f);
	return (0);
fail:
	/* Not started (out of descriptors, say): retried with backoff. */
	hook_finished(item_id, 0, why, attempts + 1);
	free(why);
	free(line);
	argv_free(env);
	item_release(&rec.item);
	free(feed_url);
	argv_free(argv);
	store_feed_free(f);
	return (-1);
}

/*
 * Start what is due and allowed: one per feed, HOOK_MAX in all, oldest
 * first; arm the retry timer for the earliest head that waits.  One
 * query gives every feed's head (a walk of the (feed_id, item_id) index,
 * one step per feed), so a long queue costs nothing per delivery.
 */
static void
hook_run_due(void)
{
	sqlite3_stmt	*st;
	int64_t		 start[HOOK_MAX][3], item, feed, when;
	int64_t		 now = time(NULL), next = -1;
	int		 n = 0, i, rc;
	struct timeval	 tv;

	if (aggd->store == NULL || hook_nverdicts > 0)
		return;
	st = store_stmt(aggd->store, STMT_DELIVERY_HEADS);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		item = sqlite3_column_int64(st, 0);
		feed = sqlite3_column_int64(st, 1);
		when = sqlite3_column_int64(st, 3);
		if (hook_running_for(feed))
			continue;
		if (when > now) {
			if (next == -1 || when < next)
				next = when;
			continue;
		}
		if (hook_nruns + n >= HOOK_MAX)
			continue;
		start[n][0] = item;
		start[n][1] = feed;
		start[n][2] = sqlite3_column_int64(st, 2);
		n++;
	}
	if (rc != SQLITE_DONE) {
		log_warnx("database %s: reading the hook outbox: %s",
		    aggd->conf->database, sqlite3_errmsg(store_db(aggd->store)));
		next = now + 1;
	}
	sqlite3_reset(st);
	for (i = 0; i < n; i++)
		hook_start(start[i][0], start[i][1], start[i][2]);
	evtimer_del(hook_retry);
	if (next != -1) {
		tv.tv_sec = next > now ? next - now : 1;
		tv.tv_usec = 0;
		evtimer_add(hook_retry, &tv);
	}
}

/* Once per loop turn: write the verdicts, then start what they freed. */
static void
hook_kick_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg UNUSED)
{
	struct timeval	tv = { 1, 0 };

	if (hook_commit() != 0) {
		evtimer_add(hook_retry, &tv);
		return;
	}
	hook_run_due();
}

void
hook_kick(void)
{
	struct timeval	tv = { 0, 0 };

	if (hook_event != NULL && !evtimer_pending(hook_event, NULL))
		evtimer_add(hook_event, &tv);
}

/* Exited: the verdict now, the output still as long as it is open. */
static void
hook_exited(struct hook_run *r, int status)
{
	struct timeval	 tv = { 0, 0 };
	char		 why[64];
	time_t		 now = time(NULL);

	/* What it wrote before it exited is in the pipes: log it before the
	 * verdict, in order. */
	hook_out_read(&r->out[0], 4);
	hook_out_read(&r->out[1], 4);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !r->timed_out) {
		log_debug(HOOK_TAG "delivered", HOOK_TAGARGS(r));
		hook_finished(r->item_id, 1, NULL, r->attempts);
	} else {
		if (r->timed_out)
			snprintf(why, sizeof why, "timed out");
		else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			snprintf(why, sizeof why, "exit 127 (cannot run the "
			    "hook?)");
		else if (WIFEXITED(status))
			snprintf(why, sizeof why, "exit %d",
			    WEXITSTATUS(status));
		else
			snprintf(why, sizeof why, "killed by signal %d",
			    WTERMSIG(status));
		hook_finished(r->item_id, 0, why, r->attempts + 1);
	}
	TAILQ_REMOVE(&hook_runs, r, entry);
	hook_nruns--;
	hook_close_stdin(r);
	r->exited = 1;
	TAILQ_INSERT_TAIL(&hook_draining, r, entry);
	hook_ndraining++;
	if (r->out[0].fd == -1 && r->out[1].fd == -1) {
		hook_run_check(r);
		return;
	}
	/* Something it started keeps the pipes: read on, for as long as the
	 * hook had left, and keep only so many such runs open. */
	evtimer_del(r->timer);
	if (r->timed_out)
		tv.tv_sec = HOOK_KILL_GRACE;
	else if (aggd->conf->hook_timeout > 0)
		tv.tv_sec = r->started + aggd->conf->hook_timeout - now;
	else
		tv.tv_sec = HOOK_DRAIN_WAIT;
	if (tv.tv_sec < 1)
		tv.tv_sec = 1;
	evtimer_add(r->timer, &tv);
	if (hook_ndraining > HOOK_DRAIN_MAX)
		hook_run_abandon(TAILQ_FIRST(&hook_draining),
		    "too many such hooks");
}

/* SIGCHLD: collect every finished hook. */
void
hook_reap(void)
{
	struct hook_run	*r;
	pid_t		 pid;
	int		 status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		TAILQ_FOREACH(r, &hook_runs, entry)
			if (r->pid == pid)
				break;
		if (r != NULL)
			hook_exited(r, status);
	}
}

static void
hook_retry_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg UNUSED)
{
	hook_kick_cb(-1, 0, NULL);
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

/* Stopping: verdicts reached are written; hooks still running keep their
 * deliveries owed. */
void
hook_free(void)
{
	struct hook_run	*r;
	size_t		 i;

	if (aggd->store != NULL)
		hook_commit();
	for (i = 0; i < hook_nverdicts; i++)
		free(hook_verdicts[i].why);
	free(hook_verdicts);
	hook_verdicts = NULL;
	hook_nverdicts = hook_verdicts_size = 0;
	while ((r = TAILQ_FIRST(&hook_runs)) != NULL) {
		TAILQ_REMOVE(&hook_runs, r, entry);
		hook_nruns--;
		kill(-r->pid, SIGTERM);
		hook_run_free(r);
	}
	while ((r = TAILQ_FIRST(&hook_draining)) != NULL) {
		TAILQ_REMOVE(&hook_draining, r, entry);
		hook_ndraining--;
		hook_run_free(r);
	}
	if (hook_event != NULL)
		event_free(hook_event);
	if (hook_retry != NULL)
		event_free(hook_retry);
	hook_event = hook_retry = NULL;
}
