/*
 * Unit tests for lib/uri.c: RFC 3986's own resolution examples (section
 * 5.4), the references feeds give, and the normal form links are compared
 * in.
 */
#include <string.h>

#include "unit.h"
#include "uri.h"

static void
check(const char *what, const char *in, char *got, const char *want)
{
	if (want == NULL && got == NULL)
		return;
	if (want == NULL || got == NULL || strcmp(got, want) != 0)
		fail_msg("%s '%s': got '%s', want '%s'", what, in,
		    got ? got : "(null)", want ? want : "(null)");
	free(got);
}

static void
test_resolve_rfc3986(void **state UNUSED)
{
	static const char *base = "http://a/b/c/d;p?q";
	static const struct {
		const char	*ref;
		const char	*want;
	} t[] = {
		{ "g:h", "g:h" },
		{ "g", "http://a/b/c/g" },
		{ "./g", "http://a/b/c/g" },
		{ "g/", "http://a/b/c/g/" },
		{ "/g", "http://a/g" },
		{ "//g", "http://g" },
		{ "?y", "http://a/b/c/d;p?y" },
		{ "g?y", "http://a/b/c/g?y" },
		{ "#s", "http://a/b/c/d;p?q#s" },
		{ "g#s", "http://a/b/c/g#s" },
		{ "g?y#s", "http://a/b/c/g?y#s" },
		{ ";x", "http://a/b/c/;x" },
		{ "g;x", "http://a/b/c/g;x" },
		{ "g;x?y#s", "http://a/b/c/g;x?y#s" },
		{ "", "http://a/b/c/d;p?q" },
		{ ".", "http://a/b/c/" },
		{ "./", "http://a/b/c/" },
		{ "..", "http://a/b/" },
		{ "../", "http://a/b/" },
		{ "../g", "http://a/b/g" },
		{ "../..", "http://a/" },
		{ "../../", "http://a/" },
		{ "../../g", "http://a/g" },
		{ "../../../g", "http://a/g" },
		{ "../../../../g", "http://a/g" },
		{ "/./g", "http://a/g" },
		{ "/../g", "http://a/g" },
		{ "g.", "http://a/b/c/g." },
		{ ".g", "http://a/b/c/.g" },
		{ "g..", "http://a/b/c/g.." },
		{ "..g", "http://a/b/c/..g" },
		{ "./../g", "http://a/b/g" },
		{ "./g/.", "http://a/b/c/g/" },
		{ "g/./h", "http://a/b/c/g/h" },
		{ "g/../h", "http://a/b/c/h" },
		{ "g;x=1/./y", "http://a/b/c/g;x=1/y" },
		{ "g;x=1/../y", "http://a/b/c/y" },
		{ "g?y/./x", "http://a/b/c/g?y/./x" },
		{ "g#s/../x", "http://a/b/c/g#s/../x" },
		{ "http:g", "http:g" },
	};
	size_t	i;

	for (i = 0; i < nitems(t); i++)
		check("resolve", t[i].ref, uri_resolve(base, t[i].ref),
		    t[i].want);
}

static void
test_resolve_feeds(void **state UNUSED)
{
	static const struct {
		const char	*base;
		const char	*ref;
		const char	*want;
	} t[] = {
		{ "https://example.org/feed/", "/2024/a.html",
		    "https://example.org/2024/a.html" },
		{ "https://example.org/feed/", "a.mp3",
		    "https://example.org/feed/a.mp3" },
		{ "https://example.org", "a", "https://example.org/a" },
		{ "https://example.org/feed", "https://other.net/x",
		    "https://other.net/x" },
		{ NULL, "/relative", "/relative" },
		{ "not absolute", "x", "x" },
	};
	size_t	i;

	for (i = 0; i < nitems(t); i++)
		check("resolve", t[i].ref, uri_resolve(t[i].base, t[i].ref),
		    t[i].want);
	assert_null(uri_resolve("http://a/", NULL));
}

static void
test_normalize(void **state UNUSED)
{
	static const struct {
		const char	*in;
		const char	*want;
	} t[] = {
		{ "HTTP://Example.ORG/Path", "http://example.org/Path" },
		{ "http://example.org", "http://example.org/" },
		{ "http://example.org:80/a", "http://example.org/a" },
		{ "https://example.org:443/a", "https://example.org/a" },
		{ "http://example.org:443/a", "http://example.org:443/a" },
		{ "https://example.org:8443/a", "https://example.org:8443/a" },
		{ "http://example.org/a#frag", "http://example.org/a" },
		{ "http://example.org/a?q=1#f", "http://example.org/a?q=1" },
		{ "http://example.org/a/./b/../c", "http://example.org/a/c" },
		{ "http://User@Example.org/", "http://User@example.org/" },
		{ "http://[::1]:80/", "http://[::1]/" },
		{ "/relative", NULL },
		{ "mailto:a@b", NULL },
	};
	size_t	i;

	for (i = 0; i < nitems(t); i++)
		check("normalize", t[i].in, uri_normalize(t[i].in), t[i].want);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_resolve_rfc3986),
		cmocka_unit_test(test_resolve_feeds),
		cmocka_unit_test(test_normalize),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
