/*
 * argv.c: command lines split as sh(1) splits words, nothing expanded.
 */
#include <string.h>

#include "unit.h"
#include "argv.h"

static void
test_split_argv(void **state UNUSED)
{
	static const struct {
		const char	*in;
		const char	*want[5];	/* NULL-terminated */
	} t[] = {
		{ "prog", { "prog" } },
		{ "a b c", { "a", "b", "c" } },
		{ "  a \t b  ", { "a", "b" } },
		{ "'a b' c", { "a b", "c" } },
		{ "\"a b\" c", { "a b", "c" } },
		{ "a\\ b", { "a b" } },
		{ "a'b'c", { "abc" } },
		{ "a\"b c\"d e", { "ab cd", "e" } },
		{ "''", { "" } },
		{ "a \"\" b", { "a", "", "b" } },
		{ "'a\\b'", { "a\\b" } },		/* no escapes in '' */
		{ "\"a\\\"b\"", { "a\"b" } },
		{ "\"a\\\\b\"", { "a\\b" } },
		{ "\"a\\nb\"", { "a\\nb" } },		/* \n is not special */
		{ "\"\\$HOME\"", { "$HOME" } },
		{ "$HOME ~ *", { "$HOME", "~", "*" } },	/* nothing expands */
		{ "a;b|c&&d", { "a;b|c&&d" } },		/* nor runs */
		{ "\"it's\"", { "it's" } },
		{ "'say \"hi\"'", { "say \"hi\"" } },
		{ "a\\", { "a\\" } },
		{ "/usr/local/bin/on-new-item --flag",
		    { "/usr/local/bin/on-new-item", "--flag" } },
	};
	static const struct {
		const char	*in;
		const char	*cause;
	} bad[] = {
		{ "", "empty command" },
		{ "   \t ", "empty command" },
		{ "'abc", "unterminated ' quote" },
		{ "a 'b c", "unterminated ' quote" },
		{ "\"abc", "unterminated \" quote" },
		{ "\"abc\\\"", "unterminated \" quote" },
	};
	char	**argv, *cause;
	size_t	 i, j;

	for (i = 0; i < nitems(t); i++) {
		cause = NULL;
		if ((argv = argv_split(t[i].in, &cause)) == NULL)
			fail_msg("<%s>: refused: %s", t[i].in, cause);
		for (j = 0; t[i].want[j] != NULL; j++) {
			if (argv[j] == NULL || strcmp(argv[j],
			    t[i].want[j]) != 0)
				fail_msg("<%s>: word %zu is <%s>, want <%s>",
				    t[i].in, j, argv[j], t[i].want[j]);
		}
		if (argv[j] != NULL)
			fail_msg("<%s>: extra word <%s>", t[i].in, argv[j]);
		argv_free(argv);
	}
	for (i = 0; i < nitems(bad); i++) {
		cause = NULL;
		if ((argv = argv_split(bad[i].in, &cause)) != NULL)
			fail_msg("<%s>: accepted", bad[i].in);
		if (cause == NULL || strcmp(cause, bad[i].cause) != 0)
			fail_msg("<%s>: cause '%s', want '%s'", bad[i].in,
			    cause, bad[i].cause);
		free(cause);
	}
	argv_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_argv),
	};

	return (cmocka_run_group_tests_name("argv", tests, NULL, NULL));
}
