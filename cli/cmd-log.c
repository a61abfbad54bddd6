/*
 * aggctl log [FEED] [--limit N]: the fetch history, newest first, as the
 * daemon keeps it (the last attempts of each feed).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggctl.h"

static void
cmd_log_header(void)
{
	output_cell("TIME", 16, 0);
	output_cell("FEED", 4, 0);
	output_cell("STATUS", 6, 0);
	output_cell("BYTES", 8, 0);
	output_cell("MS", 6, 0);
	output_cell("NEW", 4, 0);
	output_cell("CHG", 4, 0);
	output_cell("NEXT", 10, 0);
	output_cell("ERROR", 0, 1);
}

static void
cmd_log_line(json_t *r, int width)
{
	char		 when[32], n[32];
	json_t		*v;
	const char	*s;
	int		 tw;

	output_localtime(json_string_value(json_object_get(r, "time")), when,
	    sizeof when);
	output_cell(when, 16, 0);
	snprintf(n, sizeof n, "%lld", (long long)json_integer_value(
	    json_object_get(r, "feed_id")));
	output_cell(n, 4, 0);
	v = json_object_get(r, "status");
	if (json_is_integer(v))
		snprintf(n, sizeof n, "%lld", (long long)json_integer_value(v));
	else
		snprintf(n, sizeof n, "-");
	output_cell(n, 6, 0);
	snprintf(n, sizeof n, "%lld", (long long)json_integer_value(
	    json_object_get(r, "bytes")));
	output_cell(n, 8, 0);
	snprintf(n, sizeof n, "%lld", (long long)json_integer_value(
	    json_object_get(r, "duration_ms")));
	output_cell(n, 6, 0);
	snprintf(n, sizeof n, "%lld", (long long)json_integer_value(
	    json_object_get(r, "new")));
	output_cell(n, 4, 0);
	snprintf(n, sizeof n, "%lld", (long long)json_integer_value(
	    json_object_get(r, "changed")));
	output_cell(n, 4, 0);
	s = json_string_value(json_object_get(r, "next_fetch_reason"));
	output_cell(s != NULL ? s : "-", 10, 0);
	s = json_string_value(json_object_get(r, "error"));
	tw = width > 0 ? width - (16 + 4 + 6 + 8 + 6 + 4 + 4 + 10 + 8 * 2) : 0;
	output_cell(s != NULL ? s : "", tw > 10 ? tw : 0, 1);
}

int
cmd_log(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "limit",	required_argument,	NULL,	'l' },
		{ "json",	no_argument,		NULL,	'j' },
		{ "help",	no_argument,		NULL,	'h' },
		{ NULL,		0,			NULL,	0 }
	};
	json_t		*req, *j;
	char		*end;
	long long	 n;
	int		 ch, json = 0, width = output_width(), rows = 0;

	req = json_pack("{s:s}", "cmd", "log");
	while ((ch = help_getopt(argc, argv, longopts, "log")) != -1) {
		switch (ch) {
		case 'l':
			errno = 0;
			n = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || n < 0 ||
			    errno != 0)
				fatal_usage("log", "--limit: not a number: "
				    "'%s'", optarg);
			json_object_set_new(req, "limit", json_integer(n));
			break;
		case 'j':
			json = 1;
			break;
		}
	}
	if (argc - optind > 1)
		fatal_usage("log", "unexpected argument '%s'",
		    argv[optind + 1]);
	if (optind < argc)
		json_object_set_new(req, "feed", json_string(argv[optind]));
	client_send(req);
	while ((j = client_next_row()) != NULL) {
		if (json)
			output_json(json_object_get(j, "data"));
		else {
			if (rows++ == 0)
				cmd_log_header();
			cmd_log_line(json_object_get(j, "data"), width);
		}
		json_decref(j);
	}
	output_finish();
	return (0);
}
