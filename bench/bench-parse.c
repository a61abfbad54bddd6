/*
 * Parser throughput: the same feed through feedparse (every handler,
 * charset decoding, repair filter) and through a bare expat pass with no
 * handlers, both fed in 64 KiB chunks from memory: each one's best of
 * several runs, and the median ratio of the two passes of each run.
 * Without a file argument a large RSS 2.0 feed is generated, with the
 * mix real feeds have: escaped HTML descriptions, CDATA content:encoded,
 * categories, enclosures, dates, a few HTML entities.
 *
 *	bench-parse [-n runs] [-p | -x] [FILE]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <expat.h>

#include "buf.h"
#include "feedparse.h"
#include "xmalloc.h"

#define BENCH_CHUNK	65536

static double
bench_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

static void
bench_generate(struct buf *b, int nitems)
{
	int	i, j;

	buf_adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<rss version=\"2.0\" "
	    "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "
	    "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n"
	    "<title>Bench feed</title>\n<link>https://example.org/</link>\n"
	    "<description>A large feed for measuring</description>\n"
	    "<language>en</language>\n");
	for (i = 0; i < nitems; i++) {
		buf_addf(b, "<item>\n<title>Item %d: caf&#233; &amp; "
		    "th&#233;&#226;tre review</title>\n"
		    "<link>https://example.org/2024/09/item-%d.html</link>\n"
		    "<guid isPermaLink=\"false\">tag:example.org,2024:%d</guid>\n"
		    "<pubDate>Thu, 05 Sep 2024 14:%02d:00 +0200</pubDate>\n"
		    "<dc:creator>Jane Writer</dc:creator>\n"
		    "<category>News</category><category>Culture</category>\n",
		    i, i, i, i % 60);
		buf_adds(b, "<description>&lt;p&gt;A summary of the article, "
		    "with &lt;a href=\"https://example.org/x\"&gt;a link"
		    "&lt;/a&gt; and some &lt;em&gt;emphasis&lt;/em&gt;."
		    "&lt;/p&gt;</description>\n<content:encoded><![CDATA[");
		for (j = 0; j < 12; j++)
			buf_adds(b, "<p>Lorem ipsum dolor sit amet, consectetur "
			    "adipiscing elit, sed do eiusmod tempor incididunt "
			    "ut labore et dolore magna aliqua. Ut enim ad "
			    "minim veniam — quis nostrud exercitation “ullamco” "
			    "laboris nisi ut aliquip ex ea commodo.</p>\n");
		buf_addf(b, "]]></content:encoded>\n<enclosure "
		    "url=\"https://example.org/media/%d.mp3\" "
		    "type=\"audio/mpeg\" length=\"%d\"/>\n</item>\n",
		    i, 1000000 + i);
	}
	buf_adds(b, "</channel>\n</rss>\n");
}

static void
bench_item_cb(struct item *it, void *arg)
{
	size_t	*n = arg;

	(*n) += it->title != NULL;
}

static double
bench_feedparse(const char *data, size_t len, size_t *nitems)
{
	struct feedparse	*fp;
	double			 t0;
	size_t			 off, n;

	*nitems = 0;
	t0 = bench_now();
	fp = feedparse_new("https://example.org/feed", NULL, bench_item_cb,
	    nitems);
	for (off = 0; off < len; off += n) {
		n = len - off < BENCH_CHUNK ? len - off : BENCH_CHUNK;
		feedparse_feed(fp, data + off, n);
	}
	if (feedparse_finish(fp) == -1) {
		fprintf(stderr, "bench-parse: %s\n", feedparse_error(fp));
		exit(1);
	}
	feedparse_free(fp);
	return (bench_now() - t0);
}

static double
bench_expat(const char *data, size_t len)
{
	XML_Parser	 xp;
	double		 t0;
	size_t		 off, n;

	t0 = bench_now();
	xp = XML_ParserCreate(NULL);
	for (off = 0; off < len; off += n) {
		n = len - off < BENCH_CHUNK ? len - off : BENCH_CHUNK;
		if (XML_Parse(xp, data + off, (int)n, 0) == XML_STATUS_ERROR)
			break;
	}
	if (XML_Parse(xp, "", 0, 1) == XML_STATUS_ERROR) {
		fprintf(stderr, "bench-parse: expat: %s\n",
		    XML_ErrorString(XML_GetErrorCode(xp)));
		exit(1);
	}
	XML_ParserFree(xp);
	return (bench_now() - t0);
}

static int
bench_cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

int
main(int argc, char **argv)
{
	struct buf	 doc;
	FILE		*f;
	char		 chunk[BENCH_CHUNK];
	size_t		 n, nitems = 0;
	double		 best_fp = 1e9, best_x = 1e9, tx, tp, mb;
	double		*ratios;
	int		 ch, runs = 5, i, only = 0;

	while ((ch = getopt(argc, argv, "n:px")) != -1) {
		switch (ch) {
		case 'p':	/* feedparse only, for profiling */
			only = 'p';
			break;
		case 'x':	/* bare expat only */
			only = 'x';
			break;
		case 'n':
			runs = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: bench-parse [-n runs] "
			    "[-p | -x] [FILE]\n");
			return (1);
		}
	}
	buf_init(&doc);
	if (optind < argc) {
		if ((f = fopen(argv[optind], "rb")) == NULL) {
			perror(argv[optind]);
			return (1);
		}
		while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
			buf_add(&doc, chunk, n);
		fclose(f);
	} else
		bench_generate(&doc, 20000);
	mb = doc.len / 1e6;
	if (runs < 1 || (ratios = calloc((size_t)runs, sizeof *ratios)) ==
	    NULL)
		return (1);
	for (i = 0; i < runs; i++) {
		tx = tp = 0;
		if (only != 'p' && (tx = bench_expat(doc.data, doc.len)) <
		    best_x)
			best_x = tx;
		if (only != 'x' && (tp = bench_feedparse(doc.data, doc.len,
		    &nitems)) < best_fp)
			best_fp = tp;
		ratios[i] = tp > 0 ? tx / tp : 0;
	}
	printf("parse: %.1f MB, %zu items, best of %d runs\n", mb, nitems,
	    runs);
	printf("parse: bare expat  %8.1f MB/s\n", mb / best_x);
	printf("parse: feedparse   %8.1f MB/s\n", mb / best_fp);
	/*
	 * The ratio of each run's two passes, made back to back: the
	 * machine's speed changes between runs (a shared host), so the
	 * ratio of two bests can pair a fast moment with a slow one.  The
	 * median of the paired ratios, with their range.
	 */
	qsort(ratios, (size_t)runs, sizeof *ratios, bench_cmp);
	printf("parse: ratio       %8.3f (target >= 0.80; median of %d "
	    "paired runs, %.3f-%.3f)\n", runs % 2 ? ratios[runs / 2] :
	    (ratios[runs / 2 - 1] + ratios[runs / 2]) / 2, runs, ratios[0],
	    ratios[runs - 1]);
	free(ratios);
	buf_release(&doc);
	return (0);
}
