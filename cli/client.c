/*
 * aggctl's side of the control socket: a plain blocking client.  Connect,
 * exchange hellos, send one request, read frames up to the terminal one
 * (OpenSMTPD's smtpctl.c).  Nothing is sent to a socket that someone other
 * than us, root or the daemon's own user could have put there.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aggctl.h"
#include "buf.h"
#include "log.h"
#include "paths.h"
#include "proto.h"
#include "xmalloc.h"

static int		 client_fd = -1;
static struct buf	 client_in;
static char		*client_path;

void
client_set_socket(const char *path)
{
	free(client_path);
	client_path = path != NULL ? xstrdup(path) : NULL;
}

const char *
client_socket(void)
{
	const char	*e;

	if (client_path == NULL) {
		if ((e = getenv("AGGD_SOCKET")) != NULL && *e != '\0')
			client_path = xstrdup(e);
		else
			client_path = paths_client_socket();
	}
	return (client_path);
}

/* systemd's range for DynamicUser= uids (systemd.exec(5)). */
#define CLIENT_DYNAMIC_MIN	61184
#define CLIENT_DYNAMIC_MAX	65519

/* Us, root, or the daemon's system user "aggd". */
static int
client_trusted_uid(uid_t uid)
{
	struct passwd	*pw;

	if (uid == geteuid() || uid == 0)
		return (1);
	if ((pw = getpwnam("aggd")) != NULL && pw->pw_uid == uid)
		return (1);
	return (0);
}

/*
 * Under systemd's DynamicUser= the daemon's uid has a name only while it
 * runs, and only where nss-systemd is configured; its RuntimeDirectory=
 * (/run/aggd) is owned by that uid inside /run, which only root can
 * write.  So a dynamic uid is trusted when it owns the socket's directory
 * and that directory's parent is root's and writable by nobody else:
 * only the service manager can have handed that directory out.
 */
static int
client_trusted_dynamic(uid_t uid, const char *dir, const struct stat *dsb)
{
	struct stat	 psb;
	char		*parent;
	int		 rv;

	if (uid < CLIENT_DYNAMIC_MIN || uid > CLIENT_DYNAMIC_MAX)
		return (0);
	if (dsb->st_uid != uid)
		return (0);
	parent = paths_dirname(dir);
	rv = stat(parent, &psb) == 0 && psb.st_uid == 0 &&
	    (psb.st_mode & (S_IWGRP | S_IWOTH)) == 0;
	free(parent);
	return (rv);
}

/*
 * Check who put the socket there before we connect: the socket and its
 * directory belong to us, root or the daemon's user, and the directory is
 * writable by nobody else (otherwise another user who made /tmp/aggd-UID
 * first would receive our requests).  Returns the uid to expect of the
 * daemon beyond the trusted ones (a dynamic one), or -1.  A missing
 * socket is left to connect() to report.
 */
static long
client_check_socket(const char *path)
{
	struct stat	 sb, dsb;
	char		*dir;
	long		 dynamic = -1;

	if (stat(path, &sb) == -1)
		return (-1);
	dir = paths_dirname(path);
	if (stat(dir, &dsb) == -1)
		die("refusing socket %s: cannot check its directory %s: %s",
		    path, dir, log_strerror(errno));
	if (!client_trusted_uid(sb.st_uid)) {
		if (!client_trusted_dynamic(sb.st_uid, dir, &dsb))
			die("refusing socket %s: owned by uid %u, not by you "
			    "or the daemon's user", path,
			    (unsigned)sb.st_uid);
		dynamic = (long)sb.st_uid;
	}
	if (!client_trusted_uid(dsb.st_uid) && (long)dsb.st_uid != dynamic)
		die("refusing socket %s: its directory %s is owned by uid %u, "
		    "not by you or the daemon's user", path, dir,
		    (unsigned)dsb.st_uid);
	if (dsb.st_mode & (S_IWGRP | S_IWOTH))
		die("refusing socket %s: its directory %s is writable by "
		    "others (mode %04o)", path, dir,
		    (unsigned)(dsb.st_mode & 07777));
	free(dir);
	return (dynamic);
}

/*
 * And once connected, who is listening (SO_PEERCRED: the uid that called
 * listen()) is what really counts, whoever owns the file.
 */
static void
client_check_peer(const char *path, long dynamic)
{
	struct ucred	cr;
	socklen_t	len = sizeof cr;

	if (getsockopt(client_fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == -1)
		die("%s: SO_PEERCRED: %s", path, log_strerror(errno));
	if (!client_trusted_uid(cr.uid) && (long)cr.uid != dynamic)
		die("refusing socket %s: the daemon there runs as uid %u, not "
		    "as you or the daemon's user", path, (unsigned)cr.uid);
}

/*
 * Write a frame with SIGPIPE held off: a daemon gone (or refusing us)
 * is an error to report, not a silent death.  A SIGPIPE raised meanwhile
 * is consumed before it is let through; stdout keeps the default, so
 * `aggctl items | head` still ends quietly.
 */
static int
client_write(const json_t *j)
{
	sigset_t		 pipe, old;
	const struct timespec	 zero = { 0, 0 };
	int			 rv, saved;

	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe, &old);
	rv = proto_write(client_fd, j);
	saved = errno;
	if (rv == -1 && saved == EPIPE)
		(void)sigtimedwait(&pipe, NULL, &zero);
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	return (rv);
}

static void
client_connect(void)
{
	struct sockaddr_un	 sun;
	const char		*path = client_socket();
	json_t			*hello;
	char			*cause = NULL;
	long			 dynamic;
	int			 rc, wrote, werr;

	if (strlen(path) >= sizeof sun.sun_path)
		die("socket path too long: %s", path);
	dynamic = client_check_socket(path);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if ((client_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		die("socket: %s", log_strerror(errno));
	if (connect(client_fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		/* The socket is there but not ours to use: say so, rather
		 * than send the user looking for a daemon that runs. */
		if (errno == EACCES || errno == EPERM)
			die("cannot connect to %s: %s (are you in the socket's "
			    "group?)", path, log_strerror(errno));
		die("no daemon at %s: %s", path, log_strerror(errno));
	}
	client_check_peer(path, dynamic);
	buf_init(&client_in);
	hello = proto_hello("aggctl");
	/* A daemon that refuses us has written why and closed: a failed
	 * write is not the end, the reason may be waiting to be read. */
	wrote = client_write(hello);
	werr = errno;
	json_decref(hello);
	rc = proto_read(client_fd, &client_in, &hello, &cause);
	if (rc != 1 && wrote == -1)
		die("%s: %s", path, log_strerror(werr));
	if (rc == 0)
		die("%s: daemon closed the connection", path);
	if (rc == -1)
		die("%s: %s", path, cause);
	if (json_is_string(json_object_get(hello, "error")))
		die("refused by the daemon at %s: %s", path,
		    json_string_value(json_object_get(hello, "error")));
	if (proto_check_hello(hello, "aggctl", &cause) != 0)
		die("%s", cause);
	json_decref(hello);
}

/* Send a request (steals it). */
void
client_send(json_t *req)
{
	if (client_fd == -1)
		client_connect();
	if (client_write(req) == -1)
		die("%s: %s", client_socket(), log_strerror(errno));
	json_decref(req);
}

/*
 * Read the next frame.  An error frame dies with its message; the caller
 * owns the frame.
 */
json_t *
client_recv(void)
{
	json_t		*j;
	char		*cause = NULL;
	const char	*type, *err;
	int		 rc;

	rc = proto_read(client_fd, &client_in, &j, &cause);
	if (rc == 0)
		die("%s: daemon closed the connection", client_socket());
	if (rc == -1)
		die("%s: %s", client_socket(), cause);
	type = json_string_value(json_object_get(j, "type"));
	if (type != NULL && strcmp(type, "error") == 0) {
		err = json_string_value(json_object_get(j, "error"));
		die("%s", err != NULL ? err : "unknown error");
	}
	return (j);
}

/*
 * The next row of a list reply: the row frame (the caller frees it; the
 * row is its "data"), or NULL once the end frame has come.
 */
json_t *
client_next_row(void)
{
	json_t		*j;
	const char	*type;

	j = client_recv();
	type = json_string_value(json_object_get(j, "type"));
	if (type == NULL || strcmp(type, "row") != 0) {
		json_decref(j);
		return (NULL);
	}
	return (j);
}

/* Send a request and return its ok frame's data (new reference). */
json_t *
client_call(json_t *req, json_t **frame)
{
	json_t		*j, *data;
	const char	*type;

	client_send(req);
	for (;;) {
		j = client_recv();
		type = json_string_value(json_object_get(j, "type"));
		if (type != NULL && strcmp(type, "ok") == 0)
			break;
		json_decref(j);
	}
	data = json_object_get(j, "data");
	json_incref(data);
	if (frame != NULL)
		*frame = j;
	else
		json_decref(j);
	return (data);
}

void
client_close(void)
{
	if (client_fd != -1)
		close(client_fd);
	client_fd = -1;
	buf_release(&client_in);
}
