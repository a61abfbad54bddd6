/*
 * aggd's entry point: options, configuration, then the loop.  Everything
 * that does work lives in the other daemon files so that tests and fuzzers
 * link them unchanged.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <curl/curl.h>
#include <errno.h>
#include <expat.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "aggd.h"
#include "log.h"
#include "paths.h"
#include "work.h"
#include "xmalloc.h"

struct aggd	*aggd;

/* The lock on DATABASE.lock, held open (and so locked) until we exit. */
static int	 main_lock_fd = -1;

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: aggd [-dfhv] [-c FILE] [--check-config] "
	    "[--print-config]\n"
	    "  -c FILE          configuration file (default: $AGGD_CONFIG,\n"
	    "                   /etc/aggd/aggd.conf or\n"
	    "                   $XDG_CONFIG_HOME/aggd/aggd.conf)\n"
	    "  -d               detach and log to syslog (by default aggd\n"
	    "                   stays in the foreground and logs to stderr)\n"
	    "  -f               foreground: the default, accepted for old\n"
	    "                   command lines\n"
	    "  -v               verbose (debug) logging\n"
	    "  --check-config   check the configuration and exit\n"
	    "  --print-config   print the effective configuration and exit\n"
	    "  -h, --help, --version\n");
}

static void
main_signal_cb(evutil_socket_t sig, short what UNUSED, void *arg UNUSED)
{
	struct config	*nc;
	char		*cause = NULL;

	switch (sig) {
	case SIGTERM:
	case SIGINT:
		log_info("signal %d: stopping", (int)sig);
		notify_stopping();
		event_base_loopbreak(aggd->base);
		break;
	case SIGHUP:
		notify_reloading();
		if (aggd->conf->path == NULL) {
			log_info("SIGHUP: no configuration file to re-read");
			notify_reloaded(NULL);
			break;
		}
		nc = config_load(aggd->conf->path, 1, &cause);
		if (nc == NULL) {
			log_warnx("reload failed, keeping the running "
			    "configuration: %s", cause);
			notify_reloaded(cause);
			free(cause);
			break;
		}
		if (strcmp(nc->database, aggd->conf->database) != 0 ||
		    strcmp(nc->socket, aggd->conf->socket) != 0)
			log_warnx("reload: database and socket changes take "
			    "effect at the next start");
		free(nc->database);
		nc->database = xstrdup(aggd->conf->database);
		free(nc->socket);
		nc->socket = xstrdup(aggd->conf->socket);
		config_free(aggd->conf);
		aggd->conf = nc;
		if (store_config_sync(aggd->store, aggd->conf) != 0)
			log_warnx("reload: cannot synchronise [feed] sections");
		fetch_reconfigure();
		retain_kick();
		sched_update();
		log_info("configuration %s reloaded", nc->path);
		notify_reloaded(NULL);
		break;
	case SIGCHLD:
		hook_reap();
		break;
	}
}

/* Record our pid in the lock file, for a second daemon's message. */
static void
main_lock_pid(void)
{
	char	buf[32];
	int	len;

	len = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (ftruncate(main_lock_fd, 0) == -1 ||
	    pwrite(main_lock_fd, buf, (size_t)len, 0) != len)
		log_warn("cannot write the pid into the database lock file");
}

/*
 * One daemon per database: an flock(2) on DATABASE.lock for our whole
 * life.  flock and not fcntl: SQLite holds POSIX locks on the database
 * and a process drops all of those on a file when it closes any
 * descriptor of it, so the lock is a file of its own; and an flock
 * belongs to the open file, so it survives main_daemonise()'s fork.  The
 * file is never removed: a daemon that unlinked it at exit could let two
 * others lock two different files of the same name.  Taken before the
 * socket or the database is touched, so a second daemon changes nothing.
 */
static int
main_lock(const char *db, char **cause)
{
	char	*dir, *path, buf[32];
	ssize_t	 n;
	long	 pid;

	dir = paths_dirname(db);
	if (paths_mkdirs(dir, 0700) == -1) {
		xasprintf(cause, "cannot create directory %s: %s", dir,
		    log_strerror(errno));
		free(dir);
		return (-1);
	}
	free(dir);
	xasprintf(&path, "%s.lock", db);
	main_lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (main_lock_fd == -1) {
		xasprintf(cause, "cannot open database %s: lock file %s: %s",
		    db, path, log_strerror(errno));
		free(path);
		return (-1);
	}
	free(path);
	if (flock(main_lock_fd, LOCK_EX | LOCK_NB) == 0) {
		main_lock_pid();
		return (0);
	}
	if (errno == EWOULDBLOCK) {
		n = pread(main_lock_fd, buf, sizeof buf - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		pid = strtol(buf, NULL, 10);
		if (pid > 0)
			xasprintf(cause, "database %s is in use by another "
			    "aggd (pid %ld)", db, pid);
		else
			xasprintf(cause, "database %s is in use by another "
			    "aggd", db);
	} else
		xasprintf(cause, "cannot lock database %s: %s", db,
		    log_strerror(errno));
	close(main_lock_fd);
	main_lock_fd = -1;
	return (-1);
}

/*
 * -d: fork, and let the command return only once the child is the daemon
 * (its pid in the lock file), so a script that reads the lock file or
 * talks to the socket next finds it.  Returns the write end of a pipe the
 * child closes, after writing a byte, when it is set up; the parent exits
 * 0 on that byte, 1 when the pipe closes without it.
 */
static int
main_daemonise(void)
{
	int	fd, p[2];
	ssize_t	n;
	char	c = 0;

	if (pipe2(p, O_CLOEXEC) == -1)
		fatal("pipe");
	switch (fork()) {
	case -1:
		fatal("fork");
	case 0:
		close(p[0]);
		break;
	default:
		close(p[1]);
		while ((n = read(p[0], &c, 1)) == -1 && errno == EINTR)
			;
		_exit(n == 1 && c == 'R' ? 0 : 1);
	}
	if (setsid() == -1)
		fatal("setsid");
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	if (chdir("/") == -1)
		fatal("chdir /");
	return (p[1]);
}

/* The child is set up: let the command that started it return. */
static void
main_daemonised(int fd)
{
	char	c = 'R';

	if (write(fd, &c, 1) != 1)
		log_warn("cannot tell the starting command we are up");
	close(fd);
}

/*
 * The event loop.  Transfers' events (AGGD_PRI_BULK) come after timers,
 * clients and hooks, and after 8 of them or 10 ms the loop looks for
 * those again: a burst of finished transfers, each storing a feed, would
 * otherwise keep a status request or a due timer waiting for all of it.
 */
static int
main_base(void)
{
	struct event_config	*cfg;
	struct timeval		 slice = { 0, 10000 };

	if ((cfg = event_config_new()) == NULL)
		return (-1);
	event_config_set_max_dispatch_interval(cfg, &slice, 8, AGGD_PRI_BULK);
	aggd->base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (aggd->base == NULL ||
	    event_base_priority_init(aggd->base, AGGD_PRIORITIES) != 0)
		return (-1);
	return (0);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "check-config",	no_argument,	NULL,	'C' },
		{ "print-config",	no_argument,	NULL,	'P' },
		{ "help",		no_argument,	NULL,	'h' },
		{ "version",		no_argument,	NULL,	'V' },
		{ NULL,			0,		NULL,	0 }
	};
	const char	*path = NULL;
	char		*cause = NULL, *defpath = NULL;
	int		 ch, detach = 0, verbose = 0, check = 0, print = 0;
	int		 ready_fd;
	int		 managed;
	int		 sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD };
	struct event	*sigev[nitems(sigs)];
	struct aggd	 state;
	size_t		 i;

	opterr = 0;	/* one line of our own, not getopt's and a usage */
	while ((ch = getopt_long(argc, argv, "c:dfhv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'd':
			detach = 1;
			break;
		case 'f':
			/* The default now; -d after it still detaches. */
			break;
		case 'v':
			verbose++;
			break;
		case 'C':
			check = 1;
			break;
		case 'P':
			print = 1;
			break;
		case 'h':
			usage(stdout);
			return (0);
		case 'V':
			printf("aggd %s\n", AGG_VERSION);
			return (0);
		default:
			if (optopt != 0 && ch == '?' && strchr("c", optopt))
				fprintf(stderr, "aggd: option -%c needs an "
				    "argument (see aggd --help)\n", optopt);
			else
				fprintf(stderr, "aggd: unknown option '%s' "
				    "(see aggd --help)\n", argv[optind - 1]);
			return (1);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "aggd: unexpected argument '%s' (see aggd "
		    "--help)\n", argv[optind]);
		return (1);
	}
	log_init("aggd", verbose, 0);
	/* Progress waits until we are up: a failure is one line. */
	log_hold();

	if (path == NULL)
		path = defpath = paths_config();
	memset(&state, 0, sizeof state);
	aggd = &state;
	/* A missing file, even one named with -c, means built-in defaults
	 * (INTERFACE.md); a bad one stops us. */
	if ((aggd->conf = config_load(path, 0, &cause)) == NULL) {
		log_release(0);
		log_errx("%s", cause);
		free(cause);
		free(defpath);
		return (1);
	}
	if (aggd->conf->path == NULL && !check && !print)
		log_info("no configuration file at %s: built-in defaults",
		    path);
	if (print) {
		log_release(0);
		config_print(stdout, aggd->conf);
		config_free(aggd->conf);
		free(defpath);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			log_errx("cannot write the configuration: %s",
			    log_strerror(errno));
			return (1);
		}
		return (0);
	}
	if (check) {
		log_release(0);
		if (aggd->conf->path != NULL)
			printf("%s: ok\n", aggd->conf->path);
		else
			printf("%s: no such file; built-in defaults: ok\n",
			    path);
		config_free(aggd->conf);
		free(defpath);
		return (0);
	}
	free(defpath);
	managed = notify_init();

	signal(SIGPIPE, SIG_IGN);
	/* Past a file size limit a write fails (EFBIG), reported as such. */
	signal(SIGXFSZ, SIG_IGN);
	/*
	 * Every file we create (the lock, the database, its -wal and -shm,
	 * the socket, a backup) is private from its first byte; SQLite
	 * creates the -wal and -shm with the database's mode.  Hooks get
	 * the user's umask back.
	 */
	aggd->umask = umask(077);

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		fatalx("cannot initialise libcurl");
	if (main_base() != 0)
		fatalx("cannot create event base");
	aggd->started = time(NULL);
	log_info("aggd %s starting (libevent %s, %s, expat %s, sqlite %s)",
	    AGG_VERSION, event_get_version(), curl_version(),
	    XML_ExpatVersion(), sqlite3_libversion());
	log_info("configuration: %s", aggd->conf->path != NULL ?
	    aggd->conf->path : "built-in defaults");

	if (main_lock(aggd->conf->database, &cause) != 0)
		goto fail;
	aggd->server = server_start(aggd->base, aggd->conf->socket,
	    aggd->conf->socket_gid, aggd->conf->socket_group != NULL, &cause);
	if (aggd->server == NULL)
		goto fail;
	if ((aggd->store = store_open(aggd->conf->database, &cause)) == NULL)
		goto fail;
	log_info("database %s", aggd->conf->database);
	if (store_config_sync(aggd->store, aggd->conf) != 0) {
		xasprintf(&cause, "cannot synchronise [feed] sections into %s",
		    aggd->conf->database);
		goto fail;
	}
	/*
	 * -d forks only now, so that a bad database or a busy socket is
	 * reported on the terminal with exit status 1 rather than lost in
	 * syslog.  Under a service manager that listens (Type=notify) we
	 * never fork: it watches the process it started.
	 */
	if (detach && managed)
		log_info("-d ignored: the service manager watches this "
		    "process (NOTIFY_SOCKET)");
	else if (detach) {
		ready_fd = main_daemonise();
		log_init("aggd", verbose, 1);
		if (event_reinit(aggd->base) == -1)
			fatalx("cannot reinitialise the event base after fork");
		main_lock_pid();
		main_daemonised(ready_fd);
	}
	log_release(1);
	for (i = 0; i < nitems(sigs); i++) {
		sigev[i] = evsignal_new(aggd->base, sigs[i], main_signal_cb,
		    NULL);
		evsignal_add(sigev[i], NULL);
	}
	store_attach(aggd->store, aggd->base);
	fetch_init(aggd->base);
	hook_init(aggd->base);
	announce_init(aggd->base);
	retain_init(aggd->base);
	sched_init(aggd->base);
	/* Threads only now, after any fork. */
	if (query_init(aggd->base, aggd->conf->database, &cause) != 0) {
		log_warnx("%s", cause);
		return (1);
	}
	/* Without it the loop packs the items' text itself. */
	if (work_init(aggd->base, &cause) != 0) {
		log_warnx("%s", cause);
		free(cause);
	}
	notify_start(aggd->base);

	event_base_dispatch(aggd->base);

	log_info("shutting down");
	server_client_close_all();
	query_free();
	server_stop(aggd->server);
	sched_free();
	work_free();		/* before fetch_free: it frees the work's jobs */
	fetch_free();
	hook_free();
	retain_free();
	announce_free();
	notify_free();
	for (i = 0; i < nitems(sigs); i++)
		event_free(sigev[i]);
	store_close(aggd->store);
	/* Let deferred frees (clients, transfers) run before the base goes. */
	event_base_loop(aggd->base, EVLOOP_NONBLOCK);
	event_base_free(aggd->base);
	curl_global_cleanup();
	config_free(aggd->conf);
	log_info("stopped");
	return (0);

fail:
	log_release(0);
	log_errx("%s", cause);
	free(cause);
	store_close(aggd->store);
	server_stop(aggd->server);
	event_base_free(aggd->base);
	curl_global_cleanup();
	config_free(aggd->conf);
	return (1);
}
