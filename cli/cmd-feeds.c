/*
 * aggctl add, remove, feeds and status.  What they say about themselves
 * is in help.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggctl.h"
#include "buf.h"
#include "units.h"
#include "xmalloc.h"

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
	while ((ch = help_getopt(argc, argv, longopts, "add")) != -1) {
		switch (ch) {
		case 't':
			json_object_set_new(req, "title", json_string(optarg));
			break;
		case 'i':
			if (units_parse_duration(optarg, &secs, &cause) != 0)
				fatal_usage("add", "--interval: %s", cause);
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
		}
	}
	if (optind == argc)
		fatal_usage("add", "missing URL");
	if (optind < argc - 1)
		fatal_usage("add", "unexpected argument '%s'", argv[optind + 1]);
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
	json_t	*feeds, *data;
	int	 ch, json = 0;

	while ((ch = help_getopt(argc, argv, longopts, "remove")) != -1)
		json = 1;
	if (optind >= argc)
		fatal_usage("remove", "missing FEED");
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

/* A command whose only option is --json, and no arguments. */
static int
cmd_feeds_json_flag(int argc, char **argv, const char *cmd)
{
	static const struct option longopts[] = {
		{ "json",	no_argument,	NULL,	'j' },
		{ "help",	no_argument,	NULL,	'h' },
		{ NULL,		0,		NULL,	0 }
	};
	int	ch, json = 0;

	while ((ch = help_getopt(argc, argv, longopts, cmd)) != -1)
		json = 1;
	if (optind < argc)
		fatal_usage(cmd, "unexpected argument '%s'", argv[optind]);
	return (json);
}

static const char *
cmd_feeds_str(json_t *o, const char *key)
{
	return (json_string_value(json_object_get(o, key)));
}

/* The table's columns; TITLE takes what the terminal has left. */
enum {
	COL_ID, COL_STATE, COL_UNREAD, COL_EVERY, COL_NEXT, COL_TAGS,
	COL_TITLE, COL_COUNT
};
static const char *cmd_feeds_heads[COL_COUNT] = {
	"ID", "STATE", "UNREAD", "EVERY", "NEXT", "TAGS", "TITLE"
};

/* The cells of one feed, allocated; *reason: its error, borrowed. */
static void
cmd_feeds_cells(json_t *f, char **cell, const char **reason)
{
	json_t		*d = json_object_get(f, "disabled"), *t;
	const char	*title;
	char		 when[32], ivl[32];
	struct buf	 tags;
	size_t		 i;

	xasprintf(&cell[COL_ID], "%lld",
	    (long long)json_integer_value(json_object_get(f, "id")));
	*reason = NULL;
	if (json_is_string(d) && strcmp(json_string_value(d), "paused") == 0)
		cell[COL_STATE] = xstrdup("paused");
	else if (json_is_string(d)) {
		cell[COL_STATE] = xstrdup("disabled");
		*reason = json_string_value(d);
	} else if (cmd_feeds_str(f, "last_error") != NULL) {
		cell[COL_STATE] = xstrdup("error");
		*reason = cmd_feeds_str(f, "last_error");
	} else if (json_is_integer(json_object_get(f, "last_status")))
		xasprintf(&cell[COL_STATE], "%lld", (long long)
		    json_integer_value(json_object_get(f, "last_status")));
	else
		cell[COL_STATE] = xstrdup("new");
	xasprintf(&cell[COL_UNREAD], "%lld/%lld", (long long)
	    json_integer_value(json_object_get(f, "unread")), (long long)
	    json_integer_value(json_object_get(f, "items")));
	units_format_duration(json_integer_value(json_object_get(f,
	    "interval")), ivl, sizeof ivl);
	cell[COL_EVERY] = xstrdup(ivl);
	output_localtime(cmd_feeds_str(f, "next_fetch"), when, sizeof when);
	cell[COL_NEXT] = xstrdup(when);
	buf_init(&tags);
	json_array_foreach(json_object_get(f, "tags"), i, t) {
		if (i > 0)
			buf_addc(&tags, ',');
		buf_adds(&tags, json_string_value(t));
	}
	cell[COL_TAGS] = xstrdup(tags.len > 0 ? tags.data : "-");
	buf_release(&tags);
	title = cmd_feeds_str(f, "title");
	if (title == NULL || *title == '\0')
		title = cmd_feeds_str(f, "url");
	cell[COL_TITLE] = xstrdup(title != NULL ? title : "");
}

/*
 * The human table.  All rows are read first so that each column is as
 * wide as its widest value; on a terminal TAGS is held to 24 columns and
 * TITLE cut to what is left, with an ellipsis.  A failing or disabled
 * feed's reason follows on a line of its own, under its state.
 */
static void
cmd_feeds_table(json_t *rows)
{
	char		**cells, **c;
	const char	**reasons;
	int		  w[COL_COUNT], width = output_width(), used, k, n;
	size_t		  i, nrows = json_array_size(rows);

	cells = xcalloc(nrows * COL_COUNT + 1, sizeof *cells);
	reasons = xcalloc(nrows + 1, sizeof *reasons);
	for (k = 0; k < COL_COUNT; k++)
		w[k] = output_strwidth(cmd_feeds_heads[k]);
	for (i = 0; i < nrows; i++) {
		c = cells + i * COL_COUNT;
		cmd_feeds_cells(json_array_get(rows, i), c, &reasons[i]);
		for (k = 0; k < COL_COUNT; k++)
			if ((n = output_strwidth(c[k])) > w[k])
				w[k] = n;
	}
	if (width > 0) {
		if (w[COL_TAGS] > 24)
			w[COL_TAGS] = 24;
		/* A narrow terminal takes from TAGS first, to keep TITLE
		 * at least 10 columns. */
		for (used = 0, k = 0; k < COL_TITLE; k++)
			used += w[k] + 2;
		if (width - used < 10 && w[COL_TAGS] > 4) {
			w[COL_TAGS] -= 10 - (width - used);
			if (w[COL_TAGS] < 4)
				w[COL_TAGS] = 4;
			used = 0;
			for (k = 0; k < COL_TITLE; k++)
				used += w[k] + 2;
		}
		w[COL_TITLE] = width - used > 10 ? width - used : 10;
	} else
		w[COL_TITLE] = 0;
	for (k = 0; k < COL_COUNT; k++)
		output_cell(cmd_feeds_heads[k], k == COL_TITLE ? 0 : w[k],
		    k == COL_TITLE);
	for (i = 0; i < nrows; i++) {
		c = cells + i * COL_COUNT;
		for (k = 0; k < COL_COUNT; k++)
			output_cell(c[k], w[k], k == COL_TITLE);
		if (reasons[i] != NULL) {
			printf("%*s", w[COL_ID] + 2, "");
			output_cell(reasons[i], width > 0 ? width -
			    w[COL_ID] - 2 : 0, 1);
		}
		for (k = 0; k < COL_COUNT; k++)
			free(c[k]);
	}
	free(cells);
	free(reasons);
}

/* One feed as the feeds table shows it (set prints the feed so). */
void
cmd_feeds_show(json_t *f)
{
	json_t	*rows = json_array();

	json_array_append(rows, f);
	cmd_feeds_table(rows);
	json_decref(rows);
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
	json_t		*req, *j, *rows;
	int		 ch, json = 0;

	req = json_pack("{s:s}", "cmd", "feeds");
	while ((ch = help_getopt(argc, argv, longopts, "feeds")) != -1) {
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
		}
	}
	if (optind != argc)
		fatal_usage("feeds", "unexpected argument '%s'", argv[optind]);
	rows = json_array();
	client_send(req);
	while ((j = client_next_row()) != NULL) {
		if (json)
			output_json(json_object_get(j, "data"));
		else
			json_array_append(rows, json_object_get(j, "data"));
		json_decref(j);
	}
	if (!json && json_array_size(rows) > 0)
		cmd_feeds_table(rows);
	json_decref(rows);
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

	if (cmd_feeds_json_flag(argc, argv, "status")) {
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
