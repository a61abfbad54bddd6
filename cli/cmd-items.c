/*
 * aggctl items, show, read, unread and follow.  Lists name each item's
 * feed by its title, from one feeds request made first; show renders the
 * content's HTML as text (lib/htmltext.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aggctl.h"
#include "buf.h"
#include "htmltext.h"
#include "item.h"
#include "timefmt.h"
#include "units.h"

static const char *
str(json_t *o, const char *key)
{
	return (json_string_value(json_object_get(o, key)));
}

static long long
num(json_t *o, const char *key)
{
	return ((long long)json_integer_value(json_object_get(o, key)));
}

/* --since: an RFC 3339 time or date, or a duration meaning "ago". */
static int64_t
cmd_items_since(const char *s)
{
	int64_t	 t, secs;

	if (units_parse_duration(s, &secs, NULL) == 0)
		return ((int64_t)time(NULL) - secs);
	if ((t = timefmt_parse(s)) != TIME_NONE)
		return (t);
	fatal_usage("items", "--since: cannot read '%s' (give e.g. "
	    "2024-09-05, 2024-09-05T14:30:00Z or 2h)", s);
}

/* A non-negative whole number given to an option, or die naming it. */
static long long
cmd_items_count(const char *cmd, const char *opt, const char *arg)
{
	char		*end;
	long long	 n;

	errno = 0;
	n = strtoll(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || n < 0 || errno != 0)
		fatal_usage(cmd, "%s: not a number: '%s'", opt, arg);
	return (n);
}

/*
 * The items table: ID, a '*' for unread, DATE, FEED (its title) and
 * TITLE.  Rows stream as they come, so FEED is as wide as the longest
 * feed title, held to 20 columns on a terminal, where TITLE is cut to
 * what is left.
 */
static void
cmd_items_header(int fw)
{
	output_cell("ID", 7, 0);
	output_cell("", 1, 0);
	output_cell("DATE", 16, 0);
	output_cell("FEED", fw, 0);
	output_cell("TITLE", 0, 1);
}

static void
cmd_items_line(json_t *it, json_t *titles, int fw, int width)
{
	char		 id[32], when[32];
	const char	*title, *date;
	int		 tw;

	snprintf(id, sizeof id, "%lld", num(it, "id"));
	date = str(it, "published");
	if (date == NULL)
		date = str(it, "first_seen");
	output_localtime(date, when, sizeof when);
	title = str(it, "title");
	if (title == NULL)
		title = str(it, "link");
	if (title == NULL)
		title = "(untitled)";
	output_cell(id, 7, 0);
	output_cell(json_is_true(json_object_get(it, "read")) ? " " : "*", 1,
	    0);
	output_cell(when, 16, 0);
	output_cell(output_feed_title(titles, it), fw, 0);
	tw = width > 0 ? width - (7 + 1 + 16 + fw + 4 * 2) : 0;
	output_cell(title, width > 0 && tw < 4 ? 4 : tw, 1);
}

/* The FEED column's width: the widest title, held on a terminal. */
static int
cmd_items_feed_width(json_t *titles, int width)
{
	const char	*k;
	json_t		*v;
	int		 w = 4, n;

	json_object_foreach(titles, k, v)
		if ((n = output_strwidth(json_string_value(v))) > w)
			w = n;
	if (width > 0 && w > 20)
		w = 20;
	/* A narrow terminal still leaves TITLE 10 columns. */
	if (width > 0 && w > width - (7 + 1 + 16 + 4 * 2) - 10)
		w = width - (7 + 1 + 16 + 4 * 2) - 10;
	if (w < 4)
		w = 4;
	return (w);
}

int
cmd_items(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "feed",	required_argument,	NULL,	'f' },
		{ "tag",	required_argument,	NULL,	't' },
		{ "unread",	no_argument,		NULL,	'u' },
		{ "since",	required_argument,	NULL,	's' },
		{ "after-id",	required_argument,	NULL,	'a' },
		{ "limit",	required_argument,	NULL,	'l' },
		{ "search",	required_argument,	NULL,	'q' },
		{ "json",	no_argument,		NULL,	'j' },
		{ "help",	no_argument,		NULL,	'h' },
		{ NULL,		0,			NULL,	0 }
	};
	json_t		*req, *j, *titles = NULL;
	int		 ch, json = 0, width = output_width(), rows = 0, fw = 4;

	req = json_pack("{s:s}", "cmd", "items");
	while ((ch = help_getopt(argc, argv, longopts, "items")) != -1) {
		switch (ch) {
		case 'f':
			json_object_set_new(req, "feed", json_string(optarg));
			break;
		case 't':
			json_object_set_new(req, "tag", json_string(optarg));
			break;
		case 'u':
			json_object_set_new(req, "unread", json_true());
			break;
		case 's':
			json_object_set_new(req, "since",
			    json_integer(cmd_items_since(optarg)));
			break;
		case 'a':
		case 'l':
			json_object_set_new(req, ch == 'a' ? "after_id" :
			    "limit", json_integer(cmd_items_count("items",
			    ch == 'a' ? "--after-id" : "--limit", optarg)));
			break;
		case 'q':
			json_object_set_new(req, "search", json_string(optarg));
			break;
		case 'j':
			json = 1;
			break;
		}
	}
	if (optind != argc)
		fatal_usage("items", "unexpected argument '%s'", argv[optind]);
	if (!json) {
		titles = output_feed_titles();
		fw = cmd_items_feed_width(titles, width);
	}
	client_send(req);
	while ((j = client_next_row()) != NULL) {
		if (json)
			output_json(json_object_get(j, "data"));
		else {
			if (rows++ == 0)
				cmd_items_header(fw);
			cmd_items_line(json_object_get(j, "data"), titles, fw,
			    width);
		}
		json_decref(j);
	}
	json_decref(titles);
	output_finish();
	return (0);
}

/*
 * An item for reading: a header, then its content (else its summary)
 * rendered from HTML, wrapped to the terminal (72 columns through a
 * pipe), the links it holds listed at the end.
 */
static void
cmd_show_text(json_t *it, json_t *titles)
{
	char		 when[32];
	json_t		*v;
	size_t		 i;
	const char	*s;
	struct buf	 text;
	int		 width = output_width();

	printf("Title:      %s\n", str(it, "title") ? str(it, "title") :
	    "(untitled)");
	printf("Feed:       %s\n", output_feed_title(titles, it));
	if ((s = str(it, "author")) != NULL)
		printf("Author:     %s\n", s);
	output_localtime(str(it, "published") != NULL ? str(it, "published") :
	    str(it, "first_seen"), when, sizeof when);
	printf("Date:       %s%s\n", when, str(it, "published") == NULL ?
	    " (first seen)" : "");
	if (str(it, "updated") != NULL) {
		output_localtime(str(it, "updated"), when, sizeof when);
		printf("Updated:    %s\n", when);
	}
	if ((s = str(it, "link")) != NULL)
		printf("Link:       %s\n", s);
	json_array_foreach(json_object_get(it, "categories"), i, v)
		printf("%s%s", i == 0 ? "Categories: " : ", ",
		    json_string_value(v));
	if (json_array_size(json_object_get(it, "categories")) > 0)
		putchar('\n');
	json_array_foreach(json_object_get(it, "enclosures"), i, v) {
		printf("Enclosure:  %s (%s", str(v, "url") ? str(v, "url") :
		    "", str(v, "type") ? str(v, "type") : "unknown type");
		if (json_is_integer(json_object_get(v, "length")))
			printf(", %lld bytes", num(v, "length"));
		printf(")\n");
	}
	printf("Item:       %lld%s\n", num(it, "id"),
	    json_is_true(json_object_get(it, "read")) ? "" : " (unread)");
	if ((s = str(it, "content")) == NULL || *s == '\0')
		s = str(it, "summary");
	if (s == NULL || *s == '\0')
		return;
	buf_init(&text);
	htmltext_render(s, strlen(s), width > 0 ? (width > 100 ? 100 :
	    width - 1) : 72, &text);
	if (text.len > 0)
		printf("\n%s", text.data);
	buf_release(&text);
}

int
cmd_show(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json",	no_argument,	NULL,	'j' },
		{ "html",	no_argument,	NULL,	'H' },
		{ "help",	no_argument,	NULL,	'h' },
		{ NULL,		0,		NULL,	0 }
	};
	json_t		*data, *titles;
	const char	*s;
	int		 ch, json = 0, html = 0;

	while ((ch = help_getopt(argc, argv, longopts, "show")) != -1) {
		if (ch == 'j')
			json = 1;
		else
			html = 1;
	}
	if (json && html)
		fatal_usage("show", "--json and --html exclude each other");
	if (optind == argc)
		fatal_usage("show", "missing ITEM");
	if (optind < argc - 1)
		fatal_usage("show", "unexpected argument '%s'",
		    argv[optind + 1]);
	data = client_call(json_pack("{s:s, s:s}", "cmd", "show", "item",
	    argv[optind]), NULL);
	if (json)
		output_json(data);
	else if (html) {
		if ((s = str(data, "content")) == NULL || *s == '\0')
			s = str(data, "summary");
		if (s != NULL && *s != '\0')
			printf("%s%s", s, s[strlen(s) - 1] == '\n' ? "" :
			    "\n");
	} else {
		titles = output_feed_titles();
		cmd_show_text(data, titles);
		json_decref(titles);
	}
	json_decref(data);
	output_finish();
	return (0);
}

static int
cmd_mark(int argc, char **argv, int read)
{
	static const struct option longopts[] = {
		{ "feed",	required_argument,	NULL,	'f' },
		{ "all",	no_argument,		NULL,	'a' },
		{ "json",	no_argument,		NULL,	'j' },
		{ "help",	no_argument,		NULL,	'h' },
		{ NULL,		0,			NULL,	0 }
	};
	const char	*cmd = read ? "read" : "unread";
	json_t		*req, *items, *data;
	int		 ch, json = 0;

	req = json_pack("{s:s}", "cmd", cmd);
	while ((ch = help_getopt(argc, argv, longopts, cmd)) != -1) {
		switch (ch) {
		case 'f':
			json_object_set_new(req, "feed", json_string(optarg));
			break;
		case 'a':
			json_object_set_new(req, "all", json_true());
			break;
		case 'j':
			json = 1;
			break;
		}
	}
	items = json_array();
	for (; optind < argc; optind++)
		json_array_append_new(items, json_string(argv[optind]));
	if (json_array_size(items) == 0 && json_object_size(req) == 1)
		fatal_usage(cmd, "give items, --feed FEED or --all");
	if (json_array_size(items) > 0 && json_object_size(req) > 1)
		fatal_usage(cmd, "give items, or --feed or --all, not both");
	json_object_set_new(req, "items", items);
	data = client_call(req, NULL);
	if (json)
		output_json(data);
	json_decref(data);
	output_finish();
	return (0);
}

int
cmd_read(int argc, char **argv)
{
	return (cmd_mark(argc, argv, 1));
}

int
cmd_unread(int argc, char **argv)
{
	return (cmd_mark(argc, argv, 0));
}

int
cmd_follow(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "feed",	required_argument,	NULL,	'f' },
		{ "after-id",	required_argument,	NULL,	'a' },
		{ "json",	no_argument,		NULL,	'j' },
		{ "help",	no_argument,		NULL,	'h' },
		{ NULL,		0,			NULL,	0 }
	};
	json_t		*req, *j, *it, *titles = NULL;
	const char	*type;
	char		 when[32];
	int		 ch, json = 0;

	req = json_pack("{s:s}", "cmd", "follow");
	while ((ch = help_getopt(argc, argv, longopts, "follow")) != -1) {
		switch (ch) {
		case 'f':
			json_object_set_new(req, "feed", json_string(optarg));
			break;
		case 'a':
			json_object_set_new(req, "after_id",
			    json_integer(cmd_items_count("follow", "--after-id",
			    optarg)));
			break;
		case 'j':
			json = 1;
			break;
		}
	}
	if (optind != argc)
		fatal_usage("follow", "unexpected argument '%s'", argv[optind]);
	/* Feeds added while we follow show their URL. */
	if (!json)
		titles = output_feed_titles();
	client_send(req);
	for (;;) {
		j = client_recv();
		type = str(j, "type");
		if (type != NULL && strcmp(type, "row") == 0) {
			it = json_object_get(j, "data");
			if (json)
				output_json(it);
			else {
				output_localtime(str(it, "published") ?
				    str(it, "published") : str(it,
				    "first_seen"), when, sizeof when);
				printf("%lld  %s  [%s] %s  %s\n", num(it, "id"),
				    when, output_feed_title(titles, it),
				    str(it, "title") ?
				    str(it, "title") : "(untitled)",
				    str(it, "link") ? str(it, "link") : "");
				output_finish();
			}
		}
		json_decref(j);
	}
}
