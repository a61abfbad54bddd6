/*
 * aggctl refresh [FEED...] [--wait]: poll now.  Feeds inside a Retry-After
 * the server gave are named on stderr and not polled; the exit status
 * stays 0.  With --wait on a terminal, a progress line counts the polls;
 * once they are over, each feed whose poll failed gets a line on stderr
 * and the exit status is 1.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "aggctl.h"

int
cmd_refresh(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "wait",	no_argument,	NULL,	'w' },
		{ "json",	no_argument,	NULL,	'j' },
		{ "help",	no_argument,	NULL,	'h' },
		{ NULL,		0,		NULL,	0 }
	};
	json_t		*req, *feeds, *j, *v, *failed;
	const char	*type;
	int		 ch, wait = 0, tty = isatty_stderr(), rc = 0, json = 0;
	size_t		 i;

	while ((ch = help_getopt(argc, argv, longopts, "refresh")) != -1) {
		if (ch == 'w')
			wait = 1;
		else
			json = 1;
	}
	feeds = json_array();
	for (i = (size_t)optind; i < (size_t)argc; i++)
		json_array_append_new(feeds, json_string(argv[i]));
	req = json_pack("{s:s, s:o, s:b, s:b}", "cmd", "refresh", "feeds",
	    feeds, "wait", wait, "progress", wait && tty);
	client_send(req);
	for (;;) {
		j = client_recv();
		type = json_string_value(json_object_get(j, "type"));
		if (type == NULL)
			type = "";
		if (strcmp(type, "skipped") == 0) {
			json_array_foreach(json_object_get(j, "feeds"), i, v)
				fprintf(stderr, "aggctl: feed %lld (%s): server "
				    "asked to wait until %s (Retry-After); not "
				    "polled\n", (long long)json_integer_value(
				    json_object_get(v, "id")),
				    json_string_value(json_object_get(v, "url")),
				    json_string_value(json_object_get(v,
				    "until")));
		} else if (strcmp(type, "progress") == 0) {
			fprintf(stderr, "\rrefreshing: %lld/%lld feeds",
			    (long long)json_integer_value(json_object_get(j,
			    "done")), (long long)json_integer_value(
			    json_object_get(j, "total")));
		} else if (strcmp(type, "ok") == 0) {
			if (wait && tty)
				fprintf(stderr, "\rrefreshing: done%20s\n", "");
			/* An older aggd sends no "failed": none known. */
			failed = json_object_get(json_object_get(j, "data"),
			    "failed");
			json_array_foreach(failed, i, v) {
				fprintf(stderr, "aggctl: feed %lld (%s): %s\n",
				    (long long)json_integer_value(
				    json_object_get(v, "id")),
				    json_string_value(json_object_get(v, "url")),
				    json_string_value(json_object_get(v,
				    "error")));
				rc = 1;
			}
			if (json)
				output_json(json_object_get(j, "data"));
			json_decref(j);
			break;
		}
		json_decref(j);
	}
	output_finish();
	return (rc);
}
