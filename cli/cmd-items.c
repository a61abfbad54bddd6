/*
 * aggctl items, show, read, unread and follow.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aggctl.h"
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
	die("--since: cannot read '%s' (give e.g. 2024-09-05, "
	    "2024-09-05T14:30:00Z or 2h)", s);
}

/* A non-negative whole number given to an option, or die naming it. */
static long long
cmd_items_count(const char *opt, const char *arg)
{
	char		*end;
	long long	 n;

	errno = 0;
	n = strtoll(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || n < 0 || errno != 0)
		die("%s: not a number: %s", opt, arg);
	return (n);
}

static void
cmd_items_header(void)
{
	output_cell("ID", 7, 0);
	output_cell("", 1, 0);
	output_cell("DATE", 16, 0);
	output_cell("FEED", 4, 0);
	output_cell("TITLE", 0, 1);
}

static void
cmd_items_line(json_t *it, int width)
{
	char		 id[32], when[32], feed[32];
	const char	*title, *date;
	int		 tw;

	snprintf(id, sizeof id, "%lld", num(it, "id"));
	snprintf(feed, sizeof feed, "%lld", num(it, "feed_id"));
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
	output_cell(feed, 4, 0);
	tw = width > 0 ? width - (7 + 1 + 16 + 4 + 4 * 2) : 0;
	output_cell(title, tw > 10 ? tw : 0, 1);
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
	const char	*usage = "aggctl items [--feed FEED] [--tag TAG] "
	    "[--unread] [--since TIME] [--after-id N] [--limit N] [--search QUERY] "
	    "[--json]";
	json_t		*req, *j;
	int		 ch, json = 0, width = output_width(), rows = 0;

	req = json_pack("{s:s}", "cmd", "items");
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
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
			    "limit", json_integer(cmd_items_count(ch == 'a' ?
			    "--after-id" : "--limit", optarg)));
			break;
		case 'q':
			json_object_set_new(req, "search", json_string(optarg));
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			json_decref(req);
			printf("usage: %s\n", usage);
			return (0);
		default:
			die("usage: %s", usage);
		}
	}
	if (optind != argc)
		die("usage: %s", usage);
	client_send(req);
	while ((j = client_next_row()) != NULL) {
		if (json)
			output_json(json_object_get(j, "data"));
		else {
			if (rows++ == 0)
				cmd_items_header();
			cmd_items_line(json_object_get(j, "data"), width);
		}
		json_decref(j);
	}
	output_finish();
	return (0);
}

static void
cmd_show_text(json_t *it)
{
	char		 when[32];
	json_t		*v;
	size_t		 i;
	const char	*s;

	printf("Title:     %s\n", str(it, "title") ? str(it, "title") : "");
	printf("Link:      %s\n", str(it, "link") ? str(it, "link") : "");
	printf("Feed:      %lld (%s)\n", num(it, "feed_id"),
	    str(it, "feed_url"));
	if ((s = str(it, "author")) != NULL)
		printf("Author:    %s\n", s);
	output_localtime(str(it, "published"), when, sizeof when);
	printf("Published: %s\n", when);
	if (str(it, "updated") != NULL) {
		output_localtime(str(it, "updated"), when, sizeof when);
		printf("Updated:   %s\n", when);
	}
	output_localtime(str(it, "first_seen"), when, sizeof when);
	printf("Seen:      %s%s\n", when,
	    json_is_true(json_object_get(it, "read")) ? "" : " (unread)");
	if (str(it, "guid") != NULL)
		printf("Guid:      %s\n", str(it, "guid"));
	json_array_foreach(json_object_get(it, "categories"), i, v)
		printf("%s%s", i == 0 ? "Category:  " : ", ",
		    json_string_value(v));
	if (json_array_size(json_object_get(it, "categories")) > 0)
		putchar('\n');
	json_array_foreach(json_object_get(it, "enclosures"), i, v)
		printf("Enclosure: %s (%s)\n", str(v, "url") ? str(v, "url") :
		    "", str(v, "type") ? str(v, "type") : "unknown type");
	if ((s = str(it, "content")) == NULL)
		s = str(it, "summary");
	if (s != NULL)
		printf("\n%s\n", s);
}

int
cmd_show(int argc, char **argv)
{
	json_t	*data;
	int	 i, json = 0;
	char	*item = NULL;

	output_help(argc, argv, "aggctl show ITEM [--json]");
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (argv[i][0] == '-' || item != NULL)
			die("usage: aggctl show ITEM [--json]");
		else
			item = argv[i];
	}
	if (item == NULL)
		die("usage: aggctl show ITEM [--json]");
	data = client_call(json_pack("{s:s, s:s}", "cmd", "show", "item",
	    item), NULL);
	if (json)
		output_json(data);
	else
		cmd_show_text(data);
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
	const char	*usage = read ? "aggctl read ITEM... | --feed FEED | "
	    "--all [--json]" : "aggctl unread ITEM... | --feed FEED | --all "
	    "[--json]";
	json_t		*req, *items, *data;
	int		 ch, json = 0, ways = 0;

	req = json_pack("{s:s}", "cmd", read ? "read" : "unread");
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			json_object_set_new(req, "feed", json_string(optarg));
			ways++;
			break;
		case 'a':
			json_object_set_new(req, "all", json_true());
			ways++;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			json_decref(req);
			printf("usage: %s\n", usage);
			return (0);
		default:
			die("usage: %s", usage);
		}
	}
	items = json_array();
	for (; optind < argc; optind++)
		json_array_append_new(items, json_string(argv[optind]));
	/* One way at a time: ids, a feed, or all. */
	if (json_array_size(items) > 0)
		ways++;
	if (ways != 1)
		die("usage: %s", usage);
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
	const char	*usage = "aggctl follow [--json] [--feed FEED] "
	    "[--after-id N]";
	json_t		*req, *j, *it;
	const char	*type;
	char		 when[32];
	int		 ch, json = 0;

	req = json_pack("{s:s}", "cmd", "follow");
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			json_object_set_new(req, "feed", json_string(optarg));
			break;
		case 'a':
			json_object_set_new(req, "after_id",
			    json_integer(cmd_items_count("--after-id", optarg)));
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			json_decref(req);
			printf("usage: %s\n", usage);
			return (0);
		default:
			die("usage: %s", usage);
		}
	}
	if (optind != argc)
		die("usage: %s", usage);
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
				printf("%lld  %s  [%lld] %s  %s\n", num(it, "id"),
				    when, num(it, "feed_id"), str(it, "title") ?
				    str(it, "title") : "(untitled)",
				    str(it, "link") ? str(it, "link") : "");
				output_finish();
			}
		}
		json_decref(j);
	}
}
