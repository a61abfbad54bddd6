/*
 * Default paths.  systemd hands us StateDirectory= and RuntimeDirectory= as
 * $STATE_DIRECTORY and $RUNTIME_DIRECTORY; a user session has the XDG base
 * directories; root without either gets the FHS locations.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"
#include "xmalloc.h"

/* The first entry of a colon-separated list (systemd allows several). */
static char *
paths_first(const char *list)
{
	return (xstrndup(list, strcspn(list, ":")));
}

static const char *
paths_home(void)
{
	const char	*h = getenv("HOME");

	return (h != NULL && *h != '\0' ? h : "/");
}

char *
paths_config(void)
{
	const char	*e;
	char		*p;

	if ((e = getenv("AGGD_CONFIG")) != NULL && *e != '\0')
		return (xstrdup(e));
	if (geteuid() == 0 && access("/etc/aggd/aggd.conf", F_OK) == 0)
		return (xstrdup("/etc/aggd/aggd.conf"));
	if ((e = getenv("XDG_CONFIG_HOME")) != NULL && *e == '/')
		xasprintf(&p, "%s/aggd/aggd.conf", e);
	else
		xasprintf(&p, "%s/.config/aggd/aggd.conf", paths_home());
	if (geteuid() == 0 && access(p, F_OK) != 0) {
		free(p);
		return (xstrdup("/etc/aggd/aggd.conf"));
	}
	return (p);
}

char *
paths_database(void)
{
	const char	*e;
	char		*d, *p;

	if ((e = getenv("STATE_DIRECTORY")) != NULL && *e == '/') {
		d = paths_first(e);
		xasprintf(&p, "%s/aggd.db", d);
		free(d);
	} else if ((e = getenv("XDG_DATA_HOME")) != NULL && *e == '/')
		xasprintf(&p, "%s/aggd/aggd.db", e);
	else if (geteuid() == 0)
		p = xstrdup("/var/lib/aggd/aggd.db");
	else
		xasprintf(&p, "%s/.local/share/aggd/aggd.db", paths_home());
	return (p);
}

char *
paths_socket(void)
{
	const char	*e;
	char		*d, *p;

	if ((e = getenv("RUNTIME_DIRECTORY")) != NULL && *e == '/') {
		d = paths_first(e);
		xasprintf(&p, "%s/aggd.sock", d);
		free(d);
	} else if ((e = getenv("XDG_RUNTIME_DIR")) != NULL && *e == '/')
		xasprintf(&p, "%s/aggd.sock", e);
	else if (geteuid() == 0)
		p = xstrdup("/run/aggd/aggd.sock");
	else
		xasprintf(&p, "/tmp/aggd-%u/aggd.sock", (unsigned)geteuid());
	return (p);
}

static int
paths_exists(const char *path)
{
	struct stat	sb;

	return (lstat(path, &sb) == 0);
}

/*
 * The socket aggctl talks to without -s or $AGGD_SOCKET (INTERFACE.md):
 * $RUNTIME_DIRECTORY's when it exists (aggctl run by a unit beside the
 * daemon), $XDG_RUNTIME_DIR/aggd.sock when it exists, else the system daemon's
 * /run/aggd/aggd.sock.  Root looks at the system daemon's first.  Where
 * neither exists, a daemon of this user started by hand may still sit
 * where paths_socket() put it (its fallback without $XDG_RUNTIME_DIR);
 * and where nothing exists at all, the answer is /run/aggd/aggd.sock, so
 * the error names the system daemon's socket.
 */
char *
paths_client_socket(void)
{
	const char	*e = getenv("XDG_RUNTIME_DIR");
	char		*p = NULL, *d;

	/* Run where the daemon's unit runs (RuntimeDirectory=). */
	if ((e = getenv("RUNTIME_DIRECTORY")) != NULL && *e == '/') {
		d = paths_first(e);
		xasprintf(&p, "%s/aggd.sock", d);
		free(d);
		if (paths_exists(p))
			return (p);
		free(p);
	}
	e = getenv("XDG_RUNTIME_DIR");
	if (geteuid() == 0 && paths_exists("/run/aggd/aggd.sock"))
		return (xstrdup("/run/aggd/aggd.sock"));
	if (e != NULL && *e == '/') {
		xasprintf(&p, "%s/aggd.sock", e);
		if (paths_exists(p))
			return (p);
		free(p);
	}
	if (paths_exists("/run/aggd/aggd.sock"))
		return (xstrdup("/run/aggd/aggd.sock"));
	p = paths_socket();
	if (strncmp(p, "/tmp/", 5) == 0 && paths_exists(p))
		return (p);
	free(p);
	return (xstrdup("/run/aggd/aggd.sock"));
}

char *
paths_dirname(const char *path)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL)
		return (xstrdup("."));
	if (slash == path)
		return (xstrdup("/"));
	return (xstrndup(path, (size_t)(slash - path)));
}

int
paths_mkdirs(const char *dir, unsigned int mode)
{
	char	*p, *s, c;
	int	 rv = 0;

	p = xstrdup(dir);
	for (s = p + 1; rv == 0; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		c = *s;
		*s = '\0';
		if (mkdir(p, mode) == -1 && errno != EEXIST)
			rv = -1;
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return (rv);
}

/* path made absolute against the current directory (before a daemon
 * leaves it for "/"); caller frees. */
char *
paths_absolute(const char *path)
{
	char	 cwd[4096], *p;

	if (path[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
		return (xstrdup(path));
	xasprintf(&p, "%s/%s", cwd, path);
	return (p);
}
