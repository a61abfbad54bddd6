/*
 * Unit tests for lib/feedparse.c beyond the fixture corpus: the result
 * does not depend on how the bytes were chunked (down to one byte at a
 * time), hostile documents (entity bombs, external entities, deep nesting,
 * endless items, huge text) end in an error in bounded time, and a fatal
 * error keeps the items before it.
 */
#include <string.h>

#include <jansson.h>

#include "unit.h"
#include "buf.h"
#include "feedparse.h"
#include "xmalloc.h"

struct result {
	json_t	*items;
};

static void
item_cb(struct item *it, void *arg)
{
	json_array_append_new(arg, item_parse_json(it));
}

/* Parse DOC (LEN bytes) in chunks of CHUNK bytes; the whole result as a
 * JSON text, caller frees. */
static char *
parse(const char *doc, size_t len, size_t chunk, const char *charset,
    size_t depth, size_t text, size_t items)
{
	struct feedparse	*fp;
	json_t			*o, *arr;
	size_t			 off, n;
	char			*s;

	arr = json_array();
	fp = feedparse_new("http://example.org/feed", charset, item_cb, arr);
	feedparse_set_limits(fp, depth, text, items);
	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		if (feedparse_feed(fp, doc + off, n) == -1)
			break;
	}
	feedparse_finish(fp);
	o = json_object();
	json_object_set_new(o, "format", json_str_or_null(feedparse_format(fp)));
	json_object_set_new(o, "encoding",
	    json_string(feedparse_encoding(fp)));
	json_object_set_new(o, "feed", feed_meta_json(feedparse_meta(fp)));
	json_object_set_new(o, "items", arr);
	json_object_set_new(o, "error", json_str_or_null(feedparse_error(fp)));
	assert_int_equal(feedparse_nitems(fp), json_array_size(arr));
	feedparse_free(fp);
	s = json_dumps(o, JSON_PRESERVE_ORDER);
	json_decref(o);
	return (s);
}

static char *
parse_all(const char *doc, size_t len)
{
	return (parse(doc, len, len + 1, NULL, 0, 0, 0));
}

static const char rss_doc[] =
    "\n  <?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
    "<channel><title>Caf\xc3\xa9 &amp; bar&nbsp;&mdash; news</title>"
    "<link>/</link><description>a & b</description>"
    "<item><title>One &#x2019; &#146; &#226;&#128;&#166;</title>"
    "<link>/one</link><description><![CDATA[<p>x & y ]] ]]></description>"
    "<!-- comment & < --><dc:creator>Ann</dc:creator>"
    "<pubDate>Thu, 05 Sep 2024 14:30:00 EDT</pubDate>"
    "<category>a</category><enclosure url=\"e.mp3\" length=\"12\" "
    "type=\"audio/mpeg\"/><guid>http://example.org/g1</guid></item>"
    "<item><title>Two \x01 &#1; <b>bold</b> a < b</title></item>"
    "</channel></rss>\n<p>junk after the root</p>";

static const char atom_doc[] =
    "\xef\xbb\xbf<feed xmlns=\"http://www.w3.org/2005/Atom\" "
    "xml:base=\"http://example.org/blog/\">"
    "<title type=\"html\">A &lt;b&gt;blog&lt;/b&gt;</title>"
    "<author><name>Bea</name></author><id>urn:x</id>"
    "<updated>2024-09-05T14:30:00+02:00</updated>"
    "<entry xml:base=\"2024/\"><title>E1</title><link href=\"e1.html\"/>"
    "<id>urn:e1</id><content type=\"xhtml\"><div "
    "xmlns=\"http://www.w3.org/1999/xhtml\"><p class=\"a\">Hi <br/>"
    "&amp; &eacute;</p></div></content>"
    "<link rel=\"enclosure\" href=\"a.ogg\" length=\"5\"/></entry>"
    "</feed>";

static void
test_chunking(void **state UNUSED)
{
	static const struct {
		const char	*doc;
		size_t		 len;
	} docs[] = {
		{ rss_doc, sizeof rss_doc - 1 },
		{ atom_doc, sizeof atom_doc - 1 },
		{ "\xff\xfe<\0r\0s\0s\0>\0<\0c\0h\0a\0n\0n\0e\0l\0>\0"
		    "<\0t\0i\0t\0l\0e\0>\0\xe9\0<\0/\0t\0i\0t\0l\0e\0>\0"
		    "<\0/\0c\0h\0a\0n\0n\0e\0l\0>\0<\0/\0r\0s\0s\0>\0", 82 },
		{ "<rss><channel><title>T</title><item><description>a<br>b"
		    "<HR \n>c<br></br>d<b>e</b>f<br/></description></item>"
		    "</channel></rss>", 123 },
		{ "{\"version\": \"https://jsonfeed.org/version/1.1\", "
		    "\"title\": \"J\", \"items\": [{\"id\": 1, \"url\": \"/a\", "
		    "\"content_html\": \"<p>x</p>\"}]}", 117 },
	};
	size_t	 i, chunk;
	char	*whole, *part;

	for (i = 0; i < nitems(docs); i++) {
		whole = parse_all(docs[i].doc, docs[i].len);
		for (chunk = 1; chunk <= 13; chunk += 3) {
			part = parse(docs[i].doc, docs[i].len, chunk, NULL,
			    0, 0, 0);
			if (strcmp(whole, part) != 0)
				fail_msg("doc %zu in %zu-byte chunks:\n%s\n"
				    "whole:\n%s", i, chunk, part, whole);
			free(part);
		}
		free(whole);
	}
}

static void
test_repairs(void **state UNUSED)
{
	char	*s;

	s = parse_all(rss_doc, sizeof rss_doc - 1);
	assert_non_null(strstr(s, "\"error\": null"));
	assert_non_null(strstr(s, "Caf\xc3\xa9 & bar\xc2\xa0\xe2\x80\x94 "
	    "news"));
	assert_non_null(strstr(s, "\"a & b\""));
	/* &#146; is windows-1252's quote; the UTF-8 bytes as references
	 * are the ellipsis they spell. */
	assert_non_null(strstr(s, "One \xe2\x80\x99 \xe2\x80\x99 "
	    "\xe2\x80\xa6"));
	assert_non_null(strstr(s, "\"<p>x & y ]]\""));
	/* Markup in a title: its text is markup's text, escaped. */
	assert_non_null(strstr(s, "\"Two   <b>bold</b> a &lt; b\""));
	assert_non_null(strstr(s, "\"published\": \"2024-09-05T18:30:00Z\""));
	assert_non_null(strstr(s, "\"http://example.org/e.mp3\""));
	free(s);

	s = parse_all(atom_doc, sizeof atom_doc - 1);
	assert_non_null(strstr(s, "\"link\": "
	    "\"http://example.org/blog/2024/e1.html\""));
	assert_non_null(strstr(s, "\"content\": \"<p class=\\\"a\\\">Hi "
	    "<br />&amp; \xc3\xa9</p>\""));
	assert_non_null(strstr(s, "\"author\": \"Bea\""));
	assert_non_null(strstr(s, "\"url\": \"http://example.org/blog/2024/"
	    "a.ogg\""));
	free(s);
}

static void
test_entity_bomb(void **state UNUSED)
{
	static const char *levels =
	    "<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">"
	    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
	    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
	    "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">"
	    "<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">"
	    "<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">"
	    "<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">";
	char	*doc, *s;

	/* 48 * 16^6 bytes: 800 MB if expanded. */
	if (asprintf(&doc, "<?xml version=\"1.0\"?><!DOCTYPE rss [%s]>"
	    "<rss version=\"2.0\"><channel><title>&g;</title></channel>"
	    "</rss>", levels) == -1)
		fail();
	s = parse_all(doc, strlen(doc));
	if (strstr(s, "amplification") == NULL)
		fail_msg("entity bomb not stopped: %.300s", s);
	free(s);
	free(doc);
}

static void
test_external_entity(void **state UNUSED)
{
	static const char doc[] =
	    "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY x SYSTEM "
	    "\"file:///etc/passwd\"><!ENTITY % p SYSTEM \"file:///etc/passwd\">"
	    "%p;]><rss version=\"2.0\"><channel><title>a&x;b</title>"
	    "</channel></rss>";
	static const char doc2[] =
	    "<!DOCTYPE rss SYSTEM \"file:///etc/passwd\"><rss version=\"2.0\">"
	    "<channel><title>t&nbsp;</title></channel></rss>";
	char	*s;

	s = parse_all(doc, sizeof doc - 1);
	assert_null(strstr(s, "root:"));
	free(s);
	s = parse_all(doc2, sizeof doc2 - 1);
	assert_null(strstr(s, "root:"));
	assert_non_null(strstr(s, "\"title\": \"t\xc2\xa0\""));
	free(s);
}

static void
test_limits(void **state UNUSED)
{
	char	*doc, *s, *p;
	size_t	 i, len = 0;

	/* Depth. */
	doc = malloc(100000);
	len = 0;
	len += sprintf(doc + len, "<rss><channel>");
	for (i = 0; i < 5000; i++)
		len += sprintf(doc + len, "<x>");
	s = parse(doc, len, 4096, NULL, 0, 0, 0);
	assert_non_null(strstr(s, "nested deeper than 256"));
	free(s);

	/* Items: those before the limit are kept. */
	len = sprintf(doc, "<rss><channel>");
	for (i = 0; i < 20; i++)
		len += sprintf(doc + len, "<item><title>%zu</title></item>", i);
	len += sprintf(doc + len, "</channel></rss>");
	s = parse(doc, len, 4096, NULL, 0, 0, 10);
	assert_non_null(strstr(s, "more than 10 items"));
	assert_non_null(strstr(s, "\"title\": \"9\""));
	assert_null(strstr(s, "\"title\": \"10\""));
	free(s);

	/* Text. */
	len = sprintf(doc, "<rss><channel><title>");
	for (i = 0; i < 2000; i++)
		len += sprintf(doc + len, "0123456789");
	len += sprintf(doc + len, "</title></channel></rss>");
	s = parse(doc, len, 4096, NULL, 0, 1000, 0);
	assert_non_null(strstr(s, "text longer than 1000 bytes"));
	free(s);
	p = parse(doc, len, 4096, NULL, 0, 0, 0);
	assert_non_null(strstr(p, "\"error\": null"));
	free(p);
	free(doc);
}

static void
test_errors(void **state UNUSED)
{
	static const char broken[] =
	    "<rss version=\"2.0\"><channel><item><title>one</title></item>\n"
	    "<item><title>two</b></title></item><item><title>three</title>"
	    "</item></channel></rss>";
	static const char *notfeeds[] = {
		"",
		"   \n ",
		"<!DOCTYPE html>\n<html lang=en><body><p>Login",
		"<html><head><title>x</title></head></html>",
		"<?xml version=\"1.0\"?><opml version=\"2.0\"></opml>",
		"{\"not\": \"a json feed\"}",
		"plain text",
	};
	char	*s;
	size_t	 i;

	s = parse_all(broken, sizeof broken - 1);
	assert_non_null(strstr(s, "\"error\": \"2:19: mismatched tag\""));
	assert_non_null(strstr(s, "\"title\": \"one\""));
	assert_null(strstr(s, "\"title\": \"two\""));
	free(s);
	for (i = 0; i < nitems(notfeeds); i++) {
		s = parse_all(notfeeds[i], strlen(notfeeds[i]));
		if (strstr(s, "not a feed\"") == NULL ||
		    strstr(s, "\"items\": []") == NULL ||
		    strstr(s, "\"format\": null") == NULL)
			fail_msg("'%s': %s", notfeeds[i], s);
		free(s);
	}
}

static void
test_charsets(void **state UNUSED)
{
	static const char cp1251[] =
	    "<?xml version=\"1.0\" encoding=\"windows-1251\"?><rss><channel>"
	    "<title>\xcd\xee\xe2\xee\xf1\xf2\xe8</title></channel></rss>";
	static const char latin1_as_utf8[] =
	    "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss><channel>"
	    "<title>caf\xe9</title></channel></rss>";
	static const char koi8[] =
	    "<rss><channel><title>\xee\xcf\xd7\xcf\xd3\xd4\xc9</title>"
	    "</channel></rss>";
	char	*s;

	s = parse_all(cp1251, sizeof cp1251 - 1);
	assert_non_null(strstr(s, "\"encoding\": \"windows-1251\""));
	assert_non_null(strstr(s, "\"title\": \"\xd0\x9d\xd0\xbe\xd0\xb2"
	    "\xd0\xbe\xd1\x81\xd1\x82\xd0\xb8\""));
	free(s);
	/* Declared UTF-8, but it is not: windows-1252. */
	s = parse_all(latin1_as_utf8, sizeof latin1_as_utf8 - 1);
	assert_non_null(strstr(s, "\"encoding\": \"windows-1252\""));
	assert_non_null(strstr(s, "\"title\": \"caf\xc3\xa9\""));
	free(s);
	/* The charset from outside wins over the bytes' own guess. */
	s = parse(koi8, sizeof koi8 - 1, 4096, "KOI8-R", 0, 0, 0);
	assert_non_null(strstr(s, "\"encoding\": \"koi8-r\""));
	assert_non_null(strstr(s, "\"title\": \"\xd0\x9d\xd0\xbe\xd0\xb2"
	    "\xd0\xbe\xd1\x81\xd1\x82\xd0\xb8\""));
	free(s);
}

/*
 * UTF-8 at every alignment against the scan's blocks: valid sequences of
 * two, three and four bytes pass unchanged, C1 controls are read as
 * windows-1252, U+FFFE goes, and stray bytes (after the first 64 KiB, the
 * document having been read as UTF-8) are windows-1252, in text and in
 * CDATA alike, whatever the chunks.
 */
static void
test_utf8_mix(void **state UNUSED)
{
	static const struct {
		const char	*in, *out;
		int		 valid;
	} tok[] = {
		{ "\xc3\xa9", "\xc3\xa9", 1 },		/* é */
		{ "\xd0\x96", "\xd0\x96", 1 },		/* Ж */
		{ "\xe2\x80\x94", "\xe2\x80\x94", 1 },	/* em dash */
		{ "\xe1\x83\x90", "\xe1\x83\x90", 1 },	/* Georgian an */
		{ "\xe6\x97\xa5", "\xe6\x97\xa5", 1 },	/* CJK */
		{ "\xef\xbc\x8c", "\xef\xbc\x8c", 1 },	/* fullwidth comma */
		{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", 1 },	/* emoji */
		{ "\xc2\x85", "\xe2\x80\xa6", 1 },	/* C1 NEL: ellipsis */
		{ "\xef\xbf\xbe", "", 1 },		/* U+FFFE */
		{ "\xe9", "\xc3\xa9", 0 },		/* windows-1252 é */
		{ "\xff", "\xc3\xbf", 0 },
		{ "\x80", "\xe2\x82\xac", 0 },		/* euro sign */
	};
	struct buf	 doc, in, want[2];
	json_t		*o, *items, *it;
	char		*res;
	const char	*got;
	size_t		 k, chunk, run;
	unsigned int	 seed = 1;
	int		 t, part, f;

	buf_init(&doc);
	buf_init(&in);
	buf_adds(&doc, "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
	    "<rss><channel>");
	for (part = 0; part < 2; part++) {
		/* Part 0, valid throughout and longer than 64 KiB, makes
		 * the document UTF-8; part 1 has stray bytes too. */
		buf_clear(&in);
		buf_init(&want[part]);
		buf_adds(&in, "x");
		buf_adds(&want[part], "x");
		while (want[part].len < 70000) {
			seed = seed * 1103515245 + 12345;
			run = (seed >> 16) % 40;
			for (k = 0; k < run; k++) {
				buf_addc(&in, (char)('a' + k % 26));
				buf_addc(&want[part], (char)('a' + k % 26));
			}
			do {
				seed = seed * 1103515245 + 12345;
				t = (int)((seed >> 16) % nitems(tok));
			} while (part == 0 && !tok[t].valid);
			buf_adds(&in, tok[t].in);
			buf_adds(&want[part], tok[t].out);
		}
		buf_adds(&in, "x");
		buf_adds(&want[part], "x");
		buf_adds(&doc, "<item><title>");
		buf_add(&doc, in.data, in.len);
		buf_adds(&doc, "</title><description><![CDATA[");
		buf_add(&doc, in.data, in.len);
		buf_adds(&doc, "]]></description></item>");
	}
	buf_adds(&doc, "</channel></rss>");
	for (chunk = 4096; chunk <= 65536; chunk *= 16) {
		res = parse(doc.data, doc.len, chunk, NULL, 0, 0, 0);
		assert_non_null(o = json_loads(res, 0, NULL));
		assert_string_equal(json_string_value(json_object_get(o,
		    "encoding")), "utf-8");
		items = json_object_get(o, "items");
		assert_int_equal(json_array_size(items), 2);
		for (part = 0; part < 2; part++) {
			it = json_array_get(items, (size_t)part);
			for (f = 0; f < 2; f++) {
				got = json_string_value(json_object_get(it,
				    f == 0 ? "title" : "summary"));
				assert_non_null(got);
				if (strcmp(got, want[part].data) != 0)
					fail_msg("part %d, %s, in %zu-byte "
					    "chunks: the text differs", part,
					    f == 0 ? "title" : "summary",
					    chunk);
			}
		}
		json_decref(o);
		free(res);
	}
	buf_release(&want[0]);
	buf_release(&want[1]);
	buf_release(&in);
	buf_release(&doc);
}

/* An enclosure's length is a whole number that fits, or null: never a
 * saturated or guessed one. */
static void
test_lengths(void **state UNUSED)
{
	static const struct {
		const char	*in;
		const char	*want;
	} cases[] = {
		{ "0", "\"length\": 0}" },
		{ " 12\n", "\"length\": 12}" },
		{ "9223372036854775807", "\"length\": 9223372036854775807}" },
		{ "9223372036854775808", "\"length\": null}" },
		{ "99999999999999999999", "\"length\": null}" },
		{ "184467440737095516160", "\"length\": null}" },
		{ "-1", "\"length\": null}" },
		{ "+5", "\"length\": null}" },
		{ "1e3", "\"length\": null}" },
		{ "12 3", "\"length\": null}" },
		{ "", "\"length\": null}" },
	};
	char	*doc, *s;
	size_t	 i;

	for (i = 0; i < nitems(cases); i++) {
		xasprintf(&doc, "<rss version=\"2.0\"><channel><title>T</title>"
		    "<item><enclosure url=\"/a.mp3\" type=\"audio/mpeg\" "
		    "length=\"%s\"/></item></channel></rss>", cases[i].in);
		s = parse_all(doc, strlen(doc));
		if (strstr(s, cases[i].want) == NULL)
			fail_msg("length '%s': %s", cases[i].in, s);
		free(s);
		free(doc);
	}
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_chunking),
		cmocka_unit_test(test_repairs),
		cmocka_unit_test(test_entity_bomb),
		cmocka_unit_test(test_external_entity),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_charsets),
		cmocka_unit_test(test_utf8_mix),
		cmocka_unit_test(test_lengths),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
