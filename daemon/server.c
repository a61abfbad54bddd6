/*
 * The control socket: a Unix stream socket, mode 0600 (0660 with a
 * socket_group) in a directory that is ours alone, accepting clients whose
 * credentials (SO_PEERCRED) are our own uid, root, or the configured
 * group's.  Each accepted client is handed to server-client.c.  Under
 * socket activation (LISTEN_FDS) the service manager made the socket, its
 * directory, mode and group: we serve the one it passed and touch none of
 * them.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aggd.h"
#include "log.h"
#include "paths.h"
#include "proto.h"
#include "xmalloc.h"

struct server {
	struct event_base	*base;
	char			*path;
	int			 fd;
	struct event		*ev;
	struct event		*resume;
	gid_t			 gid;
	int			 use_gid;
	int			 passed;	/* by LISTEN_FDS: not ours */
};

/* sd_listen_fds(3): passed descriptors start at 3. */
#define SERVER_LISTEN_FDS_START	3

/* Is the peer allowed: our uid, root, or a member of the socket group? */
static int
server_peer_allowed(struct server *srv, struct ucred *cr)
{
	struct passwd	*pw;
	gid_t		 groups[256];
	int		 ngroups = (int)nitems(groups), i;

	if (cr->uid == geteuid() || cr->uid == 0)
		return (1);
	if (!srv->use_gid)
		return (0);
	if (cr->gid == srv->gid)
		return (1);
	if ((pw = getpwuid(cr->uid)) == NULL)
		return (0);
	if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &ngroups) == -1)
		return (0);
	for (i = 0; i < ngroups; i++)
		if (groups[i] == srv->gid)
			return (1);
	return (0);
}

/*
 * Tell a refused client why before closing, in place of our hello: a
 * frame this small fits an empty socket buffer, so the write on the
 * non-blocking socket does not wait; if it fails, the close says enough.
 */
static void
server_refuse(struct server *srv, int fd, const struct ucred *cr)
{
	struct group	*gr;
	json_t		*err;

	if (srv->use_gid && (gr = getgrgid(srv->gid)) != NULL)
		err = proto_error("uid %u may not use this socket (only root, "
		    "uid %u and group %s may)", (unsigned)cr->uid,
		    (unsigned)geteuid(), gr->gr_name);
	else
		err = proto_error("uid %u may not use this socket (only root "
		    "and uid %u may)", (unsigned)cr->uid, (unsigned)geteuid());
	(void)proto_write(fd, err);
	json_decref(err);
}

static void
server_resume_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	struct server	*srv = arg;

	event_add(srv->ev, NULL);
}

static void
server_accept_cb(evutil_socket_t fd, short what UNUSED, void *arg)
{
	struct server	*srv = arg;
	struct ucred	 cr;
	socklen_t	 len = sizeof cr;
	struct timeval	 tv = { 1, 0 };
	int		 cfd;

	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd == -1) {
		if (errno == EMFILE || errno == ENFILE) {
			/* Out of descriptors: stop accepting for a second
			 * rather than spin on a readable listener. */
			log_warn("control socket: accept");
			event_del(srv->ev);
			evtimer_add(srv->resume, &tv);
		} else if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("control socket: accept");
		return;
	}
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == -1) {
		log_warn("control socket: SO_PEERCRED");
		close(cfd);
		return;
	}
	if (!server_peer_allowed(srv, &cr)) {
		log_warnx("control socket: refused uid %u (pid %d)",
		    (unsigned)cr.uid, (int)cr.pid);
		server_refuse(srv, cfd, &cr);
		close(cfd);
		return;
	}
	server_client_accept(srv, cfd, cr.uid);
}

/*
 * Unlink a leftover socket only when nothing answers on it, so a second
 * aggd cannot steal a running daemon's socket.
 */
static int
server_check_stale(const char *path, char **cause)
{
	struct sockaddr_un	 sun;
	struct stat		 sb;
	int			 fd, rv;

	if (lstat(path, &sb) == -1)
		return (errno == ENOENT ? 0 : -1);
	if (!S_ISSOCK(sb.st_mode)) {
		xasprintf(cause, "%s exists and is not a socket", path);
		return (-1);
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		xasprintf(cause, "socket: %s", log_strerror(errno));
		return (-1);
	}
	rv = connect(fd, (struct sockaddr *)&sun, sizeof sun);
	close(fd);
	if (rv == 0) {
		xasprintf(cause, "another aggd is listening on %s", path);
		return (-1);
	}
	if (unlink(path) == -1 && errno != ENOENT) {
		xasprintf(cause, "cannot remove stale socket %s: %s", path,
		    log_strerror(errno));
		return (-1);
	}
	return (0);
}

/* The socket group's name, for messages. */
static const char *
server_group_name(gid_t gid)
{
	static char	 buf[32];
	struct group	*gr;

	if ((gr = getgrgid(gid)) != NULL)
		return (gr->gr_name);
	snprintf(buf, sizeof buf, "%u", (unsigned)gid);
	return (buf);
}

/*
 * The socket's directory must be ours: a directory (not a symbolic link)
 * owned by our uid or root that nobody else can write.  Otherwise someone
 * else may have made it first (/tmp/aggd-UID, mode 777) and could put a
 * socket of theirs where aggctl looks for ours.  A missing one is made
 * 0700, or 0750 and given the socket group with socket_group (systemd's
 * RuntimeDirectory=, owned by our uid and 0755, passes as it is).
 */
static int
server_check_dir(const char *dir, gid_t gid, int use_gid, char **cause)
{
	struct stat	sb;

	if (lstat(dir, &sb) == -1 && errno == ENOENT) {
		if (paths_mkdirs(dir, 0700) == -1) {
			xasprintf(cause, "cannot create directory %s: %s",
			    dir, log_strerror(errno));
			return (-1);
		}
		if (use_gid && (chown(dir, (uid_t)-1, gid) == -1 ||
		    chmod(dir, 0750) == -1)) {
			xasprintf(cause, "cannot give socket directory %s to "
			    "group %s: %s", dir, server_group_name(gid),
			    log_strerror(errno));
			return (-1);
		}
	}
	/* Again after mkdir: someone may have made it in between. */
	if (lstat(dir, &sb) == -1) {
		xasprintf(cause, "cannot use socket directory %s: %s", dir,
		    log_strerror(errno));
		return (-1);
	}
	if (S_ISLNK(sb.st_mode)) {
		xasprintf(cause, "socket directory %s is a symbolic link: "
		    "refusing to use it", dir);
		return (-1);
	}
	if (!S_ISDIR(sb.st_mode)) {
		xasprintf(cause, "socket directory %s is not a directory",
		    dir);
		return (-1);
	}
	if (sb.st_uid != geteuid() && sb.st_uid != 0) {
		xasprintf(cause, "socket directory %s is owned by uid %u, not "
		    "by aggd's uid %u: refusing to use it", dir,
		    (unsigned)sb.st_uid, (unsigned)geteuid());
		return (-1);
	}
	if (sb.st_mode & (S_IWGRP | S_IWOTH)) {
		xasprintf(cause, "socket directory %s is writable by %s (mode "
		    "%04o): refusing to use it", dir, (sb.st_mode & S_IWOTH) ?
		    "others" : "its group", (unsigned)(sb.st_mode & 07777));
		return (-1);
	}
	if (use_gid && (sb.st_mode & (S_IXGRP | S_IXOTH)) == 0)
		log_warnx("socket directory %s (mode %04o): members of group "
		    "%s cannot reach the socket", dir,
		    (unsigned)(sb.st_mode & 07777), server_group_name(gid));
	return (0);
}

/* A listening Unix stream socket? */
static int
server_fd_listens(int fd)
{
	struct sockaddr_un	sun;
	socklen_t		len = sizeof sun;
	int			type, listening;
	socklen_t		olen;

	olen = sizeof type;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &olen) == -1 ||
	    type != SOCK_STREAM)
		return (0);
	olen = sizeof listening;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
	    &olen) == -1 || !listening)
		return (0);
	memset(&sun, 0, sizeof sun);
	if (getsockname(fd, (struct sockaddr *)&sun, &len) == -1)
		return (0);
	return (sun.sun_family == AF_UNIX);
}

/*
 * Socket activation: LISTEN_PID is us and LISTEN_FDS counts descriptors
 * from 3.  The first listening Unix stream socket is ours; the others
 * (a unit with more ListenStream= than we use) are closed.  Every passed
 * descriptor comes without close-on-exec, so hooks would inherit the
 * listener: set it.  The variables go, for the same reason.  Returns the
 * descriptor, -1 when none was passed, -2 with *cause when some were
 * but none fits.
 */
static int
server_passed_fd(char **cause)
{
	const char	*e;
	char		*end;
	long		 pid, n, i;
	int		 fd = -1, flags;

	e = getenv("LISTEN_PID");
	if (e == NULL)
		return (-1);
	pid = strtol(e, &end, 10);
	if (*end != '\0' || pid != (long)getpid())
		return (-1);	/* meant for another process */
	e = getenv("LISTEN_FDS");
	n = e != NULL ? strtol(e, &end, 10) : 0;
	if (e == NULL || *end != '\0' || n < 0 || n > 1000)
		n = 0;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (n == 0)
		return (-1);
	for (i = 0; i < n; i++) {
		flags = fcntl(SERVER_LISTEN_FDS_START + (int)i, F_GETFD);
		if (flags == -1)
			continue;
		fcntl(SERVER_LISTEN_FDS_START + (int)i, F_SETFD,
		    flags | FD_CLOEXEC);
		if (fd == -1 && server_fd_listens(SERVER_LISTEN_FDS_START +
		    (int)i))
			fd = SERVER_LISTEN_FDS_START + (int)i;
		else {
			log_warnx("LISTEN_FDS: descriptor %ld is not a "
			    "listening unix stream socket, closed",
			    SERVER_LISTEN_FDS_START + i);
			close(SERVER_LISTEN_FDS_START + (int)i);
		}
	}
	if (fd == -1) {
		xasprintf(cause, "none of the %ld descriptors passed by "
		    "LISTEN_FDS is a listening unix stream socket", n);
		return (-2);
	}
	return (fd);
}

/*
 * Serve a socket the service manager made.  Its file's mode and group
 * (SocketMode=, SocketGroup=) decide who may connect; the peer check
 * follows them: without a socket_group of our own, a socket whose group
 * may write lets that group's members in.
 */
static struct server *
server_adopt(struct event_base *base, int fd, const char *conf_path,
    gid_t gid, int use_gid)
{
	struct server		*srv;
	struct sockaddr_un	 sun;
	socklen_t		 len = sizeof sun;
	struct stat		 sb;
	char			 path[sizeof sun.sun_path + 1];

	memset(&sun, 0, sizeof sun);
	getsockname(fd, (struct sockaddr *)&sun, &len);
	if (len > offsetof(struct sockaddr_un, sun_path) &&
	    sun.sun_path[0] != '\0')
		snprintf(path, sizeof path, "%.*s", (int)(len -
		    offsetof(struct sockaddr_un, sun_path)), sun.sun_path);
	else
		snprintf(path, sizeof path, "(an unnamed socket)");
	if (!use_gid && path[0] == '/' && stat(path, &sb) == 0 &&
	    S_ISSOCK(sb.st_mode) && (sb.st_mode & S_IWGRP)) {
		gid = sb.st_gid;
		use_gid = 1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	srv = xcalloc(1, sizeof *srv);
	srv->base = base;
	srv->path = xstrdup(path);
	srv->fd = fd;
	srv->gid = gid;
	srv->use_gid = use_gid;
	srv->passed = 1;
	srv->ev = event_new(base, fd, EV_READ | EV_PERSIST, server_accept_cb,
	    srv);
	srv->resume = evtimer_new(base, server_resume_cb, srv);
	event_add(srv->ev, NULL);
	if (strcmp(path, conf_path) != 0)
		log_info("listening on %s, passed by the service manager "
		    "(the configured socket %s is not used)", path, conf_path);
	else
		log_info("listening on %s, passed by the service manager",
		    path);
	if (use_gid)
		log_info("members of group %s may use %s",
		    server_group_name(gid), path);
	return (srv);
}

struct server *
server_start(struct event_base *base, const char *path, gid_t gid,
    int use_gid, char **cause)
{
	struct server		*srv;
	struct sockaddr_un	 sun;
	char			*dir;
	mode_t			 mask;
	int			 fd;

	if ((fd = server_passed_fd(cause)) == -2)
		return (NULL);
	if (fd != -1)
		return (server_adopt(base, fd, path, gid, use_gid));
	if (strlen(path) >= sizeof sun.sun_path) {
		xasprintf(cause, "socket path too long: %s", path);
		return (NULL);
	}
	dir = paths_dirname(path);
	if (server_check_dir(dir, gid, use_gid, cause) != 0) {
		free(dir);
		return (NULL);
	}
	free(dir);
	if (server_check_stale(path, cause) != 0)
		return (NULL);

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		xasprintf(cause, "socket: %s", log_strerror(errno));
		return (NULL);
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	/* Never let the socket exist, even briefly, with a wider mode. */
	mask = umask(use_gid ? 0117 : 0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		umask(mask);
		xasprintf(cause, "cannot bind %s: %s", path,
		    log_strerror(errno));
		close(fd);
		return (NULL);
	}
	umask(mask);
	/* Before listen: nobody can connect until the group is right. */
	if (use_gid && chown(path, (uid_t)-1, gid) == -1) {
		xasprintf(cause, "cannot give socket %s to group %s: %s", path,
		    server_group_name(gid), log_strerror(errno));
		close(fd);
		unlink(path);
		return (NULL);
	}
	if (listen(fd, 128) == -1) {
		xasprintf(cause, "cannot listen on %s: %s", path,
		    log_strerror(errno));
		close(fd);
		unlink(path);
		return (NULL);
	}
	srv = xcalloc(1, sizeof *srv);
	srv->base = base;
	srv->path = xstrdup(path);
	srv->fd = fd;
	srv->gid = gid;
	srv->use_gid = use_gid;
	srv->ev = event_new(base, fd, EV_READ | EV_PERSIST, server_accept_cb,
	    srv);
	srv->resume = evtimer_new(base, server_resume_cb, srv);
	event_add(srv->ev, NULL);
	log_info("listening on %s", path);
	return (srv);
}

struct event_base *
server_base(struct server *srv)
{
	return (srv->base);
}

void
server_stop(struct server *srv)
{
	if (srv == NULL)
		return;
	event_free(srv->ev);
	event_free(srv->resume);
	close(srv->fd);
	/* A passed socket stays: the service manager keeps listening on it
	 * and starts us again when a client comes. */
	if (!srv->passed)
		unlink(srv->path);
	free(srv->path);
	free(srv);
}
