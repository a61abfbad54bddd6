/*
 * aggctl set, pause and resume: change a subscription.  The daemon checks
 * the feed and refuses one from the config file; here only the options are
 * read and durations turned into seconds.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggctl.h"
#include "units.h"

/* DUR or "default" as the daemon takes it: seconds, or the string. */
static json_t *
cmd_manage_duration(const char *opt, const char *arg)
{
	char	*cause = NULL;
	int64_t	 secs;

	if (strcmp(arg, "default") == 0)
		return (json_string("default"));
	if (units_parse_duration(arg, &secs, &cause) != 0)
		fatal_usage("set", "%s: %s", opt, cause);
	return (json_integer(secs));
}

/* N or "default". */
static json_t *
cmd_manage_count(const char *opt, const char *arg)
{
	char		*end;
	long long	 n;

	if (strcmp(arg, "default") == 0)
		return (json_string("default"));
	errno = 0;
	n = strtoll(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || n < 0 || errno != 0)
		fatal_usage("set", "%s: not a number: '%s'", opt, arg);
	return (json_integer(n));
}

int
cmd_set(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "title",		required_argument,	NULL,	't' },
		{ "interval",		required_argument,	NULL,	'i' },
		{ "tag",		required_argument,	NULL,	'T' },
		{ "untag",		required_argument,	NULL,	'U' },
		{ "hook",		required_argument,	NULL,	'k' },
		{ "no-hook",		no_argument,		NULL,	'K' },
		{ "retain",		required_argument,	NULL,	'r' },
		{ "retain-items",	required_argument,	NULL,	'R' },
		{ "json",		no_argument,		NULL,	'j' },
		{ "help",		no_argument,		NULL,	'h' },
		{ NULL,			0,			NULL,	0 }
	};
	json_t		*req, *tags, *untags, *data, *frame;
	const char	*notice;
	int		 ch, json = 0;

	req = json_pack("{s:s}", "cmd", "set");
	tags = json_array();
	untags = json_array();
	while ((ch = help_getopt(argc, argv, longopts, "set")) != -1) {
		switch (ch) {
		case 't':
			json_object_set_new(req, "title", json_string(optarg));
			break;
		case 'i':
			json_object_set_new(req, "interval",
			    cmd_manage_duration("--interval", optarg));
			break;
		case 'T':
			json_array_append_new(tags, json_string(optarg));
			break;
		case 'U':
			json_array_append_new(untags, json_string(optarg));
			break;
		case 'k':
			json_object_set_new(req, "hook", json_string(optarg));
			break;
		case 'K':
			json_object_set_new(req, "no_hook", json_true());
			break;
		case 'r':
			json_object_set_new(req, "retain",
			    cmd_manage_duration("--retain", optarg));
			break;
		case 'R':
			json_object_set_new(req, "retain_items",
			    cmd_manage_count("--retain-items", optarg));
			break;
		case 'j':
			json = 1;
			break;
		}
	}
	if (optind == argc)
		fatal_usage("set", "missing FEED");
	if (optind != argc - 1)
		fatal_usage("set", "unexpected argument '%s'",
		    argv[optind + 1]);
	json_object_set_new(req, "feed", json_string(argv[optind]));
	json_object_set_new(req, "tags", tags);
	json_object_set_new(req, "untags", untags);
	data = client_call(req, &frame);
	if ((notice = json_string_value(json_object_get(frame, "notice"))) !=
	    NULL)
		fprintf(stderr, "aggctl: %s\n", notice);
	if (json)
		output_json(data);
	else
		cmd_feeds_show(data);
	json_decref(data);
	json_decref(frame);
	output_finish();
	return (0);
}

/* pause FEED..., resume FEED...: quiet on success, like remove. */
static int
cmd_manage_pause(int argc, char **argv, const char *cmd)
{
	static const struct option longopts[] = {
		{ "json",	no_argument,	NULL,	'j' },
		{ "help",	no_argument,	NULL,	'h' },
		{ NULL,		0,		NULL,	0 }
	};
	json_t		*feeds, *data;
	int		 ch, json = 0;

	while ((ch = help_getopt(argc, argv, longopts, cmd)) != -1)
		json = 1;
	if (optind >= argc)
		fatal_usage(cmd, "missing FEED");
	feeds = json_array();
	for (; optind < argc; optind++)
		json_array_append_new(feeds, json_string(argv[optind]));
	data = client_call(json_pack("{s:s, s:o}", "cmd", cmd, "feeds",
	    feeds), NULL);
	if (json)
		output_json(data);
	json_decref(data);
	output_finish();
	return (0);
}

int
cmd_pause(int argc, char **argv)
{
	return (cmd_manage_pause(argc, argv, "pause"));
}

int
cmd_resume(int argc, char **argv)
{
	return (cmd_manage_pause(argc, argv, "resume"));
}
