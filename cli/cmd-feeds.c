/*
 * aggctl add, remove, feeds and status.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggctl.h"
#include "units.h"

int
cmd_add(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "title",		required_argument,	NULL,	't' },
		{ "interval",		required_argument,	NULL,	'i' },
		{ "tag",		required_argument,	NULL,	'T' },
		{ "announce-existing",	no_argument,		NULL,	'a' },
		{ "json",		no_argument,		NULL,	'j' },
		{ "help",		no_argument,		NULL,	'h' },
		{ NULL,			0,			NULL,	0 }
	};
	json_t		*req, *tags, *data, *frame;
	const char	*notice;
	char		*cause = NULL;
	int64_t		 secs;
	int		 ch, json = 0;

	req = json_pack("{s:s}", "cmd", "add");
	tags = json_array();
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			json_object_set_new(req, "title", json_string(optarg));
			break;
		case 'i':
			if (units_parse_duration(optarg, &secs, &cause) != 0)
				die("%s", cause);
			json_object_set_new(req, "interval", json_integer(secs));
			break;
		case 'T':
			json_array_append_new(tags, json_string(optarg));
			break;
		case 'a':
			json_object_set_new(req, "announce_existing",
			    json_true());
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			printf("usage: aggctl add URL [--title T] [--interval "
			    "DUR] [--tag TAG]... [--announce-existing] "
			    "[--json]\n");
			exit(0);
		default:
			die("usage: aggctl add URL [--title T] [--interval DUR] "
			    "[--tag TAG]... [--announce-existing] [--json]");
		}
	}
	if (optind != argc - 1)
		die("usage: aggctl add URL [--title T] [--interval DUR] "
		    "[--tag TAG]... [--announce-existing] [--json]");
	json_object_set_new(req, "url", json_string(argv[optind]));
	json_object_set_new(req, "tags", tags);
	data = client_call(req, &frame);
	if ((notice = json_string_value(json_object_get(frame, "notice"))) !=
	    NULL)
		fprintf(stderr, "aggctl: %s\n", notice);
	if (json)
		output_json(data);
	else
		printf("%lld\n", (long long)json_integer_value(
		    json_object_get(data, "id")));
	json_decref(data);
	json_decref(frame);
	output_finish();
	return (0);
}

int
cmd_remove(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json",	no_argument,	NULL,	'j' },
		{ "help",	no_argument,	NULL,	'h' },
		{ NULL,		0,		NULL,	0 }
	};
	const char	*usage = "aggctl remove FEED... [--json]";
	json_t		*feeds, *data;
	int		 ch, json = 0;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'h':
			printf("usage: %s\n", usage);
			exit(0);
		default:
			die("usage: %s", usage);
		}
	}
	if (optind >= argc)
		die("usage: %s", usage);
	feeds = json_array();
	for (; optind < argc; optind++)
		json_array_append_new(feeds, json_string(argv[optind]));
	data = client_call(json_pack("{s:s, s:o}", "cmd", "remove", "feeds",
	    feeds), NULL);
	if (json)
		output_json(data);
	json_decref(data);
	output_finish();
	return (0);
}

static int
cmd_feeds_json_flag(int argc, char **argv, const char *usage)
{
	int	i, json = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--help") == 0) {
			printf("usage: %s\n", usage);
			exit(0);
		} else
			die("usage: %s", usage);
	}
	return (json);
}

static const char *
cmd_feeds_str(json_t *o, const char *key)
{
	return (json_string_value(json_object_get(o, key)));
}

static void
cmd_feeds_row(json_t *f, int width)
{
	char		 id[32], when[32], state[64], ivl[32];
	json_t		*d = json_object_get(f, "disabled");
	const char	*title;
	int		 tw;

	snprintf(id, sizeof id, "%lld",
	    (long long)json_integer_value(json_object_get(f, "id")));
	units_format_duration(json_integer_value(json_object_get(f,
	    "interval")), ivl, sizeof ivl);
	output_localtime(cmd_feeds_str(f, "next_fetch"), when, sizeof when);
	if (json_is_string(d))
		snprintf(state, sizeof state, "disabled");
	else if (cmd_feeds_str(f, "last_error") != NULL)
		snprintf(state, sizeof state, "error");
	else if (json_is_integer(json_object_get(f, "last_status")))
		snprintf(state, sizeof state, "%lld", (long long)
		    json_integer_value(json_object_get(f, "last_status")));
	else
		snprintf(state, sizeof state, "new");
	title = cmd_feeds_str(f, "title");
	if (title == NULL)
		title = cmd_feeds_str(f, "url");
	output_cell(id, 4, 0);
	output_cell(state, 8, 0);
	snprintf(id, sizeof id, "%lld/%lld", (long long)json_integer_value(
	    json_object_get(f, "unread")), (long long)json_integer_value(
	    json_object_get(f, "items")));
	output_cell(id, 11, 0);
	output_cell(ivl, 6, 0);
	output_cell(when, 16, 0);
	tw = width > 0 ? width - (4 + 8 + 11 + 6 + 16 + 5 * 2) : 0;
	output_cell(title, tw > 10 ? tw : 0, 1);
}

static void
cmd_feeds_header(void)
{
	output_cell("ID", 4, 0);
	output_cell("STATUS", 8, 0);
	output_cell("UNREAD", 11, 0);
	output_cell("EVERY", 6, 0);
	output_cell("NEXT", 16, 0);
	output_cell("TITLE", 0, 1);
}

/* One feed as the feeds table shows it (set prints the feed so). */
void
cmd_feeds_show(json_t *f)
{
	cmd_feeds_header();
	cmd_feeds_row(f, output_width());
}

int
cmd_feeds(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "failing",	no_argument,		NULL,	'f' },
		{ "tag",	required_argument,	NULL,	't' },
		{ "json",	no_argument,		NULL,	'j' },
		{ "help",	no_argument,		NULL,	'h' },
		{ NULL,		0,			NULL,	0 }
	};
	const char	*usage = "aggctl feeds [--failing] [--tag TAG] "
	    "[--json]";
	json_t		*req, *j, *data;
	int		 ch, json = 0, width = output_width(), n = 0;

	req = json_pack("{s:s}", "cmd", "feeds");
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			json_object_set_new(req, "failing", json_true());
			break;
		case 't':
			json_object_set_new(req, "tag", json_string(optarg));
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
		data = json_object_get(j, "data");
		if (json)
			output_json(data);
		else {
			if (n++ == 0)
				cmd_feeds_header();
			cmd_feeds_row(data, width);
		}
		json_decref(j);
	}
	output_finish();
	return (0);
}

int
cmd_status(int argc, char **argv)
{
	json_t		*data;
	const char	*key;
	json_t		*v;
	char		 when[32];

	if (cmd_feeds_json_flag(argc, argv, "aggctl status [--json]")) {
		data = client_call(json_pack("{s:s}", "cmd", "status"), NULL);
		output_json(data);
	} else {
		data = client_call(json_pack("{s:s}", "cmd", "status"), NULL);
		json_object_foreach(data, key, v) {
			if (strcmp(key, "next_fetch") == 0) {
				output_localtime(json_string_value(v), when,
				    sizeof when);
				printf("%-14s %s\n", key, when);
			} else if (json_is_string(v))
				printf("%-14s %s\n", key, json_string_value(v));
			else if (json_is_integer(v))
				printf("%-14s %lld\n", key,
				    (long long)json_integer_value(v));
			else
				printf("%-14s -\n", key);
		}
	}
	json_decref(data);
	output_finish();
	return (0);
}
