/*
 * aggctl items, show, read, unread, follow.
 */
#include "aggctl.h"

int
cmd_items(int argc UNUSED, char **argv UNUSED)
{
	die("items: not implemented yet");
}

int
cmd_show(int argc UNUSED, char **argv UNUSED)
{
	die("show: not implemented yet");
}

int
cmd_read(int argc UNUSED, char **argv UNUSED)
{
	die("read: not implemented yet");
}

int
cmd_unread(int argc UNUSED, char **argv UNUSED)
{
	die("unread: not implemented yet");
}

int
cmd_follow(int argc UNUSED, char **argv UNUSED)
{
	die("follow: not implemented yet");
}
