/*
 * Unit tests for lib/htmltext.c: HTML as feeds carry it, rendered for
 * reading (paragraphs, breaks, lists, quotes, links listed, wrapping) and
 * stripped for indexing; entities decoded, scripts and styles dropped,
 * broken markup survived.
 */
#include <string.h>

#include "unit.h"
#include "buf.h"
#include "htmltext.h"

static void
check(const char *html, int width, int plain, const char *want)
{
	struct buf	b;

	buf_init(&b);
	if (plain)
		htmltext_plain(html, strlen(html), &b);
	else
		htmltext_render(html, strlen(html), width, &b);
	if (strcmp(b.data != NULL ? b.data : "", want) != 0)
		fail_msg("%s '%s' (width %d):\n got '%s'\nwant '%s'",
		    plain ? "plain" : "render", html, width,
		    b.data != NULL ? b.data : "", want);
	buf_release(&b);
}

static void
test_render(void **state UNUSED)
{
	static const struct {
		const char	*html;
		int		 width;
		const char	*want;
	} t[] = {
		{ "", 0, "" },
		{ "<p>One</p><p>Two</p>", 0, "One\n\nTwo\n" },
		{ "<p>One<p>Two", 0, "One\n\nTwo\n" },
		{ "a<br>b<br/>c<br><br>d", 0, "a\nb\nc\n\nd\n" },
		{ "<b>  lots   of\n\tspace  </b>", 0, "lots of space\n" },
		{ "  no   markup\n\tkeeps  lines ", 0, "no markup\nkeeps lines\n" },
		{ "<p>A &amp; B &lt;c&gt; &eacute;&#233;&#xE9; caf&eacute;</p>",
		    0, "A & B <c> ééé café\n" },
		{ "AT&T &bogus; &#xZZ; & ;", 0, "AT&T &bogus; &#xZZ; & ;\n" },
		{ "a&nbsp;b", 0, "a b\n" },
		{ "<p>x</p><script>var a = '<p>no</p>';</script><p>y</p>", 0,
		    "x\n\ny\n" },
		{ "<style>p { color: red }</style>text", 0, "text\n" },
		{ "<SCRIPT type=x>alert(1)</SCRIPT >after", 0, "after\n" },
		{ "a<!-- <p>hidden</p> -->b", 0, "ab\n" },
		{ "<ul><li>one</li><li>two</li></ul>", 0, "- one\n- two\n" },
		{ "<ol><li>one<li>two</ol>", 0, "1. one\n2. two\n" },
		{ "<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>", 0,
		    "- a\n  - b\n- c\n" },
		{ "<p>See <a href=\"https://a.example/x?a=1&amp;b=2\">this</a>"
		    " and <a href='http://b.example/'>that</a>.</p>", 0,
		    "See this[1] and that[2].\n\n"
		    "[1] https://a.example/x?a=1&b=2\n[2] http://b.example/\n" },
		{ "<a href=\"#top\">top</a> <a>none</a>", 0, "top none\n" },
		{ "<blockquote><p>quoted words</p></blockquote><p>after</p>",
		    0, "> quoted words\n\nafter\n" },
		{ "<pre>  a\n    b</pre>c", 0, "  a\n    b\n\nc\n" },
		{ "<h1>Title</h1>body", 0, "Title\n\nbody\n" },
		{ "<img src=x.png alt=\"a cat\">", 0, "[image: a cat]\n" },
		{ "a < b and c > d", 0, "a < b and c > d\n" },
		{ "plain\ntext\n\nparagraph", 0, "plain\ntext\n\nparagraph\n" },
		{ "<![CDATA[<b>raw</b>]]>x<b>y</b>", 0, "<b>raw</b>xy\n" },
		{ "<p>one two three four five six seven</p>", 14,
		    "one two three\nfour five six\nseven\n" },
		{ "<p>unclosed <b attr=\"a>b\">bold", 0, "unclosed bold\n" },
		{ "<html><head><title>T</title></head><body><p>B</p></body>"
		    "</html>", 0, "B\n" },
	};
	size_t	i;

	for (i = 0; i < nitems(t); i++)
		check(t[i].html, t[i].width, 0, t[i].want);
}

static void
test_plain(void **state UNUSED)
{
	check("<p>One &amp; <a href=\"http://x/\">two</a></p>"
	    "<script>no()</script><ul><li>three</li></ul>", 0, 1,
	    "One & two\nthree\n");
	check("caf&eacute; <b>bold</b>", 0, 1, "café bold\n");
	check("", 0, 1, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_plain),
	};

	return (cmocka_run_group_tests_name("htmltext", tests, NULL, NULL));
}
