/*
 * aggctl backup FILE [--force]: the daemon writes a consistent copy of its
 * database to FILE while it runs.  FILE is made absolute here: the daemon
 * works in another directory.  An existing FILE is replaced only with
 * --force.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "aggctl.h"
#include "paths.h"

int
cmd_backup(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force",	no_argument,	NULL,	'f' },
		{ "json",	no_argument,	NULL,	'j' },
		{ "help",	no_argument,	NULL,	'h' },
		{ NULL,		0,		NULL,	0 }
	};
	json_t	*req, *reply, *frame;
	char	*file;
	int	 ch, force = 0, json = 0;

	while ((ch = help_getopt(argc, argv, longopts, "backup")) != -1) {
		switch (ch) {
		case 'f':
			force = 1;
			break;
		case 'j':
			json = 1;
			break;
		}
	}
	if (argc - optind != 1)
		fatal_usage("backup", argc - optind == 0 ? "FILE is missing" :
		    "one FILE only");
	file = paths_absolute(argv[optind]);
	req = json_pack("{s:s, s:s, s:b}", "cmd", "backup", "file", file,
	    "force", force);
	free(file);
	reply = client_call(req, &frame);
	if (json)
		output_json(reply);
	json_decref(reply);
	json_decref(frame);
	output_finish();
	return (0);
}
