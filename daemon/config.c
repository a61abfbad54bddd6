/*
 * The configuration file: a small INI dialect ([daemon] and [feed "name"]
 * sections, "key = value", comments with # or ; on their own line or after
 * white space).  It is parsed here by hand rather than with inih because
 * Debian's inih only knows ';' as an inline comment and our documented
 * examples use '#', and because every error must name FILE:LINE and the key.
 * Values are checked as they are read; nothing half-valid is kept.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aggd.h"
#include "argv.h"
#include "buf.h"
#include "log.h"
#include "paths.h"
#include "units.h"
#include "uri.h"
#include "xmalloc.h"

struct config *
config_defaults(void)
{
	struct config	*c;

	c = xcalloc(1, sizeof *c);
	c->database = paths_database();
	c->socket = paths_socket();
	c->interval = 30 * 60;
	c->min_interval = 60;
	c->max_interval = 86400;
	c->max_connections = 64;
	c->per_host_connections = 2;
	c->host_delay = 1;
	c->timeout = 30;
	c->max_feed_size = 16 * 1024 * 1024;
	xasprintf(&c->user_agent, "aggd/%s (+%s)", AGG_VERSION, AGG_URL);
	c->hook_timeout = 60;
	c->retain = 365 * 86400;
	c->retain_items = 0;
	TAILQ_INIT(&c->feeds);
	return (c);
}

void
config_free(struct config *c)
{
	struct config_feed	*f;

	if (c == NULL)
		return;
	while ((f = TAILQ_FIRST(&c->feeds)) != NULL) {
		TAILQ_REMOVE(&c->feeds, f, entry);
		free(f->name);
		free(f->url);
		free(f->title);
		free(f->hook);
		free(f->tags);
		free(f);
	}
	free(c->path);
	free(c->database);
	free(c->socket);
	free(c->socket_group);
	free(c->user_agent);
	free(c->hook);
	free(c);
}

static char *
config_trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return (s);
}

/* Cut a comment that follows white space, outside quotes. */
static void
config_uncomment(char *s)
{
	char	q = 0, *p;

	for (p = s; *p != '\0'; p++) {
		if (q != 0) {
			if (*p == q)
				q = 0;
			continue;
		}
		if (*p == '"' || *p == '\'')
			q = *p;
		else if ((*p == '#' || *p == ';') &&
		    (p == s || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			return;
		}
	}
}

static int
config_duration(const char *v, int64_t *out, int allow_zero, char **cause)
{
	if (units_parse_duration(v, out, cause) != 0)
		return (-1);
	if (*out == 0 && !allow_zero) {
		xasprintf(cause, "duration must be above 0");
		return (-1);
	}
	return (0);
}

static int
config_count(const char *v, int64_t *out, char **cause)
{
	char		*end;
	long long	 n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || *v == '\0' || *end != '\0' || n < 1 || n > 100000) {
		xasprintf(cause, "invalid number '%s' (1 to 100000)", v);
		return (-1);
	}
	*out = n;
	return (0);
}

/*
 * A Unix socket's path must fit sun_path with its NUL (108 bytes on
 * Linux); bind() would fail long after the file was read.  A relative
 * path counts from where aggd starts, as config_absolutise makes it.
 */
static int
config_socket_length(const char *v, char **cause)
{
	struct sockaddr_un	 sun;
	char			*abs = NULL;
	size_t			 len;

	if (*v != '/')
		abs = paths_absolute(v);
	len = strlen(abs != NULL ? abs : v);
	free(abs);
	if (len >= sizeof sun.sun_path) {
		xasprintf(cause, "path is %zu bytes, a socket's can have at "
		    "most %zu", len, sizeof sun.sun_path - 1);
		return (-1);
	}
	return (0);
}

/*
 * A hook that is not there (yet) or cannot be run is worth a warning at
 * start and at --check-config, not a refusal: it may be installed after
 * the daemon, and a failed run is retried anyway.  The program is looked
 * up as posix_spawnp will: a name without '/' along $PATH.
 */
static void
config_check_hook(const char *path, int line, const char *section,
    const char *cmd)
{
	char		**argv, *cause = NULL, *dirs, *d, *p, *try;
	const char	 *why = NULL, *e;
	int		   found = 0;

	if (cmd == NULL || (argv = argv_split(cmd, &cause)) == NULL) {
		free(cause);
		return;
	}
	if (strchr(argv[0], '/') != NULL) {
		if (access(argv[0], X_OK) != 0)
			why = log_strerror(errno);
	} else {
		e = getenv("PATH");
		dirs = xstrdup(e != NULL ? e : "/usr/local/bin:/usr/bin:/bin");
		for (p = dirs; !found && (d = strsep(&p, ":")) != NULL;) {
			xasprintf(&try, "%s/%s", *d != '\0' ? d : ".",
			    argv[0]);
			found = access(try, X_OK) == 0;
			free(try);
		}
		free(dirs);
		if (!found)
			why = "not found in PATH";
	}
	if (why != NULL)
		log_warnx("%s:%d: 'hook' in %s: %s: %s (a warning: it may be "
		    "installed later)", path, line, section, argv[0], why);
	argv_free(argv);
}

/* retain_items: a count of items, 0 for no cap. */
static int
config_items(const char *v, int64_t *out, char **cause)
{
	char		*end;
	long long	 n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || *v == '\0' || *end != '\0' || n < 0 ||
	    n > 1000000000) {
		xasprintf(cause, "invalid number of items '%s' (0 for no cap)",
		    v);
		return (-1);
	}
	*out = n;
	return (0);
}

/*
 * A feed's tags as the file writes them, "news caucasus" (INTERFACE.md)
 * or "news, caucasus": words apart by white space or commas, kept as the
 * store takes them, comma-separated.  NULL when there is none.
 */
static char *
config_tags(const char *v)
{
	struct buf	 b;
	size_t		 n;

	buf_init(&b);
	for (;;) {
		v += strspn(v, " \t,");
		if ((n = strcspn(v, " \t,")) == 0)
			break;
		if (b.len > 0)
			buf_addc(&b, ',');
		buf_add(&b, v, n);
		v += n;
	}
	if (b.len == 0) {
		buf_release(&b);
		return (NULL);
	}
	return (buf_detach(&b));
}

static int
config_daemon_key(struct config *c, const char *k, const char *v,
    char **cause)
{
	char	**argv;
	struct group *gr;

	if (strcmp(k, "database") == 0) {
		free(c->database);
		c->database = xstrdup(v);
	} else if (strcmp(k, "socket") == 0) {
		if (config_socket_length(v, cause) != 0)
			return (-1);
		free(c->socket);
		c->socket = xstrdup(v);
	} else if (strcmp(k, "socket_group") == 0) {
		if ((gr = getgrnam(v)) == NULL) {
			xasprintf(cause, "unknown group '%s'", v);
			return (-1);
		}
		free(c->socket_group);
		c->socket_group = xstrdup(v);
		c->socket_gid = gr->gr_gid;
	} else if (strcmp(k, "interval") == 0)
		return (config_duration(v, &c->interval, 0, cause));
	else if (strcmp(k, "min_interval") == 0)
		return (config_duration(v, &c->min_interval, 1, cause));
	else if (strcmp(k, "max_interval") == 0)
		return (config_duration(v, &c->max_interval, 0, cause));
	else if (strcmp(k, "max_connections") == 0)
		return (config_count(v, &c->max_connections, cause));
	else if (strcmp(k, "per_host_connections") == 0)
		return (config_count(v, &c->per_host_connections, cause));
	else if (strcmp(k, "host_delay") == 0)
		return (config_duration(v, &c->host_delay, 1, cause));
	else if (strcmp(k, "timeout") == 0)
		return (config_duration(v, &c->timeout, 0, cause));
	else if (strcmp(k, "hook_timeout") == 0)
		return (config_duration(v, &c->hook_timeout, 0, cause));
	else if (strcmp(k, "retain") == 0)
		return (config_duration(v, &c->retain, 1, cause));
	else if (strcmp(k, "retain_items") == 0)
		return (config_items(v, &c->retain_items, cause));
	else if (strcmp(k, "max_feed_size") == 0) {
		if (units_parse_size(v, &c->max_feed_size, cause) != 0)
			return (-1);
		if (c->max_feed_size < 1024) {
			xasprintf(cause, "max_feed_size must be at least 1K");
			return (-1);
		}
	} else if (strcmp(k, "user_agent") == 0) {
		free(c->user_agent);
		c->user_agent = xstrdup(v);
	} else if (strcmp(k, "hook") == 0) {
		if (*v != '\0') {
			if ((argv = argv_split(v, cause)) == NULL)
				return (-1);
			argv_free(argv);
		}
		free(c->hook);
		c->hook = *v != '\0' ? xstrdup(v) : NULL;
	} else
		return (1);	/* unknown: config_load names it */
	return (0);
}

static int
config_feed_key(struct config_feed *f, const char *k, const char *v,
    char **cause)
{
	char	**argv;

	if (strcmp(k, "url") == 0) {
		if (strncasecmp(v, "http://", 7) != 0 &&
		    strncasecmp(v, "https://", 8) != 0) {
			xasprintf(cause, "url must be http:// or https://");
			return (-1);
		}
		free(f->url);
		f->url = xstrdup(v);
	} else if (strcmp(k, "interval") == 0)
		return (config_duration(v, &f->interval, 0, cause));
	else if (strcmp(k, "retain") == 0)
		return (config_duration(v, &f->retain, 1, cause));
	else if (strcmp(k, "retain_items") == 0)
		return (config_items(v, &f->retain_items, cause));
	else if (strcmp(k, "title") == 0) {
		free(f->title);
		f->title = xstrdup(v);
	} else if (strcmp(k, "tags") == 0 || strcmp(k, "tag") == 0) {
		free(f->tags);
		f->tags = config_tags(v);
	} else if (strcmp(k, "hook") == 0) {
		if ((argv = argv_split(v, cause)) == NULL)
			return (-1);
		argv_free(argv);
		free(f->hook);
		f->hook = xstrdup(v);
	} else
		return (1);	/* unknown: config_load names it */
	return (0);
}

/* Parse "[daemon]" or "[feed "name"]"; sets *feed for a feed section. */
static int
config_section(struct config *c, char *s, int line, struct config_feed **feed,
    char **cause)
{
	char			*name, *e;
	struct config_feed	*f;

	*feed = NULL;
	s = config_trim(s);
	if (strcmp(s, "daemon") == 0)
		return (0);
	if (strncmp(s, "feed", 4) != 0 || !isspace((unsigned char)s[4])) {
		xasprintf(cause, "unknown section [%s]", s);
		return (-1);
	}
	name = config_trim(s + 4);
	if (*name != '"' || (e = strrchr(name + 1, '"')) == NULL ||
	    e[1] != '\0' || e == name + 1) {
		xasprintf(cause, "feed section must be [feed \"name\"]");
		return (-1);
	}
	*e = '\0';
	name++;
	TAILQ_FOREACH(f, &c->feeds, entry) {
		if (strcmp(f->name, name) == 0) {
			xasprintf(cause, "feed \"%s\" already defined at line %d",
			    name, f->line);
			return (-1);
		}
	}
	f = xcalloc(1, sizeof *f);
	f->name = xstrdup(name);
	f->interval = -1;
	f->retain = f->retain_items = -1;
	f->line = line;
	TAILQ_INSERT_TAIL(&c->feeds, f, entry);
	*feed = f;
	return (0);
}

static char *
config_unquote(char *v)
{
	size_t	len = strlen(v);

	if (len >= 2 && v[0] == '"' && v[len - 1] == '"' &&
	    strchr(v + 1, '"') == v + len - 1) {
		v[len - 1] = '\0';
		return (v + 1);
	}
	return (v);
}

static void
config_absolutise(char **path)
{
	char	*abs;

	if (*path == NULL || (*path)[0] == '/')
		return;
	abs = paths_absolute(*path);
	free(*path);
	*path = abs;
}

/*
 * Lines seen in the file: the keys of the current section (a key given
 * twice is an error: which one was meant?), and the hooks to check once
 * the whole file is known good.
 */
struct config_seen {
	struct {
		char	*key;
		char	*section;
		int	 line;
	}	*v;
	size_t	 n;
};

static void
config_seen_clear(struct config_seen *cs)
{
	size_t	i;

	for (i = 0; i < cs->n; i++) {
		free(cs->v[i].key);
		free(cs->v[i].section);
	}
	free(cs->v);
	cs->v = NULL;
	cs->n = 0;
}

static void
config_hooks_add(struct config_seen *cs, int line, const char *section,
    const char *key)
{
	cs->v = xreallocarray(cs->v, cs->n + 1, sizeof *cs->v);
	cs->v[cs->n].key = xstrdup(key);
	cs->v[cs->n].section = xstrdup(section);
	cs->v[cs->n++].line = line;
}

/* The line KEY was first given on in this section, else 0 (and noted). */
static int
config_seen(struct config_seen *cs, const char *key, int line)
{
	size_t	i;

	for (i = 0; i < cs->n; i++)
		if (strcmp(cs->v[i].key, key) == 0 ||
		    (strcmp(key, "tag") == 0 &&
		    strcmp(cs->v[i].key, "tags") == 0) ||
		    (strcmp(key, "tags") == 0 &&
		    strcmp(cs->v[i].key, "tag") == 0))
			return (cs->v[i].line);
	config_hooks_add(cs, line, "", key);
	return (0);
}

/*
 * Two sections with one feed (the same URL, or one that normalises the
 * same) would fight over one row of the store.
 */
static int
config_same_url(struct config *c, struct config_feed *feed, char **cause)
{
	struct config_feed	*f;
	char			*a, *b;
	int			 same;

	a = uri_normalize(feed->url);
	TAILQ_FOREACH(f, &c->feeds, entry) {
		if (f == feed || f->url == NULL)
			continue;
		b = uri_normalize(f->url);
		same = strcmp(feed->url, f->url) == 0 || (a != NULL &&
		    b != NULL && strcmp(a, b) == 0);
		free(b);
		if (same) {
			xasprintf(cause, "'url' in [feed \"%s\"]: %s is "
			    "already feed \"%s\" (line %d)", feed->name,
			    feed->url, f->name, f->line);
			free(a);
			return (-1);
		}
	}
	free(a);
	return (0);
}

struct config *
config_load(const char *path, int explicit, char **cause)
{
	struct config		*c;
	struct config_feed	*feed = NULL, *f;
	FILE			*fp;
	char			*line = NULL, *s, *eq, *k, *v, *why = NULL;
	size_t			 size = 0;
	int			 lineno = 0, in_section = 0, bounds_line = 0;
	int			 daemon_line = 0, first, rv;
	struct config_seen	 seen = { NULL, 0 }, hooks = { NULL, 0 };
	char			*section = NULL, *bad;
	size_t			 i;
	char			 lo[32], hi[32];

	c = config_defaults();
	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT && !explicit)
			return (c);
		xasprintf(cause, "%s: %s", path, log_strerror(errno));
		config_free(c);
		return (NULL);
	}
	c->path = xstrdup(path);
	while (getline(&line, &size, fp) != -1) {
		lineno++;
		s = line;
		/* Windows editors start UTF-8 files with a byte-order mark. */
		if (lineno == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
			s += 3;
		s = config_trim(s);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		config_uncomment(s);
		s = config_trim(s);
		if (*s == '[') {
			if (s[strlen(s) - 1] != ']') {
				xasprintf(&why, "missing ']' in section header");
				goto fail;
			}
			s[strlen(s) - 1] = '\0';
			if (config_section(c, s + 1, lineno, &feed, &why) != 0)
				goto fail;
			if (feed == NULL && daemon_line != 0) {
				xasprintf(&why, "duplicate section [daemon] "
				    "(first at line %d)", daemon_line);
				goto fail;
			}
			if (feed == NULL)
				daemon_line = lineno;
			config_seen_clear(&seen);
			in_section = 1;
			continue;
		}
		if ((eq = strchr(s, '=')) == NULL) {
			xasprintf(&why, "expected 'key = value'");
			goto fail;
		}
		*eq = '\0';
		k = config_trim(s);
		v = config_unquote(config_trim(eq + 1));
		if (*k == '\0') {
			xasprintf(&why, "missing key before '='");
			goto fail;
		}
		if (!in_section) {
			xasprintf(&why, "key '%s' outside a section", k);
			goto fail;
		}
		free(section);
		if (feed != NULL)
			xasprintf(&section, "[feed \"%s\"]", feed->name);
		else
			section = xstrdup("[daemon]");
		if ((first = config_seen(&seen, k, lineno)) != 0) {
			xasprintf(&why, "duplicate key '%s' in %s (first at "
			    "line %d)", k, section, first);
			goto fail;
		}
		if (feed != NULL)
			rv = config_feed_key(feed, k, v, &why);
		else
			rv = config_daemon_key(c, k, v, &why);
		if (rv == 1) {
			xasprintf(&why, "unknown key '%s' in %s", k, section);
			goto fail;
		}
		if (rv != 0) {
			/* Name the key and section whatever the reason. */
			bad = why;
			xasprintf(&why, "'%s' in %s: %s", k, section, bad);
			free(bad);
			goto fail;
		}
		if (feed != NULL && strcmp(k, "url") == 0 &&
		    config_same_url(c, feed, &why) != 0)
			goto fail;
		if (strcmp(k, "hook") == 0 && *v != '\0')
			config_hooks_add(&hooks, lineno, section, v);
		if (feed == NULL && (strcmp(k, "min_interval") == 0 ||
		    strcmp(k, "max_interval") == 0))
			bounds_line = lineno;	/* the later one is blamed */
	}
	if (ferror(fp)) {
		xasprintf(cause, "%s: %s", path, log_strerror(errno));
		goto out;
	}
	TAILQ_FOREACH(f, &c->feeds, entry) {
		if (f->url == NULL) {
			lineno = f->line;
			xasprintf(&why, "feed \"%s\" has no url", f->name);
			goto fail;
		}
	}
	if (c->min_interval > c->max_interval) {
		/* Only a key in the file can have crossed the defaults. */
		lineno = bounds_line;
		units_format_duration(c->min_interval, lo, sizeof lo);
		units_format_duration(c->max_interval, hi, sizeof hi);
		xasprintf(&why, "min_interval %s is above max_interval %s",
		    lo, hi);
		goto fail;
	}
	/* As for aggctl add: a feed's interval is kept within the bounds,
	 * and the change is said. */
	TAILQ_FOREACH(f, &c->feeds, entry) {
		if (f->interval == -1 || (f->interval >= c->min_interval &&
		    f->interval <= c->max_interval))
			continue;
		units_format_duration(f->interval, lo, sizeof lo);
		units_format_duration(f->interval < c->min_interval ?
		    c->min_interval : c->max_interval, hi, sizeof hi);
		log_warnx("%s:%d: feed \"%s\": interval %s is %s, %s to %s",
		    path, f->line, f->name, lo, f->interval < c->min_interval ?
		    "below min_interval" : "above max_interval",
		    f->interval < c->min_interval ? "raised" : "lowered", hi);
		f->interval = f->interval < c->min_interval ?
		    c->min_interval : c->max_interval;
	}
	for (i = 0; i < hooks.n; i++)
		config_check_hook(path, hooks.v[i].line, hooks.v[i].section,
		    hooks.v[i].key);
	config_seen_clear(&hooks);
	config_seen_clear(&seen);
	free(section);
	free(line);
	fclose(fp);
	/* Relative paths mean the directory aggd started in, which it
	 * leaves when it goes into the background: SIGHUP must still find
	 * the file, and the socket must still be removed at exit. */
	config_absolutise(&c->path);
	config_absolutise(&c->database);
	config_absolutise(&c->socket);
	return (c);
fail:
	xasprintf(cause, "%s:%d: %s", path, lineno, why);
	free(why);
out:
	config_seen_clear(&hooks);
	config_seen_clear(&seen);
	free(section);
	free(line);
	fclose(fp);
	config_free(c);
	return (NULL);
}

/*
 * A value as the parser will read it back: written bare when that is
 * exact, else in double quotes (a comment sign after white space, white
 * space at either end, or quotes around the whole would change it).
 */
static void
config_print_value(FILE *fp, const char *k, const char *v)
{
	char	*copy;
	size_t	 len = strlen(v);
	int	 bare;

	copy = xstrdup(v);
	config_uncomment(copy);
	bare = strlen(copy) == len;
	free(copy);
	if (len > 0 && (isspace((unsigned char)v[0]) ||
	    isspace((unsigned char)v[len - 1])))
		bare = 0;
	if (len >= 2 && v[0] == '"' && v[len - 1] == '"' &&
	    strchr(v + 1, '"') == v + len - 1)
		bare = 0;
	/* A value with quotes of its own inside stays bare: those quotes
	 * already shield any comment sign from the parser. */
	if (bare || (len > 0 && strchr(v + 1, '"') != NULL))
		fprintf(fp, "%s = %s\n", k, v);
	else
		fprintf(fp, "%s = \"%s\"\n", k, v);
}

static void
config_print_duration(FILE *fp, const char *k, int64_t secs)
{
	char	buf[32];

	units_format_duration(secs, buf, sizeof buf);
	fprintf(fp, "%s = %s\n", k, buf);
}

/* The largest unit that states the size exactly. */
static void
config_print_size(FILE *fp, const char *k, int64_t bytes)
{
	static const char	 units[] = "GMK";
	int64_t			 mult;
	int			 i;

	for (i = 0; units[i] != '\0'; i++) {
		mult = (int64_t)1 << (10 * (3 - i));
		if (bytes % mult == 0) {
			fprintf(fp, "%s = %lld%c\n", k, (long long)(bytes /
			    mult), units[i]);
			return;
		}
	}
	fprintf(fp, "%s = %lld\n", k, (long long)bytes);
}

/*
 * aggd --print-config: the effective configuration in the file's own
 * syntax, every [daemon] key with its value (an optional key that is not
 * set as a comment, so the output reads back unchanged with -c), then the
 * [feed] sections with the keys they set.
 */
void
config_print(FILE *fp, const struct config *c)
{
	struct config_feed	*f;
	char			*tags, *p;

	fprintf(fp, "# aggd %s: effective configuration from %s\n",
	    AGG_VERSION, c->path != NULL ? c->path : "built-in defaults");
	fprintf(fp, "[daemon]\n");
	config_print_value(fp, "database", c->database);
	config_print_value(fp, "socket", c->socket);
	if (c->socket_group != NULL)
		config_print_value(fp, "socket_group", c->socket_group);
	else
		fprintf(fp, "# socket_group =\n");
	config_print_duration(fp, "interval", c->interval);
	config_print_duration(fp, "min_interval", c->min_interval);
	config_print_duration(fp, "max_interval", c->max_interval);
	fprintf(fp, "max_connections = %lld\n",
	    (long long)c->max_connections);
	fprintf(fp, "per_host_connections = %lld\n",
	    (long long)c->per_host_connections);
	config_print_duration(fp, "host_delay", c->host_delay);
	config_print_duration(fp, "timeout", c->timeout);
	config_print_size(fp, "max_feed_size", c->max_feed_size);
	config_print_value(fp, "user_agent", c->user_agent);
	if (c->hook != NULL)
		config_print_value(fp, "hook", c->hook);
	else
		fprintf(fp, "# hook =\n");
	config_print_duration(fp, "hook_timeout", c->hook_timeout);
	config_print_duration(fp, "retain", c->retain);
	fprintf(fp, "retain_items = %lld\n", (long long)c->retain_items);

	TAILQ_FOREACH(f, &c->feeds, entry) {
		fprintf(fp, "\n[feed \"%s\"]\n", f->name);
		config_print_value(fp, "url", f->url);
		if (f->title != NULL)
			config_print_value(fp, "title", f->title);
		if (f->interval != -1)
			config_print_duration(fp, "interval", f->interval);
		if (f->tags != NULL) {
			tags = xstrdup(f->tags);
			for (p = tags; (p = strchr(p, ',')) != NULL; p++)
				*p = ' ';
			config_print_value(fp, "tags", tags);
			free(tags);
		}
		if (f->hook != NULL)
			config_print_value(fp, "hook", f->hook);
		if (f->retain != -1)
			config_print_duration(fp, "retain", f->retain);
		if (f->retain_items != -1)
			fprintf(fp, "retain_items = %lld\n",
			    (long long)f->retain_items);
	}
}
