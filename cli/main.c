/*
 * aggctl's entry point: global options, then one command.  What each
 * command says about itself is in help.c.
 */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggctl.h"

static const struct {
	const char	*name;
	int		(*fn)(int, char **);
} commands[] = {
	{ "add",	cmd_add },
	{ "remove",	cmd_remove },
	{ "feeds",	cmd_feeds },
	{ "items",	cmd_items },
	{ "show",	cmd_show },
	{ "read",	cmd_read },
	{ "unread",	cmd_unread },
	{ "refresh",	cmd_refresh },
	{ "follow",	cmd_follow },
	{ "import",	cmd_import },
	{ "export",	cmd_export },
	{ "status",	cmd_status },
	{ "set",	cmd_set },
	{ "pause",	cmd_pause },
	{ "resume",	cmd_resume },
	{ "log",	cmd_log },
	{ "parse",	cmd_parse },
	{ "backup",	cmd_backup },
	{ "help",	cmd_help },
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket",	required_argument,	NULL,	's' },
		{ "help",	no_argument,		NULL,	'h' },
		{ "version",	no_argument,		NULL,	'V' },
		{ NULL,		0,			NULL,	0 }
	};
	size_t	i;
	int	ch, rv;

	setlocale(LC_CTYPE, "");
	opterr = 0;	/* one line of our own, not getopt's and a usage */
	while ((ch = getopt_long(argc, argv, "+s:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			client_set_socket(optarg);
			break;
		case 'h':
			help_usage(stdout);
			output_finish();
			return (0);
		case 'V':
			printf("aggctl %s\n", AGG_VERSION);
			return (0);
		default:
			if (optopt == 's')
				fprintf(stderr, "aggctl: option -s needs a "
				    "socket path (see aggctl --help)\n");
			else
				fprintf(stderr, "aggctl: unknown option '%s' "
				    "(see aggctl --help)\n", argv[optind - 1]);
			return (1);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		fprintf(stderr, "aggctl: no command given (see aggctl "
		    "--help)\n");
		return (1);
	}
	for (i = 0; i < nitems(commands); i++) {
		if (strcmp(commands[i].name, argv[0]) == 0) {
			/* 0 makes glibc's getopt start over for the command. */
			optind = 0;
			rv = commands[i].fn(argc, argv);
			client_close();
			return (rv);
		}
	}
	fprintf(stderr, "aggctl: unknown command '%s' (see aggctl --help)\n",
	    argv[0]);
	return (1);
}
