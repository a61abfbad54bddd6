/*
 * aggctl: the command-line client.  Every command but `parse` talks to aggd
 * over its Unix socket (client.c); output.c renders tables and JSON Lines.
 */
#ifndef AGGCTL_H
#define AGGCTL_H

#include "compat.h"

/* cmd-parse.c */
int	cmd_parse(int, char **);

#endif
