/*
 * backup over the socket: a consistent copy of the database, made while
 * the daemon runs, with SQLite's online backup API stepping
 * CMD_BACKUP_PAGES pages per loop turn, so polls, hooks and other clients
 * go on between steps.  Writes by this connection between steps are
 * carried into the copy by SQLite itself.  The copy is written to a
 * private temporary file beside FILE (0600) and renamed into place once
 * whole; an existing FILE is replaced only when the client says "force".
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "aggd.h"
#include "cmd.h"
#include "log.h"
#include "paths.h"
#include "proto.h"
#include "store.h"
#include "xmalloc.h"

#define CMD_BACKUP_PAGES	128	/* 2 MB at 16 KB pages */

struct cmd_backup {
	struct client	*client;
	struct event	*step;
	sqlite3		*db;
	sqlite3_backup	*bk;
	char		*file;
	char		*tmp;
	int		 gone;		/* the client went away */
};

static void
cmd_backup_free(struct cmd_backup *b)
{
	if (b->bk != NULL)
		sqlite3_backup_finish(b->bk);
	if (b->db != NULL)
		sqlite3_close(b->db);
	if (b->tmp != NULL) {
		unlink(b->tmp);
		free(b->tmp);
	}
	if (b->step != NULL)
		event_free(b->step);
	free(b->file);
	free(b);
}

static void
cmd_backup_answer(struct cmd_backup *b, json_t *frame)
{
	if (!b->gone) {
		server_client_set_close(b->client, NULL, NULL);
		server_client_send(b->client, frame);
		server_client_done(b->client);
	} else
		json_decref(frame);
	server_client_unref(b->client);
	cmd_backup_free(b);
}

static void
cmd_backup_close_cb(struct client *c UNUSED, void *arg)
{
	struct cmd_backup	*b = arg;

	b->gone = 1;
}

static int
cmd_backup_sync(const char *path, char **cause)
{
	int	fd;

	if ((fd = open(path, O_RDONLY)) == -1 || fsync(fd) == -1) {
		xasprintf(cause, "cannot write %s: %s", path,
		    log_strerror(errno));
		if (fd != -1)
			close(fd);
		return (-1);
	}
	close(fd);
	return (0);
}

/* The copy is whole: close it, put it in place, answer. */
static void
cmd_backup_finish(struct cmd_backup *b)
{
	struct stat	 sb;
	char		*cause = NULL, *dir;
	int		 rc;

	rc = sqlite3_backup_finish(b->bk);
	b->bk = NULL;
	if (rc != SQLITE_OK) {
		xasprintf(&cause, "cannot write %s: %s", b->file,
		    sqlite3_errmsg(b->db));
		goto fail;
	}
	if (sqlite3_close(b->db) != SQLITE_OK) {
		xasprintf(&cause, "cannot write %s: %s", b->file,
		    sqlite3_errmsg(b->db));
		goto fail;
	}
	b->db = NULL;
	if (cmd_backup_sync(b->tmp, &cause) != 0)
		goto fail;
	if (rename(b->tmp, b->file) == -1) {
		xasprintf(&cause, "cannot write %s: %s", b->file,
		    log_strerror(errno));
		goto fail;
	}
	free(b->tmp);
	b->tmp = NULL;
	dir = paths_dirname(b->file);
	cmd_backup_sync(dir, &cause);	/* the rename, on disk; best effort */
	free(dir);
	free(cause);
	if (stat(b->file, &sb) == -1)
		sb.st_size = 0;
	log_info("database %s: backed up to %s (%lld bytes)",
	    store_path(aggd->store), b->file, (long long)sb.st_size);
	cmd_backup_answer(b, proto_ok(json_pack("{s:s, s:I}", "file",
	    b->file, "bytes", (json_int_t)sb.st_size)));
	return;
fail:
	log_warnx("database %s: backup failed: %s", store_path(aggd->store),
	    cause);
	cmd_backup_answer(b, proto_error("%s", cause));
	free(cause);
}

static void
cmd_backup_step_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	struct cmd_backup	*b = arg;
	struct timeval		 tv = { 0, 0 };
	char			*cause;
	int			 rc;

	if (b->gone) {
		log_info("database %s: backup to %s abandoned: the client "
		    "went away", store_path(aggd->store), b->file);
		server_client_unref(b->client);
		cmd_backup_free(b);
		return;
	}
	/* Only committed data goes into the copy: the group transaction
	 * is committed first (its fetches would be lost from it else). */
	store_flush(aggd->store);
	rc = sqlite3_backup_step(b->bk, CMD_BACKUP_PAGES);
	switch (rc) {
	case SQLITE_DONE:
		cmd_backup_finish(b);
		return;
	case SQLITE_OK:
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		/* One step per loop turn: what else is ready runs between. */
		evtimer_add(b->step, &tv);
		return;
	}
	xasprintf(&cause, "cannot write %s: %s", b->file,
	    sqlite3_errstr(rc));
	log_warnx("database %s: backup failed: %s", store_path(aggd->store),
	    cause);
	cmd_backup_answer(b, proto_error("%s", cause));
	free(cause);
}

void
cmd_backup(struct client *c, json_t *req)
{
	struct cmd_backup	*b;
	struct timeval		 tv = { 0, 0 };
	const char		*file = NULL;
	int			 force = 0, fd;
	char			*cause = NULL;

	if (cmd_string(c, req, "file", 1, &file) != 0 ||
	    cmd_bool(c, req, "force", &force) != 0)
		return;
	if (file[0] != '/') {
		server_client_send(c, proto_error("field 'file' must be an "
		    "absolute path"));
		return;
	}
	if (!force && access(file, F_OK) == 0) {
		server_client_send(c, proto_error("%s exists: give another "
		    "name, or --force to replace it", file));
		return;
	}
	b = xcalloc(1, sizeof *b);
	b->file = xstrdup(file);
	xasprintf(&b->tmp, "%s.tmp-XXXXXX", file);
	/* mkstemp makes it 0600, whatever the umask. */
	if ((fd = mkstemp(b->tmp)) == -1) {
		xasprintf(&cause, "cannot write %s: %s", file,
		    log_strerror(errno));
		free(b->tmp);
		b->tmp = NULL;
		goto fail;
	}
	close(fd);
	if (sqlite3_open_v2(b->tmp, &b->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    (b->bk = sqlite3_backup_init(b->db, "main",
	    store_db(aggd->store), "main")) == NULL) {
		xasprintf(&cause, "cannot write %s: %s", file,
		    b->db != NULL ? sqlite3_errmsg(b->db) : "out of memory");
		goto fail;
	}
	b->client = c;
	b->step = evtimer_new(aggd->base, cmd_backup_step_cb, b);
	server_client_ref(c);
	server_client_busy(c);
	server_client_set_close(c, cmd_backup_close_cb, b);
	log_info("database %s: backing up to %s", store_path(aggd->store),
	    file);
	evtimer_add(b->step, &tv);
	return;
fail:
	server_client_send(c, proto_error("%s", cause));
	free(cause);
	cmd_backup_free(b);
}
