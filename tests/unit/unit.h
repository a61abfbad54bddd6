/*
 * What the unit tests share: cmocka's headers in the order it needs them,
 * and known_bug() for an assertion that documents expected behaviour the
 * code does not have yet.  A known bug prints a TAP "# TODO" line and lets
 * the test pass, so the suite stays usable; with STRICT=1 in the
 * environment it fails like any assertion.  When the bug is fixed the line
 * says so, and the check should become a plain assertion.
 */
#ifndef AGG_TEST_UNIT_H
#define AGG_TEST_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "compat.h"

static inline int
unit_strict(void)
{
	const char	*e = getenv("STRICT");

	return (e != NULL && *e != '\0' && *e != '0');
}

#define known_bug(ok, ...) do {						\
	if (ok)								\
		print_message("# TODO passes now (make it an "		\
		    "assertion): " __VA_ARGS__);			\
	else if (unit_strict())						\
		fail_msg("known bug: " __VA_ARGS__);			\
	else								\
		print_message("# TODO known bug: " __VA_ARGS__);	\
} while (0)

#endif
