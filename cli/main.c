/*
 * aggctl's entry point: global options, then one command.
 */
#include <stdio.h>
#include <string.h>

#include "aggctl.h"

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "parse") == 0)
		return (cmd_parse(argc - 1, argv + 1));
	fprintf(stderr, "aggctl: usage: aggctl [-s SOCKET] COMMAND [ARGS]\n");
	return (1);
}
