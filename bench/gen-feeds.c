/*
 * gen-feeds: write N feeds for the polling benchmark, each an RSS 2.0
 * document shaped like the ones WordPress serves (the commonest kind of feed
 * in the wild): plain-text titles, dc:creator, several categories, a
 * permalink-free guid, an excerpt in description and the whole post as HTML
 * in content:encoded.  Text comes from a seeded generator, so the same N
 * gives the same files and every feed and item differs from the others.
 *
 * usage: gen-feeds [-n FEEDS] [-i ITEMS] [-s BYTES] DIR
 *
 * writes DIR/feed-00001.xml ... with about BYTES bytes (default 87000)
 * and ITEMS items (default 20) each.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "xmalloc.h"

static uint64_t	gen_state;

static const char *gen_words[] = {
	"the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as",
	"was", "with", "be", "by", "on", "not", "he", "this", "are", "or",
	"his", "from", "at", "which", "but", "have", "an", "had", "they",
	"you", "were", "their", "one", "all", "we", "can", "her", "has",
	"there", "been", "if", "more", "when", "will", "would", "who", "so",
	"government", "council", "minister", "election", "market", "energy",
	"water", "river", "village", "school", "hospital", "budget", "reform",
	"agreement", "border", "festival", "museum", "railway", "harvest",
	"parliament", "court", "report", "season", "winter", "summer",
	"mountain", "coast", "bridge", "football", "concert", "exhibition",
	"research", "university", "students", "farmers", "workers", "prices",
	"inflation", "exports", "tourism", "heritage", "language", "poetry",
	"journalists", "investigation", "protest", "community", "regional",
	"national", "international", "officials", "announced", "according",
	"reported", "confirmed", "discussed", "proposed", "opened", "closed",
	"increased", "decreased", "million", "thousand", "percent", "week",
	"yesterday", "Tuesday", "Thursday", "morning", "evening", "capital",
	"province", "district", "city", "neighbourhood", "residents", "local",
	"new", "old", "first", "last", "major", "small", "recent", "public",
	"private", "digital", "climate", "drought", "flood", "storm", "road",
	"airport", "port", "trade", "talks", "summit", "delegation", "visit",
	"history", "culture", "art", "film", "book", "award", "prize",
	"director", "president", "mayor", "teacher", "doctor", "engineer",
};

static const char *gen_topics[] = {
	"Politics", "Economy", "Society", "Culture", "Sport", "Environment",
	"Education", "Health", "Technology", "Opinion", "Region", "World",
	"Energy", "Transport", "Tourism", "Media", "Science", "History",
	"Agriculture", "Law", "Human rights", "Elections", "Business",
	"Features", "Interviews", "Analysis", "Photo", "Video", "Local news",
	"Diaspora",
};

static const char *gen_authors[] = {
	"Ana Kovač", "Giorgi Beridze", "Leyla Mammadova", "Tigran Petrosyan",
	"Maria Ionescu", "Oleksandr Shevchenko", "Nino Kapanadze",
	"Emil Novak", "Sofia Papadopoulou", "Jan Horák", "Elif Yılmaz",
	"Ivan Petrov", "Katarzyna Nowak", "Dimitar Georgiev", "Aida Hasanova",
	"Lukas Meier", "Chloé Martin", "Mateo García", "Sara Ahmadi",
	"Admin",
};

#define GEN_NWORDS	(sizeof gen_words / sizeof gen_words[0])
#define GEN_NTOPICS	(sizeof gen_topics / sizeof gen_topics[0])
#define GEN_NAUTHORS	(sizeof gen_authors / sizeof gen_authors[0])

static void
gen_usage(void)
{
	fprintf(stderr, "usage: gen-feeds [-n FEEDS] [-i ITEMS] [-s BYTES] "
	    "DIR\n");
	exit(2);
}

/* xorshift64*: fast, and the same sequence on every machine. */
static uint32_t
gen_rand(uint32_t n)
{
	gen_state ^= gen_state >> 12;
	gen_state ^= gen_state << 25;
	gen_state ^= gen_state >> 27;
	return ((uint32_t)((gen_state * 0x2545F4914F6CDD1DULL) >> 32) % n);
}

static const char *
gen_word(void)
{
	return (gen_words[gen_rand(GEN_NWORDS)]);
}

static void
gen_title(struct buf *b, int words)
{
	const char	*w;
	int		 i;

	for (i = 0; i < words; i++) {
		w = gen_word();
		if (i == 0)
			buf_addf(b, "%c%s", w[0] >= 'a' && w[0] <= 'z' ?
			    w[0] - 'a' + 'A' : w[0], w + 1);
		else
			buf_addf(b, " %s", w);
	}
}

static void
gen_slug(struct buf *b, int words)
{
	int	i;

	for (i = 0; i < words; i++)
		buf_addf(b, "%s%s", i > 0 ? "-" : "", gen_word());
}

/* A paragraph of running text with the markup and entities posts carry. */
static void
gen_paragraph(struct buf *b, unsigned feed)
{
	int	 i, n = 40 + gen_rand(60);

	buf_adds(b, "<p>");
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(b, ' ');
		switch (gen_rand(40)) {
		case 0:
			buf_addf(b, "<a href=\"https://blog%05u.example.com/"
			    "%u/\">%s %s</a>", feed, gen_rand(100000),
			    gen_word(), gen_word());
			break;
		case 1:
			buf_addf(b, "<strong>%s</strong>", gen_word());
			break;
		case 2:
			buf_addf(b, "<em>%s</em>", gen_word());
			break;
		case 3:
			buf_addf(b, "&#8220;%s&#8221;", gen_word());
			break;
		case 4:
			buf_addf(b, "%s&#8217;s", gen_word());
			break;
		case 5:
			buf_adds(b, "&amp;");
			break;
		default:
			buf_adds(b, gen_word());
			break;
		}
		if (gen_rand(12) == 0)
			buf_adds(b, gen_rand(3) == 0 ? "." : ",");
	}
	buf_adds(b, ".</p>\n");
}

static void
gen_date(struct buf *b, time_t t)
{
	struct tm	tm;
	char		s[64];

	gmtime_r(&t, &tm);
	strftime(s, sizeof s, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	buf_adds(b, s);
}

static void
gen_feed(struct buf *b, unsigned feed, int items, size_t size)
{
	struct buf	 content, title, slug;
	time_t		 t = 1725500000 - (time_t)gen_rand(86400 * 3);
	size_t		 per_item, want;
	unsigned	 post = 1000 + gen_rand(50000);
	int		 i, j, ncat;

	buf_init(&content);
	buf_init(&title);
	buf_init(&slug);
	buf_clear(b);
	gen_title(&title, 2 + gen_rand(3));
	buf_addf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "<rss version=\"2.0\"\n"
	    "\txmlns:content=\"http://purl.org/rss/1.0/modules/content/\"\n"
	    "\txmlns:wfw=\"http://wellformedweb.org/CommentAPI/\"\n"
	    "\txmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
	    "\txmlns:atom=\"http://www.w3.org/2005/Atom\"\n"
	    "\txmlns:sy=\"http://purl.org/rss/1.0/modules/syndication/\"\n"
	    "\txmlns:slash=\"http://purl.org/rss/1.0/modules/slash/\"\n"
	    "\t>\n\n<channel>\n"
	    "\t<title>%s &#8211; Blog %u</title>\n"
	    "\t<atom:link href=\"https://blog%05u.example.com/feed/\" "
	    "rel=\"self\" type=\"application/rss+xml\" />\n"
	    "\t<link>https://blog%05u.example.com</link>\n"
	    "\t<description>News and views from blog %u</description>\n"
	    "\t<lastBuildDate>", title.data, feed, feed, feed, feed);
	gen_date(b, t);
	buf_adds(b, "</lastBuildDate>\n\t<language>en-US</language>\n"
	    "\t<sy:updatePeriod>\n\thourly\t</sy:updatePeriod>\n"
	    "\t<sy:updateFrequency>\n\t1\t</sy:updateFrequency>\n"
	    "\t<generator>https://wordpress.org/?v=6.6.1</generator>\n");

	per_item = size > b->len ? (size - b->len) / items : 1024;
	for (i = 0; i < items; i++) {
		buf_clear(&title);
		buf_clear(&slug);
		buf_clear(&content);
		gen_title(&title, 4 + gen_rand(8));
		gen_slug(&slug, 3 + gen_rand(4));
		/* Post lengths vary; the feed's total stays near size. */
		want = per_item > 2400 ? per_item - 1750 + gen_rand(600) : 1;
		while (content.len < want)
			gen_paragraph(&content, feed);
		post -= 1 + gen_rand(40);
		t -= 600 + gen_rand(7200);
		buf_addf(b, "\t<item>\n\t\t<title>%s</title>\n"
		    "\t\t<link>https://blog%05u.example.com/%s/</link>\n"
		    "\t\t<comments>https://blog%05u.example.com/%s/#respond"
		    "</comments>\n\t\t<dc:creator><![CDATA[%s]]></dc:creator>\n"
		    "\t\t<pubDate>", title.data, feed, slug.data, feed,
		    slug.data, gen_authors[gen_rand(GEN_NAUTHORS)]);
		gen_date(b, t);
		buf_adds(b, "</pubDate>\n");
		ncat = 1 + gen_rand(4);
		for (j = 0; j < ncat; j++)
			buf_addf(b, "\t\t<category><![CDATA[%s]]></category>\n",
			    gen_topics[gen_rand(GEN_NTOPICS)]);
		buf_addf(b, "\n\t\t<guid isPermaLink=\"false\">"
		    "https://blog%05u.example.com/?p=%u</guid>\n"
		    "\t\t<description><![CDATA[", feed, post);
		/* The excerpt: the post's start, cut as WordPress cuts it. */
		buf_add(b, content.data + 3, content.len > 400 ? 300 :
		    content.len / 2);
		buf_addf(b, " [&#8230;]]]></description>\n"
		    "\t\t<content:encoded><![CDATA[%s]]></content:encoded>\n"
		    "\t\t<wfw:commentRss>https://blog%05u.example.com/%s/feed/"
		    "</wfw:commentRss>\n\t\t<slash:comments>%u</slash:comments>\n"
		    "\t</item>\n", content.data, feed, slug.data, gen_rand(30));
	}
	buf_adds(b, "</channel>\n</rss>\n");
	buf_release(&content);
	buf_release(&title);
	buf_release(&slug);
}

int
main(int argc, char **argv)
{
	struct buf	 b;
	FILE		*f;
	char		*path, *end;
	unsigned long	 feeds = 10000, items = 20, size = 87000, i;
	int		 ch;

	log_init("gen-feeds", 0, 0);
	while ((ch = getopt(argc, argv, "i:n:s:")) != -1) {
		switch (ch) {
		case 'i':
			items = strtoul(optarg, &end, 10);
			if (*end != '\0' || items == 0)
				gen_usage();
			break;
		case 'n':
			feeds = strtoul(optarg, &end, 10);
			if (*end != '\0' || feeds == 0)
				gen_usage();
			break;
		case 's':
			size = strtoul(optarg, &end, 10);
			if (*end != '\0')
				gen_usage();
			break;
		default:
			gen_usage();
		}
	}
	if (argc - optind != 1)
		gen_usage();

	buf_init(&b);
	for (i = 1; i <= feeds; i++) {
		gen_state = 0x9E3779B97F4A7C15ULL * i + 1;
		gen_feed(&b, i, items, size);
		xasprintf(&path, "%s/feed-%05lu.xml", argv[optind], i);
		if ((f = fopen(path, "w")) == NULL)
			fatal("cannot create %s", path);
		if (fwrite(b.data, 1, b.len, f) != b.len || fclose(f) == EOF)
			fatal("cannot write %s", path);
		free(path);
	}
	buf_release(&b);
	return (0);
}
