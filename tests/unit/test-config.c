/*
 * Unit tests for daemon/config.c: the built-in defaults, every key of
 * INTERFACE.md read from a file, comments and quoting, every refusal with
 * its FILE:LINE: reason, and the shell-like splitting of hook commands.
 * Files are written to a scratch directory removed at the end.
 */
#include <sys/stat.h>

#include <grp.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "aggd.h"

/* daemon/main.c owns this; the tests link the daemon without main.c. */
struct aggd	*aggd;

static char	 dir[] = "/tmp/test-config.XXXXXX";

static int
setup(void **state UNUSED)
{
	if (mkdtemp(dir) == NULL)
		return (-1);
	setenv("STATE_DIRECTORY", "/state/dir", 1);
	setenv("RUNTIME_DIRECTORY", "/runtime/dir", 1);
	return (0);
}

static int
teardown(void **state UNUSED)
{
	char	cmd[64];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return (system(cmd) == 0 ? 0 : -1);
}

/* Write text to DIR/name and return the path (static buffer). */
static const char *
write_file(const char *name, const char *text)
{
	static char	 path[256];
	FILE		*fp;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((fp = fopen(path, "w")) == NULL)
		fail_msg("cannot write %s", path);
	fputs(text, fp);
	fclose(fp);
	return (path);
}

/* Load text as a file; fails the test if it is refused. */
static struct config *
load_ok(const char *text)
{
	struct config	*c;
	const char	*path;
	char		*cause = NULL;

	path = write_file("ok.conf", text);
	if ((c = config_load(path, 1, &cause)) == NULL)
		fail_msg("refused: %s\n--- file:\n%s", cause, text);
	assert_null(cause);
	return (c);
}

static void
test_defaults(void **state UNUSED)
{
	struct config	*c;
	char		*cause = NULL, ua[128];

	c = config_defaults();
	assert_null(c->path);
	assert_string_equal(c->database, "/state/dir/aggd.db");
	assert_string_equal(c->socket, "/runtime/dir/aggd.sock");
	assert_null(c->socket_group);
	assert_int_equal(c->interval, 30 * 60);
	assert_int_equal(c->min_interval, 60);
	assert_int_equal(c->max_interval, 86400);
	assert_int_equal(c->max_connections, 64);
	assert_int_equal(c->per_host_connections, 2);
	assert_int_equal(c->host_delay, 1);
	assert_int_equal(c->timeout, 30);
	assert_int_equal(c->max_feed_size, 16 * 1024 * 1024);
	snprintf(ua, sizeof ua, "aggd/%s (+%s)", AGG_VERSION, AGG_URL);
	assert_string_equal(c->user_agent, ua);
	assert_null(c->hook);
	assert_int_equal(c->hook_timeout, 60);
	assert_true(TAILQ_EMPTY(&c->feeds));
	config_free(c);

	/* A missing file nobody named gives the defaults. */
	c = config_load("/nonexistent/aggd.conf", 0, &cause);
	assert_non_null(c);
	assert_null(c->path);
	assert_int_equal(c->interval, 30 * 60);
	config_free(c);
	/* One that was named is an error naming it. */
	c = config_load("/nonexistent/aggd.conf", 1, &cause);
	assert_null(c);
	assert_non_null(cause);
	assert_true(strncmp(cause, "/nonexistent/aggd.conf: ", 24) == 0);
	free(cause);

	/* An empty file, and one with only comments, are the defaults. */
	c = load_ok("");
	assert_non_null(c->path);
	assert_int_equal(c->interval, 30 * 60);
	config_free(c);
	c = load_ok("# nothing\n; still nothing\n\n   \n[daemon]\n");
	assert_int_equal(c->host_delay, 1);
	config_free(c);
	config_free(NULL);
}

static void
test_every_key(void **state UNUSED)
{
	struct config		*c;
	struct config_feed	*f;
	struct group		*gr;
	char			 text[2048];

	if ((gr = getgrgid(getgid())) == NULL)
		fail_msg("no name for our group");
	snprintf(text, sizeof text,
	    "[daemon]\n"
	    "database = /var/lib/aggd/test.db\n"
	    "socket   = /run/aggd/test.sock\n"
	    "socket_group = %s\n"
	    "interval = 15m\n"
	    "min_interval = 30s\n"
	    "max_interval = 2d\n"
	    "max_connections = 10\n"
	    "per_host_connections = 3\n"
	    "host_delay = 0\n"
	    "timeout = 1m30s\n"
	    "max_feed_size = 512K\n"
	    "user_agent = test/1.0 (+https://example.org/)\n"
	    "hook = /usr/local/bin/on-new-item --flag\n"
	    "hook_timeout = 2m\n"
	    "\n"
	    "[feed \"jamnews\"]\n"
	    "url = https://jam-news.net/feed/\n"
	    "interval = 1h\n"
	    "title = JAM News\n"
	    "tags = news, caucasus\n"
	    "hook = /usr/local/bin/other-hook 'one arg'\n"
	    "\n"
	    "[feed \"plain\"]\n"
	    "url = http://127.0.0.1:9/plain.xml\n", gr->gr_name);
	c = load_ok(text);
	assert_string_equal(c->database, "/var/lib/aggd/test.db");
	assert_string_equal(c->socket, "/run/aggd/test.sock");
	assert_string_equal(c->socket_group, gr->gr_name);
	assert_int_equal(c->socket_gid, gr->gr_gid);
	assert_int_equal(c->interval, 900);
	assert_int_equal(c->min_interval, 30);
	assert_int_equal(c->max_interval, 2 * 86400);
	assert_int_equal(c->max_connections, 10);
	assert_int_equal(c->per_host_connections, 3);
	assert_int_equal(c->host_delay, 0);
	assert_int_equal(c->timeout, 90);
	assert_int_equal(c->max_feed_size, 512 * 1024);
	assert_string_equal(c->user_agent, "test/1.0 (+https://example.org/)");
	assert_string_equal(c->hook, "/usr/local/bin/on-new-item --flag");
	assert_int_equal(c->hook_timeout, 120);

	f = TAILQ_FIRST(&c->feeds);
	assert_non_null(f);
	assert_string_equal(f->name, "jamnews");
	assert_string_equal(f->url, "https://jam-news.net/feed/");
	assert_int_equal(f->interval, 3600);
	assert_string_equal(f->title, "JAM News");
	assert_string_equal(f->tags, "news,caucasus");
	assert_string_equal(f->hook, "/usr/local/bin/other-hook 'one arg'");
	assert_int_equal(f->line, 17);
	f = TAILQ_NEXT(f, entry);
	assert_non_null(f);
	assert_string_equal(f->name, "plain");
	assert_string_equal(f->url, "http://127.0.0.1:9/plain.xml");
	assert_int_equal(f->interval, -1);
	assert_null(f->title);
	assert_null(f->tags);
	assert_null(f->hook);
	assert_int_equal(f->line, 24);
	assert_null(TAILQ_NEXT(f, entry));
	config_free(c);
}

static void
test_comments_quotes(void **state UNUSED)
{
	static const struct {
		const char	*line;		/* in [daemon] */
		const char	*user_agent;
	} t[] = {
		{ "user_agent = a b c", "a b c" },
		{ "user_agent = a # comment", "a" },
		{ "user_agent = a ; comment", "a" },
		{ "user_agent = a\t# comment", "a" },
		{ "user_agent = a#b", "a#b" },		/* no blank before # */
		{ "user_agent = a;b", "a;b" },
		{ "user_agent = \"quoted # not a comment\"",
		    "quoted # not a comment" },
		{ "user_agent = \"quoted\" # comment", "quoted" },
		{ "user_agent = \"  kept blanks  \"", "  kept blanks  " },
		{ "user_agent = 'single # quotes'", "'single # quotes'" },
		{ "user_agent = \"a\" \"b\"", "\"a\" \"b\"" },
		{ "user_agent=tight", "tight" },
		{ "   user_agent   =   spaced   ", "spaced" },
		{ "user_agent = a = b", "a = b" },
		{ "user_agent = http://x/#frag", "http://x/#frag" },
	};
	struct config	*c;
	char		 text[512];
	size_t		 i;

	for (i = 0; i < nitems(t); i++) {
		snprintf(text, sizeof text, "[daemon] # the daemon\n%s\n",
		    t[i].line);
		c = load_ok(text);
		if (strcmp(c->user_agent, t[i].user_agent) != 0)
			fail_msg("'%s': got '%s', want '%s'", t[i].line,
			    c->user_agent, t[i].user_agent);
		config_free(c);
	}

	/* Durations with trailing comments, and an empty hook. */
	c = load_ok("[daemon]\ninterval = 15m   # every quarter\n"
	    "hook =\n"
	    "[feed \"f\"] # a feed\nurl = http://127.0.0.1:9/f # its url\n"
	    "interval = 2h ; two hours\n");
	assert_int_equal(c->interval, 900);
	assert_null(c->hook);
	assert_string_equal(TAILQ_FIRST(&c->feeds)->url,
	    "http://127.0.0.1:9/f");
	assert_int_equal(TAILQ_FIRST(&c->feeds)->interval, 7200);
	config_free(c);
}

static void
test_errors(void **state UNUSED)
{
	static const struct {
		const char	*text;
		int		 line;		/* 0: the cause has none */
		const char	*reason;
	} t[] = {
		{ "[daemon]\nintervall = 10m\n", 2,
		    "unknown key 'intervall' in [daemon]" },
		{ "[daemon]\n\n# c\nInterval = 10m\n", 4,
		    "unknown key 'Interval' in [daemon]" },
		{ "[feed \"x\"]\nurl = http://a/\ncolour = red\n", 3,
		    "unknown key 'colour' in [feed \"x\"]" },
		{ "[daemon]\n[deamon]\n", 2, "unknown section [deamon]" },
		{ "[feeds \"x\"]\n", 1, "unknown section [feeds \"x\"]" },
		{ "[feed x]\n", 1, "feed section must be [feed \"name\"]" },
		{ "[feed \"\"]\n", 1, "feed section must be [feed \"name\"]" },
		{ "[feed \"x]\n", 1, "feed section must be [feed \"name\"]" },
		{ "[daemon\n", 1, "missing ']' in section header" },
		{ "interval = 1h\n", 1, "key 'interval' outside a section" },
		{ "[daemon]\n= 1h\n", 2, "missing key before '='" },
		{ "[daemon]\nthis is garbage\n", 2, "expected 'key = value'" },
		{ "[daemon]\ninterval = 10 minutes\n", 2,
		    "'interval' in [daemon]: invalid duration '10 minutes' (use e.g. 30s, 15m, 2h, "
		    "1d)" },
		{ "[daemon]\ninterval = 0\n", 2,
		    "'interval' in [daemon]: duration must be above 0" },
		{ "[daemon]\ntimeout = 0s\n", 2,
		    "'timeout' in [daemon]: duration must be above 0" },
		{ "[daemon]\ninterval = \n", 2,
		    "'interval' in [daemon]: invalid duration '' (use e.g. 30s, 15m, 2h, 1d)" },
		{ "[daemon]\nmax_feed_size = 16Q\n", 2,
		    "'max_feed_size' in [daemon]: invalid size '16Q' (use e.g. 512K, 16M, 1G)" },
		{ "[daemon]\nmax_feed_size = 100\n", 2,
		    "'max_feed_size' in [daemon]: max_feed_size must be at "
		    "least 1K" },
		{ "[daemon]\nmax_connections = 0\n", 2,
		    "'max_connections' in [daemon]: invalid number '0' (1 to "
		    "100000)" },
		{ "[daemon]\nper_host_connections = two\n", 2,
		    "'per_host_connections' in [daemon]: invalid number 'two' "
		    "(1 to 100000)" },
		{ "[daemon]\nmax_connections = 100001\n", 2,
		    "'max_connections' in [daemon]: invalid number '100001' "
		    "(1 to 100000)" },
		{ "[daemon]\nsocket_group = no-such-group-here\n", 2,
		    "'socket_group' in [daemon]: unknown group "
		    "'no-such-group-here'" },
		{ "[daemon]\nhook = /bin/echo 'open\n", 2,
		    "'hook' in [daemon]: unterminated ' quote" },
		{ "[feed \"a\"]\nurl = http://a/\nhook = \"x\n", 3,
		    "'hook' in [feed \"a\"]: unterminated \" quote" },
		{ "[feed \"a\"]\nurl = http://a/\nhook =\n", 3,
		    "'hook' in [feed \"a\"]: empty command" },
		{ "[feed \"a\"]\nurl = file:///etc/passwd\n", 2,
		    "'url' in [feed \"a\"]: url must be http:// or https://" },
		{ "[feed \"a\"]\nurl = \n", 2,
		    "'url' in [feed \"a\"]: url must be http:// or https://" },
		{ "[feed \"a\"]\nurl = http://a/\ninterval = never\n", 3,
		    "'interval' in [feed \"a\"]: invalid duration 'never' (use e.g. 30s, 15m, 2h, 1d)" },
		{ "[daemon]\n\n[feed \"a\"]\ninterval = 1h\n", 3,
		    "feed \"a\" has no url" },
		{ "[feed \"a\"]\nurl = http://a/\n[feed \"b\"]\n"
		    "url = http://b/\n\n[feed \"a\"]\nurl = http://c/\n", 6,
		    "feed \"a\" already defined at line 1" },
		{ "[daemon]\nmin_interval = 2d\n", 2,
		    "min_interval 2d is above max_interval 1d" },
		{ "[daemon]\nmin_interval = 1h\n# c\nmax_interval = 30m\n", 4,
		    "min_interval 1h is above max_interval 30m" },
		/* Each key once a section, one [daemon], one section a feed. */
		{ "[daemon]\ninterval = 1h\n# c\ninterval = 2h\n", 4,
		    "duplicate key 'interval' in [daemon] (first at line 2)" },
		{ "[feed \"a\"]\nurl = http://a/\ntags = x\ntag = y\n", 4,
		    "duplicate key 'tag' in [feed \"a\"] (first at line 3)" },
		{ "[daemon]\ninterval = 1h\n[feed \"a\"]\nurl = http://a/\n"
		    "[daemon]\n", 5,
		    "duplicate section [daemon] (first at line 1)" },
		{ "[feed \"a\"]\nurl = http://a/x\n[feed \"b\"]\n"
		    "url = http://a/x\n", 4,
		    "'url' in [feed \"b\"]: http://a/x is already feed \"a\" "
		    "(line 1)" },
		{ "[feed \"a\"]\nurl = http://A:80/x\n[feed \"b\"]\n"
		    "url = http://a/x\n", 4,
		    "'url' in [feed \"b\"]: http://a/x is already feed \"a\" "
		    "(line 1)" },
		{ "[daemon]\nsocket = /run/"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock\n",
		    2, "'socket' in [daemon]: path is 120 bytes, a socket's can "
		    "have at most 107" },
	};
	struct config	*c;
	const char	*path;
	char		 want[512], *cause;
	size_t		 i;

	for (i = 0; i < nitems(t); i++) {
		path = write_file("bad.conf", t[i].text);
		cause = NULL;
		c = config_load(path, 1, &cause);
		if (c != NULL) {
			config_free(c);
			fail_msg("case %zu: accepted:\n%s", i, t[i].text);
		}
		if (t[i].line > 0)
			snprintf(want, sizeof want, "%s:%d: %s", path,
			    t[i].line, t[i].reason);
		else
			snprintf(want, sizeof want, "%s: %s", path,
			    t[i].reason);
		if (cause == NULL || strcmp(cause, want) != 0)
			fail_msg("case %zu: cause '%s'\n want '%s'", i, cause,
			    want);
		free(cause);
	}
}

/* A UTF-8 byte-order mark before the first line is not part of it. */
static void
test_bom(void **state UNUSED)
{
	struct config	*c;

	c = load_ok("\xef\xbb\xbf[daemon]\ninterval = 15m\n");
	assert_int_equal(c->interval, 900);
	config_free(c);
	c = load_ok("\xef\xbb\xbf# a comment\n[daemon]\ntimeout = 5s\n");
	assert_int_equal(c->timeout, 5);
	config_free(c);
}

/* A hook not installed yet is a warning (logged), not a refusal. */
static void
test_hook_missing(void **state UNUSED)
{
	struct config	*c;

	c = load_ok("[daemon]\nhook = /nonexistent/aggd-hook --x\n"
	    "[feed \"a\"]\nurl = http://a/\nhook = no-such-aggd-hook\n");
	assert_string_equal(c->hook, "/nonexistent/aggd-hook --x");
	config_free(c);
}

/* The longest socket path a sockaddr_un takes is accepted. */
static void
test_socket_length(void **state UNUSED)
{
	struct config	*c;
	char		 text[256], path[108];

	memset(path, 'a', sizeof path - 1);
	path[0] = '/';
	path[sizeof path - 1] = '\0';
	snprintf(text, sizeof text, "[daemon]\nsocket = %s\n", path);
	c = load_ok(text);
	assert_int_equal(strlen(c->socket), 107);
	config_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_comments_quotes),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_hook_missing),
		cmocka_unit_test(test_socket_length),
	};

	return (cmocka_run_group_tests_name("config", tests, setup,
	    teardown));
}
