/*
 * aggctl refresh.
 */
#include "aggctl.h"

int
cmd_refresh(int argc UNUSED, char **argv UNUSED)
{
	die("refresh: not implemented yet");
}
