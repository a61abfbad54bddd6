/*
 * The streaming feed parser.  Bytes go through three stages: the first
 * 64 KiB are held to choose the charset (byte-order mark; UTF-8 for text
 * that is valid UTF-8 throughout; then the charset given from outside,
 * then the XML declaration, then UTF-8, each only if the bytes are valid
 * in it, else windows-1252, or windows-1251 or KOI8-R for plainly
 * Cyrillic text); everything is decoded to
 * UTF-8 (charset.c) and passed through a small repair filter for the
 * breakage real feeds have (bare '&' and '<', control characters, junk
 * before the root); expat then reads it as UTF-8 and the handlers here map
 * elements of RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 to items.  JSON Feed,
 * sniffed from a leading '{', is read with jansson at the end.
 *
 * Memory: the charset window, expat's buffer (the largest token) and the
 * item being built; each item is handed to the callback when it closes and
 * then cleared.  No DTD or external entity is ever read: parameter entity
 * parsing is off, no external entity handler is installed, and expat's
 * amplification limits stop entity bombs.  HTML entities undefined in XML
 * (&nbsp;) are turned into their characters by the repair filter, in
 * attribute values too; names HTML lacks come through the skipped-entity
 * handler, which expat calls once told to assume a foreign DTD it never
 * loads, and stay as written.
 */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

/* Debian builds expat with DTD support; the header hides its
 * amplification limits unless told. */
#ifndef XML_DTD
#define XML_DTD
#endif
#include <expat.h>
#include <jansson.h>

#include "buf.h"
#include "charset.h"
#include "entities.h"
#include "feedparse.h"
#include "log.h"
#include "timefmt.h"
#include "uri.h"
#include "xmalloc.h"

/* How many bytes are held to choose the charset. */
#define FEEDPARSE_WINDOW	(64 * 1024)
/* The repair filter looks this far ahead of what it passes on. */
#define FEEDPARSE_LOOKAHEAD	48
/* Default limits: far beyond any real feed, near enough to stop a hostile
 * document early. */
#define FEEDPARSE_MAX_DEPTH	256
#define FEEDPARSE_MAX_TEXT	(8 * 1024 * 1024)
#define FEEDPARSE_MAX_ITEMS	100000
/* Captured text from this long on is handed over rather than copied. */
#define FEEDPARSE_TAKE_MIN	256
/* JSON is read whole; the daemon's max_feed_size caps what reaches here,
 * this is only the parser's own backstop. */
#define FEEDPARSE_MAX_JSON	(64 * 1024 * 1024)

enum feedparse_stage {
	STAGE_SNIFF,
	STAGE_XML,
	STAGE_JSON,
	STAGE_DONE,
};

/* Namespaces that carry fields.  NS_NONE is RSS 0.9x/2.0's null namespace
 * and, in an Atom feed without xmlns, Atom's. */
enum feedparse_ns {
	NS_NONE,
	NS_RSS090,
	NS_RSS10,
	NS_RDF,
	NS_ATOM10,
	NS_ATOM03,
	NS_CONTENT,
	NS_DC,
	NS_DCTERMS,
	NS_MEDIA,
	NS_ITUNES,
	NS_XHTML,
	NS_SY,
	NS_XML,
	NS_OTHER,
};

/* What an open element is, and so what its children mean. */
enum feedparse_role {
	ROLE_IGNORE,
	ROLE_DOC,	/* <rss>, <rdf:RDF>: holds a channel and maybe items */
	ROLE_FEED,	/* <channel>, <feed> */
	ROLE_ITEM,	/* <item>, <entry> */
	ROLE_AUTHOR,	/* Atom person construct */
	ROLE_SOURCE,	/* Atom <source> in an entry */
	ROLE_MGROUP,	/* media:group */
	ROLE_ICAT,	/* itunes:category, which nests */
	ROLE_CAPTURE,	/* text being read */
};

/* The element names the handlers test, found once per start tag; matched
 * without regard to case, as feeds spell them every way. */
enum feedparse_elem {
	E_OTHER,
	E_AUTHOR,
	E_BODY,
	E_CATEGORY,
	E_CHANNEL,
	E_CONTENT,
	E_CONTRIBUTOR,
	E_CREATOR,
	E_DATE,
	E_DESCRIPTION,
	E_DIV,
	E_EMAIL,
	E_ENCLOSURE,
	E_ENCODED,
	E_ENTRY,
	E_FEED,
	E_FULLITEM,
	E_GROUP,
	E_GUID,
	E_ID,
	E_IDENTIFIER,
	E_ISSUED,
	E_ITEM,
	E_LANGUAGE,
	E_LASTBUILDDATE,
	E_LINK,
	E_MANAGINGEDITOR,
	E_MODIFIED,
	E_NAME,
	E_PUBDATE,
	E_PUBLISHED,
	E_RDF,
	E_RSS,
	E_SOURCE,
	E_SUBJECT,
	E_SUBTITLE,
	E_SUMMARY,
	E_TAGLINE,
	E_TITLE,
	E_TTL,
	E_UPDATED,
	E_UPDATEFREQUENCY,
	E_UPDATEPERIOD,
};

enum feedparse_field {
	F_TITLE,
	F_LINK,
	F_SUMMARY,
	F_SUMMARY_OR_CONTENT,	/* RSS <description> and <summary> */
	F_CONTENT,
	F_GUID,
	F_AUTHOR,
	F_PUBLISHED,
	F_UPDATED,
	F_SUBTITLE,
	F_ID,
	F_LANGUAGE,
	F_CATEGORY,
	F_TTL,
	F_SY_PERIOD,
	F_SY_FREQ,
	F_NAME,		/* in a person construct */
	F_EMAIL,
	F_MAX
};

enum feedparse_target {
	T_FEED,
	T_ITEM,
	T_PERSON,
};

enum feedparse_mode {
	MODE_TEXT,	/* character data as decoded */
	MODE_XHTML,	/* markup: children re-serialised, text escaped */
	MODE_BASE64,	/* Atom 0.3 mode="base64" */
};

enum feedparse_filter {
	FILTER_TEXT,
	FILTER_CDATA,
	FILTER_COMMENT,
	FILTER_PI,
};

struct feedparse_frame {
	enum feedparse_role	 role;
	char			*base;	/* xml:base in effect */
	int			 own_base;
	size_t			 nns;	/* namespace bindings below this one */
};

struct feedparse_ns_bind {
	char			*prefix;
	size_t			 len;
	enum feedparse_ns	 ns;
};

struct feedparse {
	char			*base;
	char			*charset;
	feedparse_item_cb	 cb;
	void			*arg;
	size_t			 max_depth;
	size_t			 max_text;
	size_t			 max_items;

	enum feedparse_stage	 stage;
	struct buf		 window;	/* bytes before the charset */
	struct charset_dec	*dec;
	char			*encoding;
	struct buf		 decoded;	/* UTF-8 the filter left over */
	int			 raw_utf8;	/* the input needs no decoding */
	struct buf		 converted;	/* the input decoded to UTF-8 */
	struct buf		 numref;	/* a reference the filter repairs */
	int			 final_sent;	/* expat has had the end */
	enum feedparse_filter	 filter;
	int			 started;	/* first '<' seen */
	unsigned long		 skipped_lines;
	XML_Parser		 xp;
	struct buf		 json;

	const char		*format;
	char			*error;
	int			 failed;
	int			 root_seen;
	int			 root_closed;
	int			 looks_html;
	int			 is_atom;

	struct feed_meta	 meta;
	int			 meta_prio[F_MAX];
	struct item		 item;
	int			 item_prio[F_MAX];
	int			 in_item;
	int			 guid_permalink;
	size_t			 nitems;
	char			*source_author;
	char			*person_name;
	char			*person_email;
	enum feedparse_target	 person_target;

	struct feedparse_frame	*stack;
	size_t			 depth;
	size_t			 stack_size;
	struct feedparse_ns_bind *ns;
	size_t			 nns;
	size_t			 ns_size;

	/* The element whose text is being read. */
	int			 capturing;
	size_t			 cap_depth;
	enum feedparse_field	 cap_field;
	enum feedparse_target	 cap_target;
	int			 cap_prio;
	enum feedparse_mode	 cap_mode;
	int			 cap_drop_div;	/* Atom xhtml wrapper */
	size_t			 cap_div_depth;
	int			 cap_open;	/* a start tag awaits its '>' */
	const char		*cap_base;
	struct buf		 text;
};

static const struct {
	const char		*uri;
	enum feedparse_ns	 ns;
} feedparse_uris[] = {
	{ "http://www.w3.org/2005/Atom", NS_ATOM10 },
	{ "http://purl.org/atom/ns#", NS_ATOM03 },
	{ "http://purl.org/rss/1.0/", NS_RSS10 },
	{ "http://my.netscape.com/rdf/simple/0.9/", NS_RSS090 },
	{ "http://www.w3.org/1999/02/22-rdf-syntax-ns#", NS_RDF },
	{ "http://purl.org/rss/1.0/modules/content/", NS_CONTENT },
	{ "http://purl.org/dc/elements/1.1/", NS_DC },
	{ "http://purl.org/dc/terms/", NS_DCTERMS },
	{ "http://search.yahoo.com/mrss/", NS_MEDIA },
	{ "http://search.yahoo.com/mrss", NS_MEDIA },
	{ "http://www.itunes.com/dtds/podcast-1.0.dtd", NS_ITUNES },
	{ "http://www.w3.org/1999/xhtml", NS_XHTML },
	{ "http://purl.org/rss/1.0/modules/syndication/", NS_SY },
	{ "http://www.w3.org/XML/1998/namespace", NS_XML },
	/* RSS 2.0's namespace of a while, which some feeds still declare. */
	{ "http://backend.userland.com/rss2", NS_NONE },
	{ "http://blogs.law.harvard.edu/tech/rss", NS_NONE },
};

/* Prefixes used without a declaration, which a strict reader would reject;
 * plenty of RSS writes <content:encoded> and never binds content. */
static const struct {
	const char		*prefix;
	enum feedparse_ns	 ns;
} feedparse_prefixes[] = {
	{ "atom", NS_ATOM10 },
	{ "content", NS_CONTENT },
	{ "dc", NS_DC },
	{ "dcterms", NS_DCTERMS },
	{ "media", NS_MEDIA },
	{ "itunes", NS_ITUNES },
	{ "xhtml", NS_XHTML },
	{ "rdf", NS_RDF },
	{ "sy", NS_SY },
	{ "xml", NS_XML },
};

/* Indexed by enum feedparse_elem, in lower case. */
static const struct {
	const char		*name;
	size_t			 len;
} feedparse_elems[] = {
	{ NULL, 0 },
	{ "author", 6 },
	{ "body", 4 },
	{ "category", 8 },
	{ "channel", 7 },
	{ "content", 7 },
	{ "contributor", 11 },
	{ "creator", 7 },
	{ "date", 4 },
	{ "description", 11 },
	{ "div", 3 },
	{ "email", 5 },
	{ "enclosure", 9 },
	{ "encoded", 7 },
	{ "entry", 5 },
	{ "feed", 4 },
	{ "fullitem", 8 },
	{ "group", 5 },
	{ "guid", 4 },
	{ "id", 2 },
	{ "identifier", 10 },
	{ "issued", 6 },
	{ "item", 4 },
	{ "language", 8 },
	{ "lastbuilddate", 13 },
	{ "link", 4 },
	{ "managingeditor", 14 },
	{ "modified", 8 },
	{ "name", 4 },
	{ "pubdate", 7 },
	{ "published", 9 },
	{ "rdf", 3 },
	{ "rss", 3 },
	{ "source", 6 },
	{ "subject", 7 },
	{ "subtitle", 8 },
	{ "summary", 7 },
	{ "tagline", 7 },
	{ "title", 5 },
	{ "ttl", 3 },
	{ "updated", 7 },
	{ "updatefrequency", 15 },
	{ "updateperiod", 12 },
};

#if defined(__x86_64__) && defined(__GNUC__)
/* Whether the CPU has AVX2, for the filter's scan. */
static int feedparse_avx2;
#endif

/* The first entry of feedparse_elems for each first letter, 0 for none. */
static unsigned char feedparse_elem_from[256];
/* Bytes with ASCII letters in lower case. */
static unsigned char feedparse_lower[256];

static void	feedparse_special_init(void);
static void	feedparse_text_cb(void *, const XML_Char *, int);
static void	feedparse_fail(struct feedparse *, const char *, ...)
		    PRINTFLIKE(2, 3);

struct feedparse *
feedparse_new(const char *base, const char *charset, feedparse_item_cb cb,
    void *arg)
{
	struct feedparse	*fp;

	fp = xcalloc(1, sizeof *fp);
	fp->base = base != NULL ? xstrdup(base) : NULL;
	fp->charset = charset != NULL ? xstrdup(charset) : NULL;
	fp->cb = cb;
	fp->arg = arg;
	fp->max_depth = FEEDPARSE_MAX_DEPTH;
	fp->max_text = FEEDPARSE_MAX_TEXT;
	fp->max_items = FEEDPARSE_MAX_ITEMS;
	fp->stage = STAGE_SNIFF;
	feedparse_special_init();
	buf_init(&fp->window);
	buf_init(&fp->decoded);
	buf_init(&fp->converted);
	buf_init(&fp->numref);
	buf_init(&fp->json);
	buf_init(&fp->text);
	feed_meta_init(&fp->meta);
	item_init(&fp->item);
	return (fp);
}

void
feedparse_set_limits(struct feedparse *fp, size_t depth, size_t text,
    size_t items)
{
	if (depth != 0)
		fp->max_depth = depth;
	if (text != 0)
		fp->max_text = text;
	if (items != 0)
		fp->max_items = items;
}

/* Free what only the reading needs: expat, the decoder and the buffers
 * (expat's alone grows to the largest chunk given, often the document). */
static void
feedparse_shed(struct feedparse *fp)
{
	if (fp->xp != NULL)
		XML_ParserFree(fp->xp);
	fp->xp = NULL;
	charset_dec_free(fp->dec);
	fp->dec = NULL;
	buf_release(&fp->window);
	buf_release(&fp->decoded);
	buf_release(&fp->converted);
	buf_release(&fp->numref);
	buf_release(&fp->json);
	buf_release(&fp->text);
}

void
feedparse_free(struct feedparse *fp)
{
	size_t	i;

	if (fp == NULL)
		return;
	feedparse_shed(fp);
	for (i = 0; i < fp->depth; i++) {
		if (fp->stack[i].own_base)
			free(fp->stack[i].base);
	}
	free(fp->stack);
	for (i = 0; i < fp->nns; i++)
		free(fp->ns[i].prefix);
	free(fp->ns);
	feed_meta_release(&fp->meta);
	item_release(&fp->item);
	free(fp->source_author);
	free(fp->person_name);
	free(fp->person_email);
	free(fp->encoding);
	free(fp->error);
	free(fp->base);
	free(fp->charset);
	free(fp);
}

const char *
feedparse_format(const struct feedparse *fp)
{
	return (fp->format);
}

const char *
feedparse_encoding(const struct feedparse *fp)
{
	return (fp->encoding != NULL ? fp->encoding : "utf-8");
}

const char *
feedparse_error(const struct feedparse *fp)
{
	return (fp->error);
}

const struct feed_meta *
feedparse_meta(const struct feedparse *fp)
{
	return (&fp->meta);
}

const char *
feedparse_entry_author(const struct feedparse *fp)
{
	return (fp->is_atom ? fp->meta.author : NULL);
}

size_t
feedparse_nitems(const struct feedparse *fp)
{
	return (fp->nitems);
}

/* Record the first fatal error, with expat's position when there is one,
 * and stop reading. */
static void
feedparse_fail(struct feedparse *fp, const char *fmt, ...)
{
	va_list		 ap;
	char		*reason;
	unsigned long	 line = 1, col = 1;

	if (fp->failed)
		return;
	fp->failed = 1;
	va_start(ap, fmt);
	if (vasprintf(&reason, fmt, ap) == -1)
		reason = NULL;
	va_end(ap);
	if (fp->xp != NULL) {
		line = XML_GetCurrentLineNumber(fp->xp) + fp->skipped_lines;
		col = XML_GetCurrentColumnNumber(fp->xp) + 1;
		XML_StopParser(fp->xp, XML_FALSE);
	}
	xasprintf(&fp->error, "%lu:%lu: %s", line, col,
	    reason != NULL ? reason : "out of memory");
	free(reason);
}

/* --- Fields -------------------------------------------------------------- */

/* Set *DST to VAL (taken over) unless it holds a value of higher or equal
 * priority: the first of equals wins, as readers expect. */
static void
feedparse_set(char **dst, int *prio, int newprio, char *val)
{
	if (*dst != NULL && *prio >= newprio) {
		free(val);
		return;
	}
	free(*dst);
	*dst = val;
	*prio = newprio;
}

static void
feedparse_set_time(int64_t *dst, int *prio, int newprio, const char *val)
{
	int64_t	t;

	/* Unlike text, a later date of the same rank replaces an earlier
	 * one: feeds that repeat <updated> mean the last. */
	if (*dst != TIME_NONE && *prio > newprio)
		return;
	if ((t = timefmt_parse(val)) == TIME_NONE)
		return;
	*dst = t;
	*prio = newprio;
}

/* Trim XML white space in place. */
static char *
feedparse_trim(char *s)
{
	size_t	n;
	char	*p = s;

	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	n = strlen(p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' ||
	    p[n - 1] == '\r' || p[n - 1] == '\n'))
		n--;
	if (p != s)
		memmove(s, p, n);
	s[n] = '\0';
	return (s);
}

/* A trimmed copy of the LEN bytes at S. */
static char *
feedparse_trim_copy(const char *s, size_t len)
{
	char	*r;

	while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\r' ||
	    *s == '\n')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	r = xmalloc(len + 1);
	memcpy(r, s, len);
	r[len] = '\0';
	return (r);
}

/* A reference made absolute against BASE; NULL when REF is, or is empty
 * without a base.  An empty one is BASE itself, as xml:base="" wants. */
static char *
feedparse_link(const char *base, const char *ref)
{
	char	*tmp, *r;
	size_t	 n;

	if (ref == NULL)
		return (NULL);
	/* Most links need no trimming: no copy for them. */
	n = strlen(ref);
	if (n > 0 && strchr(" \t\r\n", ref[0]) == NULL &&
	    strchr(" \t\r\n", ref[n - 1]) == NULL)
		return (uri_resolve(base, ref));
	tmp = feedparse_trim(xstrdup(ref));
	if (*tmp == '\0' && base == NULL) {
		free(tmp);
		return (NULL);
	}
	r = uri_resolve(base, tmp);
	free(tmp);
	return (r);
}

/* Whether S is NULL or holds only XML white space. */
static int
feedparse_blank(const char *s)
{
	if (s == NULL)
		return (1);
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	return (*s == '\0');
}

/* A link the feed gave (an item's, an enclosure's), made absolute against
 * BASE; NULL when it is empty.  An empty <link></link> or url="" means no
 * link, not the feed's own address, which is what it would resolve to. */
static char *
feedparse_href(const char *base, const char *ref)
{
	if (feedparse_blank(ref))
		return (NULL);
	return (feedparse_link(base, ref));
}

/*
 * A whole number of bytes (or minutes, or times), with XML white space
 * around it; -1 when S is NULL, holds anything else, or does not fit.
 * strtoll would saturate an overflow to a length no enclosure has, and its
 * locale and errno handling cost more than this loop on a hot path.
 */
static int64_t
feedparse_length(const char *s)
{
	int64_t	v = 0;
	int	d;

	if (s == NULL)
		return (-1);
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	if (*s < '0' || *s > '9')
		return (-1);
	for (; *s >= '0' && *s <= '9'; s++) {
		d = *s - '0';
		if (v > (INT64_MAX - d) / 10)
			return (-1);
		v = v * 10 + d;
	}
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	return (*s == '\0' ? v : -1);
}

static void
feedparse_add_enclosure(struct feedparse *fp, const char *base,
    const char *url, const char *type, const char *length)
{
	char	*u, *t;
	size_t	 i;

	if ((u = feedparse_href(base, url)) == NULL)
		return;
	if (*u == '\0') {
		free(u);
		return;
	}
	/* media:content often repeats the enclosure. */
	for (i = 0; i < fp->item.nenclosures; i++) {
		if (strcmp(fp->item.enclosures[i].url, u) == 0) {
			free(u);
			return;
		}
	}
	/* type="" gives no type. */
	t = feedparse_blank(type) ? NULL : feedparse_trim(xstrdup(type));
	item_add_enclosure(&fp->item, u, t, feedparse_length(length));
	free(t);
	free(u);
}

/* Decode base64 in place (Atom 0.3 mode="base64"); stops at the first
 * character outside the alphabet. */
static void
feedparse_base64(struct buf *b)
{
	static const char	*alpha =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char		*p;
	size_t			 i, o = 0;
	unsigned int		 acc = 0;
	int			 bits = 0;

	if (b->data == NULL)
		return;
	for (i = 0; i < b->len; i++) {
		if (strchr(" \t\r\n", b->data[i]) != NULL)
			continue;
		if (b->data[i] == '=' || (p = strchr(alpha, b->data[i])) ==
		    NULL || b->data[i] == '\0')
			break;
		acc = (acc << 6) | (unsigned int)(p - alpha);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			b->data[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	b->len = o;
	b->data[o] = '\0';
}

/* Period names of sy:updatePeriod, in seconds. */
static int64_t
feedparse_period(const char *s)
{
	if (strcasecmp(s, "hourly") == 0)
		return (3600);
	if (strcasecmp(s, "daily") == 0)
		return (86400);
	if (strcasecmp(s, "weekly") == 0)
		return (7 * 86400);
	if (strcasecmp(s, "monthly") == 0)
		return (30 * 86400);
	if (strcasecmp(s, "yearly") == 0)
		return (365 * 86400);
	return (-1);
}

/* A captured element has closed: put its text where it belongs. */
static void
feedparse_store(struct feedparse *fp, enum feedparse_field field,
    enum feedparse_target target, int prio, const char *base, char *val)
{
	struct item	*it = &fp->item;
	struct feed_meta *m = &fp->meta;
	int		*ip = fp->item_prio, *mp = fp->meta_prio;
	int64_t		 n;
	char		*link;

	if (target == T_PERSON) {
		if (field == F_NAME && fp->person_name == NULL)
			fp->person_name = val;
		else if (field == F_EMAIL && fp->person_email == NULL)
			fp->person_email = val;
		else
			free(val);
		return;
	}
	switch (field) {
	case F_TITLE:
		if (target == T_ITEM)
			feedparse_set(&it->title, &ip[field], prio, val);
		else
			feedparse_set(&m->title, &mp[field], prio, val);
		return;
	case F_LINK:
		/* An empty link leaves whatever else the feed gave, and the
		 * fallbacks for none (an RSS permalink guid). */
		if ((link = feedparse_href(base, val)) == NULL)
			break;
		if (target == T_ITEM)
			feedparse_set(&it->link, &ip[field], prio, link);
		else
			feedparse_set(&m->link, &mp[field], prio, link);
		break;
	case F_SUMMARY:
		if (target == T_ITEM)
			feedparse_set(&it->summary, &ip[field], prio, val);
		else
			feedparse_set(&m->subtitle, &mp[F_SUBTITLE], prio, val);
		return;
	case F_SUMMARY_OR_CONTENT:
		/* An RSS item with both <description> and <summary>: the
		 * first is the summary, the second the content.  A summary
		 * of lower rank (itunes:summary, media:description) is no
		 * first: the description replaces it. */
		if (target == T_ITEM && it->summary != NULL &&
		    ip[F_SUMMARY] >= prio) {
			if (it->content == NULL) {
				it->content = val;
				ip[F_CONTENT] = 5;
			} else
				free(val);
			return;
		}
		feedparse_store(fp, F_SUMMARY, target, prio, base, val);
		return;
	case F_SUBTITLE:
		if (target == T_FEED)
			feedparse_set(&m->subtitle, &mp[field], prio, val);
		else
			free(val);
		return;
	case F_CONTENT:
		if (target == T_ITEM)
			feedparse_set(&it->content, &ip[field], prio, val);
		else
			free(val);
		return;
	case F_GUID:
		if (*val == '\0')
			break;
		/* An Atom id is an IRI; a relative one is made absolute as
		 * RFC 4287 has it (xml:base, then the document's URL). */
		if (fp->is_atom && base != NULL && !uri_is_absolute(val)) {
			char	*abs = uri_resolve(base, val);

			free(val);
			val = abs;
		}
		if (target == T_ITEM)
			feedparse_set(&it->guid, &ip[field], prio, val);
		else
			feedparse_set(&m->id, &mp[F_ID], prio, val);
		return;
	case F_AUTHOR:
		if (*val == '\0')
			break;
		if (target == T_ITEM)
			feedparse_set(&it->author, &ip[field], prio, val);
		else
			feedparse_set(&m->author, &mp[field], prio, val);
		return;
	case F_PUBLISHED:
		if (target == T_ITEM)
			feedparse_set_time(&it->published, &ip[field], prio,
			    val);
		else
			feedparse_set_time(&m->updated, &mp[F_UPDATED], prio,
			    val);
		break;
	case F_UPDATED:
		if (target == T_ITEM)
			feedparse_set_time(&it->updated, &ip[field], prio, val);
		else
			feedparse_set_time(&m->updated, &mp[field], prio, val);
		break;
	case F_LANGUAGE:
		if (target == T_FEED && *val != '\0') {
			char	*u;

			/* "en_US" is a locale name; the tag is "en-US". */
			for (u = val; *u != '\0'; u++) {
				if (*u == '_')
					*u = '-';
			}
			feedparse_set(&m->language, &mp[field], prio, val);
			return;
		}
		break;
	case F_CATEGORY:
		if (target == T_ITEM && *val != '\0')
			item_add_category(it, val);
		break;
	case F_TTL:
		if (target == T_FEED && (n = feedparse_length(val)) >= 0 &&
		    n < INT64_MAX / 60)
			m->ttl = n * 60;
		break;
	case F_SY_PERIOD:
		if (target == T_FEED && (n = feedparse_period(val)) > 0)
			m->sy_period = n;
		break;
	case F_SY_FREQ:
		if (target == T_FEED && (n = feedparse_length(val)) > 0 &&
		    m->sy_period > 0)
			m->sy_period /= n;
		break;
	default:
		break;
	}
	free(val);
}

/* --- Namespaces ---------------------------------------------------------- */

static enum feedparse_ns
feedparse_ns_of_uri(const char *uri)
{
	size_t	i;

	for (i = 0; i < nitems(feedparse_uris); i++) {
		if (strcasecmp(uri, feedparse_uris[i].uri) == 0)
			return (feedparse_uris[i].ns);
	}
	return (*uri == '\0' ? NS_NONE : NS_OTHER);
}

static void
feedparse_bind(struct feedparse *fp, const char *prefix, const char *uri)
{
	if (fp->nns == fp->ns_size) {
		fp->ns_size = fp->ns_size ? fp->ns_size * 2 : 16;
		fp->ns = xreallocarray(fp->ns, fp->ns_size, sizeof *fp->ns);
	}
	fp->ns[fp->nns].prefix = xstrdup(prefix);
	fp->ns[fp->nns].len = strlen(prefix);
	fp->ns[fp->nns].ns = feedparse_ns_of_uri(uri);
	fp->nns++;
}

/* The namespace of the prefix of NAME (LEN bytes; 0 for none). */
static enum feedparse_ns
feedparse_ns_lookup(struct feedparse *fp, const char *prefix, size_t len)
{
	size_t	i;

	for (i = fp->nns; i > 0; i--) {
		if (fp->ns[i - 1].len == len &&
		    memcmp(fp->ns[i - 1].prefix, prefix, len) == 0)
			return (fp->ns[i - 1].ns);
	}
	if (len == 0)
		return (NS_NONE);
	for (i = 0; i < nitems(feedparse_prefixes); i++) {
		if (strlen(feedparse_prefixes[i].prefix) == len &&
		    strncmp(feedparse_prefixes[i].prefix, prefix, len) == 0)
			return (feedparse_prefixes[i].ns);
	}
	return (NS_OTHER);
}

/* Split NAME into its namespace and local part. */
static enum feedparse_ns
feedparse_qname(struct feedparse *fp, const char *name, const char **local)
{
	const char	*colon;

	if ((colon = strchr(name, ':')) == NULL) {
		*local = name;
		return (feedparse_ns_lookup(fp, "", 0));
	}
	*local = colon + 1;
	return (feedparse_ns_lookup(fp, name, colon - name));
}

/* An attribute by namespace and local name; unprefixed attributes are in
 * no namespace, whatever the default. */
static const char *
feedparse_attr_ns(struct feedparse *fp, const char **attrs,
    enum feedparse_ns ns, const char *local)
{
	const char	*colon;

	for (; attrs[0] != NULL; attrs += 2) {
		colon = strchr(attrs[0], ':');
		if (ns == NS_NONE) {
			if (colon == NULL && strcmp(attrs[0], local) == 0)
				return (attrs[1]);
			continue;
		}
		if (colon == NULL || strcmp(colon + 1, local) != 0)
			continue;
		if (feedparse_ns_lookup(fp, attrs[0], colon - attrs[0]) == ns)
			return (attrs[1]);
	}
	return (NULL);
}

static const char *
feedparse_attr(const char **attrs, const char *name)
{
	for (; attrs[0] != NULL; attrs += 2) {
		if (strcmp(attrs[0], name) == 0)
			return (attrs[1]);
	}
	return (NULL);
}

/* --- Capturing text ------------------------------------------------------- */

static void
feedparse_text_add(struct feedparse *fp, const char *s, size_t len)
{
	if (fp->text.len + len > fp->max_text) {
		feedparse_fail(fp, "text longer than %zu bytes", fp->max_text);
		return;
	}
	buf_add(&fp->text, s, len);
}

/* S (LEN bytes) into OUT as markup's text: &, < and > escaped, and " too
 * for an attribute value (ATTR). */
static void
feedparse_escape(struct buf *out, const char *s, size_t len, int attr)
{
	const char	*rep;
	size_t		 i, start = 0;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = attr ? "&quot;" : NULL;
			break;
		default:
			rep = NULL;
			break;
		}
		if (rep == NULL)
			continue;
		buf_add(out, s + start, i - start);
		buf_add(out, rep, strlen(rep));
		start = i + 1;
	}
	buf_add(out, s + start, len - start);
}

/* Append S escaped as XML character data (or an attribute value). */
static void
feedparse_text_escape(struct feedparse *fp, const char *s, size_t len,
    int attr)
{
	if (fp->text.len + len > fp->max_text) {
		feedparse_fail(fp, "text longer than %zu bytes", fp->max_text);
		return;
	}
	feedparse_escape(&fp->text, s, len, attr);
}

static void
feedparse_close_tag(struct feedparse *fp)
{
	if (fp->cap_open) {
		feedparse_text_add(fp, ">", 1);
		fp->cap_open = 0;
	}
}

static void
feedparse_capture(struct feedparse *fp, enum feedparse_field field,
    enum feedparse_target target, int prio, enum feedparse_mode mode)
{
	fp->capturing = 1;
	/* Expat reports character data only while some field keeps it:
	 * the white space between elements costs no call. */
	XML_SetCharacterDataHandler(fp->xp, feedparse_text_cb);
	fp->cap_depth = fp->depth;
	fp->cap_field = field;
	fp->cap_target = target;
	fp->cap_prio = prio;
	fp->cap_mode = mode;
	fp->cap_drop_div = 0;
	fp->cap_div_depth = 0;
	fp->cap_open = 0;
	fp->cap_base = fp->stack[fp->depth - 1].base;
	fp->stack[fp->depth - 1].role = ROLE_CAPTURE;
	buf_clear(&fp->text);
}

/* The mode of an Atom text construct or content element. */
static enum feedparse_mode
feedparse_atom_mode(const char **attrs, int *drop_div)
{
	const char	*type, *mode;

	*drop_div = 0;
	mode = feedparse_attr(attrs, "mode");
	if (mode != NULL && strcasecmp(mode, "base64") == 0)
		return (MODE_BASE64);
	if (mode != NULL && strcasecmp(mode, "xml") == 0) {
		*drop_div = 1;
		return (MODE_XHTML);
	}
	type = feedparse_attr(attrs, "type");
	/* A wrapping XHTML <div> goes whatever the type says: feeds put one
	 * around escaped HTML too. */
	*drop_div = 1;
	if (type == NULL || *type == '\0' || strcasecmp(type, "text") == 0 ||
	    strcasecmp(type, "html") == 0)
		return (MODE_TEXT);
	if (strcasecmp(type, "xhtml") == 0 ||
	    strcasecmp(type, "application/xhtml+xml") == 0)
		return (MODE_XHTML);
	/* RFC 4287 4.1.3.3: other types that are neither text nor XML are
	 * base64. */
	if (strncasecmp(type, "text/", 5) != 0 && strstr(type, "xml") ==
	    NULL)
		return (MODE_BASE64);
	return (MODE_TEXT);
}

/* Serialise a start tag inside captured markup.  Elements of the XHTML
 * namespace lose their prefix and its declaration; others stay as given. */
static void
feedparse_capture_start(struct feedparse *fp, enum feedparse_ns ns,
    const char *name, const char *local, const char **attrs)
{
	struct buf	decoded;

	feedparse_close_tag(fp);
	if (fp->cap_drop_div && fp->depth == fp->cap_depth + 1 &&
	    ns == NS_XHTML && strcasecmp(local, "div") == 0 &&
	    fp->cap_div_depth == 0) {
		fp->cap_div_depth = fp->depth;
		return;
	}
	if (fp->cap_mode == MODE_TEXT) {
		/* Markup inside a text element (raw HTML in an RSS
		 * description; a wrapping XHTML div, dropped above, is
		 * none): the element holds markup, whose text is escaped,
		 * the text before this child too.  Else escaped text in
		 * it ("&lt;script&gt;") would become markup. */
		decoded = fp->text;
		buf_init(&fp->text);
		if (decoded.len > 0)
			feedparse_text_escape(fp, decoded.data, decoded.len,
			    0);
		buf_release(&decoded);
		fp->cap_mode = MODE_XHTML;
	}
	feedparse_text_add(fp, "<", 1);
	name = ns == NS_XHTML ? local : name;
	feedparse_text_add(fp, name, strlen(name));
	for (; attrs[0] != NULL; attrs += 2) {
		if (strncmp(attrs[0], "xmlns", 5) == 0 &&
		    feedparse_ns_of_uri(attrs[1]) == NS_XHTML)
			continue;
		feedparse_text_add(fp, " ", 1);
		feedparse_text_add(fp, attrs[0], strlen(attrs[0]));
		feedparse_text_add(fp, "=\"", 2);
		feedparse_text_escape(fp, attrs[1], strlen(attrs[1]), 1);
		feedparse_text_add(fp, "\"", 1);
	}
	fp->cap_open = 1;
}

static int
feedparse_void_element(const char *name)
{
	static const char	*voids[] = {
		"area", "base", "br", "col", "embed", "hr", "img", "input",
		"link", "meta", "param", "source", "track", "wbr"
	};
	size_t			 i;

	for (i = 0; i < nitems(voids); i++) {
		if (strcasecmp(name, voids[i]) == 0)
			return (1);
	}
	return (0);
}

static void
feedparse_capture_end(struct feedparse *fp, const char *name)
{
	const char		*local;
	enum feedparse_ns	 ns;

	if (fp->cap_div_depth == fp->depth) {
		fp->cap_div_depth = (size_t)-1;	/* one wrapper only */
		return;
	}
	ns = feedparse_qname(fp, name, &local);
	name = ns == NS_XHTML ? local : name;
	/* HTML void elements read back as empty tags; any other empty
	 * element keeps an end tag, since "<p/>" means "<p>" in HTML. */
	if (fp->cap_open && feedparse_void_element(name)) {
		feedparse_text_add(fp, " />", 3);
		fp->cap_open = 0;
		return;
	}
	feedparse_close_tag(fp);
	feedparse_text_add(fp, "</", 2);
	feedparse_text_add(fp, name, strlen(name));
	feedparse_text_add(fp, ">", 1);
}

/*
 * The captured text, trimmed, as a string of its own.  A long value (an
 * item's content or description) with nothing to trim at its start is
 * handed over with its buffer rather than copied, and the buffer is
 * replaced by one of the same size, so the next long value does not grow
 * it again step by step.  Short ones, and any using less than a quarter
 * of the buffer (after one huge capture), are copied to an allocation of
 * their size.
 */
static char *
feedparse_take_text(struct feedparse *fp)
{
	struct buf	*b = &fp->text;
	size_t		 size = b->size;
	char		*val;

	if (b->len < FEEDPARSE_TAKE_MIN || b->len < size / 4 ||
	    b->data[0] == ' ' ||
	    b->data[0] == '\t' || b->data[0] == '\r' || b->data[0] == '\n') {
		val = feedparse_trim_copy(b->data, b->len);
		buf_clear(b);
		return (val);
	}
	while (b->len > 0 && (b->data[b->len - 1] == ' ' ||
	    b->data[b->len - 1] == '\t' || b->data[b->len - 1] == '\r' ||
	    b->data[b->len - 1] == '\n'))
		b->len--;
	b->data[b->len] = '\0';
	val = buf_detach(b);
	b->data = xmalloc(size);
	b->data[0] = '\0';
	b->size = size;
	return (val);
}

static void
feedparse_capture_done(struct feedparse *fp)
{
	char	*val;

	fp->capturing = 0;
	XML_SetCharacterDataHandler(fp->xp, NULL);
	feedparse_close_tag(fp);
	if (fp->cap_mode == MODE_BASE64)
		feedparse_base64(&fp->text);
	if (fp->text.data == NULL)
		buf_adds(&fp->text, "");
	/* Decoded base64 may hold anything: keep only valid UTF-8. */
	if (fp->cap_mode == MODE_BASE64 && memchr(fp->text.data, '\0',
	    fp->text.len) != NULL)
		buf_clear(&fp->text);
	val = feedparse_take_text(fp);
	feedparse_store(fp, fp->cap_field, fp->cap_target, fp->cap_prio,
	    fp->cap_base, val);
}

/* --- Elements -------------------------------------------------------------- */

/* The element id of the local name LOCAL.  Only the names with its first
 * letter (in ASCII lower case) and its length are compared, a byte at a
 * time through feedparse_lower: a library call per candidate cost more
 * than the whole lookup. */
static enum feedparse_elem
feedparse_elem_of(const char *local)
{
	const char	*e;
	size_t		 n, i, k;
	unsigned char	 c = feedparse_lower[(unsigned char)local[0]];

	if ((i = feedparse_elem_from[c]) == 0)
		return (E_OTHER);
	n = strlen(local);
	for (; i < nitems(feedparse_elems) &&
	    (unsigned char)feedparse_elems[i].name[0] == c; i++) {
		if (feedparse_elems[i].len != n)
			continue;
		e = feedparse_elems[i].name;
		for (k = 1; k < n && feedparse_lower[(unsigned char)local[k]] ==
		    (unsigned char)e[k]; k++)
			;
		if (k == n)
			return ((enum feedparse_elem)i);
	}
	return (E_OTHER);
}

/* Whether NS is the feed's own vocabulary. */
static int
feedparse_core(struct feedparse *fp, enum feedparse_ns ns)
{
	if (fp->is_atom)
		return (ns == NS_NONE || ns == NS_ATOM10 || ns == NS_ATOM03);
	return (ns == NS_NONE || ns == NS_RSS10 || ns == NS_RSS090);
}

static int
feedparse_is_atom_ns(struct feedparse *fp, enum feedparse_ns ns)
{
	return (ns == NS_ATOM10 || ns == NS_ATOM03 ||
	    (fp->is_atom && ns == NS_NONE));
}

/* Make the namespace of NAME's prefix the null namespace. */
static void
feedparse_rebind(struct feedparse *fp, const char *name)
{
	const char	*colon;
	size_t		 i, len;

	len = (colon = strchr(name, ':')) != NULL ? (size_t)(colon - name) : 0;
	for (i = fp->nns; i > 0; i--) {
		if (fp->ns[i - 1].len == len &&
		    memcmp(fp->ns[i - 1].prefix, name, len) == 0) {
			fp->ns[i - 1].ns = NS_NONE;
			return;
		}
	}
}

static void
feedparse_root(struct feedparse *fp, const char *name, enum feedparse_ns ns,
    enum feedparse_elem el, const char **attrs)
{
	const char	*v, *lang;

	fp->root_seen = 1;
	lang = feedparse_attr(attrs, "xml:lang");
	/* <rss> or <feed> in a namespace of its own (Userland's RSS
	 * namespaces, drafts of Atom): read that namespace as the null one. */
	if (ns == NS_OTHER && (el == E_RSS ||
	    el == E_FEED)) {
		feedparse_rebind(fp, name);
		ns = NS_NONE;
	}
	if (el == E_RSS && (ns == NS_NONE || ns == NS_OTHER)) {
		v = feedparse_attr(attrs, "version");
		if (v != NULL && strncmp(v, "0.9", 3) == 0)
			fp->format = "rss0.9";
		else
			fp->format = "rss2.0";
		fp->stack[fp->depth - 1].role = ROLE_DOC;
	} else if (el == E_RDF && (ns == NS_RDF ||
	    ns == NS_NONE || ns == NS_OTHER)) {
		/* RSS 1.0 or 0.90: told apart by the default namespace. */
		fp->format = feedparse_ns_lookup(fp, "", 0) == NS_RSS090 ?
		    "rss0.9" : "rss1.0";
		fp->stack[fp->depth - 1].role = ROLE_DOC;
	} else if (el == E_FEED && (ns == NS_ATOM10 ||
	    ns == NS_ATOM03 || ns == NS_NONE)) {
		v = feedparse_attr(attrs, "version");
		if (ns == NS_ATOM03 || (ns == NS_NONE && v != NULL &&
		    strncmp(v, "0.", 2) == 0))
			fp->format = "atom0.3";
		else
			fp->format = "atom1.0";
		fp->is_atom = 1;
		fp->stack[fp->depth - 1].role = ROLE_FEED;
		if (lang != NULL)
			feedparse_store(fp, F_LANGUAGE, T_FEED, 1, NULL,
			    feedparse_trim(xstrdup(lang)));
	} else if (el == E_CHANNEL) {
		/* Userland's early <channel> root. */
		fp->format = "rss0.9";
		fp->stack[fp->depth - 1].role = ROLE_FEED;
	} else {
		feedparse_fail(fp, "not a feed");
		return;
	}
	if (lang != NULL && !fp->is_atom)
		feedparse_store(fp, F_LANGUAGE, T_FEED, 1, NULL,
		    feedparse_trim(xstrdup(lang)));
}

static void
feedparse_item_start(struct feedparse *fp, const char **attrs)
{
	const char	*about;

	if (fp->nitems >= fp->max_items) {
		feedparse_fail(fp, "more than %zu items", fp->max_items);
		return;
	}
	item_release(&fp->item);
	memset(fp->item_prio, 0, sizeof fp->item_prio);
	free(fp->source_author);
	fp->source_author = NULL;
	fp->guid_permalink = 1;
	fp->in_item = 1;
	fp->stack[fp->depth - 1].role = ROLE_ITEM;
	about = feedparse_attr_ns(fp, attrs, NS_RDF, "about");
	if (about != NULL)
		feedparse_store(fp, F_GUID, T_ITEM, 5, NULL,
		    feedparse_trim(xstrdup(about)));
}

static void
feedparse_item_end(struct feedparse *fp)
{
	struct item	*it = &fp->item;

	fp->in_item = 0;
	/* RSS: a guid is the permalink unless it says otherwise. */
	if (it->link == NULL && it->guid != NULL && fp->guid_permalink &&
	    !fp->is_atom && fp->item_prio[F_GUID] == 10 &&
	    uri_is_absolute(it->guid))
		it->link = xstrdup(it->guid);
	/* RFC 4287 4.2.1: an entry without author has its source's, else
	 * its feed's. */
	if (fp->is_atom && it->author == NULL) {
		if (fp->source_author != NULL)
			it->author = xstrdup(fp->source_author);
		else if (fp->meta.author != NULL)
			it->author = xstrdup(fp->meta.author);
	}
	fp->nitems++;
	if (fp->cb != NULL)
		fp->cb(it, fp->arg);
	item_release(it);
}

static void
feedparse_person_end(struct feedparse *fp)
{
	char	*who;

	who = fp->person_name != NULL && *fp->person_name != '\0' ?
	    fp->person_name : fp->person_email;
	if (who != NULL && *who != '\0') {
		who = xstrdup(who);
		switch (fp->person_target) {
		case T_FEED:
			feedparse_store(fp, F_AUTHOR, T_FEED, 10, NULL, who);
			break;
		case T_ITEM:
			feedparse_store(fp, F_AUTHOR, T_ITEM, 10, NULL, who);
			break;
		case T_PERSON:
			if (fp->source_author == NULL)
				fp->source_author = who;
			else
				free(who);
			break;
		}
	}
	free(fp->person_name);
	free(fp->person_email);
	fp->person_name = fp->person_email = NULL;
}

/* <link> in Atom, and atom:link in RSS. */
static void
feedparse_atom_link(struct feedparse *fp, enum feedparse_target target,
    const char **attrs)
{
	const char	*rel, *href, *type;
	int		 prio;

	rel = feedparse_attr(attrs, "rel");
	href = feedparse_attr(attrs, "href");
	type = feedparse_attr(attrs, "type");
	if (href == NULL) {
		/* Early Atom 0.3 writers put the URL in the content. */
		if (rel == NULL || strcasecmp(rel, "alternate") == 0)
			feedparse_capture(fp, F_LINK, target, 9, MODE_TEXT);
		return;
	}
	if (rel == NULL || strcasecmp(rel, "alternate") == 0) {
		/* The HTML page is the link; other alternates are second. */
		prio = type == NULL || strcasecmp(type, "text/html") == 0 ||
		    strcasecmp(type, "application/xhtml+xml") == 0 ? 9 : 8;
		feedparse_store(fp, F_LINK, target, prio,
		    fp->stack[fp->depth - 1].base, xstrdup(href));
	} else if (strcasecmp(rel, "enclosure") == 0 && target == T_ITEM)
		feedparse_add_enclosure(fp, fp->stack[fp->depth - 1].base,
		    href, type, feedparse_attr(attrs, "length"));
}

/* A child of <channel>/<feed> (T_FEED) or <item>/<entry> (T_ITEM). */
static void
feedparse_field_start(struct feedparse *fp, enum feedparse_target t,
    enum feedparse_ns ns, enum feedparse_elem el, const char *local,
    const char **attrs)
{
	struct feedparse_frame	*f = &fp->stack[fp->depth - 1];
	enum feedparse_mode	 mode;
	int			 core = feedparse_core(fp, ns);
	int			 atom = feedparse_is_atom_ns(fp, ns);
	int			 drop;
	const char		*v;

	if (core && t == T_FEED && (el == E_ITEM ||
	    el == E_ENTRY)) {
		feedparse_item_start(fp, attrs);
		return;
	}
	if (atom && (el == E_AUTHOR ||
	    (t == T_FEED && fp->is_atom && el == E_CONTRIBUTOR && 0))) {
		f->role = ROLE_AUTHOR;
		fp->person_target = t;
		return;
	}
	if (atom && t == T_ITEM && el == E_SOURCE) {
		f->role = ROLE_SOURCE;
		return;
	}
	if (atom && el == E_LINK) {
		feedparse_atom_link(fp, t, attrs);
		return;
	}
	/* RFC 4287 4.1.3.2: content with a src is out of line and empty;
	 * the feed gives no content, not an empty one. */
	if (atom && el == E_CONTENT && feedparse_attr(attrs, "src") != NULL)
		return;
	if (core) {
		if (el == E_TITLE) {
			mode = fp->is_atom ? feedparse_atom_mode(attrs, &drop) :
			    MODE_TEXT;
			feedparse_capture(fp, F_TITLE, t, 10, mode);
			fp->cap_drop_div = fp->is_atom && drop &&
			    strcmp(fp->format, "atom1.0") == 0;
		} else if (el == E_LINK)
			feedparse_capture(fp, F_LINK, t, 10, MODE_TEXT);
		else if (el == E_DESCRIPTION ||
		    (!fp->is_atom && t == T_ITEM &&
		    el == E_SUMMARY))
			feedparse_capture(fp, F_SUMMARY_OR_CONTENT, t, 10,
			    MODE_TEXT);
		else if (fp->is_atom && (el == E_SUMMARY ||
		    el == E_SUBTITLE ||
		    el == E_TAGLINE ||
		    el == E_CONTENT)) {
			mode = feedparse_atom_mode(attrs, &drop);
			feedparse_capture(fp, local[0] == 'c' ? F_CONTENT :
			    F_SUMMARY, t, 10, mode);
			/* Atom 0.3's inline XML keeps its <div>. */
			fp->cap_drop_div = drop &&
			    strcmp(fp->format, "atom1.0") == 0;
		} else if (el == E_GUID ||
		    (fp->is_atom && el == E_ID)) {
			v = feedparse_attr(attrs, "isPermaLink");
			if (v != NULL && strcasecmp(v, "true") != 0)
				fp->guid_permalink = 0;
			feedparse_capture(fp, F_GUID, t, 10, MODE_TEXT);
		} else if (el == E_AUTHOR)
			feedparse_capture(fp, F_AUTHOR, t, t == T_ITEM ? 5 : 7,
			    MODE_TEXT);
		else if (el == E_MANAGINGEDITOR)
			feedparse_capture(fp, F_AUTHOR, t, 8, MODE_TEXT);
		else if (el == E_PUBDATE)
			feedparse_capture(fp, F_PUBLISHED, t,
			    t == T_ITEM ? 10 : 8, MODE_TEXT);
		else if (el == E_LASTBUILDDATE)
			feedparse_capture(fp, F_UPDATED, t, 10, MODE_TEXT);
		else if (fp->is_atom && t == T_ITEM && (el == E_PUBLISHED ||
		    el == E_ISSUED))
			/* Not the feed's: its updated is Atom's updated
			 * alone (a YouTube channel's published is the day
			 * it was opened). */
			feedparse_capture(fp, F_PUBLISHED, t, 10, MODE_TEXT);
		else if (fp->is_atom && (el == E_UPDATED ||
		    el == E_MODIFIED))
			feedparse_capture(fp, F_UPDATED, t, 10, MODE_TEXT);
		else if (el == E_CATEGORY) {
			if (fp->is_atom) {
				v = feedparse_attr(attrs, "term");
				if (v != NULL)
					feedparse_store(fp, F_CATEGORY, t, 10,
					    NULL, feedparse_trim(xstrdup(v)));
			} else
				feedparse_capture(fp, F_CATEGORY, t, 10,
				    MODE_TEXT);
		} else if (el == E_ENCLOSURE && t == T_ITEM)
			feedparse_add_enclosure(fp, f->base,
			    feedparse_attr(attrs, "url"),
			    feedparse_attr(attrs, "type"),
			    feedparse_attr(attrs, "length"));
		else if (el == E_LANGUAGE)
			feedparse_capture(fp, F_LANGUAGE, t, 10, MODE_TEXT);
		else if (el == E_TTL)
			feedparse_capture(fp, F_TTL, t, 10, MODE_TEXT);
		else if (!fp->is_atom && el == E_FULLITEM)
			feedparse_capture(fp, F_CONTENT, t, 9, MODE_TEXT);
		return;
	}
	switch (ns) {
	case NS_CONTENT:
		if (el == E_ENCODED)
			feedparse_capture(fp, F_CONTENT, t, 10, MODE_TEXT);
		break;
	case NS_DC:
	case NS_DCTERMS:
		if (el == E_CREATOR ||
		    (ns == NS_DC && el == E_AUTHOR))
			feedparse_capture(fp, F_AUTHOR, t, 9, MODE_TEXT);
		else if (el == E_DATE)
			feedparse_capture(fp, F_PUBLISHED, t, 7, MODE_TEXT);
		else if (el == E_ISSUED && t == T_ITEM)
			feedparse_capture(fp, F_PUBLISHED, t, 6, MODE_TEXT);
		else if (el == E_MODIFIED)
			feedparse_capture(fp, F_UPDATED, t, 7, MODE_TEXT);
		else if (el == E_SUBJECT)
			feedparse_capture(fp, F_CATEGORY, t, 10, MODE_TEXT);
		else if (el == E_TITLE)
			feedparse_capture(fp, F_TITLE, t, 5, MODE_TEXT);
		else if (el == E_DESCRIPTION)
			feedparse_capture(fp, F_SUMMARY, t, 5, MODE_TEXT);
		else if (el == E_LANGUAGE)
			feedparse_capture(fp, F_LANGUAGE, t, 9, MODE_TEXT);
		else if (el == E_IDENTIFIER && t == T_ITEM)
			feedparse_capture(fp, F_GUID, t, 4, MODE_TEXT);
		break;
	case NS_ATOM10:
	case NS_ATOM03:
		/* Atom elements inside RSS. */
		if (el == E_UPDATED)
			feedparse_capture(fp, F_UPDATED, t, 9, MODE_TEXT);
		else if (el == E_PUBLISHED && t == T_ITEM)
			feedparse_capture(fp, F_PUBLISHED, t, 9, MODE_TEXT);
		else if (el == E_SUMMARY ||
		    el == E_SUBTITLE)
			feedparse_capture(fp, F_SUMMARY, t, 9,
			    feedparse_atom_mode(attrs, &drop));
		else if (el == E_CONTENT)
			feedparse_capture(fp, F_CONTENT, t, 9,
			    feedparse_atom_mode(attrs, &drop));
		else if (el == E_ID)
			feedparse_capture(fp, F_GUID, t, 9, MODE_TEXT);
		else if (el == E_TITLE)
			feedparse_capture(fp, F_TITLE, t, 9,
			    feedparse_atom_mode(attrs, &drop));
		break;
	case NS_ITUNES:
		if (el == E_AUTHOR)
			feedparse_capture(fp, F_AUTHOR, t, 4, MODE_TEXT);
		else if (el == E_SUMMARY)
			feedparse_capture(fp, F_SUMMARY, t,
			    t == T_ITEM ? 4 : 2, MODE_TEXT);
		else if (el == E_SUBTITLE && t == T_FEED)
			feedparse_capture(fp, F_SUMMARY, t, 3, MODE_TEXT);
		else if (el == E_CATEGORY && t == T_ITEM) {
			v = feedparse_attr(attrs, "text");
			if (v != NULL)
				feedparse_store(fp, F_CATEGORY, t, 10, NULL,
				    feedparse_trim(xstrdup(v)));
			f->role = ROLE_ICAT;
		}
		break;
	case NS_MEDIA:
		if (t != T_ITEM)
			break;
		if (el == E_GROUP)
			f->role = ROLE_MGROUP;
		else if (el == E_CONTENT)
			feedparse_add_enclosure(fp, f->base,
			    feedparse_attr(attrs, "url"),
			    feedparse_attr(attrs, "type"),
			    feedparse_attr(attrs, "fileSize"));
		else if (el == E_TITLE)
			feedparse_capture(fp, F_TITLE, t, 2, MODE_TEXT);
		else if (el == E_DESCRIPTION)
			feedparse_capture(fp, F_SUMMARY, t, 3, MODE_TEXT);
		else if (el == E_CATEGORY)
			feedparse_capture(fp, F_CATEGORY, t, 10, MODE_TEXT);
		break;
	case NS_SY:
		if (t == T_FEED && el == E_UPDATEPERIOD)
			feedparse_capture(fp, F_SY_PERIOD, t, 10, MODE_TEXT);
		else if (t == T_FEED && el == E_UPDATEFREQUENCY)
			feedparse_capture(fp, F_SY_FREQ, t, 10, MODE_TEXT);
		break;
	case NS_XHTML:
		if (el == E_BODY && t == T_ITEM)
			feedparse_capture(fp, F_CONTENT, t, 9, MODE_XHTML);
		break;
	default:
		break;
	}
}

static void
feedparse_start_cb(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct feedparse	*fp = arg;
	struct feedparse_frame	*f, *parent;
	enum feedparse_ns	 ns;
	enum feedparse_role	 prole;
	enum feedparse_elem	 el;
	const char		*local, *v, **a;

	if (fp->failed)
		return;
	if (fp->depth >= fp->max_depth) {
		feedparse_fail(fp, "elements nested deeper than %zu",
		    fp->max_depth);
		return;
	}
	if (fp->depth == fp->stack_size) {
		fp->stack_size = fp->stack_size ? fp->stack_size * 2 : 32;
		fp->stack = xreallocarray(fp->stack, fp->stack_size,
		    sizeof *fp->stack);
	}
	parent = fp->depth > 0 ? &fp->stack[fp->depth - 1] : NULL;
	f = &fp->stack[fp->depth++];
	f->role = ROLE_IGNORE;
	f->nns = fp->nns;
	f->base = parent != NULL ? parent->base : fp->base;
	f->own_base = 0;
	/* One pass for namespace declarations and xml:base, both rare:
	 * most attributes are passed over on their first letters. */
	v = NULL;
	for (a = attrs; a[0] != NULL; a += 2) {
		if (a[0][0] != 'x' || a[0][1] != 'm' || a[0][2] != 'l')
			continue;
		if (strncmp(a[0], "xmlns", 5) == 0) {
			if (a[0][5] == '\0')
				feedparse_bind(fp, "", a[1]);
			else if (a[0][5] == ':')
				feedparse_bind(fp, a[0] + 6, a[1]);
		} else if (v == NULL && strcmp(a[0], "xml:base") == 0)
			v = a[1];
	}
	if (v != NULL) {
		f->base = feedparse_link(f->base, v);
		f->own_base = f->base != NULL;
	}
	ns = feedparse_qname(fp, name, &local);

	if (fp->capturing) {
		if (fp->cap_mode == MODE_BASE64)
			return;
		feedparse_capture_start(fp, ns, name, local, attrs);
		return;
	}
	prole = parent != NULL ? parent->role : ROLE_IGNORE;
	el = feedparse_elem_of(local);
	if (parent == NULL) {
		feedparse_root(fp, name, ns, el, attrs);
		return;
	}
	switch (prole) {
	case ROLE_DOC:
		if (!feedparse_core(fp, ns))
			break;
		if (el == E_CHANNEL)
			f->role = ROLE_FEED;
		else if (el == E_ITEM)
			feedparse_item_start(fp, attrs);
		break;
	case ROLE_FEED:
		feedparse_field_start(fp, T_FEED, ns, el, local, attrs);
		break;
	case ROLE_ITEM:
		feedparse_field_start(fp, T_ITEM, ns, el, local, attrs);
		break;
	case ROLE_AUTHOR:
		if (el == E_NAME)
			feedparse_capture(fp, F_NAME, T_PERSON, 10, MODE_TEXT);
		else if (el == E_EMAIL)
			feedparse_capture(fp, F_EMAIL, T_PERSON, 10,
			    MODE_TEXT);
		break;
	case ROLE_SOURCE:
		if (feedparse_is_atom_ns(fp, ns) &&
		    el == E_AUTHOR) {
			f->role = ROLE_AUTHOR;
			fp->person_target = T_PERSON;
		}
		break;
	case ROLE_ICAT:
		if (ns == NS_ITUNES && el == E_CATEGORY) {
			v = feedparse_attr(attrs, "text");
			if (v != NULL)
				feedparse_store(fp, F_CATEGORY, T_ITEM, 10,
				    NULL, feedparse_trim(xstrdup(v)));
			f->role = ROLE_ICAT;
		}
		break;
	case ROLE_MGROUP:
		if (ns != NS_MEDIA)
			break;
		if (el == E_CONTENT)
			feedparse_add_enclosure(fp, f->base,
			    feedparse_attr(attrs, "url"),
			    feedparse_attr(attrs, "type"),
			    feedparse_attr(attrs, "fileSize"));
		else if (el == E_TITLE)
			feedparse_capture(fp, F_TITLE, T_ITEM, 2, MODE_TEXT);
		else if (el == E_DESCRIPTION)
			feedparse_capture(fp, F_SUMMARY, T_ITEM, 3, MODE_TEXT);
		break;
	default:
		break;
	}
}

static void
feedparse_end_cb(void *arg, const XML_Char *name)
{
	struct feedparse	*fp = arg;
	struct feedparse_frame	*f;

	if (fp->failed || fp->depth == 0)
		return;
	f = &fp->stack[fp->depth - 1];
	if (fp->capturing) {
		if (fp->depth == fp->cap_depth)
			feedparse_capture_done(fp);
		else if (fp->cap_mode != MODE_BASE64)
			feedparse_capture_end(fp, name);
	} else {
		switch (f->role) {
		case ROLE_ITEM:
			feedparse_item_end(fp);
			break;
		case ROLE_AUTHOR:
			feedparse_person_end(fp);
			break;
		default:
			break;
		}
	}
	while (fp->nns > f->nns)
		free(fp->ns[--fp->nns].prefix);
	if (f->own_base)
		free(f->base);
	fp->depth--;
	/* Whatever follows the root element is junk to expat; the feed is
	 * complete, so stop here rather than fail on a trailing ad or a
	 * second document. */
	if (fp->depth == 0) {
		fp->root_closed = 1;
		XML_StopParser(fp->xp, XML_FALSE);
	}
}

static void
feedparse_text_cb(void *arg, const XML_Char *s, int len)
{
	struct feedparse	*fp = arg;

	if (!fp->capturing || fp->failed)
		return;
	feedparse_close_tag(fp);
	if (fp->cap_mode == MODE_XHTML)
		feedparse_text_escape(fp, s, len, 0);
	else
		feedparse_text_add(fp, s, len);
}

/* The text of the HTML entity NAME, NULL when HTML has none. */
static const char *
feedparse_html_entity(const char *name)
{
	/* HTML 5 moved these two to other code points; feeds were written
	 * against HTML 4. */
	if (strcmp(name, "lang") == 0)
		return ("\xe2\x8c\xa9");
	if (strcmp(name, "rang") == 0)
		return ("\xe2\x8c\xaa");
	return (entities_lookup(name));
}

/* An entity XML does not define: the HTML set, else kept as written. */
static void
feedparse_entity_cb(void *arg, const XML_Char *name, int is_param)
{
	struct feedparse	*fp = arg;
	const char		*v;

	if (is_param || !fp->capturing || fp->failed)
		return;
	feedparse_close_tag(fp);
	if ((v = feedparse_html_entity(name)) != NULL) {
		if (fp->cap_mode == MODE_XHTML)
			feedparse_text_escape(fp, v, strlen(v), 0);
		else
			feedparse_text_add(fp, v, strlen(v));
		return;
	}
	feedparse_text_add(fp, "&", 1);
	feedparse_text_add(fp, name, strlen(name));
	feedparse_text_add(fp, ";", 1);
}

/* --- The repair filter ---------------------------------------------------- */

/* Whether code point C may appear in XML 1.0. */
static int
feedparse_xml_char(unsigned long c)
{
	return (c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 &&
	    c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 &&
	    c <= 0x10ffff));
}

/* The numeric character reference at S (N bytes, S[0] == '&'): its
 * length, with its value in *C, or 0. */
static size_t
feedparse_numref(const unsigned char *s, size_t n, unsigned long *c)
{
	size_t	i, start;
	int	hex;

	if (n < 4 || s[0] != '&' || s[1] != '#')
		return (0);
	hex = s[2] == 'x' || s[2] == 'X';
	start = i = hex ? 3 : 2;
	for (*c = 0; i < n && i - start < 8; i++) {
		if (hex && isxdigit(s[i]))
			*c = *c * 16 + (isdigit(s[i]) ? s[i] - '0' :
			    tolower(s[i]) - 'a' + 10);
		else if (!hex && isdigit(s[i]))
			*c = *c * 10 + (s[i] - '0');
		else
			break;
	}
	if (i == start || i >= n || s[i] != ';')
		return (0);
	return (i + 1);
}

/* Whether the entity reference at S (N bytes, S[0] == '&') is
 * well-formed: its length, else 0. */
static size_t
feedparse_entref(const unsigned char *s, size_t n)
{
	size_t	i;

	if (n < 2 || !(isalpha(s[1]) || s[1] == '_' || s[1] == ':' ||
	    s[1] >= 0x80))
		return (0);
	for (i = 2; i < n && i < 40; i++) {
		if (!(isalnum(s[i]) || s[i] == '.' || s[i] == '-' ||
		    s[i] == '_' || s[i] == ':' || s[i] >= 0x80))
			break;
	}
	return (i < n && s[i] == ';' ? i + 1 : 0);
}

/*
 * A numeric reference at S, repaired into OUT; returns the bytes used.
 * Character references to bytes are how broken CMSs write UTF-8 they took
 * for Latin-1 ("&#226;&#128;&#166;" for an ellipsis) and windows-1252
 * they took for Unicode ("&#146;" for a quote): both are read as meant.
 * References to characters XML forbids are dropped; "&#X41;" is accepted.
 */
static size_t
feedparse_fix_numref(const unsigned char *s, size_t n, struct buf *out)
{
	unsigned char	 u[4];
	unsigned long	 c, c2;
	size_t		 r, used, k, need;

	if ((r = feedparse_numref(s, n, &c)) == 0)
		return (0);
	if (c >= 0xc2 && c <= 0xf4) {
		need = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		u[0] = (unsigned char)c;
		used = r;
		for (k = 1; k < need; k++) {
			size_t	r2 = feedparse_numref(s + used, n - used, &c2);

			if (r2 == 0 || c2 < 0x80 || c2 > 0xbf)
				break;
			u[k] = (unsigned char)c2;
			used += r2;
		}
		if (k == need && charset_utf8_seq(u, need) == (int)need) {
			buf_add(out, u, need);
			return (used);
		}
	}
	if (c >= 0x80 && c < 0xa0) {
		charset_put(out, charset_cp1252(c));
		return (r);
	}
	/* A UTF-16 surrogate pair as two references (JavaScript's
	 * escaping of an emoji): the character it encodes. */
	if (c >= 0xd800 && c <= 0xdbff && (used = feedparse_numref(s + r,
	    n - r, &c2)) != 0 && c2 >= 0xdc00 && c2 <= 0xdfff) {
		charset_put(out, 0x10000 + ((c - 0xd800) << 10) +
		    (c2 - 0xdc00));
		return (r + used);
	}
	if (!feedparse_xml_char(c))
		return (r);
	buf_add(out, "&#", 2);
	if (s[2] == 'X')
		buf_addc(out, 'x');
	buf_add(out, s + 2 + (s[2] == 'X'), r - 2 - (s[2] == 'X'));
	return (r);
}

/* Bytes the filter stops at, as bits: 1 in markup ('&', '<'), 2 anywhere
 * (control characters, the lead bytes of U+0080-U+009F and U+FFFE/U+FFFF),
 * 4 in CDATA, comments and processing instructions (their ends). */
static unsigned char feedparse_special[256];

static void
feedparse_special_init(void)
{
	size_t	i;
	int	c;

	if (feedparse_special['<'] != 0)
		return;
	/* FEEDPARSE_NO_AVX2 builds the SSE2 loop's test binary. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(FEEDPARSE_NO_AVX2)
	__builtin_cpu_init();
	feedparse_avx2 = __builtin_cpu_supports("avx2");
#endif
	for (c = 0; c < 0x100; c++)
		feedparse_lower[c] = (unsigned char)(c >= 'A' && c <= 'Z' ?
		    c + 'a' - 'A' : c);
	for (i = nitems(feedparse_elems) - 1; i > 0; i--)
		feedparse_elem_from[(unsigned char)feedparse_elems[i].name[0]] =
		    (unsigned char)i;
	for (c = 0; c < 0x20; c++) {
		if (c != '\t' && c != '\n' && c != '\r')
			feedparse_special[c] = 2;
	}
	for (c = 0x80; c < 0x100; c++)
		feedparse_special[c] = 2;
	feedparse_special['&'] = feedparse_special['<'] = 1;
	feedparse_special[']'] = feedparse_special['-'] = 4;
	feedparse_special['?'] = 4;
}

#define FEEDPARSE_ONES	0x0101010101010101ULL
#define FEEDPARSE_HIGHS	0x8080808080808080ULL
#define FEEDPARSE_HASZERO(v) (((v) - FEEDPARSE_ONES) & ~(v) & FEEDPARSE_HIGHS)

/*
 * Whether the UTF-8 sequence of N bytes at S passes the filter as it is:
 * U+0080-U+009F (C1 controls) and U+FFFE/U+FFFF do not.
 */
static inline int
feedparse_utf8_kept(const unsigned char *s, int n)
{
	return (n > 0 && !(s[0] == 0xc2 && s[1] < 0xa0) &&
	    !(s[0] == 0xef && s[1] == 0xbf && s[2] >= 0xbe));
}

/* Valid UTF-8 that passes unchanged, from I on: where it ends.  Two and
 * three-byte sequences that cannot be overlong, surrogates, C1 controls
 * or U+FFFE/U+FFFF (most of what feeds hold: accents, dashes, quotes,
 * CJK) are checked here; the rest by charset_utf8_seq. */
static inline size_t
feedparse_utf8_run(const unsigned char *s, size_t i, size_t len)
{
	int	n;

	while (i < len && s[i] >= 0x80) {
		if (s[i] >= 0xc3 && s[i] <= 0xdf && i + 1 < len &&
		    (s[i + 1] & 0xc0) == 0x80) {
			i += 2;
			continue;
		}
		if (s[i] >= 0xe1 && s[i] <= 0xec && i + 2 < len &&
		    (s[i + 1] & 0xc0) == 0x80 && (s[i + 2] & 0xc0) == 0x80) {
			i += 3;
			continue;
		}
		n = charset_utf8_seq(s + i, len - i);
		if (!feedparse_utf8_kept(s + i, n))
			break;
		i += n;
	}
	return (i);
}

/* Whether the reference of R bytes at S is one XML itself defines. */
static inline int
feedparse_xml_entity(const unsigned char *s, size_t r)
{
	switch (r) {
	case 4:
		return ((s[1] == 'l' || s[1] == 'g') && s[2] == 't');
	case 5:
		return (memcmp(s + 1, "amp", 3) == 0);
	case 6:
		return (memcmp(s + 1, "quot", 4) == 0 ||
		    memcmp(s + 1, "apos", 4) == 0);
	default:
		return (0);
	}
}

/*
 * A reference of R bytes at S to an HTML entity XML does not define
 * (&nbsp;), into OUT as its characters: then expat reads it in attribute
 * values too, where a skipped entity would be dropped.  The five that XML
 * defines, under HTML's other spellings (&LT;), stay references.  Returns
 * 0 for a name HTML does not have, left to expat (a DTD's own entity).
 */
static int
feedparse_fix_entref(const unsigned char *s, size_t r, struct buf *out)
{
	char		 name[48];
	const char	*v;

	if (r - 2 >= sizeof name)
		return (0);
	memcpy(name, s + 1, r - 2);
	name[r - 2] = '\0';
	if ((v = feedparse_html_entity(name)) == NULL)
		return (0);
	feedparse_escape(out, v, strlen(v), 1);
	return (1);
}

/*
 * "<br>" or "<hr>" left open (any case, white space before the '>'), at S
 * with N bytes there: its length, else 0.  HTML's void elements written
 * so in unescaped markup would end the document at their parent's end
 * tag; the filter closes them ("<br/>").  "<br></br>" is well-formed as
 * it is.  Seen whole within the filter's lookahead, so the repair does not
 * depend on where chunks fall.
 */
static size_t
feedparse_open_void(const unsigned char *s, size_t n)
{
	size_t	k;

	if (n < 4 || s[0] != '<' || ((s[1] | 0x20) != 'b' &&
	    (s[1] | 0x20) != 'h') || (s[2] | 0x20) != 'r')
		return (0);
	for (k = 3; k < n && k < 8 && (s[k] == ' ' || s[k] == '\t' ||
	    s[k] == '\r' || s[k] == '\n'); k++)
		;
	if (k >= n || s[k] != '>')
		return (0);
	k++;
	if (n - k >= 5 && s[k] == '<' && s[k + 1] == '/' &&
	    s[k + 2] == s[1] && s[k + 3] == s[2] && s[k + 4] == '>')
		return (0);
	return (k);
}

/*
 * A stopping byte at S[I] that needs no repair, stepped over where the
 * scan found it: valid UTF-8 that passes unchanged and, in text, a '<'
 * opening a start or end tag and a well-formed entity reference.  Returns
 * the end of what passes, or I when the filter must look.
 */
#if defined(__GNUC__)
__attribute__((__always_inline__))
#endif
static inline size_t
feedparse_pass(const unsigned char *s, size_t i, size_t len, int text)
{
	size_t	r;

	if (s[i] >= 0x80) {
		/* Inlined into the scan loops, the sequences most feeds
		 * hold (accents, and the dashes and quotes of CDATA
		 * content) are stepped over here without a call: one
		 * sequence each, the block's next stop takes the next. */
		if (s[i] >= 0xe1 && s[i] <= 0xec && i + 2 < len &&
		    (s[i + 1] & 0xc0) == 0x80 && (s[i + 2] & 0xc0) == 0x80)
			return (i + 3);
		if (s[i] >= 0xc3 && s[i] <= 0xdf && i + 1 < len &&
		    (s[i + 1] & 0xc0) == 0x80)
			return (i + 2);
		return (feedparse_utf8_run(s, i, len));
	}
	if (!text || i + 1 >= len)
		return (i);
	if (s[i] == '<') {
		if (((unsigned char)((s[i + 1] | 0x20) - 'a') < 26 ||
		    s[i + 1] == '/') && feedparse_open_void(s + i, len - i) == 0)
			return (i + 1);
	} else if (s[i] == '&' && s[i + 1] != '#' &&
	    (r = feedparse_entref(s + i, len - i)) != 0 &&
	    feedparse_xml_entity(s + i, r))
		return (i + r);
	return (i);
}

/*
 * Of the bytes over 0x7f in a block of W bytes (HI, a bit per byte), those
 * the scan may pass without a stop: when every one of them belongs to a
 * two-byte sequence led by 0xc3-0xdf (L2) or a three-byte one led by
 * 0xe1-0xec (L3), each lead followed by exactly its continuation bytes
 * (CONT, 0x80-0xbf), all of them; else none, and the stops take them one
 * at a time.  These leads can be neither overlong nor surrogates nor C1
 * controls nor U+FFFE/U+FFFF, so the sequences pass the filter unchanged:
 * accents, Cyrillic, Georgian, CJK, and CDATA's dashes and quotes.  A
 * lead whose sequence runs past the block stays a stop.
 */
static inline uint32_t
feedparse_utf8_block(uint32_t hi, uint32_t cont, uint32_t l2, uint32_t l3,
    unsigned int w)
{
	uint64_t	want;

	want = ((uint64_t)(l2 | l3) << 1 | (uint64_t)l3 << 2) &
	    (((uint64_t)1 << w) - 1);
	if (cont != (uint32_t)want || (hi & ~(cont | l2 | l3)) != 0)
		return (0);
	return (hi & ~((l2 | l3) & 1U << (w - 1)) & ~(l3 & 1U << (w - 2)));
}

#if defined(__x86_64__) && defined(__GNUC__)
/*
 * The block loop of feedparse_scan thirty-two bytes at a time, for CPUs
 * with AVX2 (chosen at run time, so the build stays baseline x86-64): the
 * same tests as the SSE2 loop below.  Returns where it stopped, with
 * *STOPPED set when that is a byte the filter must look at, else where
 * less than a block is left.
 */
__attribute__((target("avx2"))) static size_t
feedparse_scan_avx2(const unsigned char *s, size_t i, size_t end, size_t len,
    int text, unsigned char a, unsigned char b, int *stopped)
{
	__m256i		v, m, t, sp, tab, nl, cr, va, vb, lca, n26, sl;
	__m256i		c0, c2, e0, ed, lo, lb, lh;
	unsigned int	bits, hi;
	size_t		j, k;

	sp = _mm256_set1_epi8(0x20);
	tab = _mm256_set1_epi8('\t');
	nl = _mm256_set1_epi8('\n');
	cr = _mm256_set1_epi8('\r');
	va = _mm256_set1_epi8((char)a);
	vb = _mm256_set1_epi8((char)b);
	lca = _mm256_set1_epi8((char)('a' - 128));
	n26 = _mm256_set1_epi8(26 - 128);
	sl = _mm256_set1_epi8('/');
	lb = _mm256_set1_epi8('b');
	lh = _mm256_set1_epi8('h');
	/* Signed bounds for feedparse_utf8_block's byte classes. */
	c0 = _mm256_set1_epi8((char)0xc0);
	c2 = _mm256_set1_epi8((char)0xc2);
	e0 = _mm256_set1_epi8((char)0xe0);
	ed = _mm256_set1_epi8((char)0xed);
	*stopped = 0;
	while (i + 32 <= end && i + 32 < len) {
		v = _mm256_loadu_si256((const __m256i *)(s + i));
		m = _mm256_andnot_si256(_mm256_or_si256(_mm256_or_si256(
		    _mm256_cmpeq_epi8(v, tab), _mm256_cmpeq_epi8(v, nl)),
		    _mm256_cmpeq_epi8(v, cr)), _mm256_cmpgt_epi8(sp, v));
		if (text) {
			/* Before 'b' or 'h' (folded), the tag may be an
			 * open <br> or <hr>: feedparse_pass looks. */
			t = _mm256_loadu_si256((const __m256i *)(s + i + 1));
			lo = _mm256_or_si256(t, sp);
			t = _mm256_andnot_si256(_mm256_or_si256(
			    _mm256_cmpeq_epi8(lo, lb), _mm256_cmpeq_epi8(lo,
			    lh)), _mm256_or_si256(_mm256_cmpgt_epi8(n26,
			    _mm256_sub_epi8(lo, lca)), _mm256_cmpeq_epi8(t,
			    sl)));
			m = _mm256_or_si256(m, _mm256_or_si256(
			    _mm256_cmpeq_epi8(v, va), _mm256_andnot_si256(t,
			    _mm256_cmpeq_epi8(v, vb))));
		} else
			m = _mm256_or_si256(m, _mm256_cmpeq_epi8(v, vb));
		bits = (unsigned int)_mm256_movemask_epi8(m);
		if ((hi = (unsigned int)_mm256_movemask_epi8(v)) != 0)
			bits &= ~feedparse_utf8_block(hi,
			    (unsigned int)_mm256_movemask_epi8(
			    _mm256_cmpgt_epi8(c0, v)),
			    (unsigned int)_mm256_movemask_epi8(_mm256_and_si256(
			    _mm256_cmpgt_epi8(v, c2), _mm256_cmpgt_epi8(e0, v))),
			    (unsigned int)_mm256_movemask_epi8(_mm256_and_si256(
			    _mm256_cmpgt_epi8(v, e0), _mm256_cmpgt_epi8(ed, v))),
			    32);
		k = i + 32;
		while (bits != 0) {
			j = i + (size_t)__builtin_ctz(bits);
			if ((k = feedparse_pass(s, j, len, text)) == j) {
				*stopped = 1;
				return (j);
			}
			if (k >= i + 32)
				break;
			bits &= ~0U << (k - i);
			k = i + 32;
		}
		i = k;
	}
	return (i);
}
#endif

/*
 * The first byte from I on (before END) that the filter must look at in
 * MODE: one marked in feedparse_special (1 and 2 in text, else 2 and 4;
 * the vector test stops in CDATA only at ']', in a comment only at '-',
 * in a processing instruction only at '?') that feedparse_pass cannot
 * step over; stepping over may take the result a
 * few bytes past END.  Plain text goes sixteen bytes at a time with SSE2,
 * every stopping byte of a block found at once; else eight bytes at a
 * time, a word being skipped when it holds no control character, no byte
 * over 0x7f and no stopping character (the word test may stop early, a
 * newline does, never late).
 */
static size_t
feedparse_scan(const unsigned char *s, size_t i, size_t end, size_t len,
    enum feedparse_filter mode)
{
	static const unsigned char stop[] = {
		[FILTER_TEXT] = '<',
		[FILTER_CDATA] = ']',
		[FILTER_COMMENT] = '-',
		[FILTER_PI] = '?',
	};
	int		text = mode == FILTER_TEXT, mask = text ? 3 : 6;
	unsigned char	a = text ? '&' : stop[mode], b = stop[mode];
	size_t		j, k;
#if defined(__x86_64__) && defined(__GNUC__)
	int		stopped;
#endif
#ifdef __SSE2__
	__m128i		v, m, t, sp, tab, nl, cr, va, vb, lca, n26, sl;
	__m128i		c0, c2, e0, ed, lo, lb, lh;
	unsigned int	bits, hi;
#else
	uint64_t	w, wa, wb;
	size_t		lim;
#endif

#if defined(__x86_64__) && defined(__GNUC__)
	if (feedparse_avx2) {
		i = feedparse_scan_avx2(s, i, end, len, text, a, b,
		    &stopped);
		if (stopped)
			return (i);
	}
#endif
#ifdef __SSE2__

	sp = _mm_set1_epi8(0x20);
	tab = _mm_set1_epi8('\t');
	nl = _mm_set1_epi8('\n');
	cr = _mm_set1_epi8('\r');
	va = _mm_set1_epi8((char)a);
	vb = _mm_set1_epi8((char)b);
	lca = _mm_set1_epi8((char)('a' - 128));
	n26 = _mm_set1_epi8(26 - 128);
	sl = _mm_set1_epi8('/');
	lb = _mm_set1_epi8('b');
	lh = _mm_set1_epi8('h');
	c0 = _mm_set1_epi8((char)0xc0);
	c2 = _mm_set1_epi8((char)0xc2);
	e0 = _mm_set1_epi8((char)0xe0);
	ed = _mm_set1_epi8((char)0xed);
	/* Each block is read with the byte after it, for the tag test. */
	while (i + 16 <= end && i + 16 < len) {
		v = _mm_loadu_si128((const __m128i *)(s + i));
		/* Signed: below 0x20 or above 0x7f. */
		m = _mm_andnot_si128(_mm_or_si128(_mm_or_si128(
		    _mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(v, nl)),
		    _mm_cmpeq_epi8(v, cr)), _mm_cmplt_epi8(v, sp));
		if (text) {
			/* A '<' before a letter or '/' opens a tag: not a
			 * stop, unless the letter is 'b' or 'h' (an open
			 * <br> or <hr>, for feedparse_pass).  Letters:
			 * (b | 0x20) - 'a' below 26, the unsigned test made
			 * signed by a bias of 128. */
			t = _mm_loadu_si128((const __m128i *)(s + i + 1));
			lo = _mm_or_si128(t, sp);
			t = _mm_andnot_si128(_mm_or_si128(_mm_cmpeq_epi8(lo,
			    lb), _mm_cmpeq_epi8(lo, lh)), _mm_or_si128(
			    _mm_cmplt_epi8(_mm_sub_epi8(lo, lca), n26),
			    _mm_cmpeq_epi8(t, sl)));
			m = _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(v, va),
			    _mm_andnot_si128(t, _mm_cmpeq_epi8(v, vb))));
		} else
			m = _mm_or_si128(m, _mm_cmpeq_epi8(v, vb));
		bits = (unsigned int)_mm_movemask_epi8(m);
		if ((hi = (unsigned int)_mm_movemask_epi8(v)) != 0)
			bits &= ~feedparse_utf8_block(hi,
			    (unsigned int)_mm_movemask_epi8(
			    _mm_cmplt_epi8(v, c0)),
			    (unsigned int)_mm_movemask_epi8(_mm_and_si128(
			    _mm_cmpgt_epi8(v, c2), _mm_cmplt_epi8(v, e0))),
			    (unsigned int)_mm_movemask_epi8(_mm_and_si128(
			    _mm_cmpgt_epi8(v, e0), _mm_cmplt_epi8(v, ed))),
			    16);
		k = i + 16;
		while (bits != 0) {
			j = i + (size_t)__builtin_ctz(bits);
			if ((k = feedparse_pass(s, j, len, text)) == j)
				return (j);
			if (k >= i + 16)
				break;
			/* Go on with the block's stops after K. */
			bits &= ~0U << (k - i);
			k = i + 16;
		}
		i = k;
	}
#else
	wa = FEEDPARSE_ONES * a;
	wb = FEEDPARSE_ONES * b;
	for (;;) {
		while (i + 8 <= end) {
			memcpy(&w, s + i, 8);
			if ((w & FEEDPARSE_HIGHS) ||
			    FEEDPARSE_HASZERO(w & ~(FEEDPARSE_ONES * 0x1f)) ||
			    FEEDPARSE_HASZERO(w ^ wa) ||
			    FEEDPARSE_HASZERO(w ^ wb))
				break;
			i += 8;
		}
		if ((lim = i + 8) >= end)
			break;
		while (i < lim) {
			if (!(feedparse_special[s[i]] & mask)) {
				i++;
				continue;
			}
			if ((k = feedparse_pass(s, i, len, text)) == i)
				return (i);
			i = k;
		}
	}
#endif
	while (i < end) {
		if (!(feedparse_special[s[i]] & mask)) {
			i++;
			continue;
		}
		if ((k = feedparse_pass(s, i, len, text)) == i)
			return (i);
		i = k;
	}
	return (i);
}

/* Bytes from *DONE to I are kept as they are: copy them out. */
static inline void
feedparse_keep(struct buf *out, const unsigned char *s, size_t *done,
    size_t i)
{
	if (i > *done)
		buf_add(out, s + *done, i - *done);
	*done = i;
}

/*
 * Repair the UTF-8 at S into OUT; returns the bytes used.  Only bytes with
 * FEEDPARSE_LOOKAHEAD bytes after them are handled (all when LAST), so that
 * every construct is seen whole however the chunks fell.  Outside CDATA,
 * comments and processing instructions: a bare '&' becomes "&amp;", a '<'
 * that cannot open markup becomes "&lt;", references to forbidden
 * characters go.  Everywhere: control characters and U+FFFE/U+FFFF go, and
 * anything before the first '<' (white space, a PHP warning) goes.
 *
 * Most feeds need no repair at all, so bytes that pass unchanged are not
 * copied one construct at a time: DONE marks what is in OUT, and a run is
 * copied whole when a repair (or the end) comes.
 */
static size_t
feedparse_filter(struct feedparse *fp, const unsigned char *s, size_t len,
    struct buf *out, int last)
{
	size_t			 end, i = 0, r, done;
	unsigned char		 c;

	if (len == 0)
		return (0);
	end = last ? len : (len > FEEDPARSE_LOOKAHEAD ?
	    len - FEEDPARSE_LOOKAHEAD : 0);
	while (!fp->started && i < end) {
		if (s[i] == '<') {
			fp->started = 1;
			break;
		}
		if (s[i] == '\n')
			fp->skipped_lines++;
		i++;
	}
	done = i;
	while (i < end) {
		i = feedparse_scan(s, i, end, len, fp->filter);
		if (i >= end)
			break;
		c = s[i];
		if (c < 0x20) {
			feedparse_keep(out, s, &done, i);
			done = ++i;
			continue;
		}
		if (c >= 0x80) {
			/* UTF-8 is checked here rather than in a pass of its
			 * own: a stray byte is read as windows-1252. */
			feedparse_keep(out, s, &done, i);
			if ((r = charset_utf8_seq(s + i, len - i)) <= 0 ||
			    r > 4) {
				charset_put(out, charset_cp1252(c));
				i++;
			} else if (c == 0xc2 && s[i + 1] < 0xa0) {
				/* C1 controls are windows-1252 read as
				 * Latin-1 (a CMS's doing): the quotes and
				 * dashes were meant. */
				charset_put(out, charset_cp1252(s[i + 1]));
				i += 2;
			} else if (c == 0xef && s[i + 1] == 0xbf &&
			    (s[i + 2] == 0xbe || s[i + 2] == 0xbf))
				i += 3;
			else {
				buf_add(out, s + i, r);
				i += r;
			}
			done = i;
			continue;
		}
		if (fp->filter != FILTER_TEXT) {
			if ((fp->filter == FILTER_CDATA && len - i >= 3 &&
			    memcmp(s + i, "]]>", 3) == 0) ||
			    (fp->filter == FILTER_COMMENT && len - i >= 3 &&
			    memcmp(s + i, "-->", 3) == 0)) {
				i += 3;
				fp->filter = FILTER_TEXT;
			} else if (fp->filter == FILTER_PI && len - i >= 2 &&
			    memcmp(s + i, "?>", 2) == 0) {
				i += 2;
				fp->filter = FILTER_TEXT;
			} else
				i++;
			continue;
		}
		if (c == '&') {
			/* Most references pass as written; a repaired one
			 * is built aside and replaces them. */
			buf_clear(&fp->numref);
			if ((r = feedparse_fix_numref(s + i, len - i,
			    &fp->numref)) != 0) {
				if (fp->numref.len != r || memcmp(s + i,
				    fp->numref.data, r) != 0) {
					feedparse_keep(out, s, &done, i);
					buf_add(out, fp->numref.data,
					    fp->numref.len);
					done = i + r;
				}
			} else if ((r = feedparse_entref(s + i, len - i)) ==
			    0) {
				feedparse_keep(out, s, &done, i);
				buf_add(out, "&amp;", 5);
				r = 1;
				done = i + r;
			} else if (!feedparse_xml_entity(s + i, r) &&
			    feedparse_fix_entref(s + i, r, &fp->numref)) {
				feedparse_keep(out, s, &done, i);
				buf_add(out, fp->numref.data, fp->numref.len);
				done = i + r;
			}
			i += r;
			continue;
		}
		/* c == '<' */
		if (len - i >= 9 && memcmp(s + i, "<![CDATA[", 9) == 0) {
			i += 9;
			fp->filter = FILTER_CDATA;
		} else if (len - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
			i += 4;
			fp->filter = FILTER_COMMENT;
		} else if (len - i >= 2 && s[i + 1] == '?') {
			i += 2;
			fp->filter = FILTER_PI;
		} else if ((r = feedparse_open_void(s + i, len - i)) != 0) {
			feedparse_keep(out, s, &done, i);
			buf_add(out, s + i, 3);
			buf_add(out, "/>", 2);
			i += r;
			done = i;
		} else if (len - i >= 2 && !(isalpha(s[i + 1]) ||
		    s[i + 1] == '_' || s[i + 1] == ':' || s[i + 1] == '/' ||
		    s[i + 1] == '!' || s[i + 1] >= 0x80)) {
			feedparse_keep(out, s, &done, i);
			buf_add(out, "&lt;", 4);
			done = ++i;
		} else
			i++;
	}
	feedparse_keep(out, s, &done, i);
	return (i);
}

/* --- Driving expat --------------------------------------------------------- */

static void
feedparse_xml_new(struct feedparse *fp)
{
	XML_Parser	xp;

	/* Everything reaches expat as UTF-8, whatever the declaration says:
	 * the charset was settled and decoded before. */
	if ((xp = XML_ParserCreate("UTF-8")) == NULL) {
		fp->failed = 1;
		fp->error = xstrdup("1:1: cannot create XML parser");
		return;
	}
	fp->xp = xp;
	XML_SetUserData(xp, fp);
	XML_SetElementHandler(xp, feedparse_start_cb, feedparse_end_cb);
	XML_SetSkippedEntityHandler(xp, feedparse_entity_cb);
	/* No DTD is ever read, and an undeclared entity is skipped (and so
	 * reported to feedparse_entity_cb) rather than fatal. */
	XML_SetParamEntityParsing(xp, XML_PARAM_ENTITY_PARSING_NEVER);
	XML_UseForeignDTD(xp, XML_TRUE);
	/* Entity bombs: stop once expansions exceed 16 times the input,
	 * counted from 1 MiB on; real feeds expand a few entities at most. */
	XML_SetBillionLaughsAttackProtectionMaximumAmplification(xp, 16.0f);
	XML_SetBillionLaughsAttackProtectionActivationThreshold(xp,
	    1024 * 1024);
}

/* Give expat what the filter has repaired. */
static size_t
feedparse_xml_run(struct feedparse *fp, const char *s, size_t len, int last)
{
	enum XML_Error	 err;
	const char	*reason;
	struct buf	 out;
	size_t		 cap;
	void		*dst;
	size_t		 used;

	if (fp->failed || fp->root_closed)
		return (len);
	/*
	 * The filter writes straight into expat's buffer, saving the copy
	 * XML_Parse would make.  It never writes more than five bytes for
	 * one ("&" becomes "&amp;"), so the buffer is sized for that and
	 * the struct buf over it never grows (which would free expat's
	 * memory).
	 */
	cap = len * 5 + 1;
	if (cap > INT_MAX || (dst = XML_GetBuffer(fp->xp, (int)cap)) == NULL) {
		feedparse_fail(fp, "out of memory");
		return (len);
	}
	out.data = dst;
	out.size = cap;
	out.len = 0;
	used = feedparse_filter(fp, (const unsigned char *)s, len, &out, last);
	fp->final_sent = last;
	if (out.data != dst || out.len >= cap)
		fatalx("feedparse: repair filter overran its buffer");
	if (XML_ParseBuffer(fp->xp, (int)out.len, last) == XML_STATUS_ERROR &&
	    !fp->failed && !fp->root_closed) {
		err = XML_GetErrorCode(fp->xp);
		/* Before any root element, no XML at all, or an HTML page
		 * that expat trips over: not a feed rather than a syntax
		 * error. */
		if (!fp->root_seen && (fp->looks_html ||
		    err == XML_ERROR_NO_ELEMENTS))
			reason = "not a feed";
		else if (err == XML_ERROR_NO_ELEMENTS)
			reason = "document ends inside an element";
		else
			reason = XML_ErrorString(err);
		feedparse_fail(fp, "%s", reason);
	}
	return (used);
}

/*
 * Give UTF-8 to the filter and expat.  The filter leaves the last few
 * bytes of what it is given (its lookahead); at the end of DATA they are
 * kept in fp->decoded and joined with the start of the next call's, so
 * that the bulk is read in place, never copied.
 */
static void
feedparse_xml_input(struct feedparse *fp, const char *data, size_t n,
    int last)
{
	size_t	k, old, used, slice;

	while (!fp->failed && !fp->root_closed && !fp->final_sent) {
		if (fp->decoded.len > 0) {
			old = fp->decoded.len;
			k = n < 256 ? n : 256;
			buf_add(&fp->decoded, data, k);
			data += k;
			n -= k;
			used = feedparse_xml_run(fp, fp->decoded.data,
			    fp->decoded.len, last && n == 0);
			if (used >= old) {
				/* The old tail is done: go on in place. */
				k = fp->decoded.len - used;
				data -= k;
				n += k;
				buf_clear(&fp->decoded);
			} else {
				memmove(fp->decoded.data, fp->decoded.data +
				    used, fp->decoded.len - used);
				fp->decoded.len -= used;
				fp->decoded.data[fp->decoded.len] = '\0';
				if (n == 0 && !last)
					break;
			}
			continue;
		}
		if (n == 0 && !last)
			break;
		/* In slices, so that expat's buffer stays small. */
		slice = n > 65536 ? 65536 : n;
		used = feedparse_xml_run(fp, data, slice, last && slice == n);
		data += used;
		n -= used;
		if (slice == n + used && n > 0 && !last) {
			/* The lookahead at the end of DATA waits. */
			buf_add(&fp->decoded, data, n);
			break;
		}
	}
}

/* Decode bytes of the document and parse them. */
static void
feedparse_xml_feed(struct feedparse *fp, const char *buf, size_t len,
    int last)
{
	size_t	n;

	/* UTF-8 is checked by the filter as it goes. */
	if (fp->raw_utf8) {
		feedparse_xml_input(fp, buf, len, last);
		return;
	}
	do {
		n = len > 65536 ? 65536 : len;
		buf_clear(&fp->converted);
		charset_dec_run(fp->dec, buf, n, &fp->converted,
		    last && n == len);
		buf += n;
		len -= n;
		feedparse_xml_input(fp, fp->converted.data != NULL ?
		    fp->converted.data : "", fp->converted.len,
		    last && len == 0);
	} while (len > 0 && !fp->failed && !fp->root_closed);
}

static int
feedparse_lookslike(const char *s, size_t len, const char *what)
{
	size_t	n = strlen(what), i;

	if (len > 4096)
		len = 4096;
	for (i = 0; i + n <= len; i++) {
		if (strncasecmp(s + i, what, n) == 0)
			return (1);
	}
	return (0);
}

/*
 * Where an XML declaration starts after junk, else 0: a PHP warning
 * printed as HTML ("<br />\n<b>Warning</b>: ...") or a comment ahead of
 * "<?xml version=...".  Everything before it goes, so that the declared
 * charset is read and expat sees a declaration at the start.  Not when
 * the junk holds what looks like the feed's own root: then "<?xml" is
 * text inside the feed.
 */
static size_t
feedparse_junk_len(const char *s, size_t len)
{
	static const char *roots[] = { "rss", "feed", "rdf", "channel" };
	const char	*p, *q, *l;
	size_t		 i, n;

	if ((p = memmem(s, len, "<?xml", 5)) == NULL || p == s ||
	    (size_t)(p - s) + 5 >= len || strchr(" \t\r\n", p[5]) == NULL)
		return (0);
	for (q = s; (q = memchr(q, '<', (size_t)(p - q))) != NULL; q++) {
		/* The local name, past a prefix ("<rdf:RDF", "<atom:feed"). */
		for (l = q + 1; l < p && l - q < 32 && (isalnum(
		    (unsigned char)*l) || *l == '-' || *l == '_'); l++)
			;
		l = l < p && *l == ':' ? l + 1 : q + 1;
		for (i = 0; i < nitems(roots); i++) {
			n = strlen(roots[i]);
			if ((size_t)(p - l) > n &&
			    strncasecmp(l, roots[i], n) == 0 &&
			    memchr(" \t\r\n>", l[n], 5) != NULL)
				return (0);
		}
	}
	return ((size_t)(p - s));
}

/* Whether S holds a byte over 0x7f, eight at a time. */
static int
feedparse_has_high(const char *s, size_t len)
{
	uint64_t	w;
	size_t		i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		if (w & FEEDPARSE_HIGHS)
			return (1);
	}
	for (; i < len; i++) {
		if ((unsigned char)s[i] >= 0x80)
			return (1);
	}
	return (0);
}

/*
 * The window is full, or the document ended: choose the charset and start
 * reading.  A byte-order mark wins; bytes that show a 16/32-bit or EBCDIC
 * family take it; non-ASCII text that is valid UTF-8 throughout is UTF-8
 * whatever the labels say; otherwise the first of the charset given from
 * outside, the XML declaration's and UTF-8 in which the window is valid,
 * else the single-byte charset the text looks like (windows-1252 unless
 * plainly Cyrillic).
 */
static void
feedparse_start(struct feedparse *fp, int last)
{
	const char	*s = fp->window.data, *name = NULL, *family;
	const char	*cands[4];
	char		*declared = NULL;
	size_t		 len = fp->window.len, bom, i, junk;
	int		 utf8, utf8_ok;

	if (s == NULL)
		s = "";
	name = charset_bom(s, len, &bom);
	s += bom;
	len -= bom;
	for (i = 0; i < len && strchr(" \t\r\n", s[i]) != NULL; i++)
		;
	if (i < len && s[i] == '{' && (name == NULL ||
	    strcmp(name, "utf-8") == 0)) {
		fp->stage = STAGE_JSON;
		fp->encoding = xstrdup("utf-8");
		fp->dec = charset_dec_new("utf-8");
		charset_dec_run(fp->dec, s, len, &fp->json, last);
		buf_release(&fp->window);
		return;
	}
	if (name == NULL || strcmp(name, "utf-8") == 0) {
		junk = feedparse_junk_len(s, len);
		for (i = 0; i < junk; i++)
			fp->skipped_lines += s[i] == '\n';
		s += junk;
		len -= junk;
	}
	if (name == NULL) {
		family = charset_pattern(s, len);
		declared = charset_xmldecl(s, len, family);
		if (family != NULL)
			name = family;
		else {
			cands[0] = charset_canonical(fp->charset);
			cands[1] = charset_canonical(declared);
			cands[2] = "utf-8";
			cands[3] = NULL;	/* charset_guess_8bit, if needed */
			/* Non-ASCII text valid as UTF-8 throughout is
			 * practically never in another charset: the
			 * accented letters of windows-1252 stand alone
			 * among ASCII ones, and windows-1251's or GBK's
			 * letters follow each other, where UTF-8 wants
			 * continuation bytes. */
			utf8_ok = charset_valid("utf-8", s, len);
			utf8 = utf8_ok && feedparse_has_high(s, len);
			for (i = 0; i < nitems(cands); i++) {
				if (i == 3)
					cands[3] = charset_guess_8bit(s, len);
				/* A 16-bit label on 8-bit bytes is wrong;
				 * so is any other label on text that is
				 * UTF-8 throughout (a server's default
				 * "charset=ISO-8859-1" or windows-1251 on
				 * a UTF-8 feed). */
				if (cands[i] == NULL ||
				    charset_is_wide(cands[i]) ||
				    (utf8 && strcmp(cands[i], "utf-8") != 0))
					continue;
				if (strcmp(cands[i], "utf-8") == 0 ? utf8_ok :
				    charset_valid(cands[i], s, len)) {
					name = cands[i];
					break;
				}
			}
		}
	}
	free(declared);
	if (name == NULL || (fp->dec = charset_dec_new(name)) == NULL) {
		name = "windows-1252";
		fp->dec = charset_dec_new(name);
	}
	fp->encoding = xstrdup(name);
	fp->raw_utf8 = strcmp(name, "utf-8") == 0;
	fp->looks_html = feedparse_lookslike(s, len, "<html") ||
	    feedparse_lookslike(s, len, "<!doctype html");
	fp->stage = STAGE_XML;
	feedparse_xml_new(fp);
	if (!fp->failed)
		feedparse_xml_feed(fp, s, len, last);
	buf_release(&fp->window);
}

int
feedparse_feed(struct feedparse *fp, const char *buf, size_t len)
{
	if (fp->failed)
		return (-1);
	switch (fp->stage) {
	case STAGE_SNIFF:
		buf_add(&fp->window, buf, len);
		if (fp->window.len >= FEEDPARSE_WINDOW)
			feedparse_start(fp, 0);
		break;
	case STAGE_XML:
		if (!fp->root_closed)
			feedparse_xml_feed(fp, buf, len, 0);
		break;
	case STAGE_JSON:
		if (fp->json.len + len > FEEDPARSE_MAX_JSON) {
			feedparse_fail(fp, "JSON document larger than %d bytes",
			    FEEDPARSE_MAX_JSON);
			break;
		}
		charset_dec_run(fp->dec, buf, len, &fp->json, 0);
		break;
	case STAGE_DONE:
		break;
	}
	return (fp->failed ? -1 : 0);
}

/* --- JSON Feed --------------------------------------------------------------- */

static char *
feedparse_json_str(json_t *o, const char *key)
{
	json_t	*v;
	char	*s;

	if ((v = json_object_get(o, key)) == NULL)
		return (NULL);
	if (json_is_string(v))
		s = xstrdup(json_string_value(v));
	else if (json_is_integer(v))
		xasprintf(&s, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else
		return (NULL);
	return (feedparse_trim(s));
}

/* A JSON Feed author object's name; NULL when it gives none. */
static char *
feedparse_json_name(json_t *a)
{
	char	*name;

	if (!json_is_object(a))
		return (NULL);
	if ((name = feedparse_json_str(a, "name")) != NULL && *name == '\0') {
		free(name);
		name = NULL;
	}
	return (name);
}

/* The name of the first author that has one: 1.1's "authors", else
 * 1.0's "author".  Feeds list an author by URL or avatar alone, and the
 * named one after it. */
static char *
feedparse_json_author(json_t *o)
{
	json_t	*a;
	char	*name;
	size_t	 i;

	json_array_foreach(json_object_get(o, "authors"), i, a) {
		if ((name = feedparse_json_name(a)) != NULL)
			return (name);
	}
	return (feedparse_json_name(json_object_get(o, "author")));
}

static void
feedparse_json_item(struct feedparse *fp, json_t *o)
{
	struct item	*it = &fp->item;
	json_t		*v, *e;
	size_t		 i;
	char		*s;

	item_release(it);
	it->guid = feedparse_json_str(o, "id");
	it->title = feedparse_json_str(o, "title");
	s = feedparse_json_str(o, "url");
	it->link = feedparse_href(fp->base, s);
	free(s);
	it->summary = feedparse_json_str(o, "summary");
	if ((it->content = feedparse_json_str(o, "content_html")) == NULL)
		it->content = feedparse_json_str(o, "content_text");
	it->author = feedparse_json_author(o);
	if (it->author == NULL && fp->meta.author != NULL)
		it->author = xstrdup(fp->meta.author);
	if ((s = feedparse_json_str(o, "date_published")) != NULL) {
		it->published = timefmt_parse(s);
		free(s);
	}
	if ((s = feedparse_json_str(o, "date_modified")) != NULL) {
		it->updated = timefmt_parse(s);
		free(s);
	}
	v = json_object_get(o, "tags");
	json_array_foreach(v, i, e) {
		if (json_is_string(e))
			item_add_category(it, json_string_value(e));
	}
	v = json_object_get(o, "attachments");
	json_array_foreach(v, i, e) {
		char	*url, *type, *size;

		if (!json_is_object(e))
			continue;
		url = feedparse_json_str(e, "url");
		type = feedparse_json_str(e, "mime_type");
		size = feedparse_json_str(e, "size_in_bytes");
		if (url != NULL)
			feedparse_add_enclosure(fp, fp->base, url, type, size);
		free(url);
		free(type);
		free(size);
	}
	fp->nitems++;
	if (fp->cb != NULL)
		fp->cb(it, fp->arg);
	item_release(it);
}

/*
 * Where a JSON Feed cut short (a transfer that stopped early, a server
 * that died mid-body) can still be read: the end of the last whole member
 * of the top-level object, or of the last whole element of its "items"
 * array, among the first LEN bytes of S.  One pass that follows strings
 * (with their escapes) and a stack of open brackets; it stops at the first
 * bracket that does not match.  Returns the length to keep and sets *CLOSE
 * to the brackets that close what is open there, or returns 0 when
 * nothing can be kept.
 */
static size_t
feedparse_json_cut(const char *s, size_t len, const char **close)
{
	static const char	*closers[] = { "", "}", "]}" };
	char			 stack[JSON_PARSER_MAX_DEPTH];
	size_t			 i, depth = 0, key = 0, cut = 0, cut_depth = 0;
	int			 in_str = 0, want_key = 0, key_items = 0;
	int			 in_items = 0;

	for (i = 0; i < len; i++) {
		if (in_str) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"') {
				in_str = 0;
				if (depth == 1 && want_key) {
					key_items = i - key == 5 &&
					    memcmp(s + key, "items", 5) == 0;
					want_key = 0;
				}
			}
			continue;
		}
		switch (s[i]) {
		case '"':
			in_str = 1;
			key = i + 1;
			break;
		case '{':
		case '[':
			/* The document must be an object. */
			if (depth == sizeof stack || (depth == 0 &&
			    s[i] != '{'))
				goto out;
			if (depth == 1)
				in_items = s[i] == '[' && key_items;
			stack[depth++] = s[i];
			want_key = depth == 1;
			break;
		case '}':
		case ']':
			if (depth == 0 || stack[depth - 1] !=
			    (s[i] == '}' ? '{' : '['))
				goto out;
			depth--;
			if (depth <= 1 || (depth == 2 && in_items)) {
				cut = i + 1;
				cut_depth = depth;
			}
			if (depth == 0)
				goto out;
			break;
		case ',':
			if (depth == 1 || (depth == 2 && in_items)) {
				cut = i;
				cut_depth = depth;
			}
			want_key = depth == 1;
			break;
		}
	}
out:
	/* Below the cut the stack holds the object and the items array. */
	*close = closers[cut_depth];
	return (cut);
}

/* Parse the JSON Feed read so far; a document cut short is read up to its
 * last whole item, and keeps the error. */
static json_t *
feedparse_json_load(struct feedparse *fp)
{
	json_t		*doc;
	json_error_t	 err;
	const char	*s, *close;
	char		*part;
	size_t		 len, cut;

	s = fp->json.data != NULL ? fp->json.data : "";
	len = fp->json.len;
	if ((doc = json_loadb(s, len, 0, &err)) != NULL)
		return (doc);
	fp->failed = 1;
	xasprintf(&fp->error, "%d:%d: %s", err.line < 1 ? 1 : err.line,
	    err.column < 1 ? 1 : err.column, err.text);
	/* Nothing from the token jansson stopped at is kept: its position
	 * lies past that token's first byte. */
	if (err.position > 0 && (size_t)err.position < len)
		len = err.position - 1;
	if ((cut = feedparse_json_cut(s, len, &close)) == 0)
		return (NULL);
	part = xmalloc(cut + strlen(close));
	memcpy(part, s, cut);
	memcpy(part + cut, close, strlen(close));
	doc = json_loadb(part, cut + strlen(close), 0, &err);
	free(part);
	return (doc);
}

static void
feedparse_json(struct feedparse *fp)
{
	json_t		*doc, *items, *o;
	const char	*version;
	char		*s;
	size_t		 i;

	if ((doc = feedparse_json_load(fp)) == NULL)
		return;
	version = json_string_value(json_object_get(doc, "version"));
	if (!json_is_object(doc) || version == NULL ||
	    strncmp(version, "https://jsonfeed.org/version/", 29) != 0) {
		if (!fp->failed) {
			fp->failed = 1;
			fp->error = xstrdup("1:1: not a feed");
		}
		json_decref(doc);
		return;
	}
	fp->format = strcmp(version + 29, "1.1") == 0 ? "json1.1" : "json1.0";
	fp->meta.title = feedparse_json_str(doc, "title");
	s = feedparse_json_str(doc, "home_page_url");
	fp->meta.link = feedparse_href(fp->base, s);
	free(s);
	s = feedparse_json_str(doc, "feed_url");
	fp->meta.id = feedparse_href(fp->base, s);
	free(s);
	fp->meta.subtitle = feedparse_json_str(doc, "description");
	fp->meta.language = feedparse_json_str(doc, "language");
	fp->meta.author = feedparse_json_author(doc);
	items = json_object_get(doc, "items");
	json_array_foreach(items, i, o) {
		if (!json_is_object(o))
			continue;
		if (fp->nitems >= fp->max_items) {
			if (!fp->failed) {
				fp->failed = 1;
				xasprintf(&fp->error, "1:1: more than %zu "
				    "items", fp->max_items);
			}
			break;
		}
		feedparse_json_item(fp, o);
	}
	json_decref(doc);
}

int
feedparse_finish(struct feedparse *fp)
{
	if (!fp->failed && fp->stage == STAGE_SNIFF)
		feedparse_start(fp, 1);
	if (!fp->failed) {
		switch (fp->stage) {
		case STAGE_XML:
			if (!fp->root_closed)
				feedparse_xml_feed(fp, "", 0, 1);
			break;
		case STAGE_JSON:
			charset_dec_run(fp->dec, "", 0, &fp->json, 1);
			feedparse_json(fp);
			break;
		default:
			break;
		}
	}
	fp->stage = STAGE_DONE;
	/* Nothing asked of a finished parse needs them. */
	feedparse_shed(fp);
	if (fp->failed && fp->format == NULL) {
		/* Not a feed: whatever was read means nothing. */
		feed_meta_release(&fp->meta);
	}
	return (fp->failed ? -1 : 0);
}

