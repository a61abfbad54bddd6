/*
 * aggctl parse: placeholder until the parser lands.
 */
#include <stdio.h>

#include "aggctl.h"

int
cmd_parse(int argc UNUSED, char **argv UNUSED)
{
	fprintf(stderr, "aggctl: parse: not implemented\n");
	return (1);
}
