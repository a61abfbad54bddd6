/*
 * aggctl import and export.
 */
#include "aggctl.h"

int
cmd_import(int argc UNUSED, char **argv UNUSED)
{
	die("import: not implemented yet");
}

int
cmd_export(int argc UNUSED, char **argv UNUSED)
{
	die("export: not implemented yet");
}
